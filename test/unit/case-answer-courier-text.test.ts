import { caseAnswer } from '../../api/case-answer';
import { CASE_EXAMPLE } from '../../api/openapi.examples';
import type { CaseSnapshot } from '../../domain/case.types';

// The courier's own trace text (a signer's name, a phone tail) is for staff: a customer reads each
// tracking event in our words, never the courier's note (issue 23).

const courier = { kind: 'provider' as const, id: 'courier' };
const TRACE = '已签收，签收人：张三，电话尾号 1234';

/** The API's example case with a delivered return parcel whose courier event carries trace text. */
function caseWithTrace(): CaseSnapshot {
  const example = CASE_EXAMPLE as unknown as CaseSnapshot;
  return {
    ...example,
    timeline: [
      ...example.timeline,
      { at: '2026-04-06T02:00:00.000Z', actor: courier, event: 'shipment.delivered', data: { direction: 'return', trackingNumber: 'SF1234567890', detail: TRACE } },
    ],
  };
}

describe('courier trace text in a case answer', () => {
  it("is left out of the customer's timeline; the event, its parcel and its time stay", () => {
    const answer = caseAnswer(caseWithTrace(), { role: 'customer', customerId: 'c-1' });
    const delivered = answer.timeline.find((e) => e.event === 'shipment.delivered');
    expect(delivered).toEqual({ at: '2026-04-06T02:00:00.000Z', actor: courier, event: 'shipment.delivered', data: { direction: 'return', trackingNumber: 'SF1234567890' } });
    expect(JSON.stringify(answer)).not.toContain('张三');
  });

  it('is kept for staff, who may need the signer to settle a dispute', () => {
    for (const role of ['agent', 'supervisor', 'admin'] as const) {
      const answer = caseAnswer(caseWithTrace(), { role, name: 'li.wei' });
      expect(answer.timeline.find((e) => e.event === 'shipment.delivered')?.data).toMatchObject({ detail: TRACE });
    }
  });

  it("changes no other entry of the customer's timeline", () => {
    const snapshot = caseWithTrace();
    const answer = caseAnswer(snapshot, { role: 'customer', customerId: 'c-1' });
    expect(answer.timeline.slice(0, -1)).toEqual(snapshot.timeline.slice(0, -1));
  });
});

import type { CaseSnapshot } from '../../domain/case.types';
import { ERASED, withoutPersonalData } from '../../domain/erasure';

const PERSONAL = 'Zhang San 13800138000 88 Nanjing Road';

/** A closed case that holds the customer's text in every place a case can hold it. */
function caseWithPersonalText(): CaseSnapshot {
  return {
    id: 'cs_1',
    type: 'return',
    status: 'completed',
    orderId: 'O-1',
    customerId: 'c-9',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 19_900 }],
    reason: { code: 'quality_issue', description: PERSONAL },
    evidence: [`https://img.example/${encodeURIComponent(PERSONAL)}.jpg`],
    order: { paidAt: '2026-11-01T00:00:00.000Z', deliveredAt: '2026-11-03T00:00:00.000Z', paymentMethod: 'online', total: 19_900, currency: 'CNY' },
    assignee: 'li.wei',
    priority: 'normal',
    policyVersion: 'p1',
    manualEvaluation: false,
    createdAt: '2026-11-04T00:00:00.000Z',
    updatedAt: '2026-11-06T00:00:00.000Z',
    closedAt: '2026-11-06T00:00:00.000Z',
    sla: [],
    nextDeadline: null,
    breached: false,
    escalation: { level: 0, history: [] },
    refund: { id: 'rf_1', amount: 19_900, currency: 'CNY', status: 'succeeded' } as CaseSnapshot['refund'],
    shipments: [],
    outcome: {
      review: { decision: 'request_info', note: `call ${PERSONAL}`, by: 'li.wei' },
      customerInfo: [{ message: PERSONAL, evidence: ['https://img.example/more.jpg'] }],
      inspection: { result: 'pass', note: PERSONAL, refundAmount: null, by: 'wang.fang' },
      repair: { outcome: 'repaired', verified: true, attempt: 1, note: null },
      resolution: { text: PERSONAL, by: 'li.wei' },
    },
    survey: { score: 4, comment: PERSONAL, at: '2026-11-07T00:00:00.000Z' },
    timeline: [
      { at: '2026-11-04T00:00:00.000Z', actor: { kind: 'customer', id: 'c-9' }, event: 'case.opened' },
      { at: '2026-11-05T00:00:00.000Z', actor: { kind: 'agent', id: 'li.wei' }, event: 'review.info_requested', data: { note: PERSONAL, to: 'awaiting_customer_info' } },
      { at: '2026-11-05T01:00:00.000Z', actor: { kind: 'customer', id: 'c-9' }, event: 'customer.info', data: { answer: { message: PERSONAL, evidence: ['https://img.example/x.jpg'] } } },
    ],
    temporal: { workflowId: 'case-cs_1' },
    version: 12,
  };
}

describe('erasing a case of its personal data', () => {
  test('no trace of the customer text or evidence links is left anywhere in the case', () => {
    const erased = JSON.stringify(withoutPersonalData(caseWithPersonalText()));
    expect(erased).not.toContain('Zhang San');
    expect(erased).not.toContain('img.example');
  });

  test('ids, amounts, statuses, dates, decisions and the survey score stay for the reports', () => {
    const before = caseWithPersonalText();
    const after = withoutPersonalData(before);
    expect({ ...after, reason: before.reason, evidence: before.evidence, outcome: before.outcome, survey: before.survey, timeline: before.timeline }).toEqual(before);
    expect(after.outcome.review).toEqual({ decision: 'request_info', note: ERASED, by: 'li.wei' });
    expect(after.outcome.repair?.note).toBeNull();
    expect(after.survey).toEqual({ score: 4, comment: ERASED, at: '2026-11-07T00:00:00.000Z' });
    expect(after.timeline.map((e) => e.event)).toEqual(before.timeline.map((e) => e.event));
    expect(after.timeline[1].data).toEqual({ note: ERASED, to: 'awaiting_customer_info' });
  });

  test('erasing twice changes nothing more', () => {
    const once = withoutPersonalData(caseWithPersonalText());
    expect(withoutPersonalData(once)).toEqual(once);
  });
});

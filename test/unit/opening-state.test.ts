import type { CaseType, ClockName, OpenCaseRequest, ReasonCode } from '../../domain/case.types';
import { OPENING_BY_TYPE, openingState } from '../../domain/opening-state';
import { defaultPolicy, type Policy } from '../../domain/policy';
import type { CaseWorkflowInput, EligibilityFacts } from '../../domain/workflow-contract';

const HOUR = 3_600_000;
/** A Monday noon in Beijing. */
const OPENED = Date.parse('2026-06-15T04:00:00.000Z');
const AGENT = { kind: 'agent', id: 'agent-7' } as const;

function input(type: CaseType, reason: ReasonCode, eligibility: Partial<EligibilityFacts> = {}, policy: Policy = defaultPolicy()): CaseWorkflowInput {
  const request: OpenCaseRequest = {
    type,
    orderId: 'ORD-1',
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }],
    reason: { code: reason },
    evidence: [],
    order: { paidAt: '2026-06-10T04:00:00.000Z', deliveredAt: '2026-06-13T04:00:00.000Z', paymentMethod: 'online', total: 25_900, currency: 'CNY' },
  };
  return {
    caseId: 'case-1',
    request,
    policy,
    openedBy: AGENT,
    eligibility: { manualEvaluation: false, inWarranty: type === 'repair' ? true : null, customerPaysShipping: false, notes: [], ...eligibility },
  };
}

/** Each type with a reason it is opened for, the status it opens in, its first clock and that clock's budget under the default policy. */
const EVERY_TYPE: [CaseType, ReasonCode, string, ClockName, number][] = [
  ['return', 'quality_issue', 'awaiting_review', 'review', 24 * HOUR],
  ['exchange', 'quality_issue', 'awaiting_review', 'review', 24 * HOUR],
  ['repair', 'quality_issue', 'awaiting_review', 'review', 24 * HOUR],
  ['refund_only', 'not_received', 'awaiting_review', 'review', 24 * HOUR],
  ['reship', 'damaged_in_transit', 'awaiting_review', 'review', 24 * HOUR],
  ['complaint', 'other', 'investigating', 'resolution', 24 * HOUR],
  ['courier_exception', 'not_received', 'investigating', 'investigation', 72 * HOUR],
];

describe('the state a case opens in', () => {
  test('every case type has its opening status and clock in the one table', () => {
    expect(Object.keys(OPENING_BY_TYPE).sort()).toEqual(EVERY_TYPE.map(([type]) => type).sort());
  });

  test.each(EVERY_TYPE)('%s (opened for %s) opens in %s with the %s clock running from the instant it opened', (type, reason, status, clockName, budgetMs) => {
    const opening = openingState(input(type, reason), OPENED);

    expect(opening.status).toBe(status);
    expect(opening.openedAt).toBe('2026-06-15T04:00:00.000Z');
    expect(opening.clock).toMatchObject({ name: clockName, party: 'staff', state: 'running', startedAt: opening.openedAt, consumedMs: 0 });
    expect(Date.parse(opening.clock.deadline) - OPENED).toBe(budgetMs);
    expect(opening.clock.provisional).toBeUndefined();
    expect(opening.timeline).toEqual([
      { at: opening.openedAt, actor: AGENT, event: 'case.opened', data: { type, reason, policyVersion: 'default-2026.2' } },
    ]);
    expect(opening.opened).toEqual({ actor: AGENT, event: 'case.opened', data: { type, reason, policyVersion: 'default-2026.2' } });
    // One change for the opening entry, one for the clock.
    expect(opening.version).toBe(2);
  });

  test('the platform pays the return shipping unless the eligibility check put it on the customer (change of mind)', () => {
    expect(openingState(input('return', 'quality_issue'), OPENED).outcome).toEqual({ shippingPaidBy: 'platform' });
    expect(openingState(input('return', 'no_reason', { customerPaysShipping: true }), OPENED).outcome).toEqual({ shippingPaidBy: 'customer' });
    expect(openingState(input('exchange', 'size_fit', { customerPaysShipping: true }), OPENED).outcome).toEqual({ shippingPaidBy: 'customer' });
  });

  test('a repair opens with its warranty verdict; no other type carries one', () => {
    expect(openingState(input('repair', 'quality_issue', { inWarranty: true }), OPENED).outcome).toEqual({ shippingPaidBy: 'platform', warranty: 'in_warranty' });
    expect(openingState(input('repair', 'quality_issue', { inWarranty: false }), OPENED).outcome).toEqual({ shippingPaidBy: 'platform', warranty: 'out_of_warranty' });
    for (const [type, reason] of EVERY_TYPE.filter(([t]) => t !== 'repair')) {
      expect({ type, warranty: openingState(input(type, reason), OPENED).outcome.warranty }).toEqual({ type, warranty: undefined });
    }
  });

  test('the eligibility notes go on the opening entry', () => {
    const notes = ['out of the 12-month warranty: paid repair'];
    const opening = openingState(input('repair', 'quality_issue', { inWarranty: false, notes }), OPENED);
    expect(opening.opened.data).toEqual({ type: 'repair', reason: 'quality_issue', policyVersion: 'default-2026.2', notes });
    expect(opening.timeline[0].data).toEqual(opening.opened.data);
  });

  test('a case opened at the end of the calendar’s last year with a working-day review budget: its clock counts the next year by weekdays only and the timeline says the deadline is provisional', () => {
    const policy = defaultPolicy();
    policy.sla.review = { workingDays: 2 };
    const lateDecember = Date.parse('2026-12-31T01:00:00.000Z'); // Thursday 09:00 in Beijing
    const opening = openingState(input('return', 'quality_issue', {}, policy), lateDecember);

    expect(opening.clock.provisional).toBe('calendar has no official holidays for 2027: counted weekdays only');
    expect(opening.timeline.map((e) => e.event)).toEqual(['case.opened', 'sla.deadline_provisional']);
    expect(opening.timeline[1]).toEqual({
      at: opening.openedAt,
      actor: { kind: 'system', id: 'workflow' },
      event: 'sla.deadline_provisional',
      data: { clock: 'review', note: opening.clock.provisional },
    });
    expect(opening.version).toBe(3);
  });

  test('the opening is a function of its input and instant: the same input opened twice gives the same state, the input is left untouched', () => {
    const opened = input('repair', 'quality_issue', { inWarranty: false, notes: ['a note'] });
    const before = JSON.stringify(opened);
    expect(openingState(opened, OPENED)).toEqual(openingState(opened, OPENED));
    expect(JSON.stringify(opened)).toBe(before);
  });
});

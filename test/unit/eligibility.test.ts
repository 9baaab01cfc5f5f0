import type { CaseType, OpenCaseRequest, ReasonCode } from '../../domain/case.types';
import { addMonths, checkEligibility, claimedAmount, IneligibleCodes, type EligibilityVerdict } from '../../domain/eligibility';
import { defaultPolicy, type Policy } from '../../domain/policy';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "Now" of every check: a Monday noon in Beijing. */
const NOW = Date.parse('2026-06-15T04:00:00.000Z');
const PHOTO = ['https://img.example/1.jpg'];

interface Shape {
  type?: CaseType;
  reason?: ReasonCode;
  evidence?: string[];
  packagingIntact?: boolean;
  /** Milliseconds before NOW the order was paid. */
  paidAgo?: number;
  /** Milliseconds before NOW it was delivered; null = never delivered. */
  deliveredAgo?: number | null;
  unitPrice?: number;
  quantity?: number;
  total?: number;
  category?: string;
}

/** A one-item request of 259.00 CNY, paid 5 days and delivered 2 days before NOW, unless told otherwise. */
function request(shape: Shape = {}): OpenCaseRequest {
  const unitPrice = shape.unitPrice ?? 25_900;
  const quantity = shape.quantity ?? 1;
  const paidAgo = shape.paidAgo ?? 5 * DAY;
  const deliveredAgo = shape.deliveredAgo === undefined ? Math.min(2 * DAY, paidAgo) : shape.deliveredAgo;
  return {
    type: shape.type ?? 'return',
    orderId: 'O-1',
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', quantity, unitPrice }],
    reason: { code: shape.reason ?? 'no_reason' },
    evidence: shape.evidence ?? [],
    ...(shape.packagingIntact === undefined ? {} : { packagingIntact: shape.packagingIntact }),
    order: {
      paidAt: new Date(NOW - paidAgo).toISOString(),
      ...(deliveredAgo === null ? {} : { deliveredAt: new Date(NOW - deliveredAgo).toISOString() }),
      paymentMethod: 'online',
      total: shape.total ?? unitPrice * quantity,
      currency: 'CNY',
      ...(shape.category ? { category: shape.category } : {}),
    },
  };
}

function check(shape: Shape, policy: Policy = defaultPolicy(), now = NOW): EligibilityVerdict {
  return checkEligibility(request(shape), policy, now);
}

/** The refusal code, or 'eligible'; the failure message shows the whole verdict. */
function codeOf(verdict: EligibilityVerdict): string {
  return verdict.eligible ? 'eligible' : verdict.code;
}

function eligible(verdict: EligibilityVerdict): Extract<EligibilityVerdict, { eligible: true }> {
  if (!verdict.eligible) throw new Error(`expected the case to be eligible, but it was refused: ${verdict.code} (${verdict.message})`);
  return verdict;
}

function policyWith(eligibility: Partial<Policy['eligibility']>): Policy {
  const policy = defaultPolicy();
  return { ...policy, eligibility: { ...policy.eligibility, ...eligibility } };
}

describe('checkEligibility: refusals (422 reason codes)', () => {
  test('items worth more than the order total are refused as amount_exceeds_order, before any other rule', () => {
    expect(codeOf(check({ quantity: 2, total: 25_900 }))).toBe(IneligibleCodes.amountExceedsOrder);
    expect(codeOf(check({ quantity: 2, total: 25_900, deliveredAgo: null, reason: 'quality_issue' }))).toBe('amount_exceeds_order');
    expect(codeOf(check({ quantity: 2, total: 51_800 }))).toBe('eligible');
  });

  test('a delivery before the payment is refused as delivered_before_paid', () => {
    const verdict = check({ paidAgo: 2 * DAY, deliveredAgo: 3 * DAY });
    expect(codeOf(verdict)).toBe('delivered_before_paid');
    expect(codeOf(check({ paidAgo: 2 * DAY, deliveredAgo: 2 * DAY }))).toBe('eligible');
  });

  test('a delivery in the future is refused as delivery_in_the_future', () => {
    expect(codeOf(check({ deliveredAgo: -HOUR }))).toBe('delivery_in_the_future');
    expect(codeOf(check({ deliveredAgo: 0 }))).toBe('eligible');
  });

  test.each<[CaseType, ReasonCode]>([
    ['refund_only', 'no_reason'],
    ['refund_only', 'damaged_in_transit'],
    ['reship', 'quality_issue'],
    ['reship', 'wrong_item'],
    ['courier_exception', 'size_fit'],
    ['courier_exception', 'wrong_item'],
  ])('a %s case with reason %s is refused as reason_not_allowed_for_type', (type, reason) => {
    const verdict = check({ type, reason, evidence: PHOTO });
    expect(codeOf(verdict)).toBe('reason_not_allowed_for_type');
    expect(verdict.eligible ? '' : verdict.message).toContain(type);
  });

  test.each<[CaseType, ReasonCode]>([
    ['refund_only', 'not_received'],
    ['refund_only', 'missing_parts'],
    ['refund_only', 'wrong_item'],
    ['reship', 'damaged_in_transit'],
    ['reship', 'not_received'],
    ['courier_exception', 'not_received'],
    ['courier_exception', 'damaged_in_transit'],
    ['courier_exception', 'other'],
  ])('a %s case with reason %s is allowed', (type, reason) => {
    expect(codeOf(check({ type, reason, evidence: PHOTO }))).toBe('eligible');
  });

  test.each<ReasonCode>(['quality_issue', 'not_as_described', 'wrong_item', 'missing_parts', 'damaged_in_transit'])(
    'a return claiming %s without photo or video is refused as evidence_required',
    (reason) => {
      expect(codeOf(check({ reason }))).toBe('evidence_required');
      expect(codeOf(check({ reason, evidence: PHOTO }))).toBe('eligible');
    },
  );

  test('a reship always needs evidence, even for a parcel not received; a complaint never does', () => {
    expect(codeOf(check({ type: 'reship', reason: 'not_received' }))).toBe('evidence_required');
    expect(codeOf(check({ type: 'complaint', reason: 'quality_issue' }))).toBe('eligible');
    expect(codeOf(check({ type: 'courier_exception', reason: 'not_received' }))).toBe('eligible');
    expect(codeOf(check({ type: 'courier_exception', reason: 'damaged_in_transit' }))).toBe('evidence_required');
  });

  test('the reasons that need evidence are a policy setting', () => {
    expect(codeOf(check({ reason: 'quality_issue' }, policyWith({ evidenceRequiredReasons: [] })))).toBe('eligible');
    expect(codeOf(check({ reason: 'size_fit' }, policyWith({ evidenceRequiredReasons: ['size_fit'] })))).toBe('evidence_required');
  });

  test.each<CaseType>(['return', 'exchange', 'repair'])('an order never delivered cannot open a %s case (not_delivered)', (type) => {
    expect(codeOf(check({ type, reason: 'other', deliveredAgo: null }))).toBe('not_delivered');
  });

  test.each<[CaseType, ReasonCode]>([
    ['refund_only', 'not_received'],
    ['courier_exception', 'not_received'],
    ['complaint', 'other'],
  ])('a %s case (reason %s) needs no delivery', (type, reason) => {
    expect(codeOf(check({ type, reason, deliveredAgo: null }))).toBe('eligible');
  });

  test('a no-reason return more than 15 days after delivery is refused as outside_return_window, even with the packaging intact', () => {
    expect(codeOf(check({ deliveredAgo: 15 * DAY + 1, paidAgo: 20 * DAY, packagingIntact: true }))).toBe('outside_return_window');
    expect(codeOf(check({ reason: 'size_fit', deliveredAgo: 30 * DAY, paidAgo: 33 * DAY, packagingIntact: true }))).toBe('outside_return_window');
  });

  test('a no-reason return after 7 days needs the packaging intact, else it is refused as packaging_not_intact', () => {
    const late = { deliveredAgo: 7 * DAY + 1, paidAgo: 10 * DAY };
    expect(codeOf(check({ ...late, packagingIntact: false }))).toBe('packaging_not_intact');
    expect(codeOf(check(late))).toBe('packaging_not_intact');
    expect(codeOf(check({ ...late, packagingIntact: true }))).toBe('eligible');
  });

  test('an exchange more than 15 days after purchase is refused as outside_exchange_window, counted from payment, not delivery', () => {
    expect(codeOf(check({ type: 'exchange', paidAgo: 15 * DAY + 1, deliveredAgo: 2 * DAY }))).toBe('outside_exchange_window');
    expect(codeOf(check({ type: 'exchange', paidAgo: 15 * DAY, deliveredAgo: 2 * DAY }))).toBe('eligible');
    expect(codeOf(check({ type: 'exchange', paidAgo: 14 * DAY, deliveredAgo: 14 * DAY }))).toBe('eligible');
  });
});

describe('checkEligibility: the 7- and 15-day return windows', () => {
  test('exactly 7 days after delivery a no-reason return needs no intact packaging; one millisecond later it does', () => {
    expect(codeOf(check({ deliveredAgo: 7 * DAY, paidAgo: 9 * DAY }))).toBe('eligible');
    expect(codeOf(check({ deliveredAgo: 7 * DAY + 1, paidAgo: 9 * DAY }))).toBe('packaging_not_intact');
  });

  test('exactly 15 days after delivery a no-reason return with intact packaging is allowed; one millisecond later it is not', () => {
    expect(codeOf(check({ deliveredAgo: 15 * DAY, paidAgo: 17 * DAY, packagingIntact: true }))).toBe('eligible');
    expect(codeOf(check({ deliveredAgo: 15 * DAY + 1, paidAgo: 17 * DAY, packagingIntact: true }))).toBe('outside_return_window');
  });

  test('a quality claim between 7 and 15 days needs no intact packaging and is not sent to manual evaluation', () => {
    const verdict = eligible(check({ reason: 'quality_issue', evidence: PHOTO, deliveredAgo: 10 * DAY, paidAgo: 12 * DAY, packagingIntact: false }));
    expect(verdict.manualEvaluation).toBe(false);
  });

  test('a quality claim more than 15 days after delivery is accepted for manual evaluation, never refused', () => {
    const verdict = eligible(check({ reason: 'not_as_described', evidence: PHOTO, deliveredAgo: 20 * DAY, paidAgo: 22 * DAY }));
    expect(verdict.manualEvaluation).toBe(true);
    expect(verdict.notes).toEqual(['quality claim 20 days after delivery: manual evaluation, never auto-approved']);
    expect(eligible(check({ reason: 'quality_issue', evidence: PHOTO, deliveredAgo: 15 * DAY, paidAgo: 17 * DAY })).manualEvaluation).toBe(false);
  });

  test('the windows are policy settings', () => {
    const policy = policyWith({ noReasonReturnDays: 3, intactPackagingReturnDays: 5, exchangeDays: 30 });
    expect(codeOf(check({ deliveredAgo: 4 * DAY, paidAgo: 6 * DAY }, policy))).toBe('packaging_not_intact');
    expect(codeOf(check({ deliveredAgo: 6 * DAY, paidAgo: 8 * DAY, packagingIntact: true }, policy))).toBe('outside_return_window');
    expect(codeOf(check({ type: 'exchange', deliveredAgo: 2 * DAY, paidAgo: 29 * DAY }, policy))).toBe('eligible');
  });

  test('other case types are not held to the return windows', () => {
    expect(codeOf(check({ type: 'repair', reason: 'quality_issue', evidence: PHOTO, deliveredAgo: 100 * DAY, paidAgo: 103 * DAY }))).toBe('eligible');
    expect(codeOf(check({ type: 'complaint', reason: 'other', deliveredAgo: 100 * DAY, paidAgo: 103 * DAY }))).toBe('eligible');
  });
});

describe('checkEligibility: warranty', () => {
  const repair = (paidAt: number, category?: string, policy?: Policy) =>
    eligible(check({ type: 'repair', reason: 'other', paidAgo: NOW - paidAt, deliveredAgo: NOW - paidAt, category }, policy));

  test('a repair is in warranty up to exactly 12 months after purchase, and out of it one millisecond later, with a note', () => {
    const yearAgo = addMonths(NOW, -12);
    expect(new Date(yearAgo).toISOString()).toBe('2025-06-15T04:00:00.000Z');
    expect(repair(yearAgo)).toMatchObject({ inWarranty: true, notes: [] });
    expect(repair(yearAgo - 1)).toMatchObject({ inWarranty: false, notes: ['out of the 12-month warranty: paid repair'] });
  });

  test('a category warranty overrides the default: a phone bought 8 months ago is out of a 6-month phone warranty', () => {
    const policy = policyWith({ categoryWarrantyMonths: { phone: 6 } });
    const eightMonthsAgo = addMonths(NOW, -8);
    expect(repair(eightMonthsAgo, 'phone', policy)).toMatchObject({ inWarranty: false, notes: ['out of the 6-month warranty: paid repair'] });
    expect(repair(addMonths(NOW, -6), 'phone', policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, 'sofa', policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, undefined, policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, 'phone').inWarranty).toBe(true);
  });

  test('the default warranty is a policy setting', () => {
    expect(repair(addMonths(NOW, -7), undefined, policyWith({ warrantyMonths: 6 })).inWarranty).toBe(false);
  });

  test('warranty is only judged for repairs', () => {
    expect(eligible(check({})).inWarranty).toBeNull();
    expect(eligible(check({ type: 'exchange' })).inWarranty).toBeNull();
  });
});

describe('checkEligibility: who pays the return shipping', () => {
  test.each<[CaseType, ReasonCode, boolean]>([
    ['return', 'no_reason', true],
    ['return', 'size_fit', true],
    ['exchange', 'size_fit', true],
    ['exchange', 'no_reason', true],
    ['return', 'quality_issue', false],
    ['exchange', 'wrong_item', false],
    ['repair', 'no_reason', false],
    ['complaint', 'no_reason', false],
    ['refund_only', 'not_received', false],
  ])('type %s, reason %s: the customer pays the return shipping = %s', (type, reason, pays) => {
    expect(eligible(check({ type, reason, evidence: PHOTO })).customerPaysShipping).toBe(pays);
  });

  test('the reasons the customer pays for are a policy setting', () => {
    const policy = policyWith({ customerPaysShippingReasons: ['other'] });
    expect(eligible(check({ reason: 'other' }, policy)).customerPaysShipping).toBe(true);
    expect(eligible(check({ reason: 'no_reason' }, policy)).customerPaysShipping).toBe(false);
  });
});

describe('claimedAmount and addMonths', () => {
  test('the claimed amount is the sum of quantity × unit price', () => {
    expect(claimedAmount({ items: [{ sku: 'A', quantity: 2, unitPrice: 1_000 }, { sku: 'B', quantity: 1, unitPrice: 550 }] })).toBe(2_550);
  });

  test('months are added in UTC and clamped to the last day of the month', () => {
    expect(new Date(addMonths(Date.parse('2026-01-31T10:00:00Z'), 1)).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(new Date(addMonths(Date.parse('2027-01-31T10:00:00Z'), 13)).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(new Date(addMonths(Date.parse('2026-03-31T10:00:00Z'), -1)).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(new Date(addMonths(Date.parse('2026-11-15T00:00:00Z'), 2)).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });
});

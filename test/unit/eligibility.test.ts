import type { CaseItem, CaseType, OpenCaseRequest, ReasonCode } from '../../domain/case.types';
import { checkEligibility, claimedAmount, IneligibleCodes, type EligibilityVerdict, type IneligibleCode } from '../../domain/eligibility';
import { defaultPolicy, NO_REASON_EXCLUDED_CATEGORIES, type Policy } from '../../domain/policy';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "Now" of every check unless told otherwise: a Monday noon in Beijing. */
const NOW = Date.parse('2026-06-15T04:00:00.000Z');
const PHOTO = ['https://img.example/1.jpg'];
const at = (iso: string) => Date.parse(iso);

interface Shape {
  type?: CaseType;
  reason?: ReasonCode;
  evidence?: string[];
  packagingIntact?: boolean;
  /** Milliseconds before NOW the order was paid. */
  paidAgo?: number;
  /** Milliseconds before NOW it was delivered; null = never delivered. */
  deliveredAgo?: number | null;
  /** Absolute payment instant (ISO), instead of paidAgo. */
  paidAt?: string;
  /** Absolute delivery instant (ISO), instead of deliveredAgo. */
  deliveredAt?: string;
  unitPrice?: number;
  quantity?: number;
  total?: number;
  /** The order's category. */
  category?: string;
  /** The items, instead of the one item built from unitPrice and quantity. */
  items?: CaseItem[];
}

/** A one-item request of 259.00 CNY, paid 5 days and delivered 2 days before NOW, unless told otherwise. */
function request(shape: Shape = {}, now = NOW): OpenCaseRequest {
  const unitPrice = shape.unitPrice ?? 25_900;
  const quantity = shape.quantity ?? 1;
  const items = shape.items ?? [{ sku: 'SKU-1', quantity, unitPrice }];
  const paidAt = shape.paidAt ?? new Date(now - (shape.paidAgo ?? 5 * DAY)).toISOString();
  const deliveredAgo = shape.deliveredAgo === undefined ? Math.min(2 * DAY, now - Date.parse(paidAt)) : shape.deliveredAgo;
  const deliveredAt = shape.deliveredAt ?? (deliveredAgo === null ? undefined : new Date(now - deliveredAgo).toISOString());
  return {
    type: shape.type ?? 'return',
    orderId: 'O-1',
    customerId: 'c-1',
    items,
    reason: { code: shape.reason ?? 'no_reason' },
    evidence: shape.evidence ?? [],
    ...(shape.packagingIntact === undefined ? {} : { packagingIntact: shape.packagingIntact }),
    order: {
      paidAt,
      ...(deliveredAt === undefined ? {} : { deliveredAt }),
      paymentMethod: 'online',
      total: shape.total ?? claimedAmount({ items }),
      currency: 'CNY',
      ...(shape.category ? { category: shape.category } : {}),
    },
  };
}

function check(shape: Shape, policy: Policy = defaultPolicy(), now = NOW): EligibilityVerdict {
  return checkEligibility(request(shape, now), policy, now);
}

/** The refusal code, or 'eligible'. */
function codeOf(verdict: EligibilityVerdict): string {
  return verdict.eligible ? 'eligible' : verdict.code;
}

function eligible(verdict: EligibilityVerdict): Extract<EligibilityVerdict, { eligible: true }> {
  if (!verdict.eligible) throw new Error(`expected the case to be eligible, but it was refused: ${verdict.code} (${verdict.message})`);
  return verdict;
}

function refused(verdict: EligibilityVerdict): Extract<EligibilityVerdict, { eligible: false }> {
  if (verdict.eligible) throw new Error(`expected the case to be refused, but it was eligible: ${JSON.stringify(verdict)}`);
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
    const verdict = refused(check({ type, reason, evidence: PHOTO }));
    expect(verdict.code).toBe('reason_not_allowed_for_type');
    expect(verdict.message).toContain(type);
  });

  test.each<[CaseType, ReasonCode, 'delivered' | 'undelivered']>([
    ['refund_only', 'not_received', 'undelivered'],
    ['refund_only', 'missing_parts', 'delivered'],
    ['refund_only', 'wrong_item', 'delivered'],
    ['reship', 'damaged_in_transit', 'delivered'],
    ['reship', 'damaged_in_transit', 'undelivered'],
    ['reship', 'not_received', 'undelivered'],
    ['courier_exception', 'not_received', 'delivered'],
    ['courier_exception', 'not_received', 'undelivered'],
    ['courier_exception', 'damaged_in_transit', 'delivered'],
    ['courier_exception', 'other', 'delivered'],
  ])('a %s case with reason %s on an %s order is allowed', (type, reason, state) => {
    expect(codeOf(check({ type, reason, evidence: PHOTO, ...(state === 'undelivered' ? { deliveredAgo: null } : {}) }))).toBe('eligible');
  });

  test.each<ReasonCode>(['quality_issue', 'not_as_described', 'wrong_item', 'missing_parts', 'damaged_in_transit'])(
    'a return claiming %s without photo or video is refused as evidence_required',
    (reason) => {
      expect(codeOf(check({ reason }))).toBe('evidence_required');
      expect(codeOf(check({ reason, evidence: PHOTO }))).toBe('eligible');
    },
  );

  test('a reship always needs evidence, even for a parcel not received; a complaint never does', () => {
    expect(codeOf(check({ type: 'reship', reason: 'not_received', deliveredAgo: null }))).toBe('evidence_required');
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
});

describe('checkEligibility: a parcel not received', () => {
  test.each<CaseType>(['refund_only', 'reship'])(
    'a %s case for a parcel not received on an order recorded as delivered is refused as delivered_use_courier_exception',
    (type) => {
      const verdict = refused(check({ type, reason: 'not_received', evidence: PHOTO, deliveredAgo: DAY }));
      expect(verdict.code).toBe('delivered_use_courier_exception');
      expect(verdict.message).toContain('courier_exception');
    },
  );

  test('a courier exception for a parcel signed for but not received is allowed: that is what it is for', () => {
    expect(eligible(check({ type: 'courier_exception', reason: 'not_received', deliveredAgo: DAY }))).toMatchObject({ manualEvaluation: false });
  });

  test('a parcel never delivered has no window: a refund-only or reship case 300 days after payment is still allowed', () => {
    expect(codeOf(check({ type: 'refund_only', reason: 'not_received', deliveredAgo: null, paidAgo: 300 * DAY }))).toBe('eligible');
    expect(codeOf(check({ type: 'reship', reason: 'not_received', evidence: PHOTO, deliveredAgo: null, paidAgo: 300 * DAY }))).toBe('eligible');
    expect(codeOf(check({ type: 'courier_exception', reason: 'not_received', deliveredAgo: null, paidAgo: 300 * DAY }))).toBe('eligible');
  });

  test.each<ReasonCode>(['wrong_item', 'missing_parts'])('a refund-only case for %s on an order never delivered is refused as not_delivered', (reason) => {
    const verdict = refused(check({ type: 'refund_only', reason, evidence: PHOTO, deliveredAgo: null }));
    expect(verdict.code).toBe('not_delivered');
    expect(verdict.field).toBe('order.deliveredAt');
  });
});

/** Delivery (or purchase) instants and where their 7- and 15-day windows end, written out by hand. */
const EVENTS: { label: string; event: string; ends: Record<7 | 15, string> }[] = [
  {
    label: 'delivered at 00:30 Beijing time',
    event: '2026-11-22T00:30:00+08:00',
    ends: { 7: '2026-11-30T00:00:00+08:00', 15: '2026-12-08T00:00:00+08:00' },
  },
  {
    label: 'delivered at 23:30 on 31 December (the window crosses the year end)',
    event: '2026-12-31T23:30:00+08:00',
    ends: { 7: '2027-01-08T00:00:00+08:00', 15: '2027-01-16T00:00:00+08:00' },
  },
  {
    label: 'delivered at 16:00 UTC, already the next day in Beijing (the window crosses February)',
    event: '2026-02-20T16:00:00Z',
    ends: { 7: '2026-03-01T00:00:00+08:00', 15: '2026-03-09T00:00:00+08:00' },
  },
];

interface WindowRule {
  label: string;
  shape: Shape;
  days: 7 | 15;
  from: 'delivery' | 'purchase';
  code: IneligibleCode;
}

const WINDOWS: WindowRule[] = [
  { label: 'no-reason return (packaging intact)', shape: { reason: 'no_reason', packagingIntact: true }, days: 15, from: 'delivery', code: 'outside_return_window' },
  { label: 'wrong-item return', shape: { reason: 'wrong_item', evidence: PHOTO }, days: 15, from: 'delivery', code: 'outside_return_window' },
  { label: 'size exchange', shape: { type: 'exchange', reason: 'size_fit' }, days: 15, from: 'delivery', code: 'outside_exchange_window' },
  { label: 'refund-only for a wrong item', shape: { type: 'refund_only', reason: 'wrong_item', evidence: PHOTO }, days: 15, from: 'delivery', code: 'outside_refund_only_window' },
  { label: 'refund-only for missing parts', shape: { type: 'refund_only', reason: 'missing_parts', evidence: PHOTO }, days: 15, from: 'delivery', code: 'outside_refund_only_window' },
  { label: 'reship for transit damage', shape: { type: 'reship', reason: 'damaged_in_transit', evidence: PHOTO }, days: 7, from: 'delivery', code: 'outside_reship_window' },
  { label: 'courier exception, signed for but not received', shape: { type: 'courier_exception', reason: 'not_received' }, days: 15, from: 'delivery', code: 'outside_courier_exception_window' },
  { label: 'courier exception, other', shape: { type: 'courier_exception', reason: 'other' }, days: 15, from: 'delivery', code: 'outside_courier_exception_window' },
];

describe('checkEligibility: every window counts calendar days in Beijing time and ends at 24:00 of its last day', () => {
  const cases = WINDOWS.flatMap((rule) => EVENTS.map((e) => [rule.label, rule.days, rule.from, e.label, rule, e] as const));

  test.each(cases)('%s (%i days from %s), %s', (_label, days, from, _event, rule, { event, ends }) => {
    const end = at(ends[days]);
    // For a window from purchase the parcel arrives an hour after payment; otherwise it was paid a day before delivery.
    const order = from === 'purchase' ? { paidAt: event, deliveredAt: new Date(at(event) + HOUR).toISOString() } : { paidAt: new Date(at(event) - DAY).toISOString(), deliveredAt: event };
    const verdictAt = (now: number) => check({ ...rule.shape, ...order }, defaultPolicy(), now);

    expect({ at: '00:00 of the last day', code: codeOf(verdictAt(end - DAY)) }).toEqual({ at: '00:00 of the last day', code: 'eligible' });
    expect({ at: 'noon of the last day', code: codeOf(verdictAt(end - 12 * HOUR)) }).toEqual({ at: 'noon of the last day', code: 'eligible' });
    expect({ at: '23:59:59.999 of the last day', code: codeOf(verdictAt(end - 1)) }).toEqual({ at: '23:59:59.999 of the last day', code: 'eligible' });
    expect({ at: '24:00 of the last day', code: codeOf(verdictAt(end)) }).toEqual({ at: '24:00 of the last day', code: rule.code });
  });

  test('the refusal names the last day of the window in Beijing time', () => {
    const verdict = refused(check({ type: 'reship', reason: 'damaged_in_transit', evidence: PHOTO, paidAt: '2026-12-29T09:00:00+08:00', deliveredAt: '2026-12-31T23:30:00+08:00' }, defaultPolicy(), at('2027-01-08T00:00:00+08:00')));
    expect(verdict.message).toBe('A reship for goods damaged in transit can be requested until 24:00 Beijing time on 2027-01-07, 7 days after delivery, and that time has passed.');
  });

  test('a no-reason return at noon of day 7 after a delivery at 00:30 needs no intact packaging; at 00:00 of day 8 it does', () => {
    const shape: Shape = { deliveredAt: '2026-11-22T00:30:00+08:00', paidAt: '2026-11-20T10:00:00+08:00' };
    expect(codeOf(check(shape, defaultPolicy(), at('2026-11-29T12:00:00+08:00')))).toBe('eligible');
    expect(codeOf(check(shape, defaultPolicy(), at('2026-11-29T23:59:59.999+08:00')))).toBe('eligible');
    const late = refused(check(shape, defaultPolicy(), at('2026-11-30T00:00:00+08:00')));
    expect(late).toMatchObject({ code: 'packaging_not_intact', field: 'packagingIntact' });
    expect(codeOf(check({ ...shape, packagingIntact: true }, defaultPolicy(), at('2026-11-30T00:00:00+08:00')))).toBe('eligible');
  });

  test('the 270-day-late claims of the issue are refused: refund-only for a wrong item and reship for transit damage', () => {
    expect(codeOf(check({ type: 'refund_only', reason: 'wrong_item', evidence: PHOTO, deliveredAgo: 270 * DAY, paidAgo: 273 * DAY }))).toBe('outside_refund_only_window');
    expect(codeOf(check({ type: 'reship', reason: 'damaged_in_transit', evidence: PHOTO, deliveredAgo: 270 * DAY, paidAgo: 273 * DAY }))).toBe('outside_reship_window');
  });

  test('a wrong-item return past 15 days is refused: only a quality problem is looked at after the window', () => {
    expect(codeOf(check({ reason: 'wrong_item', evidence: PHOTO, deliveredAgo: 20 * DAY, paidAgo: 22 * DAY }))).toBe('outside_return_window');
  });

  test('the windows are policy settings', () => {
    const policy = policyWith({ noReasonReturnDays: 3, intactPackagingReturnDays: 5, exchangeDays: 30, refundOnlyDays: 2, reshipDays: 1, courierExceptionDays: 30 });
    expect(codeOf(check({ deliveredAgo: 4 * DAY, paidAgo: 6 * DAY }, policy))).toBe('packaging_not_intact');
    expect(codeOf(check({ deliveredAgo: 6 * DAY, paidAgo: 8 * DAY, packagingIntact: true }, policy))).toBe('outside_return_window');
    expect(codeOf(check({ type: 'exchange', deliveredAgo: 2 * DAY, paidAgo: 29 * DAY }, policy))).toBe('eligible');
    expect(codeOf(check({ type: 'refund_only', reason: 'wrong_item', evidence: PHOTO, deliveredAgo: 3 * DAY, paidAgo: 4 * DAY }, policy))).toBe('outside_refund_only_window');
    expect(codeOf(check({ type: 'reship', reason: 'damaged_in_transit', evidence: PHOTO, deliveredAgo: 2 * DAY, paidAgo: 4 * DAY }, policy))).toBe('outside_reship_window');
    expect(codeOf(check({ type: 'courier_exception', reason: 'other', deliveredAgo: 20 * DAY, paidAgo: 22 * DAY }, policy))).toBe('eligible');
  });

  test('repairs and complaints have no window', () => {
    expect(codeOf(check({ type: 'repair', reason: 'quality_issue', evidence: PHOTO, deliveredAgo: 100 * DAY, paidAgo: 103 * DAY }))).toBe('eligible');
    expect(codeOf(check({ type: 'complaint', reason: 'other', deliveredAgo: 900 * DAY, paidAgo: 903 * DAY }))).toBe('eligible');
  });
});

describe('checkEligibility: late quality claims go to manual evaluation instead of being refused', () => {
  test('a quality claim between 7 and 15 days needs no intact packaging and is not sent to manual evaluation', () => {
    const verdict = eligible(check({ reason: 'quality_issue', evidence: PHOTO, deliveredAgo: 10 * DAY, paidAgo: 12 * DAY, packagingIntact: false }));
    expect(verdict.manualEvaluation).toBe(false);
  });

  test('a return claiming not_as_described 20 days after delivery is accepted for manual evaluation, with a note saying so', () => {
    const verdict = eligible(check({ reason: 'not_as_described', evidence: PHOTO, deliveredAgo: 20 * DAY, paidAgo: 22 * DAY }));
    expect(verdict.manualEvaluation).toBe(true);
    expect(verdict.notes).toEqual(['quality claim on day 20 after delivery, past the 15-day window: manual evaluation, never auto-approved']);
  });

  test('a quality return at 23:59:59.999 of day 15 is still inside the window; at 24:00 it goes to manual evaluation', () => {
    const shape: Shape = { reason: 'quality_issue', evidence: PHOTO, deliveredAt: '2026-11-22T00:30:00+08:00', paidAt: '2026-11-20T10:00:00+08:00' };
    expect(eligible(check(shape, defaultPolicy(), at('2026-12-07T23:59:59.999+08:00'))).manualEvaluation).toBe(false);
    expect(eligible(check(shape, defaultPolicy(), at('2026-12-08T00:00:00+08:00'))).manualEvaluation).toBe(true);
  });

  test('a quality exchange past 15 days from delivery goes to manual evaluation; a size exchange is refused', () => {
    const late = { type: 'exchange' as const, paidAgo: 40 * DAY, deliveredAgo: 35 * DAY };
    const quality = eligible(check({ ...late, reason: 'quality_issue', evidence: PHOTO }));
    expect(quality.manualEvaluation).toBe(true);
    expect(quality.notes).toEqual(['quality claim on day 35 after delivery, past the 15-day window: manual evaluation, never auto-approved']);
    expect(codeOf(check({ ...late, reason: 'size_fit' }))).toBe('outside_exchange_window');
  });

  test('claims inside their windows are not marked for manual evaluation', () => {
    expect(eligible(check({ reason: 'quality_issue', evidence: PHOTO })).manualEvaluation).toBe(false);
    expect(eligible(check({ type: 'refund_only', reason: 'wrong_item', evidence: PHOTO })).manualEvaluation).toBe(false);
  });
});

describe('checkEligibility: categories excluded from change-of-mind returns and exchanges', () => {
  test.each(NO_REASON_EXCLUDED_CATEGORIES)('a no-reason return of an item of category %s is refused as no_reason_excluded_category', (category) => {
    const verdict = refused(check({ items: [{ sku: 'SKU-9', quantity: 1, unitPrice: 1_000, category }] }));
    expect(verdict).toMatchObject({ code: 'no_reason_excluded_category', field: 'items[0].category' });
    expect(verdict.message).toBe(`Item SKU-9 is in category ${category}, which cannot be returned or exchanged without a quality problem.`);
  });

  test('the item named is the excluded one of several, and the category may come from the order', () => {
    const items: CaseItem[] = [
      { sku: 'SHIRT', quantity: 1, unitPrice: 1_000, category: 'apparel' },
      { sku: 'CAKE', quantity: 1, unitPrice: 500, category: 'perishable' },
    ];
    expect(refused(check({ items }))).toMatchObject({ code: 'no_reason_excluded_category', field: 'items[1].category' });
    expect(refused(check({ category: 'custom_made' }))).toMatchObject({ code: 'no_reason_excluded_category', field: 'order.category' });
  });

  test("an item's own category comes before the order's", () => {
    expect(codeOf(check({ category: 'custom_made', items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1_000, category: 'apparel' }] }))).toBe('eligible');
    expect(codeOf(check({ category: 'apparel', items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1_000, category: 'fresh' }] }))).toBe('no_reason_excluded_category');
  });

  test.each<[CaseType, ReasonCode]>([
    ['return', 'size_fit'],
    ['return', 'other'],
    ['exchange', 'size_fit'],
    ['exchange', 'no_reason'],
  ])('a change-of-mind %s (reason %s) of an excluded item is refused', (type, reason) => {
    expect(codeOf(check({ type, reason, category: 'fresh' }))).toBe('no_reason_excluded_category');
  });

  test.each<[CaseType, ReasonCode]>([
    ['return', 'quality_issue'],
    ['return', 'wrong_item'],
    ['exchange', 'not_as_described'],
    ['repair', 'quality_issue'],
    ['complaint', 'other'],
    ['refund_only', 'missing_parts'],
  ])('a %s with reason %s stays open for an excluded item', (type, reason) => {
    expect(codeOf(check({ type, reason, evidence: PHOTO, category: 'custom_made' }))).toBe('eligible');
  });

  test('the excluded categories are a policy setting', () => {
    expect(codeOf(check({ category: 'fresh' }, policyWith({ noReasonExcludedCategories: [] })))).toBe('eligible');
    expect(codeOf(check({ category: 'books' }, policyWith({ noReasonExcludedCategories: ['books'] })))).toBe('no_reason_excluded_category');
  });
});

describe('checkEligibility: windows count from receipt (电子商务法 art. 51), the later end where the seed gives two', () => {
  test('a size exchange paid 20 days ago and delivered 3 days ago is accepted: 15 days from delivery, not from payment', () => {
    expect(codeOf(check({ type: 'exchange', reason: 'size_fit', paidAgo: 20 * DAY, deliveredAgo: 3 * DAY }))).toBe('eligible');
  });

  test('the exchange window of a presale ends 15 days after its delivery, whatever the payment; the refusal says from delivery', () => {
    const order = { paidAt: '2026-10-01T10:00:00+08:00', deliveredAt: '2026-11-22T00:30:00+08:00' };
    expect(codeOf(check({ type: 'exchange', reason: 'size_fit', ...order }, defaultPolicy(), at('2026-12-07T23:59:59.999+08:00')))).toBe('eligible');
    const late = refused(check({ type: 'exchange', reason: 'size_fit', ...order }, defaultPolicy(), at('2026-12-08T00:00:00+08:00')));
    expect(late).toMatchObject({ code: 'outside_exchange_window' });
    expect(late.message).toBe('An exchange can be requested until 24:00 Beijing time on 2026-12-07, 15 days after delivery, and that time has passed.');
  });

  test('a presale repair paid 30 days before delivery keeps its 12 months from the delivery', () => {
    const presale = { type: 'repair' as const, reason: 'quality_issue' as const, evidence: PHOTO, paidAt: '2025-05-16T10:00:00+08:00', deliveredAt: '2025-06-15T10:00:00+08:00' };
    expect(eligible(check(presale, defaultPolicy(), at('2026-06-15T23:59:59.999+08:00')))).toMatchObject({ inWarranty: true, notes: [] });
    expect(eligible(check(presale, defaultPolicy(), at('2026-06-16T00:00:00+08:00')))).toMatchObject({ inWarranty: false, notes: ['out of the 12-month warranty: paid repair'] });
  });
});

describe('checkEligibility: warranty', () => {
  /** A repair paid (and delivered) at `paidAt`, judged at `now`. */
  const repair = (paidAt: string, now: number, extra: Shape = {}, policy?: Policy) =>
    eligible(check({ type: 'repair', reason: 'other', paidAt, deliveredAt: paidAt, ...extra }, policy, now));

  test('a repair is in warranty until 24:00 Beijing time of the same date a year after delivery, then out of it with a note', () => {
    const paid = '2025-06-15T10:00:00+08:00';
    expect(repair(paid, at('2026-06-15T12:00:00+08:00'))).toMatchObject({ inWarranty: true, notes: [] });
    expect(repair(paid, at('2026-06-15T23:59:59.999+08:00'))).toMatchObject({ inWarranty: true, notes: [] });
    expect(repair(paid, at('2026-06-16T00:00:00+08:00'))).toMatchObject({ inWarranty: false, notes: ['out of the 12-month warranty: paid repair'] });
  });

  test('a purchase at 16:30 UTC counts from the next Beijing day', () => {
    const paid = '2025-06-14T16:30:00Z';
    expect(repair(paid, at('2026-06-15T23:00:00+08:00')).inWarranty).toBe(true);
    expect(repair(paid, at('2026-06-16T00:00:00+08:00')).inWarranty).toBe(false);
  });

  test('a category warranty overrides the default: a phone bought 8 months ago is out of a 6-month phone warranty', () => {
    const policy = policyWith({ categoryWarrantyMonths: { phone: 6 } });
    const eightMonthsAgo = '2025-10-15T10:00:00+08:00';
    expect(repair(eightMonthsAgo, NOW, { category: 'phone' }, policy)).toMatchObject({ inWarranty: false, notes: ['out of the 6-month warranty: paid repair'] });
    expect(repair('2025-12-15T10:00:00+08:00', NOW, { category: 'phone' }, policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, NOW, { category: 'sofa' }, policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, NOW, {}, policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, NOW, { category: 'phone' }).inWarranty).toBe(true);
  });

  test("the item's category comes before the order's, and a repair of several items takes the shortest warranty", () => {
    const policy = policyWith({ categoryWarrantyMonths: { phone: 6 } });
    const eightMonthsAgo = '2025-10-15T10:00:00+08:00';
    const phone: CaseItem = { sku: 'PHONE', quantity: 1, unitPrice: 1_000, category: 'phone' };
    const sofa: CaseItem = { sku: 'SOFA', quantity: 1, unitPrice: 1_000, category: 'sofa' };
    expect(repair(eightMonthsAgo, NOW, { category: 'sofa', items: [phone] }, policy).inWarranty).toBe(false);
    expect(repair(eightMonthsAgo, NOW, { category: 'phone', items: [sofa] }, policy).inWarranty).toBe(true);
    expect(repair(eightMonthsAgo, NOW, { items: [sofa, phone] }, policy).inWarranty).toBe(false);
  });

  test('the default warranty is a policy setting', () => {
    expect(repair('2025-11-15T10:00:00+08:00', NOW, {}, policyWith({ warrantyMonths: 6 })).inWarranty).toBe(false);
  });

  test('a repair out of warranty is still allowed (paid repair), never refused', () => {
    expect(codeOf(check({ type: 'repair', reason: 'quality_issue', evidence: PHOTO, paidAgo: 415 * DAY, deliveredAgo: 412 * DAY }))).toBe('eligible');
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
    ['refund_only', 'wrong_item', false],
  ])('type %s, reason %s: the customer pays the return shipping = %s', (type, reason, pays) => {
    expect(eligible(check({ type, reason, evidence: PHOTO })).customerPaysShipping).toBe(pays);
  });

  test('the reasons the customer pays for are a policy setting', () => {
    const policy = policyWith({ customerPaysShippingReasons: ['other'] });
    expect(eligible(check({ reason: 'other' }, policy)).customerPaysShipping).toBe(true);
    expect(eligible(check({ reason: 'no_reason' }, policy)).customerPaysShipping).toBe(false);
  });
});

describe('claimedAmount', () => {
  test('the claimed amount is the sum of quantity × unit price', () => {
    expect(claimedAmount({ items: [{ sku: 'A', quantity: 2, unitPrice: 1_000 }, { sku: 'B', quantity: 1, unitPrice: 550 }] })).toBe(2_550);
  });
});

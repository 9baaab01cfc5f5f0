import { beijingDate, beijingDayOfPeriod, daysPeriodEnd, monthsPeriodEnd } from './beijing-time';
import type { CaseType, OpenCaseRequest, ReasonCode } from './case.types';
import type { Policy } from './policy';

/**
 * Reasons that claim a defect of the goods themselves (a quality problem, not as described). A
 * defect may show only after use, so outside a window such a claim is evaluated by a person
 * instead of being refused.
 */
export const QUALITY_CLAIM_REASONS: readonly ReasonCode[] = ['quality_issue', 'not_as_described'];

/**
 * Reasons that put the fault on the shop or the courier rather than on a change of mind: quality
 * claims, a wrong or missing item, damage in transit. They need no intact packaging and are not
 * barred by the no-reason category exclusions; unlike quality claims they are visible on receipt,
 * so they keep their windows.
 */
export const FAULT_CLAIM_REASONS: readonly ReasonCode[] = [...QUALITY_CLAIM_REASONS, 'wrong_item', 'missing_parts', 'damaged_in_transit'];

/**
 * Change-of-mind reasons (no reason, size or fit): in the default policy the customer pays the
 * return shipping for them, and the SLA report counts their returns and exchanges as the
 * no-reason rate.
 */
export const CHANGE_OF_MIND_REASONS: readonly ReasonCode[] = ['no_reason', 'size_fit'];

/** Refusal reason codes, answered as 422 with the code. */
export const IneligibleCodes = {
  outsideReturnWindow: 'outside_return_window',
  packagingNotIntact: 'packaging_not_intact',
  outsideExchangeWindow: 'outside_exchange_window',
  outsideRefundOnlyWindow: 'outside_refund_only_window',
  outsideReshipWindow: 'outside_reship_window',
  outsideCourierExceptionWindow: 'outside_courier_exception_window',
  notDelivered: 'not_delivered',
  deliveredUseCourierException: 'delivered_use_courier_exception',
  noReasonExcludedCategory: 'no_reason_excluded_category',
  evidenceRequired: 'evidence_required',
  reasonNotAllowed: 'reason_not_allowed_for_type',
  amountExceedsOrder: 'amount_exceeds_order',
  deliveredBeforePaid: 'delivered_before_paid',
  deliveryInFuture: 'delivery_in_the_future',
} as const;
/** A reason code for a policy refusal. */
export type IneligibleCode = (typeof IneligibleCodes)[keyof typeof IneligibleCodes];

/** What the policy says about a new case; a refusal may name the request field it is about (e.g. `items[1].category`). */
export type EligibilityVerdict =
  | { eligible: true; manualEvaluation: boolean; inWarranty: boolean | null; customerPaysShipping: boolean; notes: string[] }
  | { eligible: false; code: IneligibleCode; message: string; field?: string };

/** The only reasons some case types may be opened with (the other types take any reason). */
export const REASONS_BY_TYPE: Partial<Record<CaseType, readonly ReasonCode[]>> = {
  refund_only: ['not_received', 'missing_parts', 'wrong_item'],
  reship: ['damaged_in_transit', 'not_received'],
  courier_exception: ['not_received', 'damaged_in_transit', 'other'],
};

/**
 * A window a case must be opened in: `days` Beijing calendar days after the delivery or the
 * purchase. Where the seed counts a window from both, it ends at the later of the two ends
 * (电子商务法 art. 51: the goods are received when the customer signs for them).
 */
interface Window {
  code: IneligibleCode;
  days: number;
  from: 'delivery' | 'purchase';
  /** The instant of the delivery or the purchase. */
  startMs: number;
  /** What the window is for, completing "… can be requested until …". */
  what: string;
}

/** The amount the items claimed, in minor units. */
export function claimedAmount(request: Pick<OpenCaseRequest, 'items'>): number {
  return request.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/** Judges a new case against the policy at `nowMs`; pure, so the API, the workflow tests and the benchmarks share it. */
export function checkEligibility(request: OpenCaseRequest, policy: Policy, nowMs: number): EligibilityVerdict {
  const rules = policy.eligibility;
  const { order, reason, type } = request;
  const refuse = (code: IneligibleCode, message: string, field?: string): EligibilityVerdict => ({
    eligible: false,
    code,
    message,
    ...(field === undefined ? {} : { field }),
  });

  if (claimedAmount(request) > order.total) {
    return refuse(IneligibleCodes.amountExceedsOrder, 'The items claimed are worth more than the order total.', 'items');
  }
  const paidAt = Date.parse(order.paidAt);
  const deliveredAt = order.deliveredAt === undefined ? undefined : Date.parse(order.deliveredAt);
  if (deliveredAt !== undefined && deliveredAt < paidAt) {
    return refuse(IneligibleCodes.deliveredBeforePaid, 'The order is recorded as delivered before it was paid.', 'order.deliveredAt');
  }
  if (deliveredAt !== undefined && deliveredAt > nowMs) {
    return refuse(IneligibleCodes.deliveryInFuture, 'The order is recorded as delivered at a time still in the future.', 'order.deliveredAt');
  }

  const allowedReasons = REASONS_BY_TYPE[type];
  if (allowedReasons && !allowedReasons.includes(reason.code)) {
    return refuse(IneligibleCodes.reasonNotAllowed, `A ${type} case needs one of the reasons ${allowedReasons.join(', ')}.`, 'reason.code');
  }
  // A reship is paid by the platform, so it always needs photo/video evidence of the damage or loss.
  const evidenceRequired = type === 'reship' || (rules.evidenceRequiredReasons.includes(reason.code) && type !== 'complaint');
  if (evidenceRequired && request.evidence.length === 0) {
    return refuse(IneligibleCodes.evidenceRequired, `A claim of ${reason.code} needs photo or video evidence.`, 'evidence');
  }

  const delivery = checkDelivery(request, deliveredAt !== undefined);
  if (delivery) return refuse(delivery.code, delivery.message, delivery.field);

  const isFaultClaim = FAULT_CLAIM_REASONS.includes(reason.code);
  if ((type === 'return' || type === 'exchange') && !isFaultClaim) {
    const excluded = excludedItem(request, rules.noReasonExcludedCategories);
    if (excluded) {
      return refuse(
        IneligibleCodes.noReasonExcludedCategory,
        `Item ${excluded.sku} is in category ${excluded.category}, which cannot be returned or exchanged without a quality problem.`,
        excluded.field,
      );
    }
  }

  const notes: string[] = [];
  let manualEvaluation = false;
  const window = windowFor(request, rules, paidAt, deliveredAt);
  if (window) {
    const end = windowEnd(window);
    if (nowMs >= end) {
      if (!QUALITY_CLAIM_REASONS.includes(reason.code)) {
        const lastDay = beijingDate(end - 1);
        return refuse(
          window.code,
          `${window.what} can be requested until 24:00 Beijing time on ${lastDay}, ${window.days} days after ${window.from}, and that time has passed.`,
        );
      }
      manualEvaluation = true;
      notes.push(
        `quality claim on day ${beijingDayOfPeriod(window.startMs, nowMs)} after ${window.from}, past the ${window.days}-day window: manual evaluation, never auto-approved`,
      );
    } else if (type === 'return' && !isFaultClaim && request.packagingIntact !== true && nowMs >= daysPeriodEnd(window.startMs, rules.noReasonReturnDays)) {
      return refuse(
        IneligibleCodes.packagingNotIntact,
        `From day ${rules.noReasonReturnDays + 1} after delivery a return is accepted only with the original packaging and accessories intact.`,
        'packagingIntact',
      );
    }
  }

  let inWarranty: boolean | null = null;
  if (type === 'repair') {
    const warranty = warrantyOf(request, rules);
    // From the delivery (the signing): a presale paid weeks before it loses no warranty; the purchase only for an order without one.
    inWarranty = nowMs < Math.max(monthsPeriodEnd(paidAt, warranty.months), deliveredAt === undefined ? 0 : monthsPeriodEnd(deliveredAt, warranty.months));
    if (!inWarranty) notes.push(`out of the ${warranty.months}-month warranty: paid repair`);
  }

  const customerPaysShipping = rules.customerPaysShippingReasons.includes(reason.code) && (type === 'return' || type === 'exchange');
  return { eligible: true, manualEvaluation, inWarranty, customerPaysShipping, notes };
}

/** Refuses a case that the order's delivery state rules out, or returns undefined. */
function checkDelivery(request: OpenCaseRequest, delivered: boolean): { code: IneligibleCode; message: string; field: string } | undefined {
  const { type, reason } = request;
  if (!delivered && (type === 'return' || type === 'exchange' || type === 'repair')) {
    return {
      code: IneligibleCodes.notDelivered,
      message: `This order has not been delivered, so a ${type} cannot be opened yet; if the parcel did not arrive, open a refund_only or courier_exception case.`,
      field: 'order.deliveredAt',
    };
  }
  if (!delivered && type === 'refund_only' && reason.code !== 'not_received') {
    return {
      code: IneligibleCodes.notDelivered,
      message: 'This order has not been delivered, so there is no wrong or missing item yet; if the parcel did not arrive, use the reason not_received.',
      field: 'order.deliveredAt',
    };
  }
  // A parcel recorded as delivered but not received is the courier's problem to investigate, not a plain refund or reship.
  if (delivered && reason.code === 'not_received' && (type === 'refund_only' || type === 'reship')) {
    return {
      code: IneligibleCodes.deliveredUseCourierException,
      message: 'This order is recorded as delivered, so a parcel you did not receive is handled as a courier exception: please open a courier_exception case instead.',
      field: 'type',
    };
  }
  return undefined;
}

/** The first item whose category is excluded from change-of-mind returns and exchanges, if any. */
function excludedItem(request: OpenCaseRequest, excluded: readonly string[]): { sku: string; category: string; field: string } | undefined {
  for (const [index, item] of request.items.entries()) {
    const category = item.category ?? request.order.category;
    if (category !== undefined && excluded.includes(category)) {
      return { sku: item.sku, category, field: item.category === undefined ? 'order.category' : `items[${index}].category` };
    }
  }
  return undefined;
}

/** The window the case must be opened in, or null when it has none (repairs, complaints, parcels never delivered). */
function windowFor(request: OpenCaseRequest, rules: Policy['eligibility'], paidAt: number, deliveredAt: number | undefined): Window | null {
  if (request.type === 'exchange') {
    // The seed gives both (15 days from the purchase, L249; from the receipt, L59, L265, L531): the later end.
    const afterPurchase: Window = { code: IneligibleCodes.outsideExchangeWindow, days: rules.exchangeDays, from: 'purchase', startMs: paidAt, what: 'An exchange' };
    if (deliveredAt === undefined) return afterPurchase;
    const afterReceipt: Window = { ...afterPurchase, from: 'delivery', startMs: deliveredAt };
    return windowEnd(afterReceipt) >= windowEnd(afterPurchase) ? afterReceipt : afterPurchase;
  }
  if (deliveredAt === undefined) return null;
  const afterDelivery = (code: IneligibleCode, days: number, what: string): Window => ({ code, days, from: 'delivery', startMs: deliveredAt, what });
  switch (request.type) {
    case 'return':
      return afterDelivery(IneligibleCodes.outsideReturnWindow, rules.intactPackagingReturnDays, 'A return');
    case 'refund_only':
      return afterDelivery(IneligibleCodes.outsideRefundOnlyWindow, rules.refundOnlyDays, 'A refund for a wrong or missing item');
    case 'reship':
      return afterDelivery(IneligibleCodes.outsideReshipWindow, rules.reshipDays, 'A reship for goods damaged in transit');
    case 'courier_exception':
      return afterDelivery(IneligibleCodes.outsideCourierExceptionWindow, rules.courierExceptionDays, 'A delivery problem');
    default:
      return null;
  }
}

/** The instant a window ends: 24:00 Beijing time of its last day. */
function windowEnd(window: Window): number {
  return daysPeriodEnd(window.startMs, window.days);
}

/** The warranty of a repair: the shortest of its items' warranties, each by the item's category, else the order's. */
function warrantyOf(request: OpenCaseRequest, rules: Policy['eligibility']): { months: number } {
  const monthsOf = (category: string | undefined) => (category !== undefined && rules.categoryWarrantyMonths[category]) || rules.warrantyMonths;
  const months = request.items.map((item) => monthsOf(item.category ?? request.order.category));
  return { months: months.length ? Math.min(...months) : monthsOf(request.order.category) };
}

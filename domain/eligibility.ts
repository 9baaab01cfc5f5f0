import type { OpenCaseRequest, ReasonCode } from './case.types';
import type { Policy } from './policy';

const DAY_MS = 86_400_000;

/** Reason codes that claim the goods are at fault (a quality claim), as opposed to a change of mind. */
export const QUALITY_CLAIM_REASONS: readonly ReasonCode[] = [
  'quality_issue',
  'not_as_described',
  'wrong_item',
  'missing_parts',
  'damaged_in_transit',
];

/** Refusal reason codes, answered as 422 with the code. */
export const IneligibleCodes = {
  outsideReturnWindow: 'outside_return_window',
  packagingNotIntact: 'packaging_not_intact',
  outsideExchangeWindow: 'outside_exchange_window',
  notDelivered: 'not_delivered',
  evidenceRequired: 'evidence_required',
  reasonNotAllowed: 'reason_not_allowed_for_type',
  amountExceedsOrder: 'amount_exceeds_order',
  deliveredBeforePaid: 'delivered_before_paid',
  deliveryInFuture: 'delivery_in_the_future',
} as const;
/** A reason code for a policy refusal. */
export type IneligibleCode = (typeof IneligibleCodes)[keyof typeof IneligibleCodes];

/** What the policy says about a new case. */
export type EligibilityVerdict =
  | { eligible: true; manualEvaluation: boolean; inWarranty: boolean | null; customerPaysShipping: boolean; notes: string[] }
  | { eligible: false; code: IneligibleCode; message: string };

const REASONS_BY_TYPE: Partial<Record<OpenCaseRequest['type'], readonly ReasonCode[]>> = {
  refund_only: ['not_received', 'missing_parts', 'wrong_item'],
  reship: ['damaged_in_transit', 'not_received'],
  courier_exception: ['not_received', 'damaged_in_transit', 'other'],
};

/** The amount the items claim, in minor units. */
export function claimedAmount(request: Pick<OpenCaseRequest, 'items'>): number {
  return request.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/** Judges a new case against the policy at `nowMs`; pure, so the API and tests share it. */
export function checkEligibility(request: OpenCaseRequest, policy: Policy, nowMs: number): EligibilityVerdict {
  const rules = policy.eligibility;
  const { order, reason, type } = request;
  const refuse = (code: IneligibleCode, message: string): EligibilityVerdict => ({ eligible: false, code, message });

  if (claimedAmount(request) > order.total) {
    return refuse(IneligibleCodes.amountExceedsOrder, 'the items claimed are worth more than the order total');
  }
  const paidAt = Date.parse(order.paidAt);
  const deliveredAt = order.deliveredAt === undefined ? undefined : Date.parse(order.deliveredAt);
  if (deliveredAt !== undefined && deliveredAt < paidAt) return refuse(IneligibleCodes.deliveredBeforePaid, 'order.deliveredAt is before order.paidAt');
  if (deliveredAt !== undefined && deliveredAt > nowMs) return refuse(IneligibleCodes.deliveryInFuture, 'order.deliveredAt is in the future');

  const allowedReasons = REASONS_BY_TYPE[type];
  if (allowedReasons && !allowedReasons.includes(reason.code)) {
    return refuse(IneligibleCodes.reasonNotAllowed, `a ${type} case needs one of the reasons ${allowedReasons.join(', ')}`);
  }
  // A reship is paid by the platform, so it always needs photo/video evidence of the damage or loss.
  const evidenceRequired = type === 'reship' || (rules.evidenceRequiredReasons.includes(reason.code) && type !== 'complaint');
  if (evidenceRequired && request.evidence.length === 0) {
    return refuse(IneligibleCodes.evidenceRequired, `reason ${reason.code} needs photo or video evidence`);
  }

  const needsDelivery = type === 'return' || type === 'exchange' || type === 'repair';
  if (needsDelivery && deliveredAt === undefined) {
    return refuse(IneligibleCodes.notDelivered, `a ${type} needs a delivered order; open a refund_only or courier_exception case instead`);
  }

  const notes: string[] = [];
  let manualEvaluation = false;
  const isQualityClaim = QUALITY_CLAIM_REASONS.includes(reason.code);

  if (type === 'return' && deliveredAt !== undefined) {
    const days = (nowMs - deliveredAt) / DAY_MS;
    if (days > rules.intactPackagingReturnDays) {
      if (!isQualityClaim) {
        return refuse(IneligibleCodes.outsideReturnWindow, `returns without a quality claim close ${rules.intactPackagingReturnDays} days after delivery`);
      }
      manualEvaluation = true;
      notes.push(`quality claim ${Math.floor(days)} days after delivery: manual evaluation, never auto-approved`);
    } else if (days > rules.noReasonReturnDays && !isQualityClaim && request.packagingIntact !== true) {
      return refuse(
        IneligibleCodes.packagingNotIntact,
        `after ${rules.noReasonReturnDays} days a return needs the original packaging and accessories intact (packagingIntact: true)`,
      );
    }
  }

  if (type === 'exchange') {
    const days = (nowMs - paidAt) / DAY_MS;
    if (days > rules.exchangeDays) {
      return refuse(IneligibleCodes.outsideExchangeWindow, `exchanges close ${rules.exchangeDays} days after purchase; open a repair or return instead`);
    }
  }

  let inWarranty: boolean | null = null;
  if (type === 'repair') {
    const months = (order.category && rules.categoryWarrantyMonths[order.category]) || rules.warrantyMonths;
    inWarranty = nowMs <= addMonths(paidAt, months);
    if (!inWarranty) notes.push(`out of the ${months}-month warranty: paid repair`);
  }

  const customerPaysShipping = rules.customerPaysShippingReasons.includes(reason.code) && (type === 'return' || type === 'exchange');
  return { eligible: true, manualEvaluation, inWarranty, customerPaysShipping, notes };
}

/** Calendar months added in UTC, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(epochMs: number, months: number): number {
  const d = new Date(epochMs);
  const targetMonth = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), targetMonth + 1, 0)).getUTCDate();
  return Date.UTC(
    d.getUTCFullYear(),
    targetMonth,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

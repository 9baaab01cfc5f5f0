/**
 * The policy: its types, the default policy (docs/business-rules.md) as plain data, and pure look-ups.
 *
 * Workflow code imports this module, so it must stay light: no zod, no schemas built at module
 * load. The worker evaluates the workflow bundle's modules afresh for every cached workflow, and a
 * schema library here costs memory per cached case. Validation (the zod schema and `parsePolicy`)
 * lives in policy.schema.ts, which only the API, config and tests import; the types below are
 * checked against that schema at compile time there.
 */
import { chinaMainlandCalendar, type BusinessCalendar } from './business-calendar';
import { ClockNames, type ClockName, type ReasonCode } from './case.types';
import { CHANGE_OF_MIND_REASONS } from './eligibility';

/** An SLA budget as written in the policy: wall-clock ("24h", "3d") or working time against the policy calendar. */
export type Budget = string | { workingDays: number } | { workingHours: number };

/** An amount of money in minor units. */
export type Money = { amount: number; currency: string };

/** One level of the escalation ladder of a policy. */
export type EscalationLevel = {
  level: number;
  /** How long after the breach this level fires ("0s" = at the breach). */
  after: string;
  /** Who is notified (addresses or team ids; never customers). */
  notify: string[];
  /** Priority the case takes at this level. */
  priority?: 'normal' | 'high' | 'urgent';
};

/** A validated policy document: every rule and number the workflows follow (schema: policy.schema.ts). */
export type Policy = {
  version: string;
  /**
   * Who may open which case, and until when. Every "days" window is counted in calendar days in
   * Beijing time: day 1 is the day after the delivery (or purchase), and the window ends at 24:00
   * UTC+8 of its last day (domain/beijing-time.ts). Rules: docs/business-rules.md#eligibility.
   */
  eligibility: {
    /** Days after delivery a change-of-mind return is taken without any condition. */
    noReasonReturnDays: number;
    /** Days after delivery a return is still taken; past `noReasonReturnDays` only with the packaging intact. */
    intactPackagingReturnDays: number;
    /** Days after delivery an exchange may be opened (the later of the payment-based and delivery-based ends). */
    exchangeDays: number;
    /** Days after delivery a refund-only case for a wrong or missing item may be opened. */
    refundOnlyDays: number;
    /** Days after delivery a reship for goods damaged in transit may be opened. */
    reshipDays: number;
    /** Days after delivery a courier exception on a delivered parcel may be opened (an undelivered one has no window). */
    courierExceptionDays: number;
    /** Warranty from delivery (the later of the payment-based and delivery-based ends), in months, ending at 24:00 Beijing time of the last day. */
    warrantyMonths: number;
    /** Warranty months of some item categories, instead of `warrantyMonths`. */
    categoryWarrantyMonths: Record<string, number>;
    /** Item categories a change-of-mind return or exchange is refused for (quality claims stay open). */
    noReasonExcludedCategories: string[];
    evidenceRequiredReasons: ReasonCode[];
    customerPaysShippingReasons: ReasonCode[];
  };
  sla: {
    review: Budget;
    processing: Budget;
    refund: Budget;
    refundCod: Budget;
    reship: Budget;
    resolution: Budget;
    stockContact: Budget;
    investigation: Budget;
  };
  customerTimeouts: {
    returnShipment: Budget;
    customerInfo: Budget;
    customerConfirmation: Budget;
    quoteAcceptance: Budget;
    stockDecision: Budget;
    /** Time to pay a collection (repair quote, shipping) before the case goes on without it. */
    payment: Budget;
  };
  calendar: BusinessCalendar;
  escalation: {
    warningFraction: number;
    levels: EscalationLevel[];
  };
  autoActions: {
    /** A review that breaches on a refund below this amount is approved automatically (null = never). */
    approveReviewOnBreachBelow: Money | null;
  };
  shipping: {
    /** Return shipping fee charged when the customer pays, in minor units. */
    returnShippingFee: number;
    /** Deduct that fee from the refund instead of asking the customer to pay the courier. */
    deductFromRefund: boolean;
    /** Fee for sending back goods that failed inspection, paid by the customer (minor units). */
    sendBackFee: number;
  };
  compensation: {
    /** Largest goodwill coupon an agent may grant on one complaint (minor units). */
    maxCouponAmount: number;
  };
  refund: { maxAttempts: number };
  exchange: {
    /** After a stock-out the customer may pick another SKU (of the same value and category, checked by the agent). */
    allowAlternativeSku: boolean;
  };
  repair: {
    /** Repairs that fail verification are redone up to this many attempts in all. */
    maxRepairAttempts: number;
    /** What an unrepairable item becomes. */
    unrepairableOutcome: 'refund' | 'exchange';
    /** The quote for a paid (out-of-warranty) repair, in minor units. */
    paidRepairQuote: number;
  };
  survey: { window: string };
  assignment: {
    /** Staff clocks that start afresh when a supervisor hands the case to another agent (others keep running). */
    restartClocksOnReassign: ClockName[];
  };
};

/**
 * Item categories excluded from change-of-mind returns and exchanges by default: goods made to the
 * customer's order; fresh, perishable and live goods; digital goods downloaded online; audio, video
 * and software whose seal was opened; newspapers and periodicals once delivered; goods the shop
 * marked non-returnable at purchase with the customer's confirmation.
 */
export const NO_REASON_EXCLUDED_CATEGORIES = [
  'custom_made',
  'fresh',
  'perishable',
  'live',
  'digital_download',
  'opened_media_software',
  'periodicals',
  'marked_non_returnable',
] as const;

/**
 * The default policy (docs/business-rules.md): what runs when no POLICY_FILE is given. Plain data; a unit test checks
 * that it passes policy.schema.ts unchanged, and the API validates it at start.
 */
export function defaultPolicy(): Policy {
  return {
    version: 'default-2026.2',
    eligibility: {
      noReasonReturnDays: 7,
      intactPackagingReturnDays: 15,
      exchangeDays: 15,
      refundOnlyDays: 15,
      reshipDays: 7,
      courierExceptionDays: 15,
      warrantyMonths: 12,
      categoryWarrantyMonths: {},
      noReasonExcludedCategories: [...NO_REASON_EXCLUDED_CATEGORIES],
      evidenceRequiredReasons: ['quality_issue', 'not_as_described', 'wrong_item', 'missing_parts', 'damaged_in_transit'],
      customerPaysShippingReasons: [...CHANGE_OF_MIND_REASONS],
    },
    sla: {
      review: '24h',
      processing: '72h',
      refund: { workingDays: 3 },
      refundCod: { workingDays: 7 },
      reship: '24h',
      resolution: '24h',
      stockContact: '24h',
      investigation: '72h',
    },
    customerTimeouts: {
      returnShipment: '7d',
      customerInfo: '7d',
      customerConfirmation: '7d',
      quoteAcceptance: '3d',
      stockDecision: '2d',
      payment: '3d',
    },
    calendar: chinaMainlandCalendar(),
    escalation: {
      warningFraction: 0.8,
      levels: [
        { level: 1, after: '0s', notify: ['team-lead@aftersales.local'], priority: 'high' },
        { level: 2, after: '4h', notify: ['manager@aftersales.local'], priority: 'urgent' },
      ],
    },
    autoActions: { approveReviewOnBreachBelow: { amount: 10000, currency: 'CNY' } },
    shipping: { returnShippingFee: 1000, deductFromRefund: true, sendBackFee: 1000 },
    compensation: { maxCouponAmount: 10000 },
    refund: { maxAttempts: 3 },
    exchange: { allowAlternativeSku: true },
    repair: { maxRepairAttempts: 3, unrepairableOutcome: 'refund', paidRepairQuote: 9900 },
    survey: { window: '7d' },
    assignment: { restartClocksOnReassign: [] },
  };
}

/** The budget a policy gives a clock (the refund clock depends on the payment method); the statutory refund limit is law, not policy (domain/statutory-refund.ts). */
export function budgetFor(policy: Policy, clock: ClockName, paymentMethod: 'online' | 'cod'): Budget {
  const { sla, customerTimeouts: c } = policy;
  if (clock === ClockNames.statutoryRefund) throw new Error('the statutory refund limit has no policy budget: it is started with startLimitClock');
  const budgets: Record<Exclude<ClockName, typeof ClockNames.statutoryRefund>, Budget> = {
    [ClockNames.review]: sla.review,
    [ClockNames.processing]: sla.processing,
    [ClockNames.refund]: paymentMethod === 'cod' ? sla.refundCod : sla.refund,
    [ClockNames.reship]: sla.reship,
    [ClockNames.resolution]: sla.resolution,
    [ClockNames.stockContact]: sla.stockContact,
    [ClockNames.investigation]: sla.investigation,
    [ClockNames.returnShipment]: c.returnShipment,
    [ClockNames.customerInfo]: c.customerInfo,
    [ClockNames.customerConfirmation]: c.customerConfirmation,
    [ClockNames.quoteAcceptance]: c.quoteAcceptance,
    [ClockNames.stockDecision]: c.stockDecision,
    // Cases whose policy predates collections never start this clock; the default keeps the type total.
    [ClockNames.payment]: c.payment ?? '3d',
  };
  return budgets[clock];
}

/** Customer-side clocks end the case (or take the default answer) instead of escalating. */
export const CUSTOMER_CLOCKS: readonly ClockName[] = [
  ClockNames.returnShipment,
  ClockNames.customerInfo,
  ClockNames.customerConfirmation,
  ClockNames.quoteAcceptance,
  ClockNames.stockDecision,
  ClockNames.payment,
];

export type { BusinessCalendar };

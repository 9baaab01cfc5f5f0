/**
 * The policy: its types, the default policy of domain.md as plain data, and pure look-ups.
 *
 * Workflow code imports this module, so it must stay light: no zod, no schemas built at module
 * load. The worker evaluates the workflow bundle's modules afresh for every cached workflow, and a
 * schema library here costs memory per cached case. Validation (the zod schema and `parsePolicy`)
 * lives in policy.schema.ts, which only the API, config and tests import; the types below are
 * checked against that schema at compile time there.
 */
import { chinaMainlandCalendar, type BusinessCalendar } from './business-calendar';
import { ClockNames, type ClockName, type ReasonCode } from './case.types';

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
  eligibility: {
    noReasonReturnDays: number;
    intactPackagingReturnDays: number;
    exchangeDays: number;
    warrantyMonths: number;
    categoryWarrantyMonths: Record<string, number>;
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
 * The policy of domain.md: what runs when no POLICY_FILE is given. Plain data; a unit test checks
 * that it passes policy.schema.ts unchanged, and the API validates it at start.
 */
export function defaultPolicy(): Policy {
  return {
    version: 'default-2026.1',
    eligibility: {
      noReasonReturnDays: 7,
      intactPackagingReturnDays: 15,
      exchangeDays: 15,
      warrantyMonths: 12,
      categoryWarrantyMonths: {},
      evidenceRequiredReasons: ['quality_issue', 'not_as_described', 'wrong_item', 'missing_parts', 'damaged_in_transit'],
      customerPaysShippingReasons: ['no_reason', 'size_fit'],
    },
    sla: {
      review: '24h',
      processing: '72h',
      refund: '3d',
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

/** The budget a policy gives a clock (the refund clock depends on the payment method). */
export function budgetFor(policy: Policy, clock: ClockName, paymentMethod: 'online' | 'cod'): Budget {
  const { sla, customerTimeouts: c } = policy;
  const budgets: Record<ClockName, Budget> = {
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

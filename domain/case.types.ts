/** Case kinds, wire names never change once released. */
export const CaseTypes = {
  return: 'return',
  exchange: 'exchange',
  repair: 'repair',
  complaint: 'complaint',
  refundOnly: 'refund_only',
  reship: 'reship',
  courierException: 'courier_exception',
} as const;
/** One of the case types (docs/case-types.md). */
export type CaseType = (typeof CaseTypes)[keyof typeof CaseTypes];
/** Every case type, for validation. */
export const CASE_TYPES = Object.values(CaseTypes) as [CaseType, ...CaseType[]];

/** Case statuses of the API contract. */
export const CaseStatuses = {
  awaitingReview: 'awaiting_review',
  awaitingCustomerInfo: 'awaiting_customer_info',
  awaitingReturnShipment: 'awaiting_return_shipment',
  returnInTransit: 'return_in_transit',
  inspecting: 'inspecting',
  awaitingStockDecision: 'awaiting_stock_decision',
  shippingReplacement: 'shipping_replacement',
  awaitingCustomerConfirmation: 'awaiting_customer_confirmation',
  awaitingQuoteAcceptance: 'awaiting_quote_acceptance',
  /** The customer was asked to pay (repair quote, shipping) and has not yet. */
  awaitingPayment: 'awaiting_payment',
  repairing: 'repairing',
  investigating: 'investigating',
  refunding: 'refunding',
  completed: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  expired: 'expired',
} as const;
/** A case status. */
export type CaseStatus = (typeof CaseStatuses)[keyof typeof CaseStatuses];
/** Every status, for validation. */
export const CASE_STATUSES = Object.values(CaseStatuses) as [CaseStatus, ...CaseStatus[]];
/** Statuses after which nothing moves any more (a survey may still be taken). */
export const TERMINAL_STATUSES: readonly CaseStatus[] = ['completed', 'rejected', 'cancelled', 'expired'];
/** True when the case has reached its end. */
export function isTerminal(status: CaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Why the customer opened the case. */
export const REASON_CODES = [
  'no_reason',
  'quality_issue',
  'not_as_described',
  'wrong_item',
  'size_fit',
  'missing_parts',
  'damaged_in_transit',
  'not_received',
  'other',
] as const;
/** A reason code of the contract. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** Roles a bearer token maps to. */
export type Role = 'customer' | 'agent' | 'supervisor' | 'admin';

/** Who did something: a person by role and name, a provider, or the system itself. */
export interface Actor {
  kind: 'customer' | 'agent' | 'supervisor' | 'admin' | 'system' | 'provider';
  /** Agent name, customer id, provider name or 'sla' — never a person's real name or phone. */
  id: string;
}

/** Money in integer minor units (fen for CNY). */
export interface Money {
  amount: number;
  currency: string;
}

/** One order line in the case. */
export interface CaseItem {
  sku: string;
  /** Units claimed. */
  quantity: number;
  /**
   * Worth of one unit in minor units. Read from the order source: the line's amount paid (实付)
   * over its units, rounded down (the last unit back on the line takes the remainder, on the ledger).
   */
  unitPrice: number;
  /** Units bought on this order line; absent (cases before the order source) = the quantity claimed. The order-line ledger counts from it. */
  orderedQuantity?: number;
  /** The item's product category (no-reason exclusions, warranty); absent = `order.category`. */
  category?: string;
  /** The order's line (cases opened since the order source; absent before: those claimed by sku). */
  lineId?: string;
  /** What the customer paid for the whole line after the order's discounts (实付), minor units; with `lineId`. */
  linePaid?: number;
  /** True when another line of the order carries the same sku: the line's ledger and lock keys then name the line. */
  sharesSku?: true;
  /** The line's title as the shop shows it (with `lineId`). */
  title?: string;
}

/** The channels an online payment can be refunded through. */
export const PAYMENT_CHANNELS = ['alipay', 'wechatpay', 'other'] as const;
/** One of PAYMENT_CHANNELS. */
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];

/** The order facts the case is judged by. */
export interface OrderFacts {
  paidAt: string;
  /** Absent when the order was never delivered. */
  deliveredAt?: string;
  paymentMethod: 'online' | 'cod';
  /**
   * Where an online payment was made: its refund goes back the same way (原路退回). Absent: the
   * shop's default online provider. `other`: a channel the shop's payment service refunds itself.
   */
  paymentChannel?: PaymentChannel;
  /** Order total in minor units. */
  total: number;
  currency: string;
  /** Product category, for warranty rules. */
  category?: string;
}

/** Where a case's order facts were read: the order source's contract version and the time of the read. */
export interface OrderFactsRead {
  version: string;
  readAt: string;
}

/** What a case is opened on: the claim and the order facts read from the order source (`POST /v1/cases` builds it). */
export interface OpenCaseRequest {
  type: CaseType;
  orderId: string;
  customerId: string;
  items: CaseItem[];
  reason: { code: ReasonCode; description?: string };
  evidence: string[];
  packagingIntact?: boolean;
  order: OrderFacts;
  /** Absent on cases opened before the order source (their facts were claimed). */
  orderRead?: OrderFactsRead;
}

/** One audit-trail entry: who did what, when. */
export interface TimelineEntry {
  at: string;
  actor: Actor;
  event: string;
  data?: Record<string, unknown>;
}

/** Names of the SLA clocks. */
export const ClockNames = {
  review: 'review',
  processing: 'processing',
  refund: 'refund',
  reship: 'reship',
  resolution: 'resolution',
  stockContact: 'stock_contact',
  returnShipment: 'return_shipment',
  customerInfo: 'customer_info',
  customerConfirmation: 'customer_confirmation',
  quoteAcceptance: 'quote_acceptance',
  stockDecision: 'stock_decision',
  investigation: 'investigation',
  /** The customer's time to pay a collection (repair quote, shipping). */
  payment: 'payment',
  /** The law's limit on a return's refund: 7 Beijing calendar days from receipt of the goods (docs/business-rules.md#the-statutory-refund-limit). */
  statutoryRefund: 'statutory_refund',
} as const;
/** An SLA clock name. */
export type ClockName = (typeof ClockNames)[keyof typeof ClockNames];

/** State of one SLA clock. */
export type ClockState = 'running' | 'paused' | 'met' | 'breached';

/** One SLA clock as shown in the case JSON. */
export interface SlaClockView {
  name: ClockName;
  /** Whose deadline it is: staff clocks escalate, customer clocks end the case when they run out. */
  party: 'staff' | 'customer';
  /** The budget as written in the policy, e.g. "24h" or {"workingDays": 3}. */
  budget: string | { workingDays: number } | { workingHours: number };
  startedAt: string;
  /** Current deadline (moves when the clock is paused and resumed). */
  deadline: string;
  state: ClockState;
  breachedAt?: string;
  stoppedAt?: string;
  pausedAt?: string;
  /** Total milliseconds spent paused. */
  pausedMs: number;
  warnedAt?: string;
  /**
   * Which bound the deadline is on, for a clock under the statutory refund limit: the policy's
   * budget, or the law's limit when it comes first (the statutory clock itself says 'statutory').
   * Absent on clocks the law does not cap.
   */
  bound?: 'policy' | 'statutory';
}

/** One escalation step taken. */
export interface EscalationStep {
  level: number;
  clock: ClockName;
  at: string;
  recipients: string[];
  reason: 'warning' | 'breach';
}

/** A parcel that moves because of the case. */
export interface ShipmentView {
  direction: 'return' | 'outbound';
  /** Why an outbound parcel ships (replacement, reship, repair_return, return_to_customer). */
  purpose?: 'replacement' | 'reship' | 'repair_return' | 'return_to_customer';
  carrier: string;
  trackingNumber: string;
  status: 'label_created' | 'shipped' | 'picked_up' | 'in_transit' | 'delivered' | 'exception';
  labelId?: string;
  /** A return parcel: on the shop's label, or by the customer's own courier (received only on the warehouse's scan-in). Absent on cases opened before. */
  via?: 'label' | 'own_courier';
  updatedAt: string;
}

/** The refund of the case. */
export interface RefundView {
  amount: number;
  currency: string;
  status: 'pending' | 'requested' | 'succeeded' | 'failed';
  /** The provider's refund id once known. */
  id?: string;
  idempotencyKey: string;
  /** Shipping fee deducted from the refund, if any. */
  deduction?: number;
  /** What the claim asked before the order-line ledger capped it (only when it was capped). */
  requested?: number;
  /** What is paid back: the price (refund, compensation) or money collected before (a repair quote). */
  kind?: 'refund' | 'compensation' | 'collection_refund';
  method: 'original_path';
}

/** Money the customer is asked to pay (a repair quote, shipping, a price difference), as the case shows it. */
export interface CollectionView {
  purpose: 'repair_quote' | 'return_shipping' | 'send_back_shipping' | 'price_difference';
  amount: number;
  currency: string;
  idempotencyKey: string;
  /** The provider's collection id once known. */
  id?: string;
  status: 'pending' | 'requested' | 'paid' | 'failed' | 'unpaid';
}

/** A recorded resolution of a complaint or courier exception. */
export interface ResolutionOutcome {
  text: string;
  by: string;
  compensation?: { kind: 'refund' | 'coupon'; amount: number } | null;
  /** Courier exceptions: what came of the investigation. */
  outcome?: 'found' | 'reship' | 'refund';
  /** Set when the complaint was closed by a cancel (its resolution recorded then). */
  closedBy?: 'cancel';
}

/** The outcome part of a case: each field is set by the stage that decides it; absent until then. */
export interface CaseOutcome {
  /** Who pays the return shipping: the customer for change-of-mind reasons, else the platform. */
  shippingPaidBy?: 'customer' | 'platform';
  review?: { decision: 'approve' | 'reject' | 'request_info'; note: string | null; by: string; humanDamage?: true };
  /** The customer's answers to requests for information (free text: personal data). */
  customerInfo?: { message: string; evidence: string[] }[];
  inspection?: { result: 'pass' | 'fail'; note: string | null; refundAmount: number | null; by: string };
  warranty?: 'in_warranty' | 'out_of_warranty';
  quote?: { amount: number; currency: string; accepted: boolean | null };
  repair?: { outcome: 'repaired' | 'unrepairable'; verified: boolean; attempt: number; note: string | null };
  /** Unrepairable out of warranty or after human damage: the item went back, the quote was refunded, the price not. */
  unrepairable?: { itemReturned: true; quoteRefunded: number; priceRefunded: 0 };
  resolution?: ResolutionOutcome;
  investigationId?: string;
  replacementItems?: CaseItem[];
  /** An approved alternative cheaper than the item returned: what goes back to the customer. */
  priceDifference?: { owedToCustomer: number };
  /** Goods that failed inspection, held by the warehouse because the send-back fee was not paid. */
  goodsHeld?: true;
  collections?: CollectionView[];
  /** The one moment the returned goods were received (the processing clock starts there): by the courier's delivery of the label parcel or the warehouse's scan-in. */
  goodsReceived?: { at: string; trackingNumber: string; by: 'courier_delivery' | 'scan_in' };
}

/** The case resource of the API contract: what the workflow query and the read model return. */
export interface CaseSnapshot {
  id: string;
  type: CaseType;
  status: CaseStatus;
  orderId: string;
  customerId: string;
  items: CaseItem[];
  reason: { code: ReasonCode; description?: string };
  evidence: string[];
  packagingIntact?: boolean;
  order: OrderFacts;
  /** Where the order facts were read (absent on cases opened before the order source). */
  orderRead?: OrderFactsRead;
  assignee: string | null;
  priority: 'normal' | 'high' | 'urgent';
  policyVersion: string;
  /** A quality claim accepted past its window: an agent evaluates it, it is never approved automatically (docs/business-rules.md). */
  manualEvaluation: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  sla: SlaClockView[];
  /** Earliest deadline among running clocks, or null. */
  nextDeadline: string | null;
  breached: boolean;
  escalation: { level: number; history: EscalationStep[] };
  refund: RefundView | null;
  shipments: ShipmentView[];
  /** What was decided and done along the way (review, inspection, quote, repair, resolution, money asked…). */
  outcome: CaseOutcome;
  survey: { score: number; comment?: string; at: string } | null;
  timeline: TimelineEntry[];
  /** The case's workflow; `historyLength`: events in its history when this snapshot was taken (absent on snapshots the API built). */
  temporal: { workflowId: string; runId?: string; uiUrl?: string; historyLength?: number };
  /** Monotonic version of the snapshot; the read model never overwrites a newer one. */
  version: number;
}

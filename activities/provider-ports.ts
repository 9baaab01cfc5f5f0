import type { CaseItem, CaseSnapshot, EscalationStep, PaymentChannel } from '../domain/case.types';
import type { OrderLine, OrderLineFacts, ReservationRequest } from '../domain/order-ledger';
import type { LineOfItem } from '../domain/keys';

/** Courier operations the activities need (implemented by integrations/courier.client.ts). */
export interface CourierPort {
  createReturnLabel(input: { caseId: string; items: CaseItem[] }, idempotencyKey: string): Promise<{ labelId: string; carrier: string; trackingNumber: string; warehouseCode: string }>;
  createShipment(
    input: { caseId: string; items: CaseItem[]; purpose: ShipmentPurpose },
    idempotencyKey: string,
  ): Promise<{ shipmentId: string; carrier: string; trackingNumber: string }>;
  subscribeTracking(input: { caseId: string; trackingNumber: string; carrier: string }): Promise<void>;
  openInvestigation(
    input: { caseId: string; trackingNumber?: string; kind: string },
    idempotencyKey: string,
  ): Promise<{ investigationId: string }>;
}

/** Why an outbound parcel ships. */
export type ShipmentPurpose = 'replacement' | 'reship' | 'repair_return' | 'return_to_customer';

/** Payment operations (implemented by integrations/payment.client.ts). */
export interface PaymentPort {
  /**
   * `orderId` is the shop's order the money was paid for (Alipay's out_trade_no); `paymentChannel`
   * where it was paid (the refund goes back the same way); the key makes a retry the same refund.
   */
  createRefund(
    input: { caseId: string; orderId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; paymentChannel?: PaymentChannel; reason: string },
    idempotencyKey: string,
  ): Promise<{ refundId: string; status: 'pending' | 'succeeded' | 'failed' }>;
  issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string }, idempotencyKey: string): Promise<{ couponId: string }>;
  /**
   * Asks the customer to pay (a payment link or an order on the original channel); settled later by
   * a signed callback carrying the collection id, like a refund.
   */
  createCollection(
    input: { caseId: string; customerId: string; amount: number; currency: string; purpose: CollectionPurpose },
    idempotencyKey: string,
  ): Promise<{ collectionId: string; status: 'pending' | 'succeeded' | 'failed' }>;
  /**
   * What the provider says of a refund it was asked for: the fallback when its notification does not
   * come (the reconciler's settleStaleRefunds). Absent on a port that cannot look refunds up.
   */
  lookUpRefund?(input: RefundLookUp): Promise<RefundLookUpAnswer>;
  /**
   * The payment's own record of an order's trade (what was paid, what was refunded on it already),
   * checked before a refund is sent; null when the provider has no paid trade for the order.
   * Absent on a port without such a query; a port that has it for some channels only refuses the
   * others with a final `not_supported` error.
   */
  lookUpTrade?(input: TradeLookUp): Promise<TradeRecord | null>;
  /**
   * The provider's own record of a collection (the customer paid, the payment failed, still
   * pending), asked before a reported payment counts; absent on a port without such a look-up.
   */
  lookUpCollection?(input: { collectionId: string }): Promise<CollectionLookUpAnswer>;
}

/** The provider's own answer about a collection: its amount in minor units when it knows it. */
export interface CollectionLookUpAnswer {
  status: 'succeeded' | 'pending' | 'failed' | 'not_found';
  amount?: number;
}

/** A trade to look up: the order paid for, and how (which provider has it). */
export interface TradeLookUp {
  orderId: string;
  paymentMethod: 'online' | 'cod';
  paymentChannel?: PaymentChannel;
}

/** The provider's record of a trade, in minor units of `currency`. */
export interface TradeRecord {
  currency: string;
  /** What the customer paid on the trade. */
  paid: number;
  /** What was already refunded on it (every refund not failed, ours and the shop's). */
  refunded: number;
}

/** A refund to look up: the order it pays back, our refund id, the key it was requested with, and how the order was paid (which provider has it). */
export interface RefundLookUp {
  orderId: string;
  refundId: string;
  idempotencyKey?: string;
  paymentMethod: 'online' | 'cod';
  paymentChannel?: PaymentChannel;
}

/** The provider's own answer about a refund: its amount in minor units when it knows the refund, and `at` (ISO) when it paid it. */
export interface RefundLookUpAnswer {
  status: 'succeeded' | 'pending' | 'failed' | 'not_found';
  amount?: number;
  at?: string;
}

/** What the customer is asked to pay for. */
export type CollectionPurpose = 'repair_quote' | 'return_shipping' | 'send_back_shipping' | 'price_difference';

/** An item of the shop's catalog, as the exchange check needs it. */
export interface CatalogItem {
  sku: string;
  /** Price of one unit in minor units. */
  unitPrice: number;
  category: string;
}

/** Inventory look-up (implemented by integrations/inventory.client.ts). */
export interface InventoryPort {
  checkStock(sku: string, quantity: number): Promise<{ available: boolean }>;
  /** The catalog entry of a sku, or null when the shop does not sell it. */
  catalogItem(sku: string): Promise<CatalogItem | null>;
}

/** The order-line ledger (implemented by store/order-ledger.store.ts over MongoDB). */
export interface OrderLedgerPort {
  /**
   * Reserves a movement on a line, creating the line from `facts` when it is new. Atomic (two
   * reservations racing for one line never grant more than it allows) and idempotent by the
   * request's key (a repeated key answers its first grant). Grants at most what the line allows.
   */
  reserve(facts: OrderLineFacts, request: ReservationRequest): Promise<{ granted: number; held?: boolean }>;
  /** Commits or releases a reserved entry on the line of a sku (as before the order source) or of a case item (`lineKeyOf`); a settled or unknown key changes nothing. */
  settle(orderId: string, line: string | LineOfItem, key: string, state: 'committed' | 'released'): Promise<void>;
  /** Every line of an order with its entries (empty when the ledger has none). */
  orderLines(orderId: string): Promise<OrderLine[]>;
}

/** A message to a customer or to staff. */
export interface OutboundMessage {
  caseId: string;
  recipient: { kind: 'customer'; customerId: string } | { kind: 'staff'; address: string };
  template: string;
  params: Record<string, string | number | boolean | null>;
}

/** Notification delivery (implemented by integrations/notification.client.ts). */
export interface NotificationPort {
  send(message: OutboundMessage, idempotencyKey: string): Promise<{ messageId: string }>;
}

/** One escalation as the read model records it for reports. */
export interface EscalationRecord extends EscalationStep {
  caseId: string;
  caseType: CaseSnapshot['type'];
  assignee: string | null;
}

/** Read-model writes (implemented by store/). */
export interface ReadModelPort {
  /** Writes the snapshot unless the stored one has a version ≥ this one. */
  upsertCase(snapshot: CaseSnapshot): Promise<'written' | 'stale'>;
  /** Records one escalation step; idempotent on (caseId, clock, level, reason). */
  recordEscalation(record: EscalationRecord): Promise<void>;
  /** Frees the one-open-case-per-order-line locks the case holds. */
  releaseOpenCaseLocks(caseId: string): Promise<void>;
}

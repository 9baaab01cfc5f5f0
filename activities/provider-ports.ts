import type { CaseItem, CaseSnapshot, EscalationStep } from '../domain/case.types';

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
  createRefund(
    input: { caseId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; reason: string },
    idempotencyKey: string,
  ): Promise<{ refundId: string; status: 'pending' | 'succeeded' | 'failed' }>;
  issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string }, idempotencyKey: string): Promise<{ couponId: string }>;
}

/** Inventory look-up (implemented by integrations/inventory.client.ts). */
export interface InventoryPort {
  checkStock(sku: string, quantity: number): Promise<{ available: boolean }>;
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

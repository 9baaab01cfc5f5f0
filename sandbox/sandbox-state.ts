import { randomBytes, randomInt } from 'node:crypto';
import { IdempotentTable } from './idempotent-table';

/** A return label as the ledger shows it. */
export interface LabelRecord {
  labelId: string;
  caseId: string;
  carrier: string;
  trackingNumber: string;
  warehouseCode: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
  createdAt: string;
}

/** An outbound shipment. */
export interface ShipmentRecord {
  shipmentId: string;
  caseId: string;
  purpose: string;
  carrier: string;
  trackingNumber: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
  createdAt: string;
}

/** A refund and its settlement. */
export interface RefundRecord {
  refundId: string;
  caseId: string;
  amount: number;
  currency: string;
  paymentMethod: 'online' | 'cod';
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
  settledAt: string | null;
  failureReason?: string;
}

/** A compensation coupon. */
export interface CouponRecord {
  couponId: string;
  caseId: string;
  customerId: string;
  amount: number;
  currency: string;
  createdAt: string;
}

/** A courier investigation. */
export interface InvestigationRecord {
  investigationId: string;
  caseId: string;
  trackingNumber?: string;
  kind: string;
  createdAt: string;
}

/** A message in the notification outbox. */
export interface MessageRecord {
  messageId: string;
  caseId: string;
  recipient: { kind: 'customer'; customerId: string } | { kind: 'staff'; address: string };
  template: string;
  params: Record<string, string | number | boolean | null>;
  at: string;
}

/** Everything the sandbox executed, in memory. */
export class SandboxState {
  readonly labels = new IdempotentTable<LabelRecord>();
  readonly shipments = new IdempotentTable<ShipmentRecord>();
  readonly investigations = new IdempotentTable<InvestigationRecord>();
  readonly refunds = new IdempotentTable<RefundRecord>();
  readonly coupons = new IdempotentTable<CouponRecord>();
  readonly messages = new IdempotentTable<MessageRecord>();

  clear(): void {
    for (const table of [this.labels, this.shipments, this.investigations, this.refunds, this.coupons, this.messages]) table.clear();
  }
}

/** A provider-style id such as `lbl_3f9a…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** An SF Express-style tracking number; a parcel holding a `LOST-` SKU gets one ending in LOST (the sandbox convention). */
export function newTrackingNumber(items: { sku: string }[]): string {
  const digits = Array.from({ length: 12 }, () => randomInt(10)).join('');
  return items.some((i) => i.sku.startsWith('LOST-')) ? `SF${digits.slice(0, 8)}LOST` : `SF${digits}`;
}

/** The current time as an ISO-8601 UTC string. */
export function nowIso(): string {
  return new Date().toISOString();
}

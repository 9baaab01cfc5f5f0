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
  /** The order (trade) refunded; absent from callers that do not say. */
  orderId?: string;
  amount: number;
  currency: string;
  paymentMethod: 'online' | 'cod';
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
  settledAt: string | null;
  failureReason?: string;
}

/** Money the customer is asked to pay (a payment link), and how it settled. */
export interface CollectionRecord {
  collectionId: string;
  caseId: string;
  customerId: string;
  amount: number;
  currency: string;
  purpose: string;
  /** `pending` until the customer pays or the payment fails; an amount ending in 14 stays pending (never paid). */
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
  settledAt: string | null;
  failureReason?: string;
}

/** An item of the shop's catalog (price in minor units). */
export interface CatalogRecord {
  sku: string;
  unitPrice: number;
  category: string;
}

/**
 * The catalog the sandbox starts with (and returns to on reset): a lamp with a same-price,
 * same-category sibling, a dearer lamp, a same-price item of another category, the out-of-stock
 * lamp of the stock convention, and the SKU the provider tests use.
 */
export const SEED_CATALOG: readonly CatalogRecord[] = [
  { sku: 'SKU-1', unitPrice: 5900, category: 'apparel' },
  { sku: 'SKU-LAMP-1', unitPrice: 8800, category: 'lighting' },
  { sku: 'SKU-LAMP-2', unitPrice: 8800, category: 'lighting' },
  { sku: 'SKU-LAMP-DELUXE', unitPrice: 12800, category: 'lighting' },
  { sku: 'OOS-LAMP-1', unitPrice: 8800, category: 'lighting' },
  { sku: 'SKU-MUG-1', unitPrice: 8800, category: 'kitchen' },
];

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
  readonly collections = new IdempotentTable<CollectionRecord>();
  readonly messages = new IdempotentTable<MessageRecord>();
  /** Cases whose collections stay pending until settled by hand (`POST /collections/hold`): a slow payer, one case at a time. */
  readonly heldCollectionCases = new Set<string>();
  /** The shop's catalog by SKU; set by `PUT /catalog/:sku`, back to SEED_CATALOG on reset. */
  readonly catalog = new Map<string, CatalogRecord>();

  constructor() {
    this.seedCatalog();
  }

  /** True when this courier issued the number: on a return label or a shipment of its own. */
  issuedTrackingNumber(trackingNumber: string): boolean {
    const wanted = trackingNumber.toUpperCase();
    return [...this.labels.records(), ...this.shipments.records()].some((r) => r.trackingNumber.toUpperCase() === wanted);
  }

  clear(): void {
    for (const table of [this.labels, this.shipments, this.investigations, this.refunds, this.coupons, this.collections, this.messages]) table.clear();
    this.heldCollectionCases.clear();
    this.seedCatalog();
  }

  private seedCatalog(): void {
    this.catalog.clear();
    for (const item of SEED_CATALOG) this.catalog.set(item.sku, { ...item });
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

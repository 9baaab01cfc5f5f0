/**
 * The delivery read again before money moves (issue 22, docs/order-source.md "What is read when"):
 * before a `not_received` refund, a reship and any automatic approval, the case asks the order
 * source for the order's delivery (签收) and compares it with the delivery the case was opened on.
 * Pure: the read is an activity (activities/order-delivery.activities.ts), the decision is here.
 */
import type { OpenCaseRequest } from './case.types';

/** What the order source says of the order's delivery now. */
export interface DeliveryRead {
  /** False when the source has no such order: nothing can be confirmed. */
  orderFound: boolean;
  /** The latest 签收 of the order's parcels (deliveredAtOf), null when none is signed for. */
  deliveredAt: string | null;
  /** When the source answered. */
  readAt: string;
}

/**
 * How the read compares with the opening: `confirmed` (the same delivery, or still none);
 * `signed_after_opening` (opened on no delivery, now signed for: a courier exception, never a
 * payment); `changed` (another delivery than the one the case was opened on); `order_unknown`
 * (the source does not know the order).
 */
export type DeliveryCheck = 'confirmed' | 'signed_after_opening' | 'changed' | 'order_unknown';

/** Compares a delivery read from the order source with the one the case was opened on (`undefined`: none). */
export function deliveryCheck(openedWith: string | undefined, read: DeliveryRead): DeliveryCheck {
  if (!read.orderFound) return 'order_unknown';
  if (read.deliveredAt === null) return openedWith === undefined ? 'confirmed' : 'changed';
  if (openedWith === undefined) return 'signed_after_opening';
  return Date.parse(openedWith) === Date.parse(read.deliveredAt) ? 'confirmed' : 'changed';
}

/**
 * Whether the case's delivery can be read again: its facts were read from the order source at
 * opening (`orderRead`). A case opened on claimed facts, before the API read orders, has nothing
 * of the source's to compare with (its order id may not even be the shop's) and goes on as it
 * started (docs/decisions.md).
 */
export function deliveryReadAtOpening(request: Pick<OpenCaseRequest, 'orderRead'>): boolean {
  return request.orderRead !== undefined;
}

/**
 * Whether the case reads the delivery again before its money or parcel goes: a refund only for a
 * parcel not received, and every reship (a lost parcel, or one damaged in transit: both rest on
 * what the courier delivered) — of a case opened on the order source's facts.
 */
export function readsDeliveryBeforePaying(request: Pick<OpenCaseRequest, 'type' | 'reason' | 'orderRead'>): boolean {
  if (!deliveryReadAtOpening(request)) return false;
  return request.type === 'reship' || (request.type === 'refund_only' && request.reason.code === 'not_received');
}

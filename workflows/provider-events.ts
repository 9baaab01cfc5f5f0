import type { Actor, ShipmentView } from '../domain/case.types';
import type { CollectionEvent, CourierEvent, PaymentEvent } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';

const COURIER: Actor = { kind: 'provider', id: 'courier' };
const PAYMENT: Actor = { kind: 'provider', id: 'payment' };

/** How far a parcel has got; a late or repeated event never moves it back. */
const SHIPMENT_PROGRESS: Record<ShipmentView['status'], number> = {
  label_created: 0,
  shipped: 1,
  picked_up: 2,
  in_transit: 3,
  delivered: 4,
  exception: 4,
};

/** Applies a courier tracking callback: duplicates and out-of-order events change nothing. */
export function applyCourierEvent(record: CaseRecord, event: CourierEvent): void {
  if (record.seenProviderEvents.has(event.eventId)) return;
  record.seenProviderEvents.add(event.eventId);
  const shipment = record.shipments.find((s) => s.trackingNumber === event.trackingNumber);
  if (!shipment) {
    record.log(COURIER, 'tracking.unmatched', { trackingNumber: event.trackingNumber, event: event.event });
    return;
  }
  // A parcel found after an exception can still be delivered; otherwise a late or repeated event never moves it back.
  const foundAfterException = shipment.status === 'exception' && event.event === 'delivered';
  if (!foundAfterException && SHIPMENT_PROGRESS[event.event] <= SHIPMENT_PROGRESS[shipment.status]) return;
  shipment.status = event.event;
  shipment.updatedAt = event.at;
  record.log(COURIER, `shipment.${event.event}`, {
    direction: shipment.direction,
    trackingNumber: shipment.trackingNumber,
    ...(event.detail ? { detail: event.detail } : {}),
  });
}

/**
 * Applies a refund settlement; one that arrives before the refund id is known waits for it. While
 * the case confirms reports (patch refund-reports-confirmed) it is only recorded as a report.
 */
export function applyPaymentEvent(record: CaseRecord, event: PaymentEvent): void {
  if (record.seenProviderEvents.has(event.eventId)) return;
  const refund = record.refund;
  if (record.confirmsRefundReports && event.status === 'succeeded' && record.abandonedRefunds.has(event.refundId)) {
    // Paid after the case gave that attempt up: looked up, and raised to a person, by the refund stage.
    record.seenProviderEvents.add(event.eventId);
    record.abandonedReports.push(event);
    return;
  }
  if (!refund || refund.id !== event.refundId) {
    record.earlySettlements.set(event.refundId, event);
    return;
  }
  record.seenProviderEvents.add(event.eventId);
  if (refund.status === 'succeeded' || refund.status === 'failed') return;
  // A report is a claim until the provider's own record confirms it (workflows/stages/refund-attempts.ts).
  if (record.confirmsRefundReports) {
    record.refundReports.push(event);
    return;
  }
  refund.status = event.status;
  record.log(PAYMENT, `refund.${event.status}`, {
    refundId: event.refundId,
    amount: refund.amount,
    ...(event.reason ? { reason: event.reason } : {}),
  });
}

/** Applies a collection settlement (the customer paid, or the payment failed); one that arrives before the collection id is known waits for it. */
export function applyCollectionEvent(record: CaseRecord, event: CollectionEvent): void {
  if (record.seenProviderEvents.has(event.eventId)) return;
  const collection = record.collections.find((c) => c.id === event.collectionId);
  if (!collection) {
    record.earlyCollections.set(event.collectionId, event);
    return;
  }
  record.seenProviderEvents.add(event.eventId);
  if (collection.status === 'unpaid' && event.status === 'succeeded' && record.confirmsLatePayments) {
    // A claim until the provider's record says it was paid (case-runtime's late-payment loop looks it up).
    record.latePaymentReports.push(event);
    return;
  }
  if (collection.status === 'unpaid' && event.status === 'succeeded') {
    // Paid after the case went on without it: the money is with us, and a person pays it back.
    record.latePayments.push({ collectionId: event.collectionId, purpose: collection.purpose, amount: collection.amount });
    record.log(PAYMENT, 'payment.received_late', { collectionId: event.collectionId, purpose: collection.purpose, amount: collection.amount });
    return;
  }
  if (collection.status !== 'requested') return;
  // A report is a claim until the provider's own record confirms it (workflows/stages/collection.stage.ts).
  if (record.confirmsCollectionReports) {
    record.collectionReports.push(event);
    return;
  }
  applyConfirmedCollection(record, event, event.status);
}

/** Records a late payment (confirmed: the provider's record says it was paid): the money is with us, and a person pays it back. */
export function applyConfirmedLatePayment(record: CaseRecord, event: CollectionEvent, confirmed: boolean): void {
  const collection = record.collections.find((c) => c.id === event.collectionId);
  if (!collection || record.latePayments.some((p) => p.collectionId === event.collectionId)) return;
  record.latePayments.push({ collectionId: event.collectionId, purpose: collection.purpose, amount: collection.amount });
  record.log(PAYMENT, 'payment.received_late', { collectionId: event.collectionId, purpose: collection.purpose, amount: collection.amount, confirmed });
}

/** Settles a requested collection as `status` says (the report itself, or the provider's record of it). */
export function applyConfirmedCollection(record: CaseRecord, event: CollectionEvent, status: 'succeeded' | 'failed', confirmed = false): void {
  const collection = record.collections.find((c) => c.id === event.collectionId);
  if (!collection || collection.status !== 'requested') return;
  collection.status = status === 'succeeded' ? 'paid' : 'failed';
  record.log(PAYMENT, `payment.${collection.status}`, {
    collectionId: event.collectionId,
    purpose: collection.purpose,
    amount: collection.amount,
    ...(confirmed ? { confirmed: true } : {}),
    ...(event.reason ? { reason: event.reason } : {}),
  });
}

/** Settles the refund as the provider's own record confirmed a report of it (the report's reason kept). */
export function applyConfirmedSettlement(record: CaseRecord, report: PaymentEvent, status: 'succeeded' | 'failed'): void {
  const refund = record.refund;
  if (!refund || refund.id !== report.refundId || refund.status === 'succeeded' || refund.status === 'failed') return;
  refund.status = status;
  record.log(PAYMENT, `refund.${status}`, {
    refundId: report.refundId,
    amount: refund.amount,
    confirmed: true,
    ...(status === 'failed' && report.reason ? { reason: report.reason } : {}),
  });
}

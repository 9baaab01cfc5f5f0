import type { CaseItem, ClockName, ShipmentView } from '../../domain/case.types';
import { shipmentKey } from '../../domain/keys';
import type { ShipmentPurpose } from '../../activities/provider-ports';
import { providers } from '../activities';
import { SYSTEM, type CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';

/**
 * Hands a parcel to the courier and tells the customer its tracking number. The idempotency key
 * counts earlier parcels of the same purpose, so a retry never ships twice but a second
 * replacement (after a failed one) does ship.
 */
export async function sendParcel(record: CaseRecord, purpose: ShipmentPurpose, items: CaseItem[]): Promise<ShipmentView> {
  const sequence = record.shipments.filter((s) => s.direction === 'outbound' && s.purpose === purpose).length + 1;
  const parcel = await providers.createShipment.executeWithOptions({ summary: `ship ${purpose} parcel #${sequence}` }, [
    { caseId: record.id, items, purpose, idempotencyKey: shipmentKey(record.id, purpose, sequence) },
  ]);
  const shipment: ShipmentView = {
    direction: 'outbound',
    purpose,
    carrier: parcel.carrier,
    trackingNumber: parcel.trackingNumber,
    status: 'shipped',
    updatedAt: new Date(record.now()).toISOString(),
  };
  record.shipments.push(shipment);
  record.log({ kind: 'provider', id: 'courier' }, 'shipment.handed_to_courier', { purpose, carrier: parcel.carrier, trackingNumber: parcel.trackingNumber });
  await notifyCustomer(record, `${purpose}_shipped`, `shipped-${purpose}-${sequence}`, { carrier: parcel.carrier, trackingNumber: parcel.trackingNumber });
  return shipment;
}

/**
 * Ships the item the customer is owed (replacement, reship, repaired item) under `clock`, which
 * stops — with the processing clock — once the parcel is with the courier.
 */
export async function shipToCustomerStage(record: CaseRecord, purpose: ShipmentPurpose, items: CaseItem[], clock?: ClockName): Promise<void> {
  record.transition('shipping_replacement', SYSTEM, 'shipment.preparing', { purpose });
  await sendParcel(record, purpose, items);
  if (clock) record.stopClock(clock);
  record.stopClock('processing');
}

/** The customer confirms receipt, or the system does when the confirmation window runs out. */
export async function customerConfirmationStage(record: CaseRecord): Promise<void> {
  record.transition('awaiting_customer_confirmation', SYSTEM, 'confirmation.requested');
  record.startClock('customer_confirmation');
  await record.takeCommand(['confirmReceipt'], ({ command }) => {
    record.stopClock('customer_confirmation');
    record.log(command.actor, command.actor.kind === 'system' ? 'receipt.auto_confirmed' : 'receipt.confirmed');
  });
}

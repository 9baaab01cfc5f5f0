import type { ShipmentView } from '../../domain/case.types';
import { returnLabelKey } from '../../domain/keys';
import { providers } from '../activities';
import type { CaseRecord } from '../case-record';
import { notifyCustomer, notifyStaffQueue } from '../notify';

/**
 * The customer sends the goods back (to the warehouse, or the repair center): a return label is
 * issued, the customer reports the parcel before the return-shipment clock runs out (else the
 * case expires), and the courier's `delivered` callback marks the goods received — the case moves
 * to `receivedStatus` and the 72h processing clock starts.
 */
export async function returnShipmentStage(record: CaseRecord, receivedStatus: 'inspecting' | 'repairing' = 'inspecting'): Promise<void> {
  const { id, input } = record;
  const label = await providers.createReturnLabel.executeWithOptions({ summary: 'create return label' }, [
    { caseId: id, items: input.request.items, idempotencyKey: returnLabelKey(id) },
  ]);
  record.log({ kind: 'provider', id: 'courier' }, 'return.label_created', { labelId: label.labelId, carrier: label.carrier, warehouseCode: label.warehouseCode });
  record.startClock('return_shipment');
  await notifyCustomer(record, 'return_label', 'return-label', {
    labelId: label.labelId,
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
    warehouseCode: label.warehouseCode,
    shipBy: record.openClock('return_shipment')?.deadline ?? null,
  });

  const shipment = await record.takeCommand(['returnShipment', 'expire'], (reported) => {
    if (reported.name === 'expire') record.end('expired', reported.command.actor, 'case.expired', { clock: reported.command.clock });
    const { actor, carrier, trackingNumber } = reported.command;
    const parcel: ShipmentView = {
      direction: 'return',
      carrier,
      trackingNumber,
      status: 'shipped',
      labelId: label.labelId,
      updatedAt: new Date(record.now()).toISOString(),
    };
    record.shipments.push(parcel);
    record.stopClock('return_shipment');
    record.transition('return_in_transit', actor, 'return.shipped', { carrier, trackingNumber });
    return parcel;
  });
  const { carrier, trackingNumber } = shipment;

  await providers.subscribeTracking.executeWithOptions({ summary: `subscribe tracking: ${carrier} ${trackingNumber}` }, [{ caseId: id, trackingNumber, carrier }]);
  await record.waitUntil(() => shipment.status === 'delivered' || shipment.status === 'exception');
  if (shipment.status === 'exception') {
    // A lost or stuck parcel needs a person: the team hears of it, and the case waits for the parcel or a supervisor.
    await notifyStaffQueue(record, 'return_parcel_exception', `parcel-exception-${trackingNumber}`, { trackingNumber, carrier });
    await record.waitUntil(() => shipment.status === 'delivered');
  }
  record.transition(receivedStatus, { kind: 'provider', id: 'courier' }, 'return.received', { trackingNumber });
  record.startClock('processing');
}

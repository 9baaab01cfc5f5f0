/**
 * Old path of patch `return-on-label` (workflows/features.ts `Features.returnOnLabel`).
 *
 * Which cases run it: those whose history reached the return-shipment stage without the
 * `return-on-label` marker — cases whose label was issued before that patch's deploy. The customer
 * typed any carrier and tracking number, and the courier's `delivered` on that number marked the
 * goods received; there was no warehouse scan-in.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of return-on-label>`
 * counts 0 (docs/workflow-versioning.md). Then the stage calls `deprecated('returnOnLabel')`
 * instead of asking, this file goes, and `returnParcel: null` stops meaning "typed numbers" in the
 * command table (domain/case-commands.ts `returnShipmentRefusal`, `receiveRefusal`).
 */
import type { ShipmentView } from '../../domain/case.types';
import { providers } from '../activities';
import type { CaseRecord } from '../case-record';
import { notifyCustomer, notifyStaffQueue } from '../notify';

/** The label's fields the stage keeps. */
interface IssuedLabel {
  labelId: string;
  carrier: string;
  trackingNumber: string;
  warehouseCode: string;
}

/** The rest of the stage as it ran before the label rule: any typed number, received on the courier's `delivered`. */
export async function typedReturnShipment(record: CaseRecord, label: IssuedLabel, receivedStatus: 'inspecting' | 'repairing'): Promise<void> {
  const { id } = record;
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
    // The command table requires both on these cases (returnShipmentRefusal with no parcel facts).
    const { actor, carrier = '', trackingNumber = '' } = reported.command;
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
    await notifyStaffQueue(record, 'return_parcel_exception', `parcel-exception-${trackingNumber}`, { trackingNumber, carrier });
    await record.waitUntil(() => shipment.status === 'delivered');
  }
  record.transition(receivedStatus, { kind: 'provider', id: 'courier' }, 'return.received', { trackingNumber });
  record.startClock('processing');
}

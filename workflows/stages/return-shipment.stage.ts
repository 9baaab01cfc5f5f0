import type { Actor, ShipmentView } from '../../domain/case.types';
import { returnLabelKey } from '../../domain/keys';
import { providers } from '../activities';
import type { CaseRecord } from '../case-record';
import { isPatched } from '../features';
import { typedReturnShipment } from '../legacy/typed-return-shipment';
import { notifyCustomer, notifyStaffQueue } from '../notify';

const COURIER: Actor = { kind: 'provider', id: 'courier' };

/**
 * The customer sends the goods back (to the warehouse, or the repair center) on the shop's return
 * label, or by their own courier if they say so. The goods are received at one recorded moment:
 * a label parcel on the courier's delivery to the warehouse or the warehouse's scan-in, whichever
 * comes first; an own-courier parcel only on the scan-in. The case then moves to `receivedStatus`
 * and the processing clock starts. A customer who never sends it lets the return-shipment clock run out (the case expires).
 */
export async function returnShipmentStage(record: CaseRecord, receivedStatus: 'inspecting' | 'repairing' = 'inspecting'): Promise<void> {
  const { id, input } = record;
  // Cases opened at FEATURE_LEVEL_RETURN_LABEL have it from the start (no marker); older ones ask here.
  const onLabel = record.features.returnOnLabel || isPatched('returnOnLabel');
  // A case that took the old path on its way here takes typed numbers and no scan-in (the command table reads null so).
  if (!onLabel) record.returnParcel = null;
  const label = await providers.createReturnLabel.executeWithOptions({ summary: 'create return label' }, [
    { caseId: id, items: input.request.items, idempotencyKey: returnLabelKey(id) },
  ]);
  if (!onLabel) return typedReturnShipment(record, label, receivedStatus);

  const parcel: ShipmentView = {
    direction: 'return',
    via: 'label',
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
    status: 'label_created',
    labelId: label.labelId,
    updatedAt: new Date(record.now()).toISOString(),
  };
  record.shipments.push(parcel);
  const labelFacts = { carrier: label.carrier, trackingNumber: label.trackingNumber };
  record.returnParcel = { label: labelFacts };
  // What the return commands are checked against once the parcel left: the label's, or the customer's own courier's.
  const sentAs = (via: 'label' | 'own_courier') => {
    record.returnParcel = { label: labelFacts, sent: { via, carrier: parcel.carrier, trackingNumber: parcel.trackingNumber } };
  };
  record.log(COURIER, 'return.label_created', { labelId: label.labelId, carrier: label.carrier, trackingNumber: label.trackingNumber, warehouseCode: label.warehouseCode });
  record.startClock('return_shipment');
  await notifyCustomer(record, 'return_label', 'return-label', {
    labelId: label.labelId,
    carrier: label.carrier,
    trackingNumber: label.trackingNumber,
    warehouseCode: label.warehouseCode,
    shipBy: record.openClock('return_shipment')?.deadline ?? null,
  });

  const scannedFirst = await record.takeCommand(['returnShipment', 'receive', 'expire'], (reported) => {
    if (reported.name === 'expire') return record.end('expired', reported.command.actor, 'case.expired', { clock: reported.command.clock });
    record.stopClock('return_shipment');
    if (reported.name === 'receive') {
      // The warehouse has the label's parcel before the customer said it left: it went on the label.
      sentAs('label');
      receive(record, parcel, reported.command.actor, 'scan_in', receivedStatus);
      return true;
    }
    const { actor, via = 'label' } = reported.command;
    if (via === 'own_courier') {
      // The label goes unused: the case now waits for the customer's parcel, known only by what they typed.
      parcel.via = 'own_courier';
      parcel.carrier = reported.command.carrier?.trim() ?? '';
      parcel.trackingNumber = reported.command.trackingNumber?.trim() ?? '';
      delete parcel.labelId;
    }
    parcel.status = 'shipped';
    parcel.updatedAt = new Date(record.now()).toISOString();
    sentAs(via);
    record.transition('return_in_transit', actor, 'return.shipped', { carrier: parcel.carrier, trackingNumber: parcel.trackingNumber, via });
    return false;
  });
  if (scannedFirst) return answerLateCommands(record);

  const { carrier, trackingNumber } = parcel;
  await providers.subscribeTracking.executeWithOptions({ summary: `subscribe tracking: ${carrier} ${trackingNumber}` }, [{ caseId: id, trackingNumber, carrier }]);
  // The courier's word counts only for the parcel the shop issued; a parcel of the customer's own courier waits for the scan-in.
  const deliveredOnLabel = () => parcel.via === 'label' && parcel.status === 'delivered';
  await record.waitUntil(() => deliveredOnLabel() || parcel.status === 'exception' || record.hasQueued('receive'));
  if (parcel.status === 'exception' && !record.hasQueued('receive')) {
    // A lost or stuck parcel needs a person: the team hears of it, and the case waits for the parcel or a supervisor.
    await notifyStaffQueue(record, 'return_parcel_exception', `parcel-exception-${trackingNumber}`, { trackingNumber, carrier });
    await record.waitUntil(() => deliveredOnLabel() || record.hasQueued('receive'));
  }
  if (record.hasQueued('receive')) {
    await record.takeCommand(['receive'], (scan) => receive(record, parcel, scan.command.actor, 'scan_in', receivedStatus));
  } else {
    receive(record, parcel, COURIER, 'courier_delivery', receivedStatus);
  }
  return answerLateCommands(record);
}

/** The one moment the goods are received: recorded on the case; the processing clock starts there. */
function receive(record: CaseRecord, parcel: ShipmentView, actor: Actor, by: 'scan_in' | 'courier_delivery', receivedStatus: 'inspecting' | 'repairing'): void {
  const at = new Date(record.now()).toISOString();
  if (by === 'scan_in') {
    parcel.status = 'delivered';
    parcel.updatedAt = at;
  }
  record.outcome.goodsReceived = { at, trackingNumber: parcel.trackingNumber, by };
  record.transition(receivedStatus, actor, 'return.received', { trackingNumber: parcel.trackingNumber, by });
  record.startClock('processing');
}

/**
 * A scan-in or a shipment report taken by the Update's validator just before the goods were received
 * another way is answered (the case as it now is) instead of waiting for a stage that is gone.
 */
function answerLateCommands(record: CaseRecord): void {
  for (const name of ['receive', 'returnShipment'] as const) {
    if (!record.hasQueued(name)) continue;
    void record.takeCommand([name], (late) => record.log(late.command.actor, 'return.already_received', { command: name }));
  }
}

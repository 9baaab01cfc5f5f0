import type { Actor } from '../domain/case.types';
import { deliveryCheck, readsDeliveryBeforePaying, type DeliveryCheck, type DeliveryRead } from '../domain/delivery-check';
import { orders } from './activities';
import type { CaseRecord } from './case-record';
import { isPatched } from './features';
import { notifyStaffQueue } from './notify';

/** Who records what the order source said. */
export const DELIVERY_CHECK: Actor = { kind: 'system', id: 'delivery-check' };

/** What the customer reads in the closing message of a case whose parcel turned out signed for. */
const SIGNED_NOTE = 'the order shows the parcel signed for after this case was opened: a parcel signed for but not received is a courier exception, investigated with the courier — no refund or reship is made on this case';

/** The delivery read from the order source, compared with the one the case was opened on. */
export interface DeliveryReadAgain {
  check: DeliveryCheck;
  read: DeliveryRead;
  /** The timeline's facts: the delivery now, the one at opening (null: none), when it was read. */
  facts: { deliveredAt: string | null; openedWith: string | null; readAt: string };
}

/** Reads the order's delivery again (retried until the source answers) and compares it with the opening. */
export async function readDeliveryAgain(record: CaseRecord, before: string): Promise<DeliveryReadAgain> {
  const { orderId, order } = record.input.request;
  const read = await orders.readOrderDelivery.executeWithOptions({ summary: `read the order's delivery before ${before}` }, [{ orderId }]);
  return { check: deliveryCheck(order.deliveredAt, read), read, facts: { deliveredAt: read.deliveredAt, openedWith: order.deliveredAt ?? null, readAt: read.readAt } };
}

/**
 * Before a `not_received` refund or a reship (readsDeliveryBeforePaying): the delivery is read
 * again. The same delivery as at opening lets the money or parcel go (`delivery.confirmed`). A
 * parcel signed for since closes the case `rejected` (`delivery.signed_after_opening`): it is a
 * courier exception, never a payment; the staff queue and, in the closing message, the customer
 * are told. Anything else (another delivery, an order the source does not know) cannot be
 * confirmed: the staff queue is told and the case waits for a person to close it. Cases that
 * reached this point before the patch pay without the read, as recorded.
 */
export async function confirmDeliveryBeforePaying(record: CaseRecord, before: 'refund' | 'reship'): Promise<void> {
  if (!readsDeliveryBeforePaying(record.input.request) || !isPatched('deliveryReadBeforeMoney')) return;
  const { check, facts } = await readDeliveryAgain(record, `the ${before}`);
  if (check === 'confirmed') {
    record.log(DELIVERY_CHECK, 'delivery.confirmed', { before, ...facts });
    return;
  }
  if (check === 'signed_after_opening') {
    await notifyStaffQueue(record, 'delivery_signed_after_opening', 'delivery-signed-after-opening', { before, deliveredAt: facts.deliveredAt });
    record.end('rejected', DELIVERY_CHECK, 'delivery.signed_after_opening', { before, ...facts, note: SIGNED_NOTE });
  }
  record.log(DELIVERY_CHECK, 'delivery.not_confirmed', { before, check, ...facts });
  await notifyStaffQueue(record, 'delivery_not_confirmed', 'delivery-not-confirmed', { before, check });
  await record.waitForClosing();
}

import type { CollectionPurpose } from '../../activities/provider-ports';
import { providers } from '../activities';
import type { CollectionView } from '../../domain/case.types';
import { collectionKey } from '../../domain/keys';
import { SYSTEM, type CaseRecord } from '../case-record';
import { reserveMoney, settleReservation } from '../money';
import { notifyCustomer } from '../notify';
import { isPatched } from '../features';
import { applyCollectionEvent, applyConfirmedCollection } from '../provider-events';

/** How a collection ended. */
export type CollectionOutcome = 'paid' | 'unpaid';

/**
 * Asks the customer to pay `amount` for `purpose` (a repair quote, shipping) and waits under the
 * customer's payment clock. The collection is recorded on the order-line ledger first and its key
 * is fixed before the first call, so a retry never asks twice; paid commits it, while a failed
 * payment or the clock running out releases it and answers `unpaid` — the caller ends the case
 * its own way (docs/business-rules.md#what-the-customer-pays).
 */
export async function collectionStage(record: CaseRecord, purpose: CollectionPurpose, amount: number): Promise<CollectionOutcome> {
  if (amount <= 0) return 'paid';
  const { id, input } = record;
  const { currency } = input.request.order;
  // A second collection of the same purpose (another dearer alternative) is a new payment with a key of its own.
  const round = record.collections.filter((c) => c.purpose === purpose).length + 1;
  const key = collectionKey(id, purpose, round);
  const view: CollectionView = { purpose, amount, currency, idempotencyKey: key, status: 'pending' };
  record.collections.push(view);
  record.transition('awaiting_payment', SYSTEM, 'payment.requested', { purpose, amount, currency });
  record.startClock('payment');
  await reserveMoney(record, { key, kind: 'collection', amount, withUnits: false });

  const asked = await providers.collectPayment.executeWithOptions({ summary: `collect ${purpose}: ${amount} ${currency} minor units` }, [
    { caseId: id, customerId: input.request.customerId, amount, currency, purpose, idempotencyKey: key },
  ]);
  view.id = asked.collectionId;
  view.status = 'requested';
  record.touch();
  // Asked before any report of this collection is applied (a case replaying a collection requested before the deploy keeps the old path).
  record.confirmsCollectionReports = isPatched('collectionReportsConfirmed');
  record.collectionReports.length = 0;
  const early = record.earlyCollections.get(asked.collectionId);
  if (early) applyCollectionEvent(record, early);
  await notifyCustomer(record, 'payment_requested', `payment-${purpose}`, {
    purpose,
    amount,
    currency,
    collectionId: asked.collectionId,
    payBy: record.openClock('payment')?.deadline ?? null,
  });

  const ranOut = () => record.takeExpired('payment');
  let expired = false;
  if (record.confirmsCollectionReports) expired = await confirmedPayment(record, view, ranOut);
  else await record.waitUntil(() => view.status === 'paid' || view.status === 'failed' || (expired ||= ranOut()));
  record.stopClock('payment');
  // Read afresh: the settlement signal changed it while the stage waited.
  const status = view.status as CollectionView['status'];
  if (status === 'paid') {
    await settleReservation(record, key, 'committed');
    return 'paid';
  }
  if (status !== 'failed') {
    view.status = 'unpaid';
    // Asked before any later report of this collection can be applied: from now on one is a late payment to confirm.
    record.confirmsLatePayments ||= isPatched('latePaymentsConfirmed');
  }
  record.log(SYSTEM, 'payment.not_received', { purpose, amount, currency, ...(expired ? { clock: 'payment' } : {}) });
  await settleReservation(record, key, 'released');
  return 'unpaid';
}

/**
 * Waits until the provider's own record settles the collection, or the payment clock runs out
 * (true then); patch collection-reports-confirmed. Each report is only a reason to look the
 * collection up: paid with its amount counts as paid, failed as failed; pending, another amount or
 * unknown change nothing, and the clock still runs.
 */
async function confirmedPayment(record: CaseRecord, view: CollectionView, ranOut: () => boolean): Promise<boolean> {
  let expired = false;
  for (;;) {
    await record.waitUntil(() => isDone(view) || (expired ||= ranOut()) || record.collectionReports.length > 0);
    if (isDone(view) || expired) return expired;
    // One look-up answers every report received meanwhile.
    const report = record.collectionReports[record.collectionReports.length - 1];
    record.collectionReports.length = 0;
    const found = await providers.lookUpCollection.executeWithOptions({ summary: `look up collection ${view.purpose} (reported ${report.status}) at the provider` }, [
      { collectionId: view.id as string },
    ]);
    if (found.status === 'failed' || (found.status === 'succeeded' && found.amount === view.amount)) applyConfirmedCollection(record, report, found.status, true);
  }
}

/** True once the collection settled (a signal handler or a look-up changes it while the stage waits). */
function isDone(view: CollectionView): boolean {
  const status = view.status;
  return status === 'paid' || status === 'failed';
}

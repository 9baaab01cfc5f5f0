import type { Db, Filter } from 'mongodb';
import type { CaseSnapshot } from '../domain/case.types';
import { ledgerEntryKey, ledgerLineRef, ledgerMovementKey } from '../domain/keys';
import { lineFactsOf, splitOverLines, type LedgerEntryKind, type OrderLineFacts, type ReservationRequest } from '../domain/order-ledger';
import { toSnapshot, type CaseDocument } from './case-document.mapper';
import { Collections } from './mongo';
import type { OrderLedgerStore } from './order-ledger.store';

/** One committed movement the backfill writes for a case: its line and the reservation to record. */
export interface BackfillMovement {
  facts: OrderLineFacts;
  request: ReservationRequest;
}

/** What a backfill run did. */
export interface BackfillReport {
  /** Cases with a succeeded refund of money that were looked at. */
  cases: number;
  /** Line movements recorded by this run. */
  written: number;
  /** Line movements the ledger already had (a rerun, or a case that recorded its own refund). */
  alreadyRecorded: number;
  /** Movements a line could not take in full: it had been paid back more than it cost (the double refunds before the ledger). */
  capped: { caseId: string; sku: string; amount: number; granted: number }[];
}

/**
 * The ledger movements a closed case's refund stands for: its amount split over the case's lines
 * with the same key the workflow uses (`<caseId>:<kind>` per sku), so a case that wrote its own
 * entries, or a second run, changes nothing. Refunds of goods carry the claimed units; complaint
 * compensation none. Collected money paid back (repair quotes) is left out: cases before the ledger
 * never recorded the collection it would be counted against. None for a refund of 0 or not succeeded.
 */
export function backfillMovements(snapshot: CaseSnapshot): BackfillMovement[] {
  const refund = snapshot.refund;
  if (!refund || refund.status !== 'succeeded' || refund.amount <= 0) return [];
  const kind: LedgerEntryKind = refund.kind ?? (snapshot.type === 'complaint' ? 'compensation' : 'refund');
  if (kind === 'collection_refund') return [];
  const withUnits = kind === 'refund';
  const at = snapshot.closedAt ?? snapshot.updatedAt;
  return splitOverLines(snapshot.items, refund.amount, withUnits)
    .map((share, index) => ({ share, item: snapshot.items[index] }))
    .filter(({ share }) => share.amount > 0)
    .map(({ share, item }) => ({
      facts: lineFactsOf(snapshot.orderId, refund.currency, item),
      request: {
        key: ledgerEntryKey(ledgerMovementKey(snapshot.id, kind), ledgerLineRef(item)),
        caseId: snapshot.id,
        kind,
        amount: share.amount,
        units: share.units,
        at,
      },
    }));
}

/**
 * Writes every succeeded refund of the read model to the ledger as a committed entry. Idempotent:
 * the keys are the workflow's, so a rerun (or a case that recorded its own refund) adds nothing.
 */
export async function backfillLedger(db: Db, ledger: Pick<OrderLedgerStore, 'reserve' | 'settle' | 'orderLines'>): Promise<BackfillReport> {
  const report: BackfillReport = { cases: 0, written: 0, alreadyRecorded: 0, capped: [] };
  // A one-off scan (the read model has no index on the refund's status; this runs once per empty
  // ledger), in closing order: when old cases paid a line back twice, the first one keeps it.
  // `refund.status` finds documents stored before the snapshot became one string (store/case-document.mapper.ts).
  const paid = { $or: [{ refundStatus: 'succeeded' }, { 'refund.status': 'succeeded' }] };
  const cursor = db.collection<CaseDocument>(Collections.cases).find(paid as Filter<CaseDocument>).sort({ closedAtDate: 1, _id: 1 });
  for await (const document of cursor) {
    const snapshot = toSnapshot(document);
    const movements = backfillMovements(snapshot);
    if (movements.length === 0) continue;
    report.cases += 1;
    const known = new Set((await ledger.orderLines(snapshot.orderId)).flatMap((line) => line.entries.map((e) => e.key)));
    for (const { facts, request } of movements) {
      if (known.has(request.key)) {
        report.alreadyRecorded += 1;
      } else {
        const { granted } = await ledger.reserve(facts, request);
        if (granted > 0) report.written += 1;
        if (granted < request.amount) report.capped.push({ caseId: snapshot.id, sku: facts.sku, amount: request.amount, granted });
      }
      // The read model says the provider confirmed it: a reservation still open (a case mid-way) is committed too.
      await ledger.settle(facts.orderId, facts, request.key, 'committed');
    }
  }
  return report;
}

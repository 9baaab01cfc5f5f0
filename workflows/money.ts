import type { LedgerReservationInput } from '../activities';
import { movementLabel } from '../domain/keys';
import type { LedgerEntryKind } from '../domain/order-ledger';
import { CancelledFailure, TemporalFailure } from '@temporalio/workflow';
import { ledger, ledgerFirstTry } from './activities';
import type { CaseRecord } from './case-record';

/** A movement of money the case asks the order-line ledger for. */
export interface MoneyMovement {
  /** The movement's key, fixed by the case (domain/keys.ts: ledgerMovementKey, couponKey, collectionKey): a retry is the same reservation. */
  key: string;
  kind: LedgerEntryKind;
  amount: number;
  /** True for a refund of goods: the lines' claimed units count as returned. */
  withUnits: boolean;
}

/**
 * Reserves a movement on the order lines of the case and returns what the ledger granted: at most
 * what the lines may still pay back (0 when nothing is left). The case remembers the reservation
 * so that it is committed or released exactly once.
 */
export async function reserveMoney(record: CaseRecord, movement: MoneyMovement): Promise<number> {
  return (await reserveMoneyOrHeld(record, movement)).granted;
}

/** As `reserveMoney`, and whether a line granted nothing because it is held for a person (`held`). */
export async function reserveMoneyOrHeld(record: CaseRecord, movement: MoneyMovement): Promise<{ granted: number; held: boolean }> {
  const result = await ledger.reserveOnLedger.executeWithOptions(
    { summary: `ledger: reserve ${movement.kind} ${movement.amount} ${record.input.request.order.currency} minor units` },
    [reservationInput(record, movement)],
  );
  rememberReservation(record, movement.key, result.lines);
  return { granted: result.granted, held: result.held === true };
}

/** The ledger activities' input for a movement of this case. */
export function reservationInput(record: CaseRecord, movement: MoneyMovement): LedgerReservationInput {
  const { request } = record.input;
  return {
    caseId: record.id,
    orderId: request.orderId,
    currency: request.order.currency,
    items: request.items,
    amount: movement.amount,
    kind: movement.kind,
    key: movement.key,
    withUnits: movement.withUnits,
  };
}

/**
 * Remembers the lines a reservation was asked of, so that it is committed or released exactly
 * once (settling a line that recorded nothing under the key changes nothing).
 */
export function rememberReservation(record: CaseRecord, key: string, lines: { sku: string; granted: number }[]): void {
  const skus = lines.map((line) => line.sku);
  if (skus.length) record.reservations.push({ key, skus, state: 'reserved' });
}

/** Commits (the provider confirmed) or releases (it finally failed, the case ended) a reservation the case holds. */
export async function settleReservation(record: CaseRecord, key: string, state: 'committed' | 'released'): Promise<void> {
  const reservation = record.reservations.find((r) => r.key === key && r.state === 'reserved');
  if (!reservation) return;
  const summary = `ledger: ${state === 'committed' ? 'commit' : 'release'} ${movementLabel(key)}`;
  const input = { orderId: record.input.request.orderId, key, skus: reservation.skus, state };
  try {
    await ledgerFirstTry.settleOnLedger.executeWithOptions({ summary }, [input]);
  } catch (err) {
    // A failed local activity surfaces as an ActivityFailure or, from core, as its ApplicationFailure cause.
    if (!(err instanceof TemporalFailure) || err instanceof CancelledFailure) throw err;
    await ledger.settleOnLedger.executeWithOptions({ summary: `${summary} (retried)` }, [input]);
  }
  reservation.state = state;
}

/** Releases every reservation the case still holds unsettled: it ended without paying them out. */
export async function releaseUnsettledReservations(record: CaseRecord): Promise<void> {
  for (const reservation of record.reservations.filter((r) => r.state === 'reserved')) {
    await settleReservation(record, reservation.key, 'released');
  }
}

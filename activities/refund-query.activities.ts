import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseSnapshot } from '../domain/case.types';
import { caseWorkflowId } from '../domain/ids';
import { refundQueryEventId } from '../domain/keys';
import { paymentEventSignal, type PaymentEvent } from '../domain/workflow-contract';
import { ProviderError } from '../domain/provider-error';
import type { PaymentPort } from './provider-ports';

/** How long a refund waits for its notification before the provider is asked (REFUND_QUERY_AFTER_MS). */
export const DEFAULT_REFUND_QUERY_AFTER_MS = 10 * 60_000;
/** Cases asked about in one run at most: the rest wait for the next run. */
export const REFUND_QUERY_BATCH = 200;

/** What one look-up led to (the `outcome` label of aftersales_refunds_queried_total). */
export type RefundQueryOutcome = 'settled' | 'failed' | 'pending' | 'not_found' | 'amount_mismatch' | 'unsupported' | 'error';

/** What one sweep did: cases asked about, by outcome, and those whose refund was still too recent to ask. */
export type RefundQuerySummary = Record<RefundQueryOutcome, number> & { waiting: number };

/** What the sweep is built from. */
export interface RefundQueryDeps {
  /** Signals the cases (the webhooks' signal, by the case's workflow id). */
  client: Pick<Client, 'workflow'>;
  /** The read model's cases whose refund is `requested` (CaseReadModel.listAwaitingRefundSettlement). */
  cases: { listAwaitingRefundSettlement(limit: number): Promise<CaseSnapshot[]> };
  /** The payment port; without `lookUpRefund` (the sandbox's payment service) the sweep does nothing. */
  payment?: Pick<PaymentPort, 'lookUpRefund'>;
  /** Default age of a `requested` refund before its provider is asked. */
  olderThanMs: number;
  /** Counts each case asked about by outcome. */
  count?(outcome: RefundQueryOutcome): void;
  /** Called per case (the activity heartbeats). */
  progress?(): void;
  now?: () => number;
  log?: { warn(fields: Record<string, unknown>, message: string): void; info(fields: Record<string, unknown>, message: string): void };
}

/** Input of one sweep; `olderThanMs` overrides the configured age. */
export interface SettleStaleRefundsInput {
  olderThanMs?: number;
}

/**
 * The reconciler's refund step: each case whose refund has been `requested` for longer than
 * `olderThanMs` is looked up at the provider that made it. Paid with the case's amount: the case is
 * signalled `succeeded` (event id `<refundId>:query`, so a repeat or a late notification settles
 * nothing twice); failed: signalled `failed` (the case starts its next attempt or asks a person).
 * Paid with another amount, unknown, or still pending: nothing is signalled, it is counted and logged.
 */
export async function settleStaleRefunds(deps: RefundQueryDeps, input: SettleStaleRefundsInput): Promise<RefundQuerySummary> {
  const summary: RefundQuerySummary = { settled: 0, failed: 0, pending: 0, not_found: 0, amount_mismatch: 0, unsupported: 0, error: 0, waiting: 0 };
  const lookUp = deps.payment?.lookUpRefund?.bind(deps.payment);
  if (lookUp === undefined) return summary;
  const now = deps.now?.() ?? Date.now();
  const olderThanMs = input.olderThanMs ?? deps.olderThanMs;
  for (const snapshot of await deps.cases.listAwaitingRefundSettlement(REFUND_QUERY_BATCH)) {
    const refund = snapshot.refund;
    if (snapshot.status !== 'refunding' || refund?.status !== 'requested' || refund.id === undefined) continue;
    if (now - requestedAt(snapshot, refund.id) < olderThanMs) {
      summary.waiting++;
      continue;
    }
    deps.progress?.();
    const outcome = await settleOne(deps, lookUp, snapshot, { id: refund.id, amount: refund.amount, idempotencyKey: refund.idempotencyKey }, now);
    summary[outcome]++;
    deps.count?.(outcome);
  }
  return summary;
}

/** Looks one refund up and signals what the provider's answer allows; never throws. */
async function settleOne(
  deps: RefundQueryDeps,
  lookUp: NonNullable<PaymentPort['lookUpRefund']>,
  snapshot: CaseSnapshot,
  refund: { id: string; amount: number; idempotencyKey: string },
  now: number,
): Promise<RefundQueryOutcome> {
  // Ids and counts only: the snapshot carries personal data.
  const fields = { caseId: snapshot.id, refundId: refund.id };
  let answer;
  try {
    answer = await lookUp({
      orderId: snapshot.orderId,
      refundId: refund.id,
      idempotencyKey: refund.idempotencyKey,
      paymentMethod: snapshot.order.paymentMethod,
      ...(snapshot.order.paymentChannel ? { paymentChannel: snapshot.order.paymentChannel } : {}),
    });
  } catch (err) {
    if (err instanceof ProviderError && err.code === 'not_supported') return 'unsupported';
    deps.log?.warn({ ...fields, error: errorName(err) }, 'refund query: the provider could not be asked');
    return 'error';
  }
  let event: PaymentEvent;
  if (answer.status === 'succeeded') {
    if (answer.amount !== refund.amount) {
      deps.log?.warn({ ...fields, caseAmount: refund.amount, providerAmount: answer.amount ?? null }, 'refund query: the provider paid another amount; not settled, a person must look');
      return 'amount_mismatch';
    }
    event = { eventId: refundQueryEventId(refund.id), refundId: refund.id, status: 'succeeded', at: answer.at ?? new Date(now).toISOString() };
  } else if (answer.status === 'failed') {
    event = { eventId: refundQueryEventId(refund.id), refundId: refund.id, status: 'failed', at: new Date(now).toISOString(), reason: 'provider_reports_failed' };
  } else {
    deps.log?.info({ ...fields, status: answer.status }, 'refund query: not settled at the provider yet');
    return answer.status;
  }
  try {
    await deps.client.workflow.getHandle(caseWorkflowId(snapshot.id)).signal(paymentEventSignal, event);
  } catch (err) {
    deps.log?.warn({ ...fields, error: err instanceof WorkflowNotFoundError ? 'case_not_running' : errorName(err) }, 'refund query: the case could not be signalled');
    return 'error';
  }
  deps.log?.info({ ...fields, status: event.status }, 'refund query: settlement signalled');
  return event.status === 'succeeded' ? 'settled' : 'failed';
}

/**
 * When the case asked the provider for this refund: its `refund.requested` timeline entry (the last,
 * for this refund id), else the snapshot's last change, which is no earlier.
 */
export function requestedAt(snapshot: CaseSnapshot, refundId: string): number {
  for (let i = snapshot.timeline.length - 1; i >= 0; i--) {
    const entry = snapshot.timeline[i];
    if (entry?.event === 'refund.requested' && entry.data?.refundId === refundId) return Date.parse(entry.at);
  }
  return Date.parse(snapshot.updatedAt);
}

/** The error's class and provider code, never its message (which may quote request data). */
function errorName(err: unknown): string {
  if (err instanceof ProviderError) return `${err.name}${err.code ? `:${err.code}` : ''}`;
  return err instanceof Error ? err.name : 'error';
}

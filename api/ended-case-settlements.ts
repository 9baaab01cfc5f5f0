import { Counter, type Registry } from 'prom-client';
import type { CaseSnapshot } from '../domain/case.types';
import type { PaymentEvent } from '../domain/workflow-contract';

/**
 * What a refund settlement reported for a case that has already ended means: `repeat` of the
 * refund the case settled (nothing to do), `nothing_moved` (a failure: no money left the shop), or
 * `unexpected_payment` — the provider says it paid money the case did not record as paid (an
 * attempt the case gave up, or one it recorded as failed). The case can no longer hear it, so the
 * ledger and the provider would disagree in silence: a person must look (docs/observability.md).
 */
export type EndedCaseSettlement = 'repeat' | 'nothing_moved' | 'unexpected_payment';

/** Judges a settlement of an ended case against what its last snapshot recorded (null: no snapshot found). */
export function endedCaseSettlement(snapshot: Pick<CaseSnapshot, 'refund'> | null, event: Pick<PaymentEvent, 'refundId' | 'status'>): EndedCaseSettlement {
  if (event.status !== 'succeeded') return 'nothing_moved';
  const recorded = snapshot?.refund;
  return recorded?.id === event.refundId && recorded.status === 'succeeded' ? 'repeat' : 'unexpected_payment';
}

/** The counter of refunds paid outside their case (`aftersales_refunds_paid_after_case_ended_total`), as the webhooks count them. */
export function refundsPaidAfterCaseEndedCounter(registry: Registry): () => void {
  const counter = new Counter({
    name: 'aftersales_refunds_paid_after_case_ended_total',
    help: 'Refund settlements reported succeeded for a case that had ended without recording that refund as paid: money out the ledger does not show, for a person to check',
    registers: [registry],
  });
  return () => counter.inc();
}

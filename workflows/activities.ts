import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities';

// Every call site gives its activity a one-line `summary` (`<activity>.executeWithOptions({ summary }, [input])`)
// so that an operator reads the case from its history in the Temporal UI. Summaries name templates, clocks,
// amounts and parcels, never personal data. They are user metadata, not commands: adding or rewording one
// does not change what replays (docs/workflow-versioning.md).
//
// Each proxy is typed with only the activities it may call, so that a provider call cannot go through the
// read-model proxy's one-try local options (or the other way round) by mistake.

/** Activities that call the providers (courier, payment, inventory, notification). */
type ProviderActivities = Pick<
  CaseActivities,
  | 'notify'
  | 'createReturnLabel'
  | 'createShipment'
  | 'subscribeTracking'
  | 'openInvestigation'
  | 'issueRefund'
  | 'checkPaymentRecord'
  | 'lookUpRefund'
  | 'lookUpCollection'
  | 'reserveAndRefund'
  | 'issueCoupon'
  | 'collectPayment'
  | 'checkStock'
  | 'lookUpCatalogItem'
>;

/** Provider calls: retried with backoff until they succeed; a provider's permanent refusal is not retried. */
export const providers = proxyActivities<ProviderActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ProviderRejected'] },
});

/**
 * How long the outbox keeps trying one notification (or escalation) before it gives up: longer
 * than any outage the reliability suite tests (60 s) and than a provider's usual incident, short
 * enough that a message still means something when it arrives (docs/decisions.md, "The outbox's
 * deadline"). Past it the case records `notification.failed` and goes on; it never waited anyway.
 */
export const OUTBOX_DEADLINE = '6 hours';

/**
 * The notification outbox's sends (workflows/outbox.ts): retried with the providers' backoff until
 * `OUTBOX_DEADLINE`, a permanent refusal not at all. Nothing in the case awaits them.
 */
export const outbox = proxyActivities<Pick<CaseActivities, 'notify' | 'notifyEscalation'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: OUTBOX_DEADLINE,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ProviderRejected'] },
});

/**
 * Read-model writes: short local activities (one history event each). One try, cut off after 4 s
 * (a healthy write takes milliseconds; a write to a stopped database can hang on its socket), so
 * that a database outage never holds a workflow task open — commands would wait behind it; the
 * projector then backs off on a durable timer and writes the latest version. Both are the old paths
 * of cases started before a patch (workflows/legacy/lean-history.ts, escalation-record-activity.ts).
 */
export const readModel = proxyLocalActivities<Pick<CaseActivities, 'projectCase' | 'recordEscalation'>>({
  startToCloseTimeout: '4 seconds',
  retry: { maximumAttempts: 1 },
});

/** Escalation records for the SLA report: a regular activity, retried until the database is back, without blocking the case. */
export const reports = proxyActivities<Pick<CaseActivities, 'recordEscalation'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The order-line ledger: regular activities retried until the database answers. Money waits for
 * them (no refund is sent before its reservation), so a database outage delays a refund, never
 * doubles one.
 */
export const ledger = proxyActivities<Pick<CaseActivities, 'reserveOnLedger' | 'settleOnLedger'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A ledger commit or release tried first as one short local activity (one history event, inside
 * the workflow task that took the settlement); when it fails the case falls back to `ledger`,
 * retried until the database answers. Like `readModel`, one try cut off after 4 s, so that a
 * database outage never holds a workflow task for long.
 */
export const ledgerFirstTry = proxyLocalActivities<Pick<CaseActivities, 'settleOnLedger'>>({
  startToCloseTimeout: '4 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * The order source, read again before money moves (workflows/delivery-check.ts): retried with
 * backoff for as long as the source cannot answer, whatever the error — a case never pays on a
 * read it could not make.
 */
export const orders = proxyActivities<Pick<CaseActivities, 'readOrderDelivery'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

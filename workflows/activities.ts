import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities';

// Every call site gives its activity a one-line `summary` (`<activity>.executeWithOptions({ summary }, [input])`)
// so that an operator reads the case from its history in the Temporal UI. Summaries name templates, clocks,
// amounts and parcels, never personal data. They are user metadata, not commands: adding or rewording one
// does not change what replays (docs/workflow-versioning.md).

/** Provider calls: retried with backoff until they succeed; a provider's permanent refusal is not retried. */
export const providers = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ProviderRejected'] },
});

/**
 * Read-model writes: short local activities (one history event each). One try, cut off after 4 s
 * (a healthy write takes milliseconds; a write to a stopped database can hang on its socket), so
 * that a database outage never holds a workflow task open — commands would wait behind it; the
 * projector then backs off on a durable timer and writes the latest version.
 */
export const readModel = proxyLocalActivities<CaseActivities>({
  startToCloseTimeout: '4 seconds',
  retry: { maximumAttempts: 1 },
});

/** Escalation records for the SLA report: a regular activity, retried until the database is back, without blocking the case. */
export const reports = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

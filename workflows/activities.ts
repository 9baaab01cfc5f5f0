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

/** Read-model writes: short local activities (one history event each), retried while the database is down. */
export const readModel = proxyLocalActivities<CaseActivities>({
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

import { type ActivateInput, type Next, type WorkflowInternalsInterceptor } from '@temporalio/workflow';
import { sinks } from './sinks';

/**
 * Tells the worker each activation how long the workflow's history is (the sink reads
 * `historyLength` from the workflow info it is given), so a case whose history grows, even by
 * signals that change nothing and publish no snapshot, is seen and alerted on long before the
 * server's limits. A sink call records nothing in the history: replay is unaffected.
 */
export class HistoryWatch implements WorkflowInternalsInterceptor {
  activate(input: ActivateInput, next: Next<WorkflowInternalsInterceptor, 'activate'>): void {
    next(input);
    // One report per activation, not per batch of its jobs (the worker does not call the sink while replaying).
    if (input.batchIndex === 0) sinks.history.observed();
  }
}

import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { CaseSnapshot } from '../domain/case.types';

/** Calls out of the workflow that record nothing in its history; the worker implements them (worker/read-model-publisher.ts). */
export interface CaseSinks extends Sinks {
  readModel: {
    /**
     * The case as this activation left it. The worker writes it to the read model before the
     * workflow task completes (so a crash before the write retries the task, and with it the
     * write), or, while the database fails, queues it and retries in the background.
     */
    caseChanged(snapshot: CaseSnapshot): void;
  };
  history: {
    /** An activation ran: the worker reads the history's length from the workflow info the sink is given (workflows/history-watch.ts). */
    observed(): void;
  };
}

/** The sinks, as the workflow calls them. */
export const sinks = proxySinks<CaseSinks>();

import type { ActivityInput, Next, TimerInput, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import { readable } from '../domain/readable-text';
import { HistoryWatch } from './history-watch';

/**
 * Every activity and timer summary this workflow code writes is made of codes, ids and amounts
 * (never personal data), so it is marked readable: the payload codec leaves it in clear and the
 * Temporal UI shows it without the codec server. Everything else stays encrypted.
 */
class ReadableSummaries implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    const { summary } = input.options;
    return next(summary === undefined ? input : { ...input, options: { ...input.options, summary: readable(summary) } });
  }

  startTimer(input: TimerInput, next: Next<WorkflowOutboundCallsInterceptor, 'startTimer'>) {
    const summary = input.options?.summary;
    return next(summary === undefined ? input : { ...input, options: { ...input.options, summary: readable(summary) } });
  }
}

/** The workflow interceptors of the case worker (WorkerOptions.interceptors.workflowModules); the history watch rides along. */
export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new ReadableSummaries()], internals: [new HistoryWatch()] });

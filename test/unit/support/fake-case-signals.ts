import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { StoreAccess } from '../../../api/store-access';
import type { CaseSnapshot } from '../../../domain/case.types';
import { caseWorkflowId } from '../../../domain/ids';

/**
 * What the provider callback routes need from Temporal and the read model, in memory: a client that
 * records every signal (and knows which cases run or have ended) and a read model that knows which
 * case owns a refund id. Tests set the cases up, call a route, and read `signals`.
 */
export class FakeCaseSignals {
  /** Every signal sent, in order. */
  readonly signals: { workflowId: string; signal: string; payload: unknown }[] = [];
  /** Cases whose workflow runs. */
  readonly running = new Set<string>();
  /** Cases that exist but no longer take signals. */
  readonly ended = new Set<string>();
  /** What the read model answers for a refund id. */
  readonly refundOwners = new Map<string, string>();
  /** The cases' last snapshots in the read model (only what the routes read of them). */
  readonly snapshots = new Map<string, Pick<CaseSnapshot, 'refund'>>();

  readonly client = {
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (definition: { name: string }, payload: unknown) => {
          if (![...this.running].some((id) => caseWorkflowId(id) === workflowId)) throw new WorkflowNotFoundError('not running', workflowId, undefined);
          this.signals.push({ workflowId, signal: definition.name, payload });
        },
        describe: async () => {
          if (![...this.ended].some((id) => caseWorkflowId(id) === workflowId)) throw new WorkflowNotFoundError('no such workflow', workflowId, undefined);
          return { status: { name: 'COMPLETED' } };
        },
      }),
    },
  } as unknown as Client;

  readonly store = {
    get: () => ({
      readModel: {
        findCaseIdByRefundId: async (refundId: string) => this.refundOwners.get(refundId) ?? null,
        getCase: async (id: string) => this.snapshots.get(id) ?? null,
      },
    }),
  } as unknown as StoreAccess;

  /** Forgets every case and signal (call before each test). */
  reset(): void {
    this.signals.length = 0;
    this.running.clear();
    this.ended.clear();
    this.refundOwners.clear();
    this.snapshots.clear();
  }
}

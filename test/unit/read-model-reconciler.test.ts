import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { LiveRouting } from '../../api/live-routing';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';
import { changedCasesQuery, ReadModelReconciler } from '../../store/read-model-reconciler';
import { reconcilerSchedule } from '../../worker/reconciler-schedule';

// The reconciler's decisions over a fake Temporal client (visibility pages and getCase answers)
// and a fake `cases` collection: what counts as drift, what is written, what is left for the
// next run; and how the webhook's live routing bounds its scans.

/** Workflows the fake Temporal knows: case id → snapshot (undefined: the Query fails). */
let workflows: Map<string, Partial<CaseSnapshot> | undefined>;
/** Stored versions of the fake read model. */
let stored: Map<string, number>;
let queries: number;
let listings: number;

function fakeClient(): Client {
  return {
    options: { namespace: 'default' },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflowService: {
      listWorkflowExecutions: async () => {
        listings++;
        return {
          executions: [...workflows.keys()].map((id) => ({ execution: { workflowId: caseWorkflowId(id) }, status: 1 })),
          nextPageToken: new Uint8Array(),
        };
      },
    },
    workflow: {
      getHandle: (workflowId: string) => ({
        query: async () => {
          queries++;
          const id = workflowId.replace(/^case-/, '');
          if (!workflows.has(id)) throw new WorkflowNotFoundError('no such workflow', workflowId, undefined);
          const snapshot = workflows.get(id);
          if (!snapshot) throw new Error('query timed out');
          return { id, shipments: [], refund: null, ...snapshot };
        },
      }),
    },
  } as unknown as Client;
}

const fakeDb = {
  collection: () => ({
    findOne: async ({ _id }: { _id: string }) => (stored.has(_id) ? { _id, version: stored.get(_id) } : null),
  }),
} as unknown as Db;

/** The versioned upsert: writes only a newer version. */
const written: string[] = [];
const target = {
  upsertCase: async (snapshot: CaseSnapshot): Promise<'written' | 'stale'> => {
    if ((stored.get(snapshot.id) ?? 0) >= snapshot.version) return 'stale';
    stored.set(snapshot.id, snapshot.version);
    written.push(`${snapshot.id}@${snapshot.version}`);
    return 'written';
  },
};

beforeEach(() => {
  workflows = new Map();
  stored = new Map();
  written.length = 0;
  queries = 0;
  listings = 0;
});

describe('the read-model reconciler', () => {
  it('lists every case workflow type, running or closed after the watermark', () => {
    const query = changedCasesQuery(new Date('2026-11-29T00:00:00.000Z'));
    for (const type of Object.values(WORKFLOW_TYPE_BY_CASE_TYPE)) expect(query).toContain(`'${type}'`);
    expect(query).toContain("(ExecutionStatus = 'Running' OR CloseTime > '2026-11-29T00:00:00.000Z')");
  });

  it('when a document is missing or behind its workflow, the case is drift and its snapshot is written; an equal or newer document is left alone', async () => {
    workflows = new Map([
      ['missing', { version: 3 }],
      ['behind', { version: 7 }],
      ['equal', { version: 5 }],
      ['ahead', { version: 2 }],
    ]);
    stored = new Map([
      ['behind', 4],
      ['equal', 5],
      ['ahead', 9],
    ]);
    const reconciler = new ReadModelReconciler(fakeClient(), fakeDb, target);
    const outcome = await reconciler.reconcile([...workflows.keys()].map((caseId) => ({ caseId, running: true })));
    expect(outcome).toEqual({ checked: 4, drift: 2, repaired: 2, failed: 0, failedIds: [] });
    expect(written.sort()).toEqual(['behind@7', 'missing@3']);
    expect(stored.get('ahead')).toBe(9);
  });

  it('when a Query does not answer, that case is counted as failed and the others are still repaired', async () => {
    workflows = new Map<string, Partial<CaseSnapshot> | undefined>([
      ['silent', undefined],
      ['behind', { version: 2 }],
    ]);
    const outcome = await new ReadModelReconciler(fakeClient(), fakeDb, target).reconcile([
      { caseId: 'silent', running: true },
      { caseId: 'behind', running: false },
    ]);
    expect(outcome).toEqual({ checked: 1, drift: 1, repaired: 1, failed: 1, failedIds: ['silent'] });
  });

  it('is scheduled every RECONCILE_EVERY with the reconciler workflow on the worker task queue', () => {
    const { spec, action } = reconcilerSchedule('aftersales', '10s');
    expect(spec.intervals).toEqual([{ every: 10_000 }]);
    expect(action).toMatchObject({ type: 'startWorkflow', workflowType: 'readModelReconcilerWorkflow', taskQueue: 'aftersales' });
  });
});

describe("the webhook's live routing", () => {
  it('finds the case of a parcel from the running workflows, and misses arriving together share one scan', async () => {
    workflows = new Map([
      ['c1', { version: 1, shipments: [{ trackingNumber: 'SF1' } as CaseSnapshot['shipments'][number]] }],
      ['c2', { version: 1, refund: { id: 'rf-2' } as CaseSnapshot['refund'] }],
    ]);
    const routing = new LiveRouting(fakeClient(), { maxAgeMs: 5000 });
    const [parcel, refund, unknown] = await Promise.all([routing.casesByTrackingNumber('SF1'), routing.caseByRefundId('rf-2'), routing.casesByTrackingNumber('SF-NONE')]);
    expect({ parcel, refund, unknown }).toEqual({ parcel: ['c1'], refund: 'c2', unknown: [] });
    expect({ listings, queries }).toEqual({ listings: 1, queries: 2 });
  });

  it('scans again once its last scan is older than maxAgeMs, and a failed scan answers no case instead of throwing', async () => {
    let now = 0;
    workflows = new Map([['c1', { version: 1 }]]);
    const routing = new LiveRouting(fakeClient(), { maxAgeMs: 1000 }, () => now);
    await routing.casesByTrackingNumber('SF1');
    now = 500;
    await routing.casesByTrackingNumber('SF1');
    expect(listings).toBe(1);
    now = 1500;
    await routing.casesByTrackingNumber('SF1');
    expect(listings).toBe(2);

    const broken = new LiveRouting({ options: { namespace: 'default' }, workflowService: { listWorkflowExecutions: () => Promise.reject(new Error('unavailable')) } } as unknown as Client);
    const errors: unknown[] = [];
    expect(await broken.casesByTrackingNumber('SF1', (e) => errors.push(e))).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});

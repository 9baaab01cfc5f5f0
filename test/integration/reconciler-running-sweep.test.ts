import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { createReconcilerActivities, requestRunningSweep } from '../../activities/read-model-reconciler.activities';
import { openTestDatabase, type TestDatabase } from './support/test-database';

// Which case workflows a reconciler run compares: closed ones every run, the running ones only
// when a sweep is due (every RECONCILE_RUNNING_EVERY, or asked by a worker start), since each
// running case costs a Query and, when not cached, a replay.

jest.setTimeout(60_000);

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await openTestDatabase('it_sweep');
  ({ db } = database);
});

afterAll(() => database?.close());

/** A Temporal client whose visibility lists two pages of nothing, recording each query and token it is asked. */
function listingClient(asked: { query: string; token: string | null }[]): Client {
  return {
    options: { namespace: 'default' },
    workflowService: {
      listWorkflowExecutions: (request: { query: string; nextPageToken?: Uint8Array }) => {
        const token = request.nextPageToken ? Buffer.from(request.nextPageToken).toString('base64') : null;
        asked.push({ query: request.query, token });
        return Promise.resolve({ executions: [], nextPageToken: token === null ? Buffer.from('page-2') : undefined });
      },
    },
  } as unknown as Client;
}

/** One whole run's listing (every page), then the run's end as the workflow records it. */
async function run(activities: ReturnType<typeof createReconcilerActivities>, asked: { query: string; token: string | null }[]): Promise<string[]> {
  const from = asked.length;
  let pageToken: string | null = null;
  do {
    pageToken = (await activities.reconcileCasePage({ closedAfter: '2026-11-29T00:00:00.000Z', pageToken, pageSize: 100 })).nextPageToken;
  } while (pageToken !== null);
  await activities.saveReconcilerWatermark(new Date().toISOString());
  return asked.slice(from).map((a) => (a.query.includes("ExecutionStatus = 'Running'") ? 'running+closed' : 'closed'));
}

describe('the reconciler compares running cases only when a sweep is due', () => {
  it('after a worker start every page of the next run lists running cases too; the runs after it list closed ones only until the period has passed', async () => {
    const asked: { query: string; token: string | null }[] = [];
    const activities = createReconcilerActivities({ client: listingClient(asked), db, target: { upsertCase: () => Promise.resolve('written' as const) }, runningEveryMs: 3_600_000 });

    await requestRunningSweep(db);
    expect(await run(activities, asked)).toEqual(['running+closed', 'running+closed']);
    // The second page was asked with visibility's own token, the run's choice stripped from it.
    expect(asked[1]?.token).toBe(Buffer.from('page-2').toString('base64'));
    expect(await run(activities, asked)).toEqual(['closed', 'closed']);

    await requestRunningSweep(db);
    expect(await run(activities, asked)).toEqual(['running+closed', 'running+closed']);
  });

  it('a sweep whose run did not complete (some case did not answer) is made again by the next run', async () => {
    const asked: { query: string; token: string | null }[] = [];
    const activities = createReconcilerActivities({ client: listingClient(asked), db, target: { upsertCase: () => Promise.resolve('written' as const) }, runningEveryMs: 3_600_000 });
    await requestRunningSweep(db);
    // The first page of a sweep, then the run fails before its end: no watermark, no completed sweep.
    await activities.reconcileCasePage({ closedAfter: '2026-11-29T00:00:00.000Z', pageToken: null, pageSize: 100 });
    expect(await run(activities, asked)).toEqual(['running+closed', 'running+closed']);
  });
});

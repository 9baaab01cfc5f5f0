import fc from 'fast-check';
import { MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import type { CaseStatus, CaseType } from '../../domain/case.types';
import { toCaseDocument, type CaseDocument } from '../../store/case-document.mapper';
import { compareBsonValues, compareSortKeys, createReadModel, type CaseListQuery } from '../../store/case-read-model.store';
import { Collections, ensureIndexes } from '../../store/mongo';
import { syntheticAgent, syntheticSnapshot } from '../../scripts/bench/snapshots';
import { mongoForTests, uniqueDbName, type TestMongo } from './support/mongo-for-tests';

// The list queries on our patched FerretDB (tools/ferretdb/patches/0002-*): the filter, sort and limit
// reach SQLite's indexes, and the answers stay exactly MongoDB's, compared with an evaluation in this file.

jest.setTimeout(300_000);

let mongo: TestMongo;
let client: MongoClient;
/** The find commands the store sent since the last reset. */
let finds: Document[] = [];

beforeAll(async () => {
  mongo = await mongoForTests();
  client = await MongoClient.connect(mongo.uri, { monitorCommands: true });
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find') finds.push(event.command);
  });
});

afterAll(async () => {
  await client?.close();
  await mongo?.stop();
});

const STATUSES: CaseStatus[] = ['awaiting_review', 'inspecting', 'refunding', 'completed'];
const TYPES: CaseType[] = ['return', 'exchange', 'repair'];
const CUSTOMERS = ['c-1', 'c-2', 'c-3'];
const AGENTS = ['agent.01', 'agent.02'];
const T0 = Date.UTC(2026, 2, 1);

type Doc = Record<string, unknown> & { _id: string };

/** A value of a filter field: mostly one of the pool, sometimes missing, null, another type, or an array. */
function filterValue<T>(pool: readonly T[], odd: boolean): fc.Arbitrary<unknown> {
  const normal = fc.constantFrom(...pool);
  if (!odd) return normal;
  return fc.oneof(
    { weight: 6, arbitrary: normal },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) },
    { weight: 1, arbitrary: fc.array(normal, { maxLength: 2 }) },
  );
}

/** A date of a sort field: few distinct values (ties broken by _id), some far in the future, some before 1970. */
const sortDate = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 5 }).map((h) => new Date(T0 + h * 3_600_000)) },
  { weight: 1, arbitrary: fc.constant(new Date('9999-12-31T23:59:59.999Z')) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((y) => new Date(Date.UTC(2060 + y * 40, 0, 1))) },
  { weight: 1, arbitrary: fc.constant(new Date(-86_400_000)) },
);

/** Documents of the stored case shape (the fields lists read); `odd` mixes in missing fields, nulls, other types and arrays. */
function documents(odd: boolean): fc.Arbitrary<Doc[]> {
  const doc = fc.record({
    id: fc.stringMatching(/^[a-c!~ ]{1,3}$/),
    status: filterValue(STATUSES, odd),
    type: filterValue(TYPES, odd),
    breached: odd ? fc.oneof(fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(1), fc.constant('true')) : fc.boolean(),
    customerId: filterValue(CUSTOMERS, odd),
    assignee: fc.oneof(fc.constantFrom(...AGENTS), fc.constant(null)),
    nextDeadlineSortKey: sortDate,
    createdAtDate: sortDate,
  });
  return fc.uniqueArray(doc, { selector: (d) => d.id, maxLength: 40 }).map((docs) =>
    docs.map(({ id, ...fields }) => {
      const out: Doc = { _id: `cs_${id}` };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
      return out;
    }),
  );
}

const listQuery: fc.Arbitrary<CaseListQuery> = fc
  .record(
    {
      status: fc.subarray(STATUSES, { maxLength: 3 }),
      type: fc.subarray(TYPES, { maxLength: 2 }),
      breached: fc.boolean(),
      customerId: fc.constantFrom(...CUSTOMERS),
      assignee: fc.constantFrom(...AGENTS),
      sort: fc.constantFrom('nextDeadline' as const, 'createdAt' as const),
      order: fc.constantFrom('asc' as const, 'desc' as const),
      limit: fc.integer({ min: 1, max: 6 }),
    },
    { requiredKeys: ['sort', 'limit'] },
  );

/** MongoDB's equality of a stored value with a scalar query value: same type and value, or an element of an array. */
function matchesValue(stored: unknown, wanted: unknown): boolean {
  if (Array.isArray(stored)) return stored.some((element) => matchesValue(element, wanted));
  return typeof stored === typeof wanted && stored === wanted;
}

/** The documents the list query selects, in its order, evaluated here rather than by the database. */
function expectedList(docs: Doc[], query: CaseListQuery): Doc[] {
  const field = query.sort === 'nextDeadline' ? 'nextDeadlineSortKey' : 'createdAtDate';
  const order = query.order ?? (query.sort === 'nextDeadline' ? 'asc' : 'desc');
  const direction = order === 'asc' ? 1 : -1;
  const anyOf = (stored: unknown, wanted: readonly unknown[] | undefined) => !wanted?.length || wanted.some((w) => matchesValue(stored, w));
  return docs
    .filter(
      (d) =>
        anyOf(d.status, query.status) &&
        anyOf(d.type, query.type) &&
        (query.breached === undefined || matchesValue(d.breached, query.breached)) &&
        (query.customerId === undefined || matchesValue(d.customerId, query.customerId)) &&
        (query.assignee === undefined || matchesValue(d.assignee, query.assignee)),
    )
    .sort((a, b) => direction * compareSortKeys(a, b, field));
}

async function freshDb(prefix: string): Promise<Db> {
  const db = client.db(uniqueDbName(prefix));
  await ensureIndexes(db);
  return db;
}

describe('case lists on the patched FerretDB', () => {
  it('when random documents are listed with random filters, sorts and cursors, every page has the same cases in the same order as an in-process evaluation', async () => {
    await fc.assert(
      // A third of the runs mix in odd values: then FerretDB must keep those fields' conditions in Go.
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }).chain((n) => documents(n === 0)), fc.array(listQuery, { minLength: 1, maxLength: 4 }), async (docs, queries) => {
        const db = await freshDb('it_pd');
        try {
          if (docs.length) await db.collection<Doc>(Collections.cases).insertMany(docs);
          const readModel = createReadModel(db);
          for (const query of queries) {
            const expected = expectedList(docs, query).map((d) => d._id);
            const got: string[] = [];
            let cursor: string | undefined;
            // Page to the end: each page must continue where the previous one stopped.
            for (let page = 0; page < 50; page++) {
              const result = await readModel.listCases({ ...query, cursor });
              got.push(...result.items.map((i) => i.id));
              expect(result.items.length).toBeLessThanOrEqual(query.limit);
              if (result.nextCursor === null) break;
              cursor = result.nextCursor;
            }
            if (JSON.stringify(got) !== JSON.stringify(expected)) {
              throw new Error(`listCases(${JSON.stringify(query)}) over ${JSON.stringify(docs)}\n returned ${JSON.stringify(got)}\n expected ${JSON.stringify(expected)}`);
            }
          }
        } finally {
          await db.dropDatabase();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('when a sort field holds mixed types (dates, null, missing, strings, numbers, booleans), a find with a filter, sort and limit answers in MongoDB order', async () => {
    const mixed = fc.oneof(sortDate, fc.constant(null), fc.constant(undefined), fc.constantFrom('a', 'b'), fc.integer({ min: -2, max: 2 }), fc.boolean());
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[a-c]{1,3}$/), status: fc.constantFrom(...STATUSES), key: mixed }), { selector: (d) => d.id, maxLength: 30 }),
        fc.constantFrom(...STATUSES),
        fc.constantFrom(1 as const, -1 as const),
        fc.integer({ min: 1, max: 8 }),
        async (rows, status, direction, limit) => {
          const db = await freshDb('it_pdm');
          try {
            const docs: Doc[] = rows.map(({ id, status: s, key }) => (key === undefined ? { _id: id, status: s } : { _id: id, status: s, nextDeadlineSortKey: key }));
            if (docs.length) await db.collection<Doc>(Collections.cases).insertMany(docs);
            const got = await db
              .collection<Doc>(Collections.cases)
              .find({ status })
              .sort({ nextDeadlineSortKey: direction, _id: direction })
              .limit(limit)
              .toArray();
            const expected = docs
              .filter((d) => d.status === status)
              .sort((a, b) => direction * compareSortKeys(a, b, 'nextDeadlineSortKey'))
              .slice(0, limit);
            expect(got.map((d) => d._id)).toEqual(expected.map((d) => d._id));
          } finally {
            await db.dropDatabase();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the reference order is MongoDB order: missing and null before numbers before strings (by bytes) before booleans before dates', () => {
    const values = [new Date(0), true, 'b', '~', ' ', 3, null, undefined, -1, new Date(-1)];
    // Array.prototype.sort puts undefined last without asking the comparator: sort the positions instead.
    const sorted = values.map((_, i) => i).sort((i, j) => compareBsonValues(values[i], values[j]) || i - j).map((i) => values[i]);
    expect(sorted).toEqual([null, undefined, -1, 3, ' ', 'b', '~', true, new Date(-1), new Date(0)]);
  });
});

describe('query plans of the list queries', () => {
  /** Every list query of GET /v1/cases, each with a second page through its cursor. */
  const queries: [string, CaseListQuery, string][] = [
    ['all cases, by deadline (default queue)', { sort: 'nextDeadline', limit: 20 }, 'nextDeadline'],
    ['by status, by deadline', { status: ['awaiting_review'], sort: 'nextDeadline', limit: 20 }, 'status_nextDeadline'],
    ['by two statuses (one query each), by deadline', { status: ['inspecting', 'refunding'], sort: 'nextDeadline', limit: 20 }, 'status_nextDeadline'],
    ['by type, by creation', { type: ['exchange'], sort: 'createdAt', limit: 50 }, 'createdAt'],
    ['by status and type, by deadline', { status: ['awaiting_review'], type: ['return'], sort: 'nextDeadline', limit: 20 }, 'status_nextDeadline'],
    ['by assignee, by deadline', { assignee: syntheticAgent(7), sort: 'nextDeadline', limit: 20 }, 'assignee_nextDeadline'],
    ['breached, by deadline', { breached: true, sort: 'nextDeadline', limit: 20 }, 'breached_nextDeadline'],
    ['under manual evaluation, by deadline', { manualEvaluation: true, sort: 'nextDeadline', limit: 20 }, 'manualEvaluation_nextDeadline'],
    ["a customer's own, by creation", { customerId: 'c-plan', sort: 'createdAt', limit: 5 }, 'customer_createdAt'],
    ['all cases, by creation', { sort: 'createdAt', limit: 100 }, 'createdAt'],
  ];
  let db: Db;

  beforeAll(async () => {
    db = await freshDb('it_plan');
    const now = Date.now();
    // Every 100th case is one customer's, so that their list has a second page.
    const docs = Array.from({ length: 3000 }, (_, i) => toCaseDocument(syntheticSnapshot(i, now, 'cs_plan_'))).map((d, i) => (i % 100 === 0 ? { ...d, customerId: 'c-plan' } : d));
    await db.collection<CaseDocument>(Collections.cases).insertMany(docs);
  });

  afterAll(async () => {
    await db?.dropDatabase();
  });

  it.each(queries)('%s: filter, sort and limit reach SQLite, which searches the index without sorting', async (_name, query, index) => {
    const readModel = createReadModel(db);
    finds = [];
    const first = await readModel.listCases(query);
    expect(first.nextCursor).not.toBeNull();
    await readModel.listCases({ ...query, cursor: first.nextCursor ?? undefined });
    expect(finds.length).toBeGreaterThanOrEqual(2);
    for (const find of finds) {
      const plan = (await db.command({ explain: { find: find.find, filter: find.filter, sort: find.sort, limit: find.limit } })) as {
        filterPushdown: boolean;
        sortPushdown: boolean;
        limitPushdown: boolean;
        queryPlanner: { Plan: string[] };
      };
      const described = `${JSON.stringify(find.filter)} sorted ${JSON.stringify(find.sort)}: ${JSON.stringify(plan)}`;
      const lines = plan.queryPlanner.Plan.join('\n');
      expect({ described, pushed: [plan.filterPushdown || Object.keys(find.filter as object).length === 0, plan.sortPushdown, plan.limitPushdown] }).toEqual({ described, pushed: [true, true, true] });
      expect({ described, usesIndex: new RegExp(`(SEARCH|SCAN) \\S+ USING INDEX \\S+_${index}\\b`).test(lines), sorts: /TEMP B-TREE/.test(lines) }).toEqual({ described, usesIndex: true, sorts: false });
    }
  });
});

import type { Filter } from 'mongodb';
import type { CaseSnapshot } from '../../../domain/case.types';
import { escalationRecordId } from '../../../domain/keys';
import { toCaseDocument, type CaseDocument } from '../../../store/case-document.mapper';
import { createReadModel, type EscalationDocument } from '../../../store/case-read-model.store';
import { Collections, connectMongo, ensureIndexes } from '../../../store/mongo';
import { SlaReportBuckets } from '../../../store/sla-report.buckets';
import { expectStatus, request } from '../http';
import { syntheticAgent, syntheticCustomer, syntheticSnapshot } from '../snapshots';
import { fmt, max, percentile } from '../stats';
import { mdTable, verdict, type Benchmark, type BenchContext, type BenchOutcome } from './types';

const TOTAL = Number(process.env.BENCH_LIST_CASES ?? 100_000);
const BATCH = 1000;
/** Sizes at which the queries are timed (the last one is the full load). */
const CHECKPOINTS = (process.env.BENCH_LIST_CHECKPOINTS ?? '1000,10000').split(',').map(Number).filter((n) => n > 0 && n < TOTAL);
/** Time box of the bulk load; what is loaded when it ends is what is queried. */
const LOAD_BUDGET_S = Number(process.env.BENCH_LIST_LOAD_S ?? 300);
/** Time box of the queries at the full size (each query is run once, then again round-robin while time remains). */
const QUERY_BUDGET_S = Number(process.env.BENCH_LIST_QUERY_S ?? 240);
/** Timed rounds at a checkpoint, after one untimed round (the API's and FerretDB's first requests warm their caches). */
const REPS_SMALL = 40;
/** Timed rounds at the full size (within its time box): enough samples that a p95 is not one stray request. */
const REPS_FULL = 60;
const TARGET_P95_MS = 50;
/** GET /v1/reports/sla over every case loaded should answer within this. */
const REPORT_TARGET_MS = 1000;
const REPORT_REPS = 20;
/** Cases written again (a newer version) after the compaction: the report reads them from the unfolded tail. */
const TAIL_WRITES = 1000;

interface QueryShape {
  name: string;
  query: Record<string, string>;
  /** The MongoDB filters the store sends for it (store/case-read-model.store.ts listFilter: one per status), for explain. */
  filters: Filter<CaseDocument>[];
  sortField: string;
  direction: 1 | -1;
  /** Page number ≥ 2: fetched with the cursor of the previous page of the same query. */
  page?: number;
}

const review = 'awaiting_review';
const SHAPES: QueryShape[] = [
  { name: 'status=awaiting_review, by deadline', query: { status: review, sort: 'nextDeadline', limit: '20' }, filters: [{ status: review }], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: 'all cases, by deadline (default)', query: { limit: '20' }, filters: [{}], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: `customerId=${syntheticCustomer(42)}, by creation`, query: { customerId: syntheticCustomer(42), sort: 'createdAt' }, filters: [{ customerId: syntheticCustomer(42) }], sortField: 'createdAtDate', direction: -1 },
  { name: 'breached=true, by deadline', query: { breached: 'true', limit: '20' }, filters: [{ breached: true }], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: `assignee=${syntheticAgent(7)}, by deadline`, query: { assignee: syntheticAgent(7), limit: '20' }, filters: [{ assignee: syntheticAgent(7) }], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: 'status=awaiting_review&type=return, by deadline', query: { status: review, type: 'return', limit: '20' }, filters: [{ status: review, type: { $in: ['return'] } }], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: 'type=exchange, by creation, limit 50', query: { type: 'exchange', sort: 'createdAt', limit: '50' }, filters: [{ type: { $in: ['exchange'] } }], sortField: 'createdAtDate', direction: -1 },
  { name: 'status=inspecting,refunding&breached=true', query: { status: 'inspecting,refunding', breached: 'true' }, filters: [{ status: 'inspecting', breached: true }, { status: 'refunding', breached: true }], sortField: 'nextDeadlineSortKey', direction: 1 },
  { name: 'all cases, by creation, limit 100', query: { sort: 'createdAt', limit: '100' }, filters: [{}], sortField: 'createdAtDate', direction: -1 },
  { name: 'status=awaiting_review, page 2 (cursor)', query: { status: review, sort: 'nextDeadline', limit: '20' }, filters: [{ status: review }], sortField: 'nextDeadlineSortKey', direction: 1, page: 2 },
  { name: 'status=awaiting_review, page 3 (cursor)', query: { status: review, sort: 'nextDeadline', limit: '20' }, filters: [{ status: review }], sortField: 'nextDeadlineSortKey', direction: 1, page: 3 },
];

interface ShapeTimings {
  shape: QueryShape;
  ms: number[];
  items: number;
}

/** GET /v1/cases with filters, sorts and cursor pages on a read model bulk-loaded with 100,000 snapshots. */
export const listCasesBenchmark: Benchmark = {
  name: 'list-cases',
  title: 'GET /v1/cases with filters on 100,000 cases',
  async run({ stack, say, runId }: BenchContext): Promise<BenchOutcome> {
    const dbName = 'bench_list';
    const { client: mongo, db } = await connectMongo(stack.mongoUri, dbName);
    // An API of its own on the bulk-loaded database (no worker: nothing runs these cases).
    const app = await stack.startApp({ name: 'list', taskQueue: 'bench-list', mongoDb: dbName, withWorker: false });
    try {
      await ensureIndexes(db);
      const cases = db.collection<CaseDocument>(Collections.cases);
      const escalations = db.collection<EscalationDocument>(Collections.escalations);
      const now = Date.now();
      const prefix = `cs_b${runId}_`;
      const token = stack.tokens.supervisor;
      // The lists are read by the agents in turn, as a desk full of people would: the API allows each token 600 requests a minute.
      let listed = 0;
      const listToken = () => stack.tokens.agents[listed++ % stack.tokens.agents.length];
      // Cursors of the pages of each paged query, filled by page 1 → page 2 → …
      const cursors = new Map<string, string | null>();
      const timeOne = async (shape: QueryShape): Promise<{ ms: number; items: number } | undefined> => {
        const query = new URLSearchParams(shape.query);
        const pageKey = (page: number) => `${JSON.stringify(shape.query)}#${page}`;
        if (shape.page) {
          const cursor = cursors.get(pageKey(shape.page - 1));
          if (!cursor) return undefined; // the previous page was not fetched (or was the last)
          query.set('cursor', cursor);
        }
        const t0 = performance.now();
        const answer = await request<{ items: CaseSnapshot[]; nextCursor: string | null }>('GET', `${app.apiUrl}/v1/cases?${query.toString()}`, { token: listToken(), timeoutMs: 600_000 });
        const ms = performance.now() - t0;
        const page = expectStatus(answer, 200, `GET /v1/cases?${query.toString()}`);
        cursors.set(pageKey(shape.page ?? 1), page.nextCursor);
        return { ms, items: page.items.length };
      };
      /** Every query in turn, `reps` rounds; with a budget, stops starting queries once it is spent (0 = no box). */
      const runShapes = async (budgetMs: number, reps: number): Promise<ShapeTimings[]> => {
        const timings = SHAPES.map((shape) => ({ shape, ms: [] as number[], items: 0 }));
        const end = Date.now() + budgetMs;
        for (let rep = 0; rep < reps; rep++) {
          for (const t of timings) {
            if (budgetMs > 0 && Date.now() > end) return timings;
            const result = await timeOne(t.shape);
            if (result) {
              t.ms.push(result.ms);
              t.items = result.items;
            }
          }
        }
        return timings;
      };

      const load = async (from: number, to: number, deadline: number): Promise<number> => {
        let n = from;
        while (n < to && Date.now() < deadline) {
          const size = Math.min(BATCH, to - n);
          const documents = Array.from({ length: size }, (_, i) => toCaseDocument(syntheticSnapshot(n + i, now, prefix)));
          await cases.insertMany(documents, { ordered: false });
          const breaches = documents.filter((d) => d.breached).map((d) => breachOf(d));
          if (breaches.length) await escalations.insertMany(breaches, { ordered: false });
          n += size;
        }
        return n;
      };

      const checkpoints: { size: number; timings: ShapeTimings[] }[] = [];
      const loadStarted = Date.now();
      const loadDeadline = loadStarted + LOAD_BUDGET_S * 1000;
      let loaded = 0;
      let loadMs = 0;
      for (const size of CHECKPOINTS) {
        const t0 = Date.now();
        loaded = await load(loaded, size, loadDeadline);
        loadMs += Date.now() - t0;
        say(`list-cases: ${loaded} documents loaded; timing every query ${REPS_SMALL}× after one untimed round`);
        await runShapes(0, 1);
        checkpoints.push({ size: loaded, timings: await runShapes(0, REPS_SMALL) });
      }
      const t0 = Date.now();
      let lastSay = Date.now();
      while (loaded < TOTAL && Date.now() < loadDeadline) {
        loaded = await load(loaded, Math.min(TOTAL, loaded + 10 * BATCH), loadDeadline);
        if (Date.now() - lastSay > 20_000) {
          lastSay = Date.now();
          say(`list-cases: ${loaded} documents loaded`);
        }
      }
      loadMs += Date.now() - t0;
      const stored = await cases.estimatedDocumentCount();
      const docsPerSecond = loaded / (loadMs / 1000);
      say(`list-cases: ${loaded} documents loaded in ${fmt(loadMs / 1000)} s (${fmt(docsPerSecond, 0)} docs/s); timing the queries (${QUERY_BUDGET_S} s box)`);
      const full = await runShapes(QUERY_BUDGET_S * 1000, REPS_FULL);

      // The SLA report over every loaded case (90 days): before any compaction (each case read), the first compaction
      // (what a worker's first reconciler run does), then the report from the day buckets, then with an unfolded tail.
      const reportUrl = `${app.apiUrl}/v1/reports/sla?from=${new Date(now - 91 * 86_400_000).toISOString()}&to=${new Date(now + 86_400_000).toISOString()}`;
      const timeReport = async (): Promise<{ ms: number; total: number }> => {
        const t = performance.now();
        const answer = await request<{ cases: { total: number } }>('GET', reportUrl, { token, timeoutMs: 600_000 });
        return { ms: performance.now() - t, total: expectStatus(answer, 200, 'GET /v1/reports/sla').cases.total };
      };
      const timeReports = async (reps: number) => {
        const runs = [];
        for (let i = 0; i < reps; i++) runs.push(await timeReport());
        return { ms: runs.map((r) => r.ms), total: runs[runs.length - 1]?.total ?? 0 };
      };
      say('list-cases: SLA report before any compaction (every case read)');
      const reportDirect = await timeReports(1);
      const compactStarted = performance.now();
      const folded = await new SlaReportBuckets(db).compact();
      const compactMs = performance.now() - compactStarted;
      say(`list-cases: first compaction folded ${folded.cases} cases in ${fmt(compactMs / 1000)} s; timing the report ${REPORT_REPS}×`);
      const reportFolded = await timeReports(REPORT_REPS);
      const readModel = createReadModel(db);
      for (let i = 0; i < TAIL_WRITES; i++) {
        const snapshot = syntheticSnapshot(i * 7, now, prefix);
        await readModel.upsertCase({ ...snapshot, version: snapshot.version + 1 });
      }
      const reportTail = await timeReports(REPORT_REPS);
      const reportP95 = Math.max(percentile(reportFolded.ms, 95), percentile(reportTail.ms, 95));
      const reportMet = reportP95 <= REPORT_TARGET_MS && loaded >= TOTAL;

      // How FerretDB runs the store's filters: explain reports whether filter, sort and limit reach SQLite.
      const explained: (string | number)[][] = [];
      for (const shape of SHAPES.filter((s) => !s.page)) {
        for (const filter of shape.filters) {
          try {
            const plan = (await db.command({
              explain: { find: Collections.cases, filter, sort: { [shape.sortField]: shape.direction, _id: shape.direction }, limit: 21 },
            })) as { filterPushdown?: boolean; sortPushdown?: boolean; limitPushdown?: boolean; queryPlanner?: { Plan?: string[] } };
            explained.push([shape.name, `\`${JSON.stringify(filter)}\``, String(plan.filterPushdown), String(plan.sortPushdown), String(plan.limitPushdown), (plan.queryPlanner?.Plan ?? []).join('; ').replace(/\|/g, '/')]);
          } catch (error) {
            explained.push([shape.name, `\`${JSON.stringify(filter)}\``, 'explain failed', '', '', error instanceof Error ? error.message : String(error)]);
          }
        }
      }

      const measured = full.filter((t) => t.ms.length > 0);
      const worstP95 = max(measured.map((t) => percentile(t.ms, 95)));
      const complete = measured.length === SHAPES.length && loaded >= TOTAL;
      const met = measured.length === 0 ? null : worstP95 <= TARGET_P95_MS ? (complete ? true : null) : false;
      const timingRows = (timings: ShapeTimings[]) =>
        timings.map((t) => [
          t.shape.name,
          t.ms.length,
          t.ms.length ? fmt(percentile(t.ms, 50), 0) : 'not run (time box)',
          t.ms.length ? fmt(percentile(t.ms, 95), 0) : '',
          t.items,
          t.ms.length ? verdict(percentile(t.ms, 95) <= TARGET_P95_MS) : '',
        ]);
      const markdown = [
        `${loaded} realistic case snapshots (\`scripts/bench/snapshots.ts\`: 7 types, ~30 % open with deadlines around now and ~12 % of ` +
          `those breached, 25 assignees, 20,000 customers, 2–5 timeline entries, ≈1.4 KB each) bulk-loaded straight into the read model ` +
          `of a database of their own in documents of exactly the stored shape (\`toCaseDocument\` of store/case-document.mapper.ts, what ` +
          `\`upsertCase\` writes), \`insertMany\` in batches of ${BATCH}, with the read-model indexes in place: ` +
          `${fmt(loadMs / 1000)} s, ${fmt(docsPerSecond, 0)} documents/s (${stored} in the collection)` +
          `${loaded < TOTAL ? `; **the ${LOAD_BUDGET_S} s time box of the load ended at ${loaded} of ${TOTAL}**` : ''}. ` +
          'Then `GET /v1/cases` through an API of its own on that database (agent tokens in turn, no worker). ' +
          `At full size the queries were run round-robin, ${REPS_FULL} rounds or as many as its ${QUERY_BUDGET_S} s time box allowed ` +
          '(a query that was not reached says so); `n` is the number of timed requests; p95 is the nearest-rank percentile (of fewer than 20 samples, their maximum).',
        '',
        `**At ${loaded} cases:**`,
        '',
        mdTable(['query', 'n', 'p50 (ms)', 'p95 (ms)', 'items', `p95 ≤ ${TARGET_P95_MS} ms`], timingRows(full)),
        '',
        ...checkpoints.flatMap((c) => [`At ${c.size} cases (the load paused; the same queries, one untimed round, then ${REPS_SMALL} each):`, '', mdTable(['query', 'n', 'p50 (ms)', 'p95 (ms)', 'items', `p95 ≤ ${TARGET_P95_MS} ms`], timingRows(c.timings)), '']),
        `**Worst p95 ${fmt(worstP95, 0)} ms** at ${loaded} cases (target ≤ ${TARGET_P95_MS} ms: ${met === null ? 'not fully measured' : verdict(met)}` +
          `${met === false ? `, ${fmt(worstP95 / TARGET_P95_MS, 0)}× over` : ''}).`,
        '',
        'What FerretDB does with the store\'s list queries (`explain` on the loaded collection, the filter and sort of `listCases`):',
        '',
        mdTable(['query', 'filter', 'filterPushdown', 'sortPushdown', 'limitPushdown', 'SQLite plan'], explained),
        '',
        `**SLA report** (\`GET /v1/reports/sla\` over the 90 days of all ${loaded} cases and ${await escalations.estimatedDocumentCount()} breach escalations, ` +
          `store/sla-report.buckets.ts): read case by case before any compaction, ${fmt(reportDirect.ms[0] ?? NaN, 0)} ms (${reportDirect.total} cases); ` +
          `the first compaction (what the reconciler's first run does) folded ${folded.cases} cases and ${folded.breaches} breaches into ` +
          `${folded.bucketsWritten} day buckets in ${fmt(compactMs / 1000)} s.`,
        '',
        mdTable(
          ['report read from', 'n', 'first (ms)', 'p50 (ms)', 'p95 (ms)', 'max (ms)', 'cases in it', `p95 ≤ ${REPORT_TARGET_MS} ms`],
          [
            ['day buckets (the first one unpacks them)', reportFolded] as const,
            [`day buckets + ${TAIL_WRITES} cases written since the compaction`, reportTail] as const,
          ].map(([label, r]) => [
            label,
            r.ms.length,
            fmt(r.ms[0] ?? NaN, 0),
            fmt(percentile(r.ms, 50), 0),
            fmt(percentile(r.ms, 95), 0),
            fmt(max(r.ms), 0),
            r.total,
            verdict(percentile(r.ms, 95) <= REPORT_TARGET_MS),
          ]),
        ),
      ].join('\n');
      const p50s = measured.map((t) => percentile(t.ms, 50));
      return {
        summary: [
          {
            benchmark: 'list-cases',
            metric: `GET /v1/cases worst p95 at ${loaded} cases (${measured.length}/${SHAPES.length} queries timed)`,
            value: `${fmt(worstP95, 0)} ms (p50 ${fmt(Math.min(...p50s), 0)}–${fmt(max(p50s), 0)} ms)`,
            target: `p95 ≤ ${TARGET_P95_MS} ms`,
            met,
          },
          {
            benchmark: 'list-cases',
            metric: `GET /v1/reports/sla p95 over ${loaded} cases (buckets; buckets + ${TAIL_WRITES}-case tail)`,
            value: `${fmt(percentile(reportFolded.ms, 95), 0)} ms; ${fmt(percentile(reportTail.ms, 95), 0)} ms (first after the compaction ${fmt(reportFolded.ms[0] ?? NaN, 0)} ms; case by case ${fmt(reportDirect.ms[0] ?? NaN, 0)} ms)`,
            target: `< ${REPORT_TARGET_MS} ms`,
            met: reportMet,
          },
          { benchmark: 'list-cases', metric: 'bulk load into FerretDB', value: `${loaded} docs, ${fmt(docsPerSecond, 0)} docs/s`, target: '', met: null },
          ...checkpoints.map((c) => {
            const worst = max(c.timings.filter((t) => t.ms.length).map((t) => percentile(t.ms, 95)));
            return { benchmark: 'list-cases', metric: `worst p95 at ${c.size} cases`, value: `${fmt(worst, 0)} ms`, target: `p95 ≤ ${TARGET_P95_MS} ms`, met: worst <= TARGET_P95_MS };
          }),
        ],
        markdown,
      };
    } finally {
      await app.stop();
      await mongo.close();
    }
  },
};

/** The level-1 breach escalation a breached synthetic case would have recorded (at its deadline). */
function breachOf(document: CaseDocument): EscalationDocument {
  const at = (document.nextDeadlineAt ?? document.createdAtDate).toISOString();
  return {
    _id: escalationRecordId(document._id, 'review', 1, 'breach'),
    caseId: document._id,
    caseType: document.type,
    assignee: document.assignee,
    clock: 'review',
    level: 1,
    reason: 'breach',
    recipients: [],
    at,
    atDate: new Date(at),
  };
}

import type { Db } from 'mongodb';
import type { EscalationRecord } from '../../activities/provider-ports';
import type { CaseSnapshot, ClockName, ClockState, SlaClockView } from '../../domain/case.types';
import { Collections, ensureIndexes } from '../../store/mongo';
import { createReadModel, InvalidCursorError, type CaseListQuery, type CaseReadModel } from '../../store/case-read-model.store';
import { OpenCaseLocks } from '../../store/open-case-locks.store';
import { SlaReportBuckets } from '../../store/sla-report.buckets';
import { slaReport } from '../../store/sla-report.store';
import { openTestDatabase, type TestDatabase } from './support/test-database';

jest.setTimeout(60_000);

const HOUR = 3_600_000;

let database: TestDatabase;
let db: Db;
let readModel: CaseReadModel;

beforeAll(async () => {
  database = await openTestDatabase('it_store');
  ({ db } = database);
  await ensureIndexes(db); // idempotent: a second start must not fail
  readModel = createReadModel(db);
});

afterAll(() => database?.close());

beforeEach(async () => {
  for (const name of Object.values(Collections)) await db.collection(name).deleteMany({});
});

function snapshot(id: string, overrides: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    id,
    type: 'return',
    status: 'awaiting_review',
    orderId: `order-${id}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 9900 }],
    reason: { code: 'quality_issue', description: 'scratched' },
    evidence: ['https://img.example/1.jpg'],
    order: { paidAt: '2026-02-01T00:00:00.000Z', deliveredAt: '2026-02-03T00:00:00.000Z', paymentMethod: 'online', total: 9900, currency: 'CNY' },
    assignee: null,
    priority: 'normal',
    policyVersion: 'default-2026.1',
    manualEvaluation: false,
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:00:00.000Z',
    closedAt: null,
    sla: [],
    nextDeadline: null,
    breached: false,
    escalation: { level: 0, history: [] },
    refund: null,
    shipments: [],
    outcome: {},
    survey: null,
    timeline: [{ at: '2026-03-01T00:00:00.000Z', actor: { kind: 'customer', id: 'c-1' }, event: 'case.opened' }],
    temporal: { workflowId: `case-${id}` },
    version: 1,
    ...overrides,
  };
}

function clock(name: ClockName, state: ClockState, startedAt: string, stoppedAt?: string, party: 'staff' | 'customer' = 'staff'): SlaClockView {
  const view: SlaClockView = { name, party, budget: '24h', startedAt, deadline: new Date(Date.parse(startedAt) + 24 * HOUR).toISOString(), state, pausedMs: 0 };
  if (stoppedAt) view.stoppedAt = stoppedAt;
  if (state === 'breached') view.breachedAt = view.deadline;
  return view;
}

async function ids(query: CaseListQuery): Promise<string[]> {
  const page = await readModel.listCases(query);
  return page.items.map((c) => c.id);
}

describe('versioned case snapshots', () => {
  it('stores a new case and returns exactly the snapshot, without internal fields', async () => {
    const written = snapshot('v-1', { packagingIntact: true, refund: { amount: 9900, currency: 'CNY', status: 'requested', id: 'rf-1', idempotencyKey: 'k', method: 'original_path' } });
    await expect(readModel.upsertCase(written)).resolves.toBe('written');
    const stored = await readModel.getCase('v-1');
    expect(stored).toEqual(written);
    expect(Object.keys(stored ?? {})).not.toEqual(expect.arrayContaining(['_id']));
    expect(stored).not.toHaveProperty('nextDeadlineSortKey');
    expect(stored).not.toHaveProperty('trackingNumbers');
    await expect(readModel.getCase('unknown')).resolves.toBeNull();
  });

  it('when an older version arrives after a newer one, it is stale and the stored case is unchanged', async () => {
    const v3 = snapshot('v-2', { version: 3, status: 'inspecting' });
    await readModel.upsertCase(snapshot('v-2', { version: 1 }));
    await expect(readModel.upsertCase(v3)).resolves.toBe('written');
    await expect(readModel.upsertCase(snapshot('v-2', { version: 2, status: 'return_in_transit' }))).resolves.toBe('stale');
    await expect(readModel.getCase('v-2')).resolves.toEqual(v3);
  });

  it('when the same version is written twice, the repeat is stale', async () => {
    await expect(readModel.upsertCase(snapshot('v-3', { version: 5 }))).resolves.toBe('written');
    await expect(readModel.upsertCase(snapshot('v-3', { version: 5, status: 'rejected' }))).resolves.toBe('stale');
    expect((await readModel.getCase('v-3'))?.status).toBe('awaiting_review');
  });

  it('when versions race in any order, the newest one stays', async () => {
    const versions = [4, 1, 6, 2, 5, 3];
    await Promise.all(versions.map((v) => readModel.upsertCase(snapshot('v-4', { version: v, updatedAt: `2026-03-01T0${v}:00:00.000Z` }))));
    const stored = await readModel.getCase('v-4');
    expect(stored?.version).toBe(6);
    expect(stored?.updatedAt).toBe('2026-03-01T06:00:00.000Z');
  });

  it('when two processes write the first version of a case at once, neither fails and the case is stored once', async () => {
    const other = createReadModel(db); // a second worker process: no shared in-process ordering
    const first = snapshot('v-5', { version: 1 });
    const results = await Promise.all([readModel.upsertCase(first), other.upsertCase(first), readModel.upsertCase(first), other.upsertCase(first)]);
    expect(results).toContain('written');
    for (const result of results) expect(['written', 'stale']).toContain(result);
    await expect(readModel.getCase('v-5')).resolves.toEqual(first);
    await expect(db.collection(Collections.cases).countDocuments({ _id: 'v-5' as never })).resolves.toBe(1);
  });

  it('a newer version overwrites the stored fields, derived ones included', async () => {
    const v1 = snapshot('v-6', { version: 1, assignee: 'li.wei', refund: { amount: 9900, currency: 'CNY', status: 'requested', id: 'rf-6', idempotencyKey: 'k6', method: 'original_path' } });
    const v2 = snapshot('v-6', { version: 2, assignee: null, status: 'completed', refund: { amount: 9900, currency: 'CNY', status: 'succeeded', id: 'rf-6b', idempotencyKey: 'k6', method: 'original_path' } });
    await expect(readModel.upsertCase(v1)).resolves.toBe('written');
    await expect(readModel.upsertCase(v2)).resolves.toBe('written');
    await expect(readModel.getCase('v-6')).resolves.toEqual(v2);
    await expect(readModel.findCaseIdByRefundId('rf-6b')).resolves.toBe('v-6');
    await expect(readModel.findCaseIdByRefundId('rf-6')).resolves.toBeNull();
  });
  it('a document stored in the older nested shape (before the snapshot became one string) is read as the same snapshot, listed, and replaced by the new shape on its next write', async () => {
    const old = snapshot('v-7', { version: 2, assignee: 'li.wei' });
    const { id, ...fields } = old;
    await db.collection(Collections.cases).insertOne({
      _id: id as never, ...fields, nextDeadlineAt: null, nextDeadlineSortKey: new Date('9999-12-31T23:59:59.999Z'),
      createdAtDate: new Date(old.createdAt), closedAtDate: null, trackingNumbers: [], refundId: null,
    });
    await expect(readModel.getCase('v-7')).resolves.toEqual(old);
    await expect(ids({ sort: 'nextDeadline', assignee: 'li.wei', limit: 10 })).resolves.toEqual(['v-7']);

    const next = snapshot('v-7', { version: 3, assignee: 'li.wei', status: 'inspecting' });
    await expect(readModel.upsertCase(next)).resolves.toBe('written');
    await expect(readModel.getCase('v-7')).resolves.toEqual(next);
    const stored = await db.collection(Collections.cases).findOne({ _id: 'v-7' as never });
    expect(stored).toMatchObject({ status: 'inspecting', version: 3, snapshotJson: JSON.stringify(next) });
    expect(stored).not.toHaveProperty('timeline');
  });
});

describe('case lists', () => {
  beforeEach(async () => {
    const cases = [
      snapshot('l-1', { status: 'awaiting_review', type: 'return', customerId: 'c-1', orderId: 'o-1', assignee: 'li.wei', breached: true, nextDeadline: '2026-03-02T00:00:00.000Z' }),
      snapshot('l-2', { status: 'inspecting', type: 'exchange', customerId: 'c-1', orderId: 'o-2', assignee: 'wang.fang', nextDeadline: '2026-03-01T12:00:00.000Z' }),
      snapshot('l-3', { status: 'completed', type: 'repair', customerId: 'c-2', orderId: 'o-1', assignee: 'li.wei', closedAt: '2026-03-05T00:00:00.000Z' }),
      snapshot('l-4', { status: 'refunding', type: 'return', customerId: 'c-3', orderId: 'o-3', breached: true, nextDeadline: '2026-03-03T00:00:00.000Z' }),
    ];
    for (const c of cases) await readModel.upsertCase(c);
  });

  const base = { sort: 'nextDeadline', limit: 50 } as const;

  it('filters by each field', async () => {
    expect(await ids({ ...base, status: ['awaiting_review', 'refunding'] })).toEqual(['l-1', 'l-4']);
    expect(await ids({ ...base, type: ['return'] })).toEqual(['l-1', 'l-4']);
    expect(await ids({ ...base, breached: true })).toEqual(['l-1', 'l-4']);
    expect(await ids({ ...base, breached: false })).toEqual(['l-2', 'l-3']);
    expect(await ids({ ...base, customerId: 'c-1' })).toEqual(['l-2', 'l-1']);
    expect(await ids({ ...base, orderId: 'o-1' })).toEqual(['l-1', 'l-3']);
    expect(await ids({ ...base, assignee: 'li.wei' })).toEqual(['l-1', 'l-3']);
    expect(await ids({ ...base, assignee: 'li.wei', type: ['repair'] })).toEqual(['l-3']);
    expect(await ids({ ...base, status: [] })).toHaveLength(4);
  });

  it('sorts by next deadline with cases without a deadline last', async () => {
    expect(await ids(base)).toEqual(['l-2', 'l-1', 'l-4', 'l-3']);
    expect(await ids({ ...base, order: 'desc' })).toEqual(['l-3', 'l-4', 'l-1', 'l-2']);
  });

  it('sorts by creation, newest first by default', async () => {
    await readModel.upsertCase(snapshot('l-5', { createdAt: '2026-03-09T00:00:00.000Z' }));
    await readModel.upsertCase(snapshot('l-6', { createdAt: '2026-02-09T00:00:00.000Z' }));
    expect(await ids({ sort: 'createdAt', limit: 50 })).toEqual(['l-5', 'l-4', 'l-3', 'l-2', 'l-1', 'l-6']);
    expect(await ids({ sort: 'createdAt', order: 'asc', limit: 50 })).toEqual(['l-6', 'l-1', 'l-2', 'l-3', 'l-4', 'l-5']);
  });
});

describe('cursor pagination', () => {
  const deadlines = ['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', null, '2026-03-01T00:00:00.000Z'];
  const created = ['2026-03-01T00:00:00.000Z', '2026-03-01T06:00:00.000Z', '2026-03-02T00:00:00.000Z'];
  // 23 cases on 4 deadline values (one of them "none") and 3 creation times: many ties.
  const all = Array.from({ length: 23 }, (_, i) =>
    snapshot(`p-${String((i * 7) % 23).padStart(2, '0')}`, {
      nextDeadline: deadlines[i % deadlines.length] ?? null,
      createdAt: created[i % created.length],
      status: i % 2 ? 'inspecting' : 'awaiting_review',
    }),
  );

  beforeEach(async () => {
    for (const c of all) await readModel.upsertCase(c);
  });

  function expectedOrder(cases: CaseSnapshot[], sort: 'nextDeadline' | 'createdAt', order: 'asc' | 'desc'): string[] {
    const key = (c: CaseSnapshot): string => (sort === 'createdAt' ? c.createdAt : (c.nextDeadline ?? '9999'));
    const sign = order === 'asc' ? 1 : -1;
    return [...cases]
      .sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((c) => c.id);
  }

  async function walk(query: CaseListQuery): Promise<{ seen: string[]; pages: number }> {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await readModel.listCases({ ...query, cursor });
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
      if (pages > 100) throw new Error('pagination does not end');
    } while (cursor);
    return { seen, pages };
  }

  it.each([
    ['nextDeadline', 'asc', 1],
    ['nextDeadline', 'asc', 4],
    ['nextDeadline', 'desc', 5],
    ['createdAt', 'desc', 3],
    ['createdAt', 'asc', 7],
  ] as const)('walks every case exactly once in %s %s order with pages of %i', async (sort, order, limit) => {
    const { seen, pages } = await walk({ sort, order, limit });
    expect(seen).toEqual(expectedOrder(all, sort, order));
    expect(new Set(seen).size).toBe(all.length);
    expect(pages).toBe(Math.ceil(all.length / limit));
  });

  it('walks a filtered list the same way', async () => {
    const { seen } = await walk({ sort: 'nextDeadline', limit: 2, status: ['inspecting'] });
    expect(seen).toEqual(expectedOrder(all.filter((c) => c.status === 'inspecting'), 'nextDeadline', 'asc'));
  });

  it('rejects a malformed cursor or one issued for another sort', async () => {
    await expect(readModel.listCases({ sort: 'nextDeadline', limit: 5, cursor: 'not a cursor!' })).rejects.toBeInstanceOf(InvalidCursorError);
    const garbage = Buffer.from('{"s":"nextDeadline"').toString('base64url');
    await expect(readModel.listCases({ sort: 'nextDeadline', limit: 5, cursor: garbage })).rejects.toBeInstanceOf(InvalidCursorError);
    const badDate = Buffer.from(JSON.stringify({ s: 'nextDeadline', o: 'asc', v: 'yesterday', i: 'p-01' })).toString('base64url');
    await expect(readModel.listCases({ sort: 'nextDeadline', limit: 5, cursor: badDate })).rejects.toBeInstanceOf(InvalidCursorError);
    const { nextCursor } = await readModel.listCases({ sort: 'createdAt', limit: 5 });
    expect(nextCursor).not.toBeNull();
    await expect(readModel.listCases({ sort: 'nextDeadline', limit: 5, cursor: nextCursor as string })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(readModel.listCases({ sort: 'createdAt', order: 'asc', limit: 5, cursor: nextCursor as string })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('webhook look-ups', () => {
  it('finds a case by any of its tracking numbers and by its refund id', async () => {
    await readModel.upsertCase(
      snapshot('w-1', {
        shipments: [
          { direction: 'return', carrier: 'sf', trackingNumber: 'SF100', status: 'in_transit', updatedAt: '2026-03-02T00:00:00.000Z' },
          { direction: 'outbound', carrier: 'sf', trackingNumber: 'SF200', status: 'label_created', updatedAt: '2026-03-03T00:00:00.000Z' },
        ],
        refund: { amount: 9900, currency: 'CNY', status: 'requested', id: 'rf-77', idempotencyKey: 'case-w-1:refund', method: 'original_path' },
      }),
    );
    await readModel.upsertCase(snapshot('w-2'));
    await expect(readModel.findCaseIdByTrackingNumber('SF100')).resolves.toBe('w-1');
    await expect(readModel.findCaseIdByTrackingNumber('SF200')).resolves.toBe('w-1');
    await expect(readModel.findCaseIdByTrackingNumber('SF999')).resolves.toBeNull();
    await expect(readModel.findCaseIdByRefundId('rf-77')).resolves.toBe('w-1');
    await expect(readModel.findCaseIdByRefundId('rf-78')).resolves.toBeNull();
  });
});

describe('escalation records', () => {
  const breach: EscalationRecord = {
    caseId: 'e-1',
    caseType: 'return',
    assignee: 'li.wei',
    clock: 'review',
    level: 1,
    reason: 'breach',
    at: '2026-03-02T00:00:00.000Z',
    recipients: ['team-lead@aftersales.local'],
  };

  it('records a step once however often it is retried', async () => {
    await readModel.recordEscalation(breach);
    await readModel.recordEscalation({ ...breach, recipients: ['someone-else@aftersales.local'] });
    await Promise.all([readModel.recordEscalation(breach), readModel.recordEscalation(breach)]);
    await readModel.recordEscalation({ ...breach, level: 2, recipients: ['manager@aftersales.local'] });
    const stored = await db.collection(Collections.escalations).find({}).sort({ _id: 1 }).toArray();
    expect(stored.map((e) => e._id)).toEqual(['e-1:review:1:breach', 'e-1:review:2:breach']);
    expect(stored[0]).toMatchObject({ recipients: ['team-lead@aftersales.local'], assignee: 'li.wei', atDate: new Date(breach.at) });
  });
});

describe('one open case per order line and type', () => {
  it('builds sorted, distinct, unambiguous keys', () => {
    expect(OpenCaseLocks.keysFor('o:1', [{ sku: 'B' }, { sku: 'A' }, { sku: 'B' }], 'return')).toEqual(['o%3A1:A:return', 'o%3A1:B:return']);
  });

  it('acquires, repeats idempotently, reports a conflict and rolls back, and releases', async () => {
    const locks = readModel.locks;
    const keysA = OpenCaseLocks.keysFor('o-1', [{ sku: 'A' }, { sku: 'B' }], 'return');
    await expect(locks.acquire(keysA, 'case-a')).resolves.toEqual({ acquired: true });
    await expect(locks.acquire(keysA, 'case-a')).resolves.toEqual({ acquired: true });

    const [keyB] = OpenCaseLocks.keysFor('o-1', [{ sku: 'B' }], 'return');
    const [keyC] = OpenCaseLocks.keysFor('o-1', [{ sku: 'C' }], 'return');
    const exchangeB = OpenCaseLocks.keysFor('o-1', [{ sku: 'B' }], 'exchange');
    // C is free and taken first, then B conflicts: C must be given back.
    await expect(locks.acquire([keyC, keyB], 'case-b')).resolves.toEqual({ acquired: false, heldBy: 'case-a' });
    await expect(locks.holderOf(keyC)).resolves.toBeNull();
    await expect(locks.acquire(exchangeB, 'case-b')).resolves.toEqual({ acquired: true });

    await expect(locks.releaseKey(keyB, 'case-x')).resolves.toBe(false);
    await expect(locks.holderOf(keyB)).resolves.toBe('case-a');
    await readModel.releaseOpenCaseLocks('case-a');
    await expect(locks.holderOf(keyB)).resolves.toBeNull();
    await expect(locks.acquire([keyB], 'case-c')).resolves.toEqual({ acquired: true });
    await expect(locks.releaseKey(keyB, 'case-c')).resolves.toBe(true);
    await locks.release('case-b');
    expect(await db.collection(Collections.openCaseLocks).countDocuments({})).toBe(0);
  });

  it('never lets two racing cases both take a line', async () => {
    const keys = OpenCaseLocks.keysFor('o-9', [{ sku: 'A' }, { sku: 'B' }, { sku: 'C' }], 'return');
    const results = await Promise.all([readModel.locks.acquire(keys, 'race-1'), readModel.locks.acquire([...keys].reverse(), 'race-2')]);
    const winners = results.filter((r) => r.acquired);
    expect(winners.length).toBeLessThanOrEqual(1);
    const holders = await db.collection(Collections.openCaseLocks).distinct('caseId');
    expect(holders.length).toBeLessThanOrEqual(1);
  });
});

/** Moves every write so far back by `ms`, as if it had happened that long ago (the SLA report's tail is by write time). */
async function ageWrites(ms: number): Promise<void> {
  for (const name of [Collections.cases, Collections.escalations]) {
    for (const document of await db.collection(name).find({}).toArray()) {
      await db.collection(name).updateOne({ _id: document._id }, { $set: { writtenAt: new Date(Date.now() - ms) } });
    }
  }
}

/** An earlier state of a case: still under review, nothing measured yet (version one lower). */
function earlierVersionOf(c: CaseSnapshot): CaseSnapshot {
  return { ...c, version: c.version - 1, status: 'awaiting_review', closedAt: null, sla: [clock('review', 'running', c.createdAt)], survey: null, timeline: [] };
}

/**
 * How a report reads its data: from the cases themselves before any compaction, from the day
 * buckets after one, or from the buckets plus what was written after it (an older version of some
 * cases and some breaches folded, the final ones written since).
 */
const REPORT_READ_PATHS: [string, (cases: CaseSnapshot[], escalations: EscalationRecord[]) => Promise<void>][] = [
  [
    'read from the cases (no compaction yet)',
    async (cases, escalations) => {
      for (const s of cases) await readModel.upsertCase(s);
      for (const e of escalations) await readModel.recordEscalation(e);
    },
  ],
  [
    'read from the day buckets after a compaction',
    async (cases, escalations) => {
      for (const s of cases) await readModel.upsertCase(s);
      for (const e of escalations) await readModel.recordEscalation(e);
      await ageWrites(HOUR);
      const folded = await new SlaReportBuckets(db).compact();
      // Every level-1 breach once: the retried record is one document.
      const breaches = new Set(escalations.filter((e) => e.reason === 'breach' && e.level === 1).map((e) => `${e.caseId}:${e.clock}`));
      expect(folded).toMatchObject({ cases: cases.length, breaches: breaches.size });
    },
  ],
  [
    'read from the buckets plus the cases and breaches written after the compaction',
    async (cases, escalations) => {
      const half = Math.floor(cases.length / 2);
      for (const s of cases.slice(0, half)) await readModel.upsertCase(s);
      for (const s of cases.slice(half)) await readModel.upsertCase(earlierVersionOf(s));
      for (const e of escalations.slice(0, 3)) await readModel.recordEscalation(e);
      await ageWrites(HOUR);
      await new SlaReportBuckets(db).compact();
      for (const s of cases.slice(half)) await readModel.upsertCase(s);
      for (const e of escalations.slice(3)) await readModel.recordEscalation(e);
    },
  ],
];

describe.each(REPORT_READ_PATHS)('SLA report, %s', (_path, write) => {
  const from = new Date('2026-03-01T00:00:00.000Z');
  const to = new Date('2026-04-01T00:00:00.000Z');
  const at = (iso: string, plusHours = 0): string => new Date(Date.parse(iso) + plusHours * HOUR).toISOString();

  beforeEach(async () => {
    const a = '2026-03-01T00:00:00.000Z'; // exactly `from`: included
    const b = '2026-03-05T00:00:00.000Z';
    const c = '2026-03-10T00:00:00.000Z';
    const d = '2026-03-11T00:00:00.000Z';
    const e = '2026-03-12T00:00:00.000Z';
    const f = '2026-03-15T00:00:00.000Z';
    const cases = [
      // A: no-reason return, first-time resolution, 48h, review 6h.
      snapshot('r-a', {
        type: 'return', status: 'completed', reason: { code: 'no_reason' }, createdAt: a, closedAt: at(a, 48),
        sla: [clock('review', 'met', a, at(a, 6)), clock('processing', 'met', at(a, 20), at(a, 30)), clock('refund', 'met', at(a, 30), at(a, 40))],
        survey: { score: 5, at: at(a, 50) },
      }),
      // B: quality return with a customer-info round trip and a breached review (30h), 96h.
      snapshot('r-b', {
        type: 'return', status: 'completed', reason: { code: 'quality_issue' }, createdAt: b, closedAt: at(b, 96), assignee: 'li.wei',
        sla: [clock('review', 'breached', b, at(b, 30)), clock('customer_info', 'met', at(b, 10), at(b, 20), 'customer'), clock('processing', 'met', at(b, 40), at(b, 60))],
        survey: { score: 3, at: at(b, 100) },
      }),
      // C: open exchange, review 2h, processing still running.
      snapshot('r-c', {
        type: 'exchange', status: 'shipping_replacement', reason: { code: 'size_fit' }, createdAt: c,
        sla: [clock('review', 'met', c, at(c, 2)), clock('processing', 'running', at(c, 30))],
      }),
      // D: repair that failed verification once, review 4h, 240h.
      snapshot('r-d', {
        type: 'repair', status: 'completed', createdAt: d, closedAt: at(d, 240),
        sla: [clock('review', 'met', d, at(d, 4))],
        timeline: [
          { at: d, actor: { kind: 'customer', id: 'c-1' }, event: 'case.opened' },
          { at: at(d, 100), actor: { kind: 'agent', id: 'repair-center' }, event: 'repair.result', data: { outcome: 'repaired', verified: false } },
        ],
        survey: { score: 4, at: at(d, 241) },
      }),
      // E: complaint resolved in 12h.
      snapshot('r-e', {
        type: 'complaint', status: 'completed', createdAt: e, closedAt: at(e, 12),
        sla: [clock('resolution', 'met', e, at(e, 12))],
        survey: { score: 2, at: at(e, 13) },
      }),
      // F: no-reason return cancelled after 1h while under review: closing stopped its review clock ("met" at closedAt).
      snapshot('r-f', {
        type: 'return', status: 'cancelled', reason: { code: 'no_reason' }, createdAt: f, closedAt: at(f, 1),
        sla: [clock('review', 'met', f, at(f, 1))],
        timeline: [{ at: at(f, 1), actor: { kind: 'customer', id: 'c-1' }, event: 'case.cancelled', data: { from: 'awaiting_review', to: 'cancelled' } }],
      }),
      // Outside the range: before `from` and exactly at `to`.
      snapshot('r-old', {
        type: 'return', status: 'completed', reason: { code: 'no_reason' }, createdAt: '2026-02-27T00:00:00.000Z', closedAt: '2026-02-28T00:00:00.000Z',
        sla: [clock('review', 'breached', '2026-02-27T00:00:00.000Z', '2026-02-28T06:00:00.000Z')], survey: { score: 1, at: '2026-02-28T01:00:00.000Z' },
      }),
      snapshot('r-next', { type: 'complaint', status: 'completed', createdAt: to.toISOString(), closedAt: at(to.toISOString(), 1), survey: { score: 1, at: at(to.toISOString(), 2) } }),
    ];

    const step = (caseId: string, clockName: ClockName, level: number, reason: 'warning' | 'breach', when: string, assignee: string | null): EscalationRecord => ({
      caseId, caseType: 'return', assignee, clock: clockName, level, reason, at: when, recipients: ['team-lead@aftersales.local'],
    });
    const escalations = [
      step('r-b', 'review', 1, 'breach', '2026-03-06T00:00:00.000Z', 'li.wei'),
      step('r-b', 'review', 1, 'breach', '2026-03-06T00:00:00.000Z', 'li.wei'), // retried activity
      step('r-b', 'review', 0, 'warning', '2026-03-05T19:12:00.000Z', 'li.wei'),
      step('r-b', 'review', 2, 'breach', '2026-03-06T04:00:00.000Z', 'li.wei'),
      step('r-c', 'processing', 1, 'breach', '2026-03-20T00:00:00.000Z', null),
      step('r-d', 'processing', 1, 'breach', '2026-03-31T23:59:59.999Z', 'wang.fang'),
      step('r-old', 'review', 1, 'breach', '2026-02-28T00:00:00.000Z', 'li.wei'),
      step('r-next', 'resolution', 1, 'breach', '2026-04-01T00:00:00.000Z', 'li.wei'),
      step('r-a', 'refund', 1, 'breach', '2026-03-01T17:30:00.000Z', 'wang.fang'), // 01:30 on 2 March in Beijing
    ];
    await write(cases, escalations);
  });

  it('computes the KPIs of the cases created in [from, to)', async () => {
    const report = await slaReport(db, { from, to });
    expect(report.range).toEqual({ from: from.toISOString(), to: to.toISOString() });
    expect(report.cases).toEqual({ total: 6, closed: 5 });

    // review: A, C, D met; B breached → 3 of 4 on time; F's was ended by the cancellation, not met
    expect(report.clocks.review).toEqual({ party: 'staff', total: 4, met: 3, breached: 1, endedByClosing: 1, open: 0, onTimeRate: 0.75 });
    // processing: A, B met; C still running → open, not in the rate
    expect(report.clocks.processing).toEqual({ party: 'staff', total: 2, met: 2, breached: 0, endedByClosing: 0, open: 1, onTimeRate: 1 });
    expect(report.clocks.refund).toMatchObject({ total: 1, met: 1, onTimeRate: 1 });
    expect(report.clocks.customer_info).toMatchObject({ party: 'customer', total: 1, met: 1 });
    expect(report.clocks.resolution).toMatchObject({ total: 1, met: 1 });

    // level-1 breaches in range: B review (once despite the retry), C processing (unassigned), D processing, A refund
    expect(report.breaches).toEqual({
      total: 4,
      byClock: { review: 1, processing: 2, refund: 1 },
      byAssignee: { 'li.wei': 1, '(unassigned)': 1, 'wang.fang': 2 },
    });

    // first responses: reviews 6h, 30h (late), 2h, 4h and E's complaint resolution 12h; F's cancelled review is no response
    expect(report.responseTime).toMatchObject({ count: 5, meanMs: 10.8 * HOUR, medianMs: 6 * HOUR, p90Ms: 30 * HOUR, withinTarget: 4, late: 1, withinTargetRate: 0.8 });
    expect(report.responseTime.byClock.review).toMatchObject({ count: 4, meanMs: 10.5 * HOUR, medianMs: 5 * HOUR, withinTarget: 3, late: 1 });
    expect(report.responseTime.byClock.resolution).toMatchObject({ count: 1, meanMs: 12 * HOUR, withinTarget: 1 });

    // returns closed: A 48h, B 96h, F 1h; repair D 240h; complaint E 12h; the open exchange has none
    expect(report.handlingTime.return).toEqual({ count: 3, meanMs: (145 / 3) * HOUR, medianMs: 48 * HOUR, p90Ms: 96 * HOUR });
    expect(report.handlingTime.repair).toEqual({ count: 1, meanMs: 240 * HOUR, medianMs: 240 * HOUR, p90Ms: 240 * HOUR });
    expect(report.handlingTime.complaint).toEqual({ count: 1, meanMs: 12 * HOUR, medianMs: 12 * HOUR, p90Ms: 12 * HOUR });
    expect(report.handlingTime.exchange).toBeUndefined();

    // completed: A, B, D, E; B had a customer-info round trip, D a failed repair verification
    expect(report.firstTimeResolution).toEqual({ completed: 4, firstTime: 2, rate: 0.5 });

    // scores 5, 3, 4, 2 → mean 3.5, two of four ≥ 4; the complaint scored 2
    expect(report.satisfaction).toEqual({
      surveys: 4,
      meanScore: 3.5,
      satisfiedRate: 0.5,
      complaints: { surveys: 1, meanScore: 2, satisfiedRate: 0 },
    });

    // change of mind: returns A and F (no_reason), exchange C (size_fit); no delivered-order count → no rate
    expect(report.noReasonReturnsAndExchanges).toMatchObject({ count: 3, returns: 2, exchanges: 1, base: 'unknown', deliveredOrders: null, rate: null });
  });

  it('counts each breach on the Beijing day it happened, lists every day of the range and adds the days up to the totals', async () => {
    const report = await slaReport(db, { from, to });
    // [1 March 00:00Z, 1 April 00:00Z) runs from 08:00 on 1 March to 08:00 on 1 April in Beijing: 32 days.
    expect(report.breachesByDay).toHaveLength(32);
    expect([report.breachesByDay[0].day, report.breachesByDay[31].day]).toEqual(['2026-03-01', '2026-04-01']);
    expect(report.breachesByDay.filter((d) => d.total > 0)).toEqual([
      { day: '2026-03-02', total: 1, byClock: { refund: 1 }, byAssignee: { 'wang.fang': 1 } }, // 2026-03-01T17:30Z
      { day: '2026-03-06', total: 1, byClock: { review: 1 }, byAssignee: { 'li.wei': 1 } },
      { day: '2026-03-20', total: 1, byClock: { processing: 1 }, byAssignee: { '(unassigned)': 1 } },
      { day: '2026-04-01', total: 1, byClock: { processing: 1 }, byAssignee: { 'wang.fang': 1 } }, // 2026-03-31T23:59:59.999Z
    ]);
    const sum = (pick: (d: (typeof report.breachesByDay)[number]) => Record<string, number | undefined>) =>
      report.breachesByDay.reduce<Record<string, number>>((acc, d) => {
        for (const [key, n] of Object.entries(pick(d))) acc[key] = (acc[key] ?? 0) + (n ?? 0);
        return acc;
      }, {});
    expect({ total: report.breachesByDay.reduce((n, d) => n + d.total, 0), byClock: sum((d) => d.byClock), byAssignee: sum((d) => d.byAssignee) }).toEqual(report.breaches);
  });

  it('gives the no-reason return and exchange rate over the delivered orders the shop passes', async () => {
    const report = await slaReport(db, { from, to, deliveredOrders: 60 });
    expect(report.noReasonReturnsAndExchanges).toMatchObject({ count: 3, base: 'delivered_orders', deliveredOrders: 60, rate: 0.05, targetRate: 0.05, targetMet: false });
  });

  it('reports empty figures as zero counts and null rates', async () => {
    const report = await slaReport(db, { from: new Date('2030-01-01T00:00:00.000Z'), to: new Date('2030-02-01T00:00:00.000Z') });
    expect(report.cases).toEqual({ total: 0, closed: 0 });
    expect(report.clocks).toEqual({});
    expect(report.breaches).toEqual({ total: 0, byClock: {}, byAssignee: {} });
    expect(report.breachesByDay).toHaveLength(32);
    expect(report.breachesByDay.every((d) => d.total === 0 && Object.keys(d.byClock).length === 0 && Object.keys(d.byAssignee).length === 0)).toBe(true);
    expect(report.firstTimeResolution.rate).toBeNull();
    expect(report.satisfaction.meanScore).toBeNull();
    expect(report.noReasonReturnsAndExchanges.rate).toBeNull();
    expect(report.responseTime).toEqual({ count: 0, meanMs: null, medianMs: null, p90Ms: null, withinTarget: 0, late: 0, withinTargetRate: null, byClock: {} });
  });
});

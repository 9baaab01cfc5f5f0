import fc from 'fast-check';
import type { Db, MongoClient } from 'mongodb';
import type { EscalationRecord } from '../../activities/provider-ports';
import type { CaseSnapshot } from '../../domain/case.types';
import { syntheticSnapshot } from '../../scripts/bench/snapshots';
import { createReadModel } from '../../store/case-read-model.store';
import { Collections, connectMongo, ensureIndexes } from '../../store/mongo';
import { SlaReportBuckets } from '../../store/sla-report.buckets';
import { beijingDate } from '../../domain/beijing-time';
import { computeSlaReport, UNASSIGNED, type SlaReport } from '../../store/sla-report.metrics';
import { slaReport } from '../../store/sla-report.store';
import { mongoForTests, uniqueDbName, type TestMongo } from './support/mongo-for-tests';

jest.setTimeout(300_000);

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-30T16:00:00.000Z');

let mongo: TestMongo;
let client: MongoClient;

beforeAll(async () => {
  mongo = await mongoForTests();
  ({ client } = await connectMongo(mongo.uri, 'admin'));
});

afterAll(async () => {
  await client?.close();
  await mongo?.stop();
});

/** One step of the read model's life: cases written (a version each), breaches recorded, compactions (some side by side), an hour passing. */
type Step =
  | { kind: 'write'; cases: { n: number; version: number }[] }
  | { kind: 'breach'; n: number; hoursAfterCreation: number }
  | { kind: 'compact'; side: 1 | 2 }
  | { kind: 'age' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), cases: fc.array(fc.record({ n: fc.integer({ min: 0, max: 40 }), version: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('breach' as const), n: fc.integer({ min: 0, max: 40 }), hoursAfterCreation: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('compact' as const), side: fc.constantFrom(1 as const, 2 as const) }),
  fc.constant({ kind: 'age' as const }),
);

/** Case `n` at `version`: a synthetic case whose later versions close it, so versions differ in what the report counts. */
function caseAt(n: number, version: number): CaseSnapshot {
  const base = syntheticSnapshot(n, NOW, 'cs_rb_');
  if (version < 3) return { ...base, version, status: 'awaiting_review', closedAt: null, survey: null };
  return { ...base, version, survey: version === 4 ? { score: 1 + (n % 5), at: base.updatedAt } : null };
}

/**
 * The breaches per Beijing day counted straight from the breach records, one day at a time: every
 * day of the range, oldest first, each breach on the Beijing date of its `at`.
 */
function breachesPerDay(range: { from: Date; to: Date }, breaches: readonly EscalationRecord[]): SlaReport['breachesByDay'] {
  const days: SlaReport['breachesByDay'] = [];
  for (let t = range.from.getTime(); beijingDate(t) <= beijingDate(range.to.getTime() - 1); t += DAY) {
    const own = breaches.filter((b) => beijingDate(Date.parse(b.at)) === beijingDate(t));
    const byClock: Record<string, number> = {};
    const byAssignee: Record<string, number> = {};
    for (const b of own) {
      byClock[b.clock] = (byClock[b.clock] ?? 0) + 1;
      byAssignee[b.assignee ?? UNASSIGNED] = (byAssignee[b.assignee ?? UNASSIGNED] ?? 0) + 1;
    }
    days.push({ day: beijingDate(t), total: own.length, byClock, byAssignee });
  }
  return days;
}

/** An hour passes: every write time and the compaction's watermark move an hour into the past. */
async function anHourPasses(db: Db): Promise<void> {
  for (const [name, field] of [[Collections.cases, 'writtenAt'], [Collections.escalations, 'writtenAt'], [Collections.reportState, 'at']] as const) {
    for (const document of await db.collection(name).find({}).toArray()) {
      const when = document[field] as Date | undefined;
      if (when) await db.collection(name).updateOne({ _id: document._id }, { $set: { [field]: new Date(when.getTime() - 3_600_000) } });
    }
  }
}

describe('SLA report day buckets', () => {
  it('whatever the order of writes, breaches, compactions (two at once included) and time, the report, its breaches per Beijing day included, equals one computed from the latest version of every case', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const db = client.db(uniqueDbName('it_rb'));
        await ensureIndexes(db);
        const readModel = createReadModel(db);
        const buckets = new SlaReportBuckets(db);
        const latest = new Map<string, CaseSnapshot>();
        const breaches = new Map<string, EscalationRecord>();
        try {
          for (const s of steps) {
            if (s.kind === 'write') {
              for (const { n, version } of s.cases) {
                const snapshot = caseAt(n, version);
                if ((await readModel.upsertCase(snapshot)) === 'written') latest.set(snapshot.id, snapshot);
              }
            } else if (s.kind === 'breach') {
              const c = syntheticSnapshot(s.n, NOW, 'cs_rb_');
              const record: EscalationRecord = {
                caseId: c.id, caseType: c.type, assignee: c.assignee, clock: 'review', level: 1, reason: 'breach',
                at: new Date(Date.parse(c.createdAt) + s.hoursAfterCreation * 3_600_000).toISOString(), recipients: [],
              };
              await readModel.recordEscalation(record);
              breaches.set(c.id, breaches.get(c.id) ?? record);
            } else if (s.kind === 'compact') {
              await Promise.all(Array.from({ length: s.side }, () => buckets.compact()));
            } else {
              await anHourPasses(db);
            }
          }
          // One range on Beijing midnights (NOW is one), one that starts and ends within a Beijing day.
          for (const range of [
            { from: new Date(NOW - 60 * DAY), to: new Date(NOW - 10 * DAY) },
            { from: new Date(NOW - 45 * DAY - 5 * 3_600_000), to: new Date(NOW - 20 * DAY + 7 * 3_600_000) },
          ]) {
            const inRange = (iso: string) => Date.parse(iso) >= range.from.getTime() && Date.parse(iso) < range.to.getTime();
            const breachesInRange = [...breaches.values()].filter((b) => inRange(b.at));
            const expected = computeSlaReport(
              range,
              [...latest.values()].filter((c) => inRange(c.createdAt)),
              breachesInRange,
            );
            const got = await slaReport(db, range);
            // toEqual ignores the order of object keys, which follows the order cases were read in.
            expect({ steps, range, report: got }).toEqual({ steps, range, report: expected });
            // The day series against the breach records themselves, not against the report's own arithmetic.
            expect({ steps, range, breachesByDay: got.breachesByDay }).toEqual({ steps, range, breachesByDay: breachesPerDay(range, breachesInRange) });
            expect(got.breachesByDay.reduce((sum, d) => sum + d.total, 0)).toBe(got.breaches.total);
          }
        } finally {
          await db.dropDatabase();
        }
      }),
      { numRuns: 40 },
    );
  });
});

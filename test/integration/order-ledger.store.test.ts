import fc from 'fast-check';
import type { Db, MongoClient } from 'mongodb';
import { ledgerVersionId as versionId, lineKey } from '../../domain/keys';
import { checkClaimAgainstLedger } from '../../domain/ledger-claim-check';
import { lineFactsOf, lineTotals, type OrderLine, type OrderLineFacts, type ReservationRequest } from '../../domain/order-ledger';
import { Collections, connectMongo, ensureIndexes } from '../../store/mongo';
import type { CaseItem, CaseSnapshot } from '../../domain/case.types';
import { OpenCaseLocks } from '../../store/open-case-locks.store';
import { createReadModel } from '../../store/case-read-model.store';
import { backfillLedger } from '../../store/order-ledger.backfill';
import { OrderLedgerStore } from '../../store/order-ledger.store';
import { everyUnitBack, ledgerActivities, orderShape, partialClaims, runClaim, unitsWorthAFen } from '../unit/support/ledger-claims';
import { mongoForTests, uniqueDbName, type TestMongo } from './support/mongo-for-tests';

// The order-line ledger against the real FerretDB of the integration stack (or a private one):
// its reservations must stay capped when many writers race for one line, because FerretDB's
// conditional updates are not atomic and only the unique _id of an insert is.

jest.setTimeout(60_000);

let mongo: TestMongo;
let client: MongoClient;
let db: Db;
let ledger: OrderLedgerStore;
let orderCounter = 0;

beforeAll(async () => {
  mongo = await mongoForTests();
  ({ client, db } = await connectMongo(mongo.uri, uniqueDbName('it_ledger')));
  await ensureIndexes(db);
  ledger = new OrderLedgerStore(db);
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
  await mongo?.stop();
});

/** A fresh order line: `units` units bought for `amountPaid` in total. */
function line(amountPaid: number, units = 1): OrderLineFacts {
  return { orderId: `O-LEDGER-${++orderCounter}`, sku: 'SKU-1', currency: 'CNY', unitsBought: units, amountPaid };
}

function refund(key: string, amount: number, units = 0, caseId = `cs_${key}`): ReservationRequest {
  return { key, caseId, kind: 'refund', amount, units, at: new Date().toISOString() };
}

async function theLine(facts: OrderLineFacts): Promise<OrderLine> {
  const found = (await ledger.orderLines(facts.orderId)).find((l) => l.sku === facts.sku);
  if (!found) throw new Error(`the ledger has no line ${facts.orderId}/${facts.sku}`);
  return found;
}

describe('reserving on an order line', () => {
  it('grants at most what is left of the price, then nothing', async () => {
    const facts = line(19_900, 1);
    expect(await ledger.reserve(facts, refund('a', 15_000))).toEqual({ granted: 15_000, held: false });
    expect(await ledger.reserve(facts, refund('b', 15_000))).toEqual({ granted: 4_900, held: false });
    expect(await ledger.reserve(facts, refund('c', 100))).toEqual({ granted: 0, held: false });
    const totals = lineTotals(await theLine(facts));
    expect(totals).toMatchObject({ reserved: 19_900, refunded: 0, refundable: 0 });
  });

  it('answers a repeated key with its first grant and adds nothing', async () => {
    const facts = line(10_000);
    expect(await ledger.reserve(facts, refund('same', 6_000))).toEqual({ granted: 6_000, held: false });
    expect(await ledger.reserve(facts, refund('same', 6_000))).toEqual({ granted: 6_000, held: false });
    const stored = await theLine(facts);
    expect(stored.entries.map((e) => e.key)).toEqual(['same']);
    expect(lineTotals(stored).refundable).toBe(4_000);
  });

  it('keeps the first facts of a line when a later case states others', async () => {
    const facts = line(10_000, 2);
    await ledger.reserve(facts, refund('first', 1_000, 1));
    await ledger.reserve({ ...facts, unitsBought: 5, amountPaid: 99_999 }, refund('second', 1_000, 1));
    expect(await theLine(facts)).toMatchObject({ unitsBought: 2, amountPaid: 10_000 });
  });
});

describe('settling a reservation', () => {
  it('a committed reservation counts as refunded and stays taken', async () => {
    const facts = line(10_000, 1);
    await ledger.reserve(facts, refund('r1', 10_000, 1, 'cs_one'));
    await ledger.settle(facts.orderId, facts.sku, 'r1', 'committed');
    const totals = lineTotals(await theLine(facts));
    expect(totals).toMatchObject({ refunded: 10_000, reserved: 0, refundable: 0, unitsReturned: 1, unitsRemaining: 0, paidBackBy: ['cs_one'] });
    expect(await ledger.reserve(facts, refund('r2', 1))).toEqual({ granted: 0, held: false });
  });

  it('a released reservation gives the money back to the line, and a late commit of it changes nothing', async () => {
    const facts = line(10_000, 1);
    await ledger.reserve(facts, refund('r1', 10_000, 1));
    await ledger.settle(facts.orderId, facts.sku, 'r1', 'released');
    await ledger.settle(facts.orderId, facts.sku, 'r1', 'committed');
    const released = await theLine(facts);
    expect(released.entries).toEqual([expect.objectContaining({ key: 'r1', state: 'released' })]);
    expect(lineTotals(released)).toMatchObject({ refunded: 0, reserved: 0, refundable: 10_000, unitsRemaining: 1 });
    expect(await ledger.reserve(facts, refund('r2', 10_000, 1))).toEqual({ granted: 10_000, held: false });
  });

  it('settling an unknown line or key writes nothing', async () => {
    const facts = line(10_000);
    await ledger.settle(facts.orderId, facts.sku, 'nobody', 'committed');
    expect(await ledger.orderLines(facts.orderId)).toEqual([]);
    await ledger.reserve(facts, refund('known', 1_000));
    await ledger.settle(facts.orderId, facts.sku, 'unknown', 'committed');
    const versions = await db.collection(Collections.orderLedgerVersions).countDocuments({ lineKey: lineKey(facts.orderId, facts.sku) });
    expect(versions).toBe(1);
  });
});

describe('writers racing for one line', () => {
  it('20 concurrent reservations of 100.00 on a 1,000.00 line grant exactly 1,000.00 in total', async () => {
    const facts = line(100_000, 10);
    const grants = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.reserve(facts, refund(`race-${i}`, 10_000, 1, `cs_race_${i}`))),
    );
    const granted = grants.map((g) => g.granted);
    expect(granted.reduce((a, b) => a + b, 0)).toBe(100_000);
    // Each grant is all or nothing here (100.00 fits exactly ten times): nobody got a sliver.
    expect(granted.filter((g) => g === 10_000)).toHaveLength(10);
    const stored = await theLine(facts);
    expect(lineTotals(stored)).toMatchObject({ reserved: 100_000, refundable: 0, unitsReturned: 10, unitsRemaining: 0 });
    expect(stored.entries).toHaveLength(10);
  });

  it('concurrent commits and releases of different reservations all land', async () => {
    const facts = line(100_000, 10);
    for (let i = 0; i < 10; i++) await ledger.reserve(facts, refund(`s-${i}`, 10_000, 1));
    await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.settle(facts.orderId, facts.sku, `s-${i}`, i % 2 === 0 ? 'committed' : 'released')));
    const totals = lineTotals(await theLine(facts));
    expect(totals).toMatchObject({ refunded: 50_000, reserved: 0, refundable: 50_000, unitsReturned: 5 });
  });
});

describe('reading an order', () => {
  it('lists every line of the order by sku, and nothing of other orders', async () => {
    const a = line(5_000);
    const b = { ...a, sku: 'SKU-0' };
    const other = line(7_000);
    await ledger.reserve(a, refund('a1', 1_000));
    await ledger.reserve(b, refund('b1', 2_000));
    await ledger.reserve(other, refund('o1', 3_000));
    const lines = await ledger.orderLines(a.orderId);
    expect(lines.map((l) => [l.sku, l.entries.map((e) => e.key)])).toEqual([
      ['SKU-0', ['b1']],
      ['SKU-1', ['a1']],
    ]);
    expect(await ledger.orderLines('O-LEDGER-none')).toEqual([]);
  });

  it('finds the latest state when the head was left behind by a writer that stopped after its insert', async () => {
    const facts = line(10_000);
    await ledger.reserve(facts, refund('h1', 1_000));
    const key = lineKey(facts.orderId, facts.sku);
    // A writer that crashed between its version and its head leaves the head one behind.
    const v1 = await db.collection(Collections.orderLedgerVersions).findOne({ _id: versionId(key, 1) as never });
    const entries = [...(v1?.entries as OrderLine['entries']), { ...(v1?.entries as OrderLine['entries'])[0], key: 'h2', amount: 2_000 }];
    await db.collection(Collections.orderLedgerVersions).insertOne({ ...v1, _id: versionId(key, 2) as never, version: 2, entries });
    expect((await theLine(facts)).entries.map((e) => e.key)).toEqual(['h1', 'h2']);
    expect(await ledger.reserve(facts, refund('h3', 10_000))).toEqual({ granted: 7_000, held: false });
  });

  it('the head of a line follows its latest version, so a read starts there', async () => {
    const facts = line(10_000);
    for (let i = 1; i <= 3; i++) await ledger.reserve(facts, refund(`f${i}`, 1_000));
    const head = await db.collection(Collections.orderLedgerLines).findOne({ _id: lineKey(facts.orderId, facts.sku) as never });
    expect(head).toMatchObject({ orderId: facts.orderId, sku: facts.sku, version: 3 });
  });

  it('the API view carries the totals of each line', async () => {
    const facts = line(19_900, 1);
    await ledger.reserve(facts, refund('v1', 19_900, 1, 'cs_view'));
    await ledger.settle(facts.orderId, facts.sku, 'v1', 'committed');
    const [view] = await ledger.orderLedger(facts.orderId);
    expect(view).toMatchObject({ sku: 'SKU-1', currency: 'CNY', unitsBought: 1, amountPaid: 19_900, refunded: 19_900, refundable: 0, unitsRemaining: 0 });
    expect(view.entries).toEqual([expect.objectContaining({ key: 'v1', caseId: 'cs_view', state: 'committed', amount: 19_900, units: 1 })]);
  });
});

describe('backfilling the ledger from the read model', () => {
  /** A closed case as the read model holds it, with a refund in the given state. */
  function closedCase(id: string, orderId: string, refund: CaseSnapshot['refund'], closedAt: string, type: CaseSnapshot['type'] = 'return'): CaseSnapshot {
    const at = '2026-01-20T00:00:00.000Z';
    return {
      id,
      type,
      status: 'completed',
      orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 19_900 }],
      reason: { code: 'quality_issue' },
      evidence: [],
      order: { paidAt: at, deliveredAt: at, paymentMethod: 'online', total: 19_900, currency: 'CNY' },
      assignee: null,
      priority: 'normal',
      policyVersion: 'default',
      manualEvaluation: false,
      createdAt: at,
      updatedAt: at,
      closedAt,
      sla: [],
      nextDeadline: null,
      breached: false,
      escalation: { level: 0, history: [] },
      refund,
      shipments: [],
      outcome: {},
      survey: null,
      timeline: [],
      temporal: { workflowId: `case-${id}` },
      version: 9,
    };
  }
  const succeeded = (amount: number): CaseSnapshot['refund'] => ({ amount, currency: 'CNY', status: 'succeeded', idempotencyKey: 'k', method: 'original_path' });

  it('records each succeeded refund once as committed, caps a line paid back twice, and a rerun changes nothing', async () => {
    const readModel = createReadModel(db);
    const order = `O-BACKFILL-${++orderCounter}`;
    // Written in another order than they closed in: the backfill goes by closing time.
    await readModel.upsertCase(closedCase('cs_bf_second', order, succeeded(19_900), '2026-02-03T00:00:00.000Z', 'refund_only'));
    await readModel.upsertCase(closedCase('cs_bf_first', order, succeeded(19_900), '2026-02-01T00:00:00.000Z'));
    await readModel.upsertCase(closedCase('cs_bf_failed', order, { ...succeeded(19_900), status: 'failed' } as CaseSnapshot['refund'], '2026-02-02T00:00:00.000Z'));

    const first = await backfillLedger(db, ledger);
    const [view] = await ledger.orderLedger(order);
    expect(view).toMatchObject({ sku: 'SKU-1', refunded: 19_900, reserved: 0, refundable: 0, unitsRemaining: 0 });
    // The double refund of the issue: the line takes the first, and the second is reported, not recorded.
    expect(view.entries.map((e) => [e.caseId, e.key, e.state])).toEqual([['cs_bf_first', 'cs_bf_first:refund:SKU-1', 'committed']]);
    expect(first).toEqual({ cases: 2, written: 1, alreadyRecorded: 0, capped: [{ caseId: 'cs_bf_second', sku: 'SKU-1', amount: 19_900, granted: 0 }] });

    const versionsBefore = await db.collection(Collections.orderLedgerVersions).countDocuments({});
    const rerun = await backfillLedger(db, ledger);
    expect(rerun).toMatchObject({ cases: 2, written: 0, alreadyRecorded: 1 });
    expect(await db.collection(Collections.orderLedgerVersions).countDocuments({})).toBe(versionsBefore);
    expect(await ledger.isEmpty()).toBe(false);
  });
});

describe('the ledger by order line (issue 22)', () => {
  const AT = '2026-12-08T00:00:00.000Z';
  const ask = (key: string, amount: number, units: number, kind: ReservationRequest['kind'] = 'refund'): ReservationRequest => ({
    key,
    caseId: key.split(':')[0],
    kind,
    amount,
    units,
    at: AT,
  });
  const oldItem = (quantity: number): CaseItem => ({ sku: 'SKU-1', quantity, unitPrice: 10_000, orderedQuantity: 2 });
  const newItem = (quantity: number, lineId = 'L1', linePaid = 20_000, sharesSku = false): CaseItem => ({
    sku: 'SKU-1',
    quantity,
    unitPrice: Math.floor(linePaid / 2),
    orderedQuantity: 2,
    lineId,
    linePaid,
    ...(sharesSku ? { sharesSku: true as const } : {}),
  });
  const activities = () => ledgerActivities(ledger);
  /** One case's refund of its items, reserved and committed as a workflow would. */
  async function refundCase(orderId: string, caseId: string, items: CaseItem[], amount: number): Promise<number> {
    const key = `${caseId}:refund`;
    const acts = activities();
    const { granted, lines } = await acts.reserveOnLedger({ caseId, orderId, currency: 'CNY', items, amount, kind: 'refund', key, withUnits: true });
    await acts.settleOnLedger({ orderId, key, skus: lines.map((l) => l.sku), state: 'committed' });
    return granted;
  }

  it('property (50 runs): partial claims of parallel cases, committed, released or in flight, never pay a line back past its 实付', async () => {
    await fc.assert(
      fc.asyncProperty(
        orderShape.chain((lines) => {
          const order = { orderId: `O-PROP-${++orderCounter}`, lines };
          return fc.tuple(fc.constant(order), partialClaims(order));
        }),
        async ([order, claims]) => {
          await Promise.all(claims.map((claim) => runClaim(activities(), order.orderId, claim)));
          const stored = await ledger.orderLines(order.orderId);
          for (const line of stored) {
            const source = order.lines.find((l) => l.lineId === line.lineId);
            expect(source && { amountPaid: line.amountPaid, factsFrom: line.factsFrom }).toEqual({ amountPaid: source?.amountPaid, factsFrom: 'order_source' });
            const t = lineTotals(line);
            expect(t.refunded + t.reserved).toBeLessThanOrEqual(line.amountPaid);
            expect(t.unitsReturned).toBeLessThanOrEqual(line.unitsBought);
            expect(line.held).toBeUndefined();
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('property (50 runs): every unit back by parallel cases, some failing and claimed again, pays back exactly each line’s 实付', async () => {
    await fc.assert(
      fc.asyncProperty(
        unitsWorthAFen.chain((lines) => {
          const order = { orderId: `O-EVERY-${++orderCounter}`, lines };
          return fc.tuple(fc.constant(order), everyUnitBack(order));
        }),
        async ([order, claims]) => {
          // A case's failed refund comes before its second claim; the cases run side by side.
          const byCase = new Map<number, typeof claims>();
          for (const claim of claims) byCase.set(claim.caseNo % 10, [...(byCase.get(claim.caseNo % 10) ?? []), claim]);
          const paid = await Promise.all(
            [...byCase.values()].map(async (chain) => {
              let sum = 0;
              for (const claim of chain) sum += await runClaim(activities(), order.orderId, claim);
              return sum;
            }),
          );
          const stored = await ledger.orderLines(order.orderId);
          for (const source of order.lines) {
            const line = stored.find((l) => l.lineId === source.lineId);
            expect(line && lineTotals(line)).toMatchObject({ refunded: source.amountPaid, reserved: 0, unitsReturned: source.unitsBought });
          }
          expect(paid.reduce((a, b) => a + b, 0)).toBe(order.lines.reduce((sum, l) => sum + l.amountPaid, 0));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('an old case by sku and a new case on the same line share one account and one lock; the new case sees what the old one paid back', async () => {
    const orderId = `O-SHARED-${++orderCounter}`;
    expect(OpenCaseLocks.keysFor(orderId, [newItem(1)], 'return')).toEqual(OpenCaseLocks.keysFor(orderId, [oldItem(1)], 'return'));
    const locks = new OpenCaseLocks(db);
    expect(await locks.acquire(OpenCaseLocks.keysFor(orderId, [oldItem(1)], 'return'), 'cs_old')).toEqual({ acquired: true });
    expect(await locks.acquire(OpenCaseLocks.keysFor(orderId, [newItem(1)], 'return'), 'cs_new')).toEqual({ acquired: false, heldBy: 'cs_old' });

    // The old case pays back one unit by sku, closes, and frees its lock.
    expect(await refundCase(orderId, 'cs_old', [oldItem(1)], 10_000)).toBe(10_000);
    await locks.release('cs_old');
    expect(await locks.acquire(OpenCaseLocks.keysFor(orderId, [newItem(2)], 'return'), 'cs_new')).toEqual({ acquired: true });

    // The new case claims both units: the line knows one came back already.
    const [before] = await ledger.orderLines(orderId);
    expect(checkClaimAgainstLedger({ type: 'return', items: [newItem(2)] }, [before])).toMatchObject({
      allowed: false,
      code: 'quantity_exceeds_remaining',
      details: [{ paidBack: { amount: 10_000, units: 1, caseIds: ['cs_old'] } }],
    });
    expect(await refundCase(orderId, 'cs_new', [newItem(1)], 10_000)).toBe(10_000);
    const lines = await ledger.orderLines(orderId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ lineId: 'L1', factsFrom: 'order_source', unitsBought: 2, amountPaid: 20_000 });
    expect(lines[0].entries.map((e) => [e.key, e.state])).toEqual([
      ['cs_old:refund:SKU-1', 'committed'],
      ['cs_new:refund:SKU-1~L1', 'committed'],
    ]);
    expect(lineTotals(lines[0])).toMatchObject({ refunded: 20_000, refundable: 0, unitsRemaining: 0, paidBackBy: ['cs_old', 'cs_new'] });
  });

  it('an old line by sku keeps its document exactly as before: no field of the order source on it', async () => {
    const orderId = `O-OLDSHAPE-${++orderCounter}`;
    await refundCase(orderId, 'cs_shape', [oldItem(1)], 10_000);
    const version = await db.collection(Collections.orderLedgerVersions).findOne({ _id: versionId(lineKey(orderId, 'SKU-1'), 1) as never });
    expect(Object.keys(version ?? {}).sort()).toEqual(['_id', 'amountPaid', 'currency', 'entries', 'lineKey', 'orderId', 'sku', 'unitsBought', 'version', 'writtenAt']);
  });

  it('the order’s facts differing from the claimed ones hold the line: nothing is paid until a person releases it', async () => {
    const orderId = `O-DIFFER-${++orderCounter}`;
    await refundCase(orderId, 'cs_old', [oldItem(1)], 10_000);
    // The order says the line's 实付 was 180.00 after a discount, not the 200.00 claimed.
    expect(await refundCase(orderId, 'cs_new', [newItem(1, 'L1', 18_000)], 9_000)).toBe(0);
    const [held] = await ledger.orderLines(orderId);
    expect(held.held).toEqual({ at: expect.any(String), reason: expect.stringContaining('claimed facts') });
    expect(held.amountPaid).toBe(20_000);
    const [view] = await ledger.orderLedger(orderId);
    expect(view.held).toBeDefined();
    expect(checkClaimAgainstLedger({ type: 'return', items: [newItem(1, 'L1', 18_000)] }, [held])).toMatchObject({ allowed: false, code: 'line_held' });

    // Released as it is, the claimed facts still disagree with the order's: the next reservation holds it again.
    expect(await ledger.release(lineKey(orderId, 'SKU-1'))).toEqual({ released: true, hold: held.held });
    expect(await ledger.release(lineKey(orderId, 'SKU-1'))).toEqual({ released: false });
    expect(await refundCase(orderId, 'cs_new2', [newItem(1, 'L1', 18_000)], 9_000)).toBe(0);
    // Released with the order's facts (a person checked them): money moves again, within the 实付.
    expect(await ledger.release(lineKey(orderId, 'SKU-1'), { unitsBought: 2, amountPaid: 18_000, lineId: 'L1' })).toMatchObject({ released: true });
    expect(await refundCase(orderId, 'cs_new3', [newItem(1, 'L1', 18_000)], 9_000)).toBe(8_000);
    const [after] = await ledger.orderLines(orderId);
    expect(after).toMatchObject({ amountPaid: 18_000, factsFrom: 'order_source', lineId: 'L1' });
    expect(after.held).toBeUndefined();
  });

  it('a sku on two lines with old money on its id by sku: the line by line is held and granted 0; the old id is held when a line by line exists', async () => {
    const orderId = `O-SPLIT-${++orderCounter}`;
    expect(await refundCase(orderId, 'cs_old', [oldItem(1)], 10_000)).toBe(10_000);
    expect(await refundCase(orderId, 'cs_new', [newItem(1, 'L2', 20_000, true)], 10_000)).toBe(0);
    const lines = await ledger.orderLines(orderId);
    const split = lines.find((l) => l.lineId === 'L2');
    expect(split?.held?.reason).toContain('several lines');
    expect(split?.entries).toEqual([]);
    // The old case asks for its second unit: a line by line of that sku exists now, so the old id is held too.
    expect(await refundCase(orderId, 'cs_old2', [oldItem(1)], 10_000)).toBe(0);
    const old = (await ledger.orderLines(orderId)).find((l) => l.lineId === undefined);
    expect(old?.held?.reason).toContain('several lines');
    expect(lineTotals(old as OrderLine)).toMatchObject({ refunded: 10_000, reserved: 0 });
  });

  it('an old case and a new one racing on the same goods (sku on two lines) are never both paid', async () => {
    for (let round = 0; round < 10; round++) {
      const orderId = `O-RACE-${++orderCounter}`;
      const [oldGrant, newGrant] = await Promise.all([
        ledger.reserve(lineFactsOf(orderId, 'CNY', oldItem(1)), ask('cs_old:refund:SKU-1', 10_000, 1)),
        ledger.reserve(lineFactsOf(orderId, 'CNY', newItem(1, 'L2', 20_000, true)), ask('cs_new:refund:SKU-1@L2', 10_000, 1)),
      ]);
      expect(oldGrant.granted === 0 || newGrant.granted === 0).toBe(true);
      // Whichever lost holds its line, and a retry of the winner's key answers what it first got.
      expect(await ledger.reserve(lineFactsOf(orderId, 'CNY', oldItem(1)), ask('cs_old:refund:SKU-1', 10_000, 1))).toEqual(oldGrant);
    }
  });

  it('a hold by hand (ledger:verify --hold) stops refunds; a line the ledger does not know cannot be held', async () => {
    const facts = line(10_000, 2);
    expect(await ledger.reserve(facts, ask('cs_a:refund', 5_000, 1))).toEqual({ granted: 5_000, held: false });
    expect(await ledger.hold(lineKey(facts.orderId, facts.sku), 'checked by hand')).toBe(true);
    expect(await ledger.hold(lineKey(facts.orderId, facts.sku), 'again')).toBe(false);
    expect(await ledger.reserve(facts, ask('cs_h:refund', 5_000, 1))).toEqual({ granted: 0, held: true });
    expect(await ledger.hold(lineKey('O-none', 'SKU-1'), 'nothing')).toBe(false);
    expect(await ledger.release(lineKey(facts.orderId, facts.sku))).toMatchObject({ released: true, hold: { reason: 'checked by hand' } });
    expect(await ledger.reserve(facts, ask('cs_h2:refund', 5_000, 1))).toEqual({ granted: 5_000, held: false });
  });
});

import type { Db } from 'mongodb';
import type { CourierEvent } from '../../domain/workflow-contract';
import { createReadModel } from '../../store/case-read-model.store';
import { CustomerErasureStore } from '../../store/customer-erasure.store';
import { Collections } from '../../store/mongo';
import { MAX_SCANS_KEPT, PARCEL_TRACES_COLLECTION, ParcelTraceStore, withScans, withTold } from '../../store/parcel-traces.store';
import { caseSnapshot } from './support/case-snapshot';
import { openTestDatabase, type TestDatabase } from './support/test-database';

// The API keeps each parcel's pushed courier trace and what each case was told of it in
// `parcel_traces`, one document per tracking number read by `_id`. On FerretDB, as in production.

jest.setTimeout(60_000);

let database: TestDatabase;
let db: Db;
let traces: ParcelTraceStore;

beforeAll(async () => {
  database = await openTestDatabase('it_parcel_traces');
  ({ db } = database);
  traces = new ParcelTraceStore(db);
});

afterAll(() => database?.close());

beforeEach(async () => {
  await db.collection(PARCEL_TRACES_COLLECTION).deleteMany({});
  await db.collection(Collections.cases).deleteMany({});
});

function scan(number: string, i: number, event: CourierEvent['event']): CourierEvent {
  return { eventId: `kd100-${number}-${i}-${event}`, trackingNumber: number, event, at: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(), detail: `【站${i}】` };
}

const DAY = 86_400_000;

describe('parcel traces on FerretDB', () => {
  test('a trace is saved and read back whole with what each case was told; an unknown parcel is empty', async () => {
    const scans = [scan('SFT1', 0, 'picked_up'), scan('SFT1', 1, 'in_transit'), scan('SFT1', 2, 'in_transit')];
    let trace = withScans(await traces.load('SFT1'), scans);
    trace = withTold(trace, 'cs_a', [scans[0], scans[1]]);
    trace = withTold(trace, 'cs_b', [scans[0]]);
    await traces.save('SFT1', trace, Date.UTC(2026, 11, 2));
    const read = await traces.load('SFT1');
    expect(read.scans).toEqual(scans);
    expect(read.told).toEqual(new Map([['cs_a', new Set(['picked_up', 'in_transit'])], ['cs_b', new Set(['picked_up'])]]));
    expect(await traces.load('SFNONE')).toEqual({ scans: [], told: new Map() });
  });

  test(`a long trace keeps the newest ${MAX_SCANS_KEPT} scans`, async () => {
    const scans = Array.from({ length: MAX_SCANS_KEPT + 10 }, (_, i) => scan('SFT2', i, 'in_transit'));
    await traces.save('SFT2', withScans(await traces.load('SFT2'), scans), Date.UTC(2026, 11, 2));
    const read = await traces.load('SFT2');
    expect(read.scans).toHaveLength(MAX_SCANS_KEPT);
    expect(read.scans[0]).toEqual(scans[10]);
  });

  test('prune forgets traces not pushed for 90 days and keeps the others', async () => {
    const now = Date.UTC(2026, 11, 8);
    await traces.save('SFOLD', withScans(await traces.load('SFOLD'), [scan('SFOLD', 0, 'picked_up')]), now - 91 * DAY);
    await traces.save('SFNEW', withScans(await traces.load('SFNEW'), [scan('SFNEW', 0, 'picked_up')]), now - 10 * DAY);
    await traces.prune(now);
    expect((await traces.load('SFOLD')).scans).toEqual([]);
    expect((await traces.load('SFNEW')).scans).toHaveLength(1);
  });

  test("erasing a customer deletes the traces of their cases' parcels and no other", async () => {
    const readModel = createReadModel(db);
    const parcel = (trackingNumber: string) => ({ direction: 'return' as const, carrier: 'SF', trackingNumber, status: 'delivered' as const, updatedAt: '2026-11-29T00:00:00.000Z' });
    await readModel.upsertCase(caseSnapshot('cs_er1', { customerId: 'c-erase', status: 'completed', closedAt: '2026-11-30T00:00:00.000Z', shipments: [parcel('SFERASE')] }));
    await readModel.upsertCase(caseSnapshot('cs_keep', { customerId: 'c-keep', status: 'completed', closedAt: '2026-11-30T00:00:00.000Z', shipments: [parcel('SFKEEP')] }));
    for (const number of ['SFERASE', 'SFKEEP']) await traces.save(number, withScans(await traces.load(number), [scan(number, 0, 'delivered')]), Date.UTC(2026, 11, 2));
    expect(await new CustomerErasureStore(db).scrubCases('c-erase', new Date())).toBe(1);
    expect((await traces.load('SFERASE')).scans).toEqual([]);
    expect((await traces.load('SFKEEP')).scans).toHaveLength(1);
  });
});

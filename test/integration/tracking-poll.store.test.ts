import type { Db } from 'mongodb';
import type { CaseSnapshot, ShipmentView } from '../../domain/case.types';
import { createReadModel, type CaseReadModel } from '../../store/case-read-model.store';
import { Collections } from '../../store/mongo';
import { TRACKING_POLLS_COLLECTION, TrackingPollStore } from '../../store/tracking-polls.store';
import { caseSnapshot } from './support/case-snapshot';
import { openTestDatabase, type TestDatabase } from './support/test-database';

// The reconciler's parcel step reads its cases with one find per parcel status and keeps the last
// poll of each parcel in `tracking_polls`. On FerretDB, as in production.

jest.setTimeout(60_000);

let database: TestDatabase;
let db: Db;
let readModel: CaseReadModel;

beforeAll(async () => {
  database = await openTestDatabase('it_tracking_poll');
  ({ db } = database);
  readModel = createReadModel(db);
});

afterAll(() => database?.close());

beforeEach(async () => {
  await db.collection(Collections.cases).deleteMany({});
  await db.collection(TRACKING_POLLS_COLLECTION).deleteMany({});
});

function parcel(trackingNumber: string, status: ShipmentView['status']): ShipmentView {
  return { direction: 'return', carrier: 'SF', trackingNumber, status, updatedAt: '2026-11-29T00:00:00.000Z' };
}

/** A case in `status` with its parcels (closed when completed). */
function snapshot(id: string, status: CaseSnapshot['status'], shipments: ShipmentView[], nextDeadline: string | null = null): CaseSnapshot {
  return caseSnapshot(id, { status, shipments, nextDeadline, closedAt: status === 'completed' ? '2026-11-29T01:00:00.000Z' : null });
}

describe('listWithParcelsOnTheWay', () => {
  test('lists the cases of the parcel statuses only, with their whole snapshot, at most the limit of each status', async () => {
    await readModel.upsertCase(snapshot('cs_return1', 'return_in_transit', [parcel('SF1', 'in_transit')], '2026-12-02T00:00:00.000Z'));
    await readModel.upsertCase(snapshot('cs_return2', 'return_in_transit', [parcel('SF2', 'shipped')], '2026-12-01T00:00:00.000Z'));
    await readModel.upsertCase(snapshot('cs_shipping', 'shipping_replacement', [parcel('SF3', 'shipped')]));
    await readModel.upsertCase(snapshot('cs_confirm', 'awaiting_customer_confirmation', [parcel('SF4', 'picked_up')]));
    await readModel.upsertCase(snapshot('cs_inspecting', 'inspecting', [parcel('SF5', 'delivered')]));
    await readModel.upsertCase(snapshot('cs_review', 'awaiting_review', []));
    await readModel.upsertCase(snapshot('cs_done', 'completed', [parcel('SF6', 'in_transit')]));

    const listed = await readModel.listWithParcelsOnTheWay(200);
    expect(listed.map((c) => c.id).sort()).toEqual(['cs_confirm', 'cs_return1', 'cs_return2', 'cs_shipping']);
    expect(listed.find((c) => c.id === 'cs_confirm')?.shipments).toEqual([parcel('SF4', 'picked_up')]);
    // One return_in_transit case at most with a limit of 1: the most urgent deadline of its status.
    const limited = await readModel.listWithParcelsOnTheWay(1);
    expect(limited.map((c) => c.id).sort()).toEqual(['cs_confirm', 'cs_return2', 'cs_shipping']);
  });
});

describe('TrackingPollStore', () => {
  test('remembers the last poll of each parcel by tracking number, and forgets polls older than 30 days', async () => {
    const polls = new TrackingPollStore(db);
    const now = Date.parse('2026-11-29T12:00:00.000Z');
    await polls.recordPoll('SF1', now - 31 * 86_400_000);
    await polls.recordPoll('SF2', now - 3_600_000);
    await polls.recordPoll('SF2', now);
    expect(await polls.lastPolled(['SF1', 'SF2', 'SF9'])).toEqual(new Map([['SF1', now - 31 * 86_400_000], ['SF2', now]]));
    await polls.prune(now);
    expect(await polls.lastPolled(['SF1', 'SF2'])).toEqual(new Map([['SF2', now]]));
    expect(await polls.lastPolled([])).toEqual(new Map());
  });
});

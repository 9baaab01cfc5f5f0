import type { Db } from 'mongodb';
import type { CaseSnapshot, RefundView } from '../../domain/case.types';
import { createReadModel, type CaseReadModel } from '../../store/case-read-model.store';
import { Collections } from '../../store/mongo';
import { caseSnapshot } from './support/case-snapshot';
import { openTestDatabase, type TestDatabase } from './support/test-database';

// The reconciler's refund step reads its cases with one query: those in `refunding` whose refund
// waits for the provider (`requested`). On FerretDB, as in production.

jest.setTimeout(60_000);

let database: TestDatabase;
let db: Db;
let readModel: CaseReadModel;

beforeAll(async () => {
  database = await openTestDatabase('it_refund_query');
  ({ db } = database);
  readModel = createReadModel(db);
});

afterAll(() => database?.close());

beforeEach(async () => {
  await db.collection(Collections.cases).deleteMany({});
});

function refund(status: RefundView['status'], id: string | undefined): RefundView {
  return { amount: 1230, currency: 'CNY', status, ...(id ? { id } : {}), idempotencyKey: id ?? 'cs_x:refund:1', method: 'original_path', kind: 'refund' };
}

/** A case in `status` with `refundView` and its next deadline. */
function snapshot(id: string, status: CaseSnapshot['status'], refundView: RefundView | null, nextDeadline: string | null): CaseSnapshot {
  return caseSnapshot(id, { status, refund: refundView, nextDeadline });
}

describe('listAwaitingRefundSettlement', () => {
  test('lists only refunding cases whose refund is requested, most urgent deadline first, with their whole snapshot, at most the limit', async () => {
    await readModel.upsertCase(snapshot('cs_later', 'refunding', refund('requested', 'cs_later:refund:1'), '2026-12-03T00:00:00.000Z'));
    await readModel.upsertCase(snapshot('cs_sooner', 'refunding', refund('requested', 'cs_sooner:refund:1'), '2026-12-01T00:00:00.000Z'));
    await readModel.upsertCase(snapshot('cs_pending', 'refunding', refund('pending', undefined), '2026-11-30T00:00:00.000Z'));
    await readModel.upsertCase(snapshot('cs_paid', 'completed', refund('succeeded', 'cs_paid:refund:1'), null));
    await readModel.upsertCase(snapshot('cs_review', 'awaiting_review', null, '2026-11-30T00:00:00.000Z'));

    const listed = await readModel.listAwaitingRefundSettlement(200);
    expect(listed.map((c) => c.id)).toEqual(['cs_sooner', 'cs_later']);
    expect(listed[0]?.refund).toEqual(refund('requested', 'cs_sooner:refund:1'));
    expect(listed[0]?.order.paymentMethod).toBe('online');
    expect((await readModel.listAwaitingRefundSettlement(1)).map((c) => c.id)).toEqual(['cs_sooner']);
  });
});

import type { Db } from 'mongodb';
import type { CaseSnapshot, RefundView } from '../../domain/case.types';
import { createReadModel, type CaseReadModel } from '../../store/case-read-model.store';
import { Collections } from '../../store/mongo';
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

function snapshot(id: string, status: CaseSnapshot['status'], refundView: RefundView | null, nextDeadline: string | null): CaseSnapshot {
  return {
    id,
    type: 'return',
    status,
    orderId: `order-${id}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1230 }],
    reason: { code: 'quality_issue' },
    evidence: [],
    order: { paidAt: '2026-11-01T00:00:00.000Z', paymentMethod: 'online', total: 1230, currency: 'CNY' },
    assignee: null,
    priority: 'normal',
    policyVersion: 'default-2026.1',
    createdAt: '2026-11-20T00:00:00.000Z',
    updatedAt: '2026-11-29T00:00:00.000Z',
    closedAt: null,
    sla: [],
    nextDeadline,
    breached: false,
    escalation: { level: 0, history: [] },
    refund: refundView,
    shipments: [],
    outcome: {},
    survey: null,
    timeline: [],
    temporal: { workflowId: `case-${id}` },
    version: 3,
  };
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

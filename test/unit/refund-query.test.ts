import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import type { PaymentPort, RefundLookUpAnswer } from '../../activities/provider-ports';
import { createReconcilerActivities } from '../../activities/read-model-reconciler.activities';
import { settleStaleRefunds, type RefundQueryDeps } from '../../activities/refund-query.activities';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { paymentByChannel } from '../../integrations';
import { instantOfBeijingTime } from '../../integrations/alipay-notify';
import { type AlipayPaymentClient, alipayPaymentFromConfig } from '../../integrations/alipay-payment.client';
import { alipayRefundLookUp, wechatpayRefundLookUp } from '../../integrations/refund-lookup';
import { alipayRoutes } from '../../sandbox/alipay.routes';
import { toCaseDocument } from '../../store/case-document.mapper';
import { FakeCaseSignals } from './support/fake-case-signals';
import { close, listen, rsaPemPair } from './support/provider-test-kit';

// The reconciler's refund step: cases whose refund has waited too long for its notification are
// looked up at the provider. Alipay's side is the real adapter (alipay-sdk) against the sandbox
// gateway in process, which pays refunds and notifies no one; the cases are snapshots as the read
// model returns them, and a fake Temporal client records the signals.

const appKeys = rsaPemPair();
const alipayKeys = rsaPemPair();
const APP_ID = '2021000000000002';
const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const MINUTE = 60_000;

const fake = new FakeCaseSignals();
let gateway: http.Server;
let gatewayBase: string;
let keyDir: string;
let alipay: AlipayPaymentClient;
/** The payment port as the worker builds it with PAYMENT_PROVIDER_ONLINE=alipay: online refunds on Alipay, COD ones on the payment service. */
let port: PaymentPort;

beforeAll(async () => {
  keyDir = mkdtempSync(path.join(tmpdir(), 'refund-query-'));
  const privateFile = path.join(keyDir, 'app-private.pem');
  const publicFile = path.join(keyDir, 'alipay-public.pem');
  writeFileSync(privateFile, appKeys.privateKey);
  writeFileSync(publicFile, alipayKeys.publicKey);
  // No notifyUrl: the gateway pays and never notifies, as when notifications are lost.
  const app = express().use('/alipay', alipayRoutes({ alipayPrivateKey: alipayKeys.privateKey, appPublicKey: appKeys.publicKey, appId: APP_ID }));
  let base: string;
  ({ server: gateway, base } = await listen(app));
  gatewayBase = `${base}/alipay`;
  alipay = alipayPaymentFromConfig({ provider: 'alipay', appId: APP_ID, privateKeyFile: privateFile, publicKeyFile: publicFile, timeoutMs: 5000, gateway: `${gatewayBase}/gateway.do` });
  const service: PaymentPort = {
    createRefund: () => Promise.reject(new Error('the payment service is not used here')),
    issueCoupon: () => Promise.reject(new Error('the payment service is not used here')),
    createCollection: () => Promise.reject(new Error('the payment service is not used here')),
  };
  port = paymentByChannel({ alipay: { createRefund: (input, key) => alipay.createRefund(input, key), lookUpRefund: alipayRefundLookUp(alipay) } }, 'alipay', service);
});

afterAll(async () => {
  await close(gateway);
  rmSync(keyDir, { recursive: true, force: true });
});

beforeEach(async () => {
  fake.reset();
  await fetch(`${gatewayBase}/control/reset`, { method: 'POST' });
});

/** A case in `refunding` whose refund `<caseId>:refund:1` was requested `minutesAgo` minutes before NOW. */
function waitingCase(caseId: string, amount: number, minutesAgo: number, overrides: { paymentMethod?: 'online' | 'cod'; orderId?: string } = {}): CaseSnapshot {
  const refundId = `${caseId}:refund:1`;
  const requestedAt = new Date(NOW - minutesAgo * MINUTE).toISOString();
  fake.running.add(caseId);
  return {
    id: caseId,
    type: 'return',
    status: 'refunding',
    orderId: overrides.orderId ?? `ORD-${caseId}`,
    order: { paidAt: '2026-11-20T02:00:00.000Z', paymentMethod: overrides.paymentMethod ?? 'online', total: 5900, currency: 'CNY' },
    refund: { amount, currency: 'CNY', status: 'requested', id: refundId, idempotencyKey: refundId, method: 'original_path', kind: 'refund' },
    timeline: [
      { at: new Date(NOW - (minutesAgo + 5) * MINUTE).toISOString(), actor: { kind: 'system', id: 'workflow' }, event: 'refund.approved', data: { amount } },
      { at: requestedAt, actor: { kind: 'system', id: 'workflow' }, event: 'refund.requested', data: { refundId, amount, attempt: 1 } },
      // A later change (an SLA warning, say) must not make the refund look recent.
      { at: new Date(NOW - MINUTE).toISOString(), actor: { kind: 'system', id: 'workflow' }, event: 'sla.warning', data: {} },
    ],
    createdAt: new Date(NOW - (minutesAgo + 60) * MINUTE).toISOString(),
    updatedAt: new Date(NOW - MINUTE).toISOString(),
    closedAt: null,
    nextDeadline: null,
    shipments: [],
    version: 7,
  } as unknown as CaseSnapshot;
}

/** Pays a refund at the sandbox gateway with the real adapter (as the case's first attempt did). */
async function payAtAlipay(snapshot: CaseSnapshot, amount: number): Promise<void> {
  const key = snapshot.refund!.idempotencyKey;
  await alipay.createRefund({ caseId: snapshot.id, orderId: snapshot.orderId, amount, currency: 'CNY', paymentMethod: 'online', reason: 'return accepted' }, key);
}

/** The sweep's dependencies over these cases and `payment`, counting outcomes as the metric does. */
function deps(cases: CaseSnapshot[], payment: Pick<PaymentPort, 'lookUpRefund'> | undefined = port): RefundQueryDeps & { counted: string[] } {
  const counted: string[] = [];
  return {
    client: fake.client,
    cases: { listAwaitingRefundSettlement: async () => cases },
    payment,
    olderThanMs: 10 * MINUTE,
    now: () => NOW,
    count: (outcome) => counted.push(outcome),
    counted,
  };
}

const ZERO = { settled: 0, failed: 0, pending: 0, not_found: 0, amount_mismatch: 0, unsupported: 0, error: 0, waiting: 0 };

describe('refunds whose notification did not come, looked up at Alipay', () => {
  test('when Alipay paid the refund with the case amount, the case is signalled succeeded once, with event id <refundId>:query and the time Alipay paid', async () => {
    const paid = waitingCase('cs_rq_paid', 1230, 30);
    await payAtAlipay(paid, 1230);
    const d = deps([paid]);
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, settled: 1 });
    expect(fake.signals).toEqual([
      {
        workflowId: caseWorkflowId('cs_rq_paid'),
        signal: 'paymentEvent',
        payload: { eventId: 'cs_rq_paid:refund:1:query', refundId: 'cs_rq_paid:refund:1', status: 'succeeded', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) },
      },
    ]);
    // The event carries the instant Alipay paid (gmt_refund_pay, Beijing time), not the sweep's clock.
    const { refunds } = (await (await fetch(`${gatewayBase}/control/refunds`)).json()) as { refunds: { outRequestNo: string; gmtRefundPay: string }[] };
    const gmtRefundPay = refunds.find((r) => r.outRequestNo === 'cs_rq_paid:refund:1')!.gmtRefundPay;
    expect((fake.signals[0]?.payload as { at: string }).at).toBe(instantOfBeijingTime(gmtRefundPay));
    expect(d.counted).toEqual(['settled']);
  });

  test('when Alipay paid another amount than the case says, nothing is signalled and it is counted as amount_mismatch', async () => {
    const paidOther = waitingCase('cs_rq_other', 1000, 30);
    await payAtAlipay(paidOther, 1230);
    const d = deps([paidOther]);
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, amount_mismatch: 1 });
    expect(fake.signals).toEqual([]);
    expect(d.counted).toEqual(['amount_mismatch']);
  });

  test('when Alipay has no refund under that request number, nothing is signalled and it is counted as not_found', async () => {
    const neverPaid = waitingCase('cs_rq_none', 1230, 30);
    const d = deps([neverPaid]);
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, not_found: 1 });
    expect(fake.signals).toEqual([]);
  });

  test('when the refund was requested less than the threshold ago, the provider is not asked and nothing is signalled', async () => {
    const recent = waitingCase('cs_rq_recent', 1230, 3);
    await payAtAlipay(recent, 1230);
    const asked: string[] = [];
    const d = deps([recent], { lookUpRefund: async (input) => (asked.push(input.refundId), { status: 'succeeded', amount: 1230 }) });
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, waiting: 1 });
    expect(asked).toEqual([]);
    expect(fake.signals).toEqual([]);
    // The run's input may lower the threshold (0: every waiting refund is due).
    expect(await settleStaleRefunds(d, { olderThanMs: 0 })).toEqual({ ...ZERO, settled: 1 });
  });

  test('when Alipay answers one look-up with a forged signature, that case is counted as an error and the others are still settled', async () => {
    const forged = waitingCase('cs_rq_forged', 1230, 30);
    const paid = waitingCase('cs_rq_after', 800, 20);
    await payAtAlipay(forged, 1230);
    await payAtAlipay(paid, 800);
    await fetch(`${gatewayBase}/control/tamper-next-answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'forged' }) });
    const d = deps([forged, paid]);
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, error: 1, settled: 1 });
    expect(fake.signals.map((s) => (s.payload as { eventId: string }).eventId)).toEqual(['cs_rq_after:refund:1:query']);
    expect(d.counted).toEqual(['error', 'settled']);
  });

  test('a cash-on-delivery refund (made by the payment service, which has no look-up) is counted unsupported and not signalled', async () => {
    const cod = waitingCase('cs_rq_cod', 1230, 30, { paymentMethod: 'cod' });
    expect(await settleStaleRefunds(deps([cod]), {})).toEqual({ ...ZERO, unsupported: 1 });
    expect(fake.signals).toEqual([]);
  });

  test('a case that no longer runs is counted as an error, not as settled', async () => {
    const ended = waitingCase('cs_rq_ended', 1230, 30);
    await payAtAlipay(ended, 1230);
    fake.running.delete('cs_rq_ended');
    expect(await settleStaleRefunds(deps([ended]), {})).toEqual({ ...ZERO, error: 1 });
  });
});

describe('what the sweep does with each answer', () => {
  const answering = (answer: RefundLookUpAnswer): Pick<PaymentPort, 'lookUpRefund'> => ({ lookUpRefund: async () => answer });

  test('when the provider says the refund is still being processed, nothing is signalled and it is counted pending', async () => {
    const d = deps([waitingCase('cs_rq_pending', 500, 30)], answering({ status: 'pending', amount: 500 }));
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, pending: 1 });
    expect(fake.signals).toEqual([]);
    expect(d.counted).toEqual(['pending']);
  });

  test('when the provider says the refund failed, the case is signalled failed under <refundId>:query (its next attempt follows)', async () => {
    const d = deps([waitingCase('cs_rq_failed', 500, 30)], answering({ status: 'failed', amount: 500 }));
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, failed: 1 });
    expect(fake.signals).toEqual([
      {
        workflowId: caseWorkflowId('cs_rq_failed'),
        signal: 'paymentEvent',
        payload: { eventId: 'cs_rq_failed:refund:1:query', refundId: 'cs_rq_failed:refund:1', status: 'failed', at: new Date(NOW).toISOString(), reason: 'provider_reports_failed' },
      },
    ]);
  });

  test('a paid answer without an amount is never settled', async () => {
    const d = deps([waitingCase('cs_rq_noamount', 500, 30)], answering({ status: 'succeeded' }));
    expect(await settleStaleRefunds(d, {})).toEqual({ ...ZERO, amount_mismatch: 1 });
    expect(fake.signals).toEqual([]);
  });

  test('cases the read model lists that are no longer waiting (settled, or past refunding) are not asked about', async () => {
    const settled = waitingCase('cs_rq_settled', 500, 30);
    settled.refund!.status = 'succeeded';
    const closed: CaseSnapshot = { ...waitingCase('cs_rq_closed', 500, 30), status: 'completed' };
    const d = deps([settled, closed], answering({ status: 'succeeded', amount: 500 }));
    expect(await settleStaleRefunds(d, {})).toEqual(ZERO);
    expect(fake.signals).toEqual([]);
  });

  test('with a payment port that cannot look refunds up (the sandbox payment service), the sweep asks nothing and does not read the cases', async () => {
    const d = deps([], {});
    d.cases.listAwaitingRefundSettlement = () => Promise.reject(new Error('the cases should not be read'));
    expect(await settleStaleRefunds(d, {})).toEqual(ZERO);
  });
});

describe('the reconciler activity', () => {
  test('reads the waiting cases from the read model, signals the paid one and counts aftersales_refunds_queried_total by outcome', async () => {
    const paid = waitingCase('cs_rq_metric', 1230, 30);
    const missing = waitingCase('cs_rq_metric2', 1230, 30);
    await payAtAlipay(paid, 1230);
    const filters: unknown[] = [];
    const documents = [paid, missing].map((snapshot) => toCaseDocument(snapshot));
    const cursor = { project: () => cursor, sort: () => cursor, limit: () => cursor, toArray: async () => documents };
    const db = { collection: () => ({ find: (filter: unknown) => (filters.push(filter), cursor), findOne: async () => null }) } as unknown as Db;
    const registry = new Registry();
    const activities = createReconcilerActivities({ client: fake.client, db, target: { upsertCase: async () => 'written' }, runningEveryMs: 3_600_000, registry, payment: port, refundQueryAfterMs: 0 });
    expect(await activities.settleStaleRefunds({})).toEqual({ ...ZERO, settled: 1, not_found: 1 });
    expect(filters).toEqual([{ status: 'refunding', refundStatus: 'requested' }]);
    expect(fake.signals).toHaveLength(1);
    const metric = await registry.getSingleMetricAsString('aftersales_refunds_queried_total');
    expect(metric).toContain('aftersales_refunds_queried_total{outcome="settled"} 1');
    expect(metric).toContain('aftersales_refunds_queried_total{outcome="not_found"} 1');
  });
});

describe('the WeChat Pay look-up', () => {
  test("maps WeChat Pay's query answer: success_time to an ISO instant, PROCESSING to pending without a time, a missing refund to not_found", async () => {
    const asked: string[] = [];
    const answers = new Map<string, Awaited<ReturnType<Parameters<typeof wechatpayRefundLookUp>[0]['queryRefund']>>>([
      ['cs_w1-refund-1', { status: 'succeeded', refundId: 'cs_w1-refund-1', amount: 990, refundedAt: '2026-11-29T20:15:02+08:00' }],
      ['cs_w2-refund-1', { status: 'pending', refundId: 'cs_w2-refund-1', amount: 990 }],
      ['cs_w3-refund-1', { status: 'not_found', refundId: 'cs_w3-refund-1' }],
    ]);
    const lookUp = wechatpayRefundLookUp({ queryRefund: async (outRefundNo: string) => (asked.push(outRefundNo), answers.get(outRefundNo)!) });
    const input = (refundId: string) => ({ orderId: 'ORD-W', refundId, idempotencyKey: refundId.replaceAll('-', ':'), paymentMethod: 'online' as const });
    expect(await lookUp(input('cs_w1-refund-1'))).toEqual({ status: 'succeeded', amount: 990, at: '2026-11-29T12:15:02.000Z' });
    expect(await lookUp(input('cs_w2-refund-1'))).toEqual({ status: 'pending', amount: 990 });
    expect(await lookUp(input('cs_w3-refund-1'))).toEqual({ status: 'not_found' });
    // The case's refund id is the out_refund_no WeChat Pay knows the refund by.
    expect(asked).toEqual(['cs_w1-refund-1', 'cs_w2-refund-1', 'cs_w3-refund-1']);
  });
});

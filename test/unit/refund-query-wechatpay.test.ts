import type { PaymentPort } from '../../activities/provider-ports';
import { settleStaleRefunds } from '../../activities/refund-query.activities';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { paymentByChannel } from '../../integrations';
import { wechatpayRefundLookUp } from '../../integrations/refund-lookup';
import type { WechatPayPaymentClient } from '../../integrations/wechatpay-payment.client';
import type { WechatpaySandboxRefund } from '../../sandbox/wechatpay.routes';
import { FakeCaseSignals } from './support/fake-case-signals';
import { startWechatpaySandbox, type WechatpaySandbox } from './support/wechatpay-sandbox';

// A WeChat Pay refund whose notification is lost: the real adapter (wechatpay-axios-plugin) against
// the sandbox's WeChat Pay API v3 in process, which takes a refund PROCESSING, pays it SETTLE_MS
// later and notifies a URL where nothing listens. The reconciler's sweep first finds it pending,
// then paid, and signals the case (a fake Temporal client records the signals).

const SETTLE_MS = 300;

const fake = new FakeCaseSignals();
let sandbox: WechatpaySandbox;
let baseUrl: string;
let wechatpay: WechatPayPaymentClient;
let port: PaymentPort;

beforeAll(async () => {
  sandbox = await startWechatpaySandbox({
    settleMs: SETTLE_MS,
    // Port 9 (discard): the notification never arrives.
    notifyUrl: 'http://127.0.0.1:9/v1/webhooks/wechatpay',
    keyDirPrefix: 'refund-query-wechatpay-',
  });
  ({ baseUrl, client: wechatpay } = sandbox);
  const unused = () => Promise.reject(new Error('the payment service is not used here'));
  port = paymentByChannel(
    { wechatpay: { createRefund: (input, key) => wechatpay.createRefund(input, key), lookUpRefund: wechatpayRefundLookUp(wechatpay) } },
    'wechatpay',
    { createRefund: unused, issueCoupon: unused, createCollection: unused },
  );
});

afterAll(() => sandbox.close());

/** A case in `refunding` whose refund (the out_refund_no WeChat Pay answered) was requested an hour ago. */
function waitingCase(caseId: string, orderId: string, amount: number, refundId: string): CaseSnapshot {
  fake.running.add(caseId);
  const requestedAt = new Date(Date.now() - 3_600_000).toISOString();
  return {
    id: caseId,
    status: 'refunding',
    orderId,
    order: { paidAt: '2026-11-20T02:00:00.000Z', paymentMethod: 'online', total: 5900, currency: 'CNY' },
    refund: { amount, currency: 'CNY', status: 'requested', id: refundId, idempotencyKey: `${caseId}:refund:1`, method: 'original_path', kind: 'refund' },
    timeline: [{ at: requestedAt, actor: { kind: 'system', id: 'workflow' }, event: 'refund.requested', data: { refundId, amount, attempt: 1 } }],
    updatedAt: requestedAt,
  } as unknown as CaseSnapshot;
}

test('a WeChat Pay refund whose notification is lost is found PROCESSING (nothing signalled), then, once WeChat Pay paid it, the case is signalled succeeded with its success_time', async () => {
  const caseId = 'cs_rqw1';
  const answer = await wechatpay.createRefund({ caseId, orderId: 'ORD-RQW-2026', amount: 1990, currency: 'CNY', paymentMethod: 'online', reason: 'return accepted' }, `${caseId}:refund:1`);
  expect(answer).toEqual({ refundId: `${caseId}-refund-1`, status: 'pending' });
  const snapshot = waitingCase(caseId, 'ORD-RQW-2026', 1990, answer.refundId);
  const deps = { client: fake.client, cases: { listAwaitingRefundSettlement: async () => [snapshot] }, payment: port, olderThanMs: 600_000 };

  expect(await settleStaleRefunds(deps, {})).toMatchObject({ pending: 1, settled: 0 });
  expect(fake.signals).toEqual([]);

  // WeChat Pay pays it SETTLE_MS after taking it; its notification goes nowhere.
  let paid: WechatpaySandboxRefund | undefined;
  const until = Date.now() + 5_000;
  while (paid?.status !== 'SUCCESS' || paid.notifications.length === 0) {
    if (Date.now() > until) throw new Error('the sandbox did not pay the refund and try to notify within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await fetch(`${baseUrl}/control/refunds`);
    paid = ((await res.json()) as { refunds: WechatpaySandboxRefund[] }).refunds.find((r) => r.outRefundNo === answer.refundId);
  }
  expect(paid.notifications[0]).toBe(0);

  expect(await settleStaleRefunds(deps, {})).toMatchObject({ pending: 0, settled: 1 });
  expect(fake.signals).toEqual([
    {
      workflowId: caseWorkflowId(caseId),
      signal: 'paymentEvent',
      payload: { eventId: `${answer.refundId}:query`, refundId: answer.refundId, status: 'succeeded', at: new Date(Date.parse(paid.successTime!)).toISOString() },
    },
  ]);
});

import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { STACK_ENV } from './stack/stack-file';
import { defaultPolicy } from '../../domain/policy';
import { daysAgo } from './support/fixtures';
import { CasesApi, HttpClient, requiredEnv, sleep, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';
import { lineOf, orderLedgerOf, sandboxMoneyOf } from './support/money-witnesses';

// Issue 23, part 1, on the running stack: a payment callback is a claim, confirmed with the
// provider's own record before money moves again. The refund's amount ends in 15, so the sandbox
// holds it pending (a slow settlement) until the test settles it; the sandbox's own ledger is the
// witness of what was paid out.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const sandboxUrl = requiredEnv(STACK_ENV.sandboxUrl);
const paymentSecret = requiredEnv(STACK_ENV.paymentWebhookSecret);
const courierSecret = requiredEnv(STACK_ENV.courierWebhookSecret);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const sandbox = new HttpClient(sandboxUrl);
/** 88.15 CNY: held pending by the sandbox (amounts ending in 15). */
const PRICE = 8_815;
const SKU = 'SKU-LAMP-1';

/** A refund-only claim of a wrong item on a fresh order of one unit at PRICE, delivered two days ago. */
function wrongItem(orderId: string): OpenCaseBody {
  return {
    type: 'refund_only',
    orderId,
    customerId: 'c-1',
    items: [{ sku: SKU, quantity: 1, unitPrice: PRICE }],
    reason: { code: 'wrong_item', description: 'a different lamp came' },
    evidence: ['https://img.example/evidence-1.jpg'],
    packagingIntact: true,
    order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', total: PRICE, currency: 'CNY' },
  };
}

/** Posts a payment callback for the case's refund, signed with `secret`, as the payment service would. */
async function paymentCallback(secret: string, event: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(event);
  const response = await fetch(`${apiUrl}/v1/webhooks/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, secret) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** The API's count of refunds reported paid after their case ended (the alert's metric). */
async function paidAfterCaseEnded(): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('aftersales_refunds_paid_after_case_ended_total'));
  if (line === undefined) throw new Error('the API exports no aftersales_refunds_paid_after_case_ended_total');
  return Number(line.split(' ').pop());
}

/** A `failed` report of the refund that nobody at the provider made. */
function forgedFailure(snapshot: CaseSnapshot, refundId: string): Record<string, unknown> {
  return { eventId: `forged-${randomUUID()}`, refundId, merchantReference: snapshot.id, status: 'failed', at: new Date().toISOString(), reason: 'refund_declined' };
}

describe('forged payment events', () => {
  test('a forged `failed` for a refund still pending at the provider leaves exactly one refund there, and it settles once; a courier-signed callback is refused', async () => {
    const orderId = `IT-FORGED-${randomUUID()}`;
    const opened = await cases.opened(tokens.customer, wrongItem(orderId));
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const requested = await cases.waitFor(opened.id, 'the refund to be with the provider', (c) => c.refund?.status === 'requested' && c.refund.id !== undefined);
    const refundId = requested.refund?.id as string;
    const [held] = (await sandboxMoneyOf(sandboxUrl, [opened.id])).refunds;
    expect(held).toMatchObject({ refundId, amount: PRICE, status: 'pending' });

    // Signed with the courier's secret, the payment route refuses it before reading it.
    const courierSigned = await paymentCallback(courierSecret, forgedFailure(requested, refundId));
    expect({ status: courierSigned.status, body: courierSigned.text }).toMatchObject({ status: 401 });

    // Signed with the payment secret (whoever holds it), it reaches the case, which looks the refund up: still pending.
    const forged = await paymentCallback(paymentSecret, forgedFailure(requested, refundId));
    expect({ status: forged.status, body: forged.text }).toMatchObject({ status: 202 });
    const again = await paymentCallback(paymentSecret, forgedFailure(requested, refundId));
    expect(again.status).toBe(202);
    await sleep(3_000);
    const waiting = await cases.get(opened.id);
    expect({ status: waiting.status, refund: waiting.refund, events: timelineEvents(waiting).filter((e) => e.startsWith('refund.')) }).toEqual({
      status: 'refunding',
      refund: expect.objectContaining({ id: refundId, status: 'requested', idempotencyKey: held?.idempotencyKey }),
      events: ['refund.approved', 'refund.requested'],
    });
    const meanwhile = (await sandboxMoneyOf(sandboxUrl, [opened.id])).refunds;
    expect(meanwhile.map((r) => ({ refundId: r.refundId, status: r.status, requests: r.requests }))).toEqual([{ refundId, status: 'pending', requests: 1 }]);

    // The provider pays it: its own callback settles the case, once.
    const settled = await sandbox.post<unknown>(`/refunds/${encodeURIComponent(refundId)}/settle`, { status: 'succeeded' });
    expect(settled.status).toBe(200);
    const done = await cases.waitForStatus(opened.id, 'completed', 20_000);
    expect(done.refund).toMatchObject({ id: refundId, status: 'succeeded', amount: PRICE });
    expect(timelineEvents(done).filter((e) => e === 'refund.succeeded' || e === 'refund.failed')).toEqual(['refund.succeeded']);

    // A `failed` the provider's record contradicts, after the fact, changes nothing.
    const late = await paymentCallback(paymentSecret, forgedFailure(done, refundId));
    expect([200, 202]).toContain(late.status);
    await sleep(1_000);
    const after = await cases.get(opened.id);
    expect({ status: after.status, refund: after.refund?.status }).toEqual({ status: 'completed', refund: 'succeeded' });

    // The witnesses: one refund paid at the provider, and our ledger committed it once.
    const paid = (await sandboxMoneyOf(sandboxUrl, [opened.id])).refunds;
    expect(paid.map((r) => ({ amount: r.amount, status: r.status }))).toEqual([{ amount: PRICE, status: 'succeeded' }]);
    const line = lineOf(await orderLedgerOf(apiUrl, tokens.agent, orderId), SKU);
    expect({ refunded: line.refunded, reserved: line.reserved, entries: line.entries.map((e) => e.state) }).toEqual({ refunded: PRICE, reserved: 0, entries: ['committed'] });
  });

  test('a forged `succeeded` for a collection still pending at the provider does not count as paid; the real payment does, once', async () => {
    const repair: OpenCaseBody = {
      type: 'repair',
      orderId: `IT-FORGED-COL-${randomUUID()}`,
      customerId: 'c-1',
      items: [{ sku: SKU, quantity: 1, unitPrice: PRICE }],
      reason: { code: 'quality_issue', description: 'the switch stopped working' },
      evidence: ['https://img.example/evidence-1.jpg'],
      order: { paidAt: daysAgo(418), deliveredAt: daysAgo(415), paymentMethod: 'online', total: PRICE, currency: 'CNY' },
    };
    const opened = await cases.opened(tokens.customer, repair);
    expect(opened.outcome.warranty).toBe('out_of_warranty');
    // The customer is slow to pay: the sandbox holds this case's collection pending until the test pays it.
    expect((await sandbox.post<unknown>('/collections/hold', { caseId: opened.id })).status).toBe(200);
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    await cases.accepted(tokens.customer, opened.id, 'quote', { accept: true });
    const asked = await cases.waitFor(opened.id, 'the quote to be asked of the customer', (c) => (c.outcome.collections as { id?: string; status: string }[] | undefined)?.[0]?.status === 'requested');
    const collectionId = (asked.outcome.collections as { id: string }[])[0].id;

    // A `succeeded` nobody at the provider made, signed with the payment secret: looked up, still pending, nothing moves.
    const forged = await paymentCallback(paymentSecret, { eventId: `forged-${randomUUID()}`, collectionId, merchantReference: opened.id, status: 'succeeded', at: new Date().toISOString() });
    expect(forged.status).toBe(202);
    await sleep(2_000);
    const waiting = await cases.get(opened.id);
    expect({ status: waiting.status, collection: (waiting.outcome.collections as { status: string }[])[0].status }).toEqual({ status: 'awaiting_payment', collection: 'requested' });
    expect((await sandboxMoneyOf(sandboxUrl, [opened.id])).collections.map((c) => c.status)).toEqual(['pending']);

    // The customer pays: the provider's own callback, confirmed by its record, moves the case on.
    expect((await sandbox.post<unknown>(`/collections/${encodeURIComponent(collectionId)}/settle`, { status: 'succeeded' })).status).toBe(200);
    const paid = await cases.waitForStatus(opened.id, 'awaiting_return_shipment', 20_000);
    expect(timelineEvents(paid).filter((e) => e.startsWith('payment.'))).toEqual(['payment.requested', 'payment.paid']);
    expect((await sandboxMoneyOf(sandboxUrl, [opened.id])).collections.map((c) => ({ amount: c.amount, status: c.status }))).toEqual([{ amount: defaultPolicy().repair.paidRepairQuote, status: 'succeeded' }]);
  });

  test('a `failed` the provider confirms still starts the next attempt, under a new key; a forged `succeeded` for the given-up attempt after completion is looked up and moves nothing', async () => {
    const orderId = `IT-FORGED-${randomUUID()}`;
    const opened = await cases.opened(tokens.customer, wrongItem(orderId));
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const requested = await cases.waitFor(opened.id, 'the refund to be with the provider', (c) => c.refund?.status === 'requested' && c.refund.id !== undefined);
    const first = requested.refund?.id as string;
    const declined = await sandbox.post<unknown>(`/refunds/${encodeURIComponent(first)}/settle`, { status: 'failed' });
    expect(declined.status).toBe(200);
    const retried = await cases.waitFor(opened.id, 'the second attempt', (c) => c.refund?.status === 'requested' && c.refund.id !== first);
    const refunds = (await sandboxMoneyOf(sandboxUrl, [opened.id])).refunds;
    expect(refunds.map((r) => r.status).sort()).toEqual(['failed', 'pending']);
    expect(new Set(refunds.map((r) => r.idempotencyKey)).size).toBe(2);
    await sandbox.post<unknown>(`/refunds/${encodeURIComponent(retried.refund?.id as string)}/settle`, { status: 'succeeded' });
    const done = await cases.waitForStatus(opened.id, 'completed', 20_000);

    // In the survey window the case still hears its given-up attempt: a `succeeded` for it is looked up
    // at the provider, which says failed — nothing is raised, nothing moves, nothing is counted.
    const before = await paidAfterCaseEnded();
    const late = await paymentCallback(paymentSecret, { eventId: `late-${randomUUID()}`, refundId: first, merchantReference: done.id, status: 'succeeded', at: new Date().toISOString() });
    expect(late.status).toBe(202);
    await sleep(2_000);
    const after = await cases.get(opened.id);
    expect({ status: after.status, refund: after.refund, events: timelineEvents(after) }).toEqual({ status: 'completed', refund: done.refund, events: timelineEvents(done) });
    expect(await paidAfterCaseEnded()).toBe(before);
    const money = (await sandboxMoneyOf(sandboxUrl, [opened.id])).refunds;
    expect(money.map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
  });
});

import { randomBytes } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { eventually, timelineEvents, type ApiErrorBody, type HttpAnswer } from '../integration/support/http-client';
import type { TappedCallback } from './support/callback-tap';
import { ReliabilityStack } from './support/reliability-stack';
import { countEvents, ReturnCases, Sandbox, type ReturnCase } from './support/return-cases';

// Scenario 5: providers deliver callbacks more than once, late and out of order. The sandbox's
// callbacks pass through a tap (test/reliability/support/callback-tap.ts), and the test posts
// recorded ones again, signed with the stack's webhook secret, plus events of its own. A case
// never moves twice or backwards; an event for nothing we know is a 404.

// Tracking events 1.5 s apart, so that an event the test sends can overtake the courier's own.
const STEP_MS = 1500;
let stack: ReliabilityStack;
let cases: ReturnCases;
let sandbox: Sandbox;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'webhooks', tapCallbacks: true, env: { SANDBOX_TRACKING_STEP_MS: String(STEP_MS) } });
  cases = new ReturnCases(stack, 'WH');
  sandbox = new Sandbox(stack.sandboxUrl);
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

/** Posts a raw body to a webhook, signed now with the stack's secret, as the provider would. */
function postSigned(topic: 'courier' | 'payment', body: string): Promise<HttpAnswer<ApiErrorBody>> {
  return fetch(`${stack.apiUrl}/v1/webhooks/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, stack.webhookSecret) },
    body,
  }).then(async (response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : null) as ApiErrorBody };
  });
}

/** The callback the sandbox delivered for `where` (waits for the tap to have it). */
function tapped(what: string, where: (payload: Record<string, unknown>, topic: TappedCallback['topic']) => boolean): Promise<TappedCallback> {
  return eventually(what, async () => stack.tap!.delivered(where)[0], { timeoutMs: 30_000, intervalMs: 200 });
}

const newEventId = () => `evt_rel_${randomBytes(6).toString('hex')}`;

/** What must not change when a callback is replayed: status, timeline, shipments, refund. */
const essentials = (s: CaseSnapshot) => ({ status: s.status, timeline: timelineEvents(s), shipments: s.shipments.map((p) => `${p.trackingNumber}:${p.status}`), refund: s.refund });

async function openApproveShip(n: number): Promise<ReturnCase> {
  const c = await cases.open(n);
  await cases.accepted(cases.approve(c), c, 'review');
  await cases.accepted(cases.ship(c), c, 'return-shipment');
  return c;
}

test('the same delivered event twice, in_transit after delivered and a settlement twice change nothing: one return.received, one refund.succeeded', async () => {
  const c = await openApproveShip(0);
  const inspecting = await cases.waitForStatus(c, 'inspecting', 60_000);
  const ofParcel = (event: string) => (p: Record<string, unknown>, topic: string) => topic === 'courier' && p.trackingNumber === c.trackingNumber && p.event === event;
  const delivered = await tapped(`the delivered callback of ${c.trackingNumber}`, ofParcel('delivered'));
  const inTransit = await tapped(`the in_transit callback of ${c.trackingNumber}`, ofParcel('in_transit'));

  // The courier redelivers `delivered` (same eventId), five times at once and once more later.
  const replays = await Promise.all(Array.from({ length: 5 }, () => postSigned('courier', delivered.body)));
  replays.push(await postSigned('courier', delivered.body));
  expect(replays.map((a) => a.status)).toEqual(replays.map(() => 202));
  // A late in_transit: the recorded one, and one the courier re-sent with a new eventId and a later time.
  expect((await postSigned('courier', inTransit.body)).status).toBe(202);
  const lateInTransit = JSON.stringify({ ...inTransit.payload, eventId: newEventId(), at: new Date().toISOString() });
  expect((await postSigned('courier', lateInTransit)).status).toBe(202);

  const afterCourierReplays = await cases.get(c);
  expect(essentials(afterCourierReplays)).toEqual(essentials(inspecting));
  expect({ received: countEvents(afterCourierReplays, 'return.received'), delivered: countEvents(afterCourierReplays, 'shipment.delivered') }).toEqual({ received: 1, delivered: 1 });

  // Inspection passes; the payment provider settles the refund once…
  await cases.accepted(cases.inspect(c), c, 'inspection');
  const completed = await cases.waitForStatus(c, 'completed', 30_000);
  const refundId = completed.refund?.id;
  const settlement = await tapped(`the settlement callback of refund ${refundId}`, (p, topic) => topic === 'payment' && p.refundId === refundId);

  // …and again (same event), and once more with a new eventId claiming the refund failed after all.
  const settlementReplays = [await postSigned('payment', settlement.body), await postSigned('payment', settlement.body)];
  const contradicting = JSON.stringify({ ...settlement.payload, eventId: newEventId(), status: 'failed', reason: 'late contradicting settlement', at: new Date().toISOString() });
  settlementReplays.push(await postSigned('payment', contradicting));
  expect(settlementReplays.map((a) => a.status)).toEqual([202, 202, 202]);

  const after = await cases.get(c);
  expect(essentials(after)).toEqual(essentials(completed));
  expect({ received: countEvents(after, 'return.received'), succeeded: countEvents(after, 'refund.succeeded'), failed: countEvents(after, 'refund.failed') }).toEqual({
    received: 1,
    succeeded: 1,
    failed: 0,
  });
  const refunds = (await sandbox.ledger()).refunds.filter((r) => r.caseId === c.id);
  expect(refunds.map((r) => ({ id: r.refundId, status: r.status }))).toEqual([{ id: refundId, status: 'succeeded' }]);
});

test('a delivered event that overtakes picked_up and in_transit moves the parcel once; the late events never move it back', async () => {
  const c = await openApproveShip(1);
  // Our own `delivered`, sent before the courier's first event (which comes STEP_MS after the subscription).
  const early = JSON.stringify({ eventId: newEventId(), trackingNumber: c.trackingNumber, event: 'delivered', at: new Date().toISOString() });
  // The tracking number reaches the read model (webhook routing) a moment after the shipment is reported.
  const accepted = await eventually(
    `our early delivered event for ${c.trackingNumber} to be accepted`,
    async () => {
      const answer = await postSigned('courier', early);
      return answer.status === 202 ? answer : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  expect(accepted.status).toBe(202);
  await cases.waitForStatus(c, 'inspecting', 10_000);

  // The courier's own picked_up, in_transit and delivered arrive afterwards, in their order.
  const ofParcel = (event: string) => (p: Record<string, unknown>, topic: string) => topic === 'courier' && p.trackingNumber === c.trackingNumber && p.event === event;
  await tapped(`the courier's delivered callback of ${c.trackingNumber}`, ofParcel('delivered'));
  const after = await cases.get(c);
  const events = timelineEvents(after);
  const deliveredAt = events.indexOf('shipment.delivered');
  expect({
    status: after.status,
    parcel: after.shipments.map((s) => s.status),
    received: countEvents(after, 'return.received'),
    delivered: countEvents(after, 'shipment.delivered'),
    movedBackAfterDelivery: events.slice(deliveredAt + 1).filter((e) => e === 'shipment.picked_up' || e === 'shipment.in_transit'),
  }).toEqual({ status: 'inspecting', parcel: ['delivered'], received: 1, delivered: 1, movedBackAfterDelivery: [] });
});

test('a settlement for an unknown refund and tracking events for an unknown parcel are answered 404 unknown_reference', async () => {
  const at = new Date().toISOString();
  const unknownRefund = await postSigned('payment', JSON.stringify({ eventId: newEventId(), refundId: `re_unknown_${randomBytes(4).toString('hex')}`, status: 'succeeded', at }));
  const unknownCase = await postSigned(
    'payment',
    JSON.stringify({ eventId: newEventId(), refundId: `re_unknown_${randomBytes(4).toString('hex')}`, merchantReference: 'cs_doesnotexist000000000000', status: 'succeeded', at }),
  );
  const unknownParcel = await postSigned('courier', JSON.stringify({ eventId: newEventId(), trackingNumber: 'SFUNKNOWN0000001', event: 'delivered', at }));
  expect([unknownRefund, unknownCase, unknownParcel].map((a) => `${a.status} ${a.body?.error?.code}`)).toEqual([
    '404 unknown_reference',
    '404 unknown_reference',
    '404 unknown_reference',
  ]);
  // A signature made with another secret is refused before anything else.
  const forged = await fetch(`${stack.apiUrl}/v1/webhooks/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook('{}', 'not-the-secret') },
    body: '{}',
  });
  expect(forged.status).toBe(401);
});

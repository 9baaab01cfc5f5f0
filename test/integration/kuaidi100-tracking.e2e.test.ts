import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { signCallback, KUAIDI100_CALLBACK_ACK } from '../../integrations/kuaidi100.protocol';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { SANDBOX_KUAIDI100_CUSTOMER, type SandboxKuaidi100Subscription } from '../../sandbox/kuaidi100.routes';
import { startApi, startWorker, withoutConfigEnv } from '../../scripts/stack/app-services';
import { ProcessGroup } from '../../scripts/stack/managed-process';
import { freePorts } from '../../scripts/stack/ports';
import { integrationOutput } from './stack/integration-stack';
import { readIntegrationStack } from './stack/stack-file';
import { caseWorkflowId } from '../../domain/ids';
import { daysAgo, stackTemporalClient } from './support/fixtures';
import { CasesApi, describeCase, eventually, stackTokens, timelineEvents } from './support/http-client';

// Return tracking through Kuaidi100 on the integration stack: a worker and an API of their own with
// COURIER_TRACKING_PROVIDER=kuaidi100 (the stack's Temporal, FerretDB and provider sandbox for the
// rest). Their Kuaidi100 is a sandbox in this process whose parcels never move by themselves, so
// the test itself plays Kuaidi100's pushes: signed with the salt, forged, and repeated.

const KEY = `kd100-it-${randomUUID()}`;
const SALT = `salt-${randomUUID()}`;
const TASK_QUEUE = `kuaidi100-it-${randomUUID().slice(0, 8)}`;
const tokens = stackTokens();
const temporal = stackTemporalClient();

let group: ProcessGroup;
let kuaidi100: Sandbox;
let kuaidi100Server: Server;
let kuaidi100Url: string;
let apiUrl: string;
let cases: CasesApi;

beforeAll(async () => {
  const stack = readIntegrationStack();
  // A step of an hour: the sandbox's parcels stand still, so that only this test's pushes move them.
  kuaidi100 = createSandboxApp({ apiKey: KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'unused-secret', trackingStepMs: 3_600_000, settleMs: 3_600_000 });
  kuaidi100Server = await new Promise<Server>((resolve) => {
    const s = kuaidi100.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  kuaidi100Url = `http://127.0.0.1:${(kuaidi100Server.address() as AddressInfo).port}/kuaidi100`;

  const [apiPort, metricsPort] = await freePorts(2);
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    ...withoutConfigEnv(process.env),
    ...stack.configEnv,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    PORT: String(apiPort),
    WORKER_METRICS_PORT: String(metricsPort),
    COURIER_TRACKING_PROVIDER: 'kuaidi100',
    KUAIDI100_BASE_URL: kuaidi100Url,
    KUAIDI100_KEY: KEY,
    KUAIDI100_CUSTOMER: SANDBOX_KUAIDI100_CUSTOMER,
    KUAIDI100_SALT: SALT,
    KUAIDI100_CALLBACK_URL: `${apiUrl}/v1/webhooks/kuaidi100`,
  };
  group = new ProcessGroup(integrationOutput(stack.logDir));
  await Promise.all([startWorker(group, env, metricsPort, 'worker-kuaidi100'), startApi(group, env, apiPort, 'api-kuaidi100')]);
  cases = new CasesApi(apiUrl, tokens.agent);
}, 90_000);

afterAll(async () => {
  await group?.stopAll();
  kuaidi100?.close();
  kuaidi100Server?.closeAllConnections();
  await new Promise((resolve) => kuaidi100Server?.close(resolve));
});

/** A Kuaidi100 push of a parcel signed for at our warehouse: picked up, in transit, signed (newest first). */
function signedForPush(trackingNumber: string): string {
  return JSON.stringify({
    status: 'shutdown',
    billstatus: 'check',
    message: '',
    lastResult: {
      message: 'ok',
      state: '3',
      status: '200',
      condition: 'F00',
      ischeck: '1',
      com: 'shunfeng',
      nu: trackingNumber,
      data: [
        { time: '2026-03-03 10:00:00', ftime: '2026-03-03 10:00:00', context: '【退货仓】已签收', status: '签收' },
        { time: '2026-03-02 20:00:00', ftime: '2026-03-02 20:00:00', context: '【深圳转运中心】已发出', status: '在途' },
        { time: '2026-03-02 09:00:00', ftime: '2026-03-02 09:00:00', context: '【深圳市】快件已揽收', status: '揽收' },
      ],
    },
  });
}

/** Posts a push the way Kuaidi100 does: a form of param and sign. */
async function push(param: string, sign: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}/v1/webhooks/kuaidi100`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ param, sign }).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * Push `n` of a parcel with `total` scans, one push per scan: its first `n` scans, newest first —
 * picked up, then in transit a minute apart, and signed for at the last one.
 */
function pushOfScans(trackingNumber: string, n: number, total: number): string {
  const scans = Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 2, 2, 1, i)).toISOString().replace('T', ' ').slice(0, 19);
    const [status, context] = i === 0 ? ['揽收', '【深圳市】快件已揽收'] : i === total - 1 ? ['签收', '【退货仓】已签收'] : ['在途', `【中转站${i}】已发出`];
    return { time: at, ftime: at, context, status };
  });
  const last = scans.at(-1)!.status;
  return JSON.stringify({
    status: last === '签收' ? 'shutdown' : 'polling',
    message: '',
    lastResult: { message: 'ok', state: last === '签收' ? '3' : last === '揽收' ? '1' : '0', status: '200', ischeck: last === '签收' ? '1' : '0', com: 'shunfeng', nu: trackingNumber, data: scans.reverse() },
  });
}

const count = (snapshot: CaseSnapshot, event: string) => timelineEvents(snapshot).filter((e) => e === event).length;

describe('return tracking through Kuaidi100', () => {
  test('the return parcel is subscribed at Kuaidi100; a forged push is refused and changes nothing; a signed one moves the case to inspection; a repeat changes nothing', async () => {
    const opened = await cases.opened(tokens.customer, {
      type: 'return',
      orderId: `IT-KD100-${randomUUID()}`,
      customerId: 'c-1',
      items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: 5000 }],
      reason: { code: 'no_reason', description: 'changed my mind' },
      packagingIntact: true,
      order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 5000, currency: 'CNY' },
    });
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const shipped = await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
    expect(shipped.status).toBe('return_in_transit');
    // The parcel goes on the shop's label: Kuaidi100 follows the label's number.
    const trackingNumber = shipped.shipments[0].trackingNumber;

    // The worker subscribed the parcel at Kuaidi100 with our callback URL and salt.
    const [subscription] = await eventually(`a Kuaidi100 subscription of ${trackingNumber}`, async () => {
      const res = await fetch(`${kuaidi100Url}/subscriptions`);
      const all = ((await res.json()) as { subscriptions: SandboxKuaidi100Subscription[] }).subscriptions;
      const mine = all.filter((s) => s.number === trackingNumber);
      return mine.length ? mine : undefined;
    });
    expect({ company: subscription.company, callbackUrl: subscription.callbackUrl, salt: subscription.salt }).toEqual({
      company: 'shunfeng',
      callbackUrl: `${apiUrl}/v1/webhooks/kuaidi100`,
      salt: SALT,
    });

    // A push signed with another salt: refused, and the case does not move.
    const param = signedForPush(trackingNumber);
    const forged = await push(param, signCallback(param, 'not-our-salt'));
    expect(forged.status).toBe(403);
    const afterForged = await cases.get(opened.id);
    if (afterForged.status !== 'return_in_transit' || count(afterForged, 'shipment.delivered') !== 0) {
      throw new Error(`a forged push moved the case: ${describeCase(afterForged)}`);
    }

    // The authentic push: Kuaidi100's expected answer, and every scan reaches the case in order.
    const authentic = await push(param, signCallback(param, SALT));
    expect(authentic).toEqual({ status: 200, body: KUAIDI100_CALLBACK_ACK });
    const inspecting = await cases.waitForStatus(opened.id, 'inspecting', 20_000);
    expect(timelineEvents(inspecting)).toEqual(expect.arrayContaining(['shipment.picked_up', 'shipment.in_transit', 'shipment.delivered', 'return.received']));
    const delivered = inspecting.timeline?.find((entry) => entry.event === 'shipment.delivered');
    expect(JSON.stringify(delivered)).toContain('【退货仓】已签收');

    // The same push again (Kuaidi100 repeats when unsure): acknowledged, and nothing is added to the case.
    const repeat = await push(param, signCallback(param, SALT));
    expect(repeat).toEqual({ status: 200, body: KUAIDI100_CALLBACK_ACK });
    const afterRepeat = await cases.get(opened.id);
    expect({ status: afterRepeat.status, timeline: timelineEvents(afterRepeat) }).toEqual({ status: 'inspecting', timeline: timelineEvents(inspecting) });
    expect(count(afterRepeat, 'shipment.delivered')).toBe(1);
  });

  test('a parcel with 200 scans pushed one push per scan: the case receives the goods and its history stays under 150 events', async () => {
    const opened = await cases.opened(tokens.customer, {
      type: 'return',
      orderId: `IT-KD100-LONG-${randomUUID()}`,
      customerId: 'c-1',
      items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: 5000 }],
      reason: { code: 'no_reason', description: 'changed my mind' },
      packagingIntact: true,
      order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 5000, currency: 'CNY' },
    });
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const shipped = await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
    const trackingNumber = shipped.shipments[0].trackingNumber;

    // Each push carries the whole trace so far: signalled scan by scan, this was 20,100 signals.
    const SCANS = 200;
    const started = Date.now();
    for (let n = 1; n <= SCANS; n++) {
      const param = pushOfScans(trackingNumber, n, SCANS);
      const answer = await push(param, signCallback(param, SALT));
      if (answer.status !== 200) throw new Error(`push ${n} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    const pushingMs = Date.now() - started;

    const inspecting = await cases.waitForStatus(opened.id, 'inspecting', 20_000);
    expect(count(inspecting, 'shipment.picked_up')).toBe(1);
    expect(count(inspecting, 'shipment.in_transit')).toBe(1);
    expect(count(inspecting, 'shipment.delivered')).toBe(1);
    expect(timelineEvents(inspecting)).toContain('return.received');

    const description = await temporal.client.workflow.getHandle(caseWorkflowId(opened.id)).describe();
    const { events } = await temporal.client.workflow.getHandle(caseWorkflowId(opened.id)).fetchHistory();
    const signals = (events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    // The figures behind docs/benchmarks.md ("History of a return whose parcel had 200 scans").
    console.log(`200 scans pushed one push per scan in ${pushingMs} ms: history ${description.historyLength} events, ${signals} signals`);
    expect(signals).toBeLessThanOrEqual(4);
    expect(description.historyLength).toBeLessThanOrEqual(150);
    // The case tells its own history's length.
    const live = await cases.get(opened.id);
    expect(live.temporal.historyLength).toEqual(expect.any(Number));
    expect(live.temporal.historyLength).toBeLessThanOrEqual(description.historyLength);
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { caseWorkflowId } from '../../../domain/ids';
import { signCallback } from '../../../integrations/kuaidi100.protocol';
import { createSandboxApp } from '../../../sandbox/app';
import { SANDBOX_KUAIDI100_CUSTOMER } from '../../../sandbox/kuaidi100.routes';
import { caseDriver, placedReturns } from '../http';
import { withTimeout } from '../stats';
import { mdTable, verdict, type Benchmark, type BenchContext, type BenchOutcome } from './types';

const SCANS = 200;
const TARGET_EVENTS = 150;

/**
 * History of one complete return case whose parcel had 200 scans, each pushed by Kuaidi100 as its
 * own push carrying the whole trace so far: a worker and an API with COURIER_TRACKING_PROVIDER=kuaidi100
 * against a Kuaidi100 sandbox in this process whose parcels stand still, the bench playing the pushes.
 */
export const courierPushesBenchmark: Benchmark = {
  name: 'courier-pushes',
  title: 'History of a return whose parcel had 200 scans, pushed one push per scan',
  async run({ stack, client, say, runId }: BenchContext): Promise<BenchOutcome> {
    const key = `bench-kd100-${randomUUID()}`;
    const salt = `bench-salt-${randomUUID()}`;
    // A step of an hour: the sandbox's parcels never move by themselves; only the bench's pushes move them.
    const kuaidi100 = createSandboxApp({ apiKey: key, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'unused-secret', trackingStepMs: 3_600_000, settleMs: 3_600_000 });
    const server = await new Promise<Server>((resolve) => {
      const s = kuaidi100.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const app = await stack.startApp({
      name: 'kd100',
      taskQueue: 'bench-kd100',
      env: {
        COURIER_TRACKING_PROVIDER: 'kuaidi100',
        KUAIDI100_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kuaidi100`,
        KUAIDI100_KEY: key,
        KUAIDI100_CUSTOMER: SANDBOX_KUAIDI100_CUSTOMER,
        KUAIDI100_SALT: salt,
        // The sandbox never pushes by itself; the bench posts to the API directly.
        KUAIDI100_CALLBACK_URL: 'http://127.0.0.1:9/unused',
      },
    });
    try {
      const api = app.apiUrl;
      const { customer, warehouse } = stack.tokens;
      const agent = stack.tokens.agents[0];
      const { post, waitForStatus } = caseDriver(api, agent);

      const [placed] = await placedReturns(stack.sandboxUrl, `BENCH-KD100-${runId}`, 0, 1, 'c-1');
      const id = (await post(customer, '/v1/cases', placed.claim, 201)).id;
      await post(agent, `/v1/cases/${id}/review`, { decision: 'approve', note: 'within 7 days' }, 200);
      const shipped = await post(customer, `/v1/cases/${id}/return-shipment`, {}, 200);
      const trackingNumber = shipped.shipments[0].trackingNumber;
      say(`courier-pushes: case ${id}, parcel ${trackingNumber}: ${SCANS} pushes`);

      const started = Date.now();
      const pushMs: number[] = [];
      for (let n = 1; n <= SCANS; n++) {
        const param = pushOfScans(trackingNumber, n);
        const t0 = Date.now();
        const res = await fetch(`${api}/v1/webhooks/kuaidi100`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ param, sign: signCallback(param, salt) }).toString(),
        });
        await res.text();
        if (res.status !== 200) throw new Error(`push ${n} answered ${res.status}`);
        pushMs.push(Date.now() - t0);
      }
      const pushingMs = Date.now() - started;
      await waitForStatus(id, 'inspecting');
      await post(warehouse, `/v1/cases/${id}/inspection`, { result: 'pass', note: 'unused' }, 200);
      const completed = await waitForStatus(id, 'completed');
      await post(customer, `/v1/cases/${id}/survey`, { score: 5, comment: 'quick' }, 200);
      const handle = client.workflow.getHandle(caseWorkflowId(id));
      await withTimeout(handle.result(), 60_000, `workflow of ${id} did not close in 60 s`);
      const events = (await handle.fetchHistory()).events ?? [];
      const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
      const total = events.length;
      const met = total <= TARGET_EVENTS;
      pushMs.sort((a, b) => a - b);
      const p95 = pushMs[Math.min(pushMs.length - 1, Math.floor(pushMs.length * 0.95))];
      say(`courier-pushes: ${total} events, ${signals} signals; pushes ${pushingMs} ms`);
      const transit = completed.timeline.filter((e) => e.event.startsWith('shipment.')).map((e) => e.event);
      const markdown = [
        `One return case driven to its end on a worker and an API of its own with \`COURIER_TRACKING_PROVIDER=kuaidi100\` ` +
          `(a Kuaidi100 sandbox in the bench process whose parcels stand still): opened, approved, shipped on the shop's label, then ` +
          `**${SCANS} signed pushes of its parcel, one per scan**, each carrying the whole trace so far (picked up, ${SCANS - 2} in transit, ` +
          `signed for), then inspected, refunded, completed and surveyed. Signalled scan by scan (before this change), the pushes were ` +
          `${((SCANS * (SCANS + 1)) / 2).toLocaleString('en-US')} signals, past the server's 10,000 signals per workflow. \`handle.fetchHistory()\` of the closed ` +
          `workflow: **${total} events** (target ≤ ${TARGET_EVENTS}: ${verdict(met)}), of which ${signals} signals; the case's shipment ` +
          `entries: ${transit.join(', ')}.`,
        '',
        mdTable(
          ['measure', 'value'],
          [
            ['history events of the closed workflow', total],
            ['signals in it (courier and payment)', signals],
            [`${SCANS} pushes, sequential`, `${pushingMs} ms (p50 ${pushMs[Math.floor(pushMs.length / 2)]} ms, p95 ${p95} ms a push)`],
          ],
        ),
      ].join('\n');
      return {
        summary: [{ benchmark: 'courier-pushes', metric: `history events of a return whose parcel had ${SCANS} scans, one push per scan`, value: `${total} (${signals} signals)`, target: `≤ ${TARGET_EVENTS}`, met }],
        markdown,
      };
    } finally {
      await app.stop();
      kuaidi100.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
};

/** Push `n` of the parcel: its first `n` scans, newest first (picked up, in transit a minute apart, signed for at the last). */
function pushOfScans(trackingNumber: string, n: number): string {
  const scans = Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 2, 2, 1, i)).toISOString().replace('T', ' ').slice(0, 19);
    const [status, context] = i === 0 ? ['揽收', '【深圳市】快件已揽收'] : i === SCANS - 1 ? ['签收', '【退货仓】已签收'] : ['在途', `【中转站${i}】已发出`];
    return { time: at, ftime: at, context, status };
  });
  const last = scans.at(-1)!.status;
  const delivered = last === '签收';
  return JSON.stringify({
    status: delivered ? 'shutdown' : 'polling',
    message: '',
    lastResult: { message: 'ok', state: delivered ? '3' : last === '揽收' ? '1' : '0', status: '200', ischeck: delivered ? '1' : '0', com: 'shunfeng', nu: trackingNumber, data: scans.reverse() },
  });
}

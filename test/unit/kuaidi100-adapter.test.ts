import { loadConfig } from '../../config/env';
import type { CourierEvent } from '../../domain/workflow-contract';
import { createProviderClients } from '../../integrations';
import { ProviderError } from '../../integrations/http-client';
import type { Kuaidi100Client } from '../../integrations/kuaidi100.client';
import { traceToCourierEvents, verifyCallbackSign, type Kuaidi100Callback } from '../../integrations/kuaidi100.protocol';
import { SANDBOX_KUAIDI100_CUSTOMER } from '../../sandbox/kuaidi100.routes';
import { startKuaidi100Sandbox, type Kuaidi100Push, type Kuaidi100Sandbox } from './support/kuaidi100-sandbox';

// The Kuaidi100 adapter against the sandbox's Kuaidi100, both in this process: the sandbox checks
// the key and the query sign as Kuaidi100 does and pushes signed form posts to our receiver.

const KEY = 'kd100-test-key';
const SALT = 'kd100-test-salt';
const STEP_MS = 20;

let kd100: Kuaidi100Sandbox;
let pushes: Kuaidi100Push[];
let sandboxUrl: string;
let callbackUrl: string;

function client(overrides: Partial<ConstructorParameters<typeof Kuaidi100Client>[0]> = {}): Kuaidi100Client {
  return kd100.client(overrides);
}

/** Polls until `probe` returns a value; fails naming what never happened and the pushes so far. */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; pushes so far: ${JSON.stringify(pushes.map((p) => p.param))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function pushesOf(trackingNumber: string): (Kuaidi100Push & { decoded: Kuaidi100Callback })[] {
  return pushes
    .map((p) => ({ ...p, decoded: JSON.parse(p.param) as Kuaidi100Callback }))
    .filter((p) => p.decoded.lastResult.nu === trackingNumber);
}

beforeAll(async () => {
  kd100 = await startKuaidi100Sandbox({ key: KEY, salt: SALT, stepMs: STEP_MS });
  ({ pushes, sandboxUrl, callbackUrl } = kd100);
});

afterAll(() => kd100.close());

describe('the Kuaidi100 adapter against the sandbox', () => {
  test('subscribing a parcel twice leaves one subscription (the repeat, 501, counts as done)', async () => {
    const kd = client();
    await kd.subscribeTracking({ caseId: 'case-1', trackingNumber: 'SFTWICE001', carrier: 'SF' });
    await expect(kd.subscribeTracking({ caseId: 'case-1', trackingNumber: 'SFTWICE001', carrier: 'SF' })).resolves.toBeUndefined();
    const mine = (await kd100.subscriptions()).filter((s) => s.number === 'SFTWICE001');
    expect(mine.map((s) => ({ company: s.company, callbackUrl: s.callbackUrl, salt: s.salt }))).toEqual([{ company: 'shunfeng', callbackUrl, salt: SALT }]);
  });

  test('a wrong key is refused with Kuaidi100 code 600, as a final (not retried) error', async () => {
    const error = await client({ key: 'not-our-key' })
      .subscribeTracking({ caseId: 'case-2', trackingNumber: 'YTBADKEY01', carrier: 'YTO' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect({ code: (error as ProviderError).code, retryable: (error as ProviderError).retryable }).toEqual({ code: '600', retryable: false });
  });

  test('the parcel moves: every push is signed with our salt and maps to picked_up … delivered', async () => {
    await client().subscribeTracking({ caseId: 'case-3', trackingNumber: 'ZTJOURNEY1', carrier: 'ZTO' });
    const all = await waitFor('the signed-for push of ZTJOURNEY1', () => {
      const got = pushesOf('ZTJOURNEY1');
      return got.some((p) => p.decoded.lastResult.state === '3') && got;
    });
    expect(all.filter((p) => !verifyCallbackSign(p.param, p.sign, SALT))).toEqual([]);
    const last = all[all.length - 1].decoded;
    expect(last.status).toBe('shutdown');
    expect(traceToCourierEvents(last.lastResult).map((e) => e.event)).toEqual(['picked_up', 'in_transit', 'in_transit', 'delivered']);
  });

  test('the query answers the trace with the same events as the pushes', async () => {
    await client().subscribeTracking({ caseId: 'case-4', trackingNumber: 'EMSQUERY01', carrier: 'EMS' });
    const last = await waitFor('the signed-for push of EMSQUERY01', () => pushesOf('EMSQUERY01').find((p) => p.decoded.lastResult.state === '3'));
    const answer = await client().query({ trackingNumber: 'EMSQUERY01', carrier: 'EMS' });
    const pushed: CourierEvent[] = traceToCourierEvents(last.decoded.lastResult);
    expect(answer.state).toBe('3');
    expect(answer.events).toEqual(pushed);
  });

  test('a query of a parcel without scans yet answers no events; a query signed for another customer is refused with 503', async () => {
    await expect(client().query({ trackingNumber: 'JDNOTHING1', carrier: 'JD' })).resolves.toEqual({ state: '', events: [] });
    const error = await client({ customer: 'someone-else' })
      .query({ trackingNumber: 'JDNOTHING1', carrier: 'JD' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('503');
  });

  test('with COURIER_TRACKING_PROVIDER=kuaidi100 the courier port subscribes through Kuaidi100', async () => {
    const config = loadConfig({
      COURIER_TRACKING_PROVIDER: 'kuaidi100',
      COURIER_BASE_URL: `${sandboxUrl}/courier`,
      KUAIDI100_BASE_URL: `${sandboxUrl}/kuaidi100`,
      KUAIDI100_KEY: KEY,
      KUAIDI100_CUSTOMER: SANDBOX_KUAIDI100_CUSTOMER,
      KUAIDI100_SALT: SALT,
      KUAIDI100_CALLBACK_URL: callbackUrl,
    });
    await createProviderClients(config).courier.subscribeTracking({ caseId: 'case-5', trackingNumber: 'YTPORT0001', carrier: 'YTO' });
    expect((await kd100.subscriptions()).filter((s) => s.number === 'YTPORT0001').map((s) => s.company)).toEqual(['yuantong']);
  });
});

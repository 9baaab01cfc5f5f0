import express from 'express';
import { Kuaidi100Client } from '../../../integrations/kuaidi100.client';
import { KUAIDI100_CALLBACK_ACK } from '../../../integrations/kuaidi100.protocol';
import { createSandboxApp } from '../../../sandbox/app';
import { SANDBOX_KUAIDI100_CUSTOMER, type SandboxKuaidi100Subscription } from '../../../sandbox/kuaidi100.routes';
import { listen } from './provider-test-kit';

/** One push as our receiver got it (the form fields Kuaidi100 posts). */
export interface Kuaidi100Push {
  param: string;
  sign?: string;
}

/** The sandbox's Kuaidi100 in this process and a receiver that acknowledges its pushes and passes nothing on. */
export interface Kuaidi100Sandbox {
  /** Where the sandbox app answers (Kuaidi100 under /kuaidi100, the courier under /courier). */
  sandboxUrl: string;
  /** Where the sandbox pushes to: the receiver. */
  callbackUrl: string;
  /** Every push the receiver got, in order. */
  pushes: Kuaidi100Push[];
  /** The real adapter configured for this sandbox, with `overrides`. */
  client(overrides?: Partial<ConstructorParameters<typeof Kuaidi100Client>[0]>): Kuaidi100Client;
  /** The sandbox's subscriptions, with their pushes. */
  subscriptions(): Promise<SandboxKuaidi100Subscription[]>;
  /** Subscribes a parcel and waits (≤ 5 s) until its journey ended at `endState` (3: signed for) with every push acknowledged. */
  shipThrough(trackingNumber: string, carrier: string, endState?: string): Promise<void>;
  /** Stops the sandbox and both servers. */
  close(): Promise<void>;
}

/** Starts the sandbox's Kuaidi100 (its parcels move a step every `stepMs`) and the receiver of its pushes. */
export async function startKuaidi100Sandbox(options: { key: string; salt: string; stepMs: number }): Promise<Kuaidi100Sandbox> {
  const pushes: Kuaidi100Push[] = [];
  const receiver = express();
  receiver.post('/kuaidi100', express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, string>;
    pushes.push({ param: body.param, sign: body.sign });
    res.json(KUAIDI100_CALLBACK_ACK);
  });
  const receiving = await listen(receiver);
  const callbackUrl = `${receiving.base}/kuaidi100`;
  const sandbox = createSandboxApp({ apiKey: options.key, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'unused-secret', trackingStepMs: options.stepMs, settleMs: options.stepMs });
  const serving = await listen(sandbox.app);
  const sandboxUrl = serving.base;

  const client: Kuaidi100Sandbox['client'] = (overrides = {}) =>
    new Kuaidi100Client({ baseUrl: `${sandboxUrl}/kuaidi100`, key: options.key, customer: SANDBOX_KUAIDI100_CUSTOMER, salt: options.salt, callbackUrl, timeoutMs: 2000, ...overrides });
  const subscriptions = async () => ((await (await fetch(`${sandboxUrl}/kuaidi100/subscriptions`)).json()) as { subscriptions: SandboxKuaidi100Subscription[] }).subscriptions;

  return {
    sandboxUrl,
    callbackUrl,
    pushes,
    client,
    subscriptions,
    async shipThrough(trackingNumber, carrier, endState = '3') {
      await client().subscribeTracking({ caseId: 'unused', trackingNumber, carrier });
      const deadline = Date.now() + 5000;
      for (;;) {
        const mine = (await subscriptions()).find((s) => s.number === trackingNumber);
        if (mine?.state === endState && mine.pushes.every((p) => p.acknowledged)) return;
        if (Date.now() > deadline) throw new Error(`the sandbox never brought ${trackingNumber} to state ${endState}; it is at ${JSON.stringify(mine?.state)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      sandbox.close();
      // The adapter's keep-alive connections would hold the servers open.
      for (const { server } of [receiving, serving]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import type { CatalogItem, CollectionPurpose, EscalationRecord, OutboundMessage, ShipmentPurpose } from '../../../activities/provider-ports';
import type { Actor, CaseItem, CaseSnapshot, OpenCaseRequest } from '../../../domain/case.types';
import { checkEligibility } from '../../../domain/eligibility';
import { escalationRecordId, lineKey, lineKeyOf } from '../../../domain/keys';
import { newLine, reserve, settle, takeFacts, type OrderLine } from '../../../domain/order-ledger';
import type { SourceOrder } from '../../../domain/order-source';
import { ProviderError } from '../../../domain/provider-error';
import { defaultPolicy, type Policy } from '../../../domain/policy';
import { caseStartOptions, caseWorkflowInput } from '../../../api/case-start-options';
import { CASE_SEARCH_ATTRIBUTES } from '../../../domain/search-attributes';
import { caseWorkflowId } from '../../../domain/ids';
import { collectionEventSignal, courierEventSignal, assignUpdate, getCaseQuery, paymentEventSignal, returnShipmentUpdate, surveyUpdate, WORKFLOW_TYPE_BY_CASE_TYPE } from '../../../domain/workflow-contract';
import { testProtection } from './test-payload-protection';
import { timeSkippingServerPath } from './test-server';
import { bundleWorkflows, sharedWorkflowBundle } from './workflow-bundle';
import { caseSinks, ReadModelPublisher } from '../../../worker/read-model-publisher';

let queueCounter = 0;

let runtimeInstalled = false;

/** Starts a time-skipping server with the case search attributes registered. */
export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    // The time-skipping server predates some capabilities the core checks for and warns about; only errors matter here.
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
    client: { dataConverter: testProtection.dataConverter },
  });
  const indexedTypes: Record<string, number> = { Keyword: 2, Int: 3, Bool: 5, Datetime: 6 };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(CASE_SEARCH_ATTRIBUTES.map((a) => [a.name, indexedTypes[a.type]])),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow code: the bundle the project's global setup made for the run, else bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= Promise.resolve(sharedWorkflowBundle() ?? bundleWorkflows());
  return bundle;
}

/** In-memory stand-ins for the providers and the read model, recording every call. */
/**
 * The payment provider's record of collections settled by `settleCollection`, by
 * `<workflow id>|<collection id>` (what `lookUpCollection` answers; pending while absent).
 */
const collectionSettlements = new Map<string, 'succeeded' | 'failed'>();

export class FakeWorld {
  /** Each world has its own task queue, so every test gets a fresh worker. */
  readonly taskQueue = `workflow-tests-${++queueCounter}`;
  labels: { caseId: string; key: string }[] = [];
  shipments: { caseId: string; purpose: ShipmentPurpose; key: string; trackingNumber: string; items: CaseItem[] }[] = [];
  /** While set, the courier holds every new shipment until it resolves: a test acts while a parcel is being handed over. */
  holdShipments: Promise<void> | null = null;
  /** Every stock look-up, in order (sku asked for and the answer). */
  stockChecks: { sku: string; available: boolean }[] = [];
  subscriptions: string[] = [];
  /**
   * Refunds requested, one per idempotency key. `settled` is the provider's own record of it (what
   * `lookUpRefund` answers; pending while unset), `paid` what it paid when not the refund's amount.
   */
  refunds: { caseId: string; amount: number; key: string; refundId: string; paymentChannel?: string; settled?: 'succeeded' | 'failed'; paid?: number }[] = [];
  /** While true, the provider's look-up knows no refund (Alipay's query before a refund is paid). */
  refundLookUpBlind = false;
  /** Refund ids looked up at the provider, in order. */
  refundLookUps: string[] = [];
  /** What the payment provider answers a refund request: `pending` (settled later by a callback, like the sandbox) or `succeeded` (paid at once, like Alipay). */
  refundAnswer: 'pending' | 'succeeded' = 'pending';
  coupons: { caseId: string; amount: number; key: string }[] = [];
  /** Payments the customer was asked for, one per idempotency key. */
  collections: { caseId: string; amount: number; purpose: CollectionPurpose; key: string; collectionId: string }[] = [];
  /** The shop's catalog for exchange alternatives; a SKU not in it is not sold (null). */
  catalog = new Map<string, CatalogItem>();
  investigations: { caseId: string; kind: string; key: string }[] = [];
  messages: { message: OutboundMessage; key: string }[] = [];
  /** While true, the notification provider answers 503 to every send (retried by the outbox). */
  notificationDown = false;
  /** Templates the notification provider refuses for good (a 4xx: the outbox gives them up). */
  refusesTemplate: ((template: string) => boolean) | null = null;
  /** Every send the notification provider received, failed ones included. */
  notifyCalls = 0;
  /** The idempotency key of every send the provider accepted, repeats included (a repeat is deduplicated in `messages`). */
  sentKeys: string[] = [];
  escalations: EscalationRecord[] = [];
  projections: CaseSnapshot[] = [];
  outOfStock = new Set<string>();
  /** The order-line ledger by `lineKeyOf` (`lineKey(orderId, sku)` for cases before the order source): folded with the same domain functions as the MongoDB store. */
  ledgerLines = new Map<string, OrderLine>();
  /**
   * The order source's deliveries by order id (the latest 签收, null while on its way): `startCase`
   * enters each case's order with the delivery it opens on, unless the test entered it first; an
   * order not in it is one the source does not know.
   */
  deliveries = new Map<string, string | null>();
  /**
   * The payment provider's trades by order id (paid, already refunded): `startCase` enters each
   * case's order as paid in full with nothing refunded, unless the test entered it first; an order
   * not in it has no trade at the provider.
   */
  trades = new Map<string, { currency: string; paid: number; refunded: number }>();
  /** Orders read from the order source, in order. */
  orderReads: string[] = [];
  /** While true, the order source cannot answer (every read fails and is retried). */
  orderSourceDown = false;
  /** While true, every read-model write fails as if the database were down. */
  readModelDown = false;
  /** Workflows this test started, terminated afterwards so that their timers cannot hold skipped time back. */
  started: WorkflowHandle[] = [];

  /**
   * Terminates every workflow of this world that is still running, once it is idle (no activity
   * and no workflow task in flight): the time-skipping server never skips time again past work
   * that was cut off mid-flight.
   */
  async terminateRunning(): Promise<void> {
    await Promise.all(
      this.started.map(async (handle) => {
        for (let i = 0; i < 100; i++) {
          const { status, raw } = await handle.describe();
          if (status.name !== 'RUNNING') return;
          if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await handle.terminate('test finished');
      }),
    );
  }

  /** The worker's sinks: the real read-model publisher over the real projection activity code and these fakes. */
  sinks() {
    const activities = this.activities();
    this.publisher?.stop();
    this.publisher = new ReadModelPublisher((snapshot) => activities.projectCase(snapshot), { maxRetryDelayMs: 2000 });
    return caseSinks(this.publisher);
  }

  /** The publisher behind `sinks()`, once a worker has them. */
  publisher: ReadModelPublisher | null = null;

  /** The activities the worker gets: the real activity code over these fakes. */
  activities() {
    const keyed = <T>(list: { key: string }[], key: string, make: () => T & { key: string }): T => {
      const found = list.find((e) => e.key === key) as (T & { key: string }) | undefined;
      if (found) return found;
      const made = make();
      list.push(made);
      return made;
    };
    return createActivities({
      courier: {
        createReturnLabel: async ({ caseId }, key) => {
          keyed(this.labels, key, () => ({ caseId, key }));
          return { labelId: `L-${caseId}`, carrier: 'SF', trackingNumber: `RL-${caseId}`, warehouseCode: 'WH-SH-01' };
        },
        createShipment: async ({ caseId, purpose, items }, key) => {
          if (this.holdShipments) await this.holdShipments;
          const s = keyed(this.shipments, key, () => ({ caseId, purpose, key, items, trackingNumber: `OUT-${this.shipments.length + 1}` }));
          return { shipmentId: `S-${s.trackingNumber}`, carrier: 'SF', trackingNumber: s.trackingNumber };
        },
        subscribeTracking: async ({ trackingNumber }) => {
          this.subscriptions.push(trackingNumber);
        },
        openInvestigation: async ({ caseId, kind }, key) => {
          keyed(this.investigations, key, () => ({ caseId, kind, key }));
          return { investigationId: `INV-${caseId}` };
        },
      },
      payment: {
        createRefund: async ({ caseId, amount, paymentChannel }, key) => {
          const r = keyed<FakeWorld['refunds'][number]>(this.refunds, key, () => ({ caseId, amount, key, refundId: `RF-${this.refunds.length + 1}`, ...(paymentChannel ? { paymentChannel } : {}) }));
          if (this.refundAnswer === 'succeeded') r.settled = 'succeeded';
          return { refundId: r.refundId, status: this.refundAnswer };
        },
        issueCoupon: async ({ caseId, amount }, key) => {
          keyed(this.coupons, key, () => ({ caseId, amount, key }));
          return { couponId: `CP-${caseId}` };
        },
        createCollection: async ({ caseId, amount, purpose }, key) => {
          const c = keyed(this.collections, key, () => ({ caseId, amount, purpose, key, collectionId: `COL-${this.collections.length + 1}` }));
          return { collectionId: c.collectionId, status: 'pending' as const };
        },
        lookUpTrade: async ({ orderId }) => this.trades.get(orderId) ?? null,
        lookUpCollection: async ({ collectionId }) => {
          const c = this.collections.find((e) => e.collectionId === collectionId);
          if (!c) return { status: 'not_found' as const };
          return { status: collectionSettlements.get(`${caseWorkflowId(c.caseId)}|${collectionId}`) ?? ('pending' as const), amount: c.amount };
        },
        lookUpRefund: async ({ refundId }) => {
          this.refundLookUps.push(refundId);
          const r = this.refunds.find((e) => e.refundId === refundId);
          if (!r || this.refundLookUpBlind) return { status: 'not_found' as const };
          return { status: r.settled ?? ('pending' as const), amount: r.paid ?? r.amount };
        },
      },
      inventory: {
        checkStock: async (sku) => {
          const available = !this.outOfStock.has(sku) && !sku.startsWith('OOS-');
          this.stockChecks.push({ sku, available });
          return { available };
        },
        catalogItem: async (sku) => this.catalog.get(sku) ?? null,
      },
      notification: {
        send: async (message, key) => {
          this.notifyCalls++;
          if (this.notificationDown) throw new ProviderError('POST /v1/messages failed: 503', { provider: 'notification', status: 503, retryable: true });
          if (this.refusesTemplate?.(message.template)) throw new ProviderError('POST /v1/messages failed: 422', { provider: 'notification', status: 422, retryable: false });
          this.sentKeys.push(key);
          if (!this.messages.some((m) => m.key === key)) this.messages.push({ message, key });
          return { messageId: `M-${key}` };
        },
      },
      readModel: {
        upsertCase: async (snapshot) => {
          if (this.readModelDown) throw new Error('read model unreachable');
          this.projections.push(snapshot);
          return 'written' as const;
        },
        recordEscalation: async (record) => {
          // Keyed like the store (escalationRecordId): a retried record changes nothing.
          const id = escalationRecordId(record.caseId, record.clock, record.level, record.reason);
          if (!this.escalations.some((e) => escalationRecordId(e.caseId, e.clock, e.level, e.reason) === id)) this.escalations.push(record);
        },
        releaseOpenCaseLocks: async () => undefined,
      },
      ledger: {
        reserve: async (facts, request) => {
          const key = lineKeyOf(facts.orderId, facts);
          const found = this.ledgerLines.get(key);
          const base = found ? takeFacts(found, facts, request.at).line : newLine(facts);
          const result = reserve(base, request);
          if (result.line !== found) this.ledgerLines.set(key, result.line);
          return { granted: result.granted, held: base.held !== undefined };
        },
        settle: async (orderId, line, key, state) => {
          const id = typeof line === 'string' ? lineKey(orderId, line) : lineKeyOf(orderId, line);
          const found = this.ledgerLines.get(id);
          if (found) this.ledgerLines.set(id, settle(found, key, state, new Date().toISOString()).line);
        },
        orderLines: async (orderId) => [...this.ledgerLines.values()].filter((line) => line.orderId === orderId),
      },
      orderSource: {
        version: '1.0',
        order: async (orderId) => {
          this.orderReads.push(orderId);
          if (this.orderSourceDown) throw new ProviderError(`GET /v1/orders/${orderId} failed: 503`, { provider: 'orders', status: 503, retryable: true });
          if (!this.deliveries.has(orderId)) return null;
          return { version: '1.0', order: sourceOrder(orderId, this.deliveries.get(orderId) ?? null) };
        },
        customerOrders: async () => ({ version: '1.0', orders: [], nextCursor: null }),
      },
    });
  }

  /** Templates sent to a recipient (customer id or staff address), in order. */
  templatesTo(recipient: string): string[] {
    return this.messages
      .filter((m) => (m.message.recipient.kind === 'customer' ? m.message.recipient.customerId : m.message.recipient.address) === recipient)
      .map((m) => m.message.template);
  }
}

/** A worker over the bundled workflows and the fake world. */
export async function createTestWorker(env: TestWorkflowEnvironment, world: FakeWorld): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue: world.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: world.activities(),
    sinks: world.sinks(),
    dataConverter: testProtection.dataConverter,
  });
}

let caseCounter = 0;
const RUN_TAG = randomBytes(3).toString('hex');

/** A valid case request of the given type, delivered `deliveredDaysAgo` days before `nowMs`. */
export function caseRequest(nowMs: number, overrides: Partial<OpenCaseRequest> = {}, deliveredDaysAgo = 2): OpenCaseRequest {
  const items: CaseItem[] = overrides.items ?? [{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }];
  return {
    type: 'return',
    orderId: `O-${++caseCounter}`,
    customerId: 'c-1',
    items,
    reason: { code: 'no_reason' },
    evidence: [],
    packagingIntact: true,
    order: {
      paidAt: new Date(nowMs - (deliveredDaysAgo + 3) * 86_400_000).toISOString(),
      deliveredAt: new Date(nowMs - deliveredDaysAgo * 86_400_000).toISOString(),
      paymentMethod: 'online',
      total: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
      currency: 'CNY',
    },
    ...overrides,
  };
}

/** Starts a case workflow as the API would (eligibility checked first). */
export async function startCase(env: TestWorkflowEnvironment, world: FakeWorld, request: OpenCaseRequest, policy: Policy = defaultPolicy()) {
  const nowMs = await env.currentTimeMs();
  const verdict = checkEligibility(request, policy, nowMs);
  if (!verdict.eligible) throw new Error(`test request is not eligible: ${verdict.code}`);
  // Unique across processes too: the data keys of recorded histories are saved by workflow id.
  const caseId = `t${RUN_TAG}-${++caseCounter}-${request.type}`;
  // Started the way POST /v1/cases starts it: the same input (opening instant, feature level) and search attributes.
  const input = caseWorkflowInput(caseId, request, policy, { kind: 'customer', id: request.customerId }, verdict, nowMs);
  const { typedSearchAttributes } = caseStartOptions(input, world.taskQueue, { role: 'customer', customerId: request.customerId });
  // The order source knows the order with the delivery the case opens on, unless the test said otherwise.
  if (!world.deliveries.has(request.orderId)) world.deliveries.set(request.orderId, request.order.deliveredAt ?? null);
  if (!world.trades.has(request.orderId)) world.trades.set(request.orderId, { currency: request.order.currency, paid: request.order.total, refunded: 0 });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE[request.type], {
    taskQueue: world.taskQueue,
    workflowId: caseWorkflowId(caseId),
    args: [input],
    typedSearchAttributes,
  });
  world.started.push(handle);
  return handle;
}

/** A minimal order of the order source: one line, one parcel, delivered at `deliveredAt` (null: on its way). */
function sourceOrder(orderId: string, deliveredAt: string | null): SourceOrder {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    orderId,
    customerId: 'c-1',
    status: deliveredAt === null ? 'shipped' : 'delivered',
    placedAt: at,
    currency: 'CNY',
    payment: { method: 'online', channel: 'alipay', providerTradeNo: `T-${orderId}`, paidAt: at, amount: 25_900 },
    shipments: [{ carrier: 'SF', trackingNumber: `SF-${orderId}`, shippedAt: at, deliveredAt, lineIds: [`${orderId}-L1`] }],
    freightInsurance: false,
    refunds: [],
    lines: [{ lineId: `${orderId}-L1`, sku: 'SKU-1', title: 'SKU-1', imageUrl: null, category: 'general', unitsBought: 1, unitListPrice: 25_900, amountPaid: 25_900 }],
  };
}

/** The named clock of a snapshot (the latest one of that name). */
export function clock(snapshot: CaseSnapshot, name: string) {
  const found = [...snapshot.sla].reverse().find((c) => c.name === name);
  if (!found) throw new Error(`case ${snapshot.id} has no ${name} clock; clocks: ${snapshot.sla.map((c) => c.name).join(', ')}`);
  return found;
}

/** Event names of the timeline, in order. */
export function events(snapshot: CaseSnapshot): string[] {
  return snapshot.timeline.map((e) => e.event);
}

/** The handle of a case workflow started by `startCase`. */
export type CaseHandle = Awaited<ReturnType<typeof startCase>>;

/** One line that says where the case is: id, status and the timeline events, for failure messages. */
export function caseStory(snapshot: CaseSnapshot): string {
  return `case ${snapshot.id} is ${snapshot.status}; timeline: ${events(snapshot).join(' → ')}`;
}

/** Runs jest expectations about a case and, when one fails, adds the case's status and timeline to the message. */
export function about(snapshot: CaseSnapshot, assertion: () => void): void {
  try {
    assertion();
  } catch (err) {
    if (err instanceof Error) err.message = `${caseStory(snapshot)}\n\n${err.message}`;
    throw err;
  }
}

const POLL_MS = 50;
const POLLS = 100;

/** Polls the case (real time, a few seconds) until it reaches the status; the failure names where it is instead. */
export async function waitForStatus(handle: CaseHandle, status: CaseSnapshot['status']): Promise<CaseSnapshot> {
  for (let i = 0; i < POLLS; i++) {
    const snapshot = await handle.query(getCaseQuery);
    if (snapshot.status === status) return snapshot;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const last = await handle.query(getCaseQuery);
  throw new Error(`never reached ${status}: ${caseStory(last)}`);
}

/** Polls the case until `predicate` holds for its snapshot; the failure says what was awaited and where the case is. */
export async function waitForCase(handle: CaseHandle, what: string, predicate: (snapshot: CaseSnapshot) => boolean): Promise<CaseSnapshot> {
  for (let i = 0; i < POLLS; i++) {
    const snapshot = await handle.query(getCaseQuery);
    if (predicate(snapshot)) return snapshot;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const last = await handle.query(getCaseQuery);
  throw new Error(`timed out waiting for ${what}: ${caseStory(last)}`);
}

/** Polls until `predicate` holds (the fake world is written by activities running beside the test). */
export async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < POLLS; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The customer reports the return parcel sent on the shop's label; its number, as the case answers it. */
export async function shipOnLabel(handle: CaseHandle, actor: Actor = { kind: 'customer', id: 'c-1' }): Promise<string> {
  const shipped = await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor }] });
  const parcel = shipped.shipments.find((s) => s.direction === 'return');
  if (!parcel) throw new Error(`the case answered the shipment with no return parcel: ${caseStory(shipped)}`);
  return parcel.trackingNumber;
}

/** The customer reports the return parcel sent on the label and the courier reports it picked up and delivered; its number. */
export async function shipAndDeliver(handle: CaseHandle, actor: Actor = { kind: 'customer', id: 'c-1' }): Promise<string> {
  const trackingNumber = await shipOnLabel(handle, actor);
  for (const event of ['picked_up', 'delivered'] as const) {
    await handle.signal(courierEventSignal, { eventId: `${trackingNumber}:${event}`, trackingNumber, event, at: new Date().toISOString() });
  }
  return trackingNumber;
}

/** Waits for the refund the case asked the payment provider for (the `n`th one, from 1). */
export async function refundIssued(world: FakeWorld, caseId: string, n = 1) {
  await waitFor(() => world.refunds.filter((r) => r.caseId === caseId).length >= n, `refund #${n} of ${caseId}`);
  return world.refunds.filter((r) => r.caseId === caseId)[n - 1];
}

/** The payment provider settles the case's latest refund and reports it. */
export async function settleRefund(handle: CaseHandle, world: FakeWorld, caseId: string, status: 'succeeded' | 'failed' = 'succeeded') {
  const refund = await refundIssued(world, caseId, world.refunds.filter((r) => r.caseId === caseId).length || 1);
  // The provider's record says so before it calls back (the case looks it up).
  refund.settled = status;
  await handle.signal(paymentEventSignal, { eventId: `${refund.refundId}:${status}`, refundId: refund.refundId, status, at: new Date().toISOString() });
  return refund;
}

/** Waits for the case to ask the customer to pay (the `n`th collection of the case, from 1). */
export async function collectionRequested(world: FakeWorld, caseId: string, n = 1) {
  await waitFor(() => world.collections.filter((c) => c.caseId === caseId).length >= n, `collection #${n} of ${caseId}`);
  return world.collections.filter((c) => c.caseId === caseId)[n - 1];
}

/** The payment provider reports a collection settled: the customer paid (`succeeded`) or the payment failed. */
export async function settleCollection(handle: CaseHandle, collectionId: string, status: 'succeeded' | 'failed' = 'succeeded', reason?: string) {
  // The provider's record says so before it calls back (the case looks it up).
  collectionSettlements.set(`${handle.workflowId}|${collectionId}`, status);
  await handle.signal(collectionEventSignal, {
    eventId: `${collectionId}:${status}`,
    collectionId,
    status,
    at: new Date().toISOString(),
    ...(reason === undefined ? {} : { reason }),
  });
}

/** The failure of an Update that the workflow refused: its type (InvalidCaseState, InvalidCommandInput, …), message and details. */
export async function refusal(update: Promise<unknown>): Promise<{ type: string | undefined; message: string; details?: unknown[] }> {
  const outcome = await update.then(
    (snapshot) => ({ accepted: snapshot as CaseSnapshot }),
    (err: unknown) => ({ err }),
  );
  if ('accepted' in outcome) throw new Error(`expected the update to be refused, but it was accepted: ${caseStory(outcome.accepted)}`);
  const { err } = outcome;
  if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure)) return { type: undefined, message: cause?.message ?? err.message };
  return { type: cause.type ?? undefined, message: cause.message, ...(cause.details?.length ? { details: [...cause.details] } : {}) };
}

/** The outbound messages with this template, oldest first. */
export function messagesWith(world: FakeWorld, template: string): OutboundMessage[] {
  return world.messages.filter((m) => m.message.template === template).map((m) => m.message);
}

/** The outbound parcels of a case, oldest first. */
export function parcelsOf(world: FakeWorld, caseId: string) {
  return world.shipments.filter((s) => s.caseId === caseId);
}

/** What a test body gets: its own time-skipping server, a fake world and a polling worker. */
export interface CaseTestContext {
  env: TestWorkflowEnvironment;
  world: FakeWorld;
}

/**
 * Runs a test against a time-skipping server of its own. Skipped time is global to one server and
 * a workflow cut off mid-task can stop the server from skipping again, so tests that skip time do
 * not share one.
 */
export async function withCaseWorld<T>(body: (context: CaseTestContext) => Promise<T>): Promise<T> {
  const env = await createTestEnv();
  try {
    const world = new FakeWorld();
    const worker = await createTestWorker(env, world);
    return await worker.runUntil(() => body({ env, world }));
  } finally {
    await env.teardown();
  }
}

/**
 * `withCaseWorld` for a test file that keeps the current server and world in file-level variables:
 * `const withWorker = worldRunner((context) => ({ env, world } = context));`.
 */
export function worldRunner(adopt: (context: CaseTestContext) => void): <T>(body: () => Promise<T>) => Promise<T> {
  return (body) =>
    withCaseWorld((context) => {
      adopt(context);
      return body();
    });
}

/** What every case type allows while it is open: a supervisor assigns it (on its timeline), and the customer's survey is refused. */
export async function expectAssignedAndSurveyRefused(handle: CaseHandle): Promise<void> {
  const { supervisor, customer } = actors;
  const assigned = await handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: 'chen.jing' }] });
  about(assigned, () => {
    expect(assigned.assignee).toBe('chen.jing');
    expect(assigned.timeline.find((e) => e.event === 'case.assigned')).toMatchObject({ actor: supervisor, data: { from: null, to: 'chen.jing' } });
  });
  const refused = await refusal(handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] }));
  expect(refused.type).toBe('InvalidCaseState');
  expect((await handle.query(getCaseQuery)).survey).toBeNull();
}

/** The people the workflow tests act as (the same names as the development tokens). */
export const actors = {
  agent: { kind: 'agent' as const, id: 'li.wei' },
  customer: { kind: 'customer' as const, id: 'c-1' },
  warehouse: { kind: 'agent' as const, id: 'wang.fang' },
  supervisor: { kind: 'supervisor' as const, id: 'zhang.min' },
};

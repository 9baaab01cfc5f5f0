import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createActivities } from '../../activities';
import { CaseActivityMetrics } from '../../activities/activity-metrics';
import { createApiApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { ApiMetrics } from '../../api/metrics';
import { PolicyProvider } from '../../api/policy-provider';
import { LazyMongoStore } from '../../api/store-access';
import { payloadProtectionFromConfig, WORKFLOW_INTERCEPTOR_MODULES } from '../../codec/data-converter';
import { loadConfig } from '../../config/env';
import { createProviderClients, orderSourceOf } from '../../integrations';
import { startTracing, type Tracing } from '../../observability/tracing';
import { activityInterceptors, tracingSinks, workflowInterceptorModules } from '../../observability/worker-tracing';
import { createReadModel } from '../../store/case-read-model.store';
import { OrderLedgerStore } from '../../store/order-ledger.store';
import { SandboxOrders } from './support/sandbox-orders';
import { caseSinks, ReadModelPublisher } from '../../worker/read-model-publisher';
import { readIntegrationStack } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { eventually, HttpClient, stackTokens } from './support/http-client';

// One request, one trace: an API and a worker run in this process with tracing on (an in-memory
// exporter), against the stack's real Temporal server, database and provider sandbox.

const stack = readIntegrationStack();
const tokens = stackTokens();
const taskQueue = `tracing-${randomUUID()}`;
const spans = new InMemorySpanExporter();

let tracing: Tracing;
let mongo: MongoClient;
let store: LazyMongoStore;
let nativeConnection: NativeConnection;
let connection: Connection;
let worker: Worker;
let running: Promise<void>;
let publisher: ReadModelPublisher;
let server: http.Server;
let api: HttpClient;

beforeAll(async () => {
  tracing = startTracing('aftersales-tracing-test', { exporter: spans, batch: false });
  const config = loadConfig(stack.configEnv);
  mongo = new MongoClient(stack.mongoUri);
  const db = mongo.db(stack.mongoDb);
  const protection = payloadProtectionFromConfig(config, () => db);

  // The worker, wired as worker/main.ts wires it.
  const activities = createActivities({
    ...createProviderClients(config),
    readModel: createReadModel(db),
    ledger: new OrderLedgerStore(db),
    metrics: new CaseActivityMetrics(new Registry()),
  });
  publisher = new ReadModelPublisher((snapshot) => activities.projectCase(snapshot));
  nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: stack.temporalNamespace,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities,
    sinks: { ...caseSinks(publisher), ...tracingSinks(tracing) },
    dataConverter: protection.dataConverter,
    interceptors: { workflowModules: workflowInterceptorModules(WORKFLOW_INTERCEPTOR_MODULES, tracing), activity: activityInterceptors(tracing) },
  });
  running = worker.run();

  // The API, wired as api/main.ts wires it, starting its cases on this worker's task queue.
  connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.temporalNamespace, dataConverter: protection.dataConverter, interceptors: { workflow: tracing.clientInterceptors() } });
  const logger = pino({ level: 'silent' });
  store = new LazyMongoStore(stack.mongoUri, stack.mongoDb, logger);
  await store.whenConnected();
  const app = createApiApp({
    config: { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_NAMESPACE: stack.temporalNamespace, TEMPORAL_UI_URL: config.TEMPORAL_UI_URL, WEBHOOK_SECRET: stack.paymentWebhookSecret },
    client,
    store,
    policy: new PolicyProvider(undefined),
    tokens: TokenRegistry.fromFile(stack.tokensFile),
    logger,
    metrics: new ApiMetrics({ defaultMetrics: false }),
    orderSource: orderSourceOf(config),
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  worker?.shutdown();
  await running?.catch(() => undefined);
  publisher?.stop();
  await nativeConnection?.close();
  await connection?.close();
  await store?.close();
  await mongo?.close();
  await tracing?.shutdown();
});

const byTrace = (traceId: string) => spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);

/** The names from a span up to its trace's root, e.g. "RunActivity:x < StartActivity:x < RunWorkflow:y < …". */
function ancestry(span: ReadableSpan, trace: ReadableSpan[]): string {
  const names = [span.name];
  for (let parent = span.parentSpanId; parent; ) {
    const found = trace.find((candidate) => candidate.spanContext().spanId === parent);
    if (!found) return `${names.join(' < ')} < (missing parent ${parent})`;
    names.push(found.name);
    parent = found.parentSpanId;
  }
  return names.join(' < ');
}

describe('traces', () => {
  test('opening a case makes one trace from the HTTP request through the start, the workflow and its activity to the provider call, without personal data', async () => {
    const freeText = `Zhang San 138${Math.floor(Math.random() * 1e8)} 88 Nanjing Road`;
    const claim = await new SandboxOrders(stack.sandboxUrl).claimOn({
      type: 'courier_exception',
      orderId: `IT-TRACE-${randomUUID()}`,
      customerId: 'c-1',
      items: [{ sku: 'SKU-TRACE-1', quantity: 1, unitPrice: 8800 }],
      reason: { code: 'not_received', description: freeText },
      evidence: [],
      packagingIntact: true,
      order: { paidAt: daysAgo(6), deliveredAt: daysAgo(1), paymentMethod: 'online', total: 8800, currency: 'CNY' },
    });
    const opened = await api.as(tokens.customer).post<{ id: string; status: string }>('/v1/cases', claim);
    expect({ status: opened.status, text: opened.status === 201 ? '' : opened.text }).toEqual({ status: 201, text: '' });
    const caseId = opened.body.id;

    const request = await eventually('the span of POST /v1/cases', async () =>
      spans.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.name === 'POST /v1/cases'),
    );
    const traceId = request.spanContext().traceId;
    const providerCall = await eventually('the courier call of the investigation, in the request trace', async () =>
      byTrace(traceId).find((span) => span.kind === SpanKind.CLIENT && String(span.attributes['url.full'] ?? '').includes('/courier/')),
    );

    // The RunWorkflow span ends with the workflow: the agent resolves the case and the customer answers the survey.
    const resolved = await api.as(tokens.agent).post(`/v1/cases/${caseId}/resolution`, { resolution: `found at the neighbour's, ${freeText}`, outcome: 'found' });
    expect({ status: resolved.status, text: resolved.status === 200 ? '' : resolved.text }).toEqual({ status: 200, text: '' });
    const surveyed = await api.as(tokens.customer).post(`/v1/cases/${caseId}/survey`, { score: 5, comment: freeText });
    expect({ status: surveyed.status, text: surveyed.status === 200 ? '' : surveyed.text }).toEqual({ status: 200, text: '' });
    await eventually('the RunWorkflow span of the case', async () => byTrace(traceId).find((span) => span.name.startsWith('RunWorkflow:')));

    const trace = byTrace(traceId);
    const names = trace.map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /v1/cases',
        'StartWorkflow:courierExceptionCaseWorkflow',
        'RunWorkflow:courierExceptionCaseWorkflow',
        'StartActivity:openInvestigation',
        'RunActivity:openInvestigation',
      ]),
    );
    // One tree: the request is the only root, and every other span's parent is in the trace.
    expect(trace.filter((span) => !span.parentSpanId).map((span) => span.name)).toEqual(['POST /v1/cases']);
    expect(trace.filter((span) => span.parentSpanId && !trace.some((parent) => parent.spanContext().spanId === span.parentSpanId)).map((span) => span.name)).toEqual([]);
    expect(ancestry(providerCall, trace)).toBe(
      `${providerCall.name} < RunActivity:openInvestigation < StartActivity:openInvestigation < RunWorkflow:courierExceptionCaseWorkflow < StartWorkflow:courierExceptionCaseWorkflow < POST /v1/cases`,
    );
    // Each request is a trace of its own: the resolution is not part of the opening's trace.
    const resolution = spans.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.name === 'POST /v1/cases/:id/resolution');
    expect(resolution?.spanContext().traceId).toBeDefined();
    expect(resolution?.spanContext().traceId).not.toBe(traceId);

    // No personal data in any span: the customer's and the agent's free text, client addresses and user agents stay out.
    const exported = JSON.stringify(spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
    expect(exported.includes(freeText)).toBe(false);
    const keys = new Set(spans.getFinishedSpans().flatMap((span) => Object.keys(span.attributes)));
    expect([...keys].filter((key) => /peer\.ip|client\.address|user_agent|network\.peer\.address/.test(key))).toEqual([]);
  });
});

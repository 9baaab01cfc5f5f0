import { MongoClient } from 'mongodb';
import { Gauge } from 'prom-client';
import type pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createReconcilerActivities, requestRunningSweep } from '../activities/read-model-reconciler.activities';
import { CaseActivityMetrics } from '../activities/activity-metrics';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { payloadProtectionFromConfig, WORKFLOW_INTERCEPTOR_MODULES } from '../codec/data-converter';
import { KeyringError } from '../codec/master-keys';
import { ConfigError, loadConfig } from '../config/env';
import { durationMs } from '../domain/duration';
import { createProviderClients, orderSourceOf } from '../integrations';
import { exporterFromConfig, startTracing } from '../observability/tracing';
import { activityInterceptors, tracingSinks, workflowInterceptorModules } from '../observability/worker-tracing';
import { createReadModel } from '../store/case-read-model.store';
import { ensureIndexes, SERVER_SELECTION_TIMEOUT_MS } from '../store/mongo';
import { OrderLedgerStore } from '../store/order-ledger.store';
import { SmsSendStore } from '../store/sms-sends.store';
import { caseSinks, ReadModelPublisher } from './read-model-publisher';
import { ensureReconcilerSchedule, RECONCILER_SCHEDULE_ID } from './reconciler-schedule';
import { createWorkerLogger, PinoTemporalLogger } from './worker-logger';
import { withVersioningBehaviors, workerDeploymentOptions } from './worker-deployment';
import { prebuiltWorkflowBundle } from './prebuilt-workflow-bundle';
import { WORKER_STACK_TRACE_LIMIT } from './node-options';
import { CoreMetricsSource, createWorkerRegistry, freeLocalPort, historyLengthMetric, serveWorkerEndpoints } from './worker-metrics';

/** Starts the case worker: workflows + activities on the configured task queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createWorkerLogger(config.LOG_LEVEL);
  // Before any activity runs: its provider calls are traced through fetch's diagnostics channels (off unless configured).
  const tracing = startTracing('aftersales-worker', exporterFromConfig(config));
  const registry = createWorkerRegistry();
  // The SDK's own messages at WARN, unless debugging: its INFO lines (bundle statistics, state changes) are noise.
  const sdkLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  const coreMetricsUrl = await installRuntime(log, sdkLevel);

  // The driver connects lazily, so the worker starts even while the database is down; read-model
  // writes wait in the publisher's queue until it is back.
  const mongo = new MongoClient(config.MONGODB_URI, { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS, appName: 'aftersales-worker' });
  const db = mongo.db(config.MONGODB_DB);
  void ensureIndexesWhenReachable(db, log);

  const readModelLog = log.child({ component: 'read-model' });
  const readModel = createReadModel(db);
  const providers = createProviderClients(config, { smsSends: new SmsSendStore(db) });
  const activities = createActivities({
    ...providers,
    readModel,
    ledger: new OrderLedgerStore(db),
    // The delivery is read again before a not_received refund, a reship or an automatic approval.
    orderSource: orderSourceOf(config),
    metrics: new CaseActivityMetrics(registry),
    log: { info: (message, attrs) => readModelLog.info(attrs ?? {}, message) },
  });
  const publisher = new ReadModelPublisher((snapshot) => activities.projectCase(snapshot), { log: readModelLog });
  new Gauge({
    name: 'aftersales_read_model_backlog',
    help: 'Cases whose latest snapshot waits for the read model (the database failed; retried in the background)',
    registers: [registry],
    collect() {
      this.set(publisher.pending);
    },
  });

  // Every payload the worker writes to Temporal is encrypted, and every one it reads decrypted (codec/).
  const protection = payloadProtectionFromConfig(config, () => db);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // The reconciler's activities list and query case workflows: a client of their own.
  const clientConnection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: protection.dataConverter,
    interceptors: { workflow: tracing.clientInterceptors() },
  });
  const reconcilerActivities = createReconcilerActivities({
    client,
    db,
    target: readModel,
    runningEveryMs: durationMs(config.RECONCILE_RUNNING_EVERY),
    // Refunds whose notification did not come are looked up where they were made.
    payment: providers.payment,
    refundQueryAfterMs: config.REFUND_QUERY_AFTER_MS,
    // Parcels whose Kuaidi100 pushes stopped are polled (only Kuaidi100 has a query; the sandbox courier pushes).
    trackingQuery: providers.trackingQuery,
    trackingPollAfterMs: config.TRACKING_POLL_AFTER_MS,
    registry,
    log: log.child({ component: 'reconciler' }),
  });
  const deployment = workerDeploymentOptions(config);
  const workflowModules = withVersioningBehaviors(workflowInterceptorModules(WORKFLOW_INTERCEPTOR_MODULES, tracing), deployment);
  // The bundle the image built (scripts/build-workflows.ts) when it was made from this code and these modules; else webpack now.
  const prebuilt = prebuiltWorkflowBundle(workflowModules);
  const workflowCode = 'codePath' in prebuilt ? { workflowBundle: { codePath: prebuilt.codePath } } : { workflowsPath: require.resolve('../workflows') };
  if ('missing' in prebuilt) log.info({ reason: prebuilt.missing }, 'bundling the workflow code at start');
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // With WORKER_BUILD_ID: this build's version of the Worker Deployment (docs/workflow-versioning.md, "Worker Versioning").
    workerDeploymentOptions: deployment,
    // Pollers follow the backlog (a burst of SLA deadlines, a wave of new cases) instead of a fixed ten per queue.
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    activityTaskPollerBehavior: { type: 'autoscaling' },
    ...workflowCode,
    activities: { ...activities, ...reconcilerActivities },
    sinks: { ...caseSinks(publisher, historyLengthMetric(registry)), ...tracingSinks(tracing) },
    dataConverter: protection.dataConverter,
    // A prebuilt bundle has the workflow modules inside it (the SDK ignores them then, with a warning).
    interceptors: { ...('codePath' in prebuilt ? {} : { workflowModules }), activity: activityInterceptors(tracing) },
    // On SIGTERM: running activities get the grace time to finish, then are cancelled; past the force time the worker
    // gives up (WORKER_SHUTDOWN_*, under the platform's own stop grace period: docs/deployment.md).
    shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE_TIME),
    shutdownForceTime: durationMs(config.WORKER_SHUTDOWN_FORCE_TIME),
  });

  const core = new CoreMetricsSource(registry, coreMetricsUrl);
  const endpoints = serveWorkerEndpoints(config.WORKER_METRICS_PORT, registry, () => worker.getState() === 'RUNNING', core);
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, metricsPort: config.WORKER_METRICS_PORT, traces: tracing.enabled, deploymentVersion: deployment ? `${deployment.version.deploymentName}.${deployment.version.buildId}` : 'unversioned', workflowBundle: 'buildId' in prebuilt ? `prebuilt ${prebuilt.buildId}` : 'bundled at start', stackTraceLimit: Error.stackTraceLimit }, 'worker started');

  if (Error.stackTraceLimit > WORKER_STACK_TRACE_LIMIT) {
    log.warn({ stackTraceLimit: Error.stackTraceLimit }, `worker runs without NODE_OPTIONS=--stack-trace-limit=${WORKER_STACK_TRACE_LIMIT}: each workflow promise's stack trace costs more CPU (docs/deployment.md, "The worker process")`);
  }

  // The run this start triggers compares the running cases too: a worker that died may have lost their writes.
  await requestRunningSweep(db).catch((err: unknown) => log.warn({ error: (err as Error).message }, 'reconciler: could not ask for a sweep of the running cases'));
  void scheduleReconciler(client, config.TEMPORAL_TASK_QUEUE, config.RECONCILE_EVERY, log);

  const stop = () => {
    log.info('worker stopping');
    worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  await worker.run();
  const unwritten = await publisher.flush(5000);
  if (unwritten > 0) log.warn({ cases: unwritten }, 'read-model writes still queued at exit: each case writes its whole snapshot again at its next change');
  endpoints.close();
  await connection.close();
  await clientConnection.close();
  await mongo.close();
  await tracing.shutdown().catch(() => undefined);
  log.info('worker stopped');
}

/**
 * Installs the Temporal Runtime: its log messages (SDK, activity context logger, Core) go to our
 * JSON logger, and its own metrics to a Prometheus exporter on a free local port, which the
 * worker's /metrics reads and appends. Returns that exporter's URL, or null when it could not start
 * (the worker then runs without Temporal's metrics and says so).
 */
async function installRuntime(log: pino.Logger, sdkLevel: 'DEBUG' | 'WARN'): Promise<string | null> {
  const logger = new PinoTemporalLogger(log, sdkLevel);
  const logging = { filter: { core: sdkLevel, other: 'ERROR' }, forward: {} } as const;
  try {
    const port = await freeLocalPort();
    Runtime.install({
      logger,
      telemetryOptions: {
        logging,
        metrics: {
          globalTags: { service: 'worker' },
          prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, useSecondsForDurations: true },
        },
      },
    });
    return `http://127.0.0.1:${port}/metrics`;
  } catch (err) {
    log.warn({ error: (err as Error).message }, "Temporal's own metrics exporter did not start; /metrics serves the worker's metrics only");
    Runtime.install({ logger, telemetryOptions: { logging } });
    return null;
  }
}

/** Creates or updates the reconciler's Schedule and runs it once; a failure is logged, not fatal (the worker's cases do not need it). */
async function scheduleReconciler(client: Client, taskQueue: string, every: string, log: pino.Logger): Promise<void> {
  try {
    const outcome = await ensureReconcilerSchedule(client, taskQueue, every);
    log.info({ scheduleId: RECONCILER_SCHEDULE_ID, every, outcome }, 'read-model reconciler scheduled and triggered');
  } catch (err) {
    log.warn({ scheduleId: RECONCILER_SCHEDULE_ID, error: (err as Error).message }, 'could not create or trigger the read-model reconciler schedule');
  }
}

async function ensureIndexesWhenReachable(db: ReturnType<MongoClient['db']>, log: pino.Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureIndexes(db);
      return;
    } catch (err) {
      log.warn({ attempt, error: (err as Error).message }, 'read model not reachable yet; retrying index creation');
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
    }
  }
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof KeyringError ? err.message : `worker failed: ${(err as Error).stack ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

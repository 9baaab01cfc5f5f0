import { MongoClient } from 'mongodb';
import pino from 'pino';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { ConfigError, loadConfig } from '../config/env';
import { createProviderClients } from '../integrations';
import { createReadModel } from '../store/case-read-model.store';
import { ensureIndexes, SERVER_SELECTION_TIMEOUT_MS } from '../store/mongo';
import { createWorkerRegistry, serveWorkerEndpoints } from './worker-metrics';

/** Starts the case worker: workflows + activities on the configured task queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'worker' }, timestamp: pino.stdTimeFunctions.isoTime });
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') });

  // The driver connects lazily, so the worker starts even while the database is down; read-model
  // writes are local activities that Temporal retries until it is back.
  const mongo = new MongoClient(config.MONGODB_URI, { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS, appName: 'aftersales-worker' });
  const db = mongo.db(config.MONGODB_DB);
  void ensureIndexesWhenReachable(db, log);

  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ ...createProviderClients(config), readModel: createReadModel(db) }),
  });

  const registry = createWorkerRegistry();
  const endpoints = serveWorkerEndpoints(config.WORKER_METRICS_PORT, registry, () => worker.getState() === 'RUNNING');
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, metricsPort: config.WORKER_METRICS_PORT }, 'worker started');

  const stop = () => {
    log.info('worker stopping');
    worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  await worker.run();
  endpoints.close();
  await connection.close();
  await mongo.close();
  log.info('worker stopped');
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
  const message = err instanceof ConfigError ? err.message : `worker failed: ${(err as Error).stack ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

/**
 * The HTTP API process: `tsx api/main.ts`. Reads the configuration once, connects to Temporal
 * (mTLS or API key when configured) and to MongoDB in the background (the API starts even while
 * the database is briefly down; /readyz says so), listens on PORT.
 * SIGHUP re-reads POLICY_FILE and API_TOKENS_FILE; SIGTERM/SIGINT drain and stop.
 */
import http from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { payloadProtectionFromConfig } from '../codec/data-converter';
import { KeyringError } from '../codec/master-keys';
import { ConfigError, loadConfig } from '../config/env';
import { PolicyError } from '../domain/policy.schema';
import { MongoDataKeyStore } from '../store/case-data-keys.store';
import { CustomerErasureStore } from '../store/customer-erasure.store';
import { apiProvidersFromConfig, orderSourceOf } from '../integrations';
import { createApiApp } from './app';
import { CustomerEraser } from './customer-erasure';
import { TokenRegistry, TokensFileError } from './auth';
import { createLogger } from './logger';
import { PolicyProvider } from './policy-provider';
import { LazyMongoStore } from './store-access';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { exporterFromConfig, startTracing } from '../observability/tracing';

const DRAIN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL);
  // Before the server exists: its requests, the Temporal calls and their spans share one trace (off unless configured).
  const tracing = startTracing('aftersales-api', exporterFromConfig(config));
  const tokensFile = path.resolve(config.API_TOKENS_FILE);
  const tokens = TokenRegistry.fromFile(tokensFile);
  const policy = new PolicyProvider(config.POLICY_FILE ? path.resolve(config.POLICY_FILE) : undefined);

  // Lazy: the first call connects, so a Temporal that is still starting does not stop the API.
  const store = new LazyMongoStore(config.MONGODB_URI, config.MONGODB_DB, logger);
  // Everything the API sends to Temporal is encrypted, and what it reads back decrypted (codec/).
  const protection = payloadProtectionFromConfig(config, () => store.database());
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: protection.dataConverter,
    interceptors: { workflow: tracing.clientInterceptors() },
  });

  const eraser = new CustomerEraser({
    client,
    store: () => new CustomerErasureStore(store.database()),
    dataKeys: new MongoDataKeyStore(() => store.database()),
    forget: (workflowIds) => protection.dataKeys.forget(workflowIds),
    logger,
  });
  const codec = { codec: protection.codec, allowedOrigins: codecOrigins(config) };
  // Read at start: an unusable Alipay or WeChat Pay key file stops the API, named.
  const providers = apiProvidersFromConfig(config);
  const app = createApiApp({ config, client, store, policy, tokens, logger, eraser, codec, caseKeys: protection.dataKeys, providers, orderSource: orderSourceOf(config) });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, () => resolve());
  });
  logger.info(
    { port: config.PORT, temporal: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, policyVersion: policy.current().version, traces: tracing.enabled },
    'API listening',
  );

  process.on('SIGHUP', () => {
    try {
      const reloaded = policy.reload(logger);
      logger.info({ version: reloaded.version }, 'SIGHUP: policy reloaded');
    } catch (error) {
      logger.error({ reason: (error as Error).message }, 'SIGHUP: policy not reloaded; the previous policy stays');
    }
    try {
      const count = tokens.reloadFrom(tokensFile);
      logger.info({ tokens: count }, 'SIGHUP: tokens reloaded');
    } catch (error) {
      logger.error({ reason: (error as Error).message }, 'SIGHUP: tokens not reloaded; the previous tokens stay');
    }
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining requests');
    const force = setTimeout(() => {
      logger.warn('requests still open after the drain timeout; closing them');
      server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    server.close(() => {
      void (async () => {
        clearTimeout(force);
        await store.close().catch(() => undefined);
        await connection.close().catch(() => undefined);
        await tracing.shutdown().catch(() => undefined);
        logger.info('stopped');
        process.exit(0);
      })();
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The browser origins of the codec endpoint: CODEC_CORS_ORIGINS, else the Temporal UI's. */
function codecOrigins(config: { CODEC_CORS_ORIGINS?: string; TEMPORAL_UI_URL: string }): string[] {
  if (config.CODEC_CORS_ORIGINS) return config.CODEC_CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);
  return [new URL(config.TEMPORAL_UI_URL).origin];
}

main().catch((error: unknown) => {
  // Configuration mistakes are the operator's to fix: their message names the variable or file, a stack would only distract.
  const expected = error instanceof ConfigError || error instanceof KeyringError || error instanceof PolicyError || error instanceof TokensFileError;
  const text = expected ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`api: ${text}\n`);
  process.exit(1);
});

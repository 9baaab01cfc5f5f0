import express, { type Express, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/env';
import type { PayloadCodec } from '@temporalio/common';
import { serverSpans } from '../observability/server-spans';
import { adminRouter } from './admin.routes';
import { codecRouter } from './codec-server';
import { erasureRouter, type CustomerEraser } from './customer-erasure';
import { authenticate, type TokenRegistry } from './auth';
import { casesRouter } from './cases.routes';
import { deskApiRouter } from './desk.routes';
import { DEFAULT_DESK_DIR, deskStaticRouter } from './desk-static';
import { CaseService } from './cases.service';
import { ApiError, errorHandler, notFound } from './errors';
import { healthRouter } from './health.routes';
import { requestLog } from './logger';
import { ApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { ordersRouter } from './orders.routes';
import type { PolicyProvider } from './policy-provider';
import { DEFAULT_RATE_LIMIT, rateLimit, type RateLimitOptions } from './rate-limit';
import { reportsRouter } from './reports.routes';
import type { StoreAccess } from './store-access';
import { webhooksRouter } from './webhooks.routes';
import { smsReceiptCounter } from './aliyun-sms-webhook.routes';
import { refundsPaidAfterCaseEndedCounter } from './ended-case-settlements';
import type { ApiProviders } from '../integrations';
import type { OrderSource } from '../domain/order-source';

/** Everything the HTTP API needs; `api/main.ts` builds it from the environment, tests build their own. */
export interface ApiDeps {
  /** `WEBHOOK_SECRET` signs both sandbox callback routes only when `providers` is absent (tests; the configured server passes each provider's secret in `providers`). */
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL' | 'WEBHOOK_SECRET'>;
  client: Client;
  /** The read model, locks and reports (MongoDB); may be not connected yet. */
  store: StoreAccess;
  policy: PolicyProvider;
  /** The bearer tokens (reloadable in place on SIGHUP). */
  tokens: TokenRegistry;
  logger: Logger;
  metrics?: ApiMetrics;
  rateLimit?: RateLimitOptions;
  /** Clock of eligibility checks and webhook signatures (tests pin it). */
  now?: () => number;
  /** The payload codec, served to staff at /codec for the Temporal UI (absent: no codec endpoint). */
  codec?: { codec: PayloadCodec; allowedOrigins: readonly string[] };
  /** The payload codec's case data keys (a new case's key is made while its locks are taken). */
  caseKeys?: { newKeyFor(workflowId: string): Promise<unknown> };
  /** Erasure of customers' personal data (absent: the route answers 409 erasure_unavailable). */
  eraser?: CustomerEraser;
  /** How long a command waits for its case (default 20 s). */
  commandTimeoutMs?: number;
  /** The configured providers' callback checks and rules (integrations' apiProvidersFromConfig); absent: the sandbox's, no provider callback route. */
  providers?: ApiProviders;
  /** The built desk pages served at /desk/ (default desk/dist; absent build: a 503 page). */
  deskDir?: string;
  /** The shop's order system (integrations' orderSourceOf): cases are opened on its facts. */
  orderSource: OrderSource;
}

/** The express app of the HTTP API (the HTTP API contract v1, as built: docs/api.md). */
export function createApiApp(deps: ApiDeps): Express {
  const metrics = deps.metrics ?? new ApiMetrics();
  metrics.countOpenCasesWith(async () => {
    const store = deps.store.get();
    if (!store.countOpenCasesByStatus) throw new Error('this store cannot count open cases');
    return store.countOpenCasesByStatus();
  });
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(serverSpans());
  app.use(requestLog(deps.logger, (route, method, status, seconds) => metrics.observeRequest(route, method, status, seconds)));

  const openApi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(healthRouter({ client: deps.client, store: deps.store, metrics }));
  app.use(deskStaticRouter(deps.deskDir ?? DEFAULT_DESK_DIR));
  const { kuaidi100Salt, alipayVerify, wechatpay, aliyunSmsReceiptToken, paymentChannelRequired = false } = deps.providers ?? {};
  const secrets = deps.providers
    ? { payment: deps.providers.paymentWebhookSecret, courier: deps.providers.courierWebhookSecret }
    : { payment: deps.config.WEBHOOK_SECRET, courier: deps.config.WEBHOOK_SECRET };
  const aliyunSmsReceipts = aliyunSmsReceiptToken === undefined ? undefined : { token: aliyunSmsReceiptToken, count: smsReceiptCounter(metrics.registry) };
  app.use(
    webhooksRouter({
      client: deps.client,
      store: deps.store,
      secrets,
      logger: deps.logger,
      nowSec: () => Math.floor(now() / 1000),
      kuaidi100Salt,
      alipayVerify,
      wechatpay,
      aliyunSmsReceipts,
      countRefundPaidAfterCaseEnded: refundsPaidAfterCaseEndedCounter(metrics.registry),
    }),
  );

  // Before the API's body parser: the codec reads larger batches, and its sign-in form is not JSON.
  if (deps.codec) app.use(codecRouter({ ...deps.codec, tokens: deps.tokens, logger: deps.logger }));

  app.use(requireJsonBody, express.json({ limit: '256kb' }));
  // Applied per route (not app-wide) so that the route pattern is known when a request is refused.
  const guard: RequestHandler[] = [rateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT), authenticate(deps.tokens)];
  const cases = new CaseService({
    config: deps.config,
    client: deps.client,
    store: deps.store,
    policy: deps.policy,
    metrics,
    logger: deps.logger,
    now,
    commandTimeoutMs: deps.commandTimeoutMs,
    caseKeys: deps.caseKeys,
    orderSource: deps.orderSource,
    orderFactsRules: { paymentChannelRequired },
  });
  app.use(casesRouter(cases, guard));
  app.use(ordersRouter(deps.store, guard, deps.orderSource));
  app.use(reportsRouter(deps.store, guard, now));
  app.use(adminRouter(deps.policy, guard, deps.logger));
  app.use(erasureRouter(deps.eraser, guard));
  app.use(deskApiRouter(deps.policy, guard));

  app.use((req) => {
    throw notFound('not_found', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/** A body that is not JSON is refused (415) instead of being read as an empty object. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

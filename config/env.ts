import { z } from 'zod';
import { durationMs, isDurationText } from '../domain/duration';
import { PROVIDER_SECTIONS } from './providers';

export { onlinePaymentProviders, type OnlineProvider } from './providers';

/** Every environment variable the processes read, with its meaning; docker-compose and the README must use these names. */
export const CONFIG_ENV_DOCS = {
  TEMPORAL_ADDRESS: 'Temporal frontend host:port (npm start runs a local dev server when unset)',
  TEMPORAL_NAMESPACE: 'Temporal namespace',
  TEMPORAL_TASK_QUEUE: 'task queue the worker polls and the API starts cases on',
  TEMPORAL_TLS_CERT_PATH: 'client certificate (PEM) for mTLS to Temporal Cloud or a secured cluster',
  TEMPORAL_TLS_KEY_PATH: 'client key (PEM) for mTLS',
  TEMPORAL_API_KEY: 'API key for Temporal Cloud (turns TLS on)',
  TEMPORAL_UI_URL: 'base URL of the Temporal Web UI, used for links in the case JSON',
  MONGODB_URI: 'MongoDB connection string (npm start runs a local FerretDB when unset)',
  MONGODB_DB: 'database name of the read model',
  PORT: 'HTTP port of the API',
  API_TOKENS_FILE: 'JSON file of bearer tokens and their roles',
  WEBHOOK_SECRET: 'deprecated: the old shared HMAC-SHA256 secret of callbacks; read only as PAYMENT_WEBHOOK_SECRET when that is unset and PAYMENT_PROVIDER_ONLINE=sandbox (never for the courier)',
  PAYMENT_WEBHOOK_SECRET: 'HMAC-SHA256 secret of the payment service\'s callbacks (POST /v1/webhooks/payment, the sandbox protocol): default dev-payment-webhook-secret with PAYMENT_PROVIDER_ONLINE=sandbox; with Alipay or WeChat Pay the route exists only when it is set (the shop\'s payment service then calls back for COD refunds and collections)',
  COURIER_WEBHOOK_SECRET: 'HMAC-SHA256 secret of the courier\'s tracking callbacks (POST /v1/webhooks/courier, the sandbox protocol; only with COURIER_TRACKING_PROVIDER=sandbox): default dev-courier-webhook-secret',
  PAYLOAD_KEYS: 'master keys that encrypt what Temporal stores, as JSON {"current": id, "keys": {id: base64 of 32 bytes}} (or PAYLOAD_KEYS_FILE)',
  PAYLOAD_KEYS_FILE: 'file holding the PAYLOAD_KEYS JSON (npm start writes .data/payload-keys.json when neither is set)',
  CODEC_CORS_ORIGINS: 'comma-separated browser origins allowed to call the codec endpoint /codec (default: the origin of TEMPORAL_UI_URL)',
  POLICY_FILE: 'JSON or YAML policy document (the built-in default is the policy of docs/business-rules.md)',
  COURIER_BASE_URL: 'courier provider base URL',
  COURIER_API_KEY: 'courier provider secret',
  COURIER_TRACKING_PROVIDER: '"sandbox" (default: tracking through the courier adapter above) or "kuaidi100" (subscriptions and callbacks through Kuaidi100; needs every KUAIDI100_* below but the base URL)',
  KUAIDI100_KEY: 'Kuaidi100 authorization key (授权key) of the enterprise account',
  KUAIDI100_CUSTOMER: 'Kuaidi100 customer id of the enterprise account (signs the real-time query)',
  KUAIDI100_SALT: 'secret Kuaidi100 signs its tracking callbacks with (given at each subscription; at least 8 characters)',
  KUAIDI100_CALLBACK_URL: 'public URL of our POST /v1/webhooks/kuaidi100, as Kuaidi100 reaches it',
  KUAIDI100_BASE_URL: 'Kuaidi100 API host (default https://poll.kuaidi100.com; the sandbox serves it at <sandbox>/kuaidi100)',
  PAYMENT_BASE_URL: 'payment provider base URL',
  PAYMENT_API_KEY: 'payment provider secret',
  PAYMENT_PROVIDER_ONLINE: '"sandbox" (default: refunds of online payments through the payment adapter above), "alipay" (through Alipay\'s OpenAPI; needs every ALIPAY_* below but the gateway), "wechatpay" (through WeChat Pay API v3; needs every WECHATPAY_* below but the base URL), or both, e.g. "alipay,wechatpay": each order is refunded through its own order.paymentChannel, and the first refunds orders that do not say theirs (docs/providers.md)',
  ALIPAY_APP_ID: 'Alipay application id (APPID of the app on open.alipay.com)',
  ALIPAY_PRIVATE_KEY_FILE: 'file holding the app\'s RSA2 private key (PEM, PKCS#1 or PKCS#8, or the bare base64 Alipay\'s key tool writes)',
  ALIPAY_PUBLIC_KEY_FILE: 'file holding Alipay\'s public key (支付宝公钥, shown on open.alipay.com after the app\'s public key is uploaded), which signs Alipay\'s answers',
  ALIPAY_GATEWAY: 'Alipay OpenAPI gateway (default https://openapi.alipay.com/gateway.do; the sandbox serves it at <sandbox>/alipay/gateway.do)',
  WECHATPAY_MCHID: 'WeChat Pay merchant id (商户号, digits)',
  WECHATPAY_MERCHANT_SERIAL: 'serial number of the merchant API certificate (商户API证书序列号, hex), sent with every request',
  WECHATPAY_PRIVATE_KEY_FILE: 'file holding the merchant API private key (apiclient_key.pem, PEM PKCS#8 or PKCS#1), which signs every request',
  WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: 'file holding the WeChat Pay public key (微信支付公钥, PEM), which verifies every answer and notification',
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'id of that public key (PUB_KEY_ID_…), which WeChat Pay names in the Wechatpay-Serial header',
  WECHATPAY_APIV3_KEY_FILE: 'file holding the 32-character APIv3 key (APIv3密钥), which decrypts the refund notifications',
  WECHATPAY_NOTIFY_URL: 'public https URL of our POST /v1/webhooks/wechatpay, sent with each refund as notify_url',
  WECHATPAY_BASE_URL: 'WeChat Pay API host (default https://api.mch.weixin.qq.com; the sandbox serves it at <sandbox>/wechatpay)',
  NOTIFICATION_BASE_URL: 'notification provider base URL',
  NOTIFICATION_API_KEY: 'notification provider secret',
  SMS_PROVIDER: '"sandbox" (default: customer messages through the notification adapter above) or "aliyun" (customer messages as SMS through Aliyun SMS; needs every ALIYUN_SMS_* below but the endpoint; staff messages stay on the notification adapter; docs/providers.md)',
  ALIYUN_SMS_ACCESS_KEY_ID: 'AccessKey ID of the RAM user that sends SMS (AliyunDysmsFullAccess or a policy allowing dysms:SendSms and dysms:QuerySendDetails)',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'AccessKey secret of that RAM user (signs every request)',
  ALIYUN_SMS_SIGN_NAME: 'the approved SMS signature (短信签名) shown as 【…】 in front of every message',
  ALIYUN_SMS_TEMPLATES_FILE: 'JSON file: our template name → {"code": Aliyun TemplateCode, "params": [variable names]}, one for every template sent to customers (config/aliyun-sms-templates.example.json)',
  ALIYUN_SMS_ENDPOINT: 'Aliyun SMS endpoint host (default dysmsapi.aliyuncs.com, HTTPS); a URL with its scheme for the sandbox, e.g. http://127.0.0.1:4010',
  ALIYUN_SMS_RECEIPT_TOKEN: 'with SMS_PROVIDER=aliyun: the secret last path segment of the delivery-receipt URL given in Aliyun\'s console (…/v1/webhooks/aliyun-sms/<token>; e.g. openssl rand -hex 32); unset: no receipts are taken',
  CUSTOMER_DIRECTORY_BASE_URL: 'base URL of the shop\'s customer directory (GET /customers/{id}/contact → {phone}), where the SMS adapter looks up numbers',
  CUSTOMER_DIRECTORY_API_KEY: 'customer directory secret',
  INVENTORY_BASE_URL: 'inventory provider base URL',
  INVENTORY_API_KEY: 'inventory provider secret',
  PROVIDER_TIMEOUT_MS: 'timeout of one provider HTTP call',
  ORDER_SOURCE: '"sandbox" (default: the sandbox\'s order service) or "http" (the shop\'s order system, speaking docs/order-source.openapi.json; needs ORDER_SOURCE_BASE_URL and one of ORDER_SOURCE_TOKEN or ORDER_SOURCE_HMAC_SECRET)',
  ORDER_SOURCE_BASE_URL: 'base URL of the order source, below which its /v1/… paths are served (default with the sandbox: http://127.0.0.1:4010/order-source)',
  ORDER_SOURCE_TOKEN: 'bearer token sent to the order source (default with the sandbox: dev-sandbox-key)',
  ORDER_SOURCE_HMAC_SECRET: 'instead of a token: shared secret (16+ characters) that signs every request to the order source (X-Signature, docs/order-source.md)',
  ORDER_SOURCE_TIMEOUT_MS: 'timeout of one order-source HTTP call (opening a case waits for it)',
  WORKER_METRICS_PORT: 'port of the worker Prometheus /metrics endpoint',
  WORKER_MAX_CACHED_WORKFLOWS: 'workflows the worker keeps in memory (each well under 1 MiB, see docs/benchmarks.md); others are replayed from history when they wake',
  WORKER_DEPLOYMENT_NAME: 'Worker Deployment the worker belongs to when WORKER_BUILD_ID is set (Worker Versioning)',
  WORKER_BUILD_ID: 'build id of this worker release (e.g. the git commit); set: the worker joins WORKER_DEPLOYMENT_NAME as that version (Worker Versioning); unset: unversioned',
  WORKER_SHUTDOWN_GRACE_TIME: 'how long a stopping worker (SIGTERM) lets its running activities finish before it cancels them, e.g. "20s"; below WORKER_SHUTDOWN_FORCE_TIME',
  WORKER_SHUTDOWN_FORCE_TIME: 'how long a stopping worker waits for its tasks before it gives up and exits, e.g. "30s"; keep it, plus a few seconds for the read-model flush, under the stop grace period of the platform (docker-compose stop_grace_period 45s)',
  RECONCILE_EVERY: 'period of the read-model reconciler schedule, e.g. "5m" or "10s" (the worker also runs it once at start)',
  RECONCILE_RUNNING_EVERY: 'how often a reconciler run also compares every running case, not only the closed ones (and always the run at a worker start)',
  REFUND_QUERY_AFTER_MS: 'how long a refund waits for the payment provider\'s notification before a reconciler run looks it up at the provider (Alipay, WeChat Pay)',
  TRACKING_POLL_AFTER_MS: 'with COURIER_TRACKING_PROVIDER=kuaidi100: how long a parcel on its way goes without a push (and without a poll) before a reconciler run asks Kuaidi100 for its trace (at most 50 parcels a run)',
  LOG_LEVEL: 'pino log level',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OpenTelemetry collector base URL (OTLP/HTTP, traces go to its /v1/traces); setting it turns traces on in the API and the worker',
  OTEL_TRACES_EXPORTER: '"otlp" (the default when OTEL_EXPORTER_OTLP_ENDPOINT is set), "console" (spans printed, for development) or "none" (traces off, the default otherwise)',
  SANDBOX_PORT: 'port of the provider sandbox',
  SANDBOX_API_KEY: 'the secret the sandbox expects from our adapters',
  SANDBOX_CALLBACK_URL: 'base URL the sandbox posts signed callbacks to (…/courier, …/payment)',
  SANDBOX_TRACKING_STEP_MS: 'delay between the sandbox tracking events',
  SANDBOX_SETTLE_MS: 'delay before the sandbox settles a refund',
  SANDBOX_ALIPAY_PRIVATE_KEY_FILE: 'the sandbox Alipay\'s own private key (PEM), which signs its answers; with SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE it serves Alipay at /alipay/gateway.do',
  SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE: 'the app\'s public key (PEM) the sandbox Alipay checks request signatures with',
  SANDBOX_ALIPAY_NOTIFY_URL: 'where the sandbox Alipay sends its signed notification of each refund it paid (the notify_url of the shop\'s payments, e.g. http://127.0.0.1:3000/v1/webhooks/alipay); unset: none',
  SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE: 'the sandbox WeChat Pay\'s own private key (PEM), which signs its answers and notifications; with the two below it serves WeChat Pay at /wechatpay/v3/…',
  SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE: 'the merchant\'s public key (PEM) the sandbox WeChat Pay checks request signatures with',
  SANDBOX_WECHATPAY_APIV3_KEY_FILE: 'the APIv3 key (32 characters) the sandbox WeChat Pay encrypts its notifications with',
} as const;

/** Names of every configuration variable. */
export const CONFIG_ENV_NAMES = Object.keys(CONFIG_ENV_DOCS) as (keyof typeof CONFIG_ENV_DOCS)[];

const port = z.coerce.number().int().min(1).max(65535);
const url = z.string().url();
const optionalPath = z.string().min(1).optional();
/** A duration such as "20s" or "1m" (domain/duration.ts). */
const duration = (example: string) => z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, `must be a duration such as ${example}`);

/**
 * The variables that are no provider's: servers, ports, secrets of our own, the worker's knobs. Each
 * provider's variables are parsed by its section in config/providers/ (PROVIDER_SECTIONS).
 */
const generalSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('aftersales'),
  TEMPORAL_TLS_CERT_PATH: optionalPath,
  TEMPORAL_TLS_KEY_PATH: optionalPath,
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_UI_URL: url.default('http://localhost:8233'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').default('mongodb://127.0.0.1:27017/'),
  MONGODB_DB: z.string().min(1).default('aftersales'),
  PORT: port.default(3000),
  API_TOKENS_FILE: z.string().min(1).default('config/dev-tokens.json'),
  WEBHOOK_SECRET: z.string().min(8).optional(),
  PAYMENT_WEBHOOK_SECRET: z.string().min(8).optional(),
  COURIER_WEBHOOK_SECRET: z.string().min(8).optional(),
  PAYLOAD_KEYS: z.string().min(1).optional(),
  PAYLOAD_KEYS_FILE: optionalPath,
  CODEC_CORS_ORIGINS: z.string().min(1).optional(),
  POLICY_FILE: optionalPath,
  WORKER_METRICS_PORT: port.default(9464),
  // Without zod in the bundle a cached case costs about a third of a MiB settled (docs/benchmarks.md, worker-memory),
  // more while it runs: 1,000 keep a minute of 1,000 deadlines off replays (escalation) and 10,000 open cases under 1 GiB.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  // The server keys versions by `<deployment>.<build id>`: no dots or slashes in either part.
  WORKER_DEPLOYMENT_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -').default('aftersales'),
  WORKER_BUILD_ID: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, _ or - (e.g. the git commit)').optional(),
  // A SIGTERM's budget (docs/deployment.md, "Stopping a worker"): activities finish within the grace time, then are
  // cancelled; past the force time the worker gives up. The platform's own grace period must be longer (compose: 45s).
  WORKER_SHUTDOWN_GRACE_TIME: duration('"20s"').default('20s'),
  WORKER_SHUTDOWN_FORCE_TIME: duration('"30s"').default('30s'),
  RECONCILE_EVERY: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as "5m" or "10s"').refine((text) => durationMs(text) >= 1000, 'must be at least 1s').default('5m'),
  // Comparing a running case costs a Query (a replay when it is not cached): every run would replay every open case.
  RECONCILE_RUNNING_EVERY: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as "1h" or "10s"').default('1h'),
  REFUND_QUERY_AFTER_MS: z.coerce.number().int().min(0).default(600_000),
  TRACKING_POLL_AFTER_MS: z.coerce.number().int().min(0).default(21_600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
}).refine((config) => {
  // zod runs this even when a field failed: a malformed duration is that field's problem, reported on its own.
  const [grace, force] = [config.WORKER_SHUTDOWN_GRACE_TIME, config.WORKER_SHUTDOWN_FORCE_TIME];
  return !isDurationText(grace) || !isDurationText(force) || durationMs(force) > durationMs(grace);
}, {
  message: 'must be longer than WORKER_SHUTDOWN_GRACE_TIME (activities are cancelled at the grace time, and need a moment to stop)',
  path: ['WORKER_SHUTDOWN_FORCE_TIME'],
});

type ProviderSections = { [K in keyof typeof PROVIDER_SECTIONS]: z.output<(typeof PROVIDER_SECTIONS)[K]> };

/**
 * The parsed configuration shared by the API, the worker and the sandbox: the general variables
 * flat, and one section per provider kind (`courier`, `payment`, `notification`, `inventory`,
 * `orders`, `sandbox`), each already checked for the provider it chose (config/providers/).
 */
export type AppConfig = z.output<typeof generalSchema> & ProviderSections;

/** Raised when a variable is malformed; the message names every bad variable. */
export class ConfigError extends Error {}

/** Parses the environment once; a bad value throws a ConfigError naming the variable (every bad one, in one message). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset so that `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const problems = new Set<string>();
  const parse = <T>(schema: z.ZodType<T>): T | undefined => {
    const result = schema.safeParse(cleaned);
    if (result.success) return result.data;
    for (const issue of result.error.issues) problems.add(`${variableOf(issue.path)}: ${issue.message}`);
    return undefined;
  };
  const general = parse(generalSchema);
  const sections = Object.fromEntries(Object.entries(PROVIDER_SECTIONS).map(([key, schema]) => [key, parse(schema as z.ZodType<unknown>)]));
  // Several sections read PROVIDER_TIMEOUT_MS (and a chosen provider's variables are checked twice for form): each problem once.
  if (problems.size > 0 || general === undefined) throw new ConfigError(`invalid configuration: ${[...problems].join('; ')}`);
  return { ...general, ...(sections as ProviderSections) };
}

/** The variable an issue is about: the last name in its path (a section's path may run through its list of providers). */
function variableOf(path: readonly PropertyKey[]): string {
  const names = path.filter((part): part is string => typeof part === 'string' && /^[A-Z][A-Z0-9_]*$/.test(part));
  return names.at(-1) ?? path.map(String).join('.');
}

/** The development secret of the payment service's callbacks (the sandbox signs with it too). */
export const DEV_PAYMENT_WEBHOOK_SECRET = 'dev-payment-webhook-secret';
/** The development secret of the courier's tracking callbacks (the sandbox signs with it too). */
export const DEV_COURIER_WEBHOOK_SECRET = 'dev-courier-webhook-secret';

/**
 * The secret of each sandbox-protocol callback route, one per provider, or none when that provider
 * is not the one configured (the route then answers 404 provider_not_configured):
 * - payment: PAYMENT_WEBHOOK_SECRET; with PAYMENT_PROVIDER_ONLINE=sandbox, else the deprecated
 *   WEBHOOK_SECRET, else the development value; with Alipay or WeChat Pay only when set (the shop's
 *   payment service still calls back for COD refunds and collections).
 * - courier: with COURIER_TRACKING_PROVIDER=sandbox, COURIER_WEBHOOK_SECRET or the development
 *   value — never WEBHOOK_SECRET, so that no courier secret settles money.
 */
export function webhookSecretsOf(config: Pick<AppConfig, 'WEBHOOK_SECRET' | 'PAYMENT_WEBHOOK_SECRET' | 'COURIER_WEBHOOK_SECRET' | 'payment' | 'courier'>): { payment?: string; courier?: string } {
  const secrets: { payment?: string; courier?: string } = {};
  const payment = config.payment.online.length === 0 ? (config.PAYMENT_WEBHOOK_SECRET ?? config.WEBHOOK_SECRET ?? DEV_PAYMENT_WEBHOOK_SECRET) : config.PAYMENT_WEBHOOK_SECRET;
  if (payment !== undefined) secrets.payment = payment;
  if (config.courier.tracking.provider === 'sandbox') secrets.courier = config.COURIER_WEBHOOK_SECRET ?? DEV_COURIER_WEBHOOK_SECRET;
  return secrets;
}

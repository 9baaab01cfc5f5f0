import { z } from 'zod';
import { durationMs } from '../domain/duration';

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
  WEBHOOK_SECRET: 'HMAC-SHA256 secret of provider callbacks',
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
  WORKER_METRICS_PORT: 'port of the worker Prometheus /metrics endpoint',
  WORKER_MAX_CACHED_WORKFLOWS: 'workflows the worker keeps in memory (each well under 1 MiB, see docs/benchmarks.md); others are replayed from history when they wake',
  WORKER_DEPLOYMENT_NAME: 'Worker Deployment the worker belongs to when WORKER_BUILD_ID is set (Worker Versioning)',
  WORKER_BUILD_ID: 'build id of this worker release (e.g. the git commit); set: the worker joins WORKER_DEPLOYMENT_NAME as that version (Worker Versioning); unset: unversioned',
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

const configSchema = z.object({
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
  WEBHOOK_SECRET: z.string().min(8).default('dev-webhook-secret'),
  PAYLOAD_KEYS: z.string().min(1).optional(),
  PAYLOAD_KEYS_FILE: optionalPath,
  CODEC_CORS_ORIGINS: z.string().min(1).optional(),
  POLICY_FILE: optionalPath,
  COURIER_BASE_URL: url.default('http://127.0.0.1:4010/courier'),
  COURIER_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  COURIER_TRACKING_PROVIDER: z.enum(['sandbox', 'kuaidi100']).default('sandbox'),
  KUAIDI100_KEY: z.string().min(1).optional(),
  KUAIDI100_CUSTOMER: z.string().min(1).optional(),
  KUAIDI100_SALT: z.string().min(8).optional(),
  KUAIDI100_CALLBACK_URL: url.optional(),
  KUAIDI100_BASE_URL: url.default('https://poll.kuaidi100.com'),
  PAYMENT_BASE_URL: url.default('http://127.0.0.1:4010/payment'),
  PAYMENT_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  PAYMENT_PROVIDER_ONLINE: z
    .string()
    .default('sandbox')
    .refine((value) => parseOnlineProviders(value) !== null, {
      message: '"sandbox", or "alipay", "wechatpay" or both separated by a comma (the first is the default for orders that do not say their channel)',
    }),
  ALIPAY_APP_ID: z.string().regex(/^\d{1,32}$/, 'must be the digits of the Alipay app id').optional(),
  ALIPAY_PRIVATE_KEY_FILE: optionalPath,
  ALIPAY_PUBLIC_KEY_FILE: optionalPath,
  ALIPAY_GATEWAY: url.default('https://openapi.alipay.com/gateway.do'),
  WECHATPAY_MCHID: z.string().regex(/^\d{1,32}$/, 'must be the digits of the WeChat Pay merchant id').optional(),
  WECHATPAY_MERCHANT_SERIAL: z.string().regex(/^[0-9A-Fa-f]{1,64}$/, 'must be the hex serial number of the merchant API certificate').optional(),
  WECHATPAY_PRIVATE_KEY_FILE: optionalPath,
  WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: optionalPath,
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be the id of the WeChat Pay public key, e.g. PUB_KEY_ID_0112…').optional(),
  WECHATPAY_APIV3_KEY_FILE: optionalPath,
  WECHATPAY_NOTIFY_URL: url.optional(),
  WECHATPAY_BASE_URL: url.default('https://api.mch.weixin.qq.com'),
  NOTIFICATION_BASE_URL: url.default('http://127.0.0.1:4010/notification'),
  NOTIFICATION_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  SMS_PROVIDER: z.enum(['sandbox', 'aliyun']).default('sandbox'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().min(1).optional(),
  ALIYUN_SMS_TEMPLATES_FILE: optionalPath,
  ALIYUN_SMS_ENDPOINT: z.string().regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'must be a host such as dysmsapi.aliyuncs.com, or a URL such as http://127.0.0.1:4010').default('dysmsapi.aliyuncs.com'),
  // In the URL because Aliyun's receipt push is not signed: long enough not to be guessed, URL-safe.
  ALIYUN_SMS_RECEIPT_TOKEN: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be 32 to 128 letters, digits, _ or - (e.g. openssl rand -hex 32)').optional(),
  CUSTOMER_DIRECTORY_BASE_URL: url.default('http://127.0.0.1:4010/customer-directory'),
  CUSTOMER_DIRECTORY_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  INVENTORY_BASE_URL: url.default('http://127.0.0.1:4010/inventory'),
  INVENTORY_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  WORKER_METRICS_PORT: port.default(9464),
  // Without zod in the bundle a cached case costs about a third of a MiB settled (docs/benchmarks.md, worker-memory),
  // more while it runs: 1,000 keep a minute of 1,000 deadlines off replays (escalation) and 10,000 open cases under 1 GiB.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  // The server keys versions by `<deployment>.<build id>`: no dots or slashes in either part.
  WORKER_DEPLOYMENT_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -').default('aftersales'),
  WORKER_BUILD_ID: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, _ or - (e.g. the git commit)').optional(),
  RECONCILE_EVERY: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as "5m" or "10s"').refine((text) => durationMs(text) >= 1000, 'must be at least 1s').default('5m'),
  // Comparing a running case costs a Query (a replay when it is not cached): every run would replay every open case.
  RECONCILE_RUNNING_EVERY: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as "1h" or "10s"').default('1h'),
  REFUND_QUERY_AFTER_MS: z.coerce.number().int().min(0).default(600_000),
  TRACKING_POLL_AFTER_MS: z.coerce.number().int().min(0).default(21_600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  SANDBOX_PORT: port.default(4010),
  SANDBOX_API_KEY: z.string().min(1).default('dev-sandbox-key'),
  SANDBOX_CALLBACK_URL: url.default('http://127.0.0.1:3000/v1/webhooks'),
  SANDBOX_TRACKING_STEP_MS: z.coerce.number().int().min(0).default(1000),
  SANDBOX_SETTLE_MS: z.coerce.number().int().min(0).default(1000),
  SANDBOX_ALIPAY_PRIVATE_KEY_FILE: optionalPath,
  SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE: optionalPath,
  SANDBOX_ALIPAY_NOTIFY_URL: url.optional(),
  SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE: optionalPath,
  SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE: optionalPath,
  SANDBOX_WECHATPAY_APIV3_KEY_FILE: optionalPath,
}).superRefine(chosenProvidersHaveCredentials).superRefine(alipayHasCredentials).superRefine(wechatpayHasCredentials).superRefine(aliyunSmsHasCredentials);

/** The variables WeChat Pay cannot run without (the base URL has a default). */
const WECHATPAY_CREDENTIALS = [
  'WECHATPAY_MCHID',
  'WECHATPAY_MERCHANT_SERIAL',
  'WECHATPAY_PRIVATE_KEY_FILE',
  'WECHATPAY_PLATFORM_PUBLIC_KEY_FILE',
  'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
  'WECHATPAY_APIV3_KEY_FILE',
  'WECHATPAY_NOTIFY_URL',
] as const;

/** With PAYMENT_PROVIDER_ONLINE=wechatpay, each missing WeChat Pay credential is named (the sandbox default needs none). */
/** The online payment providers this project has adapters for. */
export type OnlineProvider = 'alipay' | 'wechatpay';

/** `alipay`, `wechatpay`, `alipay,wechatpay`… as a list without repeats (empty for `sandbox`); null when it is none of these. */
function parseOnlineProviders(value: string): OnlineProvider[] | null {
  if (value.trim() === 'sandbox') return [];
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name !== 'alipay' && name !== 'wechatpay') || new Set(names).size !== names.length) return null;
  return names as OnlineProvider[];
}

/**
 * The online payment providers PAYMENT_PROVIDER_ONLINE chose, in its order: the first refunds orders
 * that do not say their payment channel. Empty: every refund through the payment service (sandbox).
 */
export function onlinePaymentProviders(config: { PAYMENT_PROVIDER_ONLINE: string }): OnlineProvider[] {
  return parseOnlineProviders(config.PAYMENT_PROVIDER_ONLINE) ?? [];
}

function wechatpayHasCredentials(
  config: { PAYMENT_PROVIDER_ONLINE: string } & Partial<Record<(typeof WECHATPAY_CREDENTIALS)[number], string>>,
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  if (!onlinePaymentProviders(config).includes('wechatpay')) return;
  for (const name of WECHATPAY_CREDENTIALS) {
    if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required when PAYMENT_PROVIDER_ONLINE=wechatpay' });
  }
}

/** With SMS_PROVIDER=aliyun, each missing Aliyun SMS variable is named (the sandbox default needs none). */
function aliyunSmsHasCredentials(
  config: { SMS_PROVIDER: string } & Partial<Record<'ALIYUN_SMS_ACCESS_KEY_ID' | 'ALIYUN_SMS_ACCESS_KEY_SECRET' | 'ALIYUN_SMS_SIGN_NAME' | 'ALIYUN_SMS_TEMPLATES_FILE', string>>,
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  if (config.SMS_PROVIDER !== 'aliyun') return;
  for (const name of ['ALIYUN_SMS_ACCESS_KEY_ID', 'ALIYUN_SMS_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'ALIYUN_SMS_TEMPLATES_FILE'] as const) {
    if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required when SMS_PROVIDER=aliyun' });
  }
}

/** With PAYMENT_PROVIDER_ONLINE=alipay, each missing Alipay credential is named (the sandbox default needs none). */
function alipayHasCredentials(
  config: { PAYMENT_PROVIDER_ONLINE: string; ALIPAY_APP_ID?: string; ALIPAY_PRIVATE_KEY_FILE?: string; ALIPAY_PUBLIC_KEY_FILE?: string },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  if (!onlinePaymentProviders(config).includes('alipay')) return;
  for (const name of ['ALIPAY_APP_ID', 'ALIPAY_PRIVATE_KEY_FILE', 'ALIPAY_PUBLIC_KEY_FILE'] as const) {
    if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required when PAYMENT_PROVIDER_ONLINE=alipay' });
  }
}

/** The variables a chosen provider cannot run without; the default sandbox needs none. */
const PROVIDER_CREDENTIALS = {
  kuaidi100: ['KUAIDI100_KEY', 'KUAIDI100_CUSTOMER', 'KUAIDI100_SALT', 'KUAIDI100_CALLBACK_URL'],
} as const;

function chosenProvidersHaveCredentials(
  config: { COURIER_TRACKING_PROVIDER: string } & Partial<Record<(typeof PROVIDER_CREDENTIALS)['kuaidi100'][number], string>>,
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  if (config.COURIER_TRACKING_PROVIDER !== 'kuaidi100') return;
  for (const name of PROVIDER_CREDENTIALS.kuaidi100) {
    if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required when COURIER_TRACKING_PROVIDER=kuaidi100' });
  }
}

/** The parsed configuration shared by the API, the worker and the sandbox. */
export type AppConfig = z.infer<typeof configSchema>;

/** Raised when a variable is malformed; the message names every bad variable. */
export class ConfigError extends Error {}

/** Parses the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset so that `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

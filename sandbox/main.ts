import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/env';
import { createSandboxApp } from './app';

/** Runs the provider sandbox on 0.0.0.0:SANDBOX_PORT until SIGTERM or SIGINT. */
function main(): void {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { component: 'sandbox' } });
  const sandbox = createSandboxApp({
    apiKey: config.SANDBOX_API_KEY,
    callbackBaseUrl: config.SANDBOX_CALLBACK_URL,
    webhookSecret: config.WEBHOOK_SECRET,
    trackingStepMs: config.SANDBOX_TRACKING_STEP_MS,
    settleMs: config.SANDBOX_SETTLE_MS,
    logger,
    alipay: sandboxAlipayKeys(config),
    wechatpay: sandboxWechatpayKeys(config),
  });

  const server = sandbox.app.listen(config.SANDBOX_PORT, '0.0.0.0', (err?: Error) => {
    if (err) {
      logger.fatal({ err }, 'sandbox could not listen');
      process.exit(1);
    }
    logger.info(
      {
        port: config.SANDBOX_PORT,
        callbackBaseUrl: config.SANDBOX_CALLBACK_URL,
        trackingStepMs: config.SANDBOX_TRACKING_STEP_MS,
        settleMs: config.SANDBOX_SETTLE_MS,
      },
      'provider sandbox listening',
    );
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'provider sandbox stopping');
    sandbox.close();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Keep-alive clients may hold sockets open; don't let them block shutdown.
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The sandbox Alipay's keys when both files are configured (docs/providers.md); otherwise it serves no Alipay. */
function sandboxAlipayKeys(config: ReturnType<typeof loadConfig>) {
  const { SANDBOX_ALIPAY_PRIVATE_KEY_FILE: own, SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE: app } = config;
  if (own === undefined || app === undefined) return undefined;
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file}`);
    }
  };
  return {
    alipayPrivateKey: read('SANDBOX_ALIPAY_PRIVATE_KEY_FILE', own),
    appPublicKey: read('SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE', app),
    ...(config.ALIPAY_APP_ID ? { appId: config.ALIPAY_APP_ID } : {}),
    ...(config.SANDBOX_ALIPAY_NOTIFY_URL ? { notifyUrl: config.SANDBOX_ALIPAY_NOTIFY_URL } : {}),
  };
}

/** The sandbox WeChat Pay's keys when its three files are configured (docs/providers.md); otherwise it serves no WeChat Pay. */
function sandboxWechatpayKeys(config: ReturnType<typeof loadConfig>) {
  const { SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE: own, SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE: merchant, SANDBOX_WECHATPAY_APIV3_KEY_FILE: apiV3 } = config;
  if (own === undefined || merchant === undefined || apiV3 === undefined) return undefined;
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file}`);
    }
  };
  const apiV3Key = read('SANDBOX_WECHATPAY_APIV3_KEY_FILE', apiV3).trim();
  if (Buffer.byteLength(apiV3Key) !== 32) throw new ConfigError('invalid configuration: SANDBOX_WECHATPAY_APIV3_KEY_FILE: must hold a 32-character APIv3 key');
  return {
    platformPrivateKey: read('SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE', own),
    merchantPublicKey: read('SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE', merchant),
    apiV3Key,
    ...(config.WECHATPAY_PLATFORM_PUBLIC_KEY_ID ? { platformPublicKeyId: config.WECHATPAY_PLATFORM_PUBLIC_KEY_ID } : {}),
    ...(config.WECHATPAY_MCHID ? { mchid: config.WECHATPAY_MCHID } : {}),
  };
}

try {
  main();
} catch (err) {
  // A ConfigError names the bad variable; print it without a stack.
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

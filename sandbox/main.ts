import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, DEV_COURIER_WEBHOOK_SECRET, DEV_PAYMENT_WEBHOOK_SECRET, loadConfig, webhookSecretsOf } from '../config/env';
import type { SandboxConfig } from '../config/providers';
import { createSandboxApp } from './app';

/** Runs the provider sandbox on 0.0.0.0:SANDBOX_PORT until SIGTERM or SIGINT. */
function main(): void {
  const config = loadConfig();
  const { sandbox: section } = config;
  const logger = pino({ level: config.LOG_LEVEL, base: { component: 'sandbox' } });
  const secrets = webhookSecretsOf(config);
  const sandbox = createSandboxApp({
    apiKey: section.apiKey,
    callbackBaseUrl: section.callbackUrl,
    // Signed as the API checks them: one secret per provider (a route not mounted there refuses them anyway).
    webhookSecret: DEV_PAYMENT_WEBHOOK_SECRET,
    webhookSecrets: { payment: secrets.payment ?? DEV_PAYMENT_WEBHOOK_SECRET, courier: config.COURIER_WEBHOOK_SECRET ?? secrets.courier ?? DEV_COURIER_WEBHOOK_SECRET },
    trackingStepMs: section.trackingStepMs,
    settleMs: section.settleMs,
    logger,
    alipay: sandboxAlipayKeys(section.alipay),
    wechatpay: sandboxWechatpayKeys(section.wechatpay),
  });

  const server = sandbox.app.listen(section.port, '0.0.0.0', (err?: Error) => {
    if (err) {
      logger.fatal({ err }, 'sandbox could not listen');
      process.exit(1);
    }
    logger.info(
      {
        port: section.port,
        callbackBaseUrl: section.callbackUrl,
        trackingStepMs: section.trackingStepMs,
        settleMs: section.settleMs,
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

/** Reads one of the sandbox's key files; the message names the variable, never the key. */
function readKeyFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file}`);
  }
}

/** The sandbox Alipay's keys when its section has them (docs/providers.md); otherwise it serves no Alipay. */
function sandboxAlipayKeys(alipay: SandboxConfig['alipay']) {
  if (alipay === undefined) return undefined;
  return {
    alipayPrivateKey: readKeyFile('SANDBOX_ALIPAY_PRIVATE_KEY_FILE', alipay.privateKeyFile),
    appPublicKey: readKeyFile('SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE', alipay.appPublicKeyFile),
    ...(alipay.appId ? { appId: alipay.appId } : {}),
    ...(alipay.notifyUrl ? { notifyUrl: alipay.notifyUrl } : {}),
  };
}

/** The sandbox WeChat Pay's keys when its section has them (docs/providers.md); otherwise it serves no WeChat Pay. */
function sandboxWechatpayKeys(wechatpay: SandboxConfig['wechatpay']) {
  if (wechatpay === undefined) return undefined;
  const apiV3Key = readKeyFile('SANDBOX_WECHATPAY_APIV3_KEY_FILE', wechatpay.apiV3KeyFile).trim();
  if (Buffer.byteLength(apiV3Key) !== 32) throw new ConfigError('invalid configuration: SANDBOX_WECHATPAY_APIV3_KEY_FILE: must hold a 32-character APIv3 key');
  return {
    platformPrivateKey: readKeyFile('SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE', wechatpay.platformPrivateKeyFile),
    merchantPublicKey: readKeyFile('SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE', wechatpay.merchantPublicKeyFile),
    apiV3Key,
    ...(wechatpay.platformPublicKeyId ? { platformPublicKeyId: wechatpay.platformPublicKeyId } : {}),
    ...(wechatpay.mchid ? { mchid: wechatpay.mchid } : {}),
  };
}

try {
  main();
} catch (err) {
  // A ConfigError names the bad variable; print it without a stack.
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

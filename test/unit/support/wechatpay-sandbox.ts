import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import type { WechatpayConfig as WechatpaySection } from '../../../config/providers';
import { type WechatPayPaymentClient, wechatpayPaymentFromConfig } from '../../../integrations/wechatpay-payment.client';
import { TimerSet } from '../../../sandbox/timer-set';
import { wechatpayRoutes } from '../../../sandbox/wechatpay.routes';
import { close, listen, rsaPemPair } from './provider-test-kit';

/** The merchant id the sandbox and the adapter share. */
export const MCHID = '1900000109';
/** The merchant certificate's serial the adapter signs under. */
export const MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
/** The id of WeChat Pay's public key (the sandbox signs answers under it). */
export const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092025110100000000';

/** The configuration section the WeChat Pay adapter is built from. */
export type WechatpayConfig = WechatpaySection;

/** The sandbox's WeChat Pay API v3 in this process and the real adapter configured for it from key files. */
export interface WechatpaySandbox {
  /** Where the sandbox's WeChat Pay answers (ends in /wechatpay). */
  baseUrl: string;
  /** The temporary folder of the key files (removed by `close`). */
  keyDir: string;
  /** The APIv3 key the sandbox encrypts notifications with. */
  apiV3Key: string;
  /** The adapter's configuration, its key files in `keyDir`. */
  config: WechatpayConfig;
  /** The adapter built from `config`. */
  client: WechatPayPaymentClient;
  /** Stops the sandbox's timers and server and removes the key files. */
  close(): Promise<void>;
}

/**
 * Starts the sandbox's WeChat Pay with keys made now (the merchant's pair signs requests, the
 * sandbox's "WeChat Pay" pair signs answers), paying each refund `settleMs` after taking it and
 * notifying `notifyUrl`.
 */
export async function startWechatpaySandbox(options: { settleMs: number; notifyUrl: string; keyDirPrefix: string }): Promise<WechatpaySandbox> {
  const merchantKeys = rsaPemPair();
  const platformKeys = rsaPemPair();
  const apiV3Key = randomBytes(16).toString('hex');
  const timers = new TimerSet();
  const sandbox = wechatpayRoutes({
    platformPrivateKey: platformKeys.privateKey,
    merchantPublicKey: merchantKeys.publicKey,
    apiV3Key,
    platformPublicKeyId: PUBLIC_KEY_ID,
    mchid: MCHID,
    settleMs: options.settleMs,
    timers,
    logger: pino({ level: 'silent' }),
  });
  const { server, base } = await listen(express().use('/wechatpay', sandbox.router));
  const baseUrl = `${base}/wechatpay`;
  const keyDir = mkdtempSync(path.join(tmpdir(), options.keyDirPrefix));
  const file = (name: string, text: string) => {
    const at = path.join(keyDir, name);
    writeFileSync(at, text);
    return at;
  };
  const config: WechatpayConfig = {
    provider: 'wechatpay',
    mchid: MCHID,
    merchantSerial: MERCHANT_SERIAL,
    privateKeyFile: file('apiclient_key.pem', merchantKeys.privateKey),
    platformPublicKeyFile: file('pub_key.pem', platformKeys.publicKey),
    platformPublicKeyId: PUBLIC_KEY_ID,
    apiV3KeyFile: file('apiv3.key', apiV3Key),
    notifyUrl: options.notifyUrl,
    baseUrl,
    timeoutMs: 5000,
  };
  return {
    baseUrl,
    keyDir,
    apiV3Key,
    config,
    client: wechatpayPaymentFromConfig(config),
    close: async () => {
      timers.close();
      await close(server);
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

import express, { type Express } from 'express';
import pino, { type Logger } from 'pino';
import { alipayRoutes, type AlipaySandboxOptions } from './alipay.routes';
import { aliyunSmsRoutes, SANDBOX_ALIYUN_ACCESS_KEY_ID } from './aliyun-sms.routes';
import { customerDirectoryRoutes } from './customer-directory.routes';
import { CallbackDispatcher, type CallbackTopic } from './callback-dispatcher';
import { controlRoutes } from './control.routes';
import { courierRoutes } from './courier.routes';
import { FaultInjector } from './fault-injector';
import { inventoryRoutes } from './inventory.routes';
import { kuaidi100Routes, SANDBOX_KUAIDI100_CUSTOMER } from './kuaidi100.routes';
import { notificationRoutes } from './notification.routes';
import { OrderBook } from './order-book';
import { orderControlRoutes, orderSourceRoutes, requireOrderSourceAuth } from './order-source.routes';
import { paymentRoutes } from './payment.routes';
import { errorHandler, notFound, requireApiKey } from './sandbox-http';
import { SandboxState } from './sandbox-state';
import { TimerSet } from './timer-set';
import { TrackingSimulator } from './tracking-simulator';
import { wechatpayRoutes, type WechatpaySandboxOptions } from './wechatpay.routes';

/** How the sandbox behaves. */
export interface SandboxOptions {
  /** Bearer token every provider endpoint expects. */
  apiKey: string;
  /** Callbacks go to `<callbackBaseUrl>/courier` and `<callbackBaseUrl>/payment`. */
  callbackBaseUrl: string;
  /** HMAC secret of the `X-Signature` header on callbacks, for every topic `webhookSecrets` does not name. */
  webhookSecret: string;
  /** One secret per provider (`payment`, `courier`), as the API checks them (PAYMENT_WEBHOOK_SECRET, COURIER_WEBHOOK_SECRET). */
  webhookSecrets?: Partial<Record<CallbackTopic, string>>;
  /** Delay before each tracking event. */
  trackingStepMs: number;
  /** Delay before a refund or a collection settles. */
  settleMs: number;
  /** Defaults to a silent logger. */
  logger?: Logger;
  /** Keys of the Alipay gateway at `/alipay/gateway.do`; without them the sandbox serves no Alipay. */
  alipay?: AlipaySandboxOptions;
  /** Keys of WeChat Pay API v3 at `/wechatpay/v3/…`; without them the sandbox serves no WeChat Pay. */
  wechatpay?: WechatpaySandboxOptions;
}

/** A running sandbox: the express app to listen with, and close() to cancel every pending timer and callback. */
export interface Sandbox {
  app: Express;
  close(): void;
}

const BODY_LIMIT = '256kb';

/** Builds the provider sandbox: courier, payment, inventory, notification and order-source providers plus inspection endpoints. */
export function createSandboxApp(options: SandboxOptions): Sandbox {
  const logger = options.logger ?? pino({ level: 'silent' });
  const timers = new TimerSet();
  const state = new SandboxState();
  const dispatcher = new CallbackDispatcher(options.callbackBaseUrl, (topic) => options.webhookSecrets?.[topic] ?? options.webhookSecret, timers, logger);
  const tracking = new TrackingSimulator(dispatcher, timers, options.trackingStepMs, (number) => state.issuedTrackingNumber(number));
  const faults = new FaultInjector(timers);
  const orders = new OrderBook((sku) => state.catalog.get(sku)?.category);
  // Kuaidi100 authenticates inside its own protocol (key, sign), so it sits outside the bearer check.
  const kuaidi100 = kuaidi100Routes({ key: options.apiKey, customer: SANDBOX_KUAIDI100_CUSTOMER, stepMs: options.trackingStepMs, timers, logger });
  const wechatpay = options.wechatpay ? wechatpayRoutes({ ...options.wechatpay, settleMs: options.settleMs, timers, logger }) : undefined;

  // Aliyun SMS authenticates by its own ACS3 signatures (secret: the sandbox's API key), outside the bearer check.
  const aliyunSms = aliyunSmsRoutes({ accessKeyId: SANDBOX_ALIYUN_ACCESS_KEY_ID, accessKeySecret: options.apiKey });

  const reset = () => {
    timers.cancelAll();
    dispatcher.reset();
    tracking.clear();
    state.clear();
    faults.clear();
    kuaidi100.clear();
    wechatpay?.clear();
    aliyunSms.clear();
    orders.reset();
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(controlRoutes(state, faults, dispatcher, reset));
  app.use(orderControlRoutes(orders));
  // Authentication first, then faults: a faulted call answers 503 before doing anything.
  const provider = (name: 'courier' | 'payment' | 'inventory' | 'notification') => [
    requireApiKey(options.apiKey),
    faults.middleware(name),
    express.json({ limit: BODY_LIMIT }),
  ];
  app.use('/courier', provider('courier'), courierRoutes(state, tracking));
  app.use('/payment', provider('payment'), paymentRoutes(state, dispatcher, timers, options.settleMs, (orderId) => orders.get(orderId)));
  app.use('/inventory', provider('inventory'), inventoryRoutes(state));
  app.use('/notification', provider('notification'), notificationRoutes(state));
  // The shop's order system (docs/order-source.md): a bearer token or a request signed with the same key.
  app.use('/order-source', requireOrderSourceAuth(options.apiKey), faults.middleware('orders'), orderSourceRoutes(orders));
  app.use('/kuaidi100', kuaidi100.router);
  app.use('/customer-directory', requireApiKey(options.apiKey), customerDirectoryRoutes());
  app.use(aliyunSms.router);
  // Alipay authenticates by its own RSA2 signatures, so it sits outside the bearer check.
  if (options.alipay) app.use('/alipay', alipayRoutes(options.alipay));
  // WeChat Pay authenticates by its own RSA signatures (Authorization header), so it sits outside the bearer check too.
  if (wechatpay) app.use('/wechatpay', wechatpay.router);
  app.use(notFound);
  app.use(errorHandler(logger));

  return {
    app,
    close: () => {
      dispatcher.reset();
      timers.close();
    },
  };
}

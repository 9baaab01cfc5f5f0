import { webhookSecretsOf, type AppConfig } from '../config/env';
import type { AlipayConfig, CourierConfig, InventoryConfig, NotificationConfig, OnlineProvider, PaymentConfig, WechatpayConfig } from '../config/providers';
import type { PaymentChannel } from '../domain/case.types';
import type { OrderSource } from '../domain/order-source';
import type { CourierPort, NotificationPort, PaymentPort } from '../activities/provider-ports';
import type { TrackingQuery } from '../activities/tracking-poll.activities';
import { alipayNotificationVerifier, alipayPaymentFromConfig } from './alipay-payment.client';
import { AliyunSmsClient, aliyunSmsOptionsOf, InMemorySmsSendLog, type SmsSendLog } from './aliyun-sms.client';
import { CustomerDirectoryClient } from './customer-directory.client';
import { CourierClient } from './courier.client';
import { InventoryClient } from './inventory.client';
import { kuaidi100FromConfig, type Kuaidi100Client } from './kuaidi100.client';
import { NotificationClient } from './notification.client';
import { orderSourceFromConfig } from './order-source.client';
import { PaymentClient } from './payment.client';
import { alipayRefundLookUp, wechatpayRefundLookUp } from './refund-lookup';
import { ProviderError } from './http-client';
import { wechatpayPaymentFromConfig } from './wechatpay-payment.client';
import { wechatpayNotificationKeysFromConfig, type WechatpayNotificationKeys } from './wechatpay.protocol';

/** The provider adapters the worker hands to the activities, and the reconciler's trace query. */
export interface ProviderClients {
  courier: CourierPort;
  payment: PaymentPort;
  inventory: InventoryClient;
  notification: NotificationPort;
  /** The trace query of parcels whose pushes stopped (only Kuaidi100 has one; the sandbox courier pushes). */
  trackingQuery?: TrackingQuery;
}

/** Stores some adapters keep state in (the worker passes its database's; without one, state stays in memory). */
export interface ProviderStores {
  /** Aliyun SMS sends by idempotency key (store/sms-sends.store.ts). */
  smsSends?: SmsSendLog;
}

/**
 * Builds every provider adapter from its section of the configuration (sandbox locally, real
 * providers in production). The sections were checked by loadConfig; the factories here only read
 * what the sections name (key files, the templates file), which stops the worker at start when one
 * is unusable.
 */
export function createProviderClients(config: Pick<AppConfig, 'courier' | 'payment' | 'inventory' | 'notification'>, stores: ProviderStores = {}): ProviderClients {
  const tracking = kuaidi100Tracking(config.courier);
  return {
    courier: courierFromConfig(config.courier, tracking),
    payment: paymentFromConfig(config.payment),
    inventory: inventoryFromConfig(config.inventory),
    notification: notificationFromConfig(config.notification, stores),
    ...(tracking ? { trackingQuery: (input) => tracking.query(input) } : {}),
  };
}

/** What the API needs of the configured providers: the checks of their callbacks, and whether orders must say their payment channel. */
export interface ApiProviders {
  /** Salt of Kuaidi100's callback signatures (COURIER_TRACKING_PROVIDER=kuaidi100: `POST /v1/webhooks/kuaidi100` exists only then). */
  kuaidi100Salt?: string;
  /** Checks Alipay's notifications (PAYMENT_PROVIDER_ONLINE names alipay: `POST /v1/webhooks/alipay` exists only then). */
  alipayVerify?: (fields: Record<string, string>) => boolean;
  /** WeChat Pay's notification keys (PAYMENT_PROVIDER_ONLINE names wechatpay: `POST /v1/webhooks/wechatpay` exists only then). */
  wechatpay?: WechatpayNotificationKeys;
  /** ALIYUN_SMS_RECEIPT_TOKEN with SMS_PROVIDER=aliyun: `POST /v1/webhooks/aliyun-sms/{token}` takes Aliyun's receipts only then. */
  aliyunSmsReceiptToken?: string;
  /** More than one online payment provider: every online order must say which one it was paid through. */
  paymentChannelRequired?: boolean;
  /** The payment service's callback secret (webhookSecretsOf): `POST /v1/webhooks/payment` exists only when it is set. */
  paymentWebhookSecret?: string;
  /** The sandbox courier's callback secret (COURIER_TRACKING_PROVIDER=sandbox): `POST /v1/webhooks/courier` exists only when it is set. */
  courierWebhookSecret?: string;
}

/** The API's side of the configured providers; reading the key files here stops the API at start when one is unusable, named. */
export function apiProvidersFromConfig(
  config: Pick<AppConfig, 'courier' | 'payment' | 'notification' | 'WEBHOOK_SECRET' | 'PAYMENT_WEBHOOK_SECRET' | 'COURIER_WEBHOOK_SECRET'>,
): ApiProviders {
  const { tracking } = config.courier;
  const { sms } = config.notification;
  const providers: ApiProviders = { paymentChannelRequired: config.payment.online.length > 1 };
  const secrets = webhookSecretsOf(config);
  if (secrets.payment !== undefined) providers.paymentWebhookSecret = secrets.payment;
  if (secrets.courier !== undefined) providers.courierWebhookSecret = secrets.courier;
  if (tracking.provider === 'kuaidi100') providers.kuaidi100Salt = tracking.salt;
  for (const section of config.payment.online) {
    if (section.provider === 'alipay') providers.alipayVerify = alipayNotificationVerifier(section);
    else providers.wechatpay = wechatpayNotificationKeysFromConfig(section);
  }
  if (sms.provider === 'aliyun' && sms.receiptToken !== undefined) providers.aliyunSmsReceiptToken = sms.receiptToken;
  return providers;
}

/** The Kuaidi100 adapter when the courier section chose it (the one place that choice is read for the worker). */
function kuaidi100Tracking(courier: CourierConfig): Kuaidi100Client | undefined {
  return courier.tracking.provider === 'kuaidi100' ? kuaidi100FromConfig(courier.tracking) : undefined;
}

/** The inventory port: the inventory service. */
function inventoryFromConfig(inventory: InventoryConfig): InventoryClient {
  return new InventoryClient(inventory.service);
}

/**
 * The notification port: with SMS_PROVIDER=aliyun, customer messages go as SMS through Aliyun (the
 * number looked up in the customer directory; a customer without one is notified through the
 * notification service instead); staff messages always stay on the notification service. Reading
 * the templates file here stops the worker at start when a template we send has no Aliyun template.
 */
function notificationFromConfig(section: NotificationConfig, stores: ProviderStores): NotificationPort {
  const notification = new NotificationClient(section.service);
  if (section.sms.provider === 'sandbox') return notification;
  const directory = new CustomerDirectoryClient(section.sms.directory);
  const sms = new AliyunSmsClient(aliyunSmsOptionsOf(section.sms), directory, stores.smsSends ?? new InMemorySmsSendLog(), notification);
  return notificationByRecipient(sms, notification);
}

/** Customer messages through `customer`, staff messages through `staff`. */
export function notificationByRecipient(customer: NotificationPort, staff: NotificationPort): NotificationPort {
  return { send: (message, key) => (message.recipient.kind === 'customer' ? customer : staff).send(message, key) };
}

/**
 * The courier port: labels, shipments and investigations always go to the courier service; tracking
 * goes to Kuaidi100 when the section chose it, for the parcels customers send back and for those we
 * ship.
 */
function courierFromConfig(section: CourierConfig, tracking: Kuaidi100Client | undefined): CourierPort {
  const courier = new CourierClient(section.service);
  if (tracking === undefined) return courier;
  return {
    createReturnLabel: (input, key) => courier.createReturnLabel(input, key),
    // Kuaidi100 tracks only what it is asked to: a parcel we send is subscribed as soon as it exists (a retry's repeat is harmless).
    createShipment: async (input, key) => {
      const shipment = await courier.createShipment(input, key);
      await tracking.subscribeTracking({ caseId: input.caseId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier });
      return shipment;
    },
    openInvestigation: (input, key) => courier.openInvestigation(input, key),
    subscribeTracking: (input) => tracking.subscribeTracking(input),
  };
}

/** What an online provider's adapter does for the payment port: refunds, and looking them up. */
export type OnlineRefunds = Pick<PaymentPort, 'createRefund' | 'lookUpRefund'>;

/**
 * The payment port: with PAYMENT_PROVIDER_ONLINE naming Alipay, WeChat Pay or both, refunds of
 * online payments go back the way the order was paid (its `paymentChannel`; an order that does not
 * say goes to the first provider named). Refunds of cash-on-delivery orders and of channels without
 * an adapter here, coupons and collections stay on the payment service. Reading each provider's
 * keys here stops the worker at start when one is unusable.
 */
function paymentFromConfig(section: PaymentConfig): PaymentPort {
  const payment = new PaymentClient(section.service);
  if (section.online.length === 0) return payment;
  const online: Partial<Record<OnlineProvider, OnlineRefunds>> = {};
  for (const provider of section.online) online[provider.provider] = provider.provider === 'alipay' ? alipayRefunds(provider) : wechatpayRefunds(provider);
  return paymentByChannel(online, section.online[0].provider, payment);
}

function alipayRefunds(section: AlipayConfig): OnlineRefunds {
  const alipay = alipayPaymentFromConfig(section);
  return { createRefund: (input, key) => alipay.createRefund(input, key), lookUpRefund: alipayRefundLookUp(alipay) };
}

function wechatpayRefunds(section: WechatpayConfig): OnlineRefunds {
  const wechatpay = wechatpayPaymentFromConfig(section);
  return { createRefund: (input, key) => wechatpay.createRefund(input, key), lookUpRefund: wechatpayRefundLookUp(wechatpay) };
}

/**
 * Refunds of online payments through the adapter of their channel (`defaultChannel`'s when the
 * order does not say), everything else through `other`: cash on delivery, a channel with no
 * adapter here (`other`), coupons, collections. A refund is looked up where it was made (a port
 * without look-ups answers it with a final `not_supported` error).
 */
export function paymentByChannel(online: Partial<Record<OnlineProvider, OnlineRefunds>>, defaultChannel: OnlineProvider, other: PaymentPort): PaymentPort {
  const refundsOf = (input: { paymentMethod: 'online' | 'cod'; paymentChannel?: PaymentChannel }): OnlineRefunds => {
    if (input.paymentMethod !== 'online') return other;
    const channel = input.paymentChannel ?? defaultChannel;
    return (channel === 'other' ? undefined : online[channel]) ?? other;
  };
  const port: PaymentPort = {
    createRefund: (input, key) => refundsOf(input).createRefund(input, key),
    issueCoupon: (input, key) => other.issueCoupon(input, key),
    createCollection: (input, key) => other.createCollection(input, key),
  };
  if (other.lookUpCollection !== undefined) port.lookUpCollection = other.lookUpCollection.bind(other);
  // Only the payment service reads a trade's record here (Alipay's and WeChat Pay's adapters do not yet).
  if (other.lookUpTrade !== undefined) {
    const lookUpTrade = other.lookUpTrade.bind(other);
    port.lookUpTrade = async (input) => {
      if (refundsOf(input) !== other) {
        throw new ProviderError(`trades of ${input.paymentChannel ?? 'online'} payments cannot be looked up`, { provider: 'payment', retryable: false, code: 'not_supported' });
      }
      return lookUpTrade(input);
    };
  }
  if (Object.values(online).every((adapter) => adapter.lookUpRefund === undefined) && other.lookUpRefund === undefined) return port;
  port.lookUpRefund = async (input) => {
    const where = refundsOf(input);
    if (where.lookUpRefund === undefined) {
      throw new ProviderError(`refunds of ${input.paymentChannel ?? input.paymentMethod} payments cannot be looked up`, { provider: 'payment', retryable: false, code: 'not_supported' });
    }
    return where.lookUpRefund(input);
  };
  return port;
}

/**
 * The order-source port (ORDER_SOURCE: the sandbox's order service or the shop's order system),
 * one adapter per process: its circuit breaker counts every read of that process. Not yet read by
 * the API's case opening (docs/order-source.md, "What is not done yet").
 */
export function orderSourceOf(config: Pick<AppConfig, 'orders'>): OrderSource {
  return orderSourceFromConfig(config.orders);
}

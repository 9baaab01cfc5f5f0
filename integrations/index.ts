import { onlinePaymentProviders, type AppConfig, type OnlineProvider } from '../config/env';
import type { PaymentChannel } from '../domain/case.types';
import type { CourierPort, NotificationPort, PaymentPort } from '../activities/provider-ports';
import { AlipayPaymentClient, alipayOptionsFromConfig } from './alipay-payment.client';
import { AliyunSmsClient, aliyunSmsOptionsFromConfig, InMemorySmsSendLog, type SmsSendLog } from './aliyun-sms.client';
import { CustomerDirectoryClient } from './customer-directory.client';
import { CourierClient } from './courier.client';
import { InventoryClient } from './inventory.client';
import { Kuaidi100Client, kuaidi100OptionsFromConfig } from './kuaidi100.client';
import { NotificationClient } from './notification.client';
import { PaymentClient } from './payment.client';
import { alipayRefundLookUp, wechatpayRefundLookUp } from './refund-lookup';
import { ProviderError } from './http-client';
import { WechatPayPaymentClient, wechatpayOptionsFromConfig } from './wechatpay-payment.client';

/** The four provider adapters the worker hands to the activities. */
export interface ProviderClients {
  courier: CourierPort;
  payment: PaymentPort;
  inventory: InventoryClient;
  notification: NotificationPort;
}

/** Stores some adapters keep state in (the worker passes its database's; without one, state stays in memory). */
export interface ProviderStores {
  /** Aliyun SMS sends by idempotency key (store/sms-sends.store.ts). */
  smsSends?: SmsSendLog;
}

/** Builds every provider adapter from the parsed configuration (sandbox locally, real providers in production). */
export function createProviderClients(config: AppConfig, stores: ProviderStores = {}): ProviderClients {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  return {
    courier: courierPort(config, new CourierClient({ baseUrl: config.COURIER_BASE_URL, apiKey: config.COURIER_API_KEY, timeoutMs })),
    payment: paymentPort(config, new PaymentClient({ baseUrl: config.PAYMENT_BASE_URL, apiKey: config.PAYMENT_API_KEY, timeoutMs })),
    inventory: new InventoryClient({ baseUrl: config.INVENTORY_BASE_URL, apiKey: config.INVENTORY_API_KEY, timeoutMs }),
    notification: notificationPort(config, new NotificationClient({ baseUrl: config.NOTIFICATION_BASE_URL, apiKey: config.NOTIFICATION_API_KEY, timeoutMs }), stores),
  };
}

/**
 * The notification port: with SMS_PROVIDER=aliyun, customer messages go as SMS through Aliyun (the
 * number looked up in the customer directory; a customer without one is notified through the
 * notification adapter instead); staff messages always stay on the notification adapter. Reading
 * the templates file here stops the worker at start when a template we send has no Aliyun template.
 */
function notificationPort(config: AppConfig, notification: NotificationClient, stores: ProviderStores): NotificationPort {
  if (config.SMS_PROVIDER !== 'aliyun') return notification;
  const directory = new CustomerDirectoryClient({ baseUrl: config.CUSTOMER_DIRECTORY_BASE_URL, apiKey: config.CUSTOMER_DIRECTORY_API_KEY, timeoutMs: config.PROVIDER_TIMEOUT_MS });
  const sms = new AliyunSmsClient(aliyunSmsOptionsFromConfig(config), directory, stores.smsSends ?? new InMemorySmsSendLog(), notification);
  return notificationByRecipient(sms, notification);
}

/** Customer messages through `customer`, staff messages through `staff`. */
export function notificationByRecipient(customer: NotificationPort, staff: NotificationPort): NotificationPort {
  return { send: (message, key) => (message.recipient.kind === 'customer' ? customer : staff).send(message, key) };
}

/**
 * The courier port: labels, shipments and investigations always go to the courier adapter; tracking
 * goes to Kuaidi100 when COURIER_TRACKING_PROVIDER=kuaidi100 (config validation made sure its
 * variables are set), for the parcels customers send back and for those we ship.
 */
function courierPort(config: AppConfig, courier: CourierClient): CourierPort {
  if (config.COURIER_TRACKING_PROVIDER !== 'kuaidi100') return courier;
  const tracking = new Kuaidi100Client(kuaidi100OptionsFromConfig(config));
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
 * an adapter here, coupons and collections stay on the payment adapter above. Reading each
 * provider's keys here stops the worker at start when one is unusable.
 */
function paymentPort(config: AppConfig, payment: PaymentClient): PaymentPort {
  const providers = onlinePaymentProviders(config);
  if (providers.length === 0) return payment;
  const online: Partial<Record<OnlineProvider, OnlineRefunds>> = {};
  for (const provider of providers) online[provider] = provider === 'alipay' ? alipayRefunds(config) : wechatpayRefunds(config);
  return paymentByChannel(online, providers[0], payment);
}

function alipayRefunds(config: AppConfig): OnlineRefunds {
  const alipay = new AlipayPaymentClient(alipayOptionsFromConfig(config));
  return { createRefund: (input, key) => alipay.createRefund(input, key), lookUpRefund: alipayRefundLookUp(alipay) };
}

function wechatpayRefunds(config: AppConfig): OnlineRefunds {
  const wechatpay = new WechatPayPaymentClient(wechatpayOptionsFromConfig(config));
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

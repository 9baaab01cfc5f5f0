import type { AppConfig } from '../config/env';
import type { CourierPort, PaymentPort } from '../activities/provider-ports';
import { AlipayPaymentClient, alipayOptionsFromConfig } from './alipay-payment.client';
import { CourierClient } from './courier.client';
import { InventoryClient } from './inventory.client';
import { Kuaidi100Client } from './kuaidi100.client';
import { NotificationClient } from './notification.client';
import { PaymentClient } from './payment.client';

/** The four provider adapters the worker hands to the activities. */
export interface ProviderClients {
  courier: CourierPort;
  payment: PaymentPort;
  inventory: InventoryClient;
  notification: NotificationClient;
}

/** Builds every provider adapter from the parsed configuration (sandbox locally, real providers in production). */
export function createProviderClients(config: AppConfig): ProviderClients {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  return {
    courier: courierPort(config, new CourierClient({ baseUrl: config.COURIER_BASE_URL, apiKey: config.COURIER_API_KEY, timeoutMs })),
    payment: paymentPort(config, new PaymentClient({ baseUrl: config.PAYMENT_BASE_URL, apiKey: config.PAYMENT_API_KEY, timeoutMs })),
    inventory: new InventoryClient({ baseUrl: config.INVENTORY_BASE_URL, apiKey: config.INVENTORY_API_KEY, timeoutMs }),
    notification: new NotificationClient({ baseUrl: config.NOTIFICATION_BASE_URL, apiKey: config.NOTIFICATION_API_KEY, timeoutMs }),
  };
}

/**
 * The courier port: labels, shipments and investigations always go to the courier adapter; tracking
 * goes to Kuaidi100 when COURIER_TRACKING_PROVIDER=kuaidi100 (config validation made sure its
 * variables are set), for the parcels customers send back and for those we ship.
 */
function courierPort(config: AppConfig, courier: CourierClient): CourierPort {
  if (config.COURIER_TRACKING_PROVIDER !== 'kuaidi100') return courier;
  const tracking = new Kuaidi100Client({
    baseUrl: config.KUAIDI100_BASE_URL,
    key: config.KUAIDI100_KEY!,
    customer: config.KUAIDI100_CUSTOMER!,
    salt: config.KUAIDI100_SALT!,
    callbackUrl: config.KUAIDI100_CALLBACK_URL!,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
  });
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

/**
 * The payment port: with PAYMENT_PROVIDER_ONLINE=alipay, refunds of online payments go to Alipay;
 * refunds of cash-on-delivery orders (no Alipay payment to refund), coupons and collections stay on
 * the payment adapter above. Reading the Alipay keys here stops the worker at start when one is unusable.
 */
function paymentPort(config: AppConfig, payment: PaymentClient): PaymentPort {
  if (config.PAYMENT_PROVIDER_ONLINE !== 'alipay') return payment;
  return paymentByMethod(new AlipayPaymentClient(alipayOptionsFromConfig(config)), payment);
}

/** Refunds of online payments through `online`, everything else through `other`. */
export function paymentByMethod(online: Pick<PaymentPort, 'createRefund'>, other: PaymentPort): PaymentPort {
  return {
    createRefund: (input, key) => (input.paymentMethod === 'online' ? online : other).createRefund(input, key),
    issueCoupon: (input, key) => other.issueCoupon(input, key),
    createCollection: (input, key) => other.createCollection(input, key),
  };
}

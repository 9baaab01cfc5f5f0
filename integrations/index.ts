import type { AppConfig } from '../config/env';
import { CourierClient } from './courier.client';
import { InventoryClient } from './inventory.client';
import { NotificationClient } from './notification.client';
import { PaymentClient } from './payment.client';

/** The four provider adapters the worker hands to the activities. */
export interface ProviderClients {
  courier: CourierClient;
  payment: PaymentClient;
  inventory: InventoryClient;
  notification: NotificationClient;
}

/** Builds every provider adapter from the parsed configuration (sandbox locally, real providers in production). */
export function createProviderClients(config: AppConfig): ProviderClients {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  return {
    courier: new CourierClient({ baseUrl: config.COURIER_BASE_URL, apiKey: config.COURIER_API_KEY, timeoutMs }),
    payment: new PaymentClient({ baseUrl: config.PAYMENT_BASE_URL, apiKey: config.PAYMENT_API_KEY, timeoutMs }),
    inventory: new InventoryClient({ baseUrl: config.INVENTORY_BASE_URL, apiKey: config.INVENTORY_API_KEY, timeoutMs }),
    notification: new NotificationClient({ baseUrl: config.NOTIFICATION_BASE_URL, apiKey: config.NOTIFICATION_API_KEY, timeoutMs }),
  };
}

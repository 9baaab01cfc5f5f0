import { courierSection } from './courier';
import { inventorySection } from './inventory';
import { notificationSection } from './notification';
import { ordersSection } from './orders';
import { paymentSection } from './payment';
import { sandboxSection } from './sandbox';

/**
 * Every provider section of the configuration, by its key in AppConfig. Each is parsed from the
 * same environment, validates its own variables once (a discriminated union on its provider
 * choice, defaults written here), and is handed whole to its factory in integrations/.
 * A new provider kind adds a section here; a new provider of a kind adds a branch to its section.
 */
export const PROVIDER_SECTIONS = {
  courier: courierSection,
  payment: paymentSection,
  notification: notificationSection,
  inventory: inventorySection,
  orders: ordersSection,
  sandbox: sandboxSection,
} as const;

export type { HttpServiceConfig } from './common';
export type { CourierConfig, CourierTrackingConfig, Kuaidi100Config } from './courier';
export type { InventoryConfig } from './inventory';
export type { AliyunSmsConfig, NotificationConfig, SmsConfig } from './notification';
export type { OrderSourceAuth, OrderSourceConfig } from './orders';
export type { AlipayConfig, OnlinePaymentConfig, OnlineProvider, PaymentConfig, WechatpayConfig } from './payment';
export { onlinePaymentProviders, onlineSectionOf } from './payment';
export type { SandboxConfig } from './sandbox';

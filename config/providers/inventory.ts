import { z } from 'zod';
import { httpServiceOf, httpServiceVars, providerTimeoutMs, type HttpServiceConfig } from './common';

/** The inventory section: stock checks and reservations through the inventory service (HTTP); one provider for now. */
export const inventorySection = z
  .object({ ...httpServiceVars('INVENTORY', 'inventory'), ...providerTimeoutMs })
  .transform((vars): InventoryConfig => ({ service: httpServiceOf('INVENTORY', vars) }));

/** The inventory section of the configuration. */
export interface InventoryConfig {
  service: HttpServiceConfig;
}

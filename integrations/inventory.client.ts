import { z } from 'zod';
import type { CatalogItem, InventoryPort } from '../activities/provider-ports';
import { JsonHttpClient, ProviderError, type ProviderClientOptions } from './http-client';

const stockResponse = z.object({ sku: z.string(), available: z.boolean() });
const catalogResponse = z.object({ sku: z.string(), unitPrice: z.number().int().nonnegative(), category: z.string().min(1) });

/** The error code of a 404 that means "the shop does not sell this sku" (any other 404, e.g. a wrong base URL, stays an error). */
export const UNKNOWN_SKU_CODE = 'unknown_sku';

/** Inventory adapter: can the warehouse ship this quantity of a SKU now, and what is the SKU (price, category)? */
export class InventoryClient implements InventoryPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('inventory', options);
  }

  /** Checks stock for a replacement item. */
  async checkStock(sku: string, quantity: number): Promise<{ available: boolean }> {
    const stock = await this.http.request({
      method: 'GET',
      path: `/stock/${encodeURIComponent(sku)}`,
      query: { quantity },
      response: stockResponse,
    });
    return { available: stock.available };
  }

  /** The catalog entry of a SKU, or null when the provider answers 404 `unknown_sku`. */
  async catalogItem(sku: string): Promise<CatalogItem | null> {
    try {
      const item = await this.http.request({ method: 'GET', path: `/catalog/${encodeURIComponent(sku)}`, response: catalogResponse });
      return { sku: item.sku, unitPrice: item.unitPrice, category: item.category };
    } catch (error) {
      // Only the provider's "no such sku" is an answer; a 404 without that code is a misconfigured URL, not an empty catalog.
      if (error instanceof ProviderError && error.status === 404 && error.code === UNKNOWN_SKU_CODE) return null;
      throw error;
    }
  }
}

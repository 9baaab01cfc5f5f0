import { z } from 'zod';
import type { InventoryPort } from '../activities/provider-ports';
import { JsonHttpClient, type ProviderClientOptions } from './http-client';

const stockResponse = z.object({ sku: z.string(), available: z.boolean() });

/** Inventory adapter: can the warehouse ship this quantity of a SKU now? */
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
}

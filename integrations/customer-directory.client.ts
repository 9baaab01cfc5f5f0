import { z } from 'zod';
import { JsonHttpClient, ProviderError, type ProviderClientOptions } from './http-client';

/** The shop's customer directory: where a customer's contact details live (cases hold only the customer id). */
export interface CustomerDirectoryPort {
  /** The customer's mobile number, or null when the directory has none for them. */
  phoneOf(customerId: string): Promise<string | null>;
}

// The number is read and handed on, never echoed: a shape mismatch names fields only (http-client.ts).
const contactResponse = z.object({ phone: z.string().min(1).nullable().optional() });

/** The error code of a 404 that means "no such customer" (any other 404, e.g. a wrong base URL, stays an error). */
export const UNKNOWN_CUSTOMER_CODE = 'unknown_customer';

/** Customer directory adapter: `GET /customers/{id}/contact` → `{phone}` with the bearer key of our other JSON adapters. */
export class CustomerDirectoryClient implements CustomerDirectoryPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('customer_directory', options);
  }

  /** The customer's phone; null when the directory has no number or does not know the customer. */
  async phoneOf(customerId: string): Promise<string | null> {
    try {
      const contact = await this.http.request({ method: 'GET', path: `/customers/${encodeURIComponent(customerId)}/contact`, response: contactResponse });
      return contact.phone ?? null;
    } catch (error) {
      if (error instanceof ProviderError && error.status === 404 && error.code === UNKNOWN_CUSTOMER_CODE) return null;
      throw error;
    }
  }
}

import { z } from 'zod';
import type { CollectionPurpose, PaymentPort } from '../activities/provider-ports';
import { JsonHttpClient, type ProviderClientOptions } from './http-client';

const refundResponse = z.object({ refundId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']) });
const couponResponse = z.object({ couponId: z.string() });
const collectionResponse = z.object({ collectionId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']) });

/**
 * Payment adapter: refunds and collections (both settled later by a signed callback) and compensation
 * coupons (wire format in docs/sandbox.md).
 */
export class PaymentClient implements PaymentPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('payment', options);
  }

  /** Requests a refund; the provider keys it by the idempotency key, so a retry never refunds twice. */
  async createRefund(
    input: { caseId: string; orderId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; reason: string },
    idempotencyKey: string,
  ) {
    return this.http.request({ method: 'POST', path: '/refunds', body: input, idempotencyKey, response: refundResponse });
  }

  /** Issues a compensation coupon to the customer. */
  async issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string }, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/coupons', body: input, idempotencyKey, response: couponResponse });
  }

  /**
   * Asks the customer to pay (a payment link); keyed by the idempotency key like a refund, so a retry
   * never asks twice. The answer is usually `pending`: the payment callback says whether the customer paid.
   */
  async createCollection(
    input: { caseId: string; customerId: string; amount: number; currency: string; purpose: CollectionPurpose },
    idempotencyKey: string,
  ) {
    return this.http.request({ method: 'POST', path: '/collections', body: input, idempotencyKey, response: collectionResponse });
  }
}

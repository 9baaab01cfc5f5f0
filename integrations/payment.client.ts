import { z } from 'zod';
import type { PaymentPort } from '../activities/provider-ports';
import { JsonHttpClient, type ProviderClientOptions } from './http-client';

const refundResponse = z.object({ refundId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']) });
const couponResponse = z.object({ couponId: z.string() });

/** Payment adapter: refunds (settled later by a signed callback) and compensation coupons (wire format in docs/sandbox.md). */
export class PaymentClient implements PaymentPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('payment', options);
  }

  /** Requests a refund; the provider keys it by the idempotency key, so a retry never refunds twice. */
  async createRefund(
    input: { caseId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; reason: string },
    idempotencyKey: string,
  ) {
    return this.http.request({ method: 'POST', path: '/refunds', body: input, idempotencyKey, response: refundResponse });
  }

  /** Issues a compensation coupon to the customer. */
  async issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string }, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/coupons', body: input, idempotencyKey, response: couponResponse });
  }
}

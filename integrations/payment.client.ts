import { z } from 'zod';
import type { CollectionLookUpAnswer, CollectionPurpose, PaymentPort, RefundLookUp, RefundLookUpAnswer, TradeLookUp, TradeRecord } from '../activities/provider-ports';
import { JsonHttpClient, ProviderError, type ProviderClientOptions } from './http-client';

const refundResponse = z.object({ refundId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']) });
const couponResponse = z.object({ couponId: z.string() });
const collectionResponse = z.object({ collectionId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']) });
const minorUnits = z.number().int().nonnegative();
const tradeResponse = z.object({ currency: z.string(), paid: minorUnits, refunded: minorUnits });
const collectionRecordResponse = z.object({ collectionId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']), amount: minorUnits });
const refundRecordResponse = z.object({ refundId: z.string(), status: z.enum(['pending', 'succeeded', 'failed']), amount: minorUnits, settledAt: z.string().nullable().optional() });

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

  /** The refund's own record (`GET /refunds/{refundId}`): status and amount; `not_found` on 404 `refund_not_found`. */
  async lookUpRefund(input: RefundLookUp): Promise<RefundLookUpAnswer> {
    try {
      const found = await this.http.request({ method: 'GET', path: `/refunds/${encodeURIComponent(input.refundId)}`, response: refundRecordResponse });
      const at = found.status === 'succeeded' && found.settledAt ? { at: found.settledAt } : {};
      return { status: found.status, amount: found.amount, ...at };
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404 && err.code === 'refund_not_found') return { status: 'not_found' };
      throw err;
    }
  }

  /** The collection's own record (`GET /collections/{collectionId}`): status and amount; `not_found` on 404 `collection_not_found`. */
  async lookUpCollection(input: { collectionId: string }): Promise<CollectionLookUpAnswer> {
    try {
      const found = await this.http.request({ method: 'GET', path: `/collections/${encodeURIComponent(input.collectionId)}`, response: collectionRecordResponse });
      return { status: found.status, amount: found.amount };
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404 && err.code === 'collection_not_found') return { status: 'not_found' };
      throw err;
    }
  }

  /** The trade's record (`GET /trades/{orderId}`): paid and already refunded; null on 404 `trade_not_found`. */
  async lookUpTrade(input: TradeLookUp): Promise<TradeRecord | null> {
    try {
      const { currency, paid, refunded } = await this.http.request({ method: 'GET', path: `/trades/${encodeURIComponent(input.orderId)}`, response: tradeResponse });
      return { currency, paid, refunded };
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404 && err.code === 'trade_not_found') return null;
      throw err;
    }
  }
}

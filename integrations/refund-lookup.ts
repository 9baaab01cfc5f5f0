import type { RefundLookUp, RefundLookUpAnswer } from '../activities/provider-ports';
import type { AlipayPaymentClient } from './alipay-payment.client';
import { instantOfBeijingTime } from './alipay-notify';
import type { WechatPayPaymentClient } from './wechatpay-payment.client';

/** A payment port's `lookUpRefund`. */
export type RefundLookUpFn = (input: RefundLookUp) => Promise<RefundLookUpAnswer>;

/**
 * `lookUpRefund` over Alipay's `alipay.trade.fastpay.refund.query`: the request number is the
 * refund's idempotency key (which is also the refund id Alipay's adapter gives the case). Alipay
 * reports only paid refunds or none, and writes the time in Beijing time.
 */
export function alipayRefundLookUp(alipay: Pick<AlipayPaymentClient, 'queryRefund'>): RefundLookUpFn {
  return async (input) => {
    const found = await alipay.queryRefund({ orderId: input.orderId, idempotencyKey: input.idempotencyKey ?? input.refundId });
    if (found.status === 'not_found') return { status: 'not_found' };
    const at = found.refundedAt === undefined ? null : instantOfBeijingTime(found.refundedAt);
    return { status: 'succeeded', amount: found.amount, ...(at === null ? {} : { at }) };
  };
}

/**
 * `lookUpRefund` over WeChat Pay's `GET /v3/refund/domestic/refunds/{out_refund_no}`: the case keeps
 * the out_refund_no as its refund id. `success_time` (RFC 3339) becomes an ISO instant.
 */
export function wechatpayRefundLookUp(wechatpay: Pick<WechatPayPaymentClient, 'queryRefund'>): RefundLookUpFn {
  return async (input) => {
    const found = await wechatpay.queryRefund(input.refundId);
    if (found.status === 'not_found') return { status: 'not_found' };
    const at = found.status === 'succeeded' && found.refundedAt !== undefined ? isoInstant(found.refundedAt) : null;
    return { status: found.status, amount: found.amount, ...(at === null ? {} : { at }) };
  };
}

/** An RFC 3339 time with its offset as an ISO instant, or null when it is not one. */
function isoInstant(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

// Alipay's asynchronous notification (异步通知) as far as it settles a refund of ours. No I/O: the
// signature is checked by the SDK (AlipayPaymentClient.verifyNotification) before this reads a field.
import { instantOfBeijingLocal } from '../domain/beijing-time';

/** The answer Alipay expects to stop sending a notification (anything else is sent again, up to 8 times over 25 hours). */
export const ALIPAY_NOTIFY_ACK = 'success';

/** A refund Alipay says it paid: which request number, on which order, when. */
export interface AlipayRefundNotice {
  /** Alipay's id of this notification: the event id the case deduplicates by. */
  notifyId: string;
  /** Our refund id (the refund's `out_request_no`, sent back as `out_biz_no`). */
  refundId: string;
  outTradeNo: string;
  /** When the money went back, as an ISO instant. */
  refundedAt: string;
}

/** What is wrong with a notification that claims a refund, by field name. */
export type AlipayNoticeProblem = { field: string; message: string };

/**
 * Reads a verified notification. A notification of a refund carries `out_biz_no` (the refund's
 * request number) and `gmt_refund`; one without `out_biz_no` is about the payment itself (paid,
 * closed) and settles nothing of ours: `null`. `refund_fee` is the trade's refunded total, not this
 * refund's amount, so it is not compared with anything.
 */
export function refundNoticeOf(fields: Record<string, string>): AlipayRefundNotice | null | AlipayNoticeProblem {
  const refundId = fields.out_biz_no ?? '';
  if (refundId === '') return null;
  if (!fields.notify_id) return { field: 'notify_id', message: 'required' };
  if (!fields.out_trade_no) return { field: 'out_trade_no', message: 'required' };
  const refundedAt = instantOfBeijingTime(fields.gmt_refund ?? '');
  if (refundedAt === null) return { field: 'gmt_refund', message: 'required as yyyy-MM-dd HH:mm:ss[.SSS] (Beijing time)' };
  return { notifyId: fields.notify_id, refundId, outTradeNo: fields.out_trade_no, refundedAt };
}

const BEIJING_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,3})?$/;

/** "yyyy-MM-dd HH:mm:ss[.SSS]" in Beijing time (UTC+8, as Alipay writes times) as an ISO instant; null when it is not one. */
export function instantOfBeijingTime(text: string): string | null {
  const match = BEIJING_TIME.exec(text);
  if (!match) return null;
  const at = instantOfBeijingLocal(`${match[1]}T${match[2]}${match[3] ?? ''}`);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

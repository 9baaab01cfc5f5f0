/**
 * The statutory refund limit of a return (消费者权益保护法 art. 25; 网络购买商品七日无理由退货暂行办法
 * art. 18): the shop refunds within 7 calendar days of receiving the returned goods. Counted in
 * Beijing calendar days from the moment of receipt (domain/beijing-time.ts): day 1 is the day
 * after, the limit is 24:00 of day 7. Law, not policy: no policy budget changes it.
 * docs/business-rules.md#the-statutory-refund-limit.
 */
import { daysPeriodEnd } from './beijing-time';

/** Calendar days the law gives the shop to refund a returned item, from receipt of the goods. */
export const STATUTORY_REFUND_DAYS = 7;

/** The budget the statutory clock shows, as clocks write budgets ('7d': seven calendar days). */
export const STATUTORY_REFUND_BUDGET = `${STATUTORY_REFUND_DAYS}d`;

/** The instant (epoch ms) the statutory refund limit ends: 24:00 Beijing time of the 7th calendar day after receipt. */
export function statutoryRefundLimit(receivedAtMs: number): number {
  return daysPeriodEnd(receivedAtMs, STATUTORY_REFUND_DAYS);
}

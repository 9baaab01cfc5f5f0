import type { CollectionLookUpAnswer, PaymentPort, RefundLookUp, RefundLookUpAnswer, TradeLookUp } from './provider-ports';

/** What the payment's own record says of a refund about to be sent. */
export interface PaymentRecordCheck {
  /** False when the provider offers no trade query for this payment: nothing was checked. */
  offered: boolean;
  /** False when the provider has no paid trade for the order. */
  found: boolean;
  /** The trade's paid and already refunded amounts (minor units), when found. */
  paid: number | null;
  refunded: number | null;
  /** True when the refund may be sent: nothing to check, or paid less refunded covers it (same currency). */
  covers: boolean;
}

/**
 * Checks a refund against the payment's own record where the provider offers it: the trade's paid
 * amount less what was already refunded on it must cover the refund. A trade the provider does not
 * have covers nothing. A provider that cannot answer throws (the activity is retried).
 */
export async function checkPaymentRecord(payment: Pick<PaymentPort, 'lookUpTrade'>, input: TradeLookUp & { amount: number; currency: string }): Promise<PaymentRecordCheck> {
  const unchecked: PaymentRecordCheck = { offered: false, found: false, paid: null, refunded: null, covers: true };
  if (!payment.lookUpTrade) return unchecked;
  const { amount, currency, ...lookUp } = input;
  let trade;
  try {
    trade = await payment.lookUpTrade(lookUp);
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'not_supported') return unchecked;
    throw err;
  }
  if (trade === null) return { offered: true, found: false, paid: null, refunded: null, covers: false };
  return { offered: true, found: true, paid: trade.paid, refunded: trade.refunded, covers: trade.currency === currency && trade.paid - trade.refunded >= amount };
}

/** The provider's record of a refund as the case reads it: `unsupported` where the provider offers no look-up for this payment. */
export type RefundRecordAnswer = RefundLookUpAnswer | { status: 'unsupported' };

/**
 * The provider's own record of a refund, asked before a reported settlement moves money (or the
 * ledger). A provider without a look-up for this payment answers `unsupported`; one that cannot
 * answer throws (the activity is retried).
 */
export async function lookUpRefundRecord(payment: Pick<PaymentPort, 'lookUpRefund'>, input: RefundLookUp): Promise<RefundRecordAnswer> {
  if (!payment.lookUpRefund) return { status: 'unsupported' };
  try {
    return await payment.lookUpRefund(input);
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'not_supported') return { status: 'unsupported' };
    throw err;
  }
}

/** The provider's own record of a collection, asked before a reported payment counts (`unsupported` where it has no look-up). */
export async function lookUpCollectionRecord(payment: Pick<PaymentPort, 'lookUpCollection'>, input: { collectionId: string }): Promise<CollectionLookUpAnswer | { status: 'unsupported' }> {
  if (!payment.lookUpCollection) return { status: 'unsupported' };
  return payment.lookUpCollection(input);
}

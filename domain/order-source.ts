/**
 * The order source: the shop's order system as this service reads it (docs/order-source.md).
 * The port and its types, and the arithmetic on an order that belongs to the business (how an
 * order's discount lands on its lines, what one unit of a line paid back is worth).
 *
 * Pure types and functions: the adapters in integrations/ speak the HTTP contract
 * (docs/order-source.openapi.json), the sandbox serves it, and the API (next: the case opening)
 * reads through the port. Money is in integer minor units (fen for CNY); times are ISO-8601 UTC.
 */

/**
 * The version of the order-source contract this code speaks, `<major>.<minor>`. The major is in the
 * path (`/v1/…`); a minor adds optional fields only, so an answer of any `1.x` is read, and the
 * fields a newer minor adds are ignored until the code learns them.
 */
export const ORDER_SOURCE_CONTRACT_VERSION = '1.0';

/** The major version of the contract (the `/v1` of its paths). */
export const ORDER_SOURCE_CONTRACT_MAJOR = 1;

/** Where an order is in its life at the shop (closed set within a major version of the contract). */
export const ORDER_STATUSES = ['awaiting_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled'] as const;
/** One of ORDER_STATUSES. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** How the order was paid: online (a payment provider took the money) or cash on delivery. */
export const ORDER_PAYMENT_METHODS = ['online', 'cod'] as const;
/** One of ORDER_PAYMENT_METHODS. */
export type OrderPaymentMethod = (typeof ORDER_PAYMENT_METHODS)[number];

/** Which provider took an online payment (`other`: a card, UnionPay… refunded by the shop's payment service). */
export const ORDER_PAYMENT_CHANNELS = ['alipay', 'wechatpay', 'other'] as const;
/** One of ORDER_PAYMENT_CHANNELS. */
export type OrderPaymentChannel = (typeof ORDER_PAYMENT_CHANNELS)[number];

/** The order's payment as the shop recorded it. */
export interface OrderPayment {
  method: OrderPaymentMethod;
  /** Online payments only; null for cash on delivery. */
  channel: OrderPaymentChannel | null;
  /** The provider's trade number (Alipay `trade_no`, WeChat Pay `transaction_id`); null for cash on delivery. */
  providerTradeNo: string | null;
  /** When the money was taken (for cash on delivery: when the courier collected it); null while unpaid. */
  paidAt: string | null;
  /** What the customer paid for the whole order (lines after discounts, plus shipping), minor units. */
  amount: number;
}

/** One parcel the shop sent for the order. */
export interface OrderShipment {
  /** Courier code as the courier port uses it (`SF`, `YTO`, `ZTO`, `JD`, `EMS`…). */
  carrier: string;
  /** The label the shop issued: the only tracking number that stands for this order's goods. */
  trackingNumber: string;
  shippedAt: string;
  /** The courier's 签收 (signed-for) time; null while the parcel is on its way. */
  deliveredAt: string | null;
  /** The order's lines (some or all of their units) in this parcel. */
  lineIds: string[];
}

/** Money the shop paid back on a line outside after-sales (a price protection, a goodwill refund at the shop): it counts against the line. */
export interface OrderRefund {
  refundId: string;
  lineId: string;
  /** Minor units. */
  amount: number;
  /** Units of the line this refund took back (0 for money only). */
  units: number;
  refundedAt: string;
}

/** One line of an order: one sku at one price; an order may hold several lines of one sku (at different prices). */
export interface SourceOrderLine {
  /** Stable within the order; what claims and the order-line ledger are keyed by. */
  lineId: string;
  sku: string;
  title: string;
  /** Null when the shop has no picture of it. */
  imageUrl: string | null;
  /** Product category (no-reason exclusions, warranty). */
  category: string;
  unitsBought: number;
  /** Price of one unit before the order's discounts, minor units. */
  unitListPrice: number;
  /** What the customer actually paid for the line (实付): list price × units less its share of the order's discounts. */
  amountPaid: number;
}

/** An order as the order source gives it. */
export interface SourceOrder {
  orderId: string;
  /** The buyer: the only customer who may open cases on it. */
  customerId: string;
  status: OrderStatus;
  /** When the order was placed (a customer's orders are listed newest first by it). */
  placedAt: string;
  /** ISO 4217, e.g. CNY; every amount of the order is in it. */
  currency: string;
  payment: OrderPayment;
  /** Oldest first; empty until shipped. */
  shipments: OrderShipment[];
  /** Whether the order carries return-freight insurance (运费险): the insurer, not the customer, pays a return's shipping. */
  freightInsurance: boolean;
  /** Refunds the shop made outside after-sales, oldest first. */
  refunds: OrderRefund[];
  lines: SourceOrderLine[];
}

/** One order read from the source, with the contract version it answered in. */
export interface OrderRead {
  /** `<major>.<minor>` of the answer (ORDER_SOURCE_CONTRACT_VERSION or a later minor). */
  version: string;
  order: SourceOrder;
}

/** One page of a customer's orders, newest first. */
export interface OrderPage {
  version: string;
  orders: SourceOrder[];
  /** Pass it back for the next page; null on the last page. Opaque. */
  nextCursor: string | null;
}

/** Which page of a customer's orders to read. */
export interface OrderPageRequest {
  /** The `nextCursor` of the previous page; absent for the first. */
  cursor?: string;
  /** Orders per page, 1 to ORDER_PAGE_MAX_LIMIT (default ORDER_PAGE_DEFAULT_LIMIT). */
  limit?: number;
}

/** Orders per page when the caller does not say. */
export const ORDER_PAGE_DEFAULT_LIMIT = 20;
/** The most orders one page may hold. */
export const ORDER_PAGE_MAX_LIMIT = 100;

/**
 * The port: the shop's order system, read-only. Implemented by the HTTP adapter
 * (integrations/order-source.client.ts), against the sandbox locally and the shop in production.
 * An unreachable source throws (a retryable ProviderError); it is never answered from claimed facts.
 */
export interface OrderSource {
  /** The contract version the adapter speaks. */
  readonly version: string;
  /** The order, or null when the source has none with this id. */
  order(orderId: string): Promise<OrderRead | null>;
  /** A customer's orders, newest first (an unknown customer has none). */
  customerOrders(customerId: string, page?: OrderPageRequest): Promise<OrderPage>;
}

/**
 * Allocates an order-level discount over lines in proportion to their list amounts (units × unit
 * list price), in whole minor units, so that the shares add up to exactly `discount`: each line
 * takes the floor of its exact share, and the minor units left go one each to the lines with the
 * largest remainders (ties: the earlier line). No line takes more than its list amount. Returns the
 * discount share of each line, in the lines' order.
 */
export function allocateDiscount(listAmounts: readonly number[], discount: number): number[] {
  for (const amount of listAmounts) assertMinorUnits(amount, 'list amount');
  assertMinorUnits(discount, 'discount');
  const total = listAmounts.reduce((a, b) => a + b, 0);
  if (discount > total) throw new RangeError(`a discount of ${discount} is more than the lines' ${total}`);
  if (discount === 0 || total === 0) return listAmounts.map(() => 0);
  // Exact arithmetic in integers: share_i = discount × amount_i / total, as quotient and remainder.
  const shares = listAmounts.map((amount, index) => {
    const product = BigInt(discount) * BigInt(amount);
    return { index, share: Number(product / BigInt(total)), remainder: product % BigInt(total) };
  });
  let left = discount - shares.reduce((a, s) => a + s.share, 0);
  const byRemainder = [...shares].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const entry of byRemainder) {
    if (left === 0) break;
    entry.share++;
    left--;
  }
  return shares.map((s) => s.share);
}

/** The amount paid (实付) of each line after allocating `discount` over them: list amount less its share. */
export function amountsPaidAfterDiscount(lines: readonly { unitsBought: number; unitListPrice: number }[], discount: number): number[] {
  const listAmounts = lines.map((line) => line.unitsBought * line.unitListPrice);
  const shares = allocateDiscount(listAmounts, discount);
  return listAmounts.map((amount, i) => amount - shares[i]);
}

/**
 * What each unit of a line is worth when it comes back: the line's amount paid spread evenly,
 * in whole minor units, the last unit taking the remainder. So returning every unit, in any
 * number of claims, pays back exactly the amount paid.
 */
export function perUnitAmounts(amountPaid: number, unitsBought: number): number[] {
  assertMinorUnits(amountPaid, 'amount paid');
  if (!Number.isInteger(unitsBought) || unitsBought < 1) throw new RangeError(`units bought must be a whole number of at least 1, not ${unitsBought}`);
  const each = Math.floor(amountPaid / unitsBought);
  return Array.from({ length: unitsBought }, (_, i) => (i === unitsBought - 1 ? amountPaid - each * (unitsBought - 1) : each));
}

/**
 * What `units` more units of a line pay back after `unitsAlreadyBack` of them came back: the
 * per-unit amounts of the next units in order (the last unit of the line takes the remainder).
 */
export function refundableForUnits(line: Pick<SourceOrderLine, 'amountPaid' | 'unitsBought'>, unitsAlreadyBack: number, units: number): number {
  if (!Number.isInteger(unitsAlreadyBack) || unitsAlreadyBack < 0) throw new RangeError(`units already back must be a whole number, not ${unitsAlreadyBack}`);
  if (!Number.isInteger(units) || units < 0) throw new RangeError(`units must be a whole number, not ${units}`);
  if (unitsAlreadyBack + units > line.unitsBought) {
    throw new RangeError(`${unitsAlreadyBack} units back and ${units} more exceed the ${line.unitsBought} bought`);
  }
  return perUnitAmounts(line.amountPaid, line.unitsBought)
    .slice(unitsAlreadyBack, unitsAlreadyBack + units)
    .reduce((a, b) => a + b, 0);
}

/** The latest delivery (签收) time of the order's parcels, or null when none has been signed for. */
export function deliveredAtOf(order: Pick<SourceOrder, 'shipments'>): string | null {
  const times = order.shipments.map((s) => s.deliveredAt).filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/**
 * A line as after-sales may still pay it back: units bought and 实付 less what the shop refunded on
 * it outside after-sales (at least one unit stays, so a line refunded in full still names its
 * goods), and nothing paid while the order is unpaid. What a case's item (`orderedQuantity`,
 * `linePaid`) and so its ledger line count from; ledger:verify compares the ledger with it.
 */
export function afterSalesLine(order: Pick<SourceOrder, 'refunds' | 'payment'>, line: Pick<SourceOrderLine, 'lineId' | 'unitsBought' | 'amountPaid'>): { unitsBought: number; amountPaid: number } {
  const refunds = order.refunds.filter((r) => r.lineId === line.lineId);
  const units = refunds.reduce((sum, r) => sum + r.units, 0);
  const amount = refunds.reduce((sum, r) => sum + r.amount, 0);
  const unitsBought = Math.max(1, line.unitsBought - units);
  return { unitsBought, amountPaid: order.payment.paidAt === null ? 0 : Math.max(0, line.amountPaid - amount) };
}

/** The lines of an order that carry `sku` (an order may hold several, at different prices). */
export function linesOfSku(order: Pick<SourceOrder, 'lines'>, sku: string): SourceOrderLine[] {
  return order.lines.filter((line) => line.sku === sku);
}

/**
 * What is wrong with an order as data (empty when nothing): line ids unique, amounts in minor
 * units, no line paid more than its list amount, the lines not paid more than the order, refunds
 * on known lines and within what their line paid, shipments of known lines. The sandbox refuses
 * such an order, and the contract test holds both sides to it.
 */
export function orderProblems(order: SourceOrder): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  if (order.lines.length === 0) problems.push('lines: an order has at least one line');
  order.lines.forEach((line, i) => {
    if (ids.has(line.lineId)) problems.push(`lines.${i}.lineId: ${line.lineId} appears twice`);
    ids.add(line.lineId);
    if (!isMinorUnits(line.unitListPrice) || !isMinorUnits(line.amountPaid)) problems.push(`lines.${i}: amounts must be whole minor units`);
    if (!Number.isInteger(line.unitsBought) || line.unitsBought < 1) problems.push(`lines.${i}.unitsBought: at least 1`);
    if (line.amountPaid > line.unitsBought * line.unitListPrice) problems.push(`lines.${i}.amountPaid: more than units × list price`);
  });
  const linesPaid = order.lines.reduce((a, l) => a + l.amountPaid, 0);
  if (order.payment.paidAt !== null && linesPaid > order.payment.amount) problems.push('payment.amount: less than the lines paid');
  if (order.payment.method === 'cod' && order.payment.channel !== null) problems.push('payment.channel: cash on delivery has no channel');
  const refundedByLine = new Map<string, number>();
  order.refunds.forEach((refund, i) => {
    if (!ids.has(refund.lineId)) problems.push(`refunds.${i}.lineId: no line ${refund.lineId}`);
    refundedByLine.set(refund.lineId, (refundedByLine.get(refund.lineId) ?? 0) + refund.amount);
  });
  for (const line of order.lines) {
    if ((refundedByLine.get(line.lineId) ?? 0) > line.amountPaid) problems.push(`refunds: line ${line.lineId} refunded more than it paid`);
  }
  order.shipments.forEach((shipment, i) => {
    for (const lineId of shipment.lineIds) if (!ids.has(lineId)) problems.push(`shipments.${i}.lineIds: no line ${lineId}`);
  });
  return problems;
}

function isMinorUnits(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function assertMinorUnits(value: number, what: string): void {
  if (!isMinorUnits(value)) throw new RangeError(`${what} must be whole minor units (a non-negative integer), not ${value}`);
}

import { randomBytes } from 'node:crypto';
import { amountsPaidAfterDiscount, orderProblems, type OrderStatus, type SourceOrder } from '../domain/order-source';
import { ORDER_NOT_FOUND_CODE } from '../integrations/order-source.protocol';
import { SandboxHttpError } from './sandbox-http';
import type { OrderCreateRequest } from './sandbox.schemas';

const DAY_MS = 86_400_000;

/** Titles of the catalog's skus (an order of another sku is titled by its sku unless the request names it). */
const TITLES: Record<string, string> = {
  'SKU-1': 'Cotton T-shirt',
  'SKU-LAMP-1': 'Desk lamp',
  'SKU-LAMP-2': 'Desk lamp, walnut',
  'SKU-LAMP-DELUXE': 'Desk lamp deluxe',
  'OOS-LAMP-1': 'Floor lamp',
  'SKU-MUG-1': 'Ceramic mug',
};

/** The category of a line whose request names none and whose sku is not in the catalog. */
const DEFAULT_CATEGORY = 'general';

/**
 * The sandbox's order service: the shop's orders in memory, served over the order-source contract
 * (sandbox/order-source.routes.ts), created by `POST /orders` and seeded for the dev customers.
 */
export class OrderBook {
  private readonly orders = new Map<string, SourceOrder>();

  constructor(
    /** The catalog's category of a sku (a line's default category). */
    private readonly categoryOf: (sku: string) => string | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.seed();
  }

  /** Back to the seeded orders, their times relative to now. */
  reset(): void {
    this.orders.clear();
    this.seed();
  }

  /** The order with this id, if any. */
  get(orderId: string): SourceOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Every order, newest first (the control route's list). */
  all(): SourceOrder[] {
    return [...this.orders.values()].sort(newestFirst);
  }

  /**
   * A page of a customer's orders, newest first (placedAt, then order id). The cursor is the
   * position after the page's last order, so orders created meanwhile do not shift the pages.
   */
  ofCustomer(customerId: string, cursor: string | undefined, limit: number): { orders: SourceOrder[]; nextCursor: string | null } {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const theirs = [...this.orders.values()].filter((o) => o.customerId === customerId).sort(newestFirst);
    const rest = after === undefined ? theirs : theirs.filter((o) => newestFirst(o, after) > 0);
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return { orders: page, nextCursor: rest.length > limit && last ? encodeCursor(last) : null };
  }

  /** Creates an order from a control request (400 naming what is inconsistent, 409 for an id taken). */
  create(request: OrderCreateRequest): SourceOrder {
    const order = this.build(request);
    const problems = orderProblems(order);
    if (problems.length > 0) {
      const details = problems.map((problem) => ({ field: problem.split(':')[0], message: problem.slice(problem.indexOf(':') + 1).trim() }));
      throw new SandboxHttpError(400, 'validation_failed', `invalid order: ${details.map((d) => d.field).join(', ')}`, details);
    }
    if (this.orders.has(order.orderId)) throw new SandboxHttpError(409, 'order_exists', `an order ${order.orderId} exists`);
    this.orders.set(order.orderId, order);
    return order;
  }

  /**
   * The courier signs for a parcel of the order now (or at `deliveredAt`): the one with
   * `trackingNumber`, else the first still on its way. The status follows the parcels (unless the
   * order is completed or cancelled), and a cash-on-delivery order is paid at the delivery. For
   * tests of what happens when a parcel is signed for after a case opened.
   */
  signFor(orderId: string, request: { trackingNumber?: string; deliveredAt?: string }): SourceOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new SandboxHttpError(404, ORDER_NOT_FOUND_CODE, 'no order with this id');
    const index = order.shipments.findIndex((s) => (request.trackingNumber === undefined ? s.deliveredAt === null : s.trackingNumber === request.trackingNumber));
    if (index < 0 || order.shipments[index].deliveredAt !== null) {
      throw new SandboxHttpError(409, 'nothing_to_sign_for', request.trackingNumber === undefined ? 'every parcel of the order is signed for' : 'no such parcel on its way');
    }
    const deliveredAt = request.deliveredAt ?? this.now().toISOString();
    const shipments = order.shipments.map((s, i) => (i === index ? { ...s, deliveredAt } : s));
    const settled = order.status === 'completed' || order.status === 'cancelled';
    const paidAt = order.payment.paidAt ?? (order.payment.method === 'cod' ? deliveredAt : null);
    const signed: SourceOrder = { ...order, shipments, status: settled ? order.status : statusOf(paidAt, shipments), payment: { ...order.payment, paidAt } };
    this.orders.set(orderId, signed);
    return signed;
  }

  private build(request: OrderCreateRequest): SourceOrder {
    const nowIso = this.now().toISOString();
    const orderId = request.orderId ?? `o-${randomBytes(6).toString('hex')}`;
    if (request.discount > request.lines.reduce((a, l) => a + l.unitsBought * l.unitListPrice, 0)) {
      throw new SandboxHttpError(400, 'validation_failed', 'invalid order: discount', [{ field: 'discount', message: 'more than the lines cost' }]);
    }
    const paid = amountsPaidAfterDiscount(request.lines, request.discount);
    const lines = request.lines.map((line, i) => ({
      lineId: line.lineId ?? `${orderId}-L${i + 1}`,
      sku: line.sku,
      title: line.title ?? TITLES[line.sku] ?? line.sku,
      imageUrl: line.imageUrl ?? null,
      category: line.category ?? this.categoryOf(line.sku) ?? DEFAULT_CATEGORY,
      unitsBought: line.unitsBought,
      unitListPrice: line.unitListPrice,
      amountPaid: paid[i],
    }));
    const shipments = request.shipments.map((shipment, i) => ({
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber ?? trackingNumberOf(shipment.carrier, orderId, i),
      shippedAt: shipment.shippedAt,
      deliveredAt: shipment.deliveredAt ?? null,
      lineIds: shipment.lineIds ?? lines.map((l) => l.lineId),
    }));
    const { method } = request.payment;
    const lastDelivery = shipments.map((s) => s.deliveredAt).filter((t): t is string => t !== null).sort().at(-1) ?? null;
    const placedAt = request.placedAt ?? nowIso;
    // Online: paid when placed. Cash on delivery: paid when the courier handed the parcel over.
    const paidAt = request.payment.paidAt !== undefined ? request.payment.paidAt : method === 'online' ? placedAt : lastDelivery;
    const channel = request.payment.channel !== undefined ? request.payment.channel : method === 'online' ? 'alipay' : null;
    const providerTradeNo =
      request.payment.providerTradeNo !== undefined ? request.payment.providerTradeNo : method === 'online' && paidAt !== null ? tradeNoOf(orderId, paidAt) : null;
    const order: SourceOrder = {
      orderId,
      customerId: request.customerId,
      status: request.status ?? statusOf(paidAt, shipments),
      placedAt,
      currency: request.currency,
      payment: { method, channel, providerTradeNo, paidAt, amount: paid.reduce((a, b) => a + b, 0) + request.shippingFee },
      shipments,
      freightInsurance: request.freightInsurance,
      refunds: request.refunds.map((refund, i) => ({
        refundId: refund.refundId ?? `${orderId}-R${i + 1}`,
        lineId: refund.lineId,
        amount: refund.amount,
        units: refund.units,
        refundedAt: refund.refundedAt ?? nowIso,
      })),
      lines,
    };
    return order;
  }

  /** The dev customers' orders (docs/sandbox.md, "Orders"): what the README walk-through and the desk start from. */
  private seed(): void {
    const now = this.now().getTime();
    const ago = (days: number, hours = 0) => new Date(now - days * DAY_MS - hours * 3_600_000).toISOString();
    for (const request of seedOrders(ago)) this.create(request);
  }
}

/**
 * The seeded orders: for `c-1` an online order with a discount over two lines and 运费险, a
 * cash-on-delivery order, an order with two lines of one sku at different prices, and an order on
 * its way (not delivered); for `c-2` an order with a refund the shop made outside after-sales, and
 * an order paid but not shipped.
 */
export function seedOrders(ago: (days: number, hours?: number) => string): OrderCreateRequest[] {
  const base = { currency: 'CNY', shippingFee: 0, freightInsurance: false, refunds: [], discount: 0 };
  return [
    {
      ...base,
      orderId: 'o-c1-1001',
      customerId: 'c-1',
      placedAt: ago(6),
      payment: { method: 'online', channel: 'alipay' },
      discount: 1000,
      freightInsurance: true,
      lines: [
        { sku: 'SKU-LAMP-1', unitsBought: 2, unitListPrice: 8800 },
        { sku: 'SKU-1', unitsBought: 1, unitListPrice: 5900 },
      ],
      shipments: [{ carrier: 'SF', shippedAt: ago(5), deliveredAt: ago(3) }],
    },
    {
      ...base,
      orderId: 'o-c1-1002',
      customerId: 'c-1',
      placedAt: ago(8),
      payment: { method: 'cod' },
      lines: [{ sku: 'SKU-MUG-1', unitsBought: 3, unitListPrice: 8800 }],
      shipments: [{ carrier: 'YTO', shippedAt: ago(7), deliveredAt: ago(5) }],
    },
    {
      ...base,
      orderId: 'o-c1-1003',
      customerId: 'c-1',
      placedAt: ago(5),
      payment: { method: 'online', channel: 'wechatpay' },
      discount: 500,
      lines: [
        { sku: 'SKU-1', unitsBought: 2, unitListPrice: 5900 },
        { sku: 'SKU-1', title: 'Cotton T-shirt (promotion)', unitsBought: 1, unitListPrice: 4900 },
      ],
      shipments: [{ carrier: 'ZTO', shippedAt: ago(4), deliveredAt: ago(2) }],
    },
    {
      ...base,
      orderId: 'o-c1-1004',
      customerId: 'c-1',
      placedAt: ago(2),
      payment: { method: 'online', channel: 'alipay' },
      lines: [{ sku: 'SKU-LAMP-DELUXE', unitsBought: 1, unitListPrice: 12_800 }],
      shipments: [{ carrier: 'SF', shippedAt: ago(1), deliveredAt: null }],
    },
    {
      ...base,
      orderId: 'o-c2-2001',
      customerId: 'c-2',
      placedAt: ago(7),
      payment: { method: 'online', channel: 'wechatpay' },
      discount: 1200,
      lines: [
        { lineId: 'o-c2-2001-L1', sku: 'SKU-LAMP-2', unitsBought: 1, unitListPrice: 8800 },
        { lineId: 'o-c2-2001-L2', sku: 'SKU-MUG-1', unitsBought: 2, unitListPrice: 8800 },
      ],
      shipments: [{ carrier: 'JD', shippedAt: ago(6), deliveredAt: ago(4) }],
      refunds: [{ lineId: 'o-c2-2001-L2', amount: 500, units: 0, refundedAt: ago(3) }],
    },
    {
      ...base,
      orderId: 'o-c2-2002',
      customerId: 'c-2',
      placedAt: ago(1),
      payment: { method: 'online', channel: 'other' },
      lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 5900 }],
      shipments: [],
    },
  ];
}

/** The status an order has from its payment and parcels, when the request does not say. */
function statusOf(paidAt: string | null, shipments: { deliveredAt: string | null }[]): OrderStatus {
  if (shipments.length > 0) return shipments.every((s) => s.deliveredAt !== null) ? 'delivered' : 'shipped';
  return paidAt === null ? 'awaiting_payment' : 'paid';
}

/** Newest first: later placedAt first, then the greater order id (a total order, so pages never overlap). */
function newestFirst(a: Pick<SourceOrder, 'placedAt' | 'orderId'>, b: Pick<SourceOrder, 'placedAt' | 'orderId'>): number {
  const byTime = Date.parse(b.placedAt) - Date.parse(a.placedAt);
  if (byTime !== 0) return byTime;
  return a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0;
}

function encodeCursor(order: Pick<SourceOrder, 'placedAt' | 'orderId'>): string {
  return Buffer.from(JSON.stringify([order.placedAt, order.orderId])).toString('base64url');
}

function decodeCursor(cursor: string): Pick<SourceOrder, 'placedAt' | 'orderId'> {
  try {
    const [placedAt, orderId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof placedAt === 'string' && typeof orderId === 'string' && !Number.isNaN(Date.parse(placedAt))) return { placedAt, orderId };
  } catch {
    // Falls through to the refusal.
  }
  throw new SandboxHttpError(400, 'invalid_cursor', 'the cursor is not one this service gave', [{ field: 'cursor', message: 'not a cursor of this service' }]);
}

/** A tracking number of the order's `index`th parcel: the carrier's code and digits from the order id (never ending in LOST). */
function trackingNumberOf(carrier: string, orderId: string, index: number): string {
  const digits = [...`${orderId}#${index}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_000_000, 7);
  return `${carrier}${String(digits).padStart(12, '0')}`;
}

/** A provider trade number of an online payment: 28 digits starting with the day paid, like Alipay's, stable per order. */
function tradeNoOf(orderId: string, paidAt: string): string {
  const digits = [...orderId].reduce((h, c) => (h * 131 + c.charCodeAt(0)) % 1_000_000_000_000, 11);
  return `${paidAt.slice(0, 10).replaceAll('-', '')}${String(digits).padStart(20, '0')}`;
}

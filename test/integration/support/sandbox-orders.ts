import type { SourceOrder } from '../../../domain/order-source';
import { HttpClient } from './http-client';

// Orders in the sandbox's order service, as the shop's order system would hold them. A test states
// the order its case is about the way it reads best — the fixtures' "order facts" (price, units
// bought, category, payment, dates) — and `claimOn` places that order in the sandbox and turns the
// request into a claim: the order id, the lines and units, the reason and evidence. The API then
// reads every fact from the order source; nothing the claimant sends decides money.

/** An open-case request written with its order's facts (the fixtures' shape). */
export interface CaseWithOrderFacts {
  type: string;
  orderId: string;
  customerId: string;
  items: { sku: string; quantity: number; unitPrice: number; orderedQuantity?: number; category?: string }[];
  reason: { code: string; description?: string };
  evidence?: string[];
  packagingIntact?: boolean;
  order: { paidAt: string; deliveredAt?: string; paymentMethod: 'online' | 'cod'; paymentChannel?: 'alipay' | 'wechatpay' | 'other'; total: number; currency: string; category?: string };
}

/** The body of `POST /v1/cases` as the API takes it. */
export interface CaseClaim {
  type: string;
  orderId: string;
  items: { lineId?: string; sku?: string; quantity: number }[];
  reason: { code: string; description?: string };
  evidence?: string[];
  packagingIntact?: boolean;
}

/** The category of a line whose fixture names none: one no rule of the default policy singles out. */
const NEUTRAL_CATEGORY = 'general';

/** True when `body` describes its order (the fixtures' shape) rather than claiming on an existing one. */
export function hasOrderFacts(body: object): body is CaseWithOrderFacts {
  return 'order' in body && 'customerId' in body;
}

/** The sandbox `POST /orders` request of the order a fixture describes: one line per item, bought by its customer. */
export function orderRequestOf(body: CaseWithOrderFacts): Record<string, unknown> {
  const { order } = body;
  const lines = body.items.map((item, i) => ({
    lineId: `${body.orderId}-L${i + 1}`,
    sku: item.sku,
    category: item.category ?? order.category ?? NEUTRAL_CATEGORY,
    unitsBought: item.orderedQuantity ?? item.quantity,
    unitListPrice: item.unitPrice,
  }));
  const linesTotal = lines.reduce((sum, line) => sum + line.unitsBought * line.unitListPrice, 0);
  return {
    orderId: body.orderId,
    customerId: body.customerId,
    placedAt: order.paidAt,
    currency: order.currency,
    payment: { method: order.paymentMethod, channel: order.paymentMethod === 'online' ? (order.paymentChannel ?? null) : null, paidAt: order.paidAt },
    shippingFee: Math.max(0, order.total - linesTotal),
    lines,
    // Shipped when paid; signed for at `deliveredAt`, or still on its way.
    shipments: [{ carrier: 'SF', shippedAt: order.deliveredAt !== undefined && order.deliveredAt < order.paidAt ? order.deliveredAt : order.paidAt, deliveredAt: order.deliveredAt ?? null }],
  };
}

/** The claim of a fixture on its order: each item by its line. */
export function claimOf(body: CaseWithOrderFacts): CaseClaim {
  return {
    type: body.type,
    orderId: body.orderId,
    items: body.items.map((item, i) => ({ lineId: `${body.orderId}-L${i + 1}`, quantity: item.quantity })),
    reason: body.reason,
    ...(body.evidence === undefined ? {} : { evidence: body.evidence }),
    ...(body.packagingIntact === undefined ? {} : { packagingIntact: body.packagingIntact }),
  };
}

/** The sandbox's order service (control routes, no token). */
export class SandboxOrders {
  private readonly http: HttpClient;

  constructor(sandboxUrl: string) {
    this.http = new HttpClient(sandboxUrl);
  }

  /** Creates an order (`POST /orders`); fails unless the sandbox answers 201. */
  async place(request: Record<string, unknown>): Promise<SourceOrder> {
    const answer = await this.http.post<{ order: SourceOrder }>('/orders', request);
    if (answer.status !== 201) throw new Error(`the sandbox refused the order ${String(request.orderId)}: ${answer.status} ${answer.text}`);
    return answer.body.order;
  }

  /** The order with this id, or undefined. */
  async find(orderId: string, customerId?: string): Promise<SourceOrder | undefined> {
    const query = customerId === undefined ? '' : `?customerId=${encodeURIComponent(customerId)}`;
    const answer = await this.http.get<{ orders: SourceOrder[] }>(`/orders${query}`);
    if (answer.status !== 200) throw new Error(`GET /orders answered ${answer.status}: ${answer.text}`);
    return answer.body.orders.find((o) => o.orderId === orderId);
  }

  /**
   * Places the order a fixture describes (once: a later case on the same order finds it) and
   * returns the claim on it. A second fixture on the same order must describe the same lines.
   */
  async claimOn(body: CaseWithOrderFacts): Promise<CaseClaim> {
    const request = orderRequestOf(body);
    const answer = await this.http.post<{ order: SourceOrder }>('/orders', request);
    if (answer.status === 409) {
      const existing = await this.find(body.orderId, body.customerId);
      if (!existing) throw new Error(`order ${body.orderId} exists in the sandbox for another customer than ${body.customerId}`);
      for (const [i, item] of body.items.entries()) {
        const line = existing.lines.find((l) => l.lineId === `${body.orderId}-L${i + 1}`);
        if (!line || line.sku !== item.sku) throw new Error(`order ${body.orderId} in the sandbox has no line ${i + 1} of ${item.sku}: give this case its own order`);
      }
    } else if (answer.status !== 201) {
      throw new Error(`the sandbox refused the order of a ${body.type} case: ${answer.status} ${answer.text}`);
    }
    return claimOf(body);
  }
}

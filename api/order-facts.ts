import type { CaseItem, OpenCaseRequest } from '../domain/case.types';
import { afterSalesLine, deliveredAtOf, linesOfSku, type OrderRead, type SourceOrder, type SourceOrderLine } from '../domain/order-source';
import type { OpenCaseBody } from './cases.schemas';
import { ApiError, validationFailed } from './errors';

/** How this server reads an order beyond its facts. */
export interface OrderFactsRules {
  /** True when refunds go through more than one online provider: an online order must name its channel. */
  paymentChannelRequired: boolean;
}

/**
 * The request a case is opened on: the claim (which lines, how many units, reason, evidence) and
 * every fact that decides money or access read from the order — the buyer, each line's price paid
 * (实付) and units bought, its category, the payment and its dates. Claims that do not fit the
 * order are a 400 naming the item; an order that cannot be refunded as the shop recorded it, a 422.
 */
export function caseRequestFromOrder(body: OpenCaseBody, read: OrderRead, readAt: string, rules: OrderFactsRules): OpenCaseRequest {
  const { order } = read;
  const items = body.items.map((claim, index) => caseItemOf(order, claim, index));
  const problems = items.flatMap((item) => (item.problem === undefined ? [] : [item.problem]));
  if (problems.length > 0) throw validationFailed(problems);
  const channel = order.payment.channel ?? undefined;
  if (rules.paymentChannelRequired && order.payment.method === 'online' && channel === undefined) {
    throw new ApiError(422, 'payment_channel_unknown', 'the order system does not say which provider took this online payment, and this shop refunds through more than one; the order must be corrected there', [
      { field: 'orderId', message: 'the order has no payment channel' },
    ]);
  }
  const deliveredAt = deliveredAtOf(order);
  return {
    type: body.type,
    orderId: order.orderId,
    customerId: order.customerId,
    items: items.map((item) => item.item as CaseItem),
    reason: body.reason,
    evidence: body.evidence,
    ...(body.packagingIntact === undefined ? {} : { packagingIntact: body.packagingIntact }),
    order: {
      // An unpaid order (cash on delivery still with the courier) has no payment date: its lines paid nothing, so nothing goes back.
      paidAt: order.payment.paidAt ?? order.placedAt,
      ...(deliveredAt === null ? {} : { deliveredAt }),
      paymentMethod: order.payment.method,
      ...(order.payment.method === 'online' && channel !== undefined ? { paymentChannel: channel } : {}),
      total: order.payment.paidAt === null ? 0 : order.payment.amount,
      currency: order.currency,
    },
    orderRead: { version: read.version, readAt },
  };
}

/** One claimed line as a case item, or the problem with the claim. */
function caseItemOf(order: SourceOrder, claim: OpenCaseBody['items'][number], index: number): { item?: CaseItem; problem?: { field: string; message: string } } {
  let line: SourceOrderLine | undefined;
  if (claim.lineId !== undefined) {
    line = order.lines.find((l) => l.lineId === claim.lineId);
    if (!line) return { problem: { field: `items[${index}].lineId`, message: `the order has no line ${claim.lineId}` } };
    if (claim.sku !== undefined && claim.sku !== line.sku) return { problem: { field: `items[${index}].sku`, message: `line ${line.lineId} is ${line.sku}, not ${claim.sku}` } };
  } else {
    const lines = linesOfSku(order, claim.sku as string);
    if (lines.length === 0) return { problem: { field: `items[${index}].sku`, message: `the order has no line of ${claim.sku}` } };
    if (lines.length > 1) {
      return { problem: { field: `items[${index}].lineId`, message: `the order has ${lines.length} lines of ${claim.sku} (${lines.map((l) => l.lineId).join(', ')}): name one by lineId` } };
    }
    line = lines[0];
  }
  // Less what the shop refunded on the line outside after-sales; nothing paid on an unpaid order.
  const { unitsBought, amountPaid: linePaid } = afterSalesLine(order, line);
  if (claim.quantity > unitsBought) {
    return { problem: { field: `items[${index}].quantity`, message: `claims ${claim.quantity} units of line ${line.lineId}, which has ${unitsBought} (bought, less those the shop refunded)` } };
  }
  return {
    item: {
      sku: line.sku,
      quantity: claim.quantity,
      unitPrice: Math.floor(linePaid / unitsBought),
      orderedQuantity: unitsBought,
      category: line.category,
      lineId: line.lineId,
      linePaid,
      ...(linesOfSku(order, line.sku).length > 1 ? { sharesSku: true as const } : {}),
      title: line.title,
    },
  };
}

import type { Actor, CaseItem } from '../../domain/case.types';
import { providers } from '../activities';
import { SYSTEM, type CaseRecord } from '../case-record';
import { beforeOrderLedger } from '../legacy/order-ledger';
import { notifyCustomer, notifyStaffQueue } from '../notify';
import { collectionStage } from './collection.stage';
import { shipToCustomerStage } from './ship-to-customer.stage';

/** How a replacement ended: shipped, or the customer (or the timeout) chose a refund. */
export type ReplacementOutcome = 'shipped' | 'refund';

/**
 * Sends a replacement under the 24h reship clock. When an item is out of stock, the customer is
 * contacted at once (the stock-contact clock), the processing and reship clocks pause while the
 * customer decides, and the customer picks another SKU or a refund; no answer in time = refund.
 */
export async function replacementStage(record: CaseRecord, items: CaseItem[]): Promise<ReplacementOutcome> {
  let wanted = items;
  record.startClock('reship');
  for (let round = 1; ; round++) {
    const stock = await Promise.all(
      wanted.map((item) =>
        providers.checkStock.executeWithOptions({ summary: `check stock: ${item.sku} × ${item.quantity}` }, [{ sku: item.sku, quantity: item.quantity }]),
      ),
    );
    const missing = wanted.filter((_, index) => !stock[index].available);
    if (missing.length === 0) {
      await shipToCustomerStage(record, 'replacement', wanted, 'reship');
      return 'shipped';
    }

    record.pauseClock('processing');
    record.pauseClock('reship');
    record.transition('awaiting_stock_decision', SYSTEM, 'stock.unavailable', { skus: missing.map((i) => i.sku) });
    record.startClock('stock_contact');
    await notifyCustomer(record, 'exchange_out_of_stock', `out-of-stock-${round}`, {
      skus: missing.map((i) => i.sku).join(','),
      alternativeAllowed: record.policy.exchange.allowAlternativeSku,
    });
    record.stopClock('stock_contact');
    record.log(SYSTEM, 'customer.contacted', { about: 'out_of_stock' });
    record.startClock('stock_decision');

    const decision = await stockDecision(record, missing);
    record.stopClock('stock_decision');
    record.resumeClock('processing');
    record.resumeClock('reship');
    if (decision.kind === 'refund') {
      record.stopClock('reship');
      return 'refund';
    }
    if (decision.difference > 0 && (await collectionStage(record, 'price_difference', decision.difference)) === 'unpaid') return 'refund';
    if (decision.difference < 0) {
      record.outcome.priceDifference = { owedToCustomer: (record.outcome.priceDifference?.owedToCustomer ?? 0) - decision.difference };
    }
    // The substitute carries its own catalog price, so a later difference is counted from what was actually sent.
    const price = decision.unitPrice === undefined ? {} : { unitPrice: decision.unitPrice };
    wanted = wanted.map((item) => (missing.includes(item) ? { ...item, sku: decision.sku, ...price } : item));
    record.outcome.replacementItems = wanted;
  }
}

/** What the customer (or an agent) chose after a stock-out: a refund, or an alternative with the price difference to settle. */
type StockChoice = { kind: 'refund' } | { kind: 'alternative'; sku: string; difference: number; unitPrice?: number };

/**
 * Waits for the stock decision. An alternative is checked against the catalog first: one of
 * another price or category (or unknown to the catalog) is an agent's decision, so a customer's
 * pick of it is answered "needs an agent" and the case keeps waiting for a decision. A case
 * started before `order-ledger` takes any alternative as it is.
 */
async function stockDecision(record: CaseRecord, missing: CaseItem[]): Promise<StockChoice> {
  for (;;) {
    // The Update is answered once the choice is judged (a catalog look-up), so the customer sees "needs an agent" at once.
    const choice = await record.takeCommand(['stockDecision'], async ({ command }): Promise<StockChoice | { kind: 'needs_agent'; sku: string }> => {
      record.log(command.actor, `stock.decision_${command.decision}`, command.sku ? { sku: command.sku } : undefined);
      if (command.decision === 'refund') return { kind: 'refund' };
      const sku = command.sku as string;
      const judged = beforeOrderLedger(record) ? { fits: true, difference: 0 } : await judgeAlternative(record, missing, sku, command.actor);
      if (!judged.fits) return { kind: 'needs_agent', sku };
      return { kind: 'alternative', sku, difference: judged.difference, ...(judged.unitPrice === undefined ? {} : { unitPrice: judged.unitPrice }) };
    });
    if (choice.kind !== 'needs_agent') return choice;
    const { sku } = choice;
    await notifyStaffQueue(record, 'alternative_needs_agent', `alternative-${sku}`, { sku });
    record.startClock('stock_decision');
  }
}

/**
 * An alternative of the same price and category fits as it is. Another price or category (or an
 * item the catalog does not know) fits only when staff choose it; the difference is then settled:
 * collected before the parcel ships, or owed back to the customer (refunded when the case ends).
 */
async function judgeAlternative(record: CaseRecord, missing: CaseItem[], sku: string, actor: Actor): Promise<{ fits: boolean; difference: number; unitPrice?: number }> {
  const entry = await providers.lookUpCatalogItem.executeWithOptions({ summary: `catalog: ${sku}` }, [{ sku }]);
  const orderCategory = record.input.request.order.category;
  const difference = entry ? missing.reduce((sum, item) => sum + (entry.unitPrice - item.unitPrice) * item.quantity, 0) : 0;
  const sameCategory = entry !== null && missing.every((item) => (item.category ?? orderCategory) === entry.category);
  if (entry !== null && difference === 0 && sameCategory) return { fits: true, difference: 0, unitPrice: entry.unitPrice };
  const facts = { sku, known: entry !== null, ...(entry ? { unitPrice: entry.unitPrice, category: entry.category, difference } : {}) };
  if (actor.kind === 'customer' || actor.kind === 'system') {
    record.log(SYSTEM, 'stock.alternative_needs_agent', facts);
    return { fits: false, difference };
  }
  if (entry === null) {
    record.log(SYSTEM, 'stock.alternative_unknown', facts);
    return { fits: false, difference: 0 };
  }
  record.log(actor, 'stock.alternative_approved', facts);
  return { fits: true, difference, unitPrice: entry.unitPrice };
}

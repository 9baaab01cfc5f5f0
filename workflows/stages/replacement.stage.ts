import type { CaseItem } from '../../domain/case.types';
import { providers } from '../activities';
import { SYSTEM, type CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';
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

    const { seq, command } = await record.nextCommand(['stockDecision']);
    record.stopClock('stock_decision');
    record.resumeClock('processing');
    record.resumeClock('reship');
    record.log(command.actor, `stock.decision_${command.decision}`, command.sku ? { sku: command.sku } : undefined);
    record.ack(seq);
    if (command.decision === 'refund') {
      record.stopClock('reship');
      return 'refund';
    }
    const alternative = command.sku as string;
    wanted = wanted.map((item) => (missing.includes(item) ? { ...item, sku: alternative } : item));
    record.outcome.replacementItems = wanted;
  }
}

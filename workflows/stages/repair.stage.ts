import { SYSTEM, type CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';

/** How the repair ended. */
export type RepairOutcome = 'repaired' | 'unrepairable';

/**
 * A paid-repair quote: the customer accepts or declines; no answer in time counts as declined,
 * which ends the case as cancelled (nothing has shipped yet).
 */
export async function quoteStage(record: CaseRecord): Promise<void> {
  const quote = record.policy.repair.paidRepairQuote;
  const { currency } = record.input.request.order;
  record.outcome.quote = { amount: quote, currency, accepted: null };
  record.transition('awaiting_quote_acceptance', SYSTEM, 'repair.quoted', { amount: quote, currency });
  record.startClock('quote_acceptance');
  await notifyCustomer(record, 'repair_quote', 'repair-quote', { amount: quote, currency });
  const command = await record.takeCommand(['quote'], ({ command }) => {
    record.stopClock('quote_acceptance');
    record.outcome.quote = { amount: quote, currency, accepted: command.accept };
    return command;
  });
  if (!command.accept) record.end('cancelled', command.actor, 'repair.quote_declined', { note: 'paid repair quote declined' });
  record.transition('awaiting_return_shipment', command.actor, 'repair.quote_accepted', { amount: quote, currency });
}

/**
 * The repair center repairs and verifies the item; a failed verification sends it back to the
 * bench, up to the policy's attempt limit, after which the item counts as unrepairable.
 */
export async function repairStage(record: CaseRecord): Promise<RepairOutcome> {
  const limit = record.policy.repair.maxRepairAttempts;
  for (let attempt = 1; ; attempt++) {
    const { actor, outcome, verified, note } = await record.takeCommand(['repairResult'], ({ command }) => {
      record.outcome.repair = { outcome: command.outcome, verified: command.verified, attempt, note: command.note ?? null };
      return command;
    });
    if (outcome === 'unrepairable') {
      record.log(actor, 'repair.unrepairable', { attempt, note });
      return 'unrepairable';
    }
    if (verified) {
      record.log(actor, 'repair.completed', { attempt });
      return 'repaired';
    }
    record.log(actor, 'repair.verification_failed', { attempt, limit });
    if (attempt >= limit) {
      record.log(SYSTEM, 'repair.attempts_exhausted', { attempts: attempt });
      return 'unrepairable';
    }
  }
}

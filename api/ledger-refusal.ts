import type { LedgerClaimVerdict } from '../domain/ledger-claim-check';
import type { Principal } from './auth';
import { ineligible, type ApiError } from './errors';

/**
 * The 422 of a claim the order-line ledger refuses. Staff read which cases paid what back; a
 * customer reads what went back and what is left of each line of their order, never a case id
 * (a case opened before the order source may have been opened by someone else on their order).
 */
export function ledgerRefusalFor(verdict: Extract<LedgerClaimVerdict, { allowed: false }>, principal: Principal): ApiError {
  if (principal.role !== 'customer') return ineligible(verdict.code, verdict.message, verdict.details);
  return ineligible(
    verdict.code,
    verdict.message,
    verdict.details.map((d) => ({
      ...d,
      // The domain's message ends with "by case(s) <ids>" when cases paid the line back.
      message: d.message.replace(/ by cases? \S.*$/, ''),
      paidBack: { amount: d.paidBack.amount, units: d.paidBack.units },
    })),
  );
}

import type { StageCommandName } from '../domain/case-commands';
import { claimedAmount } from '../domain/eligibility';
import type { CaseRecord, StageCommands } from './case-record';

/** What is wrong with a stage command's content for this case, or null; the Update is then refused as invalid input (400). */
export function commandProblem(record: CaseRecord, name: StageCommandName, command: StageCommands[StageCommandName]): string | null {
  const claimed = claimedAmount(record.input.request);
  switch (name) {
    case 'review': {
      const { decision, note } = command as StageCommands['review'];
      return decision !== 'approve' && !note?.trim() ? `a ${decision} decision needs a note for the customer` : null;
    }
    case 'inspection': {
      const { refundAmount } = command as StageCommands['inspection'];
      if (refundAmount === undefined) return null;
      // An exchange inspection passes (a replacement ships) or fails (the goods go back): there is no partial refund.
      if (record.input.request.type !== 'return') return 'refundAmount is for returns: an exchange inspection passes or fails';
      if (!Number.isInteger(refundAmount) || refundAmount <= 0) return 'refundAmount must be a positive integer in minor units';
      return refundAmount > claimed ? `refundAmount ${refundAmount} exceeds the claimed amount ${claimed}` : null;
    }
    case 'stockDecision': {
      const { decision, sku } = command as StageCommands['stockDecision'];
      if (decision !== 'alternative') return null;
      if (!record.policy.exchange.allowAlternativeSku) return 'the policy allows no alternative item: choose a refund';
      return sku?.trim() ? null : 'an alternative needs the sku of the item wanted instead';
    }
    case 'resolution': {
      const { resolution, outcome, compensation } = command as StageCommands['resolution'];
      if (!resolution.trim()) return 'resolution must describe how the case was resolved';
      const type = record.input.request.type;
      if (type === 'courier_exception' && !outcome) return 'a courier exception needs an outcome: found, reship or refund';
      if (type === 'complaint' && outcome) return 'a complaint takes compensation, not an outcome';
      if (type === 'courier_exception' && compensation) return 'a courier exception takes an outcome (found, reship or refund), not compensation';
      if (compensation && (!Number.isInteger(compensation.amount) || compensation.amount <= 0)) {
        return 'compensation.amount must be a positive integer in minor units';
      }
      // Coupons are goodwill, capped by the policy (older policies had no cap).
      const couponCap = record.policy.compensation?.maxCouponAmount;
      if (compensation?.kind === 'coupon' && couponCap !== undefined && record.features.orderLedger && compensation.amount > couponCap) {
        return `a coupon of ${compensation.amount} exceeds the policy's largest goodwill coupon ${couponCap}`;
      }
      if (compensation?.kind === 'refund' && compensation.amount > record.input.request.order.total) {
        return `a refund compensation of ${compensation.amount} exceeds the order total ${record.input.request.order.total}`;
      }
      return null;
    }
    default:
      return null;
  }
}

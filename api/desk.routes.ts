import { Router, type RequestHandler } from 'express';
import { CASE_TYPES, REASON_CODES, type CaseType, type ReasonCode } from '../domain/case.types';
import { REASONS_BY_TYPE } from '../domain/eligibility';
import type { Policy } from '../domain/policy';
import { principalOf } from './auth';
import type { PolicyProvider } from './policy-provider';

/** How long after delivery or purchase a type may be opened; absent for types without a window. */
export interface OpeningWindow {
  from: 'delivery' | 'purchase';
  days?: number;
  months?: number;
  /** Returns: after `days` and up to this many days, only with the packaging intact. */
  packagingIntactDays?: number;
}

/** What a customer form needs to know about one case type. */
export interface TypeRules {
  type: CaseType;
  reasons: ReasonCode[];
  window: OpeningWindow | null;
  /** Evidence is needed whatever the reason (a reship). */
  evidenceAlways: boolean;
}

/** The public part of the policy in force: what the pages need to guide a customer (no escalation contacts). */
export interface PolicySummary {
  version: string;
  warningFraction: number;
  types: TypeRules[];
  evidenceRequiredReasons: ReasonCode[];
  customerPaysShippingReasons: ReasonCode[];
  noReasonExcludedCategories: string[];
  returnShippingFee: number;
}

function windowOf(type: CaseType, rules: Policy['eligibility']): OpeningWindow | null {
  switch (type) {
    case 'return':
      return { from: 'delivery', days: rules.noReasonReturnDays, packagingIntactDays: rules.intactPackagingReturnDays };
    case 'exchange':
      // From the receipt (docs/business-rules.md, Eligibility): the later of the purchase's and the delivery's ends is the delivery's.
      return { from: 'delivery', days: rules.exchangeDays };
    case 'refund_only':
      return { from: 'delivery', days: rules.refundOnlyDays };
    case 'reship':
      return { from: 'delivery', days: rules.reshipDays };
    case 'courier_exception':
      return { from: 'delivery', days: rules.courierExceptionDays };
    case 'repair':
      return { from: 'delivery', months: rules.warrantyMonths };
    case 'complaint':
      return null;
  }
}

/** The policy summary of `policy`. */
export function policySummary(policy: Policy): PolicySummary {
  const rules = policy.eligibility;
  return {
    version: policy.version,
    warningFraction: policy.escalation.warningFraction,
    types: CASE_TYPES.map((type) => ({
      type,
      reasons: [...(REASONS_BY_TYPE[type] ?? REASON_CODES)],
      window: windowOf(type, rules),
      evidenceAlways: type === 'reship',
    })),
    evidenceRequiredReasons: [...rules.evidenceRequiredReasons],
    customerPaysShippingReasons: [...rules.customerPaysShippingReasons],
    noReasonExcludedCategories: [...rules.noReasonExcludedCategories],
    returnShippingFee: policy.shipping.returnShippingFee,
  };
}

/** What the desk pages read besides the cases: who the token is, and the public policy summary (any role). */
export function deskApiRouter(policy: PolicyProvider, guard: RequestHandler[]): Router {
  const router = Router();
  router.get('/v1/me', ...guard, (_req, res) => {
    const principal = principalOf(res);
    res.json({
      role: principal.role,
      ...(principal.name !== undefined ? { name: principal.name } : {}),
      ...(principal.customerId !== undefined ? { customerId: principal.customerId } : {}),
    });
  });
  router.get('/v1/policy/summary', ...guard, (_req, res) => {
    res.json(policySummary(policy.current()));
  });
  return router;
}

/**
 * Validation of policy documents: the zod schema of `Policy` and `parsePolicy`.
 *
 * Kept apart from policy.ts on purpose: workflow code imports policy.ts, and everything it imports
 * is evaluated again for every workflow the worker caches, so zod must not be reachable from there.
 * Only the API, config/ and tests import this module (ESLint forbids it under workflows/ and in the
 * other domain/ modules).
 */
import { z } from 'zod';
import { businessCalendarSchema } from './business-calendar.schema';
import { ClockNames, REASON_CODES, type ClockName } from './case.types';
import { isDurationText } from './duration';
import { defaultPolicy, type Budget, type EscalationLevel, type Policy } from './policy';

const durationText = z.string().refine(isDurationText, 'a duration such as "90s", "24h" or "3d"');

/** An SLA budget: wall-clock ("24h", "3d") or working time against the policy calendar. */
export const budgetSchema = z.union([
  durationText,
  z.object({ workingDays: z.number().positive() }).strict(),
  z.object({ workingHours: z.number().positive() }).strict(),
]);

/** A window in whole calendar days (Beijing time, counted from the day after the event). */
const calendarDays = z.number().int().nonnegative();

const defaults = defaultPolicy();

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) }).strict();

const escalationLevelSchema = z
  .object({
    level: z.number().int().min(1),
    /** How long after the breach this level fires ("0s" = at the breach). */
    after: durationText,
    /** Who is notified (addresses or team ids; never customers). */
    notify: z.array(z.string().min(1)).min(1),
    /** Priority the case takes at this level. */
    priority: z.enum(['normal', 'high', 'urgent']).optional(),
  })
  .strict();

const staffClocks = z
  .object({
    review: budgetSchema,
    processing: budgetSchema,
    refund: budgetSchema,
    refundCod: budgetSchema,
    reship: budgetSchema,
    resolution: budgetSchema,
    stockContact: budgetSchema,
    investigation: budgetSchema,
  })
  .strict();

const customerClocks = z
  .object({
    returnShipment: budgetSchema,
    customerInfo: budgetSchema,
    customerConfirmation: budgetSchema,
    quoteAcceptance: budgetSchema,
    stockDecision: budgetSchema,
    // Policies written before collections existed parse with the default.
    payment: budgetSchema.default('3d'),
  })
  .strict();

/** The policy document: every rule and number the workflows follow, validated at load. */
export const policySchema = z
  .object({
    version: z.string().min(1),
    eligibility: z
      .object({
        noReasonReturnDays: calendarDays,
        intactPackagingReturnDays: calendarDays,
        exchangeDays: calendarDays,
        // Keys added after the first policy files were written default to the built-in values.
        refundOnlyDays: calendarDays.default(defaults.eligibility.refundOnlyDays),
        reshipDays: calendarDays.default(defaults.eligibility.reshipDays),
        courierExceptionDays: calendarDays.default(defaults.eligibility.courierExceptionDays),
        warrantyMonths: z.number().int().positive(),
        categoryWarrantyMonths: z.record(z.string(), z.number().int().positive()),
        noReasonExcludedCategories: z.array(z.string().min(1)).default(() => [...defaults.eligibility.noReasonExcludedCategories]),
        evidenceRequiredReasons: z.array(z.enum(REASON_CODES)),
        customerPaysShippingReasons: z.array(z.enum(REASON_CODES)),
      })
      .strict(),
    sla: staffClocks,
    customerTimeouts: customerClocks,
    calendar: businessCalendarSchema,
    escalation: z
      .object({
        warningFraction: z.number().gt(0).lt(1),
        levels: z.array(escalationLevelSchema).min(1),
      })
      .strict(),
    autoActions: z
      .object({
        /** A review that breaches on a refund below this amount is approved automatically (null = never). */
        approveReviewOnBreachBelow: money.nullable(),
      })
      .strict(),
    shipping: z
      .object({
        /** Return shipping fee charged when the customer pays, in minor units. */
        returnShippingFee: z.number().int().nonnegative(),
        /** Deduct that fee from the refund instead of asking the customer to pay the courier. */
        deductFromRefund: z.boolean(),
        /** Fee for sending back goods that failed inspection, paid by the customer (minor units). */
        sendBackFee: z.number().int().nonnegative().default(1000),
      })
      .strict(),
    compensation: z
      .object({
        /** Largest goodwill coupon an agent may grant on one complaint (minor units). */
        maxCouponAmount: z.number().int().nonnegative(),
      })
      .strict()
      .default({ maxCouponAmount: 10000 }),
    refund: z.object({ maxAttempts: z.number().int().min(1).max(10) }).strict(),
    exchange: z
      .object({
        /** After a stock-out the customer may pick another SKU (of the same value and category, checked by the agent). */
        allowAlternativeSku: z.boolean(),
      })
      .strict(),
    repair: z
      .object({
        /** Repairs that fail verification are redone up to this many attempts in all. */
        maxRepairAttempts: z.number().int().min(1).max(10),
        /** What an unrepairable item becomes. */
        unrepairableOutcome: z.enum(['refund', 'exchange']),
        /** The quote for a paid (out-of-warranty) repair, in minor units. */
        paidRepairQuote: z.number().int().nonnegative(),
      })
      .strict(),
    survey: z.object({ window: durationText }).strict(),
    assignment: z
      .object({
        /** Staff clocks that start afresh when a supervisor hands the case to another agent (others keep running). */
        restartClocksOnReassign: z.array(z.enum(Object.values(ClockNames) as [ClockName, ...ClockName[]])),
      })
      .strict(),
  })
  .strict();

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/** Compile-time check, nothing at run time: the hand-written types of policy.ts are exactly what the schemas accept. */
export type PolicyTypesMatchSchema = [
  Assert<Same<z.infer<typeof policySchema>, Policy>>,
  Assert<Same<z.infer<typeof budgetSchema>, Budget>>,
  Assert<Same<z.infer<typeof escalationLevelSchema>, EscalationLevel>>,
];

/** Raised when a policy document does not validate; the message names each bad field. */
export class PolicyError extends Error {}

/** Validates a policy document; fields it omits take the defaults of `defaultPolicy()`. */
export function parsePolicy(document: unknown): Policy {
  const merged = deepMerge(defaultPolicy(), document);
  const result = policySchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`invalid policy: ${problems.join('; ')}`);
  }
  return result.data;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


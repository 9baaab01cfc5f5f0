import { budgetFor, defaultPolicy, type Policy } from '../../domain/policy';
import { parsePolicy, PolicyError, policySchema } from '../../domain/policy.schema';

// domain/policy.ts is imported by workflow code and so holds the default policy as plain data, without
// the schema; this is where that data is checked against policy.schema.ts.
describe('default policy', () => {
  it('validates against the policy schema and round-trips unchanged', () => {
    const policy = defaultPolicy();
    expect(policySchema.safeParse(policy).error).toBeUndefined();
    expect(parsePolicy(policy)).toEqual(policy);
  });

  it('is what an empty policy document becomes', () => {
    expect(parsePolicy({ version: defaultPolicy().version })).toEqual(defaultPolicy());
  });

  it('gives refunds 3 working days, and 7 for cash on delivery', () => {
    const policy = defaultPolicy();
    expect(budgetFor(policy, 'refund', 'online')).toEqual({ workingDays: 3 });
    expect(budgetFor(policy, 'refund', 'cod')).toEqual({ workingDays: 7 });
  });
});

describe('policy documents written before the per-type windows and category exclusions', () => {
  /** The eligibility section as the first policy files had it: without the keys added since. */
  function olderEligibility(): Record<string, unknown> {
    const { refundOnlyDays: _r, reshipDays: _s, courierExceptionDays: _c, noReasonExcludedCategories: _n, ...older } = defaultPolicy().eligibility;
    return { ...older, noReasonReturnDays: 10 };
  }

  it('still parse through parsePolicy, the new keys taking their defaults', () => {
    const policy = parsePolicy({ version: 'shop-2026.1', eligibility: olderEligibility(), sla: { refund: '3d' } });
    const defaults = defaultPolicy().eligibility;
    expect(policy.eligibility).toMatchObject({
      noReasonReturnDays: 10,
      refundOnlyDays: defaults.refundOnlyDays,
      reshipDays: defaults.reshipDays,
      courierExceptionDays: defaults.courierExceptionDays,
      noReasonExcludedCategories: defaults.noReasonExcludedCategories,
    });
    // A shop that wrote its own refund budget keeps it; only the built-in default changed.
    expect(policy.sla.refund).toBe('3d');
  });

  it('still parse through the schema alone, which fills the new keys itself', () => {
    const older = { ...defaultPolicy(), eligibility: olderEligibility() } as unknown;
    const result = policySchema.safeParse(older);
    expect(result.error).toBeUndefined();
    expect(result.data?.eligibility.reshipDays).toBe(defaultPolicy().eligibility.reshipDays);
    expect(result.data?.eligibility.noReasonExcludedCategories).toEqual(defaultPolicy().eligibility.noReasonExcludedCategories);
  });
});

describe('eligibility settings', () => {
  const withEligibility = (eligibility: Partial<Record<keyof Policy['eligibility'], unknown>>) =>
    parsePolicy({ version: 'test-1', eligibility });

  it('take a shop’s own windows and excluded categories', () => {
    const policy = withEligibility({ refundOnlyDays: 30, reshipDays: 10, courierExceptionDays: 20, noReasonExcludedCategories: ['books'] });
    expect(policy.eligibility).toMatchObject({ refundOnlyDays: 30, reshipDays: 10, courierExceptionDays: 20, noReasonExcludedCategories: ['books'] });
  });

  it.each([
    ['reshipDays', -1],
    ['refundOnlyDays', 7.5],
    ['courierExceptionDays', '15'],
    ['noReasonReturnDays', 0.5],
  ])('refuse %s = %j, naming the field (windows are whole calendar days)', (key, value) => {
    expect(() => withEligibility({ [key]: value })).toThrow(PolicyError);
    expect(() => withEligibility({ [key]: value })).toThrow(new RegExp(`eligibility\\.${key}`));
  });

  it('refuse an excluded category that is empty or not a string', () => {
    expect(() => withEligibility({ noReasonExcludedCategories: [''] })).toThrow(/eligibility\.noReasonExcludedCategories\.0/);
    expect(() => withEligibility({ noReasonExcludedCategories: 'fresh' })).toThrow(/eligibility\.noReasonExcludedCategories/);
  });

  it('refuse an unknown eligibility key, so a misspelt window is not silently ignored', () => {
    expect(() => withEligibility({ reshipDay: 7 } as never)).toThrow(/eligibility/);
  });
});

import { defaultPolicy } from '../../domain/policy';
import { parsePolicy, policySchema } from '../../domain/policy.schema';

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
});

import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { ManualEvaluationKey } from '../../domain/search-attributes';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo, openCaseBody, stackTemporalClient } from './support/fixtures';
import { CasesApi, eventually, requiredEnv, stackTokens } from './support/http-client';

// Issue 25 item 10: a late quality claim is accepted for manual evaluation, and says so
// everywhere staff look for it: the case, the read model's list filter and the workflow's
// ManualEvaluation search attribute (set at the start).

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const temporal = stackTemporalClient();

const fixture = { orderPrefix: 'IT-MANUAL', sku: 'SKU-MANUAL-1' };

/** The ids of the newest cases the list answers for `query` (as the agent). */
async function listedIds(query: Record<string, string>): Promise<string[]> {
  const answer = await cases.list(tokens.agent, { sort: 'createdAt', limit: '100', ...query });
  expect(answer.status).toBe(200);
  return answer.body.items.map((item: CaseSnapshot) => item.id);
}

/** The ManualEvaluation search attribute of the case's workflow, as Temporal describes it. */
async function manualEvaluationAttribute(caseId: string): Promise<boolean | undefined> {
  const description = await temporal.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
  return description.typedSearchAttributes.get(ManualEvaluationKey);
}

describe('manual evaluation is visible', () => {
  test('a return claiming not_as_described 20 days after delivery: the case, the list filter and the search attribute say manual evaluation', async () => {
    const late = await cases.opened(
      tokens.customer,
      openCaseBody('return', 'not_as_described', fixture, { order: { paidAt: daysAgo(22), deliveredAt: daysAgo(20), paymentMethod: 'online', total: 8800, currency: 'CNY' } }),
    );
    const onTime = await cases.opened(tokens.customer, openCaseBody('return', 'not_as_described', fixture));

    // The 201 case, the live case and the list's case.
    expect([late.manualEvaluation, onTime.manualEvaluation]).toEqual([true, false]);
    expect((await cases.get(late.id)).manualEvaluation).toBe(true);

    const flagged = await eventually('the late claim listed under manualEvaluation=true', async () => {
      const ids = await listedIds({ manualEvaluation: 'true' });
      return ids.includes(late.id) ? ids : undefined;
    });
    expect(flagged).not.toContain(onTime.id);
    const listed = await cases.list(tokens.agent, { manualEvaluation: 'true', orderId: late.orderId });
    expect(listed.body.items.map((item: CaseSnapshot) => [item.id, item.manualEvaluation])).toEqual([[late.id, true]]);
    expect(await listedIds({ manualEvaluation: 'false', orderId: onTime.orderId })).toEqual([onTime.id]);
    expect(await listedIds({ manualEvaluation: 'false', orderId: late.orderId })).toEqual([]);

    // Set when the workflow started, for Temporal UI queries such as `ManualEvaluation = true`.
    expect(await manualEvaluationAttribute(late.id)).toBe(true);
    expect(await manualEvaluationAttribute(onTime.id)).toBe(false);
  });

  test('the list refuses a filter value that is not a boolean', async () => {
    const answer = await cases.list(tokens.agent, { manualEvaluation: 'yes' });
    expect(answer.status).toBe(400);
  });
});

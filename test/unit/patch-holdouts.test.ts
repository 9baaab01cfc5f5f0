import { countHoldouts, holdoutQuery, parseHoldoutArgs } from '../../scripts/patch-holdouts';

const deploy = new Date('2026-11-29T02:00:00Z');

describe('patch-holdouts: the count that gates deprecating a patch', () => {
  it('counts the running case workflows of every type started before the deploy', async () => {
    const asked: string[] = [];
    const result = await countHoldouts({ count: async (query) => (asked.push(query), { count: 3 }) }, 'cases', deploy);
    expect(result.count).toBe(3);
    expect(asked).toEqual([result.query]);
    expect(result.query).toBe(
      'WorkflowType IN ("returnCaseWorkflow", "exchangeCaseWorkflow", "repairCaseWorkflow", "complaintCaseWorkflow", "refundOnlyCaseWorkflow", "reshipCaseWorkflow", "courierExceptionCaseWorkflow") AND ExecutionStatus = "Running" AND StartTime < "2026-11-29T02:00:00.000Z"',
    );
  });

  it('counts reconciler runs apart: their patches gate on their own runs', () => {
    expect(holdoutQuery('reconciler', deploy)).toBe('WorkflowType IN ("readModelReconcilerWorkflow") AND ExecutionStatus = "Running" AND StartTime < "2026-11-29T02:00:00.000Z"');
  });

  it('reads --started-before as an ISO instant and refuses anything else', () => {
    expect(parseHoldoutArgs(['--started-before', '2026-11-29T02:00:00Z'])).toEqual({ kind: 'cases', startedBefore: deploy });
    expect(parseHoldoutArgs(['--reconciler', '--started-before', '2026-11-29T02:00:00Z'])).toEqual({ kind: 'reconciler', startedBefore: deploy });
    expect(parseHoldoutArgs([])).toMatch(/^usage: /);
    expect(parseHoldoutArgs(['--started-before', 'yesterday'])).toMatch(/not an ISO instant/);
    expect(parseHoldoutArgs(['--started-before', '1700000000'])).toMatch(/not an ISO instant/);
  });
});

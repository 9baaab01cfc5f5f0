import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseStartOptions, caseWorkflowInput } from '../../api/case-start-options';
import { checkEligibility } from '../../domain/eligibility';
import { defaultPolicy } from '../../domain/policy';
import { OverdueClockKey, OverdueSinceKey, SlaBreachedKey } from '../../domain/search-attributes';
import { caseWorkflowId } from '../../domain/ids';
import { FEATURE_LEVEL_LEDGER, getCaseQuery, reviewUpdate, WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';
import { Features } from '../../workflows/features';
import { actors, caseRequest, clock, FakeWorld, startCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

// Above the policy's auto-approve amount: a breached review stays with a person.
const TV = { items: [{ sku: 'TV-1', quantity: 1, unitPrice: 399_900 }] };

/** What an ops person's query sees of the case: OverdueSince (ISO or undefined), OverdueClock, SlaBreached. */
async function opsView(handle: CaseHandle): Promise<{ overdueSince?: string; overdueClock?: string; slaBreached?: boolean }> {
  const attributes = (await handle.describe()).typedSearchAttributes;
  return {
    overdueSince: attributes.get(OverdueSinceKey)?.toISOString(),
    overdueClock: attributes.get(OverdueClockKey),
    slaBreached: attributes.get(SlaBreachedKey),
  };
}

/** The patch markers of the case's history that name the overdue search attributes (Core writes them as plain JSON). */
async function overduePatchMarkers(handle: CaseHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: string }).id === Features.overdueSearchAttributes : false;
  }).length;
}

/** Starts a case as the API did before the overdue attributes (feature level 1): a case running at the deploy. */
async function startLevelOneCase(): Promise<CaseHandle> {
  const request = caseRequest(await env.currentTimeMs(), TV);
  const policy = defaultPolicy();
  const nowMs = await env.currentTimeMs();
  const verdict = checkEligibility(request, policy, nowMs);
  if (!verdict.eligible) throw new Error(`test request is not eligible: ${verdict.code}`);
  const input = { ...caseWorkflowInput(`level1-${nowMs}-${request.orderId}`, request, policy, actors.customer, verdict, nowMs), featureLevel: FEATURE_LEVEL_LEDGER };
  const { typedSearchAttributes } = caseStartOptions(input, world.taskQueue, { role: 'customer', customerId: request.customerId });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE[request.type], {
    taskQueue: world.taskQueue,
    workflowId: caseWorkflowId(input.caseId),
    args: [input],
    typedSearchAttributes,
  });
  world.started.push(handle);
  return handle;
}

/** Lets the review breach, checks the ops view says since when and on which clock, approves, checks it clears. */
async function breachThenApprove(handle: CaseHandle): Promise<void> {
  await waitForStatus(handle, 'awaiting_review');
  expect(await opsView(handle)).toEqual({ overdueSince: undefined, overdueClock: undefined, slaBreached: false });

  await env.sleep('25 hours');
  const breached = await handle.query(getCaseQuery);
  const review = clock(breached, 'review');
  expect(review.state).toBe('breached');
  expect(await opsView(handle)).toEqual({ overdueSince: new Date(review.deadline).toISOString(), overdueClock: 'review', slaBreached: true });

  // Still overdue, since the same instant, while nobody acts (a later escalation changes nothing of it).
  await env.sleep('5 hours');
  expect((await opsView(handle)).overdueSince).toBe(new Date(review.deadline).toISOString());

  const approved = await handle.executeUpdate(reviewUpdate, { args: [{ actor: actors.agent, decision: 'approve' }] });
  expect(clock(approved, 'review').stoppedAt).toBeDefined();
  // The late work is done: nothing is overdue, and SlaBreached keeps that the case was late.
  expect(await opsView(handle)).toEqual({ overdueSince: undefined, overdueClock: undefined, slaBreached: true });
}

describe('the ops view: OverdueSince and OverdueClock say what is late now, and since when', () => {
  test('when a case opened by the current API breaches its review, it is overdue since the review deadline until an agent approves, with no patch marker', () =>
    withWorker(async () => {
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), TV));
      await breachThenApprove(handle);
      expect(await overduePatchMarkers(handle)).toBe(0);
    }));

  test('when a case that started before the change (feature level 1) breaches, it records the patch marker and gets the same attributes', () =>
    withWorker(async () => {
      const handle = await startLevelOneCase();
      await breachThenApprove(handle);
      expect(await overduePatchMarkers(handle)).toBe(1);
    }));
});

import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BusinessCalendar } from '../../domain/business-calendar';
import type { CaseSnapshot } from '../../domain/case.types';
import { defaultPolicy, type Policy } from '../../domain/policy';
import { caseStartOptions, caseWorkflowInput } from '../../api/case-start-options';
import { caseWorkflowId } from '../../domain/ids';
import { checkEligibility } from '../../domain/eligibility';
import { FEATURE_LEVEL_RETURN_LABEL, getCaseQuery, inspectionUpdate, reviewUpdate, WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';
import { Features } from '../../workflows/features';
import { actors, caseRequest, clock, FakeWorld, refundIssued, settleRefund, shipAndDeliver, startCase, waitForCase, withCaseWorld, type CaseHandle } from './support/workflow-harness';
import { beijingAt, shiftedCalendar, weeksToFuture } from './support/shifted-calendar';
import { patchMarkers } from './support/history-markers';

// Issue 25 item 1: a return's refund is due within 7 Beijing calendar days of the goods' receipt
// (消费者权益保护法 art. 25), whatever the holidays do to the policy's working days.

const { agent, warehouse } = actors;
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

function withWorker<T>(body: () => Promise<T>): Promise<T> {
  return withCaseWorld((context) => {
    ({ env, world } = context);
    return body();
  });
}

async function skipTo(instantMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instantMs > now) await env.sleep(instantMs - now);
}

function policyOn(calendar: BusinessCalendar): Policy {
  const policy = defaultPolicy();
  return { ...policy, calendar, autoActions: { approveReviewOnBreachBelow: null } };
}

/** A no-reason return approved, its parcel received at `receivedAtMs` and inspected at once: the refund is asked for. */
async function receivedAndInspected(receivedAtMs: number, policy: Policy, paymentMethod: 'online' | 'cod', result: 'pass' | 'fail' = 'pass', refundAmount?: number): Promise<{ handle: CaseHandle; snapshot: CaseSnapshot }> {
  await skipTo(receivedAtMs - 3_600_000);
  const request = caseRequest(await env.currentTimeMs());
  const handle = await startCase(env, world, { ...request, order: { ...request.order, paymentMethod } }, policy);
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  await skipTo(receivedAtMs);
  await shipAndDeliver(handle);
  await waitForCase(handle, 'the goods received', (s) => s.status === 'inspecting');
  await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result, ...(refundAmount ? { refundAmount } : {}) }] });
  if (result === 'pass' || refundAmount) await refundIssued(world, (await handle.query(getCaseQuery)).id);
  return { handle, snapshot: await handle.query(getCaseQuery) };
}

function expectNear(actualIso: string, expectedMs: number): void {
  const offBy = Date.parse(actualIso) - expectedMs;
  if (Math.abs(offBy) >= 60_000) throw new Error(`${actualIso} is ${offBy} ms away from ${new Date(expectedMs).toISOString()}`);
}

describe('the statutory refund limit of a return: 7 Beijing calendar days from receipt', () => {
  test('received just before Spring Festival (Feb 15–23 off): the refund is due at 24:00 of the 7th day, not after the holiday; its breach goes straight to the top of the ladder, once', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-02-12');
      const policy = policyOn(shiftedCalendar(weeks));
      const { handle, snapshot } = await receivedAndInspected(beijingAt('2026-02-12', '10:00', weeks), policy, 'online');
      const limit = beijingAt('2026-02-20', '00:00', weeks);

      const statutory = clock(snapshot, 'statutory_refund');
      expect(statutory).toMatchObject({ party: 'staff', budget: '7d', state: 'running', bound: 'statutory', deadline: new Date(limit).toISOString() });
      const refund = clock(snapshot, 'refund');
      // Three working days (Feb 13, the make-up Saturday Feb 14, then Feb 24 after the holiday) would end on Feb 24.
      expect(refund.bound).toBe('statutory');
      expect(refund.deadline).toBe(new Date(limit).toISOString());

      await skipTo(limit - 60_000);
      expect(clock(await handle.query(getCaseQuery), 'statutory_refund').state).toBe('running');
      await skipTo(limit + 60_000);
      const breached = await waitForCase(handle, 'the statutory limit breached', (s) => clock(s, 'statutory_refund').state === 'breached');
      const top = policy.escalation.levels[policy.escalation.levels.length - 1];
      expect(clock(breached, 'refund').state).toBe('breached');
      expect(breached.escalation.level).toBe(top.level);
      const steps = breached.escalation.history.filter((s) => s.reason === 'breach');
      expect(steps).toEqual([expect.objectContaining({ level: top.level, clock: 'statutory_refund', recipients: top.notify })]);
      expectNear(steps[0].at, limit);

      // No further ladder level later: the top was taken at once.
      await skipTo(limit + DAY);
      const later = await handle.query(getCaseQuery);
      expect(later.escalation.history.filter((s) => s.reason === 'breach')).toHaveLength(1);
    }));

  test('a COD return received just before National Day (Oct 1–7 off): 7 working days would end Oct 14, the law ends it Oct 6 24:00; paid in time, the limit is met', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-09-29');
      const policy = policyOn(shiftedCalendar(weeks));
      const { handle, snapshot } = await receivedAndInspected(beijingAt('2026-09-29', '10:00', weeks), policy, 'cod');
      const limit = beijingAt('2026-10-07', '00:00', weeks);

      expect(clock(snapshot, 'statutory_refund').deadline).toBe(new Date(limit).toISOString());
      expect(clock(snapshot, 'refund')).toMatchObject({ bound: 'statutory', deadline: new Date(limit).toISOString() });

      await skipTo(beijingAt('2026-10-05', '12:00', weeks));
      await settleRefund(handle, world, snapshot.id);
      const paid = await waitForCase(handle, 'the refund confirmed', (s) => clock(s, 'refund').state === 'met');
      expect(clock(paid, 'statutory_refund')).toMatchObject({ state: 'met', stoppedAt: expect.any(String) });
      expect(paid.escalation.history.filter((s) => s.reason === 'breach')).toEqual([]);
    }));

  test('an ordinary week: the policy budget comes first and the refund clock says so', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-03-10');
      const policy = policyOn(shiftedCalendar(weeks));
      const { snapshot } = await receivedAndInspected(beijingAt('2026-03-10', '10:00', weeks), policy, 'online');
      expect(clock(snapshot, 'refund').bound).toBe('policy');
      expect(Date.parse(clock(snapshot, 'refund').deadline)).toBeLessThan(Date.parse(clock(snapshot, 'statutory_refund').deadline));
    }));

  test('a failed inspection ends the limit (nothing is owed under it); a partial refund runs on the policy clock alone', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-02-12');
      const policy = policyOn(shiftedCalendar(weeks));
      const { snapshot } = await receivedAndInspected(beijingAt('2026-02-12', '10:00', weeks), policy, 'online', 'fail', 5_000);
      expect(clock(snapshot, 'statutory_refund')).toMatchObject({ state: 'met', stoppedAt: expect.any(String) });
      expect(snapshot.timeline.map((e) => e.event)).toContain('sla.statutory_limit_ended');
      expect(clock(snapshot, 'refund').bound).toBeUndefined();
    }));

  test('a case opened at the current feature level runs the limit without a patch marker; one opened at the level before asks at the receipt, records it, and runs it too', () =>
    withWorker(async () => {
      const received = async (handle: CaseHandle) => {
        await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
        await shipAndDeliver(handle);
        return waitForCase(handle, 'the goods received', (s) => s.status === 'inspecting');
      };
      const current = await startCase(env, world, caseRequest(await env.currentTimeMs()));
      expect(clock(await received(current), 'statutory_refund').state).toBe('running');
      expect(await patchMarkers(current)).not.toContain(Features.statutoryRefundLimit);

      const nowMs = await env.currentTimeMs();
      const request = caseRequest(nowMs);
      const verdict = checkEligibility(request, defaultPolicy(), nowMs);
      if (!verdict.eligible) throw new Error(`the request is not eligible: ${verdict.message}`);
      const input = { ...caseWorkflowInput(`level4-${nowMs}`, request, defaultPolicy(), actors.customer, verdict, nowMs), featureLevel: FEATURE_LEVEL_RETURN_LABEL };
      const { typedSearchAttributes } = caseStartOptions(input, world.taskQueue, { role: 'customer', customerId: request.customerId });
      world.deliveries.set(request.orderId, request.order.deliveredAt ?? null);
      const older = await env.client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE.return, { taskQueue: world.taskQueue, workflowId: caseWorkflowId(input.caseId), args: [input], typedSearchAttributes });
      world.started.push(older);
      expect(clock(await received(older), 'statutory_refund').state).toBe('running');
      expect(await patchMarkers(older)).toContain(Features.statutoryRefundLimit);
    }));
});


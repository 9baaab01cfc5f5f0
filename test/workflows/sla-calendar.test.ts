import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BusinessCalendar } from '../../domain/business-calendar';
import { defaultPolicy, type Policy } from '../../domain/policy';
import { getCaseQuery } from '../../domain/workflow-contract';
import { caseRequest, clock, FakeWorld, startCase, withCaseWorld } from './support/workflow-harness';
import { beijingAt, shiftedCalendar, weeksToFuture } from './support/shifted-calendar';


let env: TestWorkflowEnvironment;
let world: FakeWorld;

/** Runs the test body on a time-skipping server, world and worker of its own. */
function withWorker<T>(body: () => Promise<T>): Promise<T> {
  return withCaseWorld((context) => {
    ({ env, world } = context);
    return body();
  });
}

/** The workflow starts a few milliseconds after the instant the test skipped to. */
function expectSameMoment(actualIso: string, expectedMs: number): void {
  const offBy = Date.parse(actualIso) - expectedMs;
  if (Math.abs(offBy) >= 1000) throw new Error(`deadline ${actualIso} is ${offBy} ms away from ${new Date(expectedMs).toISOString()}`);
}

async function skipTo(instantMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instantMs > now) await env.sleep(instantMs - now);
}

function policyWithReview(calendar: BusinessCalendar, review: Policy['sla']['review']): Policy {
  const policy = defaultPolicy();
  return { ...policy, calendar, sla: { ...policy.sla, review }, autoActions: { approveReviewOnBreachBelow: null } };
}

describe('SLA deadlines in working days against the business calendar', () => {
  test('a 1-working-day review opened the day before Golden Week falls due the first working day after it (Oct 1–7 off)', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-09-30');
      const policy = policyWithReview(shiftedCalendar(weeks), { workingDays: 1 });
      await skipTo(beijingAt('2026-09-30', '10:00', weeks));
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), { items: [{ sku: 'TV', quantity: 1, unitPrice: 500_000 }] }), policy);

      const expected = beijingAt('2026-10-08', '10:00', weeks);
      const opened = await handle.query(getCaseQuery);
      expectSameMoment(clock(opened, 'review').deadline, expected);

      await skipTo(expected - 60_000);
      expect(clock(await handle.query(getCaseQuery), 'review').state).toBe('running');
      await skipTo(expected + 60_000);
      const breached = await handle.query(getCaseQuery);
      expect(clock(breached, 'review').state).toBe('breached');
      expect(breached.escalation.level).toBe(1);
    }));

  test('the make-up Saturday after Golden Week counts as a working day for a 7-working-day budget', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-10-09');
      const policy = policyWithReview(shiftedCalendar(weeks), { workingDays: 7 });
      await skipTo(beijingAt('2026-10-09', '10:00', weeks));
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs()), policy);
      // Sat 10 (make-up), Mon 12 … Fri 16, Mon 19: the 7th working day ends Mon Oct 19 at 10:00.
      expectSameMoment(clock(await handle.query(getCaseQuery), 'review').deadline, beijingAt('2026-10-19', '10:00', weeks));
    }));

  test('a 2-working-day review opened before the Spring Festival counts the make-up Saturday and skips the nine days off', () =>
    withWorker(async () => {
      const weeks = await weeksToFuture(env, '2026-02-13');
      const policy = policyWithReview(shiftedCalendar(weeks), { workingDays: 2 });
      await skipTo(beijingAt('2026-02-13', '10:00', weeks));
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), { items: [{ sku: 'TV', quantity: 1, unitPrice: 500_000 }] }), policy);
      // Fri 13 10:00 → Sat 14 (make-up) 10:00 is one day; Feb 15–23 are off; Tue 24 10:00 is the second.
      const expected = beijingAt('2026-02-24', '10:00', weeks);
      expectSameMoment(clock(await handle.query(getCaseQuery), 'review').deadline, expected);

      await skipTo(beijingAt('2026-02-20', '10:00', weeks));
      const during = await handle.query(getCaseQuery);
      expect(clock(during, 'review').state).toBe('running');
      // 80% of 18 working hours is 14.4 h: 8 h on Friday, then 6.4 h into the make-up Saturday.
      expectSameMoment(clock(during, 'review').warnedAt ?? 'never', beijingAt('2026-02-14', '15:24', weeks));
      await skipTo(expected + 60_000);
      expect(clock(await handle.query(getCaseQuery), 'review').state).toBe('breached');
    }));

  test('a review paused over the holiday for customer information resumes with the working time it had left', () =>
    withWorker(async () => {
      const { reviewUpdate, customerInfoUpdate } = await import('../../domain/workflow-contract');
      const weeks = await weeksToFuture(env, '2026-09-29');
      const policy = policyWithReview(shiftedCalendar(weeks), { workingDays: 1 });
      await skipTo(beijingAt('2026-09-29', '09:00', weeks));
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs()), policy);
      // 3 working hours pass, then the agent asks for information: 6 working hours remain.
      await skipTo(beijingAt('2026-09-29', '12:00', weeks));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: { kind: 'agent', id: 'li.wei' }, decision: 'request_info', note: 'need a photo' }] });
      // The customer answers during the holiday; counting restarts on Thu Oct 8 at 09:00.
      await skipTo(beijingAt('2026-10-03', '15:00', weeks));
      const resumed = await handle.executeUpdate(customerInfoUpdate, { args: [{ actor: { kind: 'customer', id: 'c-1' }, message: 'photo attached' }] });
      expectSameMoment(clock(resumed, 'review').deadline, beijingAt('2026-10-08', '15:00', weeks));
    }));
});

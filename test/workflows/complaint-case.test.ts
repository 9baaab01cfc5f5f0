import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { assignUpdate, cancelUpdate, getCaseQuery, resolutionUpdate, surveyUpdate, type ResolutionCommand } from '../../domain/workflow-contract';
import {
  about,
  caseRequest,
  clock,
  events,
  FakeWorld,
  refundIssued,
  refusal,
  settleRefund,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  worldRunner,
  type CaseHandle,
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer, supervisor } = actors;

const TEAM_LEAD = 'team-lead@aftersales.local';
const MANAGER = 'manager@aftersales.local';
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A complaint about the service on a 259.00 CNY order. */
async function openComplaint(): Promise<CaseHandle> {
  const now = await env.currentTimeMs();
  return startCase(env, world, caseRequest(now, { type: 'complaint', reason: { code: 'other', description: 'the courier was rude' } }));
}

function resolve(handle: CaseHandle, command: Omit<ResolutionCommand, 'actor'>) {
  return handle.executeUpdate(resolutionUpdate, { args: [{ actor: agent, ...command }] });
}

describe('complaint case', () => {
  test('a complaint opens under investigation with a 24h resolution clock, the staff queue is told, and a resolution without compensation completes it', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      const opened = await waitForStatus(handle, 'investigating');
      about(opened, () => {
        const resolution = clock(opened, 'resolution');
        expect(resolution.state).toBe('running');
        expect(Date.parse(resolution.deadline) - Date.parse(resolution.startedAt)).toBe(24 * HOUR);
        expect(opened.sla.map((c) => c.name)).toEqual(['resolution']);
      });
      await waitFor(() => world.templatesTo(TEAM_LEAD).includes('complaint_recorded'), 'the staff queue to be told');

      await resolve(handle, { resolution: 'apologised; courier coached by the carrier' });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(done.outcome.resolution).toEqual({ text: 'apologised; courier coached by the carrier', compensation: null, by: 'li.wei' });
        expect(done.assignee).toBe('li.wei');
        expect(clock(done, 'resolution').state).toBe('met');
        expect(events(done)).toEqual(expect.arrayContaining(['complaint.resolved', 'case.completed']));
        expect(done.timeline.find((e) => e.event === 'case.completed')?.data).toMatchObject({ note: 'apologised; courier coached by the carrier' });
        expect(world.refunds).toEqual([]);
        expect(world.coupons).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the closing message');
      const outOfRange = await refusal(handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 6 }] }));
      expect(outOfRange.type).toBe('InvalidCommandInput');
      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 3 }] });
      expect(surveyed.survey?.score).toBe(3);
      // The survey is the last thing the case waits for: the workflow then ends.
      expect(await handle.result()).toMatchObject({ status: 'completed' });
    }));

  test('a resolution with a refund compensation refunds that amount and completes once the refund settles', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      await waitForStatus(handle, 'investigating');
      await resolve(handle, { resolution: 'late delivery compensated', compensation: { kind: 'refund', amount: 5_000 } });
      const refunding = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, refunding.id);
      expect(refund.amount).toBe(5_000);
      about(refunding, () => expect(refunding.outcome.resolution).toMatchObject({ compensation: { kind: 'refund', amount: 5_000 } }));
      await settleRefund(handle, world, refunding.id);
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(done.refund).toMatchObject({ amount: 5_000, status: 'succeeded' });
        expect(clock(done, 'refund').state).toBe('met');
        expect(world.coupons).toEqual([]);
      });
    }));

  test('a resolution with a coupon compensation issues the coupon and completes', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      await waitForStatus(handle, 'investigating');
      await resolve(handle, { resolution: 'coupon for the trouble', compensation: { kind: 'coupon', amount: 2_000 } });
      const done = await waitForStatus(handle, 'completed');
      await waitFor(() => world.coupons.length === 1, 'the coupon');
      expect(world.coupons[0]).toMatchObject({ caseId: done.id, amount: 2_000, key: `${done.id}:coupon` });
      const latest = await waitForCase(handle, 'the coupon on the timeline', (c) => events(c).includes('compensation.coupon_issued'));
      about(latest, () => {
        expect(latest.timeline.find((e) => e.event === 'compensation.coupon_issued')?.data).toMatchObject({ amount: 2_000, currency: 'CNY' });
        expect(world.refunds).toEqual([]);
      });
    }));

  test('a resolution that is empty, carries an outcome, or compensates a wrong amount is refused as invalid input and changes nothing', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      const before = await waitForStatus(handle, 'investigating');
      const wrong: Omit<ResolutionCommand, 'actor'>[] = [
        { resolution: '' },
        { resolution: '   ' },
        { resolution: 'found it', outcome: 'found' },
        { resolution: 'sorry', compensation: { kind: 'coupon', amount: 0 } },
        { resolution: 'sorry', compensation: { kind: 'refund', amount: 25_901 } },
      ];
      for (const command of wrong) {
        const refused = await refusal(resolve(handle, command));
        expect({ command, type: refused.type }).toEqual({ command, type: 'InvalidCommandInput' });
      }
      const after = await handle.query(getCaseQuery);
      about(after, () => {
        expect(after.version).toBe(before.version);
        expect(after.status).toBe('investigating');
      });
    }));

  test('when no resolution is recorded within 24h, the complaint warns at 80%, breaches and escalates to the team lead, then to the manager', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      await waitForStatus(handle, 'investigating');
      await env.sleep('20 hours');
      const warned = await handle.query(getCaseQuery);
      about(warned, () => {
        expect(clock(warned, 'resolution').warnedAt).toBeDefined();
        expect(warned.escalation).toMatchObject({ level: 0, history: [expect.objectContaining({ reason: 'warning', clock: 'resolution', recipients: [TEAM_LEAD] })] });
      });

      await env.sleep('4 hours');
      const breached = await waitFor(() => world.escalations.length === 1, 'the breach to be recorded').then(() => handle.query(getCaseQuery));
      about(breached, () => {
        expect(breached.status).toBe('investigating');
        expect(clock(breached, 'resolution').state).toBe('breached');
        expect(breached.breached).toBe(true);
        expect(breached.escalation.level).toBe(1);
        expect(breached.priority).toBe('high');
        expect(events(breached)).toEqual(expect.arrayContaining(['sla.warning', 'sla.breached', 'sla.escalated']));
      });
      expect(world.escalations.map((e) => [e.clock, e.level, e.caseType])).toEqual([['resolution', 1, 'complaint']]);
      expect(world.templatesTo(TEAM_LEAD)).toEqual(expect.arrayContaining(['sla_warning', 'sla_escalation']));

      await env.sleep('4 hours');
      await waitFor(() => world.templatesTo(MANAGER).includes('sla_escalation'), 'the manager to be told');
      const level2 = await handle.query(getCaseQuery);
      about(level2, () => {
        expect(level2.escalation.level).toBe(2);
        expect(level2.priority).toBe('urgent');
      });

      await resolve(handle, { resolution: 'resolved late' });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => expect(clock(done, 'resolution').state).toBe('breached'));
    }));

  test('the owner may withdraw the complaint while it is investigated; another customer may not', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      await waitForStatus(handle, 'investigating');
      const forbidden = await refusal(handle.executeUpdate(cancelUpdate, { args: [{ actor: { kind: 'customer', id: 'c-2' } }] }));
      expect(forbidden.type).toBe('CommandForbidden');
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'sorted it out with the shop' }] });
      about(cancelled, () => {
        expect(cancelled.status).toBe('cancelled');
        expect(clock(cancelled, 'resolution').state).toBe('met');
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_cancelled'), 'the closing message');
    }));

  test('a supervisor assigns the complaint, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openComplaint();
      await waitForStatus(handle, 'investigating');
      await expectAssignedAndSurveyRefused(handle);
      const blank = await refusal(handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: '  ' }] }));
      expect(blank.type).toBe('InvalidCommandInput');
    }));
});


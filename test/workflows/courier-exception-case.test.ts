import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelUpdate,
  confirmReceiptUpdate,
  getCaseQuery,
  resolutionUpdate,
  surveyUpdate,
  type ResolutionCommand,
} from '../../domain/workflow-contract';
import {
  about,
  caseRequest,
  clock,
  events,
  FakeWorld,
  messagesWith,
  parcelsOf,
  refundIssued,
  refusal,
  settleRefund,
  startCase,
  waitFor,
  waitForStatus,
  worldRunner,
  type CaseHandle,
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer } = actors;

const HOUR = 3_600_000;
const TEAM_LEAD = 'team-lead@aftersales.local';

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** Signed for but not received (快递问题件). */
async function openCourierException(): Promise<CaseHandle> {
  const now = await env.currentTimeMs();
  return startCase(env, world, caseRequest(now, { type: 'courier_exception', reason: { code: 'not_received', description: 'signed for, but not by me' } }, 1));
}

/** Opens the case and waits until the courier investigation is open and the customer told. */
async function openInvestigated(): Promise<CaseHandle> {
  const handle = await openCourierException();
  await waitForStatus(handle, 'investigating');
  await waitFor(() => world.templatesTo('c-1').includes('investigation_opened'), 'the customer to be told');
  return handle;
}

function resolve(handle: CaseHandle, command: Omit<ResolutionCommand, 'actor'>) {
  return handle.executeUpdate(resolutionUpdate, { args: [{ actor: agent, ...command }] });
}

describe('courier exception case', () => {
  test('a courier exception opens an investigation with the courier under a 72h clock and tells the customer; when the parcel is found the case completes', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      const opened = await handle.query(getCaseQuery);
      about(opened, () => {
        expect(world.investigations).toEqual([expect.objectContaining({ caseId: opened.id, kind: 'not_received' })]);
        expect(opened.outcome.investigationId).toBe(`INV-${opened.id}`);
        expect(events(opened)).toContain('investigation.opened');
        const investigation = clock(opened, 'investigation');
        expect(investigation.state).toBe('running');
        expect(Date.parse(investigation.deadline) - Date.parse(investigation.startedAt)).toBe(72 * HOUR);
      });

      await resolve(handle, { resolution: 'the neighbour signed for it', outcome: 'found' });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(done.outcome.resolution).toEqual({ text: 'the neighbour signed for it', outcome: 'found', by: 'li.wei' });
        expect(events(done)).toEqual(expect.arrayContaining(['investigation.found', 'case.completed']));
        expect(clock(done, 'investigation').state).toBe('met');
        expect(done.assignee).toBe('li.wei');
        expect(world.refunds).toEqual([]);
        expect(world.shipments).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the closing message');
      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 4 }] });
      expect(surveyed.survey?.score).toBe(4);
    }));

  test('when the parcel is lost, a reship outcome ships the items again and the case completes on confirmation', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      await resolve(handle, { resolution: 'lost at the depot', outcome: 'reship' });
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      const parcel = parcelsOf(world, shipped.id)[0];
      about(shipped, () => {
        expect(events(shipped)).toEqual(expect.arrayContaining(['investigation.reship', 'shipment.handed_to_courier']));
        expect(parcelsOf(world, shipped.id).map((p) => p.purpose)).toEqual(['reship']);
        expect(clock(shipped, 'reship').state).toBe('met');
      });
      expect(messagesWith(world, 'reship_shipped')[0]?.params.trackingNumber).toBe(parcel.trackingNumber);
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
    }));

  test('a refund outcome refunds the claim and completes when the refund settles', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      await resolve(handle, { resolution: 'courier admits the loss', outcome: 'refund' });
      const refunding = await waitForStatus(handle, 'refunding');
      expect((await refundIssued(world, refunding.id)).amount).toBe(25_900);
      await settleRefund(handle, world, refunding.id);
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toContain('investigation.refund');
        expect(done.refund).toMatchObject({ amount: 25_900, status: 'succeeded' });
        expect(world.shipments).toEqual([]);
      });
    }));

  test('a resolution without an outcome, or an empty one, is refused as invalid input and changes nothing', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      const before = await handle.query(getCaseQuery);
      for (const command of [{ resolution: 'still looking' }, { resolution: ' ', outcome: 'found' as const }]) {
        const refused = await refusal(resolve(handle, command));
        expect({ command, type: refused.type }).toEqual({ command, type: 'InvalidCommandInput' });
      }
      const after = await handle.query(getCaseQuery);
      about(after, () => {
        expect(after.version).toBe(before.version);
        expect(after.status).toBe('investigating');
      });
    }));

  test('a compensation on a courier exception is refused as invalid input: it takes an outcome, not compensation', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      const before = await handle.query(getCaseQuery);
      const refused = await refusal(resolve(handle, { resolution: 'found, with a coupon for the wait', outcome: 'found', compensation: { kind: 'coupon', amount: 1_000 } }));
      expect(refused.type).toBe('InvalidCommandInput');
      const after = await handle.query(getCaseQuery);
      about(after, () => {
        expect(after.version).toBe(before.version);
        expect(after.status).toBe('investigating');
        expect(world.coupons).toEqual([]);
      });
    }));

  test('when the investigation is not concluded within 72h, the case warns, breaches and escalates to the team lead', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      await env.sleep('58 hours');
      const warned = await handle.query(getCaseQuery);
      about(warned, () => {
        expect(clock(warned, 'investigation').warnedAt).toBeDefined();
        expect(warned.escalation.level).toBe(0);
      });
      await env.sleep('14 hours');
      await waitFor(() => world.escalations.length === 1, 'the breach to be recorded');
      const breached = await handle.query(getCaseQuery);
      about(breached, () => {
        expect(breached.status).toBe('investigating');
        expect(clock(breached, 'investigation').state).toBe('breached');
        expect(breached.breached).toBe(true);
        expect(breached.escalation.level).toBe(1);
        expect(events(breached)).toEqual(expect.arrayContaining(['sla.warning', 'sla.breached', 'sla.escalated']));
      });
      expect(world.escalations.map((e) => [e.clock, e.level, e.caseType])).toEqual([['investigation', 1, 'courier_exception']]);
      expect(world.templatesTo(TEAM_LEAD)).toContain('sla_escalation');
    }));

  test('the owner may withdraw the inquiry while it is investigated', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'found it at the neighbours' }] });
      about(cancelled, () => {
        expect(cancelled.status).toBe('cancelled');
        expect(clock(cancelled, 'investigation').state).toBe('met');
      });
    }));

  test('a supervisor assigns the case, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openInvestigated();
      await expectAssignedAndSurveyRefused(handle);
    }));
});

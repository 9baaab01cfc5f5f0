import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseSnapshot, TimelineEntry } from '../../domain/case.types';
import { defaultPolicy, type Policy } from '../../domain/policy';
import { caseStartOptions, caseWorkflowInput } from '../../api/case-start-options';
import { checkEligibility } from '../../domain/eligibility';
import { caseWorkflowId } from '../../domain/ids';
import { FEATURE_LEVEL_OVERDUE, getCaseQuery, resolutionUpdate, reviewUpdate, surveyUpdate, WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';
import { Features } from '../../workflows/features';
import { about, actors, caseRequest, clock, FakeWorld, startCase, waitFor, waitForCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';
import { patchMarkers } from './support/history-markers';

// Issue 24: no case waits on a notification. Every message goes through the case's outbox, sent
// beside the case under a deadline (workflows/outbox.ts); escalation never depends on delivery.

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

const MINUTE = 60_000;
const TEAM_LEAD = 'team-lead@aftersales.local';
const MANAGER = 'manager@aftersales.local';
// Above the policy's auto-approve amount: a breached review stays with a person.
const TV = { items: [{ sku: 'TV-1', quantity: 1, unitPrice: 399_900 }] };

/** A policy of an hour: review due in 60 min (warning at 48), level 2 half an hour after the breach, 2 h for the customer to ship. */
function shortPolicy(): Policy {
  const policy = defaultPolicy();
  return {
    ...policy,
    sla: { ...policy.sla, review: '1h' },
    customerTimeouts: { ...policy.customerTimeouts, returnShipment: '2h' },
    escalation: {
      ...policy.escalation,
      levels: [
        { level: 1, after: '0s', notify: [TEAM_LEAD], priority: 'high' },
        { level: 2, after: '30m', notify: [MANAGER], priority: 'urgent' },
      ],
    },
  };
}

/** The case's timeline entries of one kind. */
function entries(snapshot: CaseSnapshot, event: string): TimelineEntry[] {
  return snapshot.timeline.filter((e) => e.event === event);
}

/** True when each instant happened within a second after (or at) its due instant. */
function onTime(happened: number[], due: number[]): boolean {
  return happened.length === due.length && happened.every((at, i) => at >= due[i] - 1000 && at - due[i] < 1000);
}

/** The commands (timers, activity types) of the workflow task that first scheduled activity `type`, in order. */
async function commandsOfTaskThatFirst(handle: CaseHandle, type: string): Promise<string[]> {
  const history = await handle.fetchHistory();
  let commands: string[] = [];
  for (const e of history.events ?? []) {
    if (e.workflowTaskCompletedEventAttributes) commands = [];
    else if (e.timerStartedEventAttributes) commands.push('timer');
    else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
      commands.push(name);
      if (name === type) return commands;
    }
  }
  return commands;
}

describe('the notification outbox: escalation never waits on a notification', () => {
  test('with the notification provider failing every call, the warning, breach, level-2 escalation and the customer timeout happen when due; once it is back every notification is delivered exactly once', () =>
    withWorker(async () => {
      world.notificationDown = true;
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), TV), shortPolicy());
      const opened = await waitForStatus(handle, 'awaiting_review');
      const deadline = Date.parse(clock(opened, 'review').deadline);

      // Past the warning (48 min), the breach (60) and level 2 (90), the provider down all along.
      await env.sleep('100 minutes');
      const escalated = await waitForCase(handle, 'level 2', (s) => s.escalation.level === 2);
      about(escalated, () => {
        // Each step when due (a timer fires within milliseconds of its instant; the warning's is rounded by the calendar arithmetic).
        const at = (event: string) => entries(escalated, event).map((e) => Date.parse(e.at));
        expect(onTime(at('sla.warning'), [deadline - 12 * MINUTE])).toBe(true);
        expect(onTime(at('sla.breached'), [deadline])).toBe(true);
        expect(entries(escalated, 'sla.escalated').map((e) => e.data?.level)).toEqual([1, 2]);
        expect(onTime(at('sla.escalated'), [deadline, deadline + 30 * MINUTE])).toBe(true);
        expect(escalated.priority).toBe('urgent');
      });
      // The supervisor armed its next timer (level 2's) in the breach's own task, before the escalation's activity.
      expect(await commandsOfTaskThatFirst(handle, 'notifyEscalation')).toEqual(['timer', 'notifyEscalation']);
      // Nothing went out, but the provider was tried, and each step was recorded for the report meanwhile.
      expect(world.messages).toEqual([]);
      expect(world.notifyCalls).toBeGreaterThan(3);
      expect(world.escalations.filter((e) => e.caseId === opened.id).map((e) => e.level)).toEqual([1, 2]);

      // A command answers at once (nothing holds it), and the customer's clock starts behind it.
      const approved = await handle.executeUpdate(reviewUpdate, { args: [{ actor: actors.agent, decision: 'approve' }] });
      expect(approved.status).not.toBe('awaiting_review');
      const waiting = await waitForCase(handle, 'the return shipment clock', (s) => s.sla.some((c) => c.name === 'return_shipment'));
      const shipBy = Date.parse(clock(waiting, 'return_shipment').deadline);

      // The customer never ships: the case expires when due, the provider still down.
      await env.sleep('125 minutes');
      const expired = await waitForStatus(handle, 'expired');
      about(expired, () => {
        expect(onTime(entries(expired, 'customer.timeout').map((e) => Date.parse(e.at)), [shipBy])).toBe(true);
        expect(entries(expired, 'notification.failed')).toEqual([]);
      });
      expect(world.messages).toEqual([]);

      // The provider is back: every notification the case queued goes out, each once.
      world.notificationDown = false;
      await env.sleep('2 minutes');
      const expected = ['sla_warning', 'sla_escalation', 'sla_escalation', 'return_label', 'case_expired'];
      await waitFor(() => world.messages.filter((m) => m.message.caseId === opened.id).length >= expected.length, 'every queued notification');
      const sent = world.messages.filter((m) => m.message.caseId === opened.id);
      expect(sent.map((m) => m.message.template).sort()).toEqual([...expected].sort());
      expect(world.templatesTo(TEAM_LEAD)).toEqual(expect.arrayContaining(['sla_warning', 'sla_escalation']));
      expect(world.templatesTo(MANAGER)).toEqual(['sla_escalation']);
      expect(world.sentKeys.filter((key) => key.startsWith(`${opened.id}:`)).sort()).toEqual(sent.map((m) => m.key).sort());
      // A case opened at the current feature level runs the outbox without its marker, and escalates without escalation-record-activity's.
      const markers = await patchMarkers(handle);
      expect(markers).not.toContain(Features.notificationOutbox);
      expect(markers).not.toContain(Features.escalationRecordActivity);
    }));

  test('a case opened before the outbox (feature level 2) moves to it at its first notification, with one patch marker, and escalates on time during the outage', () =>
    withWorker(async () => {
      world.notificationDown = true;
      const policy = shortPolicy();
      const nowMs = await env.currentTimeMs();
      const request = caseRequest(nowMs, TV);
      const verdict = checkEligibility(request, policy, nowMs);
      if (!verdict.eligible) throw new Error('not eligible');
      const input = { ...caseWorkflowInput(`level2-${nowMs}`, request, policy, actors.customer, verdict, nowMs), featureLevel: FEATURE_LEVEL_OVERDUE };
      const { typedSearchAttributes } = caseStartOptions(input, world.taskQueue, { role: 'customer', customerId: request.customerId });
      world.deliveries.set(request.orderId, request.order.deliveredAt ?? null);
      const handle = await env.client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE.return, { taskQueue: world.taskQueue, workflowId: caseWorkflowId(input.caseId), args: [input], typedSearchAttributes });
      world.started.push(handle);
      const opened = await waitForStatus(handle, 'awaiting_review');
      const deadline = Date.parse(clock(opened, 'review').deadline);

      await env.sleep('100 minutes');
      const escalated = await waitForCase(handle, 'level 2', (s) => s.escalation.level === 2);
      const at = (event: string) => entries(escalated, event).map((e) => Date.parse(e.at));
      expect(onTime(at('sla.breached'), [deadline])).toBe(true);
      expect(onTime(at('sla.escalated'), [deadline, deadline + 30 * MINUTE])).toBe(true);
      const markers = await patchMarkers(handle);
      expect(markers.filter((id) => id === Features.notificationOutbox)).toHaveLength(1);
      expect(markers).not.toContain(Features.escalationRecordActivity);

      world.notificationDown = false;
      await env.sleep('2 minutes');
      await waitFor(() => world.messages.filter((m) => m.message.caseId === opened.id).length >= 3, 'the warning and both escalations');
      expect(world.messages.filter((m) => m.message.caseId === opened.id).map((m) => m.message.template).sort()).toEqual(['sla_escalation', 'sla_escalation', 'sla_warning']);
    }));

  test('a notification the provider refuses for good is recorded on the timeline and given up, and the case still completes', () =>
    withWorker(async () => {
      world.refusesTemplate = (template) => template === 'complaint_recorded';
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), { type: 'complaint', reason: { code: 'other', description: 'the courier was rude' } }));
      const failed = await waitForCase(handle, 'the refused message on the timeline', (s) => entries(s, 'notification.failed').length > 0);
      about(failed, () => {
        expect(entries(failed, 'notification.failed').map((e) => e.data)).toEqual([{ template: 'complaint_recorded', recipient: 'staff', reason: 'rejected' }]);
        expect(failed.status).toBe('investigating');
      });

      await handle.executeUpdate(resolutionUpdate, { args: [{ actor: actors.agent, resolution: 'apologised' }] });
      await waitForStatus(handle, 'completed');
      await handle.executeUpdate(surveyUpdate, { args: [{ actor: actors.customer, score: 4 }] });
      expect(await handle.result()).toMatchObject({ status: 'completed' });
      expect(world.templatesTo(actors.customer.id)).toEqual(['case_completed']);
      // The refusal was tried once, not retried.
      expect(world.sentKeys.filter((k) => k.includes('complaint-recorded'))).toEqual([]);
    }));

  test('notifications still failing at the outbox deadline are given up on the timeline, and the workflow ends only after them', () =>
    withWorker(async () => {
      world.notificationDown = true;
      const handle = await startCase(env, world, caseRequest(await env.currentTimeMs(), { type: 'complaint', reason: { code: 'other', description: 'late parcel' } }));
      await waitForStatus(handle, 'investigating');
      await handle.executeUpdate(resolutionUpdate, { args: [{ actor: actors.agent, resolution: 'apologised' }] });
      await waitForStatus(handle, 'completed');
      await handle.executeUpdate(surveyUpdate, { args: [{ actor: actors.customer, score: 5 }] });
      // The survey is answered, but the staff queue's message and the closing one are still being tried.
      expect((await handle.describe()).status.name).toBe('RUNNING');

      await env.sleep('7 hours');
      expect(await handle.result()).toMatchObject({ status: 'completed' });
      const closed = await handle.query(getCaseQuery);
      expect(entries(closed, 'notification.failed').map((e) => e.data)).toEqual(
        expect.arrayContaining([
          { template: 'complaint_recorded', recipient: 'staff', reason: 'deadline' },
          { template: 'case_completed', recipient: 'customer', reason: 'deadline' },
        ]),
      );
      expect(world.messages).toEqual([]);
      expect(await patchMarkers(handle)).not.toContain(Features.escalationRecordActivity);
    }));
});

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { CaseSnapshot, SlaClockView } from '../../domain/case.types';
import { CaseStatusKey, CaseTypeKey, SlaBreachedKey } from '../../domain/search-attributes';
import { caseWorkflowId } from '../../domain/ids';
import { startExtraApp, type ExtraApp } from './stack/extra-app';
import { STACK_ENV } from './stack/stack-file';
import { CasesApi, describeCase, eventually, requiredEnv, SandboxClient, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';
import { connectStackClient } from './support/fixtures';

// SLA clocks on the running stack: an extra worker + API pair runs a policy whose review
// budget is three seconds, so a review left undecided breaches and climbs the escalation
// ladder in real time — the durable timer of the workflow, the real notification provider
// (sandbox outbox), the read model and the Temporal visibility store, nothing simulated.

const REVIEW_BUDGET_MS = 3000;
const LEVEL_2_AFTER_MS = 2000;

/** Seconds-long budgets; parsePolicy merges the document over the default policy (docs/business-rules.md). */
const secondsPolicy = (autoApproveBelow: { amount: number; currency: string } | null) => ({
  version: autoApproveBelow ? 'it-seconds-auto-approve' : 'it-seconds',
  sla: { review: `${REVIEW_BUDGET_MS / 1000}s` },
  escalation: {
    warningFraction: 0.5,
    levels: [
      { level: 1, after: '0s', notify: ['team-lead@it.local'], priority: 'high' },
      { level: 2, after: `${LEVEL_2_AFTER_MS / 1000}s`, notify: ['manager@it.local'], priority: 'urgent' },
    ],
  },
  autoActions: { approveReviewOnBreachBelow: autoApproveBelow },
});

const tokens = stackTokens();
const sandbox = new SandboxClient(requiredEnv(STACK_ENV.sandboxUrl));
const mainApi = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);

let policyDir: string;
let ladderApp: ExtraApp | undefined;
let autoApproveApp: ExtraApp | undefined;
let ladder: CasesApi;
let autoApprove: CasesApi;
let closeTemporal: (() => Promise<void>) | undefined;
let temporal: Client;

beforeAll(async () => {
  policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-it-policy-'));
  const writePolicy = (name: string, document: unknown) => {
    const file = path.join(policyDir, name);
    fs.writeFileSync(file, JSON.stringify(document, null, 2));
    return file;
  };
  const suffix = randomUUID().slice(0, 8);
  [ladderApp, autoApproveApp] = await Promise.all([
    startExtraApp({ policyFile: writePolicy('it-seconds.json', secondsPolicy(null)), taskQueue: `it-sla-ladder-${suffix}` }),
    startExtraApp({
      policyFile: writePolicy('it-seconds-auto-approve.json', secondsPolicy({ amount: 10_000, currency: 'CNY' })),
      taskQueue: `it-sla-auto-${suffix}`,
    }),
  ]);
  ladder = new CasesApi(ladderApp.apiUrl, tokens.agent);
  autoApprove = new CasesApi(autoApproveApp.apiUrl, tokens.agent);
  const connected = await connectStackClient();
  temporal = connected.client;
  closeTemporal = connected.close;
}, 90_000);

afterAll(async () => {
  await Promise.all([ladderApp?.stop(), autoApproveApp?.stop()]);
  await closeTemporal?.();
  if (policyDir) fs.rmSync(policyDir, { recursive: true, force: true });
});

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/** A no-reason return by customer c-1 of one item worth `unitPrice`, delivered two days ago. */
function returnOf(unitPrice: number): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-SLA-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-LAMP-1', quantity: 1, unitPrice }],
    reason: { code: 'no_reason' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: unitPrice, currency: 'CNY' },
  };
}

function reviewClock(snapshot: CaseSnapshot): SlaClockView {
  const clock = snapshot.sla.find((c) => c.name === 'review');
  if (!clock) throw new Error(`${describeCase(snapshot)}; it has no review clock`);
  return clock;
}

/** Escalation steps of the review clock, as [level, reason, ms after the breach]. */
function ladderSteps(snapshot: CaseSnapshot, breachedAtMs: number): [number, string, number][] {
  return snapshot.escalation.history.filter((s) => s.clock === 'review').map((s) => [s.level, s.reason, Date.parse(s.at) - breachedAtMs]);
}

describe('SLA escalation on the running stack (review budget of 3 s)', () => {
  test('a review left undecided breaches within a second of its deadline and climbs the ladder: team lead at once, manager 2 s later as urgent', async () => {
    const opened = await ladder.opened(tokens.customer, returnOf(50_000));
    expect(opened.policyVersion).toBe('it-seconds');
    const id = opened.id;

    const escalated = await ladder.waitFor(id, 'escalation level 2', (c) => c.escalation.level >= 2, REVIEW_BUDGET_MS + LEVEL_2_AFTER_MS + 10_000);
    const review = reviewClock(escalated);
    if (review.state !== 'breached' || !review.breachedAt) throw new Error(`the review clock is ${review.state}, not breached; ${describeCase(escalated)}`);

    // The breach is taken by the workflow's durable timer, not by a poller: late by milliseconds.
    const deadlineMs = Date.parse(review.deadline);
    const breachedAtMs = Date.parse(review.breachedAt);
    const latenessMs = breachedAtMs - deadlineMs;
    console.log(`review SLA breach lateness on the running stack: ${latenessMs} ms (deadline ${review.deadline}, breachedAt ${review.breachedAt})`);
    expect(latenessMs).toBeGreaterThanOrEqual(0);
    expect(latenessMs).toBeLessThan(1000);
    expect(deadlineMs - Date.parse(review.startedAt)).toBe(REVIEW_BUDGET_MS);

    // Warning at half the budget, level 1 at the breach, level 2 two seconds after it.
    const steps = ladderSteps(escalated, breachedAtMs);
    expect(steps.map(([level, reason]) => [level, reason])).toEqual([
      [0, 'warning'],
      [1, 'breach'],
      [2, 'breach'],
    ]);
    const [, [, , level1AfterMs], [, , level2AfterMs]] = steps;
    expect(level1AfterMs).toBeGreaterThanOrEqual(0);
    expect(level1AfterMs).toBeLessThan(1000);
    expect(level2AfterMs).toBeGreaterThanOrEqual(LEVEL_2_AFTER_MS);
    expect(level2AfterMs).toBeLessThan(LEVEL_2_AFTER_MS + 1000);
    expect(escalated.escalation.history.filter((s) => s.reason === 'breach').map((s) => s.recipients)).toEqual([['team-lead@it.local'], ['manager@it.local']]);
    expect(escalated.priority).toBe('urgent');
    expect(escalated.breached).toBe(true);
    expectStatus(escalated, 'awaiting_review');
    const escalationPriorities = escalated.timeline.filter((e) => e.event === 'sla.escalated').map((e) => e.data?.priority);
    expect(escalationPriorities).toEqual(['high', 'urgent']);

    // Both recipients got the escalation from the real notification provider.
    const messages = await eventually(
      `sla_escalation messages of ${id} to the team lead and the manager`,
      async () => {
        const found = await sandbox.outbox({ caseId: id, template: 'sla_escalation' });
        return found.length >= 2 ? found : undefined;
      },
      { explain: async () => `outbox of the case: ${(await sandbox.outbox({ caseId: id })).map((m) => `${m.template}→${recipientOf(m.recipient)}`).join(', ')}` },
    );
    expect(messages.map((m) => [recipientOf(m.recipient), m.params.level])).toEqual([
      ['team-lead@it.local', 1],
      ['manager@it.local', 2],
    ]);

    // The read model lists it among breached cases (eventually consistent); so does the main API (same database).
    for (const api of [ladder, mainApi]) {
      const listed = await eventually(`case ${id} in GET /v1/cases?breached=true`, async () => {
        const page = await api.list(tokens.supervisor, { breached: 'true', orderId: opened.orderId });
        return page.body.items?.find((c) => c.id === id && c.escalation.level === 2);
      });
      expect(listed).toMatchObject({ breached: true, priority: 'urgent', status: 'awaiting_review' });
    }

    // Operators find it in the Temporal UI with `SlaBreached = true` (visibility is eventually consistent too).
    const workflowId = caseWorkflowId(id);
    const query = `SlaBreached = true AND CaseType = "return" AND WorkflowId = "${workflowId}"`;
    const found = await eventually(`workflow ${workflowId} in the visibility query ${query}`, async () => {
      for await (const execution of temporal.workflow.list({ query })) {
        if (execution.workflowId === workflowId) return execution;
      }
      return undefined;
    });
    const attributes = found.typedSearchAttributes;
    expect([attributes.get(SlaBreachedKey), attributes.get(CaseTypeKey), attributes.get(CaseStatusKey)]).toEqual([true, 'return', 'awaiting_review']);
    // The same query without the id — what an operator types — finds it among the others.
    const ids: string[] = [];
    for await (const execution of temporal.workflow.list({ query: 'SlaBreached = true AND CaseType = "return"' })) ids.push(execution.workflowId);
    expect(ids).toContain(workflowId);
  });

  test('with approveReviewOnBreachBelow set, a small refund whose review breaches is approved automatically, and a large one stays with a person', async () => {
    const small = await autoApprove.opened(tokens.customer, returnOf(5000));
    const large = await autoApprove.opened(tokens.customer, returnOf(20_000));
    expect(small.policyVersion).toBe('it-seconds-auto-approve');

    const approved = await autoApprove.waitForStatus(small.id, 'awaiting_return_shipment', REVIEW_BUDGET_MS + 10_000);
    const review = reviewClock(approved);
    expect(review.state).toBe('breached');
    expect(Date.parse(review.breachedAt ?? '') - Date.parse(review.deadline)).toBeLessThan(1000);
    expect(timelineEvents(approved)).toEqual(expect.arrayContaining(['sla.breached', 'sla.escalated', 'auto_action.review_approved', 'review.approved']));
    const approval = approved.timeline.find((e) => e.event === 'review.approved');
    expect(approval?.actor).toEqual({ kind: 'system', id: 'sla-auto-action' });
    // The return goes on as if an agent had approved it: the customer gets the label.
    await eventually(`the return label of the auto-approved case ${small.id}`, async () => {
      const labels = await sandbox.outbox({ caseId: small.id, template: 'return_label', recipient: 'c-1' });
      return labels.length > 0 ? labels : undefined;
    });

    // 20 000 is not below the 10 000 limit: the breach escalates and the case waits for an agent.
    const waiting = await autoApprove.waitFor(large.id, 'escalation level 1', (c) => c.escalation.level >= 1, REVIEW_BUDGET_MS + 10_000);
    expectStatus(waiting, 'awaiting_review');
    expect(timelineEvents(waiting)).not.toContain('auto_action.review_approved');
  });
});

function recipientOf(recipient: { kind: 'customer'; customerId: string } | { kind: 'staff'; address: string }): string {
  return recipient.kind === 'customer' ? recipient.customerId : recipient.address;
}

/** Fails with the case's status and timeline unless it is in `status`. */
function expectStatus(snapshot: CaseSnapshot, status: CaseSnapshot['status']): void {
  if (snapshot.status !== status) throw new Error(`expected status ${status}, but ${describeCase(snapshot)}`);
}

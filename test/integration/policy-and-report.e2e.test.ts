import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beijingDate } from '../../domain/beijing-time';
import type { CaseSnapshot } from '../../domain/case.types';
import type { SlaReport } from '../../store/sla-report.metrics';
import { startExtraApp, type ExtraApp } from './stack/extra-app';
import { STACK_ENV } from './stack/stack-file';
import { CasesApi, describeCase, eventually, HttpClient, requiredEnv, stackTokens, type TokenEntry } from './support/http-client';

// Policy versions and the SLA report on the running stack: an extra worker + API pair reads a
// policy file that the test rewrites and reloads, and a case breaches in real time under it.

const tokens = stackTokens();
const adminToken = (JSON.parse(fs.readFileSync(requiredEnv(STACK_ENV.tokensFile), 'utf8')) as { tokens: TokenEntry[] }).tokens.find((t) => t.role === 'admin')?.token;
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

let dir: string;
let policyFile: string;
let app: ExtraApp | undefined;
let api: CasesApi;
let http: HttpClient;

function writePolicy(version: string, review: string): void {
  fs.writeFileSync(policyFile, JSON.stringify({ version, sla: { review }, autoActions: { approveReviewOnBreachBelow: null } }));
}

function returnBody(): Record<string, unknown> & { type: string; orderId: string; customerId: string } {
  return {
    type: 'return',
    orderId: `IT-POL-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-PEN', quantity: 1, unitPrice: 20_000 }],
    reason: { code: 'no_reason' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 20_000, currency: 'CNY' },
  };
}

const reviewBudgetMs = (c: CaseSnapshot) => {
  const review = c.sla.find((clock) => clock.name === 'review');
  if (!review) throw new Error(`no review clock: ${describeCase(c)}`);
  return Date.parse(review.deadline) - Date.parse(review.startedAt);
};

beforeAll(async () => {
  if (!adminToken) throw new Error('the tokens file has no admin token');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-it-policy-versions-'));
  policyFile = path.join(dir, 'policy.json');
  writePolicy('it-v1', '2s');
  app = await startExtraApp({ policyFile, taskQueue: `it-policy-${randomUUID().slice(0, 8)}` });
  api = new CasesApi(app.apiUrl, tokens.agent);
  http = new HttpClient(app.apiUrl);
});

afterAll(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('policy versions and the SLA report', () => {
  test('a running case keeps the policy it started with after a reload; new cases take the new version', async () => {
    const before = await api.opened(tokens.customer, returnBody());
    expect(before.policyVersion).toBe('it-v1');
    expect(reviewBudgetMs(before)).toBe(2000);

    writePolicy('it-v2', '9h');
    const reload = await http.as(adminToken as string).post('/v1/admin/policy/reload');
    expect({ status: reload.status, body: reload.body }).toMatchObject({ status: 200, body: { version: 'it-v2' } });
    const notAdmin = await http.as(tokens.supervisor).post('/v1/admin/policy/reload');
    expect(notAdmin.status).toBe(403);

    const after = await api.opened(tokens.customer, returnBody());
    expect(after.policyVersion).toBe('it-v2');
    expect(reviewBudgetMs(after)).toBe(9 * 3_600_000);

    // The first case still runs on v1: its 2 s review breaches although v2 gives 9 h.
    const breached = await api.waitFor(before.id, 'the v1 review to breach', (c) => c.breached, 15_000);
    expect(breached.policyVersion).toBe('it-v1');
    expect((await api.get(after.id)).breached).toBe(false);
  });

  test('a broken policy file is refused on reload and the policy in force stays', async () => {
    fs.writeFileSync(policyFile, JSON.stringify({ version: 'it-broken', sla: { review: 'soon' } }));
    const reload = await http.as(adminToken as string).post<{ error: { code: string; message: string } }>('/v1/admin/policy/reload');
    expect(reload.status).toBe(422);
    expect(reload.body.error.message).toContain('sla.review');
    const opened = await api.opened(tokens.customer, returnBody());
    expect(opened.policyVersion).toBe('it-v2');
  });

  test('the SLA report counts a review breach against the agent it was assigned to', async () => {
    writePolicy('it-v3', '2s');
    expect((await http.as(adminToken as string).post('/v1/admin/policy/reload')).status).toBe(200);
    const from = new Date(Date.now() - 60_000).toISOString();
    const agent = `report-agent-${randomUUID().slice(0, 8)}`;
    const opened = await api.opened(tokens.customer, returnBody());
    await api.accepted(tokens.supervisor, opened.id, 'assign', { assignee: agent });
    const escalated = await api.waitFor(opened.id, 'the review to escalate', (c) => c.escalation.level >= 1, 15_000);
    const breach = escalated.escalation.history.find((step) => step.reason === 'breach' && step.level === 1);
    if (!breach) throw new Error(`no level-1 breach in the escalation history: ${describeCase(escalated)}`);

    const report = await eventually(
      `the breach of ${opened.id} in the SLA report`,
      async () => {
        const to = new Date(Date.now() + 60_000).toISOString();
        const answer = await http.as(tokens.supervisor).get<SlaReport>(`/v1/reports/sla?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
        if (answer.status !== 200) throw new Error(`GET /v1/reports/sla answered ${answer.status}: ${answer.text}`);
        return answer.body.breaches.byAssignee[agent] === 1 ? answer.body : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(report.breaches.byClock.review).toBeGreaterThanOrEqual(1);
    expect(report.clocks.review?.breached).toBeGreaterThanOrEqual(1);
    // The breach is on the Beijing day it happened (the range may span two), and the days add up to the totals.
    const days = report.breachesByDay.map((d) => d.day);
    expect(days).toEqual([...new Set([beijingDate(Date.parse(from)), beijingDate(Date.parse(report.range.to) - 1)])]);
    expect(report.breachesByDay.find((d) => d.day === beijingDate(Date.parse(breach.at)))).toMatchObject({ byAssignee: { [agent]: 1 } });
    expect(report.breachesByDay.filter((d) => d.byAssignee[agent] !== undefined)).toHaveLength(1);
    expect(report.breachesByDay.reduce((n, d) => n + d.total, 0)).toBe(report.breaches.total);
    for (const clock of Object.keys(report.breaches.byClock) as (keyof SlaReport['breaches']['byClock'])[]) {
      expect({ clock, perDay: report.breachesByDay.reduce((n, d) => n + (d.byClock[clock] ?? 0), 0) }).toEqual({ clock, perDay: report.breaches.byClock[clock] });
    }

    const tooLong = await http.as(tokens.supervisor).get<{ error: { details: { field: string }[] } }>(`/v1/reports/sla?from=2020-01-01T00:00:00Z&to=2021-01-02T00:00:00Z`);
    expect({ status: tooLong.status, fields: tooLong.body.error?.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['from'] });

    const asCustomer = await http.as(tokens.customer).get(`/v1/reports/sla?from=${encodeURIComponent(from)}`);
    expect(asCustomer.status).toBe(403);
    const backwards = await http.as(tokens.supervisor).get(`/v1/reports/sla?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(from)}`);
    expect(backwards.status).toBe(400);
  });
});

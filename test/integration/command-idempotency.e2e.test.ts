import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { STACK_ENV } from './stack/stack-file';
import { CasesApi, describeCase, HttpClient, requiredEnv, stackTokens, timelineEvents, type ApiErrorBody, type OpenCaseBody } from './support/http-client';
import { connectStackClient } from './support/fixtures';

// A command sent with an Idempotency-Key runs as the Workflow Update whose id comes from the
// key: a retry of it (after an answer lost to a dead connection or process) gets the first
// answer instead of a 409 for a status the first one already left, and the same key with a
// different body is refused.

const tokens = stackTokens();
const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const cases = new CasesApi(apiUrl, tokens.agent);
const agent = new HttpClient(apiUrl).as(tokens.agent);

let closeTemporal: (() => Promise<void>) | undefined;
let temporal: Client;

beforeAll(async () => {
  const connected = await connectStackClient();
  temporal = connected.client;
  closeTemporal = connected.close;
});

afterAll(async () => {
  await closeTemporal?.();
});

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

function returnBody(): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-CMDKEY-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: 4200 }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 4200, currency: 'CNY' },
  };
}

type Answer = { status: number; body: CaseSnapshot & ApiErrorBody; text: string };
const review = (caseId: string, body: object, key?: string): Promise<Answer> =>
  agent.post<CaseSnapshot & ApiErrorBody>(`/v1/cases/${caseId}/review`, body, key === undefined ? {} : { 'idempotency-key': key });
const summary = (a: Answer) => ({ status: a.status, caseStatus: a.body.status, version: a.body.version });

describe('commands with an Idempotency-Key', () => {
  test('when the same review is sent twice with one key, both answers are 200 with the same case version and the review happens once', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const key = `it-review-${randomUUID()}`;

    const first = await review(opened.id, { decision: 'approve' }, key);
    expect({ status: first.status, text: first.status === 200 ? '' : first.text }).toEqual({ status: 200, text: '' });
    expect(first.body.status).toBe('awaiting_return_shipment');
    const again = await review(opened.id, { decision: 'approve' }, key);
    expect(summary(again)).toEqual(summary(first));

    // Without the key, the same review is a new command, which the case no longer takes.
    const unkeyed = await review(opened.id, { decision: 'approve' });
    expect(unkeyed.status).toBe(409);

    const now = await cases.get(opened.id);
    expect(timelineEvents(now).filter((e) => e === 'review.approved')).toHaveLength(1);
  });

  test('when two requests with one key race, both get the answer of the one review that ran', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const key = `it-race-${randomUUID()}`;
    const [a, b] = await Promise.all([review(opened.id, { decision: 'approve' }, key), review(opened.id, { decision: 'approve' }, key)]);
    expect([summary(a), summary(b)].map((s) => s.status)).toEqual([200, 200]);
    expect(summary(b)).toEqual(summary(a));
    const now = await cases.get(opened.id);
    expect({ approvals: timelineEvents(now).filter((e) => e === 'review.approved').length, case: describeCase(now) }).toMatchObject({ approvals: 1 });
  });

  test('when a key that ran one command is sent with a different body, the answer is 409 idempotency_key_reused and the case is untouched', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const key = `it-reuse-${randomUUID()}`;
    const first = await review(opened.id, { decision: 'approve' }, key);
    expect(first.status).toBe(200);

    const different = await review(opened.id, { decision: 'request_info', note: 'a photo of the label, please' }, key);
    expect({ status: different.status, code: different.body.error?.code, fields: different.body.error?.details?.map((d) => d.field) }).toEqual({
      status: 409,
      code: 'idempotency_key_reused',
      fields: ['Idempotency-Key'],
    });
    // The case goes on by itself after the approval (the label); the refused review left no trace.
    const now = await cases.get(opened.id);
    expect({ reviews: timelineEvents(now).filter((e) => e.startsWith('review.')), case: describeCase(now) }).toMatchObject({ reviews: ['review.approved'] });
  });

  test('when the case workflow has ended since, a retry with the key still gets the first answer (without the key: 409 case_closed)', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const customer = new HttpClient(apiUrl).as(tokens.customer);
    const cancel = (key?: string): Promise<Answer> =>
      customer.post<CaseSnapshot & ApiErrorBody>(`/v1/cases/${opened.id}/cancel`, { note: 'no longer needed' }, key === undefined ? {} : { 'idempotency-key': key });
    const key = `it-cancel-${randomUUID()}`;
    const first = await cancel(key);
    expect({ status: first.status, caseStatus: first.body.status }).toEqual({ status: 200, caseStatus: 'cancelled' });
    // The customer answers the survey, which ends the case's workflow; Temporal keeps the Update's outcome with the closed run.
    expect((await customer.post(`/v1/cases/${opened.id}/survey`, { score: 5 })).status).toBe(200);
    await temporal.workflow.getHandle(caseWorkflowId(opened.id)).result();

    expect(summary(await cancel(key))).toEqual(summary(first));
    const unkeyed = await cancel();
    expect({ status: unkeyed.status, code: unkeyed.body.error?.code }).toEqual({ status: 409, code: 'case_closed' });
  });

  test('the history names who did what in clear, in each Update id, with the key kept and no free text', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const customer = new HttpClient(apiUrl).as(tokens.customer);
    const asked = await review(opened.id, { decision: 'request_info', note: 'a photo of the label, please' });
    expect(asked.status).toBe(200);
    expect((await customer.post(`/v1/cases/${opened.id}/customer-info`, { message: 'here it is' })).status).toBe(200);
    const key = `it-label-${randomUUID()}`;
    const approved = await review(opened.id, { decision: 'approve' }, key);
    expect(approved.status).toBe(200);
    const agentId = approved.body.timeline.find((e) => e.event === 'review.approved')?.actor.id;

    const history = await temporal.workflow.getHandle(caseWorkflowId(opened.id)).fetchHistory();
    const ids = (history.events ?? []).flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? []);
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(new RegExp(`^agent ${agentId}: review request_info \\(${uuid}\\)$`));
    expect(ids[1]).toMatch(new RegExp(`^customer c-1: customerInfo \\(${uuid}\\)$`));
    expect(ids[2]).toMatch(new RegExp(`^agent ${agentId}: review approve \\(cmd-[0-9a-f]{32}\\)$`));

    // A retry of the keyed approval attaches to that Update.
    expect(summary(await review(opened.id, { decision: 'approve' }, key))).toEqual(summary(approved));
  });

  test('when the key is not printable ASCII, the answer is 400 naming Idempotency-Key', async () => {
    const opened = await cases.opened(tokens.customer, returnBody());
    const answer = await review(opened.id, { decision: 'approve' }, 'has spaces in it');
    expect({ status: answer.status, fields: answer.body.error?.details?.map((d) => d.field) }).toEqual({ status: 400, fields: ['Idempotency-Key'] });
  });
});

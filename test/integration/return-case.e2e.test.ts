import { randomUUID } from 'node:crypto';
import type { CaseSnapshot, SlaClockView } from '../../domain/case.types';
import { defaultPolicy } from '../../domain/policy';
import { STACK_ENV } from './stack/stack-file';
import { CasesApi, describeCase, eventually, requiredEnv, SandboxClient, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';

// The return case (退货退款) end to end on the running stack: the real HTTP API, the
// Temporal dev server, the worker with its real activities, FerretDB, and the provider
// sandbox, whose signed tracking and settlement callbacks come back through the API's
// webhooks. Every test opens its own order, so tests never see each other's cases.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const sandbox = new SandboxClient(requiredEnv(STACK_ENV.sandboxUrl));

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
// The tracking callbacks come 200 ms apart in the stack; a few seconds covers a slow machine.
const CALLBACKS_MS = 20_000;

/** A no-reason return by customer c-1 of one item delivered two days ago (inside the 7-day window). */
function returnOf(unitPrice: number, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-RET-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: unitPrice, currency: 'CNY' },
    ...overrides,
  };
}

function clockOf(snapshot: CaseSnapshot, name: SlaClockView['name']): SlaClockView {
  const clock = snapshot.sla.find((c) => c.name === name);
  if (!clock) throw new Error(`${describeCase(snapshot)}; it has no ${name} clock (clocks: ${snapshot.sla.map((c) => c.name).join(', ')})`);
  return clock;
}

/** Fails with the case's status and timeline unless it is in `status`. */
function expectStatus(snapshot: CaseSnapshot, status: CaseSnapshot['status']): void {
  if (snapshot.status !== status) throw new Error(`expected status ${status}, but ${describeCase(snapshot)}`);
}

/** Opens, approves and ships a return back on the shop's label; the case and the label's tracking number. */
async function approvedAndShipped(body: OpenCaseBody): Promise<{ id: string; trackingNumber: string }> {
  const opened = await cases.opened(tokens.customer, body);
  const approved = await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
  expectStatus(approved, 'awaiting_return_shipment');
  const shipped = await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
  const parcel = shipped.shipments.find((s) => s.direction === 'return');
  if (!parcel) throw new Error(`the shipment report answered no return parcel: ${describeCase(shipped)}`);
  return { id: opened.id, trackingNumber: parcel.trackingNumber };
}

describe('a return case through the HTTP API and the provider sandbox', () => {
  test('a no-reason return is opened, approved, shipped back, inspected and refunded once for the claim less the return shipping fee', async () => {
    const body = returnOf(5000);
    const key = `it-${randomUUID()}`;

    // Open: 201 with a Location; the same Idempotency-Key answers 200 with the same case.
    const first = await cases.open(tokens.customer, body, key);
    expect(first.status).toBe(201);
    const caseId = first.body.id;
    expect(first.headers.get('location')).toBe(`/v1/cases/${caseId}`);
    expectStatus(first.body, 'awaiting_review');
    const repeat = await cases.open(tokens.customer, body, key);
    expect({ status: repeat.status, id: repeat.body.id }).toEqual({ status: 200, id: caseId });

    // The survey opens only when the case is closed.
    const early = await cases.command(tokens.customer, caseId, 'survey', { score: 5 });
    expect(early.status).toBe(409);

    // The agent approves; the customer gets the return label from the notification provider.
    const approved = await cases.accepted(tokens.agent, caseId, 'review', { decision: 'approve', note: 'within 7 days, packaging intact' });
    expectStatus(approved, 'awaiting_return_shipment');
    expect(clockOf(approved, 'review').state).toBe('met');
    const [label] = await eventually(
      `the return label of ${caseId} in the sandbox outbox`,
      async () => {
        const messages = await sandbox.outbox({ caseId, template: 'return_label', recipient: 'c-1' });
        return messages.length > 0 ? messages : undefined;
      },
      { explain: async () => describeCase(await cases.get(caseId)) },
    );
    expect(label.recipient).toEqual({ kind: 'customer', customerId: 'c-1' });
    expect(label.params).toMatchObject({ carrier: expect.any(String), labelId: expect.any(String) });

    // The customer ships the parcel; the courier's signed callbacks bring it to the warehouse.
    const shipped = await cases.accepted(tokens.customer, caseId, 'return-shipment', {});
    expectStatus(shipped, 'return_in_transit');
    expect(shipped.shipments).toEqual([expect.objectContaining({ direction: 'return', via: 'label', carrier: label.params.carrier, trackingNumber: label.params.trackingNumber })]);
    const inspecting = await cases.waitForStatus(caseId, 'inspecting', CALLBACKS_MS);
    expect(timelineEvents(inspecting)).toEqual(expect.arrayContaining(['shipment.picked_up', 'shipment.in_transit', 'shipment.delivered', 'return.received']));
    expect(clockOf(inspecting, 'processing').state).toBe('running');

    // The warehouse passes the goods; the payment provider settles the refund by callback.
    const inspected = await cases.accepted(tokens.warehouse, caseId, 'inspection', { result: 'pass', note: 'unused, all accessories' });
    expect(timelineEvents(inspected)).toContain('inspection.passed');
    const completed = await cases.waitForStatus(caseId, 'completed', CALLBACKS_MS);
    const expectedRefund = 5000 - defaultPolicy().shipping.returnShippingFee;
    expect(completed.refund).toMatchObject({ amount: expectedRefund, currency: 'CNY', status: 'succeeded' });
    expect(completed.closedAt).not.toBeNull();
    expect(completed.sla.filter((c) => ['review', 'processing', 'refund'].includes(c.name)).map((c) => [c.name, c.state])).toEqual([
      ['review', 'met'],
      ['processing', 'met'],
      ['refund', 'met'],
    ]);

    // Money moved exactly once, for the claim less the fee the customer pays on a no-reason return.
    const refunds = await sandbox.refundsOf(caseId);
    expect(refunds.map((r) => ({ amount: r.amount, status: r.status, requests: r.requests, id: r.refundId }))).toEqual([
      { amount: expectedRefund, status: 'succeeded', requests: 1, id: completed.refund?.id },
    ]);

    // The survey after completion.
    const surveyed = await cases.accepted(tokens.customer, caseId, 'survey', { score: 5, comment: 'quick and easy' });
    expect(surveyed.survey).toMatchObject({ score: 5 });

    // The read model lists it (eventually consistent); a customer's token reaches its own cases only.
    const listed = await eventually(`case ${caseId} in GET /v1/cases?status=completed&customerId=c-1`, async () => {
      const page = await cases.list(tokens.agent, { status: 'completed', customerId: 'c-1', sort: 'createdAt', order: 'desc', limit: '100' });
      return page.body.items?.find((c) => c.id === caseId);
    });
    expect(listed).toMatchObject({ status: 'completed', customerId: 'c-1' });
    const own = await cases.list(tokens.customer, { status: 'completed', sort: 'createdAt', order: 'desc', limit: '100' });
    expect(own.status).toBe(200);
    expect(own.body.items.map((c) => c.id)).toContain(caseId);
    expect(new Set(own.body.items.map((c) => c.customerId))).toEqual(new Set(['c-1']));
    const other = await cases.list(tokens.otherCustomer, { sort: 'createdAt', order: 'desc', limit: '100' });
    expect(other.status).toBe(200);
    expect(other.body.items.map((c) => c.id)).not.toContain(caseId);
    expect(other.body.items.every((c) => c.customerId === 'c-2')).toBe(true);
    expect((await cases.list(tokens.otherCustomer, { customerId: 'c-1' })).status).toBe(403);
    expect((await cases.read(caseId, tokens.otherCustomer)).status).toBe(404);
  });

  test('a parcel the courier reports lost ends in a tracking exception and the case stays in transit', async () => {
    // The sandbox courier issues a label that gets lost for an item whose sku starts LOST-.
    const { id, trackingNumber } = await approvedAndShipped(returnOf(3000, { items: [{ sku: 'LOST-MUG-1', quantity: 1, unitPrice: 3000 }] }));
    expect(trackingNumber).toMatch(/LOST$/);

    const lost = await cases.waitFor(
      id,
      `shipment ${trackingNumber} in exception`,
      (c) => c.shipments.some((s) => s.trackingNumber === trackingNumber && s.status === 'exception'),
      CALLBACKS_MS,
    );
    expectStatus(lost, 'return_in_transit');
    expect(timelineEvents(lost)).toContain('shipment.exception');
    expect(timelineEvents(lost)).not.toContain('shipment.delivered');
    expect(await sandbox.refundsOf(id)).toEqual([]);
  });

  test('a rejected review closes the case as rejected and tells the customer', async () => {
    const { id } = await cases.opened(tokens.customer, returnOf(2000));

    const rejected = await cases.accepted(tokens.agent, id, 'review', { decision: 'reject', note: 'the item was used' });
    expectStatus(rejected, 'rejected');
    expect(rejected.closedAt).not.toBeNull();
    expect(timelineEvents(rejected)).toContain('review.rejected');
    // The customer is told why the case closed.
    const [told] = await eventually(
      `the case_rejected message of ${id} to c-1`,
      async () => {
        const messages = await sandbox.outbox({ caseId: id, template: 'case_rejected', recipient: 'c-1' });
        return messages.length > 0 ? messages : undefined;
      },
      { explain: async () => `outbox of the case: ${(await sandbox.outbox({ caseId: id })).map((m) => m.template).join(', ') || '(empty)'}; ${describeCase(await cases.get(id))}` },
    );
    expect(told.recipient).toEqual({ kind: 'customer', customerId: 'c-1' });
    expect(await sandbox.outbox({ caseId: id, template: 'return_label' })).toEqual([]);
  });

  test('a request for information pauses the review clock until the customer answers, then the review resumes with the budget it had left', async () => {
    const { id } = await cases.opened(tokens.customer, returnOf(2500));
    const before = clockOf(await cases.get(id), 'review');
    expect(before.state).toBe('running');

    const asked = await cases.accepted(tokens.agent, id, 'review', { decision: 'request_info', note: 'please send a photo of the packaging' });
    expectStatus(asked, 'awaiting_customer_info');
    expect(clockOf(asked, 'review').state).toBe('paused');
    expect(clockOf(asked, 'customer_info').state).toBe('running');

    await new Promise((resolve) => setTimeout(resolve, 1200));
    const answered = await cases.accepted(tokens.customer, id, 'customer-info', {
      message: 'photo attached',
      evidence: ['https://img.example.com/packaging.jpg'],
    });
    expectStatus(answered, 'awaiting_review');
    const resumed = clockOf(answered, 'review');
    expect(resumed.state).toBe('running');
    expect(resumed.pausedMs).toBeGreaterThanOrEqual(1000);
    // A wall-clock budget: the deadline moves by exactly the time spent waiting on the customer.
    expect(Date.parse(resumed.deadline) - Date.parse(before.deadline)).toBe(resumed.pausedMs);
    expect(clockOf(answered, 'customer_info').state).toBe('met');
    expect(timelineEvents(answered)).toEqual(expect.arrayContaining(['review.info_requested', 'customer.info_provided']));
  });

  test('an inspection that fails with a refund amount pays that partial refund and completes the case', async () => {
    const { id } = await approvedAndShipped(returnOf(8000));
    await cases.waitForStatus(id, 'inspecting', CALLBACKS_MS);

    const inspected = await cases.accepted(tokens.warehouse, id, 'inspection', { result: 'fail', note: 'scratched lid', refundAmount: 4500 });
    expect(timelineEvents(inspected)).toContain('inspection.failed_partial_refund');
    const completed = await cases.waitForStatus(id, 'completed', CALLBACKS_MS);
    expect(completed.refund).toMatchObject({ amount: 4500, status: 'succeeded' });
    const refunds = await sandbox.refundsOf(id);
    expect(refunds.map((r) => ({ amount: r.amount, status: r.status, requests: r.requests }))).toEqual([{ amount: 4500, status: 'succeeded', requests: 1 }]);
  });

  test('a command the case is not ready for is answered 409 and changes nothing', async () => {
    const { id } = await cases.opened(tokens.customer, returnOf(1800));
    const before = await cases.get(id);

    const inspection = await cases.command(tokens.warehouse, id, 'inspection', { result: 'pass' });
    expect({ status: inspection.status, code: inspection.body.error?.code }).toEqual({ status: 409, code: expect.any(String) });
    expect(inspection.body.error.message).toMatch(/awaiting_review/);
    const shipment = await cases.command(tokens.customer, id, 'return-shipment', {});
    expect(shipment.status).toBe(409);

    const after = await cases.get(id);
    expect({ status: after.status, version: after.version, events: timelineEvents(after) }).toEqual({
      status: before.status,
      version: before.version,
      events: timelineEvents(before),
    });
  });
});

import { STACK_ENV } from './stack/stack-file';
import { CaseSteps, expectStatus } from './support/case-steps';
import { daysAgo, openCaseBody } from './support/fixtures';
import { CasesApi, eventually, requiredEnv, SandboxClient, stackTokens, type OpenCaseBody } from './support/http-client';

// One full case of every type through the HTTP API on the real stack: Temporal dev server, the
// worker with its real activities, FerretDB and the provider sandbox, whose signed tracking and
// settlement callbacks come back through the webhooks.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const sandbox = new SandboxClient(requiredEnv(STACK_ENV.sandboxUrl));
const CALLBACKS_MS = 20_000;
const steps = new CaseSteps(cases, sandbox, tokens, CALLBACKS_MS);

function caseOf(type: string, reason: string, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return openCaseBody(type, reason, { orderPrefix: 'IT', sku: 'SKU-LAMP-1' }, overrides);
}

describe('every case type through the HTTP API on the running stack', () => {
  test('an exchange is shipped back, inspected, replaced from stock and confirmed by the customer', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('exchange', 'size_fit'));
    expectStatus(await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' }), 'awaiting_return_shipment');
    await steps.shipBack(opened.id, 'inspecting');
    await cases.accepted(tokens.warehouse, opened.id, 'inspection', { result: 'pass' });
    const done = await steps.receiveAndConfirm(opened.id, 'replacement');
    expect(done.sla.find((c) => c.name === 'reship')?.state).toBe('met');
    expect(await sandbox.refundsOf(opened.id)).toEqual([]);
  });

  test('an exchange whose item is out of stock lets the customer take a refund instead', async () => {
    const body = caseOf('exchange', 'size_fit', { items: [{ sku: 'OOS-LAMP-1', quantity: 1, unitPrice: 8800 }] });
    const opened = await cases.opened(tokens.customer, body);
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    await steps.shipBack(opened.id, 'inspecting');
    await cases.accepted(tokens.warehouse, opened.id, 'inspection', { result: 'pass' });
    // The customer is contacted at once: the stock-contact clock is met as soon as the message is out.
    await cases.waitFor(
      opened.id,
      'the out-of-stock contact',
      (c) => c.status === 'awaiting_stock_decision' && c.sla.some((clock) => clock.name === 'stock_contact' && clock.state === 'met'),
      CALLBACKS_MS,
    );
    expect(await sandbox.outbox({ caseId: opened.id, template: 'exchange_out_of_stock' })).toHaveLength(1);
    await cases.accepted(tokens.customer, opened.id, 'stock-decision', { decision: 'refund' });
    const { refunds } = await steps.refundedAndCompleted(opened.id);
    expect(refunds.map((r) => r.amount)).toEqual([8800]);
  });

  test('a repair in warranty goes to the repair center, is repaired, comes back and is confirmed', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('repair', 'quality_issue', { order: { paidAt: daysAgo(100), deliveredAt: daysAgo(97), paymentMethod: 'online', total: 8800, currency: 'CNY' } }));
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    await steps.shipBack(opened.id, 'repairing');
    await cases.accepted(tokens.agent, opened.id, 'repair-result', { outcome: 'repaired', verified: true, note: 'replaced the switch' });
    const done = await steps.receiveAndConfirm(opened.id, 'repair_return');
    expect(done.outcome.warranty).toBe('in_warranty');
  });

  test('a repair out of warranty waits for the customer to accept the quote', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('repair', 'quality_issue', { order: { paidAt: daysAgo(500), deliveredAt: daysAgo(497), paymentMethod: 'online', total: 8800, currency: 'CNY' } }));
    const quoted = await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    expectStatus(quoted, 'awaiting_quote_acceptance');
    await eventually('the quote in the outbox', async () => ((await sandbox.outbox({ caseId: opened.id, template: 'repair_quote' })).length ? true : undefined));
    const declined = await cases.accepted(tokens.customer, opened.id, 'quote', { accept: false });
    expectStatus(declined, 'cancelled');
  });

  test('a complaint is resolved with a refund compensation that the payment provider settles', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('complaint', 'other', { evidence: [] }));
    expectStatus(opened, 'investigating');
    const resolved = await cases.accepted(tokens.agent, opened.id, 'resolution', {
      resolution: 'courier was rude; apologised and compensated',
      compensation: { kind: 'refund', amount: 1000 },
    });
    expect(resolved.outcome.resolution).toMatchObject({ text: 'courier was rude; apologised and compensated' });
    const { refunds } = await steps.refundedAndCompleted(opened.id);
    expect(refunds.map((r) => r.amount)).toEqual([1000]);
  });

  test('a refund-only case for a parcel never received is reviewed and refunded', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('refund_only', 'not_received', { evidence: [], order: { paidAt: daysAgo(9), paymentMethod: 'online', total: 8800, currency: 'CNY' } }));
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const { refunds } = await steps.refundedAndCompleted(opened.id);
    expect(refunds.map((r) => ({ amount: r.amount, requests: r.requests }))).toEqual([{ amount: 8800, requests: 1 }]);
  });

  test('a reship after transit damage ships again at the platform’s cost and is confirmed', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('reship', 'damaged_in_transit'));
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const done = await steps.receiveAndConfirm(opened.id, 'reship');
    expect(done.outcome.shippingPaidBy).toBe('platform');
  });

  test('a courier exception opens an investigation and ends with a reship the customer confirms', async () => {
    const opened = await cases.opened(tokens.customer, caseOf('courier_exception', 'not_received', { evidence: [], order: { paidAt: daysAgo(6), deliveredAt: daysAgo(1), paymentMethod: 'online', total: 8800, currency: 'CNY' } }));
    expectStatus(opened, 'investigating');
    await eventually('the investigation opened with the courier', async () => ((await cases.get(opened.id)).timeline.some((e) => e.event === 'investigation.opened') ? true : undefined));
    await cases.accepted(tokens.agent, opened.id, 'resolution', { resolution: 'courier confirms the parcel is lost', outcome: 'reship' });
    await steps.receiveAndConfirm(opened.id, 'reship');
  });
});

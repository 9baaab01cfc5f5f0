import { randomUUID } from 'node:crypto';
import { addWorkingTime, workingBudgetMs } from '../../domain/business-calendar';
import type { CaseSnapshot, SlaClockView } from '../../domain/case.types';
import { defaultPolicy } from '../../domain/policy';
import { statutoryRefundLimit } from '../../domain/statutory-refund';
import type { SlaReport } from '../../store/sla-report.metrics';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, eventually, HttpClient, requiredEnv, stackTokens, type OpenCaseBody } from './support/http-client';

// Issue 25 item 1 on the running stack (API, worker, Temporal, FerretDB, the sandbox courier and
// payment provider): a return's refund is due within 7 Beijing calendar days of the goods' receipt
// (消费者权益保护法 art. 25). A cash-on-delivery refund's 7 working days always end later than that
// (7 working days span a weekend at least), so its refund clock is on the statutory bound.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const http = new HttpClient(apiUrl);
const CALLBACKS_MS = 20_000;

function returnOf(paymentMethod: 'online' | 'cod'): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-STATUTORY-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: 4500 }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod, total: 4500, currency: 'CNY' },
  };
}

function clockOf(snapshot: CaseSnapshot, name: SlaClockView['name']): SlaClockView {
  const found = [...snapshot.sla].reverse().find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} clock: ${describeCase(snapshot)}`);
  return found;
}

/** A return approved, sent on the label, delivered to the warehouse, inspected and refunded. */
async function refundedReturn(paymentMethod: 'online' | 'cod'): Promise<{ received: CaseSnapshot; completed: CaseSnapshot }> {
  const opened = await cases.opened(tokens.customer, returnOf(paymentMethod));
  await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
  await cases.waitFor(opened.id, 'the return label on the case', (c) => c.shipments.some((s) => s.direction === 'return'), CALLBACKS_MS);
  await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
  const received = await cases.waitForStatus(opened.id, 'inspecting', CALLBACKS_MS);
  await cases.accepted(tokens.warehouse, opened.id, 'inspection', { result: 'pass', note: 'unused' });
  const completed = await cases.waitForStatus(opened.id, 'completed', CALLBACKS_MS);
  return { received, completed };
}

describe('the statutory refund limit on the stack', () => {
  test('a received return runs the statutory clock to 24:00 of the 7th Beijing day; its refund clock is due at the earlier bound and says which; the SLA report shows the clock', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const policy = defaultPolicy();
    const [cod, online] = await Promise.all([refundedReturn('cod'), refundedReturn('online')]);

    for (const [{ received, completed }, workingDays] of [
      [cod, 7],
      [online, 3],
    ] as const) {
      const receivedAt = Date.parse((received.outcome.goodsReceived as { at: string }).at);
      const limit = statutoryRefundLimit(receivedAt);
      expect(clockOf(received, 'statutory_refund')).toMatchObject({ party: 'staff', budget: '7d', state: 'running', bound: 'statutory', startedAt: new Date(receivedAt).toISOString(), deadline: new Date(limit).toISOString() });

      const refund = clockOf(completed, 'refund');
      const byPolicy = addWorkingTime(Date.parse(refund.startedAt), workingBudgetMs({ workingDays }, policy.calendar), policy.calendar);
      expect({ deadline: refund.deadline, bound: refund.bound, state: refund.state }).toEqual({
        deadline: new Date(Math.min(byPolicy, limit)).toISOString(),
        bound: limit < byPolicy ? 'statutory' : 'policy',
        state: 'met',
      });
      expect(clockOf(completed, 'statutory_refund')).toMatchObject({ state: 'met', stoppedAt: expect.any(String) });
    }
    // Seven working days always reach past seven calendar days: the COD refund is on the law's bound.
    expect(clockOf(cod.completed, 'refund').bound).toBe('statutory');

    const report = await eventually(
      'both statutory clocks in the SLA report',
      async () => {
        const to = new Date(Date.now() + 60_000).toISOString();
        const answer = await http.as(tokens.supervisor).get<SlaReport>(`/v1/reports/sla?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
        if (answer.status !== 200) throw new Error(`GET /v1/reports/sla answered ${answer.status}: ${answer.text}`);
        return (answer.body.clocks.statutory_refund?.met ?? 0) >= 2 ? answer.body : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(report.clocks.statutory_refund).toMatchObject({ party: 'staff' });
  });
});

import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, eventually, requiredEnv, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';
import { lineOf, orderLedgerOf, sandboxMoneyOf, totalOf } from './support/money-witnesses';

// Five cases of five types that each pay money back, opened at once on ONE order line and
// driven to their refunds at once through the HTTP API: whatever order the workflows reach the
// order-line ledger in, the line pays back at most its price. The sandbox payment provider's
// ledger is the witness of what was actually paid.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const sandboxUrl = requiredEnv(STACK_ENV.sandboxUrl);
const tokens = stackTokens();
// Reads go out under the supervisor's token, so that polling five cases never eats the rate
// limit of the tokens that send the commands.
const cases = new CasesApi(apiUrl, tokens.supervisor);
const CALLBACKS_MS = 30_000;
/** Out of stock in the sandbox, so the exchange ends in a refund; the catalog sells it at this price. */
const SKU = 'OOS-LAMP-1';
const PRICE = 8800;
const EVIDENCE = ['https://img.example/evidence-1.jpg'];

/** Polls one case at a gentle pace until `predicate` holds. */
function waitFor(id: string, what: string, predicate: (c: CaseSnapshot) => boolean, timeoutMs = CALLBACKS_MS): Promise<CaseSnapshot> {
  return eventually(
    `case ${id}: ${what}`,
    async () => {
      const snapshot = await cases.get(id);
      return predicate(snapshot) ? snapshot : undefined;
    },
    { timeoutMs, intervalMs: 500, explain: async () => describeCase(await cases.get(id)) },
  );
}

const hasStatus = (status: CaseSnapshot['status']) => (c: CaseSnapshot) => c.status === status;

/** One racer: its request, how it is brought to the step before its refund, and the command that triggers the refund. */
interface Racer {
  type: string;
  body: (orderId: string) => OpenCaseBody;
  prepare: (id: string) => Promise<void>;
  payBack: (id: string) => Promise<unknown>;
}

/** A claim of customer c-1 on the one unit of the line, delivered two days ago. */
function claimOf(type: string, reason: string, orderId: string, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return {
    type,
    orderId,
    customerId: 'c-1',
    items: [{ sku: SKU, quantity: 1, unitPrice: PRICE }],
    reason: { code: reason, description: 'see photos' },
    evidence: EVIDENCE,
    packagingIntact: true,
    order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', total: PRICE, currency: 'CNY' },
    ...overrides,
  };
}

/** Approves the case, and the customer ships the goods back to the warehouse. */
async function approveAndShipBack(id: string): Promise<void> {
  await cases.accepted(tokens.agent, id, 'review', { decision: 'approve' });
  await cases.accepted(tokens.customer, id, 'return-shipment', {});
  await waitFor(id, 'status inspecting', hasStatus('inspecting'));
}

// Quality claims and fault reasons, so that no shipping fee is deducted: each racer claims the
// whole line, 88.00.
const racers: Racer[] = [
  {
    type: 'return',
    body: (orderId) => claimOf('return', 'quality_issue', orderId),
    prepare: approveAndShipBack,
    payBack: (id) => cases.accepted(tokens.warehouse, id, 'inspection', { result: 'pass' }),
  },
  {
    type: 'refund_only',
    body: (orderId) => claimOf('refund_only', 'wrong_item', orderId),
    prepare: async () => {},
    payBack: (id) => cases.accepted(tokens.agent, id, 'review', { decision: 'approve' }),
  },
  {
    type: 'exchange',
    body: (orderId) => claimOf('exchange', 'quality_issue', orderId),
    prepare: async (id) => {
      await approveAndShipBack(id);
      await cases.accepted(tokens.warehouse, id, 'inspection', { result: 'pass' });
      await waitFor(id, 'status awaiting_stock_decision', hasStatus('awaiting_stock_decision'));
    },
    payBack: (id) => cases.accepted(tokens.customer, id, 'stock-decision', { decision: 'refund' }),
  },
  {
    type: 'courier_exception',
    body: (orderId) => claimOf('courier_exception', 'not_received', orderId, { evidence: [] }),
    prepare: async (id) => {
      await waitFor(id, 'the courier investigation opened', (c) => timelineEvents(c).includes('investigation.opened'));
    },
    payBack: (id) => cases.accepted(tokens.agent, id, 'resolution', { resolution: 'the courier lost the parcel', outcome: 'refund' }),
  },
  {
    type: 'complaint',
    body: (orderId) => claimOf('complaint', 'other', orderId, { evidence: [] }),
    prepare: async () => {},
    payBack: (id) =>
      cases.accepted(tokens.agent, id, 'resolution', { resolution: 'apologised; the whole price as compensation', compensation: { kind: 'refund', amount: PRICE } }),
  },
];

describe('five cases racing for the money of one order line', () => {
  test('when five cases of different types are opened and driven to their refunds in parallel on one line, at most the line’s price is paid back and the losers close as nothing_refundable', async () => {
    const orderId = `IT-RACE-${randomUUID()}`;

    // All five are opened at once: the ledger is empty, so the check at open lets every one in.
    const opened = await Promise.all(racers.map((racer) => cases.opened(tokens.customer, racer.body(orderId))));
    const ids = opened.map((c) => c.id);
    const label = (id: string) => `${racers[ids.indexOf(id)].type} ${id}`;

    // Each is brought to the step right before its money goes back, then all five are released together.
    await Promise.all(racers.map((racer, i) => racer.prepare(ids[i])));
    await Promise.all(racers.map((racer, i) => racer.payBack(ids[i])));
    const closed = await Promise.all(ids.map((id) => waitFor(id, 'closed', (c) => c.closedAt !== null)));

    // Every case ended: paid back (completed) or refused by the ledger (rejected, nothing_refundable).
    const outcomes = closed.map((c) => ({
      id: c.id,
      case: label(c.id),
      status: c.status,
      nothingRefundable: timelineEvents(c).includes('refund.nothing_refundable'),
      refunded: c.refund?.status === 'succeeded' ? c.refund.amount : 0,
    }));
    const unexpected = outcomes.filter((o) => !(o.status === 'completed' && !o.nothingRefundable) && !(o.status === 'rejected' && o.nothingRefundable));
    expect(unexpected).toEqual([]);
    // Each racer claimed the whole line, so exactly one got it and the other four got nothing.
    const winners = outcomes.filter((o) => o.status === 'completed');
    expect({ winners: winners.map((o) => ({ case: o.case, refunded: o.refunded })), rejected: outcomes.filter((o) => o.status === 'rejected').length }).toEqual({
      winners: [{ case: expect.any(String), refunded: PRICE }],
      rejected: 4,
    });
    const [winner] = winners;

    // The witness: what the sandbox payment provider was asked to pay and paid for these cases.
    const money = await sandboxMoneyOf(sandboxUrl, ids);
    const succeeded = money.refunds.filter((r) => r.status === 'succeeded');
    expect(totalOf(succeeded)).toBeLessThanOrEqual(PRICE);
    expect(money.refunds.map((r) => ({ case: label(r.caseId), amount: r.amount, status: r.status }))).toEqual([
      { case: winner.case, amount: PRICE, status: 'succeeded' },
    ]);

    // Our ledger agrees with the provider: the line refunded once, nothing in flight, nothing left.
    const line = await eventually('the ledger line with nothing reserved', async () => {
      const found = lineOf(await orderLedgerOf(apiUrl, tokens.agent, orderId), SKU);
      return found.reserved === 0 ? found : undefined;
    });
    expect(line).toMatchObject({ amountPaid: PRICE, refunded: totalOf(succeeded), reserved: 0, refundable: PRICE - totalOf(succeeded) });
    const committed = line.entries.filter((e) => e.state === 'committed' && (e.kind === 'refund' || e.kind === 'compensation'));
    expect(committed.map((e) => ({ caseId: e.caseId, amount: e.amount }))).toEqual(succeeded.map((r) => ({ caseId: r.caseId, amount: r.amount })));
    expect(line.entries.filter((e) => e.state === 'reserved')).toEqual([]);
  }, 240_000);
});

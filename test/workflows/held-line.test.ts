import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenCaseRequest } from '../../domain/case.types';
import { lineKey } from '../../domain/keys';
import { holdLine, newLine, releaseLine } from '../../domain/order-ledger';
import { cancelUpdate, reviewUpdate } from '../../domain/workflow-contract';
import { about, actors, caseRequest, events, FakeWorld, messagesWith, settleRefund, startCase, waitFor, waitForCase, waitForStatus, worldRunner } from './support/workflow-harness';

// Issue 22: a line held for a person (facts that disagree with the order, or an old sku account
// beside a line-keyed one) pays nothing until a person releases it — and the case waits for that
// instead of closing (patch held-line-waits, workflows/stages/refund.stage.ts).

const { agent, supervisor } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A refund-only claim of a wrong item, opened on the order source's facts, whose line the ledger holds. */
async function wrongItemOnAHeldLine(): Promise<{ request: OpenCaseRequest; key: string }> {
  const now = await env.currentTimeMs();
  const opened = caseRequest(now, { type: 'refund_only', reason: { code: 'wrong_item' }, evidence: ['https://img.example/wrong-colour.jpg'] });
  const request = { ...opened, packagingIntact: undefined, orderRead: { version: '1.0', readAt: new Date(now).toISOString() } };
  const key = lineKey(request.orderId, 'SKU-1');
  const line = newLine({ orderId: request.orderId, sku: 'SKU-1', currency: 'CNY', unitsBought: 1, amountPaid: 25_900 });
  world.ledgerLines.set(key, holdLine(line, { at: new Date(now).toISOString(), reason: 'facts_differ' }).line);
  return { request, key };
}

describe('a refund on an order line held for a person', () => {
  test('waits, pays nothing and tells staff once; once a person releases the line, the next hourly try pays it', () =>
    withWorker(async () => {
      const { request, key } = await wrongItemOnAHeldLine();
      const handle = await startCase(env, world, request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const waiting = await waitForCase(handle, 'the refund to wait on the held line', (c) => events(c).includes('refund.line_held'));
      about(waiting, () => {
        expect(waiting.status).toBe('refunding');
        expect(events(waiting)).not.toContain('refund.nothing_refundable');
        expect(world.refunds).toEqual([]);
      });
      await waitFor(() => messagesWith(world, 'refund_line_held').length > 0, 'the staff queue to be told');
      // Another hour held: still nothing paid, staff not told again.
      await env.sleep('1 hour');
      expect(world.refunds).toEqual([]);
      expect(messagesWith(world, 'refund_line_held')).toHaveLength(1);

      world.ledgerLines.set(key, releaseLine(world.ledgerLines.get(key)!).line);
      await env.sleep('1 hour');
      const { id } = await waitForStatus(handle, 'refunding');
      const refund = await settleRefund(handle, world, id);
      expect(refund).toMatchObject({ amount: 25_900, key: `${id}:refund:1` });
      await waitForStatus(handle, 'completed');
      expect(world.ledgerLines.get(key)?.entries.map((e) => e.state)).toEqual(['committed']);
    }));

  test('a supervisor may close the case while it waits: nothing is paid', () =>
    withWorker(async () => {
      const { request } = await wrongItemOnAHeldLine();
      const handle = await startCase(env, world, request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForCase(handle, 'the refund to wait on the held line', (c) => events(c).includes('refund.line_held'));
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'the order system was wrong; refunded by the shop' }] });
      expect(cancelled.status).toBe('cancelled');
      expect(world.refunds).toEqual([]);
    }));
});

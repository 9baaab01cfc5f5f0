import { ApplicationFailure } from '@temporalio/common';
import { Registry } from 'prom-client';
import { createActivities, type ActivityDeps } from '../../activities';
import { CaseActivityMetrics } from '../../activities/activity-metrics';
import type { CaseSnapshot, TimelineEntry } from '../../domain/case.types';

const agent = { kind: 'agent' as const, id: 'li.wei' };

/** A provider error as integrations/http-client.ts raises it. */
function providerError(message: string, details: { status?: number; retryable: boolean; code?: string }) {
  return Object.assign(new Error(message), { name: 'ProviderError', provider: 'payment', ...details });
}

function world(overrides: Partial<ActivityDeps> = {}) {
  const registry = new Registry();
  const deps: ActivityDeps = {
    courier: {
      createReturnLabel: async () => ({ labelId: 'L-1', carrier: 'SF', trackingNumber: 'T-1', warehouseCode: 'WH' }),
      createShipment: async () => ({ shipmentId: 'S-1', carrier: 'SF', trackingNumber: 'T-2' }),
      subscribeTracking: async () => undefined,
      openInvestigation: async () => ({ investigationId: 'I-1' }),
    },
    payment: {
      createRefund: async () => ({ refundId: 'RF-1', status: 'pending' }),
      issueCoupon: async () => ({ couponId: 'CP-1' }),
      createCollection: async () => ({ collectionId: 'COL-1', status: 'pending' }),
    },
    inventory: { checkStock: async () => ({ available: true }), catalogItem: async () => null },
    notification: { send: async () => ({ messageId: 'M-1' }) },
    readModel: { upsertCase: async () => 'written', recordEscalation: async () => undefined, releaseOpenCaseLocks: async () => undefined },
    ledger: { reserve: async (_facts, request) => ({ granted: request.amount }), settle: async () => undefined, orderLines: async () => [] },
    metrics: new CaseActivityMetrics(registry),
    ...overrides,
  };
  return { activities: createActivities(deps), registry };
}

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

function caseSnapshot(timeline: TimelineEntry[], closedAt: string | null = null): CaseSnapshot {
  return { id: 'cs_9', type: 'refund_only', createdAt: '2026-05-01T08:00:00.000Z', closedAt, timeline, version: timeline.length } as unknown as CaseSnapshot;
}

const opened: TimelineEntry = { at: '2026-05-01T08:00:00.000Z', actor: agent, event: 'case.opened' };
const approved: TimelineEntry = { at: '2026-05-01T09:00:00.000Z', actor: agent, event: 'review.approved', data: { from: 'awaiting_review', to: 'refunding' } };
const completed: TimelineEntry = { at: '2026-05-01T11:00:00.000Z', actor: agent, event: 'case.completed', data: { from: 'refunding', to: 'completed' } };

describe('case metrics recorded by the activities', () => {
  test('the projection observes each stage once and counts the case closed by type and final status', async () => {
    const { activities, registry } = world();
    await activities.projectCase(caseSnapshot([opened]));
    await activities.projectCase(caseSnapshot([opened, approved]));
    await activities.projectCase(caseSnapshot([opened, approved]));
    await activities.projectCase(caseSnapshot([opened, approved, completed], completed.at));
    await activities.projectCase(caseSnapshot([opened, approved, completed], completed.at));

    const text = await registry.metrics();
    expect(text).toContain('aftersales_stage_duration_seconds_count{type="refund_only",status="awaiting_review"} 1');
    expect(text).toContain('aftersales_stage_duration_seconds_sum{type="refund_only",status="awaiting_review"} 3600');
    expect(text).toContain('aftersales_stage_duration_seconds_sum{type="refund_only",status="refunding"} 7200');
    expect(await value(registry, 'aftersales_cases_closed_total', { type: 'refund_only', status: 'completed' })).toBe(1);
    expect(text).toMatch(/aftersales_provider_call_duration_seconds_count\{provider="read_model",operation="releaseOpenCaseLocks",outcome="ok"\} 2/);
    expect(text).toMatch(/aftersales_provider_call_duration_seconds_count\{provider="read_model",operation="upsertCase",outcome="ok"\} 5/);
  });

  test('a projection whose write fails counts nothing, so the retried one does', async () => {
    let down = false;
    const { activities, registry } = world({
      readModel: {
        upsertCase: async () => {
          if (down) throw new Error('server selection timed out');
          return 'written';
        },
        recordEscalation: async () => undefined,
        releaseOpenCaseLocks: async () => undefined,
      },
    });
    await activities.projectCase(caseSnapshot([opened]));
    down = true;
    await expect(activities.projectCase(caseSnapshot([opened, approved]))).rejects.toThrow('server selection timed out');
    down = false;
    await activities.projectCase(caseSnapshot([opened, approved]));
    expect(await registry.metrics()).toContain('aftersales_stage_duration_seconds_count{type="refund_only",status="awaiting_review"} 1');
    expect(await value(registry, 'aftersales_provider_call_errors_total', { provider: 'read_model', operation: 'upsertCase', outcome: 'failed' })).toBe(1);
  });

  test('an escalation step counts a breach by case type, clock and level', async () => {
    const { activities, registry } = world();
    const step = { caseId: 'cs_9', caseType: 'return' as const, assignee: null, clock: 'review' as const, at: '2026-05-02T08:00:00.000Z', recipients: ['lead'], reason: 'breach' as const };
    await activities.recordEscalation({ ...step, level: 1 });
    await activities.recordEscalation({ ...step, level: 2 });
    expect(await value(registry, 'aftersales_sla_breaches_total', { type: 'return', clock: 'review', level: '1' })).toBe(1);
    expect(await value(registry, 'aftersales_sla_breaches_total', { type: 'return', clock: 'review', level: '2' })).toBe(1);
  });

  test("a provider's permanent refusal is not retried and counts as rejected; a transient failure is retried and counts as failed", async () => {
    let attempt = 0;
    const { activities, registry } = world({
      payment: {
        createRefund: async () => {
          attempt++;
          throw attempt === 1 ? providerError('payment POST /refunds failed: 422 amount_too_large', { status: 422, retryable: false, code: 'amount_too_large' }) : providerError('payment POST /refunds timed out', { retryable: true });
        },
        issueCoupon: async () => ({ couponId: 'CP-1' }),
        createCollection: async () => ({ collectionId: 'COL-1', status: 'pending' }),
      },
    });
    const input = { caseId: 'cs_9', orderId: 'ord_9', amount: 100, currency: 'CNY', paymentMethod: 'online' as const, reason: 'r', idempotencyKey: 'cs_9:refund:1' };
    const refused = await activities.issueRefund(input).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).type).toBe('ProviderRejected');
    const transient = await activities.issueRefund(input).catch((err: unknown) => err);
    expect(transient).not.toBeInstanceOf(ApplicationFailure);

    expect(await value(registry, 'aftersales_provider_call_errors_total', { provider: 'payment', operation: 'createRefund', outcome: 'rejected' })).toBe(1);
    expect(await value(registry, 'aftersales_provider_call_errors_total', { provider: 'payment', operation: 'createRefund', outcome: 'failed' })).toBe(1);
    await activities.notify({ idempotencyKey: 'k', message: { caseId: 'cs_9', recipient: { kind: 'staff', address: 'lead' }, template: 't', params: {} } });
    expect(await registry.metrics()).toMatch(/aftersales_provider_call_duration_seconds_count\{provider="notification",operation="send",outcome="ok"\} 1/);
  });
});

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CaseItem, CaseSnapshot } from '../domain/case.types';
import { CaseActivityMetrics, type CallOutcome, type Dependency } from './activity-metrics';
import { StageDurationTracker } from './stage-durations';
import type {
  CourierPort,
  EscalationRecord,
  InventoryPort,
  NotificationPort,
  OutboundMessage,
  PaymentPort,
  ReadModelPort,
  ShipmentPurpose,
} from './provider-ports';

/** What the activities are built from; the worker wires real clients, tests may wire others. */
export interface ActivityDeps {
  courier: CourierPort;
  payment: PaymentPort;
  inventory: InventoryPort;
  notification: NotificationPort;
  readModel: ReadModelPort;
  /** Where the case metrics go (the worker's /metrics); a private registry when absent. */
  metrics?: CaseActivityMetrics;
  /** The logger of `projectCase` when it runs outside an activity (the worker's read-model sink). */
  log?: Pick<Context['log'], 'info'>;
}

/** Error types a provider failure is reported with; permanent ones are not retried. */
export const ProviderFailureTypes = { rejected: 'ProviderRejected' } as const;

/** Builds the case activities over the given ports. */
export function createActivities(deps: ActivityDeps) {
  const metrics = deps.metrics ?? new CaseActivityMetrics();
  const stages = new StageDurationTracker();
  /** One timed provider call; a provider's permanent refusal fails the activity without retries. */
  const call = <T>(provider: Exclude<Dependency, 'read_model'>, operation: string, fn: () => Promise<T>): Promise<T> =>
    permanentOnReject(() => timed(metrics, provider, operation, fn));
  /** One timed read-model write; every failure is retried (the database may be down for a while). */
  const write = <T>(operation: string, fn: () => Promise<T>): Promise<T> => timed(metrics, 'read_model', operation, fn);

  return {
    /**
     * Writes the case snapshot to the read model (versioned: a late write never wins). An activity
     * for cases before `lean-history`; the worker's read-model sink calls it for the others.
     */
    async projectCase(snapshot: CaseSnapshot): Promise<void> {
      await write('upsertCase', () => deps.readModel.upsertCase(snapshot));
      if (snapshot.closedAt) await write('releaseOpenCaseLocks', () => deps.readModel.releaseOpenCaseLocks(snapshot.id));
      // After the write succeeded, so that a retried projection is the one that counts.
      const seen = stages.observe(snapshot);
      metrics.stages(snapshot.type, seen.transitions, seen.closedAs);
      const log = activityLog() ?? deps.log;
      for (const t of seen.transitions) log?.info('case status changed', { caseId: snapshot.id, from: t.from, to: t.to, stageSeconds: t.seconds });
    },

    /** Records an escalation step in the read model for reports. */
    async recordEscalation(record: EscalationRecord): Promise<void> {
      await write('recordEscalation', () => deps.readModel.recordEscalation(record));
      if (record.reason === 'breach') {
        metrics.breach(record.caseType, record.clock, record.level);
        activityLog()?.info('SLA escalation recorded', { clock: record.clock, escalationLevel: record.level });
      }
    },

    /** Sends a notification; the idempotency key makes a retried send deliver once. */
    async notify(input: { message: OutboundMessage; idempotencyKey: string }): Promise<{ messageId: string }> {
      return call('notification', 'send', () => deps.notification.send(input.message, input.idempotencyKey));
    },

    /** Creates the return label the customer ships with. */
    async createReturnLabel(input: { caseId: string; items: CaseItem[]; idempotencyKey: string }) {
      return call('courier', 'createReturnLabel', () => deps.courier.createReturnLabel({ caseId: input.caseId, items: input.items }, input.idempotencyKey));
    },

    /** Ships a parcel to the customer (replacement, reship, repaired item, rejected return). */
    async createShipment(input: { caseId: string; items: CaseItem[]; purpose: ShipmentPurpose; idempotencyKey: string }) {
      return call('courier', 'createShipment', () =>
        deps.courier.createShipment({ caseId: input.caseId, items: input.items, purpose: input.purpose }, input.idempotencyKey),
      );
    },

    /** Asks the courier to send tracking callbacks for a parcel. */
    async subscribeTracking(input: { caseId: string; trackingNumber: string; carrier: string }): Promise<void> {
      await call('courier', 'subscribeTracking', () => deps.courier.subscribeTracking(input));
    },

    /** Opens an investigation with the courier. */
    async openInvestigation(input: { caseId: string; trackingNumber?: string; kind: string; idempotencyKey: string }) {
      const { idempotencyKey, ...rest } = input;
      return call('courier', 'openInvestigation', () => deps.courier.openInvestigation(rest, idempotencyKey));
    },

    /** Requests a refund; the key fixed in the workflow makes every retry the same refund. */
    async issueRefund(input: {
      caseId: string;
      amount: number;
      currency: string;
      paymentMethod: 'online' | 'cod';
      reason: string;
      idempotencyKey: string;
    }) {
      const { idempotencyKey, ...rest } = input;
      return call('payment', 'createRefund', () => deps.payment.createRefund(rest, idempotencyKey));
    },

    /** Issues a compensation coupon. */
    async issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string; idempotencyKey: string }) {
      const { idempotencyKey, ...rest } = input;
      return call('payment', 'issueCoupon', () => deps.payment.issueCoupon(rest, idempotencyKey));
    },

    /** Checks whether the replacement item is in stock. */
    async checkStock(input: { sku: string; quantity: number }) {
      return call('inventory', 'checkStock', () => deps.inventory.checkStock(input.sku, input.quantity));
    },
  };
}

/** The activity functions, as the workflows see their types. */
export type CaseActivities = ReturnType<typeof createActivities>;

/** A provider's permanent refusal (4xx) fails the activity without retries; anything else is retried by Temporal. */
async function permanentOnReject<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isPermanent(err)) {
      const message = err instanceof Error ? err.message : String(err);
      throw ApplicationFailure.nonRetryable(message, ProviderFailureTypes.rejected);
    }
    throw err;
  }
}

/**
 * Times one call and logs a failure with what it was — provider, operation, outcome, HTTP status
 * and the provider's error code — never a payload. The activity logger adds the case (caseId) and
 * the activity (docs/observability.md).
 */
async function timed<T>(metrics: CaseActivityMetrics, provider: Dependency, operation: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await fn();
    metrics.call(provider, operation, 'ok', (performance.now() - started) / 1000);
    return result;
  } catch (err) {
    const outcome: CallOutcome = isPermanent(err) ? 'rejected' : 'failed';
    metrics.call(provider, operation, outcome, (performance.now() - started) / 1000);
    activityLog()?.warn(outcome === 'rejected' ? 'provider rejected the call' : 'provider call failed', {
      provider,
      operation,
      outcome,
      ...errorFacts(provider, err),
    });
    throw err;
  }
}

/** The activity context's logger, or nothing when the activity runs outside a worker (unit tests). */
function activityLog(): Context['log'] | undefined {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}

/**
 * Status, code and message of a provider error (integrations/http-client.ts: its messages name
 * method and path, never bodies); of a database error only its name and code, since a driver
 * message may quote document values.
 */
function errorFacts(provider: Dependency, err: unknown): Record<string, unknown> {
  const field = (name: string): unknown => (typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined);
  const status = field('status');
  const code = field('code');
  return {
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    error: provider === 'read_model' ? (err instanceof Error ? err.name : 'error') : err instanceof Error ? err.message : String(err),
  };
}

function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false;
}

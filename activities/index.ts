import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CaseItem, CaseSnapshot, PaymentChannel } from '../domain/case.types';
import { ledgerEntryKey, ledgerLineRef, lineOfLedgerRef } from '../domain/keys';
import { CaseActivityMetrics, type CallOutcome, type Dependency } from './activity-metrics';
import { StageDurationTracker } from './stage-durations';
import { splitOverLines, lineFactsOf, type LedgerEntryKind } from '../domain/order-ledger';
import type { DeliveryRead } from '../domain/delivery-check';
import type { OrderSource } from '../domain/order-source';
import { readOrderDelivery } from './order-delivery.activities';
import { checkPaymentRecord, lookUpCollectionRecord, lookUpRefundRecord, type PaymentRecordCheck, type RefundRecordAnswer } from './payment-record.activities';
import type {
  CollectionPurpose,
  CourierPort,
  EscalationRecord,
  InventoryPort,
  NotificationPort,
  OrderLedgerPort,
  OutboundMessage,
  PaymentPort,
  ReadModelPort,
  RefundLookUp,
  ShipmentPurpose,
} from './provider-ports';

/** What the activities are built from; the worker wires real clients, tests may wire others. */
export interface ActivityDeps {
  courier: CourierPort;
  payment: PaymentPort;
  inventory: InventoryPort;
  notification: NotificationPort;
  readModel: ReadModelPort;
  ledger: OrderLedgerPort;
  /**
   * The shop's order source (orderSourceOf(config)): the delivery is read again before money
   * moves. Absent, `readOrderDelivery` fails and is retried: nothing is paid unconfirmed.
   */
  orderSource?: OrderSource;
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
  const call = <T>(provider: Exclude<Dependency, 'read_model' | 'ledger'>, operation: string, fn: () => Promise<T>): Promise<T> =>
    permanentOnReject(() => timed(metrics, provider, operation, fn));
  /** One timed read-model write; every failure is retried (the database may be down for a while). */
  const write = <T>(operation: string, fn: () => Promise<T>): Promise<T> => timed(metrics, 'read_model', operation, fn);

  /**
   * Reserves money on the order-line ledger before it is paid back (or asked of the customer):
   * the amount is split over the case's lines by what each claims, and each line grants at most
   * what it still allows. The key, fixed in the workflow, makes a retry the same reservation.
   * Each line answered is named by its `ledgerLineRef` in `sku` (the sku itself for cases before
   * the order source): the case hands it back to `settleOnLedger`, which finds the line by it.
   */
  async function reserveOnLedger(input: LedgerReservationInput): Promise<{ granted: number; lines: { sku: string; granted: number }[]; held?: true }> {
      const shares = splitOverLines(input.items, input.amount, input.withUnits);
      const lines: { sku: string; granted: number }[] = [];
      let held = false;
      const at = new Date().toISOString();
      for (const [index, share] of shares.entries()) {
        const item: CaseItem = input.items[index];
        // A line with neither money nor units to move has nothing to record.
        if (share.amount <= 0 && share.units <= 0) continue;
        const ref = ledgerLineRef(item);
        const reserved = await timed(metrics, 'ledger', 'reserve', () =>
          deps.ledger.reserve(lineFactsOf(input.orderId, input.currency, item), {
            key: ledgerEntryKey(input.key, ref),
            caseId: input.caseId,
            kind: input.kind,
            amount: share.amount,
            units: share.units,
            at,
            // A refund of 0 (after its deduction) is recorded, never sent: the last unit's remainder would be paid to no one.
            ...(input.amount <= 0 ? { nothingPaid: true as const } : {}),
          }),
        );
        lines.push({ sku: ref, granted: reserved.granted });
        held ||= reserved.held === true && reserved.granted === 0;
      }
      // `held`: a line granted nothing because it is held for a person (absent otherwise, so older answers keep their shape).
      return { granted: lines.reduce((sum, line) => sum + line.granted, 0), lines, ...(held ? { held: true as const } : {}) };
  }

  /** Records an escalation step in the read model for reports (idempotent on its id). */
  async function recordEscalation(record: EscalationRecord): Promise<void> {
    await write('recordEscalation', () => deps.readModel.recordEscalation(record));
    if (record.reason === 'breach') {
      metrics.breach(record.caseType, record.clock, record.level);
      activityLog()?.info('SLA escalation recorded', { clock: record.clock, escalationLevel: record.level });
    }
  }

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
    recordEscalation,

    /** Sends a notification; the idempotency key makes a retried send deliver once. */
    async notify(input: NotifyInput): Promise<{ messageId: string }> {
      return call('notification', 'send', () => deps.notification.send(input.message, input.idempotencyKey));
    },

    /**
     * One escalation step in one activity (the outbox's, patch notification-outbox): every recipient
     * notified and the step recorded for the report, side by side. Each part is idempotent by its
     * key (the notification's, the record's id), so a retry repeats none that went through. Retried
     * while any part failed for a passing reason; a provider's permanent refusal alone fails it for good.
     */
    async notifyEscalation(input: { escalation: EscalationRecord; messages: NotifyInput[] }): Promise<void> {
      const outcomes = await Promise.allSettled([
        ...input.messages.map((m) => call('notification', 'send', () => deps.notification.send(m.message, m.idempotencyKey))),
        recordEscalation(input.escalation),
      ]);
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      if (failures.length === 0) return;
      throw failures.find((f) => !(f instanceof ApplicationFailure && f.nonRetryable)) ?? failures[0];
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
    async issueRefund(input: RefundInput & { amount: number }) {
      const { idempotencyKey, ...rest } = input;
      return call('payment', 'createRefund', () => deps.payment.createRefund(rest, idempotencyKey));
    },

    /** The payment's own record of the order's trade against a refund about to be sent (nothing checked where the provider has no query). */
    async checkPaymentRecord(input: { orderId: string; paymentMethod: 'online' | 'cod'; paymentChannel?: PaymentChannel; amount: number; currency: string }): Promise<PaymentRecordCheck> {
      return call('payment', 'lookUpTrade', () => checkPaymentRecord(deps.payment, input));
    },

    /** The provider's own record of a refund, before a reported settlement moves money (`unsupported` where it has no look-up). */
    async lookUpRefund(input: RefundLookUp): Promise<RefundRecordAnswer> {
      return call('payment', 'lookUpRefund', () => lookUpRefundRecord(deps.payment, input));
    },

    /** The provider's own record of a collection, before a reported payment counts (`unsupported` where it has no look-up). */
    async lookUpCollection(input: { collectionId: string }) {
      return call('payment', 'lookUpCollection', () => lookUpCollectionRecord(deps.payment, input));
    },

    /** Issues a compensation coupon. */
    async issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string; idempotencyKey: string }) {
      const { idempotencyKey, ...rest } = input;
      return call('payment', 'issueCoupon', () => deps.payment.issueCoupon(rest, idempotencyKey));
    },

    /** Reserves money on the order-line ledger (see the function above). */
    reserveOnLedger,

    /**
     * The first attempt of a refund in one round trip: reserves it on the ledger, then asks the
     * provider for exactly what was granted (nothing when nothing was). Both steps are idempotent
     * by keys fixed in the workflow, so a retry after either one repeats neither.
     */
    async reserveAndRefund(input: {
      reservation: LedgerReservationInput;
      refund: RefundInput;
    }): Promise<{ granted: number; lines: { sku: string; granted: number }[]; refundId: string | null; status?: 'pending' | 'succeeded' | 'failed' }> {
      const reserved = await reserveOnLedger(input.reservation);
      if (reserved.granted === 0) return { ...reserved, refundId: null };
      const { idempotencyKey, ...rest } = input.refund;
      const issued = await call('payment', 'createRefund', () => deps.payment.createRefund({ ...rest, amount: reserved.granted }, idempotencyKey));
      return { ...reserved, refundId: issued.refundId, status: issued.status };
    },
    /**
     * Commits (the provider confirmed) or releases (finally failed, cancelled) a reservation on
     * every line it took; `skus` are the refs `reserveOnLedger` answered (skus for old cases).
     */
    async settleOnLedger(input: { orderId: string; key: string; skus: string[]; state: 'committed' | 'released' }): Promise<void> {
      for (const ref of input.skus) {
        await timed(metrics, 'ledger', input.state === 'committed' ? 'commit' : 'release', () =>
          deps.ledger.settle(input.orderId, lineOfLedgerRef(ref), ledgerEntryKey(input.key, ref), input.state),
        );
      }
    },

    /** Asks the customer to pay (repair quote, shipping); the key fixed in the workflow makes a retry the same request. */
    async collectPayment(input: {
      caseId: string;
      customerId: string;
      amount: number;
      currency: string;
      purpose: CollectionPurpose;
      idempotencyKey: string;
    }) {
      const { idempotencyKey, ...rest } = input;
      return call('payment', 'createCollection', () => deps.payment.createCollection(rest, idempotencyKey));
    },

    /** The catalog entry of a sku (price and category), or null when the shop does not sell it. */
    async lookUpCatalogItem(input: { sku: string }) {
      return call('inventory', 'catalogItem', () => deps.inventory.catalogItem(input.sku));
    },

    /** The order's delivery as the order source has it now; retried (whatever the error) until the source answers. */
    async readOrderDelivery(input: { orderId: string }): Promise<DeliveryRead> {
      return timed(metrics, 'orders', 'readOrder', () => readOrderDelivery(deps.orderSource, input.orderId));
    },

    /** Checks whether the replacement item is in stock. */
    async checkStock(input: { sku: string; quantity: number }) {
      return call('inventory', 'checkStock', () => deps.inventory.checkStock(input.sku, input.quantity));
    },
  };
}

/** One notification to send: the message and the key that makes a retried send deliver it once. */
export interface NotifyInput {
  message: OutboundMessage;
  idempotencyKey: string;
}

/** A refund request to the payment provider, less its amount (`issueRefund` adds it; `reserveAndRefund` takes what the ledger granted). */
export interface RefundInput {
  caseId: string;
  /** The order paid for (Alipay's out_trade_no). A retry of an activity scheduled before it existed has none: Alipay's adapter refuses that one. */
  orderId: string;
  currency: string;
  paymentMethod: 'online' | 'cod';
  /** Where the order was paid online (absent: the default online provider, and in histories from before it existed). */
  paymentChannel?: PaymentChannel;
  reason: string;
  idempotencyKey: string;
}

/** What `reserveOnLedger` takes: the case's lines, the amount to split over them and the movement's kind and key. */
export interface LedgerReservationInput {
  caseId: string;
  orderId: string;
  currency: string;
  items: CaseItem[];
  amount: number;
  kind: LedgerEntryKind;
  /** The movement's key; each line's entry is keyed `<key>:<ref>` (domain/keys.ts ledgerLineRef: the sku for cases before the order source). */
  key: string;
  /** True for a refund of goods: each line's claimed units count as returned. */
  withUnits: boolean;
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

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CaseItem, CaseSnapshot } from '../domain/case.types';
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
}

/** Error types a provider failure is reported with; permanent ones are not retried. */
export const ProviderFailureTypes = { rejected: 'ProviderRejected' } as const;

/** Builds the case activities over the given ports. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Writes the case snapshot to the read model (versioned: a late write never wins). */
    async projectCase(snapshot: CaseSnapshot): Promise<void> {
      await deps.readModel.upsertCase(snapshot);
      if (snapshot.closedAt) await deps.readModel.releaseOpenCaseLocks(snapshot.id);
    },

    /** Records an escalation step in the read model for reports. */
    async recordEscalation(record: EscalationRecord): Promise<void> {
      await deps.readModel.recordEscalation(record);
    },

    /** Sends a notification; the idempotency key makes a retried send deliver once. */
    async notify(input: { message: OutboundMessage; idempotencyKey: string }): Promise<{ messageId: string }> {
      return permanentOnReject(() => deps.notification.send(input.message, input.idempotencyKey));
    },

    /** Creates the return label the customer ships with. */
    async createReturnLabel(input: { caseId: string; items: CaseItem[]; idempotencyKey: string }) {
      return permanentOnReject(() => deps.courier.createReturnLabel({ caseId: input.caseId, items: input.items }, input.idempotencyKey));
    },

    /** Ships a parcel to the customer (replacement, reship, repaired item, rejected return). */
    async createShipment(input: { caseId: string; items: CaseItem[]; purpose: ShipmentPurpose; idempotencyKey: string }) {
      return permanentOnReject(() =>
        deps.courier.createShipment({ caseId: input.caseId, items: input.items, purpose: input.purpose }, input.idempotencyKey),
      );
    },

    /** Asks the courier to send tracking callbacks for a parcel. */
    async subscribeTracking(input: { caseId: string; trackingNumber: string; carrier: string }): Promise<void> {
      await permanentOnReject(() => deps.courier.subscribeTracking(input));
    },

    /** Opens an investigation with the courier. */
    async openInvestigation(input: { caseId: string; trackingNumber?: string; kind: string; idempotencyKey: string }) {
      const { idempotencyKey, ...rest } = input;
      return permanentOnReject(() => deps.courier.openInvestigation(rest, idempotencyKey));
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
      return permanentOnReject(() => deps.payment.createRefund(rest, idempotencyKey));
    },

    /** Issues a compensation coupon. */
    async issueCoupon(input: { caseId: string; customerId: string; amount: number; currency: string; idempotencyKey: string }) {
      const { idempotencyKey, ...rest } = input;
      return permanentOnReject(() => deps.payment.issueCoupon(rest, idempotencyKey));
    },

    /** Checks whether the replacement item is in stock. */
    async checkStock(input: { sku: string; quantity: number }) {
      return permanentOnReject(() => deps.inventory.checkStock(input.sku, input.quantity));
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
      Context.current().log.warn('provider rejected the call', { message });
      throw ApplicationFailure.nonRetryable(message, ProviderFailureTypes.rejected);
    }
    throw err;
  }
}

function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false;
}

import type { CaseSnapshot } from '../../../domain/case.types';
import { describeCase, eventually, type CasesApi, type SandboxClient } from './http-client';

// The steps shared by every case type's journey through the API: the customer ships goods
// back, receives a parcel and confirms it, the payment provider settles a refund. Used by the
// integration suite and by the cluster test, each with its own stack's API, sandbox and tokens.

/** The bearer tokens of the people who drive a case. */
export interface CasePeople {
  /** The customer who opened the case. */
  customer: string;
  /** The customer service agent (reviews, resolutions). */
  agent: string;
  /** The warehouse inspector (an agent). */
  warehouse: string;
}

/** Fails with the case's status and timeline unless it is in `status`. */
export function expectStatus(snapshot: CaseSnapshot, status: CaseSnapshot['status']): void {
  if (snapshot.status !== status) throw new Error(`expected status ${status}, but ${describeCase(snapshot)}`);
}

/** The customer's and the providers' steps of a case, on one stack. */
export class CaseSteps {
  constructor(
    private readonly cases: CasesApi,
    private readonly sandbox: SandboxClient,
    private readonly people: CasePeople,
    /** How long the sandbox's tracking and settlement callbacks may take (ms). */
    private readonly callbacksMs = 20_000,
  ) {}

  /** The customer ships the goods back; the sandbox's tracking callbacks deliver them. */
  async shipBack(id: string, receivedStatus: CaseSnapshot['status']): Promise<CaseSnapshot> {
    await this.cases.accepted(this.people.customer, id, 'return-shipment', {});
    return this.cases.waitForStatus(id, receivedStatus, this.callbacksMs);
  }

  /** Waits for the outbound parcel of `purpose`, delivered by the sandbox, then confirms receipt. */
  async receiveAndConfirm(id: string, purpose: string): Promise<CaseSnapshot> {
    const waiting = await this.cases.waitForStatus(id, 'awaiting_customer_confirmation', this.callbacksMs);
    const parcel = waiting.shipments.find((s) => s.direction === 'outbound' && s.purpose === purpose);
    if (!parcel) throw new Error(`no ${purpose} parcel: ${describeCase(waiting)}`);
    await eventually(`the customer told the ${purpose} tracking number`, async () => {
      const messages = await this.sandbox.outbox({ caseId: id, template: `${purpose}_shipped` });
      return messages.some((m) => m.params.trackingNumber === parcel.trackingNumber) ? true : undefined;
    });
    const confirmed = await this.cases.accepted(this.people.customer, id, 'confirm-receipt', {});
    return confirmed.status === 'completed' ? confirmed : this.cases.waitForStatus(id, 'completed');
  }

  /** Waits for the sandbox to settle the refund and the case to complete; returns the refunds the ledger holds. */
  async refundedAndCompleted(id: string) {
    const done = await this.cases.waitForStatus(id, 'completed', this.callbacksMs);
    const refunds = await this.sandbox.refundsOf(id);
    return { done, refunds };
  }
}

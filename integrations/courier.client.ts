import { z } from 'zod';
import type { CaseItem } from '../domain/case.types';
import type { CourierPort, ShipmentPurpose } from '../activities/provider-ports';
import { JsonHttpClient, type ProviderClientOptions } from './http-client';

const labelResponse = z.object({ labelId: z.string(), carrier: z.string(), trackingNumber: z.string(), warehouseCode: z.string() });
const shipmentResponse = z.object({ shipmentId: z.string(), carrier: z.string(), trackingNumber: z.string() });
const investigationResponse = z.object({ investigationId: z.string() });

/** Courier adapter: return labels, outbound shipments, tracking subscriptions and investigations (wire format in docs/sandbox.md). */
export class CourierClient implements CourierPort {
  private readonly http: JsonHttpClient;

  constructor(options: ProviderClientOptions) {
    this.http = new JsonHttpClient('courier', options);
  }

  /** Creates a return label the customer ships with; the key makes a retry return the same label. */
  async createReturnLabel(input: { caseId: string; items: CaseItem[] }, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/labels', body: input, idempotencyKey, response: labelResponse });
  }

  /** Ships a parcel to the customer; tracking callbacks for it start on their own. */
  async createShipment(input: { caseId: string; items: CaseItem[]; purpose: ShipmentPurpose }, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/shipments', body: input, idempotencyKey, response: shipmentResponse });
  }

  /** Asks for tracking callbacks for any parcel; subscribing twice is harmless, so it is retried without a key. */
  async subscribeTracking(input: { caseId: string; trackingNumber: string; carrier: string }): Promise<void> {
    await this.http.request({ method: 'POST', path: '/subscriptions', body: input, naturallyIdempotent: true, response: z.unknown() });
  }

  /** Opens an investigation (lost or damaged parcel) with the courier. */
  async openInvestigation(input: { caseId: string; trackingNumber?: string; kind: string }, idempotencyKey: string) {
    return this.http.request({ method: 'POST', path: '/investigations', body: input, idempotencyKey, response: investigationResponse });
  }
}

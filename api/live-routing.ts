import type { Client } from '@temporalio/client';
import { liveRoutingKeys, type LiveRoutingKeys } from '../store/read-model-reconciler';

/** Options of LiveRouting. */
export interface LiveRoutingOptions {
  /** Running cases read per scan, the newest first (default 500). */
  limit?: number;
  /** How long one scan answers later misses (default 5 s). */
  maxAgeMs?: number;
}

/**
 * Routing keys (tracking number → cases, refund id → case) read from the running case workflows,
 * for a provider callback the read model does not route because the write of its key was lost
 * (docs/decisions.md, "Callbacks whose routing key was lost"). A scan costs one Query per running
 * case, so it is bounded (`limit`), shared by the misses that arrive while it runs, and reused for
 * `maxAgeMs`; a callback it still cannot route is answered 404 and redelivered by the provider,
 * by which time the reconciler has repaired the read model.
 */
export class LiveRouting {
  private scan: { at: number; keys: Promise<LiveRoutingKeys> } | null = null;
  private readonly limit: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly client: Client,
    options: LiveRoutingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limit = options.limit ?? 500;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
  }

  /** The open cases whose workflow has a parcel with this tracking number; none when the scan fails (`onError` hears why). */
  async casesByTrackingNumber(trackingNumber: string, onError: (error: unknown) => void = () => undefined): Promise<string[]> {
    try {
      return (await this.keys()).byTrackingNumber.get(trackingNumber) ?? [];
    } catch (error) {
      onError(error);
      return [];
    }
  }

  /** The open case whose workflow has this provider refund id, or null (also when the scan fails). */
  async caseByRefundId(refundId: string, onError: (error: unknown) => void = () => undefined): Promise<string | null> {
    try {
      return (await this.keys()).byRefundId.get(refundId) ?? null;
    } catch (error) {
      onError(error);
      return null;
    }
  }

  private keys(): Promise<LiveRoutingKeys> {
    const current = this.scan;
    if (current && this.now() - current.at < this.maxAgeMs) return current.keys;
    const keys = liveRoutingKeys(this.client, this.limit);
    const scan = { at: this.now(), keys };
    this.scan = scan;
    // A failed scan is not reused.
    keys.catch(() => {
      if (this.scan === scan) this.scan = null;
    });
    return keys;
  }
}

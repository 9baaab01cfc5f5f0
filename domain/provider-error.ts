/** A provider call that failed; `retryable` says whether trying again later may succeed (Temporal retries only those). */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  /** Which provider answered (courier, payment, inventory, notification, orders…). */
  readonly provider: string;
  /** HTTP status of the last attempt; absent for network errors and timeouts. */
  readonly status?: number;
  /** False for a permanent refusal (4xx other than 408/429) or an answer we cannot read. */
  readonly retryable: boolean;
  /** The provider's machine-readable error code, when it sent one. */
  readonly code?: string;

  constructor(message: string, details: { provider: string; status?: number; retryable: boolean; code?: string; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.provider = details.provider;
    this.status = details.status;
    this.retryable = details.retryable;
    this.code = details.code;
  }
}

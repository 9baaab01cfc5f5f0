import { ProviderError } from '../domain/provider-error';

/** Closed: calls pass. Open: calls fail at once. Half-open: one trial call decides which it goes back to. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** When a circuit opens and how long it stays open. */
export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through (half-open). */
  openMs: number;
  /** Which errors count as the provider failing (default: retryable ProviderErrors — network, timeouts, 5xx; a 404 is an answer). */
  isFailure?: (error: unknown) => boolean;
  /** The clock, in milliseconds (tests pass their own). */
  now?: () => number;
}

/**
 * The error of a call refused because the circuit is open: retryable, with how long until the
 * next trial (a caller answers `503` with `Retry-After` from it).
 */
export class CircuitOpenError extends ProviderError {
  /** Milliseconds until the circuit lets a trial call through. */
  readonly retryAfterMs: number;

  constructor(provider: string, retryAfterMs: number) {
    super(`${provider} circuit open: ${provider} failed repeatedly, next try in ${Math.ceil(retryAfterMs / 1000)}s`, { provider, retryable: true, code: 'circuit_open' });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A small circuit breaker for one provider. After `failureThreshold` failed calls in a row it
 * opens, and calls fail at once with CircuitOpenError instead of each waiting out its timeouts and
 * retries (an unreachable order source would otherwise hold every case opening for seconds). After
 * `openMs` it half-opens: one trial call goes through while the others still fail at once; its
 * success closes the circuit, its failure opens it for another `openMs`. A success while closed
 * resets the count, and so does an error that is an answer (a 404: the provider is up).
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(
    private readonly provider: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new RangeError('failureThreshold must be a whole number of at least 1');
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? ((error) => error instanceof ProviderError && error.retryable);
  }

  /** The state now (an open circuit whose delay ran out reads as half-open). */
  state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half_open';
    return this.current;
  }

  /** Runs `call` unless the circuit is open; counts its outcome. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state();
    if (state === 'open') throw new CircuitOpenError(this.provider, this.options.openMs - (this.now() - this.openedAt));
    const trial = state === 'half_open';
    if (trial) {
      // One trial at a time: the others fail at once until it has answered.
      if (this.trialRunning) throw new CircuitOpenError(this.provider, 0);
      this.trialRunning = true;
      this.current = 'half_open';
    }
    try {
      const result = await call();
      this.current = 'closed';
      this.failures = 0;
      return result;
    } catch (error) {
      if (this.isFailure(error)) {
        this.failed(trial);
      } else {
        // The provider answered (a 404, a refusal): it is up.
        this.current = 'closed';
        this.failures = 0;
      }
      throw error;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  private failed(trial: boolean): void {
    this.failures++;
    if (trial || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
      this.failures = 0;
    }
  }
}

import type { RequestHandler } from 'express';
import { sendError } from './sandbox-http';
import type { FaultSettings, ProviderName } from './sandbox.schemas';
import type { TimerSet } from './timer-set';

/** Per-provider fault injection: a delay before every call, then a 503 with probability `errorRate`. Callbacks are never faulted. */
export class FaultInjector {
  private readonly settings = new Map<ProviderName, FaultSettings>();

  constructor(
    private readonly timers: TimerSet,
    private readonly random: () => number = Math.random,
  ) {}

  set(provider: ProviderName, settings: FaultSettings): void {
    this.settings.set(provider, settings);
  }

  /** Current settings by provider (only those set). */
  list(): Partial<Record<ProviderName, FaultSettings>> {
    return Object.fromEntries(this.settings);
  }

  clear(): void {
    this.settings.clear();
  }

  /** Middleware placed before a provider's routes: the fault strikes before the call does anything. */
  middleware(provider: ProviderName): RequestHandler {
    return async (_req, res, next) => {
      const fault = this.settings.get(provider);
      if (!fault) return next();
      if (fault.delayMs > 0) await this.timers.sleep(fault.delayMs);
      if (fault.errorRate > 0 && this.random() < fault.errorRate) {
        res.set('Retry-After', '0');
        return sendError(res, 503, 'fault_injected', `${provider} is unavailable (sandbox fault injection)`);
      }
      next();
    };
  }
}

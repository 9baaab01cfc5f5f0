import { Counter, Histogram, Registry } from 'prom-client';
import type { CaseType, ClockName } from '../domain/case.types';
import type { StageTransition } from './stage-durations';

/** Who an activity talks to: a provider, or our own read model. */
export type Dependency = 'courier' | 'payment' | 'inventory' | 'notification' | 'read_model' | 'ledger' | 'orders';

/** How one call ended: answered, refused for good (a 4xx: not retried), or failed (retried by Temporal). */
export type CallOutcome = 'ok' | 'rejected' | 'failed';

/** Seconds: from one minute to two weeks, the span of an after-sales stage. */
const STAGE_BUCKETS = [60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 86400, 2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400, 14 * 86400];
/** Seconds: one provider HTTP call, including the client's quick in-process retries. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The case metrics the activities record (docs/observability.md lists them). The worker registers
 * them on the registry its /metrics serves; without one (the workflow tests) they go to a private
 * registry nobody reads.
 */
export class CaseActivityMetrics {
  private readonly closed: Counter<'type' | 'status'>;
  private readonly stageDuration: Histogram<'type' | 'status'>;
  private readonly breaches: Counter<'type' | 'clock' | 'level'>;
  private readonly callDuration: Histogram<'provider' | 'operation' | 'outcome'>;
  private readonly callErrors: Counter<'provider' | 'operation' | 'outcome'>;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.closed = new Counter({
      name: 'aftersales_cases_closed_total',
      help: 'Cases closed, by case type and final status (counted by the worker that projected the closing transition)',
      labelNames: ['type', 'status'],
      registers,
    });
    this.stageDuration = new Histogram({
      name: 'aftersales_stage_duration_seconds',
      help: 'Time a case spent in a status before its next transition, by case type and the status left',
      labelNames: ['type', 'status'],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.breaches = new Counter({
      name: 'aftersales_sla_breaches_total',
      help: 'Escalation steps taken on a breached staff clock, by case type, clock and ladder level (level 1 is the breach itself)',
      labelNames: ['type', 'clock', 'level'],
      registers,
    });
    this.callDuration = new Histogram({
      name: 'aftersales_provider_call_duration_seconds',
      help: 'Duration of one provider or read-model call made by an activity attempt, by provider, operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: CALL_BUCKETS,
      registers,
    });
    this.callErrors = new Counter({
      name: 'aftersales_provider_call_errors_total',
      help: 'Provider or read-model calls that failed, by provider, operation and outcome (rejected: permanent 4xx, not retried; failed: retried)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers,
    });
  }

  /** A provider or read-model call ended after `seconds`. */
  call(provider: Dependency, operation: string, outcome: CallOutcome, seconds: number): void {
    this.callDuration.observe({ provider, operation, outcome }, seconds);
    if (outcome !== 'ok') this.callErrors.inc({ provider, operation, outcome });
  }

  /** Status changes newly seen on a case; a closing one also counts the case as closed. */
  stages(type: CaseType, transitions: readonly StageTransition[], closedAs: string | null): void {
    for (const t of transitions) this.stageDuration.observe({ type, status: t.from }, t.seconds);
    if (closedAs) this.closed.inc({ type, status: closedAs });
  }

  /** One escalation step recorded for a breached clock. */
  breach(type: CaseType, clock: ClockName, level: number): void {
    this.breaches.inc({ type, clock, level: String(level) });
  }
}

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CaseType } from '../domain/case.types';

/** The API's Prometheus metrics, on a registry of its own (one per app, so tests can build several). */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly casesOpened: Counter<'type'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service: 'api' });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'aftersales_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'aftersales_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.casesOpened = new Counter({
      name: 'aftersales_cases_opened_total',
      help: 'Cases opened through the API by case type',
      labelNames: ['type'],
      registers: [this.registry],
    });
  }

  /** Records one finished request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** Counts a case opened. */
  caseOpened(type: CaseType): void {
    this.casesOpened.inc({ type });
  }
}

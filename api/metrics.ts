import type { Db } from 'mongodb';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CASE_STATUSES, isTerminal, type CaseStatus, type CaseType } from '../domain/case.types';
import { Collections } from '../store/mongo';

/** The steps of opening a case that wait on a server (aftersales_case_opening_step_seconds). */
export type OpeningStep = 'order_source' | 'database' | 'temporal_start';

/** Open cases per status, as the read model counts them. */
export type OpenCaseCounts = Partial<Record<CaseStatus, number>>;

/** The statuses a case can be open in (every status but the terminal ones). */
export const OPEN_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((status) => !isTerminal(status));

/** How long one count of open cases is reused: scrapes in between cost the database nothing. */
export const OPEN_CASES_TTL_MS = 15_000;
/** How long a scrape waits for the count; past it, the scrape answers with the previous counts. */
const OPEN_CASES_TIMEOUT_MS = 2_000;

/** Counts the read model's open cases per status: one `$match` on the status index + `$group` with `$sum` (FerretDB runs it too). */
export async function countOpenCasesByStatus(db: Db): Promise<OpenCaseCounts> {
  const rows = await db
    .collection(Collections.cases)
    .aggregate<{ _id: CaseStatus; count: number }>([{ $match: { status: { $in: [...OPEN_STATUSES] } } }, { $group: { _id: '$status', count: { $sum: 1 } } }])
    .toArray();
  return Object.fromEntries(rows.map((row) => [row._id, row.count]));
}

/** The API's Prometheus metrics, on a registry of its own (one per app, so tests can build several). */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly casesOpened: Counter<'type'>;
  private readonly openingSteps: Histogram<'step'>;
  private readonly openCases: Gauge<'status'>;
  private readonly readModelUp: Gauge;
  private readonly openCasesCountedAt: Gauge;
  private openCasesSource: (() => Promise<OpenCaseCounts>) | undefined;
  /** When the open cases were last counted (successfully or not), in ms of `now()`. */
  private openCasesTriedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(options: { defaultMetrics?: boolean; now?: () => number; openCasesTtlMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.openCasesTtlMs ?? OPEN_CASES_TTL_MS;
    this.registry.setDefaultLabels({ service: 'api' });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    // The registry collects all metrics at once: each gauge of the count waits for the same refresh.
    const collect = () => this.refreshOpenCases();
    this.requests = new Counter({
      name: 'aftersales_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'aftersales_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.casesOpened = new Counter({
      name: 'aftersales_cases_opened_total',
      help: 'Cases opened through the API by case type',
      labelNames: ['type'],
      registers,
    });
    this.openingSteps = new Histogram({
      name: 'aftersales_case_opening_step_seconds',
      help: 'Time of the steps of POST /v1/cases that wait on a server: order_source (the order read), database (ledger read, locks, data key, side by side) and temporal_start (the start RPC)',
      labelNames: ['step'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.readModelUp = new Gauge({
      name: 'aftersales_read_model_up',
      help: '1 when the last count of open cases in the read model succeeded, else 0',
      registers,
      collect,
    });
    this.openCasesCountedAt = new Gauge({
      name: 'aftersales_open_cases_counted_at_seconds',
      help: 'Unix time of the count aftersales_open_cases shows (it is reused for 15 s, and kept while the read model is down)',
      registers,
      collect,
    });
    this.openCases = new Gauge({
      name: 'aftersales_open_cases',
      help: 'Open cases by status, counted in the read model (cached 15 s)',
      labelNames: ['status'],
      registers,
      collect,
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

  /** Records how long one waiting step of opening a case took. */
  openingStep(step: OpeningStep, seconds: number): void {
    this.openingSteps.observe({ step }, seconds);
  }

  /** Where `aftersales_open_cases` comes from (the read model); without a source the gauge stays empty. */
  countOpenCasesWith(source: () => Promise<OpenCaseCounts>): void {
    this.openCasesSource = source;
  }

  /** Called on each scrape: counts again when the last count is older than the TTL; a failure keeps the previous counts. */
  private async refreshOpenCases(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const source = this.openCasesSource;
    if (!source || this.now() - this.openCasesTriedAt < this.ttlMs) return;
    this.refreshing = (async () => {
      this.openCasesTriedAt = this.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const counts = await Promise.race([
          Promise.resolve().then(source),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), OPEN_CASES_TIMEOUT_MS);
          }),
        ]);
        for (const status of OPEN_STATUSES) this.openCases.set({ status }, counts[status] ?? 0);
        this.openCasesCountedAt.set(this.now() / 1000);
        this.readModelUp.set(1);
      } catch {
        this.readModelUp.set(0);
      } finally {
        clearTimeout(timer);
        this.refreshing = undefined;
      }
    })();
    await this.refreshing;
  }
}

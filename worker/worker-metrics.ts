import http from 'node:http';
import net from 'node:net';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The worker's Prometheus registry: process metrics here, case metrics added by the activities (activities/activity-metrics.ts). */
export function createWorkerRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'worker' });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Buckets of aftersales_workflow_history_events: the alerts' thresholds (2,000 and 8,000 events) are bucket bounds. */
export const HISTORY_LENGTH_BUCKETS = [100, 250, 500, 1000, 2000, 4000, 8000, 10000, 20000];

/**
 * How long workflow histories are, one observation per live activation (workflows/history-watch.ts):
 * a history past a few thousand events replays slowly and nears the server's limits (it suggests
 * continue-as-new at 4,096 events and refuses signals past 10,000 per workflow).
 */
export function historyLengthMetric(registry: Registry): (workflowType: string, historyLength: number) => void {
  const histogram = new Histogram({
    name: 'aftersales_workflow_history_events',
    help: 'Events in a workflow history, observed at each activation the worker runs (not replays), by workflow type',
    labelNames: ['workflow_type'],
    buckets: HISTORY_LENGTH_BUCKETS,
    registers: [registry],
  });
  return (workflowType, historyLength) => histogram.observe({ workflow_type: workflowType }, historyLength);
}

/** A free TCP port on 127.0.0.1 right now (for the Temporal Runtime's own Prometheus exporter). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** How long a scrape waits for the Temporal Runtime's metrics before answering without them. */
const CORE_SCRAPE_TIMEOUT_MS = 2000;

/**
 * The Temporal SDK Core's metrics (`temporal_*`: task slots, poll and schedule-to-start latencies,
 * workflow and activity task outcomes, sticky cache), which Core serves on a local port of its own;
 * fetched on each scrape and appended to the worker's /metrics, so one scrape target has both.
 */
export class CoreMetricsSource {
  private readonly up: Gauge;

  constructor(
    registry: Registry,
    private readonly url: string | null,
  ) {
    this.up = new Gauge({
      name: 'aftersales_worker_core_metrics_up',
      help: "1 when the Temporal Runtime's own metrics (temporal_*) were read for this scrape, else 0",
      registers: [registry],
    });
    this.up.set(0);
  }

  /** Core's exposition text, or '' when it is not configured or does not answer. */
  async text(): Promise<string> {
    if (this.url === null) return '';
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(CORE_SCRAPE_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const body = await res.text();
      this.up.set(1);
      return body;
    } catch {
      this.up.set(0);
      return '';
    }
  }
}

/** The worker's exposition: Core's metrics fetched first (so the `up` gauge is current), then ours, then Core's text. */
export async function workerMetricsText(registry: Registry, core: CoreMetricsSource): Promise<string> {
  const coreText = await core.text();
  const own = await registry.metrics();
  return coreText ? `${own.replace(/\n*$/, '\n')}${coreText}` : own;
}

/** Serves GET /healthz (200 while the worker runs) and GET /metrics (ours + Temporal Core's) on `port`. */
export function serveWorkerEndpoints(port: number, registry: Registry, isRunning: () => boolean, core: CoreMetricsSource = new CoreMetricsSource(registry, null)): http.Server {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      const ok = isRunning();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'stopping' }));
      return;
    }
    if (req.method === 'GET' && req.url === '/metrics') {
      workerMetricsText(registry, core)
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'GET /healthz or /metrics' } }));
  });
  server.listen(port, '0.0.0.0');
  return server;
}

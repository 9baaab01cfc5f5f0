import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Counter, Registry } from 'prom-client';
import { createWorkerLogger, logFields, PinoTemporalLogger } from '../../worker/worker-logger';
import { caseSinks, ReadModelPublisher } from '../../worker/read-model-publisher';
import { CoreMetricsSource, historyLengthMetric, workerMetricsText } from '../../worker/worker-metrics';

/** What the activity context logger of the SDK passes along with a message. */
const activityMeta = {
  sdkComponent: 'activity',
  isLocal: false,
  attempt: 2,
  namespace: 'default',
  taskToken: 'CiQ4ZGM…',
  activityId: '7',
  activityType: 'issueRefund',
  taskQueue: 'aftersales',
  workflowId: 'case-cs_0123',
  workflowRunId: 'run-1',
  workflowType: 'returnCaseWorkflow',
};

describe('worker logs', () => {
  test('carry the case id and case type derived from the workflow, and only allow-listed fields', () => {
    const fields = logFields({ ...activityMeta, provider: 'payment', operation: 'createRefund', status: 503, input: { customerId: 'c-1', note: 'call me on 138…' } });
    expect(fields).toEqual({
      caseId: 'cs_0123',
      type: 'return',
      component: 'activity',
      namespace: 'default',
      taskQueue: 'aftersales',
      runId: 'run-1',
      workflowType: 'returnCaseWorkflow',
      activity: 'issueRefund',
      activityId: '7',
      attempt: 2,
      isLocal: false,
      provider: 'payment',
      operation: 'createRefund',
      status: 503,
    });
  });

  test('keep an error as its name and message, and leave a non-case workflow id as it is', () => {
    const failure = Object.assign(new Error('payment POST /refunds failed: 503'), { details: [{ customerId: 'c-1' }] });
    expect(logFields({ workflowId: 'nightly-report', error: failure })).toEqual({ workflowId: 'nightly-report', error: { name: 'Error', message: 'payment POST /refunds failed: 503' } });
  });

  test("are JSON lines written through pino by the Temporal Runtime logger; the SDK's own chatter below WARN is dropped", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = new PinoTemporalLogger(createWorkerLogger('info', sink));
    logger.warn('provider call failed', { ...activityMeta, provider: 'payment', outcome: 'failed' });
    logger.debug('not at info level', activityMeta);
    logger.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    logger.info('case status changed', { ...activityMeta, isLocal: true, activityType: 'projectCase', from: 'awaiting_review', to: 'refunding', stageSeconds: 3600 });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toMatchObject({ level: 30, caseId: 'cs_0123', activity: 'projectCase', from: 'awaiting_review', to: 'refunding', stageSeconds: 3600 });
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, service: 'worker', msg: 'provider call failed', caseId: 'cs_0123', type: 'return', activity: 'issueRefund', provider: 'payment' });
    expect(lines[0]).not.toContain('taskToken');
  });
});

describe('worker /metrics', () => {
  test("appends the Temporal Runtime's own metrics to the worker's and says whether they were read", async () => {
    const core = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('# HELP temporal_worker_task_slots_available x\n# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available{worker_type="ActivityWorker"} 100\n');
    });
    await new Promise<void>((resolve) => core.listen(0, '127.0.0.1', resolve));
    try {
      const registry = new Registry();
      new Counter({ name: 'aftersales_cases_closed_total', help: 'x', registers: [registry] }).inc();
      const source = new CoreMetricsSource(registry, `http://127.0.0.1:${(core.address() as AddressInfo).port}/metrics`);
      const text = await workerMetricsText(registry, source);
      expect(text).toContain('aftersales_cases_closed_total 1');
      expect(text).toContain('aftersales_worker_core_metrics_up 1');
      expect(text).toContain('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 100');
    } finally {
      await new Promise((resolve) => core.close(resolve));
    }
  });

  test('still answers when the Runtime exporter does not', async () => {
    const registry = new Registry();
    const source = new CoreMetricsSource(registry, 'http://127.0.0.1:1/metrics');
    const text = await workerMetricsText(registry, source);
    expect(text).toContain('aftersales_worker_core_metrics_up 0');
    expect(text).not.toMatch(/^temporal_/m);
  });
});

describe('workflow history length', () => {
  test("each live activation's history length is observed by workflow type; the sink is not called while replaying", async () => {
    const registry = new Registry();
    const sinks = caseSinks(new ReadModelPublisher(async () => undefined), historyLengthMetric(registry));
    const observed = sinks.history.observed;
    const info = (workflowType: string, historyLength: number) => ({ workflowType, historyLength }) as Parameters<typeof observed.fn>[0];
    await observed.fn(info('returnCaseWorkflow', 40));
    await observed.fn(info('returnCaseWorkflow', 2500));
    await observed.fn(info('readModelReconcilerWorkflow', 12));
    expect(observed.callDuringReplay).toBe(false);
    const text = await registry.getSingleMetricAsString('aftersales_workflow_history_events');
    expect(text).toContain('aftersales_workflow_history_events_bucket{le="2000",workflow_type="returnCaseWorkflow"} 1');
    expect(text).toContain('aftersales_workflow_history_events_bucket{le="4000",workflow_type="returnCaseWorkflow"} 2');
    expect(text).toContain('aftersales_workflow_history_events_count{workflow_type="readModelReconcilerWorkflow"} 1');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { Histogram, Registry, type Metric } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { CaseActivityMetrics } from '../../activities/activity-metrics';
import { ReconcilerMetrics } from '../../activities/read-model-reconciler.activities';
import { ApiMetrics } from '../../api/metrics';
import { CoreMetricsSource, createWorkerRegistry } from '../../worker/worker-metrics';

// ops/alerts.yml is checked against what the code really exports: the metric names come from the
// project's registries (and, for the worker's start-up wiring, its source), Temporal's from the SDK
// Core library the worker loads. promtool checks the same file more fully (ops/check-alerts.sh);
// this test runs everywhere and knows our metrics, which promtool cannot.

const root = path.resolve(__dirname, '../..');
const ALERTS_FILE = path.join(root, 'ops/alerts.yml');
const OBSERVABILITY_DOC = path.join(root, 'docs/observability.md');

/** One metric a rule may select: its exposed base name, kind and label names. */
interface KnownMetric {
  name: string;
  kind: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  labels: readonly string[] | 'any';
  from: string;
}

/** Labels every scraped series carries besides its own: Prometheus's target labels and our default label. */
const TARGET_LABELS = ['job', 'instance', 'service'];

/** Series Prometheus itself writes for every target; not exported by the project, but real. */
const PROMETHEUS_OWN: KnownMetric[] = [{ name: 'up', kind: 'gauge', labels: [], from: 'Prometheus (one per scrape target)' }];

const SEVERITIES = new Set(['page', 'ticket']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

function kindOf(metric: Metric): KnownMetric['kind'] {
  const kind = metric.constructor.name.toLowerCase();
  return kind === 'counter' || kind === 'gauge' || kind === 'histogram' || kind === 'summary' ? kind : 'untyped';
}

function fromRegistry(registry: Registry, from: string): KnownMetric[] {
  // The typings call them MetricObject; at run time they are the metric instances themselves.
  return (registry.getMetricsAsArray() as unknown as (Metric & { name: string; labelNames?: string[] })[]).map((metric) => ({
    name: metric.name,
    kind: metric instanceof Histogram ? 'histogram' : kindOf(metric),
    labels: metric.labelNames ?? [],
    from,
  }));
}

/** The metrics the API and the worker register, read from their registries as the processes build them. */
function registeredMetrics(): KnownMetric[] {
  const api = new ApiMetrics({ defaultMetrics: true });
  const worker = createWorkerRegistry();
  new CaseActivityMetrics(worker);
  new ReconcilerMetrics(worker);
  new CoreMetricsSource(worker, null);
  return [...fromRegistry(api.registry, 'api/metrics.ts'), ...fromRegistry(worker, 'worker registry')];
}

/**
 * Metrics defined in the source with prom-client's constructors (`new Gauge({ name: '…' })`): the
 * worker registers some in its start-up code (worker/main.ts), which a test cannot run.
 */
function metricsDefinedInSource(): KnownMetric[] {
  const found: KnownMetric[] = [];
  for (const dir of ['api', 'worker', 'activities']) {
    for (const file of readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(root, dir, file), 'utf8');
      for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-zA-Z_:][a-zA-Z0-9_:]*)',([\s\S]*?)\}\)/g)) {
        const labelList = /labelNames: \[([^\]]*)\]/.exec(m[3]);
        const labels = labelList ? [...labelList[1].matchAll(/'([^']+)'/g)].map((l) => l[1]) : [];
        found.push({ name: m[2], kind: m[1].toLowerCase() as KnownMetric['kind'], labels, from: `${dir}/${file}` });
      }
    }
  }
  return found;
}

/** Temporal's labels on a workflow metric (the worker's Temporal exporter adds them to every one). */
const WORKFLOW_METRIC_LABELS = ['namespace', 'taskQueue', 'workflowType'];

/**
 * Metrics the workflows emit through `metricMeter` (`createCounter('…')` … `.add(n, { labels })`):
 * Temporal's exporter serves them unprefixed, counters with `_total` (checked once by hand against
 * a Runtime with the worker's exporter settings; docs/observability.md).
 */
function workflowMetricsInSource(): KnownMetric[] {
  const found: KnownMetric[] = [];
  for (const file of readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(root, 'workflows', file), 'utf8');
    for (const m of text.matchAll(/createCounter\(\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'[\s\S]*?\.add\(\s*\d+\s*,\s*\{([^}]*)\}/g)) {
      const labels = [...m[2].matchAll(/([A-Za-z_]\w*)\s*(?::|,|$)/g)].map((l) => l[1]);
      found.push({ name: `${m[1]}_total`, kind: 'counter', labels: [...labels, ...WORKFLOW_METRIC_LABELS], from: `workflows/${file}` });
    }
  }
  return found;
}

/** The SDK Core library the worker loads on this machine (its metric and label names are strings inside it). */
function coreLibraryText(): string {
  // The same choice @temporalio/core-bridge makes (its common.js, which ships no typings).
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[os.arch()];
  const platform = ({ darwin: 'apple-darwin', linux: 'unknown-linux-gnu', win32: 'pc-windows-msvc' } as Record<string, string>)[os.platform()];
  const bridge = path.dirname(require.resolve('@temporalio/core-bridge/package.json'));
  return readFileSync(path.join(bridge, 'releases', `${arch}-${platform}`, 'index.node')).toString('latin1');
}

/** How the worker installs Temporal's Prometheus exporter (prefix and `_total` suffix), from its source. */
function coreExporterOptions(): { prefix: string; totalSuffix: boolean } {
  const main = readFileSync(path.join(root, 'worker/main.ts'), 'utf8');
  const prefix = /metricPrefix: '([^']*)'/.exec(main)?.[1] ?? (main.includes('noTemporalPrefixForMetrics: true') ? '' : 'temporal_');
  return { prefix, totalSuffix: /countersTotalSuffix: true/.test(main) };
}

/** Resolves names to what exports them; returns a problem when nothing does. */
class MetricCatalog {
  private readonly byName = new Map<string, KnownMetric>();

  constructor(
    metrics: KnownMetric[],
    private readonly core: { text: string; prefix: string; totalSuffix: boolean },
  ) {
    for (const metric of metrics) if (!this.byName.has(metric.name)) this.byName.set(metric.name, metric);
  }

  /** The metric behind an exposed series name (a histogram's `_bucket`, `_count`, `_sum` included), or why there is none. */
  resolve(series: string): { metric: KnownMetric; extraLabels: string[] } | { problem: string } {
    const direct = this.byName.get(series);
    if (direct) return { metric: direct, extraLabels: [] };
    const suffix = /^(.*)_(bucket|count|sum)$/.exec(series);
    const base = suffix && this.byName.get(suffix[1]);
    if (base && (base.kind === 'histogram' || (base.kind === 'summary' && suffix[2] !== 'bucket'))) {
      return { metric: base, extraLabels: suffix[2] === 'bucket' ? ['le'] : [] };
    }
    if (this.core.prefix && series.startsWith(this.core.prefix)) return this.resolveCore(series);
    return { problem: `metric ${series} is not registered by the API or the worker` };
  }

  private resolveCore(series: string): { metric: KnownMetric; extraLabels: string[] } | { problem: string } {
    let name = series.slice(this.core.prefix.length);
    if (name.endsWith('_total')) {
      if (!this.core.totalSuffix) return { problem: `metric ${series}: the worker's Temporal exporter does not add _total (countersTotalSuffix is off in worker/main.ts)` };
      name = name.slice(0, -'_total'.length);
    } else {
      name = name.replace(/_(bucket|count|sum)$/, '');
    }
    if (!this.core.text.includes(name)) return { problem: `metric ${series}: Temporal's SDK Core does not define ${name}` };
    return { metric: { name: series, kind: 'untyped', labels: 'any', from: 'Temporal SDK Core' }, extraLabels: [] };
  }

  /** Whether Core knows a label name or value (its metric labels and their values are strings in the library). */
  coreKnows(word: string): boolean {
    return this.core.text.includes(word);
  }
}

/** One label matcher of a selector: `name op "value"`. */
interface Matcher {
  label: string;
  op: string;
  value: string;
}

/** The selectors, grouping labels and syntax errors of one PromQL expression, read from Prometheus's own grammar. */
function readPromql(expr: string): { selectors: { metric: string | null; matchers: Matcher[] }[]; groupingLabels: string[]; errorsAt: number[] } {
  const tree = promqlParser.parse(expr);
  const selectors: { metric: string | null; matchers: Matcher[] }[] = [];
  const groupingLabels: string[] = [];
  const errorsAt: number[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errorsAt.push(cursor.from);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const identifier = node.getChild('Identifier');
      const matchers: Matcher[] = [];
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (label && op && value) matchers.push({ label: text(label.from, label.to), op: text(op.from, op.to), value: JSON.parse(text(value.from, value.to).replace(/^'|'$/g, '"')) as string });
      }
      selectors.push({ metric: identifier ? text(identifier.from, identifier.to) : null, matchers });
    }
    if (cursor.name === 'GroupingLabels') {
      for (const label of cursor.node.getChildren('LabelName')) groupingLabels.push(text(label.from, label.to));
    }
  } while (cursor.next());
  return { selectors, groupingLabels, errorsAt };
}

/** Where round and square brackets do not pair up, outside string literals; '' when they do. */
function unbalancedBrackets(expr: string): string {
  const stack: { ch: string; at: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, at: i });
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open || open.ch !== pairs[ch]) return `'${ch}' at ${i} closes ${open ? `'${open.ch}' from ${open.at}` : 'nothing'}`;
    }
  }
  const left = stack.pop();
  return left ? `'${left.ch}' at ${left.at} is never closed` : '';
}

/** The anchors GitHub gives the headings of a Markdown document. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}

/** Every problem of a Prometheus rules document, one line each naming the alert; [] when it is sound. */
function checkRules(doc: unknown, catalog: MetricCatalog, docAnchors: Set<string>): string[] {
  const problems: string[] = [];
  const groups = (doc as { groups?: unknown })?.groups;
  if (!Array.isArray(groups) || groups.length === 0) return ['the file has no groups[]'];
  const alertNames = new Set<string>();
  for (const [gi, group] of groups.entries()) {
    const g = group as { name?: unknown; rules?: unknown };
    if (typeof g.name !== 'string' || !g.name) problems.push(`groups[${gi}] has no name`);
    if (!Array.isArray(g.rules) || g.rules.length === 0) {
      problems.push(`group ${String(g.name)} has no rules[]`);
      continue;
    }
    for (const [ri, rule] of g.rules.entries()) {
      const r = rule as { alert?: unknown; expr?: unknown; for?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
      const name = typeof r.alert === 'string' && r.alert ? r.alert : `${String(g.name)}.rules[${ri}]`;
      const say = (what: string) => problems.push(`${name}: ${what}`);
      if (typeof r.alert !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert)) say('alert must be a name ([A-Za-z_][A-Za-z0-9_]*)');
      else if (alertNames.has(r.alert)) say('alert name used twice');
      else alertNames.add(r.alert);
      if (typeof r.for !== 'string' || !DURATION.test(r.for)) say(`for must be a Prometheus duration such as 5m, got ${JSON.stringify(r.for)}`);
      if (!SEVERITIES.has(String(r.labels?.severity))) say(`labels.severity must be page or ticket, got ${JSON.stringify(r.labels?.severity)}`);
      for (const key of ['summary', 'runbook']) {
        if (typeof r.annotations?.[key] !== 'string' || !r.annotations[key].trim()) say(`annotations.${key} is missing`);
      }
      const runbook = typeof r.annotations?.runbook === 'string' ? r.annotations.runbook : '';
      const anchor = /docs\/observability\.md#([\w-]+)/.exec(runbook)?.[1];
      if (!anchor) say('annotations.runbook must link its section of docs/observability.md (docs/observability.md#…)');
      else if (!docAnchors.has(anchor)) say(`annotations.runbook links docs/observability.md#${anchor}, which has no such heading`);
      if (typeof r.expr !== 'string' || !r.expr.trim()) {
        say('expr is missing');
        continue;
      }
      problems.push(...checkExpr(r.expr, catalog).map((p) => `${name}: ${p}`));
    }
  }
  return problems;
}

/** The problems of one PromQL expression: syntax, brackets, and every metric and label it names. */
function checkExpr(expr: string, catalog: MetricCatalog): string[] {
  const problems: string[] = [];
  const brackets = unbalancedBrackets(expr);
  if (brackets) problems.push(`brackets do not balance: ${brackets}`);
  const { selectors, groupingLabels, errorsAt } = readPromql(expr);
  if (errorsAt.length > 0) problems.push(`PromQL does not parse (at character ${errorsAt[0]}: ${JSON.stringify(expr.slice(errorsAt[0], errorsAt[0] + 20))})`);
  const labelsInExpr = new Set(TARGET_LABELS);
  let anyLabels = false;
  for (const selector of selectors) {
    if (!selector.metric) {
      problems.push('a selector has no metric name');
      continue;
    }
    const resolved = catalog.resolve(selector.metric);
    if ('problem' in resolved) {
      problems.push(resolved.problem);
      continue;
    }
    const { metric, extraLabels } = resolved;
    if (metric.labels === 'any') {
      anyLabels = true;
      for (const m of selector.matchers) {
        if (TARGET_LABELS.includes(m.label)) continue;
        if (!catalog.coreKnows(m.label)) problems.push(`${selector.metric} has no label ${m.label} in Temporal's SDK Core`);
        else if ((m.op === '=' || m.op === '!=') && m.value && !catalog.coreKnows(m.value)) problems.push(`${selector.metric}{${m.label}}: Temporal's SDK Core never writes the value ${m.value}`);
      }
      continue;
    }
    const allowed = new Set([...metric.labels, ...extraLabels, ...TARGET_LABELS]);
    for (const label of allowed) labelsInExpr.add(label);
    for (const m of selector.matchers) {
      if (!allowed.has(m.label)) problems.push(`${selector.metric} has no label ${m.label} (it has ${[...metric.labels, ...extraLabels].join(', ') || 'none'}; from ${metric.from})`);
    }
  }
  if (!anyLabels) {
    for (const label of groupingLabels) if (!labelsInExpr.has(label)) problems.push(`groups by ${label}, a label none of its metrics has`);
  }
  return problems;
}

/** The catalog of the real project: registries, start-up source, Temporal's Core library. */
function projectCatalog(): MetricCatalog {
  return new MetricCatalog([...registeredMetrics(), ...metricsDefinedInSource(), ...workflowMetricsInSource(), ...PROMETHEUS_OWN], { text: coreLibraryText(), ...coreExporterOptions() });
}

/** A rules document of one alert, for the tests of the checker itself. */
function oneRule(overrides: Record<string, unknown>): unknown {
  return {
    groups: [
      {
        name: 'test',
        rules: [
          {
            alert: 'TestAlert',
            expr: 'sum(rate(aftersales_http_requests_total{status=~"5.."}[5m])) > 1',
            for: '5m',
            labels: { severity: 'page' },
            annotations: { summary: 'something broke', runbook: 'Fix it (docs/observability.md#alerts).' },
            ...overrides,
          },
        ],
      },
    ],
  };
}

describe('ops/alerts.yml', () => {
  const catalog = projectCatalog();
  const anchors = headingAnchors(readFileSync(OBSERVABILITY_DOC, 'utf8'));
  const doc = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);

  test('is a sound Prometheus rules file whose every metric and label the API, the worker or Temporal Core exports', () => {
    const problems = checkRules(doc, catalog, anchors);
    expect(problems).toEqual([]);
  });

  test('pages for each thing that must wake someone', () => {
    const paging = rules.filter((r) => r.labels.severity === 'page');
    const watched = (metric: string) => paging.filter((r) => readPromql(r.expr).selectors.some((s) => s.metric === metric)).map((r) => r.alert);
    const required = [
      'temporal_workflow_task_execution_failed_total',
      'aftersales_read_model_backlog',
      'aftersales_provider_call_errors_total',
      'aftersales_sla_breaches_total',
      'aftersales_http_requests_total',
      'up',
    ];
    const unwatched = required.filter((metric) => watched(metric).length === 0);
    expect(unwatched).toEqual([]);
    const nondeterminism = paging.filter((r) => readPromql(r.expr).selectors.some((s) => s.matchers.some((m) => m.label === 'failure_reason' && m.op === '=' && m.value === 'NonDeterminismError')));
    expect(nondeterminism.map((r) => r.alert)).toEqual(['AftersalesWorkflowNondeterminism']);
  });
});

describe('the metric catalog the rules are checked against', () => {
  const catalog = projectCatalog();
  const registered = registeredMetrics();
  const scanned = metricsDefinedInSource();

  test('finds by its source scan every aftersales metric the registries hold, so the scan is trusted for the start-up ones', () => {
    const missed = registered.filter((m) => m.name.startsWith('aftersales_')).filter((m) => !scanned.some((s) => s.name === m.name));
    expect(missed.map((m) => m.name)).toEqual([]);
    expect(scanned.map((m) => m.name)).toContain('aftersales_read_model_backlog');
  });

  test("resolves a histogram's _bucket (with le), _count and _sum, and Temporal's counters with the worker's _total suffix", () => {
    expect(catalog.resolve('aftersales_provider_call_duration_seconds_count')).toMatchObject({ metric: { name: 'aftersales_provider_call_duration_seconds' } });
    expect(catalog.resolve('aftersales_http_request_duration_seconds_bucket')).toMatchObject({ extraLabels: ['le'] });
    expect(catalog.resolve('aftersales_read_model_up_count')).toEqual({ problem: 'metric aftersales_read_model_up_count is not registered by the API or the worker' });
    expect(catalog.resolve('temporal_workflow_task_execution_failed_total')).toMatchObject({ metric: { from: 'Temporal SDK Core' } });
    expect(catalog.resolve('temporal_workflow_task_exploded_total')).toEqual({ problem: "metric temporal_workflow_task_exploded_total: Temporal's SDK Core does not define workflow_task_exploded" });
  });
});

describe('the rules check', () => {
  const catalog = projectCatalog();
  const anchors = new Set(['alerts']);

  test('accepts a sound rule', () => {
    expect(checkRules(oneRule({}), catalog, anchors)).toEqual([]);
  });

  test('when a rule names a metric nobody exports, it fails naming the metric', () => {
    const problems = checkRules(oneRule({ expr: 'rate(aftersales_cases_escalated_total[5m]) > 0' }), catalog, anchors);
    expect(problems).toEqual(['TestAlert: metric aftersales_cases_escalated_total is not registered by the API or the worker']);
  });

  test('when a rule filters on a label its metric does not have, it fails naming both', () => {
    const problems = checkRules(oneRule({ expr: 'sum(rate(aftersales_http_requests_total{code="500"}[5m])) > 1' }), catalog, anchors);
    expect(problems).toEqual([expect.stringContaining('TestAlert: aftersales_http_requests_total has no label code')]);
  });

  test("when a rule asks Temporal's metrics for a failure reason Core never writes, it fails", () => {
    const problems = checkRules(oneRule({ expr: 'increase(temporal_workflow_task_execution_failed_total{failure_reason="NondeterminismPanic"}[5m]) > 0' }), catalog, anchors);
    expect(problems).toEqual(["TestAlert: temporal_workflow_task_execution_failed_total{failure_reason}: Temporal's SDK Core never writes the value NondeterminismPanic"]);
  });

  test('when brackets do not balance, it fails saying where', () => {
    const problems = checkRules(oneRule({ expr: 'sum(rate(aftersales_http_requests_total[5m]) > 1' }), catalog, anchors);
    expect(problems).toContain("TestAlert: brackets do not balance: '(' at 3 is never closed");
    expect(problems.some((p) => p.startsWith('TestAlert: PromQL does not parse'))).toBe(true);
  });

  test('when for, severity or the annotations are wrong, it names each', () => {
    const problems = checkRules(oneRule({ for: 'five minutes', labels: { severity: 'critical' }, annotations: { summary: 'x', runbook: 'call someone' } }), catalog, anchors);
    expect(problems).toEqual([
      'TestAlert: for must be a Prometheus duration such as 5m, got "five minutes"',
      'TestAlert: labels.severity must be page or ticket, got "critical"',
      'TestAlert: annotations.runbook must link its section of docs/observability.md (docs/observability.md#…)',
    ]);
  });

  test('when the runbook links a section the docs do not have, it fails', () => {
    const problems = checkRules(oneRule({ annotations: { summary: 'x', runbook: 'See docs/observability.md#nowhere.' } }), catalog, anchors);
    expect(problems).toEqual(['TestAlert: annotations.runbook links docs/observability.md#nowhere, which has no such heading']);
  });

  test('when a group has no rules or the file no groups, it says so', () => {
    expect(checkRules({ groups: [{ name: 'empty', rules: [] }] }, catalog, anchors)).toEqual(['group empty has no rules[]']);
    expect(checkRules({ rules: [] }, catalog, anchors)).toEqual(['the file has no groups[]']);
  });
});

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, type Problem } from './api/client';
import { Field, ProblemView } from './components';
import { formatDuration, formatRate } from './format';
import { useI18n } from './i18n';

interface Duration {
  count: number;
  medianMs: number | null;
}
/** The parts of GET /v1/reports/sla the page shows (docs/api.md "SLA report"; the document declares no schema for it). */
interface SlaReport {
  range: { from: string; to: string };
  cases: { total: number; closed: number };
  clocks: Record<string, { party: string; met: number; breached: number; endedByClosing: number; total: number; onTimeRate: number | null }>;
  breaches: { total: number; byClock: Record<string, number>; byAssignee: Record<string, number> };
  responseTime: Duration & { withinTarget: number; late: number; withinTargetRate: number | null };
  handlingTime: Record<string, Duration>;
  firstTimeResolution: { completed: number; firstTime: number; rate: number | null };
  satisfaction: { surveys: number; meanScore: number | null; satisfiedRate: number | null };
  noReasonReturnsAndExchanges: { count: number; deliveredOrders: number | null; rate: number | null; targetRate: number };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** A picked date is that day's start in Beijing time. */
const beijingMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`).toISOString();

/** One bar of a chart: a label, a value and its share of the largest. */
function Bars({ title, rows, format }: { title: string; rows: [string, number][]; format?: (value: number) => string }) {
  const max = Math.max(1, ...rows.map(([, value]) => value));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p>—</p>
      ) : (
        <table>
          <tbody>
            {rows.map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="bar-cell">
                  <span className="bar" style={{ width: `${(value / max) * 100}%` }} aria-hidden="true" />
                </td>
                <td className="num">{format ? format(value) : value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}

/** The rows of the CSV export: section, key, measure, value. */
function csvRows(report: SlaReport): string[][] {
  const rows: string[][] = [['section', 'key', 'measure', 'value']];
  rows.push(['range', 'from', '', report.range.from], ['range', 'to', '', report.range.to]);
  rows.push(['cases', 'total', '', String(report.cases.total)], ['cases', 'closed', '', String(report.cases.closed)]);
  for (const [clock, kpi] of Object.entries(report.clocks)) {
    for (const measure of ['met', 'breached', 'endedByClosing', 'total', 'onTimeRate'] as const) rows.push(['clocks', clock, measure, String(kpi[measure] ?? '')]);
  }
  for (const [clock, n] of Object.entries(report.breaches.byClock)) rows.push(['breachesByClock', clock, 'count', String(n)]);
  for (const [who, n] of Object.entries(report.breaches.byAssignee)) rows.push(['breachesByAssignee', who, 'count', String(n)]);
  for (const [type, stats] of Object.entries(report.handlingTime)) rows.push(['handlingTime', type, 'medianMs', String(stats.medianMs ?? '')], ['handlingTime', type, 'count', String(stats.count)]);
  rows.push(['responseTime', 'all', 'withinTargetRate', String(report.responseTime.withinTargetRate ?? '')]);
  rows.push(['firstTimeResolution', 'all', 'rate', String(report.firstTimeResolution.rate ?? '')]);
  rows.push(['satisfaction', 'all', 'meanScore', String(report.satisfaction.meanScore ?? '')], ['satisfaction', 'all', 'satisfiedRate', String(report.satisfaction.satisfiedRate ?? '')]);
  rows.push(['noReasonReturnsAndExchanges', 'all', 'count', String(report.noReasonReturnsAndExchanges.count)], ['noReasonReturnsAndExchanges', 'all', 'rate', String(report.noReasonReturnsAndExchanges.rate ?? '')]);
  return rows;
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The SLA report for a chosen period, as bars and figures, exportable as CSV (supervisors and admins). */
export function Report() {
  const i18n = useI18n();
  const [from, setFrom] = useState(day(-30));
  const [to, setTo] = useState(day(1));
  const [delivered, setDelivered] = useState('');
  const [report, setReport] = useState<SlaReport | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const load = useCallback(async () => {
    const result = await call(() =>
      api.GET('/v1/reports/sla', {
        params: { query: { from: beijingMidnight(from), to: beijingMidnight(to), ...(delivered.trim() ? { deliveredOrders: delivered.trim() } : {}) } },
      }),
    );
    if ('data' in result) {
      setReport(result.data as unknown as SlaReport);
      setProblem(null);
    } else {
      setProblem(result.problem);
    }
  }, [from, to, delivered]);

  useEffect(() => {
    void load();
    // Loaded once on arrival; afterwards on "Show".
  }, []);

  function exportCsv() {
    if (!report) return;
    const text = csvRows(report)
      .map((row) => row.map(csvCell).join(','))
      .join('\n');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([`\uFEFF${text}\n`], { type: 'text/csv;charset=utf-8' }));
    link.download = `sla-report-${from}-${to}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  const show = (event: FormEvent) => {
    event.preventDefault();
    void load();
  };

  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">{i18n.t('reportTitle')}</h1>
      <form className="filters" onSubmit={show}>
        <Field label={i18n.t('from')} type="date" value={from} onChange={setFrom} required name="from" />
        <Field label={i18n.t('to')} type="date" value={to} onChange={setTo} required name="to" />
        <Field label={i18n.t('deliveredOrders')} value={delivered} onChange={setDelivered} inputMode="numeric" name="deliveredOrders" />
        <button type="submit">{i18n.t('show')}</button>
        <button type="button" onClick={exportCsv} disabled={!report}>
          {i18n.t('exportCsv')}
        </button>
      </form>
      {problem && <ProblemView problem={problem} />}
      {report && (
        <>
          <p>{i18n.t('casesInRange', { total: report.cases.total, closed: report.cases.closed })}</p>
          <div className="charts">
            <Bars
              title={i18n.t('onTimeRate')}
              rows={Object.entries(report.clocks)
                .filter(([, kpi]) => kpi.onTimeRate !== null)
                .map(([clock, kpi]): [string, number] => [i18n.code('clock', clock), kpi.onTimeRate ?? 0])}
              format={formatRate}
            />
            <Bars title={i18n.t('breachesByClock')} rows={Object.entries(report.breaches.byClock).map(([clock, n]): [string, number] => [i18n.code('clock', clock), n])} />
            <Bars title={i18n.t('breachesByAssignee')} rows={Object.entries(report.breaches.byAssignee).map(([who, n]): [string, number] => [who === '(unassigned)' ? i18n.t('unassigned') : who, n])} />
            <Bars
              title={i18n.t('handlingTime')}
              rows={Object.entries(report.handlingTime)
                .filter(([, stats]) => stats.medianMs !== null)
                .map(([type, stats]): [string, number] => [i18n.code('type', type), stats.medianMs ?? 0])}
              format={(ms) => formatDuration(ms, i18n.lang)}
            />
          </div>
          <dl className="figures">
            <dt>{i18n.t('firstResponse')}</dt>
            <dd>
              {i18n.t('withinTarget')} {report.responseTime.withinTarget} · {i18n.t('late')} {report.responseTime.late} · {formatRate(report.responseTime.withinTargetRate)}
            </dd>
            <dt>{i18n.t('firstTimeResolution')}</dt>
            <dd>{formatRate(report.firstTimeResolution.rate)}</dd>
            <dt>{i18n.t('satisfaction')}</dt>
            <dd>
              {i18n.t('surveys')} {report.satisfaction.surveys} · {i18n.t('meanScore')} {report.satisfaction.meanScore?.toFixed(2) ?? '—'} · {i18n.t('satisfiedRate')}{' '}
              {formatRate(report.satisfaction.satisfiedRate)}
            </dd>
            <dt>{i18n.t('noReasonRate')}</dt>
            <dd>
              {i18n.t('count')} {report.noReasonReturnsAndExchanges.count} · {i18n.t('rate')}{' '}
              {report.noReasonReturnsAndExchanges.deliveredOrders === null ? i18n.t('unknownBase') : formatRate(report.noReasonReturnsAndExchanges.rate)}
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { instantOfBeijingLocal } from '../../domain/beijing-time';
import { api, call, type Problem } from './api/client';
import type { components } from './api/schema';
import { Field, ProblemView } from './components';
import { formatDuration, formatRate } from './format';
import { useI18n } from './i18n';

/** GET /v1/reports/sla as the OpenAPI document declares it (docs/api.md "SLA report"). */
type SlaReport = components['schemas']['SlaReport'];
/** The level-1 breaches of one Beijing day. */
type DayBreaches = SlaReport['breachesByDay'][number];

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** A picked date is that day's start in Beijing time. */
const beijingMidnight = (date: string) => new Date(instantOfBeijingLocal(`${date}T00:00:00`)).toISOString();

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

/** A colour per stage (clock) for the stacked day chart, in the order of the policy's clocks; each at least 3:1 against white. */
const STAGE_COLOURS: Record<string, string> = {
  review: '#0b57d0',
  processing: '#b3261e',
  refund: '#146c2e',
  reship: '#7d5260',
  resolution: '#6750a4',
  stock_contact: '#8c4a00',
  return_shipment: '#006a6a',
  customer_info: '#5f6368',
  customer_confirmation: '#984061',
  quote_acceptance: '#3f5f90',
  stock_decision: '#6c5d00',
  investigation: '#a8326e',
  payment: '#38656a',
};
const stageColour = (clock: string) => STAGE_COLOURS[clock] ?? '#4d5560';

/** The stages with a breach in the period, in the order of the colours (the legend's and the table's order). */
function stagesOf(days: readonly DayBreaches[]): string[] {
  const seen = new Set(days.flatMap((d) => Object.keys(d.byClock)));
  const known = Object.keys(STAGE_COLOURS).filter((clock) => seen.has(clock));
  return [...known, ...[...seen].filter((clock) => !(clock in STAGE_COLOURS)).sort()];
}

/** Breaches per Beijing day stacked by stage: columns for the eye, a visually hidden table with every number for screen readers. */
function BreachesPerDay({ days }: { days: readonly DayBreaches[] }) {
  const i18n = useI18n();
  const stages = stagesOf(days);
  const max = Math.max(1, ...days.map((d) => d.total));
  const title = i18n.t('breachesPerDay');
  // About twelve day labels under the columns, so a year stays readable.
  const labelEvery = Math.max(1, Math.ceil(days.length / 12));
  return (
    <figure className="chart day-chart">
      <figcaption>{title}</figcaption>
      <div className="day-columns" aria-hidden="true">
        {days.map((d, index) => (
          <div className="day-column" key={d.day} data-day={d.day} data-total={d.total} title={`${d.day}: ${d.total}`}>
            <div className="day-stack">
              {stages
                .filter((clock) => (d.byClock[clock] ?? 0) > 0)
                .map((clock) => (
                  <span key={clock} className="day-segment" data-clock={clock} style={{ height: `${((d.byClock[clock] ?? 0) / max) * 100}%`, background: stageColour(clock) }} />
                ))}
            </div>
            <span className="day-label">{index % labelEvery === 0 ? d.day.slice(5) : ''}</span>
          </div>
        ))}
      </div>
      <ul className="legend" aria-hidden="true">
        {stages.map((clock) => (
          <li key={clock}>
            <span className="swatch" style={{ background: stageColour(clock) }} /> {i18n.code('clock', clock)}
          </li>
        ))}
        {stages.length === 0 && <li>{i18n.t('noBreaches')}</li>}
      </ul>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t('day')}</th>
            {stages.map((clock) => (
              <th scope="col" key={clock}>
                {i18n.code('clock', clock)}
              </th>
            ))}
            <th scope="col">{i18n.t('total')}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day} data-day={d.day}>
              <th scope="row">{d.day}</th>
              {stages.map((clock) => (
                <td key={clock}>{d.byClock[clock] ?? 0}</td>
              ))}
              <td>{d.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** Monday-to-Sunday weeks of the period, each named by its first day in the period, with its days. */
function weeksOf(days: readonly DayBreaches[]): { first: string; last: string; days: DayBreaches[] }[] {
  const weeks: { first: string; last: string; days: DayBreaches[] }[] = [];
  for (const d of days) {
    const monday = new Date(`${d.day}T00:00:00Z`).getUTCDay() === 1;
    const current = weeks.at(-1);
    if (!current || monday) weeks.push({ first: d.day, last: d.day, days: [d] });
    else {
      current.last = d.day;
      current.days.push(d);
    }
  }
  return weeks;
}

/** Breaches per assignee and week: a row per assignee with a breach in the period, most breaches first. */
function BreachesPerAssigneeAndWeek({ days }: { days: readonly DayBreaches[] }) {
  const i18n = useI18n();
  const weeks = weeksOf(days);
  const totals = new Map<string, number>();
  for (const d of days) for (const [who, n] of Object.entries(d.byAssignee)) totals.set(who, (totals.get(who) ?? 0) + n);
  const assignees = [...totals.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([who]) => who);
  const name = (who: string) => (who === '(unassigned)' ? i18n.t('unassigned') : who);
  const title = i18n.t('breachesPerAssigneeAndWeek');
  return (
    <figure className="chart">
      <figcaption id="assignee-weeks-title">{title}</figcaption>
      {assignees.length === 0 ? (
        <p>{i18n.t('noBreaches')}</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="assignee-weeks-title">
          <table className="assignee-weeks">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('assignee')}</th>
                {weeks.map((w) => (
                  <th scope="col" key={w.first} data-week={w.first}>
                    {w.first === w.last ? w.first.slice(5) : `${w.first.slice(5)}–${w.last.slice(5)}`}
                  </th>
                ))}
                <th scope="col">{i18n.t('total')}</th>
              </tr>
            </thead>
            <tbody>
              {assignees.map((who) => (
                <tr key={who} data-assignee={who}>
                  <th scope="row">{name(who)}</th>
                  {weeks.map((w) => (
                    <td className="num" key={w.first}>
                      {w.days.reduce((n, d) => n + (d.byAssignee[who] ?? 0), 0)}
                    </td>
                  ))}
                  <td className="num">{totals.get(who)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
  // The series: every Beijing day with its total (zeros included), then its non-zero counts per stage and per assignee.
  for (const d of report.breachesByDay) rows.push(['breachesByDay', d.day, 'total', String(d.total)]);
  for (const d of report.breachesByDay) for (const [clock, n] of Object.entries(d.byClock)) rows.push(['breachesByDayAndClock', d.day, clock, String(n)]);
  for (const d of report.breachesByDay) for (const [who, n] of Object.entries(d.byAssignee)) rows.push(['breachesByDayAndAssignee', d.day, who, String(n)]);
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
      setReport(result.data);
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
          <BreachesPerDay days={report.breachesByDay} />
          <BreachesPerAssigneeAndWeek days={report.breachesByDay} />
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

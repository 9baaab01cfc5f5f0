import type { CaseSnapshot, CaseType, ClockName, EscalationStep } from '../domain/case.types';

/** The case fields the SLA report reads. */
export type ReportCase = Pick<
  CaseSnapshot,
  'id' | 'type' | 'status' | 'reason' | 'createdAt' | 'closedAt' | 'sla' | 'survey' | 'timeline'
>;

/** The escalation fields the SLA report reads. */
export type ReportEscalation = Pick<EscalationStep, 'clock' | 'level' | 'reason' | 'at'> & { assignee: string | null };

/** On-time figures of one clock; `onTimeRate` = met / (met + breached), null when none has finished. */
export interface ClockKpi {
  party: 'staff' | 'customer';
  /** Clocks that finished: met + breached. */
  total: number;
  met: number;
  breached: number;
  /** Clocks still running or paused (not in total). */
  open: number;
  onTimeRate: number | null;
}

/** Count, mean and median of durations in milliseconds (null when count is 0). */
export interface DurationStats {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
}

/** Survey figures: `satisfiedRate` = share of scores ≥ SATISFIED_SCORE (the "satisfaction ≥ 95%" KPI). */
export interface SatisfactionKpi {
  surveys: number;
  meanScore: number | null;
  satisfiedRate: number | null;
}

/** The KPIs of domain.md "Reporting" over one time range; rates are fractions 0..1. */
export interface SlaReport {
  range: { from: string; to: string };
  /** Cases created in the range, and how many of them are closed. */
  cases: { total: number; closed: number };
  /** Per clock name, over the clocks of cases created in the range. */
  clocks: Partial<Record<ClockName, ClockKpi>>;
  /** Breaches (level-1 breach escalations) that happened in the range, per clock (stage) and per assignee. */
  breaches: { total: number; byClock: Partial<Record<ClockName, number>>; byAssignee: Record<string, number> };
  /** Review clock from start to decision minus paused time (first response), over finished review clocks. */
  responseTime: DurationStats;
  /** closedAt − createdAt per case type, over closed cases. */
  handlingTime: Partial<Record<CaseType, DurationStats>>;
  /** Completed cases resolved without a customer-info round trip or repeated work. */
  firstTimeResolution: { completed: number; firstTime: number; rate: number | null };
  satisfaction: SatisfactionKpi & { complaints: SatisfactionKpi };
  /** Return cases with reason `no_reason` among all return cases. */
  noReasonReturns: { returns: number; noReason: number; rate: number | null };
}

/** Assignee key of breaches on unassigned cases. */
export const UNASSIGNED = '(unassigned)';
/** A survey score at or above this counts as satisfied. */
export const SATISFIED_SCORE = 4;
/** Timeline events that mean the case needed another round (see docs/read-model.md). */
export const REWORK_TIMELINE_EVENTS: readonly string[] = ['review.request_info', 'reopened', 'repair.verification_failed'];

/** Computes the report from the cases created in the range and the escalations that happened in it. */
export function computeSlaReport(range: { from: Date; to: Date }, cases: readonly ReportCase[], escalations: readonly ReportEscalation[]): SlaReport {
  const closed = cases.filter((c) => c.closedAt !== null);
  const completed = cases.filter((c) => c.status === 'completed');
  const firstTime = completed.filter(isFirstTimeResolution).length;
  const returns = cases.filter((c) => c.type === 'return');
  const noReason = returns.filter((c) => c.reason.code === 'no_reason').length;
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    cases: { total: cases.length, closed: closed.length },
    clocks: clockKpis(cases),
    breaches: breachCounts(escalations),
    responseTime: durationStats(
      cases.flatMap((c) =>
        c.sla.filter((s) => s.name === 'review' && s.stoppedAt).map((s) => Date.parse(s.stoppedAt as string) - Date.parse(s.startedAt) - s.pausedMs),
      ),
    ),
    handlingTime: handlingTimes(closed),
    firstTimeResolution: { completed: completed.length, firstTime, rate: ratio(firstTime, completed.length) },
    satisfaction: { ...satisfaction(cases), complaints: satisfaction(cases.filter((c) => c.type === 'complaint')) },
    noReasonReturns: { returns: returns.length, noReason, rate: ratio(noReason, returns.length) },
  };
}

/** True when a completed case needed no customer-info round trip and no repeated work (docs/read-model.md). */
export function isFirstTimeResolution(c: ReportCase): boolean {
  if (c.status !== 'completed') return false;
  if (c.sla.some((clock) => clock.name === 'customer_info')) return false;
  return !c.timeline.some(
    (entry) => REWORK_TIMELINE_EVENTS.includes(entry.event) || entry.data?.decision === 'request_info' || entry.data?.verified === false,
  );
}

/** Mean and median of `values` (the median of an even count is the mean of the two middle values). */
export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, meanMs: null, medianMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { count: sorted.length, meanMs: sorted.reduce((sum, v) => sum + v, 0) / sorted.length, medianMs: median };
}

function clockKpis(cases: readonly ReportCase[]): Partial<Record<ClockName, ClockKpi>> {
  const kpis: Partial<Record<ClockName, ClockKpi>> = {};
  for (const clock of cases.flatMap((c) => c.sla)) {
    const kpi = (kpis[clock.name] ??= { party: clock.party, total: 0, met: 0, breached: 0, open: 0, onTimeRate: null });
    if (clock.state === 'met') kpi.met++;
    else if (clock.state === 'breached') kpi.breached++;
    else kpi.open++;
  }
  for (const kpi of Object.values(kpis)) {
    kpi.total = kpi.met + kpi.breached;
    kpi.onTimeRate = ratio(kpi.met, kpi.total);
  }
  return kpis;
}

function breachCounts(escalations: readonly ReportEscalation[]): SlaReport['breaches'] {
  const breaches = escalations.filter((e) => e.reason === 'breach' && e.level === 1);
  const byClock: Partial<Record<ClockName, number>> = {};
  const byAssignee: Record<string, number> = {};
  for (const e of breaches) {
    byClock[e.clock] = (byClock[e.clock] ?? 0) + 1;
    const who = e.assignee ?? UNASSIGNED;
    byAssignee[who] = (byAssignee[who] ?? 0) + 1;
  }
  return { total: breaches.length, byClock, byAssignee };
}

function handlingTimes(closed: readonly ReportCase[]): Partial<Record<CaseType, DurationStats>> {
  const byType = new Map<CaseType, number[]>();
  for (const c of closed) {
    const spans = byType.get(c.type) ?? [];
    spans.push(Date.parse(c.closedAt as string) - Date.parse(c.createdAt));
    byType.set(c.type, spans);
  }
  return Object.fromEntries([...byType].map(([type, spans]) => [type, durationStats(spans)]));
}

function satisfaction(cases: readonly ReportCase[]): SatisfactionKpi {
  const scores = cases.flatMap((c) => (c.survey ? [c.survey.score] : []));
  if (scores.length === 0) return { surveys: 0, meanScore: null, satisfiedRate: null };
  return {
    surveys: scores.length,
    meanScore: scores.reduce((sum, s) => sum + s, 0) / scores.length,
    satisfiedRate: ratio(scores.filter((s) => s >= SATISFIED_SCORE).length, scores.length),
  };
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

import { beijingDate, beijingDay, beijingDayStart } from '../domain/beijing-time';
import { CHANGE_OF_MIND_REASONS } from '../domain/eligibility';
import type { CaseSnapshot, CaseType, ClockName, EscalationStep, ReasonCode, SlaClockView } from '../domain/case.types';

/** The case fields the SLA report reads. */
export type ReportCase = Pick<
  CaseSnapshot,
  'id' | 'type' | 'status' | 'reason' | 'createdAt' | 'closedAt' | 'sla' | 'survey' | 'timeline'
>;

/** The escalation fields the SLA report reads. */
export type ReportEscalation = Pick<EscalationStep, 'clock' | 'level' | 'reason' | 'at'> & { assignee: string | null };

/** What the shop tells the report that the case store cannot know. */
export interface ReportBase {
  /** Orders delivered in the range: the base of the no-reason rate; absent = unknown. */
  deliveredOrders?: number;
}

/**
 * On-time figures of one clock; `onTimeRate` = met / (met + breached), null when none has finished.
 * Clocks ended by the case closing (cancelled, expired, rejected) are counted apart, never as met.
 */
export interface ClockKpi {
  party: 'staff' | 'customer';
  /** Clocks that ran to their stop or their breach: met + breached. */
  total: number;
  met: number;
  breached: number;
  /** Clocks the closing of their case ended before they ran to their stop (not in total). */
  endedByClosing: number;
  /** Clocks still running or paused on open cases (not in total). */
  open: number;
  onTimeRate: number | null;
}

/** Count, mean, median and 90th percentile of durations in milliseconds (null when count is 0). */
export interface DurationStats {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
}

/** Response-time figures of first-response clocks: durations of the responses, and the share within the clock's target. */
export interface ResponseTimeStats extends DurationStats {
  /** Clocks answered before their deadline. */
  withinTarget: number;
  /** Clocks that breached: answered late, or still unanswered past the deadline. */
  late: number;
  /** withinTarget / (withinTarget + late). */
  withinTargetRate: number | null;
}

/** Response time of one first-response clock, with the budgets (targets) its clocks ran under. */
export interface ClockResponseTime extends ResponseTimeStats {
  targets: SlaClockView['budget'][];
}

/** Survey figures: `satisfiedRate` = share of scores ≥ SATISFIED_SCORE (the "satisfaction ≥ 95%" KPI). */
export interface SatisfactionKpi {
  surveys: number;
  meanScore: number | null;
  satisfiedRate: number | null;
}

/** The change-of-mind (no-reason) return and exchange rate over the orders delivered in the range. */
export interface NoReasonRateKpi {
  /** The reason codes counted as change of mind. */
  reasons: readonly ReasonCode[];
  /** Return and exchange cases with one of those reasons opened in the range. */
  count: number;
  returns: number;
  exchanges: number;
  /** 'delivered_orders' when the shop passed the count, else 'unknown' (and no rate). */
  base: 'delivered_orders' | 'unknown';
  deliveredOrders: number | null;
  /** count / deliveredOrders; null when the base is unknown or zero. */
  rate: number | null;
  /** The rate must stay below this. */
  targetRate: number;
  /** rate < targetRate, or null without a rate. */
  targetMet: boolean | null;
}

/** Level-1 breaches counted per clock (stage) and per assignee at the time of the breach. */
export interface BreachCounts {
  total: number;
  byClock: Partial<Record<ClockName, number>>;
  byAssignee: Record<string, number>;
}

/** The breaches of one Beijing calendar day (YYYY-MM-DD). */
export interface DayBreachCounts extends BreachCounts {
  day: string;
}

/** The after-sales KPIs (docs/api.md "SLA report") over one time range; rates are fractions 0..1. */
export interface SlaReport {
  range: { from: string; to: string };
  /** Cases created in the range, and how many of them are closed. */
  cases: { total: number; closed: number };
  /** Per clock name, over the clocks of cases created in the range. */
  clocks: Partial<Record<ClockName, ClockKpi>>;
  /** Breaches (level-1 breach escalations) that happened in the range, per clock (stage) and per assignee. */
  breaches: BreachCounts;
  /** The same breaches per Beijing day of the range, every day listed (zeros included), oldest first: they add up to `breaches`. */
  breachesByDay: DayBreachCounts[];
  /** First responses over every first-response clock (review, resolution, investigation), overall and per clock. */
  responseTime: ResponseTimeStats & { byClock: Partial<Record<ClockName, ClockResponseTime>> };
  /** closedAt − createdAt per case type, over closed cases. */
  handlingTime: Partial<Record<CaseType, DurationStats>>;
  /** Completed cases resolved without a customer-info round trip or repeated work. */
  firstTimeResolution: { completed: number; firstTime: number; rate: number | null };
  satisfaction: SatisfactionKpi & { complaints: SatisfactionKpi };
  /** No-reason return and exchange rate over delivered orders. */
  noReasonReturnsAndExchanges: NoReasonRateKpi;
}

/** The longest range a report covers, in days: its day series stays at most this long (plus one partial day). */
export const REPORT_MAX_DAYS = 366;
/** Assignee key of breaches on unassigned cases. */
export const UNASSIGNED = '(unassigned)';
/** A survey score at or above this counts as satisfied. */
export const SATISFIED_SCORE = 4;
/** Timeline events that mean the case needed another round (see docs/api.md "SLA report"). */
export const REWORK_TIMELINE_EVENTS: readonly string[] = ['review.request_info', 'reopened', 'repair.verification_failed'];
/** Clocks that time the shop's first answer to the customer: review, complaint resolution, courier inquiry. */
export const FIRST_RESPONSE_CLOCKS: readonly ClockName[] = ['review', 'resolution', 'investigation'];
/** The no-reason return and exchange rate should stay below 5% of delivered orders. */
export const NO_REASON_TARGET_RATE = 0.05;
/**
 * Closing events that are themselves the answer a clock waits for: a review rejection is the
 * review decision, an inspection rejection ends the processing of the goods, a declined quote is
 * the customer's answer to it. A clock the closing stopped otherwise was cut short.
 */
export const CLOSING_ANSWERS: Readonly<Record<string, ClockName>> = {
  'review.rejected': 'review',
  'inspection.rejected': 'processing',
  'repair.quote_declined': 'quote_acceptance',
};

/** How one clock ended, as the report counts it. */
export type ClockEnd = 'met' | 'breached' | 'ended_by_closing' | 'open';

/** What the report keeps of one clock: how it ended, and the response time of an answered first-response clock. */
export interface ClockFacts {
  name: ClockName;
  party: SlaClockView['party'];
  budget: SlaClockView['budget'];
  end: ClockEnd;
  /** Staff time to the answer (paused time left out), for a first-response clock that was answered. */
  responseMs?: number;
}

/**
 * What the report keeps of one case: a few figures, final for its snapshot version, so that a
 * report over many cases reads these instead of whole snapshots (store/sla-report.buckets.ts).
 */
export interface CaseReportFacts {
  id: string;
  /** The snapshot version they were taken from: of two facts of one case the higher version wins. */
  version: number;
  type: CaseType;
  status: CaseSnapshot['status'];
  reason: ReasonCode;
  /** Creation and closing instants in epoch milliseconds. */
  createdAtMs: number;
  closedAtMs: number | null;
  clocks: ClockFacts[];
  firstTime: boolean;
  surveyScore: number | null;
}

/** The facts of one case, as the report counts them. */
export function reportFactsOf(c: ReportCase & { version?: number }): CaseReportFacts {
  return {
    id: c.id,
    version: c.version ?? 0,
    type: c.type,
    status: c.status,
    reason: c.reason.code,
    createdAtMs: Date.parse(c.createdAt),
    closedAtMs: c.closedAt === null ? null : Date.parse(c.closedAt),
    clocks: c.sla.map((clock) => clockFacts(c, clock)),
    firstTime: isFirstTimeResolution(c),
    surveyScore: c.survey ? c.survey.score : null,
  };
}

function clockFacts(c: ReportCase, clock: SlaClockView): ClockFacts {
  const end = clockEnd(c, clock);
  const facts: ClockFacts = { name: clock.name, party: clock.party, budget: clock.budget, end };
  // A breach the closing cut short is late, but the closing was no answer: it has no response time.
  const answered = (end === 'met' || end === 'breached') && clock.stoppedAt !== undefined && !cutShortByClosing(c, clock);
  if (answered && FIRST_RESPONSE_CLOCKS.includes(clock.name)) {
    facts.responseMs = Date.parse(clock.stoppedAt as string) - Date.parse(clock.startedAt) - clock.pausedMs;
  }
  return facts;
}

/** Computes the report from the cases created in the range, the escalations that happened in it and the shop's order count. */
export function computeSlaReport(range: { from: Date; to: Date }, cases: readonly ReportCase[], escalations: readonly ReportEscalation[], base: ReportBase = {}): SlaReport {
  return computeSlaReportFromFacts(range, cases.map((c) => reportFactsOf(c)), escalations, base);
}

/** The report from the facts of the cases created in the range and the escalations that happened in it. */
export function computeSlaReportFromFacts(
  range: { from: Date; to: Date },
  cases: readonly CaseReportFacts[],
  escalations: readonly ReportEscalation[],
  base: ReportBase = {},
): SlaReport {
  if (range.to.getTime() - range.from.getTime() > REPORT_MAX_DAYS * 86_400_000) throw new RangeError(`a report covers at most ${REPORT_MAX_DAYS} days`);
  // Only breaches of the range, so that the day series (which lists the range's days) adds up to the totals.
  const breaches = escalations.filter((e) => Date.parse(e.at) >= range.from.getTime() && Date.parse(e.at) < range.to.getTime());
  const closed = cases.filter((c) => c.closedAtMs !== null);
  const completed = cases.filter((c) => c.status === 'completed');
  const firstTime = completed.filter((c) => c.firstTime).length;
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    cases: { total: cases.length, closed: closed.length },
    clocks: clockKpis(cases),
    breaches: breachCounts(breaches),
    breachesByDay: breachCountsByDay(range, breaches),
    responseTime: responseTimes(cases),
    handlingTime: handlingTimes(closed),
    firstTimeResolution: { completed: completed.length, firstTime, rate: ratio(firstTime, completed.length) },
    satisfaction: { ...satisfaction(cases), complaints: satisfaction(cases.filter((c) => c.type === 'complaint')) },
    noReasonReturnsAndExchanges: noReasonRate(cases, base.deliveredOrders),
  };
}

/**
 * How a clock of a case ended. A breach counts whenever it happened. A clock the case's closing
 * cut short (cutShortByClosing) ended by closing, and so did a statutory refund limit a failed
 * inspection ended. Every other stopped clock was met; an unstopped
 * one on an open case is still open.
 */
export function clockEnd(c: ReportCase, clock: SlaClockView): ClockEnd {
  if (clock.state === 'breached') return 'breached';
  if (cutShortByClosing(c, clock) || endedByFailedInspection(c, clock)) return 'ended_by_closing';
  return clock.stoppedAt === undefined ? 'open' : 'met';
}

/**
 * True when the closing of the case, not the clock's own answer, ended the clock: the case is
 * closed and the clock was never stopped, or the closing stopped it (`stoppedAt` at `closedAt`)
 * while closing the case as cancelled, expired or rejected — unless the closing event is itself
 * the answer the clock waited for (CLOSING_ANSWERS).
 */
export function cutShortByClosing(c: ReportCase, clock: SlaClockView): boolean {
  if (c.closedAt === null) return false;
  if (clock.stoppedAt === undefined) return true;
  if (Date.parse(clock.stoppedAt) < Date.parse(c.closedAt)) return false;
  return c.status !== 'completed' && CLOSING_ANSWERS[closingEvent(c) ?? ''] !== clock.name;
}

/** True for the statutory refund limit a failed inspection ended (nothing was owed under it): neither met nor breached. */
function endedByFailedInspection(c: ReportCase, clock: SlaClockView): boolean {
  return clock.name === 'statutory_refund' && c.timeline.some((entry) => entry.event === 'sla.statutory_limit_ended');
}

/** True when a completed case needed no customer-info round trip and no repeated work (docs/api.md "SLA report"). */
export function isFirstTimeResolution(c: ReportCase): boolean {
  if (c.status !== 'completed') return false;
  if (c.sla.some((clock) => clock.name === 'customer_info')) return false;
  return !c.timeline.some(
    (entry) => REWORK_TIMELINE_EVENTS.includes(entry.event) || entry.data?.decision === 'request_info' || entry.data?.verified === false,
  );
}

/** Mean, median (an even count takes the mean of the two middle values) and nearest-rank 90th percentile of `values`. */
export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, meanMs: null, medianMs: null, p90Ms: null };
  // A typed array sorts numbers numerically, several times faster than Array#sort with a comparator.
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, meanMs: sum / sorted.length, medianMs: median, p90Ms: sorted[Math.ceil(0.9 * sorted.length) - 1] };
}

/** The event that moved the case to its terminal status (the last transition to it). */
function closingEvent(c: ReportCase): string | undefined {
  for (let i = c.timeline.length - 1; i >= 0; i--) {
    if (c.timeline[i].data?.to === c.status) return c.timeline[i].event;
  }
  return undefined;
}

function clockKpis(cases: readonly CaseReportFacts[]): Partial<Record<ClockName, ClockKpi>> {
  const kpis: Partial<Record<ClockName, ClockKpi>> = {};
  for (const c of cases) {
    for (const clock of c.clocks) {
      const kpi = (kpis[clock.name] ??= { party: clock.party, total: 0, met: 0, breached: 0, endedByClosing: 0, open: 0, onTimeRate: null });
      if (clock.end === 'met') kpi.met++;
      else if (clock.end === 'breached') kpi.breached++;
      else if (clock.end === 'ended_by_closing') kpi.endedByClosing++;
      else kpi.open++;
    }
  }
  for (const kpi of Object.values(kpis)) {
    kpi.total = kpi.met + kpi.breached;
    kpi.onTimeRate = ratio(kpi.met, kpi.total);
  }
  return kpis;
}

function responseTimes(cases: readonly CaseReportFacts[]): SlaReport['responseTime'] {
  // One pass (a report may count hundreds of thousands of clocks).
  const all: ClockFacts[] = [];
  const byName = new Map<ClockName, ClockFacts[]>();
  for (const c of cases) {
    for (const clock of c.clocks) {
      if ((clock.end !== 'met' && clock.end !== 'breached') || !FIRST_RESPONSE_CLOCKS.includes(clock.name)) continue;
      all.push(clock);
      const own = byName.get(clock.name);
      if (own) own.push(clock);
      else byName.set(clock.name, [clock]);
    }
  }
  const byClock: Partial<Record<ClockName, ClockResponseTime>> = {};
  for (const name of FIRST_RESPONSE_CLOCKS) {
    const own = byName.get(name);
    if (!own) continue;
    const budgets = new Map<string, SlaClockView['budget']>();
    for (const r of own) {
      const key = typeof r.budget === 'string' ? r.budget : JSON.stringify(r.budget);
      if (!budgets.has(key)) budgets.set(key, r.budget);
    }
    // Sorted, so the figures do not depend on the order the cases were read in.
    const targets = [...budgets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, budget]) => budget);
    byClock[name] = { ...responseStats(own), targets };
  }
  return { ...responseStats(all), byClock };
}

function responseStats(responses: readonly ClockFacts[]): ResponseTimeStats {
  let withinTarget = 0;
  const durations: number[] = [];
  for (const r of responses) {
    if (r.end === 'met') withinTarget++;
    if (r.responseMs !== undefined) durations.push(r.responseMs);
  }
  const late = responses.length - withinTarget;
  return { ...durationStats(durations), withinTarget, late, withinTargetRate: ratio(withinTarget, withinTarget + late) };
}

function noReasonRate(cases: readonly CaseReportFacts[], deliveredOrders: number | undefined): NoReasonRateKpi {
  const changeOfMind = cases.filter((c) => (c.type === 'return' || c.type === 'exchange') && CHANGE_OF_MIND_REASONS.includes(c.reason));
  const returns = changeOfMind.filter((c) => c.type === 'return').length;
  const known = deliveredOrders !== undefined;
  const rate = known ? ratio(changeOfMind.length, deliveredOrders) : null;
  return {
    reasons: CHANGE_OF_MIND_REASONS,
    count: changeOfMind.length,
    returns,
    exchanges: changeOfMind.length - returns,
    base: known ? 'delivered_orders' : 'unknown',
    deliveredOrders: known ? deliveredOrders : null,
    rate,
    targetRate: NO_REASON_TARGET_RATE,
    targetMet: rate === null ? null : rate < NO_REASON_TARGET_RATE,
  };
}

function breachCounts(escalations: readonly ReportEscalation[]): BreachCounts {
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

/** breachCounts of each Beijing day of the range, every day listed from the one `from` falls on to the one `to` − 1 ms falls on. */
function breachCountsByDay(range: { from: Date; to: Date }, escalations: readonly ReportEscalation[]): DayBreachCounts[] {
  const byDay = new Map<number, ReportEscalation[]>();
  for (const e of escalations) {
    const day = beijingDay(Date.parse(e.at));
    const own = byDay.get(day);
    if (own) own.push(e);
    else byDay.set(day, [e]);
  }
  const days: DayBreachCounts[] = [];
  for (let day = beijingDay(range.from.getTime()); day <= beijingDay(range.to.getTime() - 1); day++) {
    days.push({ day: beijingDate(beijingDayStart(day)), ...breachCounts(byDay.get(day) ?? []) });
  }
  return days;
}

function handlingTimes(closed: readonly CaseReportFacts[]): Partial<Record<CaseType, DurationStats>> {
  const byType = new Map<CaseType, number[]>();
  for (const c of closed) {
    const spans = byType.get(c.type) ?? [];
    spans.push((c.closedAtMs as number) - c.createdAtMs);
    byType.set(c.type, spans);
  }
  return Object.fromEntries([...byType].map(([type, spans]) => [type, durationStats(spans)]));
}

function satisfaction(cases: readonly CaseReportFacts[]): SatisfactionKpi {
  const scores = cases.flatMap((c) => (c.surveyScore === null ? [] : [c.surveyScore]));
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

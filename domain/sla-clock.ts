import {
  addWorkingTime,
  CalendarRangeError,
  workingBudgetMs,
  workingTimeBetween,
  type BusinessCalendar,
} from './business-calendar';
import type { ClockName, SlaClockView } from './case.types';
import { durationMs } from './duration';
import type { Budget, EscalationLevel } from './policy';

/** An SLA clock with the arithmetic state behind its view; pure data, safe in workflow state. */
export interface SlaClock extends SlaClockView {
  /** 'wall' budgets count every millisecond; 'working' ones count only the calendar's working time. */
  kind: 'wall' | 'working';
  /** The whole budget in (wall or working) milliseconds. */
  budgetMs: number;
  /** Budget consumed before the current running segment began. */
  consumedMs: number;
  /** When the current running segment began (epoch ms). */
  segmentStartMs: number;
  /** How many ladder levels have fired for this clock. */
  escalatedLevels: number;
  /** Set when the deadline reaches past the calendar's known years and was counted with weekends only. */
  provisional?: string;
  /** A limit (epoch ms) the deadline never passes, whatever the budget says: the statutory refund limit. */
  capMs?: number;
}

/** A clock event that is due: a warning, a breach, or a further ladder level. */
export type ClockEvent =
  | { kind: 'warning'; clock: ClockName; at: number }
  | { kind: 'breach'; clock: ClockName; at: number }
  | { kind: 'escalate'; clock: ClockName; at: number; level: EscalationLevel };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Starts a clock at `nowMs` with the policy budget. */
export function startClock(
  name: ClockName,
  party: 'staff' | 'customer',
  budget: Budget,
  nowMs: number,
  calendar: BusinessCalendar,
): SlaClock {
  const kind = typeof budget === 'string' ? 'wall' : 'working';
  const budgetMs = typeof budget === 'string' ? durationMs(budget) : workingBudgetMs(budget, calendar);
  const clock: SlaClock = {
    name,
    party,
    budget,
    kind,
    budgetMs,
    consumedMs: 0,
    segmentStartMs: nowMs,
    startedAt: iso(nowMs),
    deadline: iso(nowMs),
    state: 'running',
    pausedMs: 0,
    escalatedLevels: 0,
  };
  return withDeadline(clock, nowMs, budgetMs, calendar);
}

/**
 * A clock whose deadline is a fixed instant set by law, not a policy budget: it runs from `fromMs`
 * (the event the law counts from) to `limitMs`, on wall time, and says it is on the statutory bound.
 * `budget` is how the law writes it (e.g. '7d': seven calendar days, to 24:00 of the last).
 */
export function startLimitClock(name: ClockName, budget: string, fromMs: number, limitMs: number): SlaClock {
  return {
    name,
    party: 'staff',
    budget,
    kind: 'wall',
    budgetMs: Math.max(0, limitMs - fromMs),
    consumedMs: 0,
    segmentStartMs: fromMs,
    startedAt: iso(fromMs),
    deadline: iso(limitMs),
    state: 'running',
    pausedMs: 0,
    escalatedLevels: 0,
    bound: 'statutory',
  };
}

/** Caps a clock's deadline at `capMs` from now on (kept through pauses): it shows which bound it is on. */
export function capClock(clock: SlaClock, capMs: number): SlaClock {
  const policyAt = Date.parse(clock.deadline);
  return { ...clock, capMs, deadline: iso(Math.min(policyAt, capMs)), bound: capMs < policyAt ? 'statutory' : 'policy' };
}

/** Pauses a running clock (the case waits on the customer); other states are returned unchanged. */
export function pauseClock(clock: SlaClock, nowMs: number, calendar: BusinessCalendar): SlaClock {
  if (clock.state !== 'running') return clock;
  const consumedMs = Math.min(clock.budgetMs, clock.consumedMs + elapsed(clock, clock.segmentStartMs, nowMs, calendar));
  return { ...clock, state: 'paused', consumedMs, pausedAt: iso(nowMs) };
}

/** Resumes a paused clock with the budget it had left. */
export function resumeClock(clock: SlaClock, nowMs: number, calendar: BusinessCalendar): SlaClock {
  if (clock.state !== 'paused' || clock.pausedAt === undefined) return clock;
  const pausedFor = nowMs - Date.parse(clock.pausedAt);
  const resumed: SlaClock = {
    ...clock,
    state: 'running',
    segmentStartMs: nowMs,
    pausedAt: undefined,
    pausedMs: clock.pausedMs + pausedFor,
  };
  return withDeadline(resumed, nowMs, clock.budgetMs - clock.consumedMs, calendar);
}

/** Stops a clock because its work is done: met if in time; a breached clock keeps its breach. */
export function stopClock(clock: SlaClock, nowMs: number): SlaClock {
  if (clock.stoppedAt !== undefined) return clock;
  const state = clock.state === 'breached' ? 'breached' : 'met';
  const pausedMs = clock.state === 'paused' && clock.pausedAt ? clock.pausedMs + (nowMs - Date.parse(clock.pausedAt)) : clock.pausedMs;
  return { ...clock, state, stoppedAt: iso(nowMs), pausedAt: undefined, pausedMs };
}

/** True while the clock still counts toward a deadline or an escalation. */
export function isOpen(clock: SlaClock): boolean {
  return clock.stoppedAt === undefined;
}

/** The instant the warning is due: when the consumed budget reaches `fraction` of the whole. */
export function warningAt(clock: SlaClock, fraction: number, calendar: BusinessCalendar): number {
  const warnAfter = clock.budgetMs * fraction - clock.consumedMs;
  if (warnAfter <= 0) return clock.segmentStartMs;
  return addBudget(clock, clock.segmentStartMs, warnAfter, calendar).at;
}

/** Every clock event in time order: due ones first; the caller sleeps until the first that is not due yet. */
export function pendingClockEvents(
  clocks: readonly SlaClock[],
  ladder: readonly EscalationLevel[],
  warningFraction: number,
  calendar: BusinessCalendar,
): ClockEvent[] {
  const events: ClockEvent[] = [];
  for (const clock of clocks) {
    if (!isOpen(clock)) continue;
    if (clock.state === 'running') {
      if (clock.party === 'staff' && clock.warnedAt === undefined) {
        events.push({ kind: 'warning', clock: clock.name, at: warningAt(clock, warningFraction, calendar) });
      }
      events.push({ kind: 'breach', clock: clock.name, at: Date.parse(clock.deadline) });
    } else if (clock.state === 'breached' && clock.party === 'staff' && clock.breachedAt) {
      const next = ladder[clock.escalatedLevels];
      if (next) events.push({ kind: 'escalate', clock: clock.name, at: Date.parse(clock.breachedAt) + durationMs(next.after), level: next });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Earliest deadline among running clocks, or null. */
export function nextDeadline(clocks: readonly SlaClock[]): string | null {
  const running = clocks.filter((c) => c.state === 'running').map((c) => Date.parse(c.deadline));
  return running.length ? iso(Math.min(...running)) : null;
}

/** Where a case is late: the clock that breached first among those still waiting for staff, and its deadline. */
export interface Overdue {
  /** The deadline that passed (ISO): the case has been late since then. */
  since: string;
  clock: ClockName;
}

/**
 * The earliest unmet staff deadline already passed, or null: a staff clock that breached and has
 * not stopped (its work is still to do). Stopping the clock (the work done late, the case closed,
 * a reassignment that restarts it) clears it; that it breached stays on the clock as history.
 * Customer clocks are left out: when one runs out the system answers for the customer at once.
 */
export function overdue(clocks: readonly SlaClockView[]): Overdue | null {
  let found: Overdue | null = null;
  for (const clock of clocks) {
    if (clock.party !== 'staff' || clock.state !== 'breached' || clock.stoppedAt !== undefined) continue;
    if (found === null || Date.parse(clock.deadline) < Date.parse(found.since)) found = { since: clock.deadline, clock: clock.name };
  }
  return found;
}

/** The public view of a clock (what the case JSON shows). */
export function clockView(clock: SlaClock): SlaClockView {
  const { name, party, budget, startedAt, deadline, state, breachedAt, stoppedAt, pausedAt, pausedMs, warnedAt, bound } = clock;
  const view: SlaClockView = { name, party, budget, startedAt, deadline, state, pausedMs };
  if (bound) view.bound = bound;
  if (breachedAt) view.breachedAt = breachedAt;
  if (stoppedAt) view.stoppedAt = stoppedAt;
  if (pausedAt) view.pausedAt = pausedAt;
  if (warnedAt) view.warnedAt = warnedAt;
  return view;
}

function withDeadline(clock: SlaClock, fromMs: number, remainingMs: number, calendar: BusinessCalendar): SlaClock {
  const { at: budgetAt, provisional } = addBudget(clock, fromMs, Math.max(0, remainingMs), calendar);
  const at = clock.capMs === undefined ? budgetAt : Math.min(budgetAt, clock.capMs);
  const next: SlaClock = { ...clock, deadline: iso(at) };
  if (clock.capMs !== undefined) next.bound = clock.capMs < budgetAt ? 'statutory' : 'policy';
  if (provisional) next.provisional = provisional;
  else delete next.provisional;
  return next;
}

function elapsed(clock: SlaClock, fromMs: number, toMs: number, calendar: BusinessCalendar): number {
  if (clock.kind === 'wall') return Math.max(0, toMs - fromMs);
  try {
    return workingTimeBetween(fromMs, toMs, calendar);
  } catch (err) {
    if (!(err instanceof CalendarRangeError)) throw err;
    return workingTimeBetween(fromMs, toMs, withYearAssumed(calendar, err.year));
  }
}

/** Adds budget; past the calendar's last known year it counts weekdays only and says so instead of failing the case. */
function addBudget(clock: SlaClock, fromMs: number, budgetMs: number, calendar: BusinessCalendar): { at: number; provisional?: string } {
  if (clock.kind === 'wall') return { at: fromMs + budgetMs };
  let assumed = calendar;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const at = addWorkingTime(fromMs, budgetMs, assumed);
      const missing = assumed.coveredYears.filter((y) => !calendar.coveredYears.includes(y));
      return missing.length
        ? { at, provisional: `calendar has no official holidays for ${missing.join(', ')}: counted weekdays only` }
        : { at };
    } catch (err) {
      if (!(err instanceof CalendarRangeError)) throw err;
      assumed = withYearAssumed(assumed, err.year);
    }
  }
  throw new Error('deadline spans more than two unknown calendar years');
}

function withYearAssumed(calendar: BusinessCalendar, year: number): BusinessCalendar {
  return { ...calendar, coveredYears: [...calendar.coveredYears, year] };
}

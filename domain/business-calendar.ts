/**
 * Business calendar: working-time arithmetic for SLA deadlines.
 *
 * Pure and deterministic so it can run inside the Temporal workflow sandbox: no I/O, no
 * clock, no `Intl`/locale, not even `Date`. Instants are epoch milliseconds; a calendar has a
 * fixed UTC offset, so local time is `epochMs + offset` and a local day is a whole number of
 * days since 1970-01-01. Working periods are half-open, `[start, end)` on each working day.
 * See docs/business-calendar.md for the semantics and for how to add a new year.
 *
 * Workflow code imports this module (through sla-clock.ts and policy.ts), so it holds no schema
 * library: the worker evaluates it again for every cached workflow. The zod schemas of calendars
 * and of the shipped holiday file are in business-calendar.schema.ts; here `compile` only checks
 * the few invariants the arithmetic relies on.
 */
import calendarData from './calendars/cn-public-holidays.json';
import { BEIJING_UTC_OFFSET_MINUTES } from './beijing-time';

/** A working-time calendar: fixed UTC offset, daily working hours, working weekdays, holidays and make-up working days. */
export interface BusinessCalendar {
  /** Identifier, e.g. 'cn-mainland'. */
  name: string;
  /** Fixed offset of local time from UTC in minutes (480 for Asia/Shanghai, which has no DST). */
  utcOffsetMinutes: number;
  /** Local 'HH:MM' working hours of every working day, e.g. '09:00'..'18:00'; end may be '24:00'. */
  workingHours: { start: string; end: string };
  /** ISO weekdays that are working days unless a holiday: 1=Mon..7=Sun. */
  workingWeekdays: number[];
  /** Public holidays as inclusive ranges of local dates 'YYYY-MM-DD'. */
  holidays: { name: string; from: string; to: string }[];
  /** Local dates that are working days even though they fall on a non-working weekday (调休上班). */
  makeUpWorkdays: string[];
  /** Years whose official holiday dates are known; any computation needing another year throws CalendarRangeError. */
  coveredYears: number[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DOCS = 'docs/business-calendar.md';

/** Thrown when a computation needs a date in a year that is not in the calendar's coveredYears. */
export class CalendarRangeError extends Error {
  /** The first year the computation needed but the calendar does not cover. */
  readonly year: number;

  constructor(year: number, calendarName: string, coveredYears: readonly number[]) {
    const covered = coveredYears.length ? [...coveredYears].sort((a, b) => a - b).join(', ') : 'none';
    super(
      `Business calendar '${calendarName}' has no official holiday dates for ${year} (covered years: ${covered}); ` +
        `add ${year}'s public holidays and make-up working days as described in ${DOCS}.`,
    );
    this.name = 'CalendarRangeError';
    this.year = year;
  }
}

// ---------------------------------------------------------------------------------------------
// Date arithmetic on day numbers (days since 1970-01-01), proleptic Gregorian, after
// H. Hinnant's "chrono-compatible low-level date algorithms".

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a 'YYYY-MM-DD' local date, or undefined if it is not a real calendar date. */
export function parseLocalDate(date: string): number | undefined {
  const match = ISO_DATE.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const days = daysFromCivil(y, m, d);
  const back = civilFromDays(days);
  return back.y === y && back.m === m && back.d === d ? days : undefined;
}

/** ISO weekday (1=Mon..7=Sun) of a day number; 1970-01-01 was a Thursday. */
function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

const HH_MM = /^(\d{2}):(\d{2})$/;

/** Minutes after local midnight of 'HH:MM' (00:00..24:00), or undefined. */
export function parseHhMm(value: string): number | undefined {
  const match = HH_MM.exec(value);
  if (!match) return undefined;
  const [h, m] = [Number(match[1]), Number(match[2])];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

// ---------------------------------------------------------------------------------------------
// Invariants the arithmetic relies on (the schema with a message per field: business-calendar.schema.ts)

/** Throws a RangeError if the calendar could make the arithmetic return NaN or loop (bad hours, dates or weekdays). */
function assertUsable(cal: BusinessCalendar): void {
  const bad = (what: string) => new RangeError(`business calendar '${cal.name}': ${what}`);
  const start = parseHhMm(cal.workingHours.start);
  const end = parseHhMm(cal.workingHours.end);
  if (start === undefined || end === undefined || start >= end) throw bad("working hours must be 'HH:MM' and end after they start");
  if (!Number.isInteger(cal.utcOffsetMinutes)) throw bad('utcOffsetMinutes must be a whole number');
  if (!cal.workingWeekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) throw bad('working weekdays are 1..7');
  for (const h of cal.holidays) {
    const [from, to] = [parseLocalDate(h.from), parseLocalDate(h.to)];
    if (from === undefined || to === undefined || from > to) throw bad(`holiday '${h.name}' must run between two real dates YYYY-MM-DD`);
  }
  for (const day of cal.makeUpWorkdays) if (parseLocalDate(day) === undefined) throw bad(`make-up working day '${day}' is not a real date`);
  if (!cal.coveredYears.every(Number.isInteger)) throw bad('covered years must be whole numbers');
}

// ---------------------------------------------------------------------------------------------
// Compiled form, memoized per calendar object (calendars are treated as immutable).

interface CompiledCalendar {
  name: string;
  offsetMs: number;
  /** Working period of a day as ms after local midnight. */
  startMs: number;
  endMs: number;
  weekdays: ReadonlySet<number>;
  holidays: ReadonlySet<number>;
  makeUps: ReadonlySet<number>;
  coveredYears: readonly number[];
  covered: ReadonlySet<number>;
}

const compiledCache = new WeakMap<BusinessCalendar, CompiledCalendar>();

function compile(input: BusinessCalendar): CompiledCalendar {
  const cached = compiledCache.get(input);
  if (cached) return cached;
  assertUsable(input);
  const cal = input;
  const holidays = new Set<number>();
  for (const h of cal.holidays) {
    const last = parseLocalDate(h.to) as number;
    for (let day = parseLocalDate(h.from) as number; day <= last; day++) holidays.add(day);
  }
  const compiled: CompiledCalendar = {
    name: cal.name,
    offsetMs: cal.utcOffsetMinutes * MINUTE_MS,
    startMs: (parseHhMm(cal.workingHours.start) as number) * MINUTE_MS,
    endMs: (parseHhMm(cal.workingHours.end) as number) * MINUTE_MS,
    weekdays: new Set(cal.workingWeekdays),
    holidays,
    makeUps: new Set(cal.makeUpWorkdays.map((d) => parseLocalDate(d) as number)),
    coveredYears: [...cal.coveredYears],
    covered: new Set(cal.coveredYears),
  };
  compiledCache.set(input, compiled);
  return compiled;
}

/** Whether a local day number is a working day; throws CalendarRangeError outside the covered years. */
function isWorkingDayNumber(day: number, c: CompiledCalendar): boolean {
  const { y } = civilFromDays(day);
  if (!c.covered.has(y)) throw new CalendarRangeError(y, c.name, c.coveredYears);
  if (c.makeUps.has(day)) return true;
  if (c.holidays.has(day)) return false;
  return c.weekdays.has(isoWeekday(day));
}

/** Epoch ms of local midnight starting the given local day. */
function dayStartEpochMs(day: number, c: CompiledCalendar): number {
  return day * DAY_MS - c.offsetMs;
}

function localDayOf(epochMs: number, c: CompiledCalendar): number {
  return Math.floor((epochMs + c.offsetMs) / DAY_MS);
}

function assertInstant(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite epoch-ms number, got ${value}`);
}

// ---------------------------------------------------------------------------------------------
// Public API

/** The mainland China calendar (Asia/Shanghai, 09:00–18:00 Mon–Fri) with the State Council holidays shipped in domain/calendars. */
export function chinaMainlandCalendar(
  overrides?: Partial<Pick<BusinessCalendar, 'workingHours' | 'workingWeekdays'>>,
): BusinessCalendar {
  const base = shippedChinaCalendar();
  if (!overrides || (overrides.workingHours === undefined && overrides.workingWeekdays === undefined)) return base;
  const merged: BusinessCalendar = {
    ...base,
    workingHours: { ...(overrides.workingHours ?? base.workingHours) },
    workingWeekdays: [...(overrides.workingWeekdays ?? base.workingWeekdays)],
  };
  assertUsable(merged);
  return deepFreeze(merged);
}

let shipped: BusinessCalendar | undefined;

function shippedChinaCalendar(): BusinessCalendar {
  if (shipped) return shipped;
  // Not validated here: the unit tests check the file (shippedCalendarFileSchema) and this calendar
  // (businessCalendarSchema), and the API validates it again at start as part of the default policy.
  const years = Object.entries(calendarData.years).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const calendar: BusinessCalendar = {
    name: 'cn-mainland',
    utcOffsetMinutes: BEIJING_UTC_OFFSET_MINUTES,
    workingHours: { start: '09:00', end: '18:00' },
    workingWeekdays: [1, 2, 3, 4, 5],
    holidays: years.flatMap(([, y]) => y.holidays.map((h) => ({ name: h.name, from: h.from, to: h.to }))),
    makeUpWorkdays: years.flatMap(([, y]) => [...y.makeUpWorkdays]),
    coveredYears: years.map(([year]) => Number(year)),
  };
  shipped = deepFreeze(calendar);
  return shipped;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Whether a local date 'YYYY-MM-DD' is a working day (make-up day, or a working weekday that is not a holiday). */
export function isWorkingDay(localDate: string, cal: BusinessCalendar): boolean {
  const day = parseLocalDate(localDate);
  if (day === undefined) throw new RangeError(`not a local date YYYY-MM-DD: '${localDate}'`);
  return isWorkingDayNumber(day, compile(cal));
}

/** Whether an instant falls inside a working period [start, end) of a working day. */
export function isWorkingTime(epochMs: number, cal: BusinessCalendar): boolean {
  assertInstant(epochMs, 'epochMs');
  const c = compile(cal);
  const day = localDayOf(epochMs, c);
  const sinceMidnight = epochMs - dayStartEpochMs(day, c);
  // Outside the daily hours the answer does not depend on the date, so no coverage is needed.
  if (sinceMidnight < c.startMs || sinceMidnight >= c.endMs) return false;
  return isWorkingDayNumber(day, c);
}

/** A working-time budget from policy data: whole or fractional working days or hours. */
export type WorkingBudget = { workingDays: number } | { workingHours: number };

/** Budget in working ms: workingDays × (end − start) of the calendar's working day, or workingHours × 1h; rounded to whole ms. */
export function workingBudgetMs(b: WorkingBudget, cal: BusinessCalendar): number {
  const amount = 'workingDays' in b ? b.workingDays : b.workingHours;
  if (!Number.isFinite(amount) || amount < 0) {
    throw new RangeError(`${'workingDays' in b ? 'workingDays' : 'workingHours'} must be a finite number >= 0, got ${amount}`);
  }
  if ('workingHours' in b) return Math.round(amount * HOUR_MS);
  const c = compile(cal);
  return Math.round(amount * (c.endMs - c.startMs));
}

/**
 * The instant at which `workingMs` of working time has elapsed after `startMs`.
 * Counting begins at the first working instant >= start; a zero budget returns that instant.
 * A positive budget that exactly exhausts a working period ends at that period's end (18:00),
 * never at the start of the next one.
 */
export function addWorkingTime(startMs: number, workingMs: number, cal: BusinessCalendar): number {
  assertInstant(startMs, 'startMs');
  if (!Number.isFinite(workingMs) || workingMs < 0) throw new RangeError(`workingMs must be a finite number >= 0, got ${workingMs}`);
  const c = compile(cal);
  let remaining = workingMs;
  for (let day = localDayOf(startMs, c); ; day++) {
    const midnight = dayStartEpochMs(day, c);
    const periodEnd = midnight + c.endMs;
    // A day whose working period is already over at start is never consulted (no coverage needed).
    if (startMs >= periodEnd || !isWorkingDayNumber(day, c)) continue;
    const begin = Math.max(startMs, midnight + c.startMs);
    const available = periodEnd - begin;
    if (remaining === 0) return begin;
    if (remaining <= available) return begin + remaining;
    remaining -= available;
  }
}

/** Working ms in [fromMs, toMs); 0 if toMs <= fromMs. */
export function workingTimeBetween(fromMs: number, toMs: number, cal: BusinessCalendar): number {
  assertInstant(fromMs, 'fromMs');
  assertInstant(toMs, 'toMs');
  if (toMs <= fromMs) return 0;
  const c = compile(cal);
  const lastDay = Math.ceil((toMs + c.offsetMs) / DAY_MS) - 1;
  let total = 0;
  for (let day = localDayOf(fromMs, c); day <= lastDay; day++) {
    const midnight = dayStartEpochMs(day, c);
    const begin = Math.max(fromMs, midnight + c.startMs);
    const end = Math.min(toMs, midnight + c.endMs);
    // Only days whose working period overlaps the interval are consulted (and need coverage).
    if (begin < end && isWorkingDayNumber(day, c)) total += end - begin;
  }
  return total;
}

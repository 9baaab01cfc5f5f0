/**
 * Business calendar: working-time arithmetic for SLA deadlines.
 *
 * Pure and deterministic so it can run inside the Temporal workflow sandbox: no I/O, no
 * clock, no `Intl`/locale, not even `Date`. Instants are epoch milliseconds; a calendar has a
 * fixed UTC offset, so local time is `epochMs + offset` and a local day is a whole number of
 * days since 1970-01-01. Working periods are half-open, `[start, end)` on each working day.
 * See docs/business-calendar.md for the semantics and for how to add a new year.
 */
import { z } from 'zod';
import calendarData from './calendars/cn-public-holidays.json';

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
function parseLocalDate(date: string): number | undefined {
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
function parseHhMm(value: string): number | undefined {
  const match = HH_MM.exec(value);
  if (!match) return undefined;
  const [h, m] = [Number(match[1]), Number(match[2])];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

// ---------------------------------------------------------------------------------------------
// Schema

const localDateSchema = z.string().refine((s) => parseLocalDate(s) !== undefined, {
  message: 'must be a real local date YYYY-MM-DD',
});
const hhMmSchema = z.string().refine((s) => parseHhMm(s) !== undefined, { message: "must be 'HH:MM' between 00:00 and 24:00" });

const calendarObjectSchema = z.strictObject({
  name: z.string().min(1),
  utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60),
  workingHours: z
    .strictObject({ start: hhMmSchema, end: hhMmSchema })
    .refine((h) => (parseHhMm(h.start) ?? 0) < (parseHhMm(h.end) ?? 0), {
      message: 'working hours must end after they start on the same day',
    }),
  workingWeekdays: z
    .array(z.number().int().min(1).max(7))
    .min(1)
    .refine((days) => new Set(days).size === days.length, { message: 'weekdays must not repeat' })
    .default([1, 2, 3, 4, 5]),
  holidays: z
    .array(
      z
        .strictObject({ name: z.string().min(1), from: localDateSchema, to: localDateSchema })
        .refine((h) => h.from <= h.to, { message: 'a holiday must not end before it starts' }),
    )
    .default([]),
  makeUpWorkdays: z
    .array(localDateSchema)
    .refine((days) => new Set(days).size === days.length, { message: 'make-up working days must not repeat' })
    .default([]),
  coveredYears: z
    .array(z.number().int().min(1970).max(9999))
    .min(1)
    .refine((years) => new Set(years).size === years.length, { message: 'covered years must not repeat' }),
});

/** Validates a calendar from policy data (strict keys, real dates, start < end, make-up days outside holidays). */
export const businessCalendarSchema: z.ZodType<BusinessCalendar> = calendarObjectSchema.superRefine((cal, ctx) => {
  cal.makeUpWorkdays.forEach((day, i) => {
    const clash = cal.holidays.find((h) => h.from <= day && day <= h.to);
    if (clash) {
      ctx.addIssue({
        code: 'custom',
        path: ['makeUpWorkdays', i],
        message: `${day} is both a make-up working day and inside holiday '${clash.name}'`,
      });
    }
  });
});

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
  const cal = businessCalendarSchema.parse(input);
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
  const merged = businessCalendarSchema.parse({
    ...base,
    workingHours: overrides.workingHours ?? base.workingHours,
    workingWeekdays: overrides.workingWeekdays ?? base.workingWeekdays,
  });
  return deepFreeze(merged);
}

const shippedFileSchema = z.strictObject({
  about: z.string(),
  timezone: z.literal('Asia/Shanghai'),
  years: z.record(
    z.string().regex(/^\d{4}$/, 'year keys are four digits'),
    z.strictObject({
      holidays: z.array(z.strictObject({ name: z.string().min(1), from: z.string(), to: z.string() })).min(1),
      makeUpWorkdays: z.array(z.string()),
    }),
  ),
});

let shipped: BusinessCalendar | undefined;

function shippedChinaCalendar(): BusinessCalendar {
  if (shipped) return shipped;
  const file = shippedFileSchema.parse(calendarData);
  const years = Object.keys(file.years).sort();
  const calendar = businessCalendarSchema.parse({
    name: 'cn-mainland',
    utcOffsetMinutes: 480,
    workingHours: { start: '09:00', end: '18:00' },
    workingWeekdays: [1, 2, 3, 4, 5],
    holidays: years.flatMap((y) => file.years[y]?.holidays ?? []),
    makeUpWorkdays: years.flatMap((y) => file.years[y]?.makeUpWorkdays ?? []),
    coveredYears: years.map(Number),
  });
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

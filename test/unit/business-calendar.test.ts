import fc from 'fast-check';
import calendarData from '../../domain/calendars/cn-public-holidays.json';
import {
  addWorkingTime,
  CalendarRangeError,
  chinaMainlandCalendar,
  isWorkingDay,
  isWorkingTime,
  workingBudgetMs,
  workingTimeBetween,
  type BusinessCalendar,
} from '../../domain/business-calendar';
import { businessCalendarSchema, shippedCalendarFileSchema } from '../../domain/business-calendar.schema';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WORKING_DAY = 9 * HOUR; // 09:00–18:00
const cn = chinaMainlandCalendar();

/** Epoch ms of a Beijing local time 'YYYY-MM-DD HH:MM[:SS.mmm]'. */
function beijing(local: string): number {
  const ms = Date.parse(`${local.replace(' ', 'T')}+08:00`);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${local}`);
  return ms;
}

/** Beijing local time of an instant, 'YYYY-MM-DD HH:MM' (seconds appended when not zero). */
function local(ms: number): string {
  const iso = new Date(ms + 8 * HOUR).toISOString();
  const seconds = iso.slice(17, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00.000' ? '' : `:${seconds}`}`;
}

/** Runs jest expectations and prefixes any failure with what broke. */
function because(what: string, assertion: () => void): void {
  try {
    assertion();
  } catch (err) {
    if (err instanceof Error) err.message = `${what}\n\n${err.message}`;
    throw err;
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw, but it returned');
}

const lastCoveredYear = Math.max(...cn.coveredYears);
const firstUncoveredYear = lastCoveredYear + 1;

describe('businessCalendarSchema', () => {
  const valid = {
    name: 'test',
    utcOffsetMinutes: 480,
    workingHours: { start: '09:00', end: '18:00' },
    holidays: [{ name: 'Spring Festival', from: '2026-02-15', to: '2026-02-23' }],
    makeUpWorkdays: ['2026-02-14'],
    coveredYears: [2026],
  };

  it('accepts a policy calendar and defaults the working week to Monday–Friday', () => {
    const parsed = businessCalendarSchema.parse(valid);
    because('omitted workingWeekdays should default to Mon–Fri', () =>
      expect(parsed.workingWeekdays).toEqual([1, 2, 3, 4, 5]),
    );
  });

  it('accepts the shipped mainland China calendar unchanged', () => {
    because('the shipped calendar must validate against its own schema', () =>
      expect(businessCalendarSchema.parse(cn)).toEqual(cn),
    );
  });

  it.each([
    ['working hours that end before they start', { workingHours: { start: '18:00', end: '09:00' } }],
    ['working hours that are not HH:MM', { workingHours: { start: '9:00', end: '18:00' } }],
    ['an impossible date (30 February)', { makeUpWorkdays: ['2026-02-30'] }],
    ['a holiday that ends before it starts', { holidays: [{ name: 'x', from: '2026-02-23', to: '2026-02-15' }] }],
    ['a make-up working day inside a holiday', { makeUpWorkdays: ['2026-02-16'] }],
    ['a misspelt key (makeupWorkdays)', { makeupWorkdays: [] }],
    ['an empty working week', { workingWeekdays: [] }],
    ['a weekday number outside 1..7', { workingWeekdays: [0, 1] }],
    ['no covered years', { coveredYears: [] }],
  ])('rejects %s', (what, patch) => {
    because(`a calendar with ${what} must be rejected`, () =>
      expect(businessCalendarSchema.safeParse({ ...valid, ...patch }).success).toBe(false),
    );
  });

  // The arithmetic runs in workflows without the schema; it still refuses a calendar it cannot compute with.
  it.each([
    ['working hours that end before they start', { workingHours: { start: '18:00', end: '09:00' } }],
    ['working hours that are not HH:MM', { workingHours: { start: '9:00', end: '18:00' } }],
    ['an impossible date (30 February)', { makeUpWorkdays: ['2026-02-30'] }],
    ['a holiday that ends before it starts', { holidays: [{ name: 'x', from: '2026-02-23', to: '2026-02-15' }] }],
    ['a weekday number outside 1..7', { workingWeekdays: [0, 1] }],
  ])('arithmetic refuses %s with a RangeError', (what, patch) => {
    const cal: BusinessCalendar = { ...valid, workingWeekdays: [1, 2, 3, 4, 5], ...patch };
    because(`addWorkingTime on a calendar with ${what} must throw`, () => expect(() => addWorkingTime(0, HOUR, cal)).toThrow(RangeError));
  });
});

describe('shipped cn-mainland holiday data (the checks a newly added year must pass)', () => {
  const years = Object.entries(calendarData.years);
  const festivals = ['New Year', 'Spring Festival', 'Qingming', 'Labour Day', 'Dragon Boat', 'Mid-Autumn', 'National Day'];

  // business-calendar.ts builds the calendar from the file without validating it (it runs inside workflows,
  // where no schema library is loaded): these two checks are where the file is validated.
  it('matches the file schema (Asia/Shanghai, four-digit year keys, strict keys)', () => {
    because('the shipped holiday file must validate', () => expect(shippedCalendarFileSchema.safeParse(calendarData).error).toBeUndefined());
  });

  it('covers consecutive years, exactly those present in the JSON', () => {
    const keys = years.map(([year]) => Number(year)).sort((a, b) => a - b);
    because('coveredYears must be the JSON year keys', () => expect([...cn.coveredYears].sort()).toEqual(keys));
    keys.forEach((year, i) => {
      if (i > 0) because(`covered years must not have a gap before ${year}`, () => expect(year).toBe(keys[i - 1] + 1));
    });
  });

  it.each(years)('%s lists all seven statutory festivals', (year, data) => {
    for (const festival of festivals) {
      because(`${year} has no holiday named after ${festival}`, () =>
        expect(data.holidays.some((h) => h.name.includes(festival))).toBe(true),
      );
    }
  });

  it.each(years)('%s holidays are in date order, do not overlap, last at most 10 days and fall in (or just before) the year', (year, data) => {
    data.holidays.forEach((h, i) => {
      const length = (Date.parse(h.to) - Date.parse(h.from)) / DAY + 1;
      because(`${year} '${h.name}' ${h.from}..${h.to} lasts ${length} days`, () => {
        expect(length).toBeGreaterThanOrEqual(1);
        expect(length).toBeLessThanOrEqual(10);
      });
      because(`${year} '${h.name}' starts in the wrong year`, () =>
        expect([String(Number(year) - 1), year]).toContain(h.from.slice(0, 4)),
      );
      const previous = data.holidays[i - 1];
      if (previous) {
        because(`${year} '${h.name}' overlaps or precedes '${previous.name}'`, () => expect(h.from > previous.to).toBe(true));
      }
    });
  });

  it.each(years)('%s make-up working days are weekend days in (or just before) the year and are working days', (year, data) => {
    for (const day of data.makeUpWorkdays) {
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      because(`${year} make-up day ${day} is not a Saturday or Sunday`, () => expect([0, 6]).toContain(weekday));
      because(`${year} make-up day ${day} is in the wrong year`, () =>
        expect([String(Number(year) - 1), year]).toContain(day.slice(0, 4)),
      );
      because(`${year} make-up day ${day} is not treated as a working day`, () => expect(isWorkingDay(day, cn)).toBe(true));
    }
  });

  it('every holiday date is a non-working day', () => {
    for (const h of cn.holidays) {
      for (let t = Date.parse(h.from); t <= Date.parse(h.to); t += DAY) {
        const day = new Date(t).toISOString().slice(0, 10);
        because(`${day} ('${h.name}') should be a holiday`, () => expect(isWorkingDay(day, cn)).toBe(false));
      }
    }
  });
});

describe('working days and working time', () => {
  it.each([
    ['2026-02-14', true, 'make-up Saturday before Spring Festival'],
    ['2026-02-16', false, 'Monday inside Spring Festival'],
    ['2026-02-21', false, 'Saturday inside Spring Festival'],
    ['2026-02-28', true, 'make-up Saturday after Spring Festival'],
    ['2026-09-20', true, 'make-up Sunday before Mid-Autumn'],
    ['2026-10-08', true, 'Thursday after Golden Week'],
    ['2026-10-10', true, 'make-up Saturday after Golden Week'],
    ['2026-03-07', false, 'ordinary Saturday'],
    ['2026-03-11', true, 'ordinary Wednesday'],
  ])('%s is a working day: %s (%s)', (date, expected, what) => {
    because(`${date} (${what})`, () => expect(isWorkingDay(date, cn)).toBe(expected));
  });

  it('working hours are half-open: 09:00 and 17:59:59.999 are working time, 08:59:59.999 and 18:00 are not', () => {
    because('09:00 is the first working instant', () => expect(isWorkingTime(beijing('2026-03-11 09:00'), cn)).toBe(true));
    because('the last ms before 18:00 is working', () =>
      expect(isWorkingTime(beijing('2026-03-11 17:59:59.999'), cn)).toBe(true),
    );
    because('the last ms before 09:00 is not working', () =>
      expect(isWorkingTime(beijing('2026-03-11 08:59:59.999'), cn)).toBe(false),
    );
    because('18:00 is the end of the working period, not inside it', () =>
      expect(isWorkingTime(beijing('2026-03-11 18:00'), cn)).toBe(false),
    );
    because('a holiday at 10:00 is not working time', () => expect(isWorkingTime(beijing('2026-10-05 10:00'), cn)).toBe(false));
  });

  it('a six-day-week override makes ordinary Saturdays working but keeps holidays off', () => {
    const sixDays = chinaMainlandCalendar({ workingWeekdays: [1, 2, 3, 4, 5, 6] });
    because('ordinary Saturday with a six-day week', () => expect(isWorkingDay('2026-03-07', sixDays)).toBe(true));
    because('holiday Saturday with a six-day week', () => expect(isWorkingDay('2026-10-03', sixDays)).toBe(false));
    because('the override must not change the shipped calendar', () => expect(isWorkingDay('2026-03-07', cn)).toBe(false));
  });

  it('rejects a malformed local date', () => {
    because('isWorkingDay(2026-13-01) should throw a RangeError', () =>
      expect(() => isWorkingDay('2026-13-01', cn)).toThrow(RangeError),
    );
  });
});

describe('addWorkingTime', () => {
  it.each([
    // Golden Week 2026: Oct 1–7 off, Thursday Oct 8 is an ordinary working day, Saturday Oct 10 is a make-up day.
    ['Golden Week: 1 working day from Wed 30 Sep 10:00 resumes on Thu 8 Oct', '2026-09-30 10:00', { workingDays: 1 }, '2026-10-08 10:00'],
    ['Golden Week: make-up Saturday 10 Oct counts', '2026-10-09 10:00', { workingDays: 1 }, '2026-10-10 10:00'],
    ['Golden Week: submitted on 3 Oct, counting starts Thu 8 Oct 09:00', '2026-10-03 15:00', { workingDays: 2 }, '2026-10-09 18:00'],
    // Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 are make-up days.
    ['Spring Festival: make-up Saturday 14 Feb counts', '2026-02-13 10:00', { workingDays: 1 }, '2026-02-14 10:00'],
    ['Spring Festival: from the make-up Saturday the clock skips Feb 15–23', '2026-02-14 10:00', { workingDays: 1 }, '2026-02-24 10:00'],
    ['Spring Festival: submitted mid-festival, counting starts Tue 24 Feb 09:00', '2026-02-18 11:00', { workingDays: 2 }, '2026-02-25 18:00'],
    ['Spring Festival: make-up Saturday 28 Feb counts', '2026-02-27 10:00', { workingDays: 1 }, '2026-02-28 10:00'],
    ['Mid-Autumn: make-up Sunday 20 Sep counts', '2026-09-18 10:00', { workingDays: 1 }, '2026-09-20 10:00'],
    ['COD refund: 7 working days across Golden Week 2025 (Oct 1–8 off, Sat Oct 11 working)', '2025-09-29 14:00', { workingDays: 7 }, '2025-10-15 14:00'],
    // Ordinary weeks.
    ['Friday 17:00 plus 1 working day is Monday 17:00', '2026-03-06 17:00', { workingDays: 1 }, '2026-03-09 17:00'],
    ['Friday 17:00 plus 24 working hours', '2026-03-06 17:00', { workingHours: 24 }, '2026-03-11 14:00'],
    ['submitted on a Sunday: 1 working day fills Monday and ends at 18:00, not Tuesday 09:00', '2026-03-08 11:00', { workingDays: 1 }, '2026-03-09 18:00'],
    ['submitted on a Sunday: a zero budget is Monday 09:00', '2026-03-08 11:00', { workingHours: 0 }, '2026-03-09 09:00'],
    ['submitted at 18:00 exactly: counting starts next working day 09:00', '2026-03-11 18:00', { workingHours: 1 }, '2026-03-12 10:00'],
    ['submitted at 18:00 exactly: a zero budget is next working day 09:00', '2026-03-11 18:00', { workingHours: 0 }, '2026-03-12 09:00'],
    ['submitted before opening: counting starts at 09:00', '2026-03-11 07:30', { workingHours: 2 }, '2026-03-11 11:00'],
    ['a zero budget inside working time is the start itself', '2026-03-11 10:17', { workingDays: 0 }, '2026-03-11 10:17'],
  ] as const)('%s', (what, start, budget, expected) => {
    const deadline = addWorkingTime(beijing(start), workingBudgetMs(budget, cn), cn);
    because(`${what}: ${JSON.stringify(budget)} from ${start}`, () => expect(local(deadline)).toBe(expected));
  });

  it('a budget that exactly fills the last covered day ends at 18:00 without needing the next year', () => {
    const deadline = addWorkingTime(beijing(`${lastCoveredYear}-12-31 09:00`), WORKING_DAY, cn);
    because('deadline of one full working day from 31 Dec 09:00', () =>
      expect(local(deadline)).toBe(`${lastCoveredYear}-12-31 18:00`),
    );
  });

  it(`a deadline that reaches the first uncovered year (${firstUncoveredYear}) throws CalendarRangeError naming that year`, () => {
    const err = thrown(() => addWorkingTime(beijing(`${lastCoveredYear}-12-31 10:00`), WORKING_DAY, cn));
    because('the error type', () => expect(err).toBeInstanceOf(CalendarRangeError));
    const rangeError = err as CalendarRangeError;
    because('the error year', () => expect(rangeError.year).toBe(firstUncoveredYear));
    because('the message names the year and the procedure', () => {
      expect(rangeError.message).toContain(String(firstUncoveredYear));
      expect(rangeError.message).toContain('docs/business-calendar.md');
    });
  });

  it('a start before the first covered year throws CalendarRangeError naming that year', () => {
    const first = Math.min(...cn.coveredYears);
    const err = thrown(() => addWorkingTime(beijing(`${first - 1}-12-30 10:00`), HOUR, cn));
    because('the error type and year', () => {
      expect(err).toBeInstanceOf(CalendarRangeError);
      expect((err as CalendarRangeError).year).toBe(first - 1);
    });
  });

  it('rejects a negative or non-finite budget', () => {
    because('negative budget', () => expect(() => addWorkingTime(beijing('2026-03-11 10:00'), -1, cn)).toThrow(RangeError));
    because('NaN budget', () => expect(() => addWorkingTime(beijing('2026-03-11 10:00'), NaN, cn)).toThrow(RangeError));
    because('negative working days', () => expect(() => workingBudgetMs({ workingDays: -1 }, cn)).toThrow(RangeError));
  });

  it('computes a 60-working-day budget quickly (day by day, not minute by minute)', () => {
    const budget = workingBudgetMs({ workingDays: 60 }, cn);
    const began = performance.now();
    let deadline = 0;
    for (let i = 0; i < 200; i++) deadline = addWorkingTime(beijing('2025-09-01 09:00') + i * HOUR, budget, cn);
    const perCall = (performance.now() - began) / 200;
    because(`60 working days took ${perCall.toFixed(3)} ms per call`, () => expect(perCall).toBeLessThan(5));
    because('60 working days must be exactly 60 working days of working time', () =>
      expect(workingTimeBetween(beijing('2025-09-01 09:00') + 199 * HOUR, deadline, cn)).toBe(budget),
    );
  });
});

describe('workingTimeBetween', () => {
  it.each([
    ['Friday 17:00 to Monday 10:00 is 2 working hours', '2026-03-06 17:00', '2026-03-09 10:00', 2 * HOUR],
    ['across Golden Week 2026 only 30 Sep and 8 Oct count', '2026-09-30 09:00', '2026-10-09 09:00', 2 * WORKING_DAY],
    ['an interval outside working hours is empty', '2026-03-11 18:00', '2026-03-12 09:00', 0],
    ['an empty interval is 0', '2026-03-11 10:00', '2026-03-11 10:00', 0],
    ['a reversed interval is 0', '2026-03-11 12:00', '2026-03-11 10:00', 0],
  ])('%s', (what, from, to, expected) => {
    because(`${what}: ${from} → ${to}`, () => expect(workingTimeBetween(beijing(from), beijing(to), cn)).toBe(expected));
  });

  it('an interval ending at midnight of the first uncovered year does not need that year', () => {
    const total = workingTimeBetween(beijing(`${lastCoveredYear}-12-31 09:00`), beijing(`${firstUncoveredYear}-01-01 00:00`), cn);
    because('31 Dec of the last covered year is a full working day', () => expect(total).toBe(WORKING_DAY));
  });
});

describe('workingBudgetMs', () => {
  it('converts working days with the calendar day length and working hours with one hour each', () => {
    because('7 working days of 09:00–18:00', () => expect(workingBudgetMs({ workingDays: 7 }, cn)).toBe(7 * WORKING_DAY));
    because('24 working hours', () => expect(workingBudgetMs({ workingHours: 24 }, cn)).toBe(24 * HOUR));
    const short = chinaMainlandCalendar({ workingHours: { start: '08:30', end: '12:00' } });
    because('1.5 working days of 08:30–12:00', () => expect(workingBudgetMs({ workingDays: 1.5 }, short)).toBe(5.25 * HOUR));
  });
});

describe('properties', () => {
  // A calendar with an odd offset, odd hours and an irregular week exercises the day arithmetic beyond Beijing.
  const odd: BusinessCalendar = businessCalendarSchema.parse({
    name: 'odd',
    utcOffsetMinutes: -150,
    workingHours: { start: '07:45', end: '16:20' },
    workingWeekdays: [2, 3, 4, 6],
    holidays: cn.holidays,
    makeUpWorkdays: cn.makeUpWorkdays,
    coveredYears: cn.coveredYears,
  });
  const calendars: [string, BusinessCalendar][] = [
    ['cn-mainland', cn],
    ['cn-mainland six-day week', chinaMainlandCalendar({ workingWeekdays: [1, 2, 3, 4, 5, 6] })],
    ['odd', odd],
  ];

  // Starts from 2025-01-02 to 2026-08-31 (Beijing; the odd calendar runs 10h30 behind): with ≤ 20 working days and pauses ≤ 30 days every run stays in 2025–2026.
  const firstDay = beijing('2025-01-02 00:00');
  const dayCount = (beijing('2026-08-31 00:00') - firstDay) / DAY;
  const calendarArb = fc.constantFrom(...calendars);
  const startArb = fc.oneof(
    fc.integer({ min: firstDay, max: firstDay + dayCount * DAY }),
    // Boundary instants: Beijing midnight, opening and closing ±1 ms; the odd calendar's 07:45 and 16:20 (Beijing 18:15 and 02:50).
    fc
      .tuple(
        fc.integer({ min: 1, max: dayCount - 1 }),
        fc.constantFrom(0, 9 * HOUR, 18 * HOUR, 9 * HOUR - 1, 18 * HOUR - 1, 18 * HOUR + 1, 18.25 * HOUR, 2 * HOUR + 50 * 60_000),
      )
      .map(([day, offset]) => firstDay + day * DAY + offset),
  );
  const budgetArb = (cal: BusinessCalendar) =>
    fc.oneof(
      fc.integer({ min: 0, max: 20 }).map((n) => workingBudgetMs({ workingDays: n }, cal)),
      fc.integer({ min: 0, max: 20 }).map((n) => workingBudgetMs({ workingHours: n }, cal)),
      fc.integer({ min: 0, max: 20 * WORKING_DAY }),
    );
  const caseArb = calendarArb.chain(([name, cal]) =>
    fc.record({ name: fc.constant(name), cal: fc.constant(cal), start: startArb, budget: budgetArb(cal), other: budgetArb(cal) }),
  );
  const numRuns = 300;

  /** True if the instant is the end of a working period: the ms before is working time and the instant is not. */
  const isPeriodEnd = (ms: number, cal: BusinessCalendar) => !isWorkingTime(ms, cal) && isWorkingTime(ms - 1, cal);

  it('a deadline never lands in non-working time: it is working time or exactly the end of a working period', () => {
    fc.assert(
      fc.property(caseArb, ({ name, cal, start, budget }) => {
        const deadline = addWorkingTime(start, budget, cal);
        if (deadline < start) throw new Error(`[${name}] deadline ${local(deadline)} is before start ${local(start)}`);
        if (!isWorkingTime(deadline, cal) && !isPeriodEnd(deadline, cal)) {
          throw new Error(`[${name}] deadline ${local(deadline)} for ${budget} ms from ${local(start)} is in non-working time`);
        }
        if (budget > 0 && !isWorkingTime(deadline - 1, cal)) {
          throw new Error(`[${name}] the last ms before deadline ${local(deadline)} is not working time`);
        }
      }),
      { numRuns },
    );
  });

  it('a longer budget never gives an earlier deadline', () => {
    fc.assert(
      fc.property(caseArb, ({ name, cal, start, budget, other }) => {
        const [shorter, longer] = budget <= other ? [budget, other] : [other, budget];
        const a = addWorkingTime(start, shorter, cal);
        const b = addWorkingTime(start, longer, cal);
        if (b < a) throw new Error(`[${name}] from ${local(start)}: ${longer} ms → ${local(b)} is earlier than ${shorter} ms → ${local(a)}`);
      }),
      { numRuns },
    );
  });

  it('the working time between the first working instant and the deadline is exactly the budget', () => {
    fc.assert(
      fc.property(caseArb, ({ name, cal, start, budget }) => {
        const deadline = addWorkingTime(start, budget, cal);
        const firstWorking = addWorkingTime(start, 0, cal);
        const fromFirst = workingTimeBetween(firstWorking, deadline, cal);
        const fromStart = workingTimeBetween(start, deadline, cal);
        if (fromFirst !== budget || fromStart !== budget) {
          throw new Error(
            `[${name}] ${budget} ms from ${local(start)} → ${local(deadline)}, but workingTimeBetween gives ${fromFirst} from the first working instant and ${fromStart} from start`,
          );
        }
      }),
      { numRuns },
    );
  });

  it('adding two budgets one after the other equals adding their sum (for a positive second budget)', () => {
    fc.assert(
      fc.property(caseArb, ({ name, cal, start, budget, other }) => {
        fc.pre(other > 0);
        const stepwise = addWorkingTime(addWorkingTime(start, budget, cal), other, cal);
        const atOnce = addWorkingTime(start, budget + other, cal);
        if (stepwise !== atOnce) {
          throw new Error(`[${name}] from ${local(start)}: ${budget} then ${other} ms → ${local(stepwise)}, but the sum → ${local(atOnce)}`);
        }
      }),
      { numRuns },
    );
  });

  it('pausing and resuming never loses or gains budget', () => {
    const pauseArb = fc.record({
      at: fc.integer({ min: 0, max: 1_000_000 }),
      duration: fc.oneof(fc.integer({ min: 0, max: 30 * DAY }), fc.constantFrom(0, 1, HOUR, DAY, 7 * DAY)),
    });
    fc.assert(
      fc.property(caseArb, pauseArb, ({ name, cal, start, budget }, pause) => {
        const deadline = addWorkingTime(start, budget, cal);
        const p = start + Math.floor(((deadline - start) * pause.at) / 1_000_000);
        const remaining = workingTimeBetween(p, deadline, cal);
        const resumed = addWorkingTime(p + pause.duration, remaining, cal);
        const used = workingTimeBetween(start, p, cal) + workingTimeBetween(p + pause.duration, resumed, cal);
        if (used !== budget) {
          throw new Error(
            `[${name}] ${budget} ms from ${local(start)} paused at ${local(p)} for ${pause.duration} ms: used ${used} ms, not the budget`,
          );
        }
        if (resumed < deadline) {
          throw new Error(`[${name}] pausing moved the deadline earlier: ${local(deadline)} → ${local(resumed)}`);
        }
      }),
      { numRuns },
    );
  });
});

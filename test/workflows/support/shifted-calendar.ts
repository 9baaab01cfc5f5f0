import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chinaMainlandCalendar, type BusinessCalendar } from '../../../domain/business-calendar';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * The official calendar moved forward by whole weeks, so a past holiday (with its weekday
 * pattern and make-up working days intact) lies ahead of the test server's clock: time can only
 * be skipped forward.
 */
export function shiftedCalendar(weeks: number): BusinessCalendar {
  const real = chinaMainlandCalendar();
  const shift = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + weeks * WEEK).toISOString().slice(0, 10);
  const holidays = real.holidays.map((h) => ({ ...h, from: shift(h.from), to: shift(h.to) }));
  const makeUpWorkdays = real.makeUpWorkdays.map(shift);
  const years = new Set([...holidays.map((h) => Number(h.from.slice(0, 4))), ...makeUpWorkdays.map((d) => Number(d.slice(0, 4)))]);
  return { ...real, holidays, makeUpWorkdays, coveredYears: [...years].sort() };
}

/** Whole weeks that move `localDate` (a real 2026 date) to after the test server's current time. */
export async function weeksToFuture(env: TestWorkflowEnvironment, localDate: string): Promise<number> {
  const now = await env.currentTimeMs();
  return Math.ceil((now + 2 * DAY - Date.parse(`${localDate}T00:00:00+08:00`)) / WEEK);
}

/** Epoch ms of a Beijing wall-clock time on a real 2026 date moved by `weeks`. */
export function beijingAt(localDate: string, time: string, weeks: number): number {
  return Date.parse(`${localDate}T${time}:00+08:00`) + weeks * WEEK;
}

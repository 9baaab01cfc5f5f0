/**
 * Calendar days and months in Beijing time (UTC+8, no daylight saving): how consumer rules count
 * "within N days of delivery" and "one year from purchase".
 *
 * A period counted from an event (a delivery, a purchase) starts with the calendar day after the
 * event's own day in Beijing (day 1) and ends at 24:00 Beijing time of its last day, whatever the
 * hour of the event: a parcel signed for at 00:30 and one signed for at 23:30 on the same day get
 * the same window. Instants are epoch milliseconds; Beijing days are whole days since 1970-01-01.
 * Pure and clock-free, so the API, the workflows and the tests share it.
 */

/** Beijing time is UTC+8 all year round (China has had no daylight saving since 1991). */
export const BEIJING_UTC_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Beijing calendar day of an instant, as whole days since 1970-01-01. */
export function beijingDay(epochMs: number): number {
  return Math.floor((epochMs + BEIJING_UTC_OFFSET_MS) / DAY_MS);
}

/** The instant a Beijing calendar day begins (00:00 UTC+8). */
export function beijingDayStart(day: number): number {
  return day * DAY_MS - BEIJING_UTC_OFFSET_MS;
}

/** The Beijing calendar date of an instant as 'YYYY-MM-DD', for messages. */
export function beijingDate(epochMs: number): string {
  return new Date(beijingDayStart(beijingDay(epochMs)) + BEIJING_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** Which day of a period counted from `eventMs` the instant `nowMs` falls on: 0 on the event's own day, 1 the day after, … */
export function beijingDayOfPeriod(eventMs: number, nowMs: number): number {
  return beijingDay(nowMs) - beijingDay(eventMs);
}

/** The end (exclusive) of an N-day period from `eventMs`: 24:00 Beijing time of day N, day 1 being the day after the event. */
export function daysPeriodEnd(eventMs: number, days: number): number {
  return beijingDayStart(beijingDay(eventMs) + days + 1);
}

/**
 * The end (exclusive) of an N-month period from `eventMs`: 24:00 Beijing time of the same date N
 * months later, or of that month's last day when it is shorter (bought on 31 January, a one-month
 * period ends with 28 or 29 February).
 */
export function monthsPeriodEnd(eventMs: number, months: number): number {
  const date = new Date(beijingDayStart(beijingDay(eventMs)) + BEIJING_UTC_OFFSET_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDayOfTargetMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lastDay = Math.floor(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDayOfTargetMonth)) / DAY_MS);
  return beijingDayStart(lastDay + 1);
}

/** True while `nowMs` is before the end of the N-day period from `eventMs`. */
export function withinDays(eventMs: number, days: number, nowMs: number): boolean {
  return nowMs < daysPeriodEnd(eventMs, days);
}

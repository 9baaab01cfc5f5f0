/**
 * Beijing time (UTC+8, no daylight saving), the one place that converts to and from it: the
 * offset and zone name, Beijing wall-clock times as providers and customers write them, and
 * calendar days and months as consumer rules count "within N days of delivery" and "one year
 * from purchase". The API, the workflows, the store, the adapters, the sandbox and the desk
 * import it (it imports nothing).
 *
 * A period counted from an event (a delivery, a purchase) starts with the calendar day after the
 * event's own day in Beijing (day 1) and ends at 24:00 Beijing time of its last day, whatever the
 * hour of the event: a parcel signed for at 00:30 and one signed for at 23:30 on the same day get
 * the same window. Instants are epoch milliseconds; Beijing days are whole days since 1970-01-01.
 * Pure and clock-free, so the API, the workflows and the tests share it.
 */

/** Beijing time is UTC+8 all year round (China has had no daylight saving since 1991), in minutes as calendars take it. */
export const BEIJING_UTC_OFFSET_MINUTES = 480;
/** The same offset in milliseconds. */
export const BEIJING_UTC_OFFSET_MS = BEIJING_UTC_OFFSET_MINUTES * 60_000;
/** The offset as ISO 8601 writes it after a local time. */
export const BEIJING_ISO_OFFSET = '+08:00';
/** The IANA zone of Beijing time, for Intl formatting and the business calendar's schema. */
export const BEIJING_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Wall-clock times

/** The Beijing wall-clock time of an instant as 'YYYY-MM-DDTHH:mm:ss' (no offset). */
export function beijingLocalIso(epochMs: number): string {
  return new Date(epochMs + BEIJING_UTC_OFFSET_MS).toISOString().slice(0, 19);
}

/** 'yyyy-MM-dd HH:mm:ss' in Beijing time, as Alipay, Aliyun and Kuaidi100 write times. */
export function beijingDateTime(epochMs: number): string {
  return beijingLocalIso(epochMs).replace('T', ' ');
}

/** 'yyyy-MM-dd HH:mm' in Beijing time, as a customer reads a deadline. */
export function beijingMinute(epochMs: number): string {
  return beijingDateTime(epochMs).slice(0, 16);
}

/** RFC 3339 in Beijing time with its offset, as WeChat Pay writes times ("2026-11-29T19:21:02+08:00"). */
export function beijingRfc3339(epochMs: number): string {
  return `${beijingLocalIso(epochMs)}${BEIJING_ISO_OFFSET}`;
}

/** A local Beijing 'YYYY-MM-DDTHH:mm[:ss[.SSS]]' with its offset written after it: an ISO 8601 instant. */
export function withBeijingOffset(local: string): string {
  return `${local}${BEIJING_ISO_OFFSET}`;
}

/** The instant of a local Beijing 'YYYY-MM-DDTHH:mm[:ss[.SSS]]' (epoch ms); NaN when it is no such time. */
export function instantOfBeijingLocal(local: string): number {
  return new Date(withBeijingOffset(local)).getTime();
}

// ---------------------------------------------------------------------------------------------
// Calendar days and months

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

import {
  BEIJING_TIME_ZONE,
  BEIJING_UTC_OFFSET_MINUTES,
  beijingDate,
  beijingDateTime,
  beijingDay,
  beijingDayOfPeriod,
  beijingDayStart,
  beijingLocalIso,
  beijingMinute,
  beijingRfc3339,
  daysPeriodEnd,
  instantOfBeijingLocal,
  monthsPeriodEnd,
  withBeijingOffset,
  withinDays,
} from '../../domain/beijing-time';

const at = (iso: string) => Date.parse(iso);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

describe('Beijing calendar days', () => {
  test('a Beijing day starts at 00:00 UTC+8, which is 16:00 UTC the evening before', () => {
    const day = beijingDay(at('2026-11-22T00:30:00+08:00'));
    expect(iso(beijingDayStart(day))).toBe('2026-11-21T16:00:00.000Z');
    expect(beijingDay(at('2026-11-21T15:59:59.999Z'))).toBe(day - 1);
    expect(beijingDay(at('2026-11-21T16:00:00.000Z'))).toBe(day);
  });

  test('the Beijing date of an instant given in UTC can already be the next day', () => {
    expect(beijingDate(at('2026-11-21T16:30:00Z'))).toBe('2026-11-22');
    expect(beijingDate(at('2026-11-21T15:59:59.999Z'))).toBe('2026-11-21');
    expect(beijingDate(at('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });

  test('the day of a period is 0 on the event day, 1 the day after, whatever the hours', () => {
    const delivered = at('2026-11-22T23:59:00+08:00');
    expect(beijingDayOfPeriod(delivered, at('2026-11-22T23:59:59+08:00'))).toBe(0);
    expect(beijingDayOfPeriod(delivered, at('2026-11-23T00:00:00+08:00'))).toBe(1);
    expect(beijingDayOfPeriod(delivered, at('2026-11-29T12:00:00+08:00'))).toBe(7);
  });
});

describe('daysPeriodEnd: an N-day window ends at 24:00 Beijing time of day N, day 1 being the day after the event', () => {
  test.each([
    ['signed for at 00:30', '2026-11-22T00:30:00+08:00', 7, '2026-11-30T00:00:00+08:00'],
    ['signed for at 23:59:59.999 the same day', '2026-11-22T23:59:59.999+08:00', 7, '2026-11-30T00:00:00+08:00'],
    ['signed for at 00:00 sharp', '2026-11-22T00:00:00+08:00', 7, '2026-11-30T00:00:00+08:00'],
    ['across a month end', '2026-11-22T00:30:00+08:00', 15, '2026-12-08T00:00:00+08:00'],
    ['across a year end (delivered 23:30 on 31 December)', '2026-12-31T23:30:00+08:00', 7, '2027-01-08T00:00:00+08:00'],
    ['across February in a leap year', '2028-02-20T09:00:00+08:00', 15, '2028-03-07T00:00:00+08:00'],
    ['given in UTC while already the next day in Beijing', '2026-02-20T16:00:00Z', 7, '2026-03-01T00:00:00+08:00'],
    ['given in UTC while still the same day in Beijing', '2026-02-20T15:59:59.999Z', 7, '2026-02-28T00:00:00+08:00'],
    ['a 0-day window ends with the event day', '2026-11-22T10:00:00+08:00', 0, '2026-11-23T00:00:00+08:00'],
  ])('%s: %s + %i days ends at %s', (_label, event, days, end) => {
    expect(iso(daysPeriodEnd(at(event), days))).toBe(iso(at(end)));
  });

  test('noon of day 7 is inside a 7-day window; 00:00 of day 8 is outside', () => {
    const delivered = at('2026-11-22T00:30:00+08:00');
    expect(withinDays(delivered, 7, at('2026-11-29T00:00:00+08:00'))).toBe(true);
    expect(withinDays(delivered, 7, at('2026-11-29T12:00:00+08:00'))).toBe(true);
    expect(withinDays(delivered, 7, at('2026-11-29T23:59:59.999+08:00'))).toBe(true);
    expect(withinDays(delivered, 7, at('2026-11-30T00:00:00+08:00'))).toBe(false);
  });
});

describe('monthsPeriodEnd: an N-month period ends at 24:00 Beijing time of the same date N months later', () => {
  test.each([
    ['a year from 15 June', '2025-06-15T10:00:00+08:00', 12, '2026-06-16T00:00:00+08:00'],
    ['bought late in the evening', '2025-06-15T23:59:00+08:00', 12, '2026-06-16T00:00:00+08:00'],
    ['given in UTC while already 15 June in Beijing', '2025-06-14T20:00:00Z', 12, '2026-06-16T00:00:00+08:00'],
    ['31 January + 1 month is clamped to 28 February', '2026-01-31T10:00:00+08:00', 1, '2026-03-01T00:00:00+08:00'],
    ['29 February + 12 months is clamped to 28 February', '2028-02-29T10:00:00+08:00', 12, '2029-03-01T00:00:00+08:00'],
    ['across a year end', '2026-12-31T23:30:00+08:00', 6, '2027-07-01T00:00:00+08:00'],
    ['31 August + 6 months ends with the last day of February', '2026-08-31T12:00:00+08:00', 6, '2027-03-01T00:00:00+08:00'],
  ])('%s: %s + %i months ends at %s', (_label, event, months, end) => {
    expect(iso(monthsPeriodEnd(at(event), months))).toBe(iso(at(end)));
  });
});

describe('Beijing wall-clock times', () => {
  const instant = at('2026-11-29T16:05:09.250Z');

  test('the offset and zone', () => {
    expect(BEIJING_UTC_OFFSET_MINUTES).toBe(480);
    expect(BEIJING_TIME_ZONE).toBe('Asia/Shanghai');
  });

  test('an instant written as Beijing local time, in each provider format', () => {
    expect(beijingLocalIso(instant)).toBe('2026-11-30T00:05:09');
    expect(beijingDateTime(instant)).toBe('2026-11-30 00:05:09');
    expect(beijingMinute(instant)).toBe('2026-11-30 00:05');
    expect(beijingRfc3339(instant)).toBe('2026-11-30T00:05:09+08:00');
  });

  test('a local Beijing time read back as an instant; NaN when it is none', () => {
    expect(withBeijingOffset('2026-11-30T12:00:00')).toBe('2026-11-30T12:00:00+08:00');
    expect(iso(instantOfBeijingLocal('2026-11-30T00:05:09.250'))).toBe('2026-11-29T16:05:09.250Z');
    expect(instantOfBeijingLocal('2026-02-30T25:00:00')).toBeNaN();
  });
});

/**
 * Validation of business calendars: the zod schema of a calendar in policy data, and of the
 * shipped holiday file. Kept apart from business-calendar.ts, which workflow code imports: zod
 * must not be reachable from workflows/ (the worker evaluates their modules again for every cached
 * workflow). Imported by policy.schema.ts and the tests.
 */
import { z } from 'zod';
import { BEIJING_TIME_ZONE } from './beijing-time';
import { parseHhMm, parseLocalDate, type BusinessCalendar } from './business-calendar';

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

/** The shipped holiday file, domain/calendars/cn-public-holidays.json (see docs/business-calendar.md). */
export const shippedCalendarFileSchema = z.strictObject({
  about: z.string(),
  timezone: z.literal(BEIJING_TIME_ZONE),
  years: z.record(
    z.string().regex(/^\d{4}$/, 'year keys are four digits'),
    z.strictObject({
      holidays: z.array(z.strictObject({ name: z.string().min(1), from: z.string(), to: z.string() })).min(1),
      makeUpWorkdays: z.array(z.string()),
    }),
  ),
});

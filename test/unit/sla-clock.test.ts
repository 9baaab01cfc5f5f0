import { chinaMainlandCalendar } from '../../domain/business-calendar';
import type { EscalationLevel } from '../../domain/policy';
import {
  clockView,
  isOpen,
  nextDeadline,
  pauseClock,
  pendingClockEvents,
  resumeClock,
  startClock,
  stopClock,
  warningAt,
  type SlaClock,
} from '../../domain/sla-clock';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WORKING_DAY = 9 * HOUR; // 09:00–18:00
const cn = chinaMainlandCalendar();
const LADDER: EscalationLevel[] = [
  { level: 1, after: '0s', notify: ['team-lead@aftersales.local'], priority: 'high' },
  { level: 2, after: '4h', notify: ['manager@aftersales.local'], priority: 'urgent' },
];

/** Epoch ms of a Beijing local time 'YYYY-MM-DD HH:MM'. */
function beijing(local: string): number {
  const ms = Date.parse(`${local.replace(' ', 'T')}+08:00`);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${local}`);
  return ms;
}

/** Beijing local time of an ISO instant or epoch ms, 'YYYY-MM-DD HH:MM'. */
function local(at: string | number): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  const iso = new Date(ms + 8 * HOUR).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

const T0 = beijing('2026-03-02 10:00'); // a Monday

function review(at = T0): SlaClock {
  return startClock('review', 'staff', '24h', at, cn);
}

describe('wall-clock budgets', () => {
  test('a started clock runs with the whole budget: deadline = start + budget', () => {
    const clock = review();
    expect(clock).toMatchObject({ name: 'review', party: 'staff', kind: 'wall', budgetMs: 24 * HOUR, consumedMs: 0, state: 'running', pausedMs: 0, escalatedLevels: 0 });
    expect(Date.parse(clock.deadline) - T0).toBe(24 * HOUR);
    expect(clock.startedAt).toBe(new Date(T0).toISOString());
    expect(clock.provisional).toBeUndefined();
    expect(isOpen(clock)).toBe(true);
  });

  test('a pause keeps the budget consumed so far; a resume moves the deadline by the time spent paused', () => {
    const paused = pauseClock(review(), T0 + 10 * HOUR, cn);
    expect(paused).toMatchObject({ state: 'paused', consumedMs: 10 * HOUR, pausedAt: new Date(T0 + 10 * HOUR).toISOString() });

    const resumed = resumeClock(paused, T0 + 40 * HOUR, cn);
    expect(resumed).toMatchObject({ state: 'running', consumedMs: 10 * HOUR, segmentStartMs: T0 + 40 * HOUR, pausedMs: 30 * HOUR });
    expect(resumed.pausedAt).toBeUndefined();
    expect(Date.parse(resumed.deadline)).toBe(T0 + 54 * HOUR);

    const pausedAgain = pauseClock(resumed, T0 + 45 * HOUR, cn);
    expect(pausedAgain.consumedMs).toBe(15 * HOUR);
    expect(Date.parse(resumeClock(pausedAgain, T0 + 50 * HOUR, cn).deadline)).toBe(T0 + 59 * HOUR);
  });

  test('the budget consumed never exceeds the budget, so a clock paused after its deadline resumes with nothing left', () => {
    const paused = pauseClock(review(), T0 + 30 * HOUR, cn);
    expect(paused.consumedMs).toBe(24 * HOUR);
    expect(Date.parse(resumeClock(paused, T0 + 31 * HOUR, cn).deadline)).toBe(T0 + 31 * HOUR);
  });

  test('pausing a clock that is not running, or resuming one that is not paused, changes nothing', () => {
    const running = review();
    expect(resumeClock(running, T0 + HOUR, cn)).toBe(running);
    const breached: SlaClock = { ...running, state: 'breached', breachedAt: running.deadline };
    expect(pauseClock(breached, T0 + 25 * HOUR, cn)).toBe(breached);
    const paused = pauseClock(running, T0 + HOUR, cn);
    expect(pauseClock(paused, T0 + 2 * HOUR, cn)).toBe(paused);
  });

  test('stopping in time meets the clock; stopping a breached clock keeps the breach; stopping twice changes nothing', () => {
    const met = stopClock(review(), T0 + 5 * HOUR);
    expect(met).toMatchObject({ state: 'met', stoppedAt: new Date(T0 + 5 * HOUR).toISOString() });
    expect(isOpen(met)).toBe(false);
    expect(stopClock(met, T0 + 6 * HOUR)).toBe(met);

    const breached: SlaClock = { ...review(), state: 'breached', breachedAt: new Date(T0 + 24 * HOUR).toISOString() };
    expect(stopClock(breached, T0 + 30 * HOUR)).toMatchObject({ state: 'breached', breachedAt: breached.breachedAt });
  });

  test('stopping a paused clock counts the pause up to the stop', () => {
    const stopped = stopClock(pauseClock(review(), T0 + 2 * HOUR, cn), T0 + 5 * HOUR);
    expect(stopped).toMatchObject({ state: 'met', pausedMs: 3 * HOUR });
    expect(stopped.pausedAt).toBeUndefined();
  });
});

describe('working-day budgets (chinaMainlandCalendar)', () => {
  test('3 working days from Monday 10:00 end on Thursday 10:00', () => {
    const clock = startClock('refund', 'staff', { workingDays: 3 }, T0, cn);
    expect(clock).toMatchObject({ kind: 'working', budgetMs: 3 * WORKING_DAY });
    expect(local(clock.deadline)).toBe('2026-03-05 10:00');
  });

  test('a clock started in the evening or at the weekend starts counting at the next working morning', () => {
    expect(local(startClock('refund', 'staff', { workingDays: 1 }, beijing('2026-03-06 20:00'), cn).deadline)).toBe('2026-03-09 18:00');
    expect(local(startClock('refund', 'staff', { workingHours: 4 }, beijing('2026-03-07 11:00'), cn).deadline)).toBe('2026-03-09 13:00');
  });

  test('public holidays do not count and make-up working days do: 1 working day from 30 September spans Golden Week', () => {
    expect(local(startClock('refund', 'staff', { workingDays: 1 }, beijing('2026-09-30 10:00'), cn).deadline)).toBe('2026-10-08 10:00');
    // Saturday 2026-10-10 is a make-up working day (调休上班).
    expect(local(startClock('refund', 'staff', { workingDays: 1 }, beijing('2026-10-09 18:00'), cn).deadline)).toBe('2026-10-10 18:00');
  });

  test('a pause counts only the working time consumed, and a resume spends the rest in working time', () => {
    const started = startClock('refund', 'staff', { workingDays: 3 }, beijing('2026-03-05 10:00'), cn);
    const paused = pauseClock(started, beijing('2026-03-06 10:00'), cn);
    // Thursday 10:00–18:00 and Friday 09:00–10:00.
    expect(paused.consumedMs).toBe(9 * HOUR);
    const resumed = resumeClock(paused, beijing('2026-03-09 15:00'), cn);
    expect(resumed.pausedMs).toBe(beijing('2026-03-09 15:00') - beijing('2026-03-06 10:00'));
    // 18 working hours left: Monday 15–18, Tuesday 9–18, Wednesday 9–15.
    expect(local(resumed.deadline)).toBe('2026-03-11 15:00');
  });

  test('a pause over a weekend or a holiday consumes nothing', () => {
    const started = startClock('refund', 'staff', { workingDays: 2 }, beijing('2026-09-30 17:00'), cn);
    const paused = pauseClock(started, beijing('2026-10-05 12:00'), cn);
    expect(paused.consumedMs).toBe(HOUR);
  });
});

describe('warnings', () => {
  test('the warning falls due when the consumed budget reaches the policy fraction', () => {
    const clock = review();
    expect(warningAt(clock, 0.8, cn)).toBe(T0 + 19.2 * HOUR);
    const working = startClock('refund', 'staff', { workingDays: 3 }, T0, cn);
    // 80% of 27 working hours = 21.6 h: Monday 10–18 (8 h), Tuesday (9 h), Wednesday 09:00 + 4.6 h.
    expect(local(warningAt(working, 0.8, cn))).toBe('2026-03-04 13:36');
  });

  test('after a pause the warning counts the budget already consumed', () => {
    const resumed = resumeClock(pauseClock(review(), T0 + 10 * HOUR, cn), T0 + 40 * HOUR, cn);
    expect(warningAt(resumed, 0.8, cn)).toBe(T0 + 40 * HOUR + 9.2 * HOUR);
  });

  test('a clock resumed past its warning point warns at once', () => {
    const resumed = resumeClock(pauseClock(review(), T0 + 20 * HOUR, cn), T0 + 30 * HOUR, cn);
    expect(warningAt(resumed, 0.8, cn)).toBe(T0 + 30 * HOUR);
  });
});

describe('pendingClockEvents', () => {
  test('events come in time order: staff warnings and breaches, customer deadlines without a warning', () => {
    const clocks = [
      startClock('return_shipment', 'customer', '7d', T0, cn),
      startClock('processing', 'staff', '72h', T0, cn),
      review(T0 + HOUR),
    ];
    const events = pendingClockEvents(clocks, LADDER, 0.8, cn).map((e) => [e.kind, e.clock, (e.at - T0) / HOUR]);
    expect(events).toEqual([
      ['warning', 'review', 20.2],
      ['breach', 'review', 25],
      ['warning', 'processing', 57.6],
      ['breach', 'processing', 72],
      ['breach', 'return_shipment', 168],
    ]);
  });

  test('a warned clock is not warned again; paused and stopped clocks have no events', () => {
    const warned = { ...review(), warnedAt: new Date(T0 + 19.2 * HOUR).toISOString() };
    const paused = pauseClock(startClock('processing', 'staff', '72h', T0, cn), T0 + HOUR, cn);
    const stopped = stopClock(startClock('reship', 'staff', '24h', T0, cn), T0 + HOUR);
    expect(pendingClockEvents([warned, paused, stopped], LADDER, 0.8, cn).map((e) => [e.kind, e.clock])).toEqual([['breach', 'review']]);
  });

  test('after the breach, the ladder levels fall due one by one at breach + after, and none once the ladder is climbed', () => {
    const breachedAt = T0 + 24 * HOUR;
    const breached: SlaClock = { ...review(), state: 'breached', breachedAt: new Date(breachedAt).toISOString(), warnedAt: new Date(T0).toISOString() };
    const first = pendingClockEvents([breached], LADDER, 0.8, cn);
    expect(first).toEqual([{ kind: 'escalate', clock: 'review', at: breachedAt, level: LADDER[0] }]);
    const second = pendingClockEvents([{ ...breached, escalatedLevels: 1 }], LADDER, 0.8, cn);
    expect(second).toEqual([{ kind: 'escalate', clock: 'review', at: breachedAt + 4 * HOUR, level: LADDER[1] }]);
    expect(pendingClockEvents([{ ...breached, escalatedLevels: 2 }], LADDER, 0.8, cn)).toEqual([]);
  });

  test('a breached customer clock does not escalate, and a stopped breached clock neither', () => {
    const customer: SlaClock = { ...startClock('customer_info', 'customer', '7d', T0, cn), state: 'breached', breachedAt: new Date(T0 + 7 * DAY).toISOString() };
    const stopped = stopClock({ ...review(), state: 'breached', breachedAt: new Date(T0 + DAY).toISOString() }, T0 + 2 * DAY);
    expect(pendingClockEvents([customer, stopped], LADDER, 0.8, cn)).toEqual([]);
  });
});

describe('nextDeadline and clockView', () => {
  test('the next deadline is the earliest among running clocks, or null', () => {
    const early = review();
    const late = startClock('processing', 'staff', '72h', T0, cn);
    expect(nextDeadline([late, early])).toBe(early.deadline);
    expect(nextDeadline([late, pauseClock(early, T0 + HOUR, cn)])).toBe(late.deadline);
    expect(nextDeadline([stopClock(early, T0)])).toBeNull();
  });

  test('the view shows the contract fields only', () => {
    const view = clockView(pauseClock(review(), T0 + HOUR, cn));
    expect(Object.keys(view).sort()).toEqual(['budget', 'deadline', 'name', 'party', 'pausedAt', 'pausedMs', 'startedAt', 'state']);
  });
});

describe('a deadline past the calendar’s last year', () => {
  test('7 working days from Monday 2026-12-28 count 2027 by weekdays only and say the deadline is provisional', () => {
    expect(Math.max(...cn.coveredYears)).toBe(2026);
    const clock = startClock('refund', 'staff', { workingDays: 7 }, beijing('2026-12-28 09:00'), cn);
    // 28–31 December (4 days), then Friday 1 January (assumed a working day), Monday 4 and Tuesday 5 January.
    expect(local(clock.deadline)).toBe('2027-01-05 18:00');
    expect(clock.provisional).toBe('calendar has no official holidays for 2027: counted weekdays only');
  });

  test('a pause and a resume in the uncovered year still work, by weekdays', () => {
    const clock = startClock('refund', 'staff', { workingDays: 7 }, beijing('2026-12-28 09:00'), cn);
    const paused = pauseClock(clock, beijing('2027-01-04 12:00'), cn);
    // 28–31 December (36 h), 1 January (9 h), 4 January 09:00–12:00 (3 h).
    expect(paused.consumedMs).toBe(48 * HOUR);
    const resumed = resumeClock(paused, beijing('2027-01-06 09:00'), cn);
    expect(local(resumed.deadline)).toBe('2027-01-07 15:00');
    expect(resumed.provisional).toMatch(/2027/);
  });

  test('a deadline inside the covered years is not provisional', () => {
    expect(startClock('refund', 'staff', { workingDays: 3 }, beijing('2026-12-21 09:00'), cn).provisional).toBeUndefined();
  });
});

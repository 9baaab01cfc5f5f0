import type { CaseStatus, ClockName, ClockState, SlaClockView, TimelineEntry } from '../../domain/case.types';
import { clockEnd, computeSlaReport, durationStats, REPORT_MAX_DAYS, type ReportCase, type ReportEscalation } from '../../store/sla-report.metrics';

const HOUR = 3_600_000;
const range = { from: new Date('2026-03-01T00:00:00.000Z'), to: new Date('2026-04-01T00:00:00.000Z') };
const T0 = '2026-03-02T00:00:00.000Z';
const at = (hours: number): string => new Date(Date.parse(T0) + hours * HOUR).toISOString();

/** A clock as the case JSON shows it: started at `startH`, stopped at `stopH` (hours after T0) when given. */
function clock(name: ClockName, state: ClockState, startH: number, stopH?: number, extra: Partial<SlaClockView> = {}): SlaClockView {
  const view: SlaClockView = {
    name,
    party: ['customer_info', 'return_shipment', 'customer_confirmation', 'quote_acceptance', 'stock_decision'].includes(name) ? 'customer' : 'staff',
    budget: name === 'investigation' ? '72h' : '24h',
    startedAt: at(startH),
    deadline: at(startH + (name === 'investigation' ? 72 : 24)),
    state,
    pausedMs: 0,
    ...extra,
  };
  if (stopH !== undefined) view.stoppedAt = at(stopH);
  if (state === 'breached') view.breachedAt = at(startH + (name === 'investigation' ? 72 : 24));
  return view;
}

/** A closed case: the timeline ends with the transition that closed it, the way the workflow records it. */
function closedCase(id: string, status: CaseStatus, closedH: number, closingEvent: string, fields: Partial<ReportCase> = {}): ReportCase {
  const closing: TimelineEntry = { at: at(closedH), actor: { kind: 'supervisor', id: 'zhang.min' }, event: closingEvent, data: { from: 'awaiting_review', to: status } };
  return openCase(id, { status, closedAt: at(closedH), timeline: [opened(), closing], ...fields });
}

function openCase(id: string, fields: Partial<ReportCase> = {}): ReportCase {
  return { id, type: 'return', status: 'awaiting_review', reason: { code: 'quality_issue' }, createdAt: T0, closedAt: null, sla: [], survey: null, timeline: [opened()], ...fields };
}

function opened(): TimelineEntry {
  return { at: T0, actor: { kind: 'customer', id: 'c-1' }, event: 'case.opened' };
}

const report = (cases: ReportCase[], deliveredOrders?: number) =>
  computeSlaReport(range, cases, [], deliveredOrders === undefined ? {} : { deliveredOrders });

describe('on-time rates count only clocks that ran to their stop or their breach', () => {
  it('when a case is cancelled while its review clock runs, the clock is reported as ended by closing, not as met', () => {
    // close() stops every clock at the closing instant, so the snapshot shows the review clock "met" at closedAt.
    const cancelled = closedCase('cancelled', 'cancelled', 5, 'case.cancelled', { sla: [clock('review', 'met', 0, 5)] });
    const kpi = report([cancelled]).clocks.review;
    expect(kpi).toEqual({ party: 'staff', total: 0, met: 0, breached: 0, endedByClosing: 1, open: 0, onTimeRate: null });
  });

  it('when a case expires while its review clock is paused for customer info, only the customer clock counts (as breached)', () => {
    const expired = closedCase('expired', 'expired', 60, 'case.expired', {
      sla: [clock('review', 'met', 0, 60, { pausedMs: 50 * HOUR }), clock('customer_info', 'breached', 10, 60)],
    });
    const { clocks } = report([expired]);
    expect(clocks.review).toMatchObject({ met: 0, endedByClosing: 1, total: 0 });
    expect(clocks.customer_info).toMatchObject({ party: 'customer', breached: 1, total: 1, onTimeRate: 0 });
  });

  it('a clock stopped before the case was cancelled ran to its stop and counts as met', () => {
    const cancelledLater = closedCase('later', 'cancelled', 30, 'case.cancelled', {
      sla: [clock('review', 'met', 0, 3), clock('return_shipment', 'met', 3, 30)],
    });
    const { clocks } = report([cancelledLater]);
    expect(clocks.review).toMatchObject({ met: 1, endedByClosing: 0, total: 1, onTimeRate: 1 });
    expect(clocks.return_shipment).toMatchObject({ met: 0, endedByClosing: 1 });
  });

  it('a breached clock counts as late even when the case was then cancelled', () => {
    const breachedThenCancelled = closedCase('late', 'cancelled', 40, 'case.cancelled', { sla: [clock('review', 'breached', 0, 40)] });
    expect(report([breachedThenCancelled]).clocks.review).toMatchObject({ met: 0, breached: 1, endedByClosing: 0, total: 1, onTimeRate: 0 });
  });

  it('a review rejection is the review decision: the review clock it stopped ran to its stop', () => {
    const rejected = closedCase('rejected', 'rejected', 6, 'review.rejected', { sla: [clock('review', 'met', 0, 6)] });
    expect(report([rejected]).clocks.review).toMatchObject({ met: 1, endedByClosing: 0, onTimeRate: 1 });
  });

  it('an inspection rejection ends processing, but cuts short any other clock it stops', () => {
    const rejected = closedCase('inspected', 'rejected', 50, 'inspection.rejected', {
      sla: [clock('review', 'met', 0, 2), clock('processing', 'met', 40, 50), clock('reship', 'met', 45, 50)],
    });
    const { clocks } = report([rejected]);
    expect(clocks.processing).toMatchObject({ met: 1, endedByClosing: 0 });
    expect(clocks.reship).toMatchObject({ met: 0, endedByClosing: 1 });
  });

  it('a declined repair quote is the customer answer the quote clock waited for', () => {
    const declined = closedCase('declined', 'cancelled', 8, 'repair.quote_declined', { type: 'repair', sla: [clock('quote_acceptance', 'met', 4, 8)] });
    expect(report([declined]).clocks.quote_acceptance).toMatchObject({ party: 'customer', met: 1, endedByClosing: 0 });
  });

  it('a completed case counts the clocks its completion stopped as met', () => {
    const completed = closedCase('done', 'completed', 12, 'case.completed', { type: 'complaint', sla: [clock('resolution', 'met', 0, 12)] });
    expect(report([completed]).clocks.resolution).toMatchObject({ met: 1, endedByClosing: 0 });
  });

  it('a running clock of an open case is open; one left running on a closed case ended by closing', () => {
    const running = openCase('running', { sla: [clock('review', 'running', 0)] });
    const leftRunning = closedCase('left', 'cancelled', 3, 'case.cancelled', { sla: [clock('review', 'running', 0)] });
    expect(clockEnd(running, running.sla[0])).toBe('open');
    expect(clockEnd(leftRunning, leftRunning.sla[0])).toBe('ended_by_closing');
    expect(report([running, leftRunning]).clocks.review).toMatchObject({ open: 1, endedByClosing: 1, total: 0, onTimeRate: null });
  });

  it('the on-time rate is met / (met + breached) over the clocks that finished', () => {
    const cases = [
      closedCase('a', 'completed', 30, 'case.completed', { sla: [clock('processing', 'met', 10, 20)] }),
      closedCase('b', 'completed', 90, 'case.completed', { sla: [clock('processing', 'breached', 10, 90)] }),
      closedCase('c', 'cancelled', 25, 'case.cancelled', { sla: [clock('processing', 'met', 10, 25)] }),
      openCase('d', { sla: [clock('processing', 'running', 10)] }),
    ];
    expect(report(cases).clocks.processing).toEqual({ party: 'staff', total: 2, met: 1, breached: 1, endedByClosing: 1, open: 1, onTimeRate: 0.5 });
  });
});

describe('response time covers every first-response clock', () => {
  const cases = [
    closedCase('review-fast', 'completed', 50, 'case.completed', { sla: [clock('review', 'met', 0, 2)] }),
    // 30h with 10h waiting on the customer: 20h of staff time, but past its deadline.
    closedCase('review-late', 'completed', 60, 'case.completed', { sla: [clock('review', 'breached', 0, 30, { pausedMs: 10 * HOUR })] }),
    closedCase('complaint', 'completed', 12, 'case.completed', { type: 'complaint', sla: [clock('resolution', 'met', 0, 12)] }),
    closedCase('courier', 'completed', 40, 'case.completed', { type: 'courier_exception', sla: [clock('investigation', 'met', 0, 40)] }),
    // Not responses: a review the cancellation cut short, and a processing clock (not a first-response clock).
    closedCase('cut-short', 'cancelled', 1, 'case.cancelled', { sla: [clock('review', 'met', 0, 1)] }),
    closedCase('processing', 'completed', 80, 'case.completed', { sla: [clock('processing', 'met', 0, 70)] }),
  ];

  it('includes complaint resolution and courier investigation clocks next to reviews', () => {
    const { responseTime } = report(cases);
    expect(Object.keys(responseTime.byClock).sort()).toEqual(['investigation', 'resolution', 'review']);
    expect(responseTime.byClock.resolution).toMatchObject({ count: 1, meanMs: 12 * HOUR, withinTarget: 1, late: 0, targets: ['24h'] });
    expect(responseTime.byClock.investigation).toMatchObject({ count: 1, meanMs: 40 * HOUR, withinTarget: 1, targets: ['72h'] });
  });

  it('times a response as stop − start − paused time, and counts a breached response as late', () => {
    expect(report(cases).responseTime.byClock.review).toEqual({
      count: 2,
      meanMs: 11 * HOUR,
      medianMs: 11 * HOUR,
      p90Ms: 20 * HOUR,
      withinTarget: 1,
      late: 1,
      withinTargetRate: 0.5,
      targets: ['24h'],
    });
  });

  it('pools every first response for the overall figures, leaving out clocks cut short by a closing', () => {
    const { responseTime } = report(cases);
    // 2h, 20h, 12h, 40h
    expect(responseTime).toMatchObject({ count: 4, meanMs: 18.5 * HOUR, medianMs: 16 * HOUR, p90Ms: 40 * HOUR, withinTarget: 3, late: 1, withinTargetRate: 0.75 });
  });

  it('a review still unanswered past its deadline is late but has no response time yet', () => {
    const waiting = openCase('waiting', { sla: [clock('review', 'breached', 0)] });
    expect(report([waiting]).responseTime).toMatchObject({ count: 0, meanMs: null, withinTarget: 0, late: 1, withinTargetRate: 0 });
  });

  it('a breached review that a cancellation stopped is late, but the cancellation is not a response', () => {
    const cancelled = closedCase('cancelled-late', 'cancelled', 40, 'case.cancelled', { sla: [clock('review', 'breached', 0, 40)] });
    expect(report([cancelled]).responseTime).toMatchObject({ count: 0, late: 1 });
  });
});

describe('the no-reason return and exchange rate is over delivered orders', () => {
  const cases = [
    openCase('r-no-reason', { reason: { code: 'no_reason' } }),
    openCase('r-size', { reason: { code: 'size_fit' } }),
    openCase('x-no-reason', { type: 'exchange', reason: { code: 'no_reason' } }),
    openCase('r-quality', { reason: { code: 'quality_issue' } }),
    openCase('x-quality', { type: 'exchange', reason: { code: 'not_as_described' } }),
    openCase('refund-only', { type: 'refund_only', reason: { code: 'no_reason' } }),
  ];

  it('with the delivered-order count, the rate is change-of-mind returns and exchanges / delivered orders, against the 5% target', () => {
    expect(report(cases, 100).noReasonReturnsAndExchanges).toEqual({
      reasons: ['no_reason', 'size_fit'],
      count: 3,
      returns: 2,
      exchanges: 1,
      base: 'delivered_orders',
      deliveredOrders: 100,
      rate: 0.03,
      targetRate: 0.05,
      targetMet: true,
    });
    expect(report(cases, 40).noReasonReturnsAndExchanges).toMatchObject({ rate: 0.075, targetMet: false });
  });

  it('without the count, the report says the base is unknown and gives no rate (never a rate over cases)', () => {
    expect(report(cases).noReasonReturnsAndExchanges).toMatchObject({ count: 3, base: 'unknown', deliveredOrders: null, rate: null, targetMet: null });
  });

  it('with zero delivered orders the base is known but there is no rate', () => {
    expect(report(cases, 0).noReasonReturnsAndExchanges).toMatchObject({ base: 'delivered_orders', deliveredOrders: 0, rate: null, targetMet: null });
  });
});

describe('the figures kept from before', () => {
  it('handling time, first-time resolution, satisfaction and breaches per stage and assignee', () => {
    const cases = [
      closedCase('a', 'completed', 48, 'case.completed', { survey: { score: 5, at: at(50) } }),
      closedCase('b', 'completed', 96, 'case.completed', { sla: [clock('customer_info', 'met', 1, 2)], survey: { score: 3, at: at(100) } }),
      closedCase('c', 'completed', 12, 'case.completed', { type: 'complaint', survey: { score: 2, at: at(13) } }),
    ];
    const escalations = [
      { clock: 'review' as const, level: 1, reason: 'breach' as const, at: at(24), assignee: 'li.wei' },
      { clock: 'review' as const, level: 0, reason: 'warning' as const, at: at(19), assignee: 'li.wei' },
      { clock: 'processing' as const, level: 1, reason: 'breach' as const, at: at(80), assignee: null },
    ];
    const result = computeSlaReport(range, cases, escalations);
    expect(result.handlingTime.return).toEqual({ count: 2, meanMs: 72 * HOUR, medianMs: 72 * HOUR, p90Ms: 96 * HOUR });
    expect(result.firstTimeResolution).toEqual({ completed: 3, firstTime: 2, rate: 2 / 3 });
    expect(result.satisfaction).toEqual({ surveys: 3, meanScore: 10 / 3, satisfiedRate: 1 / 3, complaints: { surveys: 1, meanScore: 2, satisfiedRate: 0 } });
    expect(result.breaches).toEqual({ total: 2, byClock: { review: 1, processing: 1 }, byAssignee: { 'li.wei': 1, '(unassigned)': 1 } });
  });

  it('the 90th percentile is the nearest-rank value', () => {
    expect(durationStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).p90Ms).toBe(9);
    expect(durationStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).p90Ms).toBe(10);
    expect(durationStats([7]).p90Ms).toBe(7);
    expect(durationStats([])).toEqual({ count: 0, meanMs: null, medianMs: null, p90Ms: null });
  });
});

describe('breaches per Beijing day', () => {
  const breach = (at: string, clock: ReportEscalation['clock'], assignee: string | null): ReportEscalation => ({ clock, level: 1, reason: 'breach', at, assignee });
  const escalations: ReportEscalation[] = [
    breach('2026-03-01T17:30:00.000Z', 'review', 'li.wei'), // 01:30 on 2 March in Beijing
    breach('2026-03-01T15:59:59.999Z', 'processing', null), // 23:59 on 1 March in Beijing
    breach('2026-03-02T10:00:00.000Z', 'processing', 'li.wei'),
    { ...breach('2026-03-02T11:00:00.000Z', 'review', 'li.wei'), level: 2 }, // not a level-1 breach
    { ...breach('2026-03-02T12:00:00.000Z', 'review', 'li.wei'), reason: 'warning', level: 0 },
    breach('2026-02-28T12:00:00.000Z', 'review', 'wang.fang'), // before the range
  ];

  it('a breach counts on the Beijing day it happened, every day of the range is listed and the days add up to the totals', () => {
    const result = computeSlaReport(range, [], escalations);
    // [1 March 00:00 UTC, 1 April 00:00 UTC) is 1 March 08:00 to 1 April 08:00 in Beijing: 32 Beijing days.
    expect(result.breachesByDay.map((d) => d.day)).toEqual(Array.from({ length: 32 }, (_, i) => new Date(Date.UTC(2026, 2, 1 + i)).toISOString().slice(0, 10)));
    expect(result.breachesByDay.slice(0, 3)).toEqual([
      { day: '2026-03-01', total: 1, byClock: { processing: 1 }, byAssignee: { '(unassigned)': 1 } },
      { day: '2026-03-02', total: 2, byClock: { review: 1, processing: 1 }, byAssignee: { 'li.wei': 2 } },
      { day: '2026-03-03', total: 0, byClock: {}, byAssignee: {} },
    ]);
    expect(result.breaches).toEqual({ total: 3, byClock: { review: 1, processing: 2 }, byAssignee: { 'li.wei': 2, '(unassigned)': 1 } });
    const summed = result.breachesByDay.reduce((sum, d) => sum + d.total, 0);
    expect(summed).toBe(result.breaches.total);
  });

  it('a range inside one Beijing day has that day alone; a range longer than the maximum is refused', () => {
    const oneDay = computeSlaReport({ from: new Date('2026-03-01T17:00:00.000Z'), to: new Date('2026-03-01T18:00:00.000Z') }, [], escalations);
    expect(oneDay.breachesByDay).toEqual([{ day: '2026-03-02', total: 1, byClock: { review: 1 }, byAssignee: { 'li.wei': 1 } }]);
    const from = new Date('2025-01-01T00:00:00.000Z');
    expect(computeSlaReport({ from, to: new Date(from.getTime() + REPORT_MAX_DAYS * 86_400_000) }, [], []).breachesByDay).toHaveLength(REPORT_MAX_DAYS + 1);
    expect(() => computeSlaReport({ from, to: new Date(from.getTime() + REPORT_MAX_DAYS * 86_400_000 + 1) }, [], [])).toThrow(RangeError);
  });
});

describe('the statutory refund limit in the report (issue 25 item 1)', () => {
  const statutory = (state: ClockState, stopH?: number) => clock('statutory_refund', state, 0, stopH, { budget: '7d', deadline: at(7 * 24 + 14), bound: 'statutory' });

  it('shows the statutory_refund clock with its own on-time rate and breaches', () => {
    const paid = openCase('paid', { status: 'completed', closedAt: at(100), sla: [statutory('met', 50)] });
    const late = openCase('late', { status: 'refunding', sla: [statutory('breached')] });
    const escalations: ReportEscalation[] = [{ clock: 'statutory_refund', level: 2, reason: 'breach', at: at(7 * 24 + 14), assignee: null }];
    const result = computeSlaReport(range, [paid, late], escalations);
    expect(result.clocks.statutory_refund).toEqual({ party: 'staff', total: 2, met: 1, breached: 1, endedByClosing: 0, open: 0, onTimeRate: 0.5 });
  });

  it('a limit ended by a failed inspection is neither met nor breached', () => {
    const ended: TimelineEntry = { at: at(10), actor: { kind: 'system', id: 'workflow' }, event: 'sla.statutory_limit_ended', data: { reason: 'inspection_failed' } };
    const failed = openCase('failed', { status: 'refunding', sla: [statutory('met', 10)], timeline: [opened(), ended] });
    expect(report([failed]).clocks.statutory_refund).toMatchObject({ met: 0, endedByClosing: 1, total: 0 });
  });
});

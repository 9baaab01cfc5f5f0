import type { SlaClockView } from '../../domain/case.types';
import { overdue } from '../../domain/sla-clock';

/** A clock view as the case JSON shows it; only what `overdue` reads matters. */
function clock(name: SlaClockView['name'], party: SlaClockView['party'], state: SlaClockView['state'], deadline: string, extra: Partial<SlaClockView> = {}): SlaClockView {
  return { name, party, budget: '24h', startedAt: '2026-03-01T00:00:00.000Z', deadline, state, pausedMs: 0, ...extra };
}

describe('overdue: where a case is late now (OverdueSince, OverdueClock)', () => {
  test('when a staff clock breached and is still open, the case is overdue since its deadline, on that clock', () => {
    const clocks = [clock('review', 'staff', 'breached', '2026-03-02T02:00:00.000Z', { breachedAt: '2026-03-02T02:00:01.000Z' })];
    expect(overdue(clocks)).toEqual({ since: '2026-03-02T02:00:00.000Z', clock: 'review' });
  });

  test('when the breached clock stopped (the work done late), the case is no longer overdue', () => {
    const clocks = [
      clock('review', 'staff', 'breached', '2026-03-02T02:00:00.000Z', { breachedAt: '2026-03-02T02:00:01.000Z', stoppedAt: '2026-03-02T05:00:00.000Z' }),
      clock('processing', 'staff', 'running', '2026-03-05T02:00:00.000Z'),
    ];
    expect(overdue(clocks)).toBeNull();
  });

  test('when every clock is running, paused or met, the case is not overdue', () => {
    const clocks = [
      clock('review', 'staff', 'met', '2026-03-02T02:00:00.000Z', { stoppedAt: '2026-03-01T05:00:00.000Z' }),
      clock('processing', 'staff', 'running', '2026-03-05T02:00:00.000Z'),
      clock('customer_info', 'customer', 'paused', '2026-03-04T02:00:00.000Z', { pausedAt: '2026-03-02T00:00:00.000Z' }),
    ];
    expect(overdue(clocks)).toBeNull();
  });

  test('when several staff clocks are overdue, the earliest deadline counts, whatever their order', () => {
    const later = clock('processing', 'staff', 'breached', '2026-03-06T02:00:00.000Z');
    const earlier = clock('review', 'staff', 'breached', '2026-03-02T02:00:00.000Z');
    expect(overdue([later, earlier])).toEqual({ since: '2026-03-02T02:00:00.000Z', clock: 'review' });
    expect(overdue([earlier, later])).toEqual({ since: '2026-03-02T02:00:00.000Z', clock: 'review' });
  });

  test('a customer clock that ran out does not make the case overdue (the system answers for the customer)', () => {
    const clocks = [clock('customer_info', 'customer', 'breached', '2026-03-02T02:00:00.000Z', { breachedAt: '2026-03-02T02:00:00.000Z' })];
    expect(overdue(clocks)).toBeNull();
  });

  test('a reassignment that restarts a breached clock clears it: the old one stopped breached, the new one runs', () => {
    const clocks = [
      clock('review', 'staff', 'breached', '2026-03-02T02:00:00.000Z', { stoppedAt: '2026-03-02T04:00:00.000Z' }),
      clock('review', 'staff', 'running', '2026-03-03T04:00:00.000Z'),
    ];
    expect(overdue(clocks)).toBeNull();
  });
});

import { StageDurationTracker, stageTransitions } from '../../activities/stage-durations';
import type { CaseSnapshot, TimelineEntry } from '../../domain/case.types';

const agent = { kind: 'agent' as const, id: 'li.wei' };
const system = { kind: 'system' as const, id: 'workflow' };

type Case = Pick<CaseSnapshot, 'id' | 'createdAt' | 'timeline'>;

const opened: TimelineEntry = { at: '2026-05-01T08:00:00.000Z', actor: { kind: 'customer', id: 'c-1' }, event: 'case.opened', data: { type: 'return' } };
const approved: TimelineEntry = { at: '2026-05-01T10:00:00.000Z', actor: agent, event: 'review.approved', data: { from: 'awaiting_review', to: 'awaiting_return_shipment' } };
const assigned: TimelineEntry = { at: '2026-05-01T10:30:00.000Z', actor: agent, event: 'case.assigned', data: { from: 'li.wei', to: 'wang.fang' } };
const shipped: TimelineEntry = { at: '2026-05-02T10:00:00.000Z', actor: agent, event: 'return.shipped', data: { from: 'awaiting_return_shipment', to: 'return_in_transit', carrier: 'SF' } };
const expired: TimelineEntry = { at: '2026-05-02T10:00:00.000Z', actor: system, event: 'case.expired', data: { from: 'return_in_transit', to: 'expired' } };

function snapshot(id: string, ...timeline: TimelineEntry[]): Case {
  return { id, createdAt: '2026-05-01T08:00:00.000Z', timeline };
}

describe('stage durations from the case timeline', () => {
  test('each status change is timed from the previous one, the first from the moment the case opened', () => {
    const transitions = stageTransitions(snapshot('cs_1', opened, approved, shipped));
    expect(transitions.map((t) => [t.from, t.to, t.seconds])).toEqual([
      ['awaiting_review', 'awaiting_return_shipment', 2 * 3600],
      ['awaiting_return_shipment', 'return_in_transit', 24 * 3600],
    ]);
  });

  test('an assignment (from one agent to another) is not a status change', () => {
    const transitions = stageTransitions(snapshot('cs_1', opened, approved, assigned, shipped));
    expect(transitions.map((t) => t.to)).toEqual(['awaiting_return_shipment', 'return_in_transit']);
    expect(transitions[1].index).toBe(3);
  });

  test('a snapshot projected again, or a later version of the same history, counts each transition once', () => {
    const tracker = new StageDurationTracker();
    expect(tracker.observe(snapshot('cs_1', opened)).transitions).toEqual([]);
    expect(tracker.observe(snapshot('cs_1', opened, approved)).transitions.map((t) => t.to)).toEqual(['awaiting_return_shipment']);
    expect(tracker.observe(snapshot('cs_1', opened, approved)).transitions).toEqual([]);
    expect(tracker.observe(snapshot('cs_1', opened, approved, assigned)).transitions).toEqual([]);
    expect(tracker.observe(snapshot('cs_1', opened, approved, assigned, shipped)).transitions.map((t) => t.to)).toEqual(['return_in_transit']);
  });

  test('an older snapshot arriving after a newer one counts nothing', () => {
    const tracker = new StageDurationTracker();
    tracker.observe(snapshot('cs_1', opened));
    tracker.observe(snapshot('cs_1', opened, approved, shipped));
    expect(tracker.observe(snapshot('cs_1', opened, approved)).transitions).toEqual([]);
  });

  test('a case first seen mid-way (restart, another worker) counts only the transitions of its latest step', () => {
    const tracker = new StageDurationTracker();
    const seen = tracker.observe(snapshot('cs_2', opened, approved, shipped, expired));
    expect(seen.transitions.map((t) => t.to)).toEqual(['return_in_transit', 'expired']);
    expect(seen.closedAs).toBe('expired');
  });

  test('the closing transition reports the final status once', () => {
    const tracker = new StageDurationTracker();
    tracker.observe(snapshot('cs_3', opened, approved));
    expect(tracker.observe(snapshot('cs_3', opened, approved, shipped, expired)).closedAs).toBe('expired');
    expect(tracker.observe(snapshot('cs_3', opened, approved, shipped, expired)).closedAs).toBeNull();
  });

  test('the memory is bounded: the least recently projected case is forgotten first', () => {
    const tracker = new StageDurationTracker(2);
    tracker.observe(snapshot('a', opened));
    tracker.observe(snapshot('b', opened));
    tracker.observe(snapshot('a', opened, approved));
    tracker.observe(snapshot('c', opened));
    expect(tracker.size).toBe(2);
    // `b` was forgotten: seen again, only its latest step counts (none here, the approval is older than the last entry).
    expect(tracker.observe(snapshot('b', opened, approved, assigned)).transitions).toEqual([]);
    // `a` is still known: its next transition counts.
    expect(tracker.observe(snapshot('a', opened, approved, shipped)).transitions.map((t) => t.to)).toEqual(['return_in_transit']);
  });
});

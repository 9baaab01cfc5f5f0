import { CASE_STATUSES, isTerminal, type CaseSnapshot, type CaseStatus, type TimelineEntry } from '../domain/case.types';

/** One status change read from the timeline: the case left `from` for `to` at `at`, after `seconds` in `from`. */
export interface StageTransition {
  /** Position of the entry on the timeline (append-only, so stable). */
  index: number;
  at: string;
  from: CaseStatus;
  to: CaseStatus;
  /** Time spent in `from`: since the previous transition, or since the case was opened. */
  seconds: number;
}

const STATUSES: ReadonlySet<string> = new Set(CASE_STATUSES);

function isStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && STATUSES.has(value);
}

/**
 * Every status change on a case timeline, in order. A transition is an entry whose data names a
 * `from` and a `to` status (`CaseRecord.transition`); other entries with from/to data (an
 * assignment: from one agent to another) are not status changes.
 */
export function stageTransitions(snapshot: Pick<CaseSnapshot, 'createdAt' | 'timeline'>): StageTransition[] {
  const transitions: StageTransition[] = [];
  let enteredAt = Date.parse(snapshot.createdAt);
  snapshot.timeline.forEach((entry: TimelineEntry, index) => {
    const from = entry.data?.from;
    const to = entry.data?.to;
    if (!isStatus(from) || !isStatus(to)) return;
    const at = Date.parse(entry.at);
    transitions.push({ index, at: entry.at, from, to, seconds: Math.max(0, (at - enteredAt) / 1000) });
    enteredAt = at;
  });
  return transitions;
}

/** What a projection newly tells: the stages that ended and, if the case closed, its final status. */
export interface NewStages {
  transitions: StageTransition[];
  /** The terminal status the case closed in, when its closing transition is among the new ones. */
  closedAs: CaseStatus | null;
}

/**
 * Remembers, per case, how much of its timeline this worker has already turned into metrics, so
 * that a snapshot projected again (a retried local activity, the next version carrying the same
 * history) counts each transition once. An LRU of `maxCases` entries; the projector runs where the
 * workflow runs, so a case normally stays with one worker.
 *
 * A case this worker has not seen before (a new case, a restart, or a case that moved from another
 * worker) counts only the transitions of its latest step — those at the same instant as the newest
 * timeline entry: earlier ones were counted by the worker that saw them. After a crash in the middle
 * of a projection the latest step may be counted twice; metrics are approximate by that much.
 */
export class StageDurationTracker {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxCases = 10_000) {}

  /** The transitions of `snapshot` not yet observed by this tracker, and marks them observed. */
  observe(snapshot: Pick<CaseSnapshot, 'id' | 'createdAt' | 'timeline'>): NewStages {
    const transitions = stageTransitions(snapshot);
    const known = this.seen.get(snapshot.id);
    let fresh: StageTransition[];
    if (known === undefined) {
      const newest = snapshot.timeline[snapshot.timeline.length - 1]?.at;
      fresh = transitions.filter((t) => t.at === newest);
    } else {
      fresh = transitions.filter((t) => t.index >= known);
    }
    this.remember(snapshot.id, Math.max(known ?? 0, snapshot.timeline.length));
    const closing = fresh.find((t) => isTerminal(t.to) && !isTerminal(t.from));
    return { transitions: fresh, closedAs: closing?.to ?? null };
  }

  /** How many cases are remembered (for tests). */
  get size(): number {
    return this.seen.size;
  }

  private remember(caseId: string, timelineLength: number): void {
    this.seen.delete(caseId);
    this.seen.set(caseId, timelineLength);
    if (this.seen.size > this.maxCases) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

import type { Actor, CaseOutcome, CaseStatus, CaseType, ClockName, TimelineEntry } from './case.types';
import { budgetFor, CUSTOMER_CLOCKS } from './policy';
import { startClock, type SlaClock } from './sla-clock';
import type { CaseWorkflowInput } from './workflow-contract';

// The state a case opens in, in one place for the two that build it: the workflow's first task
// (workflows/case-runtime.ts `runCase`) and the API's 201 answer, which is sent before any worker
// ran that task (api/opening-snapshot.ts). Both take it from here, so they cannot drift apart.

/** Per case type: the status a case opens in (also its first CaseStatus search attribute) and the SLA clock that starts with it. */
export const OPENING_BY_TYPE: Readonly<Record<CaseType, { status: CaseStatus; clock: ClockName }>> = {
  return: { status: 'awaiting_review', clock: 'review' },
  exchange: { status: 'awaiting_review', clock: 'review' },
  repair: { status: 'awaiting_review', clock: 'review' },
  refund_only: { status: 'awaiting_review', clock: 'review' },
  reship: { status: 'awaiting_review', clock: 'review' },
  // Nothing to review: the team investigates at once, under the clock that bounds the whole case.
  complaint: { status: 'investigating', clock: 'resolution' },
  courier_exception: { status: 'investigating', clock: 'investigation' },
};

/** The actor of the workflow's own timeline entries. */
const WORKFLOW_ACTOR: Actor = { kind: 'system', id: 'workflow' };

/** A case as it opens: status, first clock, outcome fields known at open, timeline and version. */
export interface OpeningState {
  /** The instant the case opened (ISO), its `createdAt`. */
  openedAt: string;
  status: CaseStatus;
  /** The SLA clock started at open, running from `openedAt`. */
  clock: SlaClock;
  /** Outcome fields settled by the eligibility check: who pays the return shipping, a repair's warranty. */
  outcome: CaseOutcome;
  /** The `case.opened` entry: who opened it, with the type, reason, policy version and eligibility notes. */
  opened: { actor: Actor; event: 'case.opened'; data: Record<string, unknown> };
  /** The timeline at open: `opened`, then a note if the clock's deadline is provisional. */
  timeline: TimelineEntry[];
  /** The case version at open: one per timeline entry plus one for the clock start (every change bumps it). */
  version: number;
}

/** A clock of this case started at `nowMs` with the budget its policy gives it (the refund clock by payment method). */
export function startCaseClock(input: CaseWorkflowInput, name: ClockName, nowMs: number): SlaClock {
  const party = CUSTOMER_CLOCKS.includes(name) ? 'customer' : 'staff';
  return startClock(name, party, budgetFor(input.policy, name, input.request.order.paymentMethod), nowMs, input.policy.calendar);
}

/** The timeline note of a clock whose deadline reaches past the calendar's known years, or null. */
export function provisionalDeadlineNote(clock: SlaClock): { event: 'sla.deadline_provisional'; data: { clock: ClockName; note: string } } | null {
  return clock.provisional ? { event: 'sla.deadline_provisional', data: { clock: clock.name, note: clock.provisional } } : null;
}

/** The state a case opens in at `openedAtMs`, from its workflow input alone (pure: no clock read, no I/O). */
export function openingState(input: CaseWorkflowInput, openedAtMs: number): OpeningState {
  const { request, policy, eligibility } = input;
  const openedAt = new Date(openedAtMs).toISOString();
  const { status, clock: clockName } = OPENING_BY_TYPE[request.type];

  const opened: OpeningState['opened'] = {
    actor: input.openedBy,
    event: 'case.opened',
    data: {
      type: request.type,
      reason: request.reason.code,
      policyVersion: policy.version,
      ...(eligibility.notes.length ? { notes: eligibility.notes } : {}),
    },
  };
  // Who pays the return shipping (docs/business-rules.md#eligibility): the customer for change-of-mind reasons, else the platform.
  const outcome: CaseOutcome = { shippingPaidBy: eligibility.customerPaysShipping ? 'customer' : 'platform' };
  if (request.type === 'repair') outcome.warranty = eligibility.inWarranty !== false ? 'in_warranty' : 'out_of_warranty';

  const clock = startCaseClock(input, clockName, openedAtMs);
  const timeline: TimelineEntry[] = [{ at: openedAt, ...opened }];
  const note = provisionalDeadlineNote(clock);
  if (note) timeline.push({ at: openedAt, actor: WORKFLOW_ACTOR, ...note });

  return { openedAt, status, clock, outcome, opened, timeline, version: timeline.length + 1 };
}

import type { CaseSnapshot, CaseStatus, CaseType, ClockName, TimelineEntry } from '../domain/case.types';
import { requestFields } from '../domain/case-request-fields';
import { budgetFor, CUSTOMER_CLOCKS } from '../domain/policy';
import { clockView, nextDeadline, startClock } from '../domain/sla-clock';
import { caseWorkflowId, type CaseWorkflowInput } from '../domain/workflow-contract';

// `POST /v1/cases` answers as soon as Temporal has accepted the workflow start, before a worker
// ran the case's first workflow task. The case it answers with is built here from the workflow
// input, the way that first task builds it (workflows/case-runtime.ts `runCase`, then the first
// synchronous steps of the type's flow), so that a client sees the same case in the 201 as in
// its first GET. test/integration/opening-snapshot.e2e.test.ts compares the two field by field
// for every case type; a change to what the first workflow task does must be mirrored here.
//
// What cannot be the same: the workflow stamps its times with the clock of its first task
// (when a worker took it up), the API with its own clock when the start was acknowledged. So
// `createdAt`, `updatedAt`, `timeline[].at` and the first clock's `startedAt`/`deadline` (and
// `nextDeadline`) are earlier here by the time the case waited for a worker: tens of
// milliseconds normally, as long as the outage when no worker runs. Everything else is equal.

/** The status a new case starts in (the flow's `initialStatus`), also the CaseStatus search attribute at start. */
export function initialStatus(type: CaseType): CaseStatus {
  return type === 'complaint' || type === 'courier_exception' ? 'investigating' : 'awaiting_review';
}

/** The SLA clock the first workflow task starts: the review for most types, the investigation or resolution for the others. */
export function firstClock(type: CaseType): ClockName {
  if (type === 'complaint') return 'resolution';
  if (type === 'courier_exception') return 'investigation';
  return 'review';
}

/**
 * The case as its first workflow task leaves it: opened on the timeline (by the opener, with
 * the type, reason, policy version and eligibility notes), who pays the return shipping, the
 * warranty verdict of a repair, the type's first SLA clock running from `nowMs`, and the
 * version those changes add up to.
 */
export function openingSnapshot(input: CaseWorkflowInput, runId: string | undefined, nowMs: number): CaseSnapshot {
  const { request, policy, eligibility } = input;
  const now = new Date(nowMs).toISOString();
  let version = 0;
  const timeline: TimelineEntry[] = [];
  const log = (entry: TimelineEntry) => {
    timeline.push(entry);
    version++;
  };

  log({
    at: now,
    actor: input.openedBy,
    event: 'case.opened',
    data: {
      type: request.type,
      reason: request.reason.code,
      policyVersion: policy.version,
      ...(eligibility.notes.length ? { notes: eligibility.notes } : {}),
    },
  });
  const outcome: Record<string, unknown> = { shippingPaidBy: eligibility.customerPaysShipping ? 'customer' : 'platform' };
  if (request.type === 'repair') outcome.warranty = eligibility.inWarranty !== false ? 'in_warranty' : 'out_of_warranty';

  const name = firstClock(request.type);
  const party = CUSTOMER_CLOCKS.includes(name) ? 'customer' : 'staff';
  const clock = startClock(name, party, budgetFor(policy, name, request.order.paymentMethod), nowMs, policy.calendar);
  version++;
  if (clock.provisional) log({ at: now, actor: { kind: 'system', id: 'workflow' }, event: 'sla.deadline_provisional', data: { clock: name, note: clock.provisional } });

  return {
    id: input.caseId,
    ...requestFields(request),
    status: initialStatus(request.type),
    assignee: null,
    priority: 'normal',
    policyVersion: policy.version,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    sla: [clockView(clock)],
    nextDeadline: nextDeadline([clock]),
    breached: false,
    escalation: { level: 0, history: [] },
    refund: null,
    shipments: [],
    outcome,
    survey: null,
    timeline,
    temporal: { workflowId: caseWorkflowId(input.caseId), ...(runId ? { runId } : {}) },
    version,
  };
}

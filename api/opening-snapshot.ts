import type { CaseSnapshot } from '../domain/case.types';
import { requestFields } from '../domain/case-request-fields';
import { openingState } from '../domain/opening-state';
import { clockView, nextDeadline } from '../domain/sla-clock';
import { caseWorkflowId, type CaseWorkflowInput } from '../domain/workflow-contract';

// `POST /v1/cases` answers as soon as Temporal has accepted the workflow start, before a worker
// ran the case's first workflow task. The case it answers with is built here from the same
// opening state that first task starts from (domain/opening-state.ts), so that a client sees the
// same case in the 201 as in its first GET. test/integration/opening-snapshot.e2e.test.ts
// compares the two field by field for every case type.
//
// What cannot be the same: the workflow stamps its times with the clock of its first task
// (when a worker took it up), the API with its own clock when the start was acknowledged. So
// `createdAt`, `updatedAt`, `timeline[].at` and the first clock's `startedAt`/`deadline` (and
// `nextDeadline`) are earlier here by the time the case waited for a worker: tens of
// milliseconds normally, as long as the outage when no worker runs. Everything else is equal.

/** The case as its first workflow task leaves it: the opening state at `nowMs`, as the case resource. */
export function openingSnapshot(input: CaseWorkflowInput, runId: string | undefined, nowMs: number): CaseSnapshot {
  const opening = openingState(input, nowMs);
  return {
    id: input.caseId,
    ...requestFields(input.request),
    status: opening.status,
    assignee: null,
    priority: 'normal',
    policyVersion: input.policy.version,
    createdAt: opening.openedAt,
    updatedAt: opening.openedAt,
    closedAt: null,
    sla: [clockView(opening.clock)],
    nextDeadline: nextDeadline([opening.clock]),
    breached: false,
    escalation: { level: 0, history: [] },
    refund: null,
    shipments: [],
    outcome: opening.outcome,
    survey: null,
    timeline: opening.timeline,
    temporal: { workflowId: caseWorkflowId(input.caseId), ...(runId ? { runId } : {}) },
    version: opening.version,
  };
}

import type { CaseSnapshot } from '../domain/case.types';
import { requestFields } from '../domain/case-request-fields';
import { openingState } from '../domain/opening-state';
import { clockView, nextDeadline } from '../domain/sla-clock';
import { caseWorkflowId } from '../domain/ids';
import { type CaseWorkflowInput } from '../domain/workflow-contract';

// `POST /v1/cases` answers as soon as Temporal has accepted the workflow start, before a worker
// ran the case's first workflow task. The case it answers with is built here from the same
// opening state that first task starts from (domain/opening-state.ts), so that a client sees the
// same case in the 201 as in its first GET. test/integration/opening-snapshot.e2e.test.ts
// compares the two field by field for every case type.
//
// The times are the same too: the API passes its instant in the workflow input (`openedAt`) and
// the workflow stamps its opening with it (workflows/case-runtime.ts), so `createdAt`,
// `updatedAt`, the opening entry and the first clock's start and deadline are equal. (A case
// started before that field existed stamped the instant its first task ran.)

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
    manualEvaluation: input.eligibility.manualEvaluation,
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

/**
 * Workflow ids: the one place that knows how a case id becomes a workflow id and back, and the
 * fixed ids of the other workflows and schedules (reference-app-orders-go's OrderWorkflowID /
 * OrderIDFromWorkflowID). Running workflows and recorded histories carry these strings, and the
 * payload codec picks a case's data key by them: a change here is a migration, not a refactoring.
 * The format is pinned by test/unit/ids-and-keys.test.ts.
 */

/** What every case workflow id starts with. */
const CASE_WORKFLOW_ID_PREFIX = 'case-';

/** The workflow id of a case: stable, derived from the case id. */
export function caseWorkflowId(caseId: string): string {
  return `${CASE_WORKFLOW_ID_PREFIX}${caseId}`;
}

/** True for the workflow id of a case (and so of its activities' payloads, keyed by the case's data key). */
export function isCaseWorkflowId(workflowId: string): boolean {
  return workflowId.startsWith(CASE_WORKFLOW_ID_PREFIX);
}

/** The case id of a case workflow id; undefined for any other workflow id (the reconciler's, say). */
export function caseIdOfWorkflowId(workflowId: string): string | undefined {
  return isCaseWorkflowId(workflowId) ? workflowId.slice(CASE_WORKFLOW_ID_PREFIX.length) : undefined;
}

/** The workflow id every run of the read-model reconciler gets from its Schedule. */
export const READ_MODEL_RECONCILER_WORKFLOW_ID = 'read-model-reconciler';

/** The id of the reconciler's Schedule (`temporal schedule trigger --schedule-id aftersales-read-model-reconciler`). */
export const READ_MODEL_RECONCILER_SCHEDULE_ID = 'aftersales-read-model-reconciler';

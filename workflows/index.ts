/** Every case workflow the worker registers, by its workflow type name (see WORKFLOW_TYPE_BY_CASE_TYPE). */
export { returnCaseWorkflow } from './return-case.workflow';
export { exchangeCaseWorkflow } from './exchange-case.workflow';
export { repairCaseWorkflow } from './repair-case.workflow';
export { complaintCaseWorkflow } from './complaint-case.workflow';
export { refundOnlyCaseWorkflow } from './refund-only-case.workflow';
export { reshipCaseWorkflow } from './reship-case.workflow';
export { courierExceptionCaseWorkflow } from './courier-exception-case.workflow';
/** The read-model reconciler, started by its Schedule (not a case workflow). */
export { readModelReconcilerWorkflow } from './read-model-reconciler.workflow';

// Worker Versioning (docs/workflow-versioning.md, "Worker Versioning"): what a running workflow does when
// a new build becomes current. Only read by a versioned worker (WORKER_BUILD_ID); histories do not change.
import { setWorkflowOptions } from '@temporalio/workflow';
import { complaintCaseWorkflow } from './complaint-case.workflow';
import { courierExceptionCaseWorkflow } from './courier-exception-case.workflow';
import { exchangeCaseWorkflow } from './exchange-case.workflow';
import { readModelReconcilerWorkflow } from './read-model-reconciler.workflow';
import { refundOnlyCaseWorkflow } from './refund-only-case.workflow';
import { repairCaseWorkflow } from './repair-case.workflow';
import { reshipCaseWorkflow } from './reship-case.workflow';
import { returnCaseWorkflow } from './return-case.workflow';

// A case runs for days to weeks: pinned, every build would have to run until its last case closed. Cases
// move to the current build at their next workflow task, so changes to them still need patched().
for (const caseWorkflow of [returnCaseWorkflow, exchangeCaseWorkflow, repairCaseWorkflow, complaintCaseWorkflow, refundOnlyCaseWorkflow, reshipCaseWorkflow, courierExceptionCaseWorkflow]) {
  setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, caseWorkflow);
}
// A reconciler run lasts minutes: it finishes on the build it started on, and the next run starts on the current one.
setWorkflowOptions({ versioningBehavior: 'PINNED' }, readModelReconcilerWorkflow);

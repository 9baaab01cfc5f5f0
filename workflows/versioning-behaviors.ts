import { setWorkflowOptions, type WorkflowInterceptors } from '@temporalio/workflow';
import { complaintCaseWorkflow } from './complaint-case.workflow';
import { courierExceptionCaseWorkflow } from './courier-exception-case.workflow';
import { exchangeCaseWorkflow } from './exchange-case.workflow';
import { readModelReconcilerWorkflow } from './read-model-reconciler.workflow';
import { refundOnlyCaseWorkflow } from './refund-only-case.workflow';
import { repairCaseWorkflow } from './repair-case.workflow';
import { reshipCaseWorkflow } from './reship-case.workflow';
import { returnCaseWorkflow } from './return-case.workflow';

// Worker Versioning (docs/workflow-versioning.md, "Worker Versioning"): what a running workflow does when
// a new build becomes current. Loaded as a workflow module by versioned workers only (WORKER_BUILD_ID):
// the server refuses a workflow task that declares a behaviour from an unversioned worker.

// A case runs for days to weeks: pinned, every build would have to run until its last case closed. Cases
// move to the current build at their next workflow task, so changes to them still need patched().
for (const caseWorkflow of [returnCaseWorkflow, exchangeCaseWorkflow, repairCaseWorkflow, complaintCaseWorkflow, refundOnlyCaseWorkflow, reshipCaseWorkflow, courierExceptionCaseWorkflow]) {
  setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, caseWorkflow);
}
// A reconciler run lasts minutes: it finishes on the build it started on, and the next run starts on the current one.
setWorkflowOptions({ versioningBehavior: 'PINNED' }, readModelReconcilerWorkflow);

/** No interceptors: the module is loaded for the annotations above, before any workflow function is looked up. */
export const interceptors = (): WorkflowInterceptors => ({});

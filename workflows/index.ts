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

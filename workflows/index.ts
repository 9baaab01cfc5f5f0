/** Every case workflow the worker registers, by its workflow type name. */
export { returnCaseWorkflow } from './return-case.workflow';

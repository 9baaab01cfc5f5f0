import { ApplicationFailure } from '@temporalio/workflow';
import { CommandErrorTypes } from '../domain/workflow-contract';

/** Rejects an Update with an invalid-input failure (400) when there is a problem. */
export function invalidInput(problem: string | null): void {
  if (problem) throw ApplicationFailure.nonRetryable(problem, CommandErrorTypes.invalidInput);
}

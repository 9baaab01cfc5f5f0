import type { Client } from '@temporalio/client';
import { caseIdForIdempotencyKey } from '../../api/case-id';
import { caseStartOptions, caseWorkflowInput } from '../../api/case-start-options';
import type { OpenCaseRequest } from '../../domain/case.types';
import { checkEligibility } from '../../domain/eligibility';
import type { Policy } from '../../domain/policy';
import { WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';

/**
 * Starts a case workflow the way `POST /v1/cases` does once the order's facts are read (the same
 * eligibility verdict, and api/case-start-options.ts `caseWorkflowInput` + `caseStartOptions`) but
 * straight through the Temporal client: no HTTP, no order read, no open-case lock. Used where a benchmark needs many cases quickly
 * and measures the worker, not the API. Returns the case id.
 */
export async function startCaseDirectly(client: Client, taskQueue: string, policy: Policy, request: OpenCaseRequest, key: string): Promise<string> {
  const verdict = checkEligibility(request, policy, Date.now());
  if (!verdict.eligible) throw new Error(`bench case is not eligible: ${verdict.code}`);
  const caseId = caseIdForIdempotencyKey(request.customerId, key);
  const principal = { role: 'agent' as const, name: 'bench.direct' };
  const input = caseWorkflowInput(caseId, request, policy, { kind: 'agent', id: principal.name }, verdict, Date.now());
  await client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE[request.type], caseStartOptions(input, taskQueue, principal));
  return caseId;
}

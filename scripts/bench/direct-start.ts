import type { Client } from '@temporalio/client';
import { caseIdForIdempotencyKey } from '../../api/case-id';
import { openCaseBodySchema } from '../../api/cases.schemas';
import { caseDetails, caseSummary, initialStatus } from '../../api/cases.service';
import { checkEligibility } from '../../domain/eligibility';
import type { Policy } from '../../domain/policy';
import { CaseStatusKey, CaseTypeKey, CustomerIdKey, EscalationLevelKey, OrderIdKey, SlaBreachedKey } from '../../domain/search-attributes';
import { caseWorkflowId, WORKFLOW_TYPE_BY_CASE_TYPE, type CaseWorkflowInput } from '../../domain/workflow-contract';

/**
 * Starts a case workflow the way `POST /v1/cases` does (api/cases.service.ts: the same body
 * validation, eligibility verdict, workflow input with the whole policy, id, search attributes,
 * summary and details) but straight through the Temporal client: no HTTP, no open-case lock,
 * no wait for the first snapshot. Used where a benchmark needs many cases quickly and measures
 * the worker, not the API. Returns the case id.
 */
export async function startCaseDirectly(client: Client, taskQueue: string, policy: Policy, rawBody: unknown, key: string): Promise<string> {
  const request = openCaseBodySchema.parse(rawBody);
  const verdict = checkEligibility(request, policy, Date.now());
  if (!verdict.eligible) throw new Error(`bench case is not eligible: ${verdict.code}`);
  const caseId = caseIdForIdempotencyKey(request.customerId, key);
  const principal = { role: 'agent' as const, name: 'bench.direct' };
  const input: CaseWorkflowInput = {
    caseId,
    request,
    policy,
    openedBy: { kind: 'agent', id: principal.name },
    eligibility: {
      manualEvaluation: verdict.manualEvaluation,
      inWarranty: verdict.inWarranty,
      customerPaysShipping: verdict.customerPaysShipping,
      notes: verdict.notes,
    },
  };
  await client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE[request.type], {
    taskQueue,
    workflowId: caseWorkflowId(caseId),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: CaseStatusKey, value: initialStatus(request.type) },
      { key: CaseTypeKey, value: request.type },
      { key: OrderIdKey, value: request.orderId },
      { key: CustomerIdKey, value: request.customerId },
      { key: SlaBreachedKey, value: false },
      { key: EscalationLevelKey, value: 0 },
    ],
    staticSummary: caseSummary(request),
    staticDetails: caseDetails(caseId, request, policy.version, principal),
  });
  return caseId;
}

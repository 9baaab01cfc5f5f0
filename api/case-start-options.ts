import type { Actor, OpenCaseRequest } from '../domain/case.types';
import type { EligibilityVerdict } from '../domain/eligibility';
import { OPENING_BY_TYPE, openingState } from '../domain/opening-state';
import type { Policy } from '../domain/policy';
import {
  CaseStatusKey,
  CaseTypeKey,
  CustomerIdKey,
  EscalationLevelKey,
  ManualEvaluationKey,
  NextDeadlineKey,
  OrderIdKey,
  SlaBreachedKey,
} from '../domain/search-attributes';
import { readable } from '../domain/readable-text';
import { nextDeadline } from '../domain/sla-clock';
import { caseWorkflowId } from '../domain/ids';
import { FEATURE_LEVEL_STATUTORY_REFUND, type CaseWorkflowInput } from '../domain/workflow-contract';
import type { Principal } from './auth';

/** The workflow input of a case opened by `openedBy` at `openedAtMs` with the policy's eligibility verdict (which must be eligible). */
export function caseWorkflowInput(
  caseId: string,
  request: OpenCaseRequest,
  policy: Policy,
  openedBy: Actor,
  verdict: Extract<EligibilityVerdict, { eligible: true }>,
  openedAtMs: number,
): CaseWorkflowInput {
  return {
    caseId,
    request,
    policy,
    openedBy,
    openedAt: new Date(openedAtMs).toISOString(),
    featureLevel: FEATURE_LEVEL_STATUTORY_REFUND,
    eligibility: {
      manualEvaluation: verdict.manualEvaluation,
      inWarranty: verdict.inWarranty,
      customerPaysShipping: verdict.customerPaysShipping,
      notes: verdict.notes,
    },
  };
}

/**
 * How a case workflow is started: its id, the search attributes its first task would set (the
 * opening status and deadline: that task then upserts none), the UI summary and details.
 */
export function caseStartOptions(input: CaseWorkflowInput, taskQueue: string, principal: Principal) {
  const { request } = input;
  const deadline = input.openedAt === undefined ? null : nextDeadline([openingState(input, Date.parse(input.openedAt)).clock]);
  return {
    taskQueue,
    workflowId: caseWorkflowId(input.caseId),
    args: [input] as [CaseWorkflowInput],
    // A derived id must never open a second case, even after the first one closed.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: CaseStatusKey, value: OPENING_BY_TYPE[request.type].status },
      { key: CaseTypeKey, value: request.type },
      { key: OrderIdKey, value: request.orderId },
      { key: CustomerIdKey, value: request.customerId },
      { key: SlaBreachedKey, value: false },
      { key: EscalationLevelKey, value: 0 },
      // The opening verdict's, for good: the workflow never upserts it (no command in any history).
      { key: ManualEvaluationKey, value: input.eligibility.manualEvaluation },
      ...(deadline === null ? [] : [{ key: NextDeadlineKey, value: new Date(deadline) }]),
    ],
    // Shown by the Temporal UI without decoding (the codec leaves marked text in clear): no personal data in either.
    staticSummary: readable(caseSummary(request)),
    staticDetails: readable(caseDetails(input.caseId, request, input.policy.version, principal)),
  };
}

/** The one-line summary shown in the Temporal UI: no personal data. */
export function caseSummary(body: OpenCaseRequest): string {
  const count = body.items.reduce((sum, item) => sum + item.quantity, 0);
  return `${body.type} · order ${body.orderId} · ${count} item${count === 1 ? '' : 's'}`;
}

/** The markdown details shown in the Temporal UI: type, order, reason code, items — never the customer's text. */
export function caseDetails(caseId: string, body: OpenCaseRequest, policyVersion: string, principal: Principal): string {
  const items = body.items.map((i) => `\`${i.sku}\` × ${i.quantity}`).join(', ');
  return [
    `**Case** \`${caseId}\``,
    `**Type** ${body.type}`,
    `**Order** \`${body.orderId}\` (${body.order.paymentMethod})`,
    `**Reason** ${body.reason.code}`,
    `**Items** ${items}`,
    `**Policy** ${policyVersion}`,
    `**Opened by** ${principal.role}`,
  ].join('  \n');
}

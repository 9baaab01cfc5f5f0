import { claimedAmount } from '../domain/eligibility';
import { investigationKey } from '../domain/keys';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import { providers } from './activities';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { notifyCustomer } from './notify';
import { refundStage } from './stages/refund.stage';
import { customerConfirmationStage, shipToCustomerStage } from './stages/ship-to-customer.stage';

/**
 * A courier exception (快递问题件: signed but not received, wrong address, out of area): an
 * investigation is opened with the courier under the follow-up clock; the agent records the
 * outcome — found, reship or refund — and the customer gets the answer.
 */
export async function courierExceptionCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runCourierException });
}

async function runCourierException(record: CaseRecord): Promise<void> {
  const { request } = record.input;
  const investigation = await providers.openInvestigation.executeWithOptions({ summary: `open courier investigation: ${request.reason.code}` }, [
    { caseId: record.id, kind: request.reason.code, idempotencyKey: investigationKey(record.id) },
  ]);
  record.outcome.investigationId = investigation.investigationId;
  record.log({ kind: 'provider', id: 'courier' }, 'investigation.opened', { investigationId: investigation.investigationId });
  await notifyCustomer(record, 'investigation_opened', 'investigation-opened');

  const { actor, resolution, outcome } = await record.takeCommand(['resolution'], ({ command }) => {
    const { actor, resolution, outcome } = command;
    if (actor.kind === 'agent' && !record.assignee) record.assignee = actor.id;
    record.stopClock('investigation');
    record.outcome.resolution = { text: resolution, outcome, by: actor.id };
    record.log(actor, `investigation.${outcome ?? 'found'}`);
    return command;
  });

  if (outcome === 'reship') {
    record.startClock('reship');
    await shipToCustomerStage(record, 'reship', request.items, 'reship');
    await customerConfirmationStage(record);
    return;
  }
  if (outcome === 'refund') {
    const refunded = await refundStage(record, { amount: claimedAmount(request), reason: 'courier exception', withUnits: true });
    if (refunded === 'failed') await record.waitForClosing();
    return;
  }
  record.close('completed', actor, 'case.completed', { note: resolution });
}

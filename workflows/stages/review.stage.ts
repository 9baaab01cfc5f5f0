import type { CaseStatus } from '../../domain/case.types';
import type { ReviewCommand } from '../../domain/workflow-contract';
import type { CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';

/**
 * Review under the review clock: approve moves the case to `approvedStatus`; reject ends it;
 * request_info pauses the clock until the customer answers (or the customer clock runs out).
 */
export async function reviewStage(record: CaseRecord, approvedStatus: CaseStatus | ((approval: ReviewCommand) => CaseStatus)): Promise<ReviewCommand> {
  record.startClock('review');
  for (let round = 1; ; round++) {
    const { seq, command } = await record.nextCommand(['review']);
    const { actor, decision, note } = command;
    if (actor.kind === 'agent' && !record.assignee) record.assignee = actor.id;
    record.outcome.review = { decision, note: note ?? null, by: actor.id, ...(command.humanDamage ? { humanDamage: true } : {}) };

    if (decision === 'approve') {
      record.stopClock('review');
      const next = typeof approvedStatus === 'function' ? approvedStatus(command) : approvedStatus;
      record.transition(next, actor, 'review.approved', note ? { note } : undefined);
      record.ack(seq);
      return command;
    }
    if (decision === 'reject') {
      record.ack(seq);
      record.end('rejected', actor, 'review.rejected', { note });
    }

    record.pauseClock('review');
    record.transition('awaiting_customer_info', actor, 'review.info_requested', { note });
    record.startClock('customer_info');
    record.ack(seq);
    await notifyCustomer(record, 'info_requested', `info-requested-${round}`, { note: note ?? '' });

    const answer = await record.nextCommand(['customerInfo', 'expire']);
    record.ack(answer.seq);
    if (answer.name === 'expire') record.end('expired', answer.command.actor, 'case.expired', { clock: answer.command.clock });
    const info = answer.command;
    record.stopClock('customer_info');
    record.resumeClock('review');
    record.transition('awaiting_review', info.actor, 'customer.info_provided', {
      evidence: info.evidence ?? [],
      messageLength: info.message.length,
    });
    record.outcome.customerInfo = [...(record.outcome.customerInfo ?? []), { message: info.message, evidence: info.evidence ?? [] }];
  }
}

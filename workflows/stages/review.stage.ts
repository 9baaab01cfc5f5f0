import type { CaseStatus } from '../../domain/case.types';
import type { ReviewCommand } from '../../domain/workflow-contract';
import type { CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';

/**
 * Review under the review clock, running since the case opened (domain/opening-state.ts): approve
 * moves the case to `approvedStatus`; reject ends it; request_info pauses the clock until the
 * customer answers (or the customer clock runs out).
 */
export async function reviewStage(record: CaseRecord, approvedStatus: CaseStatus | ((approval: ReviewCommand) => CaseStatus)): Promise<ReviewCommand> {
  for (let round = 1; ; round++) {
    const command = await record.takeCommand(['review'], ({ command }) => {
      const { actor, decision, note } = command;
      if (actor.kind === 'agent' && !record.assignee) record.assignee = actor.id;
      record.outcome.review = { decision, note: note ?? null, by: actor.id, ...(command.humanDamage ? { humanDamage: true } : {}) };
      if (decision === 'approve') {
        record.stopClock('review');
        const next = typeof approvedStatus === 'function' ? approvedStatus(command) : approvedStatus;
        record.transition(next, actor, 'review.approved', note ? { note } : undefined);
      } else if (decision === 'reject') {
        record.end('rejected', actor, 'review.rejected', { note });
      } else {
        record.pauseClock('review');
        record.transition('awaiting_customer_info', actor, 'review.info_requested', { note });
        record.startClock('customer_info');
      }
      return command;
    });
    if (command.decision === 'approve') return command;
    await notifyCustomer(record, 'info_requested', `info-requested-${round}`, { note: command.note ?? '' });

    await record.takeCommand(['customerInfo', 'expire'], (answer) => {
      if (answer.name === 'expire') record.end('expired', answer.command.actor, 'case.expired', { clock: answer.command.clock });
      const info = answer.command;
      record.stopClock('customer_info');
      record.resumeClock('review');
      record.transition('awaiting_review', info.actor, 'customer.info_provided', {
        evidence: info.evidence ?? [],
        messageLength: info.message.length,
      });
      record.outcome.customerInfo = [...(record.outcome.customerInfo ?? []), { message: info.message, evidence: info.evidence ?? [] }];
    });
  }
}

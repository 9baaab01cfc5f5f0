/**
 * Every kind of entry a case workflow appends to a case's timeline. The workflow record
 * (workflows/case-record.ts) takes only these, so a new kind must be added here first, and
 * whatever reads the timeline (the desk's words for each kind) can be checked against this list.
 * They are wire names: recorded histories and read models hold them, so they are never renamed.
 */
export const TimelineEvents = [
  // Opening, closing and handling of any case (workflows/case-runtime.ts, domain/opening-state.ts).
  'case.opened',
  'case.assigned',
  'case.completed',
  'case.cancelled',
  'case.expired',
  'survey.answered',
  // SLA clocks (workflows/sla-supervisor.ts, workflows/case-record.ts).
  'sla.deadline_provisional',
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'sla.clock_restarted',
  'sla.statutory_limit_started',
  'sla.statutory_limit_ended',
  'customer.timeout',
  'auto_action.review_approved',
  'auto_action.review_withheld',
  // Review and the customer's answers (workflows/stages/review.stage.ts).
  'review.approved',
  'review.rejected',
  'review.info_requested',
  'customer.info_provided',
  // The customer's return parcel (workflows/stages/return-shipment.stage.ts).
  'return.label_created',
  'return.shipped',
  'return.received',
  'return.already_received',
  // Inspection (workflows/stages/inspection.stage.ts).
  'inspection.passed',
  'inspection.failed',
  'inspection.failed_partial_refund',
  'inspection.rejected',
  // Money the customer pays (workflows/stages/collection.stage.ts, workflows/provider-events.ts).
  'payment.requested',
  'payment.paid',
  'payment.failed',
  'payment.not_received',
  'payment.received_late',
  // Money paid back (workflows/stages/refund.stage.ts, workflows/provider-events.ts).
  'refund.approved',
  'refund.requested',
  'refund.succeeded',
  'refund.failed',
  'refund.capped',
  'refund.zero',
  'refund.nothing_refundable',
  'refund.manual_action_required',
  'refund.not_covered_by_payment',
  'refund.line_held',
  // Stock and replacements (workflows/stages/replacement.stage.ts, workflows/exchange-case.workflow.ts).
  'stock.unavailable',
  'customer.contacted',
  'stock.decision_refund',
  'stock.decision_alternative',
  'stock.alternative_needs_agent',
  'stock.alternative_unknown',
  'stock.alternative_approved',
  'exchange.became_refund',
  // Parcels to the customer and their tracking (workflows/stages/ship-to-customer.stage.ts, workflows/provider-events.ts).
  'shipment.preparing',
  'shipment.handed_to_courier',
  'shipment.picked_up',
  'shipment.in_transit',
  'shipment.delivered',
  'shipment.exception',
  'tracking.unmatched',
  'confirmation.requested',
  'receipt.confirmed',
  'receipt.auto_confirmed',
  // Repairs (workflows/stages/repair.stage.ts, workflows/repair-case.workflow.ts).
  'repair.quoted',
  'repair.quote_accepted',
  'repair.quote_declined',
  'repair.quote_paid',
  'repair.quote_unpaid',
  'repair.completed',
  'repair.verification_failed',
  'repair.attempts_exhausted',
  'repair.unrepairable',
  // Complaints and courier exceptions (workflows/complaint-case.workflow.ts, workflows/courier-exception-case.workflow.ts).
  'complaint.resolved',
  'compensation.coupon_issued',
  'compensation.coupon_failed',
  'investigation.opened',
  'investigation.found',
  'investigation.reship',
  'investigation.refund',
  // The delivery read again before money moves (workflows/delivery-check.ts, workflows/policy-hooks.ts).
  'delivery.confirmed',
  'delivery.signed_after_opening',
  'delivery.not_confirmed',
  // A notification the case's outbox gave up on (workflows/outbox.ts): refused for good, or past its deadline.
  'notification.failed',
] as const;

/** A kind of timeline entry a case workflow records. */
export type TimelineEvent = (typeof TimelineEvents)[number];

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Case status, filterable in the Temporal UI. */
export const CaseStatusKey = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
/** Case type (return, exchange, …). */
export const CaseTypeKey = defineSearchAttributeKey('CaseType', SearchAttributeType.KEYWORD);
/** Order the case belongs to. */
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
/** Customer who opened the case (an opaque id, not personal data). */
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** Agent the case is assigned to. */
export const AssigneeKey = defineSearchAttributeKey('Assignee', SearchAttributeType.KEYWORD);
/** True once any staff SLA clock of the case has breached, and for good (history: OverdueSince says what is late now). */
export const SlaBreachedKey = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);
/** Current escalation level (0 = none). */
export const EscalationLevelKey = defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT);
/** Earliest deadline of the running clocks. */
export const NextDeadlineKey = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);

/** True on a quality claim accepted past its window (manual evaluation); set once at the start, never upserted. */
export const ManualEvaluationKey = defineSearchAttributeKey('ManualEvaluation', SearchAttributeType.BOOL);

/** Since when the case is late: the earliest staff deadline that passed with its work still to do; absent when none. */
export const OverdueSinceKey = defineSearchAttributeKey('OverdueSince', SearchAttributeType.DATETIME);
/** The clock whose deadline OverdueSince is (review, processing, …); absent when the case is not overdue. */
export const OverdueClockKey = defineSearchAttributeKey('OverdueClock', SearchAttributeType.KEYWORD);

/** Every custom search attribute with its Temporal type name, for `temporal server start-dev --search-attribute` and operator registration. */
export const CASE_SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: 'Keyword' | 'Bool' | 'Int' | 'Datetime' }> = [
  { name: CaseStatusKey.name, type: 'Keyword' },
  { name: CaseTypeKey.name, type: 'Keyword' },
  { name: OrderIdKey.name, type: 'Keyword' },
  { name: CustomerIdKey.name, type: 'Keyword' },
  { name: AssigneeKey.name, type: 'Keyword' },
  { name: SlaBreachedKey.name, type: 'Bool' },
  { name: EscalationLevelKey.name, type: 'Int' },
  { name: NextDeadlineKey.name, type: 'Datetime' },
  { name: OverdueSinceKey.name, type: 'Datetime' },
  { name: OverdueClockKey.name, type: 'Keyword' },
  { name: ManualEvaluationKey.name, type: 'Bool' },
];

import type { Db } from 'mongodb';
import type { CaseDocument } from './case-document.mapper';
import type { EscalationDocument } from './case-read-model.store';
import { Collections } from './mongo';
import { computeSlaReport, type ReportBase, type ReportCase, type ReportEscalation, type SlaReport } from './sla-report.metrics';

export type { SlaReport } from './sla-report.metrics';

/** Time range of a report: from inclusive, to exclusive. */
export interface SlaReportRange {
  from: Date;
  to: Date;
}

/** What a report is asked for: its range, and the figures only the shop knows (delivered orders). */
export type SlaReportQuery = SlaReportRange & ReportBase;

const CASE_FIELDS = ['type', 'status', 'reason', 'createdAt', 'closedAt', 'sla', 'survey', 'timeline'] as const;

/** The KPIs of cases created in [from, to) and of breaches that happened in it; plain finds, arithmetic in code. */
export async function slaReport(db: Db, query: SlaReportQuery): Promise<SlaReport> {
  const { deliveredOrders, ...range } = query;
  if (!(range.from.getTime() < range.to.getTime())) throw new RangeError('report range needs from < to');
  const projection = Object.fromEntries(CASE_FIELDS.map((f) => [f, 1]));
  const [documents, escalations] = await Promise.all([
    db
      .collection<CaseDocument>(Collections.cases)
      .find({ createdAtDate: { $gte: range.from, $lt: range.to } })
      .project<Pick<CaseDocument, '_id' | (typeof CASE_FIELDS)[number]>>(projection)
      .toArray(),
    db
      .collection<EscalationDocument>(Collections.escalations)
      .find({ reason: 'breach', level: 1, atDate: { $gte: range.from, $lt: range.to } })
      .project<ReportEscalation>({ _id: 0, clock: 1, level: 1, reason: 1, at: 1, assignee: 1 })
      .toArray(),
  ]);
  const cases: ReportCase[] = documents.map(({ _id, ...fields }) => ({ id: _id, ...fields }));
  return computeSlaReport(range, cases, escalations, deliveredOrders === undefined ? {} : { deliveredOrders });
}

import type { Db } from 'mongodb';
import { toSnapshot, type CaseDocument } from './case-document.mapper';
import type { EscalationDocument } from './case-read-model.store';
import { Collections } from './mongo';
import { SlaReportBuckets } from './sla-report.buckets';
import { computeSlaReportFromFacts, REPORT_MAX_DAYS, reportFactsOf, type CaseReportFacts, type ReportBase, type ReportEscalation, type SlaReport } from './sla-report.metrics';

export type { SlaReport } from './sla-report.metrics';

/** Time range of a report: from inclusive, to exclusive. */
export interface SlaReportRange {
  from: Date;
  to: Date;
}

/** What a report is asked for: its range, and the figures only the shop knows (delivered orders). */
export type SlaReportQuery = SlaReportRange & ReportBase;

/**
 * The KPIs of cases created in [from, to) (at most REPORT_MAX_DAYS) and of breaches that happened in it, also per Beijing day. Read from the day
 * buckets plus what was written since their last compaction (store/sla-report.buckets.ts); before
 * the first compaction, from the cases and escalations of the range themselves.
 */
export async function slaReport(db: Db, query: SlaReportQuery): Promise<SlaReport> {
  const { deliveredOrders, ...range } = query;
  if (!(range.from.getTime() < range.to.getTime())) throw new RangeError('report range needs from < to');
  if (range.to.getTime() - range.from.getTime() > REPORT_MAX_DAYS * 86_400_000) throw new RangeError(`a report covers at most ${REPORT_MAX_DAYS} days`);
  const inputs = (await new SlaReportBuckets(db).reportInputs(range.from, range.to)) ?? (await readRange(db, range));
  return computeSlaReportFromFacts(range, inputs.facts, inputs.breaches, deliveredOrders === undefined ? {} : { deliveredOrders });
}

/** The facts of the cases created in the range and its level-1 breaches, read document by document. */
async function readRange(db: Db, range: SlaReportRange): Promise<{ facts: CaseReportFacts[]; breaches: ReportEscalation[] }> {
  const [documents, breaches] = await Promise.all([
    db
      .collection<CaseDocument>(Collections.cases)
      .find({ createdAtDate: { $gte: range.from, $lt: range.to } })
      .toArray(),
    db
      .collection<EscalationDocument>(Collections.escalations)
      .find({ reason: 'breach', level: 1, atDate: { $gte: range.from, $lt: range.to } })
      .project<ReportEscalation>({ _id: 0, clock: 1, level: 1, reason: 1, at: 1, assignee: 1 })
      .toArray(),
  ]);
  return { facts: documents.map((d) => reportFactsOf(toSnapshot(d))), breaches };
}

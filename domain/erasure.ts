import type { CaseSnapshot } from './case.types';

/** What stands where erased free text was. */
export const ERASED = '[erased]';

/** Keys of timeline data that hold what a person typed or linked (notes, messages, resolutions, evidence). */
const FREE_TEXT_KEYS = new Set(['note', 'message', 'comment', 'text', 'description', 'resolution', 'evidence']);

/**
 * The case without the customer's personal data: the reason's description, evidence links, notes,
 * messages, resolution texts and the survey comment are erased; ids, amounts, dates, statuses and
 * clocks stay, so reports still count the case. Cases carry no names, phones or addresses.
 */
export function withoutPersonalData(snapshot: CaseSnapshot): CaseSnapshot {
  const { outcome } = snapshot;
  return {
    ...snapshot,
    reason: { ...snapshot.reason, ...(snapshot.reason.description === undefined ? {} : { description: ERASED }) },
    evidence: [],
    outcome: {
      ...outcome,
      ...(outcome.review ? { review: { ...outcome.review, note: erasedOrNull(outcome.review.note) } } : {}),
      ...(outcome.customerInfo ? { customerInfo: outcome.customerInfo.map(() => ({ message: ERASED, evidence: [] })) } : {}),
      ...(outcome.inspection ? { inspection: { ...outcome.inspection, note: erasedOrNull(outcome.inspection.note) } } : {}),
      ...(outcome.repair ? { repair: { ...outcome.repair, note: erasedOrNull(outcome.repair.note) } } : {}),
      ...(outcome.resolution ? { resolution: { ...outcome.resolution, text: ERASED } } : {}),
    },
    survey: snapshot.survey && { ...snapshot.survey, ...(snapshot.survey.comment === undefined ? {} : { comment: ERASED }) },
    timeline: snapshot.timeline.map((entry) => (entry.data === undefined ? entry : { ...entry, data: scrub(entry.data) as Record<string, unknown> })),
  };
}

function erasedOrNull(text: string | null): string | null {
  return text === null ? null : ERASED;
}

/** Free-text keys erased at any depth of timeline data. */
function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (!FREE_TEXT_KEYS.has(key)) return [key, scrub(item)];
      if (Array.isArray(item)) return [key, []];
      return [key, typeof item === 'string' ? ERASED : scrub(item)];
    }),
  );
}

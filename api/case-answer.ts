import { allowedCommands, CURRENT_RULES } from '../domain/case-commands';
import type { CaseSnapshot, TimelineEntry } from '../domain/case.types';
import { actorOf, type Principal } from './auth';

/**
 * A case as the API answers it: the workflow's snapshot plus the commands the caller may send now.
 * Computed per request from the command table (domain/case-commands.ts), never stored in the
 * workflow or the read model: what one may do depends on who asks.
 */
export type CaseAnswer = CaseSnapshot & {
  /** Paths of the commands (`POST /v1/cases/:id/<path>`) the caller's role may send and the case takes now. */
  allowedCommands: string[];
};

/**
 * The case for this caller, with its `allowedCommands`. The snapshot does not say which patched()
 * rules its case runs, so today's are assumed (a case older than the order ledger may take a cancel
 * the list leaves out); the workflow's validator has the last word either way.
 */
export function caseAnswer(snapshot: CaseSnapshot, principal: Principal): CaseAnswer {
  const c = { type: snapshot.type, status: snapshot.status, customerId: snapshot.customerId, refund: snapshot.refund, surveyAnswered: snapshot.survey !== null, takesScanIn: snapshot.shipments.some((s) => s.direction === 'return' && s.via !== undefined) };
  const seen = principal.role === 'customer' ? { ...snapshot, timeline: snapshot.timeline.map(withoutCourierText) } : snapshot;
  return { ...seen, allowedCommands: allowedCommands(c, { kind: principal.role, id: actorOf(principal).id }, CURRENT_RULES) };
}

/**
 * A timeline entry as a customer reads it: a courier's own trace text (`detail`: a signer's name,
 * a phone tail, a depot's note) is staff-only; the customer reads each tracking event in our words
 * (its event name, which the desk shows as a label).
 */
function withoutCourierText(entry: TimelineEntry): TimelineEntry {
  if (entry.actor.kind !== 'provider' || entry.data === undefined || !('detail' in entry.data)) return entry;
  const { detail: _staffOnly, ...data } = entry.data;
  return { ...entry, data };
}

import type { Actor } from './case.types';

// Who did what, in words the Temporal UI shows without the codec server (the Update id): the
// actor's role and id and the command's decision codes. Only enumerated codes, SKUs, carriers and
// amounts go in; free text (notes, messages, resolutions), tracking numbers and evidence never do.

/** A code shown as it is: letters, digits and . _ - only, at most 64 (an e-mail address or free text is not one). */
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

type Fields = Record<string, unknown>;

/** The decision codes of each command in reading order, as groups shown whole or not at all; a command not named here shows its name only. */
const DECISIONS: Record<string, (command: Fields) => unknown[][]> = {
  review: (c) => [[c.decision], [c.humanDamage === true ? 'human_damage' : undefined]],
  inspection: (c) => [[c.result], c.refundAmount === undefined ? [] : ['refund', c.refundAmount]],
  stockDecision: (c) => [[c.decision], [c.sku]],
  quote: (c) => [[c.accept === true ? 'accept' : c.accept === false ? 'decline' : undefined]],
  repairResult: (c) => [[c.outcome], [c.verified === true ? 'verified' : c.verified === false ? 'unverified' : undefined]],
  resolution: (c) => [[c.outcome], compensation(c.compensation)],
  returnShipment: (c) => [[c.carrier]],
  assign: (c) => [[c.assignee]],
};

/**
 * One line naming who sent a command and what they decided, e.g. `agent li.wei: review approve`
 * or `customer c-1: quote decline`: the actor's role and id (staff login or pseudonymous customer
 * id, left out when it is not a plain code), the Update's name and its decision codes.
 */
export function updateLabel(updateName: string, command: { actor: Actor } & Fields): string {
  const who = CODE.test(command.actor.id) ? `${command.actor.kind} ${command.actor.id}` : command.actor.kind;
  const groups = (DECISIONS[updateName]?.(command) ?? []).filter((group) => group.length > 0 && group.every(isCode));
  return [`${who}: ${updateName}`, ...groups.map((group) => group.join(' '))].join(' ');
}

/** A plain code string, or an amount (a safe integer). */
function isCode(value: unknown): boolean {
  return (typeof value === 'string' && CODE.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value));
}

function compensation(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  const { kind, amount } = value as Fields;
  return [kind, amount];
}

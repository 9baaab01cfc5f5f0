import { createHash } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Principal } from './auth';
import { conflict } from './errors';
import { withinDeadline } from './temporal-calls';

// A command sent with an Idempotency-Key runs as the Workflow Update whose id comes from that key.
// Temporal attaches a second Update with an id it already knows to the first one and answers it
// with the first one's outcome, so a retry (after a lost answer, on this or another API process)
// gets the same case back instead of "not allowed in this status". Temporal matches on the id
// only; that the retry asks for the same thing is checked here, against the accepted Update's
// input in the workflow's history.

/**
 * The Update id of a keyed command: the same caller, case, command and key always give the same id.
 * The caller is part of it so that two callers who pick the same key never share an answer.
 */
export function commandUpdateId(principal: Principal, caseId: string, commandPath: string, key: string): string {
  const caller = `${principal.role}:${principal.customerId ?? principal.name ?? ''}`;
  const digest = createHash('sha256').update(`${caller}\n${caseId}\n${commandPath}\n${key}`, 'utf8').digest('hex');
  return `cmd-${digest.slice(0, 32)}`;
}

/**
 * The Update id as the history shows it: who did what (domain/update-label.ts), then the unique
 * part in parentheses, e.g. `agent li.wei: review approve (cmd-3f…)`. The Update id is stored in
 * clear (it is no payload), so the history reads who decided what without the codec server.
 */
export function labelledUpdateId(label: string, uniqueId: string): string {
  return `${label} (${uniqueId})`;
}

/** True when `updateId` is `keyedId`, bare (before labels) or labelled. */
function isKeyed(updateId: string | null | undefined, keyedId: string): boolean {
  return updateId === keyedId || (updateId?.endsWith(` (${keyedId})`) ?? false);
}

/**
 * 409 `idempotency_key_reused` when the case already accepted an Update of that key (`keyedId`,
 * from commandUpdateId, bare or labelled) whose input differs from `input`. Returns the id of the
 * accepted one, so a retry attaches to it even if its label was written otherwise; undefined when
 * none. An Update the case refused leaves no trace, so its key binds nothing.
 */
export async function assertSameCommand(client: Client, handle: WorkflowHandle, keyedId: string, input: unknown): Promise<string | undefined> {
  const history = await withinDeadline(client, () => handle.fetchHistory());
  for (const event of history.events ?? []) {
    const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    const updateId = request?.meta?.updateId;
    if (!updateId || !isKeyed(updateId, keyedId)) continue;
    const payload = request?.input?.args?.payloads?.[0];
    const earlier = payload ? await decodedInput(client, payload) : undefined;
    if (canonicalJson(earlier) !== canonicalJson(input)) {
      throw conflict('idempotency_key_reused', 'this Idempotency-Key was already used for a different command on this case', [
        { field: 'Idempotency-Key', message: 'already used with a different body; use a new key for a new command' },
      ]);
    }
    return updateId;
  }
  return undefined;
}

/** An accepted Update's input as the caller sent it: the payload codec's encryption undone, then converted. */
async function decodedInput(client: Client, payload: Payload): Promise<unknown> {
  const converter = client.options.loadedDataConverter;
  let payloads = [payload];
  // Codecs decode in the reverse order they encoded in, as the SDK does.
  for (const codec of [...(converter.payloadCodecs ?? [])].reverse()) payloads = await codec.decode(payloads);
  return converter.payloadConverter.fromPayload(payloads[0]);
}

/** JSON with object keys sorted, so that two equal bodies compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

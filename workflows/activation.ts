import { condition } from '@temporalio/workflow';
import type { CaseRecord } from './case-record';

/**
 * Resolves once every coroutine woken in the current workflow activation has run and the case
 * stopped changing: a loop that writes the case out (search attributes, read model) then writes
 * the state the activation ends with, once, instead of once per intermediate version. A condition
 * that is already true resolves on the SDK's next unblocking pass, after the conditions woken
 * before it, and never leaves the activation; it records nothing in history.
 */
export async function settled(record: CaseRecord): Promise<void> {
  let seen: number;
  do {
    seen = record.version;
    await condition(() => true);
  } while (record.version !== seen);
}

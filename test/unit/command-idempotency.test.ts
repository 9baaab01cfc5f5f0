import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { assertSameCommand, commandUpdateId, labelledUpdateId } from '../../api/command-idempotency';
import { ApiError } from '../../api/errors';

// The Update id of a keyed command, and the check that a key reused on a case asks for the
// same command: against a history as Temporal returns it (update accepted events).

const agent = { role: 'agent' as const, name: 'li.wei' };
const customer = { role: 'customer' as const, customerId: 'c-1' };

const client = {
  options: { loadedDataConverter: { payloadConverter: defaultPayloadConverter } },
  withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
} as unknown as Client;

/** A handle whose history holds one accepted Update per entry. */
function handleWith(accepted: { updateId: string; input: unknown }[]): WorkflowHandle {
  const events = [
    { workflowExecutionStartedEventAttributes: {} },
    ...accepted.map(({ updateId, input }) => ({
      workflowExecutionUpdateAcceptedEventAttributes: {
        acceptedRequest: { meta: { updateId }, input: { name: 'review', args: { payloads: [defaultPayloadConverter.toPayload(input)] } } },
      },
    })),
  ];
  return { fetchHistory: () => Promise.resolve({ events }) } as unknown as WorkflowHandle;
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string } | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
}

describe('commandUpdateId', () => {
  test('the same caller, case, command and key always give the same Update id', () => {
    expect(commandUpdateId(agent, 'cs_1', 'review', 'k-1')).toBe(commandUpdateId({ ...agent }, 'cs_1', 'review', 'k-1'));
    expect(commandUpdateId(agent, 'cs_1', 'review', 'k-1')).toMatch(/^cmd-[0-9a-f]{32}$/);
  });

  test('another caller, case, command or key gives another Update id, so one key never answers for someone else', () => {
    const base = commandUpdateId(agent, 'cs_1', 'review', 'k-1');
    const others = [
      commandUpdateId({ role: 'agent', name: 'wang.fang' }, 'cs_1', 'review', 'k-1'),
      commandUpdateId(customer, 'cs_1', 'review', 'k-1'),
      commandUpdateId(agent, 'cs_2', 'review', 'k-1'),
      commandUpdateId(agent, 'cs_1', 'inspection', 'k-1'),
      commandUpdateId(agent, 'cs_1', 'review', 'k-2'),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});

describe('assertSameCommand', () => {
  const updateId = commandUpdateId(agent, 'cs_1', 'review', 'k-1');
  const input = { decision: 'approve', note: 'ok', actor: { kind: 'agent', id: 'li.wei' } };

  test('when the case never accepted an Update with that id, the command goes ahead', async () => {
    expect(await refusal(assertSameCommand(client, handleWith([{ updateId: 'cmd-other', input: { decision: 'reject' } }]), updateId, input))).toBe('accepted');
  });

  test('when the accepted Update had the same input (keys in another order), the retry goes ahead to get its answer', async () => {
    const reordered = { actor: { id: 'li.wei', kind: 'agent' }, note: 'ok', decision: 'approve' };
    expect(await refusal(assertSameCommand(client, handleWith([{ updateId, input: reordered }]), updateId, input))).toBe('accepted');
  });

  test('when the accepted Update had a different input, the answer is 409 idempotency_key_reused', async () => {
    const different = { ...input, decision: 'request_info' };
    expect(await refusal(assertSameCommand(client, handleWith([{ updateId, input: different }]), updateId, input))).toEqual({ status: 409, code: 'idempotency_key_reused' });
  });

  test('when the accepted Update carries the key in a labelled id (who did what), it is found by its key and its id is returned to attach to', async () => {
    const labelled = labelledUpdateId('agent li.wei: review approve', updateId);
    expect(await assertSameCommand(client, handleWith([{ updateId: labelled, input }]), updateId, input)).toBe(labelled);
    const different = { ...input, decision: 'reject' };
    expect(await refusal(assertSameCommand(client, handleWith([{ updateId: labelledUpdateId('agent li.wei: review reject', updateId), input: different }]), updateId, input))).toEqual({
      status: 409,
      code: 'idempotency_key_reused',
    });
  });

  test('an id that only contains the key elsewhere, or another key, is not taken for it', async () => {
    const other = commandUpdateId(agent, 'cs_1', 'review', 'k-2');
    expect(await assertSameCommand(client, handleWith([{ updateId: labelledUpdateId('agent li.wei: review approve', other), input: { decision: 'reject' } }]), updateId, input)).toBeUndefined();
    expect(await assertSameCommand(client, handleWith([{ updateId: `${updateId} (x)`, input: { decision: 'reject' } }]), updateId, input)).toBeUndefined();
  });
});

import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseSnapshot } from '../domain/case.types';
import { updateLabel } from '../domain/update-label';
import { caseWorkflowId } from '../domain/ids';
import { actorOf, type Principal } from './auth';
import type { CaseCommand } from './case-commands';
import { assertSameCommand, commandUpdateId, labelledUpdateId } from './command-idempotency';
import { mayRead, type CaseReader } from './case-reading';
import { conflict, notFound } from './errors';
import { withinDeadline } from './temporal-calls';

/** What commanding cases needs. */
export interface CaseCommandingDeps {
  client: Client;
  /** How long a command waits for the case to accept and run it before answering 503 (default 20 s). */
  commandTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 20_000;

/** Case commands: sent to the case, whose Update validator decides by the command table whether it takes them now. */
export class CaseCommander {
  constructor(
    private readonly deps: CaseCommandingDeps,
    private readonly reader: CaseReader,
  ) {}

  /**
   * A case command (the route checked the caller's role: api/case-commands.ts assertAudience); ownership
   * of the case checked here, state and content by the workflow's update validator.
   * With an Idempotency-Key the Update id comes from the key, so a retry gets the first answer (api/command-idempotency.ts).
   */
  async command(command: CaseCommand, caseId: string, body: object, principal: Principal, idempotencyKey?: string): Promise<CaseSnapshot> {
    const timeoutMs = this.deps.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    // The update would wait as long for the worker, so a case just opened gets that long to answer.
    const current = await this.reader.load(caseId, timeoutMs);
    if (current === null || !mayRead(principal, current)) throw notFound('case_not_found', `no case ${caseId}`);
    const handle = this.deps.client.workflow.getHandle(caseWorkflowId(caseId));
    const input = { ...body, actor: actorOf(principal) };
    const keyedId = idempotencyKey === undefined ? undefined : commandUpdateId(principal, caseId, command.path, idempotencyKey);
    // The history shows the Update id in clear: it says who decided what (never free text), e.g. `agent li.wei: review approve (cmd-…)`.
    let updateId = labelledUpdateId(updateLabel(command.update.name, input), keyedId ?? randomUUID());
    try {
      // A retry attaches to the Update its key already ran as, whatever that one's id says.
      if (keyedId !== undefined) updateId = (await assertSameCommand(this.deps.client, handle, keyedId, input)) ?? updateId;
      // An update waits for the worker to run it; a case whose worker is away must not hold the request forever.
      const updated = await withinDeadline(this.deps.client, () => handle.executeUpdate(command.update, { args: [input as never], updateId }), timeoutMs);
      return this.reader.withUiUrl(updated);
    } catch (error) {
      // The case exists (we just read it), so "not found" means its workflow has ended.
      if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case ${caseId} is ${current.status} and takes no more commands`);
      throw error;
    }
  }
}

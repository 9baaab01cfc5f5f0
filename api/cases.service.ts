import type { AppConfig } from '../config/env';
import type { Principal } from './auth';
import { caseAnswer, type CaseAnswer } from './case-answer';
import type { CaseCommand } from './case-commands';
import { CaseCommander, type CaseCommandingDeps } from './case-commanding';
import { CaseOpener, type CaseOpeningDeps } from './case-opening';
import { CaseReader, type CaseReadingDeps } from './case-reading';
import type { ListCasesQuery, OpenCaseBody } from './cases.schemas';

/** What the case service needs: what opening, reading and commanding each need. */
export interface CaseServiceDeps extends CaseOpeningDeps, CaseReadingDeps, CaseCommandingDeps {
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL'>;
}

/**
 * The cases of the HTTP contract over Temporal and the read model, one job per module: opening
 * (api/case-opening.ts), reading (api/case-reading.ts), commanding (api/case-commanding.ts); the
 * workflow's input and start options are in api/case-start-options.ts. Every case it answers carries
 * the caller's `allowedCommands` (api/case-answer.ts).
 */
export class CaseService {
  private readonly reader: CaseReader;
  private readonly opener: CaseOpener;
  private readonly commander: CaseCommander;

  constructor(deps: CaseServiceDeps) {
    this.reader = new CaseReader(deps);
    this.opener = new CaseOpener(deps, this.reader);
    this.commander = new CaseCommander(deps, this.reader);
  }

  /** `POST /v1/cases`: 201 with a new case, or 200 with the case an Idempotency-Key already opened. */
  async open(body: OpenCaseBody, idempotencyKey: string | undefined, principal: Principal): Promise<{ created: boolean; snapshot: CaseAnswer }> {
    const { created, snapshot } = await this.opener.open(body, idempotencyKey, principal);
    return { created, snapshot: caseAnswer(snapshot, principal) };
  }

  /** `GET /v1/cases/:id`: live from the workflow, else the read model; 404 for others' cases. */
  async get(caseId: string, principal: Principal): Promise<CaseAnswer> {
    return caseAnswer(await this.reader.get(caseId, principal), principal);
  }

  /** `GET /v1/cases`: a page of the read model; customers see only their own cases. */
  async list(query: ListCasesQuery, principal: Principal): Promise<{ items: CaseAnswer[]; nextCursor: string | null }> {
    const page = await this.reader.list(query, principal);
    return { items: page.items.map((item) => caseAnswer(item, principal)), nextCursor: page.nextCursor };
  }

  /** `POST /v1/cases/:id/<command>`: the case after the workflow took the command. */
  async command(command: CaseCommand, caseId: string, body: object, principal: Principal, idempotencyKey?: string): Promise<CaseAnswer> {
    return caseAnswer(await this.commander.command(command, caseId, body, principal, idempotencyKey), principal);
  }
}

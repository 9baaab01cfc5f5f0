import type { AppConfig } from '../config/env';
import type { CaseSnapshot } from '../domain/case.types';
import type { Principal } from './auth';
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
 * workflow's input and start options are in api/case-start-options.ts.
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
  open(body: OpenCaseBody, idempotencyKey: string | undefined, principal: Principal): Promise<{ created: boolean; snapshot: CaseSnapshot }> {
    return this.opener.open(body, idempotencyKey, principal);
  }

  /** `GET /v1/cases/:id`: live from the workflow, else the read model; 404 for others' cases. */
  get(caseId: string, principal: Principal): Promise<CaseSnapshot> {
    return this.reader.get(caseId, principal);
  }

  /** `GET /v1/cases`: a page of the read model; customers see only their own cases. */
  list(query: ListCasesQuery, principal: Principal): Promise<{ items: CaseSnapshot[]; nextCursor: string | null }> {
    return this.reader.list(query, principal);
  }

  /** `POST /v1/cases/:id/<command>`: the case after the workflow took the command. */
  command(command: CaseCommand, caseId: string, body: object, principal: Principal, idempotencyKey?: string): Promise<CaseSnapshot> {
    return this.commander.command(command, caseId, body, principal, idempotencyKey);
  }
}

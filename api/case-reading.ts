import { ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { CaseSnapshot } from '../domain/case.types';
import { caseWorkflowId } from '../domain/ids';
import { getCaseQuery } from '../domain/workflow-contract';
import { InvalidCursorError } from '../store/case-list.cursor';
import type { Principal } from './auth';
import type { ListCasesQuery } from './cases.schemas';
import { forbidden, notFound, unavailable, validationFailed, type ApiError } from './errors';
import type { StoreAccess } from './store-access';
import { withinDeadline } from './temporal-calls';

/** What reading cases needs. */
export interface CaseReadingDeps {
  config: Pick<AppConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL'>;
  client: Client;
  store: StoreAccess;
}

// Workflow ids are built from case ids; anything else in the path is simply not a case.
const PLAUSIBLE_CASE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// One live query may not hold a request for long: a case whose worker is down falls back to the read model.
const QUERY_TIMEOUT_MS = 3000;
// A case the read model does not have yet is most likely one just opened whose first workflow task
// waits behind others (POST answers before it runs): its query is given this much longer.
const NEW_CASE_QUERY_TIMEOUT_MS = 10_000;

/** Reading cases: one live from its workflow (the read model as fallback), lists from the read model. */
export class CaseReader {
  constructor(private readonly deps: CaseReadingDeps) {}

  /** `GET /v1/cases/:id`: live from the workflow, else the read model; 404 for others' cases (existence is not revealed). */
  async get(caseId: string, principal: Principal): Promise<CaseSnapshot> {
    const snapshot = await this.load(caseId);
    if (snapshot === null || !mayRead(principal, snapshot)) throw notFound('case_not_found', `no case ${caseId}`);
    return this.withUiUrl(snapshot);
  }

  /** `GET /v1/cases`: a page of the read model; customers see only their own cases. */
  async list(query: ListCasesQuery, principal: Principal): Promise<{ items: CaseSnapshot[]; nextCursor: string | null }> {
    let customerId = query.customerId;
    if (principal.role === 'customer') {
      if (customerId !== undefined && customerId !== principal.customerId) throw forbidden('a customer lists its own cases only');
      customerId = principal.customerId;
    }
    try {
      const page = await this.deps.store.get().readModel.listCases({ ...query, customerId });
      return { items: page.items.map((item) => this.withUiUrl(item)), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw validationFailed([{ field: 'cursor', message: error.message }]);
      throw error;
    }
  }

  /** Adds the Temporal UI link to a case. */
  withUiUrl(snapshot: CaseSnapshot): CaseSnapshot {
    const { TEMPORAL_UI_URL, TEMPORAL_NAMESPACE } = this.deps.config;
    const workflowId = snapshot.temporal?.workflowId ?? caseWorkflowId(snapshot.id);
    const uiUrl = `${TEMPORAL_UI_URL.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
    return { ...snapshot, temporal: { ...snapshot.temporal, workflowId, uiUrl } };
  }

  /**
   * The case live from its workflow; the read model when the workflow is gone or does not answer
   * within 3 s; null if neither has it. A case the read model lacks whose query timed out (a case
   * just opened, its first task not run yet) is queried once more for up to `newCaseWaitMs`.
   */
  async load(caseId: string, newCaseWaitMs = NEW_CASE_QUERY_TIMEOUT_MS): Promise<CaseSnapshot | null> {
    if (!PLAUSIBLE_CASE_ID.test(caseId)) return null;
    let liveError: unknown;
    try {
      return await this.query(caseWorkflowId(caseId), QUERY_TIMEOUT_MS);
    } catch (error) {
      liveError = error;
    }
    const workflowMissing = liveError instanceof WorkflowNotFoundError;
    let stored: CaseSnapshot | null;
    try {
      stored = await this.deps.store.get().readModel.getCase(caseId);
    } catch (storeError) {
      // Both failed: report the read model only when the workflow is known not to exist.
      throw workflowMissing ? storeError : liveError;
    }
    if (stored === null && !workflowMissing) {
      if (!isQueryTimeout(liveError)) throw liveError;
      try {
        return await this.query(caseWorkflowId(caseId), newCaseWaitMs);
      } catch (error) {
        throw isQueryTimeout(error) ? caseNotAnswering(QUERY_TIMEOUT_MS + newCaseWaitMs) : error;
      }
    }
    return stored;
  }

  private query(workflowId: string, timeoutMs: number): Promise<CaseSnapshot> {
    return withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(workflowId).query(getCaseQuery), timeoutMs);
  }
}

/** True when the caller may see the case: staff see every case, a customer only its own. */
export function mayRead(principal: Principal, snapshot: CaseSnapshot): boolean {
  return principal.role !== 'customer' || snapshot.customerId === principal.customerId;
}

/** gRPC 1 CANCELLED / 4 DEADLINE_EXCEEDED of a query: our deadline or the server's query timeout ran out. */
function isQueryTimeout(error: unknown): boolean {
  const code = error instanceof ServiceError ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return code === 1 || code === 4;
}

/**
 * A case that gave no answer in time and that the read model does not have yet: most often one
 * just opened whose first workflow task no worker has run (the server holds the query until one
 * does). A clear 503 to retry, not the generic "Temporal is not reachable".
 */
function caseNotAnswering(waitedMs: number): ApiError {
  return unavailable(
    'temporal_unavailable',
    `the case did not answer within ${Math.round(waitedMs / 1000)} s: Temporal or the case's worker is slow or away (a case just opened waits until a worker takes it up); retry`,
  );
}

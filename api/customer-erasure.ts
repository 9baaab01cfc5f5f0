import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CustomerIdKey } from '../domain/search-attributes';
import type { CaseSnapshot } from '../domain/case.types';
import { caseIdOfWorkflowId, caseWorkflowId } from '../domain/ids';
import { getCaseQuery } from '../domain/workflow-contract';
import type { MongoDataKeyStore } from '../store/case-data-keys.store';
import type { CustomerErasureStore } from '../store/customer-erasure.store';
import { principalOf, requireRole } from './auth';
import { identifier } from './cases.schemas';
import { conflict, parseOrThrow } from './errors';
import { withinDeadline } from './temporal-calls';

/** What erasing a customer's data needs. */
export interface CustomerErasureDeps {
  client: Client;
  /** The read model's side (read per call: the database may connect late). */
  store: () => CustomerErasureStore;
  /** Where the cases' data keys live. */
  dataKeys: Pick<MongoDataKeyStore, 'erase'>;
  /** Drops this process's cached data keys of the erased cases. */
  forget: (workflowIds: readonly string[]) => void;
  logger: Logger;
  now?: () => Date;
}

/** The answer of an erasure: ids, counts and times only. */
export interface ErasureReceipt {
  erasureId: string;
  customerId: string;
  erasedAt: string;
  cases: string[];
  readModelDocumentsRewritten: number;
  dataKeysDestroyed: number;
}

/** Path parameters of `POST /v1/admin/customers/:customerId/erase`. */
export const erasureParamsSchema = z.object({ customerId: identifier('customerId') });

/**
 * Erasure of a customer's personal data (PIPL): the read model keeps each case without its free text
 * and evidence links, every case's data key is destroyed (its Temporal payloads become unreadable),
 * and the erasure is recorded without the data. Refused (409) while one of the customer's cases is
 * open: a running case needs its key to go on. A closed case whose workflow still waits for the
 * survey has that wait ended (the workflow is terminated) before its key goes.
 */
export class CustomerEraser {
  constructor(private readonly deps: CustomerErasureDeps) {}

  async erase(customerId: string, erasedBy: string): Promise<ErasureReceipt> {
    const store = this.deps.store();
    const [known, executions] = await Promise.all([store.casesOf(customerId), this.executionsOf(customerId)]);
    const running = executions.filter((e) => e.running).map((e) => e.workflowId);
    const closedInTemporal = new Set(executions.filter((e) => !e.running).map((e) => e.workflowId));
    // A running workflow whose case has closed only waits for the survey: it is ended below. Any other is an open case.
    const open = new Set<string>();
    const waitingForSurvey: string[] = [];
    for (const workflowId of running) {
      if (await this.caseClosed(workflowId)) waitingForSurvey.push(workflowId);
      else open.add(workflowId);
    }
    // Open in the read model and not known closed by Temporal: treated as open (the read model may lag).
    for (const c of known) if (!c.closed && !closedInTemporal.has(caseWorkflowId(c.id)) && !waitingForSurvey.includes(caseWorkflowId(c.id))) open.add(caseWorkflowId(c.id));
    if (open.size > 0) {
      const ids = [...open].sort();
      throw conflict('customer_has_open_cases', `customer ${customerId} has ${ids.length} case(s) still open; erase after they close`, [
        { field: 'customerId', message: `open cases: ${ids.join(', ')}` },
      ]);
    }
    const workflowIds = [...new Set([...known.map((c) => caseWorkflowId(c.id)), ...closedInTemporal, ...waitingForSurvey])].sort();
    const erasedAt = (this.deps.now ?? (() => new Date()))();
    const erasureId = `er_${randomUUID()}`;
    // Without its key the workflow could not take another step: end it first (its case is closed; only the survey is lost).
    for (const workflowId of waitingForSurvey) await this.endSurveyWait(workflowId, erasureId);
    // Keys first: once they are gone the histories are unreadable, whatever happens next; a retry finishes the rest.
    await this.deps.dataKeys.erase(workflowIds, erasureId, erasedAt);
    this.deps.forget(workflowIds);
    const rewritten = await store.scrubCases(customerId, erasedAt);
    await store.record({ _id: erasureId, customerId, erasedBy, erasedAt, caseIds: workflowIds });
    this.deps.logger.info({ erasureId, cases: workflowIds.length, rewritten }, 'customer data erased');
    return {
      erasureId,
      customerId,
      erasedAt: erasedAt.toISOString(),
      cases: workflowIds.map((id) => caseIdOfWorkflowId(id) ?? id),
      readModelDocumentsRewritten: rewritten,
      dataKeysDestroyed: workflowIds.length,
    };
  }

  /** True when the running workflow's case has closed (it answers its query with a closing time). */
  private async caseClosed(workflowId: string): Promise<boolean> {
    try {
      const snapshot = await withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(workflowId).query<CaseSnapshot>(getCaseQuery), 5000);
      return snapshot.closedAt !== null;
    } catch {
      return false; // unknown: treated as open, and the erasure is refused
    }
  }

  private async endSurveyWait(workflowId: string, erasureId: string): Promise<void> {
    try {
      await withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(workflowId).terminate(`customer data erased (${erasureId}); the case had closed`));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error; // it ended meanwhile
    }
  }

  /** The customer's case workflows in Temporal's visibility, running or not. */
  private async executionsOf(customerId: string): Promise<{ workflowId: string; running: boolean }[]> {
    const { client } = this.deps;
    return withinDeadline(client, async () => {
      const found: { workflowId: string; running: boolean }[] = [];
      // The id was validated (identifier: letters, digits and _ . : - / #), so it cannot break out of the quotes.
      for await (const execution of client.workflow.list({ query: `${CustomerIdKey.name} = "${customerId}"` })) {
        found.push({ workflowId: execution.workflowId, running: execution.status.name === 'RUNNING' });
      }
      return found;
    });
  }
}

/** `POST /v1/admin/customers/:customerId/erase` (admins only). */
export function erasureRouter(eraser: CustomerEraser | undefined, guard: RequestHandler[]): Router {
  const router = Router();
  router.post('/v1/admin/customers/:customerId/erase', ...guard, requireRole('admin'), async (req, res) => {
    const { customerId } = parseOrThrow(erasureParamsSchema, req.params);
    if (eraser === undefined) throw conflict('erasure_unavailable', 'this API process was started without erasure (no data key store)');
    const principal = principalOf(res);
    res.json(await eraser.erase(customerId, principal.name ?? principal.role));
  });
  return router;
}

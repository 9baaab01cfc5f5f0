import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Collection, Db } from 'mongodb';
import type { CaseSnapshot } from '../domain/case.types';
import { caseIdOfWorkflowId, caseWorkflowId } from '../domain/ids';
import { getCaseQuery, WORKFLOW_TYPE_BY_CASE_TYPE } from '../domain/workflow-contract';
import { Collections } from './mongo';
import type { OpenCaseLockDocument } from './open-case-locks.store';

// The read model's repair, shared by the worker's reconciler activities and the API's webhook
// fallback: which case workflows Temporal's visibility lists, what each of them says it is (the
// getCase Query, on running and on closed workflows alike), and the versioned write the projector
// uses. Only ids and counts leave this module: never a snapshot's personal fields.

/** temporal.api.enums.v1.WorkflowExecutionStatus RUNNING (a stable wire number). */
const STATUS_RUNNING = 1;
/** How long one Query of one case may take before that case is left to the next run. */
const QUERY_TIMEOUT_MS = 10_000;
/** A lock whose case's workflow does not exist is an open that failed after locking, once it is this old. */
const ORPHAN_LOCK_AGE_MS = 10 * 60_000;

/** `WorkflowType IN (…every case workflow…)`. */
function caseTypesClause(): string {
  const names = [...new Set(Object.values(WORKFLOW_TYPE_BY_CASE_TYPE))].map((name) => `'${name}'`);
  return `WorkflowType IN (${names.join(', ')})`;
}

/** Case workflows running now or closed after `closedAfter` (a visibility query both SQLite and Elasticsearch visibility answer). */
export function changedCasesQuery(closedAfter: Date): string {
  return `${caseTypesClause()} AND (ExecutionStatus = 'Running' OR CloseTime > '${closedAfter.toISOString()}')`;
}

/** Case workflows closed after `closedAfter` (the running ones left out). */
export function closedCasesQuery(closedAfter: Date): string {
  return `${caseTypesClause()} AND CloseTime > '${closedAfter.toISOString()}'`;
}

/** Case workflows running now. */
export function runningCasesQuery(): string {
  return `${caseTypesClause()} AND ExecutionStatus = 'Running'`;
}

/** One case workflow as visibility lists it. */
export interface ListedCase {
  caseId: string;
  running: boolean;
}

/** One page of a visibility listing; `nextPageToken` (base64) is null on the last page. */
export interface CasePage {
  cases: ListedCase[];
  nextPageToken: string | null;
}

/** One page of case workflows matching `query` (ListWorkflowExecutions; the token is opaque base64). */
export async function listCasePage(client: Client, query: string, pageToken: string | null, pageSize: number): Promise<CasePage> {
  const answer = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize,
    nextPageToken: pageToken === null ? undefined : Buffer.from(pageToken, 'base64'),
  });
  const cases: ListedCase[] = [];
  for (const execution of answer.executions ?? []) {
    const workflowId = execution.execution?.workflowId ?? '';
    const caseId = caseIdOfWorkflowId(workflowId);
    if (caseId === undefined) continue;
    cases.push({ caseId, running: Number(execution.status) === STATUS_RUNNING });
  }
  const token = answer.nextPageToken && answer.nextPageToken.length > 0 ? Buffer.from(answer.nextPageToken).toString('base64') : null;
  return { cases, nextPageToken: token };
}

/** The case as its workflow has it (the getCase Query; Temporal answers it for closed workflows while their history is kept). */
export async function queryCase(client: Client, caseId: string): Promise<CaseSnapshot> {
  const handle = client.workflow.getHandle(caseWorkflowId(caseId));
  return client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(getCaseQuery));
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Where repaired snapshots go: the versioned upsert of the projector (store/case-read-model.store.ts). */
export interface ReconcileTarget {
  upsertCase(snapshot: CaseSnapshot): Promise<'written' | 'stale'>;
}

/** What one page of reconciliation found. */
export interface ReconcileOutcome {
  /** Cases compared. */
  checked: number;
  /** Cases whose document was missing or behind its workflow. */
  drift: number;
  /** Of those, cases whose snapshot was written. */
  repaired: number;
  /** Cases the Query or the database did not answer (left to the next run). */
  failed: number;
}

/** Compares case workflows with their read-model documents and writes the workflow's snapshot where the document is behind or missing. */
export class ReadModelReconciler {
  private readonly cases: Collection<{ _id: string; version: number }>;

  constructor(
    private readonly client: Client,
    db: Db,
    private readonly target: ReconcileTarget,
    private readonly concurrency = 4,
  ) {
    this.cases = db.collection<{ _id: string; version: number }>(Collections.cases);
  }

  /** The stored version of a case, or null when it has no document (read by `_id` alone, from its index). */
  async storedVersion(caseId: string): Promise<number | null> {
    return (await this.stored(caseId))?.version ?? null;
  }

  private async stored(caseId: string): Promise<{ version: number; erased: boolean } | null> {
    const stored = await this.cases.findOne({ _id: caseId }, { projection: { version: 1, erasedAt: 1 } });
    return stored ? { version: stored.version, erased: (stored as { erasedAt?: Date }).erasedAt !== undefined } : null;
  }

  /**
   * Reconciles each listed case; failures of single cases are counted, not thrown. A case that
   * did not answer is asked once more after the others (a workflow whose task was on a worker that
   * just died answers its Query only once the task moved on), then left to the next run.
   */
  async reconcile(cases: readonly ListedCase[], onEach: () => void = () => undefined, retryAfterMs = 2000): Promise<ReconcileOutcome & { failedIds: string[] }> {
    const first = await this.reconcileOnce(cases, onEach);
    if (first.failedIds.length === 0 || retryAfterMs < 0) return first;
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    const again = await this.reconcileOnce(
      first.failedIds.map((caseId) => ({ caseId, running: true })),
      onEach,
    );
    return {
      checked: first.checked + again.checked,
      drift: first.drift + again.drift,
      repaired: first.repaired + again.repaired,
      failed: again.failed,
      failedIds: again.failedIds,
    };
  }

  private async reconcileOnce(cases: readonly ListedCase[], onEach: () => void): Promise<ReconcileOutcome & { failedIds: string[] }> {
    const outcome = { checked: 0, drift: 0, repaired: 0, failed: 0, failedIds: [] as string[] };
    await eachLimited(cases, this.concurrency, async ({ caseId }) => {
      onEach();
      try {
        // An erased case's payloads no longer decode, and its read-model document is all that is meant to remain.
        const stored = await this.stored(caseId);
        if (stored?.erased) {
          outcome.checked++;
          return;
        }
        const snapshot = await queryCase(this.client, caseId);
        outcome.checked++;
        if (stored !== null && stored.version >= snapshot.version) return;
        outcome.drift++;
        if ((await this.target.upsertCase(snapshot)) === 'written') outcome.repaired++;
      } catch {
        outcome.failed++;
        outcome.failedIds.push(caseId);
      }
    });
    return outcome;
  }
}

/** What a lock sweep did. */
export interface LockSweepOutcome {
  /** Cases holding locks. */
  holders: number;
  /** Cases whose locks were released (their workflow has closed, or never started). */
  released: number;
}

/**
 * Releases the one-open-case-per-order-line locks of cases whose workflow has closed (a release
 * the closing case could not write), and of opens that failed after locking (no workflow, lock
 * older than ten minutes). The collection holds open cases only, so it is read whole.
 */
export async function sweepClosedCaseLocks(client: Client, db: Db, now = new Date()): Promise<LockSweepOutcome> {
  const locks = db.collection<OpenCaseLockDocument>(Collections.openCaseLocks);
  const held = await locks.find({}).project<{ caseId: string; at: Date }>({ caseId: 1, at: 1 }).toArray();
  const newest = new Map<string, number>();
  for (const lock of held) newest.set(lock.caseId, Math.max(newest.get(lock.caseId) ?? 0, new Date(lock.at).getTime()));
  let released = 0;
  await eachLimited([...newest], 4, async ([caseId, lockedAt]) => {
    let closed: boolean;
    try {
      const description = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle(caseWorkflowId(caseId)).describe());
      closed = description.status.name !== 'RUNNING';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) return;
      closed = now.getTime() - lockedAt > ORPHAN_LOCK_AGE_MS;
    }
    if (!closed) return;
    // Only what this case still holds: a key taken over meanwhile belongs to another case.
    await locks.deleteMany({ caseId });
    released++;
  });
  return { holders: newest.size, released };
}

/** Tracking numbers and refund ids of the open cases, from their workflows. */
export interface LiveRoutingKeys {
  byTrackingNumber: Map<string, string[]>;
  byRefundId: Map<string, string>;
}

/**
 * Routing keys read from the workflows of up to `limit` running cases (the newest first), for a
 * provider callback the read model cannot route: a key whose write was lost is still in its
 * workflow. Reads only; the reconciler writes the read model.
 */
export async function liveRoutingKeys(client: Client, limit: number): Promise<LiveRoutingKeys> {
  const keys: LiveRoutingKeys = { byTrackingNumber: new Map(), byRefundId: new Map() };
  const listed: ListedCase[] = [];
  let token: string | null = null;
  do {
    const page: CasePage = await listCasePage(client, runningCasesQuery(), token, Math.min(limit, 200));
    listed.push(...page.cases);
    token = page.nextPageToken;
  } while (token !== null && listed.length < limit);
  await eachLimited(listed.slice(0, limit), 8, async ({ caseId }) => {
    let snapshot: CaseSnapshot;
    try {
      snapshot = await queryCase(client, caseId);
    } catch {
      return;
    }
    for (const shipment of snapshot.shipments) {
      const ids = keys.byTrackingNumber.get(shipment.trackingNumber) ?? [];
      if (!ids.includes(caseId)) ids.push(caseId);
      keys.byTrackingNumber.set(shipment.trackingNumber, ids);
    }
    if (snapshot.refund?.id) keys.byRefundId.set(snapshot.refund.id, caseId);
  });
  return keys;
}

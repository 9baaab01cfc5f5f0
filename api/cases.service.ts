import { ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/env';
import type { Actor, CaseSnapshot, OpenCaseRequest } from '../domain/case.types';
import { checkEligibility, type EligibilityVerdict } from '../domain/eligibility';
import { checkClaimAgainstLedger } from '../domain/ledger-claim-check';
import { OPENING_BY_TYPE } from '../domain/opening-state';
import {
  CaseStatusKey,
  CaseTypeKey,
  CustomerIdKey,
  EscalationLevelKey,
  OrderIdKey,
  SlaBreachedKey,
} from '../domain/search-attributes';
import { caseWorkflowId, getCaseQuery, WORKFLOW_TYPE_BY_CASE_TYPE, type CaseWorkflowInput } from '../domain/workflow-contract';
import type { Policy } from '../domain/policy';
import { OpenCaseLocks } from '../store/open-case-locks.store';
import { InvalidCursorError } from '../store/case-list.cursor';
import { actorOf, isStaff, SUPERVISOR_ROLES, type Principal } from './auth';
import type { CaseCommand } from './case-commands';
import { caseIdForIdempotencyKey, randomCaseId } from './case-id';
import type { ListCasesQuery, OpenCaseBody } from './cases.schemas';
import { ApiError, conflict, forbidden, ineligible, notFound, unavailable, validationFailed } from './errors';
import type { ApiMetrics } from './metrics';
import { readOrderLines } from './order-ledger.reader';
import { openingSnapshot } from './opening-snapshot';
import type { PolicyProvider } from './policy-provider';
import type { StoreAccess } from './store-access';
import { withinDeadline } from './temporal-calls';

/** What the case service needs. */
export interface CaseServiceDeps {
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL'>;
  client: Client;
  store: StoreAccess;
  policy: PolicyProvider;
  metrics: ApiMetrics;
  logger: Logger;
  /** Clock of the eligibility check (tests pin it). */
  now?: () => number;
  /** How long a command waits for the case to accept and run it before answering 503 (default 20 s). */
  commandTimeoutMs?: number;
}

// Workflow ids are built from case ids; anything else in the path is simply not a case.
const PLAUSIBLE_CASE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// One live query may not hold a request for long: a case whose worker is down falls back to the read model.
const QUERY_TIMEOUT_MS = 3000;
// A case the read model does not have yet is most likely one just opened whose first workflow task
// waits behind others (POST answers before it runs): its query is given this much longer.
const NEW_CASE_QUERY_TIMEOUT_MS = 10_000;
const STALE_LOCK_RECHECK_MS = 1500;

/** Opening, reading, listing and commanding cases: the rules of the HTTP contract over Temporal and the read model. */
export class CaseService {
  private readonly now: () => number;

  constructor(private readonly deps: CaseServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** `POST /v1/cases`: 201 with a new case, or 200 with the case an Idempotency-Key already opened. */
  async open(body: OpenCaseBody, idempotencyKey: string | undefined, principal: Principal): Promise<{ created: boolean; snapshot: CaseSnapshot }> {
    if (principal.role === 'customer' && body.customerId !== principal.customerId) {
      throw forbidden('a customer opens cases for its own customerId only');
    }
    const caseId = idempotencyKey === undefined ? randomCaseId() : caseIdForIdempotencyKey(body.customerId, idempotencyKey);
    if (idempotencyKey !== undefined) {
      const existing = await this.findOpened(caseId, body);
      if (existing) return { created: false, snapshot: existing };
    }

    const policy = this.deps.policy.current();
    const verdict = checkEligibility(body, policy, this.now());
    if (!verdict.eligible) throw ineligible(verdict.code, verdict.message, verdict.field ? [{ field: verdict.field, message: verdict.message }] : []);
    // A courtesy: a line already paid back is refused here; the workflow's ledger reservations guard the money itself.
    const ledger = checkClaimAgainstLedger(body, await readOrderLines(this.deps.store, body.orderId));
    if (!ledger.allowed) throw ineligible(ledger.code, ledger.message, ledger.details);

    const keys = OpenCaseLocks.keysFor(body.orderId, body.items.map((i) => i.sku), body.type);
    await this.acquireLocks(keys, caseId, body);

    const input = caseWorkflowInput(caseId, body, policy, actorOf(principal), verdict);
    // The case's times are taken before the start: never later than those its first workflow task sets.
    const openedAt = Date.now();
    let runId: string;
    try {
      runId = await this.startWorkflow(input, principal);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError && idempotencyKey !== undefined) {
        // The same key raced us and won: answer like any repeat.
        const existing = await this.findOpened(caseId, body);
        if (existing) return { created: false, snapshot: existing };
      }
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) await this.releaseLocksUnlessStarted(caseId);
      throw error;
    }
    this.deps.metrics.caseOpened(body.type);
    this.deps.logger.info({ caseId, type: body.type, policyVersion: policy.version }, 'case opened');
    // Answered without waiting for a worker: the case as its first workflow task will show it
    // (api/opening-snapshot.ts). GET /v1/cases/:id reads it live; the list has it after that task.
    return { created: true, snapshot: this.withUiUrl(openingSnapshot(input, runId, openedAt)) };
  }

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

  /** A case command: role and ownership checked here, state checked by the workflow's update validator. */
  async command(command: CaseCommand, caseId: string, body: object, principal: Principal): Promise<CaseSnapshot> {
    assertAudience(command, principal);
    // The update would wait as long for the worker, so a case just opened gets that long to answer.
    const current = await this.load(caseId, this.deps.commandTimeoutMs ?? 20_000);
    if (current === null || !mayRead(principal, current)) throw notFound('case_not_found', `no case ${caseId}`);
    const handle = this.deps.client.workflow.getHandle(caseWorkflowId(caseId));
    try {
      // An update waits for the worker to run it; a case whose worker is away must not hold the request forever.
      const updated = await withinDeadline(
        this.deps.client,
        () => handle.executeUpdate(command.update, { args: [{ ...body, actor: actorOf(principal) } as never] }),
        this.deps.commandTimeoutMs ?? 20_000,
      );
      return this.withUiUrl(updated);
    } catch (error) {
      // The case exists (we just read it), so "not found" means its workflow has ended.
      if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case ${caseId} is ${current.status} and takes no more commands`);
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

  /** The case an Idempotency-Key opened before, or null; 409 when the key was used for a different request. */
  private async findOpened(caseId: string, body: OpenCaseBody): Promise<CaseSnapshot | null> {
    try {
      await withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(caseWorkflowId(caseId)).describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
    const snapshot = await this.load(caseId);
    if (snapshot === null) throw new ApiError(503, 'temporal_unavailable', 'the case exists but cannot be read right now; retry', [], { 'Retry-After': '2' });
    if (snapshot.type !== body.type || snapshot.orderId !== body.orderId || snapshot.customerId !== body.customerId) {
      throw conflict('idempotency_key_reused', `this Idempotency-Key already opened case ${caseId} for a different request`, [
        { field: 'Idempotency-Key', message: `already used for case ${caseId} (${snapshot.type}, order ${snapshot.orderId})` },
      ]);
    }
    return this.withUiUrl(snapshot);
  }

  /**
   * Takes the one-open-case-per-order-line locks. A lock held by a case whose workflow has
   * ended or never started (a crash between lock and start) is taken over; a live holder is a 409.
   */
  private async acquireLocks(keys: string[], caseId: string, body: OpenCaseBody): Promise<void> {
    const { locks } = this.deps.store.get();
    const checked = new Set<string>();
    for (;;) {
      const result = await locks.acquire(keys, caseId);
      if (result.acquired) return;
      const holder = result.heldBy;
      if (checked.has(holder) || !(await this.isStaleHolder(holder))) {
        throw conflict('duplicate_open_case', `case ${holder} is already open for order ${body.orderId} and type ${body.type}`, [
          { field: 'items', message: `an item of this order is in open case ${holder}` },
        ]);
      }
      checked.add(holder);
      for (const key of keys) await locks.releaseKey(key, holder);
      this.deps.logger.warn({ caseId, staleHolder: holder }, 'took over an open-case lock of an ended case');
    }
  }

  private async isStaleHolder(holderCaseId: string): Promise<boolean> {
    const handle = this.deps.client.workflow.getHandle(caseWorkflowId(holderCaseId));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const description = await withinDeadline(this.deps.client, () => handle.describe());
        return description.status.name !== 'RUNNING';
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
      // Not found: the holder may be between taking its lock and starting its workflow; look once more.
      if (attempt === 0) await sleep(STALE_LOCK_RECHECK_MS);
    }
    return true;
  }

  /** Starts the case workflow with its search attributes and the summary and details shown in the Temporal UI; returns its run id. */
  private async startWorkflow(input: CaseWorkflowInput, principal: Principal): Promise<string> {
    const { client, config } = this.deps;
    const handle = await withinDeadline(client, () =>
      client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE[input.request.type], caseStartOptions(input, config.TEMPORAL_TASK_QUEUE, principal)),
    );
    return handle.firstExecutionRunId;
  }

  /**
   * After a failed start: frees the case's locks if its workflow really does not exist. When
   * that cannot be known (Temporal unreachable, or the start timed out and may have happened)
   * the locks stay; a later request takes over a lock whose case never started.
   */
  private async releaseLocksUnlessStarted(caseId: string): Promise<void> {
    try {
      await withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(caseWorkflowId(caseId)).describe());
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) return;
      await this.deps.store
        .get()
        .locks.release(caseId)
        .catch((releaseError: unknown) => {
          this.deps.logger.warn({ caseId, reason: (releaseError as Error).message }, 'could not release locks after a failed start');
        });
    }
  }
}

const AUDIENCE_TEXT: Record<CaseCommand['audience'], string> = {
  staff: 'agents, supervisors and admins',
  owner: 'the customer who opened the case',
  owner_or_supervisor: 'the customer who opened the case, supervisors and admins',
  owner_or_staff: 'the customer who opened the case, agents, supervisors and admins',
  supervisor: 'supervisors and admins',
};

/** 403 unless the caller's role may send the command at all (ownership is checked against the case later). */
export function assertAudience(command: CaseCommand, principal: Principal): void {
  if (!audienceAllows(command, principal)) throw forbidden(`${command.path} is for ${AUDIENCE_TEXT[command.audience]}`);
}

function audienceAllows(command: CaseCommand, principal: Principal): boolean {
  switch (command.audience) {
    case 'staff':
      return isStaff(principal);
    case 'owner':
      return principal.role === 'customer';
    case 'owner_or_supervisor':
      return principal.role === 'customer' || SUPERVISOR_ROLES.includes(principal.role);
    case 'owner_or_staff':
      return true;
    case 'supervisor':
      return SUPERVISOR_ROLES.includes(principal.role);
  }
}

function mayRead(principal: Principal, snapshot: CaseSnapshot): boolean {
  return principal.role !== 'customer' || snapshot.customerId === principal.customerId;
}

/** The one-line summary shown in the Temporal UI: no personal data. */
/** The workflow input of a case opened by `openedBy` with the policy's eligibility verdict (which must be eligible). */
export function caseWorkflowInput(
  caseId: string,
  request: OpenCaseRequest,
  policy: Policy,
  openedBy: Actor,
  verdict: Extract<EligibilityVerdict, { eligible: true }>,
): CaseWorkflowInput {
  return {
    caseId,
    request,
    policy,
    openedBy,
    eligibility: {
      manualEvaluation: verdict.manualEvaluation,
      inWarranty: verdict.inWarranty,
      customerPaysShipping: verdict.customerPaysShipping,
      notes: verdict.notes,
    },
  };
}

/** How a case workflow is started: its id, the initial search attributes, the UI summary and details. */
export function caseStartOptions(input: CaseWorkflowInput, taskQueue: string, principal: Principal) {
  const { request } = input;
  return {
    taskQueue,
    workflowId: caseWorkflowId(input.caseId),
    args: [input] as [CaseWorkflowInput],
    // A derived id must never open a second case, even after the first one closed.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: CaseStatusKey, value: OPENING_BY_TYPE[request.type].status },
      { key: CaseTypeKey, value: request.type },
      { key: OrderIdKey, value: request.orderId },
      { key: CustomerIdKey, value: request.customerId },
      { key: SlaBreachedKey, value: false },
      { key: EscalationLevelKey, value: 0 },
    ],
    staticSummary: caseSummary(request),
    staticDetails: caseDetails(input.caseId, request, input.policy.version, principal),
  };
}

export function caseSummary(body: OpenCaseRequest): string {
  const count = body.items.reduce((sum, item) => sum + item.quantity, 0);
  return `${body.type} · order ${body.orderId} · ${count} item${count === 1 ? '' : 's'}`;
}

/** The markdown details shown in the Temporal UI: type, order, reason code, items — never the customer's text. */
export function caseDetails(caseId: string, body: OpenCaseRequest, policyVersion: string, principal: Principal): string {
  const items = body.items.map((i) => `\`${i.sku}\` × ${i.quantity}`).join(', ');
  return [
    `**Case** \`${caseId}\``,
    `**Type** ${body.type}`,
    `**Order** \`${body.orderId}\` (${body.order.paymentMethod})`,
    `**Reason** ${body.reason.code}`,
    `**Items** ${items}`,
    `**Policy** ${policyVersion}`,
    `**Opened by** ${principal.role}`,
  ].join('  \n');
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

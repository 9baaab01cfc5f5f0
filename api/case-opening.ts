import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/env';
import type { CaseSnapshot, OpenCaseRequest } from '../domain/case.types';
import { checkEligibility } from '../domain/eligibility';
import { checkClaimAgainstLedger } from '../domain/ledger-claim-check';
import { caseWorkflowId } from '../domain/ids';
import { WORKFLOW_TYPE_BY_CASE_TYPE, type CaseWorkflowInput } from '../domain/workflow-contract';
import { OpenCaseLocks } from '../store/open-case-locks.store';
import { actorOf, type Principal } from './auth';
import { caseIdForIdempotencyKey, randomCaseId } from './case-id';
import type { CaseReader } from './case-reading';
import { caseStartOptions, caseWorkflowInput } from './case-start-options';
import type { OpenCaseBody } from './cases.schemas';
import { ledgerRefusalFor } from './ledger-refusal';
import { ApiError, conflict, ineligible, notFound } from './errors';
import type { ApiMetrics } from './metrics';
import { openingSnapshot } from './opening-snapshot';
import type { OrderSource } from '../domain/order-source';
import { caseRequestFromOrder, type OrderFactsRules } from './order-facts';
import { visibleOrder } from './order-source-reads';
import { readOrderLines } from './order-ledger.reader';
import type { PolicyProvider } from './policy-provider';
import type { StoreAccess } from './store-access';
import { withinDeadline } from './temporal-calls';

/** What opening cases needs. */
export interface CaseOpeningDeps {
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE'>;
  client: Client;
  store: StoreAccess;
  policy: PolicyProvider;
  metrics: ApiMetrics;
  logger: Logger;
  /** Clock of the eligibility check (tests pin it). */
  now?: () => number;
  /** The payload codec's case data keys: a new case's key is made while its locks are taken. */
  caseKeys?: { newKeyFor(workflowId: string): Promise<unknown> };
  /** The shop's order system: every fact a case is judged by is read from it. */
  orderSource: OrderSource;
  /** How orders are read beyond their facts (default: one online provider). */
  orderFactsRules?: OrderFactsRules;
}

const STALE_LOCK_RECHECK_MS = 1500;

/** Opening cases: idempotency, eligibility and the ledger check, the one-open-case-per-line locks, the workflow start. */
export class CaseOpener {
  private readonly now: () => number;

  constructor(
    private readonly deps: CaseOpeningDeps,
    private readonly reader: CaseReader,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * `POST /v1/cases`: 201 with a new case, or 200 with the case an Idempotency-Key already opened.
   * The order is read first: an order that does not exist, or a customer's claim on an order that
   * is not theirs, is the same 404 (an order id tells nothing about who bought it).
   */
  async open(body: OpenCaseBody, idempotencyKey: string | undefined, principal: Principal): Promise<{ created: boolean; snapshot: CaseSnapshot }> {
    const orderRead = performance.now();
    const read = await visibleOrder(this.deps.orderSource, body.orderId, principal.role === 'customer' ? principal.customerId : undefined);
    this.deps.metrics.openingStep('order_source', (performance.now() - orderRead) / 1000);
    if (read === null) throw notFound('order_not_found', `no order ${body.orderId}`);
    const request = caseRequestFromOrder(body, read, new Date(this.now()).toISOString(), this.deps.orderFactsRules ?? { paymentChannelRequired: false });
    return this.openOn(request, idempotencyKey, principal);
  }

  /** Opens a case on a request whose facts were read from the order. */
  private async openOn(body: OpenCaseRequest, idempotencyKey: string | undefined, principal: Principal): Promise<{ created: boolean; snapshot: CaseSnapshot }> {
    const caseId = idempotencyKey === undefined ? randomCaseId() : caseIdForIdempotencyKey(body.customerId, idempotencyKey);
    if (idempotencyKey !== undefined) {
      const existing = await this.findOpened(caseId, body);
      if (existing) return { created: false, snapshot: existing };
    }

    const policy = this.deps.policy.current();
    const verdict = checkEligibility(body, policy, this.now());
    if (!verdict.eligible) throw ineligible(verdict.code, verdict.message, verdict.field ? [{ field: verdict.field, message: verdict.message }] : []);
    // The ledger read and the locks go to the database side by side (the case's data key too, so
    // encrypting the start finds it ready). The ledger's refusal still comes first: locks taken for
    // a claim it refuses are given back.
    const keys = OpenCaseLocks.keysFor(body.orderId, body.items, body.type);
    const databaseStarted = performance.now();
    const keyReady = this.deps.caseKeys?.newKeyFor(caseWorkflowId(caseId)).catch(() => undefined);
    const [lines, locked] = await Promise.allSettled([readOrderLines(this.deps.store, body.orderId), this.acquireLocks(keys, caseId, body, principal)]);
    // A courtesy: a line already paid back is refused here; the workflow's ledger reservations guard the money itself.
    const ledger = lines.status === 'fulfilled' ? checkClaimAgainstLedger(body, lines.value) : null;
    if (ledger === null || !ledger.allowed) {
      if (locked.status === 'fulfilled') await this.releaseLocks(caseId);
      if (lines.status === 'rejected') throw lines.reason;
      if (ledger !== null && !ledger.allowed) throw ledgerRefusalFor(ledger, principal);
    }
    if (locked.status === 'rejected') throw locked.reason;
    await keyReady;
    this.deps.metrics.openingStep('database', (performance.now() - databaseStarted) / 1000);

    // The case opens now: its workflow stamps its opening with this instant too (CaseWorkflowInput.openedAt).
    const openedAt = Date.now();
    const input = caseWorkflowInput(caseId, body, policy, actorOf(principal), verdict, openedAt);
    let runId: string;
    const startRequested = performance.now();
    try {
      runId = await this.startWorkflow(input, principal);
      this.deps.metrics.openingStep('temporal_start', (performance.now() - startRequested) / 1000);
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
    // (api/opening-snapshot.ts). GET /v1/cases/:id reads it live; the list has it as soon as this
    // write lands (the worker's projection then finds it stored and only writes later versions).
    const snapshot = openingSnapshot(input, runId, openedAt);
    this.recordOpening(snapshot);
    return { created: true, snapshot: this.reader.withUiUrl(snapshot) };
  }

  /**
   * Puts the new case in the read model without holding up the answer. Temporal holds the case
   * either way: a write that fails is only logged, and the worker's projection writes it anyway.
   */
  private recordOpening(snapshot: CaseSnapshot): void {
    const write = async () => this.deps.store.get().openingWriter.insertOpeningCase(snapshot);
    write().catch((error: unknown) => {
      this.deps.logger.warn({ caseId: snapshot.id, reason: error instanceof Error ? error.name : 'error' }, 'opening write to the read model failed; the worker projects the case');
    });
  }

  /** Gives back the locks of a case that did not open (a failure is logged: a later opening takes over a lock whose case never started). */
  private async releaseLocks(caseId: string): Promise<void> {
    try {
      await this.deps.store.get().locks.release(caseId);
    } catch (error) {
      this.deps.logger.warn({ caseId, reason: (error as Error).message }, 'could not release the locks of a case that did not open');
    }
  }

  /** The case an Idempotency-Key opened before, or null; 409 when the key was used for a different request. */
  private async findOpened(caseId: string, body: OpenCaseRequest): Promise<CaseSnapshot | null> {
    try {
      await withinDeadline(this.deps.client, () => this.deps.client.workflow.getHandle(caseWorkflowId(caseId)).describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
    const snapshot = await this.reader.load(caseId);
    if (snapshot === null) throw new ApiError(503, 'temporal_unavailable', 'the case exists but cannot be read right now; retry', [], { 'Retry-After': '2' });
    if (snapshot.type !== body.type || snapshot.orderId !== body.orderId || snapshot.customerId !== body.customerId) {
      throw conflict('idempotency_key_reused', `this Idempotency-Key already opened case ${caseId} for a different request`, [
        { field: 'Idempotency-Key', message: `already used for case ${caseId} (${snapshot.type}, order ${snapshot.orderId})` },
      ]);
    }
    return this.reader.withUiUrl(snapshot);
  }

  /**
   * Takes the one-open-case-per-order-line locks. A lock held by a case whose workflow has
   * ended or never started (a crash between lock and start) is taken over; a live holder is a 409.
   */
  private async acquireLocks(keys: string[], caseId: string, body: OpenCaseRequest, principal: Principal): Promise<void> {
    const { locks } = this.deps.store.get();
    const checked = new Set<string>();
    for (;;) {
      const result = await locks.acquire(keys, caseId);
      if (result.acquired) return;
      const holder = result.heldBy;
      if (checked.has(holder) || !(await this.isStaleHolder(holder))) {
        // A customer is not told the other case's id: it may be a case opened, before the order
        // source, by someone who was not the buyer (staff see it, to look the case up).
        const which = principal.role === 'customer' ? 'a case' : `case ${holder}`;
        throw conflict('duplicate_open_case', `${which} is already open for order ${body.orderId} and type ${body.type}`, [
          { field: 'items', message: `an item of this order is in ${principal.role === 'customer' ? 'an open case' : `open case ${holder}`}` },
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
      await this.releaseLocks(caseId);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

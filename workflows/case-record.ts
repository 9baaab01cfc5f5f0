import { ApplicationFailure, condition, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CaseCommandBodies, ReturnParcelFacts, StageCommandName } from '../domain/case-commands';
import type {
  Actor,
  CaseOutcome,
  CaseSnapshot,
  CollectionView,
  CaseStatus,
  ClockName,
  EscalationStep,
  RefundView,
  ShipmentView,
  TimelineEntry,
} from '../domain/case.types';
import { requestFields } from '../domain/case-request-fields';
import { isTerminal } from '../domain/case.types';
import { provisionalDeadlineNote, startCaseClock, type OpeningState } from '../domain/opening-state';
import type { TimelineEvent } from '../domain/timeline-events';
import type { Policy } from '../domain/policy';
import {
  AssigneeKey,
  CaseStatusKey,
  EscalationLevelKey,
  NextDeadlineKey,
  OverdueClockKey,
  OverdueSinceKey,
  SlaBreachedKey,
} from '../domain/search-attributes';
import { capClock, clockView, nextDeadline, overdue, pauseClock, resumeClock, startLimitClock, stopClock, type Overdue, type SlaClock } from '../domain/sla-clock';
import type { FeatureSet } from './features';
import { beforeLeanHistory } from './legacy/lean-history';
import { overdueAttributesFromNow } from './legacy/overdue-search-attributes';
import { Outbox } from './outbox';
import type { CaseWorkflowInput, CollectionEvent, PaymentEvent } from '../domain/workflow-contract';
import { CommandErrorTypes } from '../domain/workflow-contract';

/** Thrown inside a stage when the case was closed (cancelled, expired) while the stage waited; the workflow unwinds to its closing steps. */
export class CaseClosed extends Error {
  constructor() {
    super('case closed');
    this.name = 'CaseClosed';
  }
}

/** The payload of each stage command; `expire` is the system's answer when a customer clock runs out. */
export type StageCommands = { [N in StageCommandName]: CaseCommandBodies[N] } & {
  expire: { actor: Actor; clock: ClockName };
};

/** A command waiting for its stage. */
export type QueuedCommand<N extends keyof StageCommands = keyof StageCommands> = N extends unknown
  ? { seq: number; name: N; command: StageCommands[N] }
  : never;

/** A reservation on the order-line ledger: the movement's key and the lines it took. */
export interface LedgerReservation {
  key: string;
  skus: string[];
  state: 'reserved' | 'committed' | 'released';
}


/** The system itself, as an actor on the timeline. */
export const SYSTEM: Actor = { kind: 'system', id: 'workflow' };

/** The state of one case inside its workflow: snapshot fields, SLA clocks, the command inbox and the audit trail. */
export class CaseRecord {
  readonly id: string;
  readonly input: CaseWorkflowInput;
  readonly policy: Policy;
  status: CaseStatus;
  assignee: string | null = null;
  priority: CaseSnapshot['priority'] = 'normal';
  clocks: SlaClock[] = [];
  escalation: CaseSnapshot['escalation'] = { level: 0, history: [] };
  refund: RefundView | null = null;
  shipments: ShipmentView[] = [];
  /**
   * The return parcel's facts the return commands are checked against (patch return-on-label):
   * no label until the return-shipment stage has one; null once a case took the old path there.
   */
  returnParcel: ReturnParcelFacts | null = { label: null };
  outcome: CaseOutcome = {};
  survey: CaseSnapshot['survey'] = null;
  timeline: TimelineEntry[] = [];
  closedAt: string | null = null;
  /** Bumped on every change; the projector writes the read model when it moves. */
  version = 0;
  /** Bumped whenever a clock starts, stops, pauses or resumes, to wake the SLA supervisor. */
  clockStamp = 0;
  /** Provider event ids already applied: a repeated callback changes nothing. */
  readonly seenProviderEvents = new Set<string>();
  /** Settlements that arrived before the refund id was known, by refund id. */
  readonly earlySettlements = new Map<string, PaymentEvent>();
  /**
   * True while the refund stage confirms reported settlements with the provider's record (patch
   * refund-reports-confirmed): the payment signal then only records a report in `refundReports`.
   */
  confirmsRefundReports = false;
  /** Settlements of the current refund reported and not yet looked up at the provider, oldest first. */
  readonly refundReports: PaymentEvent[] = [];
  /** Refund ids of attempts given up on a confirmed failure (patch refund-reports-confirmed). */
  readonly abandonedRefunds = new Set<string>();
  /** `succeeded` reports of a given-up attempt, not yet looked up: money out the case did not expect. */
  readonly abandonedReports: PaymentEvent[] = [];
  /** True while the collection stage confirms reported payments with the provider's record (patch collection-reports-confirmed). */
  confirmsCollectionReports = false;
  /** Collection settlements reported and not yet looked up at the provider, oldest first. */
  readonly collectionReports: CollectionEvent[] = [];
  /** Set when the workflow is about to return, so background loops finish. */
  finished = false;
  /** The released workflow changes this case runs (workflows/features.ts); set once at start. */
  features: FeatureSet = { leanHistory: false, orderLedger: false, overdueSearchAttributes: false, notificationOutbox: false, returnOnLabel: false, statutoryRefundLimit: false };
  /** The notifications waiting to be sent beside the case (patch notification-outbox; workflows/outbox.ts). */
  readonly outbox = new Outbox();
  /** Ledger reservations this case holds (order-ledger feature): released when the case ends with them unsettled. */
  readonly reservations: LedgerReservation[] = [];
  /** Money asked of the customer (order-ledger feature). */
  readonly collections: CollectionView[] = [];
  /** True once the case confirms late payments with the provider's record (patch late-payments-confirmed). */
  confirmsLatePayments = false;
  /** Payments reported for unpaid collections, not yet looked up at the provider (patch late-payments-confirmed). */
  readonly latePaymentReports: CollectionEvent[] = [];
  /** Payments that arrived after the case went on without them: the staff queue is told, a person pays them back. */
  readonly latePayments: { collectionId: string; purpose: CollectionView['purpose']; amount: number }[] = [];
  /** Collection settlements that arrived before the collection id was known, by collection id. */
  readonly earlyCollections = new Map<string, CollectionEvent>();
  private readonly createdAt: string;
  private updatedAt: string;
  private inbox: QueuedCommand[] = [];
  private nextSeq = 1;
  private handled = new Set<number>();
  /** The search attributes last upserted (or started with), as searchAttributesKey. */
  private lastSearchAttributes = '';
  /** OverdueSince and OverdueClock as last upserted (or started with), as overdueKey: '' when not overdue. */
  private lastOverdue = '';
  /** The key the UI details were last set for. */
  private detailsKey = '';

  /** A case in the state it opens in (domain/opening-state.ts): status, outcome, `createdAt`; the runtime logs the opening and starts the clock. */
  constructor(input: CaseWorkflowInput, opening: OpeningState) {
    this.id = input.caseId;
    this.input = input;
    this.policy = input.policy;
    this.status = opening.status;
    this.outcome = { ...opening.outcome };
    this.createdAt = opening.openedAt;
    this.updatedAt = this.createdAt;
  }

  /** While set, the record's clock reads this instant (stampedAt). */
  private stampMs: number | undefined;

  /** Workflow time (deterministic inside the workflow sandbox), or the instant of a stamped step. */
  now(): number {
    return this.stampMs ?? Date.now();
  }

  /** Runs `steps` with every time they set stamped `atMs`: the opening of a case the API accepted at that instant. */
  stampedAt(atMs: number, steps: () => void): void {
    this.stampMs = atMs;
    try {
      steps();
    } finally {
      this.stampMs = undefined;
    }
  }

  /**
   * Takes the search attributes the case was started with as already upserted, so the first
   * flush upserts only what differs from them (none, when the API gave them all).
   */
  adoptStartSearchAttributes(): void {
    const started = workflowInfo().typedSearchAttributes;
    const deadline = started.get(NextDeadlineKey);
    this.lastSearchAttributes = searchAttributesKey(
      started.get(CaseStatusKey) ?? '',
      started.get(AssigneeKey) ?? null,
      started.get(SlaBreachedKey) ?? false,
      started.get(EscalationLevelKey) ?? 0,
      deadline ? deadline.toISOString() : null,
    );
    const since = started.get(OverdueSinceKey);
    const clock = started.get(OverdueClockKey);
    this.lastOverdue = since && clock ? overdueKey({ since: since.toISOString(), clock: clock as ClockName }) : '';
  }

  /** True once the case reached a terminal status. */
  get closed(): boolean {
    return isTerminal(this.status);
  }

  /** Appends to the audit trail and marks the record changed. */
  log(actor: Actor, event: TimelineEvent, data?: Record<string, unknown>): void {
    const entry: TimelineEntry = { at: new Date(this.now()).toISOString(), actor, event };
    if (data && Object.keys(data).length) entry.data = data;
    this.timeline.push(entry);
    this.touch();
  }

  /** Moves the case to a new status with a named transition on the timeline. */
  transition(status: CaseStatus, actor: Actor, event: TimelineEvent, data?: Record<string, unknown>): void {
    // A case closed while a stage awaited a provider (a supervisor's cancel, say) never moves again.
    if (this.closed) throw new CaseClosed();
    const from = this.status;
    this.status = status;
    this.log(actor, event, { from, to: status, ...data });
  }

  /** Ends the case and unwinds the stages: the runtime then notifies the customer and opens the survey. */
  end(status: CaseStatus, actor: Actor, event: TimelineEvent, data?: Record<string, unknown>): never {
    this.close(status, actor, event, data);
    throw new CaseClosed();
  }

  /** How the case was closed (event and note), for the closing message. */
  closing: { event: string; note: string | null } | null = null;

  /** Ends the case: stops every clock and sets closedAt. */
  close(status: CaseStatus, actor: Actor, event: TimelineEvent, data?: Record<string, unknown>): void {
    if (this.closed) return;
    this.closing = { event, note: typeof data?.note === 'string' ? data.note : null };
    const now = this.now();
    this.clocks = this.clocks.map((c) => stopClock(c, now));
    this.clockStamp++;
    this.closedAt = new Date(now).toISOString();
    this.transition(status, actor, event, data);
  }

  /** Starts (or restarts) a clock with its policy budget. */
  startClock(name: ClockName): void {
    let clock = startCaseClock(this.input, name, this.now());
    // The refund of a return under the statutory limit is due at the earlier of its budget and the law's limit.
    const limit = name === 'refund' ? this.openClock('statutory_refund') : undefined;
    if (limit && limit.state !== 'paused') clock = capClock(clock, Date.parse(limit.deadline));
    this.clocks = [...this.clocks.filter((c) => c.name !== name || c.stoppedAt !== undefined), clock];
    this.clockChanged();
    const note = provisionalDeadlineNote(clock);
    if (note) this.log(SYSTEM, note.event, note.data);
  }

  /** Starts a clock whose deadline the law fixes (`startLimitClock`): from `fromMs` to `limitMs`. */
  startLimitClock(name: ClockName, budget: string, fromMs: number, limitMs: number): void {
    this.clocks = [...this.clocks.filter((c) => c.name !== name || c.stoppedAt !== undefined), startLimitClock(name, budget, fromMs, limitMs)];
    this.clockChanged();
  }

  /** Gives a running staff clock a fresh budget from now (policy: reassignment restarts it); the old deadline stays on the timeline. */
  restartClock(name: ClockName, actor: Actor): void {
    const open = this.openClock(name);
    if (!open || open.state === 'paused') return;
    // A breach stays on record (stopped, still breached); a clock still in time is simply replaced.
    this.clocks = open.state === 'breached' ? this.clocks.map((c) => (c === open ? stopClock(c, this.now()) : c)) : this.clocks.filter((c) => c !== open);
    this.startClock(name);
    this.log(actor, 'sla.clock_restarted', { clock: name, previousDeadline: open.deadline, deadline: this.openClock(name)?.deadline });
  }

  /** Stops a clock because its work is done (met, or breached late). */
  stopClock(name: ClockName): void {
    this.updateClock(name, (c) => stopClock(c, this.now()));
  }

  /** Pauses a clock while the case waits on the customer. */
  pauseClock(name: ClockName): void {
    this.updateClock(name, (c) => pauseClock(c, this.now(), this.policy.calendar));
  }

  /** Resumes a paused clock with the budget it had left. */
  resumeClock(name: ClockName): void {
    this.updateClock(name, (c) => resumeClock(c, this.now(), this.policy.calendar));
  }

  /** Replaces the open clock of that name through `change`. */
  updateClock(name: ClockName, change: (clock: SlaClock) => SlaClock): void {
    let changed = false;
    this.clocks = this.clocks.map((c) => {
      if (c.name !== name || c.stoppedAt !== undefined) return c;
      changed = true;
      return change(c);
    });
    if (changed) this.clockChanged();
  }

  /** The open clock of that name, if any. */
  openClock(name: ClockName): SlaClock | undefined {
    return this.clocks.find((c) => c.name === name && c.stoppedAt === undefined);
  }

  /** Records an escalation step and raises the case level and priority. */
  addEscalation(step: EscalationStep, priority?: CaseSnapshot['priority']): void {
    this.escalation.history.push(step);
    if (step.reason === 'breach') this.escalation.level = Math.max(this.escalation.level, step.level);
    if (priority) this.priority = priority;
    this.touch();
  }

  /** Queues a stage command (from an Update handler or an auto-action) and returns its sequence number. */
  enqueue<N extends keyof StageCommands>(name: N, command: StageCommands[N]): number {
    const seq = this.nextSeq++;
    this.inbox.push({ seq, name, command } as QueuedCommand);
    return seq;
  }

  /** True when a command of that name is queued and not yet taken. */
  hasQueued(name: StageCommandName): boolean {
    return this.inbox.some((c) => c.name === name);
  }

  /** Waits for the first queued command of the given names; throws CaseClosed if the case closes first. */
  private async nextCommand<N extends keyof StageCommands>(names: readonly N[]): Promise<QueuedCommand<N>> {
    const find = () => this.inbox.find((c) => (names as readonly string[]).includes(c.name));
    await condition(() => find() !== undefined || this.closed);
    const found = find();
    if (!found) throw new CaseClosed();
    this.inbox = this.inbox.filter((c) => c !== found);
    return found as QueuedCommand<N>;
  }

  /**
   * Takes the next queued command of the given names and runs `handle` on it. The command is
   * acknowledged — its Update answered with the case as it then is — when `handle` returns or
   * throws (also when it ends the case), so no stage can forget to. Work that must not hold the
   * Update (a notification, a parcel) goes after, outside `handle`.
   */
  async takeCommand<N extends keyof StageCommands, T>(names: readonly N[], handle: (queued: QueuedCommand<N>) => T | Promise<T>): Promise<T> {
    const queued = await this.nextCommand(names);
    try {
      const result = handle(queued);
      return result instanceof Promise ? await result : result;
    } finally {
      this.handled.add(queued.seq);
    }
  }

  /** Waits until the stage processed the command; fails the Update if the case closed first. */
  async awaitHandled(seq: number): Promise<CaseSnapshot> {
    // A command the stage already took is acked in the same step; one still queued when the case closes never runs.
    await condition(() => this.handled.has(seq) || (this.closed && this.inbox.some((c) => c.seq === seq)));
    if (!this.handled.has(seq)) {
      this.inbox = this.inbox.filter((c) => c.seq !== seq);
      throw ApplicationFailure.nonRetryable(`the case was closed (${this.status}) before the command ran`, CommandErrorTypes.invalidState);
    }
    return this.snapshot();
  }

  /**
   * Takes the system's `expire` answer for a customer clock if one is queued (a stage that waits
   * on a provider callback and a customer clock at once); true when it was there.
   */
  takeExpired(clock: ClockName): boolean {
    const found = this.inbox.find((c) => c.name === 'expire' && c.command.clock === clock);
    if (found) this.inbox = this.inbox.filter((c) => c !== found);
    return found !== undefined;
  }

  /** Waits for a predicate; throws CaseClosed if the case closes first. */
  async waitUntil(predicate: () => boolean): Promise<void> {
    await condition(() => predicate() || this.closed);
    if (!predicate()) throw new CaseClosed();
  }

  /** Waits until someone closes the case (a supervisor cancelling it, say); always ends in CaseClosed. */
  async waitForClosing(): Promise<never> {
    await condition(() => this.closed);
    throw new CaseClosed();
  }

  /** The case resource of the API contract. */
  snapshot(): CaseSnapshot {
    const { request } = this.input;
    const info = workflowInfo();
    return {
      id: this.id,
      ...requestFields(request),
      status: this.status,
      assignee: this.assignee,
      priority: this.priority,
      policyVersion: this.policy.version,
      // Read from the input, as the opening verdict decided it: no command, so any history replays.
      manualEvaluation: this.input.eligibility.manualEvaluation,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      closedAt: this.closedAt,
      sla: this.clocks.map(clockView),
      nextDeadline: nextDeadline(this.clocks),
      breached: this.breached,
      escalation: { level: this.escalation.level, history: [...this.escalation.history] },
      refund: this.refund ? { ...this.refund } : null,
      shipments: this.shipments.map((s) => ({ ...s })),
      outcome: { ...this.outcome, ...(this.collections.length ? { collections: this.collections.map((c) => ({ ...c })) } : {}) },
      survey: this.survey,
      timeline: [...this.timeline],
      // Watched: a history past a few thousand events slows every replay and nears the server's limits (docs/observability.md).
      temporal: { workflowId: info.workflowId, runId: info.runId, historyLength: info.historyLength },
      version: this.version,
    };
  }

  /** True once a staff clock has breached. */
  get breached(): boolean {
    return this.clocks.some((c) => c.party === 'staff' && c.state === 'breached');
  }

  /** Marks the record changed: bumps the version (and, for pre-`lean-history` cases, refreshes search attributes at once). */
  touch(): void {
    this.version++;
    this.updatedAt = new Date(this.now()).toISOString();
    // Today the runtime upserts search attributes once per activation (publishEachActivation).
    if (beforeLeanHistory(this)) this.flushSearchAttributes();
  }

  private clockChanged(): void {
    this.clockStamp++;
    this.touch();
  }

  /** Upserts the search attributes and UI details if any of them changed since the last upsert. */
  flushSearchAttributes(): void {
    const deadline = nextDeadline(this.clocks);
    const key = searchAttributesKey(this.status, this.assignee, this.breached, this.escalation.level, deadline);
    const late = this.overdueToUpsert();
    const lateKey = late === undefined ? undefined : overdueKey(late);
    // Without the overdue feature the key is the old one, so cases before it upsert exactly when they did.
    const details = lateKey === undefined ? key : `${key}|${lateKey}`;
    if (details === this.detailsKey) return;
    this.detailsKey = details;
    if (key !== this.lastSearchAttributes || (lateKey !== undefined && lateKey !== this.lastOverdue)) this.upsertSearchAttributes(key, deadline, late);
    setCurrentDetails(
      [
        `**${this.input.request.type}** case \`${this.id}\` · status **${this.status}**`,
        `next deadline: ${deadline ?? '—'} · breached: ${this.breached ? 'yes' : 'no'} · escalation level ${this.escalation.level}`,
        ...(late ? [`overdue since ${late.since} (${late.clock} clock)`] : []),
        `assignee: ${this.assignee ?? 'unassigned'} · policy ${this.policy.version}`,
      ].join('\n\n'),
    );
  }

  /**
   * Where the case is late now, when the overdue search attributes are on (null: not late);
   * undefined while they are off. A case started before them turns them on only when its overdue
   * state would change what was upserted (workflows/legacy/overdue-search-attributes.ts).
   */
  private overdueToUpsert(): Overdue | null | undefined {
    const late = overdue(this.clocks);
    if (this.features.overdueSearchAttributes || overdueAttributesFromNow(this.features, overdueKey(late) !== this.lastOverdue)) return late;
    return undefined;
  }

  private upsertSearchAttributes(key: string, deadline: string | null, late: Overdue | null | undefined): void {
    this.lastSearchAttributes = key;
    if (late !== undefined) this.lastOverdue = overdueKey(late);
    upsertSearchAttributes([
      { key: CaseStatusKey, value: this.status },
      { key: AssigneeKey, value: this.assignee },
      { key: SlaBreachedKey, value: this.breached },
      { key: EscalationLevelKey, value: this.escalation.level },
      { key: NextDeadlineKey, value: deadline ? new Date(deadline) : null },
      // Cleared (null removes them) once the late clock stops; SlaBreached keeps that it was ever late.
      ...(late === undefined
        ? []
        : [
            { key: OverdueSinceKey, value: late ? new Date(late.since) : null },
            { key: OverdueClockKey, value: late ? late.clock : null },
          ]),
    ]);
  }
}

/** OverdueSince and OverdueClock as one comparable string: '' when not overdue. */
function overdueKey(late: Overdue | null): string {
  return late ? `${late.since}|${late.clock}` : '';
}

/** The search attributes of a case as one comparable string. */
function searchAttributesKey(status: string, assignee: string | null, breached: boolean, level: number, deadline: string | null): string {
  return [status, assignee, breached, level, deadline].join('|');
}

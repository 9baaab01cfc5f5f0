import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import pino, { type Logger } from 'pino';
import { caseIdOfWorkflowId } from '../domain/ids';
import { WORKFLOW_TYPE_BY_CASE_TYPE } from '../domain/workflow-contract';

/** The worker's JSON logger: one line per event, `service: "worker"`, ISO timestamps. */
export function createWorkerLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'worker' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

const CASE_TYPE_BY_WORKFLOW_TYPE: ReadonlyMap<string, string> = new Map(Object.entries(WORKFLOW_TYPE_BY_CASE_TYPE).map(([caseType, workflowType]) => [workflowType, caseType]));

/** The case id of a case workflow id (domain/ids.ts), else undefined: log metadata may hold anything. */
export function caseIdOf(workflowId: unknown): string | undefined {
  return typeof workflowId === 'string' ? caseIdOfWorkflowId(workflowId) : undefined;
}

/**
 * Fields the SDK's log metadata may carry that we keep, and their names in our logs. Everything
 * else is dropped: the SDK and Core put no payloads in log metadata, but an allow-list keeps it
 * that way whatever a future version adds. Our own activity log fields (activities/index.ts) are
 * listed too.
 */
const KEPT_FIELDS: Readonly<Record<string, string>> = {
  sdkComponent: 'component',
  taskQueue: 'taskQueue',
  namespace: 'namespace',
  workflowRunId: 'runId',
  workflowType: 'workflowType',
  activityType: 'activity',
  activityId: 'activityId',
  attempt: 'attempt',
  isLocal: 'isLocal',
  durationMs: 'durationMs',
  state: 'state',
  // Our activities' provider-call failures.
  provider: 'provider',
  operation: 'operation',
  outcome: 'outcome',
  status: 'status',
  code: 'code',
  // Our activities' case events.
  from: 'from',
  to: 'to',
  stageSeconds: 'stageSeconds',
  clock: 'clock',
  escalationLevel: 'escalationLevel',
  // The case outbox's `notification given up` (workflows/outbox.ts): a template, `customer` or `staff`, a reason word.
  template: 'template',
  recipient: 'recipient',
  reason: 'reason',
  // Core's forwarded logs.
  target: 'target',
  task_queue: 'taskQueue',
  run_id: 'runId',
};

/**
 * Maps SDK log metadata to our log fields: `caseId` from the workflow id, `type` (the case type)
 * from the workflow type, the allow-listed fields, and an error as its name and message only.
 */
export function logFields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const fields: Record<string, unknown> = {};
  const caseId = caseIdOf(meta.workflowId ?? meta.workflow_id);
  if (caseId) fields.caseId = caseId;
  else if (typeof meta.workflowId === 'string') fields.workflowId = meta.workflowId;
  const caseType = typeof meta.workflowType === 'string' ? CASE_TYPE_BY_WORKFLOW_TYPE.get(meta.workflowType) : undefined;
  if (caseType) fields.type = caseType;
  for (const [from, to] of Object.entries(KEPT_FIELDS)) {
    const value: unknown = meta[from];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[to] = value;
  }
  const error: unknown = meta.error ?? meta.failure;
  if (error instanceof Error) fields.error = { name: error.name, message: error.message };
  else if (typeof error === 'string') fields.error = error;
  return fields;
}

const LEVEL_RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal Runtime's logger, writing to pino: the SDK's own messages, the activity context
 * logger (`Context.current().log`, which adds the workflow and activity of the call) and Core's
 * forwarded messages all become JSON lines carrying `caseId`.
 */
export class PinoTemporalLogger implements TemporalLogger {
  /**
   * @param sdkLevel the least level kept for the SDK's own messages (components `worker` and
   * `core`: bundling, state changes, Core internals); activity and workflow messages follow the
   * pino logger's level.
   */
  constructor(
    private readonly logger: Logger,
    private readonly sdkLevel: LogLevel = 'WARN',
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const component: unknown = meta?.sdkComponent;
    if ((component === 'worker' || component === 'core') && LEVEL_RANK[level] < LEVEL_RANK[this.sdkLevel]) return;
    this.logger[PINO_LEVEL[level]](logFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

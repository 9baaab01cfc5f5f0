/**
 * The worker process's `--stack-trace-limit` (Node's default is 10). The Temporal SDK's promise hook
 * captures a stack trace for every promise a workflow creates (so the Temporal UI can show where a
 * workflow waits), and V8 walks and formats as many frames as this allows each time: 4 frames cut the
 * CPU of a replay by 14 % (2 by 16 %, 0 by 23 % but no error would keep a stack; docs/benchmarks.md, replay-cpu). It also shortens every stack trace
 * the worker shows — in its logs and in the Temporal UI's stack trace of a workflow (docs/observability.md).
 */
export const WORKER_STACK_TRACE_LIMIT = 4;

const FLAG = /(^|\s)--stack-trace-limit(=\S*)?(?=\s|$)/g;

/** `nodeOptions` without any `--stack-trace-limit` (undefined → ''). */
export function withoutStackTraceLimit(nodeOptions: string | undefined): string {
  return (nodeOptions ?? '').replace(FLAG, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The NODE_OPTIONS a worker process starts with: `nodeOptions` plus the worker's `--stack-trace-limit`,
 * unless `nodeOptions` sets one already (a benchmark or an operator chose another).
 */
export function workerNodeOptions(nodeOptions: string | undefined): string {
  const given = (nodeOptions ?? '').trim();
  if (withoutStackTraceLimit(given) !== given.replace(/\s+/g, ' ')) return given;
  return [given, `--stack-trace-limit=${WORKER_STACK_TRACE_LIMIT}`].filter(Boolean).join(' ');
}

/**
 * The gate for deprecating (then deleting) a patch, docs/workflow-versioning.md "A new patch: the
 * rule": how many workflows started before an instant are still running, counted through
 * Temporal's visibility store.
 *
 *   npx tsx scripts/patch-holdouts.ts --started-before 2026-11-29T02:00:00Z              # case workflows
 *   npx tsx scripts/patch-holdouts.ts --started-before 2026-11-29T02:00:00Z --reconciler # reconciler runs
 *
 * `--started-before` is the deploy instant of the release that brought the patch (step 2) or the
 * deprecation (step 3). Prints the count and the visibility query; exits 0 when none runs (the
 * step may go ahead), 1 when some still do, 2 on a bad argument or a Temporal error. Connects like
 * the API and worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or the TLS pair).
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { WORKFLOW_TYPE_BY_CASE_TYPE } from '../domain/workflow-contract';

/** The reconciler's workflow type (workflows/read-model-reconciler.workflow.ts), started by its Schedule. */
const RECONCILER_WORKFLOW_TYPE = 'readModelReconcilerWorkflow';

/** Which workflows a patch lives in: the case workflows, or the read-model reconciler's runs. */
export type HoldoutKind = 'cases' | 'reconciler';

/** The visibility query of the running workflows of `kind` started before `startedBefore`. */
export function holdoutQuery(kind: HoldoutKind, startedBefore: Date): string {
  const types = kind === 'cases' ? Object.values(WORKFLOW_TYPE_BY_CASE_TYPE) : [RECONCILER_WORKFLOW_TYPE];
  const typeFilter = `WorkflowType IN (${types.map((t) => `"${t}"`).join(', ')})`;
  return `${typeFilter} AND ExecutionStatus = "Running" AND StartTime < "${startedBefore.toISOString()}"`;
}

/** Counts the holdouts through a client's visibility API. */
export async function countHoldouts(
  workflows: { count(query: string): Promise<{ count: number }> },
  kind: HoldoutKind,
  startedBefore: Date,
): Promise<{ count: number; query: string }> {
  const query = holdoutQuery(kind, startedBefore);
  const { count } = await workflows.count(query);
  return { count, query };
}

/** The command line's options, or a message saying what is wrong. */
export function parseHoldoutArgs(argv: string[]): { kind: HoldoutKind; startedBefore: Date } | string {
  const at = argv.indexOf('--started-before');
  const value = at >= 0 ? argv[at + 1] : undefined;
  if (value === undefined) return 'usage: patch-holdouts --started-before <ISO instant, e.g. 2026-11-29T02:00:00Z> [--reconciler]';
  const startedBefore = new Date(value);
  if (Number.isNaN(startedBefore.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return `--started-before: not an ISO instant: ${value}`;
  return { kind: argv.includes('--reconciler') ? 'reconciler' : 'cases', startedBefore };
}

async function main(): Promise<number> {
  const args = parseHoldoutArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`patch-holdouts: ${args}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const { count, query } = await countHoldouts(client.workflow, args.kind, args.startedBefore);
    const what = args.kind === 'cases' ? 'case workflows' : 'reconciler runs';
    process.stdout.write(`patch-holdouts: ${count} ${what} started before ${args.startedBefore.toISOString()} still running\n  query: ${query}\n`);
    return count === 0 ? 0 : 1;
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`patch-holdouts: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}

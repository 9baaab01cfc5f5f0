import type { Client } from '@temporalio/client';
import type { BenchStack } from '../stack';

/** What every benchmark gets. */
export interface BenchContext {
  stack: BenchStack;
  /** A Temporal client of the bench process, on the stack's server. */
  client: Client;
  /** The case data keys of `client`'s codec (a case's key can be made before its start, as the API does). */
  caseKeys: { newKeyFor(workflowId: string): Promise<unknown> };
  say: (line: string) => void;
  /** A unique prefix of this run for order ids and workflow ids. */
  runId: string;
}

/** One line of the summary table. */
export interface SummaryRow {
  benchmark: string;
  metric: string;
  value: string;
  target: string;
  /** true met, false missed, null no target or not measured. */
  met: boolean | null;
}

/** What a benchmark hands back: summary lines and its section of docs/benchmarks.md. */
export interface BenchOutcome {
  summary: SummaryRow[];
  /** Markdown body of the benchmark's section (without its heading). */
  markdown: string;
}

/** A benchmark: a name for the command line, a title for the doc, and the run. */
export interface Benchmark {
  name: string;
  title: string;
  run(context: BenchContext): Promise<BenchOutcome>;
}

/** A markdown table. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" / "MISSED" / "—". */
export function verdict(met: boolean | null): string {
  return met === null ? '—' : met ? 'met' : 'MISSED';
}

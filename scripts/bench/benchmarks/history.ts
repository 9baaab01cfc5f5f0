import { caseWorkflowId } from '../../../domain/ids';
import { type CaseWorkflowInput, type CaseWorkflowResult } from '../../../domain/workflow-contract';
import { caseDriver, placedReturns } from '../http';
import { withTimeout } from '../stats';
import { mdTable, verdict, type Benchmark, type BenchContext, type BenchOutcome } from './types';

const TARGET_EVENTS = 100;

/**
 * History length of one complete return case: opened, approved, shipped back (sandbox courier
 * callbacks), inspected, refunded (sandbox settlement callback), surveyed; the workflow then closes.
 */
export const historyBenchmark: Benchmark = {
  name: 'history',
  title: 'History length of a complete return case',
  async run({ stack, client, say, runId }: BenchContext): Promise<BenchOutcome> {
    const api = stack.main.apiUrl;
    const { customer, warehouse } = stack.tokens;
    const agent = stack.tokens.agents[0];
    const { post, waitForStatus } = caseDriver(api, agent);

    // The customer's token is c-1's: the order is theirs.
    const [placed] = await placedReturns(stack.sandboxUrl, `BENCH-HIST-${runId}`, 0, 1, 'c-1');
    const opened = await post(customer, '/v1/cases', placed.claim, 201);
    const id = opened.id;
    say(`history: case ${id} opened`);
    await post(agent, `/v1/cases/${id}/review`, { decision: 'approve', note: 'within 7 days' }, 200);
    await post(customer, `/v1/cases/${id}/return-shipment`, {}, 200);
    await waitForStatus(id, 'inspecting');
    await post(warehouse, `/v1/cases/${id}/inspection`, { result: 'pass', note: 'unused' }, 200);
    const completed = await waitForStatus(id, 'completed');
    await post(customer, `/v1/cases/${id}/survey`, { score: 5, comment: 'quick' }, 200);
    const handle = client.workflow.getHandle<(input: CaseWorkflowInput) => Promise<CaseWorkflowResult>>(caseWorkflowId(id));
    const result = await withTimeout(handle.result(), 60_000, `workflow of ${id} did not close in 60 s`);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const counts = new Map<string, number>();
    for (const event of events) {
      const name = eventTypeName(event.eventType);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const total = events.length;
    const met = total <= TARGET_EVENTS;
    say(`history: ${total} events (${JSON.stringify(result)})`);
    const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => [`\`${name}\``, count]);
    const markdown = [
      'One return case driven to its end on the main worker + API: opened by the customer, approved by an agent, shipped back ' +
        '(the sandbox courier posts signed `picked_up` → `in_transit` → `delivered` callbacks, 200 ms apart), inspected (pass), ' +
        'refunded (the sandbox settles by a signed callback after 200 ms), completed, then the survey; the workflow then returns ' +
        `\`${JSON.stringify(result)}\`. \`handle.fetchHistory()\` of the closed workflow: **${total} events** ` +
        `(target ≤ ${TARGET_EVENTS}: ${verdict(met)}); timeline of the case: ${completed.timeline.length} entries, ` +
        `snapshot version ${completed.version} at completion.`,
      '',
      mdTable(['event type', 'count'], rows),
    ].join('\n');
    return {
      summary: [{ benchmark: 'history', metric: 'history events of a complete return case', value: String(total), target: `≤ ${TARGET_EVENTS}`, met }],
      markdown,
    };
  },
};

/** `EVENT_TYPE_WORKFLOW_TASK_COMPLETED` → `WorkflowTaskCompleted`. */
function eventTypeName(type: unknown): string {
  const raw = typeof type === 'number' ? (EVENT_TYPES[type] ?? `Event${type}`) : String(type);
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}

// temporal.api.enums.v1.EventType wire numbers of the events a case can have.
const EVENT_TYPES: Record<number, string> = {
  1: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  2: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  3: 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  4: 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
  5: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
  6: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
  7: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
  8: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
  9: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
  10: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  11: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
  12: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
  13: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
  14: 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
  15: 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED',
  16: 'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
  17: 'EVENT_TYPE_TIMER_STARTED',
  18: 'EVENT_TYPE_TIMER_FIRED',
  19: 'EVENT_TYPE_TIMER_CANCELED',
  20: 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
  21: 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  25: 'EVENT_TYPE_MARKER_RECORDED',
  26: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  27: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
  40: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
  41: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
  42: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED',
  43: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  46: 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED',
  47: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED',
};

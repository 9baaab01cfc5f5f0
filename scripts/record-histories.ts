/**
 * `npm run record-histories`: runs one representative case of every case type through its main
 * path on a time-skipping server (the workflow tests' harness: real activity code over in-memory
 * providers) and writes each closed workflow's history to test/replay/histories/<type>-<scenario>.json.
 * The replay test (test/workflows/replay.test.ts) replays every file there against the current
 * workflow code, so a change that would break a running case fails CI. docs/workflow-versioning.md
 * says when to record and which files to keep.
 *
 *   npm run record-histories                         write the histories that do not exist yet
 *   npm run record-histories -- --archive <label>    first move the current ones to histories/<label>/ (kept and replayed)
 *   npm run record-histories -- --replace            overwrite existing files
 *   npm run record-histories -- --only return,repair only these case types (kebab-case names)
 *
 * The inputs are synthetic (customer `c-1`, SKUs `SKU-1`, no free text beyond fixed phrases):
 * committed histories carry no personal data. They are encrypted like production's, with the
 * test-only master key of test/replay/replay-master-keys.json; the wrapped data key of each
 * recorded case is added to test/replay/replay-data-keys.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CASE_TYPES, type Actor, type CaseType, type OpenCaseRequest } from '../domain/case.types';
import {
  collectionEventSignal,
  confirmReceiptUpdate,
  courierEventSignal,
  inspectionUpdate,
  paymentEventSignal,
  quoteUpdate,
  receiveUpdate,
  repairResultUpdate,
  resolutionUpdate,
  returnShipmentUpdate,
  reviewUpdate,
  stockDecisionUpdate,
  surveyUpdate,
  type CaseWorkflowResult,
} from '../domain/workflow-contract';
import {
  caseRequest,
  collectionRequested,
  refundIssued,
  settleCollection,
  settleRefund,
  shipAndDeliver,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  withCaseWorld,
  type CaseHandle,
  type CaseTestContext,
} from '../test/workflows/support/workflow-harness';
import { historyToJson } from '../test/replay/history-json';
import { REPLAY_DATA_KEYS_FILE, testDataKeys } from '../test/workflows/support/test-payload-protection';

/** Where the histories live; the replay test reads every JSON file below it. */
const HISTORIES_DIR = path.resolve(__dirname, '..', 'test', 'replay', 'histories');

const agent: Actor = { kind: 'agent', id: 'li.wei' };
const warehouse: Actor = { kind: 'agent', id: 'wang.fang' };
const customer: Actor = { kind: 'customer', id: 'c-1' };

/** One recorded case: a case type, a scenario name, and the steps that drive it to a closed workflow. */
interface Scenario {
  type: CaseType;
  name: string;
  /** What the history covers, printed while recording. */
  covers: string;
  request(nowMs: number): OpenCaseRequest;
  drive(handle: CaseHandle, context: CaseTestContext): Promise<void>;
}

/** File name of a scenario's history: kebab-case type and scenario. */
function historyFileName(type: CaseType, scenario: string): string {
  return `${type.replace(/_/g, '-')}-${scenario}.json`;
}

const answerSurvey = async (handle: CaseHandle) => {
  await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] });
};

const approve = async (handle: CaseHandle) => {
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
};

/** A return approved, delivered on the label, passed and refunded: the case completes. */
const refundedReturn = async (handle: CaseHandle, { world }: CaseTestContext) => {
  await approve(handle);
  await waitForStatus(handle, 'awaiting_return_shipment');
  await shipAndDeliver(handle);
  await waitForStatus(handle, 'inspecting');
  await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
  await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
  await waitForStatus(handle, 'completed');
};

const SCENARIOS: Scenario[] = [
  {
    type: 'return',
    name: 'refunded',
    covers: 'review → return label → parcel delivered → inspection pass → refund settled → survey',
    request: (now) => caseRequest(now),
    drive: async (handle, context) => {
      await refundedReturn(handle, context);
      await answerSurvey(handle);
    },
  },
  {
    type: 'return',
    name: 'on-label-statutory-limit-refunded',
    covers: 'review → return label → parcel delivered on the label (received) → statutory_refund clock and the refund clock capped by it → inspection pass → refund settled: both met',
    request: (now) => caseRequest(now),
    drive: refundedReturn,
  },
  {
    type: 'return',
    name: 'own-courier-scanned-in-refunded',
    covers: "review → return label → sent by the customer's own courier → delivered scan (not received) → warehouse scan-in → inspection pass → refund settled",
    request: (now) => caseRequest(now),
    drive: async (handle, { world }) => {
      await approve(handle);
      await waitForCase(handle, 'the return label', (s) => s.shipments.some((p) => p.direction === 'return'));
      await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer, via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT-REC-1' }] });
      await handle.signal(courierEventSignal, { eventId: 'YT-REC-1:delivered', trackingNumber: 'YT-REC-1', event: 'delivered', at: new Date().toISOString() });
      await waitForCase(handle, 'the delivered scan', (s) => s.shipments[0].status === 'delivered');
      await handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: 'YT-REC-1' }] });
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
    },
  },
  {
    type: 'return',
    name: 'review-auto-approved-then-expired',
    covers: 'review SLA breach → escalation level 1 → auto-approve (below the policy amount) → customer never ships: expired after 7 days → survey window runs out',
    request: (now) => caseRequest(now, { items: [{ sku: 'SKU-2', quantity: 1, unitPrice: 5_000 }] }),
    drive: async (handle, { env }) => {
      await env.sleep('25 hours');
      await waitForStatus(handle, 'awaiting_return_shipment');
      await handle.result();
    },
  },
  {
    type: 'exchange',
    name: 'replaced',
    covers: 'review → return → inspection pass → return shipping collected (change of mind) → replacement in stock and shipped → receipt confirmed → survey',
    request: (now) => caseRequest(now, { type: 'exchange', reason: { code: 'size_fit' } }),
    drive: async (handle, { world }) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      const { caseId } = await waitForStatus(handle, 'awaiting_payment').then((s) => ({ caseId: s.id }));
      await settleCollection(handle, (await collectionRequested(world, caseId)).collectionId);
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'exchange',
    name: 'out-of-stock-refunded',
    covers: 'review → return → inspection pass (a quality claim: the platform pays shipping) → replacement out of stock → customer contacted → customer chooses a refund → ledger reservation → refund settled → survey',
    request: (now) =>
      caseRequest(now, {
        type: 'exchange',
        reason: { code: 'quality_issue' },
        evidence: ['https://evidence.example/recorded-3.jpg'],
        items: [{ sku: 'OOS-1', quantity: 1, unitPrice: 25_900 }],
      }),
    drive: async (handle, { world }) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      await waitForCase(handle, 'the out-of-stock customer contact', (s) => s.status === 'awaiting_stock_decision' && s.timeline.some((e) => e.event === 'customer.contacted'));
      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'refund' }] });
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'repair',
    name: 'repaired-auto-confirmed',
    covers: 'in-warranty review → parcel to the repair center → repaired and verified → shipped back → no confirmation: auto-confirmed after 7 days → survey window runs out',
    request: (now) => caseRequest(now, { type: 'repair', reason: { code: 'quality_issue' }, evidence: ['https://evidence.example/recorded-1.jpg'] }, 30),
    drive: async (handle) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'repairing');
      await handle.executeUpdate(repairResultUpdate, { args: [{ actor: { kind: 'agent', id: 'repair.center' }, outcome: 'repaired', verified: true }] });
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.result();
    },
  },
  {
    type: 'repair',
    name: 'out-of-warranty-unrepairable-quote-refunded',
    covers: 'out-of-warranty review → quote accepted → quote collected → parcel to the repair center → unrepairable → item shipped back → quote refunded (never the price) → survey',
    request: (now) => caseRequest(now, { type: 'repair', reason: { code: 'quality_issue' }, evidence: ['https://evidence.example/recorded-4.jpg'] }, 415),
    drive: async (handle, { world }) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: true }] });
      const caseId = (await waitForStatus(handle, 'awaiting_payment')).id;
      await settleCollection(handle, (await collectionRequested(world, caseId)).collectionId);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'repairing');
      await handle.executeUpdate(repairResultUpdate, { args: [{ actor: { kind: 'agent', id: 'repair.center' }, outcome: 'unrepairable', verified: false }] });
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'repair',
    name: 'quote-forged-paid-then-paid-repaired',
    covers: 'out-of-warranty review → quote accepted → a `paid` report the provider\'s record contradicts (looked up: pending), nothing counts → the provider settles it, looked up: paid → parcel to the repair center → repaired → receipt confirmed → survey (`collection-reports-confirmed`)',
    request: (now) => caseRequest(now, { type: 'repair', reason: { code: 'quality_issue' }, evidence: ['https://evidence.example/recorded-6.jpg'] }, 415),
    drive: async (handle, { world }) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: true }] });
      const caseId = (await waitForStatus(handle, 'awaiting_payment')).id;
      const collection = await collectionRequested(world, caseId);
      await waitForCase(handle, 'the quote to be asked for', (s) => s.outcome.collections?.[0]?.status === 'requested');
      await handle.signal(collectionEventSignal, { eventId: 'forged-paid', collectionId: collection.collectionId, status: 'succeeded', at: new Date().toISOString() });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await settleCollection(handle, collection.collectionId);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'repairing');
      await handle.executeUpdate(repairResultUpdate, { args: [{ actor: { kind: 'agent', id: 'repair.center' }, outcome: 'repaired', verified: true }] });
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'return',
    name: 'rejected-send-back-unpaid-goods-held',
    covers: 'review → return → inspection fail → send-back fee asked → not paid within the payment clock → rejected, goods held → survey',
    request: (now) => caseRequest(now, { items: [{ sku: 'SKU-3', quantity: 1, unitPrice: 15_900 }] }),
    drive: async (handle, { env }) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', note: 'scratched screen' }] });
      await waitForStatus(handle, 'awaiting_payment');
      await env.sleep('3 days');
      await waitForStatus(handle, 'rejected');
      await answerSurvey(handle);
    },
  },
  {
    type: 'complaint',
    name: 'resolved-with-coupon',
    covers: 'complaint recorded → staff queue notified → resolution with a coupon → survey',
    request: (now) => caseRequest(now, { type: 'complaint', reason: { code: 'other' } }),
    drive: async (handle) => {
      await handle.executeUpdate(resolutionUpdate, {
        args: [{ actor: agent, resolution: 'apologised; coupon issued', compensation: { kind: 'coupon', amount: 2_000 } }],
      });
      await waitForCase(handle, 'the coupon', (s) => s.timeline.some((e) => e.event === 'compensation.coupon_issued'));
      await answerSurvey(handle);
    },
  },
  {
    type: 'refund_only',
    name: 'breached-escalated-refunded',
    covers: 'review warning at 80% → review SLA breach → escalation levels 1 and 2 (no auto-approve above the amount) → approved late → refund settled → survey',
    // Never delivered: a parcel signed for but not received is a courier exception instead.
    request: (now) => {
      const request = caseRequest(now, { type: 'refund_only', reason: { code: 'not_received' } });
      delete request.order.deliveredAt;
      return request;
    },
    drive: async (handle, { env, world }) => {
      await env.sleep('29 hours');
      await waitForCase(handle, 'escalation level 2', (s) => s.escalation.level === 2);
      await approve(handle);
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'refund_only',
    name: 'escalated-during-notification-outage-refunded',
    covers:
      'notification provider down from the start: review warning queued on the outbox and retried, provider back → warning delivered → breach and levels 1, 2 (one notifyEscalation each, no escalation-record-activity marker) → approved late → refund settled → survey (notification-outbox)',
    request: (now) => {
      const request = caseRequest(now, { type: 'refund_only', reason: { code: 'not_received' } });
      delete request.order.deliveredAt;
      return request;
    },
    drive: async (handle, { env, world }) => {
      world.notificationDown = true;
      await env.sleep('20 hours');
      await waitForCase(handle, 'the warning', (s) => s.escalation.history.some((e) => e.reason === 'warning'));
      world.notificationDown = false;
      await env.sleep('9 hours');
      await waitForCase(handle, 'escalation level 2', (s) => s.escalation.level === 2);
      const sent = (template: string) => world.messages.filter((m) => m.message.template === template).length;
      await waitFor(() => sent('sla_warning') === 1 && sent('sla_escalation') === 2, 'the warning and both escalations delivered');
      await approve(handle);
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'reship',
    name: 'reshipped-confirmed',
    covers: 'evidence reviewed → reship parcel under the reship clock → receipt confirmed → survey',
    request: (now) => caseRequest(now, { type: 'reship', reason: { code: 'damaged_in_transit' }, evidence: ['https://evidence.example/recorded-2.jpg'] }, 1),
    drive: async (handle) => {
      await approve(handle);
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'refund_only',
    name: 'delivery-signed-after-opening-rejected',
    covers: 'opened on the order source\'s facts, never delivered → parcel signed for while in review → approved → delivery read again → rejected as a courier exception, no refund → survey',
    request: (now) => {
      const request = caseRequest(now, { type: 'refund_only', reason: { code: 'not_received' } });
      delete request.order.deliveredAt;
      return { ...request, orderRead: { version: '1.0', readAt: new Date(now).toISOString() } };
    },
    drive: async (handle, { env, world }) => {
      const { orderId } = await waitForStatus(handle, 'awaiting_review');
      world.deliveries.set(orderId, new Date(await env.currentTimeMs()).toISOString());
      await approve(handle);
      await waitForStatus(handle, 'rejected');
      await answerSurvey(handle);
    },
  },
  {
    type: 'refund_only',
    name: 'payment-record-checked-refunded',
    covers: 'opened on the order source\'s facts, wrong item → approved → reserved on the ledger → the payment\'s record covers it → refund requested and settled → survey',
    request: (now) => ({
      ...caseRequest(now, { type: 'refund_only', reason: { code: 'wrong_item' }, evidence: ['https://evidence.example/recorded-4.jpg'], packagingIntact: undefined }),
      orderRead: { version: '1.0', readAt: new Date(now).toISOString() },
    }),
    drive: async (handle, { world }) => {
      await approve(handle);
      await settleRefund(handle, world, (await waitForStatus(handle, 'refunding')).id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'refund_only',
    name: 'forged-failure-confirmed-refunded',
    covers: 'wrong item → approved → refund requested → a `failed` report the provider\'s record contradicts (looked up: pending), nothing moves → the provider pays, its report looked up: paid → settled → survey (`refund-reports-confirmed`)',
    request: (now) => caseRequest(now, { type: 'refund_only', reason: { code: 'wrong_item' }, evidence: ['https://evidence.example/recorded-5.jpg'], packagingIntact: undefined }),
    drive: async (handle, { world }) => {
      await approve(handle);
      const { id } = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, id);
      await waitForCase(handle, 'the refund to be requested', (s) => s.refund?.status === 'requested');
      await handle.signal(paymentEventSignal, { eventId: 'forged-failure', refundId: refund.refundId, status: 'failed', at: new Date().toISOString(), reason: 'forged' });
      await waitFor(() => world.refundLookUps.length >= 1, 'the report to be looked up');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await settleRefund(handle, world, id);
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'reship',
    name: 'auto-approved-delivery-confirmed-reshipped',
    covers: 'opened on the order source\'s facts → review breach below the policy amount → delivery read again, confirmed → auto-approved → read again before the parcel, confirmed → reship parcel → receipt confirmed → survey',
    request: (now) => ({
      ...caseRequest(now, { type: 'reship', reason: { code: 'damaged_in_transit' }, evidence: ['https://evidence.example/recorded-3.jpg'], items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 3_900 }] }, 1),
      orderRead: { version: '1.0', readAt: new Date(now).toISOString() },
    }),
    drive: async (handle, { env }) => {
      await env.sleep('25 hours');
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
  {
    type: 'courier_exception',
    name: 'reshipped',
    covers: 'courier investigation opened → resolution: reship → parcel shipped → receipt confirmed → survey',
    request: (now) => caseRequest(now, { type: 'courier_exception', reason: { code: 'not_received' } }, 1),
    drive: async (handle) => {
      await waitForCase(handle, 'the investigation', (s) => s.timeline.some((e) => e.event === 'investigation.opened'));
      await handle.executeUpdate(resolutionUpdate, { args: [{ actor: agent, resolution: 'parcel lost by the courier', outcome: 'reship' }] });
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
      await answerSurvey(handle);
    },
  },
];

interface Options {
  archive?: string;
  replace: boolean;
  only?: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { replace: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--replace') options.replace = true;
    else if (arg === '--archive') options.archive = argv[++i];
    else if (arg === '--only') options.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else throw new Error(`unknown argument ${arg}; see the header of scripts/record-histories.ts`);
  }
  if (options.archive !== undefined && !/^[A-Za-z0-9._-]+$/.test(options.archive)) {
    throw new Error('--archive needs a label of letters, digits, dots, dashes or underscores (e.g. v2026-12-01)');
  }
  return options;
}

/** Moves the current top-level histories to histories/<label>/, where the replay test still finds them. */
function archiveCurrent(label: string): void {
  const target = path.join(HISTORIES_DIR, label);
  if (fs.existsSync(target)) throw new Error(`${path.relative(process.cwd(), target)} exists already; pick another label`);
  const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
  fs.mkdirSync(target);
  for (const file of files) fs.renameSync(path.join(HISTORIES_DIR, file), path.join(target, file));
  say(`archived ${files.length} histories to ${path.relative(process.cwd(), target)}/`);
}

async function record(scenario: Scenario): Promise<unknown> {
  return withCaseWorld(async (context) => {
    const now = await context.env.currentTimeMs();
    const handle = await startCase(context.env, context.world, scenario.request(now));
    await scenario.drive(handle, context);
    const result = (await handle.result()) as CaseWorkflowResult;
    const history = await handle.fetchHistory();
    say(`  ${handle.workflowId}: ${result.status}, ${history.events?.length ?? 0} events`);
    return historyToJson(history);
  });
}

function say(line: string): void {
  process.stdout.write(`record-histories: ${line}\n`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const missingTypes = CASE_TYPES.filter((t) => !SCENARIOS.some((s) => s.type === t));
  if (missingTypes.length) throw new Error(`no scenario for case types ${missingTypes.join(', ')}: every type needs one`);
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  if (options.archive !== undefined) archiveCurrent(options.archive);

  let written = 0;
  for (const scenario of SCENARIOS) {
    const file = historyFileName(scenario.type, scenario.name);
    if (options.only && !options.only.has(scenario.type.replace(/_/g, '-'))) continue;
    const target = path.join(HISTORIES_DIR, file);
    if (fs.existsSync(target) && !options.replace) {
      say(`${file}: kept (exists; --archive <label> keeps it and records anew, --replace overwrites)`);
      continue;
    }
    say(`${file}: ${scenario.covers}`);
    const json = await record(scenario);
    fs.writeFileSync(target, `${JSON.stringify(json, null, 1)}\n`);
    written++;
  }
  say(`${written} histories written to ${path.relative(process.cwd(), HISTORIES_DIR)}/`);
  if (written > 0) saveDataKeys();
}

/** Adds the data keys of the cases just recorded to the file the replay test decrypts them with. */
function saveDataKeys(): void {
  const saved = fs.existsSync(REPLAY_DATA_KEYS_FILE) ? (JSON.parse(fs.readFileSync(REPLAY_DATA_KEYS_FILE, 'utf8')) as Record<string, unknown>) : {};
  const merged = { ...saved, ...testDataKeys.toJSON() };
  fs.writeFileSync(REPLAY_DATA_KEYS_FILE, `${JSON.stringify(merged, null, 1)}\n`);
  say(`data keys of ${Object.keys(merged).length} recorded cases in ${path.relative(process.cwd(), REPLAY_DATA_KEYS_FILE)} (wrapped by the test-only master key)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import type { CaseSnapshot, CaseStatus, CaseType, ClockName, SlaClockView, TimelineEntry } from '../../domain/case.types';
import { TERMINAL_STATUSES } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { refundKey } from '../../domain/keys';

// Synthetic but realistic case snapshots for the read-model benchmark: the shape the workflow
// projects (workflows/case-record.ts snapshot()), with a plausible mix of types, statuses,
// assignees, customers, clocks, breaches and timelines. Deterministic for a given index.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Types with their share of cases (most cases are returns). */
const TYPE_MIX: [CaseType, number][] = [
  ['return', 45],
  ['exchange', 15],
  ['refund_only', 15],
  ['repair', 8],
  ['complaint', 8],
  ['reship', 5],
  ['courier_exception', 4],
];

/** Statuses a case of each type passes through while open, with the clock that runs there. */
const OPEN_STATUSES: Record<CaseType, [CaseStatus, ClockName, 'staff' | 'customer', number][]> = {
  return: [
    ['awaiting_review', 'review', 'staff', 24 * HOUR],
    ['awaiting_customer_info', 'customer_info', 'customer', 7 * DAY],
    ['awaiting_return_shipment', 'return_shipment', 'customer', 7 * DAY],
    ['return_in_transit', 'processing', 'staff', 72 * HOUR],
    ['inspecting', 'processing', 'staff', 72 * HOUR],
    ['refunding', 'refund', 'staff', 3 * DAY],
  ],
  exchange: [
    ['awaiting_review', 'review', 'staff', 24 * HOUR],
    ['awaiting_return_shipment', 'return_shipment', 'customer', 7 * DAY],
    ['inspecting', 'processing', 'staff', 72 * HOUR],
    ['awaiting_stock_decision', 'stock_decision', 'customer', 2 * DAY],
    ['shipping_replacement', 'reship', 'staff', 24 * HOUR],
    ['awaiting_customer_confirmation', 'customer_confirmation', 'customer', 7 * DAY],
  ],
  refund_only: [
    ['awaiting_review', 'review', 'staff', 24 * HOUR],
    ['refunding', 'refund', 'staff', 3 * DAY],
  ],
  repair: [
    ['awaiting_review', 'review', 'staff', 24 * HOUR],
    ['awaiting_return_shipment', 'return_shipment', 'customer', 7 * DAY],
    ['awaiting_quote_acceptance', 'quote_acceptance', 'customer', 3 * DAY],
    ['repairing', 'processing', 'staff', 72 * HOUR],
    ['awaiting_customer_confirmation', 'customer_confirmation', 'customer', 7 * DAY],
  ],
  complaint: [['investigating', 'resolution', 'staff', 24 * HOUR]],
  reship: [
    ['awaiting_review', 'review', 'staff', 24 * HOUR],
    ['shipping_replacement', 'reship', 'staff', 24 * HOUR],
  ],
  courier_exception: [['investigating', 'investigation', 'staff', 72 * HOUR]],
};

/** Number of distinct customers and agents in the synthetic data. */
export const SYNTHETIC_CUSTOMERS = 20_000;
export const SYNTHETIC_AGENTS = 25;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: [T, number][]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Customer id of the synthetic data: `c-00042`. */
export const syntheticCustomer = (n: number) => `c-${String(n).padStart(5, '0')}`;
/** Agent name of the synthetic data: `agent.07`. */
export const syntheticAgent = (n: number) => `agent.${String(n).padStart(2, '0')}`;

/**
 * Case number `index` of a synthetic read model created over the 90 days before `now`:
 * about 30 % open (deadlines spread around now, ~12 % of open ones breached), the rest closed.
 */
export function syntheticSnapshot(index: number, now: number, prefix: string): CaseSnapshot {
  const random = rng(index * 7919 + 17);
  const type = pick(random, TYPE_MIX);
  const createdAtMs = now - Math.floor(random() * 90 * DAY);
  const customerId = syntheticCustomer(Math.floor(random() * SYNTHETIC_CUSTOMERS));
  const open = random() < 0.3;
  const stages = OPEN_STATUSES[type];
  const stageIndex = Math.floor(random() * stages.length);
  const [status, clockName, party, budget] = open
    ? stages[stageIndex]
    : [pick<CaseStatus>(random, [['completed', 75], ['rejected', 10], ['cancelled', 10], ['expired', 5]]), stages[0][1], stages[0][2], stages[0][3]];
  const assignee = random() < 0.85 ? syntheticAgent(Math.floor(random() * SYNTHETIC_AGENTS)) : null;
  const unitPrice = 1000 + Math.floor(random() * 50_000);
  const quantity = 1 + Math.floor(random() * 2);
  const actor = { kind: 'customer' as const, id: customerId };
  const staff = { kind: 'agent' as const, id: assignee ?? 'li.wei' };
  const system = { kind: 'system' as const, id: 'sla' };

  // The clock of the current stage: open cases have a running (or breached) one, its deadline around now.
  const clocks: SlaClockView[] = [];
  const timeline: TimelineEntry[] = [
    { at: iso(createdAtMs), actor, event: 'case.opened', data: { type, reason: 'quality_issue', policyVersion: 'default-2026.1' } },
  ];
  let breached = false;
  let updatedAtMs = createdAtMs;
  let closedAt: string | null = null;
  if (open) {
    const breach = party === 'staff' && random() < 0.12;
    const deadlineMs = breach ? now - Math.floor(random() * 2 * DAY) : now + Math.floor(random() * budget);
    const startedAtMs = Math.max(createdAtMs, deadlineMs - budget);
    for (let s = 0; s < stageIndex; s++) {
      const [, name, p] = stages[s];
      const at = createdAtMs + (s + 1) * HOUR;
      clocks.push({ name, party: p, budget: '24h', startedAt: iso(createdAtMs + s * HOUR), deadline: iso(createdAtMs + s * HOUR + DAY), state: 'met', stoppedAt: iso(at), pausedMs: 0 });
      timeline.push({ at: iso(at), actor: staff, event: `${name}.done` });
    }
    const clock: SlaClockView = {
      name: clockName,
      party,
      budget: `${budget / HOUR}h`,
      startedAt: iso(startedAtMs),
      deadline: iso(deadlineMs),
      state: breach ? 'breached' : 'running',
      pausedMs: 0,
    };
    if (breach) {
      clock.breachedAt = iso(deadlineMs + 20);
      breached = true;
      timeline.push({ at: iso(deadlineMs + 20), actor: system, event: 'sla.breached', data: { clock: clockName, deadline: iso(deadlineMs) } });
    }
    clocks.push(clock);
    updatedAtMs = Math.max(createdAtMs, Math.min(now, startedAtMs));
  } else {
    const closedAtMs = Math.min(now, createdAtMs + Math.floor((1 + random() * 9) * DAY));
    clocks.push({ name: clockName, party, budget: '24h', startedAt: iso(createdAtMs), deadline: iso(createdAtMs + DAY), state: 'met', stoppedAt: iso(createdAtMs + 3 * HOUR), pausedMs: 0 });
    timeline.push({ at: iso(createdAtMs + 3 * HOUR), actor: staff, event: 'review.approved' });
    timeline.push({ at: iso(closedAtMs), actor: system, event: `case.${status}` });
    closedAt = iso(closedAtMs);
    updatedAtMs = closedAtMs;
  }
  const running = clocks.filter((c) => c.state === 'running');
  const nextDeadline = running.length ? running.map((c) => c.deadline).sort()[0] : null;
  const id = `${prefix}${String(index).padStart(7, '0')}`;
  const refunded = status === 'completed' && (type === 'return' || type === 'refund_only');
  return {
    id,
    type,
    status,
    orderId: `ORD-${prefix}${index}`,
    customerId,
    items: [{ sku: `SKU-${Math.floor(random() * 5000)}`, quantity, unitPrice }],
    reason: { code: 'quality_issue', description: 'the seam came apart after two days' },
    evidence: [`https://img.example.com/evidence/${id}.jpg`],
    packagingIntact: true,
    order: {
      paidAt: iso(createdAtMs - 5 * DAY),
      deliveredAt: iso(createdAtMs - 2 * DAY),
      paymentMethod: random() < 0.9 ? 'online' : 'cod',
      total: unitPrice * quantity,
      currency: 'CNY',
    },
    assignee,
    priority: breached ? 'high' : 'normal',
    policyVersion: 'default-2026.1',
    // One case in ten is a late quality claim, so that the manualEvaluation list has pages.
    manualEvaluation: index % 10 === 3,
    createdAt: iso(createdAtMs),
    updatedAt: iso(updatedAtMs),
    closedAt,
    sla: clocks,
    nextDeadline,
    breached,
    escalation: breached
      ? { level: 1, history: [{ level: 1, clock: clockName, at: iso(Date.parse(clocks[clocks.length - 1].deadline) + 20), recipients: ['team-lead@aftersales.local'], reason: 'breach' }] }
      : { level: 0, history: [] },
    refund: refunded
      ? { amount: unitPrice * quantity, currency: 'CNY', status: 'succeeded', id: `rf_${id}`, idempotencyKey: refundKey(id, 1), method: 'original_path' }
      : null,
    shipments: [],
    outcome: { shippingPaidBy: 'platform' },
    survey: null,
    timeline,
    temporal: { workflowId: caseWorkflowId(id) },
    version: timeline.length,
  } satisfies CaseSnapshot;
}

/** True for a terminal status (re-exported for the benchmark's checks). */
export const isClosedStatus = (status: CaseStatus) => TERMINAL_STATUSES.includes(status);

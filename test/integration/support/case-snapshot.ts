import type { CaseSnapshot } from '../../../domain/case.types';

/**
 * A whole case snapshot as the read model stores it: a return of one 12.30 item paid online,
 * version 3, nothing done yet; `overrides` sets what a test is about (status, refund, parcels…).
 */
export function caseSnapshot(id: string, overrides: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    id,
    type: 'return',
    status: 'awaiting_review',
    orderId: `order-${id}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1230 }],
    reason: { code: 'quality_issue' },
    evidence: [],
    order: { paidAt: '2026-11-01T00:00:00.000Z', paymentMethod: 'online', total: 1230, currency: 'CNY' },
    assignee: null,
    priority: 'normal',
    policyVersion: 'default-2026.1',
    manualEvaluation: false,
    createdAt: '2026-11-20T00:00:00.000Z',
    updatedAt: '2026-11-29T00:00:00.000Z',
    closedAt: null,
    sla: [],
    nextDeadline: null,
    breached: false,
    escalation: { level: 0, history: [] },
    refund: null,
    shipments: [],
    outcome: {},
    survey: null,
    timeline: [],
    temporal: { workflowId: `case-${id}` },
    version: 3,
    ...overrides,
  };
}

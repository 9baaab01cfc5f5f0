// Examples of the OpenAPI document. test/unit/api-openapi.test.ts checks each against the schema it
// illustrates, so an example cannot drift from the contract. The people and orders are made up.

/** Request bodies of `POST /v1/cases`, by name. */
export const OPEN_CASE_EXAMPLES = {
  noReasonReturn: {
    summary: 'A no-reason return of one item',
    value: {
      type: 'return',
      orderId: 'O-20260401-0001',
      items: [{ sku: 'SKU-TEE-M', quantity: 1 }],
      reason: { code: 'no_reason' },
      packagingIntact: true,
    },
  },
  exchangeForSize: {
    summary: 'An exchange of one of two units of an order line, for another size',
    value: {
      type: 'exchange',
      orderId: 'O-20260401-0002',
      items: [{ lineId: 'O-20260401-0002-L1', quantity: 1 }],
      reason: { code: 'size_fit', description: 'one size too small' },
      packagingIntact: true,
    },
  },
  repairWithEvidence: {
    summary: 'A repair of a faulty item, with a photo',
    value: {
      type: 'repair',
      orderId: 'O-20260115-0003',
      items: [{ lineId: 'O-20260115-0003-L1', quantity: 1 }],
      reason: { code: 'quality_issue', description: 'does not heat' },
      evidence: ['https://img.example.com/evidence/kettle.jpg'],
    },
  },
} as const;

const opened = '2026-04-05T02:00:00.000Z';

/** A case as the API answers it: an exchange whose replacement is on its way to the customer. */
export const CASE_EXAMPLE = {
  id: 'cs_3f9a1c7e5b2d4a6c8e0f1a2b',
  type: 'exchange',
  status: 'awaiting_customer_confirmation',
  orderId: 'O-20260401-0002',
  customerId: 'c-1',
  items: [{ sku: 'SKU-SHOE-42', quantity: 1, unitPrice: 45900, orderedQuantity: 2, category: 'shoes', lineId: 'O-20260401-0002-L1', linePaid: 91800, title: 'Running shoe, 42' }],
  reason: { code: 'size_fit', description: 'one size too small' },
  evidence: [],
  packagingIntact: true,
  order: { paidAt: '2026-04-01T08:00:00.000Z', deliveredAt: '2026-04-03T10:00:00.000Z', paymentMethod: 'online', paymentChannel: 'alipay', total: 91800, currency: 'CNY' },
  orderRead: { version: '1.0', readAt: '2026-04-05T02:00:00.000Z' },
  assignee: 'li.wei',
  priority: 'normal',
  policyVersion: 'default-2026.2',
  manualEvaluation: false,
  createdAt: opened,
  updatedAt: '2026-04-09T06:30:00.000Z',
  closedAt: null,
  sla: [
    { name: 'review', party: 'staff', budget: '24h', startedAt: opened, deadline: '2026-04-06T02:00:00.000Z', state: 'met', stoppedAt: '2026-04-05T03:10:00.000Z', pausedMs: 0 },
    {
      name: 'customer_confirmation',
      party: 'customer',
      budget: { workingDays: 7 },
      startedAt: '2026-04-09T06:30:00.000Z',
      deadline: '2026-04-18T06:30:00.000Z',
      state: 'running',
      pausedMs: 0,
    },
  ],
  nextDeadline: '2026-04-18T06:30:00.000Z',
  breached: false,
  escalation: { level: 0, history: [] },
  refund: null,
  shipments: [
    { direction: 'return', carrier: 'SF', trackingNumber: 'SF1000000001', status: 'delivered', labelId: 'lbl_7c1d', updatedAt: '2026-04-07T09:00:00.000Z' },
    { direction: 'outbound', purpose: 'replacement', carrier: 'SF', trackingNumber: 'SF1000000002', status: 'in_transit', updatedAt: '2026-04-09T06:30:00.000Z' },
  ],
  outcome: {
    shippingPaidBy: 'customer',
    review: { decision: 'approve', note: null, by: 'li.wei' },
    inspection: { result: 'pass', note: null, refundAmount: null, by: 'wang.fang' },
  },
  survey: null,
  timeline: [
    { at: opened, actor: { kind: 'customer', id: 'c-1' }, event: 'case.opened', data: { type: 'exchange', reason: 'size_fit', policyVersion: 'default-2026.2' } },
    { at: '2026-04-05T03:10:00.000Z', actor: { kind: 'agent', id: 'li.wei' }, event: 'review.approved', data: { from: 'awaiting_review', to: 'awaiting_return_shipment' } },
    { at: '2026-04-09T06:30:00.000Z', actor: { kind: 'system', id: 'workflow' }, event: 'confirmation.requested', data: { from: 'shipping_replacement', to: 'awaiting_customer_confirmation' } },
  ],
  temporal: {
    workflowId: 'case-cs_3f9a1c7e5b2d4a6c8e0f1a2b',
    runId: '0196a1f2-7c3e-7b41-9d2a-5e6f7a8b9c0d',
    uiUrl: 'http://localhost:8233/namespaces/default/workflows/case-cs_3f9a1c7e5b2d4a6c8e0f1a2b',
  },
  version: 14,
  // As its customer sees it; an agent would see none, a supervisor cancel and assign.
  allowedCommands: ['confirm-receipt'],
} as const;

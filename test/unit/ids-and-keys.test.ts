// Pins every id and key format to the string running cases, recorded histories, providers and
// stored documents already hold. A failure here is a format change: make it only on purpose,
// with a patch for running cases and a migration for stored documents.
import { caseIdOfWorkflowId, caseWorkflowId, isCaseWorkflowId, READ_MODEL_RECONCILER_SCHEDULE_ID, READ_MODEL_RECONCILER_WORKFLOW_ID } from '../../domain/ids';
import {
  alipayNotifyEventId,
  caseIdOfRefundKey,
  closingNotificationKey,
  collectionKey,
  couponKey,
  customerNotificationKey,
  escalationRecordId,
  investigationKey,
  ledgerEntryKey,
  ledgerLineRef,
  ledgerMovementKey,
  ledgerVersionId,
  lineKey,
  lineKeyOf,
  lineOfLedgerRef,
  movementLabel,
  openCaseLockKey,
  openCaseLockKeyOf,
  refundAnswerEventId,
  refundKey,
  refundQueryEventId,
  returnLabelKey,
  shipmentKey,
  slaEscalationOccasion,
  slaWarningOccasion,
  staffNotificationKey,
} from '../../domain/keys';

const caseId = 'cs_3f9a1c7e5b2d4a6c8e0f1a2b';

describe('workflow ids', () => {
  test('a case workflow id is `case-<caseId>`, and back', () => {
    expect(caseWorkflowId(caseId)).toBe('case-cs_3f9a1c7e5b2d4a6c8e0f1a2b');
    expect(caseIdOfWorkflowId('case-cs_3f9a1c7e5b2d4a6c8e0f1a2b')).toBe(caseId);
    expect(isCaseWorkflowId('case-cs_3f9a1c7e5b2d4a6c8e0f1a2b')).toBe(true);
  });

  test('any other workflow id is no case', () => {
    expect(caseIdOfWorkflowId('read-model-reconciler')).toBeUndefined();
    expect(isCaseWorkflowId('read-model-reconciler')).toBe(false);
  });

  test('the reconciler runs as `read-model-reconciler` from the Schedule `aftersales-read-model-reconciler`', () => {
    expect(READ_MODEL_RECONCILER_WORKFLOW_ID).toBe('read-model-reconciler');
    expect(READ_MODEL_RECONCILER_SCHEDULE_ID).toBe('aftersales-read-model-reconciler');
  });
});

describe('provider idempotency keys', () => {
  test('refund attempts: `<caseId>:refund:<attempt>`, whose case id a notice finds the case by', () => {
    expect(refundKey(caseId, 1)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund:1');
    expect(refundKey(caseId, 3)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund:3');
    expect(caseIdOfRefundKey('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund:2')).toBe(caseId);
  });

  test('collections: `<caseId>:collection:<purpose>`, then `:<round>` from the second round', () => {
    expect(collectionKey(caseId, 'return_shipping', 1)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:collection:return_shipping');
    expect(collectionKey(caseId, 'price_difference', 2)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:collection:price_difference:2');
  });

  test('coupon, return label, shipments and investigation', () => {
    expect(couponKey(caseId)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:coupon');
    expect(returnLabelKey(caseId)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:return-label');
    expect(shipmentKey(caseId, 'replacement', 2)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:ship:replacement:2');
    expect(investigationKey(caseId)).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:investigation');
  });
});

describe('notification keys', () => {
  test('customer `<caseId>:<occasion>`, staff `<caseId>:<occasion>:<address>`, closing `<caseId>:closed:<status>`', () => {
    expect(customerNotificationKey(caseId, 'refund-failed-2')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund-failed-2');
    expect(staffNotificationKey(caseId, 'refund-manual', 'queue@shop.example')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund-manual:queue@shop.example');
    expect(closingNotificationKey(caseId, 'completed')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:closed:completed');
  });

  test('SLA occasions: `warn:<clock>:<startedAt>` and `esc:<clock>:<level>:<startedAt>`', () => {
    expect(slaWarningOccasion('review', '2026-11-29T01:00:00.000Z')).toBe('warn:review:2026-11-29T01:00:00.000Z');
    expect(slaEscalationOccasion('review', 2, '2026-11-29T01:00:00.000Z')).toBe('esc:review:2:2026-11-29T01:00:00.000Z');
    expect(staffNotificationKey(caseId, slaEscalationOccasion('refund', 1, '2026-11-29T01:00:00.000Z'), 'lead@shop.example')).toBe(
      'cs_3f9a1c7e5b2d4a6c8e0f1a2b:esc:refund:1:2026-11-29T01:00:00.000Z:lead@shop.example',
    );
  });
});

describe('read-model keys', () => {
  test('an escalation record is `<caseId>:<clock>:<level>:<reason>`', () => {
    expect(escalationRecordId(caseId, 'review', 1, 'breach')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:review:1:breach');
  });

  test('an open-case lock is `<orderId>:<sku>:<type>`, order id and sku URI-encoded', () => {
    expect(openCaseLockKey('JD:2026/11', 'SKU 1', 'return')).toBe('JD%3A2026%2F11:SKU%201:return');
  });
});

describe('order-line ledger keys', () => {
  test('a line is `<orderId>:<sku>`, URI-encoded; its n-th version `<lineKey>#<n>`', () => {
    expect(lineKey('JD:2026/11', 'SKU#1')).toBe('JD%3A2026%2F11:SKU%231');
    expect(ledgerVersionId(lineKey('o-1', 'sku-1'), 7)).toBe('o-1:sku-1#7');
  });

  test('a movement is `<caseId>:<kind>`, one line’s share `<movement>:<sku>`; summaries name the movement without the case', () => {
    expect(ledgerMovementKey(caseId, 'compensation')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:compensation');
    expect(ledgerEntryKey(ledgerMovementKey(caseId, 'refund'), 'sku-1')).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund:sku-1');
    expect(movementLabel(collectionKey(caseId, 'repair_quote', 2))).toBe('collection:repair_quote:2');
  });

  test('by order line: a sku on one line keeps `<orderId>:<sku>` (the old id), a sku on several `<orderId>:<sku>@<line>`; the lock follows', () => {
    expect(lineKeyOf('JD:1', { sku: 'SKU#1' })).toBe(lineKey('JD:1', 'SKU#1'));
    expect(lineKeyOf('JD:1', { sku: 'SKU#1', lineId: 'L 1' })).toBe('JD%3A1:SKU%231');
    expect(lineKeyOf('JD:1', { sku: 'SKU#1', lineId: 'L 1', sharesSku: true })).toBe('JD%3A1:SKU%231@L%201');
    expect(openCaseLockKeyOf('o-1', { sku: 'A', lineId: 'L1' }, 'return')).toBe(openCaseLockKey('o-1', 'A', 'return'));
    expect(openCaseLockKeyOf('o-1', { sku: 'A', lineId: 'L1', sharesSku: true }, 'return')).toBe('o-1:A@L1:return');
  });

  test('a line ref is the sku for an item without a line (old entry keys unchanged), `<sku>~<line>` or `<sku>@<line>` with one; it reads back', () => {
    expect(ledgerLineRef({ sku: 'sku-1' })).toBe('sku-1');
    expect(ledgerEntryKey(ledgerMovementKey(caseId, 'refund'), ledgerLineRef({ sku: 'sku-1' }))).toBe('cs_3f9a1c7e5b2d4a6c8e0f1a2b:refund:sku-1');
    expect(ledgerLineRef({ sku: 'sku-1', lineId: 'L:2' })).toBe('sku-1~L%3A2');
    expect(ledgerLineRef({ sku: 'sku-1', lineId: 'L:2', sharesSku: true })).toBe('sku-1@L%3A2');
    for (const line of [{ sku: 'a/b#c' }, { sku: 'a/b#c', lineId: 'x~y@z' }, { sku: 'a', lineId: 'L2', sharesSku: true as const }]) {
      expect(lineOfLedgerRef(ledgerLineRef(line))).toEqual(line);
    }
  });
});

describe('payment event ids', () => {
  test('query `<refundId>:query`, answer `<refundId>:answer`, Alipay notice `alipay:<notifyId>`', () => {
    expect(refundQueryEventId('cs_1:refund:1')).toBe('cs_1:refund:1:query');
    expect(refundAnswerEventId('cs_1:refund:1')).toBe('cs_1:refund:1:answer');
    expect(alipayNotifyEventId('2026112900222')).toBe('alipay:2026112900222');
  });
});

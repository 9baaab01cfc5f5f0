import { zodDetails } from '../../api/errors';
import { inspectionBodySchema, reviewBodySchema, stockDecisionBodySchema, surveyBodySchema } from '../../api/case-commands';
import { listCasesQuerySchema, openCaseBodySchema } from '../../api/cases.schemas';

// A valid `POST /v1/cases` body.
const validOpenCase = () => ({
  type: 'return',
  orderId: 'O-1001',
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 19900 }],
  reason: { code: 'quality_issue', description: 'seam came apart' },
  evidence: ['https://img.example.com/1.jpg'],
  packagingIntact: true,
  order: { paidAt: '2026-03-01T08:00:00Z', deliveredAt: '2026-03-03T10:00:00+08:00', paymentMethod: 'online', total: 19900, currency: 'CNY' },
});

const fieldsOf = (result: { success: boolean; error?: Parameters<typeof zodDetails>[0] }) =>
  result.success ? [] : zodDetails(result.error!).map((d) => d.field).sort();

describe('POST /v1/cases body', () => {
  it('accepts a valid body and normalises its times to UTC', () => {
    const parsed = openCaseBodySchema.parse(validOpenCase());
    expect(parsed.order.deliveredAt).toBe('2026-03-03T02:00:00.000Z');
  });

  it('defaults evidence to an empty list', () => {
    const body: Record<string, unknown> = validOpenCase();
    delete body.evidence;
    expect(openCaseBodySchema.parse(body).evidence).toEqual([]);
  });

  it('names every offending field at once', () => {
    const body = {
      ...validOpenCase(),
      type: 'refund',
      items: [{ sku: 'SKU-1', quantity: 0, unitPrice: 10.5 }],
      reason: { code: 'bored' },
      evidence: ['ftp://x.example.com/a.jpg'],
      order: { paidAt: 'yesterday', paymentMethod: 'card', total: -1, currency: 'yuan' },
      colour: 'red',
    };
    expect(fieldsOf(openCaseBodySchema.safeParse(body))).toEqual([
      'colour',
      'evidence[0]',
      'items[0].quantity',
      'items[0].unitPrice',
      'order.currency',
      'order.paidAt',
      'order.paymentMethod',
      'order.total',
      'reason.code',
      'type',
    ]);
  });

  it('names every missing required field of an empty body', () => {
    expect(fieldsOf(openCaseBodySchema.safeParse({}))).toEqual(['customerId', 'items', 'order', 'orderId', 'reason', 'type']);
  });

  it('refuses an empty item list and a sku listed twice', () => {
    expect(fieldsOf(openCaseBodySchema.safeParse({ ...validOpenCase(), items: [] }))).toEqual(['items']);
    const twice = { ...validOpenCase(), items: [{ sku: 'A', quantity: 1, unitPrice: 1 }, { sku: 'A', quantity: 2, unitPrice: 1 }] };
    expect(fieldsOf(openCaseBodySchema.safeParse(twice))).toEqual(['items[1].sku']);
  });
});

describe('command bodies', () => {
  it('requires a note when a review rejects or asks for information, not when it approves', () => {
    expect(reviewBodySchema.safeParse({ decision: 'approve' }).success).toBe(true);
    expect(fieldsOf(reviewBodySchema.safeParse({ decision: 'reject' }))).toEqual(['note']);
    expect(fieldsOf(reviewBodySchema.safeParse({ decision: 'request_info', note: '   ' }))).toEqual(['note']);
  });

  it('takes a survey score of 1 to 5 only', () => {
    expect(surveyBodySchema.safeParse({ score: 5 }).success).toBe(true);
    expect(fieldsOf(surveyBodySchema.safeParse({ score: 6 }))).toEqual(['score']);
    expect(fieldsOf(surveyBodySchema.safeParse({ score: 2.5 }))).toEqual(['score']);
  });

  it('takes a positive integer partial refund only', () => {
    expect(fieldsOf(inspectionBodySchema.safeParse({ result: 'pass', refundAmount: 0 }))).toEqual(['refundAmount']);
    expect(fieldsOf(inspectionBodySchema.safeParse({ result: 'pass', refundAmount: 12.3 }))).toEqual(['refundAmount']);
  });

  it('needs a sku for an alternative after an out-of-stock exchange', () => {
    expect(stockDecisionBodySchema.safeParse({ decision: 'refund' }).success).toBe(true);
    expect(fieldsOf(stockDecisionBodySchema.safeParse({ decision: 'alternative' }))).toEqual(['sku']);
  });
});

describe('GET /v1/cases query', () => {
  it('reads comma lists and repeated parameters, booleans and defaults', () => {
    const query = listCasesQuerySchema.parse({ status: ['awaiting_review,inspecting', 'refunding'], breached: 'true' });
    expect(query).toEqual({ status: ['awaiting_review', 'inspecting', 'refunding'], breached: true, sort: 'nextDeadline', limit: 20 });
  });

  it('names each bad parameter', () => {
    expect(fieldsOf(listCasesQuerySchema.safeParse({ status: 'open', breached: 'yes', limit: '500', sort: 'name', page: '2' }))).toEqual([
      'breached',
      'limit',
      'page',
      'sort',
      'status[0]',
    ]);
  });
});

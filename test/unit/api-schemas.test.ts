import { zodDetails } from '../../api/errors';
import { inspectionBodySchema, reviewBodySchema, stockDecisionBodySchema, surveyBodySchema } from '../../api/case-commands';
import { claimedFactProblems, listCasesQuerySchema, openCaseBodySchema } from '../../api/cases.schemas';

// A valid `POST /v1/cases` body: the order, the lines and units claimed, the reason and evidence.
const validOpenCase = () => ({
  type: 'return',
  orderId: 'O-1001',
  items: [{ lineId: 'O-1001-L1', quantity: 1 }],
  reason: { code: 'quality_issue', description: 'seam came apart' },
  evidence: ['https://img.example.com/1.jpg'],
  packagingIntact: true,
});

const fieldsOf = (result: { success: boolean; error?: Parameters<typeof zodDetails>[0] }) =>
  result.success ? [] : zodDetails(result.error!).map((d) => d.field).sort();

describe('POST /v1/cases body', () => {
  it('accepts a claim by line or by sku', () => {
    expect(openCaseBodySchema.parse(validOpenCase()).items).toEqual([{ lineId: 'O-1001-L1', quantity: 1 }]);
    expect(openCaseBodySchema.safeParse({ ...validOpenCase(), items: [{ sku: 'SKU-1', quantity: 2 }] }).success).toBe(true);
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
      items: [{ lineId: 'L1', quantity: 0 }, { quantity: 1 }],
      reason: { code: 'bored' },
      evidence: ['ftp://x.example.com/a.jpg'],
      colour: 'red',
    };
    expect(fieldsOf(openCaseBodySchema.safeParse(body))).toEqual(['colour', 'evidence[0]', 'items[0].quantity', 'items[1].lineId', 'reason.code', 'type']);
  });

  it('names every missing required field of an empty body', () => {
    expect(fieldsOf(openCaseBodySchema.safeParse({}))).toEqual(['items', 'orderId', 'reason', 'type']);
  });

  it('refuses an empty item list and a line claimed twice', () => {
    expect(fieldsOf(openCaseBodySchema.safeParse({ ...validOpenCase(), items: [] }))).toEqual(['items']);
    const twice = { ...validOpenCase(), items: [{ lineId: 'L1', quantity: 1 }, { lineId: 'L1', quantity: 2 }] };
    expect(fieldsOf(openCaseBodySchema.safeParse(twice))).toEqual(['items[1].lineId']);
  });

  it('names each fact of the order system a body sends, with where it comes from', () => {
    const problems = claimedFactProblems({
      ...validOpenCase(),
      customerId: 'c-2',
      items: [{ lineId: 'L1', quantity: 1, unitPrice: 99_000, orderedQuantity: 1, category: 'cables' }],
      order: { paidAt: '2023-01-01T00:00:00Z', paymentMethod: 'cod', total: 1, currency: 'CNY' },
    });
    expect(problems.map((p) => p.field)).toEqual(['customerId', 'order', 'items[0].unitPrice', 'items[0].orderedQuantity', 'items[0].category']);
    expect(problems.every((p) => p.message.startsWith('comes from the order system'))).toBe(true);
    expect(claimedFactProblems(validOpenCase())).toEqual([]);
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

  it('reads the manual-evaluation filter as a boolean, and refuses anything else', () => {
    expect(listCasesQuerySchema.parse({ manualEvaluation: 'true' })).toMatchObject({ manualEvaluation: true });
    expect(listCasesQuerySchema.parse({ manualEvaluation: ['true', 'false'] })).toMatchObject({ manualEvaluation: false });
    expect(fieldsOf(listCasesQuerySchema.safeParse({ manualEvaluation: '1' }))).toEqual(['manualEvaluation']);
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

import { STACK_ENV } from './stack/stack-file';
import { daysAgo, openCaseBody } from './support/fixtures';
import { CasesApi, requiredEnv, stackTokens } from './support/http-client';

// Issue 25 item 4: windows count from receipt (电子商务法 art. 51: the goods are received when
// signed for). The API judges eligibility at opening against the order the sandbox's order
// service holds: a presale paid long before its delivery loses neither its exchange window nor
// its warranty.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const fixture = { orderPrefix: 'IT-RECEIPT', sku: 'SKU-RECEIPT-1' };
const order = (paidDaysAgo: number, deliveredDaysAgo: number) => ({
  order: { paidAt: daysAgo(paidDaysAgo), deliveredAt: daysAgo(deliveredDaysAgo), paymentMethod: 'online', total: 8800, currency: 'CNY' },
});

describe('windows from receipt', () => {
  test('a size exchange paid 20 days ago and delivered 3 days ago is accepted (15 days from delivery)', async () => {
    const answer = await cases.open(tokens.customer, openCaseBody('exchange', 'size_fit', fixture, order(20, 3)));
    expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 201, error: undefined });
    expect(answer.body).toMatchObject({ type: 'exchange', status: 'awaiting_review', manualEvaluation: false });
  });

  test('a size exchange delivered 16 days ago is still refused outside_exchange_window', async () => {
    const answer = await cases.open(tokens.customer, openCaseBody('exchange', 'size_fit', fixture, order(18, 16)));
    expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 422, code: 'outside_exchange_window' });
    expect(answer.body.error.message).toMatch(/15 days after delivery/);
  });

  test('a presale repair paid 380 days ago and delivered 350 days ago is in its 12-month warranty, from delivery', async () => {
    const repair = await cases.opened(tokens.customer, openCaseBody('repair', 'quality_issue', fixture, order(380, 350)));
    expect(repair.outcome.warranty).toBe('in_warranty');
    const late = await cases.opened(tokens.customer, openCaseBody('repair', 'quality_issue', fixture, order(400, 370)));
    expect(late.outcome.warranty).toBe('out_of_warranty');
  });
});

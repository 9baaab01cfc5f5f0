import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { beijingDate } from '../../domain/beijing-time';
import { createReadModel } from '../../store/case-read-model.store';
import { STACK_ENV } from './stack/stack-file';
import { accessibilityViolations, PHONE } from './support/browser';
import { caseIdOf, deskSession, pickOrderLine } from './support/desk-session';
import { daysAgo, stackWithoutKeys } from './support/fixtures';
import { CasesApi, requiredEnv, stackTokens } from './support/http-client';

// The desk (desk/, served by the API at /desk/) in a real headless Chromium: a return from the
// customer's form to the survey across two browser contexts, a 409 in words, the language
// switch, customer isolation, a countdown turning amber then red, the report, and axe-core.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const { desk, screenshots, newPage, signIn } = deskSession();
const stackDb = stackWithoutKeys();
/** A seeded order of c-1 (docs/sandbox.md, "Orders"): two lines of SKU-1, the second at a promotion price, paid with WeChat Pay, signed for 2 days ago. */
const SEEDED_ORDER = 'o-c1-1003';
const SEEDED_LINE = 'o-c1-1003-L2';
/** Minor units as the English pages show them, "¥47.53". */
const yuan = (minor: number) => `¥${(minor / 100).toFixed(2)}`;

const returnBody = (orderId: string, customerId = 'c-1') => ({
  type: 'return',
  orderId,
  customerId,
  items: [{ sku: 'SKU-DESK-1', quantity: 1, unitPrice: 8800 }],
  reason: { code: 'quality_issue' },
  evidence: ['https://example.com/photo-1.jpg'],
  order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 8800, currency: 'CNY' },
});

describe('the desk in a browser', () => {
  test('a return from the customer form to the survey: the customer opens and ships it, an agent approves and passes the inspection', async () => {
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    await customer.getByRole('link', { name: '申请售后' }).first().click();
    // A seeded order of c-1 (sandbox/order-book.ts): two lines of one sku at different prices, paid with WeChat Pay.
    // The customer claims the promotion line; nothing about its price or dates is typed.
    await pickOrderLine(customer, SEEDED_ORDER, SEEDED_LINE);
    const facts = await customer.getByTestId('order-facts').innerText();
    expect(facts).toContain('微信支付');
    await customer.getByText(/签收后 \d+ 天内无理由可申请/).waitFor();
    expect(await accessibilityViolations(customer)).toEqual([]);
    await customer.getByRole('button', { name: '提交申请' }).click();
    await customer.waitForURL(/\/desk\/cases\/cs_[0-9a-f]{24}$/);
    const caseId = customer.url().split('/').pop()!;
    await customer.getByText('待审核').first().waitFor();
    // Paid with WeChat Pay: the refund will go back that way. The facts are the order system's, read at the opening.
    const opened = await cases.get(caseId);
    expect(opened.order).toMatchObject({ paymentMethod: 'online', paymentChannel: 'wechatpay' });
    expect(opened.items).toEqual([expect.objectContaining({ lineId: SEEDED_LINE, sku: 'SKU-1', quantity: 1, orderedQuantity: 1, title: 'Cotton T-shirt (promotion)', sharesSku: true })]);
    expect(opened.orderRead).toEqual({ version: expect.stringMatching(/^1\./), readAt: expect.any(String) });
    await customer.screenshot({ path: path.join(screenshots, 'desk-customer-phone.png'), fullPage: true });

    // The agent, in English, approves the review on the case page.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    const review = agent.getByTestId('form-review');
    // The agent reads the item as the order system gave it: its title, units bought, the line's 实付, and when it was read.
    const item = agent.getByTestId('items').locator(`tr[data-line-id="${SEEDED_LINE}"]`);
    expect(await item.innerText()).toMatch(new RegExp(`Cotton T-shirt \\(promotion\\)[\\s\\S]*${yuan(opened.items[0].linePaid!)}`));
    await agent.getByTestId('order-read').getByText(/^Facts read from the order system at .*Beijing time$/).waitFor();
    await review.getByRole('button', { name: 'Submit' }).dblclick(); // a double click sends one command
    await agent.getByText('Done: the case is now "Awaiting the return parcel"').waitFor();
    expect((await cases.get(caseId)).timeline.filter((entry) => entry.event.startsWith('review.')).length).toBe(1);

    // The customer's page refreshes by itself and asks for the parcel; the sandbox courier delivers it.
    const ship = customer.getByTestId('form-return-shipment');
    await ship.waitFor({ timeout: 30_000 });
    await ship.getByRole('button', { name: '提交' }).click();
    await customer.getByText('已完成：工单现在的状态是「退货运输中」').waitFor();

    const inspection = agent.getByTestId('form-inspection');
    await inspection.waitFor({ timeout: 60_000 });
    await agent.screenshot({ path: path.join(screenshots, 'desk-case.png'), fullPage: true });
    expect(await accessibilityViolations(agent)).toEqual([]);
    await inspection.getByRole('button', { name: 'Submit' }).click();
    await agent.getByText(/Done: the case is now "(Refunding|Completed)"/).waitFor();

    // The refund settles; the customer sees the case completed and answers the survey.
    const survey = customer.getByTestId('form-survey');
    await survey.waitFor({ timeout: 60_000 });
    await customer.getByText('已完成', { exact: true }).first().waitFor();
    await survey.getByLabel('评分（1–5）').selectOption('5');
    await survey.getByLabel('评价').fill('很快');
    await survey.getByRole('button', { name: '提交' }).click();
    await customer.getByText('感谢您的评价：5 分。').waitFor();
    expect((await cases.get(caseId)).survey).toMatchObject({ score: 5 });
  }, 240_000);

  test("an agent on the phone opens a case for a customer: the customer's id, then one of that customer's orders; the case is the buyer's", async () => {
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.getByRole('link', { name: 'Open for a customer' }).click();
    await agent.getByLabel('Customer ID').fill('c-2');
    await agent.getByRole('button', { name: 'Show orders' }).click();
    // A seeded order of c-2: a walnut desk lamp and two mugs, paid with WeChat Pay.
    await agent.getByTestId('orders').getByText('o-c2-2001').waitFor();
    expect(await agent.getByTestId('orders').innerText()).not.toContain('o-c1-');
    await pickOrderLine(agent, 'o-c2-2001', 'o-c2-2001-L1');
    await agent.getByLabel('Type', { exact: true }).selectOption('complaint');
    await agent.getByLabel('Reason', { exact: true }).selectOption('other');
    await agent.getByLabel('Description').fill('called in: the lamp arrived late and the courier was rude');
    expect(await accessibilityViolations(agent)).toEqual([]);
    await agent.getByRole('button', { name: 'Open the case' }).click();
    const caseId = await caseIdOf(agent);
    const opened = await cases.get(caseId);
    expect(opened).toMatchObject({ customerId: 'c-2', orderId: 'o-c2-2001', items: [{ lineId: 'o-c2-2001-L1', sku: 'SKU-LAMP-2', title: 'Desk lamp, walnut', quantity: 1, orderedQuantity: 1 }] });
    const item = agent.getByTestId('items').locator('tr[data-line-id="o-c2-2001-L1"]');
    await item.waitFor();
    expect(await item.innerText()).toContain(yuan(opened.items[0].linePaid!));
    await agent.getByTestId('order-read').waitFor();
  });

  test('a command the case no longer allows is refused in words (409), and what was typed stays', async () => {
    const opened = await cases.opened(tokens.customer, returnBody(`DESK-409-${randomUUID()}`));
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${opened.id}`);
    const review = agent.getByTestId('form-review');
    await review.getByLabel('Decision').selectOption('reject');
    await review.getByLabel('Note').fill('photo shows wear from use');
    // Meanwhile someone else approves it.
    await cases.accepted(tokens.warehouse, opened.id, 'review', { decision: 'approve' });
    await review.getByRole('button', { name: 'Submit' }).click();
    const alert = review.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('409 · The case is not waiting for a review any more');
    expect(await review.getByLabel('Note').inputValue()).toBe('photo shows wear from use');
  });

  test('the language switch turns every label to English and back, and survives a reload', async () => {
    const page = await newPage();
    await signIn(page, tokens.supervisor, 'zh-CN');
    await page.getByRole('heading', { name: '待办队列' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('button', { name: /English/ }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'Queue' }).waitFor(); // still signed in (sessionStorage), still English
    expect(await page.evaluate(() => (globalThis as unknown as { location: { href: string } }).location.href)).not.toContain(tokens.supervisor);
    await page.getByRole('button', { name: /中文/ }).click();
    await page.getByRole('heading', { name: '待办队列' }).waitFor();
  });

  test("a customer who opens another customer's case sees a clean not found, and never lists it", async () => {
    const opened = await cases.opened(tokens.customer, returnBody(`DESK-ISO-${randomUUID()}`));
    const other = await newPage(PHONE);
    await signIn(other, tokens.otherCustomer, 'en');
    await other.goto(`${desk}cases/${opened.id}`);
    await other.getByText('This case was not found (it does not exist, or it is not yours).').waitFor();
    // Nor can they find another customer's order to open a case on: the same "not found" as an order that does not exist.
    await other.goto(`${desk}new`);
    await other.locator('input[name="findOrder"]').fill('o-c1-1001');
    await other.getByRole('button', { name: 'Find', exact: true }).click();
    await other.getByText('This order was not found (it does not exist, or it is not yours).').waitFor();
    await other.goto(desk);
    await other.getByRole('heading', { name: 'My cases' }).waitFor();
    await other.getByText(/No cases match|Return|Exchange|Repair|Complaint/).first().waitFor();
    expect(await other.content()).not.toContain(opened.id);
  });

  test('in the queue a countdown turns amber at the warning point and red with "overdue by" past the deadline', async () => {
    const opened = await cases.opened(tokens.customer, returnBody(`DESK-SLA-${randomUUID()}`));
    const assignee = `desk.${randomUUID().slice(0, 8)}`;
    await cases.accepted(tokens.supervisor, opened.id, 'assign', { assignee });
    const page = await newPage();
    await page.clock.install();
    await signIn(page, tokens.supervisor, 'en');
    await page.getByLabel('Assignee').fill(assignee);
    await page.getByRole('button', { name: 'Apply' }).click();
    const countdown = page.locator(`tr[data-case-id="${opened.id}"] td.countdown`);
    await countdown.waitFor({ timeout: 30_000 });
    expect(await countdown.getAttribute('data-urgency')).toBe('ok');
    await page.clock.fastForward('20:00:00'); // past 80 % of the 24 h review budget
    const urgencyIs = (urgency: string) => page.waitForFunction(`document.querySelector('tr[data-case-id="${opened.id}"] td.countdown')?.getAttribute('data-urgency') === '${urgency}'`);
    await urgencyIs('warning');
    await page.clock.fastForward('05:00:00');
    await urgencyIs('overdue');
    expect(await countdown.innerText()).toMatch(/overdue by 1 h/);
  });

  test('a supervisor sees the queue and the SLA report with charts, a breach on the Beijing day it happened, and exports it as CSV', async () => {
    // A processing breach five days ago at 17:30 UTC, i.e. 01:30 the next day in Beijing, recorded the
    // way the worker records one (the stack cannot make a case breach in the past).
    const utcDate = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
    const at = `${utcDate}T17:30:00.000Z`;
    const breachDay = beijingDate(Date.parse(at));
    const assignee = `desk.report.${randomUUID().slice(0, 8)}`;
    await createReadModel(stackDb.db).recordEscalation({
      caseId: `cs_${randomUUID().replace(/-/g, '').slice(0, 24)}`, caseType: 'return', assignee, clock: 'processing', level: 1, reason: 'breach', at, recipients: [],
    });

    const page = await newPage();
    await signIn(page, tokens.supervisor, 'en');
    await page.locator('table.queue tbody tr').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, 'desk-queue.png') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'SLA report' }).click();
    await page.getByText('On-time rate per clock').waitFor();

    // The day chart: the breach is on its Beijing day, in the processing stage, and not on its UTC date.
    const perDay = page.getByRole('table', { name: 'Breaches per day by stage (Beijing days)' });
    const rowOf = async (day: string) => (await perDay.locator(`tr[data-day="${day}"]`).locator('th, td').allInnerTexts()).map((t) => t.trim());
    const header = (await perDay.locator('thead th').allInnerTexts()).map((t) => t.trim());
    const cell = (row: string[], column: string) => row[header.indexOf(column)];
    const breachRow = await rowOf(breachDay);
    expect({ day: cell(breachRow, 'Day'), processing: cell(breachRow, 'Processing'), total: cell(breachRow, 'Total') }).toEqual({ day: breachDay, processing: '1', total: '1' });
    expect(cell(await rowOf(utcDate), 'Total')).toBe('0');
    const column = page.locator(`figure.day-chart .day-column[data-day="${breachDay}"]`);
    expect({ total: await column.getAttribute('data-total'), stages: await Promise.all((await column.locator('.day-segment').all()).map((segment) => segment.getAttribute('data-clock'))) }).toEqual({
      total: '1',
      stages: ['processing'],
    });
    // Per assignee and week: one breach, in one week.
    const assigneeRow = (await page.locator(`table.assignee-weeks tr[data-assignee="${assignee}"]`).locator('th, td').allInnerTexts()).map((t) => t.trim());
    expect({ name: assigneeRow[0], weeks: assigneeRow.slice(1, -1).filter((n) => n !== '0'), total: assigneeRow.at(-1) }).toEqual({ name: assignee, weeks: ['1'], total: '1' });

    await page.screenshot({ path: path.join(screenshots, 'desk-report.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('\uFEFFsection,key,measure,value');
    expect(csv).toContain('cases,total,,');
    const lines = csv.split('\n');
    expect(lines).toEqual(expect.arrayContaining([`breachesByDay,${breachDay},total,1`, `breachesByDayAndClock,${breachDay},processing,1`, `breachesByDayAndAssignee,${breachDay},${assignee},1`, `breachesByDay,${utcDate},total,0`]));
    // The series adds up to the totals of the period.
    const sum = (section: string) => lines.filter((l) => l.startsWith(`${section},`)).reduce((n, l) => n + Number(l.split(',').at(-1)), 0);
    expect({ perDay: sum('breachesByDay'), perDayAndClock: sum('breachesByDayAndClock'), perDayAndAssignee: sum('breachesByDayAndAssignee') }).toEqual({
      perDay: sum('breachesByClock'),
      perDayAndClock: sum('breachesByClock'),
      perDayAndAssignee: sum('breachesByAssignee'),
    });

    // In Chinese too.
    await page.getByRole('button', { name: /中文/ }).click();
    await page.getByRole('table', { name: '每日超时次数（按环节，北京时间）' }).locator(`tr[data-day="${breachDay}"]`).waitFor({ state: 'attached' });
    await page.getByRole('table', { name: '各处理人每周超时次数（周一至周日）' }).locator(`tr[data-assignee="${assignee}"]`).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});

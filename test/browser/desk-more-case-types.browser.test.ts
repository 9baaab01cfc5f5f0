import path from 'node:path';
import type { Page } from 'playwright-core';
import { readIntegrationStack, STACK_ENV } from '../integration/stack/stack-file';
import { accessibilityViolations, PHONE } from '../integration/support/browser';
import { caseIdOf, deskSession, expectCase, pickOrderLine, placeDeskOrder, type DeskOrder } from '../integration/support/desk-session';
import { CasesApi, requiredEnv, SandboxClient, stackTokens } from '../integration/support/http-client';

// The case types desk-case-types.browser.test.ts does not walk — refund only, reship, courier
// exception, an out-of-warranty repair with its quote, an exchange whose replacement is out of
// stock — taken from the customer's form to the survey in the desk's pages alone (a customer's
// browser context and a staff one, in a real headless Chromium), on the integration stack whose
// sandbox delivers the parcels, settles the payments and answers "out of stock" for SKUs starting
// with OOS-. The API and the sandbox's ledger are only read, to check what the pages said.

const stack = readIntegrationStack();
const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const sandbox = new SandboxClient(stack.sandboxUrl);
const { desk, screenshots, newPage, signIn } = deskSession();
/** Long enough for the sandbox's tracking and payment callbacks and the case page's 5 s refresh. */
const CALLBACKS_MS = 60_000;

/** The customer's "what next" line as the page shows it. */
const nextStep = (page: Page) => page.getByRole('note').filter({ hasText: /下一步|What next/ });

/** The timeline cell of the first entry of `event`: the words on the page, the code as its tooltip. */
async function timelineWords(page: Page, event: string): Promise<{ words: string; tooltip: string | null }> {
  const cell = page.locator(`table.timeline td[data-event="${event}"]`).first();
  await cell.waitFor({ timeout: CALLBACKS_MS });
  const words = cell.locator('span[title]');
  return { words: (await words.innerText()).trim(), tooltip: await words.getAttribute('title') };
}

/** The customer answers the survey on a closed case's page and reads the thanks. */
async function answerSurvey(page: Page, lang: 'zh-CN' | 'en', score: string): Promise<void> {
  const survey = page.getByTestId('form-survey');
  await survey.waitFor({ timeout: CALLBACKS_MS });
  await survey.getByLabel(lang === 'en' ? 'Score (1–5)' : '评分（1–5）').selectOption(score);
  await survey.getByRole('button', { name: lang === 'en' ? 'Submit' : '提交' }).click();
  await page.getByText(lang === 'en' ? `Thank you for your answer: ${score} of 5.` : `感谢您的评价：${score} 分。`).waitFor();
}

/** Opens the customer's form, picks the order and its line, then `type`, and waits for the window of that type in words. */
async function startForm(page: Page, lang: 'zh-CN' | 'en', type: string, windowText: string | RegExp, order: DeskOrder): Promise<void> {
  await page.getByRole('link', { name: lang === 'en' ? 'Open a case' : '申请售后' }).first().click();
  await pickOrderLine(page, order.orderId, order.lineId);
  await page.getByLabel(lang === 'en' ? 'Type' : '类型', { exact: true }).selectOption(type);
  await page.getByText(windowText).first().waitFor();
}

describe('the remaining kinds of case, in the desk pages alone', () => {
  test('refund only for missing parts: the customer opens it with evidence, an agent approves it, and the customer sees the refund paid back with its amount and answers the survey', async () => {
    // The customer, on a phone and in Chinese, opens it in the form.
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    const order = await placeDeskOrder('DESK-RO', { sku: 'SKU-DESK-CHARGER', title: 'Phone charger', unitListPrice: 5650 });
    await startForm(customer, 'zh-CN', 'refund_only', '签收后 15 天内可申请', order);
    await customer.getByLabel('原因', { exact: true }).selectOption('missing_parts');
    await customer.getByText('此原因需要上传照片或视频凭证').waitFor();
    await customer.getByLabel('说明').fill('盒子里没有充电线');
    await customer.getByLabel('凭证链接（每行一个）').fill('https://img.example/charger-box.jpg');
    await customer.getByRole('button', { name: '提交申请' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('待审核').first().waitFor();
    // Nothing for the customer to do: the shop reviews, and the page says by when.
    expect(await nextStep(customer).innerText()).toMatch(/无需操作，我们正在处理（最晚 .*北京时间 前处理）/);

    // An agent, in English, sees the claim in yuan and approves it.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByRole('heading', { name: /Refund only/ }).waitFor();
    // The item as the order system gave it: title and sku, 1 unit claimed of 1 bought, the line's 实付, per unit and amount.
    expect(await agent.getByTestId('items').locator(`tr[data-line-id="${order.lineId}"]`).innerText()).toMatch(/^Phone charger SKU-DESK-CHARGER\s+1\s+1\s+CN¥56\.50\s+CN¥56\.50\s+CN¥56\.50$/);
    expect(await timelineWords(agent, 'case.opened')).toEqual({ words: 'Case opened', tooltip: 'case.opened' });
    await agent.getByTestId('form-review').getByRole('button', { name: 'Submit' }).click();
    await agent.getByText(/Done: the case is now "(Refunding|Completed)"/).waitFor();

    // The customer's page refreshes by itself: the refund, paid back, with its amount; the timeline in words.
    await customer.getByText(/¥56\.50 · 已到账/).waitFor({ timeout: CALLBACKS_MS });
    await customer.getByText('工单已完成，欢迎评价').waitFor();
    expect((await timelineWords(customer, 'refund.succeeded')).words).toBe('退款已到账');
    expect((await timelineWords(customer, 'review.approved')).words).toMatch(/^审核通过/);
    expect(await accessibilityViolations(customer)).toEqual([]);
    await answerSurvey(customer, 'zh-CN', '5');

    const done = await expectCase(cases, caseId, 'a completed refund-only case with the survey', (c) => c.status === 'completed' && c.survey?.score === 5);
    expect(done.refund).toMatchObject({ amount: 5650, status: 'succeeded' });
    expect(done.shipments).toEqual([]);
    expect((await sandbox.refundsOf(caseId)).map((r) => [r.amount, r.status])).toEqual([[5650, 'succeeded']]);
  }, 240_000);

  test('a reship of goods damaged in transit: the customer opens it, an agent approves it, and the customer sees the reship parcel, confirms it came and answers the survey', async () => {
    const customer = await newPage();
    await signIn(customer, tokens.customer, 'en');
    const order = await placeDeskOrder('DESK-RS', { sku: 'SKU-DESK-VASE', title: 'Glass vase', unitListPrice: 12_000 });
    await startForm(customer, 'en', 'reship', 'Can be opened within 7 days of delivery', order);
    await customer.getByLabel('Reason', { exact: true }).selectOption('damaged_in_transit');
    await customer.getByText('This reason needs photo or video evidence').waitFor();
    await customer.getByLabel('Description').fill('arrived in pieces');
    await customer.getByLabel('Evidence links (one per line)').fill('https://img.example/vase-broken.jpg');
    await customer.getByRole('button', { name: 'Open the case' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('Awaiting review').first().waitFor();

    // An agent, in Chinese, approves it: the same items go out again at the shop's cost.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'zh-CN');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByRole('heading', { name: /补发/ }).waitFor();
    await agent.getByTestId('form-review').getByRole('button', { name: '提交' }).click();
    await agent.getByText(/已完成：工单现在的状态是「(换货发出中|待客户确认收货)」/).waitFor();

    // The customer's page: the reship parcel with its tracking number, what to do and by when.
    const confirm = customer.getByTestId('form-confirm-receipt');
    await confirm.waitFor({ timeout: CALLBACKS_MS });
    const parcel = customer.locator('[data-testid="shipments"] tr[data-parcel="reship"]');
    await parcel.getByText('Reship').waitFor();
    const shipped = await expectCase(cases, caseId, 'a reship parcel handed to the courier', (c) => c.shipments.some((s) => s.purpose === 'reship'));
    expect(await parcel.innerText()).toContain(shipped.shipments.find((s) => s.purpose === 'reship')!.trackingNumber);
    expect(await nextStep(customer).innerText()).toMatch(/What next:\s*Confirm receipt once the parcel arrives by .*Beijing time/);
    expect((await timelineWords(customer, 'shipment.handed_to_courier')).words).toBe('Parcel handed to the courier');
    expect(await accessibilityViolations(customer)).toEqual([]);
    await confirm.getByRole('button', { name: 'I received it' }).click();
    await customer.getByText('Done: the case is now "Completed"').waitFor();
    await answerSurvey(customer, 'en', '4');

    const done = await expectCase(cases, caseId, 'a completed reship with the survey', (c) => c.status === 'completed' && c.survey?.score === 4);
    expect(done.shipments.map((s) => s.purpose ?? s.direction)).toEqual(['reship']);
    expect(done.outcome.shippingPaidBy).toBe('platform');
    expect(done.refund).toBeNull();
  }, 240_000);

  test('a courier exception for a parcel signed for but never received: the customer files it, an agent must choose the outcome and picks a refund, and the customer reads the resolution and the refund', async () => {
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    const order = await placeDeskOrder('DESK-CE', { sku: 'SKU-DESK-HEADPHONES', title: 'Headphones', unitListPrice: 19_900 });
    await startForm(customer, 'zh-CN', 'courier_exception', '签收后 15 天内可申请', order);
    await customer.getByLabel('原因', { exact: true }).selectOption('not_received');
    await customer.getByLabel('说明').fill('显示已签收，但我没有收到');
    await customer.getByRole('button', { name: '提交申请' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('调查处理中').first().waitFor();
    expect(await nextStep(customer).innerText()).toMatch(/无需操作，我们正在处理（最晚 .*北京时间 前处理）/);
    expect((await timelineWords(customer, 'investigation.opened')).words).toBe('已向快递发起调查');

    // An agent, in English: a courier exception is resolved by an outcome, never a compensation.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    const resolution = agent.getByTestId('form-resolution');
    await resolution.waitFor();
    expect(await resolution.getByLabel('Compensation', { exact: true }).count()).toBe(0);
    await resolution.getByLabel('How it was resolved').fill('the courier could not find the parcel; refunded in full');
    // Without an outcome the page says so and sends nothing.
    await resolution.getByRole('button', { name: 'Submit' }).click();
    await resolution.getByText('Field outcome: Choose the outcome').waitFor();
    const outcome = resolution.getByLabel('Outcome');
    expect(await outcome.locator('option').allInnerTexts()).toEqual(['Choose the outcome', 'Parcel found', 'Reship the items', 'Refund in full (CN¥199.00)']);
    await outcome.selectOption('refund');
    expect(await accessibilityViolations(agent)).toEqual([]);
    await resolution.getByRole('button', { name: 'Submit' }).click();
    await agent.getByText(/Done: the case is now "(Refunding|Completed)"/).waitFor();

    // The customer reads the resolution and the refund paid back, then answers the survey.
    await customer.getByText(/¥199\.00 · 已到账/).waitFor({ timeout: CALLBACKS_MS });
    await customer.getByTestId('resolution').getByText('处理结果：the courier could not find the parcel; refunded in full').waitFor();
    expect((await timelineWords(customer, 'investigation.refund')).words).toBe('调查结果：退款');
    await customer.screenshot({ path: path.join(screenshots, 'desk-courier-exception-phone.png'), fullPage: true });
    await answerSurvey(customer, 'zh-CN', '4');

    const done = await expectCase(cases, caseId, 'a completed courier exception refunded in full', (c) => c.status === 'completed' && c.survey?.score === 4);
    expect(done.outcome.resolution).toMatchObject({ text: 'the courier could not find the parcel; refunded in full', outcome: 'refund' });
    expect(done.refund).toMatchObject({ amount: 19900, status: 'succeeded' });
    expect((await sandbox.refundsOf(caseId)).map((r) => r.amount)).toEqual([19900]);
  }, 240_000);

  test('a repair out of warranty: an agent approves it, the customer accepts the 99-yuan quote, it is paid, the item goes in and comes back repaired, and the customer confirms it and answers the survey', async () => {
    // The customer, in English, opens a repair for a lamp bought 400 days ago (past the 12-month warranty).
    const customer = await newPage();
    await signIn(customer, tokens.customer, 'en');
    const order = await placeDeskOrder('DESK-RQ', { sku: 'SKU-DESK-LAMP-OLD', title: 'Standing lamp', unitListPrice: 26_800 }, { paidDaysAgo: 400, deliveredDaysAgo: 397 });
    await startForm(customer, 'en', 'repair', /Warranty: 12 months from delivery \(paid repair after that\)/, order);
    await customer.getByLabel('Reason', { exact: true }).selectOption('quality_issue');
    await customer.getByLabel('Description').fill('flickers, then goes dark');
    await customer.getByLabel('Evidence links (one per line)').fill('https://img.example/lamp-flicker.mp4');
    await customer.getByRole('button', { name: 'Open the case' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('Awaiting review').first().waitFor();

    // An agent, in Chinese, approves it: out of warranty, so the customer is sent the quote.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'zh-CN');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByTestId('form-review').getByRole('button', { name: '提交' }).click();
    await agent.getByText('已完成：工单现在的状态是「待客户确认报价」').waitFor();

    // The customer reads the quote, what to do and by when, and accepts it.
    const quote = customer.getByTestId('form-quote');
    await quote.waitFor({ timeout: CALLBACKS_MS });
    await quote.getByText('Repair quote: CN¥99.00').waitFor();
    expect(await nextStep(customer).innerText()).toMatch(/What next:\s*Accept or decline the repair quote of CN¥99\.00 by .*Beijing time/);
    expect(await accessibilityViolations(customer)).toEqual([]);
    await quote.getByLabel('Decision').selectOption('true');
    await quote.getByRole('button', { name: 'Submit' }).click();
    await customer.getByText(/Done: the case is now "(Awaiting payment|Awaiting the return parcel)"/).waitFor();

    // The sandbox settles the payment; the page shows it paid and the return label.
    const ship = customer.getByTestId('form-return-shipment');
    await ship.waitFor({ timeout: CALLBACKS_MS });
    await customer.getByText('Repair quote · CN¥99.00 · paid').waitFor();
    expect((await timelineWords(customer, 'repair.quote_paid')).words).toBe('Repair quote paid');
    await customer.getByTestId('return-label').getByText('Send the goods back with this label').waitFor();
    await ship.getByRole('button', { name: 'Submit' }).click();
    await customer.getByText('Done: the case is now "Return in transit"').waitFor();

    // Delivered to the repair center (sandbox); the agent records it repaired.
    const repair = agent.getByTestId('form-repair-result');
    await repair.waitFor({ timeout: CALLBACKS_MS });
    await repair.getByLabel('结果').selectOption('repaired');
    await repair.getByRole('button', { name: '提交' }).click();
    await agent.getByText(/已完成：工单现在的状态是「(换货发出中|待客户确认收货)」/).waitFor();

    const confirm = customer.getByTestId('form-confirm-receipt');
    await confirm.waitFor({ timeout: CALLBACKS_MS });
    await customer.locator('[data-testid="shipments"] tr[data-parcel="repair_return"]').getByText('Repaired item back').waitFor();
    await confirm.getByRole('button', { name: 'I received it' }).click();
    await customer.getByText('Done: the case is now "Completed"').waitFor();
    await answerSurvey(customer, 'en', '5');

    const done = await expectCase(cases, caseId, 'a completed paid repair with the survey', (c) => c.status === 'completed' && c.survey?.score === 5);
    expect(done.outcome.warranty).toBe('out_of_warranty');
    expect(done.outcome.quote).toMatchObject({ amount: 9900, accepted: true });
    expect(done.outcome.collections?.map((c) => [c.purpose, c.amount, c.status])).toEqual([['repair_quote', 9900, 'paid']]);
    expect(done.shipments.map((s) => s.purpose ?? s.direction).sort()).toEqual(['repair_return', 'return']);
    expect(done.refund).toBeNull();
  }, 300_000);

  test('an exchange whose replacement is out of stock: after the inspection the customer reads which item is missing and what a refund pays, chooses the refund, and sees it paid back', async () => {
    // The customer, on a phone and in Chinese, asks to exchange a faulty kettle the sandbox has none of (OOS-).
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    const order = await placeDeskOrder('DESK-EO', { sku: 'OOS-DESK-KETTLE', title: 'Electric kettle', unitListPrice: 8800 });
    await startForm(customer, 'zh-CN', 'exchange', '签收后 15 天内可申请', order);
    await customer.getByLabel('原因', { exact: true }).selectOption('quality_issue');
    expect(await customer.getByText('此原因的退货运费由您承担').count()).toBe(0);
    await customer.getByLabel('说明').fill('加热很慢');
    await customer.getByLabel('凭证链接（每行一个）').fill('https://img.example/kettle.jpg');
    await customer.getByRole('button', { name: '提交申请' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('待审核').first().waitFor();

    // An agent, in English, approves it; the customer ships it back with the label; the agent passes the inspection.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByTestId('form-review').getByRole('button', { name: 'Submit' }).click();
    await agent.getByText('Done: the case is now "Awaiting the return parcel"').waitFor();
    const ship = customer.getByTestId('form-return-shipment');
    await ship.waitFor({ timeout: CALLBACKS_MS });
    await ship.getByRole('button', { name: '提交' }).click();
    await customer.getByText('已完成：工单现在的状态是「退货运输中」').waitFor();
    const inspection = agent.getByTestId('form-inspection');
    await inspection.waitFor({ timeout: CALLBACKS_MS });
    await inspection.getByRole('button', { name: 'Submit' }).click();
    await agent.getByText(/Done: the case is now "(Inspecting|Out of stock: awaiting a choice)"/).waitFor();

    // The customer is told which item is missing, what a refund pays back and by when to choose.
    const stock = customer.getByTestId('form-stock-decision');
    await stock.waitFor({ timeout: CALLBACKS_MS });
    await stock.getByText('缺货商品：OOS-DESK-KETTLE。选择退款将全额退还 ¥88.00。').waitFor();
    expect(await nextStep(customer).innerText()).toMatch(/下一步:\s*商品缺货（OOS-DESK-KETTLE）：请选择退款或其他商品 截止 .*北京时间/);
    expect((await timelineWords(customer, 'stock.unavailable')).words).toMatch(/^换货商品缺货/);
    expect(await accessibilityViolations(customer)).toEqual([]);
    await stock.getByLabel('决定').selectOption('refund');
    await stock.getByRole('button', { name: '提交' }).click();
    await customer.getByText(/已完成：工单现在的状态是「(退款中|已完成)」/).waitFor();

    await customer.getByText(/¥88\.00 · 已到账/).waitFor({ timeout: CALLBACKS_MS });
    expect((await timelineWords(customer, 'stock.decision_refund')).words).toBe('缺货处理：选择退款');
    await answerSurvey(customer, 'zh-CN', '3');

    const done = await expectCase(cases, caseId, 'a completed exchange that became a full refund', (c) => c.status === 'completed' && c.survey?.score === 3);
    expect(done.refund).toMatchObject({ amount: 8800, status: 'succeeded' });
    expect(done.refund?.deduction ?? 0).toBe(0);
    expect(done.shipments.map((s) => s.purpose ?? s.direction)).toEqual(['return']);
  }, 300_000);
});

import path from 'node:path';
import { STACK_ENV } from '../integration/stack/stack-file';
import { accessibilityViolations, PHONE } from '../integration/support/browser';
import { caseIdOf, deskSession, expectCase, placeDeskOrder, pickOrderLine } from '../integration/support/desk-session';
import { CasesApi, describeCase, requiredEnv, stackTokens } from '../integration/support/http-client';

// An exchange, a repair in warranty and a complaint taken from the customer's form to the survey in
// the desk's pages alone (a customer's browser context and a staff one, in a real headless
// Chromium), on the integration stack whose sandbox delivers the parcels and settles the payments.
// The API is only read, to check that the pages did what they said.

const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
const { desk, screenshots, newPage, signIn } = deskSession();
/** Long enough for the sandbox's tracking and payment callbacks and the case page's 5 s refresh. */
const CALLBACKS_MS = 60_000;

/** The label the courier issued for the case's return parcel, as the case records it. */
async function returnLabelOf(caseId: string): Promise<{ labelId: string; warehouseCode: string; trackingNumber: string }> {
  const snapshot = await cases.get(caseId);
  const data = snapshot.timeline.find((entry) => entry.event === 'return.label_created')?.data as { labelId?: string; warehouseCode?: string; trackingNumber?: string } | undefined;
  if (!data?.labelId || !data.warehouseCode || !data.trackingNumber) throw new Error(`no return label with a warehouse and a number on the case: ${describeCase(snapshot)}`);
  return { labelId: data.labelId, warehouseCode: data.warehouseCode, trackingNumber: data.trackingNumber };
}

describe('every kind of case a customer brings, in the desk pages alone', () => {
  test('an exchange for a wrong size: the customer opens it and ships it back with the label, an agent approves and passes the inspection, the replacement arrives and the customer answers the survey', async () => {
    // The customer, on a phone and in Chinese, opens an exchange in the form.
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    // The shoes are an order of the shop's order system (the sandbox's): the customer picks it and its line.
    const order = await placeDeskOrder('DESK-EX', { sku: 'SKU-DESK-SHOE-42', title: 'Running shoes, size 42', unitListPrice: 8800 });
    await customer.getByRole('link', { name: '申请售后' }).first().click();
    await pickOrderLine(customer, order.orderId, order.lineId);
    await customer.getByLabel('类型', { exact: true }).selectOption('exchange');
    await customer.getByText('签收后 15 天内可申请').waitFor();
    await customer.getByLabel('原因', { exact: true }).selectOption('size_fit');
    await customer.getByText(/此原因的退货运费由您承担（.*10\.00）/).waitFor();
    await customer.getByLabel('说明').fill('鞋码偏小，换大一码');
    await customer.getByRole('button', { name: '提交申请' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('待审核').first().waitFor();

    // An agent, in English, approves it.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByRole('heading', { name: /Exchange/ }).waitFor();
    await agent.getByTestId('form-review').getByRole('button', { name: 'Submit' }).click();
    await agent.getByText('Done: the case is now "Awaiting the return parcel"').waitFor();

    // The customer's page refreshes by itself: it shows the return label and asks for the tracking number.
    const ship = customer.getByTestId('form-return-shipment');
    await ship.waitFor({ timeout: CALLBACKS_MS });
    const label = await returnLabelOf(caseId);
    const labelBox = customer.getByTestId('return-label');
    await labelBox.getByText('请用此面单将商品寄回').waitFor();
    const labelText = await labelBox.innerText();
    expect(labelText).toContain(label.labelId);
    expect(labelText).toContain(label.warehouseCode);
    expect(labelText).toContain('最晚寄出时间');
    // The label carries its number: the customer types nothing, only says the parcel left.
    expect(await labelBox.getByTestId('return-label-tracking-number').innerText()).toBe(label.trackingNumber);
    expect(await accessibilityViolations(customer)).toEqual([]);
    expect(await ship.getByLabel('寄回方式').inputValue()).toBe('label');
    expect(await ship.getByLabel('运单号').count()).toBe(0);
    await ship.getByRole('button', { name: '提交' }).click();
    await customer.getByText('已完成：工单现在的状态是「退货运输中」').waitFor();
    const returnRow = customer.locator('[data-testid="shipments"] tr[data-parcel="return"]');
    expect(await returnRow.innerText()).toMatch(new RegExp(`退货寄回[\\s\\S]*${label.trackingNumber}[\\s\\S]*${label.labelId}`));

    // The sandbox courier delivers the parcel to the warehouse; the agent passes the inspection.
    const inspection = agent.getByTestId('form-inspection');
    await inspection.waitFor({ timeout: CALLBACKS_MS });
    await inspection.getByRole('button', { name: 'Submit' }).click();
    await agent.getByText(/Done: the case is now "(Awaiting payment|Shipping the replacement|Awaiting confirmation of receipt)"/).waitFor();

    // The return shipping the customer owes is paid (sandbox), the replacement ships, and the customer confirms it came.
    const confirm = customer.getByTestId('form-confirm-receipt');
    await confirm.waitFor({ timeout: CALLBACKS_MS });
    await customer.locator('[data-testid="shipments"] tr[data-parcel="replacement"]').getByText('换货新品').waitFor();
    await customer.getByText(/退货运费 · .*10\.00 · 已支付/).waitFor();
    // Each parcel lists the courier's events in words, as the case recorded them: the return ends delivered to the warehouse.
    const returnTracking = await returnRow.getByTestId('tracking-events').locator('li').allInnerTexts();
    const recorded = (await cases.get(caseId)).timeline.filter((e) => e.event.startsWith('shipment.') && e.data?.trackingNumber === label.trackingNumber).map((e) => e.event);
    expect(recorded.length).toBeGreaterThan(0);
    expect(returnTracking).toHaveLength(recorded.length);
    expect(returnTracking[returnTracking.length - 1]).toContain('已签收');
    await confirm.getByRole('button', { name: '我已收到' }).click();
    await customer.getByText('已完成：工单现在的状态是「已完成」').waitFor();
    await customer.screenshot({ path: path.join(screenshots, 'desk-exchange-phone.png'), fullPage: true });

    const survey = customer.getByTestId('form-survey');
    await survey.getByLabel('评分（1–5）').selectOption('4');
    await survey.getByLabel('评价').fill('换货顺利');
    await survey.getByRole('button', { name: '提交' }).click();
    await customer.getByText('感谢您的评价：4 分。').waitFor();

    const done = await expectCase(cases, caseId, 'a completed exchange with a replacement parcel and the survey', (c) => c.status === 'completed' && c.survey?.score === 4);
    expect(done.shipments.map((s) => s.purpose ?? s.direction).sort()).toEqual(['replacement', 'return']);
    expect(done.refund).toBeNull();
  }, 300_000);

  test('a repair in warranty: the customer opens it and ships the item in by their own courier, an agent scans it in and records it repaired, the item comes back and the customer confirms it and answers the survey', async () => {
    // The customer, in English, opens a repair for an item bought 100 days ago (within the 12-month warranty).
    const customer = await newPage();
    await signIn(customer, tokens.customer, 'en');
    // The order system says when it was paid and delivered: nothing of it is typed.
    const order = await placeDeskOrder('DESK-RP', { sku: 'SKU-DESK-LAMP', title: 'Reading lamp', unitListPrice: 8800 }, { paidDaysAgo: 100, deliveredDaysAgo: 97 });
    await customer.getByRole('link', { name: 'Open a case' }).first().click();
    await pickOrderLine(customer, order.orderId, order.lineId);
    await customer.getByLabel('Type', { exact: true }).selectOption('repair');
    await customer.getByText(/Warranty: 12 months from delivery/).waitFor();
    await customer.getByLabel('Reason', { exact: true }).selectOption('quality_issue');
    await customer.getByText('This reason needs photo or video evidence').waitFor();
    await customer.getByLabel('Description').fill('the switch stopped working');
    await customer.getByLabel('Evidence links (one per line)').fill('https://img.example/lamp-switch.jpg');
    await customer.getByRole('button', { name: 'Open the case' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('Awaiting review').first().waitFor();

    // An agent, in Chinese, approves it: in warranty, so it goes to the repair center for free.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'zh-CN');
    await agent.goto(`${desk}cases/${caseId}`);
    await agent.getByRole('heading', { name: /维修/ }).waitFor();
    await agent.getByTestId('form-review').getByRole('button', { name: '提交' }).click();
    await agent.getByText('已完成：工单现在的状态是「待客户寄回」').waitFor();

    // The customer sees the label, but sends the item by their own courier and says so.
    const ship = customer.getByTestId('form-return-shipment');
    await ship.waitFor({ timeout: CALLBACKS_MS });
    const label = await returnLabelOf(caseId);
    const labelBox = customer.getByTestId('return-label');
    await labelBox.getByText('Send the goods back with this label').waitFor();
    expect(await labelBox.innerText()).toContain(label.labelId);
    expect(await labelBox.innerText()).toContain(label.warehouseCode);
    await ship.getByLabel('How you send it').selectOption('own_courier');
    await ship.getByText('counts as received once the warehouse scans it in').waitFor();
    const ownNumber = `YT${Date.now()}`;
    await ship.getByLabel('Carrier').fill('YTO');
    await ship.getByLabel('Tracking number').fill(ownNumber);
    await ship.getByRole('button', { name: 'Submit' }).click();
    await customer.getByText('Done: the case is now "Return in transit"').waitFor();

    // The repair center scans in the parcel in hand: another parcel's number is refused in words, this one receives it.
    await agent.reload();
    const scan = agent.getByTestId('form-receive');
    await scan.waitFor({ timeout: CALLBACKS_MS });
    await scan.getByLabel('运单号').fill(label.trackingNumber);
    await scan.getByRole('button', { name: '提交' }).click();
    await scan.getByRole('alert').getByText('所填内容与工单不符').waitFor();
    expect(await scan.getByRole('alert').innerText()).toContain(`expected ${ownNumber}`);
    await scan.getByLabel('运单号').fill(ownNumber);
    await scan.getByRole('button', { name: '提交' }).click();
    await agent.getByText('已完成：工单现在的状态是「维修中」').waitFor();

    // The agent records the repair as done and verified.
    const repair = agent.getByTestId('form-repair-result');
    await repair.waitFor({ timeout: CALLBACKS_MS });
    await repair.getByLabel('结果').selectOption('repaired');
    expect(await repair.getByLabel('已验证').isChecked()).toBe(true);
    await repair.getByLabel('备注').fill('更换开关');
    expect(await accessibilityViolations(agent)).toEqual([]);
    await repair.getByRole('button', { name: '提交' }).click();
    await agent.getByText(/已完成：工单现在的状态是「(换货发出中|待客户确认收货)」/).waitFor();

    // The repaired item ships back; the customer confirms it came and answers the survey.
    const confirm = customer.getByTestId('form-confirm-receipt');
    await confirm.waitFor({ timeout: CALLBACKS_MS });
    await customer.locator('[data-testid="shipments"] tr[data-parcel="repair_return"]').getByText('Repaired item back').waitFor();
    await customer.getByText(/What next:\s*Confirm receipt once the parcel arrives by /).waitFor();
    await confirm.getByRole('button', { name: 'I received it' }).click();
    await customer.getByText('Done: the case is now "Completed"').waitFor();
    const survey = customer.getByTestId('form-survey');
    await survey.getByLabel('Score (1–5)').selectOption('5');
    await survey.getByLabel('Comment').fill('works like new');
    await survey.getByRole('button', { name: 'Submit' }).click();
    await customer.getByText('Thank you for your answer: 5 of 5.').waitFor();

    const done = await expectCase(cases, caseId, 'a completed repair in warranty with the survey', (c) => c.status === 'completed' && c.survey?.score === 5);
    expect(done.outcome.warranty).toBe('in_warranty');
    expect(done.shipments.map((s) => s.purpose ?? s.direction).sort()).toEqual(['repair_return', 'return']);
    expect(done.outcome.goodsReceived).toMatchObject({ trackingNumber: ownNumber, by: 'scan_in' });
    expect(done.refund).toBeNull();
  }, 300_000);

  test('a complaint: the customer files it, an agent resolves it with a coupon, and the customer reads the resolution and answers the survey', async () => {
    const customer = await newPage(PHONE);
    await signIn(customer, tokens.customer, 'zh-CN');
    const order = await placeDeskOrder('DESK-CP', { sku: 'SKU-DESK-KETTLE', title: 'Electric kettle', unitListPrice: 12_000 });
    await customer.getByRole('link', { name: '申请售后' }).first().click();
    await pickOrderLine(customer, order.orderId, order.lineId);
    await customer.getByLabel('类型', { exact: true }).selectOption('complaint');
    await customer.getByText('无申请期限').waitFor();
    await customer.getByLabel('原因', { exact: true }).selectOption('other');
    await customer.getByLabel('说明').fill('快递员态度恶劣，包裹被扔在门口');
    await customer.getByRole('button', { name: '提交申请' }).click();
    const caseId = await caseIdOf(customer);
    await customer.getByText('调查处理中').first().waitFor();
    await customer.getByText('无需操作，我们正在处理').waitFor();

    // An agent, in English, resolves it with a 20-yuan coupon.
    const agent = await newPage();
    await signIn(agent, tokens.agent, 'en');
    await agent.goto(`${desk}cases/${caseId}`);
    const resolution = agent.getByTestId('form-resolution');
    await resolution.waitFor();
    await resolution.getByLabel('How it was resolved').fill('apologised; the courier company was told; coupon given');
    await resolution.getByLabel('Compensation', { exact: true }).selectOption('coupon');
    await resolution.getByLabel('Compensation amount (yuan)').fill('20');
    await resolution.getByRole('button', { name: 'Submit' }).click();
    await agent.getByText('Done: the case is now "Completed"').waitFor();

    // The customer's page refreshes by itself: the resolution, the coupon, and the survey.
    const survey = customer.getByTestId('form-survey');
    await survey.waitFor({ timeout: CALLBACKS_MS });
    const outcome = customer.getByTestId('resolution');
    await outcome.getByText('处理结果：apologised; the courier company was told; coupon given').waitFor();
    await outcome.getByText(/已发放优惠券：.*20\.00/).waitFor();
    expect(await accessibilityViolations(customer)).toEqual([]);
    await survey.getByLabel('评分（1–5）').selectOption('3');
    await survey.getByRole('button', { name: '提交' }).click();
    await customer.getByText('感谢您的评价：3 分。').waitFor();

    const done = await expectCase(cases, caseId, 'a completed complaint with its coupon and the survey', (c) => c.status === 'completed' && c.survey?.score === 3);
    expect(done.outcome.resolution).toMatchObject({ text: 'apologised; the courier company was told; coupon given', compensation: { kind: 'coupon', amount: 2000 } });
    expect(done.refund).toBeNull();
  }, 180_000);
});

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { caseWorkflowId } from '../../domain/ids';
import { readIntegrationStack, STACK_ENV } from '../integration/stack/stack-file';
import { DESKTOP, headlessChromium } from '../integration/support/browser';
import { daysAgo } from '../integration/support/fixtures';
import { CasesApi, requiredEnv, stackTokens } from '../integration/support/http-client';

// The Temporal Web UI in a real (headless) Chromium: a case's input shows the customer's text
// only through our codec endpoint, after a staff member signs in there; without it, ciphertext.

const stack = readIntegrationStack();
const tokens = stackTokens();
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);
// One host name for the UI and the API, so the browser treats them as one site and sends the codec cookie.
const apiUrl = stack.apiUrl.replace('127.0.0.1', 'localhost');
const uiUrl = stack.configEnv.TEMPORAL_UI_URL;
const screenshots = path.join(stack.logDir, 'screenshots');

const chromium = headlessChromium();
let workflowId: string;
let marker: string;

beforeAll(async () => {
  marker = `Wang Wu 136${Math.floor(Math.random() * 1e8)} 5 Huaihai Road`;
  const opened = await cases.opened(tokens.agent, {
    type: 'return',
    orderId: `IT-UI-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: 'SKU-UI-1', quantity: 1, unitPrice: 5600 }],
    reason: { code: 'no_reason', description: marker },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 5600, currency: 'CNY' },
  });
  workflowId = caseWorkflowId(opened.id);
  fs.mkdirSync(screenshots, { recursive: true });
}, 60_000);

/** The UI's own codec settings (what an ops person ticks once): our endpoint, with the session cookie. */
async function useCodecEndpoint(page: Page): Promise<void> {
  await page.goto(uiUrl);
  await page.evaluate((endpoint) => {
    // Runs in the page (the project's TypeScript has no DOM types).
    const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
    storage.setItem('endpoint', JSON.stringify(endpoint));
    storage.setItem('includeCredentials', 'true');
    storage.setItem('overrideRemoteCodecConfiguration', 'true');
  }, `${apiUrl}/codec`);
}

async function openCase(page: Page): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/${stack.temporalNamespace}/workflows/${encodeURIComponent(workflowId)}`);
  await page.getByText('returnCaseWorkflow').first().waitFor({ timeout: 30_000 });
}

describe('the Temporal UI with our codec endpoint', () => {
  test('a staff member who signed in at /codec/login sees the case input decoded', async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${apiUrl}/codec/login`);
    await page.getByLabel('Staff token').fill(tokens.supervisor);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    await useCodecEndpoint(page);
    await openCase(page);
    await page.getByText(marker).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, 'decoded-case.png'), fullPage: true });
    await context.close();
  });

  test('without signing in, the same page shows only ciphertext', async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await useCodecEndpoint(page); // the endpoint is set, but this browser has no session: the codec answers 401
    await openCase(page);
    // The UI's own banner (a hidden tooltip repeats the words, hence the paragraph).
    await page.locator('p', { hasText: 'Codec Server could not connect' }).first().waitFor({ timeout: 30_000 });
    const content = await page.content();
    expect({ customerText: content.includes(marker), inputFields: content.includes('"caseId"') }).toEqual({ customerText: false, inputFields: false });
    await page.screenshot({ path: path.join(screenshots, 'ciphertext-case.png'), fullPage: true });
    await context.close();
  });
});

import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { CaseSnapshot } from '../../../domain/case.types';
import { readIntegrationStack } from '../stack/stack-file';
import { headlessChromium, signInToDesk } from './browser';
import { describeCase, type CasesApi } from './http-client';
import { SandboxOrders } from './sandbox-orders';

/**
 * The desk of the integration stack for the calling browser test file: its start page, a
 * screenshot folder in the stack's logs (made before the tests), a page per person, sign-in.
 */
export function deskSession(): {
  readonly desk: string;
  readonly screenshots: string;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  signIn(page: Page, token: string, lang: 'zh-CN' | 'en'): Promise<void>;
} {
  const stack = readIntegrationStack();
  const desk = `${stack.apiUrl}/desk/`;
  const screenshots = path.join(stack.logDir, 'screenshots');
  const chromiumTabs = headlessChromium();
  beforeAll(() => {
    fs.mkdirSync(screenshots, { recursive: true });
  });
  return {
    desk,
    screenshots,
    /** A page in a browser context of its own: one person. */
    newPage: (viewport) => chromiumTabs.newPage(viewport),
    /** Signs in on the desk's start page, in Chinese (the default) or after switching to English. */
    signIn: (page, token, lang) => signInToDesk(page, desk, token, lang),
  };
}

/** The case id of the case page the browser is on. */
export async function caseIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/desk\/cases\/cs_[0-9a-f]{24}$/);
  return page.url().split('/').pop()!;
}

/** Fails with the case's state when `check` does not hold on its snapshot. */
export async function expectCase(cases: CasesApi, caseId: string, what: string, check: (c: CaseSnapshot) => boolean): Promise<CaseSnapshot> {
  const snapshot = await cases.get(caseId);
  if (!check(snapshot)) throw new Error(`expected ${what}, but ${describeCase(snapshot)}`);
  return snapshot;
}

/** A line to put on an order placed for one browser test. */
export interface DeskOrderLine {
  sku: string;
  /** Minor units. */
  unitListPrice: number;
  unitsBought?: number;
  title?: string;
  category?: string;
}

/** The order a browser test opens its case on, and its one line. */
export interface DeskOrder {
  orderId: string;
  lineId: string;
  title: string;
}

/**
 * Places a one-line order in the sandbox's order service (its control route `POST /orders`), the
 * way the shop's order system would hold it: bought by `customerId` (default c-1, the stack's
 * customer token), paid online `paidDaysAgo` days ago (default 5), and signed for
 * `deliveredDaysAgo` days ago (default 3; null: on its way).
 */
export async function placeDeskOrder(
  prefix: string,
  line: DeskOrderLine,
  options: { customerId?: string; paidDaysAgo?: number; deliveredDaysAgo?: number | null; channel?: 'alipay' | 'wechatpay' | 'other' } = {},
): Promise<DeskOrder> {
  const { customerId = 'c-1', paidDaysAgo = 5, deliveredDaysAgo = 3, channel = 'alipay' } = options;
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const orderId = `${prefix}-${randomUUID()}`;
  const order = await new SandboxOrders(readIntegrationStack().sandboxUrl).place({
    orderId,
    customerId,
    placedAt: ago(paidDaysAgo),
    payment: { method: 'online', channel },
    lines: [{ lineId: `${orderId}-L1`, unitsBought: 1, ...line }],
    shipments: [{ carrier: 'SF', shippedAt: ago(deliveredDaysAgo === null ? paidDaysAgo / 2 : (paidDaysAgo + deliveredDaysAgo) / 2), deliveredAt: deliveredDaysAgo === null ? null : ago(deliveredDaysAgo) }],
  });
  return { orderId, lineId: order.lines[0].lineId, title: order.lines[0].title };
}

/**
 * On the desk's opening form: picks the order (from the list when it is on the first page, else
 * found by its number), ticks the line and sets the units claimed. Language-independent: it finds
 * the order and the line by their ids.
 */
export async function pickOrderLine(page: Page, orderId: string, lineId: string, units = 1): Promise<void> {
  const picker = page.locator('.order-picker');
  await picker.locator('[data-testid="orders"], [role="alert"]').first().waitFor();
  const listed = page.locator(`[data-order-id="${orderId}"] input[type="radio"]`);
  if ((await listed.count()) > 0) {
    await listed.check();
  } else {
    await page.locator('input[name="findOrder"]').fill(orderId);
    await page.locator('.order-lookup button').click();
  }
  await page.getByTestId('order-facts').getByText(orderId).waitFor();
  const line = page.locator(`[data-line-id="${lineId}"]`);
  await line.locator('input[type="checkbox"]').check();
  await line.locator('input[type="number"]').fill(String(units));
}

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/setup.sh --test-tools installs it); no browser is ever downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = require.resolve('axe-core/axe.min.js');

/** A phone and a desktop viewport. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 1000 };

/** Headless Chromium for the calling test file: launched before its tests, closed (with every context it opened) after them. */
export function headlessChromium(): { readonly browser: Browser; newPage(viewport?: { width: number; height: number }): Promise<Page> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not launched yet (use it inside tests)');
      return browser;
    },
    /** A page in a new context of its own (a person of its own), in Chinese and Beijing time. */
    async newPage(viewport = DESKTOP) {
      if (!browser) throw new Error('Chromium is not launched yet (use it inside tests)');
      // bypassCSP lets a test inject axe-core into pages whose policy allows only their own scripts.
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', bypassCSP: true });
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** Signs in on the desk's start page `desk`, in Chinese (the default) or after switching to English. */
export async function signInToDesk(page: Page, desk: string, token: string, lang: 'zh-CN' | 'en'): Promise<void> {
  await page.goto(desk);
  if (lang === 'en') await page.getByRole('button', { name: /English/ }).click();
  await page.getByLabel(lang === 'en' ? 'Access token' : '访问令牌').fill(token);
  await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : '登录', exact: true }).click();
  await page.getByText(lang === 'en' ? 'Signed in as' : '当前用户').waitFor();
}

/** axe-core's WCAG 2 A/AA violations on the page as it is now ("id: target" lines). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    type Axe = { run(options: unknown): Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> };
    const axe = (globalThis as unknown as { axe: Axe }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(' ')}`);
  });
}

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beijingDate } from '../../../domain/beijing-time';
import type { CaseSnapshot } from '../../../domain/case.types';
import { readIntegrationStack } from '../stack/stack-file';
import { headlessChromium, signInToDesk } from './browser';
import { describeCase, type CasesApi } from './http-client';

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

/** A Beijing calendar date `days` days ago, as a date input takes it (YYYY-MM-DD). */
export const beijingDateDaysAgo = (days: number): string => beijingDate(Date.now() - days * 86_400_000);

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

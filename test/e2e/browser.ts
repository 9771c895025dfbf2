/**
 * Browser tests drive Debian's Chromium (apt-get install chromium; never a downloaded browser) with
 * playwright-core, against a real Yumen serving the built console (npm run build:web). Without Chromium
 * or the build they are skipped locally and fail under CI=true.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { DEFAULT_CONSOLE_DIR } from '../../src/server/static.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests cannot run here, or null when they can (CI=true turns a reason into a failure). */
export function browserSkipReason(): string | null {
  const reason = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
    : !existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html')) ? 'the console is not built (npm run build:web)' : null;
  if (reason && process.env.CI === 'true') throw new Error(`browser tests required in CI: ${reason}`);
  return reason;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page in a fresh context that remembers every uncaught error and console error for `assertNoErrors`. */
export interface WatchedPage { page: Page; errors: string[]; close(): Promise<void> }

export async function openPage(browser: Browser, opts: { locale?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: opts.locale ?? 'zh-CN', viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A 4xx answer the page expected (signed out, a refused form) is logged by Chromium as a failed
    // resource; that is the API speaking, not a fault of the page.
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return { page, errors, close: () => context.close() };
}

export function assertNoErrors(w: WatchedPage): void {
  assert.deepEqual(w.errors, [], 'the page logged errors');
}

/**
 * Screenshots for docs/console.md, when YUMEN_SCREENSHOTS=1: docs/img/console-<name>.png as the page is,
 * and -en.png after the language switch (switched back afterwards).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.YUMEN_SCREENSHOTS !== '1') return;
  const dir = join(import.meta.dirname, '../../docs/img');
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(1000); // charts animate in
  await page.screenshot({ path: join(dir, `console-${name}.png`) });
  const toggle = page.getByTestId('lang-switch');
  if (name.endsWith('-en') || name.endsWith('-zh') || !(await toggle.count())) return;
  await toggle.first().dispatchEvent('click'); // also under an open dialog's mask
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(dir, `console-${name}-en.png`) });
  await toggle.first().dispatchEvent('click'); // also under an open dialog's mask
}

export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('signin').waitFor();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('whoami').waitFor();
}

/**
 * Picks the option of an antd Select whose title contains `title`, and waits until the Select shows it.
 * The dropdown slides open; a click during that motion can land on the option above or be lost, and
 * Playwright retries a click's actionability, never its effect. So: wait for the motion to end, click,
 * check that the choice took, and try again if it did not.
 */
export async function chooseOption(page: Page, select: Locator, title: string): Promise<void> {
  const option = page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title*="${title}"]`);
  const shown = select.locator(`[title*="${title}"]`);
  for (let attempt = 1; ; attempt++) {
    if (!(await option.isVisible())) await select.click();
    await option.waitFor();
    await option.evaluate((el) => Promise.all(el.closest('.ant-select-dropdown')!.getAnimations({ subtree: true }).map((a) => a.finished)));
    await option.click();
    try {
      await shown.first().waitFor({ timeout: 3000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

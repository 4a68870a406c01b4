// Headless Chromium for the dashboard browser tests: where it is, whether to skip, and a page that records what the
// page logs as errors.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
// Locally a missing Chromium skips; in CI it must run (and fails loudly if Chromium is missing).
export const skipWithoutChromium = !existsSync(CHROMIUM) && !process.env.CI;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A page in a fresh profile at `profileDir`; console errors and uncaught page errors go to `consoleErrors`. */
export async function openChromiumPage(profileDir: string, viewport: { width: number; height: number }, consoleErrors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return { context, page };
}

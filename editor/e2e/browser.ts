import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFailed } from 'vitest';
import { startTestApp } from '../../test/app.ts';

/** Screenshots of end-to-end runs (git-ignored), to look at after a run. */
export const artifactsDir = fileURLToPath(new URL('../../artifacts/e2e/', import.meta.url));

/** Debian's Chromium, headless, with nothing that phones home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** A call to the app's API as its admin; the parsed answer, or an error naming the status and body. */
export async function adminApi<T>(app: TestApp, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${app.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${app.adminApiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Signs in with the admin key, in `language`, and opens `hash` (e.g. `#/templates`). */
export async function signIn(page: Page, app: TestApp, language: 'en' | 'zh-CN', hash: string): Promise<void> {
  await page.goto(app.url);
  await page.evaluate(
    ([key, lng]) => {
      localStorage.setItem('waymark.apiKey', key);
      localStorage.setItem('waymark.language', lng);
    },
    [app.adminApiKey, language] as const,
  );
  await page.goto(`${app.url}/${hash}`);
  await page.reload();
}

/**
 * Starts the real app and Chromium once for the test file and stops both after it. Read
 * `session.app` and `session.browser` inside tests.
 *
 * @example const session = appAndBrowser(); test('…', async () => { await session.browser.newPage(); });
 */
export function appAndBrowser(): { app: TestApp; browser: Browser } {
  const session = {} as { app: TestApp; browser: Browser };
  beforeAll(async () => {
    [session.app, session.browser] = await Promise.all([startTestApp(), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.app?.stop();
  });
  return session;
}

/**
 * A 1280×800 page that records console errors and page errors. Call it inside a test: when the
 * test fails, the page is saved as `artifacts/e2e/failed-<name>.png`, to see what the user saw.
 */
export async function openPage(browser: Browser, name: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleErrors: string[] = [];
  onTestFailed(async () => {
    if (consoleErrors.length > 0) console.error(`console errors in ${name}:\n${consoleErrors.join('\n')}`);
    await screenshot(page, `failed-${name}`).catch(() => undefined);
  });
  page.on('console', (m) => {
    // The location names the resource of a "Failed to load resource" error.
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  return { page, consoleErrors };
}

/** Saves `artifacts/e2e/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: `${artifactsDir}${name}.png` });
}

/** Drags a kind from the palette and drops it at a point of the canvas (relative to its top left). */
export async function dropKind(page: Page, kind: string, at: { x: number; y: number }): Promise<void> {
  await page.locator(`.palette-item[data-kind="${kind}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
}

/**
 * Waits until the canvas stops moving (a fit-view or zoom animation has ended): the viewport's
 * transform is the same in three reads 200 ms apart, longer than the editor's 300 ms animations.
 */
export async function viewSettled(page: Page): Promise<void> {
  const viewport = page.locator('.react-flow__viewport');
  const reads: Array<string | null> = [];
  await expect
    .poll(
      async () => {
        reads.push(await viewport.getAttribute('style'));
        return reads.length >= 3 && reads.slice(-3).every((r) => r === reads.at(-1));
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBe(true);
}

/** Draws a connection from a step's exit to another step, with the mouse. */
export async function connect(page: Page, source: string, exit: string, target: string): Promise<void> {
  const from = page.locator(`.react-flow__node[data-id="${source}"] .react-flow__handle[data-handleid="${exit}"]`);
  const to = page.locator(`.react-flow__node[data-id="${target}"] .react-flow__handle.handle-in`);
  await Promise.all([from.waitFor(), to.waitFor()]);
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error(`cannot see the handles of ${source}.${exit} → ${target}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/**
 * From the journey list (in English), opens the gallery, names the journey and starts from an empty canvas.
 * Returns the new journey's id, read from the editor's address.
 */
export async function newJourneyFromScratch(page: Page, name: string): Promise<string> {
  await page.getByRole('link', { name: /New journey/ }).click();
  await page.getByLabel('Journey name').fill(name);
  await page.getByRole('button', { name: /Start from scratch/ }).click();
  await page.locator('.react-flow__pane').waitFor();
  return decodeURIComponent(new URL(page.url()).hash.replace(/^#\/journeys\//, ''));
}

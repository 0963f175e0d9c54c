import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { appAndBrowser, openPage, screenshot } from './browser.ts';

// The editor, the console and the API reference under the server's Content-Security-Policy, in
// real Chromium against the real app: each renders, and the browser reports no violation.

const session = appAndBrowser();

/** Records every `securitypolicyviolation` the page reports, from its first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

test('the editor, the console and the API reference work under the Content-Security-Policy', { timeout: 180_000 }, async () => {
  const { app, browser } = session;
  const { page, consoleErrors } = await openPage(browser, 'csp');
  const violations = await watchViolations(page);

  const response = await page.goto(app.url);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.getByLabel('API key').fill(app.adminApiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
  // A built-in journey on the canvas: React Flow's inline styles, the auto-layout.
  await page.getByRole('link', { name: 'Win-back', exact: true }).click();
  await page.locator('.react-flow__node').first().waitFor();
  await screenshot(page, 'csp-01-canvas');
  expect(await violations()).toEqual([]);

  // Swagger UI: its bundle and the page's start-up script are files, not inline scripts.
  await page.goto(`${app.url}/v1/docs`);
  await page.locator('.swagger-ui .opblock').first().waitFor();
  await screenshot(page, 'csp-02-docs');
  expect(await violations()).toEqual([]);
  expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
});

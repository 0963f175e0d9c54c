import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestApp } from '../../test/app.ts';
import { connect, dropKind, launchChromium, openPage, screenshot } from './browser.ts';

// A marketer builds a win-back journey from scratch in real Chromium against the real app (API,
// worker, Temporal, FerretDB, SMTP inbox), fixes the validation error, publishes, launches it
// for the seeded dormant segment and finds the email in the inbox. Screenshots: artifacts/e2e/.

let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface InboxMessage {
  to: string[];
  subject: string;
}

async function inbox(): Promise<InboxMessage[]> {
  const response = await fetch(`${app.inboxApiUrl}/api/v1/messages`);
  const body = (await response.json()) as { messages: InboxMessage[] };
  return body.messages;
}

test('a marketer builds, fixes, publishes and launches a win-back journey', { timeout: 300_000 }, async () => {
  const { page, consoleErrors } = await openPage(browser);

  // Sign in with the admin key.
  await page.goto(app.url);
  await page.getByLabel('API key').fill(app.adminApiKey);
  await screenshot(page, '01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
  await screenshot(page, '02-journeys');

  // Start from scratch in the gallery.
  await page.getByRole('link', { name: /New journey/ }).click();
  await page.getByLabel('Journey name').fill('E2E win-back');
  await screenshot(page, '03-gallery');
  await page.getByRole('button', { name: /Start from scratch/ }).click();
  await page.locator('.react-flow__pane').waitFor();

  // Drag the steps onto the canvas.
  await dropKind(page, 'audience', { x: 300, y: 60 });
  await dropKind(page, 'coupon', { x: 300, y: 240 });
  await dropKind(page, 'email', { x: 300, y: 420 });
  await page.locator('.react-flow__node').nth(2).waitFor();
  await connect(page, 'audience-1', 'next', 'coupon-1');
  await connect(page, 'coupon-1', 'issued', 'email-1');
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

  // The email step is dangling: outlined, explained on the card and in the problems list.
  await page.locator('.react-flow__node[data-id="email-1"]').click();
  await page.getByLabel('Template').selectOption('winback-offer');
  const email = page.locator('.react-flow__node[data-id="email-1"] .step');
  await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
  await expect.poll(() => page.locator('.react-flow__node[data-id="email-1"] .step-problem').textContent()).toMatch(/sent/i);
  await expect.poll(() => page.getByRole('button', { name: 'Publish…' }).isDisabled()).toBe(true);
  await screenshot(page, '04-dangling-email');

  // Choosing the problem selects the step; then fix it with an exit.
  await page.locator('[data-testid="problems"] .problem').first().click();
  await dropKind(page, 'exit', { x: 300, y: 600 });
  await connect(page, 'email-1', 'sent', 'exit-1');
  await page.locator('.ok-text', { hasText: 'No problems' }).waitFor();
  await expect.poll(() => email.getAttribute('aria-invalid')).toBe('false');
  await page.getByRole('button', { name: 'Tidy up' }).click();
  await page.locator('[data-testid="save-status"]', { hasText: 'All changes saved' }).waitFor({ timeout: 15_000 });
  await screenshot(page, '05-fixed');

  // Publish with a note.
  await page.getByRole('button', { name: 'Publish…' }).click();
  await page.getByLabel('What changed?').fill('First version: coupon and email');
  await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByText('Published as version 1.').waitFor({ timeout: 20_000 });
  await screenshot(page, '06-published');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  // Launch for the seeded dormant segment and watch the progress bar reach 100 %.
  await page.getByRole('button', { name: 'Launch campaign…' }).click();
  await page.getByLabel('Audience segment').selectOption('dormant-90d');
  await page.locator('[data-testid="audience-count"]', { hasText: /customers? in this segment/ }).waitFor({ timeout: 20_000 });
  const audience = Number((await page.locator('[data-testid="audience-count"]').textContent())?.replace(/[^0-9]/g, ''));
  expect(audience).toBeGreaterThan(0);
  await page.getByLabel('Send rate (customers per minute)').fill('6000');
  await screenshot(page, '07-launch');
  await page.getByRole('button', { name: 'Launch', exact: true }).click();
  const bar = page.locator('[data-testid="campaign-progress"]');
  await bar.waitFor({ timeout: 20_000 });
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 120_000, interval: 1000 }).toBe('100');
  await screenshot(page, '08-progress-100');

  // The win-back email reached the SMTP inbox.
  await expect.poll(async () => (await inbox()).filter((m) => /miss you/i.test(m.subject)).length, { timeout: 120_000, interval: 1000 }).toBeGreaterThan(0);
  const [first] = (await inbox()).filter((m) => /miss you/i.test(m.subject));
  await page.goto(`${app.inboxApiUrl}/`);
  await screenshot(page, '09-inbox');
  expect(first?.subject).toMatch(/20% off/);
  expect(consoleErrors).toEqual([]);
});

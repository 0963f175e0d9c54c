import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../../test/app.ts';
import { connect, dropKind, launchChromium, openPage, screenshot, viewSettled } from './browser.ts';

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
  headers: Record<string, string>;
}

/** The emails a journey sent (the ledger key in `X-Waymark-Key` names the run), newest first. */
async function emailsOf(journeyId: string): Promise<InboxMessage[]> {
  const response = await fetch(`${app.inboxApiUrl}/api/v1/messages`);
  const body = (await response.json()) as { messages: InboxMessage[] };
  return body.messages.filter((m) => m.headers['x-waymark-key']?.startsWith(`journey/${journeyId}/`));
}

const step = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

test('a marketer builds, fixes, publishes and launches a win-back journey', { timeout: 300_000 }, async () => {
  const { page, consoleErrors } = await openPage(browser, 'winback');

  // Sign in with the admin key.
  await page.goto(app.url);
  await page.getByLabel('API key').fill(app.adminApiKey);
  await screenshot(page, '01-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
  // The seeded built-in journeys are listed.
  await page.getByRole('link', { name: 'Win-back', exact: true }).waitFor();
  await screenshot(page, '02-journeys');

  // Start from scratch in the gallery, beside the built-in journeys.
  await page.getByRole('link', { name: /New journey/ }).click();
  await page.getByLabel('Journey name').fill('E2E win-back');
  await page.getByRole('button', { name: /Win-back/ }).waitFor();
  await screenshot(page, '03-gallery');
  await page.getByRole('button', { name: /Start from scratch/ }).click();
  await page.locator('.react-flow__pane').waitFor();
  const journeyId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/journeys\//, ''));
  expect(journeyId).toMatch(/^e2e-win-back/);

  // Drag the steps onto the canvas.
  await dropKind(page, 'audience', { x: 300, y: 60 });
  await step(page, 'audience-1').waitFor();
  await dropKind(page, 'coupon', { x: 300, y: 240 });
  await step(page, 'coupon-1').waitFor();
  await dropKind(page, 'email', { x: 300, y: 420 });
  await step(page, 'email-1').waitFor();
  await connect(page, 'audience-1', 'next', 'coupon-1');
  await connect(page, 'coupon-1', 'issued', 'email-1');
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

  // The email step is dangling: outlined, explained on the card and in the problems list.
  await step(page, 'email-1').click();
  await page.getByLabel('Template').selectOption('winback-offer');
  const email = step(page, 'email-1').locator('.step');
  await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
  await expect.poll(() => step(page, 'email-1').locator('.step-problem').textContent()).toMatch(/sent/i);
  await expect.poll(() => page.getByRole('button', { name: 'Publish…' }).isDisabled()).toBe(true);
  await page.getByTestId('email-preview').locator('.email-subject', { hasText: /We miss you/ }).waitFor();
  await screenshot(page, '04-dangling-email');

  // Choosing the problem selects the step and brings it into view (animated); then fix it with
  // an exit dropped below it.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await expect.poll(() => email.getAttribute('class')).not.toMatch(/is-selected/);
  await page.locator('[data-testid="problems"] .problem').first().click();
  await expect.poll(() => email.getAttribute('class')).toMatch(/is-selected/);
  await page.getByRole('tab', { name: 'Step', selected: true }).waitFor();
  await viewSettled(page);
  const pane = await page.locator('.react-flow__pane').boundingBox();
  const card = await email.boundingBox();
  if (!pane || !card) throw new Error('cannot see the canvas or the email step');
  const below = { x: card.x + card.width / 2 - pane.x, y: Math.min(card.y + card.height + 110, pane.y + pane.height - 90) - pane.y };
  await dropKind(page, 'exit', below);
  await step(page, 'exit-1').waitFor();
  await connect(page, 'email-1', 'sent', 'exit-1');
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
  await page.locator('.ok-text', { hasText: 'No problems' }).waitFor();
  await expect.poll(() => email.getAttribute('aria-invalid')).toBe('false');
  await page.getByRole('button', { name: 'Tidy up' }).click();
  await page.locator('[data-testid="save-status"]', { hasText: 'All changes saved' }).waitFor({ timeout: 30_000 });
  await viewSettled(page);
  await screenshot(page, '05-fixed');

  // Publish with a note.
  await page.getByRole('button', { name: 'Publish…' }).click();
  await page.getByLabel('What changed?').fill('First version: coupon and email');
  await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByText('Published as version 1.').waitFor({ timeout: 30_000 });
  await screenshot(page, '06-published');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  // Launch for the seeded dormant segment and watch the progress bar fill up.
  await page.getByRole('button', { name: 'Launch campaign…' }).click();
  await page.getByLabel('Audience segment').selectOption('dormant-90d');
  await page.locator('[data-testid="audience-count"]', { hasText: /customers? in this segment/ }).waitFor({ timeout: 30_000 });
  const audience = Number((await page.locator('[data-testid="audience-count"]').textContent())?.replace(/[^0-9]/g, ''));
  expect(audience).toBeGreaterThan(0);
  await page.getByLabel('Send rate (customers per minute)').fill('6000');
  await screenshot(page, '07-launch');
  await page.getByRole('button', { name: 'Launch', exact: true }).click();
  const bar = page.locator('[data-testid="campaign-progress"]');
  await bar.waitFor({ timeout: 30_000 });
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 120_000, interval: 1000 }).toBe('100');
  await page.locator('.progress-text', { hasText: /completed/ }).waitFor({ timeout: 30_000 });
  // The bar is drawn full once its animation ends.
  await expect.poll(async () => {
    const [track, fill] = await Promise.all([bar.boundingBox(), bar.locator('.progress-bar').boundingBox()]);
    return track && fill ? Math.round(fill.width) >= Math.floor(track.width) : false;
  }).toBe(true);
  await screenshot(page, '08-progress-100');
  expect(consoleErrors).toEqual([]);

  // The win-back email reached the SMTP inbox.
  await expect.poll(async () => (await emailsOf(journeyId)).filter((m) => /miss you/i.test(m.subject)).length, { timeout: 120_000, interval: 1000 }).toBeGreaterThan(0);
  const [first] = (await emailsOf(journeyId)).filter((m) => /miss you/i.test(m.subject));
  expect(first?.subject).toMatch(/20% off/);
  await page.goto(`${app.inboxApiUrl}/`);
  await page.getByText(first?.subject ?? '').first().waitFor();
  await screenshot(page, '09-inbox');
  expect(consoleErrors).toEqual([]);
});

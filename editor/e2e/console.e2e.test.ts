import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../../test/app.ts';
import { adminApi, launchChromium, openPage, screenshot } from './browser.ts';

// Operations in Simplified Chinese, in real Chromium against the real app (API, worker,
// Temporal, FerretDB, seeded demo customers and built-in journeys): the win-back journey opens a
// call task for a high-value dormant customer; the agent completes it in the task inbox and
// finds it on the customer's timeline; the campaigns and dashboards render with the seed data.
// Screenshots: artifacts/e2e/console-*.png.

let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const api = <T>(method: string, path: string, body?: unknown): Promise<T> => adminApi<T>(app, method, path, body);

interface Customer {
  id: string;
  name?: string;
  consent: { email?: { granted: boolean; source: string } };
  computed: { stage: string; valueTier?: string; segments: string[] };
}
interface Task {
  id: string;
  customerId: string;
  journeyId?: string;
  title: string;
  assignee?: string;
  status: string;
}
interface Graph {
  nodes: Array<{ id: string; config: Record<string, unknown> }>;
  settings: Record<string, unknown>;
}

/**
 * The built-in win-back journey waits 7 days for a purchase before the SMS and the call task.
 * The test publishes a rehearsal version that waits 15 seconds and has no quiet hours (so the
 * run does not depend on the time of day), as a marketer would to try the journey out.
 */
async function rehearseWinBack(): Promise<void> {
  const journey = await api<{ draft: Graph }>('GET', '/journeys/win-back');
  const draft = structuredClone(journey.draft);
  const wait = draft.nodes.find((n) => n.id === 'wait-purchase');
  if (!wait) throw new Error('the win-back journey has no wait-purchase step');
  wait.config['timeout'] = { amount: 0.25, unit: 'minutes' };
  delete draft.settings['quietHours'];
  await api('PUT', '/journeys/win-back/draft', draft);
  await api('POST', '/journeys/win-back/publish', { note: 'E2E rehearsal: 15-second wait' });
}

/**
 * A high-value customer who has gone quiet: their order history is imported with the last order
 * 120 days ago, so the profile update moves them into the dormant segment, and entering the
 * segment starts the win-back journey. (Seeded customers are scored at seed time: they are in
 * the segment already and would enter it only by leaving and coming back.)
 */
async function customerGoneQuiet(): Promise<Customer> {
  // The daily lifecycle recompute has run (it sets the value-tier cut points new profiles are
  // scored against); an operator can run it now.
  await api('POST', '/lifecycle/recompute');
  const id = `e2e-quiet-${Date.now().toString(36)}`;
  await api('PUT', `/customers/${id}`, {
    email: `${id}@example.com`,
    name: '林晓',
    locale: 'zh-CN',
    timezone: 'Asia/Shanghai',
    consent: { email: true, sms: false },
    accountOwner: '王芳',
  });
  const at = new Date(Date.now() - 120 * 86_400_000).toISOString();
  await api('POST', '/events', { id: `${id}-order-1`, type: 'order_completed', customerId: id, at, properties: { amount: 4800 } });
  const customer = await api<Customer>('GET', `/customers/${id}`);
  // The win-back journey calls only high-value customers.
  expect(customer.computed).toMatchObject({ stage: 'dormant', valueTier: 'high', segments: expect.arrayContaining(['dormant-90d']) });
  return customer;
}

async function waitForTask(customerId: string): Promise<Task> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const page = await api<{ items: Task[] }>('GET', `/tasks?customerId=${encodeURIComponent(customerId)}&journeyId=win-back`);
    const task = page.items[0];
    if (task) return task;
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Say where the customer's runs are, to tell a slow run from a stuck or missing one.
  const runs = await api<unknown>('GET', `/customers/${encodeURIComponent(customerId)}/journeys`);
  throw new Error(`the win-back journey opened no task for ${customerId} in time; runs: ${JSON.stringify(runs)}`);
}

/** Scrolls the app's main area to `top` (the page itself does not scroll). */
const scrollMain = (page: Page, top: number) => page.locator('.app-main').evaluate((el, y) => el.scrollTo(0, y), top);

test('an agent completes a win-back call task in Chinese and sees it on the customer’s timeline', { timeout: 300_000 }, async () => {
  await rehearseWinBack();
  const customer = await customerGoneQuiet();
  const task = await waitForTask(customer.id);

  const { page, consoleErrors } = await openPage(browser, 'console-task');
  await page.goto(app.url);
  // Switch to Simplified Chinese on the sign-in screen; the choice is remembered.
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByLabel('API 密钥').fill(app.adminApiKey);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation').getByRole('link', { name: '任务' }).click();
  await page.getByRole('heading', { name: '任务收件箱' }).waitFor();
  expect(await page.evaluate(() => localStorage.getItem('waymark.language'))).toBe('zh-CN');

  // Work as the task's assignee (the account owner), or as a named agent for a queue task.
  await page.getByLabel('当前处理人').fill(task.assignee ?? '王芳');
  await page.getByLabel('队列').selectOption('customer-care');
  const row = page.locator('[data-testid="task-row"]', { hasText: task.title });
  await row.waitFor();
  await screenshot(page, 'console-01-task-inbox');
  await row.click();
  const detail = page.getByTestId('task-detail');
  await detail.getByText('客户背景').waitFor();
  await expect.poll(() => detail.textContent()).toMatch(/Win-back · Account manager calls/);
  expect(await detail.textContent()).toMatch(/COMEBACK-/);
  expect(await detail.textContent()).toMatch(/生命周期阶段/);
  if (task.status === 'open') {
    await detail.getByRole('button', { name: '认领' }).click();
    await detail.getByText(/已由 .* 认领/).waitFor();
  }
  await screenshot(page, 'console-02-task-context');

  await detail.getByLabel('已联系上——会购买').check();
  await detail.getByLabel('备注（可选）').fill('周五下单');
  await detail.getByRole('button', { name: '完成任务' }).click();
  await detail.getByTestId('task-outcome').filter({ hasText: '已完成：已联系上——会购买' }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'console-03-task-completed');
  const done = await api<Task & { outcome?: string }>('GET', `/tasks/${task.id}`);
  expect(done).toMatchObject({ status: 'done', outcome: 'reached_will_buy' });

  // The customer's timeline shows the completed task, the coupon, the messages and the steps.
  await detail.getByRole('link', { name: /查看客户时间线/ }).click();
  const timeline = page.getByTestId('timeline');
  await timeline.waitFor();
  await timeline.getByTestId('timeline-task-outcome').filter({ hasText: '已联系上——会购买' }).waitFor({ timeout: 15_000 });
  expect(await timeline.textContent()).toMatch(/客服任务已完成/);
  expect(await timeline.textContent()).toMatch(/发放优惠券/);
  expect(await page.getByTestId('customer-run').first().textContent()).toMatch(/Win-back/);
  await screenshot(page, 'console-04-customer-timeline');
  expect(consoleErrors).toEqual([]);
});

test('campaigns show progress and outcomes; the dashboards draw the seed data', { timeout: 240_000 }, async () => {
  // A small campaign journey (coupon only) launched for the seeded dormant segment.
  const graph = {
    schemaVersion: 1,
    id: 'e2e-coupon-drop',
    name: 'E2E coupon drop',
    nodes: [
      { id: 'audience', kind: 'audience', label: 'Dormant customers', position: { x: 0, y: 0 }, config: { segment: 'dormant-90d', sendRatePerMinute: 6000 } },
      { id: 'coupon', kind: 'coupon', label: 'Issue 15% coupon', position: { x: 0, y: 120 }, config: { offer: { type: 'percent', percent: 15 }, expiresInDays: 14, prefix: 'DROP', variable: 'couponCode' } },
      { id: 'done', kind: 'exit', label: 'Done', position: { x: 0, y: 240 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'audience', sourceHandle: 'next', target: 'coupon' },
      { id: 'e2', source: 'coupon', sourceHandle: 'issued', target: 'done' },
    ],
    settings: { defaultLocale: 'en', timezone: 'UTC' },
  };
  await api('POST', '/journeys', graph);
  await api('POST', `/journeys/${graph.id}/publish`, { note: 'E2E' });
  await api('POST', '/campaigns', { name: '沉睡客户优惠券 · E2E', journeyId: graph.id, ratePerSecond: 100 });

  const { page, consoleErrors } = await openPage(browser, 'console-dashboards');
  await page.goto(app.url);
  await page.evaluate((key) => {
    localStorage.setItem('waymark.apiKey', key);
    localStorage.setItem('waymark.language', 'zh-CN');
  }, app.adminApiKey);
  await page.goto(`${app.url}/#/campaigns`);
  await page.reload();
  await page.getByRole('heading', { name: '营销活动' }).waitFor();
  const bar = page.getByTestId('campaign-progress').first();
  await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 120_000, interval: 1000 }).toBe('100');
  await page.getByTestId('campaign-card').first().locator('.badge', { hasText: '已完成' }).waitFor();
  // The outcome counts the coupons the runs issued; refresh until they are all there.
  const outcome = page.getByTestId('campaign-outcome').first();
  await expect
    .poll(
      async () => {
        await page.getByRole('button', { name: '刷新' }).click();
        await outcome.getByText(/张中核销/).waitFor();
        return Number((await outcome.textContent())?.match(/([\d,]+) 张中核销/)?.[1]?.replace(/,/g, '') ?? 0);
      },
      { timeout: 60_000, interval: 2000 },
    )
    .toBeGreaterThan(0);
  await screenshot(page, 'console-05-campaigns');

  // Customer search: the start of a name finds the customer; the row opens the timeline.
  await page.getByRole('navigation').getByRole('link', { name: '客户' }).click();
  await page.getByRole('searchbox', { name: '搜索客户' }).fill('demo-00');
  await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(3);
  await screenshot(page, 'console-06-customer-search');

  await page.getByRole('navigation').getByRole('link', { name: '仪表盘' }).click();
  await page.getByRole('heading', { name: '仪表盘' }).waitFor();
  for (const id of ['chart-stages', 'chart-stage-trend', 'chart-rfm', 'chart-churn', 'chart-funnel']) {
    await page.getByTestId(id).locator('svg.recharts-surface').first().waitFor({ timeout: 20_000 });
  }
  // Every stage bar and RFM cell is drawn from the seed: bars with height, cells with area.
  await expect.poll(() => page.getByTestId('chart-stages').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(3);
  await expect.poll(() => page.getByTestId('chart-rfm').locator('rect').count()).toBeGreaterThan(3);
  // The funnel of the campaign launched above: everyone entered, and got the coupon.
  await page.getByTestId('chart-funnel').getByLabel('旅程').selectOption(graph.id);
  await expect.poll(() => page.getByTestId('chart-funnel').locator('.recharts-bar-rectangle').count(), { timeout: 20_000 }).toBeGreaterThan(1);
  await screenshot(page, 'console-07-dashboards');
  await scrollMain(page, 2000);
  await screenshot(page, 'console-08-dashboards-rfm-churn-funnel');

  // The tables behind the charts hold the same numbers.
  await page.getByTestId('chart-stages').getByRole('button', { name: '查看数据表' }).click();
  await expect.poll(() => page.getByTestId('chart-stages').locator('tbody tr').count()).toBe(7);
  expect(consoleErrors).toEqual([]);
});

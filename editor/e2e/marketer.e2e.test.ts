import { expect, test } from 'vitest';
import { adminApi, appAndBrowser, connect, openPage, screenshot, signIn } from './browser.ts';

// The marketer's screens of live journey changes, priorities, a real customer's forecast path
// and the segment builder's event-history row, in real Chromium against the real app, in English
// and in Chinese: a journey with customers waiting loses a step; publishing moves them (the
// per-step table counts what the API counts, a target is picked for the removed step, the move's
// progress reaches the moved count); the version list names the publisher and "roll back"
// opens the same dialog; a priority set in the settings shows in the journey list; the forecast
// follows a real customer down the branch their profile satisfies; an event-history condition
// counts what the API counts. Screenshots: artifacts/e2e/marketer-*-{en,zh}.png.

const session = appAndBrowser();

type Language = 'en' | 'zh-CN';
const short = (language: Language) => (language === 'en' ? 'en' : 'zh');

/** What the marketer reads on the screens this file visits, per language. */
const texts = {
  en: {
    journeyName: 'Slow welcome',
    vipJourney: 'VIP path',
    wait2d: 'Wait two days',
    vipEmail: 'VIP offer email',
    highValue: 'High value',
    tierLabel: 'Which tier?',
    startLabel: 'Started by the shop',
    wait3d: 'Wait three days',
    wait1d: 'Wait a day',
    doneLabel: 'Done',
    publish: 'Publish…',
    note: 'What changed?',
    move: 'Move the customers in flight to this version',
    confirm: 'Publish',
    goesTo: 'Goes to',
    pick: 'Pick a step…',
    published: (v: number) => `Published as version ${v}.`,
    moved: (n: number) => `${n} moved`,
    done: 'every waiting customer was signalled',
    close: 'Close',
    cancel: 'Cancel',
    versionsTab: 'Versions',
    settingsTab: 'Journey settings',
    forecastTab: 'Forecast',
    rollback: 'Roll back to this',
    rollbackTitle: 'Roll back to version 1',
    publishedBy: /by .+ \(admin\)/,
    priority: 'Priority',
    high: 'High',
    journeys: 'Journeys',
    saved: 'All changes saved',
    search: 'Customer (id, email or name)',
    find: 'Find customers',
    took: (label: string) => `takes “${label}”`,
    newSegment: 'New segment',
    condition: 'Condition',
    did: 'Did or did not',
    times: 'Times',
    days: 'Days',
  },
  'zh-CN': {
    journeyName: '慢节奏欢迎',
    vipJourney: 'VIP 路径',
    wait2d: '等待两天',
    vipEmail: 'VIP 优惠邮件',
    highValue: '高价值',
    tierLabel: '哪个价值等级？',
    startLabel: '由商城发起',
    wait3d: '等待三天',
    wait1d: '等待一天',
    doneLabel: '完成',
    publish: '发布…',
    note: '改了什么？',
    move: '把在途客户迁移到这个版本',
    confirm: '发布',
    goesTo: '迁移到',
    pick: '选择步骤…',
    published: (v: number) => `已发布为版本 ${v}。`,
    moved: (n: number) => `已迁移 ${n}`,
    done: '所有等待中的客户都已收到通知',
    close: '关闭',
    cancel: '取消',
    versionsTab: '版本',
    settingsTab: '旅程设置',
    forecastTab: '预测',
    rollback: '回滚到此版本',
    rollbackTitle: '回滚到版本 1',
    publishedBy: /发布者：.+（管理员）/,
    priority: '优先级',
    high: '高',
    journeys: '旅程',
    saved: '所有更改已保存',
    search: '客户（ID、邮箱或姓名）',
    find: '查找客户',
    took: (label: string) => `走“${label}”`,
    newSegment: '新建分群',
    condition: '条件',
    did: '做过或没做过',
    times: '次数',
    days: '天数',
  },
} as const;

const api = <T>(method: string, path: string, body?: unknown): Promise<T> => adminApi<T>(session.app, method, path, body);


interface Plan {
  rows: Array<{ version: number; nodeId: string; waiting: number; target: string | null }>;
  ready: boolean;
}

/** Started by the API, a three-day wait, a one-day wait, the end: customers wait at the first. */
function twoWaits(id: string, language: Language) {
  const l = texts[language];
  return {
    schemaVersion: 1,
    id,
    name: l.journeyName,
    nodes: [
      { id: 'start', kind: 'api', label: l.startLabel, position: { x: 0, y: 0 }, config: {} },
      { id: 'wait-3d', kind: 'wait', label: l.wait3d, position: { x: 0, y: 200 }, config: { mode: 'duration', duration: { amount: 3, unit: 'days' } } },
      { id: 'wait-1d', kind: 'wait', label: l.wait1d, position: { x: 0, y: 400 }, config: { mode: 'duration', duration: { amount: 1, unit: 'days' } } },
      { id: 'done', kind: 'exit', label: l.doneLabel, position: { x: 0, y: 600 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait-3d' },
      { id: 'e2', source: 'wait-3d', sourceHandle: 'next', target: 'wait-1d' },
      { id: 'e3', source: 'wait-1d', sourceHandle: 'next', target: 'done' },
    ],
    settings: {},
  };
}

const customersFor = { en: ['demo-0003', 'demo-0004', 'demo-0005'], 'zh-CN': ['demo-0006', 'demo-0007', 'demo-0009'] } as const;

for (const language of ['en', 'zh-CN'] as const) {
  const l = texts[language];
  const tag = short(language);

  test(`${language}: publishing a journey without a step moves the customers waiting there to the step the marketer picks; the version list names the publisher`, { timeout: 150_000 }, async () => {
    const journeyId = `move-${tag}`;
    await api('POST', '/journeys', twoWaits(journeyId, language));
    await api('POST', `/journeys/${journeyId}/publish`, { note: 'v1' });
    for (const customerId of customersFor[language]) await api('POST', `/journeys/${journeyId}/runs`, { customerId });
    // The run records show the three customers waiting at the three-day wait.
    await expect
      .poll(async () => (await api<Plan>('POST', `/journeys/${journeyId}/migration-plan`, { mapping: {} })).rows.find((r) => r.nodeId === 'wait-3d')?.waiting, { timeout: 60_000, interval: 1000 })
      .toBe(3);

    const { page, consoleErrors } = await openPage(session.browser, `marketer-move-${tag}`);
    await signIn(page, session.app, language, `#/journeys/${journeyId}`);
    // Remove the three-day wait and join the start to the one-day wait.
    const waitStep = page.locator('.react-flow__node[data-id="wait-3d"]');
    await waitStep.click();
    await page.keyboard.press('Delete');
    await waitStep.waitFor({ state: 'detached' });
    await connect(page, 'start', 'next', 'wait-1d');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await page.locator('[data-testid="save-status"]', { hasText: l.saved }).waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: l.publish }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(l.note).fill(language === 'en' ? 'No three-day wait' : '去掉三天的等待');
    await dialog.getByLabel(l.move).check();
    // The table counts what the API counts: three wait at the removed step, which needs a pick.
    const picker = dialog.getByLabel(`${l.goesTo} ${l.wait3d}`);
    await picker.waitFor({ timeout: 30_000 });
    const plan = await api<Plan>('POST', `/journeys/${journeyId}/migration-plan`, { mapping: {} });
    expect(plan.rows.map((r) => ({ version: r.version, nodeId: r.nodeId, waiting: r.waiting, target: r.target }))).toEqual([{ version: 1, nodeId: 'wait-3d', waiting: 3, target: null }]);
    const row = dialog.locator('.migration-plan tbody tr');
    await expect.poll(() => row.allTextContents()).toEqual([`v1${l.wait3d}3${l.pick}${l.wait1d}`]);
    expect(await dialog.getByRole('button', { name: l.confirm, exact: true }).isDisabled()).toBe(true);
    await picker.selectOption('wait-1d');
    await expect.poll(() => dialog.getByRole('button', { name: l.confirm, exact: true }).isDisabled(), { timeout: 15_000 }).toBe(false);
    await screenshot(page, `marketer-01-publish-move-${tag}`);

    await dialog.getByRole('button', { name: l.confirm, exact: true }).click();
    await dialog.getByText(l.published(2)).waitFor({ timeout: 30_000 });
    const progress = dialog.getByRole('status', { name: /./ }).filter({ has: page.locator('h3') });
    await expect.poll(() => progress.textContent(), { timeout: 60_000, interval: 1000 }).toContain(l.moved(3));
    await progress.getByText(l.done).waitFor({ timeout: 30_000 });
    await screenshot(page, `marketer-02-move-progress-${tag}`);
    await dialog.getByRole('button', { name: l.close }).click();

    // The version list: who published each version; rolling back opens the same dialog.
    await page.getByRole('tab', { name: l.versionsTab }).click();
    const versions = page.locator('.versions li');
    await expect.poll(() => versions.count(), { timeout: 15_000 }).toBe(2);
    expect(await versions.nth(0).textContent()).toMatch(l.publishedBy);
    await screenshot(page, `marketer-03-versions-${tag}`);
    await versions.nth(1).getByRole('button', { name: l.rollback }).click();
    const rollback = page.getByRole('dialog');
    await rollback.getByRole('heading', { name: l.rollbackTitle }).waitFor();
    await rollback.getByLabel(l.move).check();
    // The three now wait at the one-day wait, which version 1 also has: they stay at it.
    await rollback.locator('.migration-plan tbody tr').filter({ hasText: `v2${l.wait1d}3` }).waitFor({ timeout: 30_000 });
    await screenshot(page, `marketer-04-rollback-${tag}`);
    await rollback.getByRole('button', { name: l.cancel }).click();
    expect(consoleErrors).toEqual([]);
  });

  test(`${language}: a priority set in the journey settings shows in the journey list`, { timeout: 60_000 }, async () => {
    const journeyId = `move-${tag}`;
    const { page, consoleErrors } = await openPage(session.browser, `marketer-priority-${tag}`);
    await signIn(page, session.app, language, `#/journeys/${journeyId}`);
    await page.getByRole('tab', { name: l.settingsTab }).click();
    const priority = page.getByLabel(l.priority, { exact: true });
    await priority.selectOption({ label: l.high });
    await priority.scrollIntoViewIfNeeded();
    await page.locator('[data-testid="save-status"]', { hasText: l.saved }).waitFor({ timeout: 30_000 });
    await screenshot(page, `marketer-05-priority-settings-${tag}`);
    expect((await api<{ draft: { settings: { priority?: string } } }>('GET', `/journeys/${journeyId}`)).draft.settings.priority).toBe('high');
    await page.goto(`${session.app.url}/#/journeys`);
    await page.getByRole('heading', { name: l.journeys, exact: true }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: l.journeyName }) });
    await expect.poll(() => row.locator('.badge-priority-high').textContent(), { timeout: 15_000 }).toBe(l.high);
    await screenshot(page, `marketer-06-journey-list-${tag}`);
    expect(consoleErrors).toEqual([]);
  });

  test(`${language}: the forecast follows a real customer down the branch their profile satisfies`, { timeout: 90_000 }, async () => {
    const journeyId = `vip-path-${tag}`;
    const customers = await api<{ items: Array<{ id: string; name?: string; computed: { valueTier?: string } }> }>('GET', '/customers?limit=100');
    const vip = customers.items.find((c) => c.computed.valueTier === 'high' && c.name);
    if (!vip?.name) throw new Error('the demo seed has no high-value customer with a name');
    const graph = {
      schemaVersion: 1,
      id: journeyId,
      name: l.vipJourney,
      nodes: [
        { id: 'start', kind: 'api', label: l.startLabel, position: { x: 0, y: 0 }, config: {} },
        {
          id: 'tier',
          kind: 'branch',
          label: l.tierLabel,
          position: { x: 0, y: 160 },
          config: { conditions: [{ id: 'high-value', label: l.highValue, condition: { type: 'attribute', attribute: 'valueTier', op: 'eq', value: 'high' } }] },
        },
        { id: 'wait-2d', kind: 'wait', label: l.wait2d, position: { x: -200, y: 320 }, config: { mode: 'duration', duration: { amount: 2, unit: 'days' } } },
        { id: 'vip-email', kind: 'email', label: l.vipEmail, position: { x: -200, y: 480 }, config: { templateId: 'winback-offer' } },
        { id: 'done', kind: 'exit', label: l.doneLabel, position: { x: 0, y: 640 }, config: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'tier' },
        { id: 'e2', source: 'tier', sourceHandle: 'high-value', target: 'wait-2d' },
        { id: 'e3', source: 'tier', sourceHandle: 'else', target: 'done' },
        { id: 'e4', source: 'wait-2d', sourceHandle: 'next', target: 'vip-email' },
        { id: 'e5', source: 'vip-email', sourceHandle: 'sent', target: 'done' },
        { id: 'e6', source: 'vip-email', sourceHandle: 'failed', target: 'done' },
      ],
      settings: {},
    };
    await api('POST', '/journeys', graph);
    const expected = await api<{ actions: Array<{ nodeId: string; at: string }> }>('POST', `/journeys/${journeyId}/forecast/customer`, { customerId: vip.id, days: 30, graph });
    const email = expected.actions.find((a) => a.nodeId === 'vip-email');
    if (!email) throw new Error(`the API's forecast sends ${vip.id} no email`);

    const { page, consoleErrors } = await openPage(session.browser, `marketer-path-${tag}`);
    await signIn(page, session.app, language, `#/journeys/${journeyId}`);
    await page.getByRole('tab', { name: l.forecastTab }).click();
    await page.getByLabel(l.search).fill(vip.id);
    await page.getByRole('button', { name: l.find }).click();
    await page.getByRole('button', { name: new RegExp(vip.name) }).click();
    const path = page.getByTestId('customer-path');
    await path.waitFor({ timeout: 30_000 });
    expect(await path.textContent()).toContain(vip.name);
    const step = path.getByRole('list').filter({ has: page.locator('time') }).last().locator('li').filter({ hasText: l.tierLabel });
    expect(await step.textContent()).toContain(l.took(l.highValue));
    const message = path.locator('li').filter({ hasText: l.vipEmail }).first();
    // The forecast starts when it is asked for: the page's asks a moment after the API's.
    const shown = Date.parse((await message.locator('time').getAttribute('datetime')) ?? '');
    expect(Math.abs(shown - Date.parse(email.at))).toBeLessThan(60_000);
    await path.scrollIntoViewIfNeeded();
    await screenshot(page, `marketer-07-customer-path-${tag}`);
    expect(consoleErrors).toEqual([]);
  });

  test(`${language}: an event-history condition counts what the API counts`, { timeout: 60_000 }, async () => {
    const { page, consoleErrors } = await openPage(session.browser, `marketer-segment-${tag}`);
    await signIn(page, session.app, language, '#/segments');
    await page.getByRole('link', { name: `+ ${l.newSegment}` }).click();
    const rule = page.getByTestId('rule-0');
    await rule.getByLabel(l.condition, { exact: true }).selectOption('eventHistory');
    const did = language === 'en';
    await rule.getByLabel(l.did, { exact: true }).selectOption(did ? 'yes' : 'no');
    await rule.getByLabel(l.times, { exact: true }).fill('2');
    await rule.getByLabel(l.days, { exact: true }).fill('365');
    const condition = { type: 'all', conditions: [{ type: 'eventHistory', did, eventType: 'order_completed', atLeast: 2, withinDays: 365, where: [] }] };
    const expected = await api<{ count: number }>('POST', '/segments/preview', { condition, sample: 0 });
    expect(expected.count).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('member-count').getAttribute('data-count'), { timeout: 20_000 }).toBe(String(expected.count));
    await screenshot(page, `marketer-08-segment-event-history-${tag}`);
    expect(consoleErrors).toEqual([]);
  });
}

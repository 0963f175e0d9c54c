// A first start seeds the built-in journeys and templates in the workspace's language.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../api/testHarness.ts';
import type { TestApp } from '../api/testHarness.ts';
import { loadConfig } from './config.ts';
import { seedOnFirstStart } from './seed.ts';

let zh: TestApp;
let en: TestApp;
beforeAll(async () => {
  [zh, en] = await Promise.all([startTestApp(), startTestApp()]);
  const now = new Date('2026-12-01T00:00:00Z');
  await Promise.all([seedOnFirstStart(zh.db, () => undefined, now, loadConfig({ WAYMARK_DATA_DIR: mkdtempSync(join(tmpdir(), 'waymark-lang-')), WAYMARK_LANGUAGE: 'zh-CN' }).language), seedOnFirstStart(en.db, () => undefined, now)]);
});
afterAll(async () => Promise.all([zh?.close(), en?.close()]));

interface JourneyAnswer {
  name: string;
  draft: { nodes: { id: string; label?: string; config: Record<string, unknown> }[]; settings: { defaultLocale: string; timezone: string } };
}
const journey = async (app: TestApp, id: string) => (await app.call('GET', `/journeys/${id}`)).json as JourneyAnswer;
const label = (j: JourneyAnswer, nodeId: string) => j.draft.nodes.find((n) => n.id === nodeId)?.label;

describe('built-in journeys in the workspace language', () => {
  it('in 简体中文: Chinese names, step labels and texts, Chinese messages by default, Shanghai time, CNY', async () => {
    const journeys = (await zh.call('GET', '/journeys')).json as { items: { id: string; name: string; status: string }[] };
    expect(Object.fromEntries(journeys.items.map((j) => [j.id, j.name]))).toEqual({ welcome: '新客欢迎', activation: '激活（促成第二单）', 'win-back': '流失挽回', 'birthday-care': '生日关怀' });
    expect(journeys.items.every((j) => j.status === 'published')).toBe(true);
    const birthday = await journey(zh, 'birthday-care');
    expect(label(birthday, 'trigger')).toBe('生日前 3 天');
    expect(birthday.draft.settings).toMatchObject({ defaultLocale: 'zh-CN', timezone: 'Asia/Shanghai' });
    expect(birthday.draft.nodes.find((n) => n.id === 'gift-coupon')?.config).toMatchObject({ offer: { currency: 'CNY' } });
    expect(birthday.draft.nodes.find((n) => n.id === 'card-task')?.config['title']).toBe('为 {{customer.name}} 寄送生日贺卡');
    // Every step of every journey has a Chinese label.
    for (const id of ['welcome', 'activation', 'win-back', 'birthday-care']) {
      for (const node of (await journey(zh, id)).draft.nodes) expect(node.label, `${id}/${node.id}`).toMatch(/[\u4e00-\u9fff]/);
    }
    const { template } = (await zh.call('GET', '/templates/winback-offer')).json as { template: { name: string; locales: Record<string, { subject?: string }> } };
    expect(template.name).toBe('挽回优惠');
    expect(template.locales['zh-CN']?.subject).toContain('八折券');
  });

  it('in English by default', async () => {
    expect((await journey(en, 'welcome')).name).toBe('Welcome series');
    expect(label(await journey(en, 'win-back'), 'email')).toBe('Send win-back email');
    expect(((await en.call('GET', '/templates/winback-offer')).json as { template: { name: string } }).template.name).toBe('Win-back offer');
  });

  it('refuses a language it has no built-ins for, naming the variable', () => {
    expect(() => loadConfig({ WAYMARK_DATA_DIR: mkdtempSync(join(tmpdir(), 'waymark-lang-')), WAYMARK_LANGUAGE: 'fr' })).toThrow(/WAYMARK_LANGUAGE/);
  });
});

import { describe, expect, it } from 'vitest';
import { diffDefinitions } from './diff.ts';
import { chain, definitionOf } from './testing/fixtures.ts';

const v1 = definitionOf(
  chain([
    { id: 'start', kind: 'api', config: {} },
    { id: 'mail', kind: 'email', config: { templateId: 'welcome' } },
    { id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 2, unit: 'days' } } },
    { id: 'tips', kind: 'email', config: { templateId: 'tips' } },
  ]),
);

describe('diffDefinitions', () => {
  it('lists added, removed and changed steps between versions', () => {
    const v2 = definitionOf(
      chain([
        { id: 'start', kind: 'api', config: {} },
        { id: 'mail', kind: 'email', config: { templateId: 'welcome' } },
        { id: 'wait', kind: 'wait', config: { mode: 'duration', duration: { amount: 3, unit: 'days' } } },
        { id: 'nudge', kind: 'sms', config: { templateId: 'nudge' } },
      ]),
    );
    expect(diffDefinitions(v1, v2)).toEqual({ added: ['nudge'], removed: ['tips'], changed: ['wait'], settingsChanged: false });
  });

  it('ignores moving steps on the canvas but notices settings and rewiring', () => {
    const moved = { ...v1, nodes: Object.fromEntries(Object.entries(v1.nodes).map(([id, n]) => [id, { ...n, position: { x: 500, y: 500 } }])) };
    expect(diffDefinitions(v1, moved)).toEqual({ added: [], removed: [], changed: [], settingsChanged: false });
    const rewired = { ...v1, wiring: { ...v1.wiring, mail: { sent: 'end' } }, settings: { ...v1.settings, defaultLocale: 'zh-CN' } };
    expect(diffDefinitions(v1, rewired)).toEqual({ added: [], removed: [], changed: ['mail'], settingsChanged: true });
  });
});

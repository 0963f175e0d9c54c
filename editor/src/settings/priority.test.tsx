// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { emptyGraph } from '../graph/draft.ts';
import { addNode } from '../graph/ops.ts';
import { initI18n } from '../i18n/index.ts';
import { Inspector } from '../inspector/Inspector.tsx';
import { createEditorStore, EditorStoreContext } from '../state/editorStore.ts';
import type { EditorStore } from '../state/editorStore.ts';
import { SettingsPanel } from './SettingsPanel.tsx';

beforeAll(async () => {
  await initI18n('en');
});
afterEach(cleanup);

function Harness({ store, children }: { store: EditorStore; children: React.ReactNode }) {
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

describe('priorities across journeys in the editor', () => {
  test('the journey settings edit the priority; the SMS step chooses to skip when a shared cap is full', () => {
    const { graph, nodeId } = addNode(emptyGraph('j', 'J'), 'sms', { x: 0, y: 0 });
    const store = createEditorStore(graph);
    render(
      <Harness store={store}>
        <SettingsPanel errors={[]} readOnly={false} />
      </Harness>,
    );
    const priority = screen.getByLabelText('Priority');
    expect([...priority.querySelectorAll('option')].map((o) => o.textContent)).toEqual(expect.arrayContaining(['Low', 'Normal', 'High', 'Critical']));
    const optionValue = (select: HTMLElement, text: string) => [...select.querySelectorAll('option')].find((o) => o.textContent === text)?.value;
    fireEvent.change(priority, { target: { value: optionValue(priority, 'High') } });
    expect(store.getState().history.present.settings).toMatchObject({ priority: 'high' });

    cleanup();
    store.dispatch({ type: 'select', nodeIds: [nodeId] });
    render(
      <Harness store={store}>
        <Inspector errors={[]} readOnly={false} />
      </Harness>,
    );
    const onCap = screen.getByLabelText('When a shared frequency cap is full');
    const skip = [...onCap.querySelectorAll('option')].find((o) => o.textContent === 'skip (take the failed exit)')?.value;
    expect(skip).toBeDefined();
    fireEvent.change(onCap, { target: { value: skip } });
    expect(store.getState().history.present.nodes[0]?.config).toMatchObject({ onCap: 'skip' });
  });
});

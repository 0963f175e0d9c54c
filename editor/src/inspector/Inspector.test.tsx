// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { emptyGraph } from '../graph/draft.ts';
import { addNode, connect } from '../graph/ops.ts';
import { exitsOf } from '../graph/registry.ts';
import { initI18n } from '../i18n/index.ts';
import { createEditorStore, EditorStoreContext } from '../state/editorStore.ts';
import type { EditorStore } from '../state/editorStore.ts';
import { validate } from '../validation/validate.ts';
import { Inspector } from './Inspector.tsx';

beforeAll(async () => {
  await initI18n('en');
});
afterEach(cleanup);

function setup(kind: string): { store: EditorStore; nodeId: string } {
  const { graph, nodeId } = addNode(emptyGraph('j', 'J'), kind, { x: 0, y: 0 });
  const store = createEditorStore(graph);
  store.dispatch({ type: 'select', nodeIds: [nodeId] });
  return { store, nodeId };
}

function Harness({ store }: { store: EditorStore }) {
  const errors = validate(store.getState().history.present, {}).errors;
  return (
    <EditorStoreContext.Provider value={store}>
      <Inspector errors={errors} readOnly={false} />
    </EditorStoreContext.Provider>
  );
}

const config = (store: EditorStore) => store.getState().history.present.nodes[0]?.config;

describe('the step form', () => {
  test('a wait’s duration is an amount and a unit; edits land in the node’s plain JSON config', () => {
    const { store } = setup('wait');
    render(<Harness store={store} />);
    fireEvent.change(screen.getByLabelText('For'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Unit'), { target: { value: 'hours' } });
    expect(config(store)).toEqual({ mode: 'duration', duration: { amount: 3, unit: 'hours' } });
  });

  test('an email step can be marked personalised marketing, with a variant for customers who refused it', () => {
    const { store } = setup('email');
    render(<Harness store={store} />);
    // The variant only means something for a personalised message: hidden until then.
    expect(screen.queryByLabelText('Template for customers who refused personalisation (none: skip)')).toBeNull();
    fireEvent.click(screen.getByLabelText('Personalised marketing (PIPL Art. 24)'));
    expect(config(store)).toMatchObject({ personalised: true });
    expect(screen.getByLabelText('Template for customers who refused personalisation (none: skip)')).toBeTruthy();
  });

  test('switching the wait to a time window shows the window’s fields', () => {
    const { store } = setup('wait');
    const { rerender } = render(<Harness store={store} />);
    fireEvent.change(screen.getByLabelText('Wait'), { target: { value: '1' } });
    rerender(<Harness store={store} />);
    expect(config(store)).toMatchObject({ mode: 'timeWindow', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] });
    expect(screen.getByLabelText('From')).toHaveProperty('type', 'time');
    fireEvent.click(screen.getByLabelText('Sun'));
    expect(config(store)).toMatchObject({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] });
  });

  test('adding a branch path adds an exit on the card', () => {
    const { store, nodeId } = setup('branch');
    const { rerender } = render(<Harness store={store} />);
    fireEvent.click(screen.getByRole('button', { name: '+ Add' }));
    rerender(<Harness store={store} />);
    const node = store.getState().history.present.nodes[0];
    expect(exitsOf('branch', node?.config).map((x) => x.id)).toEqual(['high-value', 'path-2', 'else']);
    expect(nodeId).toBe('branch-1');
  });

  test('a task’s priority and queue are plain choices and text', () => {
    const { store } = setup('task');
    render(<Harness store={store} />);
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Task queue'), { target: { value: 'vip-care' } });
    expect(config(store)).toMatchObject({ priority: 'urgent', queue: 'vip-care' });
  });

  test('the compiler’s message on a field is shown under it', () => {
    const { store } = setup('wait');
    store.dispatch({ type: 'updateNode', nodeId: 'wait-1', field: 'x', config: { mode: 'duration', duration: { amount: 0, unit: 'days' } } });
    render(<Harness store={store} />);
    const amount = screen.getByLabelText('For');
    const message = document.getElementById(amount.getAttribute('aria-describedby') ?? '');
    expect(message?.textContent).toMatch(/longer than zero/);
    expect(amount.getAttribute('aria-invalid')).toBe('true');
  });
});

describe('live validation', () => {
  test('a dangling exit is reported on its step', () => {
    let g = addNode(emptyGraph('j', 'J'), 'audience', { x: 0, y: 0 }).graph;
    g = addNode(g, 'email', { x: 0, y: 200 }).graph;
    g = connect(g, 'audience-1', 'next', 'email-1');
    const { byNode, errors } = validate(g, {});
    expect(errors.map((e) => e.code)).toContain('EXIT_NOT_CONNECTED');
    expect(byNode.get('email-1')?.join(' ')).toMatch(/sent/);
  });
});

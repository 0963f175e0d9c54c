import { describe, expect, test } from 'vitest';
import { emptyGraph } from '../graph/draft.ts';
import { editorReducer, initialEditorState } from './editorReducer.ts';
import type { EditorAction, EditorState } from './editorReducer.ts';

const run = (actions: EditorAction[], state: EditorState = initialEditorState(emptyGraph('j', 'J'))) => actions.reduce(editorReducer, state);

describe('editor state', () => {
  test('adding a step selects it; undo removes it and redo brings it back', () => {
    const added = run([{ type: 'add', kind: 'email', position: { x: 0, y: 0 } }]);
    expect(added.selection.nodeIds).toEqual(['email-1']);
    const undone = editorReducer(added, { type: 'undo' });
    expect(undone.history.present.nodes).toEqual([]);
    expect(undone.selection.nodeIds).toEqual([]);
    expect(editorReducer(undone, { type: 'redo' }).history.present.nodes).toHaveLength(1);
  });

  test('typing in one field is one undo step', () => {
    const s = run([
      { type: 'add', kind: 'task', position: { x: 0, y: 0 } },
      ...['C', 'Ca', 'Cal', 'Call'].map((title): EditorAction => ({ type: 'updateNode', nodeId: 'task-1', field: 'title', config: { title } })),
    ]);
    expect(s.history.present.nodes[0]?.config).toEqual({ title: 'Call' });
    expect(editorReducer(s, { type: 'undo' }).history.present.nodes[0]?.config).toMatchObject({ title: 'Call {{customer.name}}' });
  });

  test('one drag is one undo step; the drop position is kept', () => {
    const drag = (x: number, dragging: boolean): EditorAction => ({ type: 'move', positions: [{ id: 'wait-1', x, y: 0 }], dragging });
    const s = run([{ type: 'add', kind: 'wait', position: { x: 0, y: 0 } }, drag(10, true), drag(20, true), drag(30, true)]);
    expect(s.history.present.nodes[0]?.position.x).toBe(30);
    expect(editorReducer(s, { type: 'undo' }).history.present.nodes[0]?.position.x).toBe(0);
  });

  test('cut and paste moves steps under new ids; selection follows the pasted steps', () => {
    const s = run([{ type: 'add', kind: 'sms', position: { x: 0, y: 0 } }, { type: 'cut' }, { type: 'paste' }]);
    expect(s.history.present.nodes.map((n) => n.id)).toEqual(['sms-1']);
    const again = editorReducer(s, { type: 'paste' });
    expect(again.history.present.nodes.map((n) => n.id)).toEqual(['sms-1', 'sms-2']);
    expect(again.selection.nodeIds).toEqual(['sms-2']);
  });

  test('journey settings edits are undoable too', () => {
    const s = run([{ type: 'updateJourney', name: 'Win-back', field: 'name' }]);
    expect(s.history.present.name).toBe('Win-back');
    expect(editorReducer(s, { type: 'undo' }).history.present.name).toBe('J');
  });
});

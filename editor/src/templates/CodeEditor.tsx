import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, RangeSetBuilder } from '@codemirror/state';
import type { Extension } from '@codemirror/state';
import { Decoration, EditorView, MatchDecorator, ViewPlugin, keymap, lineNumbers } from '@codemirror/view';
import type { DecorationSet, ViewUpdate } from '@codemirror/view';
import { useEffect, useRef } from 'react';

/** `{{…}}`, `{{{…}}}` and block tags get their own colour wherever they appear (HTML, text, SMS). */
const handlebarsTags = new MatchDecorator({
  regexp: /\{\{\{?[^{}]*\}?\}\}/g,
  decoration: (match) => Decoration.mark({ class: /^\{\{[#/^]|^\{\{else/.test(match[0]) ? 'cm-hbs cm-hbs-block' : 'cm-hbs' }),
});
const handlebarsHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = handlebarsTags.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = handlebarsTags.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** Marks the line of a template error (1-based), if any. */
function errorLineDecoration(line: number | undefined): Extension {
  return EditorView.decorations.of((view) => {
    const builder = new RangeSetBuilder<Decoration>();
    if (line !== undefined && line >= 1 && line <= view.state.doc.lines) {
      const at = view.state.doc.line(line);
      builder.add(at.from, at.from, Decoration.line({ class: 'cm-error-line' }));
    }
    return builder.finish();
  });
}

export interface CodeEditorProps {
  /** Accessible name of the editing area (a label the user reads, e.g. "HTML"). */
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** HTML sources get HTML highlighting too; text, subjects and SMS only the Handlebars tags. */
  language: 'html' | 'text';
  /** One line (a subject): no line numbers. */
  singleLine?: boolean;
  errorLine?: number | undefined;
}

/**
 * A CodeMirror 6 editor for a Handlebars source. The document lives in CodeMirror; a new `value`
 * from outside (another language version, a reload) replaces it.
 */
export function CodeEditor({ label, value, onChange, language, singleLine = false, errorLine }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const errorCompartment = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          singleLine ? [] : lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          language === 'html' ? html() : [],
          syntaxHighlighting(defaultHighlightStyle),
          handlebarsHighlight,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          errorCompartment.current.of(errorLineDecoration(errorLine)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per language and label; value and errors are pushed in below.
  }, [language, label, singleLine]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: errorCompartment.current.reconfigure(errorLineDecoration(errorLine)) });
  }, [errorLine]);

  return <div className={`code-editor${singleLine ? ' code-editor-single' : ''}`} ref={host} />;
}

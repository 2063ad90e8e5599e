// @vitest-environment jsdom
/**
 * toEditor's output loaded into a real BlockNote editor (jsdom as its DOM): BlockNote accepts
 * every block, keeps the ids, and what it holds converts back to the same write bodies, so the
 * sync plan for an untouched page is empty; React renders the custom blocks.
 */
import { BlockNoteEditor } from '@blocknote/core';
import { BlockNoteViewRaw } from '@blocknote/react';
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type EditorBlock, fromEditor, toEditor } from '../../src/web/client/convert.ts';
import { editorSchema } from '../../src/web/client/schema.ts';
import { planSync } from '../../src/web/client/sync.ts';
import { cases } from './convert-cases.ts';
import { NB, PLAIN, RT } from './convert-support.ts';

const editors: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const e of editors.splice(0)) e.unmount();
});

function load(blocks: EditorBlock[]): EditorBlock[] {
  const editor = BlockNoteEditor.create({ schema: editorSchema, initialContent: blocks as never });
  editors.push(editor);
  return editor.document as unknown as EditorBlock[];
}

describe('a real BlockNote editor', () => {
  it('accepts every converted block type and gives back the same write bodies', () => {
    const stored = cases().map(([, block]) => block);
    const initial = toEditor(stored);
    const document = load(initial);
    expect(document.map((b) => [b.id, b.type])).toEqual(initial.map((b) => [b.id, b.type]));
    expect(fromEditor(document)).toEqual(fromEditor(initial));
    expect(planSync(stored, document, { rootId: 'page' })).toEqual([]);
  });

  it('keeps nesting, styles, links, mentions and inline equations', () => {
    const stored = [
      NB('toggle', { rich_text: [RT('t', { bold: true, color: 'red_background' })], color: 'blue' }, [
        NB('paragraph', {
          rich_text: [
            RT('see ', {}, 'https://a.b/'),
            {
              type: 'mention',
              mention: { type: 'page', page: { id: 'p1' } },
              annotations: PLAIN,
              plain_text: 'Home',
              href: null,
            },
            {
              type: 'equation',
              equation: { expression: 'x^2' },
              annotations: PLAIN,
              plain_text: 'x^2',
              href: null,
            },
          ],
          icon: null,
          color: 'default',
        }),
      ]),
    ];
    const initial = toEditor(stored);
    const document = load(initial);
    expect(document[0]!.children[0]!.id).toBe(stored[0]!.children![0]!.id);
    expect(fromEditor(document)).toEqual(fromEditor(initial));
    expect(planSync(stored, document, { rootId: 'page' })).toEqual([]);
  });
});

describe('the custom blocks rendered by React', () => {
  it('shows read-only blocks as labelled boxes, callouts, child pages and equations', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const meta = document.createElement('meta');
    meta.name = 'viewport';
    meta.content = 'width=device-width, initial-scale=1, interactive-widget=resizes-content';
    document.head.append(meta);
    const stored = cases().map(([, block]) => block);
    const initial = toEditor(stored);
    const editor = BlockNoteEditor.create({ schema: editorSchema, initialContent: initial as never });
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    await act(async () => {
      root.render(createElement(BlockNoteViewRaw as never, { editor, slashMenu: false, sideMenu: false }));
    });
    const readOnly = [...host.querySelectorAll('.octavo-readonly')];
    expect(readOnly.map((e) => e.getAttribute('aria-label'))).toEqual(
      initial
        .filter((b) => b.type === 'notionReadOnly')
        .map((b) => `${b.props.notionType} block (read-only)`),
    );
    expect(readOnly.every((e) => e.getAttribute('contenteditable') === 'false')).toBe(true);
    expect(host.querySelector('.octavo-callout')?.textContent).toBe('💡c');
    expect(host.querySelector('.octavo-child-page')?.textContent).toBe('📄 Sub');
    expect(host.querySelector<HTMLInputElement>('.octavo-equation input')?.value).toBe('e = mc^2');
    expect(host.querySelector('.octavo-bookmark a')?.getAttribute('href')).toBe('https://example.com');
    await act(async () => root.unmount());
  });
});

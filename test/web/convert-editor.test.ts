// @vitest-environment jsdom
/**
 * toEditor's output loaded into a real BlockNote editor (jsdom as its DOM): BlockNote accepts
 * every block, keeps the ids, and what it holds converts back to the same write bodies, so the
 * sync plan for an untouched page is empty.
 */
import { BlockNoteEditor } from '@blocknote/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type EditorBlock, fromEditor, planSync, toEditor } from '../../src/web/client/convert.ts';
import { editorSchema } from '../../src/web/client/schema.ts';
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

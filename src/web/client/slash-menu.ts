/**
 * The slash menu: BlockNote's own items (headings, lists, to-do, toggle, quote, code, table,
 * media, divider) plus the Notion block types that are custom blocks in `schema.ts` — callout,
 * equation, bookmark, embed, table of contents, breadcrumb — so every type the API writes can be
 * inserted from the keyboard, not only loaded.
 */
import { filterSuggestionItems, insertOrUpdateBlockForSlashMenu } from '@blocknote/core';
import { type DefaultReactSuggestionItem, getDefaultReactSlashMenuItems } from '@blocknote/react';
import type { editorSchema } from './schema.ts';

type Editor = typeof editorSchema.BlockNoteEditor;
type Insertable = Parameters<
  typeof insertOrUpdateBlockForSlashMenu<
    Editor['schema']['blockSchema'],
    Editor['schema']['inlineContentSchema'],
    Editor['schema']['styleSchema']
  >
>[1];

const NOTION_ITEMS: { title: string; aliases: string[]; subtext: string; block: { type: string } }[] = [
  {
    title: 'Callout',
    aliases: ['callout', 'note', 'info'],
    subtext: 'Text with an icon',
    block: { type: 'callout' },
  },
  {
    title: 'Equation',
    aliases: ['equation', 'math', 'latex', 'tex'],
    subtext: 'A block of KaTeX',
    block: { type: 'equation' },
  },
  {
    title: 'Bookmark',
    aliases: ['bookmark', 'link'],
    subtext: 'A link to a web page',
    block: { type: 'bookmark' },
  },
  {
    title: 'Embed',
    aliases: ['embed', 'iframe'],
    subtext: 'Embed a web page by URL',
    block: { type: 'embed' },
  },
  {
    title: 'Table of contents',
    aliases: ['toc', 'contents'],
    subtext: 'The page’s headings',
    block: { type: 'tableOfContents' },
  },
  {
    title: 'Breadcrumb',
    aliases: ['breadcrumb', 'path'],
    subtext: 'Where this page is',
    block: { type: 'breadcrumb' },
  },
];

/** The slash menu's items for `query`. */
export async function slashMenuItems(editor: Editor, query: string): Promise<DefaultReactSuggestionItem[]> {
  const notion = NOTION_ITEMS.map((item) => ({
    title: item.title,
    aliases: item.aliases,
    subtext: item.subtext,
    group: 'Notion blocks',
    onItemClick: () => {
      insertOrUpdateBlockForSlashMenu(editor, item.block as Insertable);
    },
  }));
  return filterSuggestionItems([...getDefaultReactSlashMenuItems(editor), ...notion], query);
}

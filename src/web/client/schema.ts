/**
 * The web editor's BlockNote schema: BlockNote's default blocks (headings limited to Notion's four
 * levels, every block with a hidden `notion` prop for the Notion fields the editor does not show)
 * plus custom blocks for Notion types BlockNote lacks. `notionReadOnly` carries the raw Notion
 * block of any type the editor cannot edit, shown as a box that cannot be edited and written back
 * unchanged. Rendering uses React without JSX, so the schema also loads in Node (tests).
 * The mapping to Octavo's blocks is in convert.ts; the table in docs/ARCHITECTURE.md ("Web
 * editor: block conversion").
 */
import {
  BlockNoteSchema,
  createCodeBlockSpec,
  createHeadingBlockSpec,
  defaultBlockSpecs,
  defaultInlineContentSpecs,
} from '@blocknote/core';
import { createReactBlockSpec, createReactInlineContentSpec } from '@blocknote/react';
import { createElement as h } from 'react';
import { serverPath } from './api.ts';
import { CODE_LANGUAGES } from './languages.ts';

/** Every block's hidden prop: JSON of the Notion fields the editor does not model (captions, sources). */
const NOTION_PROP = { notion: { default: '' } } as const;

/** Adds the hidden `notion` prop to a default block spec (BlockNote supports extending props). */
function withNotion<T extends { config: { propSchema: object } }>(spec: T): T {
  return { ...spec, config: { ...spec.config, propSchema: { ...spec.config.propSchema, ...NOTION_PROP } } };
}

const colorProps = {
  textColor: { default: 'default' },
  backgroundColor: { default: 'default' },
} as const;

/** A labelled text field that writes one prop of its block. */
function propField(
  label: string,
  value: string,
  onChange: (value: string) => void,
  editable: boolean,
): ReturnType<typeof h> {
  return h(
    'label',
    { className: 'octavo-block-field', contentEditable: false },
    h('span', null, label),
    h('input', {
      type: 'text',
      value,
      readOnly: !editable,
      'aria-label': label,
      onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    }),
  );
}

const createCallout = createReactBlockSpec(
  {
    type: 'callout',
    propSchema: { ...colorProps, icon: { default: '' }, ...NOTION_PROP },
    content: 'inline',
  },
  {
    render: ({ block, contentRef }) => {
      const icon = iconText(block.props.icon);
      return h(
        'div',
        { className: 'octavo-callout', 'data-color': block.props.backgroundColor },
        h('span', { className: 'octavo-callout-icon', 'aria-hidden': true, contentEditable: false }, icon),
        h('div', { className: 'octavo-callout-text', ref: contentRef }),
      );
    },
  },
);

/** The visible form of a stored Notion icon (JSON): its emoji, else a generic mark. */
export function iconText(icon: string): string {
  if (!icon) return '💡';
  try {
    const parsed = JSON.parse(icon) as { type?: string; emoji?: string };
    return parsed.type === 'emoji' && parsed.emoji ? parsed.emoji : '◆';
  } catch {
    return '◆';
  }
}

const createEquation = createReactBlockSpec(
  { type: 'equation', propSchema: { expression: { default: '' }, ...NOTION_PROP }, content: 'none' },
  {
    render: ({ block, editor }) =>
      h(
        'div',
        { className: 'octavo-equation' },
        propField(
          'Equation (KaTeX)',
          block.props.expression,
          (expression) => editor.updateBlock(block, { props: { expression } }),
          editor.isEditable,
        ),
      ),
  },
);

/** The body of a bookmark or embed block: its link, then URL and caption fields. */
function urlBlockBody(
  type: 'bookmark' | 'embed',
  props: { url: string; caption: string },
  update: (props: { url?: string; caption?: string }) => void,
  editable: boolean,
): ReturnType<typeof h> {
  return h(
    'div',
    { className: `octavo-${type}` },
    props.url ? h('a', { href: props.url, rel: 'noopener noreferrer', target: '_blank' }, props.url) : null,
    propField(
      type === 'bookmark' ? 'Bookmark URL' : 'Embed URL',
      props.url,
      (url) => update({ url }),
      editable,
    ),
    propField('Caption', props.caption, (caption) => update({ caption }), editable),
  );
}

const urlProps = { url: { default: '' }, caption: { default: '' }, ...NOTION_PROP } as const;

const createBookmark = createReactBlockSpec(
  { type: 'bookmark', propSchema: urlProps, content: 'none' },
  {
    render: ({ block, editor }) =>
      urlBlockBody(
        'bookmark',
        block.props,
        (props) => editor.updateBlock(block, { props }),
        editor.isEditable,
      ),
  },
);

const createEmbed = createReactBlockSpec(
  { type: 'embed', propSchema: urlProps, content: 'none' },
  {
    render: ({ block, editor }) =>
      urlBlockBody('embed', block.props, (props) => editor.updateBlock(block, { props }), editor.isEditable),
  },
);

const createTableOfContents = createReactBlockSpec(
  { type: 'tableOfContents', propSchema: { ...colorProps, ...NOTION_PROP }, content: 'none' },
  {
    render: () =>
      h('nav', { className: 'octavo-toc', 'aria-label': 'Table of contents' }, 'Table of contents'),
  },
);

const createBreadcrumb = createReactBlockSpec(
  { type: 'breadcrumb', propSchema: { ...NOTION_PROP }, content: 'none' },
  { render: () => h('nav', { className: 'octavo-breadcrumb', 'aria-label': 'Breadcrumb' }, 'Breadcrumb') },
);

const createLinkToPage = createReactBlockSpec(
  {
    type: 'linkToPage',
    propSchema: { targetType: { default: 'page_id' }, targetId: { default: '' }, ...NOTION_PROP },
    content: 'none',
  },
  {
    render: ({ block }) =>
      h(
        'a',
        {
          className: 'octavo-link-to-page',
          href: serverPath(`/p/${block.props.targetId.replaceAll('-', '')}`),
        },
        `↗ ${block.props.targetType === 'database_id' ? 'Database' : 'Page'} ${block.props.targetId}`,
      ),
  },
);

const createChildPage = createReactBlockSpec(
  {
    type: 'childPage',
    propSchema: { kind: { default: 'page' }, title: { default: '' }, ...NOTION_PROP },
    content: 'none',
  },
  {
    render: ({ block }) =>
      h(
        'a',
        {
          className: 'octavo-child-page',
          'data-kind': block.props.kind,
          href: serverPath(`/p/${block.id.replaceAll('-', '')}`),
        },
        `${block.props.kind === 'database' ? '▦' : '📄'} ${block.props.title || 'Untitled'}`,
      ),
  },
);

/**
 * The text inside a read-only block's raw Notion block (its children, as loaded with the page),
 * one line per descendant that has text, at most `max`: what a column list or synced block holds
 * is shown, not only its type.
 */
export function readOnlyLines(raw: string, max = 50): string[] {
  const lines: string[] = [];
  const walk = (b: unknown) => {
    if (lines.length >= max || typeof b !== 'object' || b === null) return;
    const block = b as { type?: string; children?: unknown[] } & Record<string, unknown>;
    const body = block.type
      ? (block[block.type] as { rich_text?: { plain_text?: string }[] } | undefined)
      : undefined;
    const text = Array.isArray(body?.rich_text) ? body.rich_text.map((t) => t.plain_text ?? '').join('') : '';
    if (text) lines.push(text);
    for (const child of block.children ?? []) walk(child);
  };
  try {
    const root = JSON.parse(raw) as { children?: unknown[] };
    for (const child of root.children ?? []) walk(child);
  } catch {
    return [];
  }
  return lines;
}

const createReadOnly = createReactBlockSpec(
  {
    type: 'notionReadOnly',
    propSchema: { notionType: { default: '' }, text: { default: '' }, raw: { default: '' } },
    content: 'none',
  },
  {
    render: ({ block }) =>
      h(
        'div',
        {
          className: 'octavo-readonly',
          role: 'note',
          'aria-label': `${block.props.notionType} block (read-only)`,
          contentEditable: false,
        },
        h('span', { className: 'octavo-readonly-type' }, block.props.notionType),
        block.props.text ? h('span', { className: 'octavo-readonly-text' }, block.props.text) : null,
        ...readOnlyLines(block.props.raw).map((line, i) =>
          h('span', { key: i, className: 'octavo-readonly-line' }, line),
        ),
      ),
  },
);

const mentionSpec = createReactInlineContentSpec(
  { type: 'mention', propSchema: { raw: { default: '' }, text: { default: '' } }, content: 'none' },
  {
    render: ({ inlineContent }) =>
      h(
        'span',
        { className: 'octavo-mention', 'data-raw': inlineContent.props.raw },
        inlineContent.props.text,
      ),
  },
);

const inlineEquationSpec = createReactInlineContentSpec(
  {
    type: 'inlineEquation',
    propSchema: { expression: { default: '' }, annotations: { default: '' } },
    content: 'none',
  },
  {
    render: ({ inlineContent }) =>
      h('span', { className: 'octavo-inline-equation' }, inlineContent.props.expression),
  },
);

/** Default blocks with the hidden `notion` prop; headings limited to Notion's levels 1–4. */
const defaults = {
  audio: withNotion(defaultBlockSpecs.audio),
  bulletListItem: withNotion(defaultBlockSpecs.bulletListItem),
  checkListItem: withNotion(defaultBlockSpecs.checkListItem),
  codeBlock: withNotion(
    createCodeBlockSpec({
      defaultLanguage: 'plain text',
      supportedLanguages: Object.fromEntries(CODE_LANGUAGES.map((l) => [l, { name: l }])),
    }),
  ),
  divider: withNotion(defaultBlockSpecs.divider),
  file: withNotion(defaultBlockSpecs.file),
  heading: withNotion(createHeadingBlockSpec({ levels: [1, 2, 3, 4] })),
  image: withNotion(defaultBlockSpecs.image),
  numberedListItem: withNotion(defaultBlockSpecs.numberedListItem),
  paragraph: withNotion(defaultBlockSpecs.paragraph),
  quote: withNotion(defaultBlockSpecs.quote),
  table: withNotion(defaultBlockSpecs.table),
  toggleListItem: withNotion(defaultBlockSpecs.toggleListItem),
  video: withNotion(defaultBlockSpecs.video),
};

/** The editor's schema (see the module comment). */
export const editorSchema = BlockNoteSchema.create({
  blockSpecs: {
    ...defaults,
    callout: createCallout(),
    equation: createEquation(),
    bookmark: createBookmark(),
    embed: createEmbed(),
    tableOfContents: createTableOfContents(),
    breadcrumb: createBreadcrumb(),
    linkToPage: createLinkToPage(),
    childPage: createChildPage(),
    notionReadOnly: createReadOnly(),
  },
  inlineContentSpecs: {
    ...defaultInlineContentSpecs,
    mention: mentionSpec,
    inlineEquation: inlineEquationSpec,
  },
});

export type EditorSchema = typeof editorSchema;

/** One case per Notion block type: a stored block, what the editor gets, the write body it gives back. */
import { NB, RT, T, W } from './convert-support.ts';

export const URL_A = 'https://example.com/a.png';

/** Each case: a stored block, what the editor gets, and the write body it becomes again. */
export const cases = () =>
  [
    [
      'paragraph with colour and an icon',
      NB('paragraph', { rich_text: [RT('p')], icon: { type: 'emoji', emoji: '🎯' }, color: 'blue' }),
      { type: 'paragraph', props: { textColor: 'blue', backgroundColor: 'default' } },
      {
        type: 'paragraph',
        paragraph: { rich_text: [W('p')], color: 'blue', icon: { type: 'emoji', emoji: '🎯' } },
      },
    ],
    ...([1, 2, 3, 4] as const).map((level) => [
      `heading_${level}`,
      NB(`heading_${level}`, { rich_text: [RT('h')], is_toggleable: level === 2, color: 'red_background' }),
      { type: 'heading', props: { level, isToggleable: level === 2, backgroundColor: 'red' } },
      {
        type: `heading_${level}`,
        [`heading_${level}`]: { rich_text: [W('h')], color: 'red_background', is_toggleable: level === 2 },
      },
    ]),
    ...(
      [
        ['bulleted_list_item', 'bulletListItem'],
        ['numbered_list_item', 'numberedListItem'],
        ['toggle', 'toggleListItem'],
        ['quote', 'quote'],
      ] as const
    ).map(([type, editorType]) => [
      type,
      NB(type, { rich_text: [RT(type)], color: 'green' }),
      { type: editorType, props: { textColor: 'green' } },
      { type, [type]: { rich_text: [W(type)], color: 'green' } },
    ]),
    [
      'to_do',
      NB('to_do', { rich_text: [RT('task')], checked: true, color: 'default' }),
      { type: 'checkListItem', props: { checked: true } },
      { type: 'to_do', to_do: { rich_text: [W('task')], color: 'default', checked: true } },
    ],
    [
      'callout',
      NB('callout', { rich_text: [RT('c')], icon: { type: 'emoji', emoji: '💡' }, color: 'gray_background' }),
      {
        type: 'callout',
        props: { backgroundColor: 'gray', icon: JSON.stringify({ type: 'emoji', emoji: '💡' }) },
      },
      {
        type: 'callout',
        callout: { rich_text: [W('c')], color: 'gray_background', icon: { type: 'emoji', emoji: '💡' } },
      },
    ],
    [
      'code with a rich caption',
      NB('code', {
        caption: [RT('cap', { italic: true })],
        rich_text: [RT('let x = 1')],
        language: 'typescript',
      }),
      { type: 'codeBlock', props: { language: 'typescript' }, content: [T('let x = 1')] },
      {
        type: 'code',
        code: { rich_text: [W('let x = 1')], language: 'typescript', caption: [W('cap', { italic: true })] },
      },
    ],
    [
      'equation',
      NB('equation', { expression: 'e = mc^2' }),
      { type: 'equation', props: { expression: 'e = mc^2' } },
      { type: 'equation', equation: { expression: 'e = mc^2' } },
    ],
    ['divider', NB('divider', {}), { type: 'divider' }, { type: 'divider', divider: {} }],
    ...(['image', 'video', 'audio'] as const).map((type) => [
      `${type} (external)`,
      NB(type, { caption: [RT('c')], type: 'external', external: { url: URL_A } }),
      { type, props: { url: URL_A, caption: 'c' } },
      { type, [type]: { external: { url: URL_A }, caption: [W('c')] } },
    ]),
    [
      'file (external)',
      NB('file', { caption: [], type: 'external', external: { url: URL_A }, name: 'a.png' }),
      { type: 'file', props: { url: URL_A, name: 'a.png' } },
      { type: 'file', file: { external: { url: URL_A }, caption: [], name: 'a.png' } },
    ],
    [
      'pdf (external) as a file block',
      NB('pdf', { caption: [], type: 'external', external: { url: 'https://example.com/x.pdf' } }),
      { type: 'file', props: { url: 'https://example.com/x.pdf' } },
      { type: 'pdf', pdf: { external: { url: 'https://example.com/x.pdf' }, caption: [] } },
    ],
    [
      'image hosted by Octavo (no source written)',
      NB('image', {
        caption: [],
        type: 'file',
        file: { url: 'https://octavo.test/files/x?sig=1', expiry_time: '2030-01-01T00:00:00.000Z' },
      }),
      { type: 'image', props: { url: 'https://octavo.test/files/x?sig=1' } },
      { type: 'image', image: { caption: [] } },
    ],
    ...(['bookmark', 'embed'] as const).map((type) => [
      type,
      NB(type, { caption: [RT('site', { bold: true })], url: 'https://example.com' }),
      { type, props: { url: 'https://example.com', caption: 'site' } },
      { type, [type]: { url: 'https://example.com', caption: [W('site', { bold: true })] } },
    ]),
    [
      'table with rows',
      NB('table', { table_width: 2, has_column_header: true, has_row_header: false }, [
        NB('table_row', { cells: [[RT('A')], [RT('B')]] }),
        NB('table_row', { cells: [[RT('1')], []] }),
      ]),
      { type: 'table', content: { rows: [{}, {}], headerRows: 1 } },
      {
        type: 'table',
        table: {
          table_width: 2,
          has_column_header: true,
          has_row_header: false,
          children: [
            { type: 'table_row', table_row: { cells: [[W('A')], [W('B')]] } },
            { type: 'table_row', table_row: { cells: [[W('1')], []] } },
          ],
        },
      },
    ],
    [
      'table_of_contents',
      NB('table_of_contents', { color: 'pink' }),
      { type: 'tableOfContents', props: { textColor: 'pink' } },
      { type: 'table_of_contents', table_of_contents: { color: 'pink' } },
    ],
    ['breadcrumb', NB('breadcrumb', {}), { type: 'breadcrumb' }, { type: 'breadcrumb', breadcrumb: {} }],
    [
      'link_to_page',
      NB('link_to_page', { type: 'page_id', page_id: 'p-1' }),
      { type: 'linkToPage', props: { targetType: 'page_id', targetId: 'p-1' } },
      { type: 'link_to_page', link_to_page: { type: 'page_id', page_id: 'p-1' } },
    ],
    [
      'child_page',
      NB('child_page', { title: 'Sub' }),
      { type: 'childPage', props: { kind: 'page', title: 'Sub' } },
      { type: 'child_page', child_page: { title: 'Sub' } },
    ],
    [
      'child_database',
      NB('child_database', { title: 'Tasks' }),
      { type: 'childPage', props: { kind: 'database', title: 'Tasks' } },
      { type: 'child_database', child_database: { title: 'Tasks' } },
    ],
    [
      'template (read-only)',
      NB('template', { rich_text: [RT('tpl')] }),
      { type: 'notionReadOnly', props: { notionType: 'template', text: 'tpl' } },
      { type: 'template', template: { rich_text: [W('tpl')] } },
    ],
    [
      'column_list with columns (read-only, children kept)',
      NB('column_list', {}, [
        NB('column', { width_ratio: 0.5 }, [
          NB('paragraph', { rich_text: [RT('left')], icon: null, color: 'default' }),
        ]),
        NB('column', { width_ratio: 0.5 }, [NB('divider', {})]),
      ]),
      { type: 'notionReadOnly', props: { notionType: 'column_list' } },
      {
        type: 'column_list',
        column_list: {
          children: [
            {
              type: 'column',
              column: {
                width_ratio: 0.5,
                children: [{ type: 'paragraph', paragraph: { rich_text: [W('left')], color: 'default' } }],
              },
            },
            { type: 'column', column: { width_ratio: 0.5, children: [{ type: 'divider', divider: {} }] } },
          ],
        },
      },
    ],
    [
      'synced_block original (read-only, children kept)',
      NB('synced_block', { synced_from: null }, [NB('divider', {})]),
      { type: 'notionReadOnly', props: { notionType: 'synced_block' } },
      {
        type: 'synced_block',
        synced_block: { synced_from: null, children: [{ type: 'divider', divider: {} }] },
      },
    ],
    [
      'synced_block reference (the original’s children are not its own)',
      NB('synced_block', { synced_from: { type: 'block_id', block_id: 'b-1' } }, [NB('divider', {})]),
      { type: 'notionReadOnly', props: { notionType: 'synced_block' } },
      { type: 'synced_block', synced_block: { synced_from: { block_id: 'b-1' } } },
    ],
    [
      'tab (read-only)',
      NB('tab', {}, [
        NB('paragraph', { rich_text: [RT('One')], icon: { type: 'emoji', emoji: '📁' }, color: 'default' }),
      ]),
      { type: 'notionReadOnly', props: { notionType: 'tab' } },
      {
        type: 'tab',
        tab: {
          children: [
            {
              type: 'paragraph',
              paragraph: { rich_text: [W('One')], icon: { type: 'emoji', emoji: '📁' }, color: 'default' },
            },
          ],
        },
      },
    ],
    [
      'link_preview (read-only)',
      NB('link_preview', { url: 'https://github.com/x' }),
      { type: 'notionReadOnly', props: { notionType: 'link_preview', text: 'https://github.com/x' } },
      { type: 'link_preview', link_preview: { url: 'https://github.com/x' } },
    ],
    [
      'unsupported (read-only)',
      NB('unsupported', { block_type: 'form' }),
      { type: 'notionReadOnly', props: { notionType: 'unsupported', text: 'form' } },
      { type: 'unsupported', unsupported: { block_type: 'form' } },
    ],
    [
      'meeting_notes (read-only)',
      NB('meeting_notes', { title: 'Standup', status: 'notes_ready' }),
      { type: 'notionReadOnly', props: { notionType: 'meeting_notes', text: 'Standup' } },
      { type: 'meeting_notes', meeting_notes: { title: 'Standup', status: 'notes_ready' } },
    ],
  ] as Array<[string, ReturnType<typeof NB>, Record<string, unknown>, Record<string, unknown>]>;

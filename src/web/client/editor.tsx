/**
 * The page's block editor: BlockNote with Octavo's schema (schema.ts), loaded from the page's
 * block tree (GET /v1/blocks/{id}/children, recursively) and saved through the API.
 *
 * Saving: a change waits for a pause (SAVE_DELAY_MS), then `planSync(stored, edited)` plans the
 * API calls (update / append / delete) and `applySteps` runs them (convert.ts, sync.ts). The
 * tree is then read again: it becomes the new `stored`, and the ids the server gave to new blocks
 * replace the editor's temporary ones in place (the cursor stays). Edits made while a save runs
 * are saved next.
 *
 * Others' edits: while nothing is waiting to be saved, the tree is read again every
 * POLL_MS (only while the tab is visible); when it differs from `stored`, the editor shows the new
 * tree, with the caret kept in the same block at the same offset. Polling the block tree rather than the page's `last_edited_time`, because that time is
 * rounded to the minute (as in Notion) and would miss changes within a minute.
 */
import { BlockNoteView } from '@blocknote/mantine';
import { SuggestionMenuController, useCreateBlockNote } from '@blocknote/react';
import { type EditorState, TextSelection, type Transaction } from '@tiptap/pm/state';
import { useEffect, useRef, useState } from 'react';
import { api, type Block, listChildren, loadTree } from './api.ts';
import { type EditorBlock, type NotionBlock, toEditor } from './convert.ts';
import { navigate } from './router.ts';
import { editorSchema } from './schema.ts';
import { slashMenuItems } from './slash-menu.ts';
import { applySteps, planSync, type SyncApi } from './sync.ts';

export const SAVE_DELAY_MS = 600;
export const POLL_MS = 2000;

const syncApi: SyncApi = {
  update: (blockId, body) => api('PATCH', `/blocks/${blockId}`, body),
  append: async (parentId, children, position) => {
    const res = await api<{ results: Block[] }>('PATCH', `/blocks/${parentId}/children`, {
      children,
      ...(position === null
        ? {}
        : 'after' in position
          ? { position: { type: 'after_block', after_block: { id: position.after } } }
          : { position: { type: 'start' } }),
    });
    // The response lists the parent's children from the first appended one: take as many as sent.
    return res.results.slice(0, children.length).map((b) => b.id);
  },
  delete: (blockId) => api('DELETE', `/blocks/${blockId}`),
  listChildren: async (blockId) => (await listChildren(blockId)).map((b) => b.id),
};

type Status = 'loading' | 'saved' | 'saving' | 'unsaved' | 'error';

const STATUS_TEXT: Record<Status, string> = {
  loading: 'Loading…',
  saved: 'Saved',
  saving: 'Saving…',
  unsaved: 'Unsaved changes',
  error: 'Could not save; retrying on the next change',
};

/**
 * The editor of `pageId`; `tree` is its blocks, fetched by the page view alongside the page.
 * They are loaded into an empty editor (`replaceBlocks`): measured on 1,000 blocks, that took a
 * third of the time of making the editor with them as `initialContent`.
 */
export function PageEditor({
  pageId,
  editable,
  tree: initial,
}: {
  pageId: string;
  editable: boolean;
  tree: Promise<NotionBlock[]>;
}) {
  const editor = useCreateBlockNote({ schema: editorSchema });
  const [status, setStatus] = useState<Status>('loading');
  const state = useRef({
    stored: [] as NotionBlock[],
    storedKey: '',
    loaded: false,
    dirty: false,
    saving: false,
    applyingRemote: false,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
  });

  /**
   * Shows `tree` in the editor without treating it as the person's edit. The caret stays where
   * the person put it (same block, same offset) when that block is still there.
   */
  const show = (tree: NotionBlock[]) => {
    const s = state.current;
    s.applyingRemote = true;
    try {
      const caret = caretOf(editor.prosemirrorState);
      const blocks = toEditor(tree) as never[];
      editor.replaceBlocks(
        editor.document,
        blocks.length > 0 ? blocks : ([{ type: 'paragraph' }] as never[]),
      );
      if (caret) editor.transact((tr) => restoreCaret(tr, caret));
    } finally {
      s.applyingRemote = false;
    }
  };

  const remember = (tree: NotionBlock[]) => {
    state.current.stored = tree;
    state.current.storedKey = keyOf(tree);
  };

  const save = async () => {
    const s = state.current;
    if (s.saving) return;
    s.saving = true;
    s.dirty = false;
    setStatus('saving');
    try {
      const edited = editor.document as unknown as EditorBlock[];
      const steps = planSync(s.stored, edited, { rootId: pageId });
      const map = steps.length > 0 ? await applySteps(steps, syncApi) : new Map<string, string>();
      const known = new Set([...idsOf(s.stored), ...map.values()]);
      const fresh = (await loadTree(pageId)) as NotionBlock[];
      // Typed on during the save: blocks others added meanwhile are left out of `stored`, so the
      // next plan cannot delete them (they are not in the editor yet); once nothing waits to be
      // saved, the tree read then shows them.
      remember(s.dirty ? only(fresh, known) : fresh);
      s.applyingRemote = true;
      try {
        adoptServerIds(editor, fresh, map);
      } finally {
        s.applyingRemote = false;
      }
      // The tree read back holds others' writes made meanwhile too: when nothing was typed since,
      // show it (planSync is the comparison: no step means the editor shows what is stored).
      const current = editor.document as unknown as EditorBlock[];
      if (!s.dirty && planSync(fresh, current, { rootId: pageId }).length > 0) show(fresh);
      setStatus(s.dirty ? 'unsaved' : 'saved');
    } catch (e) {
      console.error(e);
      setStatus('error');
      // Some steps may have run: read the tree again so the next plan starts from the truth, and
      // give blocks that were created before the failure their ids (by position), so the next
      // save does not create them twice.
      const fresh = (await loadTree(pageId).catch(() => null)) as NotionBlock[] | null;
      if (fresh) {
        remember(fresh);
        s.applyingRemote = true;
        try {
          adoptServerIds(editor, fresh, new Map());
        } finally {
          s.applyingRemote = false;
        }
      }
    } finally {
      s.saving = false;
    }
    if (s.dirty) schedule();
  };

  const schedule = () => {
    const s = state.current;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => void save(), SAVE_DELAY_MS);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per page; the helpers read refs
  useEffect(() => {
    let live = true;
    const s = state.current;
    initial.then(
      (tree) => {
        if (!live) return;
        remember(tree);
        show(tree);
        s.loaded = true;
        setStatus('saved');
      },
      () => live && setStatus('error'),
    );
    const poll = setInterval(async () => {
      if (document.hidden || !s.loaded || s.dirty || s.saving) return;
      const tree = (await loadTree(pageId).catch(() => null)) as NotionBlock[] | null;
      // Skip when the person edited meanwhile: their save comes first, the next poll catches up.
      if (!live || !tree || s.dirty || s.saving) return;
      if (keyOf(tree) !== s.storedKey) {
        remember(tree);
        show(tree);
      }
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(poll);
      clearTimeout(s.timer);
      if (s.dirty) void save();
    };
  }, [pageId]);

  return (
    <section
      className="editor"
      aria-label="Page content"
      onClickCapture={(e) => {
        // A child page opens in the editor; a child database in the read-only view (its href).
        const link = (e.target as Element).closest('a.octavo-child-page[data-kind="page"]');
        const id = link?.getAttribute('href')?.match(/\/p\/([0-9a-f]{32})$/)?.[1];
        if (!id || e.metaKey || e.ctrlKey) return;
        e.preventDefault();
        navigate(`/app/p/${id}`);
      }}
    >
      <p className="save-status" role="status" aria-live="polite">
        {STATUS_TEXT[status]}
      </p>
      <BlockNoteView
        editor={editor}
        editable={editable}
        theme="light"
        slashMenu={false}
        onChange={() => {
          const s = state.current;
          if (s.applyingRemote) return;
          s.dirty = true;
          setStatus('unsaved');
          if (!s.saving) schedule();
        }}
      >
        <SuggestionMenuController triggerCharacter="/" getItems={(query) => slashMenuItems(editor, query)} />
      </BlockNoteView>
    </section>
  );
}

function idsOf(tree: readonly NotionBlock[]): string[] {
  return tree.flatMap((b) => [b.id, ...idsOf(b.children ?? [])]);
}

/** `tree` without the blocks (and their subtrees) whose id is not in `keep`. */
function only(tree: readonly NotionBlock[], keep: ReadonlySet<string>): NotionBlock[] {
  return tree
    .filter((b) => keep.has(b.id))
    .map((b) => (b.children ? { ...b, children: only(b.children, keep) } : b));
}

/** What of a tree the editor shows (ids, types, content), to tell whether it changed. */
function keyOf(tree: NotionBlock[]): string {
  return JSON.stringify(toEditor(tree));
}

/**
 * Gives the editor's new blocks the ids the server gave them: from `map` (applySteps), then by
 * position where the editor's and the server's trees have the same shape. Done in one
 * ProseMirror transaction that only changes `id` attributes, so the selection stays.
 */
function adoptServerIds(
  editor: { document: unknown; transact(fn: (tr: Transaction) => void): void },
  fresh: NotionBlock[],
  map: Map<string, string>,
): void {
  const known = new Set<string>();
  const collect = (blocks: NotionBlock[]) => {
    for (const b of blocks) {
      known.add(b.id);
      collect(b.children ?? []);
    }
  };
  collect(fresh);
  const ids = new Map(map);
  const align = (edited: EditorBlock[], stored: NotionBlock[]) => {
    const unknown = edited.filter((b) => !known.has(ids.get(b.id) ?? b.id));
    const free = stored.filter((b) => !edited.some((e) => (ids.get(e.id) ?? e.id) === b.id));
    if (unknown.length === free.length) for (const [i, b] of unknown.entries()) ids.set(b.id, free[i]!.id);
    for (const b of edited) {
      const sid = ids.get(b.id) ?? b.id;
      const match = stored.find((x) => x.id === sid);
      if (match) align(b.children, match.children ?? []);
    }
  };
  align(editor.document as unknown as EditorBlock[], fresh);
  const changes = [...ids].filter(([from, to]) => from !== to);
  if (changes.length === 0) return;
  const rename = new Map(changes);
  editor.transact((tr) => {
    tr.doc.descendants((node, pos) => {
      const id = node.attrs.id as string | undefined;
      const to = id === undefined ? undefined : rename.get(id);
      if (to) tr.setNodeMarkup(pos, undefined, { ...node.attrs, id: to });
    });
  });
}

/** Where the caret is: the id of the block holding it and its offset in that block's text. */
type Caret = { blockId: string; offset: number };

function caretOf(state: EditorState): Caret | null {
  const { selection } = state;
  if (!selection.empty) return null;
  const $pos = selection.$from;
  if (!$pos.parent.isTextblock) return null;
  for (let depth = $pos.depth; depth > 0; depth--) {
    const id = $pos.node(depth).attrs.id as string | undefined;
    if (id) return { blockId: id, offset: $pos.parentOffset };
  }
  return null;
}

/** Puts the caret back at `caret` when its block is still in the document. */
function restoreCaret(tr: Transaction, caret: Caret): void {
  let target: number | null = null;
  tr.doc.descendants((node, pos) => {
    if (target !== null) return false;
    if (node.attrs.id !== caret.blockId) return true;
    // The block's first text block (its own content, before any nested children).
    node.descendants((child, at) => {
      if (target !== null) return false;
      if (!child.isTextblock) return true;
      target = pos + 1 + at + 1 + Math.min(caret.offset, child.content.size);
      return false;
    });
    return false;
  });
  if (target !== null) tr.setSelection(TextSelection.create(tr.doc, target));
}

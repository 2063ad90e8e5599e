/**
 * The sidebar's page tree (nested lists of links, each page with a disclosure button): workspace-level pages (from POST /v1/search), each expanding into its
 * child pages and databases (GET /v1/blocks/{id}/children), with create, rename, move to trash
 * and drag-and-drop move. Recently trashed pages are remembered in this browser (the API has no
 * trash listing) so they can be restored from the sidebar; any trashed page can also be restored
 * from its own view.
 */
import { type DragEvent, type KeyboardEvent, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import {
  type Block,
  createPage,
  listChildren,
  movePage,
  type Page,
  pageTitle,
  rememberKind,
  renamePage,
  searchPages,
  setTrashed,
} from './api.ts';
import { IconView } from './icon.tsx';
import { appHref, navigate } from './router.ts';

export interface TreeNode {
  id: string;
  title: string;
  kind: 'page' | 'database';
  icon: Page['icon'];
  hasChildren: boolean;
}

const ROOT = 'root';
const TRASH_KEY = 'octavo.trashed';

/**
 * How often the sidebar reads the tree again to show pages others created, renamed, moved or
 * trashed (through the API, another browser) — the editor's mechanism (editor.tsx POLL_MS):
 * polling while the tab is visible, since there is no event feed for people yet.
 */
export const TREE_POLL_MS = 5000;

/** The tree's state, shared by the sidebar and the page view (titles, new pages, trash). */
class TreeStore {
  nodes = new Map<string, TreeNode>();
  children = new Map<string, string[]>();
  expanded = new Set<string>();
  trashed: { id: string; title: string }[] = JSON.parse(localStorage.getItem(TRASH_KEY) ?? '[]');
  private listeners = new Set<() => void>();
  private version = 0;

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  snapshot = () => this.version;
  private changed() {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /** What the sidebar shows, to tell whether a poll found anything new. */
  private shown(): string {
    const nodes = [...this.nodes.values()].map((n) => [n.id, n.title, n.icon, n.hasChildren, n.kind]);
    return JSON.stringify([[...this.children], nodes]);
  }

  private polling = false;

  /**
   * Reads the roots and every expanded page's children again; re-renders only when something
   * differs. One poll at a time; a child listing that fails (a page deleted meanwhile) is skipped.
   */
  async poll() {
    if (this.polling) return;
    this.polling = true;
    const before = this.shown();
    try {
      await this.loadRoots({ quiet: true });
      for (const id of [...this.expanded]) await this.loadChildren(id, { quiet: true }).catch(() => {});
    } finally {
      this.polling = false;
    }
    if (this.shown() !== before) this.changed();
  }

  async loadRoots(options: { quiet?: boolean } = {}) {
    const pages = await searchPages('');
    const roots = pages.filter((p) => p.parent.type === 'workspace' && !p.in_trash);
    for (const p of roots) {
      rememberKind(p.id, 'page');
      this.nodes.set(p.id, fromPage(p, this.nodes.get(p.id)?.hasChildren ?? true));
    }
    this.children.set(
      ROOT,
      roots.map((p) => p.id),
    );
    if (!options.quiet) this.changed();
  }

  async loadChildren(id: string, options: { quiet?: boolean } = {}) {
    const blocks = await listChildren(id);
    const kids = blocks.filter((b) => b.type === 'child_page' || b.type === 'child_database');
    for (const b of kids) {
      rememberKind(b.id, b.type === 'child_page' ? 'page' : 'database');
      this.nodes.set(b.id, fromBlock(b));
    }
    this.children.set(
      id,
      kids.map((b) => b.id),
    );
    const node = this.nodes.get(id);
    if (node) node.hasChildren = kids.length > 0;
    if (!options.quiet) this.changed();
  }

  async toggle(id: string, open = !this.expanded.has(id)) {
    if (open) {
      this.expanded.add(id);
      await this.loadChildren(id);
    } else {
      this.expanded.delete(id);
      this.changed();
    }
  }

  /** Reloads the listing that holds `parentId`'s children (the roots for null). */
  async refresh(parentId: string | null) {
    if (parentId === null) await this.loadRoots();
    else if (this.expanded.has(parentId)) await this.loadChildren(parentId);
  }

  async create(parentId: string | null): Promise<Page> {
    const page = await createPage(parentId, '');
    this.nodes.set(page.id, fromPage(page, false));
    if (parentId) {
      this.expanded.add(parentId);
      await this.loadChildren(parentId);
    } else await this.loadRoots();
    return page;
  }

  async rename(id: string, title: string) {
    await renamePage(id, title);
    this.setTitle(id, title);
  }

  setTitle(id: string, title: string) {
    const node = this.nodes.get(id);
    if (node && node.title !== title) {
      node.title = title;
      this.changed();
    }
  }

  /**
   * Moves a page to trash. The trash list is shown as soon as the server answers, and `trashed`
   * (leaving the page, say) runs then too, before the listing is read again: the sidebar is in
   * its final state once both have happened, not at some later re-render.
   */
  async trash(id: string, parentId: string | null, trashed?: () => void) {
    const page = await setTrashed(id, true);
    this.trashed = [{ id, title: pageTitle(page) }, ...this.trashed.filter((t) => t.id !== id)].slice(0, 50);
    localStorage.setItem(TRASH_KEY, JSON.stringify(this.trashed));
    const siblings = this.children.get(parentId ?? ROOT);
    if (siblings)
      this.children.set(
        parentId ?? ROOT,
        siblings.filter((s) => s !== id),
      );
    this.changed();
    trashed?.();
    await this.refresh(parentId);
  }

  async restore(id: string) {
    const page = await setTrashed(id, false);
    this.forget(id);
    const parent = page.parent.type === 'page_id' ? page.parent.page_id! : null;
    await this.refresh(parent);
    return page;
  }

  forget(id: string) {
    this.trashed = this.trashed.filter((t) => t.id !== id);
    localStorage.setItem(TRASH_KEY, JSON.stringify(this.trashed));
    this.changed();
  }

  async move(id: string, from: string | null, to: string) {
    await movePage(id, to);
    await this.refresh(from);
    this.expanded.add(to);
    await this.loadChildren(to);
  }
}

function fromPage(p: Page, hasChildren: boolean): TreeNode {
  return { id: p.id, title: pageTitle(p), kind: 'page', icon: p.icon, hasChildren };
}

function fromBlock(b: Block): TreeNode {
  const data = b[b.type] as { title?: string };
  return {
    id: b.id,
    title: data?.title ?? '',
    kind: b.type === 'child_page' ? 'page' : 'database',
    icon: null,
    hasChildren: b.type === 'child_page' ? b.has_children : false,
  };
}

export const tree = new TreeStore();

const useTree = () => useSyncExternalStore(tree.subscribe, tree.snapshot);

/** The sidebar's tree: roots, then each expanded page's children. */
export function PageTree({ currentId }: { currentId: string | null }) {
  useTree();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    tree.loadRoots().catch((e: Error) => setError(e.message));
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') tree.poll().catch(() => {});
    }, TREE_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const roots = tree.children.get(ROOT);
  return (
    <div className="tree">
      <div className="tree-head">
        <h2 id="tree-title">Pages</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="New page"
          title="New page"
          onClick={async () => {
            const page = await tree.create(null);
            navigate(`/app/p/${page.id}`, { focusTitle: true });
          }}
        >
          +
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {roots === undefined ? (
        <p className="muted">Loading…</p>
      ) : roots.length === 0 ? (
        <p className="muted">No pages yet.</p>
      ) : (
        <ul className="tree-list" aria-labelledby="tree-title">
          {roots.map((id) => (
            <TreeItem key={id} id={id} parentId={null} depth={0} currentId={currentId} />
          ))}
        </ul>
      )}
      <TrashList />
    </div>
  );
}

function TreeItem(props: { id: string; parentId: string | null; depth: number; currentId: string | null }) {
  const { id, parentId, depth, currentId } = props;
  const node = tree.nodes.get(id);
  const [renaming, setRenaming] = useState(false);
  const [dropping, setDropping] = useState(false);
  if (!node) return null;
  const open = tree.expanded.has(id);
  const kids = tree.children.get(id) ?? [];
  const path = `/app/p/${id}`;
  const href = appHref(path);
  const label = node.title || 'Untitled';

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDropping(false);
    const dragged = e.dataTransfer.getData('application/x-octavo-page');
    if (!dragged || dragged === id || node.kind !== 'page') return;
    const [draggedId, from] = dragged.split('|');
    await tree
      .move(draggedId!, from === ROOT ? null : (from ?? null), id)
      .catch((err: Error) => alert(err.message));
  };

  return (
    <li>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drop target for the drag-and-drop move; the keyboard path is the page's own "Move to" action */}
      <div
        className={`tree-row${id === currentId ? ' current' : ''}${dropping ? ' dropping' : ''}`}
        style={{ paddingLeft: `${0.25 + depth * 0.9}rem` }}
        draggable={node.kind === 'page'}
        onDragStart={(e) => e.dataTransfer.setData('application/x-octavo-page', `${id}|${parentId ?? ROOT}`)}
        onDragOver={(e) => {
          if (node.kind === 'page') {
            e.preventDefault();
            setDropping(true);
          }
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
      >
        <button
          type="button"
          className="disclosure"
          aria-expanded={node.kind === 'page' ? open : undefined}
          aria-label={`${open ? 'Collapse' : 'Expand'} ${label}`}
          disabled={node.kind !== 'page'}
          onClick={() => tree.toggle(id)}
        >
          {node.kind !== 'page' ? '▦' : open ? '▾' : '▸'}
        </button>
        {renaming ? (
          <RenameField
            initial={node.title}
            onDone={async (title) => {
              setRenaming(false);
              if (title !== null && title !== node.title) await tree.rename(id, title);
            }}
          />
        ) : (
          <a
            href={href}
            className="tree-link"
            aria-current={id === currentId ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(path);
            }}
          >
            <IconView icon={node.icon} />
            <span>{label}</span>
          </a>
        )}
        {node.kind === 'page' && (
          <span className="tree-actions">
            <button
              type="button"
              className="icon-button"
              aria-label={`Add a page inside ${label}`}
              title="Add a page inside"
              onClick={async () => {
                const page = await tree.create(id);
                navigate(`/app/p/${page.id}`, { focusTitle: true });
              }}
            >
              +
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label={`Rename ${label}`}
              title="Rename"
              onClick={() => setRenaming(true)}
            >
              ✎
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label={`Move ${label} to trash`}
              title="Move to trash"
              onClick={async () => {
                // Leaving the trashed page keeps the menu open (narrow screens): the person is
                // working in it, and its Trash list now holds the page.
                await tree
                  .trash(id, parentId, () => {
                    if (id === currentId) navigate('/app', { keepMenu: true });
                  })
                  .catch((e: Error) => alert(e.message));
              }}
            >
              🗑
            </button>
          </span>
        )}
      </div>
      {open && kids.length > 0 && (
        <ul>
          {kids.map((k) => (
            <TreeItem key={k} id={k} parentId={id} depth={depth + 1} currentId={currentId} />
          ))}
        </ul>
      )}
    </li>
  );
}

function RenameField({ initial, onDone }: { initial: string; onDone: (title: string | null) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') onDone(e.currentTarget.value);
    if (e.key === 'Escape') onDone(null);
  };
  return (
    <input
      ref={ref}
      className="rename"
      aria-label="New title"
      defaultValue={initial}
      onKeyDown={onKey}
      onBlur={(e) => onDone(e.currentTarget.value)}
    />
  );
}

function TrashList() {
  useTree();
  if (tree.trashed.length === 0) return null;
  return (
    <details className="trash">
      <summary>Trash ({tree.trashed.length})</summary>
      <ul>
        {tree.trashed.map((t) => (
          <li key={t.id}>
            <a
              href={appHref(`/app/p/${t.id}`)}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/app/p/${t.id}`);
              }}
            >
              {t.title || 'Untitled'}
            </a>
            <button
              type="button"
              className="small"
              aria-label={`Restore ${t.title || 'Untitled'}`}
              onClick={() => tree.restore(t.id).catch((e: Error) => alert(e.message))}
            >
              Restore
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

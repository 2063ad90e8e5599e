/**
 * One page: breadcrumbs, cover, icon, title (renames through PATCH /v1/pages/{id}) and the block
 * editor. A trashed page shows a banner to restore it. A database row shows its properties above
 * its content; an id that is a database or a data source shows its views (views.tsx).
 */
import { useEffect, useRef, useState } from 'react';
import {
  api,
  type Block,
  getBlock,
  getPage,
  loadTree,
  objectKind,
  type Page,
  pageTitle,
  rememberKind,
  renamePage,
} from './api.ts';
import { Comments } from './comments.tsx';
import type { NotionBlock } from './convert.ts';
import { PageEditor } from './editor.tsx';
import { IconView } from './icon.tsx';
import { Connections } from './integrations.tsx';
import { appHref, navigate } from './router.ts';
import { type DataSource, RowProperties, resolveDataSource } from './table.tsx';
import { tree } from './tree.tsx';
import { PageUpload } from './uploads.tsx';
import { DatabaseView } from './views.tsx';

interface Crumb {
  id: string;
  title: string;
  href: string;
}

/** The page's ancestors, outermost first (pages and databases; blocks in between are skipped). */
async function ancestors(page: Page): Promise<Crumb[]> {
  const out: Crumb[] = [];
  let parent = page.parent;
  for (let depth = 0; depth < 12 && parent.type !== 'workspace'; depth++) {
    if (parent.type === 'page_id') {
      const p = await getPage(parent.page_id!);
      rememberKind(p.id, 'page');
      out.unshift({ id: p.id, title: pageTitle(p) || 'Untitled', href: `/app/p/${p.id}` });
      parent = p.parent;
    } else if (parent.type === 'block_id') {
      const b: Block = await getBlock(parent.block_id!);
      parent = b.parent;
    } else {
      const id = (parent.type === 'database_id' ? parent.database_id : parent.data_source_id)!;
      rememberKind(id, parent.type === 'database_id' ? 'database' : 'data_source');
      const db = await api<{
        title?: { plain_text: string }[];
        parent: Page['parent'];
        data_sources?: unknown[];
      }>('GET', parent.type === 'database_id' ? `/databases/${id}` : `/data_sources/${id}`);
      // A database with one data source is one crumb (the data source's, already there).
      if (!(parent.type === 'database_id' && db.data_sources?.length === 1 && out.length > 0)) {
        out.unshift({
          id,
          title: (db.title ?? []).map((t) => t.plain_text).join('') || 'Database',
          href: `/app/p/${id}`,
        });
      }
      parent = db.parent;
    }
  }
  return out;
}

export function PageView({ id, focusTitle }: { id: string; focusTitle: boolean }) {
  const [page, setPage] = useState<Page | null>(null);
  // The blocks, asked for once the id is known to be a page (a database or data source has no
  // block tree: asking would be a 404), alongside the page when that is asked for too.
  const [blocks, setBlocks] = useState<Promise<NotionBlock[]> | null>(null);
  const [source, setSource] = useState<DataSource | null>(null);
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const showSource = (s: DataSource) => {
      setSource(s);
      document.title = `${s.title.map((t) => t.plain_text).join('') || 'Untitled database'} · Octavo`;
    };
    const showPage = async (given: Page | undefined) => {
      const tree = loadTree(id) as Promise<NotionBlock[]>;
      tree.catch(() => undefined); // the editor reports its own failures
      setBlocks(tree);
      const p = given ?? (await getPage(id));
      if (!live) return;
      setPage(p);
      document.title = `${pageTitle(p) || 'Untitled'} · Octavo`;
      const c = await ancestors(p);
      if (live) setCrumbs(c);
    };
    // What the id names first (known, or asked of /app/api/kinds, which brings a page along), so
    // each id goes to the endpoint that serves it and opening a database logs no 404.
    objectKind(id)
      .then(async (named) => {
        if (!live) return;
        if (!named) return setError(`Could not find page with ID: ${id}.`);
        if (named.kind === 'page') return showPage(named.page);
        const s = await resolveDataSource(id, named.kind);
        if (!live) return;
        if (s) showSource(s);
        else setError(`Could not find database with ID: ${id}.`);
      })
      .catch((e: Error) => {
        if (live) setError(e.message);
      });
    return () => {
      live = false;
    };
  }, [id]);

  if (error) return <p role="alert">{error}</p>;
  if (source) return <DatabaseView id={id} source={source} />;
  if (!page || !blocks) return <p className="muted">Loading…</p>;
  const coverUrl = page.cover?.external?.url ?? page.cover?.file?.url;
  return (
    <article className="page">
      <nav aria-label="Breadcrumbs" className="breadcrumbs">
        <ol>
          <li>
            <a
              href={appHref('/app')}
              onClick={(e) => {
                e.preventDefault();
                navigate('/app');
              }}
            >
              Home
            </a>
          </li>
          {crumbs.map((c) => (
            <li key={c.id}>
              <a
                href={appHref(c.href)}
                onClick={(e) => {
                  if (!c.href.startsWith('/app/')) return;
                  e.preventDefault();
                  navigate(c.href);
                }}
              >
                {c.title}
              </a>
            </li>
          ))}
          <li aria-current="page">{pageTitle(page) || 'Untitled'}</li>
        </ol>
      </nav>
      {page.in_trash && (
        <div className="trash-banner" role="status">
          This page is in the trash.
          <button
            type="button"
            onClick={async () => {
              setPage(await tree.restore(page.id));
            }}
          >
            Restore
          </button>
        </div>
      )}
      {coverUrl && <img className="cover" src={coverUrl} alt="" />}
      <div className="page-head">
        <IconView icon={page.icon} size="large" />
        <TitleField page={page} autoFocus={focusTitle} />
      </div>
      {!page.in_trash && <Connections pageId={page.id} />}
      {!page.in_trash && <PageUpload page={page} />}
      {page.parent.type === 'data_source_id' && (
        <RowProperties key={page.id} page={page} dataSourceId={page.parent.data_source_id!} />
      )}
      <PageEditor pageId={page.id} editable={!page.in_trash} tree={blocks} />
      <Comments pageId={page.id} editable={!page.in_trash} />
    </article>
  );
}

/** The title as a text field; saved after a pause in typing, on Enter and on leaving it. */
function TitleField({ page, autoFocus }: { page: Page; autoFocus: boolean }) {
  const [value, setValue] = useState(pageTitle(page));
  const saved = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const save = (text: string) => {
    clearTimeout(timer.current);
    if (text === saved.current) return;
    saved.current = text;
    tree.setTitle(page.id, text);
    document.title = `${text || 'Untitled'} · Octavo`;
    renamePage(page.id, text).catch((e: Error) => alert(e.message));
  };
  return (
    <h1 className="title">
      <label id="page-title-label" htmlFor="page-title" className="visually-hidden">
        Page title
      </label>
      <input
        id="page-title"
        className="title-input"
        value={value}
        placeholder="Untitled"
        readOnly={page.in_trash}
        // biome-ignore lint/a11y/noAutofocus: a page just created from the sidebar is named first
        autoFocus={autoFocus}
        onChange={(e) => {
          const text = e.target.value;
          setValue(text);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => save(text), 500);
        }}
        onBlur={(e) => save(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            save(e.currentTarget.value);
            (document.querySelector('.bn-editor') as HTMLElement | null)?.focus();
          }
        }}
      />
    </h1>
  );
}

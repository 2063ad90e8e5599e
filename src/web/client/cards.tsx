/**
 * What the board, list, gallery and calendar views share (all through the public API): the rows
 * of a view's query (`POST /v1/data_sources/{id}/query`, 100 at a time by cursor), a row's title
 * link (opens the page, as the table's does), its properties as text, the "new page" field, and
 * the list and gallery views themselves.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Page, pageTitle, rememberKind } from './api.ts';
import { appHref, navigate } from './router.ts';
import { valueText } from './table.tsx';
import { shownProperties, type View, type ViewProperty, viewQuery } from './view-model.ts';

export type Json = Record<string, unknown>;

/** A page of the data source, its properties keyed by name. */
export interface Row extends Omit<Page, 'properties'> {
  properties: Record<string, Json & { type: string }>;
}

interface QueryResult {
  results: Row[];
  has_more: boolean;
  next_cursor: string | null;
}

export const rowTitle = (row: Row) => pageTitle(row as unknown as Page) || 'Untitled';

/** How often a view reads its pages again, to show what others wrote (while the tab is visible). */
export const REFRESH_MS = 5000;

/**
 * The rows a query body answers, 100 at a time (`loadMore` for the next 100), or every row up to
 * 1,000 when `all` (the calendar's month). A change of body starts again and drops the replies
 * of the previous one. Every `REFRESH_MS` the rows shown are read again (as many as are shown),
 * so others' writes appear; `hold()` drops a read under way and skips the next few seconds' (a
 * card being moved must not jump back while its PATCH is on its way).
 */
export function useRows(sourceId: string, body: Json, all = false) {
  const key = JSON.stringify(body);
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  // Refreshes have their own count, so `hold` drops a refresh and never a load the person asked for.
  const refreshes = useRef(0);
  const loads = useRef(0);
  const shown = useRef(0);
  const heldUntil = useRef(0);
  shown.current = rows.length;

  const load = useCallback(
    async (start: string | null, gen: number, want = 0, quiet = false) => {
      const refresh = refreshes.current;
      const stale = () => gen !== generation.current || (quiet && refresh !== refreshes.current);
      if (!quiet) {
        loads.current++;
        setLoading(true);
      }
      try {
        let next = start;
        let got: Row[] = [];
        do {
          const res = await api<QueryResult>('POST', `/data_sources/${sourceId}/query`, {
            ...(JSON.parse(key) as Json),
            page_size: 100,
            ...(next ? { start_cursor: next } : {}),
          });
          if (stale()) return;
          got = [...got, ...res.results];
          next = res.has_more ? res.next_cursor : null;
        } while ((all || got.length < want) && next && got.length < 1000);
        setRows((old) => (start ? [...old, ...got] : got));
        setCursor(next);
        setError(null);
      } catch (e) {
        if (!stale() && !quiet) setError((e as Error).message);
      } finally {
        if (!quiet && --loads.current === 0) setLoading(false);
      }
    },
    [sourceId, key, all],
  );

  const reload = useCallback(() => {
    const gen = ++generation.current;
    load(null, gen);
  }, [load]);
  useEffect(() => {
    setRows([]);
    setCursor(null);
    reload();
  }, [reload]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.hidden || loads.current > 0 || Date.now() < heldUntil.current) return;
      load(null, generation.current, shown.current, true);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  return {
    rows,
    setRows,
    loading,
    error,
    setError,
    more: cursor,
    loadMore: () => {
      if (!cursor) return;
      refreshes.current++; // a refresh under way would answer without the rows this adds
      load(cursor, generation.current);
    },
    reload,
    hold: () => {
      refreshes.current++;
      heldUntil.current = Date.now() + REFRESH_MS;
    },
  };
}

/** Creates a page in the data source with a title and other property values; answers it. */
export function createRow(sourceId: string, titleName: string, title: string, properties: Json = {}) {
  return api<Row>('POST', '/pages', {
    parent: { type: 'data_source_id', data_source_id: sourceId },
    properties: {
      ...properties,
      [titleName]: { title: title ? [{ type: 'text', text: { content: title } }] : [] },
    },
  });
}

/** A row's title as a link that opens the page inside the app. */
export function RowLink({ row, className }: { row: Row; className?: string }) {
  const href = `/app/p/${row.id}`;
  return (
    <a
      href={appHref(href)}
      className={className}
      onClick={(e) => {
        e.preventDefault();
        rememberKind(row.id, 'page');
        navigate(href);
      }}
    >
      {rowTitle(row)}
    </a>
  );
}

/** The shown properties of a row that have a value, as a small description list. */
export function RowValues({ row, props }: { row: Row; props: ViewProperty[] }) {
  const values = props
    .map((p) => ({ p, text: valueText(row.properties[p.name]) }))
    .filter((v) => v.text !== '');
  if (values.length === 0) return null;
  return (
    <dl className="card-props">
      {values.map(({ p, text }) => (
        <div key={p.id} className="card-prop">
          <dt>{p.name}</dt>
          <dd>{text}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A "+ New" button that becomes a labelled title field: Enter creates (through `onCreate`),
 * Escape or leaving it empty cancels.
 */
export function NewPageField(props: {
  label: string;
  onCreate: (title: string) => Promise<unknown>;
  /** The button's visible text (its accessible name is `label`). */
  text?: string;
}) {
  const { label, onCreate, text = '+ New' } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [title, setTitle] = useState('');
  if (!open) {
    return (
      <button type="button" className="new-card small" aria-label={label} onClick={() => setOpen(true)}>
        {text}
      </button>
    );
  }
  const submit = async () => {
    if (busy) return;
    if (title.trim() === '') {
      setOpen(false);
      return;
    }
    setBusy(true);
    try {
      await onCreate(title.trim());
      setTitle('');
      setOpen(false);
    } catch (e) {
      alert((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <input
      className="new-card-field"
      aria-label={label}
      placeholder="Title, then Enter"
      // biome-ignore lint/a11y/noAutofocus: the field opens because the person asked for it
      autoFocus
      value={title}
      disabled={busy}
      onChange={(e) => setTitle(e.target.value)}
      onBlur={() => !busy && title.trim() === '' && setOpen(false)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          submit();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          setTitle('');
          setOpen(false);
        }
      }}
    />
  );
}

/** The status line and "Load more" under a view's rows. */
export function RowsFooter(props: {
  count: number;
  loading: boolean;
  more: string | null;
  onMore: () => void;
}) {
  const { count, loading, more, onMore } = props;
  return (
    <>
      <p className="muted" role="status">
        {loading ? 'Loading rows…' : `${count} ${count === 1 ? 'page' : 'pages'}${more ? ' shown' : ''}`}
      </p>
      {more && !loading && (
        <button type="button" onClick={onMore}>
          Load more
        </button>
      )}
    </>
  );
}

export interface ViewBodyProps {
  source: { id: string };
  view: View;
  props: ViewProperty[];
  titleName: string;
}

/** A list view: one line per page, its title and a few properties. */
export function ListView({ source, view, props }: ViewBodyProps) {
  const data = useRows(source.id, viewQuery(view));
  const shown = shownProperties(props, view, [], 4);
  return (
    <div className="list-view">
      {data.error && <p role="alert">{data.error}</p>}
      <ul aria-label={`Pages of ${view.name}`}>
        {data.rows.map((row) => (
          <li key={row.id} className="list-row">
            <RowLink row={row} className="card-link" />
            <RowValues row={row} props={shown} />
          </li>
        ))}
      </ul>
      <RowsFooter count={data.rows.length} loading={data.loading} more={data.more} onMore={data.loadMore} />
    </div>
  );
}

type Cover = { type?: string; property_id?: string } | null | undefined;

/** A file or image object's address. */
const fileUrl = (f: Json | null | undefined) =>
  ((f?.file as Json | undefined)?.url ?? (f?.external as Json | undefined)?.url ?? null) as string | null;

/**
 * Where a gallery card's picture comes from: the view's `cover` setting (page cover, the page's
 * first image, or a files property), by default the page's cover, else its first image.
 */
function coverOf(row: Row, cover: Cover, props: ViewProperty[]): string | 'content' | null {
  if (cover?.type === 'property') {
    const p = props.find((x) => x.id === cover.property_id);
    const files = (p && (row.properties[p.name]?.files as Json[] | undefined)) ?? [];
    return fileUrl(files[0]);
  }
  const pageCover = fileUrl(row.cover as Json | null);
  if (cover?.type === 'page_cover') return pageCover;
  if (cover?.type === 'page_content') return 'content';
  return pageCover ?? 'content';
}

/** The first image block of each page asked for (`GET /v1/blocks/{id}/children`), four at a time. */
const firstImages = new Map<string, Promise<string | null>>();
function firstImage(pageId: string): Promise<string | null> {
  let p = firstImages.get(pageId);
  if (!p) {
    p = api<{ results: Json[] }>('GET', `/blocks/${pageId}/children?page_size=100`)
      .then((r) => fileUrl(r.results.find((b) => b.type === 'image')?.image as Json | undefined))
      .catch(() => null);
    firstImages.set(pageId, p);
  }
  return p;
}

function useFirstImages(ids: string[]): Map<string, string | null> {
  const [found, setFound] = useState(() => new Map<string, string | null>());
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    const queue = key ? key.split(',') : [];
    const worker = async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const url = await firstImage(id);
        if (!live) return;
        setFound((old) => new Map(old).set(id, url));
      }
    };
    for (let i = 0; i < 4; i++) worker();
    return () => {
      live = false;
    };
  }, [key]);
  return found;
}

/** A gallery view: cards with the page's cover (or first image), its title and a few properties. */
export function GalleryView({ source, view, props }: ViewBodyProps) {
  const data = useRows(source.id, viewQuery(view));
  const shown = shownProperties(props, view, [], 3);
  const cover = view.configuration?.cover as Cover;
  const covers = data.rows.map((row) => ({ row, cover: coverOf(row, cover, props) }));
  const images = useFirstImages(covers.filter((c) => c.cover === 'content').map((c) => c.row.id));
  return (
    <div className="gallery-view">
      {data.error && <p role="alert">{data.error}</p>}
      <ul className="gallery" aria-label={`Pages of ${view.name}`}>
        {covers.map(({ row, cover: c }) => {
          const url = c === 'content' ? images.get(row.id) : c;
          return (
            <li key={row.id} className="gallery-card card">
              <div className="gallery-cover">{url && <img src={url} alt="" loading="lazy" />}</div>
              <RowLink row={row} className="card-link" />
              <RowValues row={row} props={shown} />
            </li>
          );
        })}
      </ul>
      <RowsFooter count={data.rows.length} loading={data.loading} more={data.more} onMore={data.loadMore} />
    </div>
  );
}

/**
 * A database's table view and a row's properties, through the public API only:
 * `GET /v1/databases/{id}` (its first data source) or `GET /v1/data_sources/{id}` (the schema),
 * `POST /v1/data_sources/{id}/query` (rows, 100 at a time by cursor, with the Notion `sorts` and
 * `filter` the API takes), `PATCH /v1/pages/{id}` (a cell's new value),
 * `PATCH /v1/data_sources/{id}` (properties added, renamed, retyped, deleted) and
 * `PATCH /v1/views/{id}` (column widths).
 *
 * Rows are virtualized: the body renders only the rows in and near the scrolled window (fixed
 * row height, spacer rows above and below), and the next page of rows is fetched by cursor as
 * the window nears the end of what is loaded, so a 100,000-row data source opens with its first
 * page and scrolls without rendering what is not seen. The modules beside this one:
 * table-model.ts (shapes, value text, request bodies), table-cells.tsx (cells and their
 * editors), table-filters.ts (filters and sorts as data), table-query.tsx (their forms), table-columns.tsx (property forms, widths).
 */
import './table.css';
import {
  memo,
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiFailure, api, type Page } from './api.ts';
import { Cell, TitleCell } from './table-cells.tsx';
import {
  defaultWidth,
  hiddenOf,
  NewPropertyPanel,
  PropertyPanel,
  queueViewWrite,
  saveViewOrder,
  saveViewProperty,
  type TableViewRef,
  useWidths,
} from './table-columns.tsx';
import { parseSorts, type SortKey } from './table-filters.ts';
import { ColumnHeader } from './table-header.tsx';
import {
  columnsOf,
  type DataSource,
  filterDefaults,
  type Json,
  moveColumn,
  orderColumns,
  type PropertySchema,
  plain,
  type QueryResult,
  type RowPage,
  viewOrder,
} from './table-model.ts';
import { FilterEditor, SortEditor } from './table-query.tsx';

export { Cell, relatedTitle, TitleCell } from './table-cells.tsx';
export type { TableViewRef } from './table-columns.tsx';
export { buildFilter, CONDITIONS, groupFilter, parseFilter, type SortKey } from './table-filters.ts';
export {
  columnsOf,
  type DataSource,
  EDITABLE,
  type PropertySchema,
  propertyBody,
  type RowPage,
  valueText,
} from './table-model.ts';

type Sort = { property: string; direction: 'ascending' | 'descending' } | null;

export const PAGE_SIZE = 100;
/** Every body row is this tall (CSS `.db-table tbody tr`), so the window is arithmetic. */
export const ROW_HEIGHT = 34;
const OVERSCAN = 8;
/** Fetch the next page when the window comes this many rows from the end of what is loaded. */
const PREFETCH_ROWS = 60;

/**
 * Resolves a database id (its first data source) or a data source id to the data source. `kind`,
 * when the caller knows it, says which endpoint serves the id, so no other is asked first.
 */
export async function resolveDataSource(
  id: string,
  kind: 'database' | 'data_source' | null = null,
): Promise<DataSource | null> {
  if (kind !== 'data_source') {
    try {
      const db = await api<{ data_sources?: { id: string }[] }>('GET', `/databases/${id}`);
      const first = db.data_sources?.[0];
      if (first) return await api<DataSource>('GET', `/data_sources/${first.id}`);
      if (kind === 'database') return null;
    } catch (e) {
      if (!(e instanceof ApiFailure) || e.status !== 404) throw e;
      if (kind === 'database') return null;
    }
  }
  try {
    return await api<DataSource>('GET', `/data_sources/${id}`);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return null;
    throw e;
  }
}

/**
 * Where a table starts: `sort` (the first property sort, by name or id; kept for callers that
 * know one), `sorts` (all of a view's sorts, as the view holds them), `filter` (sent as is), and
 * `view`, the table view whose configuration keeps the column widths (none: localStorage).
 */
export interface TableDefaults {
  sort: Sort;
  filter: Json | null;
  sorts?: Json[] | null;
  view?: TableViewRef | null;
}

/** A table view object of the Views API as the table's starting point. */
export function tableDefaults(view: {
  id: string;
  filter?: Json | null;
  sorts?: Json[] | null;
  configuration?: Json | null;
}): TableDefaults {
  const s = (view.sorts ?? []).find((x) => typeof x.property === 'string');
  const sort: Sort = s
    ? {
        property: s.property as string,
        direction: s.direction === 'descending' ? 'descending' : 'ascending',
      }
    : null;
  return {
    sort,
    sorts: view.sorts ?? null,
    filter: view.filter && Object.keys(view.filter).length > 0 ? view.filter : null,
    view: { id: view.id, configuration: view.configuration ?? null },
  };
}

/**
 * The first view of the data source, when it is a table: its sorts and filter become the
 * table's starting ones, its configuration keeps the widths (`GET /v1/views?data_source_id=…`,
 * then the view).
 */
export async function viewDefaults(dataSourceId: string): Promise<TableDefaults> {
  const none = { sort: null, filter: null };
  try {
    const list = await api<{ results: { id: string }[] }>(
      'GET',
      `/views?data_source_id=${dataSourceId}&page_size=1`,
    );
    const first = list.results[0];
    if (!first) return none;
    const view = await api<{ id: string; type: string; filter?: Json | null; sorts?: Json[] | null }>(
      'GET',
      `/views/${first.id}`,
    );
    return view.type === 'table' ? tableDefaults(view) : none;
  } catch {
    return none;
  }
}

function startSorts(defaults: TableDefaults | undefined, columns: PropertySchema[]): SortKey[] {
  if (defaults?.sorts) return parseSorts(defaults.sorts, columns);
  return defaults?.sort ? parseSorts([defaults.sort], columns) : [];
}

/** The rows of a query, a page at a time by cursor; a new sort or filter starts again. */
function useRowPages(sourceId: string, sorts: SortKey[], filter: Json | null, reloads: number) {
  const [rows, setRows] = useState<RowPage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const busy = useRef(false);
  // The next page's cursor as the last answer gave it, set with `busy`: `more` reads it when
  // called, not the cursor of the render it was made in. An effect of an earlier render can
  // call `more` after a page arrived (busy already cleared) and before React rendered it; with
  // that render's cursor it fetched the page just appended once more, an answer of rows all
  // known that changed nothing the effect watches: scrolled to the bottom, no further page was
  // asked for (the stalled 100,000-row Postgres benchmark, docs/benchmarks.md).
  const next = useRef<string | null>(null);
  const body = JSON.stringify({ sorts, filter });

  const load = useCallback(
    async (start: string | null) => {
      const gen = generation.current;
      if (busy.current && start) return;
      busy.current = true;
      setLoading(true);
      try {
        const q = JSON.parse(body) as { sorts: SortKey[]; filter: Json | null };
        const res = await api<QueryResult>('POST', `/data_sources/${sourceId}/query`, {
          page_size: PAGE_SIZE,
          ...(start ? { start_cursor: start } : {}),
          ...(q.sorts.length > 0 ? { sorts: q.sorts } : {}),
          ...(q.filter ? { filter: q.filter } : {}),
        });
        if (gen !== generation.current) return;
        next.current = res.has_more ? res.next_cursor : null;
        setRows((old) => {
          if (!start) return res.results;
          // A row added here meanwhile may come again in a later page: keep the first.
          const known = new Set(old.map((r) => r.id));
          return [...old, ...res.results.filter((r) => !known.has(r.id))];
        });
        setCursor(res.has_more ? res.next_cursor : null);
        setError(null);
      } catch (e) {
        if (gen === generation.current) setError((e as Error).message);
      } finally {
        if (gen === generation.current) {
          busy.current = false;
          setLoading(false);
        }
      }
    },
    [sourceId, body],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the first page again
  useEffect(() => {
    generation.current++;
    busy.current = false;
    next.current = null;
    setRows([]);
    setCursor(null);
    load(null);
  }, [load, reloads]);

  // A new function per page arrived (`cursor`), so the rows' effect asks again even when a page
  // added no row it did not have; the page it asks for is the latest answer's (`next`).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `cursor` marks each arrival
  const more = useCallback(() => {
    if (next.current && !busy.current) load(next.current);
  }, [cursor, load]);
  const replaceRow = useCallback(
    (row: RowPage) => setRows((old) => old.map((r) => (r.id === row.id ? row : r))),
    [],
  );
  const addRow = useCallback(
    (row: RowPage) => setRows((old) => [...old.filter((r) => r.id !== row.id), row]),
    [],
  );
  return { rows, hasMore: cursor !== null, loading, error, more, replaceRow, addRow };
}

type Panel = { kind: 'property'; id: string } | { kind: 'new' } | null;

/** A database's rows as a table; `switcher` (the database's views, views.tsx) goes under the title. */
export function TableView({
  source: initial,
  defaults,
  switcher,
  onViewSaved,
  onCreateView,
}: {
  source: DataSource;
  defaults?: TableDefaults;
  switcher?: ReactNode;
  /** Called after the table wrote its view (filter, sorts, shown properties, column order). */
  onViewSaved?: () => void;
  /**
   * For the unsaved default table (no view): makes the database's view holding this
   * arrangement (the column order the person just chose, with the table's filter and sorts).
   */
  /** Stores the default table as a view; answers the new view's id. */
  onCreateView?: (view: { properties: Json[]; filter: Json | null; sorts: SortKey[] }) => Promise<string>;
}) {
  const [source, setSource] = useState(initial);
  // The default table of a database with no views has no id: nothing stored, no view to write.
  const view = defaults?.view?.id ? defaults.view : null;
  // The view's column order (property ids); the title always comes first.
  const [order, setOrder] = useState<string[]>(() => viewOrder(view?.configuration));
  const allColumns = useMemo(() => orderColumns(columnsOf(source), order), [source, order]);
  // Properties the view hides (`visible: false` in its configuration); the title always shows.
  const [hidden, setHidden] = useState<string[]>(() => hiddenOf(view?.configuration));
  /** The default table's view while it is being made (its id once made); see storeDefault. */
  const making = useRef<Promise<string | undefined> | null>(null);
  useEffect(() => {
    // A stored view is written directly; should it go, the default table makes a new one.
    if (view) making.current = null;
  }, [view]);
  // One array per schema and visibility: the memoized rows re-render only when it changes.
  const columns = useMemo(
    () => allColumns.filter((c) => c.type === 'title' || !hidden.includes(c.id)),
    [allColumns, hidden],
  );
  const [sorts, setSorts] = useState<SortKey[]>(() => startSorts(defaults, columnsOf(initial)));
  const [filter, setFilter] = useState<Json | null>(defaults?.filter ?? null);
  // What the view holds, to offer saving the table's filter and sorts into it when they differ.
  const [saved, setSaved] = useState(() => JSON.stringify({ filter, sorts }));
  const [viewNote, setViewNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [reloads, setReloads] = useState(0);
  const [panel, setPanel] = useState<Panel>(null);
  const [draft, setDraft] = useState(false);
  const newRowButton = useRef<HTMLButtonElement>(null);
  const { widths, set: setWidth, save: saveWidth } = useWidths(source.id, view);
  const { rows, hasMore, loading, error, more, replaceRow, addRow } = useRowPages(
    source.id,
    sorts,
    filter,
    reloads,
  );
  // State, not a ref: the rows' window subscribes to the box once it exists.
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const title = plain(source.title) || 'Untitled database';
  const nameOf = (id: string) => allColumns.find((c) => c.id === id)?.name ?? id;
  const dirty = view !== null && JSON.stringify({ filter, sorts }) !== saved;

  const saveQuery = async () => {
    if (!view) return;
    setViewNote(null);
    try {
      await api('PATCH', `/views/${view.id}`, {
        filter: filter ?? null,
        sorts: sorts.length > 0 ? sorts : null,
      });
      setSaved(JSON.stringify({ filter, sorts }));
      setViewNote({ ok: true, text: 'The filter and sorts were saved to the view.' });
      onViewSaved?.();
    } catch (e) {
      setViewNote({ ok: false, text: (e as Error).message });
    }
  };
  /** The view's `configuration.properties` for the default table's arrangement. */
  const arrangement = (ids: string[], hiddenIds: string[]) =>
    ids.map((id) => ({
      property_id: id,
      ...(hiddenIds.includes(id) ? { visible: false } : {}),
      ...(widths[id] ? { width: widths[id] } : {}),
    }));
  /**
   * Makes the default table the database's view, holding this arrangement and the query. Once
   * asked, the view is made once: an arrangement changed again before it exists (a second press
   * of "Move right" within the round trip) is written to the view being made, not to another.
   */
  const storeDefault = (properties: Json[]) => {
    const made = making.current;
    if (made) {
      void queueViewWrite(async () => {
        const id = await made;
        if (id) await api('PATCH', `/views/${id}`, { configuration: { type: 'table', properties } });
      });
      return;
    }
    if (!onCreateView) return;
    making.current = onCreateView({ properties, filter, sorts }).catch((e: Error) => {
      setViewNote({ ok: false, text: e.message });
      making.current = null;
      return undefined;
    });
  };
  /** Shows the columns in `ids`' order and keeps it: in the view, or in a view made for it. */
  const arrange = (ids: string[], moved: PropertySchema) => {
    setOrder(ids);
    const place = ids.filter((id) => id === moved.id || !hidden.includes(id)).indexOf(moved.id);
    setViewNote({ ok: true, text: `${moved.name} moved to column ${place + 1}.` });
    if (view)
      queueViewWrite(async () => {
        await saveViewOrder(view.id, ids);
        onViewSaved?.();
      });
    else storeDefault(arrangement(ids, hidden));
  };
  /** Moves a column one shown place left (-1) or right (1). */
  const step = (c: PropertySchema, by: -1 | 1) => {
    const at = columns.findIndex((x) => x.id === c.id);
    const next = columns[at + by];
    if (!next || next.type === 'title') return;
    arrange(moveColumn(allColumns, c.id, allColumns.indexOf(next)), c);
  };
  /** A column dropped on another one's left (`after` false) or right half. */
  const dropColumn = (draggedId: string, target: PropertySchema, after: boolean) => {
    const c = allColumns.find((x) => x.id === draggedId);
    if (!c || c.id === target.id || (target.type === 'title' && !after)) return;
    const from = allColumns.indexOf(c);
    const t = allColumns.indexOf(target);
    const to = after ? (from < t ? t : t + 1) : from < t ? t - 1 : t;
    if (to !== from) arrange(moveColumn(allColumns, c.id, to), c);
  };
  const toggleShown = (c: PropertySchema, shown: boolean) => {
    const next = shown ? hidden.filter((x) => x !== c.id) : [...hidden, c.id];
    setHidden(next);
    if (view)
      queueViewWrite(async () => {
        await saveViewProperty(view.id, c.id, { visible: shown });
        onViewSaved?.();
      });
    else
      storeDefault(
        arrangement(
          allColumns.map((x) => x.id),
          next,
        ),
      );
  };
  const createRow = async (text: string) => {
    setDraft(false);
    try {
      const made = await api<RowPage>('POST', '/pages', {
        parent: { type: 'data_source_id', data_source_id: source.id },
        properties: filterDefaults(filter, allColumns, text),
      });
      addRow(made);
      setViewNote({ ok: true, text: `${text || 'Untitled'} was added.` });
    } catch (e) {
      setViewNote({ ok: false, text: (e as Error).message });
    }
  };
  const primary = sorts[0] && 'property' in sorts[0] ? sorts[0] : null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query starts at the top
  useEffect(() => {
    if (scroller) scroller.scrollTop = 0;
  }, [sorts, filter, reloads]);

  const nextSort = (prop: PropertySchema): SortKey[] => {
    if (primary?.property !== prop.id) return [{ property: prop.id, direction: 'ascending' }];
    return primary.direction === 'ascending' ? [{ property: prop.id, direction: 'descending' }] : [];
  };
  const schemaChanged = (next: DataSource, retyped = false) => {
    const ids = new Set(Object.values(next.properties).map((p) => p.id));
    setSource(next);
    // Sorts on a deleted property go; values of a retyped one were converted: read the rows again.
    setSorts((s) => s.filter((k) => !('property' in k) || ids.has(k.property)));
    if (retyped || sorts.some((k) => 'property' in k && !ids.has(k.property))) setReloads((n) => n + 1);
  };
  const widthOf = (c: PropertySchema) => widths[c.id] ?? defaultWidth(c);
  const total = columns.reduce((n, c) => n + widthOf(c), 0) + 120;
  const open = panel?.kind === 'property' ? columns.find((c) => c.id === panel.id) : undefined;
  const movable = !!view || !!onCreateView;
  const canStep = (c: PropertySchema, by: -1 | 1) => {
    const next = columns[columns.findIndex((x) => x.id === c.id) + by];
    return movable && c.type !== 'title' && !!next && next.type !== 'title';
  };

  return (
    <section className="database" aria-labelledby="database-title">
      <h1 id="database-title" className="database-title">
        {title}
      </h1>
      {switcher}
      <details className="table-tools" open>
        <summary>Filter and sort</summary>
        <FilterEditor columns={allColumns} filter={filter} onApply={setFilter} />
        <SortEditor columns={allColumns} sorts={sorts} onChange={setSorts} />
        {dirty && (
          <button type="button" className="small" onClick={saveQuery}>
            Save filter and sorts to view
          </button>
        )}
        <fieldset className="shown-properties">
          <legend>Shown properties</legend>
          {allColumns
            .filter((c) => c.type !== 'title')
            .map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={!hidden.includes(c.id)}
                  onChange={(e) => toggleShown(c, e.target.checked)}
                />{' '}
                {c.name}
              </label>
            ))}
        </fieldset>
      </details>
      {viewNote && <p role={viewNote.ok ? 'status' : 'alert'}>{viewNote.text}</p>}
      {filter && (
        <p className="muted filter-note">
          Filtered.{' '}
          <button type="button" className="small" onClick={() => setFilter(null)}>
            Clear filter
          </button>
        </p>
      )}
      {open && (
        <PropertyPanel
          key={open.id}
          source={source}
          prop={open}
          onChanged={schemaChanged}
          onClose={() => setPanel(null)}
          onMoveLeft={canStep(open, -1) ? () => step(open, -1) : undefined}
          onMoveRight={canStep(open, 1) ? () => step(open, 1) : undefined}
        />
      )}
      {panel?.kind === 'new' && (
        <NewPropertyPanel
          source={source}
          onChanged={(s, computed) => schemaChanged(s, computed)}
          onClose={() => setPanel(null)}
        />
      )}
      {error && <p role="alert">{error}</p>}
      <div className="table-scroll" ref={setScroller}>
        <table className="db-table" style={{ width: total }} aria-rowcount={hasMore ? -1 : rows.length + 1}>
          <caption className="visually-hidden">
            Rows of {title}
            {sorts.length > 0
              ? `, sorted by ${sorts.map((s) => `${'property' in s ? nameOf(s.property) : s.timestamp} ${s.direction}`).join(', then ')}`
              : ''}
          </caption>
          <colgroup>
            {columns.map((c) => (
              <col key={c.id} style={{ width: widthOf(c) }} />
            ))}
            <col style={{ width: 120 }} />
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((c) => (
                <ColumnHeader
                  key={c.id}
                  column={c}
                  sorted={primary?.property === c.id ? primary.direction : undefined}
                  menuOpen={panel?.kind === 'property' && panel.id === c.id}
                  width={widthOf(c)}
                  movable={movable}
                  onSort={() => setSorts(nextSort(c))}
                  onMenu={() =>
                    setPanel(
                      panel?.kind === 'property' && panel.id === c.id ? null : { kind: 'property', id: c.id },
                    )
                  }
                  onResize={(w) => setWidth(c.id, w)}
                  onCommit={(w) => saveWidth(c.id, w)}
                  onDropColumn={(dragged, after) => dropColumn(dragged, c, after)}
                />
              ))}
              <th scope="col" className="add-column">
                <button
                  type="button"
                  className="small"
                  aria-expanded={panel?.kind === 'new'}
                  onClick={() => setPanel(panel?.kind === 'new' ? null : { kind: 'new' })}
                >
                  + Add property
                </button>
              </th>
            </tr>
          </thead>
          <VirtualRows
            rows={rows}
            columns={columns}
            scroller={scroller}
            onNearEnd={hasMore ? more : undefined}
            onSaved={replaceRow}
          />
          {draft && (
            <tfoot>
              <tr className="new-row-line">
                <th scope="row">
                  <NewRowTitle
                    onDone={(t, byKey) => {
                      // From the keyboard, the focus goes back to the button, to add another.
                      if (byKey) setTimeout(() => newRowButton.current?.focus());
                      if (t !== null) createRow(t);
                      else setDraft(false);
                    }}
                  />
                </th>
                <td colSpan={columns.length} />
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      <button
        type="button"
        className="small new-row"
        ref={newRowButton}
        onClick={() => setDraft(true)}
        disabled={draft}
      >
        + New row
      </button>
      <p className="muted" role="status">
        {loading && rows.length === 0
          ? 'Loading rows…'
          : `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}${hasMore ? ' shown' : ''}`}
      </p>
      {hasMore && !loading && (
        <button type="button" onClick={more}>
          Load more
        </button>
      )}
    </section>
  );
}

/**
 * The title field of the row being added: Enter (or leaving it with text) makes the row, Escape
 * (or leaving it empty) drops it. It scrolls itself into view and takes the focus.
 */
function NewRowTitle({ onDone }: { onDone: (title: string | null, byKey: boolean) => void }) {
  const [text, setText] = useState('');
  const done = useRef(false);
  const finish = (t: string | null, byKey = false) => {
    if (done.current) return;
    done.current = true;
    onDone(t, byKey);
  };
  return (
    <input
      aria-label="Title of the new row"
      placeholder="Untitled"
      value={text}
      ref={(el) => {
        if (el && !done.current && document.activeElement !== el) {
          el.scrollIntoView({ block: 'nearest' });
          el.focus();
        }
      }}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => finish(text.trim() ? text.trim() : null)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          finish(text.trim(), true);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          finish(null, true);
        }
      }}
    />
  );
}

/** The window of rows to render: the scrolled-to rows and OVERSCAN on each side. */
function useWindow(el: HTMLDivElement | null, count: number) {
  const [win, setWin] = useState({ first: 0, last: 20 });
  useLayoutEffect(() => {
    if (!el) return;
    // The header's height is read when the box resizes, not on every scroll (a forced layout).
    let head = ROW_HEIGHT;
    const measure = () => {
      head = el.querySelector('thead')?.getBoundingClientRect().height ?? ROW_HEIGHT;
      update();
    };
    const update = () => {
      const top = Math.max(0, el.scrollTop - head);
      const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
      const last = Math.ceil((top + el.clientHeight) / ROW_HEIGHT) + OVERSCAN;
      setWin((w) => (w.first === first && w.last === last ? w : { first, last }));
    };
    measure();
    el.addEventListener('scroll', update, { passive: true });
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resize.disconnect();
    };
  }, [el]);
  return { first: Math.min(win.first, count), last: Math.min(win.last, count) };
}

function VirtualRows(props: {
  rows: RowPage[];
  columns: PropertySchema[];
  scroller: HTMLDivElement | null;
  onNearEnd: (() => void) | undefined;
  onSaved: (r: RowPage) => void;
}) {
  const { rows, columns, scroller, onNearEnd, onSaved } = props;
  const { first, last } = useWindow(scroller, rows.length);
  useEffect(() => {
    if (onNearEnd && last + PREFETCH_ROWS >= rows.length) onNearEnd();
  }, [last, rows.length, onNearEnd]);
  const span = columns.length + 1;
  return (
    <tbody>
      {first > 0 && (
        <tr className="spacer">
          <td colSpan={span} style={{ height: first * ROW_HEIGHT }} />
        </tr>
      )}
      {rows.slice(first, last).map((row, i) => (
        <Row key={row.id} row={row} index={first + i} columns={columns} onSaved={onSaved} />
      ))}
      {last < rows.length && (
        <tr className="spacer">
          <td colSpan={span} style={{ height: (rows.length - last) * ROW_HEIGHT }} />
        </tr>
      )}
    </tbody>
  );
}

const Row = memo(function Row(props: {
  row: RowPage;
  index: number;
  columns: PropertySchema[];
  onSaved: (r: RowPage) => void;
}) {
  const { row, index, columns, onSaved } = props;
  return (
    <tr aria-rowindex={index + 2}>
      {columns.map((c) =>
        c.type === 'title' ? (
          <th key={c.id} scope="row">
            <TitleCell row={row} prop={c} onSaved={onSaved} />
          </th>
        ) : (
          <td key={c.id} data-type={c.type}>
            <Cell row={row} prop={c} onSaved={onSaved} />
          </td>
        ),
      )}
      <td />
    </tr>
  );
});

/** A row page's properties (all but the title), above its content. */
export function RowProperties({ page, dataSourceId }: { page: Page; dataSourceId: string }) {
  const [source, setSource] = useState<DataSource | null>(null);
  const [row, setRow] = useState(page as unknown as RowPage);
  useEffect(() => {
    let live = true;
    api<DataSource>('GET', `/data_sources/${dataSourceId}`)
      .then((s) => live && setSource(s))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [dataSourceId]);
  if (!source) return null;
  const props = columnsOf(source).filter((c) => c.type !== 'title');
  if (props.length === 0) return null;
  return (
    <dl className="row-properties" aria-label="Properties">
      {props.map((p) => (
        <div key={p.id} className="row-property">
          <dt>{p.name}</dt>
          <dd>
            <Cell row={row} prop={p} onSaved={setRow} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

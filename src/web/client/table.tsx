/**
 * A database's table view and a row's properties, through the public API only:
 * `GET /v1/databases/{id}` (its first data source) or `GET /v1/data_sources/{id}` (the schema),
 * `POST /v1/data_sources/{id}/query` (rows, 100 at a time by cursor, with the Notion `sorts` and
 * `filter` the API takes) and `PATCH /v1/pages/{id}` (a cell's new value).
 *
 * A column per property, the title first. Cells show every property type; title, rich_text,
 * number, checkbox, select, date and url are edited in place (an Edit button per cell opens a
 * labelled field: Enter or leaving it saves, Escape cancels). Clicking a column's header sorts by
 * it (ascending, descending, none). The filter form builds one property filter.
 */
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiFailure, api, type Page, pageTitle } from './api.ts';
import { navigate } from './router.ts';

type Json = Record<string, unknown>;

export interface PropertySchema {
  id: string;
  name: string;
  type: string;
  select?: { options: { name: string }[] };
  status?: { options: { name: string }[] };
}

export interface DataSource {
  id: string;
  title: { plain_text: string }[];
  properties: Record<string, PropertySchema>;
}

interface RowPage extends Omit<Page, 'properties'> {
  properties: Record<string, Json & { type: string }>;
}

interface QueryResult {
  results: RowPage[];
  has_more: boolean;
  next_cursor: string | null;
}

type Sort = { property: string; direction: 'ascending' | 'descending' } | null;

export const PAGE_SIZE = 100;
const EDITABLE = new Set(['title', 'rich_text', 'number', 'checkbox', 'select', 'date', 'url']);

/** Resolves a database id (its first data source) or a data source id to the data source. */
export async function resolveDataSource(id: string): Promise<DataSource | null> {
  try {
    const db = await api<{ data_sources?: { id: string }[] }>('GET', `/databases/${id}`);
    const first = db.data_sources?.[0];
    if (first) return await api<DataSource>('GET', `/data_sources/${first.id}`);
  } catch (e) {
    if (!(e instanceof ApiFailure) || e.status !== 404) throw e;
  }
  try {
    return await api<DataSource>('GET', `/data_sources/${id}`);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return null;
    throw e;
  }
}

export interface TableDefaults {
  sort: Sort;
  filter: Json | null;
}

/**
 * The first view of the data source, when it is a table: its first property sort and its filter
 * become the table's starting sort and filter (`GET /v1/views?data_source_id=…`, then the view).
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
    const view = await api<{ type: string; filter?: Json | null; sorts?: Json[] | null }>(
      'GET',
      `/views/${first.id}`,
    );
    if (view.type !== 'table') return none;
    const s = (view.sorts ?? []).find((x) => typeof x.property === 'string');
    const sort: Sort = s
      ? {
          property: s.property as string,
          direction: s.direction === 'descending' ? 'descending' : 'ascending',
        }
      : null;
    return { sort, filter: view.filter && Object.keys(view.filter).length > 0 ? view.filter : null };
  } catch {
    return none;
  }
}

/** The schema's properties, the title first, then in the schema's order. */
export function columnsOf(source: DataSource): PropertySchema[] {
  const all = Object.entries(source.properties).map(([name, p]) => ({ ...p, name }));
  return [...all.filter((p) => p.type === 'title'), ...all.filter((p) => p.type !== 'title')];
}

const plain = (rt: unknown) =>
  ((rt as { plain_text: string }[] | undefined) ?? []).map((t) => t.plain_text).join('');
const nameOf = (v: unknown) => (v as { name?: string } | null)?.name ?? '';

function dateText(d: unknown): string {
  const date = d as { start: string; end?: string | null } | null;
  if (!date) return '';
  return date.end ? `${date.start} → ${date.end}` : date.start;
}

/** A property value as text (for every type; read-only types included). */
export function valueText(value: (Json & { type: string }) | undefined): string {
  if (!value) return '';
  const v = value[value.type];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return plain(v);
    case 'number':
      return v === null || v === undefined ? '' : String(v);
    case 'select':
    case 'status':
      return nameOf(v);
    case 'multi_select':
      return ((v as { name: string }[]) ?? []).map((o) => o.name).join(', ');
    case 'date':
      return dateText(v);
    case 'checkbox':
      return v ? 'Yes' : 'No';
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return (v as string | null) ?? '';
    case 'people':
      return ((v as { id: string; name?: string }[]) ?? []).map((p) => p.name ?? p.id).join(', ');
    case 'created_by':
    case 'last_edited_by':
      return nameOf(v) || ((v as { id?: string } | null)?.id ?? '');
    case 'relation': {
      const n = ((v as unknown[]) ?? []).length;
      return n === 1 ? '1 page' : `${n} pages`;
    }
    case 'files':
      return ((v as { name: string }[]) ?? []).map((f) => f.name).join(', ');
    case 'unique_id': {
      const u = v as { prefix: string | null; number: number | null } | null;
      return u?.number == null ? '' : `${u.prefix ? `${u.prefix}-` : ''}${u.number}`;
    }
    case 'formula': {
      const f = v as Json & { type: string };
      if (!f) return '';
      if (f.type === 'date') return dateText(f.date);
      if (f.type === 'boolean') return f.boolean ? 'Yes' : 'No';
      return f[f.type] === null || f[f.type] === undefined ? '' : String(f[f.type]);
    }
    case 'rollup': {
      const r = v as Json & { type: string };
      if (!r) return '';
      if (r.type === 'array') return `${((r.array as unknown[]) ?? []).length} values`;
      if (r.type === 'date') return dateText(r.date);
      return r[r.type] === null || r[r.type] === undefined ? '' : String(r[r.type]);
    }
    default:
      return '';
  }
}

/** The editable value of a property as a form field's string. */
function fieldValue(value: (Json & { type: string }) | undefined): string {
  if (!value) return '';
  if (value.type === 'date') return (value.date as { start: string } | null)?.start.slice(0, 10) ?? '';
  return valueText(value);
}

/** The PATCH /v1/pages/{id} `properties` body for a new value of an editable property. */
export function propertyBody(type: string, text: string | boolean): Json {
  const s = typeof text === 'string' ? text : '';
  const rich = s ? [{ type: 'text', text: { content: s } }] : [];
  switch (type) {
    case 'title':
      return { title: rich };
    case 'rich_text':
      return { rich_text: rich };
    case 'number':
      return { number: s.trim() === '' ? null : Number(s) };
    case 'checkbox':
      return { checkbox: text === true };
    case 'select':
      return { select: s ? { name: s } : null };
    case 'date':
      return { date: s ? { start: s } : null };
    case 'url':
      return { url: s || null };
    default:
      throw new Error(`${type} cannot be edited here`);
  }
}

async function saveProperty(row: RowPage, prop: PropertySchema, value: string | boolean): Promise<RowPage> {
  return api<RowPage>('PATCH', `/pages/${row.id}`, {
    properties: { [prop.name]: propertyBody(prop.type, value) },
  });
}

/** Conditions the filter form offers per property type (Notion's filter conditions). */
export const CONDITIONS: Record<string, string[]> = {
  title: ['contains', 'equals', 'does_not_contain', 'is_empty', 'is_not_empty'],
  rich_text: ['contains', 'equals', 'does_not_contain', 'is_empty', 'is_not_empty'],
  url: ['contains', 'equals', 'is_empty', 'is_not_empty'],
  email: ['contains', 'equals', 'is_empty', 'is_not_empty'],
  phone_number: ['contains', 'equals', 'is_empty', 'is_not_empty'],
  number: [
    'equals',
    'greater_than',
    'less_than',
    'greater_than_or_equal_to',
    'less_than_or_equal_to',
    'is_empty',
  ],
  checkbox: ['equals'],
  select: ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'],
  status: ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'],
  multi_select: ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'],
  date: ['equals', 'before', 'after', 'on_or_before', 'on_or_after', 'is_empty', 'is_not_empty'],
};

const NO_VALUE = new Set(['is_empty', 'is_not_empty']);

/** One property filter in the shape POST /v1/data_sources/{id}/query takes. */
export function buildFilter(prop: PropertySchema, condition: string, value: string): Json {
  let v: unknown = value;
  if (NO_VALUE.has(condition)) v = true;
  else if (prop.type === 'number') v = Number(value);
  else if (prop.type === 'checkbox') v = value !== 'false'; // the form starts on "checked"

  return { property: prop.name, [prop.type]: { [condition]: v } };
}

/** A database's rows as a table; `switcher` (the database's views, views.tsx) goes under the title. */
export function TableView(props: { source: DataSource; defaults?: TableDefaults; switcher?: ReactNode }) {
  const { source, defaults, switcher } = props;
  const columns = columnsOf(source);
  const [rows, setRows] = useState<RowPage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<Sort>(() => {
    // A view may name the property by id: the table names it by name.
    const d = defaults?.sort;
    const col = d && columns.find((c) => c.name === d.property || c.id === d.property);
    return d && col ? { property: col.name, direction: d.direction } : null;
  });
  const [filter, setFilter] = useState<Json | null>(defaults?.filter ?? null);
  const generation = useRef(0);
  const title = plain(source.title) || 'Untitled database';

  const load = useCallback(
    async (start: string | null) => {
      const gen = generation.current;
      setLoading(true);
      try {
        const res = await api<QueryResult>('POST', `/data_sources/${source.id}/query`, {
          page_size: PAGE_SIZE,
          ...(start ? { start_cursor: start } : {}),
          ...(sort ? { sorts: [sort] } : {}),
          ...(filter ? { filter } : {}),
        });
        if (gen !== generation.current) return;
        setRows((old) => (start ? [...old, ...res.results] : res.results));
        setCursor(res.has_more ? res.next_cursor : null);
        setError(null);
      } catch (e) {
        if (gen === generation.current) setError((e as Error).message);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [source.id, sort, filter],
  );

  useEffect(() => {
    generation.current++;
    setRows([]);
    setCursor(null);
    load(null);
  }, [load]);

  const replaceRow = (row: RowPage) => setRows((old) => old.map((r) => (r.id === row.id ? row : r)));
  const nextSort = (prop: PropertySchema): Sort => {
    if (sort?.property !== prop.name) return { property: prop.name, direction: 'ascending' };
    return sort.direction === 'ascending' ? { property: prop.name, direction: 'descending' } : null;
  };

  return (
    <section className="database" aria-labelledby="database-title">
      <h1 id="database-title" className="database-title">
        {title}
      </h1>
      {switcher}
      <FilterForm columns={columns} onApply={setFilter} active={filter !== null} />
      {error && <p role="alert">{error}</p>}
      <div className="table-scroll">
        <table className="db-table">
          <caption className="visually-hidden">
            Rows of {title}
            {sort ? `, sorted by ${sort.property} ${sort.direction}` : ''}
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.id} scope="col" aria-sort={sort?.property === c.name ? sort.direction : undefined}>
                  <button type="button" className="sort-button" onClick={() => setSort(nextSort(c))}>
                    {c.name}
                    <span aria-hidden="true">
                      {sort?.property === c.name ? (sort.direction === 'ascending' ? ' ↑' : ' ↓') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                {columns.map((c) =>
                  c.type === 'title' ? (
                    <th key={c.id} scope="row">
                      <TitleCell row={row} prop={c} onSaved={replaceRow} />
                    </th>
                  ) : (
                    <td key={c.id} data-type={c.type}>
                      <Cell row={row} prop={c} onSaved={replaceRow} />
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted" role="status">
        {loading
          ? 'Loading rows…'
          : `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}${cursor ? ' shown' : ''}`}
      </p>
      {cursor && !loading && (
        <button type="button" onClick={() => load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

function TitleCell(props: { row: RowPage; prop: PropertySchema; onSaved: (r: RowPage) => void }) {
  const { row } = props;
  const title = pageTitle(row as unknown as Page) || 'Untitled';
  const href = `/app/p/${row.id}`;
  return (
    <div className="title-cell">
      <a
        href={href}
        onClick={(e) => {
          e.preventDefault();
          navigate(href);
        }}
      >
        {title}
      </a>
      <Cell {...props} compact />
    </div>
  );
}

/** A cell: its value, and for editable types an Edit button opening a field. */
export function Cell(props: {
  row: RowPage;
  prop: PropertySchema;
  onSaved: (r: RowPage) => void;
  compact?: boolean;
}) {
  const { row, prop, onSaved, compact } = props;
  const value = row.properties[prop.name];
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  // The value being saved, shown until the saved row replaces it.
  const [pending, setPending] = useState<string | boolean | null>(null);
  const rowTitle = pageTitle(row as unknown as Page) || 'Untitled';
  const label = `${prop.name} of ${rowTitle}`;
  const editable = EDITABLE.has(prop.type) && !row.in_trash;

  const save = async (next: string | boolean) => {
    setEditing(false);
    if (next === (prop.type === 'checkbox' ? value?.checkbox === true : fieldValue(value))) return;
    setBusy(true);
    setPending(next);
    try {
      onSaved(await saveProperty(row, prop, next));
    } catch (e) {
      alert((e as Error).message);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  if (prop.type === 'checkbox') {
    return (
      <input
        type="checkbox"
        aria-label={label}
        checked={typeof pending === 'boolean' ? pending : value?.checkbox === true}
        disabled={!editable || busy}
        onChange={(e) => save(e.target.checked)}
      />
    );
  }
  if (editing) return <CellField prop={prop} label={label} initial={fieldValue(value)} onDone={save} />;
  const text = typeof pending === 'string' ? pending : valueText(value);
  return (
    <span className="cell">
      {!compact &&
        // Only web and mail addresses become links (never javascript: and the like).
        (prop.type === 'url' && /^(https?:|mailto:)/i.test(text) ? (
          <a href={text} rel="noopener noreferrer" target="_blank">
            {text}
          </a>
        ) : (
          <span className={`cell-value cell-${prop.type}`}>{text}</span>
        ))}
      {editable && (
        <button
          type="button"
          className="cell-edit small"
          aria-label={`Edit ${label}`}
          disabled={busy}
          onClick={() => setEditing(true)}
        >
          ✎
        </button>
      )}
    </span>
  );
}

/** The field that edits one cell: Enter or leaving it saves, Escape cancels. */
function CellField(props: {
  prop: PropertySchema;
  label: string;
  initial: string;
  onDone: (value: string) => void;
}) {
  const { prop, label, initial, onDone } = props;
  const [value, setValue] = useState(initial);
  const done = useRef(false);
  const finish = (v: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(v ?? initial);
  };
  const common = {
    'aria-label': label,
    autoFocus: true,
    onBlur: () => finish(value),
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        finish(value);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        finish(null);
      }
    },
  };
  if (prop.type === 'select') {
    const options = prop.select?.options ?? [];
    return (
      <select {...common} value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={o.name} value={o.name}>
            {o.name}
          </option>
        ))}
      </select>
    );
  }
  const type =
    prop.type === 'number' ? 'number' : prop.type === 'date' ? 'date' : prop.type === 'url' ? 'url' : 'text';
  return <input {...common} type={type} value={value} onChange={(e) => setValue(e.target.value)} />;
}

function FilterForm(props: {
  columns: PropertySchema[];
  onApply: (f: Json | null) => void;
  active: boolean;
}) {
  const { columns, onApply, active } = props;
  const filterable = columns.filter((c) => CONDITIONS[c.type]);
  const id = useId();
  const [propName, setPropName] = useState(filterable[0]?.name ?? '');
  const prop = filterable.find((c) => c.name === propName);
  const conditions = prop ? CONDITIONS[prop.type]! : [];
  const [condition, setCondition] = useState(conditions[0] ?? '');
  const [value, setValue] = useState('');
  if (!prop) return null;
  const cond = conditions.includes(condition) ? condition : conditions[0]!;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(buildFilter(prop, cond, value));
  };
  return (
    <form className="filter-form" aria-label="Filter rows" onSubmit={submit}>
      <label htmlFor={`${id}-p`}>Filter by</label>
      <select id={`${id}-p`} value={propName} onChange={(e) => setPropName(e.target.value)}>
        {filterable.map((c) => (
          <option key={c.id} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-c`}>Condition</label>
      <select id={`${id}-c`} value={cond} onChange={(e) => setCondition(e.target.value)}>
        {conditions.map((c) => (
          <option key={c} value={c}>
            {c.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
      {!NO_VALUE.has(cond) &&
        (prop.type === 'checkbox' ? (
          <>
            <label htmlFor={`${id}-v`}>Value</label>
            <select id={`${id}-v`} value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="true">checked</option>
              <option value="false">not checked</option>
            </select>
          </>
        ) : (
          <>
            <label htmlFor={`${id}-v`}>Value</label>
            <input
              id={`${id}-v`}
              type={prop.type === 'number' ? 'number' : prop.type === 'date' ? 'date' : 'text'}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </>
        ))}
      <button type="submit">Apply filter</button>
      {active && (
        <button type="button" onClick={() => onApply(null)}>
          Clear filter
        </button>
      )}
    </form>
  );
}

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

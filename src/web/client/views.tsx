/**
 * A database in the app: its views (the Views API: `GET /v1/views?database_id=…&data_source_id=…`
 * for the tabs in tab order, then `GET /v1/views/{id}` each) as a row of links, the chosen one
 * (`?v=<view id>` in the address, else the first) rendered by its type — table (table.tsx),
 * board (board.tsx), list and gallery (cards.tsx), calendar (calendar.tsx); the other types show
 * as a table with a notice. A database with no views shows a table, as before views existed.
 * "Add view" creates one (`POST /v1/views` as a tab of the database) of a chosen type. "View
 * settings" renames the current view (`PATCH /v1/views/{id}`), deletes it (`DELETE`), or changes
 * its type: the Views API has no type change, so the app makes a view of the new type with the
 * same name, filter and sorts right after the old one (`POST`, `position: after_view`) and then
 * deletes the old one. The table saves its filter, sorts, widths and shown properties into its
 * view itself (table.tsx).
 */
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { api } from './api.ts';
import { ConfirmDelete } from './confirm.tsx';
import './views.css';
import { BoardView } from './board.tsx';
import { CalendarView } from './calendar.tsx';
import { GalleryView, ListView } from './cards.tsx';
import { type DataSource, TableView, tableDefaults as tableViewDefaults } from './table.tsx';
import {
  DEFAULT_VIEW,
  dateProperty,
  groupProperty,
  isRendered,
  newViewConfiguration,
  sameId,
  tableDefaults,
  type View,
  type ViewProperty,
} from './view-model.ts';

interface Source extends DataSource {
  parent?: { type: string; database_id?: string };
}

/** The name the default table gets when it is first stored (a new database's first view's name). */
const DEFAULT_VIEW_NAME = 'Default view';

const TYPE_NAMES: Record<string, string> = {
  table: 'Table',
  board: 'Board',
  list: 'List',
  gallery: 'Gallery',
  calendar: 'Calendar',
};

/** The view named in the address (`?v=`), compact or dashed. */
const viewInAddress = () => new URLSearchParams(location.search).get('v');

/** Loads the tabs of the database that show this data source, in tab order. */
async function loadViews(databaseId: string, sourceId: string): Promise<View[]> {
  const list = await api<{ results: { id: string }[] }>(
    'GET',
    `/views?database_id=${databaseId}&data_source_id=${sourceId}&page_size=100`,
  );
  return Promise.all(list.results.map((v) => api<View>('GET', `/views/${v.id}`)));
}

/** The database (or data source) `id` with its views; `source` is the data source it shows. */
export function DatabaseView({ id, source }: { id: string; source: DataSource }) {
  const src = source as Source;
  // The route names a database, or one of its data sources.
  const databaseId = sameId(src.id, id) ? (src.parent?.database_id ?? null) : id;
  const [views, setViews] = useState<View[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(viewInAddress);
  // The view made from the default table: the same table goes on showing it (not remounted, so
  // the focus stays where the person was, on the column menu's Move button).
  const adopted = useRef<string | null>(null);
  const props: ViewProperty[] = Object.entries(source.properties).map(([name, p]) => ({
    ...(p as ViewProperty),
    name,
  }));
  const title = source.title.map((t) => t.plain_text).join('') || 'Untitled database';

  const reload = useCallback(async () => {
    const list = databaseId ? await loadViews(databaseId, source.id).catch(() => []) : [];
    setViews(list);
    return list;
  }, [databaseId, source.id]);
  useEffect(() => {
    reload();
  }, [reload]);

  if (!views) return <p className="muted">Loading views…</p>;
  const shown = views.length > 0 ? views : [DEFAULT_VIEW];
  const view = shown.find((v) => chosen && sameId(v.id, chosen)) ?? shown[0]!;
  const choose = (v: View) => {
    setChosen(v.id);
    history.replaceState(
      null,
      '',
      v.id ? `${location.pathname}?v=${v.id.replaceAll('-', '')}` : location.pathname,
    );
  };

  const bar = (
    <ViewBar
      title={title}
      views={shown}
      current={view}
      onChoose={choose}
      add={
        databaseId && (
          <>
            <AddView
              databaseId={databaseId}
              sourceId={source.id}
              props={props}
              onCreated={async (made) => {
                await reload();
                choose(made);
              }}
            />
            {view.id && (
              <ViewSettings
                key={view.id}
                view={view}
                databaseId={databaseId}
                props={props}
                onChanged={async (next) => {
                  const list = await reload();
                  const keep = next && list.find((v) => sameId(v.id, next.id));
                  choose(keep ?? list[0] ?? DEFAULT_VIEW);
                }}
              />
            )}
          </>
        )
      }
    />
  );
  const titleName = props.find((p) => p.type === 'title')?.name ?? 'title';
  const body = { source, view, props, titleName };
  if (view.type === 'table' || !isRendered(view.type)) {
    return (
      <TableView
        key={view.id && view.id !== adopted.current ? view.id : 'default'}
        source={source}
        // A table view starts from all its sorts and keeps its column widths; another type's
        // pages shown as a table take its filter and first sort only.
        defaults={view.type === 'table' ? tableViewDefaults(view) : tableDefaults(view, props)}
        onViewSaved={view.type === 'table' ? () => void reload() : undefined}
        // The default table is not stored: arranging its columns makes it the database's view.
        onCreateView={
          !view.id && databaseId
            ? async ({ properties, filter, sorts }) => {
                const made = await api<View>('POST', '/views', {
                  data_source_id: source.id,
                  database_id: databaseId,
                  name: DEFAULT_VIEW_NAME,
                  type: 'table',
                  configuration: { type: 'table', properties },
                  ...(filter ? { filter } : {}),
                  ...(sorts.length > 0 ? { sorts } : {}),
                });
                adopted.current = made.id;
                await reload();
                choose(made);
                return made.id;
              }
            : undefined
        }
        switcher={
          <>
            {bar}
            {!isRendered(view.type) && (
              <p className="view-notice" role="note">
                The app does not show {view.type} views yet: here are the view’s pages as a table.
              </p>
            )}
          </>
        }
      />
    );
  }
  return (
    <section className="database" aria-labelledby="database-title">
      <h1 id="database-title" className="database-title">
        {title}
      </h1>
      {bar}
      {view.type === 'board' && <BoardView key={view.id} {...body} />}
      {view.type === 'list' && <ListView key={view.id} {...body} />}
      {view.type === 'gallery' && <GalleryView key={view.id} {...body} />}
      {view.type === 'calendar' && <CalendarView key={view.id} {...body} />}
    </section>
  );
}

/** The views as links (the current one marked), and the "Add view" control. */
function ViewBar(props: {
  title: string;
  views: View[];
  current: View;
  onChoose: (v: View) => void;
  add: ReactNode;
}) {
  const { title, views, current, onChoose, add } = props;
  return (
    <div className="view-bar">
      <nav aria-label={`Views of ${title}`}>
        <ul className="view-tabs">
          {views.map((v) => (
            <li key={v.id || 'default'}>
              <a
                href={v.id ? `?v=${v.id.replaceAll('-', '')}` : location.pathname}
                className="view-tab"
                aria-current={v === current ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  onChoose(v);
                }}
              >
                <span className="view-type">{TYPE_NAMES[v.type] ?? v.type}</span>
                <span className="visually-hidden">: </span>
                {v.name || 'Untitled view'}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {add}
    </div>
  );
}

const NEW_TYPES = ['table', 'board', 'list', 'gallery', 'calendar'] as const;

/** "Add view": a name, a type, and for a board or a calendar the property it needs. */
function AddView(props: {
  databaseId: string;
  sourceId: string;
  props: ViewProperty[];
  onCreated: (v: View) => Promise<void>;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<string>('board');
  const [name, setName] = useState('');
  const [propId, setPropId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Closing the form (Cancel) gives the focus back to the button that opened it.
  const addButton = useRef<HTMLButtonElement>(null);
  const closedByCancel = useRef(false);
  useEffect(() => {
    if (!open && closedByCancel.current) {
      closedByCancel.current = false;
      addButton.current?.focus();
    }
  }, [open]);
  const needs = type === 'board' ? 'group' : type === 'calendar' ? 'date' : null;
  const candidates = props.props.filter((p) =>
    needs === 'group'
      ? p.type === 'select' || p.type === 'status'
      : needs === 'date'
        ? p.type === 'date'
        : false,
  );
  const fallback =
    needs === 'group'
      ? groupProperty(props.props, DEFAULT_VIEW)
      : needs === 'date'
        ? dateProperty(props.props, DEFAULT_VIEW)
        : null;
  const property = candidates.find((p) => p.id === propId) ?? fallback;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (needs && !property) return;
    setBusy(true);
    setError(null);
    try {
      const configuration = newViewConfiguration(type, property);
      const made = await api<View>('POST', '/views', {
        data_source_id: props.sourceId,
        database_id: props.databaseId,
        name: name.trim() || TYPE_NAMES[type],
        type,
        ...(configuration ? { configuration } : {}),
      });
      setOpen(false);
      setName('');
      await props.onCreated(made);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="small add-view" ref={addButton} onClick={() => setOpen(true)}>
        + Add view
      </button>
    );
  }
  return (
    <form
      className="add-view-form"
      aria-label="New view"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        closedByCancel.current = true;
        setOpen(false);
      }}
    >
      <label htmlFor={`${id}-type`}>Type</label>
      <select
        id={`${id}-type`}
        value={type}
        // biome-ignore lint/a11y/noAutofocus: the form opens because the person asked for it
        autoFocus
        onChange={(e) => setType(e.target.value)}
      >
        {NEW_TYPES.map((t) => (
          <option key={t} value={t}>
            {TYPE_NAMES[t]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-name`}>View name</label>
      <input
        id={`${id}-name`}
        value={name}
        placeholder={TYPE_NAMES[type]}
        onChange={(e) => setName(e.target.value)}
      />
      {needs && candidates.length > 0 && (
        <>
          <label htmlFor={`${id}-prop`}>{needs === 'group' ? 'Group by' : 'Date property'}</label>
          <select id={`${id}-prop`} value={property?.id ?? ''} onChange={(e) => setPropId(e.target.value)}>
            {candidates.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </>
      )}
      {needs && candidates.length === 0 && (
        <p className="muted">
          {needs === 'group'
            ? 'A board needs a select or status property; this database has none.'
            : 'A calendar needs a date property; this database has none.'}
        </p>
      )}
      <button type="submit" disabled={busy || (needs !== null && candidates.length === 0)}>
        Create view
      </button>
      <button
        type="button"
        onClick={() => {
          closedByCancel.current = true;
          setOpen(false);
        }}
      >
        Cancel
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/**
 * The current view's settings: its name, its type, and deleting it (after a confirmation).
 * `onChanged` gets the view to show next (null: the first one left).
 */
function ViewSettings(props: {
  view: View;
  databaseId: string;
  props: ViewProperty[];
  onChanged: (next: View | null) => Promise<void>;
}) {
  const { view } = props;
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(view.name);
  const [type, setType] = useState(view.type);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    setError(null);
    setTimeout(() => button.current?.focus());
  };
  const run = async (work: () => Promise<View | null>) => {
    setBusy(true);
    setError(null);
    try {
      const next = await work();
      setOpen(false);
      await props.onChanged(next);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const types = isRendered(view.type) ? NEW_TYPES : [view.type, ...NEW_TYPES];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const newName = name.trim() || view.name;
    if (type === view.type) {
      if (newName === view.name) return close();
      return run(() => api<View>('PATCH', `/views/${view.id}`, { name: newName }));
    }
    return run(async () => {
      // No type change in the Views API: a new view of the type in the same place, then the old one goes.
      const property =
        type === 'board'
          ? groupProperty(props.props, view)
          : type === 'calendar'
            ? dateProperty(props.props, view)
            : null;
      if ((type === 'board' || type === 'calendar') && !property)
        throw new Error(
          type === 'board'
            ? 'A board needs a select or status property; this database has none.'
            : 'A calendar needs a date property; this database has none.',
        );
      const configuration = newViewConfiguration(type, property);
      const sorts = (view.sorts ?? []).filter((s) => typeof s.property === 'string');
      const made = await api<View>('POST', '/views', {
        data_source_id: view.data_source_id,
        database_id: props.databaseId,
        name: newName,
        type,
        position: { type: 'after_view', view_id: view.id },
        ...(view.filter && Object.keys(view.filter).length > 0 ? { filter: view.filter } : {}),
        ...(sorts.length > 0 ? { sorts } : {}),
        ...(configuration ? { configuration } : {}),
      });
      await api('DELETE', `/views/${view.id}`);
      return made;
    });
  };
  if (!open)
    return (
      <button
        type="button"
        className="small"
        ref={button}
        aria-expanded={false}
        onClick={() => setOpen(true)}
      >
        View settings
      </button>
    );
  return (
    <form
      className="view-settings"
      aria-label={`Settings of view ${view.name || 'Untitled view'}`}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        close();
      }}
    >
      <label htmlFor={`${id}-name`}>View name</label>
      <input
        id={`${id}-name`}
        value={name}
        // biome-ignore lint/a11y/noAutofocus: the form opens because the person asked for it
        autoFocus
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-type`}>View type</label>
      <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value)}>
        {types.map((t) => (
          <option key={t} value={t}>
            {TYPE_NAMES[t] ?? t}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        Save view
      </button>
      <button type="button" onClick={close}>
        Cancel
      </button>
      <ConfirmDelete
        label="Delete view"
        question={`Delete the view ${view.name || 'Untitled view'}? Its pages stay.`}
        confirmLabel="Confirm delete view"
        busy={busy}
        onConfirm={() =>
          run(async () => {
            await api('DELETE', `/views/${view.id}`);
            return null;
          })
        }
      />
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

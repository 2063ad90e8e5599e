/**
 * The table's columns: adding, renaming, retyping and deleting a property (all through
 * `PATCH /v1/data_sources/{id}`, so the schema change is the API's, with its value conversion),
 * and column widths (dragged or set by keyboard on a header's resize handle), kept in the table
 * view's `configuration.properties[].width` (`PATCH /v1/views/{id}`) when the table shows a
 * view, else in this browser's localStorage.
 */
import {
  type FormEvent,
  type KeyboardEvent,
  type PointerEvent,
  useCallback,
  useId,
  useRef,
  useState,
} from 'react';
import { api } from './api.ts';
import { ConfirmDelete } from './confirm.tsx';
import { CONFIGURED_TYPES, isConfigured, TypeSettings } from './property-config.tsx';
import { focusOnMount } from './table-cells.tsx';
import { type DataSource, type Json, type PropertySchema, readableFormula } from './table-model.ts';

/** Types a property can be given here (those whose configuration is empty to start with). */
export const PROPERTY_TYPES: [string, string][] = [
  ['rich_text', 'Text'],
  ['number', 'Number'],
  ['select', 'Select'],
  ['multi_select', 'Multi-select'],
  ['status', 'Status'],
  ['date', 'Date'],
  ['people', 'People'],
  ['files', 'Files & media'],
  ['checkbox', 'Checkbox'],
  ['url', 'URL'],
  ['email', 'Email'],
  ['phone_number', 'Phone'],
  ['created_time', 'Created time'],
  ['created_by', 'Created by'],
  ['last_edited_time', 'Last edited time'],
  ['last_edited_by', 'Last edited by'],
  ['unique_id', 'ID'],
];

/** Every type the forms offer: the plain ones, then relation, formula and rollup with their settings. */
export const ADDABLE_TYPES: [string, string][] = [...PROPERTY_TYPES, ...CONFIGURED_TYPES];

const missingSettings = (type: string) =>
  type === 'relation'
    ? 'Choose the related database.'
    : type === 'formula'
      ? 'Write the formula.'
      : 'Choose the relation and the property to roll up.';

/** Whether the settings in the form are the property's own (nothing to send). */
function sameSettings(prop: PropertySchema, payload: Json, source: DataSource): boolean {
  const own = (prop as unknown as Record<string, Json | undefined>)[prop.type] ?? {};
  if (prop.type === 'formula')
    return payload.expression === readableFormula(String(own.expression ?? ''), source);
  if (prop.type === 'rollup')
    return (['relation_property_id', 'rollup_property_id', 'function'] as const).every(
      (k) => own[k] === payload[k],
    );
  return false;
}

/** The PATCH /v1/data_sources/{id} body: property changes keyed by the property's id. */
export function updateSchema(sourceId: string, properties: Record<string, Json | null>): Promise<DataSource> {
  return api<DataSource>('PATCH', `/data_sources/${sourceId}`, { properties });
}

/** The form that changes one property: name and type, or deletes it after a confirmation. */
export function PropertyPanel(props: {
  source: DataSource;
  prop: PropertySchema;
  onChanged: (s: DataSource, retyped: boolean) => void;
  onClose: () => void;
  /** Moves the column one place left (-1) or right (1); absent where it cannot go that way. */
  onMoveLeft?: (() => void) | undefined;
  onMoveRight?: (() => void) | undefined;
}) {
  const { source, prop, onChanged, onClose, onMoveLeft, onMoveRight } = props;
  const id = useId();
  const [name, setName] = useState(prop.name);
  const [type, setType] = useState(prop.type);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [payload, setPayload] = useState<Json | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const types = ADDABLE_TYPES.some(([t]) => t === prop.type)
    ? ADDABLE_TYPES
    : [[prop.type, prop.type], ...ADDABLE_TYPES];
  // An existing relation keeps its target here (retyping to another type and back changes it).
  const settings = isConfigured(type) && !(type === 'relation' && prop.type === 'relation');
  const run = async (change: Json | null, retyped: boolean) => {
    setBusy(true);
    try {
      onChanged(await updateSchema(source.id, { [prop.id]: change }), retyped);
      onClose();
    } catch (e) {
      if (settings && change !== null) setSettingsError((e as Error).message);
      else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSettingsError(null);
    const retyped = type !== prop.type;
    if (settings && !payload) return setSettingsError(missingSettings(type));
    const change: Json = { ...(name.trim() && name !== prop.name ? { name: name.trim() } : {}) };
    if (retyped) Object.assign(change, { type, [type]: settings ? payload : {} });
    else if (settings && !sameSettings(prop, payload!, source)) Object.assign(change, { [type]: payload });
    if (Object.keys(change).length === 0) onClose();
    // A changed formula or rollup is computed anew for every row: read the rows again.
    else run(change, retyped || settings);
  };
  return (
    <form
      className="property-panel"
      aria-label={`Property ${prop.name}`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <label htmlFor={`${id}-n`}>Property name</label>
      <input id={`${id}-n`} ref={focusOnMount} value={name} onChange={(e) => setName(e.target.value)} />
      {prop.type !== 'title' && (
        <>
          <label htmlFor={`${id}-t`}>Property type</label>
          <select id={`${id}-t`} value={type} onChange={(e) => setType(e.target.value)}>
            {types.map(([t, label]) => (
              <option key={t} value={t}>
                {label}
              </option>
            ))}
          </select>
          {settings && (
            <TypeSettings
              type={type}
              source={source}
              prop={prop}
              onChange={setPayload}
              error={settingsError}
            />
          )}
        </>
      )}
      <button type="submit" disabled={busy}>
        Save property
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      {prop.type !== 'title' && (
        <span className="column-move">
          <button
            type="button"
            aria-label={`Move ${prop.name} left`}
            disabled={!onMoveLeft}
            onClick={onMoveLeft}
          >
            ← Move left
          </button>
          <button
            type="button"
            aria-label={`Move ${prop.name} right`}
            disabled={!onMoveRight}
            onClick={onMoveRight}
          >
            Move right →
          </button>
        </span>
      )}
      {prop.type !== 'title' && (
        <ConfirmDelete
          label="Delete property"
          question={`Delete ${prop.name} and its value in every row?`}
          confirmLabel="Confirm delete"
          busy={busy}
          onConfirm={() => run(null, false)}
        />
      )}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/** The form that adds a property: its name and type. */
export function NewPropertyPanel(props: {
  source: DataSource;
  /** `computed`: the new property has values to read (a formula or a rollup). */
  onChanged: (s: DataSource, computed: boolean) => void;
  onClose: () => void;
}) {
  const { source, onChanged, onClose } = props;
  const id = useId();
  const [name, setName] = useState('');
  const [type, setType] = useState('rich_text');
  const [payload, setPayload] = useState<Json | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const settings = isConfigured(type);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSettingsError(null);
    const n = name.trim();
    if (!n) return setError('A property needs a name.');
    if (Object.keys(source.properties).includes(n))
      return setError(`There is already a property named ${n}.`);
    if (settings && !payload) return setSettingsError(missingSettings(type));
    setBusy(true);
    try {
      const next = await updateSchema(source.id, { [n]: { type, [type]: settings ? payload : {} } });
      onChanged(next, type === 'formula' || type === 'rollup');
      onClose();
    } catch (err) {
      // Nothing was saved: the form stays as it was, the reason beside the settings it concerns.
      if (settings) setSettingsError((err as Error).message);
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="property-panel"
      aria-label="New property"
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <label htmlFor={`${id}-n`}>Property name</label>
      <input id={`${id}-n`} ref={focusOnMount} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-t`}>Property type</label>
      <select id={`${id}-t`} value={type} onChange={(e) => setType(e.target.value)}>
        {ADDABLE_TYPES.map(([t, label]) => (
          <option key={t} value={t}>
            {label}
          </option>
        ))}
      </select>
      {settings && <TypeSettings type={type} source={source} onChange={setPayload} error={settingsError} />}
      <button type="submit" disabled={busy}>
        Add property
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

export const MIN_WIDTH = 60;
export const defaultWidth = (p: PropertySchema) => (p.type === 'title' ? 260 : 170);

/** The table view a table shows: its id and configuration (where widths are kept). */
export interface TableViewRef {
  id: string;
  configuration?: Json | null;
}

const VIEW_PROPERTY_KEYS = [
  'property_id',
  'visible',
  'width',
  'wrap',
  'status_show_as',
  'card_property_width_mode',
  'date_format',
  'time_format',
];

/** The widths a view's configuration holds, by property id. */
function viewWidths(config: Json | null | undefined): Record<string, number> {
  const props = (config?.properties as { property_id: string; width?: number }[] | undefined) ?? [];
  return Object.fromEntries(
    props.filter((p) => typeof p.width === 'number').map((p) => [p.property_id, p.width!]),
  );
}

/**
 * Saves one column's setting (`width`, `visible`) into the view: its configuration's properties
 * read fresh, one entry changed, all written back.
 */
export async function saveViewProperty(viewId: string, propertyId: string, change: Json) {
  const view = await api<{ configuration?: Json | null }>('GET', `/views/${viewId}`);
  const props = ((view.configuration?.properties as Json[] | undefined) ?? []).map((p) =>
    Object.fromEntries(Object.entries(p).filter(([k]) => VIEW_PROPERTY_KEYS.includes(k))),
  );
  const at = props.findIndex((p) => p.property_id === propertyId);
  if (at >= 0) props[at] = { ...props[at], ...change };
  else props.push({ property_id: propertyId, ...change });
  await api('PATCH', `/views/${viewId}`, { configuration: { type: 'table', properties: props } });
}

/**
 * Saves the order of the columns into the view: its configuration's properties read fresh and
 * written back in `ids`' order (an entry keeps its width and visibility; one for a property the
 * schema no longer has is dropped, the server would refuse it).
 */
export async function saveViewOrder(viewId: string, ids: string[]) {
  const view = await api<{ configuration?: Json | null }>('GET', `/views/${viewId}`);
  const byId = new Map(
    ((view.configuration?.properties as Json[] | undefined) ?? []).map((p) => [
      p.property_id as string,
      Object.fromEntries(Object.entries(p).filter(([k]) => VIEW_PROPERTY_KEYS.includes(k))),
    ]),
  );
  const props = ids.map((id) => byId.get(id) ?? { property_id: id });
  await api('PATCH', `/views/${viewId}`, { configuration: { type: 'table', properties: props } });
}

const saveViewWidth = (viewId: string, propertyId: string, width: number) =>
  saveViewProperty(viewId, propertyId, { width });

/** The properties a view's configuration hides (`visible: false`), by id. */
export function hiddenOf(config: Json | null | undefined): string[] {
  const props = (config?.properties as { property_id: string; visible?: boolean }[] | undefined) ?? [];
  return props.filter((p) => p.visible === false).map((p) => p.property_id);
}

/** One write to a view at a time: each reads the view's configuration and writes it all back. */
export function queueViewWrite(write: () => Promise<void>) {
  saving = saving.then(() => write().catch((e: Error) => alert(e.message)));
  return saving;
}

let saving: Promise<void> = Promise.resolve();

const storageKey = (sourceId: string) => `octavo.table-widths.${sourceId}`;

/**
 * Column widths by property id: from the view (or localStorage when there is no view), set while
 * dragging, and saved when the drag ends.
 */
export function useWidths(sourceId: string, view: TableViewRef | null | undefined) {
  const [widths, setWidths] = useState<Record<string, number>>(() => {
    if (view) return viewWidths(view.configuration);
    try {
      return JSON.parse(localStorage.getItem(storageKey(sourceId)) ?? '{}') as Record<string, number>;
    } catch {
      return {};
    }
  });
  const set = useCallback((propertyId: string, width: number) => {
    setWidths((w) => ({ ...w, [propertyId]: Math.max(MIN_WIDTH, Math.round(width)) }));
  }, []);
  const save = useCallback(
    (propertyId: string, width: number) => {
      const w = Math.max(MIN_WIDTH, Math.round(width));
      // One save at a time: each reads the view's widths and writes them all back.
      if (view) queueViewWrite(() => saveViewWidth(view.id, propertyId, w));
      else
        setWidths((all) => {
          localStorage.setItem(storageKey(sourceId), JSON.stringify({ ...all, [propertyId]: w }));
          return all;
        });
    },
    [sourceId, view],
  );
  return { widths, set, save };
}

/** A header's resize handle: drag it, or focus it and press ← / → (Shift for larger steps). */
export function ResizeHandle(props: {
  prop: PropertySchema;
  width: number;
  onResize: (w: number) => void;
  onCommit: (w: number) => void;
}) {
  const { prop, width, onResize, onCommit } = props;
  const drag = useRef<{ x: number; w: number; last: number } | null>(null);
  const down = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, w: width, last: width };
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    d.last = Math.max(MIN_WIDTH, d.w + e.clientX - d.x);
    onResize(d.last);
  };
  const up = () => {
    const d = drag.current;
    drag.current = null;
    if (d && d.last !== d.w) onCommit(d.last);
  };
  const key = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 50 : 10;
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = Math.max(MIN_WIDTH, width + (e.key === 'ArrowRight' ? step : -step));
    onResize(next);
    onCommit(next);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable splitter, as ARIA's window splitter pattern
    <div
      className="resize-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${prop.name}`}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      tabIndex={0}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
      onKeyDown={key}
    />
  );
}

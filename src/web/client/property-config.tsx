/**
 * The settings a property of type relation, formula or rollup needs before it can be made, as
 * fields of the property forms (table-columns.tsx). The payload they build is the one
 * `PATCH /v1/data_sources/{id}` takes (notion-api.md, property schema): relation
 * `{data_source_id, type, single_property | dual_property}`, formula `{expression}`, rollup
 * `{relation_property_id, rollup_property_id, function}`; the server checks it (a formula's
 * type errors come back as the API's validation message and are shown beside the field).
 */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { api } from './api.ts';
import {
  columnsOf,
  type DataSource,
  type Json,
  type PropertySchema,
  plain,
  readableFormula,
} from './table-model.ts';

/** Types whose payload is more than `{}`: the form shows their fields. */
export const CONFIGURED_TYPES: [string, string][] = [
  ['relation', 'Relation'],
  ['formula', 'Formula'],
  ['rollup', 'Rollup'],
];
export const isConfigured = (type: string) => CONFIGURED_TYPES.some(([t]) => t === type);

/** Notion's rollup functions (notion-api.md §rollup functions), with the words the form shows. */
const ROLLUP_FUNCTIONS: [string, string][] = [
  ['show_original', 'Show original'],
  ['count', 'Count all'],
  ['count_values', 'Count values'],
  ['unique', 'Count unique values'],
  ['show_unique', 'Show unique values'],
  ['empty', 'Count empty'],
  ['not_empty', 'Count not empty'],
  ['percent_empty', 'Percent empty'],
  ['percent_not_empty', 'Percent not empty'],
  ['sum', 'Sum'],
  ['average', 'Average'],
  ['median', 'Median'],
  ['min', 'Min'],
  ['max', 'Max'],
  ['range', 'Range'],
  ['earliest_date', 'Earliest date'],
  ['latest_date', 'Latest date'],
  ['date_range', 'Date range'],
  ['checked', 'Checked'],
  ['unchecked', 'Unchecked'],
  ['percent_checked', 'Percent checked'],
  ['percent_unchecked', 'Percent unchecked'],
  ['count_per_group', 'Count per group'],
  ['percent_per_group', 'Percent per group'],
];

let sources: Promise<DataSource[]> | null = null;
/** The data sources the person can see (`POST /v1/search`, first 100), read once per visit. */
function listSources(): Promise<DataSource[]> {
  sources ??= api<{ results: DataSource[] }>('POST', '/search', {
    filter: { property: 'object', value: 'data_source' },
    page_size: 100,
  })
    .then((r) => r.results)
    .catch(() => {
      sources = null;
      return [];
    });
  return sources;
}

/** A data source's schema by id, for the rollup's property list. */
function useSchema(id: string | undefined): DataSource | null {
  const [schema, setSchema] = useState<DataSource | null>(null);
  useEffect(() => {
    setSchema(null);
    if (!id) return;
    let live = true;
    api<DataSource>('GET', `/data_sources/${id}`)
      .then((s) => live && setSchema(s))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id]);
  return schema;
}

/**
 * The fields of a relation, formula or rollup property. `onChange` gets the type's payload, or
 * null while a required choice is missing. `prop` is the property being changed (its current
 * settings fill the fields when its type is the one shown).
 */
export function TypeSettings(props: {
  type: string;
  source: DataSource;
  prop?: PropertySchema;
  onChange: (payload: Json | null) => void;
  /** The server's refusal of these settings, shown beside them. */
  error?: string | null;
}) {
  const { type, source, prop, onChange, error } = props;
  const errorId = useId();
  const note = error ? (
    <p role="alert" id={errorId} className="field-error">
      {error}
    </p>
  ) : null;
  const described = error ? errorId : undefined;
  if (type === 'relation') return <RelationSettings source={source} onChange={onChange} note={note} />;
  if (type === 'formula')
    return (
      <FormulaSettings source={source} prop={prop} onChange={onChange} describedBy={described} note={note} />
    );
  if (type === 'rollup')
    return <RollupSettings source={source} prop={prop} onChange={onChange} note={note} />;
  return null;
}

function RelationSettings(props: {
  source: DataSource;
  onChange: (p: Json | null) => void;
  note: ReactNode;
}) {
  const { source, onChange, note } = props;
  const id = useId();
  const [all, setAll] = useState<DataSource[] | null>(null);
  const [target, setTarget] = useState('');
  const [twoWay, setTwoWay] = useState(false);
  useEffect(() => {
    let live = true;
    listSources().then((list) => live && setAll(list));
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    if (!target) return onChange(null);
    onChange({
      data_source_id: target,
      ...(twoWay
        ? { type: 'dual_property', dual_property: {} }
        : { type: 'single_property', single_property: {} }),
    });
  }, [target, twoWay, onChange]);
  const label = (s: DataSource) =>
    s.id.replaceAll('-', '') === source.id.replaceAll('-', '')
      ? `${plain(s.title) || 'Untitled'} (this database)`
      : plain(s.title) || 'Untitled';
  return (
    <>
      <label htmlFor={`${id}-target`}>Related database</label>
      <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">{all === null ? 'Loading…' : 'Choose a database'}</option>
        {(all ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {label(s)}
          </option>
        ))}
      </select>
      <label>
        <input type="checkbox" checked={twoWay} onChange={(e) => setTwoWay(e.target.checked)} /> Two-way (show
        on the related database too)
      </label>
      {note}
    </>
  );
}

function FormulaSettings(props: {
  source: DataSource;
  prop?: PropertySchema | undefined;
  onChange: (p: Json | null) => void;
  describedBy: string | undefined;
  note: ReactNode;
}) {
  const { source, prop, onChange, describedBy, note } = props;
  const id = useId();
  const stored =
    (prop?.type === 'formula' && (prop as { formula?: { expression?: string } }).formula?.expression) || '';
  const [expression, setExpression] = useState(() => readableFormula(stored, source));
  useEffect(() => {
    onChange(expression.trim() ? { expression } : null);
  }, [expression, onChange]);
  return (
    <>
      <label htmlFor={`${id}-f`}>Formula</label>
      <input
        id={`${id}-f`}
        className="formula-input"
        value={expression}
        placeholder={'prop("Points") * 2'}
        spellCheck={false}
        aria-invalid={describedBy ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => setExpression(e.target.value)}
      />
      {note}
    </>
  );
}

function RollupSettings(props: {
  source: DataSource;
  prop?: PropertySchema | undefined;
  onChange: (p: Json | null) => void;
  note: ReactNode;
}) {
  const { source, prop, onChange, note } = props;
  const id = useId();
  const current =
    prop?.type === 'rollup'
      ? ((
          prop as {
            rollup?: { relation_property_id?: string; rollup_property_id?: string; function?: string };
          }
        ).rollup ?? {})
      : {};
  const relations = columnsOf(source).filter((p) => p.type === 'relation');
  const [relationId, setRelationId] = useState(current.relation_property_id ?? relations[0]?.id ?? '');
  const [rolledId, setRolledId] = useState(current.rollup_property_id ?? '');
  const [fn, setFn] = useState(current.function ?? 'show_original');
  const relation = relations.find((p) => p.id === relationId);
  const related = useSchema(relation?.relation?.data_source_id);
  const rolled = related ? columnsOf(related) : [];
  const rolledNow = rolled.some((p) => p.id === rolledId) ? rolledId : (rolled[0]?.id ?? '');
  useEffect(() => {
    onChange(
      relationId && rolledNow
        ? { relation_property_id: relationId, rollup_property_id: rolledNow, function: fn }
        : null,
    );
  }, [relationId, rolledNow, fn, onChange]);
  if (relations.length === 0)
    return (
      <>
        <p className="muted">A rollup reads a relation: add a relation property first.</p>
        {note}
      </>
    );
  return (
    <>
      <label htmlFor={`${id}-r`}>Relation</label>
      <select id={`${id}-r`} value={relationId} onChange={(e) => setRelationId(e.target.value)}>
        {relations.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-p`}>Rolled-up property</label>
      <select id={`${id}-p`} value={rolledNow} onChange={(e) => setRolledId(e.target.value)}>
        {related === null && <option value="">Loading…</option>}
        {rolled.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-fn`}>Calculate</label>
      <select id={`${id}-fn`} value={fn} onChange={(e) => setFn(e.target.value)}>
        {ROLLUP_FUNCTIONS.map(([f, label]) => (
          <option key={f} value={f}>
            {label}
          </option>
        ))}
      </select>
      {note}
    </>
  );
}

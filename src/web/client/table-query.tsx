/**
 * The table's filter and sort forms (the data and its rules: table-filters.ts). The filter and
 * sorts go to `POST /v1/data_sources/{id}/query`, so the rows come from the same query engine
 * as an integration's. A filter is a group of conditions
 * joined by "and" or "or", whose items may be groups of their own (one level, inside Notion's
 * two-level limit); sorts are several keys, the first deciding first. Properties are named by id,
 * so a rename does not break a filter or a sort.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import {
  CONDITIONS,
  type Condition,
  find,
  type Group,
  groupFilter,
  keyOf,
  NO_VALUE,
  parseFilter,
  type SortKey,
} from './table-filters.ts';
import type { Json, PropertySchema } from './table-model.ts';

const newCondition = (columns: PropertySchema[]): Condition => {
  const prop = columns.find((c) => CONDITIONS[c.type])!;
  return { kind: 'condition', property: prop.id, condition: CONDITIONS[prop.type]![0]!, value: '' };
};

/** The filter form: conditions and groups, applied with "Apply filter", removed with "Clear". */
export function FilterEditor(props: {
  columns: PropertySchema[];
  filter: Json | null;
  onApply: (f: Json | null) => void;
}) {
  const { columns, filter, onApply } = props;
  const filterable = columns.filter((c) => CONDITIONS[c.type]);
  const [draft, setDraft] = useState<Group | null>(() => parseFilter(filter, columns));
  const ids = columns.map((c) => c.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter or schema restarts the draft
  useEffect(() => setDraft(parseFilter(filter, columns)), [filter, ids]);
  if (filterable.length === 0) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft) onApply(groupFilter(draft, columns));
  };
  return (
    <form className="filter-form" aria-label="Filter rows" onSubmit={submit}>
      {draft ? (
        <GroupEditor group={draft} columns={filterable} onChange={setDraft} path="Condition" depth={0} />
      ) : (
        <p className="muted">This view’s filter has a shape this form cannot edit; it applies as saved.</p>
      )}
      <div className="filter-actions">
        {draft && (
          <button type="submit" disabled={draft.items.length === 0}>
            Apply filter
          </button>
        )}
      </div>
    </form>
  );
}

function GroupEditor(props: {
  group: Group;
  columns: PropertySchema[];
  onChange: (g: Group) => void;
  path: string;
  depth: number;
}) {
  const { group, columns, onChange, path, depth } = props;
  const id = useId();
  const set = (i: number, item: Condition | Group | null) =>
    onChange({
      ...group,
      items: item ? group.items.map((x, k) => (k === i ? item : x)) : group.items.filter((_, k) => k !== i),
    });
  const add = (item: Condition | Group) => onChange({ ...group, items: [...group.items, item] });
  return (
    <div className="filter-group">
      {group.items.length > 1 && (
        <>
          <label htmlFor={`${id}-op`}>{depth === 0 ? 'Match' : `Match in ${path}`}</label>
          <select
            id={`${id}-op`}
            value={group.op}
            onChange={(e) => onChange({ ...group, op: e.target.value as 'and' | 'or' })}
          >
            <option value="and">all conditions (and)</option>
            <option value="or">any condition (or)</option>
          </select>
        </>
      )}
      {group.items.map((item, i) => {
        const name = `${path} ${i + 1}`;
        return item.kind === 'group' ? (
          <fieldset key={name} className="filter-subgroup">
            <legend>Group {i + 1}</legend>
            <GroupEditor
              group={item}
              columns={columns}
              onChange={(g) => set(i, g)}
              path={`Group ${i + 1} condition`}
              depth={depth + 1}
            />
            <button type="button" className="small" onClick={() => set(i, null)}>
              Remove group {i + 1}
            </button>
          </fieldset>
        ) : (
          <ConditionEditor key={name} name={name} item={item} columns={columns} onChange={(c) => set(i, c)} />
        );
      })}
      <button type="button" className="small" onClick={() => add(newCondition(columns))}>
        {depth === 0 ? 'Add condition' : `Add condition to ${path.replace(/ condition$/, '')}`}
      </button>
      {depth === 0 && (
        <button
          type="button"
          className="small"
          onClick={() => add({ kind: 'group', op: 'or', items: [newCondition(columns)] })}
        >
          Add group
        </button>
      )}
    </div>
  );
}

function ConditionEditor(props: {
  name: string;
  item: Condition;
  columns: PropertySchema[];
  onChange: (c: Condition | null) => void;
}) {
  const { name, item, columns, onChange } = props;
  const id = useId();
  const prop = find(columns, item.property) ?? columns[0]!;
  const conditions = CONDITIONS[prop.type]!;
  const cond = conditions.includes(item.condition) ? item.condition : conditions[0]!;
  const valueType =
    prop.type === 'number'
      ? 'number'
      : ['date', 'created_time', 'last_edited_time'].includes(prop.type)
        ? 'date'
        : 'text';
  const options = prop.select?.options ?? prop.status?.options ?? prop.multi_select?.options;
  return (
    <fieldset className="filter-condition">
      <legend>{name}</legend>
      <label htmlFor={`${id}-p`}>Property</label>
      <select
        id={`${id}-p`}
        value={prop.id}
        onChange={(e) => {
          const next = columns.find((c) => c.id === e.target.value)!;
          onChange({ ...item, property: next.id, condition: CONDITIONS[next.type]![0]!, value: '' });
        }}
      >
        {columns.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-c`}>Condition</label>
      <select id={`${id}-c`} value={cond} onChange={(e) => onChange({ ...item, condition: e.target.value })}>
        {conditions.map((c) => (
          <option key={c} value={c}>
            {c.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
      {!NO_VALUE.has(cond) && (
        <>
          <label htmlFor={`${id}-v`}>Value</label>
          {prop.type === 'checkbox' ? (
            <select
              id={`${id}-v`}
              value={item.value}
              onChange={(e) => onChange({ ...item, value: e.target.value })}
            >
              <option value="true">checked</option>
              <option value="false">not checked</option>
            </select>
          ) : (
            <input
              id={`${id}-v`}
              type={valueType}
              list={options ? `${id}-o` : undefined}
              value={item.value}
              onChange={(e) => onChange({ ...item, value: e.target.value })}
            />
          )}
          {options && (
            <datalist id={`${id}-o`}>
              {options.map((o) => (
                <option key={o.name} value={o.name} />
              ))}
            </datalist>
          )}
        </>
      )}
      <button type="button" className="small" onClick={() => onChange(null)}>
        Remove {name.toLowerCase()}
      </button>
    </fieldset>
  );
}

/** The sort form: several keys, each a property (or a timestamp) and a direction; applied at once. */
export function SortEditor(props: {
  columns: PropertySchema[];
  sorts: SortKey[];
  onChange: (s: SortKey[]) => void;
}) {
  const { columns, sorts, onChange } = props;
  const id = useId();
  const set = (i: number, k: SortKey | null) =>
    onChange(k ? sorts.map((x, j) => (j === i ? k : x)) : sorts.filter((_, j) => j !== i));
  const toKey = (v: string, direction: SortKey['direction']): SortKey =>
    v.startsWith('timestamp:')
      ? { timestamp: v.slice(10) as 'created_time' | 'last_edited_time', direction }
      : { property: v, direction };
  const unused = columns.find((c) => !sorts.some((s) => keyOf(s) === c.id));
  return (
    <form className="sort-form" aria-label="Sort rows" onSubmit={(e) => e.preventDefault()}>
      {sorts.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a sort key is its position in the list
        <fieldset key={i} className="sort-key">
          <legend>Sort {i + 1}</legend>
          <label htmlFor={`${id}-${i}-p`}>Sort by</label>
          <select
            id={`${id}-${i}-p`}
            value={keyOf(s)}
            onChange={(e) => set(i, toKey(e.target.value, s.direction))}
          >
            {columns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
            <option value="timestamp:created_time">Created time</option>
            <option value="timestamp:last_edited_time">Last edited time</option>
          </select>
          <label htmlFor={`${id}-${i}-d`}>Direction</label>
          <select
            id={`${id}-${i}-d`}
            value={s.direction}
            onChange={(e) => set(i, { ...s, direction: e.target.value as SortKey['direction'] })}
          >
            <option value="ascending">ascending</option>
            <option value="descending">descending</option>
          </select>
          <button type="button" className="small" onClick={() => set(i, null)}>
            Remove sort {i + 1}
          </button>
        </fieldset>
      ))}
      {unused && (
        <button
          type="button"
          className="small"
          onClick={() => onChange([...sorts, { property: unused.id, direction: 'ascending' }])}
        >
          Add sort
        </button>
      )}
    </form>
  );
}

/**
 * A table cell: its value shown by type and, for editable types, the control that edits it, saved
 * with `PATCH /v1/pages/{id}` (one property). Text, number, url, email and phone are fields;
 * select and status a `<select>` of the schema's options; a checkbox is a checkbox; a date has a
 * start, an optional end and an optional time; multi-select, people and relation are lists of
 * checkboxes (a new option typed in, users from `GET /v1/users`, related pages found by title in
 * the related data source). Relation cells show the related pages' titles, read once per page
 * (`GET /v1/pages/{id}`) and remembered for the visit. A files cell shows its files as links
 * (images as thumbnails); its editor adds a file by upload (uploads.tsx, Notion's file-upload
 * API) or by external URL and removes one, each change saved at once with the whole list.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { api, type Page, pageTitle, rememberKind } from './api.ts';
import { appHref, navigate } from './router.ts';
import {
  type CellValue,
  type DateDraft,
  EDITABLE,
  type FileItem,
  filesBody,
  fileUrl,
  isImageFile,
  type Json,
  type PropertySchema,
  propertyBody,
  type QueryResult,
  type RowPage,
  relationIds,
  valueText,
} from './table-model.ts';
import { uploadFile } from './uploads.tsx';

const titles = new Map<string, Promise<string>>();

/** A page's title, read once per visit (`GET /v1/pages/{id}`); an unreadable page is "Untitled". */
export function relatedTitle(id: string): Promise<string> {
  let t = titles.get(id);
  if (!t) {
    t = api<Page>('GET', `/pages/${id}`)
      .then((p) => pageTitle(p) || 'Untitled')
      .catch(() => 'Untitled');
    titles.set(id, t);
  }
  return t;
}

function useTitles(ids: string[]): Record<string, string> {
  const [known, setKnown] = useState<Record<string, string>>({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    const list = key ? key.split(',') : [];
    Promise.all(list.map(async (id) => [id, await relatedTitle(id)] as const)).then(
      (pairs) => live && setKnown(Object.fromEntries(pairs)),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return known;
}

function RelationValue({ ids }: { ids: string[] }) {
  const known = useTitles(ids);
  return (
    <span className="cell-value cell-relation">
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <a
            href={appHref(`/app/p/${id}`)}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/app/p/${id}`);
            }}
          >
            {known[id] ?? '…'}
          </a>
        </span>
      ))}
    </span>
  );
}

let users: Promise<{ id: string; name: string }[]> | null = null;
/** The workspace's people (`GET /v1/users`, first 100), read once per visit. */
function listPeople() {
  users ??= api<{ results: { id: string; name: string | null; type: string }[] }>(
    'GET',
    '/users?page_size=100',
  )
    .then((r) =>
      r.results.filter((u) => u.type === 'person').map((u) => ({ id: u.id, name: u.name ?? u.id })),
    )
    .catch(() => []);
  return users;
}

/** The editable value of a property as the editor starts with it. */
function initialValue(prop: PropertySchema, value: (Json & { type: string }) | undefined): CellValue {
  const v = value?.[prop.type];
  switch (prop.type) {
    case 'date': {
      const d = v as { start: string; end?: string | null } | null | undefined;
      const time = !!d && d.start.length > 10;
      const cut = (s: string) => (time ? s.slice(0, 16) : s.slice(0, 10));
      return { start: d ? cut(d.start) : '', end: d?.end ? cut(d.end) : '', time };
    }
    case 'multi_select':
      return ((v as { name: string }[] | undefined) ?? []).map((o) => o.name);
    case 'people':
      return ((v as { id: string }[] | undefined) ?? []).map((p) => p.id);
    case 'relation':
      return relationIds(value);
    case 'checkbox':
      return v === true;
    default:
      return valueText(value);
  }
}

async function saveProperty(row: RowPage, prop: PropertySchema, value: CellValue): Promise<RowPage> {
  return api<RowPage>('PATCH', `/pages/${row.id}`, {
    properties: { [prop.name]: propertyBody(prop.type, value) },
  });
}

interface CellProps {
  row: RowPage;
  prop: PropertySchema;
  onSaved: (r: RowPage) => void;
  compact?: boolean;
}

/** Files properties are edited by their own editor (FilesEditor), not a `propertyBody` value. */
const editableType = (type: string) => EDITABLE.has(type) || type === 'files';

/** The title column: a link opening the row, and its Edit button. */
export function TitleCell(props: CellProps) {
  const { row } = props;
  const title = pageTitle(row as unknown as Page) || 'Untitled';
  const href = `/app/p/${row.id}`;
  return (
    <div className="title-cell">
      <a
        href={appHref(href)}
        onClick={(e) => {
          e.preventDefault();
          rememberKind(row.id, 'page');
          navigate(href);
        }}
      >
        {title}
      </a>
      <Cell {...props} compact />
    </div>
  );
}

/** A cell: its value, and for editable types an Edit button opening the right control. */
export function Cell(props: CellProps) {
  const { row, prop, onSaved, compact } = props;
  const value = row.properties[prop.name];
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  // The value being saved, shown until the saved row replaces it.
  const [pending, setPending] = useState<CellValue | null>(null);
  const rowTitle = pageTitle(row as unknown as Page) || 'Untitled';
  const label = `${prop.name} of ${rowTitle}`;
  const editable = editableType(prop.type) && !row.in_trash;

  const save = async (next: CellValue | null) => {
    setEditing(false);
    if (next === null || JSON.stringify(next) === JSON.stringify(initialValue(prop, value))) return;
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
  const editor =
    editing &&
    (prop.type === 'files' ? (
      <FilesEditor row={row} prop={prop} label={label} onSaved={onSaved} onClose={() => setEditing(false)} />
    ) : (
      <CellEditor prop={prop} label={label} initial={initialValue(prop, value)} onDone={save} />
    ));
  if (
    editing &&
    ['title', 'rich_text', 'number', 'url', 'email', 'phone_number', 'select', 'status'].includes(prop.type)
  )
    return editor;
  const text =
    typeof pending === 'string'
      ? pending
      : Array.isArray(pending) && prop.type === 'multi_select'
        ? pending.join(', ')
        : valueText(value);
  return (
    <span className="cell">
      {!compact && <CellText prop={prop} value={value} text={text} />}
      {editable && (
        <button
          type="button"
          className="cell-edit small"
          aria-label={`Edit ${label}`}
          aria-expanded={prop.type === 'title' ? undefined : editing}
          disabled={busy}
          onClick={() => setEditing(true)}
        >
          ✎
        </button>
      )}
      {editor}
    </span>
  );
}

function CellText(props: {
  prop: PropertySchema;
  value: (Json & { type: string }) | undefined;
  text: string;
}) {
  const { prop, value, text } = props;
  if (prop.type === 'relation') return <RelationValue ids={relationIds(value)} />;
  if (prop.type === 'files') return <FilesValue items={(value?.files as FileItem[] | undefined) ?? []} />;
  // Only web and mail addresses become links (never javascript: and the like).
  if (prop.type === 'url' && /^(https?:|mailto:)/i.test(text))
    return (
      <a href={text} rel="noopener noreferrer" target="_blank">
        {text}
      </a>
    );
  if (prop.type === 'email' && text) return <a href={`mailto:${text}`}>{text}</a>;
  return <span className={`cell-value cell-${prop.type}`}>{text}</span>;
}

/** A ref that focuses its element when it is mounted (instead of `autoFocus`). */
export const focusOnMount = (el: HTMLElement | null) => el?.focus();

interface EditorProps {
  prop: PropertySchema;
  label: string;
  initial: CellValue;
  onDone: (value: CellValue | null) => void;
}

/** The control that edits one cell: Enter (or leaving a field) saves, Escape cancels. */
function CellEditor(props: EditorProps) {
  const { prop } = props;
  if (prop.type === 'date') return <DateEditor {...props} />;
  if (prop.type === 'multi_select' || prop.type === 'people' || prop.type === 'relation')
    return <ChoiceEditor {...props} />;
  return <FieldEditor {...props} />;
}

function FieldEditor({ prop, label, initial, onDone }: EditorProps) {
  const [value, setValue] = useState(String(initial));
  const done = useRef(false);
  const finish = (v: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(v);
  };
  const common = {
    'aria-label': label,
    ref: focusOnMount,
    onBlur: () => finish(value),
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        finish(value);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        finish(null);
      }
    },
  };
  if (prop.type === 'select' || prop.type === 'status') {
    const options = prop[prop.type]?.options ?? [];
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
  const types: Record<string, string> = { number: 'number', url: 'url', email: 'email', phone_number: 'tel' };
  return (
    <input
      {...common}
      type={types[prop.type] ?? 'text'}
      value={value}
      onChange={(e) => setValue(e.target.value)}
    />
  );
}

/** Escape cancels and Enter saves anywhere inside a popover editor. */
function popoverKeys(save: () => void, cancel: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      cancel();
    } else if (e.key === 'Enter' && (e.target as HTMLElement).dataset.enterSaves !== undefined) {
      e.preventDefault();
      save();
    }
  };
}

function EditorButtons({ save, cancel }: { save: () => void; cancel: () => void }) {
  return (
    <div className="editor-buttons">
      <button type="button" onClick={save}>
        Save
      </button>
      <button type="button" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}

function DateEditor({ label, initial, onDone }: EditorProps) {
  const [d, setD] = useState(initial as DateDraft);
  const [hasEnd, setHasEnd] = useState(!!(initial as DateDraft).end);
  const kind = d.time ? 'datetime-local' : 'date';
  const retime = (s: string, time: boolean) => (!s ? s : time ? `${s.slice(0, 10)}T09:00` : s.slice(0, 10));
  const save = () => onDone({ ...d, end: hasEnd ? d.end : '' });
  const cancel = () => onDone(null);
  return (
    <fieldset className="cell-popover" aria-label={label} onKeyDown={popoverKeys(save, cancel)}>
      <label>
        Start
        <input
          type={kind}
          ref={focusOnMount}
          data-enter-saves
          value={d.start}
          onChange={(e) => setD({ ...d, start: e.target.value })}
        />
      </label>
      <label>
        <input type="checkbox" checked={hasEnd} onChange={(e) => setHasEnd(e.target.checked)} /> End date
      </label>
      {hasEnd && (
        <label>
          End
          <input
            type={kind}
            data-enter-saves
            value={d.end}
            onChange={(e) => setD({ ...d, end: e.target.value })}
          />
        </label>
      )}
      <label>
        <input
          type="checkbox"
          checked={d.time}
          onChange={(e) =>
            setD({
              start: retime(d.start, e.target.checked),
              end: retime(d.end, e.target.checked),
              time: e.target.checked,
            })
          }
        />{' '}
        Include time
      </label>
      <EditorButtons save={save} cancel={cancel} />
    </fieldset>
  );
}

interface Choice {
  value: string;
  label: string;
}

/** The choices a list editor offers beside the ones selected: options, people or found pages. */
function useChoices(prop: PropertySchema, selected: string[], search: string): Choice[] {
  const [found, setFound] = useState<Choice[]>([]);
  const related = prop.relation?.data_source_id;
  useEffect(() => {
    let live = true;
    if (prop.type === 'people')
      listPeople().then((ps) => live && setFound(ps.map((p) => ({ value: p.id, label: p.name }))));
    if (prop.type === 'relation' && related) {
      const timer = setTimeout(() => {
        api<QueryResult>('POST', `/data_sources/${related}/query`, {
          page_size: 20,
          ...(search ? { filter: { property: 'title', title: { contains: search } } } : {}),
        })
          .then((r) => {
            if (!live) return;
            for (const p of r.results)
              titles.set(p.id, Promise.resolve(pageTitle(p as unknown as Page) || 'Untitled'));
            setFound(
              r.results.map((p) => ({ value: p.id, label: pageTitle(p as unknown as Page) || 'Untitled' })),
            );
          })
          .catch(() => undefined);
      }, 200);
      return () => {
        live = false;
        clearTimeout(timer);
      };
    }
    return () => {
      live = false;
    };
  }, [prop.type, related, search]);
  const known = useTitles(prop.type === 'relation' ? selected : []);
  if (prop.type === 'multi_select') {
    const names = (prop.multi_select?.options ?? []).map((o) => o.name);
    return [...new Set([...names, ...selected])].map((n) => ({ value: n, label: n }));
  }
  const chosen = selected.map((v) => found.find((c) => c.value === v) ?? { value: v, label: known[v] ?? v });
  return [...chosen, ...found.filter((c) => !selected.includes(c.value))];
}

function ChoiceEditor({ prop, label, initial, onDone }: EditorProps) {
  const [selected, setSelected] = useState(initial as string[]);
  const [text, setText] = useState('');
  const choices = useChoices(prop, selected, prop.type === 'relation' ? text : '');
  const save = () => onDone(selected);
  const cancel = () => onDone(null);
  const toggle = (v: string, on: boolean) =>
    setSelected((s) => (on ? [...s.filter((x) => x !== v), v] : s.filter((x) => x !== v)));
  const addOption = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || prop.type !== 'multi_select') return;
    e.preventDefault();
    e.stopPropagation();
    const name = text.trim().replaceAll(',', ' ');
    if (name) toggle(name, true);
    setText('');
  };
  return (
    <fieldset className="cell-popover" aria-label={label} onKeyDown={popoverKeys(save, cancel)}>
      {prop.type !== 'people' && (
        <input
          type="text"
          ref={focusOnMount}
          aria-label={prop.type === 'relation' ? `Find pages for ${label}` : `New option for ${label}`}
          placeholder={prop.type === 'relation' ? 'Find a page' : 'New option'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={addOption}
        />
      )}
      <ul className="choices">
        {choices.map((c) => (
          <li key={c.value}>
            <label>
              <input
                type="checkbox"
                ref={prop.type === 'people' && c === choices[0] ? focusOnMount : undefined}
                checked={selected.includes(c.value)}
                onChange={(e) => toggle(c.value, e.target.checked)}
              />{' '}
              {c.label}
            </label>
          </li>
        ))}
      </ul>
      <EditorButtons save={save} cancel={cancel} />
    </fieldset>
  );
}

/** A files value: each file a link opening it in a new tab, an image as a small thumbnail. */
function FilesValue({ items }: { items: FileItem[] }) {
  return (
    <span className="cell-value cell-files">
      {items.map((f, i) => {
        const url = fileUrl(f);
        // Only web addresses become links (never javascript: and the like).
        const safe = /^https?:/i.test(url) || url.startsWith('/');
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a file is its position in the list
          <span key={i} className="file-item">
            {safe ? (
              <a href={url} rel="noopener noreferrer" target="_blank" title={f.name}>
                {isImageFile(f) && <img src={url} alt="" className="file-thumb" loading="lazy" />}
                {f.name}
              </a>
            ) : (
              f.name
            )}
          </span>
        );
      })}
    </span>
  );
}

/**
 * The files editor: the files with a Remove button each, a file chooser that uploads and adds
 * (`POST /v1/file_uploads`…, then the property written with the upload attached), and an
 * external URL with an optional name. Every change is one `PATCH /v1/pages/{id}` with the whole
 * list, the files already there written back as the API answered them; Escape or Done closes.
 */
function FilesEditor(props: {
  row: RowPage;
  prop: PropertySchema;
  label: string;
  onSaved: (r: RowPage) => void;
  onClose: () => void;
}) {
  const { row, prop, label, onSaved, onClose } = props;
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const items = (row.properties[prop.name]?.files as FileItem[] | undefined) ?? [];
  const write = async (next: FileItem[], done: string) => {
    setBusy(true);
    setNote(null);
    try {
      onSaved(
        await api<RowPage>('PATCH', `/pages/${row.id}`, { properties: { [prop.name]: filesBody(next) } }),
      );
      setNote({ ok: true, text: done });
      return true;
    } catch (e) {
      setNote({ ok: false, text: (e as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const upload = async (file: File | undefined, input: HTMLInputElement) => {
    if (!file) return;
    setBusy(true);
    setNote({ ok: true, text: `Uploading ${file.name}…` });
    try {
      const uploaded = await uploadFile(file);
      await write(
        [...items, { name: file.name, type: 'file_upload', file_upload: { id: uploaded } }],
        `${file.name} was added.`,
      );
    } catch (e) {
      setNote({ ok: false, text: (e as Error).message });
      setBusy(false);
    }
    input.value = '';
  };
  const addLink = async (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const u = url.trim();
    if (!u) return;
    const n = name.trim() || u.split('/').filter(Boolean).pop() || u;
    if (await write([...items, { name: n, type: 'external', external: { url: u } }], `${n} was added.`)) {
      setUrl('');
      setName('');
    }
  };
  return (
    <fieldset
      className="cell-popover files-editor"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      {items.length === 0 ? (
        <p className="muted">No files yet.</p>
      ) : (
        <ul className="files-list" aria-label={`Files in ${label}`}>
          {items.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a file is its position in the list
            <li key={i}>
              <span>{f.name}</span>{' '}
              <button
                type="button"
                className="small"
                disabled={busy}
                onClick={() =>
                  write(
                    items.filter((_, k) => k !== i),
                    `${f.name} was removed.`,
                  )
                }
              >
                Remove {f.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={`${id}-f`}>Upload a file</label>
      <input
        id={`${id}-f`}
        type="file"
        ref={focusOnMount}
        disabled={busy}
        onChange={(e) => upload(e.target.files?.[0], e.target)}
      />
      <div className="files-link">
        <label htmlFor={`${id}-u`}>Link URL</label>
        <input
          id={`${id}-u`}
          type="url"
          value={url}
          placeholder="https://"
          onChange={(e) => setUrl(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && addLink(e)}
        />
        <label htmlFor={`${id}-n`}>Link name</label>
        <input
          id={`${id}-n`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && addLink(e)}
        />
        <button type="button" className="small" disabled={busy || !url.trim()} onClick={addLink}>
          Add link
        </button>
      </div>
      {note && <p role={note.ok ? 'status' : 'alert'}>{note.text}</p>}
      <div className="editor-buttons">
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </fieldset>
  );
}

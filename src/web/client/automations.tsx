/**
 * Automations in the browser (`/app/automations`): the list with each one's trigger and state,
 * enable, disable, run by hand, delete; the runs with each step's input, output or error and time
 * taken, and the retry of a failed run; a simple automation made from a form (a trigger and one
 * action) or from a definition in JSON (the format of `octavo automation create`, without
 * `run_script`, which stays with the command line). Through `/app/api`
 * (web/automations.routes.ts), the same operations as the CLI and the admin API.
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { adminApi, api } from './api.ts';
import { useAction } from './screens.tsx';
import { when } from './webhooks.tsx';

interface Automation {
  id: string;
  name: string;
  enabled: boolean;
  integration: string;
  trigger: { type: string; data_source_id?: string; cron?: string; timezone?: string };
  next_run_time: string | null;
  hook_path?: string;
  definition: { actions: { type: string }[]; description?: string };
}

interface Step {
  action: string;
  input: unknown;
  output?: unknown;
  error?: { code: string; message: string };
  ms: number;
}

interface Run {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  dry_run: boolean;
  trigger: { kind: string; page_id?: string; retry_of?: string; input?: unknown };
  steps: Step[];
  error: string | null;
  created_time: string;
  duration_ms: number | null;
}

interface DataSource {
  id: string;
  title: { plain_text: string }[];
}

const PAGE_TRIGGERS = ['page_created', 'page_updated', 'comment_created'];
const TRIGGERS: { id: string; label: string }[] = [
  { id: 'page_created', label: 'A page is added to a database' },
  { id: 'page_updated', label: 'A page of a database changes' },
  { id: 'comment_created', label: 'A comment is made on a page of a database' },
  { id: 'schedule', label: 'On a schedule' },
  { id: 'manual', label: 'By hand (Run now)' },
  { id: 'webhook', label: 'A request to its own URL' },
];

const json = (v: unknown) => JSON.stringify(v, null, 2);
const titleOf = (ds: DataSource) => ds.title.map((t) => t.plain_text).join('') || 'Untitled';

function triggerText(a: Automation, sources: DataSource[]): string {
  const t = a.trigger;
  const ds = sources.find((s) => s.id === t.data_source_id);
  const where = t.data_source_id ? ` in ${ds ? titleOf(ds) : t.data_source_id}` : '';
  if (t.type === 'schedule') return `schedule ${t.cron} (${t.timezone})`;
  return `${t.type.replace('_', ' ')}${where}`;
}

export function AutomationsView() {
  const [items, setItems] = useState<Automation[] | null>(null);
  const [sources, setSources] = useState<DataSource[]>([]);
  const reload = useCallback(
    () => adminApi<{ results: Automation[] }>('GET', '/automations').then((r) => setItems(r.results)),
    [],
  );
  const { error, fail, act } = useAction(reload);
  useEffect(() => {
    document.title = 'Automations · Octavo';
    reload().catch(fail);
    api<{ results: DataSource[] }>('POST', '/search', {
      filter: { property: 'object', value: 'data_source' },
      page_size: 100,
    })
      .then((r) => setSources(r.results))
      .catch(() => undefined);
  }, [reload, fail]);
  return (
    <div className="platform">
      <h1>Automations</h1>
      <p className="muted">
        An automation reacts to what happens in a database, on a schedule, by hand or to a request to its URL,
        and acts as its own integration (<code>automation: NAME</code>): share the pages it should touch with
        that integration through a page's Connections.
      </p>
      {error && <p role="alert">{error}</p>}
      <NewAutomation sources={sources} onCreate={(def) => act(() => adminApi('POST', '/automations', def))} />
      <h2 id="automation-list" tabIndex={-1}>
        Automations of this workspace
      </h2>
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">No automations yet.</p>
      ) : (
        <ul className="card-list" aria-label="Automations">
          {items.map((a) => (
            <AutomationItem key={a.id} a={a} sources={sources} act={act} />
          ))}
        </ul>
      )}
    </div>
  );
}

function NewAutomation(props: { sources: DataSource[]; onCreate: (def: object) => Promise<boolean> }) {
  const id = {
    name: useId(),
    trigger: useId(),
    source: useId(),
    cron: useId(),
    zone: useId(),
    action: useId(),
    text: useId(),
    url: useId(),
    json: useId(),
  };
  const [name, setName] = useState('');
  const [trigger, setTrigger] = useState('page_created');
  const [source, setSource] = useState('');
  const [cron, setCron] = useState('0 9 * * 1');
  const [zone, setZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [action, setAction] = useState('add_comment');
  const [text, setText] = useState('');
  const [url, setUrl] = useState('');
  const [raw, setRaw] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const onPage = PAGE_TRIGGERS.includes(trigger);
  const chosenSource = props.sources.some((s) => s.id === source) ? source : (props.sources[0]?.id ?? '');
  const effectiveAction = onPage ? action : 'http_request';

  const build = (): object => {
    if (raw.trim() !== '') return JSON.parse(raw) as object;
    const t: Record<string, unknown> = { type: trigger };
    if (onPage) t.data_source_id = chosenSource;
    if (trigger === 'schedule') Object.assign(t, { cron, timezone: zone });
    const act =
      effectiveAction === 'add_comment'
        ? { type: 'add_comment', text }
        : { type: 'http_request', url, method: 'POST', body: { automation: '{{automation.name}}' } };
    return { name: name.trim(), trigger: t, actions: [act] };
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    let def: object;
    try {
      def = build();
    } catch {
      setProblem('The definition is not valid JSON.');
      return;
    }
    if (await props.onCreate(def)) {
      setName('');
      setText('');
      setUrl('');
      setRaw('');
    }
  };
  return (
    <form onSubmit={submit} className="platform-form" aria-label="New automation">
      <h2>New automation</h2>
      {problem && <p role="alert">{problem}</p>}
      <div className="field">
        <label htmlFor={id.name}>Name</label>
        <input id={id.name} value={name} required={raw === ''} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={id.trigger}>When</label>
        <select id={id.trigger} value={trigger} onChange={(e) => setTrigger(e.target.value)}>
          {TRIGGERS.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {onPage && (
        <div className="field">
          <label htmlFor={id.source}>Database</label>
          <select id={id.source} value={chosenSource} onChange={(e) => setSource(e.target.value)}>
            {props.sources.map((s) => (
              <option key={s.id} value={s.id}>
                {titleOf(s)}
              </option>
            ))}
          </select>
        </div>
      )}
      {trigger === 'schedule' && (
        <>
          <div className="field">
            <label htmlFor={id.cron}>Cron (minute hour day month weekday)</label>
            <input id={id.cron} value={cron} onChange={(e) => setCron(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={id.zone}>Time zone</label>
            <input id={id.zone} value={zone} onChange={(e) => setZone(e.target.value)} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={id.action}>Then</label>
        <select id={id.action} value={effectiveAction} onChange={(e) => setAction(e.target.value)}>
          {onPage && <option value="add_comment">Comment on the page</option>}
          <option value="http_request">Send an HTTP POST</option>
        </select>
      </div>
      {effectiveAction === 'add_comment' ? (
        <div className="field">
          <label htmlFor={id.text}>Comment</label>
          <input
            id={id.text}
            value={text}
            required={raw === ''}
            placeholder="New: {{trigger.page.properties.Name}}"
            onChange={(e) => setText(e.target.value)}
          />
        </div>
      ) : (
        <div className="field">
          <label htmlFor={id.url}>URL</label>
          <input
            id={id.url}
            type="url"
            value={url}
            required={raw === ''}
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
      )}
      <details>
        <summary>Or a whole definition in JSON</summary>
        <p className="muted">
          The format of <code>octavo automation create</code> (conditions, several actions, templates); used
          instead of the fields above when filled.
        </p>
        <label htmlFor={id.json}>Definition</label>
        <textarea id={id.json} rows={8} value={raw} onChange={(e) => setRaw(e.target.value)} />
      </details>
      <button type="submit">Create automation</button>
    </form>
  );
}

function AutomationItem(props: {
  a: Automation;
  sources: DataSource[];
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { a, act } = props;
  const inputId = useId();
  const needsPage = PAGE_TRIGGERS.includes(a.trigger.type);
  const [pageId, setPageId] = useState('');
  const [runsKey, setRunsKey] = useState(0);
  return (
    <li aria-label={a.name}>
      <div>
        <strong>{a.name}</strong>{' '}
        <span className={`badge ${a.enabled ? 'badge-active' : 'badge-paused'}`}>
          {a.enabled ? 'Enabled' : 'Disabled'}
        </span>
      </div>
      <div className="muted">
        {triggerText(a, props.sources)} → {a.definition.actions.map((x) => x.type).join(', ')} · as{' '}
        {a.integration}
        {a.next_run_time && <> · next run {when(a.next_run_time)}</>}
      </div>
      {a.hook_path && (
        <div className="muted wrap">
          URL: <code>{a.hook_path}</code>
        </div>
      )}
      <form
        className="inline-form"
        aria-label={`Run ${a.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          act(() =>
            adminApi(
              'POST',
              `/automations/${a.id}/run`,
              needsPage ? { input: { page_id: pageId.trim() } } : {},
            ),
          ).then(() => setRunsKey((k) => k + 1));
        }}
      >
        {needsPage && (
          <>
            <label htmlFor={inputId}>Page id to run on</label>{' '}
            <input id={inputId} value={pageId} required onChange={(e) => setPageId(e.target.value)} />{' '}
          </>
        )}
        <button type="submit" className="small">
          Run now
        </button>{' '}
        <button
          type="button"
          className="small"
          aria-label={`${a.enabled ? 'Disable' : 'Enable'} ${a.name}`}
          onClick={() =>
            act(() => adminApi('POST', `/automations/${a.id}/${a.enabled ? 'disable' : 'enable'}`))
          }
        >
          {a.enabled ? 'Disable' : 'Enable'}
        </button>{' '}
        <button
          type="button"
          className="small"
          aria-label={`Delete ${a.name}`}
          onClick={() => {
            if (confirm(`Delete the automation ${a.name}, its runs and its integration?`))
              // The item goes: keyboard focus moves to the list's heading, not to the page's start.
              act(() => adminApi('DELETE', `/automations/${a.id}`)).then(
                (done) => done && document.getElementById('automation-list')?.focus(),
              );
          }}
        >
          Delete
        </button>
      </form>
      <Runs automation={a} refresh={runsKey} />
    </li>
  );
}

/** The newest runs of an automation, read when opened (and after a run started here). */
function Runs({ automation, refresh }: { automation: Automation; refresh: number }) {
  const [open, setOpen] = useState(false);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(
    () =>
      adminApi<{ results: Run[] }>('GET', `/automations/${automation.id}/runs?limit=20`)
        .then((r) => setRuns(r.results))
        .catch((e: Error) => setNote(e.message)),
    [automation.id],
  );
  // A run started from the item opens the runs, so its outcome is seen at once.
  useEffect(() => {
    if (refresh === 0) return;
    setOpen(true);
    load();
  }, [refresh, load]);
  useEffect(() => {
    if (open) load();
  }, [open, load]);
  return (
    <details className="runs" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Runs</summary>
      <button type="button" className="small" onClick={load}>
        Refresh
      </button>
      {note && <p role="status">{note}</p>}
      {runs === null ? (
        <p className="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <ol className="run-list" aria-label={`Runs of ${automation.name}`}>
          {runs.map((r) => (
            <li key={r.id} aria-label={`Run of ${when(r.created_time)}: ${r.status}`}>
              <span className={`badge badge-run-${r.status}`}>{r.status}</span> {when(r.created_time)} ·{' '}
              {r.trigger.kind}
              {r.trigger.retry_of && ' (retry)'}
              {r.dry_run && ' (dry run)'}
              {r.duration_ms !== null && ` · ${r.duration_ms} ms`}
              {r.error && <div className="run-error">{r.error}</div>}
              {r.status === 'failed' && (
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    adminApi('POST', `/automation_runs/${r.id}/retry`)
                      .then(load)
                      .catch((e: Error) => setNote(e.message))
                  }
                >
                  Retry
                </button>
              )}
              {r.steps.length > 0 && (
                <ol className="steps" aria-label="Steps">
                  {r.steps.map((s, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: steps are a fixed record in order
                    <li key={i}>
                      <strong>{s.action}</strong> · {s.ms} ms
                      {s.error ? (
                        <span className="run-error">
                          {' '}
                          · {s.error.code}: {s.error.message}
                        </span>
                      ) : (
                        ' · done'
                      )}
                      <details>
                        <summary>Input and output</summary>
                        <p className="muted">Input</p>
                        <pre className="wrap">{json(s.input)}</pre>
                        {s.output !== undefined && (
                          <>
                            <p className="muted">Output</p>
                            <pre className="wrap">{json(s.output)}</pre>
                          </>
                        )}
                      </details>
                    </li>
                  ))}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}

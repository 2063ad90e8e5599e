/**
 * The request log and the test-double controls (`/app/requests`): the recent /v1 requests this
 * server answered (method, path, status, integration, time taken; bodies on demand), filtered by
 * integration and status; and, where the server was started with the controls on for the
 * browser (OCTAVO_APP_EMULATOR_CONTROLS), its snapshots (save, restore, delete), its clock
 * (freeze, advance, back to the system's) and fault rules (add, remove). Elsewhere the clock and
 * the rules in force are shown read-only. Through `/app/api` (web/emulator.routes.ts).
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { adminApi } from './api.ts';
import type { Integration } from './integrations.tsx';
import { when } from './webhooks.tsx';

interface Entry {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** The query string with its `?`, or empty. */
  query: string;
  status: number;
  latency_ms: number;
  integration: { id: string; name: string } | null;
  request_id: string | null;
  request_body: string | null;
  response_body: string | null;
  fault: string | null;
}

interface Fault {
  id: string;
  route?: string;
  method?: string;
  integration?: string;
  status?: number;
  latency_ms?: number;
  drop?: true;
  count?: number;
  retry_after?: number;
  fired: number;
}

interface EmulatorState {
  controls: boolean;
  clock: { time: string; frozen: boolean };
  faults: Fault[];
  snapshots: { name: string; created_time?: string }[];
}

const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

export function RequestsView() {
  const [emulator, setEmulator] = useState<EmulatorState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reloadEmulator = useCallback(
    () =>
      adminApi<EmulatorState>('GET', '/emulator')
        .then(setEmulator)
        .catch((e: Error) => setError(e.message)),
    [],
  );
  useEffect(() => {
    document.title = 'Request log · Octavo';
    reloadEmulator();
  }, [reloadEmulator]);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    }
    await reloadEmulator();
  };
  return (
    <div className="platform">
      <h1>Request log</h1>
      {error && <p role="alert">{error}</p>}
      <RequestLog />
      <h2>Test double</h2>
      {emulator === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p>
            Server clock: <strong data-testid="clock">{emulator.clock.time}</strong>{' '}
            {emulator.clock.frozen ? '(frozen)' : '(running)'}
          </p>
          {!emulator.controls && (
            <p className="muted">
              The test-double controls (snapshots, clock, faults) are off in the browser on this server: start
              it with <code>OCTAVO_APP_EMULATOR_CONTROLS=1</code>, or use <code>octavo snapshot</code>,{' '}
              <code>octavo clock</code> and <code>octavo fault</code> with the admin token.
            </p>
          )}
          {emulator.controls && <Controls state={emulator} act={act} />}
          <Faults state={emulator} act={act} />
        </>
      )}
    </div>
  );
}

function RequestLog() {
  const ids = { integration: useId(), status: useId() };
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const [integration, setIntegration] = useState('');
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<{ results: Entry[]; total: number; kept: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(async (filter: { integration: string; status: string }) => {
    const q = new URLSearchParams();
    if (filter.integration) q.set('integration', filter.integration);
    if (filter.status.trim()) q.set('status', filter.status.trim());
    setProblem(null);
    try {
      setRows(await adminApi('GET', `/requests?${q}`));
    } catch (e) {
      setProblem((e as Error).message);
    }
  }, []);
  useEffect(() => {
    load({ integration: '', status: '' });
    adminApi<{ results: Integration[] }>('GET', '/integrations')
      .then((r) => setIntegrations(r.results))
      .catch(() => undefined);
  }, [load]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load({ integration, status });
  };
  return (
    <section aria-label="Requests">
      <p className="muted">
        The last requests to <code>/v1</code> this server answered, newest first, kept in its memory (bodies
        cut, tokens hidden); the same as <code>octavo requests</code>.
      </p>
      <form className="inline-form filters" onSubmit={submit} aria-label="Filter requests">
        <label htmlFor={ids.integration}>Integration</label>{' '}
        <select id={ids.integration} value={integration} onChange={(e) => setIntegration(e.target.value)}>
          <option value="">Any</option>
          {integrations.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>{' '}
        <label htmlFor={ids.status}>Status</label>{' '}
        <input
          id={ids.status}
          value={status}
          size={5}
          placeholder="4xx"
          onChange={(e) => setStatus(e.target.value)}
        />{' '}
        <button type="submit" className="small">
          Filter
        </button>{' '}
        <button type="button" className="small" onClick={() => load({ integration, status })}>
          Refresh
        </button>
      </form>
      {problem && <p role="alert">{problem}</p>}
      {rows === null ? (
        <p className="muted">Loading…</p>
      ) : rows.results.length === 0 ? (
        <p className="muted">No request matches.</p>
      ) : (
        <>
          <p className="muted" role="status">
            {rows.total > rows.results.length
              ? `The newest ${rows.results.length} of ${rows.total}.`
              : `${rows.total} shown.`}
          </p>
          <div className="table-scroll">
            <table className="log-table">
              <caption className="visually-hidden">Requests, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Took</th>
                  <th scope="col">Integration</th>
                  <th scope="col">Time</th>
                </tr>
              </thead>
              <tbody>
                {rows.results.map((e) => (
                  <tr key={e.seq} data-testid="request">
                    <td>{e.seq}</td>
                    <td>
                      <code className="wrap">
                        {e.method} {e.path}
                        {e.query}
                      </code>
                      {(e.request_body || e.response_body) && (
                        <details>
                          <summary>Bodies</summary>
                          {e.fault && <p>Fault rule {e.fault}</p>}
                          {e.request_body && <pre className="wrap">{pretty(e.request_body)}</pre>}
                          {e.response_body && <pre className="wrap">{pretty(e.response_body)}</pre>}
                        </details>
                      )}
                    </td>
                    <td>{e.status === 599 ? '599 (dropped)' : e.status}</td>
                    <td>{e.latency_ms} ms</td>
                    <td>
                      {e.integration === null ? (
                        <span className="muted">none</span>
                      ) : e.integration.id === '' ? (
                        // A signed-in person's request (the browser app): no integration acted.
                        `${e.integration.name} (person)`
                      ) : (
                        e.integration.name
                      )}
                    </td>
                    <td>{when(e.time)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

type Act = (fn: () => Promise<unknown>) => Promise<void>;

function Controls({ state, act }: { state: EmulatorState; act: Act }) {
  const ids = { snap: useId(), advance: useId() };
  const [snap, setSnap] = useState('');
  const [advance, setAdvance] = useState('1h');
  return (
    <>
      <section aria-label="Snapshots">
        <h3>Snapshots</h3>
        {state.snapshots.length === 0 ? (
          <p className="muted">No snapshots.</p>
        ) : (
          <ul className="plain-list">
            {state.snapshots.map((s) => (
              <li key={s.name}>
                <code>{s.name}</code>{' '}
                <button
                  type="button"
                  className="small"
                  aria-label={`Restore snapshot ${s.name}`}
                  onClick={() => {
                    if (confirm(`Restore ${s.name}? The whole workspace goes back to it.`))
                      act(() =>
                        adminApi('POST', `/emulator/snapshots/${encodeURIComponent(s.name)}/restore`),
                      );
                  }}
                >
                  Restore
                </button>{' '}
                <button
                  type="button"
                  className="small"
                  aria-label={`Delete snapshot ${s.name}`}
                  onClick={() =>
                    act(() => adminApi('DELETE', `/emulator/snapshots/${encodeURIComponent(s.name)}`))
                  }
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="inline-form"
          aria-label="Save a snapshot"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => adminApi('POST', '/emulator/snapshots', { name: snap.trim() })).then(() => setSnap(''));
          }}
        >
          <label htmlFor={ids.snap}>Snapshot name</label>{' '}
          <input
            id={ids.snap}
            value={snap}
            required
            pattern="[a-z0-9_]{1,30}"
            title="1 to 30 lower-case letters, digits or underscores"
            onChange={(e) => setSnap(e.target.value)}
          />{' '}
          <button type="submit" className="small">
            Save snapshot
          </button>
        </form>
      </section>
      <section aria-label="Clock">
        <h3>Clock</h3>
        <form
          className="inline-form"
          aria-label="Advance the clock"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => adminApi('POST', '/emulator/clock', { advance: advance.trim() }));
          }}
        >
          <label htmlFor={ids.advance}>Advance by (90s, 2h, 3d)</label>{' '}
          <input id={ids.advance} value={advance} size={6} onChange={(e) => setAdvance(e.target.value)} />{' '}
          <button type="submit" className="small">
            Advance
          </button>
        </form>
        <button
          type="button"
          className="small"
          onClick={() => act(() => adminApi('POST', '/emulator/clock', { frozen: !state.clock.frozen }))}
        >
          {state.clock.frozen ? 'Let it run' : 'Freeze'}
        </button>{' '}
        <button
          type="button"
          className="small"
          onClick={() => act(() => adminApi('POST', '/emulator/clock', { release: true }))}
        >
          Back to the system clock
        </button>
      </section>
    </>
  );
}

const FAULT_STATUSES = [429, 500, 502, 503, 504, 529];

function Faults({ state, act }: { state: EmulatorState; act: Act }) {
  const ids = { route: useId(), method: useId(), status: useId(), count: useId() };
  const [route, setRoute] = useState('/v1/pages/*');
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState('503');
  const [count, setCount] = useState('1');
  const add = (e: FormEvent) => {
    e.preventDefault();
    const rule: Record<string, unknown> = { status: Number(status) };
    if (route.trim()) rule.route = route.trim();
    if (method) rule.method = method;
    if (count.trim()) rule.count = Number(count);
    if (status === '429') rule.retry_after = 1;
    act(() => adminApi('POST', '/emulator/faults', rule));
  };
  return (
    <section aria-label="Fault rules">
      <h3>Fault rules</h3>
      {state.faults.length === 0 ? (
        <p className="muted">No fault rules in force.</p>
      ) : (
        <ul className="plain-list" aria-label="Rules in force">
          {state.faults.map((f) => (
            <li key={f.id}>
              <code>
                {f.id}: {f.method ?? 'any'} {f.route ?? 'any route'} →{' '}
                {f.status ?? (f.drop ? 'drop' : `${f.latency_ms} ms late`)}
                {f.count !== undefined && `, ${f.count} time(s)`}
              </code>{' '}
              <span className="muted">fired {f.fired}</span>{' '}
              {state.controls && (
                <button
                  type="button"
                  className="small"
                  aria-label={`Remove fault rule ${f.id}`}
                  onClick={() => act(() => adminApi('DELETE', `/emulator/faults/${f.id}`))}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {state.controls && (
        <form className="inline-form" aria-label="Add a fault rule" onSubmit={add}>
          <label htmlFor={ids.route}>Route</label>{' '}
          <input id={ids.route} value={route} onChange={(e) => setRoute(e.target.value)} />{' '}
          <label htmlFor={ids.method}>Method</label>{' '}
          <select id={ids.method} value={method} onChange={(e) => setMethod(e.target.value)}>
            <option value="">Any</option>
            {['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>{' '}
          <label htmlFor={ids.status}>Answer</label>{' '}
          <select id={ids.status} value={status} onChange={(e) => setStatus(e.target.value)}>
            {FAULT_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>{' '}
          <label htmlFor={ids.count}>Times (empty: always)</label>{' '}
          <input
            id={ids.count}
            value={count}
            size={3}
            inputMode="numeric"
            onChange={(e) => setCount(e.target.value)}
          />{' '}
          <button type="submit" className="small">
            Add rule
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * Webhook subscriptions in the browser (`/app/webhooks`): the list with each subscription's state
 * (waiting for verification, active, paused and why), creating one for an integration (URL, event
 * types, API version), verifying it with the token its URL received, pausing, resuming and
 * deleting; per subscription the delivery log (attempts, status, response code, time taken,
 * error, the body sent) and the replay of a delivery. Through `/app/api` (web/webhooks.routes.ts),
 * the same operations as `octavo webhook …`.
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { adminApi } from './api.ts';
import type { Integration } from './integrations.tsx';
import { useAction } from './screens.tsx';

export interface Subscription {
  id: string;
  integration_id: string;
  integration_name: string | null;
  url: string;
  event_types: string[];
  api_version: string;
  status: 'pending_verification' | 'active' | 'paused';
  status_reason: string | null;
  consecutive_failures: number;
  created_time: string;
  verified_time: string | null;
}

export interface Delivery {
  id: string;
  kind: string;
  status: string;
  event_id: string | null;
  event_type: string | null;
  attempt_number: number | null;
  request_body: string | null;
  response_status: number | null;
  response_excerpt: string | null;
  latency_ms: number | null;
  error: string | null;
  created_time: string;
}

interface Listing {
  results: Subscription[];
  event_types: string[];
  api_versions: string[];
}

const STATUS_TEXT: Record<Subscription['status'], string> = {
  pending_verification: 'Waiting for verification',
  active: 'Active',
  paused: 'Paused',
};

/** A time as a short local date and time. */
export const when = (iso: string) => new Date(iso).toLocaleString();

export function WebhooksView() {
  const [list, setList] = useState<Listing | null>(null);
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const reload = useCallback(async () => {
    const [subs, ints] = await Promise.all([
      adminApi<Listing>('GET', '/webhooks'),
      adminApi<{ results: Integration[] }>('GET', '/integrations'),
    ]);
    setList(subs);
    setIntegrations(ints.results.filter((i) => !i.revoked_time));
  }, []);
  const { error, fail, act } = useAction(reload);
  useEffect(() => {
    document.title = 'Webhooks · Octavo';
    reload().catch(fail);
  }, [reload, fail]);

  return (
    <div className="platform">
      <h1>Webhooks</h1>
      <p className="muted">
        A subscription sends an integration's change events to a URL, signed with its verification token. A
        new subscription first receives a verification request; paste the <code>verification_token</code> it
        received to activate it. Deliveries are sent by the server's job process.
      </p>
      {error && <p role="alert">{error}</p>}
      {list && (
        <NewSubscription
          integrations={integrations}
          eventTypes={list.event_types}
          apiVersions={list.api_versions}
          onCreate={(body) => act(() => adminApi('POST', '/webhooks', body))}
        />
      )}
      <h2 id="subscriptions" tabIndex={-1}>
        Subscriptions
      </h2>
      {list === null ? (
        <p className="muted">Loading…</p>
      ) : list.results.length === 0 ? (
        <p className="muted">No subscriptions yet.</p>
      ) : (
        <ul className="card-list" aria-label="Subscriptions">
          {list.results.map((s) => (
            <SubscriptionItem key={s.id} sub={s} eventTypes={list.event_types} act={act} />
          ))}
        </ul>
      )}
    </div>
  );
}

function NewSubscription(props: {
  integrations: Integration[];
  eventTypes: string[];
  apiVersions: string[];
  onCreate: (body: object) => Promise<boolean>;
}) {
  const ids = { integration: useId(), url: useId(), version: useId() };
  const [integration, setIntegration] = useState('');
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<Set<string>>(new Set());
  const [version, setVersion] = useState('2025-09-03');
  const chosen = props.integrations.some((i) => i.id === integration)
    ? integration
    : (props.integrations[0]?.id ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = await props.onCreate({
      integration_id: chosen,
      url: url.trim(),
      event_types: [...types],
      api_version: version,
    });
    // A refused subscription keeps its fields, to be corrected.
    if (!made) return;
    setUrl('');
    setTypes(new Set());
  };
  if (props.integrations.length === 0)
    return <p className="muted">Create an integration first: a subscription belongs to one.</p>;
  return (
    <form onSubmit={submit} className="platform-form" aria-label="New subscription">
      <h2>New subscription</h2>
      <div className="field">
        <label htmlFor={ids.integration}>Integration</label>
        <select id={ids.integration} value={chosen} onChange={(e) => setIntegration(e.target.value)}>
          {props.integrations.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.url}>URL</label>
        <input
          id={ids.url}
          type="url"
          required
          placeholder="https://example.com/notion-webhook"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.version}>API version of the payloads</label>
        <select id={ids.version} value={version} onChange={(e) => setVersion(e.target.value)}>
          {props.apiVersions.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </div>
      <fieldset className="event-types">
        <legend>Event types (none chosen: all)</legend>
        {props.eventTypes.map((t) => (
          <label key={t} className="check">
            <input
              type="checkbox"
              checked={types.has(t)}
              onChange={(e) => {
                const next = new Set(types);
                if (e.target.checked) next.add(t);
                else next.delete(t);
                setTypes(next);
              }}
            />{' '}
            {t}
          </label>
        ))}
      </fieldset>
      <button type="submit">Create subscription</button>
    </form>
  );
}

function SubscriptionItem({
  sub,
  eventTypes,
  act,
}: {
  sub: Subscription;
  eventTypes: string[];
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const tokenId = useId();
  const [token, setToken] = useState('');
  const label = `${sub.url} (${sub.integration_name ?? sub.integration_id})`;
  return (
    <li aria-label={label}>
      <div>
        <strong className="wrap">{sub.url}</strong>{' '}
        <span className={`badge badge-${sub.status}`}>{STATUS_TEXT[sub.status]}</span>
      </div>
      <div className="muted">
        {sub.integration_name ?? sub.integration_id} · API {sub.api_version} ·{' '}
        {sub.event_types.length === 0 ? 'all event types' : sub.event_types.join(', ')}
      </div>
      {sub.status_reason && <div className="muted">Reason: {sub.status_reason}</div>}
      {sub.status === 'pending_verification' && (
        <form
          className="inline-form"
          aria-label={`Verify ${sub.url}`}
          onSubmit={(e) => {
            e.preventDefault();
            act(() => adminApi('POST', `/webhooks/${sub.id}/verify`, { verification_token: token }));
          }}
        >
          <label htmlFor={tokenId}>Verification token</label>{' '}
          <input
            id={tokenId}
            value={token}
            required
            autoComplete="off"
            placeholder="secret_…"
            onChange={(e) => setToken(e.target.value)}
          />{' '}
          <button type="submit" className="small">
            Verify
          </button>
        </form>
      )}
      <div className="actions">
        {sub.status === 'active' && (
          <button
            type="button"
            className="small"
            aria-label={`Pause ${sub.url}`}
            onClick={() => act(() => adminApi('POST', `/webhooks/${sub.id}/pause`, {}))}
          >
            Pause
          </button>
        )}
        {sub.status === 'paused' && (
          <button
            type="button"
            className="small"
            aria-label={`Resume ${sub.url}`}
            onClick={() => act(() => adminApi('POST', `/webhooks/${sub.id}/resume`, {}))}
          >
            Resume
          </button>
        )}{' '}
        <button
          type="button"
          className="small"
          aria-label={`Delete ${sub.url}`}
          onClick={() => {
            if (confirm(`Delete the subscription to ${sub.url} and its delivery log?`))
              // The item goes: keyboard focus moves to the list's heading, not to the page's start.
              act(() => adminApi('DELETE', `/webhooks/${sub.id}`)).then(
                (done) => done && document.getElementById('subscriptions')?.focus(),
              );
          }}
        >
          Delete
        </button>
      </div>
      <EventTypesEditor sub={sub} eventTypes={eventTypes} act={act} />
      <DeliveryLog sub={sub} />
    </li>
  );
}

/** The delivery log of one subscription, newest first, read when opened; replay per row. */
function DeliveryLog({ sub }: { sub: Subscription }) {
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(
    () =>
      adminApi<{ results: Delivery[] }>('GET', `/webhooks/${sub.id}/deliveries?limit=50`)
        .then((r) => setRows(r.results))
        .catch((e: Error) => setNote(e.message)),
    [sub.id],
  );
  useEffect(() => {
    if (open) load();
  }, [open, load]);
  return (
    <details className="delivery-log" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Delivery log</summary>
      <button type="button" className="small" onClick={load}>
        Refresh
      </button>
      {note && <p role="status">{note}</p>}
      {rows === null ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted">Nothing delivered yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="log-table">
            <caption className="visually-hidden">Deliveries to {sub.url}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">What</th>
                <th scope="col">Attempt</th>
                <th scope="col">Status</th>
                <th scope="col">Response</th>
                <th scope="col">Took</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id} data-testid="delivery">
                  <td>{when(d.created_time)}</td>
                  <td>
                    {d.event_type ?? d.kind}
                    {d.kind === 'replay' && <span className="muted"> (replay)</span>}
                    {(d.request_body || d.error || d.response_excerpt) && (
                      <details>
                        <summary>details</summary>
                        {d.error && <p>Error: {d.error}</p>}
                        {d.request_body && <pre className="wrap">{d.request_body}</pre>}
                        {d.response_excerpt && <pre className="wrap">{d.response_excerpt}</pre>}
                      </details>
                    )}
                  </td>
                  <td>{d.attempt_number ?? '—'}</td>
                  <td>{d.status}</td>
                  <td>{d.response_status ?? '—'}</td>
                  <td>{d.latency_ms === null ? '—' : `${d.latency_ms} ms`}</td>
                  <td>
                    {d.status !== 'queued' && (
                      <button
                        type="button"
                        className="small"
                        aria-label={`Replay ${d.event_type ?? d.kind} of ${when(d.created_time)}`}
                        onClick={() =>
                          adminApi('POST', `/webhook_deliveries/${d.id}/replay`)
                            .then(() => {
                              setNote('Replay queued: it is sent by the job process.');
                              return load();
                            })
                            .catch((e: Error) => setNote(e.message))
                        }
                      >
                        Replay
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/** Changes the event types a subscription is told about (the URL cannot change, as in Notion). */
function EventTypesEditor(props: {
  sub: Subscription;
  eventTypes: string[];
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { sub } = props;
  const [types, setTypes] = useState<Set<string>>(() => new Set(sub.event_types));
  return (
    <details className="event-types-editor">
      <summary>Change event types</summary>
      <form
        aria-label={`Event types of ${sub.url}`}
        onSubmit={(e) => {
          e.preventDefault();
          props.act(() => adminApi('PATCH', `/webhooks/${sub.id}`, { event_types: [...types] }));
        }}
      >
        <fieldset className="event-types">
          <legend>Event types (none chosen: all)</legend>
          {props.eventTypes.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox"
                checked={types.has(t)}
                onChange={(e) => {
                  const next = new Set(types);
                  if (e.target.checked) next.add(t);
                  else next.delete(t);
                  setTypes(next);
                }}
              />{' '}
              {t}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="small">
          Save event types
        </button>
      </form>
    </details>
  );
}

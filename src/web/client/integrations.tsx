/**
 * Internal integrations in the browser (`/app/integrations`): the list, with what each can
 * reach; creating one with chosen capabilities (its token shown once, with a copy button);
 * renaming it, changing its capabilities (in force for its token at once), rotating and revoking
 * its token, deleting it (confirmed) — for workspace admins;
 * a member sees the list only. And a page's
 * Connections: the integrations it is shared with, sharing and unsharing (any person). Through
 * `/app/api` (web/integrations.routes.ts), as the signed-in person.
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { adminApi, serverPath } from './api.ts';
import { appHref, navigate } from './router.ts';
import { isAdmin, ShownOnce, useAction } from './screens.tsx';

/** Notion's capabilities of an internal integration, as the server knows them. */
const CAPABILITIES: { id: string; label: string }[] = [
  { id: 'read_content', label: 'Read content' },
  { id: 'update_content', label: 'Update content' },
  { id: 'insert_content', label: 'Insert content' },
  { id: 'read_comments', label: 'Read comments' },
  { id: 'insert_comments', label: 'Insert comments' },
  { id: 'read_users', label: 'Read user information' },
  { id: 'read_user_emails', label: 'Read user email addresses' },
];

export interface Integration {
  id: string;
  name: string;
  capabilities: string[];
  created_time: string;
  revoked_time: string | null;
  shared: { id: string; type: 'page' | 'database'; title: string }[];
  token?: string;
}

const listIntegrations = async () =>
  (await adminApi<{ results: Integration[] }>('GET', '/integrations')).results;

/** The Integrations screen. */
export function IntegrationsView() {
  const nameId = useId();
  const [items, setItems] = useState<Integration[] | null>(null);
  const [fresh, setFresh] = useState<Integration | null>(null);
  // The integration being renamed (its id) and the name typed so far.
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  // The integration whose capabilities are being changed (its id) and the set chosen so far.
  const [editing, setEditing] = useState<{ id: string; caps: Set<string> } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [caps, setCaps] = useState<Set<string>>(
    new Set(['read_content', 'update_content', 'insert_content']),
  );
  const reload = useCallback(() => listIntegrations().then(setItems), []);
  const { error, act: run, fail } = useAction(reload);
  const admin = isAdmin();
  useEffect(() => {
    document.title = 'Integrations · Octavo';
    reload().catch(fail);
  }, [reload, fail]);

  /** Runs a change; `showToken`: the integration answered carries its new token, shown once. */
  const act = (fn: () => Promise<Integration>, showToken: boolean) => {
    setDone(null);
    return run(async () => {
      const made = await fn();
      if (showToken) setFresh(made);
    });
  };
  const rename = async (e: FormEvent, i: Integration) => {
    e.preventDefault();
    if (!renaming) return;
    const name = renaming.name;
    if (name.trim() === i.name) return setRenaming(null);
    if (await act(() => adminApi<Integration>('PATCH', `/integrations/${i.id}`, { name }), false)) {
      setRenaming(null);
      setDone(`${i.name} is now called ${name.trim()}.`);
    }
  };
  const saveCapabilities = async (e: FormEvent, i: Integration) => {
    e.preventDefault();
    if (!editing) return;
    const capabilities = CAPABILITIES.map((c) => c.id).filter((id) => editing.caps.has(id));
    const patch = () => adminApi<Integration>('PATCH', `/integrations/${i.id}`, { capabilities });
    if (await act(patch, false)) {
      setEditing(null);
      setDone(`The capabilities of ${i.name} were changed.`);
    }
  };
  const remove = async (i: Integration) => {
    const question =
      `Delete ${i.name}? Its token stops working at once, it loses access to every page shared ` +
      'with it, and its webhook subscriptions and automations are deleted with it. This cannot be undone.';
    if (!confirm(question)) return;
    if (fresh?.id === i.id) setFresh(null);
    if (await act(() => adminApi<Integration>('DELETE', `/integrations/${i.id}`), false))
      setDone(`${i.name} was deleted.`);
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (
      await act(() => adminApi<Integration>('POST', '/integrations', { name, capabilities: [...caps] }), true)
    )
      setName('');
  };

  return (
    <div className="integrations">
      <h1>Integrations</h1>
      <p className="muted">
        Internal integrations reach this workspace through the API with their token, and see only the pages
        shared with them (a page's Connections).
      </p>
      {error && <p role="alert">{error}</p>}
      {done && <p role="status">{done}</p>}
      {!admin && (
        <p role="note">
          Only a workspace admin can create integrations, rename or delete them, change their capabilities, or
          rotate and revoke their tokens.
        </p>
      )}
      {fresh && (
        <ShownOnce
          label="New token"
          noun="token"
          testId="token"
          value={fresh.token ?? ''}
          onDone={() => setFresh(null)}
        >
          The token of <strong>{fresh.name}</strong>. It is shown only now: copy it and keep it safe.
        </ShownOnce>
      )}
      {admin && (
        <form onSubmit={create} className="new-integration" aria-label="New integration">
          <h2>New integration</h2>
          <label htmlFor={nameId}>Name</label>{' '}
          <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} required />
          <CapabilityChoice legend="Capabilities" chosen={caps} onChange={setCaps} />
          <button type="submit">Create integration</button>
        </form>
      )}
      <h2>Integrations of this workspace</h2>
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">No integrations yet.</p>
      ) : (
        <ul className="integration-list" aria-label="Integrations">
          {items.map((i) => (
            <li key={i.id} aria-label={i.name}>
              <strong>{i.name}</strong> {i.revoked_time && <span className="muted">(revoked)</span>}
              <div className="muted">{i.capabilities.join(', ') || 'no capabilities'}</div>
              <div>
                Can reach:{' '}
                {i.shared.length === 0
                  ? 'nothing shared yet'
                  : i.shared.map((s, n) => (
                      <span key={s.id}>
                        {n > 0 && ', '}
                        <a
                          href={serverPath(s.type === 'page' ? `/app/p/${s.id}` : `/p/${s.id}`)}
                          onClick={(e) => {
                            if (s.type !== 'page') return;
                            e.preventDefault();
                            navigate(`/app/p/${s.id}`);
                          }}
                        >
                          {s.title || 'Untitled'}
                        </a>
                      </span>
                    ))}
              </div>
              {admin && renaming?.id === i.id && (
                <form className="rename-integration" onSubmit={(e) => rename(e, i)}>
                  <input
                    aria-label={`New name of ${i.name}`}
                    value={renaming.name}
                    onChange={(e) => setRenaming({ id: i.id, name: e.target.value })}
                    onKeyDown={(e) => {
                      if (e.key === 'Escape') setRenaming(null);
                    }}
                    required
                    // biome-ignore lint/a11y/noAutofocus: the field the person just asked for
                    autoFocus
                  />{' '}
                  <button type="submit" className="small">
                    Save name
                  </button>{' '}
                  <button type="button" className="small" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              )}
              {admin && editing?.id === i.id && (
                <form
                  className="integration-capabilities"
                  aria-label={`Capabilities of ${i.name}`}
                  onSubmit={(e) => saveCapabilities(e, i)}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') setEditing(null);
                  }}
                >
                  <CapabilityChoice
                    legend={`Capabilities of ${i.name}`}
                    chosen={editing.caps}
                    onChange={(next) => setEditing({ id: i.id, caps: next })}
                    autoFocus
                  />
                  <button type="submit" className="small">
                    Save capabilities
                  </button>{' '}
                  <button type="button" className="small" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </form>
              )}
              {admin && (
                <>
                  {editing?.id !== i.id && (
                    <>
                      <button
                        type="button"
                        className="small"
                        aria-label={`Change the capabilities of ${i.name}`}
                        onClick={() => setEditing({ id: i.id, caps: new Set(i.capabilities) })}
                      >
                        Capabilities
                      </button>{' '}
                    </>
                  )}
                  {renaming?.id !== i.id && (
                    <>
                      <button
                        type="button"
                        className="small"
                        aria-label={`Rename ${i.name}`}
                        onClick={() => setRenaming({ id: i.id, name: i.name })}
                      >
                        Rename
                      </button>{' '}
                    </>
                  )}
                  <button
                    type="button"
                    className="small"
                    aria-label={`Rotate the token of ${i.name}`}
                    onClick={() =>
                      act(() => adminApi<Integration>('POST', `/integrations/${i.id}/rotate`), true)
                    }
                  >
                    {i.revoked_time ? 'New token' : 'Rotate token'}
                  </button>{' '}
                  {!i.revoked_time && (
                    <button
                      type="button"
                      className="small"
                      aria-label={`Revoke the token of ${i.name}`}
                      onClick={() => {
                        if (confirm(`Revoke the token of ${i.name}? It stops working at once.`))
                          act(() => adminApi<Integration>('POST', `/integrations/${i.id}/revoke`), false);
                      }}
                    >
                      Revoke
                    </button>
                  )}{' '}
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Delete ${i.name}`}
                    onClick={() => remove(i)}
                  >
                    Delete
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The capabilities as checkboxes in a fieldset; `autoFocus`: the first box takes the focus. */
function CapabilityChoice(props: {
  legend: string;
  chosen: Set<string>;
  onChange: (next: Set<string>) => void;
  autoFocus?: boolean;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {CAPABILITIES.map((c, n) => (
        <label key={c.id} className="capability">
          <input
            type="checkbox"
            checked={props.chosen.has(c.id)}
            onChange={(e) => {
              const next = new Set(props.chosen);
              if (e.target.checked) next.add(c.id);
              else next.delete(c.id);
              props.onChange(next);
            }}
            // biome-ignore lint/a11y/noAutofocus: the choice the person just asked to change
            autoFocus={props.autoFocus === true && n === 0}
          />{' '}
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A page's Connections: the integrations it is shared with; share with another, or stop sharing. */
export function Connections({ pageId }: { pageId: string }) {
  const selectId = useId();
  const [open, setOpen] = useState(false);
  const [connected, setConnected] = useState<Integration[] | null>(null);
  const [all, setAll] = useState<Integration[]>([]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const [mine, every] = await Promise.all([
      adminApi<{ results: Integration[] }>('GET', `/pages/${pageId}/connections`),
      listIntegrations(),
    ]);
    setConnected(mine.results);
    setAll(every.filter((i) => !i.revoked_time));
  }, [pageId]);
  useEffect(() => {
    if (open) reload().catch((e: Error) => setError(e.message));
  }, [open, reload]);
  const run = (fn: () => Promise<unknown>) => {
    setError(null);
    fn()
      .then(reload)
      .catch((e: Error) => setError(e.message));
  };
  const others = all.filter((i) => !connected?.some((c) => c.id === i.id));
  const chosen = others.some((i) => i.id === choice) ? choice : (others[0]?.id ?? '');
  return (
    <details className="connections" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Connections</summary>
      {error && <p role="alert">{error}</p>}
      {connected === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          {connected.length === 0 ? (
            <p className="muted">Not shared with any integration.</p>
          ) : (
            <ul aria-label="Connected integrations">
              {connected.map((i) => (
                <li key={i.id}>
                  {i.name}{' '}
                  <button
                    type="button"
                    className="small"
                    aria-label={`Disconnect ${i.name}`}
                    onClick={() => run(() => adminApi('DELETE', `/pages/${pageId}/connections/${i.id}`))}
                  >
                    Disconnect
                  </button>
                </li>
              ))}
            </ul>
          )}
          {others.length > 0 ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                run(() => adminApi('POST', `/pages/${pageId}/connections`, { integration_id: chosen }));
              }}
            >
              <label htmlFor={selectId}>Connect an integration</label>{' '}
              <select id={selectId} value={chosen} onChange={(e) => setChoice(e.target.value)}>
                {others.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>{' '}
              <button type="submit" className="small">
                Connect
              </button>
            </form>
          ) : (
            <p className="muted">
              <a
                href={appHref('/app/integrations')}
                onClick={(e) => {
                  e.preventDefault();
                  navigate('/app/integrations');
                }}
              >
                Manage integrations
              </a>
            </p>
          )}
        </>
      )}
    </details>
  );
}

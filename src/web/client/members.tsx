/**
 * The workspace's people and invitation links (`/app/members`), for admins: the members with
 * their role; a form that makes an invitation link for an email address (member or admin, how many
 * days it stays open) and shows it once with a copy button; the invitations with their state and
 * a Revoke button while open. Through `/app/api/members` and `/app/api/invitations`
 * (web/invitations.routes.ts); a person who is not an admin is told so.
 */
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { adminApi } from './api.ts';
import { ShownOnce, useAction } from './screens.tsx';

interface Member {
  id: string;
  name: string;
  email: string | null;
  role: 'admin' | 'member';
  can_sign_in: boolean;
}

interface Invitation {
  id: string;
  email: string;
  role: 'admin' | 'member';
  status: 'open' | 'used' | 'revoked' | 'expired';
  created_time: string;
  expires_time: string;
  url?: string;
}

const day = (iso: string) => new Date(iso).toLocaleDateString();

export function MembersView() {
  const emailId = useId();
  const roleId = useId();
  const daysId = useId();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [fresh, setFresh] = useState<Invitation | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [days, setDays] = useState(7);

  const reload = useCallback(async () => {
    const [m, i] = await Promise.all([
      adminApi<{ results: Member[] }>('GET', '/members'),
      adminApi<{ results: Invitation[] }>('GET', '/invitations'),
    ]);
    setMembers(m.results);
    setInvitations(i.results);
  }, []);
  const { error, refused, fail, act } = useAction(reload);
  useEffect(() => {
    document.title = 'Members · Octavo';
    reload().catch(fail);
  }, [reload, fail]);

  const invite = async (e: FormEvent) => {
    e.preventDefault();
    const made = await act(async () =>
      setFresh(await adminApi<Invitation>('POST', '/invitations', { email, role, days })),
    );
    if (made) setEmail('');
  };
  const revoke = (i: Invitation) => {
    if (confirm(`Revoke the invitation for ${i.email}? Its link stops working.`))
      act(() => adminApi<Invitation>('POST', `/invitations/${i.id}/revoke`));
  };

  if (refused)
    return (
      <div className="members">
        <h1>Members</h1>
        <p role="alert">Only a workspace admin can see the members and invite people.</p>
      </div>
    );
  return (
    <div className="members">
      <h1>Members</h1>
      {error && <p role="alert">{error}</p>}
      {fresh && (
        <ShownOnce
          label="New invitation link"
          noun="link"
          testId="invitation-link"
          value={fresh.url ?? ''}
          onDone={() => setFresh(null)}
        >
          The invitation link for <strong>{fresh.email}</strong>, valid until {day(fresh.expires_time)}. It is
          shown only now and works once: send it to them.
        </ShownOnce>
      )}
      <form onSubmit={invite} className="new-integration" aria-label="Invite someone">
        <h2>Invite someone</h2>
        <label htmlFor={emailId}>Email</label>{' '}
        <input id={emailId} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />{' '}
        <label htmlFor={roleId}>Role</label>{' '}
        <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as 'member' | 'admin')}>
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>{' '}
        <label htmlFor={daysId}>Days valid</label>{' '}
        <input
          id={daysId}
          type="number"
          min={1}
          max={90}
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
          required
        />{' '}
        <button type="submit">Create invitation link</button>
      </form>
      <h2>People</h2>
      {members === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="integration-list" aria-label="Members">
          {members.map((m) => (
            <li key={m.id} aria-label={m.name}>
              <strong>{m.name}</strong> <span className="muted">{m.email}</span> · {m.role}
              {!m.can_sign_in && <span className="muted"> (no password)</span>}
            </li>
          ))}
        </ul>
      )}
      <h2>Invitations</h2>
      {invitations.length === 0 ? (
        <p className="muted">No invitations yet.</p>
      ) : (
        <ul className="integration-list" aria-label="Invitations">
          {invitations.map((i) => (
            <li key={i.id} aria-label={`Invitation for ${i.email}`}>
              <strong>{i.email}</strong> · {i.role} · {i.status}
              {i.status === 'open' && <span className="muted"> until {day(i.expires_time)}</span>}{' '}
              {i.status === 'open' && (
                <button
                  type="button"
                  className="small"
                  aria-label={`Revoke the invitation for ${i.email}`}
                  onClick={() => revoke(i)}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

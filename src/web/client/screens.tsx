/**
 * What the workspace screens (integrations, members, webhooks, automations, the request log)
 * share: `useAction` (run a change, read the screen again, show what went wrong), `ShownOnce`
 * (a secret shown once with a copy button), and `AdminOnly` (what a person who is not a
 * workspace admin sees instead of a screen only admins may use; the server refuses them anyway).
 */
import { type ReactNode, useCallback, useRef, useState } from 'react';
import { ApiFailure, session } from './api.ts';

/** Whether the signed-in person is a workspace admin (the shell's `octavo-role`). */
export const isAdmin = () => session.role === 'admin';

/**
 * A screen's changes: `act(fn)` clears the message, runs `fn`, reads the screen again with
 * `reload`, and answers true; when either fails, the failure's message is `error` and the answer
 * false. `refused` is set when the server answered 403 (not an admin).
 */
export function useAction(reload: () => Promise<unknown>) {
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);
  const fail = useCallback((e: unknown) => {
    if (e instanceof ApiFailure && e.status === 403) setRefused(true);
    setError((e as Error).message);
  }, []);
  const act = useCallback(
    async (fn: () => Promise<unknown>): Promise<boolean> => {
      setError(null);
      try {
        await fn();
        await reload();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    [reload, fail],
  );
  return { error, setError, refused, fail, act };
}

/** A secret just made (a token, an invitation link): shown only now, with a copy button. */
export function ShownOnce(props: {
  /** The section's accessible name, e.g. "New token". */
  label: string;
  /** What to say above the secret. */
  children: ReactNode;
  value: string;
  /** What the secret is called in the buttons and messages, e.g. "token", "link". */
  noun: string;
  testId: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const code = useRef<HTMLElement>(null);
  return (
    <section className="token-once" aria-label={props.label}>
      <p>{props.children}</p>
      <code data-testid={props.testId} ref={code}>
        {props.value}
      </code>{' '}
      <button
        type="button"
        className="small"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(props.value);
            setCopied('yes');
          } catch {
            // No clipboard (a plain-http origin, or refused): select the secret to copy by hand.
            if (code.current) getSelection()?.selectAllChildren(code.current);
            setCopied('failed');
          }
        }}
      >
        {copied === 'yes' ? 'Copied' : `Copy ${props.noun}`}
      </button>{' '}
      {copied === 'failed' && (
        <span role="status">The browser refused to copy: the {props.noun} is selected, copy it by hand.</span>
      )}{' '}
      <button type="button" className="small" onClick={props.onDone}>
        Done
      </button>
    </section>
  );
}

/** In place of a screen only workspace admins may use. */
export function AdminOnly({ title, what }: { title: string; what: string }) {
  return (
    <div className="platform">
      <h1>{title}</h1>
      <p role="alert">Only a workspace admin can {what}. Ask an admin of this workspace.</p>
    </div>
  );
}

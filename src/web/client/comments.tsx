/**
 * A page's comments in the browser, through Notion's comments API as the signed-in person
 * (`GET /v1/comments?block_id=`, `POST /v1/comments`): the page's open discussions with their
 * comments oldest first (author, time, text, attachments), a reply in a discussion, and a new
 * discussion, either with a file attached (uploaded first, uploads.tsx). Comments added
 * meanwhile by others (an integration through the API, another browser) appear without a reload:
 * the list is read again every COMMENTS_POLL_MS while the tab is visible, the sidebar's and the
 * editor's mechanism (tree.tsx, editor.tsx), and re-rendered only when it changed.
 */
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { api } from './api.ts';
import { uploadFile } from './uploads.tsx';

interface Comment {
  id: string;
  discussion_id: string;
  created_time: string;
  created_by: { id: string };
  display_name?: { type: string; resolved_name: string | null };
  rich_text: { plain_text: string; href?: string | null }[];
  attachments?: { category: string; file: { url: string } }[];
}

/** Every open comment on the page, oldest discussion first. */
async function loadComments(pageId: string): Promise<Comment[]> {
  const out: Comment[] = [];
  let cursor: string | null = null;
  do {
    const page: { results: Comment[]; has_more: boolean; next_cursor: string | null } = await api(
      'GET',
      `/comments?block_id=${pageId}&page_size=100${cursor ? `&start_cursor=${cursor}` : ''}`,
    );
    out.push(...page.results);
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor && out.length < 2000);
  return out;
}

/** How often an open page reads its comments again (only while the tab is visible). */
export const COMMENTS_POLL_MS = 3000;

/** What a list shows, to tell whether a poll read anything new. */
const fingerprint = (list: Comment[]) =>
  list.map((c) => `${c.id}:${c.discussion_id}:${JSON.stringify(c.rich_text)}`).join('|');

const text = (c: Comment) => c.rich_text.map((t) => t.plain_text).join('');
const fileName = (url: string) =>
  decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() ?? 'file');

export function Comments({ pageId, editable }: { pageId: string; editable: boolean }) {
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = useRef<string | null>(null);
  const show = useCallback((list: Comment[]) => {
    const seen = fingerprint(list);
    if (seen === shown.current) return;
    shown.current = seen;
    setComments(list);
  }, []);
  const reload = useCallback(
    () =>
      loadComments(pageId)
        .then(show)
        .catch((e: Error) => setError(e.message)),
    [pageId, show],
  );
  useEffect(() => {
    shown.current = null;
    reload();
    let polling = false;
    const timer = setInterval(() => {
      if (polling || document.visibilityState !== 'visible') return;
      polling = true;
      // A failed poll (the network, the page trashed meanwhile) is retried at the next tick.
      loadComments(pageId)
        .then(show, () => {})
        .finally(() => {
          polling = false;
        });
    }, COMMENTS_POLL_MS);
    return () => clearInterval(timer);
  }, [reload, pageId, show]);
  const discussions = new Map<string, Comment[]>();
  for (const c of comments ?? [])
    discussions.set(c.discussion_id, [...(discussions.get(c.discussion_id) ?? []), c]);
  const post = async (body: object) => {
    setError(null);
    try {
      await api('POST', '/comments', body);
      await reload();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };
  return (
    <section className="comments" aria-labelledby={`${pageId}-comments`}>
      <h2 id={`${pageId}-comments`}>Comments</h2>
      {error && <p role="alert">{error}</p>}
      {comments === null ? (
        <p className="muted">Loading…</p>
      ) : discussions.size === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ul className="discussions" aria-label="Discussions">
          {[...discussions].map(([id, thread]) => (
            <li key={id} className="discussion" aria-label={`Discussion: ${text(thread[0]!).slice(0, 60)}`}>
              <ol className="thread">
                {thread.map((c) => (
                  <li key={c.id} className="comment">
                    <div className="comment-head">
                      <strong>{c.display_name?.resolved_name ?? 'Someone'}</strong>{' '}
                      <time className="muted" dateTime={c.created_time}>
                        {new Date(c.created_time).toLocaleString()}
                      </time>
                    </div>
                    <p className="comment-text">{text(c)}</p>
                    {(c.attachments ?? []).map((a) =>
                      a.category === 'image' ? (
                        <img
                          key={a.file.url}
                          className="attachment"
                          src={a.file.url}
                          alt={fileName(a.file.url)}
                        />
                      ) : (
                        <a key={a.file.url} href={a.file.url}>
                          {fileName(a.file.url)}
                        </a>
                      ),
                    )}
                  </li>
                ))}
              </ol>
              {editable && (
                <CommentForm label="Reply" onSend={(body) => post({ discussion_id: id, ...body })} />
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <CommentForm
          label="Add a comment"
          attach
          onSend={(body) => post({ parent: { page_id: pageId }, ...body })}
        />
      )}
    </section>
  );
}

function CommentForm(props: { label: string; attach?: boolean; onSend: (body: object) => Promise<boolean> }) {
  const ids = { text: useId(), file: useId() };
  const [value, setValue] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (value.trim() === '') return;
    const form = e.currentTarget;
    setBusy(true);
    try {
      const attachments = file ? [{ file_upload_id: await uploadFile(file) }] : [];
      const sent = await props.onSend({
        rich_text: [{ type: 'text', text: { content: value } }],
        ...(attachments.length > 0 ? { attachments } : {}),
      });
      if (sent) {
        setValue('');
        setFile(null);
        form.reset();
      }
    } catch (err) {
      alert((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-form" onSubmit={submit} aria-label={props.label}>
      <label htmlFor={ids.text} className="visually-hidden">
        {props.label}
      </label>
      <textarea
        id={ids.text}
        rows={2}
        placeholder={`${props.label}…`}
        value={value}
        required
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter sends, as in most comment boxes.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
        }}
      />
      <div className="comment-actions">
        {props.attach && (
          <>
            <label htmlFor={ids.file}>Attach a file</label>{' '}
            <input id={ids.file} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />{' '}
          </>
        )}
        <button type="submit" className="small" disabled={busy}>
          {busy ? 'Sending…' : props.label === 'Reply' ? 'Reply' : 'Comment'}
        </button>
      </div>
    </form>
  );
}

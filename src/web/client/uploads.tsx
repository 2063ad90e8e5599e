/**
 * File uploads from the browser, through Notion's file-upload API as the signed-in person
 * (`POST /v1/file_uploads`, `…/send`, `…/complete`), so the server's size and type limits apply
 * as to an integration: one part up to 20 MiB, larger files in parts of 10 MiB. And the page's
 * Upload control: a file becomes a block at the end of the page (image, video, audio, PDF or
 * file, by its type) or is added to one of the row's files properties.
 */
import { type FormEvent, useId, useState } from 'react';
import { ApiFailure, api, NOTION_VERSION, type Page, serverPath, session } from './api.ts';

const SINGLE_MAX = 20 * 1024 * 1024;
const PART = 10 * 1024 * 1024;

/** Sends one part (multipart/form-data, as the SDK does). */
async function sendPart(id: string, blob: Blob, name: string, partNumber?: number) {
  const form = new FormData();
  form.append('file', blob, name);
  if (partNumber !== undefined) form.append('part_number', String(partNumber));
  const res = await fetch(serverPath(`/v1/file_uploads/${id}/send`), {
    method: 'POST',
    headers: { 'Notion-Version': NOTION_VERSION, 'X-Octavo-CSRF': session.csrf },
    credentials: 'same-origin',
    body: form,
  });
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new ApiFailure(res.status, json.code ?? 'error', json.message ?? res.statusText);
}

/** Uploads a file; resolves to the upload's id once its status is `uploaded`. */
export async function uploadFile(file: File): Promise<string> {
  const type = file.type || undefined;
  if (file.size <= SINGLE_MAX) {
    const made = await api<{ id: string }>('POST', '/file_uploads', {
      filename: file.name,
      ...(type ? { content_type: type } : {}),
    });
    await sendPart(made.id, file, file.name);
    return made.id;
  }
  const parts = Math.ceil(file.size / PART);
  const made = await api<{ id: string }>('POST', '/file_uploads', {
    mode: 'multi_part',
    number_of_parts: parts,
    filename: file.name,
    ...(type ? { content_type: type } : {}),
  });
  for (let n = 1; n <= parts; n++)
    await sendPart(made.id, file.slice((n - 1) * PART, n * PART), file.name, n);
  await api('POST', `/file_uploads/${made.id}/complete`);
  return made.id;
}

/** The block type that shows a file of this MIME type. */
export function blockTypeFor(mime: string): 'image' | 'video' | 'audio' | 'pdf' | 'file' {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'application/pdf') return 'pdf';
  return 'file';
}

interface FileValue {
  name: string;
  type: 'file' | 'external' | 'file_upload';
  file?: { url: string };
  external?: { url: string };
}

/** The Upload control of a page: a file as a block at the end, or into a files property. */
export function PageUpload({ page }: { page: Page }) {
  const ids = { file: useId(), where: useId() };
  const [file, setFile] = useState<File | null>(null);
  const [where, setWhere] = useState('block');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const filesProps = Object.entries(page.properties)
    .filter(([, p]) => p.type === 'files')
    .map(([name]) => name);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!file) return;
    const form = e.currentTarget;
    setBusy(true);
    setNote(null);
    try {
      const id = await uploadFile(file);
      if (where === 'block') {
        const type = blockTypeFor(file.type);
        await api('PATCH', `/blocks/${page.id}/children`, {
          children: [{ type, [type]: { type: 'file_upload', file_upload: { id } } }],
        });
        setNote({ ok: true, text: `${file.name} was added at the end of the page.` });
      } else {
        // Keep the files already there (written back as read) and add the new one.
        const fresh = await api<{ properties: Record<string, { files?: FileValue[] }> }>(
          'GET',
          `/pages/${page.id}`,
        );
        const kept = (fresh.properties[where]?.files ?? []).map((f) =>
          f.type === 'external'
            ? { name: f.name, type: 'external', external: f.external }
            : { name: f.name, type: 'file', file: { url: f.file?.url } },
        );
        await api('PATCH', `/pages/${page.id}`, {
          properties: {
            [where]: { files: [...kept, { name: file.name, type: 'file_upload', file_upload: { id } }] },
          },
        });
        setNote({ ok: true, text: `${file.name} was added to ${where}.` });
      }
      form.reset();
      setFile(null);
    } catch (err) {
      setNote({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="upload">
      <summary>Upload a file</summary>
      <form onSubmit={submit} aria-label="Upload a file" className="inline-form">
        <label htmlFor={ids.file}>File</label>{' '}
        <input id={ids.file} type="file" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />{' '}
        <label htmlFor={ids.where}>Add it</label>{' '}
        <select id={ids.where} value={where} onChange={(e) => setWhere(e.target.value)}>
          <option value="block">as a block at the end of the page</option>
          {filesProps.map((name) => (
            <option key={name} value={name}>
              to the property {name}
            </option>
          ))}
        </select>{' '}
        <button type="submit" className="small" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {note && <p role={note.ok ? 'status' : 'alert'}>{note.text}</p>}
    </details>
  );
}

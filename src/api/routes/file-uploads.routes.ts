import { Hono } from 'hono';
import { queueImport } from '../../ops/file-imports.ts';
import {
  completeFileUpload,
  createFileUpload,
  getFileUpload,
  listFileUploads,
  sendFileUpload,
} from '../../ops/file-uploads.ts';
import { presentFileUpload } from '../../present/file-upload.present.ts';
import { presentList } from '../../present/list.present.ts';
import { CreateFileUploadBody, ListFileUploadsQuery } from '../../wire/file-uploads.schema.ts';
import { parseWith } from '../../wire/validation.ts';
import { authorize, opEnv, pathId, presentCtx, queryPagination, writeOptions } from '../kit.ts';
import { readSentPart } from '../multipart.ts';
import { ok } from '../respond.ts';
import type { AppDeps, AppEnv } from '../types.ts';

export function fileUploadsRoutes(deps: AppDeps) {
  const r = new Hono<AppEnv>();
  const now = () => (deps.clock?.() ?? new Date()).toISOString();

  r.post('/file_uploads', async (c) => {
    authorize(c, 'file_uploads.create');
    const body = parseWith(CreateFileUploadBody, c.get('body'));
    const env = opEnv(c, deps);
    const upload = await deps.store.transaction((tx) => createFileUpload(tx, env, body), writeOptions(c));
    // The import runs after this answer, as Notion's does: the upload is `pending` until it ends.
    if (upload.row.mode === 'external_url') void queueImport(deps.store, upload.row.id, deps.files, now);
    return ok(c, presentFileUpload(upload, presentCtx(c, deps), env.now));
  });

  r.get('/file_uploads', async (c) => {
    authorize(c, 'file_uploads.list');
    const { status } = parseWith(ListFileUploadsQuery, { status: c.req.query('status') }, 'query');
    const { from, limit } = queryPagination(c);
    const env = opEnv(c, deps);
    const page = await deps.store.transaction((tx) => listFileUploads(tx, env, status, from, limit));
    const ctx = presentCtx(c, deps);
    return ok(
      c,
      presentList(
        page.items.map((u) => presentFileUpload(u, ctx, env.now)),
        page.next,
        'file_upload',
      ),
    );
  });

  r.get('/file_uploads/:file_upload_id', async (c) => {
    authorize(c, 'file_uploads.retrieve');
    const id = pathId(c, 'file_upload_id');
    const env = opEnv(c, deps);
    const upload = await deps.store.transaction((tx) => getFileUpload(tx, env, id));
    return ok(c, presentFileUpload(upload, presentCtx(c, deps), env.now));
  });

  r.post('/file_uploads/:file_upload_id/send', async (c) => {
    authorize(c, 'file_uploads.send');
    const id = pathId(c, 'file_upload_id');
    const part = await readSentPart(c);
    const env = opEnv(c, deps);
    const upload = await deps.store.transaction((tx) => sendFileUpload(tx, env, id, part), writeOptions(c));
    return ok(c, presentFileUpload(upload, presentCtx(c, deps), env.now));
  });

  r.post('/file_uploads/:file_upload_id/complete', async (c) => {
    authorize(c, 'file_uploads.complete');
    const id = pathId(c, 'file_upload_id');
    const env = opEnv(c, deps);
    const upload = await deps.store.transaction((tx) => completeFileUpload(tx, env, id), writeOptions(c));
    return ok(c, presentFileUpload(upload, presentCtx(c, deps), env.now));
  });

  return r;
}

/*
 * File uploads and comments as a signed-in person (the browser app's way to /v1), over real HTTP
 * on both engines: a person uploads through the same file-upload operations as an integration,
 * with the same size limit, attaches the upload to an image block, a files property and a
 * comment; the official SDK (an integration the page is shared with) reads them back and the
 * hosted file serves the bytes. A person's upload is theirs: an integration cannot read it and
 * another person cannot attach it. Comments written by a person show their name as a `user`.
 */
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { createAdminPage } from '../../src/ops/workspace.ts';
import { dropPostgresSchema } from '../../src/store/connect.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { newPerson } from '../helpers/oauth.ts';
import { signedInJar } from '../helpers/web-suite.ts';

const LIMIT = 200_000;
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

describeEngines('File uploads and comments as a signed-in person', (engine) => {
  let server: RunningServer;
  const schema = `octavo_pupl_${process.pid}_${Date.now().toString(36)}`;

  beforeAll(async () => {
    const env: Record<string, string> = { OCTAVO_JOBS: 'off', OCTAVO_MAX_FILE_UPLOAD_BYTES: String(LIMIT) };
    if (engine === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, OCTAVO_PG_SCHEMA: schema });
    server = await startServer(loadConfig({ port: '0', data: ':memory:', 'rate-limit': 'off' }, env));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema);
  });

  /** Creates and sends a single-part upload as the person; answers its id and the send's answer. */
  async function upload(
    person: Awaited<ReturnType<typeof signedInJar>>,
    name: string,
    type: string,
    bytes: Uint8Array,
  ) {
    const made = await person.call<{ id: string; status: string }>('POST', '/v1/file_uploads', {
      filename: name,
      content_type: type,
    });
    expect(made.status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
    const sent = await person.jar.fetch(`/v1/file_uploads/${made.json.id}/send`, {
      method: 'POST',
      headers: { 'x-octavo-csrf': person.csrf, 'notion-version': '2025-09-03' },
      body: form,
    });
    return { id: made.json.id, status: sent.status, json: (await sent.json()) as Record<string, unknown> };
  }

  it('uploads, attaches to an image block, a files property and a comment; the SDK reads them back', async () => {
    const who = await newPerson({ store: server.store });
    const person = await signedInJar(server.url, who);
    const home = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Uploads', now: new Date().toISOString() }),
    );
    const sdk = new Client({
      baseUrl: server.url,
      auth: server.boot.created!.token,
      notionVersion: '2025-09-03',
    });
    const bot = await sdk.users.me({});
    await server.store.transaction((tx) =>
      sharePage(tx, { pageId: home.id, integrationName: bot.name!, now: new Date().toISOString() }),
    );

    // An image block.
    const image = await upload(person, 'diagram.png', 'image/png', PNG);
    expect(image.status).toBe(200);
    expect(image.json).toMatchObject({
      status: 'uploaded',
      filename: 'diagram.png',
      content_length: PNG.length,
    });
    const appended = await person.call('PATCH', `/v1/blocks/${home.id}/children`, {
      children: [{ type: 'image', image: { type: 'file_upload', file_upload: { id: image.id } } }],
    });
    expect(appended.status).toBe(200);
    const blocks = await sdk.blocks.children.list({ block_id: home.id });
    const block = blocks.results[0] as { type: string; image: { type: string; file: { url: string } } };
    expect(block.type).toBe('image');
    expect(block.image.type).toBe('file');
    const served = await fetch(block.image.file.url);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);

    // A files property of a row (the database made by the integration).
    const db = (await sdk.databases.create({
      parent: { type: 'page_id', page_id: home.id },
      title: [{ type: 'text', text: { content: 'Assets' } }],
      initial_data_source: { properties: { Name: { title: {} }, Files: { files: {} } } },
    })) as { data_sources: { id: string }[] };
    const row = await sdk.pages.create({
      parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
      properties: { Name: { title: [{ text: { content: 'Logo' } }] } },
    });
    const sheet = await upload(person, 'notes.txt', 'text/plain', new TextEncoder().encode('hello'));
    const patched = await person.call('PATCH', `/v1/pages/${row.id}`, {
      properties: {
        Files: { files: [{ type: 'file_upload', name: 'notes.txt', file_upload: { id: sheet.id } }] },
      },
    });
    expect(patched.status).toBe(200);
    const read = (await sdk.pages.retrieve({ page_id: row.id })) as unknown as {
      properties: { Files: { files: { name: string; type: string; file: { url: string } }[] } };
    };
    expect(read.properties.Files.files).toHaveLength(1);
    expect(read.properties.Files.files[0]).toMatchObject({ name: 'notes.txt', type: 'file' });
    expect(await (await fetch(read.properties.Files.files[0]!.file.url)).text()).toBe('hello');

    // A comment with an attachment, and a reply in its discussion.
    const shot = await upload(person, 'shot.png', 'image/png', PNG);
    const first = await person.call<{ id: string; discussion_id: string }>('POST', '/v1/comments', {
      parent: { page_id: home.id },
      rich_text: [{ text: { content: 'See the picture' } }],
      attachments: [{ file_upload_id: shot.id }],
    });
    expect(first.status).toBe(200);
    const reply = await person.call('POST', '/v1/comments', {
      discussion_id: first.json.discussion_id,
      markdown: 'Looks **good**',
    });
    expect(reply.status).toBe(200);
    const comments = (await sdk.comments.list({ block_id: home.id })).results as unknown as {
      discussion_id: string;
      created_by: { id: string };
      display_name: { type: string; resolved_name: string };
      rich_text: { plain_text: string }[];
      attachments: { category: string; file: { url: string } }[];
    }[];
    expect(comments.map((c) => c.rich_text.map((t) => t.plain_text).join(''))).toEqual([
      'See the picture',
      'Looks good',
    ]);
    expect(new Set(comments.map((c) => c.discussion_id))).toEqual(new Set([first.json.discussion_id]));
    expect(comments[0]!.created_by.id).toBe(who.user.id);
    expect(comments[0]!.display_name).toEqual({ type: 'user', resolved_name: who.user.name });
    expect(comments[0]!.attachments[0]!.category).toBe('image');
    expect((await fetch(comments[0]!.attachments[0]!.file.url)).status).toBe(200);

    // The person's uploads are theirs: the integration cannot read one, its list does not hold them.
    await expect(sdk.fileUploads.retrieve({ file_upload_id: image.id })).rejects.toMatchObject({
      code: 'object_not_found',
    });
    const listed = await sdk.fileUploads.list({});
    expect(listed.results.map((u) => u.id)).not.toContain(image.id);
    const mine = await person.call<{ results: { id: string }[] }>('GET', '/v1/file_uploads');
    expect(mine.json.results.map((u) => u.id)).toEqual(expect.arrayContaining([image.id, sheet.id, shot.id]));
  });

  it('keeps the size limit, and another person cannot attach or read an upload', async () => {
    const a = await newPerson({ store: server.store });
    const b = await newPerson({ store: server.store });
    const alice = await signedInJar(server.url, a);
    const bob = await signedInJar(server.url, b);
    const home = await server.store.transaction((tx) =>
      createAdminPage(tx, { title: 'Limits', now: new Date().toISOString() }),
    );

    const big = await upload(alice, 'big.txt', 'text/plain', new Uint8Array(LIMIT + 1).fill(97));
    expect(big.status).toBe(400);
    expect(big.json).toMatchObject({ code: 'validation_error' });
    const still = await alice.call<{ status: string }>('GET', `/v1/file_uploads/${big.id}`);
    expect(still.json.status).toBe('pending');

    const ok = await upload(alice, 'a.png', 'image/png', PNG);
    expect(ok.status).toBe(200);
    expect((await bob.call('GET', `/v1/file_uploads/${ok.id}`)).status).toBe(404);
    const refused = await bob.call<{ code: string; message: string }>(
      'PATCH',
      `/v1/blocks/${home.id}/children`,
      {
        children: [{ type: 'image', image: { type: 'file_upload', file_upload: { id: ok.id } } }],
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe('validation_error');
    // Nothing was appended by the refused request.
    const children = await alice.call<{ results: unknown[] }>('GET', `/v1/blocks/${home.id}/children`);
    expect(children.json.results).toHaveLength(0);
  });
});

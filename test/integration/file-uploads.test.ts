import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Client } from '@notionhq/client';
import { Kysely, PostgresAdapter, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/lib/net.ts';
import { MAX_CONCURRENT_IMPORTS } from '../../src/ops/file-imports.ts';
import { purgeExpiredUploads } from '../../src/ops/file-uploads.ts';
import { bootstrap } from '../../src/ops/workspace.ts';
import { dropPostgresSchema, openStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { describeEngines, PG_URL } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';

const MiB = 1024 * 1024;
const rt = (content: string) => [{ type: 'text' as const, text: { content } }];
/** A tiny PNG signature plus padding: Octavo stores bytes, it does not decode images. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/** Key order of Notion's file upload objects, from the recordings (pending, then uploaded). */
const PENDING_KEYS = [
  'object',
  'id',
  'created_time',
  'created_by',
  'last_edited_time',
  'expiry_time',
  'upload_url',
  'in_trash',
  'status',
  'filename',
  'content_type',
  'content_length',
  'archived',
  'request_id',
];

type Upload = Awaited<ReturnType<Client['fileUploads']['retrieve']>>;
type ApiFailure = { code: string; status: number; message: string };

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e) => e as ApiFailure,
  );

describeEngines('file uploads', (engine) => {
  let h: Harness;
  let client: Client;
  /** Added to the system clock: tests move the app's time forward with it. */
  let skewMs = 0;
  const clock = () => new Date(Date.now() + skewMs);

  beforeAll(async () => {
    h = await startHarness(engine, { clock, files: { maxBytes: 12 * MiB } });
    client = h.client();
  });
  afterAll(() => h.close());

  async function uploaded(filename: string, bytes: Uint8Array | string, type?: string): Promise<Upload> {
    const created = await client.fileUploads.create({ filename, ...(type ? { content_type: type } : {}) });
    return client.fileUploads.send({
      file_upload_id: created.id,
      file: { filename, data: new Blob([bytes as Uint8Array<ArrayBuffer> | string], type ? { type } : {}) },
    });
  }

  /** The stored row, to prove a refused request changed nothing. */
  const snapshot = (id: string) =>
    h.store.transaction(async (tx) => ({
      row: await tx.fileUploads.get(id),
      parts: await tx.fileUploads.parts(id),
    }));

  async function refuses(
    id: string,
    request: () => Promise<unknown>,
    code: string,
    message: string | RegExp,
  ) {
    const before = await snapshot(id);
    const err = await failure(request());
    expect(err.code, err.message).toBe(code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
    expect(await snapshot(id)).toEqual(before);
    return err;
  }

  /** GETs a hosted file URL over the harness, with no bearer token. */
  const fetchFile = (url: string) => h.app.request(url);

  describe('POST /v1/file_uploads and /send (single part)', () => {
    it('creates a pending upload shaped like Notion, then sends its bytes', async () => {
      const created = await client.fileUploads.create({
        mode: 'single_part',
        filename: 'hello.txt',
        content_type: 'text/plain',
      });
      expect(Object.keys(created)).toEqual(PENDING_KEYS);
      expect(created).toMatchObject({
        object: 'file_upload',
        status: 'pending',
        filename: 'hello.txt',
        content_type: 'text/plain',
        content_length: null,
        in_trash: false,
        archived: false,
        upload_url: `${BASE_URL}/v1/file_uploads/${created.id}/send`,
        created_by: { type: 'bot' },
      });
      expect(Date.parse(created.expiry_time!) - Date.parse(created.created_time)).toBe(60 * 60 * 1000);

      const sent = await client.fileUploads.send({
        file_upload_id: created.id,
        file: { filename: 'hello.txt', data: new Blob(['hello, world'], { type: 'text/plain' }) },
      });
      expect(sent).toMatchObject({ status: 'uploaded', content_length: 12, filename: 'hello.txt' });
      expect(sent).not.toHaveProperty('upload_url');
      expect(await client.fileUploads.retrieve({ file_upload_id: created.id })).toEqual({
        ...sent,
        request_id: expect.any(String),
      });
    });

    it('takes the name and type from the file when the create call gave none', async () => {
      const created = await client.fileUploads.create({});
      expect(created).toMatchObject({ filename: null, content_type: null });
      const sent = await client.fileUploads.send({
        file_upload_id: created.id,
        file: { filename: 'data.json', data: new Blob(['{}'], { type: 'application/json' }) },
      });
      expect(sent).toMatchObject({
        filename: 'data.json',
        content_type: 'application/json',
        content_length: 2,
      });
    });

    it('hides other integrations’ uploads (404) and lists only its own', async () => {
      const other = h.client({ token: await h.newIntegration('Other uploader') });
      const theirs = await other.fileUploads.create({ filename: 'theirs.txt' });
      const err = await failure(client.fileUploads.retrieve({ file_upload_id: theirs.id }));
      expect(err).toMatchObject({ code: 'object_not_found', status: 404 });
      expect(err.message).toBe(`Could not find file upload with ID: ${theirs.id}.`);
      const mine = await client.fileUploads.list({ page_size: 100 });
      expect(mine.results.map((u) => u.id)).not.toContain(theirs.id);
      expect((await other.fileUploads.list({})).results.map((u) => u.id)).toEqual([theirs.id]);
    });
  });

  describe('multi-part uploads', () => {
    it('takes parts in any order, counts them, and completes with every byte in order', async () => {
      const created = await client.fileUploads.create({
        mode: 'multi_part',
        number_of_parts: 2,
        filename: 'big.txt',
        content_type: 'text/plain',
      });
      expect(created).toMatchObject({
        status: 'pending',
        number_of_parts: { total: 2, sent: 0 },
        complete_url: `${BASE_URL}/v1/file_uploads/${created.id}/complete`,
      });
      const first = new Uint8Array(5 * MiB).fill(97);
      const last = new TextEncoder().encode('the end');
      const afterLast = await client.fileUploads.send({
        file_upload_id: created.id,
        part_number: '2',
        file: { filename: 'big.txt', data: new Blob([last], { type: 'text/plain' }) },
      });
      expect(afterLast).toMatchObject({ status: 'pending', number_of_parts: { total: 2, sent: 1 } });
      await refuses(
        created.id,
        () => client.fileUploads.complete({ file_upload_id: created.id }),
        'validation_error',
        `File upload ${created.id} has received 1 of 2 parts; missing part_number 1.`,
      );
      await client.fileUploads.send({
        file_upload_id: created.id,
        part_number: '1',
        file: { filename: 'big.txt', data: new Blob([first]) },
      });
      const done = await client.fileUploads.complete({ file_upload_id: created.id });
      expect(done).toMatchObject({
        status: 'uploaded',
        content_length: first.length + last.length,
        number_of_parts: { total: 2, sent: 2 },
      });
      expect(done).not.toHaveProperty('complete_url');

      // Attached to a file block and read back through its signed URL: the exact bytes.
      const [block] = (
        await client.blocks.children.append({
          block_id: h.rootPageId,
          children: [{ file: { file_upload: { id: created.id } } }],
        })
      ).results as Array<{ file: { type: string; name: string; file: { url: string } } }>;
      expect(block!.file).toMatchObject({ type: 'file', name: 'big.txt' });
      const res = await fetchFile(block!.file.file.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(done.content_length));
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body.length).toBe(done.content_length);
      expect(body.subarray(0, first.length).every((b) => b === 97)).toBe(true);
      expect(new TextDecoder().decode(body.subarray(first.length))).toBe('the end');
    });

    it('refuses wrong part numbers, short parts and sizes over the workspace limit', async () => {
      const created = await client.fileUploads.create({
        mode: 'multi_part',
        number_of_parts: 3,
        filename: 'p.txt',
      });
      const send = (part: string | undefined, bytes: number) =>
        client.fileUploads.send({
          file_upload_id: created.id,
          ...(part === undefined ? {} : { part_number: part }),
          file: { filename: 'p.txt', data: new Blob([new Uint8Array(bytes)]) },
        });
      const id = created.id;
      await refuses(
        id,
        () => send(undefined, 10),
        'validation_error',
        'body failed validation: body.part_number should be defined, instead was `undefined`.',
      );
      await refuses(
        id,
        () => send('0', 10),
        'validation_error',
        'body failed validation: body.part_number should be ≥ `1`, instead was `"0"`.',
      );
      await refuses(
        id,
        () => send('4', 10),
        'validation_error',
        'body failed validation: body.part_number should be ≤ `3` (number_of_parts), instead was `"4"`.',
      );
      await refuses(
        id,
        () => send('x', 10),
        'validation_error',
        'body failed validation: body.part_number should be an integer string, instead was `"x"`.',
      );
      await refuses(
        id,
        () => send('1', 10),
        'validation_error',
        'body failed validation: body.file.size should be ≥ `5242880` bytes (every part but the last), instead was `10`.',
      );
      await send('1', 5 * MiB);
      await send('2', 5 * MiB);
      await refuses(
        id,
        () => send('3', 3 * MiB),
        'validation_error',
        `The file is ${13 * MiB} bytes, larger than the limit of ${12 * MiB} bytes (max_file_upload_size_in_bytes).`,
      );
    });
  });

  describe('refused requests', () => {
    it('validates the create body per mode, and file types per Notion’s list', async () => {
      const create = (body: Record<string, unknown>) =>
        failure(client.request({ path: 'file_uploads', method: 'post', body }));
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          { mode: 'multi_part', filename: 'a.txt' },
          'body failed validation: body.number_of_parts should be defined, instead was `undefined`.',
        ],
        [
          { mode: 'multi_part', number_of_parts: 2 },
          'body failed validation: body.filename should be defined, instead was `undefined`.',
        ],
        [
          { mode: 'multi_part', number_of_parts: 0, filename: 'a.txt' },
          'body failed validation: body.number_of_parts should be ≥ `1`, instead was `0`.',
        ],
        [
          { mode: 'multi_part', number_of_parts: 10001, filename: 'a.txt' },
          'body failed validation: body.number_of_parts should be ≤ `10000`, instead was `10001`.',
        ],
        [
          { number_of_parts: 2, filename: 'a.txt' },
          'body failed validation: body.number_of_parts should be not present, instead was `2`.',
        ],
        [
          { mode: 'sideways' },
          'body failed validation: body.mode should be `"single_part"`, `"multi_part"`, `"external_url"`, instead was `"sideways"`.',
        ],
        [{ filename: 'setup.exe' }, 'The file extension .exe is not supported for the File Upload API.'],
        [
          { filename: 'a.wav', content_type: 'audio/x-wav' },
          'The content type audio/x-wav is not supported for the File Upload API.',
        ],
        [
          { filename: 'a.png', content_type: 'text/plain' },
          'The content type text/plain does not match the file extension .png.',
        ],
        [
          { filename: `${'a'.repeat(901)}.txt` },
          'body failed validation: body.filename.length should be ≤ `900` bytes, instead was `905`.',
        ],
        [
          { mode: 'external_url', filename: 'a.pdf' },
          'body failed validation: body.external_url should be defined, instead was `undefined`.',
        ],
        [
          { mode: 'external_url', external_url: 'http://example.com/a.pdf' },
          'body failed validation: body.external_url should be an https URL, instead was `"http://example.com/a.pdf"`.',
        ],
        [
          { mode: 'external_url', external_url: 'https://127.0.0.1/a.pdf' },
          'body failed validation: body.external_url should be a publicly reachable URL, instead was `"https://127.0.0.1/a.pdf"`.',
        ],
        [
          { mode: 'external_url', external_url: 'https://localhost/a.pdf' },
          'body failed validation: body.external_url should be a publicly reachable URL, instead was `"https://localhost/a.pdf"`.',
        ],
      ];
      const before = (await client.fileUploads.list({ page_size: 100 })).results.length;
      for (const [body, message] of cases) {
        const err = await create(body);
        expect(err.code, JSON.stringify(body)).toBe('validation_error');
        expect(err.message, JSON.stringify(body)).toBe(message);
      }
      expect((await client.fileUploads.list({ page_size: 100 })).results.length).toBe(before);
    });

    it('answers object_not_found for unknown ids and refuses sends to an upload that is not pending', async () => {
      const missing = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';
      for (const call of [
        () => client.fileUploads.retrieve({ file_upload_id: missing }),
        () => client.fileUploads.complete({ file_upload_id: missing }),
        () => client.fileUploads.send({ file_upload_id: missing, file: { filename: 'a.txt', data: 'x' } }),
      ]) {
        expect(await failure(call())).toMatchObject({
          code: 'object_not_found',
          message: `Could not find file upload with ID: ${missing}.`,
        });
      }
      const done = await uploaded('once.txt', 'once', 'text/plain');
      await refuses(
        done.id,
        () =>
          client.fileUploads.send({ file_upload_id: done.id, file: { filename: 'once.txt', data: 'again' } }),
        'validation_error',
        `File upload ${done.id} is in status \`uploaded\`; only a \`pending\` upload can be sent data.`,
      );
      await refuses(
        done.id,
        () => client.fileUploads.complete({ file_upload_id: done.id }),
        'validation_error',
        `File upload ${done.id} is not a multi_part upload; only those are completed.`,
      );
    });

    it('refuses a part number in single-part mode, a mismatched type, and files over the limits', async () => {
      const created = await client.fileUploads.create({ filename: 'song.wav', content_type: 'audio/wav' });
      const id = created.id;
      await refuses(
        id,
        () =>
          client.fileUploads.send({
            file_upload_id: id,
            part_number: '1',
            file: { filename: 'song.wav', data: 'x' },
          }),
        'validation_error',
        'body failed validation: body.part_number should be not present, instead was `"1"`.',
      );
      await refuses(
        id,
        () =>
          client.fileUploads.send({
            file_upload_id: id,
            file: { filename: 'song.wav', data: new Blob(['x'], { type: 'audio/x-wav' }) },
          }),
        'validation_error',
        "The content type audio/x-wav of the file sent does not match the upload's content type audio/wav.",
      );
      await refuses(
        id,
        () =>
          client.fileUploads.send({
            file_upload_id: id,
            file: { filename: 'song.wav', data: new Blob([new Uint8Array(13 * MiB)]) },
          }),
        'validation_error',
        `The file is ${13 * MiB} bytes, larger than the limit of ${12 * MiB} bytes (max_file_upload_size_in_bytes).`,
      );
      // Over Notion's 20 MB single-part cap: refused from Content-Length, before the body is read.
      await refuses(
        id,
        () =>
          client.fileUploads.send({
            file_upload_id: id,
            file: { filename: 'song.wav', data: new Blob([new Uint8Array(21 * MiB)]) },
          }),
        'validation_error',
        'The file is larger than the limit of 20971520 bytes (per part).',
      );
      const res = await h.request(`/v1/file_uploads/${id}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"file":"x"}',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ApiFailure).message).toBe(
        'Content-Type header should be `multipart/form-data`, instead was `"application/json"`.',
      );
    });
  });

  describe('filenames', () => {
    it('drops control characters from a filename given in the body or by the multipart part', async () => {
      const named = await client.fileUploads.create({ filename: 'a\u0000b\u0007.png' });
      expect(named.filename).toBe('ab.png');
      const sent = await client.fileUploads.send({
        file_upload_id: named.id,
        file: { filename: 'a\u0000b.png', data: new Blob([PNG], { type: 'image/png' }) },
      });
      expect(sent).toMatchObject({ status: 'uploaded', filename: 'ab.png' });

      const unnamed = await client.fileUploads.create({});
      const fromPart = await client.fileUploads.send({
        file_upload_id: unnamed.id,
        file: { filename: 'c\u0000d.png', data: new Blob([PNG], { type: 'image/png' }) },
      });
      expect(fromPart).toMatchObject({ status: 'uploaded', filename: 'cd.png', content_type: 'image/png' });
      expect((await client.fileUploads.retrieve({ file_upload_id: unnamed.id })).filename).toBe('cd.png');

      const blank = await failure(client.fileUploads.create({ filename: '\u0007\t' }));
      expect(blank.message).toBe(
        'body failed validation: body.filename should be a name with printable characters, instead was `"\\u0007\\t"`.',
      );
    });

    it('refuses a multipart part whose filename is over 900 bytes, and changes nothing', async () => {
      const unnamed = await client.fileUploads.create({});
      await refuses(
        unnamed.id,
        () =>
          client.fileUploads.send({
            file_upload_id: unnamed.id,
            file: { filename: `${'x'.repeat(901)}.png`, data: new Blob([PNG], { type: 'image/png' }) },
          }),
        'validation_error',
        'body failed validation: body.file.filename.length should be ≤ `900` bytes, instead was `905`.',
      );
    });
  });

  describe('GET /v1/file_uploads', () => {
    it('lists newest first, filters by status and pages with cursors', async () => {
      const lister = h.client({ token: await h.newIntegration('Lister') });
      const ids: string[] = [];
      for (const name of ['l0.txt', 'l1.txt', 'l2.txt']) {
        ids.push((await lister.fileUploads.create({ filename: name })).id);
      }
      const done = await lister.fileUploads.send({
        file_upload_id: ids[1]!,
        file: { filename: 'l1.txt', data: 'one' },
      });
      expect(done.status).toBe('uploaded');
      const all = await lister.fileUploads.list({});
      expect(all).toMatchObject({
        object: 'list',
        type: 'file_upload',
        file_upload: {},
        has_more: false,
        next_cursor: null,
      });
      expect(all.results.map((u) => u.id)).toEqual([...ids].reverse());
      expect((await lister.fileUploads.list({ status: 'pending' })).results.map((u) => u.id)).toEqual([
        ids[2],
        ids[0],
      ]);
      expect((await lister.fileUploads.list({ status: 'uploaded' })).results.map((u) => u.id)).toEqual([
        ids[1],
      ]);
      expect((await lister.fileUploads.list({ status: 'failed' })).results).toEqual([]);
      const first = await lister.fileUploads.list({ page_size: 2 });
      expect(first.results.map((u) => u.id)).toEqual([ids[2], ids[1]]);
      expect(first).toMatchObject({ has_more: true, next_cursor: ids[0] });
      const second = await lister.fileUploads.list({ page_size: 2, start_cursor: first.next_cursor! });
      expect(second.results.map((u) => u.id)).toEqual([ids[0]]);
      expect(second.has_more).toBe(false);
      const bad = await failure(
        lister.request({ path: 'file_uploads', method: 'get', query: { status: 'done' } }),
      );
      expect(bad.message).toBe(
        'query failed validation: query.status should be `"pending"`, `"uploaded"`, `"expired"`, `"failed"`, instead was `"done"`.',
      );
    });
  });

  describe('attaching uploads', () => {
    it('sets a page cover and icon, an image block and a files property; reads give fresh signed URLs', async () => {
      const cover = await uploaded('cover.png', PNG, 'image/png');
      const icon = await uploaded('icon.png', PNG, 'image/png');
      const image = await uploaded('photo.png', PNG, 'image/png');
      const doc = await uploaded('notes.txt', 'some notes', 'text/plain');
      const db = (await client.databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: rt('Attachments'),
        initial_data_source: { properties: { Name: { title: {} }, Files: { files: {} } } },
      })) as { data_sources: { id: string }[] };
      const page = await client.pages.create({
        parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
        cover: { type: 'file_upload', file_upload: { id: cover.id } },
        icon: { type: 'file_upload', file_upload: { id: icon.id } },
        properties: {
          Name: { title: rt('With files') },
          Files: {
            files: [
              { file_upload: { id: doc.id } },
              { name: 'Renamed photo', file_upload: { id: image.id } },
            ],
          },
        },
        children: [{ image: { file_upload: { id: image.id }, caption: rt('a photo') } }],
      });
      const read = (await client.pages.retrieve({ page_id: page.id })) as unknown as {
        cover: { type: string; file: { url: string; expiry_time: string } };
        icon: { type: string; file: { url: string } };
        properties: { Files: { files: Array<{ name: string; type: string; file: { url: string } }> } };
      };
      expect(read.cover.type).toBe('file');
      expect(read.cover.file.url).toMatch(
        new RegExp(`^${BASE_URL}/files/${cover.id}/cover\\.png\\?expires=\\d+&signature=`),
      );
      expect(Date.parse(read.cover.file.expiry_time) - Date.now() - skewMs).toBeGreaterThan(59 * 60 * 1000);
      expect(read.icon.type).toBe('file');
      expect(read.properties.Files.files.map((f) => [f.name, f.type])).toEqual([
        ['notes.txt', 'file'],
        ['Renamed photo', 'file'],
      ]);
      const [block] = (await client.blocks.children.list({ block_id: page.id })).results as unknown as Array<{
        image: { caption: unknown[]; type: string; file: { url: string } };
      }>;
      expect(Object.keys(block!.image)).toEqual(['caption', 'type', 'file']);

      for (const [url, bytes, type] of [
        [read.cover.file.url, PNG, 'image/png'],
        [read.properties.Files.files[0]!.file.url, new TextEncoder().encode('some notes'), 'text/plain'],
        [block!.image.file.url, PNG, 'image/png'],
      ] as const) {
        const res = await fetchFile(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(type);
        expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
      }
      const res = await fetchFile(read.cover.file.url);
      expect(res.headers.get('content-disposition')).toBe(
        `inline; filename="cover.png"; filename*=UTF-8''cover.png`,
      );

      // Attached uploads no longer expire.
      for (const u of [cover, icon, image, doc]) {
        expect((await client.fileUploads.retrieve({ file_upload_id: u.id })).expiry_time).toBeNull();
      }
      // A re-submitted hosted URL keeps the same file (how clients copy files between pages).
      const copy = await client.pages.update({
        page_id: page.id,
        properties: {
          Files: { files: [{ name: 'copy.txt', file: { url: read.properties.Files.files[0]!.file.url } }] },
        },
      });
      const files = (copy as unknown as typeof read).properties.Files.files;
      expect(files.map((f) => f.name)).toEqual(['copy.txt']);
      expect(files[0]!.file.url).toContain(`/files/${doc.id}/`);
    });

    it('refuses uploads that are pending, expired or another integration’s, and changes nothing', async () => {
      const pending = await client.fileUploads.create({ filename: 'wait.png' });
      const other = h.client({ token: await h.newIntegration('Foreign uploader') });
      const foreign = await other.fileUploads.create({ filename: 'x.txt' });
      await other.fileUploads.send({ file_upload_id: foreign.id, file: { filename: 'x.txt', data: 'x' } });
      const before = await client.pages.retrieve({ page_id: h.rootPageId });
      const pendingErr = await failure(
        client.pages.update({
          page_id: h.rootPageId,
          cover: { type: 'file_upload', file_upload: { id: pending.id } },
        }),
      );
      expect(pendingErr.message).toBe(
        `body failed validation: body.cover.file_upload.id should be a file upload with status \`uploaded\` (this one is \`pending\`), instead was \`"${pending.id}"\`.`,
      );
      const foreignErr = await failure(
        client.pages.update({
          page_id: h.rootPageId,
          icon: { type: 'file_upload', file_upload: { id: foreign.id } },
        }),
      );
      expect(foreignErr.message).toBe(
        `body failed validation: body.icon.file_upload.id should be the id of a file upload created by this integration, instead was \`"${foreign.id}"\`.`,
      );
      expect(await client.pages.retrieve({ page_id: h.rootPageId })).toEqual({
        ...before,
        request_id: expect.any(String),
      });
      expect((await other.fileUploads.retrieve({ file_upload_id: foreign.id })).expiry_time).not.toBeNull();
    });
  });

  describe('hosted file URLs written back', () => {
    it('keeps a URL written back within the hour; refuses an expired one or another integration’s file', async () => {
      const neighbour = h.client({ token: await h.newIntegration('Neighbour') });
      const shared = await h.newRootPage('Shared files', ['Octavo Quickstart', 'Neighbour']);
      const db = (await client.databases.create({
        parent: { type: 'page_id', page_id: shared },
        title: rt('Written back'),
        initial_data_source: { properties: { Name: { title: {} }, Files: { files: {} } } },
      })) as { data_sources: { id: string }[] };
      const parent = { type: 'data_source_id' as const, data_source_id: db.data_sources[0]!.id };
      type FilesPage = { properties: { Files: { files: Array<{ name: string; file: { url: string } }> } } };
      const filesOf = (p: unknown) => (p as FilesPage).properties.Files.files;

      const mine = await uploaded('mine.txt', 'my bytes', 'text/plain');
      const page = await client.pages.create({
        parent,
        properties: { Name: { title: rt('Mine') }, Files: { files: [{ file_upload: { id: mine.id } }] } },
      });
      const url = filesOf(page)[0]!.file.url;
      const writeBack = (c: Client, u: string) =>
        c.pages.update({
          page_id: page.id,
          properties: { Files: { files: [{ name: 'again.txt', file: { url: u } }] } },
        });
      expect(filesOf(await writeBack(client, url)).map((f) => f.name)).toEqual(['again.txt']);

      // Another integration that can see the page cannot take the file by its URL.
      const foreign = await failure(writeBack(neighbour, url));
      expect(foreign.message).toMatch(
        /^body failed validation: body\.properties\.Files\.files\[0\]\.file\.url should be the URL of a file uploaded by this integration, instead was `"http:/,
      );

      skewMs += 61 * 60 * 1000;
      try {
        const before = (await client.pages.retrieve({ page_id: page.id })) as { last_edited_time: string };
        const expired = await failure(writeBack(client, url));
        expect(expired.message).toMatch(
          /^body failed validation: body\.properties\.Files\.files\[0\]\.file\.url should be a file URL that has not expired \(read the object again\), instead was `"http:/,
        );
        // Nothing changed (signed URLs differ per read, so compare what is stored).
        const after = await client.pages.retrieve({ page_id: page.id });
        expect((after as typeof before).last_edited_time).toBe(before.last_edited_time);
        expect(filesOf(after).map((f) => [f.name, f.file.url.split('?')[0]])).toEqual([
          ['again.txt', url.split('?')[0]],
        ]);
        // A fresh read gives a URL that writes back.
        const fresh = filesOf(await client.pages.retrieve({ page_id: page.id }))[0]!.file.url;
        expect(filesOf(await writeBack(client, fresh))[0]!.file.url).toContain(`/files/${mine.id}/`);
      } finally {
        skewMs -= 61 * 60 * 1000;
      }
    });
  });

  describe('signed file URLs', () => {
    it('refuses a tampered signature (403), an expired URL (403) and an unknown upload (404)', async () => {
      const up = await uploaded('signed.txt', 'signed bytes', 'text/plain');
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Signed') } },
        cover: { file_upload: { id: up.id } },
      });
      const url = (page as unknown as { cover: { file: { url: string } } }).cover.file.url;
      expect((await fetchFile(url)).status).toBe(200);
      const tampered = url.replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
      const bad = await fetchFile(tampered);
      expect(bad.status).toBe(403);
      expect(await bad.json()).toMatchObject({
        code: 'restricted_resource',
        message: 'The file URL signature is not valid.',
      });
      const longer = url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`);
      expect((await fetchFile(longer)).status).toBe(403);
      const otherId = url.replace(up.id, '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f');
      expect((await fetchFile(otherId)).status).toBe(403);

      skewMs += 61 * 60 * 1000;
      try {
        const expired = await fetchFile(url);
        expect(expired.status).toBe(403);
        expect(await expired.json()).toMatchObject({
          message: 'The file URL has expired; read the object again for a fresh URL.',
        });
        // A fresh read signs a fresh URL that works.
        const again = (await client.pages.retrieve({ page_id: page.id })) as unknown as {
          cover: { file: { url: string } };
        };
        expect((await fetchFile(again.cover.file.url)).status).toBe(200);
      } finally {
        skewMs -= 61 * 60 * 1000;
      }
    });
    it('signs the filename: a changed name is refused when served and when written back', async () => {
      const db = (await client.databases.create({
        parent: { type: 'page_id', page_id: h.rootPageId },
        title: rt('Signed names'),
        initial_data_source: { properties: { Name: { title: {} }, Files: { files: {} } } },
      })) as { data_sources: { id: string }[] };
      type FilesPage = { properties: { Files: { files: Array<{ name: string; file: { url: string } }> } } };
      const filesOf = (p: unknown) => (p as FilesPage).properties.Files.files;
      const up = await uploaded('rapport d’été.txt', 'summer bytes', 'text/plain');
      const page = await client.pages.create({
        parent: { type: 'data_source_id', data_source_id: db.data_sources[0]!.id },
        properties: { Name: { title: rt('Named') }, Files: { files: [{ file_upload: { id: up.id } }] } },
      });
      const url = filesOf(page)[0]!.file.url;
      const segment = encodeURIComponent('rapport d’été.txt');
      expect(url).toContain(`/files/${up.id}/${segment}?`);
      // The issued URL serves, percent-encoded name and all.
      const served = await fetchFile(url);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe('summer bytes');

      const renamed = [
        url.replace(segment, 'invoice.html'),
        url.replace(segment, `${segment}x`),
        url.replace(segment, segment.replace('%C3%A9', '%c3%a9')), // the same name spelled otherwise
      ];
      for (const changed of renamed) {
        const res = await fetchFile(changed);
        expect(res.status, changed).toBe(403);
        expect(await res.json()).toMatchObject({
          code: 'restricted_resource',
          message: 'The file URL signature is not valid.',
        });
      }

      // Written back: the issued URL still attaches; a renamed one is not a URL this server signed.
      const writeBack = (u: string) =>
        client.pages.update({
          page_id: page.id,
          properties: { Files: { files: [{ name: 'again.txt', file: { url: u } }] } },
        });
      expect(filesOf(await writeBack(url))[0]!.file.url).toContain(`/files/${up.id}/`);
      const forged = await failure(writeBack(renamed[0]!));
      expect(forged.message).toMatch(
        /^body failed validation: body\.properties\.Files\.files\[0\]\.file\.url should be a file URL signed by this server, instead was `"http:/,
      );
    });
  });

  describe('expiry', () => {
    it('expires an unattached upload an hour after creation', async () => {
      const pending = await client.fileUploads.create({ filename: 'late.txt' });
      const ready = await uploaded('ready.txt', 'ready', 'text/plain');
      skewMs += 61 * 60 * 1000;
      try {
        const seen = await client.fileUploads.retrieve({ file_upload_id: pending.id });
        expect(seen.status).toBe('expired');
        expect(seen).not.toHaveProperty('upload_url');
        expect((await client.fileUploads.retrieve({ file_upload_id: ready.id })).status).toBe('expired');
        const expiredIds = (await client.fileUploads.list({ status: 'expired' })).results.map((u) => u.id);
        expect(expiredIds).toEqual(expect.arrayContaining([pending.id, ready.id]));
        expect((await client.fileUploads.list({ status: 'pending' })).results.map((u) => u.id)).not.toContain(
          pending.id,
        );
        await refuses(
          pending.id,
          () =>
            client.fileUploads.send({
              file_upload_id: pending.id,
              file: { filename: 'late.txt', data: 'x' },
            }),
          'validation_error',
          `File upload ${pending.id} is in status \`expired\`; only a \`pending\` upload can be sent data.`,
        );
        const err = await failure(
          client.blocks.children.append({
            block_id: h.rootPageId,
            children: [{ file: { file_upload: { id: ready.id } } }],
          }),
        );
        expect(err.message).toBe(
          `body failed validation: body.children[0].file.file_upload.id should be a file upload with status \`uploaded\` (this one is \`expired\`), instead was \`"${ready.id}"\`.`,
        );
      } finally {
        skewMs -= 61 * 60 * 1000;
      }
    });
  });

  describe('freeing expired uploads', () => {
    it('deletes the bytes of uploads that expired unattached over an hour ago, and only those', async () => {
      const loose = await uploaded('loose.txt', 'loose bytes', 'text/plain');
      const kept = await uploaded('kept.txt', 'kept bytes', 'text/plain');
      await client.blocks.children.append({
        block_id: h.rootPageId,
        children: [{ file: { file_upload: { id: kept.id } } }],
      });
      const partsOf = (id: string) => h.store.transaction((tx) => tx.fileUploads.parts(id));
      const at = (minutes: number) => new Date(Date.now() + minutes * 60 * 1000).toISOString();
      // Expired a minute ago: a request that started before the expiry may still be attaching it.
      await h.store.transaction((tx) => purgeExpiredUploads(tx, at(61)));
      expect((await partsOf(loose.id)).length).toBe(1);
      await h.store.transaction((tx) => purgeExpiredUploads(tx, at(121)));
      expect(await partsOf(loose.id)).toEqual([]);
      expect((await partsOf(kept.id)).length).toBe(1);
      skewMs += 61 * 60 * 1000;
      try {
        expect((await client.fileUploads.retrieve({ file_upload_id: loose.id })).status).toBe('expired');
      } finally {
        skewMs -= 61 * 60 * 1000;
      }
    });

    it('answers 404 object_not_found, not an empty 200, for a file whose bytes are gone', async () => {
      const up = await uploaded('gone.txt', 'gone bytes', 'text/plain');
      const page = await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Gone') } },
        cover: { file_upload: { id: up.id } },
      });
      const url = (page as unknown as { cover: { file: { url: string } } }).cover.file.url;
      // The race a purge could lose before the grace period: bytes freed, upload attached.
      await h.store.transaction(async (tx) => {
        await tx.fileUploads.update(up.id, { expiry_time: '2000-01-01T00:00:00.000Z' });
        await purgeExpiredUploads(tx, new Date().toISOString());
        await tx.fileUploads.update(up.id, { expiry_time: null });
      });
      const res = await fetchFile(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ object: 'error', code: 'object_not_found' });
    });
  });

  describe('storage of the bytes', () => {
    it('keeps parts as bytes on either engine, from one migration with no engine sniffing', async () => {
      const up = await uploaded('bytes.txt', 'raw bytes', 'text/plain');
      const { rows } =
        engine === 'sqlite'
          ? await sql<{
              t: string;
            }>`select typeof(bytes) as t from file_upload_parts where upload_id = ${up.id}`.execute(
              h.store.db,
            )
          : await sql<{
              t: string;
            }>`select pg_typeof(bytes)::text as t from file_upload_parts where upload_id = ${up.id}`.execute(
              h.store.db,
            );
      expect(rows).toEqual([{ t: engine === 'sqlite' ? 'blob' : 'bytea' }]);
    });

    it.runIf(engine === 'postgres')(
      'migrates Postgres whatever the dialect adapter class is called',
      async () => {
        // A wrapped or subclassed dialect: its adapter's class name says nothing about the engine.
        class WrappedAdapter extends PostgresAdapter {}
        class WrappedDialect extends PostgresDialect {
          override createAdapter() {
            return new WrappedAdapter();
          }
        }
        const schema = `octavo_t_${process.pid}_wrapped_${Date.now().toString(36)}`;
        const setup = new pg.Client({ connectionString: PG_URL });
        await setup.connect();
        await setup.query(`create schema ${schema}`);
        await setup.end();
        const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
        const db = new Kysely<unknown>({ dialect: new WrappedDialect({ pool }) });
        try {
          await migrateToLatest(db, schema);
          const { rows } = await sql<{ t: string }>`select data_type as t from information_schema.columns
          where table_schema = ${schema} and table_name = 'file_upload_parts' and column_name = 'bytes'`.execute(
            db,
          );
          expect(rows).toEqual([{ t: 'bytea' }]);
        } finally {
          await db.destroy();
          await dropPostgresSchema(PG_URL, schema);
        }
      },
    );
  });

  describe('the file-URL signing key', () => {
    it.runIf(engine === 'postgres')('is one key when two nodes start together', async () => {
      const schema = `octavo_t_${process.pid}_key_${Date.now().toString(36)}`;
      const store = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
      try {
        let release!: () => void;
        const gate = new Promise<void>((done) => {
          release = done;
        });
        let written!: () => void;
        const wrote = new Promise<void>((done) => {
          written = done;
        });
        // Node A has written its key and not yet committed when node B starts.
        const nodeA = store.transaction(async (tx) => {
          await tx.meta.setIfAbsent('file_url_secret', 'key-of-node-a');
          written();
          await gate;
        });
        await wrote;
        const nodeB = store.transaction((tx) => bootstrap(tx, new Date().toISOString()));
        await new Promise((done) => setTimeout(done, 200));
        release();
        await nodeA;
        expect((await nodeB).fileUrlSecret).toBe('key-of-node-a');
        expect(await store.transaction((tx) => tx.meta.get('file_url_secret'))).toBe('key-of-node-a');
      } finally {
        await store.close();
        await dropPostgresSchema(PG_URL, schema);
      }
    });
  });

  describe('GET /v1/users/me', () => {
    it('reports the configured upload limit', async () => {
      const me = (await client.users.me({})) as {
        bot: { workspace_limits: { max_file_upload_size_in_bytes: number } };
      };
      expect(me.bot.workspace_limits.max_file_upload_size_in_bytes).toBe(12 * MiB);
    });
  });

  describe('external_url imports', () => {
    let server: Server;
    let base: string;
    let local: Harness;
    const PDF = new TextEncoder().encode('%PDF-1.4\n% a tiny document\n');
    let release!: () => void;
    const held = {
      now: 0,
      most: 0,
      gate: new Promise<void>((done) => {
        release = done;
      }),
    };
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/doc.pdf') {
          res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
          res.end(PDF);
        } else if (req.url === '/big.pdf') {
          res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': 2048 });
          res.end(new Uint8Array(2048));
        } else if (req.url === '/streamed.pdf') {
          res.writeHead(200, { 'content-type': 'application/pdf' });
          res.write(new Uint8Array(1000));
          setTimeout(() => res.end(new Uint8Array(1000)), 10);
        } else if (req.url?.startsWith('/held/')) {
          // Answers only once the test lets go, so the test can see how many wait at once.
          held.now++;
          held.most = Math.max(held.most, held.now);
          void held.gate.then(() => {
            held.now--;
            res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
            res.end(PDF);
          });
        } else if (req.url === '/bad-redirect') {
          res.writeHead(302, { location: 'http://[' }).end();
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      local = await startHarness(engine, { files: { allowPrivateImports: true, maxBytes: 1024 } });
    });
    afterAll(async () => {
      await local.close();
      await new Promise((done) => server.close(done));
    });

    async function settled(c: Client, id: string): Promise<Upload> {
      for (let i = 0; i < 200; i++) {
        const u = await c.fileUploads.retrieve({ file_upload_id: id });
        if (u.status !== 'pending') return u;
        await new Promise((done) => setTimeout(done, 20));
      }
      throw new Error(`upload ${id} stayed pending`);
    }

    it('imports after answering: pending, then uploaded with a file_import_result', async () => {
      const c = local.client();
      const created = await c.fileUploads.create({
        mode: 'external_url',
        external_url: `${base}/doc.pdf`,
        filename: 'doc.pdf',
      });
      expect(created).toMatchObject({
        status: 'pending',
        filename: 'doc.pdf',
        content_type: 'application/pdf',
      });
      // Notion shows upload_url on a pending import too (recording test_file_uploads_create_external).
      expect(created.upload_url).toBe(`${BASE_URL}/v1/file_uploads/${created.id}/send`);
      const done = await settled(c, created.id);
      expect(done).toMatchObject({
        status: 'uploaded',
        content_length: PDF.length,
        file_import_result: { type: 'success', success: {} },
      });
      expect(Object.keys(done.file_import_result!)).toEqual(['type', 'success', 'imported_time']);
      const block = (
        await c.blocks.children.append({
          block_id: local.rootPageId,
          children: [{ pdf: { file_upload: { id: created.id } } }],
        })
      ).results[0] as unknown as { pdf: { file: { url: string } } };
      const res = await local.app.request(block.pdf.file.url);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(PDF);
    });

    it(`downloads at most ${MAX_CONCURRENT_IMPORTS} imports at once; the others wait their turn`, async () => {
      const c = local.client();
      const created = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          c.fileUploads.create({ mode: 'external_url', external_url: `${base}/held/${n}.pdf` }),
        ),
      );
      for (let i = 0; i < 50 && held.now < MAX_CONCURRENT_IMPORTS; i++)
        await new Promise((done) => setTimeout(done, 20));
      await new Promise((done) => setTimeout(done, 100));
      expect(held.now).toBe(MAX_CONCURRENT_IMPORTS);
      release();
      for (const u of created) expect((await settled(c, u.id)).status).toBe('uploaded');
      expect(held.most).toBe(MAX_CONCURRENT_IMPORTS);
    });

    it('ends failed with a download_error when the URL does not answer the file', async () => {
      const c = local.client();
      const created = await c.fileUploads.create({
        mode: 'external_url',
        external_url: `${base}/missing.pdf`,
      });
      expect(created.filename).toBe('missing.pdf');
      const failed = await settled(c, created.id);
      expect(failed).toMatchObject({
        status: 'failed',
        file_import_result: {
          type: 'error',
          error: { type: 'download_error', code: 'bad_status', parameter: 'external_url', status_code: 404 },
        },
      });
    });

    it('ends failed, and the server lives on, when a redirect names an invalid URL', async () => {
      const c = local.client();
      const created = await c.fileUploads.create({
        mode: 'external_url',
        external_url: `${base}/bad-redirect`,
        filename: 'doc.pdf',
      });
      const failed = await settled(c, created.id);
      expect(failed).toMatchObject({
        status: 'failed',
        file_import_result: {
          type: 'error',
          error: {
            type: 'validation_error',
            code: 'invalid_url',
            message: 'The URL redirected to "http://[", which is not a valid URL.',
            parameter: 'external_url',
          },
        },
      });
      expect((await c.users.me({})).object).toBe('user');
    });

    it('names an import after its URL safely: malformed escapes, control characters, long names', async () => {
      const c = local.client();
      const malformed = await c.fileUploads.create({
        mode: 'external_url',
        external_url: `${base}/%E0%A4%A.pdf`,
      });
      expect(malformed.filename).toBe('%E0%A4%A.pdf');
      const nul = await c.fileUploads.create({ mode: 'external_url', external_url: `${base}/a%00b%0A.pdf` });
      expect(nul.filename).toBe('ab.pdf');
      expect((await settled(c, nul.id)).filename).toBe('ab.pdf');
      const long = await failure(
        c.fileUploads.create({ mode: 'external_url', external_url: `${base}/${'a'.repeat(950)}.pdf` }),
      );
      expect(long).toMatchObject({
        status: 400,
        code: 'validation_error',
        message: 'body failed validation: body.filename.length should be ≤ `900` bytes, instead was `954`.',
      });
      // A name given in the body is kept as written, escapes and all.
      const given = await c.fileUploads.create({
        mode: 'external_url',
        external_url: `${base}/doc.pdf`,
        filename: '100%25.pdf',
      });
      expect(given.filename).toBe('100%25.pdf');
    });

    it('ends failed with file_too_large over the limit, declared or streamed', async () => {
      const c = local.client();
      for (const [path, message] of [
        [
          'big.pdf',
          'The file is 2048 bytes, larger than the limit of 1024 bytes (max_file_upload_size_in_bytes).',
        ],
        ['streamed.pdf', 'The file is larger than the limit of 1024 bytes (max_file_upload_size_in_bytes).'],
      ] as const) {
        const created = await c.fileUploads.create({ mode: 'external_url', external_url: `${base}/${path}` });
        expect(await settled(c, created.id)).toMatchObject({
          status: 'failed',
          file_import_result: { error: { type: 'validation_error', code: 'file_too_large', message } },
        });
      }
    });

    it('refuses http URLs when the switch is off', async () => {
      const err = await failure(
        client.fileUploads.create({ mode: 'external_url', external_url: `${base}/doc.pdf` }),
      );
      expect(err.message).toBe(
        `body failed validation: body.external_url should be an https URL, instead was \`"${base}/doc.pdf"\`.`,
      );
    });

    it('refuses, after DNS, a name that resolves to a private address when the switch is off', async (ctx) => {
      // This machine's own name resolves to a loopback or private address on most hosts.
      const name = hostname();
      const address = await lookup(name).catch(() => null);
      if (!address || !isPrivateAddress(address.address)) ctx.skip();
      const created = await client.fileUploads.create({
        mode: 'external_url',
        external_url: `https://${name}/doc.pdf`,
      });
      const failed = await settled(client, created.id);
      expect(failed).toMatchObject({
        status: 'failed',
        file_import_result: { type: 'error', error: { type: 'validation_error', code: 'private_address' } },
      });
    });
  });
});

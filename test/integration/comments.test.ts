/*
 * Comments through the official SDK, on both engines and every API version: discussions on pages
 * and blocks, replies, markdown bodies, attachments, display names, paging, edits and deletions,
 * capabilities, and sharing (what an integration cannot see is a 404 exactly like a missing id).
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { failure, full, rt, VERSIONS } from './comments-support.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describeEngines('comments', (engine) => {
  let h: Harness;
  let client: Client;
  let page: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    client = h.client();
    page = (
      await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt('Notes') } },
      })
    ).id;
  });
  afterAll(() => h.close());

  const newPage = async (title: string) =>
    (
      await client.pages.create({
        parent: { page_id: h.rootPageId },
        properties: { title: { title: rt(title) } },
      })
    ).id;

  describe('POST /v1/comments', () => {
    it.each(VERSIONS)('starts a discussion on a page (%s)', async (version) => {
      const c = full(
        await h
          .client({ version })
          .comments.create({ parent: { page_id: page }, rich_text: rt('Looks good') }),
      );
      expect(Object.keys(c)).toEqual([
        'object',
        'id',
        'parent',
        'discussion_id',
        'created_time',
        'last_edited_time',
        'created_by',
        'rich_text',
        'display_name',
      ]);
      expect(c.parent).toEqual({ type: 'page_id', page_id: page });
      expect(c.created_by).toEqual({ object: 'user', id: (await client.users.me({})).id });
      expect(c.rich_text[0]!.plain_text).toBe('Looks good');
      expect(c.display_name).toEqual({ type: 'integration', resolved_name: 'Octavo Quickstart' });
      expect(c.created_time).toMatch(/:00\.000Z$/);
    });

    it('replies in a discussion and anchors discussions to blocks', async () => {
      const [para] = (
        await client.blocks.children.append({
          block_id: page,
          children: [{ paragraph: { rich_text: rt('Anchor') } }],
        })
      ).results;
      const first = full(
        await client.comments.create({ parent: { block_id: para!.id }, rich_text: rt('On a block') }),
      );
      expect(first.parent).toEqual({ type: 'block_id', block_id: para!.id });
      const reply = full(
        await client.comments.create({ discussion_id: first.discussion_id, rich_text: rt('Reply') }),
      );
      expect(reply.discussion_id).toBe(first.discussion_id);
      expect(reply.parent).toEqual(first.parent);
      const list = await client.comments.list({ block_id: para!.id });
      expect(list.results.map((r) => r.id)).toEqual([first.id, reply.id]);
      const onPage = await client.comments.list({ block_id: page });
      expect(onPage.results.some((r) => r.id === first.id)).toBe(false);
      // A page named as a block is the page.
      const viaBlock = full(await client.comments.create({ parent: { block_id: page }, rich_text: rt('x') }));
      expect(viaBlock.parent).toEqual({ type: 'page_id', page_id: page });
    });

    it('writes markdown as rich text: formatting, links, equations, mentions', async () => {
      const target = await newPage('Roadmap');
      const c = full(
        await client.comments.create({
          parent: { page_id: page },
          markdown: `**bold** *it* ~~gone~~ \`code\` [site](https://example.com) $x^2$ <mention-page url="${BASE_URL}/p/${target.replaceAll('-', '')}"/> <mention-date start="2026-01-02"/>`,
        }),
      );
      const items = c.rich_text.map((r) => [r.type, r.plain_text, r.annotations, r.href] as const);
      const plain = {
        bold: false,
        italic: false,
        strikethrough: false,
        underline: false,
        code: false,
        color: 'default',
      };
      expect(items).toEqual([
        ['text', 'bold', { ...plain, bold: true }, null],
        ['text', ' ', plain, null],
        ['text', 'it', { ...plain, italic: true }, null],
        ['text', ' ', plain, null],
        ['text', 'gone', { ...plain, strikethrough: true }, null],
        ['text', ' ', plain, null],
        ['text', 'code', { ...plain, code: true }, null],
        ['text', ' ', plain, null],
        ['text', 'site', plain, 'https://example.com'],
        ['text', ' ', plain, null],
        ['equation', 'x^2', plain, null],
        ['text', ' ', plain, null],
        ['mention', 'Roadmap', plain, expect.stringContaining(target.replaceAll('-', ''))],
        ['text', ' ', plain, null],
        ['mention', '2026-01-02', plain, null],
      ]);
    });

    it('reads mention tags with content and tags that open a line', async () => {
      const me = (await client.users.me({})).id;
      const target = await newPage('Plan');
      const c = full(
        await client.comments.create({
          parent: { page_id: page },
          markdown: `Hi <mention-user url="user://${me}">someone</mention-user>, see\n\n<mention-page url="${BASE_URL}/p/${target.replaceAll('-', '')}"/> and **more**\n- item`,
        }),
      );
      expect(c.rich_text.map((r) => r.plain_text)).toEqual([
        'Hi ',
        '@Octavo Quickstart',
        ', see\n',
        'Plan',
        ' and ',
        'more',
        '\nitem',
      ]);
    });

    it('attaches up to three uploads, shown as hosted files', async () => {
      const upload = await client.fileUploads.create({ filename: 'shot.png' });
      await client.fileUploads.send({
        file_upload_id: upload.id,
        file: { filename: 'shot.png', data: new Blob([PNG], { type: 'image/png' }) },
      });
      const c = full(
        await client.comments.create({
          parent: { page_id: page },
          rich_text: rt('See screenshot'),
          attachments: [{ file_upload_id: upload.id }],
        }),
      );
      expect(c.attachments).toHaveLength(1);
      expect(c.attachments![0]!.category).toBe('image');
      const url = c.attachments![0]!.file.url;
      expect(url.startsWith(`${BASE_URL}/files/${upload.id}/shot.png?`)).toBe(true);
      const served = await h.app.request(url);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
      expect((await client.fileUploads.retrieve({ file_upload_id: upload.id })).expiry_time).toBeNull();

      const four = Array.from({ length: 4 }, () => ({ file_upload_id: upload.id }));
      const err = await failure(
        client.comments.create({ parent: { page_id: page }, rich_text: rt('x'), attachments: four }),
      );
      expect(err.message).toBe(
        'body failed validation: body.attachments.length should be ≤ `3`, instead was `4`.',
      );
    });

    it('shows the display name asked for', async () => {
      const user = full(
        await client.comments.create({
          parent: { page_id: page },
          rich_text: rt('u'),
          display_name: { type: 'user' },
        }),
      );
      expect(user.display_name).toEqual({ type: 'user', resolved_name: 'Admin' });
      const custom = full(
        await client.comments.create({
          parent: { page_id: page },
          rich_text: rt('c'),
          display_name: { type: 'custom', custom: { name: 'Release bot' } },
        }),
      );
      expect(custom.display_name).toEqual({ type: 'custom', resolved_name: 'Release bot' });
    });

    it('refuses bad input and changes nothing', async () => {
      const target = await newPage('Untouched');
      const upload = await client.fileUploads.create({ filename: 'never-sent.png' });
      const err = await failure(
        client.comments.create({
          parent: { page_id: target },
          rich_text: rt('x'),
          attachments: [{ file_upload_id: upload.id }],
        }),
      );
      expect(err.code).toBe('validation_error');
      expect(err.message).toContain('body.attachments[0].file_upload_id');
      expect((await client.comments.list({ block_id: target })).results).toEqual([]);
      const both = await failure(
        client.comments.create({ parent: { page_id: target }, rich_text: rt('x'), markdown: 'y' } as never),
      );
      expect(both.message).toBe(
        'body failed validation: body.markdown should be not present, instead was `"y"`.',
      );
      const neither = await failure(client.comments.create({ parent: { page_id: target } } as never));
      expect(neither.message).toBe(
        'body failed validation. Fix one:\nbody.rich_text should be defined, instead was `undefined`.\nbody.markdown should be defined, instead was `undefined`.',
      );
    });
  });

  describe('GET /v1/comments', () => {
    it.each(VERSIONS)('pages through open discussions in order (%s)', async (version) => {
      const c = h.client({ version });
      const target = await newPage(`Paging ${version}`);
      const a = full(await c.comments.create({ parent: { page_id: target }, rich_text: rt('a1') }));
      const b = full(await c.comments.create({ parent: { page_id: target }, rich_text: rt('b1') }));
      const a2 = full(await c.comments.create({ discussion_id: a.discussion_id, rich_text: rt('a2') }));
      const b2 = full(await c.comments.create({ discussion_id: b.discussion_id, rich_text: rt('b2') }));
      const a3 = full(await c.comments.create({ discussion_id: a.discussion_id, rich_text: rt('a3') }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await c.comments.list({
          block_id: target,
          page_size: 2,
          ...(cursor ? { start_cursor: cursor } : {}),
        });
        expect(res.results.length).toBeLessThanOrEqual(2);
        seen.push(...res.results.map((r) => r.id));
        cursor = res.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([a.id, a2.id, a3.id, b.id, b2.id]);
    });

    it('leaves resolved discussions out', async () => {
      const target = await newPage('Resolved');
      const open = full(await client.comments.create({ parent: { page_id: target }, rich_text: rt('open') }));
      const done = full(await client.comments.create({ parent: { page_id: target }, rich_text: rt('done') }));
      await h.store.transaction((tx) =>
        tx.comments.setResolved(done.discussion_id, new Date().toISOString()),
      );
      expect((await client.comments.list({ block_id: target })).results.map((r) => r.id)).toEqual([open.id]);
      expect((await client.comments.retrieve({ comment_id: done.id })).id).toBe(done.id);
    });
  });

  describe('GET, PATCH and DELETE /v1/comments/{id}', () => {
    it.each(VERSIONS)('retrieves, edits and deletes a comment (%s)', async (version) => {
      const c = h.client({ version });
      const made = full(await c.comments.create({ parent: { page_id: page }, rich_text: rt('draft') }));
      expect(full(await c.comments.retrieve({ comment_id: made.id }))).toEqual(made);
      const edited = full(await c.comments.update({ comment_id: made.id, markdown: 'final **text**' }));
      expect(edited.rich_text.map((r) => r.plain_text)).toEqual(['final ', 'text']);
      expect(edited.discussion_id).toBe(made.discussion_id);
      const gone = full(await c.comments.delete({ comment_id: made.id }));
      expect(gone.id).toBe(made.id);
      expect((await failure(c.comments.retrieve({ comment_id: made.id }))).code).toBe('object_not_found');
      // The discussion went with its last comment.
      expect(
        (await failure(c.comments.create({ discussion_id: made.discussion_id, rich_text: rt('x') }))).status,
      ).toBe(404);
    });

    it("refuses to change another integration's comment", async () => {
      const otherToken = await h.newIntegration('Colleague');
      const shared = await h.newRootPage('Team page', ['Octavo Quickstart', 'Colleague']);
      const mine = full(await client.comments.create({ parent: { page_id: shared }, rich_text: rt('mine') }));
      const other = h.client({ token: otherToken });
      const err = await failure(other.comments.update({ comment_id: mine.id, rich_text: rt('theirs') }));
      expect([err.status, err.code]).toEqual([403, 'restricted_resource']);
      expect((await failure(other.comments.delete({ comment_id: mine.id }))).status).toBe(403);
      expect(full(await client.comments.retrieve({ comment_id: mine.id })).rich_text[0]!.plain_text).toBe(
        'mine',
      );
    });
  });
});

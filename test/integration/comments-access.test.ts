/*
 * Who may read and write comments: the comment capabilities (403 without them) and sharing (a
 * page, block, discussion or comment the integration cannot see is a 404 exactly like a missing
 * id), an author's own comments, and mentions in comments shown as each reader sees them.
 */
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { failure, full, MISSING, rt, shape } from './comments-support.ts';

describeEngines('comments: capabilities and sharing', (engine) => {
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

  describe('capabilities and sharing', () => {
    it('needs read_comments to read and insert_comments to write', async () => {
      const readOnly = h.client({
        token: await h.newIntegration('No comments', ['read_content', 'insert_content']),
      });
      await h.newRootPage('Visible', ['No comments']);
      for (const call of [
        () => readOnly.comments.list({ block_id: page }),
        () => readOnly.comments.retrieve({ comment_id: MISSING }),
        () => readOnly.comments.create({ parent: { page_id: page }, rich_text: rt('x') }),
        () => readOnly.comments.update({ comment_id: MISSING, rich_text: rt('x') }),
        () => readOnly.comments.delete({ comment_id: MISSING }),
      ]) {
        const err = await failure(call());
        expect([err.status, err.code]).toEqual([403, 'restricted_resource']);
      }
    });

    it('answers for what it cannot see exactly as for what does not exist', async () => {
      const outsider = h.client({ token: await h.newIntegration('Outsider') });
      await h.newRootPage('Outsider home', ['Outsider']);
      const [para] = (
        await client.blocks.children.append({
          block_id: page,
          children: [{ paragraph: { rich_text: rt('p') } }],
        })
      ).results;
      const secret = full(
        await client.comments.create({ parent: { page_id: page }, rich_text: rt('secret') }),
      );
      const pairs: Array<[(id: string) => Promise<unknown>, string]> = [
        [(id) => outsider.comments.create({ parent: { page_id: id }, rich_text: rt('x') }), page],
        [(id) => outsider.comments.create({ parent: { block_id: id }, rich_text: rt('x') }), para!.id],
        [(id) => outsider.comments.create({ discussion_id: id, rich_text: rt('x') }), secret.discussion_id],
        [(id) => outsider.comments.list({ block_id: id }), page],
        [(id) => outsider.comments.retrieve({ comment_id: id }), secret.id],
        [(id) => outsider.comments.update({ comment_id: id, rich_text: rt('x') }), secret.id],
        [(id) => outsider.comments.delete({ comment_id: id }), secret.id],
      ];
      for (const [call, hidden] of pairs) {
        const unshared = await failure(call(hidden));
        const missing = await failure(call(MISSING));
        expect(unshared.status).toBe(404);
        expect(shape(unshared, hidden)).toEqual(shape(missing, MISSING));
      }
      expect((await client.comments.list({ block_id: page })).results.some((r) => r.id === secret.id)).toBe(
        true,
      );
    });

    it("takes a data source's id for no block: listing and commenting answer as for a missing id", async () => {
      const db = await client.databases.create({
        parent: { type: 'page_id', page_id: page },
        title: rt('Tracked'),
        initial_data_source: { properties: { Name: { title: {} } } },
      });
      const dataSourceId = (db as { data_sources: { id: string }[] }).data_sources[0]!.id;
      const calls: Array<(id: string) => Promise<unknown>> = [
        (id) => client.comments.list({ block_id: id }),
        (id) => client.comments.create({ parent: { block_id: id }, rich_text: rt('x') }),
      ];
      for (const call of calls) {
        const named = await failure(call(dataSourceId));
        const missing = await failure(call(MISSING));
        expect(named.status).toBe(404);
        expect(shape(named, dataSourceId)).toEqual(shape(missing, MISSING));
      }
    });

    it('shows mentions in comments as each reader sees them', async () => {
      const secretPage = await newPage('Acquisition target');
      const reader = h.client({ token: await h.newIntegration('Reader') });
      const shared = await h.newRootPage('Both', ['Octavo Quickstart', 'Reader']);
      const made = full(
        await client.comments.create({
          parent: { page_id: shared },
          rich_text: [{ mention: { page: { id: secretPage } } }],
        }),
      );
      expect(made.rich_text[0]!.plain_text).toBe('Acquisition target');
      const seen = full(await reader.comments.retrieve({ comment_id: made.id }));
      expect(seen.rich_text[0]!.plain_text).toBe('Untitled');
      const listed = await reader.comments.list({ block_id: shared });
      expect(JSON.stringify(listed)).not.toContain('Acquisition');
    });
  });
});

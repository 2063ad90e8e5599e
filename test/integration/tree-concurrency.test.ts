/*
 * Writers of the page tree racing each other. Every scenario ends with the same invariants: no
 * answer is a 5xx, no parent chain loops, every page is still reachable by the integration that
 * owns it, and nothing written is lost. On Postgres the requests really run at once (a pool of
 * connections); on SQLite they interleave between statements of different transactions only as
 * far as the driver allows, so the same suite checks that the serial engine agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Rounds per race: enough to have hit the crossed-moves race most tries before it was fixed. */
const ROUNDS = 12;

describeEngines('page tree under concurrent writers', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await h.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function newPage(parent: string, title: string): Promise<string> {
    const res = await call('POST', '/v1/pages', {
      parent: { page_id: parent },
      properties: { title: [{ text: { content: title } }] },
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  }

  const move = (id: string, under: string) =>
    call('POST', `/v1/pages/${id}/move`, { parent: { type: 'page_id', page_id: under } });

  /** Reads the parent chain of `id` through the API: it must reach the shared root, loop-free. */
  async function expectReachable(id: string): Promise<void> {
    const seen = new Set<string>();
    let current = id;
    while (current !== h.rootPageId) {
      expect(seen.has(current), `parent chain of ${id} loops at ${current}`).toBe(false);
      seen.add(current);
      const res = await call('GET', `/v1/pages/${current}`);
      expect(res.status, `page ${current} (an ancestor of ${id}) is readable`).toBe(200);
      const parent = res.body.parent as { type: string; page_id?: string };
      expect(parent.type).toBe('page_id');
      current = parent.page_id!;
    }
  }

  function expectNo5xx(answers: Answer[]): void {
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBeLessThan(500);
  }

  describe('POST /v1/pages/{id}/move', () => {
    it('lets exactly one of two crossed moves win, and the loser is a validation_error', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const a = await newPage(h.rootPageId, `A${round}`);
        const b = await newPage(h.rootPageId, `B${round}`);
        const answers = await Promise.all([move(a, b), move(b, a)]);
        expectNo5xx(answers);
        expect(answers.map((x) => x.status).sort()).toEqual([200, 400]);
        expect(answers.find((x) => x.status === 400)!.body.code).toBe('validation_error');
        await expectReachable(a);
        await expectReachable(b);
      }
    });

    it('never closes a loop of three pages moved under each other at once', async () => {
      for (let round = 0; round < ROUNDS / 2; round++) {
        const [a, b, c] = [
          await newPage(h.rootPageId, `ring a${round}`),
          await newPage(h.rootPageId, `ring b${round}`),
          await newPage(h.rootPageId, `ring c${round}`),
        ];
        const answers = await Promise.all([move(a, b), move(b, c), move(c, a)]);
        expectNo5xx(answers);
        expect(answers.filter((x) => x.status === 200).length).toBe(2);
        for (const id of [a, b, c]) await expectReachable(id);
      }
    });

    it('keeps a subtree reachable while its pages are moved about and a chain is moved under its tail', async () => {
      const chain = [await newPage(h.rootPageId, 'chain 0')];
      for (let i = 1; i < 5; i++) chain.push(await newPage(chain[i - 1]!, `chain ${i}`));
      const other = await newPage(h.rootPageId, 'other');
      const answers = await Promise.all([
        move(chain[0]!, chain[4]!),
        move(chain[2]!, other),
        move(other, chain[3]!),
        move(chain[4]!, chain[1]!),
      ]);
      expectNo5xx(answers);
      for (const id of [...chain, other]) await expectReachable(id);
    });

    it('races moves with trashing and restoring the new parent without losing a page', async () => {
      for (let round = 0; round < ROUNDS / 2; round++) {
        const target = await newPage(h.rootPageId, `target ${round}`);
        const moved = await newPage(h.rootPageId, `moved ${round}`);
        const answers = await Promise.all([
          move(moved, target),
          call('PATCH', `/v1/pages/${target}`, { in_trash: true }),
          call('PATCH', `/v1/pages/${target}`, { in_trash: false }),
        ]);
        expectNo5xx(answers);
        await expectReachable(moved);
        await expectReachable(target);
      }
    });
  });

  describe('PATCH /v1/databases/{id} with a new parent', () => {
    it('refuses to move a database under its own row while that row is moved away', async () => {
      const holder = await newPage(h.rootPageId, 'db holder');
      const db = await call('POST', '/v1/databases', {
        parent: { type: 'page_id', page_id: holder },
        title: [{ text: { content: 'Racing db' } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      });
      expect(db.status).toBe(200);
      const dbId = db.body.id as string;
      const sibling = await newPage(h.rootPageId, 'db sibling');
      const answers = await Promise.all([
        call('PATCH', `/v1/databases/${dbId}`, { parent: { type: 'page_id', page_id: sibling } }),
        move(sibling, holder),
        move(holder, sibling),
      ]);
      expectNo5xx(answers);
      await expectReachable(holder);
      await expectReachable(sibling);
      const after = await call('GET', `/v1/databases/${dbId}`);
      expect(after.status).toBe(200);
      await expectReachable((after.body.parent as { page_id: string }).page_id);
    });
  });

  describe('PATCH /v1/blocks/{id}/children in parallel', () => {
    it('keeps every block of parallel appends and new child pages, each once, in a stable order', async () => {
      const page = await newPage(h.rootPageId, 'parallel appends');
      const first = await call('PATCH', `/v1/blocks/${page}/children`, {
        children: [{ paragraph: { rich_text: [{ text: { content: 'anchor' } }] } }],
      });
      const anchor = (first.body.results as { id: string }[])[0]!.id;
      const texts = Array.from({ length: 10 }, (_, i) => `after ${i}`);
      const answers = await Promise.all([
        ...texts.map((t) =>
          call('PATCH', `/v1/blocks/${page}/children`, {
            after: anchor,
            children: [{ paragraph: { rich_text: [{ text: { content: t } }] } }],
          }),
        ),
        ...[0, 1, 2].map((i) =>
          call('PATCH', `/v1/blocks/${page}/children`, {
            position: { type: 'start' },
            children: [{ paragraph: { rich_text: [{ text: { content: `start ${i}` } }] } }],
          }),
        ),
        ...[0, 1, 2].map((i) =>
          call('POST', '/v1/pages', {
            parent: { page_id: page },
            properties: { title: [{ text: { content: `page ${i}` } }] },
          }),
        ),
        ...[0, 1, 2].map((i) =>
          call('PATCH', `/v1/blocks/${page}/children`, {
            children: [
              { paragraph: { rich_text: [{ text: { content: `pair ${i}` } }] } },
              { paragraph: { rich_text: [{ text: { content: `end ${i}` } }] } },
            ],
          }),
        ),
      ]);
      expectNo5xx(answers);
      for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
      const listed = await call('GET', `/v1/blocks/${page}/children?page_size=100`);
      const results = listed.body.results as {
        type: string;
        paragraph?: { rich_text: { plain_text: string }[] };
        child_page?: { title: string };
      }[];
      const labels = results.map((b) => b.paragraph?.rich_text[0]?.plain_text ?? b.child_page?.title ?? '');
      const pages = labels.filter((l) => l.startsWith('page '));
      expect(pages.sort()).toEqual(['page 0', 'page 1', 'page 2']);
      expect(labels).toHaveLength(1 + texts.length + 3 + 6 + 3);
      expect(labels.slice(0, 3).sort()).toEqual(['start 0', 'start 1', 'start 2']);
      expect(labels[3]).toBe('anchor');
      expect(labels.slice(4, 4 + texts.length).sort()).toEqual([...texts].sort());
      const tail = labels.slice(4 + texts.length).filter((l) => !l.startsWith('page '));
      for (let i = 0; i < 3; i++) {
        // Each request's two blocks stay together, in request order.
        const at = tail.indexOf(`pair ${i}`);
        expect(tail[at + 1]).toBe(`end ${i}`);
      }
      const again = await call('GET', `/v1/blocks/${page}/children?page_size=100`);
      expect((again.body.results as { id: string }[]).map((b) => b.id)).toEqual(
        (listed.body.results as { id: string }[]).map((b) => b.id),
      );
    });
  });

  describe('PATCH /v1/pages/{id} of a page outside a data source, in parallel', () => {
    it('keeps both changes when one writer sets the icon and the other the title', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = await newPage(h.rootPageId, `Before ${round}`);
        const [icon, title] = await Promise.all([
          call('PATCH', `/v1/pages/${id}`, { icon: { type: 'emoji', emoji: '🎯' } }),
          call('PATCH', `/v1/pages/${id}`, {
            properties: { title: [{ text: { content: `After ${round}` } }] },
          }),
        ]);
        expect([icon.status, title.status]).toEqual([200, 200]);
        const read = await call('GET', `/v1/pages/${id}`);
        const props = read.body.properties as { title: { title: { plain_text: string }[] } };
        expect({
          icon: (read.body.icon as { emoji?: string } | null)?.emoji,
          title: props.title.title.map((t) => t.plain_text).join(''),
        }).toEqual({ icon: '🎯', title: `After ${round}` });
      }
    });
  });
});

import type { BlockObjectRequest, UpdateBlockParameters } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const rt = (content: string) => [{ text: { content } }];
const para = (content: string) => ({ paragraph: { rich_text: rt(content) } });

type Block = Record<string, unknown> & { id: string; type: string; has_children: boolean; in_trash: boolean };
const textOf = (b: Block) =>
  ((b[b.type] as { rich_text: { plain_text: string }[] }).rich_text ?? []).map((r) => r.plain_text).join('');

describeEngines('blocks', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  async function newPage(title: string, children: BlockObjectRequest[] = []) {
    return h.client().pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: rt(title) } },
      children,
    });
  }
  const list = async (id: string) =>
    (await h.client().blocks.children.list({ block_id: id })).results as Block[];
  const append = async (id: string, children: BlockObjectRequest[], c = h.client()) =>
    (await c.blocks.children.append({ block_id: id, children })).results as Block[];
  const update = async (params: UpdateBlockParameters, c = h.client()) =>
    (await c.blocks.update(params)) as Block;
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => ({ code: 'none', message: '' }) as { code: string; message: string },
      (e) => e,
    );
  const raw = (id: string) => h.store.transaction(async (tx) => (await tx.blocks.get(id))!);

  describe('GET /v1/blocks/{id} and /children', () => {
    it('retrieves a block with parent, authors and times', async () => {
      const page = await newPage('Retrieve', [para('hello')]);
      const [listed] = await list(page.id);
      const block = (await h.client().blocks.retrieve({ block_id: listed!.id.replaceAll('-', '') })) as Block;
      const me = await h.client().users.me({});
      expect(block).toMatchObject({
        object: 'block',
        id: listed!.id,
        parent: { type: 'page_id', page_id: page.id },
        created_by: { object: 'user', id: me.id },
        last_edited_by: { object: 'user', id: me.id },
        has_children: false,
        in_trash: false,
        archived: false,
      });
      expect(block.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    });

    it('paginates children with page_size and start_cursor, next_cursor null at the end', async () => {
      const page = await newPage('Paging', ['a', 'b', 'c', 'd', 'e'].map(para));
      const first = await h.client().blocks.children.list({ block_id: page.id, page_size: 2 });
      expect(first.results.map((b) => textOf(b as Block))).toEqual(['a', 'b']);
      expect(first.has_more).toBe(true);
      const second = await h
        .client()
        .blocks.children.list({ block_id: page.id, page_size: 2, start_cursor: first.next_cursor! });
      expect(second.results.map((b) => textOf(b as Block))).toEqual(['c', 'd']);
      const last = await h
        .client()
        .blocks.children.list({ block_id: page.id, page_size: 2, start_cursor: second.next_cursor! });
      expect(last.results.map((b) => textOf(b as Block))).toEqual(['e']);
      expect(last).toMatchObject({ has_more: false, next_cursor: null, type: 'block', block: {} });
      const bad = await failure(h.client().blocks.children.list({ block_id: page.id, page_size: 101 }));
      expect(bad.message).toBe(
        'query failed validation: query.page_size should be ≤ `100`, instead was `101`.',
      );
    });

    it('reports has_children, and nested blocks name their parent block', async () => {
      const page = await newPage('Children', [
        { toggle: { rich_text: rt('t'), children: [para('inner')] } },
        para('leaf'),
      ]);
      const [toggle, leaf] = await list(page.id);
      expect([toggle!.has_children, leaf!.has_children]).toEqual([true, false]);
      const [inner] = await list(toggle!.id);
      expect(inner!.parent).toEqual({ type: 'block_id', block_id: toggle!.id });
      await append(leaf!.id, [para('now nested')]);
      expect(((await h.client().blocks.retrieve({ block_id: leaf!.id })) as Block).has_children).toBe(true);
    });

    it('answers 404 for unknown and unshared blocks', async () => {
      const secret = await h.newRootPage('Not shared');
      for (const id of ['33333333333333333333333333333333', secret]) {
        const err = await failure(h.client().blocks.retrieve({ block_id: id }));
        expect(err.code).toBe('object_not_found');
        const listErr = await failure(h.client().blocks.children.list({ block_id: id }));
        expect(listErr.code).toBe('object_not_found');
      }
    });
  });

  describe('PATCH /v1/blocks/{id}/children positions', () => {
    it('appends at the end by default and after a block with `after` (2025-09-03)', async () => {
      const page = await newPage('After', [para('1'), para('3')]);
      const [one] = await list(page.id);
      await append(page.id, [para('4')]);
      const inserted = await h
        .client()
        .blocks.children.append({ block_id: page.id, after: one!.id, children: [para('2a'), para('2b')] });
      expect(inserted.results.map((b) => textOf(b as Block))).toEqual(['2a', '2b']);
      expect((await list(page.id)).map(textOf)).toEqual(['1', '2a', '2b', '3', '4']);
    });

    it('takes position start, end and after_block under 2026-03-11 and refuses `after` there', async () => {
      const c = h.client({ version: '2026-03-11' });
      const page = await newPage('Position', [para('m')]);
      const [m] = await list(page.id);
      await c.blocks.children.append({
        block_id: page.id,
        position: { type: 'start' },
        children: [para('s')],
      });
      await c.blocks.children.append({ block_id: page.id, position: { type: 'end' }, children: [para('e')] });
      await c.blocks.children.append({
        block_id: page.id,
        position: { type: 'after_block', after_block: { id: m!.id } },
        children: [para('m2')],
      });
      expect((await list(page.id)).map(textOf)).toEqual(['s', 'm', 'm2', 'e']);
      const err = await failure(
        c.blocks.children.append({ block_id: page.id, after: m!.id, children: [para('x')] }),
      );
      expect(err.code).toBe('validation_error');
      expect(err.message).toBe(
        `body failed validation: body.after should be not present, instead was \`"${m!.id}"\`.`,
      );
      const foreign = await newPage('Other', [para('o')]);
      const [o] = await list(foreign.id);
      const notChild = await failure(
        c.blocks.children.append({
          block_id: page.id,
          position: { type: 'after_block', after_block: { id: o!.id } },
          children: [para('x')],
        }),
      );
      expect(notChild.code).toBe('object_not_found');
      expect((await list(page.id)).map(textOf)).toEqual(['s', 'm', 'm2', 'e']);
    });

    it('updates the parent last_edited_time and by on append', async () => {
      const page = await newPage('Touch');
      const before = await raw(page.id);
      await new Promise((r) => setTimeout(r, 5));
      const [child] = await append(page.id, [{ toggle: { rich_text: [] } }]);
      const after = await raw(page.id);
      expect(after.last_edited_time > before.last_edited_time).toBe(true);
      const childBefore = await raw(child!.id);
      await new Promise((r) => setTimeout(r, 5));
      await append(child!.id, [para('x')]);
      // Appending under a block marks the block and its page as edited.
      expect((await raw(child!.id)).last_edited_time > childBefore.last_edited_time).toBe(true);
      expect((await raw(page.id)).last_edited_time > after.last_edited_time).toBe(true);
    });
  });

  describe('PATCH /v1/blocks/{id}', () => {
    it('updates text blocks: rich_text, color, checked, is_toggleable, icon', async () => {
      const page = await newPage('Update text', [
        para('p'),
        { to_do: { rich_text: rt('t') } },
        { heading_2: { rich_text: rt('h') } },
        { callout: { rich_text: rt('c') } },
      ]);
      const [p, todo, heading, callout] = await list(page.id);
      const up = await update({
        block_id: p!.id,
        type: 'paragraph',
        paragraph: {
          rich_text: [{ text: { content: 'bold' }, annotations: { bold: true } }],
          color: 'green',
        },
      });
      expect(up.paragraph).toMatchObject({
        icon: null,
        color: 'green',
        rich_text: [{ plain_text: 'bold', annotations: { bold: true } }],
      });
      const checked = await update({ block_id: todo!.id, to_do: { checked: true } } as UpdateBlockParameters);
      expect(checked.to_do).toMatchObject({
        checked: true,
        color: 'default',
        rich_text: [{ plain_text: 't' }],
      });
      const toggled = await update({
        block_id: heading!.id,
        heading_2: { is_toggleable: true },
      } as UpdateBlockParameters);
      expect(toggled.heading_2).toMatchObject({ is_toggleable: true, rich_text: [{ plain_text: 'h' }] });
      await append(heading!.id, [para('now allowed')]);
      const iconed = await update({
        block_id: callout!.id,
        callout: { icon: { emoji: '💡' } },
      } as UpdateBlockParameters);
      expect(iconed.callout).toEqual(expect.objectContaining({ icon: { type: 'emoji', emoji: '💡' } }));
      expect(Object.keys(iconed.callout as object)).toEqual(['rich_text', 'icon', 'color']);
    });

    it('updates code, equation, media, bookmark, embed, table of contents and link_to_page', async () => {
      const target = await newPage('Target');
      const page = await newPage('Update others', [
        { code: { rich_text: rt('x'), language: 'python' } },
        { equation: { expression: 'a' } },
        { image: { external: { url: 'https://example.com/a.png' } } },
        { file: { external: { url: 'https://example.com/a.bin' } } },
        { bookmark: { url: 'https://example.com/old' } },
        { embed: { url: 'https://example.com/embed' } },
        { table_of_contents: {} },
        { link_to_page: { page_id: h.rootPageId } },
      ]);
      const [code, eq, image, file, bookmark, embed, toc, link] = await list(page.id);
      expect(
        (
          await update({
            block_id: code!.id,
            code: { language: 'rust', caption: rt('cap') },
          } as UpdateBlockParameters)
        ).code,
      ).toMatchObject({
        language: 'rust',
        caption: [{ plain_text: 'cap' }],
        rich_text: [{ plain_text: 'x' }],
      });
      expect((await update({ block_id: eq!.id, equation: { expression: 'b^2' } })).equation).toEqual({
        expression: 'b^2',
      });
      expect(
        (
          await update({
            block_id: image!.id,
            image: { external: { url: 'https://example.com/b.png' }, caption: rt('c') },
          })
        ).image,
      ).toMatchObject({
        type: 'external',
        external: { url: 'https://example.com/b.png' },
        caption: [{ plain_text: 'c' }],
      });
      expect((await update({ block_id: file!.id, file: { name: 'renamed.bin' } })).file).toMatchObject({
        name: 'renamed.bin',
        external: { url: 'https://example.com/a.bin' },
      });
      expect(
        (await update({ block_id: bookmark!.id, bookmark: { url: 'https://example.com/new' } })).bookmark,
      ).toEqual({
        caption: [],
        url: 'https://example.com/new',
      });
      expect((await update({ block_id: embed!.id, embed: { caption: rt('e') } })).embed).toMatchObject({
        url: 'https://example.com/embed',
      });
      expect(
        (await update({ block_id: toc!.id, table_of_contents: { color: 'red' } })).table_of_contents,
      ).toEqual({ color: 'red' });
      expect(
        (await update({ block_id: link!.id, link_to_page: { page_id: target.id } })).link_to_page,
      ).toEqual({
        type: 'page_id',
        page_id: target.id,
      });
      const secret = await h.newRootPage('Hidden target');
      const hidden = await failure(update({ block_id: link!.id, link_to_page: { page_id: secret } }));
      expect(hidden.code).toBe('object_not_found');
      const upload = await failure(update({ block_id: image!.id, image: { file_upload: { id: secret } } }));
      expect(upload.message).toMatch(
        /^body failed validation: body\.image\.file_upload\.id should be the id of a file upload created by this integration/,
      );
    });

    it('updates tables (headers, not width), rows (same cell count) and columns (width_ratio)', async () => {
      const page = await newPage('Update tables', [
        { table: { table_width: 2, children: [{ table_row: { cells: [rt('a'), rt('b')] } }] } },
        {
          column_list: {
            children: [{ column: { children: [para('l')] } }, { column: { children: [para('r')] } }],
          },
        },
      ]);
      const [table, columns] = await list(page.id);
      expect((await update({ block_id: table!.id, table: { has_row_header: true } })).table).toEqual({
        table_width: 2,
        has_column_header: false,
        has_row_header: true,
      });
      const width = await failure(
        update({ block_id: table!.id, table: { table_width: 3 } } as unknown as UpdateBlockParameters),
      );
      expect(width.message).toBe(
        'body failed validation: body.table.table_width should be not present, instead was `3`.',
      );
      const [row] = await list(table!.id);
      const cells = await update({ block_id: row!.id, table_row: { cells: [rt('x'), []] } });
      expect((cells.table_row as { cells: unknown[][] }).cells.map((c) => c.length)).toEqual([1, 0]);
      const wrong = await failure(update({ block_id: row!.id, table_row: { cells: [rt('x')] } }));
      expect(wrong.message).toBe(
        'body failed validation: body.table_row.cells.length should be `2`, instead was `1`.',
      );
      const [left] = await list(columns!.id);
      expect((await update({ block_id: left!.id, column: { width_ratio: 0.3 } })).column).toEqual({
        width_ratio: 0.3,
      });
      // The SDK drops `column_list` from update bodies, so this one goes over raw HTTP.
      const res = await h.request(`/v1/blocks/${columns!.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ column_list: {} }),
      });
      const listUpdate = (await res.json()) as { message: string };
      expect(res.status).toBe(400);
      expect(listUpdate.message).toBe(
        'body failed validation: body.column_list should be not present, instead was `{}`.',
      );
    });

    it('refuses a mismatched type and payloads of another type', async () => {
      const page = await newPage('Mismatch', [para('p')]);
      const [p] = await list(page.id);
      const typeErr = await failure(
        update({ block_id: p!.id, type: 'to_do', to_do: { checked: true } } as UpdateBlockParameters),
      );
      expect(typeErr.message).toBe(
        'body failed validation: body.type should be `"paragraph"`, instead was `"to_do"`.',
      );
      const keyErr = await failure(
        update({ block_id: p!.id, to_do: { checked: true } } as UpdateBlockParameters),
      );
      expect(keyErr.message).toBe(
        'body failed validation: body.to_do should be not present, instead was `{"checked":true}`.',
      );
      const fieldErr = await failure(
        update({ block_id: p!.id, paragraph: { checked: true } } as unknown as UpdateBlockParameters),
      );
      expect(fieldErr.message).toBe(
        'body failed validation: body.paragraph.checked should be not present, instead was `true`.',
      );
      expect(textOf((await h.client().blocks.retrieve({ block_id: p!.id })) as Block)).toBe('p');
    });

    it('marks the page as edited when one of its blocks changes', async () => {
      const page = await newPage('Edited', [para('p')]);
      const [p] = await list(page.id);
      const before = await raw(page.id);
      await new Promise((r) => setTimeout(r, 5));
      await update({ block_id: p!.id, paragraph: { rich_text: rt('q') } });
      expect((await raw(page.id)).last_edited_time > before.last_edited_time).toBe(true);
    });
  });

  describe('DELETE /v1/blocks/{id} and restore', () => {
    it('trashes a block, hides it from its parent, and restores it with in_trash:false', async () => {
      const page = await newPage('Trash', [
        { toggle: { rich_text: rt('t'), children: [para('only child')] } },
      ]);
      const [toggle] = await list(page.id);
      const [child] = await list(toggle!.id);
      const deleted = (await h.client().blocks.delete({ block_id: child!.id })) as Block;
      expect(deleted).toMatchObject({ in_trash: true, archived: true });
      expect((await h.client().blocks.retrieve({ block_id: child!.id })) as Block).toMatchObject({
        in_trash: true,
      });
      expect(await list(toggle!.id)).toEqual([]);
      expect(((await h.client().blocks.retrieve({ block_id: toggle!.id })) as Block).has_children).toBe(
        false,
      );

      const edit = await failure(update({ block_id: child!.id, paragraph: { rich_text: rt('nope') } }));
      expect(edit).toMatchObject({
        code: 'validation_error',
        message: "Can't edit block that is archived. You must unarchive the block before editing.",
      });
      const appendErr = await failure(append(child!.id, [para('x')]));
      expect(appendErr.code).toBe('validation_error');

      const restored = await update({ block_id: child!.id, in_trash: false });
      expect(restored.in_trash).toBe(false);
      expect((await list(toggle!.id)).map((b) => b.id)).toEqual([child!.id]);
    });

    it('trashes with in_trash:true under 2026-03-11, which has no `archived`', async () => {
      const c = h.client({ version: '2026-03-11' });
      const page = await newPage('Trash 2026', [para('x')]);
      const [x] = await list(page.id);
      const trashed = await update({ block_id: x!.id, in_trash: true }, c);
      expect(trashed.in_trash).toBe(true);
      expect('archived' in trashed).toBe(false);
      const archivedErr = await failure(update({ block_id: x!.id, archived: false }, c));
      expect(archivedErr.message).toBe(
        'body failed validation: body.archived should be not present, instead was `false`.',
      );
      expect((await update({ block_id: x!.id, in_trash: false }, c)).in_trash).toBe(false);
    });

    it('restores with `archived:false` under 2022-06-28', async () => {
      const c = h.client({ version: '2022-06-28' });
      const page = await newPage('Trash 2022', [para('x')]);
      const [x] = await list(page.id);
      expect(((await c.blocks.delete({ block_id: x!.id })) as Block).archived).toBe(true);
      expect((await update({ block_id: x!.id, archived: false }, c)).in_trash).toBe(false);
    });
  });
});

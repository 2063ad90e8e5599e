import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  plain,
  type RowPage,
  rowClient,
  rowParent,
  shownParent,
  text,
  VERSIONS,
} from './rows-support.ts';

/** One property of every writable and computed type the SDK's schema union knows. */
const EVERYTHING = {
  Name: { title: {} },
  Notes: { rich_text: {} },
  Count: { number: { format: 'number' } },
  Tag: { select: { options: [{ name: 'A', color: 'red' }] } },
  Tags: { multi_select: { options: [{ name: 'x' }] } },
  Stage: { status: {} },
  When: { date: {} },
  Who: { people: {} },
  Docs: { files: {} },
  Done: { checkbox: {} },
  Link: { url: {} },
  Mail: { email: {} },
  Phone: { phone_number: {} },
  Created: { created_time: {} },
  Creator: { created_by: {} },
  Edited: { last_edited_time: {} },
  Editor: { last_edited_by: {} },
  Ticket: { unique_id: { prefix: 'TK' } },
};

describeEngines('database rows', (engine) => {
  let h: Harness;
  let adminId: string;
  let botId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    const users = await h.client().users.list({});
    adminId = users.results.find((u) => u.type === 'person')!.id;
    botId = (await h.client().users.me({})).id;
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      let db: Db;
      const client = () => rowClient(h, version);
      const create = async (properties: Record<string, unknown>) =>
        (await client().pages.create({ parent: rowParent(version, db), properties } as never)) as RowPage;
      const update = async (id: string, properties: Record<string, unknown>) =>
        (await client().pages.update({ page_id: id, properties } as never)) as RowPage;
      const schema = async () => {
        if (hasDataSources(version)) {
          return (
            (await client().dataSources.retrieve({ data_source_id: db.dataSourceId })) as never as {
              properties: Record<string, Record<string, unknown>>;
            }
          ).properties;
        }
        return (
          (await client().databases.retrieve({ database_id: db.databaseId })) as never as {
            properties: Record<string, Record<string, unknown>>;
          }
        ).properties;
      };
      beforeAll(async () => {
        db = await createDb(h, version, `Everything ${version}`, EVERYTHING);
      });

      describe('POST /v1/pages in a data source', () => {
        it('stores and shows every writable type', async () => {
          const page = await create({
            Name: { title: text('First') },
            Notes: { rich_text: text('Some notes') },
            Count: { number: 42.5 },
            Tag: { select: { name: 'A' } },
            Tags: { multi_select: [{ name: 'x' }, { name: 'y' }] },
            When: { date: { start: '2024-03-01' } },
            Who: { people: [{ object: 'user', id: adminId }] },
            Docs: { files: [{ name: 'spec.pdf', external: { url: 'https://example.com/spec.pdf' } }] },
            Done: { checkbox: true },
            Link: { url: 'https://octavo.dev' },
            Mail: { email: 'a@b.co' },
            Phone: { phone_number: '+1 555 0100' },
          });
          expect(page.parent).toEqual(shownParent(version, db));
          const again = (await client().pages.retrieve({ page_id: page.id })) as RowPage;
          expect(again.properties).toEqual(page.properties);
          const p = again.properties;
          expect(Object.keys(p)).toEqual(Object.keys(EVERYTHING));
          expect(plain(p.Name!.title)).toBe('First');
          expect(p.Name!.id).toBe('title');
          expect(plain(p.Notes!.rich_text)).toBe('Some notes');
          expect(p.Count!.number).toBe(42.5);
          expect(p.Tag!.select).toMatchObject({ name: 'A', color: 'red' });
          expect((p.Tags!.multi_select as { name: string }[]).map((o) => o.name)).toEqual(['x', 'y']);
          expect(p.When!.date).toEqual({ start: '2024-03-01', end: null, time_zone: null });
          expect(p.Who!.people).toEqual([{ object: 'user', id: adminId }]);
          expect(p.Docs!.files).toEqual([
            { name: 'spec.pdf', type: 'external', external: { url: 'https://example.com/spec.pdf' } },
          ]);
          expect(p.Done!.checkbox).toBe(true);
          expect(p.Link!.url).toBe('https://octavo.dev');
          expect(p.Mail!.email).toBe('a@b.co');
          expect(p.Phone!.phone_number).toBe('+1 555 0100');
          expect(p.Created!.created_time).toBe(page.created_time);
          expect(p.Creator!.created_by).toEqual({ object: 'user', id: botId });
          expect(p.Edited!.last_edited_time).toBe(page.last_edited_time);
          expect(p.Editor!.last_edited_by).toEqual({ object: 'user', id: botId });
          expect(p.Ticket!.unique_id).toMatchObject({ prefix: 'TK' });
        });

        it('creates a select option for a new name and a multi_select option per new name', async () => {
          await create({ Tag: { select: { name: 'Brand new' } }, Tags: { multi_select: [{ name: 'z' }] } });
          const props = await schema();
          const options = (p: string) =>
            ((props[p]![props[p]!.type as string] as { options: { name: string }[] }).options ?? []).map(
              (o) => o.name,
            );
          expect(options('Tag')).toContain('Brand new');
          expect(options('Tags')).toEqual(expect.arrayContaining(['x', 'y', 'z']));
        });

        it('gives status its default options and refuses an unknown status name', async () => {
          const page = await create({ Stage: { status: { name: 'In progress' } } });
          expect(page.properties.Stage!.status).toMatchObject({ name: 'In progress', color: 'blue' });
          const err = await create({ Stage: { status: { name: 'Shipped' } } }).catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(err.message).toContain('Shipped');
          expect(err.message).toContain('Stage');
        });

        it('keeps date ends and time zones', async () => {
          const page = await create({
            When: { date: { start: '2024-05-01T09:30:00.000+02:00', end: '2024-05-03', time_zone: null } },
          });
          expect(page.properties.When!.date).toEqual({
            start: '2024-05-01T09:30:00.000+02:00',
            end: '2024-05-03',
            time_zone: null,
          });
          const zoned = await create({
            When: { date: { start: '2024-05-01T09:30:00', time_zone: 'Europe/Paris' } },
          });
          expect(zoned.properties.When!.date).toMatchObject({
            start: '2024-05-01T09:30:00',
            time_zone: 'Europe/Paris',
          });
        });

        it('numbers unique ids in order and never reuses one, even after trashing', async () => {
          const a = await create({ Name: { title: text('u1') } });
          const b = await create({ Name: { title: text('u2') } });
          const n = (p: RowPage) => (p.properties.Ticket!.unique_id as { number: number }).number;
          expect(n(b)).toBe(n(a) + 1);
          await client().pages.update({ page_id: b.id, in_trash: true });
          const c = await create({ Name: { title: text('u3') } });
          expect(n(c)).toBe(n(b) + 1);
        });
      });

      describe('refused writes', () => {
        it.each([
          ['Created', { created_time: '2024-01-01T00:00:00.000Z' }],
          ['Creator', { created_by: { id: '00000000-0000-4000-8000-000000000000' } }],
          ['Edited', { last_edited_time: '2024-01-01T00:00:00.000Z' }],
          ['Editor', { last_edited_by: { id: '00000000-0000-4000-8000-000000000000' } }],
          ['Ticket', { unique_id: { number: 7 } }],
        ])('refuses a value for read-only %s', async (name, value) => {
          const err = await create({ [name]: value }).catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(err.message).toContain(name);
        });

        it('explains the classic mistake of a bare value', async () => {
          const err = await create({ Tag: 'Done' }).catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(err.message).toContain('body.properties.Tag');
          expect(err.message).toContain('{"select": {"name": "…"}}');
        });

        it('names properties that do not exist', async () => {
          const err = await create({ Ghost: { rich_text: text('x') } }).catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(err.message).toBe('Ghost is not a property that exists.');
        });

        it('changes nothing when any value of the request is wrong', async () => {
          const page = await create({ Name: { title: text('Stable') }, Tag: { select: { name: 'A' } } });
          const before = await schema();
          const err = await update(page.id, {
            Tag: { select: { name: 'Never created' } },
            Tags: { multi_select: [{ name: 'never either' }] },
            Name: { title: text('Changed') },
            Mail: { email: 5 },
          }).catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(await schema()).toEqual(before);
          const after = (await client().pages.retrieve({ page_id: page.id })) as RowPage;
          expect(plain(after.properties.Name!.title)).toBe('Stable');
          expect(after.last_edited_time).toBe(page.last_edited_time);
          const bad = await create({ Tag: { select: { name: 'Orphan' } }, Ghost: { number: 1 } }).catch(
            (e) => e,
          );
          expect(bad.code).toBe('validation_error');
          expect(JSON.stringify(await schema())).not.toContain('Orphan');
        });
      });

      describe('GET /v1/pages/{id}', () => {
        it('limits properties with filter_properties', async () => {
          const page = await create({ Name: { title: text('Filtered') }, Count: { number: 3 } });
          const ids = [page.properties.Count!.id, 'title'];
          const got = (await client().pages.retrieve({
            page_id: page.id,
            filter_properties: ids,
          })) as RowPage;
          expect(Object.keys(got.properties).sort()).toEqual(['Count', 'Name']);
        });
      });

      describe('PATCH /v1/pages/{id}', () => {
        it('changes only the listed properties and clears values', async () => {
          const page = await create({
            Name: { title: text('Edit me') },
            Count: { number: 1 },
            Tag: { select: { name: 'A' } },
            Link: { url: 'https://a.example' },
          });
          const edited = await update(page.id, {
            Count: { number: null },
            Tag: { select: null },
            Done: { checkbox: true },
          });
          expect(plain(edited.properties.Name!.title)).toBe('Edit me');
          expect(edited.properties.Count!.number).toBeNull();
          expect(edited.properties.Tag!.select).toBeNull();
          expect(edited.properties.Done!.checkbox).toBe(true);
          expect(edited.properties.Link!.url).toBe('https://a.example');
        });

        it('addresses properties by id as well as by name', async () => {
          const page = await create({ Name: { title: text('By id') } });
          const countId = page.properties.Count!.id;
          const edited = await update(page.id, {
            [countId]: { number: 9 },
            title: { title: text('Renamed') },
          });
          expect(edited.properties.Count!.number).toBe(9);
          expect(plain(edited.properties.Name!.title)).toBe('Renamed');
        });
      });
    });
  }

  describe('verification, button and place (2025-09-03)', () => {
    it('writes verification and place and shows button as an empty object', async () => {
      const wiki = await createDb(h, '2025-09-03', 'Wiki', {
        Name: { title: {} },
        Verified: { verification: {} },
        Action: { button: {} },
        Where: { place: {} },
      });
      const c = rowClient(h, '2025-09-03');
      const page = (await c.pages.create({
        parent: rowParent('2025-09-03', wiki),
        properties: {
          Verified: { verification: { state: 'verified' } },
          Where: { place: { lat: 48.85, lon: 2.35, name: 'Paris' } },
        },
      } as never)) as RowPage;
      expect(page.properties.Verified!.verification).toMatchObject({ state: 'verified' });
      expect(page.properties.Action).toEqual({ id: expect.any(String), type: 'button', button: {} });
      expect(page.properties.Where!.place).toMatchObject({ lat: 48.85, lon: 2.35, name: 'Paris' });
      const cleared = (await c.pages.update({
        page_id: page.id,
        properties: { Verified: { verification: { state: 'unverified' } }, Where: { place: null } },
      } as never)) as RowPage;
      expect(cleared.properties.Verified!.verification).toEqual({
        state: 'unverified',
        date: null,
        verified_by: null,
      });
      expect(cleared.properties.Where!.place).toBeNull();
      const dated = (await c.pages.update({
        page_id: page.id,
        properties: { Verified: { verification: { state: 'verified', date: { start: '2026-03-01' } } } },
      } as never)) as RowPage;
      // Every key of a date value is present, as on date properties (the SDK's type requires them).
      expect(dated.properties.Verified!.verification).toEqual({
        state: 'verified',
        date: { start: '2026-03-01', end: null, time_zone: null },
        verified_by: null,
      });
      const err = await c.pages
        .update({ page_id: page.id, properties: { Action: { button: {} } } } as never)
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      expect(err.message).toContain('Action');
    });
  });
});

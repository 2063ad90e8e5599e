import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import {
  createDb,
  type Db,
  hasDataSources,
  plain,
  queryRows,
  type RowPage,
  rowClient,
  rowParent,
  text,
  VERSIONS,
} from './rows-support.ts';

type Schema = Record<string, Record<string, unknown>>;

/**
 * `location` and `last_visited_time` properties: schema `{}`, computed and always empty, read-only,
 * sortable, and without filters (notion-api.md §6.1–6.2, §7.2).
 */
describeEngines('location and last_visited_time properties', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      const client = () => rowClient(h, version);
      let db: Db;
      let pages: RowPage[];
      const schemaOf = async (d: Db): Promise<Schema> => {
        const res = hasDataSources(version)
          ? await client().dataSources.retrieve({ data_source_id: d.dataSourceId })
          : await client().databases.retrieve({ database_id: d.databaseId });
        return (res as unknown as { properties: Schema }).properties;
      };
      const patchSchema = async (d: Db, properties: Record<string, unknown>): Promise<Schema> => {
        const res = hasDataSources(version)
          ? await client().dataSources.update({ data_source_id: d.dataSourceId, properties } as never)
          : await client().request({
              path: `databases/${d.databaseId}`,
              method: 'patch',
              body: { properties },
            });
        return (res as { properties: Schema }).properties;
      };
      const names = async (body: Record<string, unknown>) =>
        (await queryRows(client(), version, db, body)).results
          .map((r) => plain(r.properties.Name!.title))
          .sort();

      beforeAll(async () => {
        db = await createDb(h, version, 'Places', {
          Name: { title: {} },
          Where: { location: {} },
          Visited: { last_visited_time: {} },
          When: { date: {} },
          Never: { formula: { expression: 'empty(prop("Visited"))' } },
          Seen: { formula: { expression: 'prop("Visited")' } },
        });
        pages = [];
        for (const [name, start] of [
          ['a', '2026-01-05'],
          ['b', null],
        ] as const) {
          pages.push(
            (await client().pages.create({
              parent: rowParent(version, db),
              properties: { Name: { title: text(name) }, When: { date: start ? { start } : null } },
            } as never)) as unknown as RowPage,
          );
        }
      });

      it('creates both types with an empty configuration, in every version', async () => {
        const schema = await schemaOf(db);
        expect(schema.Where).toMatchObject({ name: 'Where', type: 'location', location: {} });
        expect(schema.Visited).toMatchObject({
          name: 'Visited',
          type: 'last_visited_time',
          last_visited_time: {},
        });
        expect(Object.keys(schema.Where!.location as object)).toEqual([]);
        expect(typeof schema.Where!.id).toBe('string');
      });

      it('adds, changes the type of, renames and deletes them on schema update', async () => {
        const d = await createDb(h, version, 'Changing', { Name: { title: {} }, Old: { date: {} } });
        let schema = await patchSchema(d, {
          Loc: { location: {} },
          Old: { type: 'last_visited_time', last_visited_time: {} },
        });
        expect(schema.Loc).toMatchObject({ type: 'location', location: {} });
        expect(schema.Old).toMatchObject({ type: 'last_visited_time', last_visited_time: {} });
        const row = (await client().pages.create({
          parent: rowParent(version, d),
          properties: { Name: { title: text('r') } },
        } as never)) as unknown as RowPage;
        expect(row.properties.Old).toEqual({
          id: schema.Old!.id,
          type: 'last_visited_time',
          last_visited_time: null,
        });
        schema = await patchSchema(d, { Loc: { name: 'Spot' }, Old: { date: {} } });
        expect(schema.Spot).toMatchObject({ type: 'location' });
        expect(schema.Old).toMatchObject({ type: 'date' });
        schema = await patchSchema(d, { Spot: null });
        expect(Object.keys(schema).sort()).toEqual(['Name', 'Old']);
      });

      it('shows both as computed empty values on pages and in queries', async () => {
        const schema = await schemaOf(db);
        const got = (await client().pages.retrieve({ page_id: pages[0]!.id })) as unknown as RowPage;
        expect(got.properties.Where).toEqual({ id: schema.Where!.id, type: 'location', location: null });
        expect(got.properties.Visited).toEqual({
          id: schema.Visited!.id,
          type: 'last_visited_time',
          last_visited_time: null,
        });
        const listed = await queryRows(client(), version, db, {});
        for (const r of listed.results) {
          expect(r.properties.Where).toMatchObject({ type: 'location', location: null });
          expect(r.properties.Visited).toMatchObject({ type: 'last_visited_time', last_visited_time: null });
        }
      });

      it('gives formulas over last_visited_time an empty date', async () => {
        const got = (await client().pages.retrieve({ page_id: pages[1]!.id })) as unknown as RowPage;
        expect(got.properties.Never).toMatchObject({
          type: 'formula',
          formula: { type: 'boolean', boolean: true },
        });
        expect(got.properties.Seen).toMatchObject({ type: 'formula', formula: { type: 'date', date: null } });
        expect(
          await names({ filter: { property: 'Never', formula: { checkbox: { equals: true } } } }),
        ).toEqual(['a', 'b']);
        expect(
          await names({ filter: { property: 'Seen', formula: { date: { is_not_empty: true } } } }),
        ).toEqual([]);
      });

      it('answers property items for both as a single empty item', async () => {
        const schema = await schemaOf(db);
        for (const [name, type] of [
          ['Where', 'location'],
          ['Visited', 'last_visited_time'],
        ] as const) {
          const item = await client().pages.properties.retrieve({
            page_id: pages[0]!.id,
            property_id: schema[name]!.id as string,
          });
          const { request_id: _requestId, ...body } = item as unknown as Record<string, unknown>;
          expect(body).toEqual({ object: 'property_item', id: schema[name]!.id, type, [type]: null });
        }
      });

      it('refuses filters on last_visited_time and location (the contract has none), changing nothing', async () => {
        const schema = await schemaOf(db);
        const refused = async (filter: Record<string, unknown>) => {
          const err = await queryRows(client(), version, db, { filter }).catch((e) => e);
          expect([err.status, err.code]).toEqual([400, 'validation_error']);
          return err.message as string;
        };
        for (const condition of [{ is_empty: true }, { on_or_after: '2000-01-01' }, { past_week: {} }]) {
          expect(await refused({ property: 'Visited', last_visited_time: condition })).toBe(
            `body failed validation: body.filter.last_visited_time should be not present, instead was \`${JSON.stringify(condition)}\`.`,
          );
        }
        // By id, with its type, inside a compound next to a real date filter.
        expect(
          await refused({
            and: [
              { property: 'When', date: { is_not_empty: true } },
              {
                property: schema.Visited!.id,
                type: 'last_visited_time',
                last_visited_time: { is_empty: true },
              },
            ],
          }),
        ).toBe(
          'body failed validation: body.filter.and[1].last_visited_time should be not present, instead was `{"is_empty":true}`.',
        );
        expect(await refused({ property: 'Where', location: { is_empty: true } })).toBe(
          'body failed validation: body.filter.location should be not present, instead was `{"is_empty":true}`.',
        );
        // A timestamp filter names only created_time and last_edited_time.
        expect(
          await refused({ timestamp: 'last_visited_time', last_visited_time: { is_empty: true } }),
        ).toMatch(
          /^body failed validation: body\.filter\.timestamp should be `"created_time"` or `"last_edited_time"`/,
        );
        // Formulas over last_visited_time are filtered by their result (a date, always empty).
        expect(await names({ filter: { property: 'Seen', formula: { date: { is_empty: true } } } })).toEqual([
          'a',
          'b',
        ]);
      });

      it('refuses them in view filters and quick filters too; a view sorts by last_visited_time', async () => {
        const create = (extra: Record<string, unknown>) =>
          client().views.create({
            database_id: db.databaseId,
            data_source_id: db.dataSourceId,
            name: 'Visits',
            type: 'table',
            ...extra,
          } as never);
        const before = (await client().views.list({ data_source_id: db.dataSourceId })).results.length;
        const saved = await create({
          filter: { property: 'Visited', last_visited_time: { is_empty: true } },
        }).catch((e) => e);
        expect([saved.status, saved.code]).toEqual([400, 'validation_error']);
        expect(saved.message).toMatch(
          /^body failed validation: body\.filter\.last_visited_time should be not present/,
        );
        const quick = await create({ quick_filters: { Where: { location: { is_empty: true } } } }).catch(
          (e) => e,
        );
        expect([quick.status, quick.code]).toEqual([400, 'validation_error']);
        expect(quick.message).toMatch(
          /^body failed validation: body\.quick_filters\.Where\.location should be not present/,
        );
        expect((await client().views.list({ data_source_id: db.dataSourceId })).results.length).toBe(before);
        const view = await create({
          sorts: [
            { property: 'Visited', direction: 'ascending' },
            { property: 'Name', direction: 'descending' },
          ],
        });
        const q = await client().views.queries.create({ view_id: view.id });
        expect(q.results.map((r) => r.id)).toEqual([pages[1]!.id, pages[0]!.id]);
      });

      it('sorts by last_visited_time (all empty: the next sort decides)', async () => {
        const res = await queryRows(client(), version, db, {
          sorts: [
            { property: 'Visited', direction: 'descending' },
            { property: 'Name', direction: 'descending' },
          ],
        });
        expect(res.results.map((r) => plain(r.properties.Name!.title))).toEqual(['b', 'a']);
      });

      it('refuses writes to both and bad filters, with Notion errors, changing nothing', async () => {
        for (const [name, value] of [
          ['Where', { location: { lat: 1, lon: 2 } }],
          ['Visited', { last_visited_time: '2026-01-01T00:00:00.000Z' }],
        ] as const) {
          const type = Object.keys(value)[0];
          const err = await client()
            .pages.update({ page_id: pages[0]!.id, properties: { [name]: value } } as never)
            .catch((e) => e);
          expect(err.code).toBe('validation_error');
          expect(err.message).toBe(`${name} is a ${type} property, which cannot be written.`);
          const created = await client()
            .pages.create({
              parent: rowParent(version, db),
              properties: { Name: { title: text('x') }, [name]: value },
            } as never)
            .catch((e) => e);
          expect(created.code).toBe('validation_error');
        }
        expect(await names({})).toEqual(['a', 'b']);

        const mismatch = await queryRows(client(), version, db, {
          filter: { property: 'Visited', date: { is_empty: true } },
        }).catch((e) => e);
        expect(mismatch.code).toBe('validation_error');
        expect(mismatch.message).toBe(
          'The property type in the database does not match the property type of the filter provided: database property last_visited_time does not match filter date',
        );
        // A date property filtered under the last_visited_time key: the key itself is refused.
        const wrongKey = await queryRows(client(), version, db, {
          filter: { property: 'When', last_visited_time: { is_empty: true } },
        }).catch((e) => e);
        expect(wrongKey.message).toBe(
          'body failed validation: body.filter.last_visited_time should be not present, instead was `{"is_empty":true}`.',
        );

        const config = await patchSchema(db, { Extra: { location: { lat: 1 } } }).catch((e) => e);
        expect(config.code).toBe('validation_error');
        expect(Object.keys(await schemaOf(db))).not.toContain('Extra');
      });
    });
  }
});

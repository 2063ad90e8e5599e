import type { DatabaseObjectResponse, DataSourceObjectResponse } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

describeEngines('databases and data sources', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  async function newDatabase(title: string, properties?: Record<string, unknown>) {
    return (await h.client().databases.create({
      parent: { type: 'page_id', page_id: h.rootPageId },
      title: text(title),
      ...(properties ? { initial_data_source: { properties: properties as never } } : {}),
    })) as DatabaseObjectResponse;
  }

  describe('POST /v1/databases (2025-09-03)', () => {
    it('creates a container with one data source holding the schema', async () => {
      const db = await newDatabase('Tasks', {
        Name: { title: {} },
        Done: { checkbox: {} },
        Priority: { select: { options: [{ name: 'High', color: 'red' }, { name: 'Low' }] } },
        Points: { number: { format: 'number_with_commas' } },
      });
      expect(db.object).toBe('database');
      expect(db.data_sources).toHaveLength(1);
      expect(db.data_sources[0]!.name).toBe('Tasks');
      expect(db).not.toHaveProperty('properties');
      const ds = (await h.client().dataSources.retrieve({
        data_source_id: db.data_sources[0]!.id,
      })) as DataSourceObjectResponse;
      expect(Object.keys(ds.properties)).toEqual(['Name', 'Done', 'Priority', 'Points']);
      expect(ds.properties.Name).toMatchObject({
        id: 'title',
        type: 'title',
        name: 'Name',
        description: null,
      });
      expect(ds.properties.Priority).toMatchObject({
        type: 'select',
        select: {
          options: [
            { name: 'High', color: 'red' },
            { name: 'Low', color: 'default' },
          ],
        },
      });
      expect(ds.properties.Points).toMatchObject({ number: { format: 'number_with_commas' } });
      expect(ds.parent).toEqual({ type: 'database_id', database_id: db.id });
      expect(ds.database_parent).toEqual({ type: 'page_id', page_id: h.rootPageId });
    });

    it('gives a database created without a schema a data source with a Name title', async () => {
      const db = await newDatabase('Bare');
      const ds = (await h
        .client()
        .dataSources.retrieve({ data_source_id: db.data_sources[0]!.id })) as DataSourceObjectResponse;
      expect(Object.keys(ds.properties)).toEqual(['Name']);
    });

    it('shows the database as a child_database block of its page', async () => {
      const db = await newDatabase('Listed');
      const block = await h.client().blocks.retrieve({ block_id: db.id });
      expect(block).toMatchObject({
        type: 'child_database',
        child_database: { title: 'Listed' },
        has_children: false,
      });
    });

    it('writes the container timestamps unrounded with a +00:00 offset, as Notion does', async () => {
      const db = await newDatabase('Timestamps');
      const offset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
      expect(db.created_time).toMatch(offset);
      expect(db.last_edited_time).toMatch(offset);
      const again = (await h
        .client({ version: '2026-03-11' })
        .databases.retrieve({ database_id: db.id })) as DatabaseObjectResponse;
      expect(again.created_time).toBe(db.created_time);
      // The same instant, rounded to the minute, on the block and the data source.
      const minute = `${db.created_time.slice(0, 16)}:00.000Z`;
      const block = (await h.client().blocks.retrieve({ block_id: db.id })) as { created_time: string };
      expect(block.created_time).toBe(minute);
      const ds = (await h
        .client()
        .dataSources.retrieve({ data_source_id: db.data_sources[0]!.id })) as DataSourceObjectResponse;
      expect(ds.created_time).toBe(minute);
      const old = (await h
        .client({ version: '2022-06-28' })
        .databases.retrieve({ database_id: db.id })) as unknown as { created_time: string };
      expect(old.created_time).toBe(minute);
    });

    it('refuses a schema without exactly one title', async () => {
      const err = await newDatabase('No title', { Done: { checkbox: {} } }).catch((e) => e);
      expect(err.code).toBe('validation_error');
      const two = await newDatabase('Two titles', { A: { title: {} }, B: { title: {} } }).catch((e) => e);
      expect(two.code).toBe('validation_error');
    });

    it('accepts location and last_visited_time properties with an empty configuration', async () => {
      const db = await newDatabase('Location', {
        Name: { title: {} },
        L: { location: {} },
        V: { last_visited_time: {} },
      });
      const ds = (await h.client().dataSources.retrieve({
        data_source_id: db.data_sources[0]!.id,
      })) as DataSourceObjectResponse;
      expect(ds.properties.L).toMatchObject({ name: 'L', type: 'location', location: {} });
      expect(ds.properties.V).toMatchObject({ name: 'V', type: 'last_visited_time', last_visited_time: {} });
    });
  });

  describe('2022-06-28 shapes', () => {
    it('creates with top-level properties and retrieves the schema on the database', async () => {
      const old = h.client({ version: '2022-06-28' });
      const db = (await old.request({
        path: 'databases',
        method: 'post',
        body: {
          parent: { type: 'page_id', page_id: h.rootPageId },
          title: text('Legacy'),
          properties: { Title: { title: {} }, Tags: { multi_select: {} } },
        },
      })) as Record<string, unknown>;
      expect(db.properties).toMatchObject({ Title: { type: 'title' }, Tags: { type: 'multi_select' } });
      expect(db).not.toHaveProperty('data_sources');
      const again = (await old.databases.retrieve({ database_id: db.id as string })) as unknown as Record<
        string,
        unknown
      >;
      expect(Object.keys(again.properties as object)).toEqual(['Title', 'Tags']);
    });

    it('answers invalid_request_url for data source endpoints', async () => {
      const db = await newDatabase('Versioned');
      const res = await h.request(`/v1/data_sources/${db.data_sources[0]!.id}`, { version: '2022-06-28' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_request_url');
    });
  });

  describe('PATCH /v1/data_sources/{id}', () => {
    it('adds, renames, retypes and removes properties', async () => {
      const db = await newDatabase('Schema changes', {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Old: { url: {} },
      });
      const id = db.data_sources[0]!.id;
      const ds = (await h.client().dataSources.update({
        data_source_id: id,
        properties: {
          Estimate: { number: {} },
          Notes: { name: 'Comments' },
          Old: null,
        },
      })) as DataSourceObjectResponse;
      expect(Object.keys(ds.properties)).toEqual(['Name', 'Comments', 'Estimate']);
      expect(ds.properties.Estimate).toMatchObject({ type: 'number', number: { format: 'number' } });
      const retyped = (await h.client().dataSources.update({
        data_source_id: id,
        properties: { Comments: { select: {} } },
      })) as DataSourceObjectResponse;
      expect(retyped.properties.Comments).toMatchObject({ type: 'select', id: ds.properties.Comments!.id });
    });

    it('refuses to delete the title and names unknown properties', async () => {
      const db = await newDatabase('Guarded');
      const id = db.data_sources[0]!.id;
      const err = await h
        .client()
        .dataSources.update({ data_source_id: id, properties: { Name: null } })
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      const unknown = await h
        .client()
        .dataSources.update({ data_source_id: id, properties: { Ghost: null } })
        .catch((e) => e);
      expect(unknown.message).toBe('Ghost is not a property that exists.');
    });

    it('creates the reverse property of a two-way relation', async () => {
      const people = await newDatabase('People');
      const projects = await newDatabase('Projects');
      const peopleDs = people.data_sources[0]!.id;
      const updated = (await h.client().dataSources.update({
        data_source_id: projects.data_sources[0]!.id,
        properties: { Team: { relation: { data_source_id: peopleDs, dual_property: {} } } },
      })) as DataSourceObjectResponse;
      const rel = updated.properties.Team;
      expect(rel).toMatchObject({
        type: 'relation',
        relation: { data_source_id: peopleDs, type: 'dual_property' },
      });
      const other = (await h
        .client()
        .dataSources.retrieve({ data_source_id: peopleDs })) as DataSourceObjectResponse;
      const reverse = Object.values(other.properties).find((p) => p.type === 'relation');
      expect(reverse).toMatchObject({
        relation: {
          data_source_id: projects.data_sources[0]!.id,
          dual_property: { synced_property_name: 'Team' },
        },
      });
    });
  });

  describe('POST /v1/data_sources', () => {
    it('adds a second data source to a database', async () => {
      const db = await newDatabase('Multi');
      const ds = (await h.client().dataSources.create({
        parent: { type: 'database_id', database_id: db.id },
        title: text('Second'),
        properties: { Label: { title: {} } },
      })) as DataSourceObjectResponse;
      expect(ds.parent).toEqual({ type: 'database_id', database_id: db.id });
      const again = (await h.client().databases.retrieve({ database_id: db.id })) as DatabaseObjectResponse;
      expect(again.data_sources.map((d) => d.name)).toEqual(['Multi', 'Second']);
      const templates = await h.client().dataSources.listTemplates({ data_source_id: ds.id });
      expect(templates.templates).toEqual([]);
    });
  });

  describe('GET /v1/data_sources/{id}/templates', () => {
    it('answers the bare listing Notion sends: no object, no type, no request_id in the body', async () => {
      const db = await newDatabase('Templates');
      const res = await h.request(`/v1/data_sources/${db.data_sources[0]!.id}/templates`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-notion-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const text = await res.text();
      expect(text).toBe('{"templates":[],"has_more":false,"next_cursor":null}');
      const listed = await h.client().dataSources.listTemplates({ data_source_id: db.data_sources[0]!.id });
      expect(listed).toEqual({ templates: [], has_more: false, next_cursor: null });
    });

    it('checks page_size like every listing', async () => {
      const db = await newDatabase('Template sizes');
      const err = await h
        .client()
        .dataSources.listTemplates({ data_source_id: db.data_sources[0]!.id, page_size: 0 })
        .catch((e) => e);
      expect(err.code).toBe('validation_error');
      const ok = await h
        .client()
        .dataSources.listTemplates({ data_source_id: db.data_sources[0]!.id, page_size: 100, name: 'x' });
      expect(ok.templates).toEqual([]);
    });
  });
});

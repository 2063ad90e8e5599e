import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { createDb, type Db, queryRows, rowClient, rowParent, text, VERSIONS } from './rows-support.ts';

describeEngines('row values Notion refuses', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  for (const version of VERSIONS) {
    describe(`Notion-Version ${version}`, () => {
      let db: Db;
      const create = (properties: Record<string, unknown>) =>
        rowClient(h, version)
          .pages.create({ parent: rowParent(version, db), properties } as never)
          .catch((e) => e);
      beforeAll(async () => {
        db = await createDb(h, version, 'Strict', {
          Name: { title: {} },
          Genre: { multi_select: {} },
          Count: { number: {} },
          Tag: { select: {} },
          Who: { people: {} },
        });
      });

      it.each([
        [{ Genre: { select: { name: 'Jazz' } } }, 'Genre is expected to be multi_select.'],
        [{ Count: { rich_text: text('5') } }, 'Count is expected to be number.'],
        [{ Name: { type: 'rich_text', title: text('x') } }, 'Name is expected to be title.'],
        [
          { Genre: { select: { name: 'Jazz' } }, Status: { status: { name: 'Done' } }, Count: { number: 1 } },
          'Genre is expected to be multi_select. Status is not a property that exists.',
        ],
        [{ Count: { number: '5' } }, 'body.properties.Count.number should be a number, instead was `"5"`.'],
        [{ Tag: { select: { name: 'a,b' } } }, 'body.properties.Tag.select.name should not contain commas'],
        [{ Count: 5 }, 'body.properties.Count should be an object like {"number": 42}, instead was `5`.'],
      ])('refuses %j', async (properties, message) => {
        const err = await create(properties);
        expect(err.code).toBe('validation_error');
        expect(err.message).toContain(message);
      });

      it('refuses people who are not users and more than 100 options, writing nothing', async () => {
        const before = (await queryRows(rowClient(h, version), version, db)).results.length;
        const ghost = await create({
          Tag: { select: { name: 'never' } },
          Who: { people: [{ id: '00000000-0000-4000-8000-000000000000' }] },
        });
        expect(ghost.code).toBe('object_not_found');
        const many = await create({
          Genre: { multi_select: Array.from({ length: 101 }, (_, i) => ({ name: `g${i}` })) },
        });
        expect(many.code).toBe('validation_error');
        expect(many.message).toContain('body.properties.Genre.multi_select');
        expect((await queryRows(rowClient(h, version), version, db)).results).toHaveLength(before);
      });
    });
  }
});

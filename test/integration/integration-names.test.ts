/*
 * Integration names are unique (ops/integrations.ts): two writers racing to the same name, one
 * creating and one renaming, or two renaming, leave one integration with it, and the other gets
 * the validation_error the name check gives, never an internal error (on Postgres the unique
 * index refuses the second writer after both passed the check).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIntegration, updateIntegration } from '../../src/ops/integrations.ts';
import { ApiError } from '../../src/wire/errors.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('integration names under concurrent writers', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  const outcome = async (write: Promise<unknown>) => {
    try {
      await write;
      return 'ok';
    } catch (e) {
      return e instanceof ApiError ? `${e.status} ${e.code}: ${e.message}` : `unexpected: ${String(e)}`;
    }
  };

  it('lets one of two renames to the same name win; the other is a validation_error', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await h.newIntegration(`Racer A ${round}`);
      const b = await h.newIntegration(`Racer B ${round}`);
      expect(a && b).toBeTruthy();
      const target = `Finish ${round}`;
      const results = await Promise.all(
        [`Racer A ${round}`, `Racer B ${round}`].map((name) =>
          outcome(h.store.transaction((tx) => updateIntegration(tx, { name, newName: target }))),
        ),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.find((r) => r !== 'ok')).toBe(
        `400 validation_error: An integration named ${target} already exists.`,
      );
      const names = (await h.store.transaction((tx) => tx.integrations.list())).map((i) => i.name);
      expect(names.filter((n) => n === target)).toHaveLength(1);
    }
  });

  it('lets one of a create and a rename to the same name win', async () => {
    for (let round = 0; round < 5; round++) {
      await h.newIntegration(`Renamed ${round}`);
      const target = `Wanted ${round}`;
      const results = await Promise.all([
        outcome(
          h.store.transaction((tx) =>
            createIntegration(tx, {
              name: target,
              capabilities: ['read_content'],
              now: new Date().toISOString(),
            }),
          ),
        ),
        outcome(
          h.store.transaction((tx) => updateIntegration(tx, { name: `Renamed ${round}`, newName: target })),
        ),
      ]);
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.find((r) => r !== 'ok')).toBe(
        `400 validation_error: An integration named ${target} already exists.`,
      );
    }
  });
});

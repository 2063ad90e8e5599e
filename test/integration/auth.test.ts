/**
 * Bearer tokens: known tokens are remembered for a few seconds (ACTOR_TTL_MS), unknown ones are
 * asked again every time, so a new integration works at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTOR_TTL_MS, actorLookup } from '../../src/ops/integrations.ts';
import type { Store } from '../../src/store/store.ts';
import { describeEngines } from '../helpers/engines.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';

describeEngines('bearer tokens', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('accepts a token created while the app runs on its first request, after refusing it unknown', async () => {
    const before = await h.request('/v1/users/me', { token: 'ntn_notyetknown' });
    expect(before.status).toBe(401);
    const token = await h.newIntegration('Made later', ['read_content']);
    const me = await h.client({ token }).users.me({});
    expect(me.name).toBe('Made later');
    expect((await h.request('/v1/users/me', { token: 'ntn_notyetknown' })).status).toBe(401);
  });

  it('asks storage once per token within ACTOR_TTL_MS, and again after it', async () => {
    let transactions = 0;
    const counting: Store = {
      engine: h.store.engine,
      close: () => h.store.close(),
      transaction: (fn) => {
        transactions++;
        return h.store.transaction(fn);
      },
    };
    let now = 1_000_000;
    const lookup = actorLookup(counting, { now: () => now });
    const first = await lookup(h.token);
    expect(first?.integrationName).toBe('Octavo Quickstart');
    expect(await lookup(h.token)).toBe(first);
    now += ACTOR_TTL_MS - 1;
    expect(await lookup(h.token)).toBe(first);
    expect(transactions).toBe(1);
    now += 2;
    expect((await lookup(h.token))?.integrationId).toBe(first?.integrationId);
    expect(transactions).toBe(2);
    expect(await lookup('ntn_unknown')).toBeNull();
    expect(await lookup('ntn_unknown')).toBeNull();
    expect(transactions).toBe(4);
  });
});

/** What the rooms of `/app/api` share (app-api.routes.ts mounts them). */
import type { Context } from 'hono';
import type { Actor } from '../domain/capabilities.ts';
import { errors } from '../wire/errors.ts';

/** The variables of an /app/api request: the signed-in person acting. */
export type AppApiEnv = { Variables: { person: Actor } };

/** The JSON body of a request (empty: `{}`); malformed JSON is Notion's `invalid_json`. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw errors.invalidJson();
  }
}

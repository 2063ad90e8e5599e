/**
 * `POST /v1/oauth/token`, `/v1/oauth/introspect` and `/v1/oauth/revoke` (notion-api.md §4.12):
 * HTTP Basic client authentication instead of a bearer token, no Notion-Version needed (the SDK
 * sends one; it is not checked). Bodies are JSON (what the SDK sends) or form-encoded (what
 * generic OAuth libraries send), both read with a size cap. Errors are Notion's envelope, rendered
 * by the app's error handler.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { ApiError } from '../wire/errors.ts';
import { parseWith } from '../wire/validation.ts';
import {
  authenticateClient,
  exchangeCode,
  type GrantOutcome,
  introspectToken,
  refreshTokens,
  revokeToken,
  type Workspace,
} from './tokens.ts';

export interface OauthDeps {
  store: Store;
  workspace: Workspace;
  /** The API's JSON body reader (size, depth, string cleaning); it sets the `body` variable. */
  readJson: MiddlewareHandler;
  clock?: () => Date;
}

type OauthEnv = { Variables: { requestId: string; body: unknown } };

export const TokenBody = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    redirect_uri: z.string().optional(),
    code_verifier: z.string().optional(),
    external_account: z.unknown().optional(),
  }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1) }),
]);
export const TokenOnly = z.object({ token: z.string().min(1) });

/** Form bodies are small: a code, a verifier, a URI. */
const FORM_LIMIT = 16 * 1024;

function readBody(readJson: MiddlewareHandler): MiddlewareHandler<OauthEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return readJson(c, next);
    if (Number(c.req.header('content-length') ?? 0) > FORM_LIMIT)
      throw new ApiError('validation_error', 'body failed validation: body is too large.');
    const text = await c.req.text();
    if (text.length > FORM_LIMIT)
      throw new ApiError('validation_error', 'body failed validation: body is too large.');
    c.set('body', Object.fromEntries(new URLSearchParams(text)));
    await next();
  };
}

export function oauthRoutes(deps: OauthDeps) {
  const r = new Hono<OauthEnv>();
  const now = () => (deps.clock?.() ?? new Date()).toISOString();
  const send = (c: { json: (b: object) => Response; get: (k: 'requestId') => string }, body: object) =>
    c.json({ ...body, request_id: c.get('requestId') });
  r.use('*', readBody(deps.readJson));

  r.post('/token', async (c) => {
    const header = c.req.header('authorization');
    const client = await deps.store.transaction((tx) => authenticateClient(tx, header));
    const body = parseWith(TokenBody, c.get('body'));
    if (body.grant_type === 'authorization_code' && body.external_account !== undefined)
      throw new ApiError('validation_error', 'external_account is not supported by Octavo.');
    const outcome: GrantOutcome = await deps.store.transaction((tx) =>
      body.grant_type === 'authorization_code'
        ? exchangeCode(tx, {
            client,
            code: body.code,
            redirectUri: body.redirect_uri,
            codeVerifier: body.code_verifier,
            workspace: deps.workspace,
            now: now(),
          })
        : refreshTokens(tx, {
            client,
            refreshToken: body.refresh_token,
            workspace: deps.workspace,
            now: now(),
          }),
    );
    if ('refused' in outcome) throw outcome.refused;
    c.header('Cache-Control', 'no-store');
    return send(c, outcome.grant);
  });

  r.post('/introspect', async (c) => {
    const header = c.req.header('authorization');
    const client = await deps.store.transaction((tx) => authenticateClient(tx, header));
    const { token } = parseWith(TokenOnly, c.get('body'));
    const answer = await deps.store.transaction((tx) => introspectToken(tx, client, token));
    return send(c, answer);
  });

  r.post('/revoke', async (c) => {
    const header = c.req.header('authorization');
    const client = await deps.store.transaction((tx) => authenticateClient(tx, header));
    const { token } = parseWith(TokenOnly, c.get('body'));
    await deps.store.transaction((tx) => revokeToken(tx, client, token, now()));
    return send(c, {});
  });

  return r;
}

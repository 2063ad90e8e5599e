/**
 * The authorization step: checking what `GET /v1/oauth/authorize` was given, and issuing a code
 * for the pages the signed-in user picked (web/consent.routes.ts renders the pages around it).
 *
 * Which mistakes are shown and which are redirected follows RFC 6749 §4.1.2.1: an unknown client
 * or a redirect URI that is not registered is shown to the user (redirecting there would hand the
 * answer to whoever wrote the link); anything else goes back to the client's redirect URI with an
 * `error` (and the `state`), as Notion does with `access_denied`.
 */
import { randomBase62, sha256Hex } from '../lib/crypto.ts';
import type { BlockRow, OauthClientRow, StoreTx } from '../store/store.ts';
import { errors } from '../wire/errors.ts';
import { redirectUrisOf } from './clients.ts';

/** Codes are single-use and live 10 minutes (RFC 6749 §4.1.2's recommended maximum). */
export const CODE_LIFETIME_MS = 10 * 60_000;

/** What the authorize URL asked for, once checked. */
export interface AuthorizeRequest {
  client: OauthClientRow;
  /** Where the answer goes. */
  redirectUri: string;
  /** Whether `redirect_uri` was in the URL (the token request must then repeat it). */
  redirectGiven: boolean;
  state: string | null;
  /** PKCE S256 challenge, when given. */
  codeChallenge: string | null;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** Shown to the user; nothing is redirected. */
  | { kind: 'fatal'; message: string }
  /** Sent back to the client. */
  | { kind: 'redirect'; location: string };

/** The query parameters of an authorize URL (also the hidden fields of the consent form). */
export const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'owner',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;
export type AuthorizeParams = Partial<Record<(typeof AUTHORIZE_PARAMS)[number], string>>;

const BASE64URL_SHA256 = /^[A-Za-z0-9_-]{43}$/;

/** `uri` with `params` added to its query (existing query parameters kept). */
export function redirectTo(uri: string, params: Record<string, string | null>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

/** Checks an authorize request against the registered client. */
export async function checkAuthorize(tx: StoreTx, p: AuthorizeParams): Promise<AuthorizeCheck> {
  const client = p.client_id ? await tx.oauth.client(p.client_id.trim()) : undefined;
  if (!client)
    return { kind: 'fatal', message: 'This link names no integration of this workspace (client_id).' };
  const registered = redirectUrisOf(client);
  let redirectUri: string;
  if (p.redirect_uri !== undefined && p.redirect_uri !== '') {
    if (!registered.includes(p.redirect_uri))
      return {
        kind: 'fatal',
        message: 'The redirect_uri of this link is not registered for the integration.',
      };
    redirectUri = p.redirect_uri;
  } else if (registered.length === 1) {
    redirectUri = registered[0]!;
  } else {
    return { kind: 'fatal', message: 'The integration has several redirect URIs: the link must name one.' };
  }
  const state = p.state ?? null;
  const fail = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    location: redirectTo(redirectUri, { error, error_description: description, state }),
  });
  if (p.response_type !== 'code')
    return p.response_type
      ? fail('unsupported_response_type', 'response_type must be code.')
      : fail('invalid_request', 'response_type is required.');
  if (p.owner !== undefined && p.owner !== 'user') return fail('invalid_request', 'owner must be user.');
  const challenge = p.code_challenge || null;
  if (challenge !== null && p.code_challenge_method !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256 (plain is not supported).');
  if (challenge === null && p.code_challenge_method)
    return fail('invalid_request', 'code_challenge_method was given without code_challenge.');
  if (challenge !== null && !BASE64URL_SHA256.test(challenge))
    return fail('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier.');
  return {
    kind: 'ok',
    request: {
      client,
      redirectUri,
      redirectGiven: p.redirect_uri !== undefined && p.redirect_uri !== '',
      state,
      codeChallenge: challenge,
    },
  };
}

/** The pages a user may share at install: the workspace's top-level pages, not in the trash. */
export async function shareablePages(tx: StoreTx): Promise<BlockRow[]> {
  const pages = await tx.blocks.listWorkspacePages();
  return pages.filter((p) => p.type === 'page' && p.in_trash === 0);
}

/** Issues a code for the pages `userId` picked; each must be a shareable page. */
export async function issueCode(
  tx: StoreTx,
  input: { request: AuthorizeRequest; userId: string; pageIds: readonly string[]; now: Date },
): Promise<string> {
  const allowed = new Set((await shareablePages(tx)).map((p) => p.id));
  const pages = [...new Set(input.pageIds)];
  for (const id of pages) if (!allowed.has(id)) throw errors.validation(`Page ${id} cannot be shared here.`);
  const code = randomBase62(40);
  // Codes stay a day past their expiry, then go: a used one is kept for a while so that a second
  // use is recognized (and revokes what the first issued) rather than answered as unknown.
  await tx.oauth.deleteCodesExpiredBefore(
    input.request.client.id,
    new Date(input.now.getTime() - 86_400_000).toISOString(),
  );
  await tx.oauth.insertCode({
    code_hash: sha256Hex(code),
    client_id: input.request.client.id,
    user_id: input.userId,
    redirect_uri: input.request.redirectGiven ? input.request.redirectUri : null,
    code_challenge: input.request.codeChallenge,
    pages: JSON.stringify(pages),
    created_time: input.now.toISOString(),
    expires_time: new Date(input.now.getTime() + CODE_LIFETIME_MS).toISOString(),
    used_time: null,
    installation_id: null,
  });
  return code;
}

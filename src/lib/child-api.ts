/**
 * The server side of a sandboxed child's API requests (scripts, Workers): the child sends each
 * request over IPC, and it is answered here, in process (`api`) or over HTTP (`baseUrl`). Only
 * `/v1` paths are answered; anything else is Notion's `invalid_request_url`.
 */

/** Where a child's requests go: the app's fetch handler in process, else `baseUrl` over HTTP. */
export interface ChildApiTarget {
  baseUrl: string;
  api?: ((req: Request) => Promise<Response>) | undefined;
}

/** A request as the child sends it over IPC. */
export interface ChildRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/** Answers one request of a child; `who` names the child kind in the refusal ("Scripts"). */
export async function answerChildRequest(target: ChildApiTarget, m: ChildRequest, who: string) {
  const url = new URL(m.url);
  if (!url.pathname.startsWith('/v1/'))
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: `{"object":"error","status":404,"code":"invalid_request_url","message":"${who} reach /v1 only."}`,
    };
  const path = `${target.baseUrl.replace(/\/$/, '')}${url.pathname}${url.search}`;
  const req = new Request(path, { method: m.method, headers: m.headers, body: m.body });
  const res = target.api ? await target.api(req) : await fetch(req);
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.text() };
}

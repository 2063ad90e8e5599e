/**
 * SIGTERM drains `octavo serve` over real HTTP: readiness turns 503, a request in flight (its
 * body still arriving) finishes, keep-alive connections are closed after their current response
 * (`connection: close`), and no client sees a reset. The clients stand behind a load balancer
 * that polls /readyz and stops sending new requests once it answers 503, as a real one would
 * (OCTAVO_DRAIN_DELAY_MS gives it the time): new connections to a listener being closed can be
 * reset by the kernel itself, which no server can prevent.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe, storageFor } from './cli-process.ts';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** One request with a keep-alive agent; resolves with the answer or rejects with the socket error. */
function request(
  agent: http.Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { agent, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('octavo serve on SIGTERM', () => {
  let storage: ReturnType<typeof storageFor>;
  let server: ServeProcess;
  beforeAll(async () => {
    storage = storageFor('sqlite');
    server = await startServe(['--port', '0', '--rate-limit', 'off', ...storage.args], {
      ...storage.env,
      OCTAVO_DRAIN_DELAY_MS: '700',
      OCTAVO_LOG_FORMAT: 'json',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  it('answers readiness 503, finishes requests in flight, closes keep-alive connections, resets none', async () => {
    const auth = {
      authorization: `Bearer ${server.token}`,
      'notion-version': '2025-09-03',
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    // The balancer: routes to this server until its readiness probe fails.
    let routing = true;
    const probes = new http.Agent({ keepAlive: false });
    const balancer = (async () => {
      while (routing) {
        await new Promise((r) => setTimeout(r, 100));
        const ready = await request(probes, `${server.url}/readyz`).catch(() => ({ status: 0 }));
        if (ready.status !== 200) routing = false;
      }
    })();
    // Keep-alive clients sending reads as fast as they are answered, while routed here.
    const errors: string[] = [];
    let t0 = Number.POSITIVE_INFINITY;
    const answers: Answer[] = [];
    const client = async () => {
      while (routing) {
        try {
          answers.push(await request(agent, `${server.url}/v1/pages/${server.pageId}`, { headers: auth }));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          errors.push(`${code} at ${Math.round(performance.now() - t0)} ms after SIGTERM`);
          return;
        }
      }
    };
    const clients = [client(), client(), client()];
    await new Promise((r) => setTimeout(r, 300));
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200 && a.connection === 'keep-alive')).toBe(true);

    // A request in flight: headers and half the body sent; the rest comes after SIGTERM.
    const body = JSON.stringify({
      parent: { page_id: server.pageId },
      properties: { title: { title: [{ text: { content: 'written while draining' } }] } },
    });
    const slow = new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        `${server.url}/v1/pages`,
        {
          method: 'POST',
          agent: false,
          headers: {
            ...auth,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }),
          );
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => req.end(body.slice(20)), 1200);
    });
    await new Promise((r) => setTimeout(r, 100));

    const sentAt = answers.length;
    t0 = performance.now();
    const exited = server.stop();
    await new Promise((r) => setTimeout(r, 250));
    const ready = await request(new http.Agent(), `${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'unavailable', reason: 'shutting down' });
    expect(ready.connection).toBe('close');

    const created = await slow;
    expect(created.status).toBe(200);
    expect(JSON.parse(created.body)).toMatchObject({ object: 'page' });
    expect(created.connection).toBe('close');

    expect(await exited).toBe(0);
    await Promise.all([...clients, balancer]);
    agent.destroy();
    expect(errors).toEqual([]);
    // The server is gone: a new connection is refused (not reset).
    const after = await request(new http.Agent(), `${server.url}/healthz`).catch((e) => e.code);
    expect(after).toBe('ECONNREFUSED');
    // Answers during the drain told the client to close the connection.
    const during = answers.slice(sentAt);
    expect(during.some((a) => a.connection === 'close')).toBe(true);
    expect(during.every((a) => a.status === 200)).toBe(true);
  });
});

/**
 * A Notion Worker with the other capabilities Octavo runs:
 * - `markSeen` (automation): an automation's `run_worker` action calls it with the triggering
 *   page; it writes what it was given into the page's `Note`.
 * - `inbound` (webhook): an inbound URL. `verify` answers a challenge (`GET ?challenge=…`) and
 *   checks each POST's `x-signature` (HMAC-SHA256 of the body with SIGNING_SECRET, set at deploy
 *   with `--env`), refusing a wrong one with 401; `execute` files each accepted delivery as a row
 *   of the INBOX data source.
 * - `add` (tool): adds two numbers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { j, Worker } from '@notionhq/workers';

const worker = new Worker();
export default worker;

worker.automation('markSeen', {
  title: 'Mark seen',
  description: 'Writes into the page what the worker was told about it',
  execute: async (event, { notion }) => {
    if (!event.pageId) throw new Error('markSeen needs a page');
    const props = (event.pageData?.properties ?? {}) as Record<string, { title?: { plain_text: string }[] }>;
    const title = (props.Name?.title ?? []).map((t) => t.plain_text).join('');
    await notion.pages.update({
      page_id: event.pageId,
      properties: { Note: { rich_text: [{ text: { content: `seen ${title} (${event.actionType})` } }] } },
    });
  },
});

function signed(rawBody: string, signature: string | undefined): boolean {
  const secret = process.env.SIGNING_SECRET ?? '';
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
  const given = Buffer.from(signature ?? '');
  return secret !== '' && given.length === expected.length && timingSafeEqual(given, expected);
}

worker.webhook('inbound', {
  title: 'Inbound',
  description: 'Files signed deliveries into the inbox',
  verify: (request) => {
    if (request.method !== 'POST') return { status: 200, body: request.query.challenge ?? '' };
    if (!signed(request.rawBody, request.headers['x-signature']))
      return { status: 401, body: 'bad signature' };
    return { status: 200, body: '{"ok":true}', contentType: 'application/json' };
  },
  execute: async (events, { notion }) => {
    for (const event of events) {
      const title = String(event.body.title ?? '(untitled)');
      await notion.pages.create({
        parent: { type: 'data_source_id', data_source_id: process.env.INBOX as string },
        properties: { Name: { title: [{ text: { content: title } }] } },
      });
    }
  },
});

worker.tool<{ a: number; b: number }, number>('add', {
  title: 'Add',
  description: 'Adds two numbers',
  schema: j.object({ a: j.number(), b: j.number() }),
  execute: ({ a, b }) => a + b,
});

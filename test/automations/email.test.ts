/**
 * The send_email action end to end on both engines: a row created with the official SDK fires
 * an automation whose email, templated from the row, reaches an SMTP server started here (in
 * process, with authentication); wrong addresses are refused when the automation is saved; a
 * server that keeps refusing is tried again by the job queue, then the run is recorded as failed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runManually } from '../../src/automations/runtime.ts';
import { sharePage } from '../../src/ops/integrations.ts';
import { describeEngines } from '../helpers/engines.ts';
import { waitFor } from '../webhooks/support.ts';
import { bodyOf, header, type MailServer, startMailServer } from './smtp.ts';
import { type AutoBench, startAutoBench } from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: reading the SDK's and admin API's objects loosely
type Loose = any;
const title = (text: string) => ({ title: [{ text: { content: text } }] });
const text = (content: string) => ({ rich_text: [{ text: { content } }] });

describeEngines('send_email action', (engine) => {
  let b: AutoBench;
  let smtp: MailServer;
  beforeAll(async () => {
    b = await startAutoBench(engine);
    smtp = await startMailServer({ user: 'octavo', pass: 's3cret' });
    b.rt.settings.smtp = {
      host: '127.0.0.1',
      port: smtp.port,
      secure: 'none',
      user: 'octavo',
      password: 's3cret',
      from: 'Octavo <robot@octavo.test>',
    };
  });
  afterAll(async () => {
    await b?.close();
    await smtp?.close();
  });

  async function dataSource(name: string): Promise<string> {
    const db = (await b.client().databases.create({
      parent: { type: 'page_id', page_id: b.boot.created!.pageId },
      title: [{ text: { content: name } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } },
          Owner: { email: {} },
          Note: { rich_text: {} },
        },
      },
    })) as Loose;
    return db.data_sources[0].id as string;
  }

  async function define(def: Record<string, unknown>) {
    const made = await b.admin('POST', '/automations', def);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    await b.store.transaction((tx) =>
      sharePage(tx, {
        pageId: b.boot.created!.pageId,
        integrationName: `automation: ${def.name}`,
        now: new Date().toISOString(),
      }),
    );
  }

  const settled = (name: string) =>
    waitFor(
      async () => {
        const runs = (await b.admin('GET', `/automations/${encodeURIComponent(name)}/runs`)).body
          .results as Loose[];
        return runs.length > 0 && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')
          ? runs
          : null;
      },
      20_000,
      `finished runs of ${name}`,
    );

  it('sends an email templated from the row that fired it, received by the SMTP server', async () => {
    const ds = await dataSource('Tasks');
    await define({
      name: 'mail new tasks',
      trigger: { type: 'page_created', data_source_id: ds },
      condition: { property: 'Priority', select: { equals: 'High' } },
      actions: [
        {
          type: 'send_email',
          to: ['team@example.com', '{{trigger.page.properties.Owner}}'],
          cc: 'audit@example.com; lead@example.com',
          subject: 'New task: {{trigger.page.properties.Name}} ({{trigger.page.properties.Priority}})',
          body: 'Note: {{trigger.page.properties.Note}}\nOpen it: {{trigger.page.url}}\n-- {{automation.name}}',
        },
      ],
    });
    const low = await b.client().pages.create({
      parent: { data_source_id: ds },
      properties: { Name: title('Someday'), Priority: { select: { name: 'Low' } } },
    });
    const row = await b.client().pages.create({
      parent: { data_source_id: ds },
      properties: {
        Name: title('Write report'),
        Priority: { select: { name: 'High' } },
        Owner: { email: 'ada@example.com' },
        Note: text('due Friday'),
      },
    });
    const [run] = await settled('mail new tasks');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('robot@octavo.test');
    expect(mail.to.sort()).toEqual(
      ['ada@example.com', 'audit@example.com', 'lead@example.com', 'team@example.com'].sort(),
    );
    expect(header(mail.raw, 'Subject')).toBe('New task: Write report (High)');
    expect(header(mail.raw, 'To')).toBe('team@example.com, ada@example.com');
    expect(header(mail.raw, 'Cc')).toBe('audit@example.com, lead@example.com');
    expect(header(mail.raw, 'From')).toBe('Octavo <robot@octavo.test>');
    // One Message-ID per run and step: a message sent twice can be recognized.
    expect(header(mail.raw, 'Message-ID')).toBe(`<${run.id}.0@octavo>`);
    const body = bodyOf(mail.raw);
    expect(body).toContain('Note: due Friday');
    expect(body).toContain(row.id.replaceAll('-', ''));
    expect(body).toContain('-- mail new tasks');
    expect(body).not.toContain(low.id.replaceAll('-', ''));
    expect(run.steps[0]).toMatchObject({
      action: 'send_email',
      output: { message_id: `<${run.id}.0@octavo>` },
    });
    expect(run.steps[0].output.accepted).toHaveLength(4);
  });

  it('refuses wrong addresses and references when the automation is saved', async () => {
    const ds = await dataSource('Refused');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ to: 'not an address', subject: 's', body: 'b' }, /actions\[0\]\.to should be email addresses/],
      [{ to: ['a@example.com', 'nope'], subject: 's', body: 'b' }, /actions\[0\]\.to\[1\]/],
      [{ to: 'a@example.com', cc: 'x@', subject: 's', body: 'b' }, /actions\[0\]\.cc/],
      [{ to: '{{trigger.input.to}}', subject: 's', body: 'b' }, /actions\[0\]\.to.*only manual and webhook/],
      [{ to: 'a@example.com', body: 'b' }, /actions\[0\]\.subject/],
      [
        { to: 'a@example.com', subject: 's', body: '{{trigger.page.properties.Missing}}' },
        /no property named Missing/,
      ],
    ];
    for (const [action, message] of cases) {
      const r = await b.admin('POST', '/automations', {
        name: 'bad mail',
        trigger: { type: 'page_created', data_source_id: ds },
        actions: [{ type: 'send_email', ...action }],
      });
      expect(r.status, JSON.stringify(action)).toBe(400);
      expect(r.body.code).toBe('validation_error');
      expect(r.body.message).toMatch(message);
    }
    expect((await b.admin('GET', '/automations/bad%20mail')).status).toBe(400);
  });

  it('a failing SMTP server is retried with back-off, then the run is recorded as failed', async () => {
    const ds = await dataSource('Flaky');
    await define({
      name: 'mail flaky',
      trigger: { type: 'page_created', data_source_id: ds },
      actions: [
        { type: 'add_comment', text: 'noted' },
        {
          type: 'send_email',
          to: 'ops@example.com',
          subject: 'flaky {{trigger.page.properties.Name}}',
          body: 'x',
        },
      ],
    });
    const before = smtp.received.length;
    // Refuses every attempt for the first row, the first attempt only for the second.
    let second = 0;
    smtp.refuse = (raw) => raw.includes('flaky always') || (raw.includes('flaky once') && ++second === 1);
    const always = await b
      .client()
      .pages.create({ parent: { data_source_id: ds }, properties: { Name: title('always') } });
    const [failed] = await settled('mail flaky');
    expect(failed.status, JSON.stringify(failed)).toBe('failed');
    expect(smtp.refused).toBe(4);
    expect(failed.error).toMatch(/send_email failed: SMTP server .* 451 .*\(after 4 attempts\)/);
    expect(failed.steps.map((s: Loose) => [s.action, s.error?.code ?? 'ok'])).toEqual([
      ['add_comment', 'ok'],
      ['send_email', 'smtp_error'],
    ]);
    // The comment was written once, not once per attempt.
    expect((await b.client().comments.list({ block_id: always.id })).results).toHaveLength(1);
    expect(smtp.received.length).toBe(before);

    await b.client().pages.create({ parent: { data_source_id: ds }, properties: { Name: title('once') } });
    const runs = await waitFor(
      async () => {
        const r = await settled('mail flaky');
        return r.length === 2 ? r : null;
      },
      20_000,
      'the second run',
    );
    expect(runs.map((r: Loose) => r.status).sort()).toEqual(['failed', 'succeeded']);
    expect(smtp.received.length).toBe(before + 1);
    expect(header(smtp.received.at(-1)!.raw, 'Subject')).toBe('flaky once');
    smtp.refuse = () => false;
  });

  it('STARTTLS required by the settings and not offered by the server: nothing sent, a clear error', async () => {
    await define({
      name: 'mail tls',
      trigger: { type: 'manual' },
      actions: [{ type: 'send_email', to: 'x@example.com', subject: 'tls', body: 'x' }],
    });
    const plain = b.rt.settings.smtp!;
    b.rt.settings.smtp = { ...plain, secure: 'starttls' };
    const before = smtp.received.length;
    try {
      const run = await runManually(b.rt, 'mail tls', {}, { wait: true });
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/send_email failed: SMTP server .*STARTTLS/i);
    } finally {
      b.rt.settings.smtp = plain;
    }
    expect(smtp.received.length).toBe(before);
  });

  it('a dry run shows the email without sending it; no SMTP server configured is a clear error', async () => {
    await define({
      name: 'mail by hand',
      trigger: { type: 'manual' },
      actions: [
        { type: 'send_email', to: '{{trigger.input.to}}', subject: 'Hi {{trigger.input.who}}', body: 'x' },
      ],
    });
    const before = smtp.received.length;
    const dry = await b.admin('POST', '/automations/mail%20by%20hand/run', {
      input: { to: 'z@example.com', who: 'Zoe' },
      dry_run: true,
    });
    expect(dry.body.status, JSON.stringify(dry.body)).toBe('succeeded');
    expect(dry.body.steps[0].output).toEqual({
      would_send: { to: ['z@example.com'], cc: [], subject: 'Hi Zoe' },
    });
    // The admin API's runs use OCTAVO_SMTP_* of its process, unset here.
    const real = await b.admin('POST', '/automations/mail%20by%20hand/run', {
      input: { to: 'z@example.com' },
    });
    expect(real.body.status).toBe('failed');
    expect(real.body.steps[0].error.message).toMatch(/no SMTP server is configured/);
    const bad = await b.admin('POST', '/automations/mail%20by%20hand/run', {
      input: { to: 'zz' },
      dry_run: true,
    });
    expect(bad.body.steps[0].error).toMatchObject({ code: 'validation_error' });
    expect(smtp.received.length).toBe(before);
  });
});

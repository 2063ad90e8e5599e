/**
 * The read-only browser view over HTTP, on both engines: who may see `/` and page URLs, and how
 * each block type and each property type is rendered (content written with the official SDK,
 * pages read as a signed-in person with a cookie jar over the app).
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.ts';
import { BASE_URL, type Harness, startHarness } from '../helpers/harness.ts';
import { csrfOf, Jar, newPerson, signInWith } from '../helpers/oauth.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const text = (content: string, extra: Record<string, unknown> = {}) => ({
  type: 'text' as const,
  text: { content },
  ...extra,
});
const rt = (content: string) => [text(content)];
const pathOf = (url: string) => new URL(url).pathname;
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The part of a page between <main> and </main>. */
function mainOf(body: string): string {
  return body.slice(body.indexOf('<main>'), body.indexOf('</main>'));
}

describeEngines('Browser view', (engine) => {
  let h: Harness;
  let sdk: Client;
  let jar: Jar;
  let person: Awaited<ReturnType<typeof newPerson>>;
  let pageId: string;
  let pageUrl: string;
  let childId: string;
  let databaseId: string;
  let databaseUrl: string;
  let dataSourceId: string;
  let rowIds: string[];
  let calloutId: string;
  let hostedUrlPrefix: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    sdk = h.client();
    person = await newPerson(h);
    jar = new Jar(h);
    expect((await signInWith(jar, person.email, person.password)).status).toBe(303);

    const page = await sdk.pages.create({
      parent: { page_id: h.rootPageId },
      icon: { type: 'emoji', emoji: '🧪' },
      cover: { type: 'external', external: { url: 'https://images.example/cover.png' } },
      properties: { title: { title: rt('Field notes <script>alert(1)</script>') } },
    });
    pageId = page.id;
    pageUrl = (page as { url: string }).url;

    const upload = await sdk.fileUploads.create({ filename: 'dot.png', content_type: 'image/png' });
    await sdk.fileUploads.send({
      file_upload_id: upload.id,
      file: { filename: 'dot.png', data: new Blob([PNG], { type: 'image/png' }) },
    });

    const child = await sdk.pages.create({
      parent: { page_id: pageId },
      properties: { title: { title: rt('A child page') } },
    });
    childId = child.id;

    const appended = await sdk.blocks.children.append({
      block_id: pageId,
      children: [
        { heading_1: { rich_text: rt('Heading one') } },
        { heading_2: { rich_text: rt('Heading two'), is_toggleable: true } },
        { heading_3: { rich_text: rt('Heading three') } },
        { table_of_contents: {} },
        {
          paragraph: {
            rich_text: [
              text('Bold', { annotations: { bold: true } }),
              text(' and '),
              text('a link', { text: { content: 'a link', link: { url: 'https://example.com/x?a=1&b=2' } } }),
              text(' and '),
              text('bad link', { text: { content: 'bad link', link: { url: 'javascript:alert(1)' } } }),
              text(' '),
              { type: 'mention', mention: { page: { id: childId } } },
              text(' '),
              { type: 'equation', equation: { expression: 'e^{i\\pi}+1=0' } },
            ],
            children: [{ paragraph: { rich_text: rt('Nested under the paragraph') } }],
          },
        },
        {
          bulleted_list_item: {
            rich_text: rt('Bullet one'),
            children: [{ bulleted_list_item: { rich_text: rt('Bullet nested') } }],
          },
        },
        { bulleted_list_item: { rich_text: rt('Bullet two') } },
        { numbered_list_item: { rich_text: rt('Number one') } },
        { numbered_list_item: { rich_text: rt('Number two') } },
        { to_do: { rich_text: rt('Done thing'), checked: true } },
        { to_do: { rich_text: rt('Open thing'), checked: false } },
        {
          toggle: {
            rich_text: rt('Toggle summary'),
            children: [
              {
                quote: {
                  rich_text: rt('Quoted deep inside'),
                  children: [{ paragraph: { rich_text: rt('Three levels down') } }],
                },
              },
            ],
          },
        },
        { quote: { rich_text: rt('A quote') } },
        { paragraph: { rich_text: rt('"><img src=x onerror=alert(1)><a href="javascript:x">') } },
        { callout: { rich_text: rt('Callout text'), icon: { type: 'emoji', emoji: '💡' } } },
        { code: { rich_text: rt('const a = 1 < 2 && "x";'), language: 'javascript' } },
        { equation: { expression: 'E = mc^2' } },
        { divider: {} },
        { bookmark: { url: 'https://bookmark.example/path', caption: rt('Bookmark caption') } },
        { embed: { url: 'https://embed.example/widget' } },
        { image: { type: 'file_upload', file_upload: { id: upload.id }, caption: rt('A hosted dot') } },
        { image: { type: 'external', external: { url: 'https://images.example/pic.png' } } },
        { video: { type: 'external', external: { url: 'https://video.example/clip.mp4' } } },
        { pdf: { type: 'external', external: { url: 'https://files.example/doc.pdf' } } },
        { file: { type: 'external', external: { url: 'https://files.example/data.csv' }, name: 'data.csv' } },
        { audio: { type: 'external', external: { url: 'https://files.example/sound.mp3' } } },
        {
          table: {
            table_width: 2,
            has_column_header: true,
            has_row_header: false,
            children: [
              { table_row: { cells: [rt('Col A'), rt('Col B')] } },
              { table_row: { cells: [rt('a1'), rt('b1')] } },
            ],
          },
        },
        {
          column_list: {
            children: [
              { column: { children: [{ paragraph: { rich_text: rt('Left column') } }] } },
              { column: { children: [{ paragraph: { rich_text: rt('Right column') } }] } },
            ],
          },
        },
        { synced_block: { synced_from: null, children: [{ paragraph: { rich_text: rt('Synced text') } }] } },
        { link_to_page: { type: 'page_id', page_id: childId } },
        { breadcrumb: {} },
      ] as never,
    });
    const blocks = appended.results as { id: string; type: string }[];
    calloutId = blocks.find((b) => b.type === 'callout')!.id;
    const original = blocks.find((b) => b.type === 'synced_block')!.id;
    await sdk.blocks.children.append({
      block_id: pageId,
      children: [{ synced_block: { synced_from: { block_id: original } } }] as never,
    });
    const hosted = (await sdk.blocks.retrieve({ block_id: blocks.find((b) => b.type === 'image')!.id })) as {
      image: { file: { url: string } };
    };
    hostedUrlPrefix = pathOf(hosted.image.file.url);

    const db = await sdk.databases.create({
      parent: { page_id: pageId },
      title: rt('Reading list'),
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Notes: { rich_text: {} },
          Pages: { number: {} },
          Price: { number: { format: 'dollar' } },
          Share: { number: { format: 'percent' } },
          Genre: { select: { options: [{ name: 'Fiction', color: 'blue' }] } },
          Tags: { multi_select: { options: [{ name: 'classic' }, { name: 'long' }] } },
          State: { status: {} },
          Read: { date: {} },
          Owner: { people: {} },
          Attachments: { files: {} },
          Done: { checkbox: {} },
          Link: { url: {} },
          Mail: { email: {} },
          Phone: { phone_number: {} },
          Created: { created_time: {} },
          Creator: { created_by: {} },
          Edited: { last_edited_time: {} },
          Editor: { last_edited_by: {} },
          Ref: { unique_id: { prefix: 'BK' } },
          Checked: { verification: {} },
          Where: { place: {} },
          Act: { button: {} },
          Spot: { location: {} },
          Visited: { last_visited_time: {} },
        },
      },
    } as never);
    databaseId = db.id;
    databaseUrl = (db as unknown as { url: string }).url;
    dataSourceId = (db as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id;
    // A relation to the data source itself.
    await sdk.dataSources.update({
      data_source_id: dataSourceId,
      properties: { Related: { relation: { data_source_id: dataSourceId, single_property: {} } } },
    } as never);
    const first = await sdk.pages.create({
      parent: { data_source_id: dataSourceId },
      properties: { Name: { title: rt('Middlemarch') } },
    } as never);
    const second = await sdk.pages.create({
      parent: { data_source_id: dataSourceId },
      properties: {
        Name: { title: rt('War & Peace') },
        Notes: { rich_text: [text('very ', {}), text('long', { annotations: { italic: true } })] },
        Pages: { number: 1225 },
        Price: { number: 12.5 },
        Share: { number: 0.25 },
        Genre: { select: { name: 'Fiction' } },
        Tags: { multi_select: [{ name: 'classic' }, { name: 'long' }] },
        State: { status: { name: 'Done' } },
        Read: { date: { start: '2024-01-02', end: '2024-03-04' } },
        Owner: { people: [{ id: person.user.id }] },
        Attachments: { files: [{ name: 'notes.txt', external: { url: 'https://files.example/notes.txt' } }] },
        Done: { checkbox: true },
        Link: { url: 'https://example.org/war' },
        Mail: { email: 'reader@example.com' },
        Phone: { phone_number: '+1 555 0100' },
        Related: { relation: [{ id: first.id }] },
        Checked: { verification: { state: 'verified' } },
        Where: { place: { lat: 48.85, lon: 2.35, name: 'Paris' } },
      },
    } as never);
    rowIds = [first.id, second.id];
  }, 120_000);

  afterAll(() => h?.close());

  const get = async (path: string, j = jar) => {
    const res = await j.fetch(path);
    return { res, body: await res.text() };
  };

  describe('access', () => {
    it('sends anyone not signed in to sign in, and back to where they were going', async () => {
      const stranger = new Jar(h);
      for (const path of ['/', pathOf(pageUrl), pathOf(databaseUrl), `/p/${'0'.repeat(32)}`]) {
        const res = await stranger.fetch(path);
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
        expect(await res.text()).not.toContain('Field notes');
      }
      const signedIn = await signInWith(stranger, person.email, person.password, pathOf(pageUrl));
      expect(signedIn.headers.get('location')).toBe(pathOf(pageUrl));
      expect((await stranger.fetch(pathOf(pageUrl))).status).toBe(200);
    });

    it('does not take an integration token, a forged cookie or a signed-out session', async () => {
      const bearer = await h.app.request(`${BASE_URL}${pathOf(pageUrl)}`, {
        headers: { authorization: `Bearer ${h.token}`, 'notion-version': '2025-09-03' },
      });
      expect(bearer.status).toBe(303);
      const forged = await h.app.request(`${BASE_URL}/`, {
        headers: { cookie: `octavo_session=${'a'.repeat(43)}` },
      });
      expect(forged.status).toBe(303);

      const leaving = new Jar(h);
      await signInWith(leaving, person.email, person.password);
      const cookie = leaving.cookies.get('octavo_session')!;
      const home = await get('/', leaving);
      expect(home.res.status).toBe(200);
      expect((await leaving.post('/sign-out', { csrf: csrfOf(home.body) })).status).toBe(303);
      const after = await h.app.request(`${BASE_URL}/`, { headers: { cookie: `octavo_session=${cookie}` } });
      expect(after.status).toBe(303);
    });

    it('shows members every page, shared with an integration or not; unknown ids and blocks are 404', async () => {
      const unshared = await h.newRootPage('Private to the workspace');
      const { res, body } = await get(`/p/${unshared.replaceAll('-', '')}`);
      expect(res.status).toBe(200);
      expect(body).toContain('<h1>Private to the workspace</h1>');
      const missing = await get(`/p/Nothing-${'ab'.repeat(16)}`);
      expect(missing.res.status).toBe(404);
      expect(missing.body).toContain('Not found');
      expect((await get(`/p/${calloutId.replaceAll('-', '')}`)).res.status).toBe(404);
      expect((await get('/p/not-an-id')).res.status).toBe(404);
    });

    it('shows a page in the trash with a notice', async () => {
      const doomed = await h.newRootPage('Old plans', ['Octavo Quickstart']);
      await sdk.pages.update({ page_id: doomed, in_trash: true });
      const { res, body } = await get(`/p/Old-plans-${doomed.replaceAll('-', '')}`);
      expect(res.status).toBe(200);
      expect(body).toContain('<p class="notice" role="status">This is in the trash.</p>');
      // The home page lists only pages outside the trash.
      expect((await get('/')).body).not.toContain('Old plans');
    });

    it('sends pages that forbid scripts, framing and caching, and allow images', async () => {
      const { res } = await get(pathOf(pageUrl));
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('script-src');
      expect(csp).toMatch(/img-src [^;]*'self'/);
    });
  });

  describe('home page', () => {
    it('shows the version, the storage engine, docs, the OpenAPI link, integrations and their pages', async () => {
      await h.newIntegration('Reporting bot', ['read_content']);
      await h.newRootPage('Quarterly report', ['Reporting bot']);
      const { res, body } = await get('/');
      expect(res.status).toBe(200);
      const main = mainOf(body);
      expect(main).toContain(`Octavo ${VERSION}`);
      expect(main).toContain(engine === 'postgres' ? 'PostgreSQL' : 'SQLite');
      expect(main).toContain('href="/v1/openapi.json"');
      expect(main).toContain('README');
      // The quickstart integration and its shared page, the new integration and its page.
      expect(main).toMatch(/<h3>Octavo Quickstart[\s\S]*?Getting started/);
      expect(main).toMatch(/<h3>Reporting bot[\s\S]*?<a href="\/p\/Quarterly-report-[0-9a-f]{32}">/);
      expect(main).toContain('read_content');
      // Workspace-level pages are listed.
      expect(main).toMatch(/<a href="\/p\/Getting-started-[0-9a-f]{32}">Getting started<\/a>/);
    });
  });

  describe('a page', () => {
    let main = '';
    beforeAll(async () => {
      // The `url` the API hands out opens it (it once answered 400).
      const read = (await sdk.pages.retrieve({ page_id: pageId })) as { url: string };
      expect(read.url).toBe(pageUrl);
      const { res, body } = await get(pathOf(read.url));
      expect(res.status).toBe(200);
      main = mainOf(body);
    });

    it('keeps a title with markup inert', async () => {
      const { body } = await get(pathOf(pageUrl));
      expect(body).not.toMatch(/<script/i);
      expect(body).toContain('Field notes &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(body).toContain('<title>Field notes &lt;script&gt;alert(1)&lt;/script&gt; · Octavo</title>');
      // Markup in rich text is text too.
      expect(body).toContain(
        '<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;a href=&quot;javascript:x&quot;&gt;</p>',
      );
      expect(body).not.toMatch(/<img src=x|onerror=alert\(1\)>/);
    });

    it('shows the icon, the cover and the breadcrumb to the page', () => {
      expect(main).toContain('<span class="page-icon" aria-hidden="true">🧪</span>');
      expect(main).toContain('<img class="cover" src="https://images.example/cover.png" alt="">');
      expect(main).toMatch(/<nav class="breadcrumb"[^>]*><a href="\/p\/Getting-started-/);
    });

    it('renders headings, rich text, links and mentions', () => {
      expect(main).toMatch(/<h2 id="b-[0-9a-f-]{36}">Heading one<\/h2>/);
      expect(main).toMatch(/<details class="toggle"><summary><h3 id="b-[^"]+">Heading two<\/h3><\/summary>/);
      expect(main).toMatch(/<h4 id="b-[^"]+">Heading three<\/h4>/);
      expect(main).toMatch(/<nav class="toc"[^>]*><ul><li class="toc-2"><a href="#b-[^"]+">Heading one<\/a>/);
      expect(main).toContain('<strong>Bold</strong>');
      expect(main).toContain('<a href="https://example.com/x?a=1&amp;b=2">a link</a>');
      // A javascript: link is shown as text, never as an href.
      expect(main).toContain('bad link');
      expect(main).not.toMatch(/href="javascript/i);
      expect(main).toContain(`<a href="/p/A-child-page-${childId.replaceAll('-', '')}">A child page</a>`);
      expect(main).toContain('<code class="equation">e^{i\\pi}+1=0</code>');
    });

    it('nests children: under a paragraph, in lists, three levels down in a toggle', () => {
      expect(main).toMatch(
        /<p><strong>Bold<\/strong>[\s\S]*?<\/p><div class="children"><p>Nested under the paragraph<\/p><\/div>/,
      );
      expect(main).toMatch(
        /<ul><li>Bullet one<div class="children"><ul><li>Bullet nested<\/li><\/ul><\/div><\/li><li>Bullet two<\/li><\/ul>/,
      );
      expect(main).toContain('<ol><li>Number one</li><li>Number two</li></ol>');
      expect(main).toMatch(
        /<details class="toggle"><summary>Toggle summary<\/summary><div class="children"><blockquote>Quoted deep inside<div class="children"><p>Three levels down<\/p><\/div><\/blockquote><\/div><\/details>/,
      );
    });

    it('renders to-dos, quotes, callouts, code, equations and dividers', () => {
      expect(main).toContain(
        '<div class="todo done"><label><input type="checkbox" disabled checked> <span>Done thing</span></label></div>',
      );
      expect(main).toContain(
        '<div class="todo"><label><input type="checkbox" disabled> <span>Open thing</span></label></div>',
      );
      expect(main).toContain('<blockquote>A quote</blockquote>');
      expect(main).toContain(
        '<div class="callout" role="note"><span class="icon" aria-hidden="true">💡</span><div>Callout text</div></div>',
      );
      expect(main).toContain(
        '<pre><code data-language="javascript">const a = 1 &lt; 2 &amp;&amp; &quot;x&quot;;</code></pre>',
      );
      expect(main).toContain('<div class="equation"><code>E = mc^2</code></div>');
      expect(main).toContain('<hr>');
    });

    it('renders bookmarks and embeds as links, and media', () => {
      expect(main).toContain(
        '<figure class="bookmark"><a href="https://bookmark.example/path">https://bookmark.example/path</a><figcaption>Bookmark caption</figcaption></figure>',
      );
      expect(main).toContain('<a href="https://embed.example/widget">https://embed.example/widget</a>');
      expect(main).toContain('<img src="https://images.example/pic.png" alt="">');
      expect(main).toContain('<a href="https://video.example/clip.mp4">clip.mp4</a>');
      expect(main).toContain('<a href="https://files.example/doc.pdf">PDF: doc.pdf</a>');
      expect(main).toContain('<a href="https://files.example/data.csv">data.csv</a>');
      expect(main).toContain(
        '<audio controls preload="metadata" src="https://files.example/sound.mp3"></audio>',
      );
    });

    it('shows a hosted image through a signed URL that serves the file', async () => {
      const m = /<img src="([^"]+)" alt="A hosted dot"><figcaption>A hosted dot<\/figcaption>/.exec(main);
      expect(m).not.toBeNull();
      const src = m![1]!.replaceAll('&amp;', '&');
      expect(src.split('?')[0]).toBe(hostedUrlPrefix);
      const file = await h.app.request(`${BASE_URL}${src}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    });

    it('renders tables, columns, synced blocks and their references', () => {
      expect(main).toContain(
        '<table class="block-table"><tr><th scope="col">Col A</th><th scope="col">Col B</th></tr><tr><td>a1</td><td>b1</td></tr></table>',
      );
      expect(main).toMatch(
        /<div class="columns"><div class="column" style="flex: [0-9.]+ 1 0"><p>Left column<\/p><\/div><div class="column" style="flex: [0-9.]+ 1 0"><p>Right column<\/p><\/div><\/div>/,
      );
      // The original and the reference both show the synced content.
      expect(main.match(/<div class="synced"><p>Synced text<\/p><\/div>/g)).toHaveLength(2);
    });

    it('links child pages, child databases and link_to_page targets', () => {
      const child = `/p/A-child-page-${childId.replaceAll('-', '')}`;
      expect(main).toContain(
        `<p class="child"><a href="${child}"><span aria-hidden="true">📄</span> A child page</a></p>`,
      );
      expect(main).toContain(
        `<p class="child"><a href="${child}"><span aria-hidden="true">↗</span> A child page</a></p>`,
      );
      expect(main).toContain(
        `<a href="/p/Reading-list-${databaseId.replaceAll('-', '')}"><span aria-hidden="true">🗃</span> Reading list</a>`,
      );
    });
  });

  describe('a long page', () => {
    it('shows the first 5,000 blocks and says it is cut short', async () => {
      const long = await sdk.pages.create({
        parent: { page_id: pageId },
        properties: { title: { title: rt('Long page') } },
      });
      for (let k = 0; k < 50; k++)
        await sdk.blocks.children.append({
          block_id: long.id,
          children: Array.from({ length: 100 }, (_, i) => ({
            paragraph: { rich_text: rt(`Line ${k * 100 + i}`) },
          })) as never,
        });
      const whole = mainOf((await get(`/p/${long.id}`)).body);
      expect(whole).toContain('<p>Line 4999</p>');
      expect(whole).not.toContain('cut short');
      await sdk.blocks.children.append({
        block_id: long.id,
        children: [{ paragraph: { rich_text: rt('Line 5000') } }] as never,
      });
      const cut = mainOf((await get(`/p/${long.id}`)).body);
      expect(cut.match(/<p>Line \d+<\/p>/g)).toHaveLength(5000);
      expect(cut).not.toContain('<p>Line 5000</p>');
      expect(cut).toContain('only its first 5,000 blocks are shown');
    }, 120_000);
  });

  describe('a database', () => {
    let main = '';
    beforeAll(async () => {
      const { res, body } = await get(pathOf(databaseUrl));
      expect(res.status).toBe(200);
      main = mainOf(body);
    });

    it('shows its rows as a table with a column per property, the title first', () => {
      expect(main).toContain('<h1>Reading list</h1>');
      const head = /<thead><tr>([\s\S]*?)<\/tr><\/thead>/.exec(main)![1]!;
      const columns = [...head.matchAll(/<th scope="col" data-type="([a-z_]+)">([^<]+)<\/th>/g)].map(
        (m) => m[2],
      );
      expect(columns[0]).toBe('Name');
      expect(columns).toEqual(
        expect.arrayContaining([
          'Notes',
          'Pages',
          'Genre',
          'Tags',
          'State',
          'Read',
          'Owner',
          'Related',
          'Ref',
        ]),
      );
      expect(main).toContain(
        `<th scope="row"><a href="/p/War-Peace-${rowIds[1]!.replaceAll('-', '')}">War &amp; Peace</a></th>`,
      );
      expect(main).toContain(`<a href="/p/Middlemarch-${rowIds[0]!.replaceAll('-', '')}">Middlemarch</a>`);
    });

    it("renders each property type's value", () => {
      const row = /<tr><th scope="row"><a [^>]*>War &amp; Peace<\/a><\/th>([\s\S]*?)<\/tr>/.exec(main)![1]!;
      const cell = (type: string) => new RegExp(`<td data-type="${type}">([\\s\\S]*?)</td>`).exec(row)![1];
      expect(cell('rich_text')).toBe('very <em>long</em>');
      const numbers = [...row.matchAll(/<td data-type="number">([^<]*)<\/td>/g)].map((m) => m[1]);
      expect(numbers).toEqual(['1225', '$12.50', '25%']);
      expect(cell('select')).toBe('<span class="tag c-bg-blue">Fiction</span>');
      expect(cell('multi_select')).toBe('<span class="tag">classic</span><span class="tag">long</span>');
      expect(cell('status')).toContain('>Done</span>');
      expect(cell('date')).toBe('2024-01-02 → 2024-03-04');
      expect(cell('people')).toBe(person.user.name);
      expect(cell('files')).toBe('<a href="https://files.example/notes.txt">notes.txt</a>');
      expect(cell('checkbox')).toBe('<input type="checkbox" disabled aria-label="Yes" checked>');
      expect(cell('url')).toBe('<a href="https://example.org/war">https://example.org/war</a>');
      expect(cell('email')).toBe('<a href="mailto:reader@example.com">reader@example.com</a>');
      expect(cell('phone_number')).toBe('<a href="tel:+15550100">+1 555 0100</a>');
      expect(cell('relation')).toBe(
        `<a href="/p/Middlemarch-${rowIds[0]!.replaceAll('-', '')}">Middlemarch</a>`,
      );
      expect(cell('created_time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
      expect(cell('created_by')).toBe('Octavo Quickstart');
      expect(cell('last_edited_by')).toBe('Octavo Quickstart');
      expect(cell('unique_id')).toBe('BK-2');
      expect(cell('verification')).toBe('verified');
      expect(cell('place')).toBe('Paris');
      expect(cell('button')).toBe('');
      expect(cell('location')).toBe('');
      expect(cell('last_visited_time')).toBe('');
    });

    it('shows a row as a page with its properties', async () => {
      const { res, body } = await get(`/p/${rowIds[1]}`);
      expect(res.status).toBe(200);
      const main = mainOf(body);
      expect(main).toContain('<h1>War &amp; Peace</h1>');
      expect(main).toContain('<tr><th scope="row">Pages</th><td data-type="number">1225</td></tr>');
      expect(main).toContain('<tr><th scope="row">Price</th><td data-type="number">$12.50</td></tr>');
      expect(main).toMatch(/<nav class="breadcrumb"[\s\S]*?Reading list<\/a> \/ <\/nav>/);
    });

    it("opens a view's url, and a linked database shows its source's rows", async () => {
      const view = (await sdk.views.create({
        data_source_id: dataSourceId,
        name: 'Linked reading',
        type: 'table',
        create_database: { parent: { type: 'page_id', page_id: pageId } },
      } as never)) as unknown as { url: string; parent: { database_id: string } };
      const viaView = await get(`${pathOf(view.url)}${new URL(view.url).search}`);
      expect(viaView.res.status).toBe(200);
      const linked = await get(`/p/${view.parent.database_id.replaceAll('-', '')}`);
      expect(linked.res.status).toBe(200);
      const main = mainOf(linked.body);
      expect(main).toContain('>Middlemarch</a></th>');
      expect(main).toContain('>War &amp; Peace</a></th>');
    });

    it('opens from its data source id too, and pages through rows 100 at a time', async () => {
      const viaSource = await get(`/p/${dataSourceId.replaceAll('-', '')}`);
      expect(viaSource.res.status).toBe(200);
      expect(viaSource.body).toContain('<h1>Reading list</h1>');

      const many = await sdk.databases.create({
        parent: { page_id: pageId },
        title: rt('Many rows'),
        initial_data_source: { properties: { Name: { title: {} } } },
      } as never);
      const source = (many as unknown as { data_sources: { id: string }[] }).data_sources[0]!.id;
      for (let i = 0; i < 101; i++)
        await sdk.pages.create({
          parent: { data_source_id: source },
          properties: { Name: { title: rt(`Row ${i}`) } },
        } as never);
      const first = mainOf((await get(`/p/${many.id}`)).body);
      expect(first.match(/<th scope="row">/g)).toHaveLength(100);
      const next = /<a href="([^"]+)">Next rows →<\/a>/.exec(first)![1]!.replaceAll('&amp;', '&');
      const second = mainOf((await get(next)).body);
      expect(second.match(/<th scope="row">/g)).toHaveLength(1);
      expect(second).not.toContain('Next rows');
      const bad = await get(`/p/${many.id}?source=${source}&cursor=nope`);
      expect(bad.res.status).toBe(404);
    }, 60_000);
  });
});

describeEngines('Browser view behind a proxy path', (engine) => {
  let h: Harness;
  afterAll(() => h?.close());

  it('links to pages, home and the OpenAPI document under the public URL path', async () => {
    h = await startHarness(engine, { publicUrl: `${BASE_URL}/notion` });
    const person = await newPerson(h);
    const jar = new Jar(h);
    await signInWith(jar, person.email, person.password);
    const child = await h.client().pages.create({
      parent: { page_id: h.rootPageId },
      properties: { title: { title: rt('Behind the proxy') } },
    });
    const url = (child as { url: string }).url;
    expect(url).toMatch(/^http:\/\/octavo\.test\/notion\/p\/Behind-the-proxy-[0-9a-f]{32}$/);
    // The proxy takes /notion away before the request reaches Octavo.
    const root = await jar.fetch(`/p/${h.rootPageId}`);
    expect(root.status).toBe(200);
    const body = await root.text();
    expect(body).toContain(`<a href="/notion/p/Behind-the-proxy-${child.id.replaceAll('-', '')}">`);
    expect(body).toContain('<a href="/notion/">');
    const home = await (await jar.fetch('/')).text();
    expect(home).toContain('<a href="/notion/v1/openapi.json">');
    expect(home).toMatch(/<a href="\/notion\/p\/Getting-started-[0-9a-f]{32}">Getting started<\/a>/);
  });
});

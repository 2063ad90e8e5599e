/** The HTML helper escapes every interpolation unless it is markup the helper made itself. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, Html, html, trusted } from '../../src/web/html.ts';

describe('html``', () => {
  it('escapes text in content and in quoted attributes', () => {
    const name = `"><script>alert('x')</script>&\``;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;</p>',
    );
  });

  it('inserts Html made by html`` as is, joins arrays, and renders null, undefined and false as nothing', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul>0',
    );
    expect(html`${trusted('<br>')}`).toBeInstanceOf(Html);
    expect(html`${trusted('<br>')}`.text).toBe('<br>');
  });

  it('escapes a string that looks like markup but is not Html', () => {
    expect(html`${'<b>bold</b>'}`.text).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

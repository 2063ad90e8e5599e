/**
 * HTML without a template engine: `html` is a tagged template that escapes every interpolated
 * value, unless the value is already `Html` (made by `html` itself or, for text known to be
 * markup, by `trusted`). Arrays are joined, null and undefined render as nothing. So escaping is
 * the default and forgetting it is impossible short of calling `trusted`.
 */

/** Markup that is safe to insert as is. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Markup with every `${value}` escaped (Html values inserted as they are). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Marks `text` as markup. Only for constants written in this code, never for input. */
export function trusted(text: string): Html {
  return new Html(text);
}

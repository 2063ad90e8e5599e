/**
 * The text edits of PATCH /v1/pages/{id}/markdown, applied to the page's current markdown:
 * insert (at the start, the end, or after a selection), replace a selection, exact-match
 * search and replace, replace everything. Selections are Notion's `"start text...end text"`:
 * the first place the start text occurs, through the first end text after it (without `...`,
 * the text itself). Pure: the operation (ops/markdown.ts) turns the result into blocks.
 */
import type { UpdatePageMarkdownBody } from '../wire/markdown.schema.ts';
import { bodyError, type PathSegment } from '../wire/validation.ts';

/** Where a selection sits in `text`, or null when it does not. */
export function findSelection(text: string, selection: string): { start: number; end: number } | null {
  const cut = selection.indexOf('...');
  const head = cut >= 0 ? selection.slice(0, cut) : selection;
  const tail = cut >= 0 ? selection.slice(cut + 3) : '';
  if (head === '' && tail === '') return null;
  const start = text.indexOf(head);
  if (start < 0) return null;
  if (tail === '') return { start, end: start + head.length };
  const end = text.indexOf(tail, start + head.length);
  return end < 0 ? null : { start, end: end + tail.length };
}

function selectionAt(text: string, selection: string, path: PathSegment[]) {
  const found = findSelection(text, selection);
  if (!found) throw bodyError(path, 'should match the page content ("start...end" or exact text)', selection);
  return found;
}

function join(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}\n${b}`;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** The page's markdown after the edit `body` asks for. */
export function applyEdit(current: string, body: UpdatePageMarkdownBody): string {
  switch (body.type) {
    case 'insert_content': {
      const { content, after, position } = body.insert_content;
      if (after !== undefined && position !== undefined) {
        throw bodyError(['insert_content', 'position'], 'should be not present when `after` is', position);
      }
      if (after !== undefined) {
        const { end } = selectionAt(current, after, ['insert_content', 'after']);
        // After the selection means after the line (block) it ends in.
        const lineEnd = current.indexOf('\n', end);
        const cut = lineEnd < 0 ? current.length : lineEnd;
        return join(join(current.slice(0, cut), content), current.slice(cut + 1));
      }
      return position?.type === 'start' ? join(content, current) : join(current, content);
    }
    case 'replace_content_range': {
      const { content, content_range } = body.replace_content_range;
      const { start, end } = selectionAt(current, content_range, ['replace_content_range', 'content_range']);
      return current.slice(0, start) + content + current.slice(end);
    }
    case 'update_content': {
      let text = current;
      body.update_content.content_updates.forEach((u, i) => {
        const path = ['update_content', 'content_updates', i, 'old_str'];
        const n = countOf(text, u.old_str);
        if (n === 0) throw bodyError(path, 'should match the page content exactly', u.old_str);
        if (n > 1 && u.replace_all_matches !== true) {
          throw bodyError(
            path,
            `should match once (it matches ${n} times; set \`replace_all_matches\`)`,
            u.old_str,
          );
        }
        text = text.split(u.old_str).join(u.new_str);
      });
      return text;
    }
    case 'replace_content':
      return body.replace_content.new_str;
  }
}

/** Whether the edit allows deleting child pages and databases. */
export function allowsDeleting(body: UpdatePageMarkdownBody): boolean {
  switch (body.type) {
    case 'insert_content':
      return false;
    case 'replace_content_range':
      return body.replace_content_range.allow_deleting_content === true;
    case 'update_content':
      return body.update_content.allow_deleting_content === true;
    case 'replace_content':
      return body.replace_content.allow_deleting_content === true;
  }
}

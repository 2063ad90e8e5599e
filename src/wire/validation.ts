/**
 * Rendering of validation failures in Notion's grammar, in one place:
 *   body failed validation: body.children[0].paragraph.rich_text should be an array, instead was `"hi"`.
 * Zod issues and hand-raised issues both become `Issue`s, then one message.
 */
import type { z } from 'zod';
import { ApiError } from './errors.ts';

export type PathSegment = string | number;
export type Root = 'body' | 'path' | 'query';

/** One failed expectation at a path; `alternatives` lists the branches of a failed union. */
export interface Issue {
  path: PathSegment[];
  /** What the value should be, e.g. "should be defined", "should be ≤ `100`". */
  expectation: string;
  value: unknown;
  /** Appended to the path, e.g. ".length" for size limits. */
  suffix?: string;
  alternatives?: Issue[];
}

export function formatPath(root: Root, path: readonly PathSegment[]): string {
  let out: string = root;
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
  return out;
}

/** Renders a value as Notion does: JSON, cut to about 40 characters with `...`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function renderIssue(root: Root, issue: Issue): string {
  return `${formatPath(root, issue.path)}${issue.suffix ?? ''} ${issue.expectation}, instead was \`${formatValue(issue.value)}\`.`;
}

export function renderIssues(root: Root, issue: Issue): string {
  const label = root === 'path' ? 'path' : root;
  if (issue.alternatives && issue.alternatives.length > 1) {
    return `${label} failed validation. Fix one:\n${issue.alternatives.map((a) => renderIssue(root, a)).join('\n')}`;
  }
  return `${label} failed validation: ${renderIssue(root, issue)}`;
}

export function validationError(root: Root, issue: Issue): ApiError {
  return new ApiError('validation_error', renderIssues(root, issue));
}

/** Shorthand for a hand-raised body issue. */
export function bodyError(
  path: PathSegment[],
  expectation: string,
  value: unknown,
  suffix?: string,
): ApiError {
  return validationError('body', { path, expectation, value, ...(suffix ? { suffix } : {}) });
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathSegment, unknown>)[seg];
  }
  return cur;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: '`null`',
  never: 'not present',
};

/** Turns the first zod issue into an Issue, reading the offending value from the raw input. */
export function fromZodIssue(input: unknown, zi: z.core.$ZodIssue, base: PathSegment[] = []): Issue {
  const path = [...base, ...(zi.path as PathSegment[])];
  const value = valueAt(input, zi.path as PathSegment[]);
  switch (zi.code) {
    case 'invalid_type':
      if (value === undefined) return { path, expectation: 'should be defined', value };
      return { path, expectation: `should be ${TYPE_WORDS[zi.expected] ?? zi.expected}`, value };
    case 'too_big': {
      const bound = `${zi.inclusive === false ? '<' : '≤'} \`${zi.maximum}\``;
      if (zi.origin === 'string' || zi.origin === 'array')
        return { path, suffix: '.length', expectation: `should be ${bound}`, value: lengthOf(value) };
      return { path, expectation: `should be ${bound}`, value };
    }
    case 'too_small': {
      const bound = `${zi.inclusive === false ? '>' : '≥'} \`${zi.minimum}\``;
      if (zi.origin === 'string' || zi.origin === 'array')
        return { path, suffix: '.length', expectation: `should be ${bound}`, value: lengthOf(value) };
      return { path, expectation: `should be ${bound}`, value };
    }
    case 'invalid_value':
      return {
        path,
        expectation: `should be ${zi.values.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`,
        value,
      };
    case 'unrecognized_keys': {
      const key = zi.keys[0] ?? '';
      return { path: [...path, key], expectation: 'should be not present', value: valueAt(value, [key]) };
    }
    case 'invalid_format':
      return { path, expectation: `should be a valid ${zi.format === 'url' ? 'URL' : zi.format}`, value };
    case 'invalid_union': {
      const alternatives = zi.errors
        .map((branch) => branch[0])
        .filter((b): b is z.core.$ZodIssue => b !== undefined)
        .map((b) => fromZodIssue(value, b, path));
      if (alternatives.length === 1) return alternatives[0]!;
      if (alternatives.length === 0) return { path, expectation: zi.message, value };
      return { path, expectation: alternatives[0]!.expectation, value, alternatives };
    }
    default:
      return { path, expectation: zi.message, value };
  }
}

function lengthOf(v: unknown): unknown {
  return typeof v === 'string' || Array.isArray(v) ? v.length : v;
}

/** Parses `input` with `schema`, throwing Notion's validation_error on the first issue. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, root: Root = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (!first) throw new ApiError('validation_error', `${root} failed validation.`);
  throw validationError(root, fromZodIssue(input, first));
}

/** Parses a value found at `path` inside the request, so errors name the full path. */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: PathSegment[],
  root: Root = 'body',
) {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.output<S>;
  const first = result.error.issues[0];
  if (!first) throw new ApiError('validation_error', `${root} failed validation.`);
  throw validationError(root, fromZodIssue(value, first, path));
}

/**
 * The formula language as one pure module: compile (parse + type-check + stored form), evaluate,
 * and render a result as Notion's API does (notion-formulas.md §7).
 */
import { ApiError } from '../../wire/errors.ts';
import { apiKind, type Checked, check, type FType, type SchemaLookup } from './check.ts';
import { type EvalEnv, evaluate } from './evaluate.ts';
import { type FormulaError, type Node, parse } from './syntax.ts';
import { isDate, isFail, isoText, isPage, isPerson, toText, type Value } from './values.ts';

export { apiKind, check, type FType, FUNCTION_NAMES, type PropInfo, type SchemaLookup, T } from './check.ts';
export { type EvalEnv, evaluate } from './evaluate.ts';
export { FormulaError, parse } from './syntax.ts';
export type { DateV, PageV, PersonV, Value } from './values.ts';
export { isEmptyValue, toText } from './values.ts';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export type CompiledFormula = {
  root: Node;
  type: FType;
  checked: Checked;
  /** The expression in stored form: property references as `{{notion:block_property:…}}` tokens. */
  stored: string;
};

/**
 * Parses and checks `expression` (names or tokens) and produces its stored form. `space` is the
 * workspace id used in tokens; a reference into a related data source carries that source's id.
 */
export function compileFormula(
  expression: string,
  schema: SchemaLookup,
  options: { space?: string; allowMissing?: boolean } = {},
): CompiledFormula {
  const root = parse(expression);
  const checked = check(root, schema, { allowMissing: options.allowMissing });
  const space = options.space ?? ZERO_UUID;
  // Each reference's own `prop(…)` or token is the end of its span (a receiver may precede it).
  const spans = checked.refs.flatMap((ref) => {
    const src = expression.slice(ref.span.start, ref.span.end);
    const m = /(?:prop\s*\(\s*"(?:[^"\\]|\\.)*"\s*\)|\{\{notion:block_property:[^}]*\}\})$/.exec(src);
    return m ? [{ start: ref.span.start + m.index, end: ref.span.end, ref }] : [];
  });
  let stored = '';
  let at = 0;
  for (const { start, end, ref } of spans.sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    stored += expression.slice(at, start);
    stored += `{{notion:block_property:${encodeURIComponent(ref.id)}:${ref.ds ?? ZERO_UUID}:${space}}}`;
    at = end;
  }
  stored += expression.slice(at);
  return { root, type: checked.type, checked, stored };
}

/** The API error for a formula that does not parse or check (§7.3), with the position. */
export function formulaApiError(err: FormulaError, expression: string): ApiError {
  const { start, end } = err.span;
  const near = expression.slice(start, Math.min(end, start + 40));
  return new ApiError(
    'validation_error',
    `${err.message}: ${err.detail} at position ${start}${near ? ` ("${near}")` : ''}.`,
  );
}

export type FormulaResult =
  | { type: 'number'; number: number | null }
  | { type: 'string'; string: string | null }
  | { type: 'boolean'; boolean: boolean | null }
  | { type: 'date'; date: { start: string; end: string | null; time_zone: null } | null };

/** Renders a list the way the API does (§7.1): flattened, empties dropped, joined with ",". */
export function renderList(v: Value[], zone: string): string | null {
  const flat = (v as unknown[]).flat(Number.POSITIVE_INFINITY) as Value[];
  const kept = flat.filter((x) => x !== null && !isFail(x));
  return kept.length === 0
    ? null
    : kept.map((x) => toText(x as Exclude<Value, { kind: 'fail' }>, zone)).join(',');
}

/**
 * A list value cut after its `max`-th page or person reference (page objects show at most 25,
 * §7.6); other elements before that point are kept. Lists with fewer references are unchanged.
 */
export function limitReferences(v: Value[], max: number): Value[] {
  const flat = (v as unknown[]).flat(Number.POSITIVE_INFINITY) as Value[];
  let refs = 0;
  for (let i = 0; i < flat.length; i++) {
    if (isPage(flat[i]!) || isPerson(flat[i]!)) refs++;
    if (refs > max) return flat.slice(0, i);
  }
  return v;
}

/** The `formula` object of a page property value for runtime value `v` of static type `t`. */
export function renderResult(v: Value, t: FType, zone: string, maxReferences?: number): FormulaResult {
  if (Array.isArray(v) && maxReferences !== undefined) v = limitReferences(v, maxReferences);
  if (v === null || isFail(v)) {
    switch (apiKind(t)) {
      case 'number':
        return { type: 'number', number: null };
      case 'boolean':
        return { type: 'boolean', boolean: null };
      case 'date':
        return { type: 'date', date: null };
      default:
        return { type: 'string', string: null };
    }
  }
  if (typeof v === 'number') return { type: 'number', number: v || 0 };
  if (typeof v === 'boolean') return { type: 'boolean', boolean: v };
  if (typeof v === 'string') return { type: 'string', string: v };
  if (Array.isArray(v)) return { type: 'string', string: renderList(v, zone) };
  if (isDate(v)) {
    return {
      type: 'date',
      date: {
        start: isoText(v.start, v.hasTime, zone),
        end: v.end === undefined ? null : isoText(v.end, v.hasTime, zone),
        time_zone: null,
      },
    };
  }
  return { type: 'string', string: toText(v, zone) };
}

/** Evaluates a compiled formula for one page and renders it. */
export function evaluateToResult(f: CompiledFormula, env: EvalEnv): FormulaResult {
  return renderResult(evaluate(f.root, env), f.type, env.timeZone);
}

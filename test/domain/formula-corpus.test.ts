/**
 * The 436-case corpus of notion-formulas.md §9 (test/fixtures/formulas/corpus.jsonl), run against
 * the pure formula module: compile (parse + type-check), evaluate, render as the API does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileFormula,
  evaluateToResult,
  FormulaError,
  type FType,
  type PageV,
  type PropInfo,
  type SchemaLookup,
  T,
  type Value,
} from '../../src/domain/formula/index.ts';

type Case = {
  id: number;
  expr: string;
  expect: Record<string, unknown>;
  src: string;
  note?: string;
  props?: Record<string, Record<string, unknown>>;
};
const lines = readFileSync(new URL('../fixtures/formulas/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const head = JSON.parse(lines[0]!) as {
  context: { timeZone: string; now: string; pageId: string };
  defaultProps: Record<string, Record<string, unknown>>;
};
const cases = lines.slice(1).map((l) => JSON.parse(l) as Case);

/** Cases where Octavo deliberately answers otherwise, with the reason (none so far). */
const KNOWN_DIFFERENCES: Record<number, string> = {};

const RELATED_DS = 'tasks-ds';

function typeOfRelated(pages: Record<string, unknown>[], key: string): FType {
  for (const p of pages) {
    const v = p[key];
    if (typeof v === 'number') return T.number;
    if (typeof v === 'string') return T.text;
  }
  return T.number;
}

/** Builds the page and schema of a case from the simplified property shapes of the corpus. */
function fixture(props: Record<string, Record<string, unknown>>) {
  const infos: PropInfo[] = [];
  const values = new Map<string, Value>();
  const related = new Map<string, PropInfo>();
  let n = 0;
  const dateV = (d: unknown): Value => {
    if (d === null) return null;
    const { start, end } = d as { start: string; end?: string };
    const one = (s: string) => (s.length === 10 ? Date.parse(`${s}T00:00:00Z`) : Date.parse(s));
    return {
      kind: 'date',
      start: one(start),
      ...(end ? { end: one(end) } : {}),
      hasTime: start.length > 10,
    };
  };
  for (const [name, shape] of Object.entries(props)) {
    const [kind, raw] = Object.entries(shape)[0]!;
    const id = `p${n++}`;
    let type: FType = T.any;
    let v: Value = null;
    switch (kind) {
      case 'title':
      case 'rich_text':
      case 'phone_number':
        type = T.text;
        v = (raw as string | null) ?? null;
        break;
      case 'number':
        type = T.number;
        v = raw as number | null;
        break;
      case 'checkbox':
        type = T.boolean;
        v = raw as boolean;
        break;
      case 'multi_select':
        type = T.list(T.text);
        v = raw as string[];
        break;
      case 'unique_id': {
        const u = raw as { prefix: string | null; number: number };
        type = T.text;
        v = u.prefix ? `${u.prefix}-${u.number}` : String(u.number);
        break;
      }
      case 'created_by': {
        const p = raw as { name: string; email: string };
        type = T.person;
        v = { kind: 'person', id: `u-${p.email}`, name: p.name, email: p.email };
        break;
      }
      case 'people':
        type = T.list(T.person);
        v = (raw as { name: string; email: string }[]).map((p) => ({
          kind: 'person' as const,
          id: `u-${p.email}`,
          name: p.name,
          email: p.email,
        }));
        break;
      case 'date':
        type = T.date;
        v = dateV(raw);
        break;
      case 'relation': {
        const pages = raw as Record<string, unknown>[];
        type = T.list(T.page(RELATED_DS));
        for (const key of new Set(pages.flatMap((p) => Object.keys(p)))) {
          related.set(key, { id: `r-${key}`, name: key, type: typeOfRelated(pages, key) });
        }
        v = pages.map(
          (p, i): PageV => ({
            kind: 'page',
            id: `rel-${i}`,
            dataSourceId: RELATED_DS,
            title: String(p.Name ?? ''),
            prop: (pid) => {
              const key = pid.startsWith('r-') ? pid.slice(2) : pid.replace(/^name:/, '');
              return (p[key] as Value | undefined) ?? null;
            },
          }),
        );
        break;
      }
      default:
        throw new Error(`fixture shape ${kind}`);
    }
    infos.push({ id, name, type });
    values.set(id, v);
  }
  const schema: SchemaLookup = {
    byName: (name, ds) =>
      ds === RELATED_DS
        ? related.get(name)
        : ds === undefined
          ? infos.find((i) => i.name === name)
          : undefined,
    byId: (id, ds) =>
      ds === RELATED_DS
        ? [...related.values()].find((i) => i.id === id)
        : ds === undefined
          ? infos.find((i) => i.id === id)
          : undefined,
  };
  const page: PageV = {
    kind: 'page',
    id: head.context.pageId,
    dataSourceId: 'own',
    title: String(props.Title?.title ?? ''),
    prop: (id) => values.get(id) ?? null,
  };
  return { schema, page };
}

function run(c: Case): unknown {
  const { schema, page } = fixture({ ...head.defaultProps, ...(c.props ?? {}) });
  try {
    const f = compileFormula(c.expr, schema);
    return evaluateToResult(f, { now: Date.parse(head.context.now), timeZone: head.context.timeZone, page });
  } catch (e) {
    if (e instanceof FormulaError) {
      return { error: { status: 400, code: 'validation_error', message: e.message } };
    }
    throw e;
  }
}

describe('formula corpus (notion-formulas.md §9)', () => {
  it('has 436 cases', () => {
    expect(cases).toHaveLength(436);
  });

  const failures: string[] = [];
  for (const c of cases) {
    it.skipIf(c.id in KNOWN_DIFFERENCES)(`#${c.id} [${c.src}] ${c.expr}`, () => {
      let got: unknown;
      try {
        got = run(c);
      } catch (e) {
        got = { thrown: String(e) };
      }
      if (JSON.stringify(got) !== JSON.stringify(c.expect)) failures.push(`#${c.id}`);
      expect(got).toEqual(c.expect);
    });
  }

  it('reports the pass count', () => {
    const passed = cases.length - failures.length - Object.keys(KNOWN_DIFFERENCES).length;
    console.log(`formula corpus: ${passed}/${cases.length} pass; failing: ${failures.join(' ') || 'none'}`);
  });
});

/**
 * The type checker (notion-formulas.md §3–§5): resolves property references against a schema,
 * checks arity and argument types of every function, binds `let`/`lets`/lambda variables, and
 * infers the static result type that decides the API type of an empty result.
 */
import { unitOf } from './dates.ts';
import { FormulaError, type Node, type Span } from './syntax.ts';

export type FType =
  | { t: 'number' }
  | { t: 'text' }
  | { t: 'boolean' }
  | { t: 'date' }
  | { t: 'person' }
  | { t: 'page'; ds?: string }
  | { t: 'list'; of: FType; emptyLit?: boolean }
  /** The `empty()` literal: accepted by operators and branches, refused by typed parameters. */
  | { t: 'empty' }
  /** Element type of `[]`. */
  | { t: 'never' }
  | { t: 'any' };

export const T = {
  number: { t: 'number' } as FType,
  text: { t: 'text' } as FType,
  boolean: { t: 'boolean' } as FType,
  date: { t: 'date' } as FType,
  person: { t: 'person' } as FType,
  any: { t: 'any' } as FType,
  empty: { t: 'empty' } as FType,
  never: { t: 'never' } as FType,
  list: (of: FType): FType => ({ t: 'list', of }),
  page: (ds?: string): FType => (ds ? { t: 'page', ds } : { t: 'page' }),
};

/** A property as the checker sees it: id, name and the static type of its formula value. */
export type PropInfo = { id: string; name: string; type: FType };

/** Property lookup of the formula's own data source (`ds` undefined) or of a related one. */
export interface SchemaLookup {
  byName(name: string, ds?: string): PropInfo | undefined;
  byId(id: string, ds?: string): PropInfo | undefined;
}

/** The result of checking: the static type and, per property reference, what it resolved to. */
export type Checked = {
  type: FType;
  /** Resolved references in source order: span, property id, data source (undefined = own). */
  refs: { span: Span; id: string; ds: string | undefined; missing: boolean }[];
  /** Whether the result depends on the time of evaluation (now()/today()). */
  timeDependent: boolean;
};

export function join(a: FType, b: FType): FType {
  if (a.t === 'never' || a.t === 'empty') return b;
  if (b.t === 'never' || b.t === 'empty') return a;
  if (a.t === 'list' && b.t === 'list') return { t: 'list', of: join(a.of, b.of) };
  if (a.t === 'page' && b.t === 'page') return a.ds === b.ds ? a : T.page();
  if (a.t === b.t) return a;
  return T.any;
}

/** API kind of an empty result of static type `t` (§7.1). */
export function apiKind(t: FType): 'number' | 'string' | 'boolean' | 'date' {
  return t.t === 'number' ? 'number' : t.t === 'boolean' ? 'boolean' : t.t === 'date' ? 'date' : 'string';
}

type Param = 'N' | 'T' | 'D' | 'L' | 'NL' | 'A' | 'P' | 'B';
type Sig = { params: Param[]; rest?: Param; min?: number; ret: FType | ((args: FType[]) => FType) };

const elem = (t: FType | undefined): FType =>
  t?.t === 'list' ? (t.of.t === 'never' || t.of.t === 'empty' ? T.any : t.of) : T.any;
const sameList = (a: FType[]) => (a[0]?.t === 'list' ? a[0] : T.list(T.any));

const SIGS: Record<string, Sig> = {
  equal: { params: ['A', 'A'], ret: T.boolean },
  unequal: { params: ['A', 'A'], ret: T.boolean },
  not: { params: ['B'], ret: T.boolean },
  length: { params: ['T'], ret: T.number },
  substring: { params: ['T', 'N', 'N'], min: 2, ret: T.text },
  contains: { params: ['T', 'T'], ret: T.boolean },
  test: { params: ['T', 'T'], ret: T.boolean },
  match: { params: ['T', 'T'], ret: T.list(T.text) },
  replace: { params: ['T', 'T', 'T'], ret: T.text },
  replaceAll: { params: ['T', 'T', 'T'], ret: T.text },
  lower: { params: ['T'], ret: T.text },
  upper: { params: ['T'], ret: T.text },
  trim: { params: ['T'], ret: T.text },
  repeat: { params: ['T', 'N'], ret: T.text },
  padStart: { params: ['T', 'N', 'T'], min: 2, ret: T.text },
  padEnd: { params: ['T', 'N', 'T'], min: 2, ret: T.text },
  link: { params: ['T', 'T'], ret: T.text },
  style: { params: ['T'], rest: 'T', ret: T.text },
  unstyle: { params: ['T'], rest: 'T', ret: T.text },
  format: { params: ['A'], ret: T.text },
  toNumber: { params: ['A'], ret: T.number },
  split: { params: ['T', 'T'], min: 1, ret: T.list(T.text) },
  join: { params: ['L', 'T'], ret: T.text },
  add: { params: ['N', 'N'], ret: T.number },
  subtract: { params: ['N', 'N'], ret: T.number },
  multiply: { params: ['N', 'N'], ret: T.number },
  divide: { params: ['N', 'N'], ret: T.number },
  mod: { params: ['N', 'N'], ret: T.number },
  pow: { params: ['N', 'N'], ret: T.number },
  abs: { params: ['N'], ret: T.number },
  ceil: { params: ['N'], ret: T.number },
  floor: { params: ['N'], ret: T.number },
  round: { params: ['N', 'N'], min: 1, ret: T.number },
  sqrt: { params: ['N'], ret: T.number },
  cbrt: { params: ['N'], ret: T.number },
  exp: { params: ['N'], ret: T.number },
  ln: { params: ['N'], ret: T.number },
  log10: { params: ['N'], ret: T.number },
  log2: { params: ['N'], ret: T.number },
  sign: { params: ['N'], ret: T.number },
  pi: { params: [], ret: T.number },
  e: { params: [], ret: T.number },
  min: { params: ['NL'], rest: 'NL', ret: T.number },
  max: { params: ['NL'], rest: 'NL', ret: T.number },
  sum: { params: ['NL'], rest: 'NL', ret: T.number },
  mean: { params: ['NL'], rest: 'NL', ret: T.number },
  median: { params: ['NL'], rest: 'NL', ret: T.number },
  formatNumber: { params: ['N', 'T', 'N'], min: 1, ret: T.text },
  now: { params: [], ret: T.date },
  today: { params: [], ret: T.date },
  minute: { params: ['D'], ret: T.number },
  hour: { params: ['D'], ret: T.number },
  day: { params: ['D'], ret: T.number },
  date: { params: ['D'], ret: T.number },
  week: { params: ['D'], ret: T.number },
  month: { params: ['D'], ret: T.number },
  year: { params: ['D'], ret: T.number },
  dateAdd: { params: ['D', 'N', 'T'], ret: T.date },
  dateSubtract: { params: ['D', 'N', 'T'], ret: T.date },
  dateBetween: { params: ['D', 'D', 'T'], ret: T.number },
  dateRange: { params: ['D', 'D'], ret: T.date },
  dateStart: { params: ['D'], ret: T.date },
  dateEnd: { params: ['D'], ret: T.date },
  timestamp: { params: ['D'], ret: T.number },
  fromTimestamp: { params: ['N'], ret: T.date },
  formatDate: { params: ['D', 'T'], ret: T.text },
  parseDate: { params: ['T'], ret: T.date },
  name: { params: ['P'], ret: T.text },
  email: { params: ['P'], ret: T.text },
  at: { params: ['L', 'N'], ret: (a) => elem(a[0]) },
  first: { params: ['L'], ret: (a) => elem(a[0]) },
  last: { params: ['L'], ret: (a) => elem(a[0]) },
  slice: { params: ['L', 'N', 'N'], min: 2, ret: sameList },
  splice: { params: ['L', 'N', 'N'], rest: 'A', min: 3, ret: sameList },
  concat: { params: ['L'], rest: 'L', ret: (a) => a.reduce((x, y) => join(x, y), T.list(T.never)) },
  sort: { params: ['L'], ret: sameList },
  reverse: { params: ['L'], ret: sameList },
  unique: { params: ['L'], ret: sameList },
  includes: { params: ['L', 'A'], ret: T.boolean },
  flat: {
    params: ['L'],
    ret: (a) => {
      const e = elem(a[0]);
      return T.list(e.t === 'list' ? elem(e) : T.any);
    },
  },
};

/** Functions whose last argument is evaluated per list element. */
export const LAMBDAS = new Set(['map', 'filter', 'find', 'findIndex', 'some', 'every', 'count']);

/** Every function name the language knows (for the docs and for error messages). */
export const FUNCTION_NAMES: readonly string[] = [
  ...Object.keys(SIGS),
  ...LAMBDAS,
  'if',
  'ifs',
  'and',
  'or',
  'empty',
  'let',
  'lets',
  'id',
  'prop',
].sort();

type Scope = { vars: Map<string, FType>; lambda?: { current: FType } };

/**
 * Checks `root` against `schema`. Throws FormulaError('type') on the first problem. With
 * `allowMissing`, references to properties that no longer exist resolve to an always-empty value
 * (a stored formula whose property was deleted) instead of failing.
 */
export function check(root: Node, schema: SchemaLookup, options: { allowMissing?: boolean } = {}): Checked {
  const refs: Checked['refs'] = [];
  let timeDependent = false;
  const err = (detail: string, span: Span): never => {
    throw new FormulaError('type', detail, { start: span.start, end: span.end });
  };

  const accepts = (p: Param, a: FType): boolean => {
    if (p === 'A' || p === 'B') return true;
    if (a.t === 'any') return true;
    if (a.t === 'empty') return false;
    switch (p) {
      case 'N':
        return a.t === 'number';
      case 'T':
        return a.t === 'text' || a.t === 'number' || a.t === 'list' || a.t === 'boolean';
      case 'D':
        return a.t === 'date';
      case 'L':
        return a.t === 'list';
      case 'P':
        return a.t === 'person';
      case 'NL':
        return (
          a.t === 'number' || (a.t === 'list' && !a.emptyLit && (a.of.t === 'number' || a.of.t === 'any'))
        );
    }
  };

  const visit = (n: Node, scope: Scope): FType => {
    switch (n.k) {
      case 'num':
        return T.number;
      case 'str':
        return T.text;
      case 'bool':
        return T.boolean;
      case 'list': {
        let of: FType = T.never;
        let emptyLit = false;
        for (const item of n.items) {
          const t = visit(item, scope);
          if (t.t === 'empty') emptyLit = true;
          of = of.t === 'never' ? (t.t === 'empty' ? T.never : t) : join(of, t);
        }
        if (emptyLit && of.t === 'never') of = T.any;
        return emptyLit ? { t: 'list', of, emptyLit } : { t: 'list', of };
      }
      case 'ident': {
        const v = scope.vars.get(n.name);
        if (v) return v;
        if (n.name === 'current' || n.name === 'index') {
          if (!scope.lambda) return err(`"${n.name}" is only available inside a list function`, n);
          return n.name === 'index' ? T.number : scope.lambda.current;
        }
        if (n.name in SIGS || LAMBDAS.has(n.name))
          return err(`"${n.name}" must be called with parentheses`, n);
        return err(`unknown identifier "${n.name}"`, n);
      }
      case 'prop': {
        let ds: string | undefined;
        if (n.on) {
          const on = visit(n.on, scope);
          if (on.t === 'page') ds = on.ds;
          else if (on.t !== 'any') return err('prop() on a value that is not a page', n);
          if (on.t === 'any' || ds === undefined) {
            // Unknown related data source: resolved at run time by name or id.
            return T.any;
          }
        }
        const info = n.id !== undefined ? schema.byId(n.id, ds) : schema.byName(n.name!, ds);
        if (!info) {
          if (options.allowMissing && n.id !== undefined) {
            refs.push({ span: n, id: n.id, ds, missing: true });
            return T.any;
          }
          return err(`unknown property ${n.id !== undefined ? `id "${n.id}"` : `"${n.name}"`}`, n);
        }
        refs.push({ span: n, id: info.id, ds, missing: false });
        (n as { id?: string }).id = info.id;
        return info.type;
      }
      case 'unary': {
        const a = visit(n.arg, scope);
        if (n.op === '!') return T.boolean;
        if (!(a.t === 'number' || a.t === 'any' || a.t === 'empty')) err('"-" needs a number', n);
        return T.number;
      }
      case 'cond': {
        visit(n.c, scope);
        return join(visit(n.t, scope), visit(n.e, scope));
      }
      case 'binary':
        return binary(n, scope);
      case 'call':
        return call(n, scope);
    }
  };

  const binary = (n: Extract<Node, { k: 'binary' }>, scope: Scope): FType => {
    const l = visit(n.l, scope);
    const r = visit(n.r, scope);
    const numeric = (t: FType) => t.t === 'number' || t.t === 'any' || t.t === 'empty';
    switch (n.op) {
      case '+':
        if (l.t === 'text' || r.t === 'text') return T.text;
        if (numeric(l) && numeric(r)) return l.t === 'any' || r.t === 'any' ? T.any : T.number;
        return err('"+" needs two numbers or a text', n);
      case '-':
      case '*':
      case '/':
      case '%':
      case '^':
        if (!numeric(l) || !numeric(r)) return err(`"${n.op}" needs numbers`, n);
        return T.number;
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const ordered = (t: FType) => ['number', 'text', 'date', 'any', 'empty'].includes(t.t);
        if (!ordered(l) || !ordered(r)) return err(`"${n.op}" compares numbers, texts or dates`, n);
        if (concrete(l) && concrete(r) && l.t !== r.t) return err(`"${n.op}" compares values of one type`, n);
        return T.boolean;
      }
      case '==':
      case '!=':
        if (concrete(l) && concrete(r) && l.t !== r.t) return err(`"${n.op}" compares values of one type`, n);
        return T.boolean;
      default:
        return T.boolean; // && ||
    }
  };

  const bindName = (n: Node): string => {
    if (n.k !== 'ident') return err('a variable name is expected here', n);
    return n.name;
  };

  const call = (n: Extract<Node, { k: 'call' }>, scope: Scope): FType => {
    const { name, args } = n;
    const arity = (ok: boolean) => {
      if (!ok) err(`wrong number of arguments for ${name}()`, n);
    };
    switch (name) {
      case 'if':
        arity(args.length === 3);
        visit(args[0]!, scope);
        return join(visit(args[1]!, scope), visit(args[2]!, scope));
      case 'ifs': {
        arity(args.length >= 2);
        let out: FType = T.never;
        args.forEach((a, i) => {
          const t = visit(a, scope);
          if (i % 2 === 1 || i === args.length - 1) out = out.t === 'never' ? t : join(out, t);
        });
        return out.t === 'never' ? T.empty : out;
      }
      case 'and':
      case 'or':
        arity(args.length >= 1);
        for (const a of args) visit(a, scope);
        return T.boolean;
      case 'empty':
        arity(args.length <= 1);
        if (args.length === 0) return T.empty;
        visit(args[0]!, scope);
        return T.boolean;
      case 'id':
        arity(args.length <= 1);
        if (args[0]) {
          const t = visit(args[0], scope);
          if (!['page', 'person', 'any'].includes(t.t)) err('id() takes a page or a person', args[0]);
        }
        return T.text;
      case 'let':
      case 'lets': {
        arity(args.length >= 3 && args.length % 2 === 1);
        const vars = new Map(scope.vars);
        const inner: Scope = { vars, lambda: scope.lambda };
        for (let i = 0; i + 1 < args.length; i += 2) {
          const nm = bindName(args[i]!);
          vars.set(nm, visit(args[i + 1]!, inner));
        }
        return visit(args[args.length - 1]!, inner);
      }
    }
    if (LAMBDAS.has(name)) {
      arity(name === 'count' ? args.length === 1 || args.length === 2 : args.length === 2);
      const list = visit(args[0]!, scope);
      if (!(list.t === 'list' || list.t === 'any')) err(`${name}() needs a list`, args[0]!);
      const cur = elem(list);
      let body: FType = T.any;
      if (args[1]) body = visit(args[1], { vars: withoutLambdaNames(scope.vars), lambda: { current: cur } });
      switch (name) {
        case 'map':
          return T.list(body.t === 'empty' ? T.any : body);
        case 'filter':
          return list.t === 'list' ? { t: 'list', of: list.of } : T.list(T.any);
        case 'find':
          return cur;
        case 'findIndex':
        case 'count':
          return T.number;
        default:
          return T.boolean;
      }
    }
    const sig = SIGS[name];
    if (!sig) return err(`unknown function "${name}"`, n.nameSpan);
    const min = sig.min ?? sig.params.length;
    arity(args.length >= min && (sig.rest !== undefined || args.length <= sig.params.length));
    const types = args.map((a) => visit(a, scope));
    types.forEach((t, i) => {
      const p = sig.params[i] ?? sig.rest!;
      if (!accepts(p, t)) err(`argument ${i + 1} of ${name}() has the wrong type`, args[i]!);
    });
    if (name === 'now' || name === 'today') timeDependent = true;
    if ((name === 'dateAdd' || name === 'dateSubtract' || name === 'dateBetween') && args[2]?.k === 'str') {
      if (!unitOf(args[2].v)) err(`unknown date unit "${args[2].v}"`, args[2]);
    }
    return typeof sig.ret === 'function' ? sig.ret(types) : sig.ret;
  };

  const type = visit(root, { vars: new Map() });
  return { type, refs, timeDependent };
}

const concrete = (t: FType) => !['any', 'empty', 'never'].includes(t.t);

function withoutLambdaNames(vars: Map<string, FType>): Map<string, FType> {
  if (!vars.has('current') && !vars.has('index')) return vars;
  const out = new Map(vars);
  out.delete('current');
  out.delete('index');
  return out;
}

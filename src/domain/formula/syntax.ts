/**
 * Notion formula syntax: tokenizer and parser (notion-formulas.md §1–§2). Pure; every node carries
 * its source span so errors can point at the problem and the stored form can be produced by
 * replacing `prop("Name")` spans with property tokens.
 */

export type Span = { start: number; end: number };

export type Node =
  | ({ k: 'num'; v: number } & Span)
  | ({ k: 'str'; v: string } & Span)
  | ({ k: 'bool'; v: boolean } & Span)
  | ({ k: 'list'; items: Node[] } & Span)
  | ({ k: 'ident'; name: string } & Span)
  /** `prop("Name")` (by name) or a `{{notion:block_property:…}}` token (by id); `on` = page receiver. */
  | ({ k: 'prop'; name?: string; id?: string; on?: Node } & Span)
  | ({ k: 'call'; name: string; args: Node[]; nameSpan: Span } & Span)
  | ({ k: 'unary'; op: '-' | '!'; arg: Node } & Span)
  | ({ k: 'binary'; op: string; l: Node; r: Node } & Span)
  | ({ k: 'cond'; c: Node; t: Node; e: Node } & Span);

/** A syntax or type problem, with the span of the source it concerns. */
export class FormulaError extends Error {
  readonly kind: 'parse' | 'type';
  readonly span: Span;
  readonly detail: string;
  constructor(kind: 'parse' | 'type', detail: string, span: Span) {
    super(`${kind === 'parse' ? 'Parse' : 'Type'} error with formula`);
    this.kind = kind;
    this.detail = detail;
    this.span = span;
  }
}

type Tok =
  | { t: 'num'; v: number; start: number; end: number }
  | { t: 'str'; v: string; start: number; end: number }
  | { t: 'id'; v: string; start: number; end: number }
  | { t: 'pref'; v: string; start: number; end: number }
  | { t: 'op'; v: string; start: number; end: number }
  | { t: 'eof'; v: ''; start: number; end: number };

const OPS = [
  '===',
  '!==',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '!',
  '?',
  ':',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
];
const ID_START = /[_A-Za-z\p{L}]/u;
const ID_PART = /[_A-Za-z0-9\p{L}\p{N}]/u;
/** `{{notion:block_property:<id>:<collection>:<space>}}` — the stored form of a property reference. */
const PROP_TOKEN = /^\{\{notion:block_property:([^:}]+):([^:}]*):([^:}]*)\}\}/;

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) throw new FormulaError('parse', 'unterminated comment', { start: i, end: n });
      i = close + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]), start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const start = i;
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new FormulaError('parse', 'unterminated text', { start, end: n });
        const d = src[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          if (e === undefined) throw new FormulaError('parse', 'unterminated text', { start, end: n });
          if (e === '"' || e === '\\') s += e;
          else if (e === 'n') s += '\n';
          else if (e === 't') s += '\t';
          else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            s += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          } else s += `\\${e}`;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ t: 'str', v: s, start, end: i });
      continue;
    }
    if (c === '{') {
      const m = PROP_TOKEN.exec(src.slice(i));
      if (!m) throw new FormulaError('parse', 'unexpected "{"', { start: i, end: i + 1 });
      out.push({ t: 'pref', v: safeDecode(m[1]!), start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (ID_START.test(c)) {
      const start = i;
      i++;
      while (i < n && ID_PART.test(src[i]!)) i++;
      out.push({ t: 'id', v: src.slice(start, i), start, end: i });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new FormulaError('parse', `unexpected character "${c}"`, { start: i, end: i + 1 });
    out.push({ t: 'op', v: op === '===' ? '==' : op === '!==' ? '!=' : op, start: i, end: i + op.length });
    i += op.length;
  }
  out.push({ t: 'eof', v: '', start: n, end: n });
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses a formula into its syntax tree; throws FormulaError('parse') with the offending span. */
export function parse(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p]!;
  const next = () => toks[p++]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const fail = (t: Tok, what?: string): never => {
    throw new FormulaError(
      'parse',
      what ??
        (t.t === 'eof' ? 'unexpected end of formula' : `unexpected "${t.t === 'str' ? `"${t.v}"` : t.v}"`),
      { start: t.start, end: t.end },
    );
  };
  const expect = (v: string) => {
    const t = next();
    if (t.t !== 'op' || t.v !== v) fail(t, t.t === 'eof' ? `expected "${v}" before the end` : undefined);
    return t;
  };

  const expression = (): Node => ternary();
  const ternary = (): Node => {
    const c = orExpr();
    if (!isOp('?')) return c;
    next();
    const t = expression();
    expect(':');
    const e = expression();
    return { k: 'cond', c, t, e, start: c.start, end: e.end };
  };
  const binLevel =
    (sub: () => Node, ops: string[], words: Record<string, string> = {}) =>
    (): Node => {
      let l = sub();
      for (;;) {
        const t = peek();
        let op: string | undefined;
        if (t.t === 'op' && ops.includes(t.v)) op = t.v;
        else if (t.t === 'id' && words[t.v]) op = words[t.v];
        if (!op) return l;
        next();
        const r = sub();
        l = { k: 'binary', op, l, r, start: l.start, end: r.end };
      }
    };
  const unary = (): Node => {
    const t = peek();
    if ((t.t === 'op' && (t.v === '-' || t.v === '!')) || (t.t === 'id' && t.v === 'not')) {
      next();
      const arg = unary();
      return { k: 'unary', op: t.v === '-' ? '-' : '!', arg, start: t.start, end: arg.end };
    }
    return power();
  };
  // `not(x)` is the prefix operator applied to a parenthesised expression; both read the same.
  const power = (): Node => {
    const base = postfix();
    if (!isOp('^')) return base;
    next();
    const exp = unary();
    return { k: 'binary', op: '^', l: base, r: exp, start: base.start, end: exp.end };
  };
  const multiplic = binLevel(unary, ['*', '/', '%']);
  const additive = binLevel(multiplic, ['+', '-']);
  const relation = binLevel(additive, ['<', '<=', '>', '>=']);
  const equality = binLevel(relation, ['==', '!=']);
  const andExpr = binLevel(equality, ['&&'], { and: '&&' });
  const orExpr = binLevel(andExpr, ['||'], { or: '||' });

  const args = (close: string): Node[] => {
    const out: Node[] = [];
    if (isOp(close)) {
      next();
      return out;
    }
    for (;;) {
      out.push(expression());
      const t = next();
      if (t.t === 'op' && t.v === close) return out;
      if (!(t.t === 'op' && t.v === ',')) fail(t);
      if (isOp(close)) fail(peek(), 'trailing comma');
    }
  };
  const propCall = (nameTok: Tok, on: Node | undefined): Node => {
    expect('(');
    const a = next();
    if (a.t !== 'str') return fail(a, 'prop() takes the property name as text');
    const close = expect(')');
    return { k: 'prop', name: a.v, on, start: on ? on.start : nameTok.start, end: close.end };
  };
  const postfix = (): Node => {
    let node = primary();
    while (isOp('.')) {
      next();
      const t = next();
      if (t.t === 'pref') {
        node = { k: 'prop', id: t.v, on: node, start: node.start, end: t.end };
        continue;
      }
      if (t.t !== 'id') return fail(t);
      if (!isOp('(')) fail(peek(), `expected "(" after ".${t.v}"`);
      if (t.v === 'prop') {
        node = propCall(t, node);
        continue;
      }
      next();
      const rest = args(')');
      node = {
        k: 'call',
        name: t.v,
        args: [node, ...rest],
        nameSpan: { start: t.start, end: t.end },
        start: node.start,
        end: toks[p - 1]!.end,
      };
    }
    return node;
  };
  const primary = (): Node => {
    const t = next();
    switch (t.t) {
      case 'num':
        return { k: 'num', v: t.v, start: t.start, end: t.end };
      case 'str':
        return { k: 'str', v: t.v, start: t.start, end: t.end };
      case 'pref':
        return { k: 'prop', id: t.v, start: t.start, end: t.end };
      case 'id': {
        if (t.v === 'true' || t.v === 'false')
          return { k: 'bool', v: t.v === 'true', start: t.start, end: t.end };
        if (isOp('(')) {
          if (t.v === 'prop') return propCall(t, undefined);
          next();
          const a = args(')');
          return {
            k: 'call',
            name: t.v,
            args: a,
            nameSpan: { start: t.start, end: t.end },
            start: t.start,
            end: toks[p - 1]!.end,
          };
        }
        return { k: 'ident', name: t.v, start: t.start, end: t.end };
      }
      case 'op': {
        if (t.v === '(') {
          const e = expression();
          expect(')');
          return e;
        }
        if (t.v === '[') {
          const items = args(']');
          return { k: 'list', items, start: t.start, end: toks[p - 1]!.end };
        }
        return fail(t);
      }
      default:
        return fail(t);
    }
  };

  const root = expression();
  if (peek().t !== 'eof') fail(peek());
  return root;
}

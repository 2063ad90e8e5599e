/**
 * The evaluator (notion-formulas.md §2–§6): interprets a checked syntax tree against one page.
 * Empty is `null`; a runtime failure (bad regex, bad unit) is a Failure value that poisons its
 * consumers, except in branches that are not taken and inside `map`, where it becomes empty.
 */
import {
  dateAdd,
  dateBetween,
  fieldsOf,
  formatMoment,
  instantOf,
  isoWeek,
  isoWeekday,
  parseIso,
  unitOf,
} from './dates.ts';
import type { Node } from './syntax.ts';
import {
  compare,
  type DateV,
  equals,
  FAIL,
  isDate,
  isEmptyValue,
  isFail,
  isPage,
  isPerson,
  num,
  type PageV,
  toText,
  truthy,
  type Value,
} from './values.ts';

export type EvalEnv = {
  /** Evaluation instant (epoch ms); `now()` truncates it to the minute. */
  now: number;
  /** IANA zone of evaluation (UTC through the API by default, §6.2). */
  timeZone: string;
  /** The page the formula belongs to. */
  page: PageV;
};

const MAX_DEPTH = 64;
type Scope = Map<string, Value>;

export function evaluate(root: Node, env: EvalEnv, depth = 0): Value {
  if (depth > MAX_DEPTH) return FAIL('too deep');
  const zone = env.timeZone;

  const ev = (n: Node, s: Scope): Value => {
    switch (n.k) {
      case 'num':
      case 'str':
      case 'bool':
        return n.v;
      case 'list': {
        const out: Value[] = [];
        for (const item of n.items) {
          const v = ev(item, s);
          if (isFail(v)) return v;
          out.push(v);
        }
        return out;
      }
      case 'ident': {
        const v = s.get(n.name);
        return v === undefined ? FAIL(`unbound ${n.name}`) : v;
      }
      case 'prop': {
        const on = n.on ? ev(n.on, s) : env.page;
        if (isFail(on)) return on;
        if (on === null) return null;
        if (!isPage(on)) return FAIL('prop on a non-page');
        return on.prop(n.id ?? `name:${n.name}`);
      }
      case 'unary': {
        const a = ev(n.arg, s);
        if (isFail(a)) return a;
        if (n.op === '!') return !truthy(a);
        return num(-(a as number));
      }
      case 'cond': {
        const c = ev(n.c, s);
        if (isFail(c)) return c;
        return truthy(c) ? ev(n.t, s) : ev(n.e, s);
      }
      case 'binary':
        return binary(n, s);
      case 'call':
        return call(n, s);
    }
  };

  const binary = (n: Extract<Node, { k: 'binary' }>, s: Scope): Value => {
    if (n.op === '&&' || n.op === '||') {
      const l = ev(n.l, s);
      if (isFail(l)) return l;
      if (n.op === '&&' ? !truthy(l) : truthy(l)) return n.op === '||';
      const r = ev(n.r, s);
      return isFail(r) ? r : truthy(r);
    }
    const l = ev(n.l, s);
    if (isFail(l)) return l;
    const r = ev(n.r, s);
    if (isFail(r)) return r;
    return operate(n.op, l, r);
  };

  const operate = (op: string, l: Value, r: Value): Value => {
    switch (op) {
      case '+':
        if (typeof l === 'string' || typeof r === 'string')
          return (
            toText(l as Exclude<Value, { kind: 'fail' }>, zone) +
            toText(r as Exclude<Value, { kind: 'fail' }>, zone)
          );
        return num(n0(l) + n0(r));
      case '-':
        return num(n0(l) - n0(r));
      case '*':
        return num(n0(l) * n0(r));
      case '/':
        return num(n0(l) / n0(r));
      case '%':
        return num(n0(l) % n0(r));
      case '^':
        return num(n0(l) ** n0(r));
      case '==':
        return equals(l, r);
      case '!=':
        return !equals(l, r);
      default: {
        if (l === null || r === null) {
          const other = l === null ? r : l;
          if (typeof other !== 'number' && other !== null) return false;
        }
        const c = compare(l === null ? 0 : l, r === null ? 0 : r);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
    }
  };

  const lambda = (body: Node, s: Scope, i: number, cur: Value): Value => {
    const inner = new Map(s);
    inner.set('current', cur);
    inner.set('index', i);
    return ev(body, inner);
  };

  const call = (n: Extract<Node, { k: 'call' }>, s: Scope): Value => {
    const { name, args } = n;
    switch (name) {
      case 'if': {
        const c = ev(args[0]!, s);
        if (isFail(c)) return c;
        return ev(truthy(c) ? args[1]! : args[2]!, s);
      }
      case 'ifs': {
        for (let i = 0; i + 1 < args.length; i += 2) {
          const c = ev(args[i]!, s);
          if (isFail(c)) return c;
          if (truthy(c)) return ev(args[i + 1]!, s);
        }
        return args.length % 2 === 1 ? ev(args[args.length - 1]!, s) : null;
      }
      case 'and':
      case 'or': {
        for (const a of args) {
          const v = ev(a, s);
          if (isFail(v)) return v;
          if (name === 'and' ? !truthy(v) : truthy(v)) return name === 'or';
        }
        return name === 'and';
      }
      case 'let':
      case 'lets': {
        const inner = new Map(s);
        for (let i = 0; i + 1 < args.length; i += 2) {
          const nm = (args[i] as Extract<Node, { k: 'ident' }>).name;
          inner.set(nm, ev(args[i + 1]!, inner));
        }
        return ev(args[args.length - 1]!, inner);
      }
      case 'empty': {
        if (args.length === 0) return null;
        const v = ev(args[0]!, s);
        return isFail(v) ? v : isEmptyValue(v);
      }
      case 'map':
      case 'filter':
      case 'find':
      case 'findIndex':
      case 'some':
      case 'every':
      case 'count': {
        const lv = ev(args[0]!, s);
        if (isFail(lv)) return lv;
        if (lv === null) return FAIL(`${name} of empty`);
        const list = Array.isArray(lv) ? lv : [lv];
        const body = args[1];
        if (name === 'map') {
          return list.map((x, i) => {
            const v = lambda(body!, s, i, x);
            return isFail(v) ? null : v;
          });
        }
        if (name === 'count' && !body) return list.length;
        const out: Value[] = [];
        let hits = 0;
        for (let i = 0; i < list.length; i++) {
          const c = lambda(body!, s, i, list[i]!);
          if (isFail(c)) return c;
          const t = truthy(c);
          if (name === 'find' && t) return list[i]!;
          if (name === 'findIndex' && t) return i;
          if (name === 'some' && t) return true;
          if (name === 'every' && !t) return false;
          if (t) {
            hits++;
            if (name === 'filter') out.push(list[i]!);
          }
        }
        switch (name) {
          case 'filter':
            return out;
          case 'find':
            return null;
          case 'findIndex':
            return -1;
          case 'some':
            return false;
          case 'every':
            return true;
          default:
            return hits;
        }
      }
    }
    const vals: Value[] = [];
    for (const a of args) {
      const v = ev(a, s);
      if (isFail(v)) return v;
      vals.push(v);
    }
    return apply(name, vals, env);
  };

  return ev(root, new Map());
}

const n0 = (v: Value): number => (typeof v === 'number' ? v : v === null ? 0 : Number.NaN);
const text = (v: Value): string | null =>
  v === null ? null : typeof v === 'string' ? v : toText(v as Exclude<Value, { kind: 'fail' }>, 'UTC');
const dateOf = (v: Value): DateV | null => (isDate(v) ? v : null);
const numbersIn = (vals: Value[]): number[] =>
  vals.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is number => typeof v === 'number');
const noDash = (id: string) => id.replaceAll('-', '');

function regex(src: string, flags = ''): RegExp | null {
  try {
    return new RegExp(src, flags);
  } catch {
    return null;
  }
}

/** Functions with eagerly evaluated arguments (none of them failures). */
function apply(name: string, a: Value[], env: EvalEnv): Value {
  const zone = env.timeZone;
  const [x, y, z] = a;
  const math = (f: (n: number) => number) => (typeof x === 'number' ? num(f(x)) : null);
  switch (name) {
    case 'not':
      return !truthy(x!);
    case 'equal':
      return equals(x!, y!);
    case 'unequal':
      return !equals(x!, y!);
    case 'id':
      if (a.length === 0) return noDash(env.page.id);
      return isPage(x!) || isPerson(x!) ? noDash(x.id) : null;
    case 'format':
      return toText(x as Exclude<Value, { kind: 'fail' }>, zone);
    case 'toNumber':
      if (typeof x === 'number') return x;
      if (typeof x === 'boolean') return x ? 1 : 0;
      if (typeof x === 'string') return num(Number.parseFloat(x));
      if (isDate(x!)) return x.start;
      return null;
    case 'length':
      if (x === null) return 0;
      if (Array.isArray(x)) return x.length;
      return text(x!)!.length;
    case 'substring': {
      const t = text(x!);
      if (t === null || typeof y !== 'number') return null;
      return typeof z === 'number' ? t.substring(y, z) : t.substring(y);
    }
    case 'contains': {
      const t = text(x!);
      const q = text(y!);
      return t === null || q === null ? null : t.includes(q);
    }
    case 'test':
    case 'match':
    case 'replace':
    case 'replaceAll': {
      const t = text(x!);
      const p = text(y!);
      if (t === null || p === null) return null;
      const re = regex(p, name === 'test' || name === 'replace' ? '' : 'g');
      if (!re) return FAIL('invalid regular expression');
      if (name === 'test') return re.test(t);
      if (name === 'match') return t.match(re) ?? [];
      const r = text(z!) ?? '';
      return t.replace(re, r);
    }
    case 'lower':
      return x === null ? null : text(x!)!.toLowerCase();
    case 'upper':
      return x === null ? null : text(x!)!.toUpperCase();
    case 'trim':
      return x === null ? null : text(x!)!.trim();
    case 'repeat': {
      const t = text(x!);
      if (t === null || typeof y !== 'number' || !Number.isFinite(y)) return null;
      return t.repeat(Math.min(10000, Math.max(0, Math.ceil(y))));
    }
    case 'padStart':
    case 'padEnd': {
      const t = text(x!);
      if (t === null || typeof y !== 'number') return null;
      const p = z === undefined ? ' ' : (text(z) ?? '');
      return name === 'padStart' ? t.padStart(y, p) : t.padEnd(y, p);
    }
    case 'link':
    case 'style':
    case 'unstyle':
      return text(x!);
    case 'split': {
      const t = text(x!);
      if (t === null) return null;
      return t.split(y === undefined ? ' ' : (text(y) ?? ''));
    }
    case 'join': {
      if (!Array.isArray(x)) return null;
      const sep = text(y!) ?? '';
      return x.map((v) => (isFail(v) ? '' : toText(v, zone))).join(sep);
    }
    case 'add':
      return num(n0(x!) + n0(y!));
    case 'subtract':
      return num(n0(x!) - n0(y!));
    case 'multiply':
      return num(n0(x!) * n0(y!));
    case 'divide':
      return num(n0(x!) / n0(y!));
    case 'mod':
      return num(n0(x!) % n0(y!));
    case 'pow':
      return num(n0(x!) ** n0(y!));
    case 'abs':
      return math(Math.abs);
    case 'ceil':
      return math(Math.ceil);
    case 'floor':
      return math(Math.floor);
    case 'round': {
      if (typeof x !== 'number') return null;
      const p = typeof y === 'number' ? y : 0;
      const f = 10 ** p;
      return num(Math.round(x * f) / f);
    }
    case 'sqrt':
      return math(Math.sqrt);
    case 'cbrt':
      return math(Math.cbrt);
    case 'exp':
      return math(Math.exp);
    case 'ln':
      return math(Math.log);
    case 'log10':
      return math(Math.log10);
    case 'log2':
      return math(Math.log2);
    case 'sign':
      return math(Math.sign);
    case 'pi':
      return Math.PI;
    case 'e':
      return Math.E;
    case 'sum':
      return num(numbersIn(a).reduce((p, q) => p + q, 0));
    case 'min':
    case 'max': {
      const ns = numbersIn(a);
      return ns.length === 0 ? null : name === 'min' ? Math.min(...ns) : Math.max(...ns);
    }
    case 'mean': {
      const ns = numbersIn(a);
      return ns.length === 0 ? null : num(ns.reduce((p, q) => p + q, 0) / ns.length);
    }
    case 'median': {
      const ns = numbersIn(a).sort((p, q) => p - q);
      if (ns.length === 0) return null;
      const mid = ns.length >> 1;
      return ns.length % 2 ? ns[mid]! : num((ns[mid - 1]! + ns[mid]!) / 2);
    }
    case 'formatNumber':
      return typeof x === 'number' ? formatNumber(x, typeof y === 'string' ? y : 'commas', z) : null;
    case 'now':
      return { kind: 'date', start: Math.floor(env.now / 6e4) * 6e4, hasTime: true };
    case 'today': {
      const f = fieldsOf(env.now, zone);
      return { kind: 'date', start: instantOf({ ...f, h: 0, mi: 0, s: 0, ms: 0 }, zone), hasTime: false };
    }
    case 'minute':
    case 'hour':
    case 'day':
    case 'date':
    case 'week':
    case 'month':
    case 'year': {
      const d = dateOf(x!);
      if (!d) return null;
      const f = fieldsOf(d.start, zone);
      return name === 'minute'
        ? f.mi
        : name === 'hour'
          ? f.h
          : name === 'day'
            ? isoWeekday(f)
            : name === 'date'
              ? f.d
              : name === 'week'
                ? isoWeek(f).week
                : name === 'month'
                  ? f.mo
                  : f.y;
    }
    case 'dateAdd':
    case 'dateSubtract': {
      const d = dateOf(x!);
      if (!d || typeof y !== 'number') return null;
      const unit = unitOf(text(z!) ?? '');
      if (!unit) return FAIL('unknown unit');
      return {
        kind: 'date',
        start: dateAdd(d.start, name === 'dateAdd' ? y : -y, unit, zone),
        hasTime: d.hasTime,
      };
    }
    case 'dateBetween': {
      const d1 = dateOf(x!);
      const d2 = dateOf(y!);
      if (!d1 || !d2) return null;
      const unit = unitOf(text(z!) ?? '');
      if (!unit) return FAIL('unknown unit');
      return dateBetween(d1.start, d2.start, unit, zone);
    }
    case 'dateRange': {
      const d1 = dateOf(x!);
      const d2 = dateOf(y!);
      if (!d1 || !d2) return null;
      return { kind: 'date', start: d1.start, end: d2.start, hasTime: d1.hasTime || d2.hasTime };
    }
    case 'dateStart': {
      const d = dateOf(x!);
      return d ? { kind: 'date', start: d.start, hasTime: d.hasTime } : null;
    }
    case 'dateEnd': {
      const d = dateOf(x!);
      return d ? { kind: 'date', start: d.end ?? d.start, hasTime: d.hasTime } : null;
    }
    case 'timestamp': {
      const d = dateOf(x!);
      return d ? d.start : null;
    }
    case 'fromTimestamp':
      return typeof x === 'number' && Number.isFinite(x) ? { kind: 'date', start: x, hasTime: true } : null;
    case 'formatDate': {
      const d = dateOf(x!);
      const p = text(y!);
      return d && p !== null ? formatMoment(d.start, p, zone) : null;
    }
    case 'parseDate': {
      const t = text(x!);
      if (t === null) return null;
      const r = parseIso(t, zone);
      return r ? { kind: 'date', start: r.ms, hasTime: r.hasTime } : null;
    }
    case 'name':
      return isPerson(x!) ? x.name : null;
    case 'email':
      return isPerson(x!) ? x.email : null;
  }
  // List functions: an empty list argument gives empty.
  const list = Array.isArray(x) ? x : null;
  switch (name) {
    case 'at':
      return list && typeof y === 'number' ? (list.at(Math.trunc(y)) ?? null) : null;
    case 'first':
      return list ? (list[0] ?? null) : null;
    case 'last':
      return list ? (list.at(-1) ?? null) : null;
    case 'slice':
      return list ? list.slice(n0(y!), typeof z === 'number' ? z : undefined) : null;
    case 'splice':
      return list ? list.toSpliced(n0(y!), n0(z!), ...a.slice(3)) : null;
    case 'concat':
      return a.flatMap((v) => (Array.isArray(v) ? v : []));
    case 'sort':
      return list ? list.filter((v) => v !== null).sort(compare) : null;
    case 'reverse':
      return list ? [...list].reverse() : null;
    case 'unique': {
      if (!list) return null;
      const out: Value[] = [];
      for (const v of list) if (!out.some((o) => equals(o, v))) out.push(v);
      return out;
    }
    case 'includes':
      return list ? list.some((v) => equals(v, y!)) : null;
    case 'flat':
      return list ? list.flatMap((v) => (Array.isArray(v) ? v : [v])) : null;
  }
  return FAIL(`unknown function ${name}`);
}

const CURRENCIES = new Set(
  'usd aud cad sgd eur gbp jpy rub inr krw cny brl try idr chf hkd nzd sek nok mxn zar twd dkk pln thb huf czk ils clp php aed cop sar myr ron ars uyu pen'.split(
    ' ',
  ),
);

/** `formatNumber` (§5.3, unverified outputs): Intl.NumberFormat in en-US. */
function formatNumber(n: number, format: string, precision: Value | undefined): Value {
  const p = typeof precision === 'number' ? Math.max(0, Math.min(12, Math.trunc(precision))) : undefined;
  const digits = (dflt: number) => ({ minimumFractionDigits: p ?? 0, maximumFractionDigits: p ?? dflt });
  switch (format) {
    case 'commas':
      return new Intl.NumberFormat('en-US', digits(12)).format(n);
    case 'percent':
      return new Intl.NumberFormat('en-US', { style: 'percent', ...digits(12) }).format(n);
    case 'humanize':
      return new Intl.NumberFormat('en-US', { notation: 'compact', ...digits(p ?? 1) }).format(n);
    case 'bytes_binary':
    case 'bytes_decimal': {
      const base = format === 'bytes_binary' ? 1024 : 1000;
      const units =
        format === 'bytes_binary'
          ? ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
          : ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
      let v = n;
      let i = 0;
      while (Math.abs(v) >= base && i < units.length - 1) {
        v /= base;
        i++;
      }
      return `${new Intl.NumberFormat('en-US', digits(2)).format(v)} ${units[i]}`;
    }
    default:
      if (!CURRENCIES.has(format)) return FAIL('unknown number format');
      return new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: format.toUpperCase(),
        ...(p === undefined ? {} : { minimumFractionDigits: p, maximumFractionDigits: p }),
      }).format(n);
  }
}

/**
 * A small evaluator of the Bicep expressions main.bicep uses for app settings, module parameters and
 * its up-front checks, so that tests can compute the VALUES a deployment would write (no Bicep
 * compiler can run here). It knows literals, interpolated strings, arrays and objects, parameter
 * and variable references, module outputs (a stand-in per output; reading an output of a module whose condition
 * is false is an error, as in ARM), other resources' properties (a stand-in per symbol), ternaries (lazy, like
 * ARM's if()), !, ==, !=, &&, ||, ??, comparisons, + of numbers, member access, indexing, single-parameter
 * lambdas and the functions in FUNCTIONS, with ARM's semantics (string(true) is 'True'). Any other form throws
 * Unsupported: a test can never pass on an expression it did not understand.
 */
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | Lambda;
interface Lambda { lambda: (arg: Value) => Value }

type Node =
  | { k: 'str'; parts: Array<string | Node> } | { k: 'num'; v: number } | { k: 'lit'; v: boolean | null }
  | { k: 'arr'; items: Node[] } | { k: 'obj'; entries: Array<[string | Node, Node]> } | { k: 'id'; name: string } | { k: 'call'; fn: string; args: Node[] }
  | { k: 'member'; obj: Node; name: string; safe: boolean } | { k: 'index'; obj: Node; idx: Node }
  | { k: 'not'; e: Node } | { k: 'bin'; op: string; l: Node; r: Node } | { k: 'cond'; c: Node; t: Node; f: Node }
  | { k: 'lambda'; param: string; body: Node };

export class Unsupported extends Error {}
/** fail('…') was reached: the deployment is refused with this message. */
export class Refused extends Error {}
/** An output of a module that the deployment does not deploy (its condition is false) was read. */
export class UndeployedOutput extends Error {}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): Node {
    const n = this.expr();
    this.ws(true);
    if (this.i < this.s.length) throw new Unsupported(`unexpected '${this.s.slice(this.i, this.i + 20)}' in: ${this.s}`);
    return n;
  }

  private ws(newlines = true): boolean {
    let sawNewline = false;
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) {
      if (this.s[this.i] === '\n') { if (!newlines) return sawNewline; sawNewline = true; }
      this.i++;
    }
    return sawNewline;
  }

  private peek(tok: string): boolean { this.ws(); return this.s.startsWith(tok, this.i); }
  private eat(tok: string): boolean { if (this.peek(tok)) { this.i += tok.length; return true; } return false; }
  private expect(tok: string): void { if (!this.eat(tok)) throw new Unsupported(`expected '${tok}' at '${this.s.slice(this.i, this.i + 20)}'`); }

  expr(): Node {
    const c = this.binary(0);
    if (this.peek('?') && !this.peek('??')) {
      this.expect('?');
      const t = this.expr();
      this.expect(':');
      return { k: 'cond', c, t, f: this.expr() };
    }
    return c;
  }

  private static readonly LEVELS = [['??'], ['||'], ['&&'], ['==', '!=', '>=', '<=', '>', '<'], ['+']];
  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const op = (Parser.LEVELS[level] ?? []).find((o) => this.peek(o));
      if (!op) return l;
      this.i += op.length;
      l = { k: 'bin', op, l, r: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    if (this.peek('!') && !this.peek('!=')) { this.i++; return { k: 'not', e: this.unary() }; }
    return this.postfix(this.primary());
  }

  private postfix(n: Node): Node {
    for (;;) {
      const save = this.i;
      if (this.ws(false)) { this.i = save; return n; } // a newline ends the item (array elements)
      if (this.s.startsWith('.?', this.i)) { this.i += 2; n = { k: 'member', obj: n, name: this.ident(), safe: true }; }
      else if (this.s.startsWith('.', this.i)) { this.i += 1; n = { k: 'member', obj: n, name: this.ident(), safe: false }; }
      else if (this.s.startsWith('[', this.i)) { this.i += 1; const idx = this.expr(); this.expect(']'); n = { k: 'index', obj: n, idx }; }
      else { this.i = save; return n; }
    }
  }

  private ident(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) throw new Unsupported(`expected a name at '${this.s.slice(this.i, this.i + 20)}'`);
    this.i += m[0].length;
    return m[0];
  }

  private primary(): Node {
    this.ws();
    const c = this.s[this.i];
    if (c === "'") return this.string();
    if (c === '(') { this.i++; const e = this.expr(); this.expect(')'); return e; }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      while (!this.eat(']')) { items.push(this.expr()); this.eat(','); }
      return { k: 'arr', items };
    }
    if (c === '{') {
      this.i++;
      const entries: Array<[string | Node, Node]> = [];
      while (!this.eat('}')) {
        this.ws();
        const key: string | Node = this.s[this.i] === "'" ? this.string() : this.ident();
        this.expect(':');
        entries.push([key, this.expr()]);
        this.eat(',');
      }
      return { k: 'obj', entries };
    }
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) { this.i += num[0].length; return { k: 'num', v: Number(num[0]) }; }
    const name = this.ident();
    if (name === 'true' || name === 'false') return { k: 'lit', v: name === 'true' };
    if (name === 'null') return { k: 'lit', v: null };
    if (this.peek('=>')) { this.i += 2; return { k: 'lambda', param: name, body: this.expr() }; }
    if (this.s[this.i] === '(') {
      this.i++;
      const args: Node[] = [];
      while (!this.eat(')')) { args.push(this.expr()); this.eat(','); }
      return { k: 'call', fn: name, args };
    }
    return { k: 'id', name };
  }

  private string(): Node {
    if (this.s.startsWith("'''", this.i)) throw new Unsupported('multi-line strings');
    this.i++;
    const parts: Array<string | Node> = [];
    let buf = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new Unsupported('unterminated string');
      if (c === "'") { this.i++; break; }
      if (c === '\\') {
        const e = this.s[this.i + 1] ?? '';
        const map: Record<string, string> = { "'": "'", '\\': '\\', n: '\n', r: '\r', t: '\t', $: '$' };
        if (!(e in map)) throw new Unsupported(`escape \\${e}`);
        buf += map[e];
        this.i += 2;
      } else if (c === '$' && this.s[this.i + 1] === '{') {
        this.i += 2;
        if (buf) parts.push(buf);
        buf = '';
        parts.push(this.expr());
        this.expect('}');
      } else { buf += c; this.i++; }
    }
    if (buf || parts.length === 0) parts.push(buf);
    return { k: 'str', parts };
  }
}

export function parse(expression: string): Node {
  return new Parser(expression).parseAll();
}

function isLambda(v: Value): v is Lambda { return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Lambda).lambda === 'function'; }
function str(v: Value, fn: string): string { if (typeof v !== 'string') throw new Unsupported(`${fn}() of a ${typeof v}`); return v; }
function arr(v: Value, fn: string): Value[] { if (!Array.isArray(v)) throw new Unsupported(`${fn}() of a non-array`); return v; }
function fnOf(v: Value, fn: string): (a: Value) => Value { if (!isLambda(v)) throw new Unsupported(`${fn}() needs a lambda`); return v.lambda; }
function same(a: Value, b: Value): boolean { return JSON.stringify(a) === JSON.stringify(b); }

/** ARM's string(): booleans are rendered by .NET as True/False; arrays and objects as JSON. */
function armString(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (isLambda(v)) throw new Unsupported('string() of a lambda');
  return JSON.stringify(v);
}

/** `length` digits in base `radix` of an FNV-1a hash of the whole text, re-hashed per digit. */
function digest(text: string, length: number, radix: number): string {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ (i + 1), 16777619) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    out += (h % radix).toString(radix);
  }
  return out;
}

const FUNCTIONS: Record<string, (a: Value[]) => Value> = {
  string: ([v]) => armString(v ?? null),
  empty: ([v]) => v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !isLambda(v) && !Array.isArray(v) && Object.keys(v).length === 0),
  length: ([v]) => (typeof v === 'string' || Array.isArray(v) ? v.length : (() => { throw new Unsupported('length() of this'); })()),
  toLower: ([v]) => str(v ?? null, 'toLower').toLowerCase(),
  trim: ([v]) => str(v ?? null, 'trim').trim(),
  replace: ([s, a, b]) => str(s ?? null, 'replace').split(str(a ?? null, 'replace')).join(str(b ?? null, 'replace')),
  split: ([s, d]) => str(s ?? null, 'split').split(str(d ?? null, 'split')),
  join: ([a, d]) => arr(a ?? null, 'join').map((x) => str(x, 'join')).join(str(d ?? null, 'join')),
  startsWith: ([s, p]) => str(s ?? null, 'startsWith').toLowerCase().startsWith(str(p ?? null, 'startsWith').toLowerCase()),
  // ARM: contains() on strings is case-sensitive, startsWith() and indexOf() are not
  contains: ([c, x]) => (typeof c === 'string' ? c.includes(str(x ?? null, 'contains')) : arr(c ?? null, 'contains').some((y) => same(y, x ?? null))),
  indexOf: ([s, x]) => str(s ?? null, 'indexOf').toLowerCase().indexOf(str(x ?? null, 'indexOf').toLowerCase()),
  substring: ([s, a, n]) => {
    const text = str(s ?? null, 'substring');
    const [from, len] = [Number(a), n === undefined ? text.length - Number(a) : Number(n)];
    if (from < 0 || len < 0 || from + len > text.length) throw new Refused(`substring(): index out of range in '${text}'`);
    return text.slice(from, from + len);
  },
  take: ([s, n]) => (typeof s === 'string' ? s.slice(0, Number(n)) : arr(s ?? null, 'take').slice(0, Number(n))),
  // arrays: distinct items in order; objects: the properties of all, a later one winning (top level)
  union: (args) => (args.every((a) => typeof a === 'object' && a !== null && !Array.isArray(a) && !isLambda(a))
    ? Object.assign({}, ...args) as Value
    : args.reduce<Value[]>((acc, a) => { for (const x of arr(a, 'union')) if (!acc.some((y) => same(x, y))) acc.push(x); return acc; }, [])),
  range: ([from, count]) => { if (typeof from !== 'number' || typeof count !== 'number') throw new Unsupported('range() of non-numbers'); return Array.from({ length: count }, (_, i) => from + i); },
  filter: ([a, f]) => arr(a ?? null, 'filter').filter((x) => { const r = fnOf(f ?? null, 'filter')(x); if (typeof r !== 'boolean') throw new Unsupported('filter() lambda must give a bool'); return r; }),
  map: ([a, f]) => arr(a ?? null, 'map').map((x) => fnOf(f ?? null, 'map')(x)),
  last: ([a]) => (typeof a === 'string' ? a.slice(-1) : arr(a ?? null, 'last').at(-1) ?? null),
  // A stand-in with uniqueString()'s shape (13 characters of [a-z0-9], deterministic, every character of the input counts), not its hash.
  uniqueString: (args) => digest(args.map((a) => str(a, 'uniqueString')).join('|'), 13, 36),
  fail: ([m]) => { throw new Refused(str(m ?? null, 'fail')); },
  // A stand-in with guid()'s shape (8-4-4-4-12 hex, deterministic), not its hash.
  guid: (args) => {
    const hex = digest(args.map((a) => str(a, 'guid')).join('|'), 32, 16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  },
};

export interface Context {
  /** Parameter values (defaults already applied). */
  params: Record<string, Value>;
  /** `var` declarations, as expression text. */
  vars: Record<string, string>;
  /** Modules and resources by symbolic name: their condition (`= if (…)`), or '' when unconditional. */
  conditions: Record<string, string>;
  /** Stand-ins: `module.outputs.name`, `environment()`, `subscription()`, `tenant()`, `managementGroup()`, and resource symbols by name. */
  standIns: Record<string, Value>;
  /** loadJsonContent(path), relative to the template's folder. */
  loadJson?: (path: string) => Value;
}

export function evaluate(expression: string, ctx: Context, scope: Record<string, Value> = {}): Value {
  const memo = new Map<string, Value>();
  const ev = (n: Node, sc: Record<string, Value>): Value => {
    switch (n.k) {
      case 'str': return n.parts.map((p) => (typeof p === 'string' ? p : armString(ev(p, sc)))).join('');
      case 'num': return n.v;
      case 'lit': return n.v;
      case 'arr': return n.items.map((x) => ev(x, sc));
      case 'obj': return Object.fromEntries(n.entries.map(([key, v]) => [typeof key === 'string' ? key : str(ev(key, sc), 'object key'), ev(v, sc)]));
      case 'not': { const v = ev(n.e, sc); if (typeof v !== 'boolean') throw new Unsupported('! of a non-bool'); return !v; }
      case 'cond': { const c = ev(n.c, sc); if (typeof c !== 'boolean') throw new Unsupported('condition is not a bool'); return c ? ev(n.t, sc) : ev(n.f, sc); }
      case 'lambda': return { lambda: (a: Value) => ev(n.body, { ...sc, [n.param]: a }) };
      case 'bin': {
        const l = ev(n.l, sc);
        if (n.op === '??') return l ?? ev(n.r, sc);
        if (n.op === '&&' || n.op === '||') {
          if (typeof l !== 'boolean') throw new Unsupported(`${n.op} of a non-bool`);
          if (n.op === '&&' ? !l : l) return l;
          const r = ev(n.r, sc);
          if (typeof r !== 'boolean') throw new Unsupported(`${n.op} of a non-bool`);
          return r;
        }
        const r = ev(n.r, sc);
        if (n.op === '+') {
          if (typeof l !== 'number' || typeof r !== 'number') throw new Unsupported('+ of non-numbers');
          return l + r;
        }
        if (n.op !== '==' && n.op !== '!=') {
          if (typeof l !== 'number' || typeof r !== 'number') throw new Unsupported(`${n.op} of non-numbers`);
          return n.op === '>=' ? l >= r : n.op === '<=' ? l <= r : n.op === '>' ? l > r : l < r;
        }
        // Bicep's == on strings is case-sensitive (=~ is the insensitive one)
        return n.op === '==' ? same(l, r) : !same(l, r);
      }
      case 'call': {
        if (['environment', 'subscription', 'tenant', 'managementGroup'].includes(n.fn)) {
          if (n.args.length > 0) throw new Unsupported(`${n.fn}() with arguments`);
          const v = ctx.standIns[`${n.fn}()`];
          if (v === undefined) throw new Unsupported(`no stand-in for ${n.fn}()`);
          return v;
        }
        if (n.fn === 'subscriptionResourceId') {
          const [type, ...names] = n.args.map((a) => str(ev(a, sc), n.fn));
          const sub = ctx.standIns['subscription()'];
          if (typeof sub !== 'object' || sub === null || Array.isArray(sub) || typeof (sub as Record<string, Value>).id !== 'string') throw new Unsupported('no stand-in for subscription()');
          return `${String((sub as Record<string, Value>).id)}/providers/${type ?? ''}/${names.join('/')}`;
        }
        if (n.fn === 'loadJsonContent' && ctx.loadJson) return ctx.loadJson(str(ev(n.args[0] ?? { k: 'lit', v: null }, sc), n.fn));
        const f = FUNCTIONS[n.fn];
        if (!f) throw new Unsupported(`function ${n.fn}()`);
        return f(n.args.map((a) => ev(a, sc)));
      }
      case 'member': {
        if (n.obj.k === 'member' && n.obj.name === 'outputs' && n.obj.obj.k === 'id' && !(n.obj.obj.name in sc)) return output(n.obj.obj.name, n.name);
        const o = ev(n.obj, sc);
        if (typeof o !== 'object' || o === null || Array.isArray(o) || isLambda(o)) {
          if (n.safe && o === null) return null;
          throw new Unsupported(`.${n.name} of a non-object`);
        }
        if (!(n.name in o)) { if (n.safe) return null; throw new Unsupported(`no property ${n.name}`); }
        return o[n.name] ?? null;
      }
      case 'index': {
        const o = ev(n.obj, sc);
        const i = ev(n.idx, sc);
        if (!Array.isArray(o) || typeof i !== 'number') throw new Unsupported('indexing other than array[number]');
        if (i < 0 || i >= o.length) throw new Refused(`index ${i} is out of range (length ${o.length})`);
        return o[i] ?? null;
      }
      case 'id': {
        if (n.name in sc) return sc[n.name] ?? null;
        if (n.name in ctx.params) return ctx.params[n.name] ?? null;
        const text = ctx.vars[n.name];
        if (text !== undefined) {
          if (!memo.has(n.name)) memo.set(n.name, ev(parse(text), {}));
          return memo.get(n.name) ?? null;
        }
        const standIn = ctx.standIns[n.name];
        if (standIn !== undefined) return standIn;
        throw new Unsupported(`unknown name ${n.name}`);
      }
    }
  };
  const output = (symbol: string, name: string): Value => {
    const condition = ctx.conditions[symbol];
    if (condition === undefined) throw new Unsupported(`unknown module ${symbol}`);
    if (condition !== '' && ev(parse(condition), {}) !== true) throw new UndeployedOutput(`reads ${symbol}.outputs.${name}, but ${symbol} is not deployed (if (${condition}))`);
    const v = ctx.standIns[`${symbol}.outputs.${name}`];
    if (v === undefined) throw new Unsupported(`no stand-in for ${symbol}.outputs.${name}`);
    return v;
  };
  return ev(parse(expression), scope);
}

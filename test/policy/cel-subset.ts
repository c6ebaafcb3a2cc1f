/**
 * A small interpreter for the subset of CEL (https://github.com/google/cel-spec) that the generated
 * ValidatingAdmissionPolicies use, so their expressions can be evaluated against sample admission requests in tests.
 *
 * Supported: literals (single- or double-quoted strings with \\ and \' escapes, integers, true/false/null, lists),
 * identifiers, member access and indexing, `!`, unary `-`, `&&`/`||` (with CEL's error absorption), `==`, `!=`, `<`,
 * `<=`, `>`, `>=`, `in` (lists and map keys), `+` (strings, ints, lists), `?:`, the macros `has(a.b)` and
 * `list.exists(x, p)` / `list.all(x, p)`, `size()`, and the string methods `startsWith`, `endsWith`, `contains`,
 * `trim`, `lowerAscii`, `size`. Anything else is a parse or evaluation error — so an expression that uses CEL beyond
 * this subset fails its test instead of passing unchecked.
 */

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'id'; name: string }
  | { t: 'list'; items: Node[] }
  | { t: 'member'; obj: Node; name: string }
  | { t: 'index'; obj: Node; index: Node }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'unary'; op: string; arg: Node }
  | { t: 'binary'; op: string; left: Node; right: Node }
  | { t: 'cond'; test: Node; then: Node; else: Node };

interface Tok { k: 'str' | 'num' | 'id' | 'op'; v: string }

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '\'' || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const n = src[j + 1];
          if (n === '\\' || n === '\'' || n === '"') s += n;
          else if (n === 'n') s += '\n';
          else throw new Error(`unsupported escape \\${n}`);
          j += 2;
        } else {
          s += src[j++];
        }
      }
      if (j >= src.length) throw new Error('unterminated string');
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    const num = /^\d+/.exec(src.slice(i));
    if (num) { out.push({ k: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ k: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = /^(&&|\|\||==|!=|<=|>=|[!<>+\-?:.,()[\]])/.exec(src.slice(i));
    if (op) { out.push({ k: 'op', v: op[0] }); i += op[0].length; continue; }
    throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  return out;
}

/** Parse a CEL expression of the supported subset; throws on anything else. */
export function parseCel(src: string): Node {
  const toks = lex(src);
  let p = 0;
  const peek = (v?: string) => (v === undefined ? toks[p] : toks[p] && toks[p].k === 'op' && toks[p].v === v ? toks[p] : undefined);
  const eat = (v: string) => {
    if (!peek(v)) throw new Error(`expected "${v}" at token ${p} (${toks[p]?.v ?? 'end'})`);
    p++;
  };
  const args = (): Node[] => {
    const list: Node[] = [];
    if (peek(')')) { p++; return list; }
    for (;;) {
      list.push(cond());
      if (peek(',')) { p++; continue; }
      eat(')');
      return list;
    }
  };
  const primary = (): Node => {
    const tok = toks[p++];
    if (!tok) throw new Error('unexpected end');
    if (tok.k === 'str') return { t: 'lit', v: tok.v };
    if (tok.k === 'num') return { t: 'lit', v: Number(tok.v) };
    if (tok.k === 'id') {
      if (tok.v === 'true' || tok.v === 'false') return { t: 'lit', v: tok.v === 'true' };
      if (tok.v === 'null') return { t: 'lit', v: null };
      if (peek('(')) { p++; return { t: 'call', fn: tok.v, args: args() }; }
      return { t: 'id', name: tok.v };
    }
    if (tok.v === '(') { const e = cond(); eat(')'); return e; }
    if (tok.v === '[') {
      const items: Node[] = [];
      if (peek(']')) { p++; return { t: 'list', items }; }
      for (;;) {
        items.push(cond());
        if (peek(',')) { p++; continue; }
        eat(']');
        return { t: 'list', items };
      }
    }
    throw new Error(`unexpected token ${tok.v}`);
  };
  const member = (): Node => {
    let n = primary();
    for (;;) {
      if (peek('.')) {
        p++;
        const name = toks[p++];
        if (!name || name.k !== 'id') throw new Error('expected a name after "."');
        if (peek('(')) { p++; n = { t: 'call', fn: name.v, target: n, args: args() }; } else {n = { t: 'member', obj: n, name: name.v };}
      } else if (peek('[')) {
        p++;
        const index = cond();
        eat(']');
        n = { t: 'index', obj: n, index };
      } else {
        return n;
      }
    }
  };
  const unary = (): Node => {
    if (peek('!')) { p++; return { t: 'unary', op: '!', arg: unary() }; }
    if (peek('-')) { p++; return { t: 'unary', op: '-', arg: unary() }; }
    return member();
  };
  const addition = (): Node => {
    let n = unary();
    while (peek('+') || peek('-')) { const op = toks[p++].v; n = { t: 'binary', op, left: n, right: unary() }; }
    return n;
  };
  const relation = (): Node => {
    const n = addition();
    const tok = toks[p];
    if (tok && ((tok.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(tok.v)) || (tok.k === 'id' && tok.v === 'in'))) {
      p++;
      return { t: 'binary', op: tok.v, left: n, right: addition() };
    }
    return n;
  };
  const and = (): Node => {
    let n = relation();
    while (peek('&&')) { p++; n = { t: 'binary', op: '&&', left: n, right: relation() }; }
    return n;
  };
  const or = (): Node => {
    let n = and();
    while (peek('||')) { p++; n = { t: 'binary', op: '||', left: n, right: and() }; }
    return n;
  };
  const cond = (): Node => {
    const test = or();
    if (peek('?')) { p++; const then = cond(); eat(':'); return { t: 'cond', test, then, else: cond() }; }
    return test;
  };
  const root = cond();
  if (p !== toks.length) throw new Error(`unexpected trailing token ${toks[p].v}`);
  return root;
}

const isMap = (v: unknown): v is { [k: string]: unknown } => v !== null && typeof v === 'object' && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluate a parsed expression in an environment of variables. Errors throw (CEL runtime errors). */
export function evalCel(node: Node, env: { [name: string]: unknown }): unknown {
  const ev = (n: Node, scope: { [name: string]: unknown }): unknown => {
    switch (n.t) {
      case 'lit': return n.v;
      case 'list': return n.items.map(i => ev(i, scope));
      case 'id':
        if (!(n.name in scope)) throw new Error(`undeclared reference to '${n.name}'`);
        return scope[n.name];
      case 'member': {
        const o = ev(n.obj, scope);
        if (!isMap(o)) throw new Error(`no such field '${n.name}' on ${o === null ? 'null' : typeof o}`);
        if (!(n.name in o)) throw new Error(`no such key: ${n.name}`);
        return o[n.name];
      }
      case 'index': {
        const o = ev(n.obj, scope);
        const k = ev(n.index, scope);
        if (Array.isArray(o) && typeof k === 'number') { if (k < 0 || k >= o.length) throw new Error('index out of range'); return o[k]; }
        if (isMap(o) && typeof k === 'string') { if (!(k in o)) throw new Error(`no such key: ${k}`); return o[k]; }
        throw new Error('invalid index');
      }
      case 'unary': {
        const v = ev(n.arg, scope);
        if (n.op === '!') { if (typeof v !== 'boolean') throw new Error('! needs a bool'); return !v; }
        if (typeof v !== 'number') throw new Error('- needs a number');
        return -v;
      }
      case 'cond': {
        const test = ev(n.test, scope);
        if (typeof test !== 'boolean') throw new Error('?: needs a bool');
        return test ? ev(n.then, scope) : ev(n.else, scope);
      }
      case 'binary': {
        if (n.op === '&&' || n.op === '||') {
          const short = n.op === '||';
          let le: unknown; let re: unknown; let lv: unknown; let rv: unknown;
          try { lv = ev(n.left, scope); } catch (e) { le = e; }
          if (le === undefined && lv === short) return short;
          try { rv = ev(n.right, scope); } catch (e) { re = e; }
          if (re === undefined && rv === short) return short;
          if (le !== undefined) throw le;
          if (re !== undefined) throw re;
          if (typeof lv !== 'boolean' || typeof rv !== 'boolean') throw new Error(`${n.op} needs bools`);
          return !short;
        }
        const l = ev(n.left, scope);
        const r = ev(n.right, scope);
        switch (n.op) {
          case '==': return equal(l, r);
          case '!=': return !equal(l, r);
          case 'in':
            if (Array.isArray(r)) return r.some(x => equal(x, l));
            if (isMap(r)) return typeof l === 'string' && l in r;
            throw new Error('in needs a list or map');
          case '+':
            if (typeof l === 'string' && typeof r === 'string') return l + r;
            if (typeof l === 'number' && typeof r === 'number') return l + r;
            if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
            throw new Error(`no such overload: ${typeof l} + ${r === null ? 'null' : typeof r}`);
          case '-':
            if (typeof l === 'number' && typeof r === 'number') return l - r;
            throw new Error('- needs numbers');
          default: {
            if (typeof l !== typeof r || (typeof l !== 'number' && typeof l !== 'string')) throw new Error(`${n.op} needs two numbers or two strings`);
            const a = l as any; const b = r as any;
            return n.op === '<' ? a < b : n.op === '<=' ? a <= b : n.op === '>' ? a > b : a >= b;
          }
        }
      }
      case 'call': {
        if (n.fn === 'has' && n.target === undefined) {
          const arg = n.args[0];
          if (n.args.length !== 1 || arg.t !== 'member') throw new Error('has() needs a field selection');
          const o = ev(arg.obj, scope);
          if (!isMap(o)) throw new Error('has() on a non-map');
          return arg.name in o;
        }
        if ((n.fn === 'exists' || n.fn === 'all') && n.target !== undefined) {
          const list = ev(n.target, scope);
          const [v, pred] = n.args;
          if (!Array.isArray(list) || v?.t !== 'id' || pred === undefined) throw new Error(`${n.fn}() needs a list, a name and a predicate`);
          const results = list.map(x => ev(pred, { ...scope, [v.name]: x }));
          if (results.some(r => typeof r !== 'boolean')) throw new Error(`${n.fn}() predicate is not a bool`);
          return n.fn === 'exists' ? results.some(Boolean) : results.every(Boolean);
        }
        const args = n.args.map(a => ev(a, scope));
        if (n.target === undefined) {
          if (n.fn === 'size' && args.length === 1) return sizeOf(args[0]);
          throw new Error(`unknown function ${n.fn}`);
        }
        const target = ev(n.target, scope);
        if (n.fn === 'size' && args.length === 0) return sizeOf(target);
        if (typeof target !== 'string') throw new Error(`no such method ${n.fn} on ${target === null ? 'null' : typeof target}`);
        switch (n.fn) {
          case 'startsWith': return target.startsWith(String(args[0]));
          case 'endsWith': return target.endsWith(String(args[0]));
          case 'contains': return target.includes(String(args[0]));
          case 'trim': return target.trim();
          case 'lowerAscii': return target.toLowerCase();
          default: throw new Error(`unknown method ${n.fn}`);
        }
      }
    }
    return undefined;
  };
  return ev(node, env);
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new Error('size() needs a string, list or map');
}

/** Every identifier an expression reads at the top level (for "references only declared variables" checks). */
export function freeIdentifiers(node: Node, bound: Set<string> = new Set()): Set<string> {
  const out = new Set<string>();
  const walk = (n: Node, b: Set<string>) => {
    switch (n.t) {
      case 'id': if (!b.has(n.name)) out.add(n.name); break;
      case 'list': n.items.forEach(i => walk(i, b)); break;
      case 'member': walk(n.obj, b); break;
      case 'index': walk(n.obj, b); walk(n.index, b); break;
      case 'unary': walk(n.arg, b); break;
      case 'binary': walk(n.left, b); walk(n.right, b); break;
      case 'cond': walk(n.test, b); walk(n.then, b); walk(n.else, b); break;
      case 'call':
        if (n.target) walk(n.target, b);
        if ((n.fn === 'exists' || n.fn === 'all') && n.args[0]?.t === 'id') {
          const inner = new Set([...b, n.args[0].name]);
          n.args.slice(1).forEach(a => walk(a, inner));
        } else {
          n.args.forEach(a => walk(a, b));
        }
        break;
      default: break;
    }
  };
  walk(node, bound);
  return out;
}

/** The outcome of running a ValidatingAdmissionPolicy spec against one request, as the API server would. */
export interface AdmissionOutcome {
  readonly matched: boolean;
  readonly allowed: boolean;
  readonly messages: string[];
  readonly auditAnnotations: { [key: string]: string };
}

/**
 * Evaluate a policy spec's matchConditions, variables, validations and auditAnnotations for a request
 * (matchConstraints are not evaluated here: the caller decides whether the request is in scope).
 */
export function admit(spec: any, input: { request: any; object: unknown; oldObject: unknown; namespaceObject?: unknown }): AdmissionOutcome {
  const base: { [k: string]: unknown } = { request: input.request, object: input.object, oldObject: input.oldObject };
  for (const mc of spec.matchConditions ?? []) {
    if (evalCel(parseCel(mc.expression), base) === false) return { matched: false, allowed: true, messages: [], auditAnnotations: {} };
  }
  const variables: { [k: string]: unknown } = {};
  const scope = { ...base, namespaceObject: input.namespaceObject ?? null, variables };
  for (const v of spec.variables ?? []) variables[v.name] = evalCel(parseCel(v.expression), scope);
  const messages: string[] = [];
  for (const val of spec.validations ?? []) {
    if (evalCel(parseCel(val.expression), scope) !== true) {
      messages.push(val.messageExpression ? String(evalCel(parseCel(val.messageExpression), scope)) : val.message ?? `failed expression: ${val.expression}`);
    }
  }
  const auditAnnotations: { [key: string]: string } = {};
  for (const a of spec.auditAnnotations ?? []) {
    const v = evalCel(parseCel(a.valueExpression), scope);
    if (typeof v === 'string' && v !== '') auditAnnotations[a.key] = v;
    else if (v !== null) throw new Error(`audit annotation ${a.key} is neither a string nor null`);
  }
  return { matched: true, allowed: messages.length === 0, messages, auditAnnotations };
}

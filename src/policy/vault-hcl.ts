/**
 * A parser for the HCL subset Vault policies are written in: comments (`#`, `//`, `/* *\/`), `path "<path>" { ... }`
 * blocks and attributes whose values are strings, numbers, booleans, lists and objects. It reads the policy text as
 * it is synthesized into `vault_policy.policy`, so V01/V02 are checked on what Vault will actually load, not on our
 * own rendering. `test/policy/vault-hcl.test.ts` checks it against HashiCorp's HCL parser (@cdktf/hcl2json).
 */

/** One `path` block. */
export interface VaultPolicyPath {
  readonly path: string;
  /** 1-based line of the block. */
  readonly line: number;
  readonly capabilities: string[];
  /** Every attribute of the block (capabilities, allowed_parameters, ...). */
  readonly attributes: { [key: string]: unknown };
}

/** A parsed policy: its path blocks in order, and parse errors (a policy with errors is refused). */
export interface ParsedVaultPolicy {
  readonly paths: VaultPolicyPath[];
  /** Top-level attributes and blocks other than `path` (Vault ignores or refuses them). */
  readonly other: string[];
  readonly errors: string[];
}

type Token = { t: 'str' | 'ident' | 'num' | 'punct'; v: string; line: number };

function tokenize(text: string, errors: string[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) { errors.push(`line ${line}: unterminated comment`); return out; }
      line += (text.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') { errors.push(`line ${line}: newline in string`); return out; }
        if (text[j] === '\\') {
          const n = text[j + 1];
          const map: { [k: string]: string } = { 'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\' };
          if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
            s += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (map[n] === undefined) { errors.push(`line ${line}: unknown escape \\${n}`); return out; }
          s += map[n];
          j += 2;
          continue;
        }
        if (text[j] === '$' && text[j + 1] === '{') { errors.push(`line ${line}: template interpolation in a string`); return out; }
        s += text[j];
        j++;
      }
      if (j >= text.length) { errors.push(`line ${line}: unterminated string`); return out; }
      out.push({ t: 'str', v: s, line });
      i = j + 1;
      continue;
    }
    if (c === '<' && text[i + 1] === '<') { errors.push(`line ${line}: heredoc strings are not supported in policies`); return out; }
    const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) { out.push({ t: 'num', v: num[0], line }); i += num[0].length; continue; }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (ident) { out.push({ t: 'ident', v: ident[0], line }); i += ident[0].length; continue; }
    if ('{}[]=,:'.includes(c)) { out.push({ t: 'punct', v: c, line }); i++; continue; }
    errors.push(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    return out;
  }
  return out;
}

/** Parse a Vault policy. Never throws: problems are returned in `errors`. */
export function parseVaultPolicy(text: string): ParsedVaultPolicy {
  const errors: string[] = [];
  const tokens = tokenize(typeof text === 'string' ? text : '', errors);
  const paths: VaultPolicyPath[] = [];
  const other: string[] = [];
  let p = 0;
  const peek = () => tokens[p];
  const fail = (msg: string): never => {
    throw new Error(`line ${peek()?.line ?? 'end'}: ${msg}`);
  };
  const expect = (v: string) => {
    const tok = tokens[p];
    if (!tok || tok.t !== 'punct' || tok.v !== v) fail(`expected "${v}", got ${tok ? JSON.stringify(tok.v) : 'end of text'}`);
    p++;
  };
  const value = (): unknown => {
    const tok = tokens[p];
    if (!tok) return fail('expected a value');
    if (tok.t === 'str') { p++; return tok.v; }
    if (tok.t === 'num') { p++; return Number(tok.v); }
    if (tok.t === 'ident' && (tok.v === 'true' || tok.v === 'false')) { p++; return tok.v === 'true'; }
    if (tok.t === 'ident' && tok.v === 'null') { p++; return null; }
    if (tok.t === 'punct' && tok.v === '[') {
      p++;
      const items: unknown[] = [];
      while (peek() && !(peek().t === 'punct' && peek().v === ']')) {
        items.push(value());
        if (peek() && peek().t === 'punct' && peek().v === ',') p++;
        else break;
      }
      expect(']');
      return items;
    }
    if (tok.t === 'punct' && tok.v === '{') {
      p++;
      const obj = body();
      expect('}');
      return obj;
    }
    return fail(`unexpected ${JSON.stringify(tok.v)}`);
  };
  // Attributes (key = value) and nested blocks (key "label" { ... }) until a closing brace or the end.
  const body = (): { [key: string]: unknown } => {
    const obj: { [key: string]: unknown } = {};
    while (peek() && !(peek().t === 'punct' && peek().v === '}')) {
      const key = tokens[p];
      if (key.t !== 'ident' && key.t !== 'str') fail(`expected an attribute name, got ${JSON.stringify(key.v)}`);
      p++;
      const next = peek();
      if (next && next.t === 'punct' && (next.v === '=' || next.v === ':')) {
        p++;
        if (key.v in obj) fail(`attribute "${key.v}" is set twice`);
        obj[key.v] = value();
      } else {
        fail(`expected "=" after "${key.v}"`);
      }
      if (peek() && peek().t === 'punct' && peek().v === ',') p++;
    }
    return obj;
  };
  try {
    while (p < tokens.length) {
      const tok = tokens[p];
      if (tok.t === 'ident' && tok.v === 'path') {
        p++;
        const label = tokens[p];
        if (!label || label.t !== 'str') fail('expected the path in quotes after "path"');
        p++;
        expect('{');
        const attributes = body();
        expect('}');
        const caps = attributes.capabilities;
        const capabilities = Array.isArray(caps) ? caps.map(String) : [];
        if (caps !== undefined && !Array.isArray(caps)) errors.push(`line ${label.line}: capabilities of "${label.v}" is not a list`);
        paths.push({ path: label.v, line: label.line, capabilities, attributes });
      } else if (tok.t === 'ident') {
        p++;
        other.push(tok.v);
        if (peek() && peek().t === 'punct' && peek().v === '=') { p++; value(); } else {
          while (peek() && peek().t === 'str') p++;
          expect('{');
          body();
          expect('}');
        }
      } else {
        fail(`unexpected ${JSON.stringify(tok.v)}`);
      }
    }
  } catch (e) {
    errors.push((e as Error).message);
  }
  return { paths, other, errors };
}

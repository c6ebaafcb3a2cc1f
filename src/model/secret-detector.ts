/**
 * The secret detector: the one place that decides whether a text holds secret material. Used before anything is
 * written (module values in `moduleHelmValues`, every Platform input in `platformInputSecretProblems`) and over the
 * output (the policy pack's B13, K42 and V14 through `SecretScanner`).
 *
 * Detection comes from a maintained rule set: gitleaks' default rules (about 220 providers: Stripe, Slack, GitHub,
 * AWS, GCP, private keys, JWTs, Vault tokens, generic API keys …), vendored as data in src/model/gitleaks-rules.ts
 * (generated from projenrc/gitleaks/gitleaks.toml; SOURCES.md there names the release). Why gitleaks as data and not
 * secretlint: `Platform.synth()` is synchronous and secretlint's API is asynchronous (its rules run through a promise
 * based linter), so it could only run in a child process — a second Node start and a serialisation of every value per
 * synth. gitleaks' rules are plain regular expressions with keywords, entropy thresholds and allowlists: evaluated
 * here synchronously, in-process, with the same semantics as gitleaks' detector (detect/detect.go): keyword
 * prefilter on the lower-cased text, the first non-empty capture group (or `secretGroup`) is the secret, Shannon
 * entropy must exceed `entropy`, then the global and the rule's allowlists (regexes on secret, match or line;
 * stopwords contained in the lower-cased secret; condition OR/AND).
 *
 * gitleaks writes Go RE2 syntax; `translateRe2` turns it into an equivalent JavaScript RegExp (inline and scoped
 * case flags become explicit `[aA]` classes, `(?s:` a `[\s\S]` dot, POSIX classes their ranges, `\z` the end, named
 * groups `(?<n>`). Every rule compiles; the tests check that and known samples per provider.
 *
 * Two project rules cover what gitleaks does not: `url-credentials` (`scheme://user:password@host`, a password in a
 * URL; templates and placeholders pass) and `secret-field-literal` (a literal in a value whose name says it is secret,
 * e.g. `password: hunter2`, when the name is known: module values, key/value lines).
 */
import { GITLEAKS_ALLOWLIST, GITLEAKS_RULES, GitleaksAllowlist } from './gitleaks-rules';

/** One piece of secret material in a text. Never carries the secret itself. */
export interface SecretFinding {
  /** The rule that found it: a gitleaks rule id (`stripe-access-token`) or `url-credentials` / `secret-field-literal`. */
  readonly ruleId: string;
  /** Offset of the secret in the text. */
  readonly offset: number;
  /** The secret redacted: its first 4 characters when it is at least 20 long, and its length. */
  readonly redacted: string;
}

/** Redact a secret: only long values show a 4-character prefix (`sk_l`, `AKIA` say what it is, not what it holds). */
export function redactSecret(value: string): string {
  const head = value.length >= 20 ? value.slice(0, 4) : '';
  return `${head}…(${value.length} chars)`;
}

// ---------------------------------------------------------------------------------------------------------------
// Go RE2 → JavaScript.

const POSIX: { [name: string]: string } = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function isLetter(c: string): boolean {
  return /^[A-Za-z]$/.test(c);
}

function bothCases(c: string): string {
  return `[${c.toLowerCase()}${c.toUpperCase()}]`;
}

/** A character class body (between `[` and `]`, after `^`) with case counterparts added when `ci`. */
function translateClass(body: string, ci: boolean): string {
  const items: string[] = [];
  const extra: string[] = [];
  let i = 0;
  const single = (): { text: string; char?: string } => {
    if (body[i] === '\\') {
      const n = body[i + 1];
      if (n === 'x' && body[i + 2] === '{') {
        const end = body.indexOf('}', i);
        const code = parseInt(body.slice(i + 3, end), 16);
        i = end + 1;
        return { text: `\\u${code.toString(16).padStart(4, '0')}`, char: String.fromCharCode(code) };
      }
      if (n === 'x') {
        const hex = body.slice(i + 2, i + 4);
        i += 4;
        return { text: `\\x${hex}`, char: String.fromCharCode(parseInt(hex, 16)) };
      }
      i += 2;
      if (/[A-Za-z]/.test(n)) return { text: `\\${n}` };
      return { text: `\\${n}`, char: n };
    }
    const c = body[i++];
    return { text: /[\]\\^-]/.test(c) ? `\\${c}` : c, char: c };
  };
  while (i < body.length) {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(body.slice(i));
    if (posix) {
      if (posix[1]) throw new Error(`negated POSIX class ${posix[0]} is not supported`);
      items.push(POSIX[posix[2]] ?? (() => { throw new Error(`unknown POSIX class ${posix[0]}`); })());
      i += posix[0].length;
      continue;
    }
    const a = single();
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      const b = single();
      items.push(`${a.text}-${b.text}`);
      if (ci && a.char && b.char) {
        // Case counterparts of the letters inside the range.
        const lo = a.char.charCodeAt(0);
        const hi = b.char.charCodeAt(0);
        const add = (from: number, to: number, shift: number) => {
          const s = Math.max(lo, from);
          const e = Math.min(hi, to);
          if (s <= e) extra.push(`${String.fromCharCode(s + shift)}-${String.fromCharCode(e + shift)}`);
        };
        add(97, 122, -32);
        add(65, 90, 32);
      }
    } else {
      items.push(a.text);
      if (ci && a.char && isLetter(a.char)) extra.push(a.char === a.char.toLowerCase() ? a.char.toUpperCase() : a.char.toLowerCase());
    }
  }
  return [...items, ...extra].join('');
}

/**
 * A JavaScript RegExp source equivalent to a Go RE2 source, for the subset gitleaks uses: groups, `(?flags)` and
 * `(?flags:…)` with `i` and `s`, `(?P<name>…)`, classes with ranges, escapes and POSIX names, `\z`, `\A`.
 * Case-insensitivity is expanded into explicit classes, so one RegExp (without the `i` flag) keeps a pattern's mixed
 * case-sensitive and case-insensitive parts exact.
 */
export function translateRe2(source: string): string {
  const out: string[] = [];
  const stack: Array<{ ci: boolean; dotAll: boolean }> = [];
  let ci = false;
  let dotAll = false;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const n = source[i + 1];
      if (n === 'z') {out.push('$(?![\\s\\S])');} else if (n === 'A') {out.push('^');} else if (n === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const literal = source.slice(i + 2, end < 0 ? source.length : end);
        out.push(literal.split('').map(ch => (ci && isLetter(ch) ? bothCases(ch) : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join(''));
        i = end < 0 ? source.length : end + 2;
        continue;
      } else if (n === 'x' && source[i + 2] === '{') {
        const end = source.indexOf('}', i);
        out.push(`\\u${parseInt(source.slice(i + 3, end), 16).toString(16).padStart(4, '0')}`);
        i = end + 1;
        continue;
      } else if (n === 'x') {
        out.push(source.slice(i, i + 4));
        i += 4;
        continue;
      } else if (/[A-Za-z]/.test(n)) {out.push(`\\${n}`);} else {out.push(`\\${n}`);}
      i += 2;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      const negated = source[j] === '^';
      if (negated) j++;
      const start = j;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') {
        if (source[j] === '\\') j += 2;
        else if (source.startsWith('[:', j)) j = source.indexOf(':]', j) + 2;
        else j++;
      }
      out.push(`[${negated ? '^' : ''}${translateClass(source.slice(start, j), ci)}]`);
      i = j + 1;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([a-zA-Z-]*)(:|\))/.exec(source.slice(i));
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i));
      if (named) {
        stack.push({ ci, dotAll });
        out.push(`(?<${named[1]}>`);
        i += named[0].length;
        continue;
      }
      if (flags) {
        let on = true;
        let nextCi: boolean = ci;
        let nextDot: boolean = dotAll;
        for (const f of flags[1]) {
          if (f === '-') on = false;
          else if (f === 'i') nextCi = on;
          else if (f === 's') nextDot = on;
          else throw new Error(`flag "${f}" is not supported`);
        }
        if (flags[2] === ')') {
          // `(?i)`: from here to the end of the enclosing group.
          ci = nextCi;
          dotAll = nextDot;
        } else {
          stack.push({ ci, dotAll });
          ci = nextCi;
          dotAll = nextDot;
          out.push('(?:');
        }
        i += flags[0].length;
        continue;
      }
      stack.push({ ci, dotAll });
      out.push('(');
      i++;
      continue;
    }
    if (c === ')') {
      const s = stack.pop();
      if (s) ({ ci, dotAll } = s);
      out.push(')');
      i++;
      continue;
    }
    if (c === '.') out.push(dotAll ? '[\\s\\S]' : '[^\\n]');
    else if (ci && isLetter(c)) out.push(bothCases(c));
    else if (c === '/') out.push('\\/');
    else out.push(c);
    i++;
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Rules.

interface CompiledAllowlist {
  readonly regexes: RegExp[];
  readonly target: 'secret' | 'match' | 'line';
  readonly stopwords: string[];
  readonly and: boolean;
}

interface CompiledRule {
  readonly id: string;
  readonly pattern: RegExp;
  readonly secretGroup: number;
  readonly entropy: number;
  readonly keywords: string[];
  readonly allowlists: CompiledAllowlist[];
  readonly generic: boolean;
  /** How to search the pattern only near its keywords, when its shape allows (`keywordWindow`). */
  readonly window?: KeywordWindow;
}

/**
 * Most gitleaks rules (about a hundred, the generic API key among them) read `[\w.-]{0,50}?(?:<keywords>)…`: a match
 * starts at most `span` characters before an occurrence of the keyword group. Searching the whole of a 30 KB script
 * position by position is what costs; trying the pattern (sticky) only at the positions up to `span` before each
 * occurrence of the keyword group, in increasing order, finds the same matches: every position skipped has no
 * keyword occurrence within `span` characters after it, so no match can start there.
 */
interface KeywordWindow {
  /** The keyword group alone, global: its occurrences. */
  readonly keyword: RegExp;
  /** The whole pattern, sticky: a match at one position. */
  readonly sticky: RegExp;
  readonly span: number;
}

/** The window of a translated pattern that starts with `[\w.\-]{0,n}?(?:…)`, or undefined. */
export function keywordWindow(source: string): KeywordWindow | undefined {
  const head = /^\[\\w\.\\-\]\{0,(\d+)\}\?(?=\(\?:)/.exec(source);
  if (!head) return undefined;
  // The group after the prefix, up to its closing parenthesis (escapes and character classes skipped).
  let depth = 0;
  let inClass = false;
  for (let i = head[0].length; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return { keyword: new RegExp(source.slice(head[0].length, i + 1), 'g'), sticky: new RegExp(source, 'y'), span: Number(head[1]) };
    }
  }
  return undefined;
}

/**
 * The matches `pattern` (global) finds in `text`, one after the other as `exec` finds them (an empty match moves on
 * by one character); with a window, found by trying the sticky pattern only near the keyword occurrences.
 */
export function* patternMatches(pattern: RegExp, text: string, window?: KeywordWindow): Generator<RegExpExecArray> {
  if (!window) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      yield m;
      if (m[0].length === 0) pattern.lastIndex++;
    }
    return;
  }
  const { keyword, sticky, span } = window;
  // Keyword occurrences, every start position (overlapping ones too), in order.
  const starts: number[] = [];
  keyword.lastIndex = 0;
  for (let k = keyword.exec(text); k !== null; k = keyword.exec(text)) {
    starts.push(k.index);
    keyword.lastIndex = k.index + 1;
  }
  let from = 0;
  let next = 0;
  while (next < starts.length && from <= text.length) {
    // Skip occurrences whose window lies wholly before `from`.
    while (next < starts.length && starts[next] < from) next++;
    if (next >= starts.length) break;
    let found: RegExpExecArray | null = null;
    // The window of this occurrence `q`: a match starting at `p` reads `text[p..q)` with `[\w.\-]`, so `p` lies in
    // the run of such characters that ends at `q` (and at most `span` back). A position before that run can only
    // start a match through an earlier occurrence, whose window it is in. The windows' first positions grow with
    // `q`, so trying each window in turn still tries every feasible position in increasing order: the first match
    // found is the leftmost, as a search of the whole text finds it.
    const q = starts[next];
    let first = q;
    const floor = Math.max(from, q - span);
    while (first > floor && isPrefixChar(text.charCodeAt(first - 1))) first--;
    for (let p = first; p <= q && found === null; p++) {
      sticky.lastIndex = p;
      found = sticky.exec(text);
    }
    if (found === null) {
      from = q + 1;
      continue;
    }
    yield found;
    from = found.index + Math.max(found[0].length, 1);
  }
}

/** Is this UTF-16 code unit one of `[\w.\-]` (ASCII letters, digits, `_`, `.`, `-`: no `u` or `i` flag)? */
function isPrefixChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

function compileAllowlist(a: GitleaksAllowlist): CompiledAllowlist {
  return {
    regexes: (a.regexes ?? []).map(r => new RegExp(translateRe2(r))),
    target: (a.regexTarget as 'match' | 'line' | undefined) ?? 'secret',
    stopwords: (a.stopwords ?? []).map(s => s.toLowerCase()),
    and: a.condition === 'AND',
  };
}

/**
 * Which keywords occur in a (lower-cased) text, found in one pass: the keywords indexed by their first two
 * characters, tried with `startsWith` at each position whose pair starts one. Equivalent to `text.includes(k)` for
 * every keyword (a keyword occurs iff it starts somewhere), but a 30 KB backup script costs one walk over its
 * characters instead of one per keyword (about 240 of them: the prefilter was most of the policy pack's time).
 * Own code: a full Aho-Corasick automaton from a package would do the same for two-character-or-longer literals.
 */
export class KeywordIndex {
  /** Keywords by their first two UTF-16 code units (`first * 65536 + second`). */
  private readonly byPair = new Map<number, string[]>();
  /** The same lists for pairs of ASCII characters, by `first * 128 + second` (most text is ASCII): no hashing. */
  private readonly asciiPair: Array<string[] | undefined> = new Array(128 * 128).fill(undefined);

  /** Keywords of the lines seen (`presentLowerCased`), by line; cleared when its lines exceed `LINE_MEMO_CHARS`. */
  private readonly lines = new Map<string, string[]>();
  private lineChars = 0;

  constructor(keywords: readonly string[]) {
    for (const k of new Set(keywords)) {
      if (k.length < 2) throw new Error(`keyword ${JSON.stringify(k)} is shorter than two characters`);
      if (!/^[\x20-\x7e]+$/.test(k)) throw new Error(`keyword ${JSON.stringify(k)} is not printable ASCII (the index of lines relies on it)`);
      const [a, b] = [k.charCodeAt(0), k.charCodeAt(1)];
      const pair = a * 65536 + b;
      const list = this.byPair.get(pair);
      if (list) list.push(k);
      else this.byPair.set(pair, [k]);
      if (a < 128 && b < 128) this.asciiPair[a * 128 + b] = this.byPair.get(pair);
    }
  }

  /**
   * The keywords that occur in `text` lower-cased (`present(text.toLowerCase())`), a text of several lines taken line
   * by line with each line's keywords remembered: a script repeated per tenant differs from the others in a few
   * lines (the tenant's names), so most of its lines are looked up, not walked (491,233 lines of the reference
   * platform's long texts at N = 100, 7,691 distinct).
   *
   * Exact: no keyword holds a line break (the constructor refuses one), and lower-casing never makes one, so every
   * occurrence lies within one line; and lower-casing a text is lower-casing each line: the only context-dependent
   * mapping of `toLowerCase()` (a Greek capital sigma at the end of a word) looks past case-ignorable characters for
   * a cased letter and stops at anything else, a line break included; besides, no keyword holds a sigma (they are
   * printable ASCII, which the constructor checks).
   */
  public presentLowerCased(text: string): Set<string> {
    if (!text.includes('\n')) return this.present(text.toLowerCase());
    const found = new Set<string>();
    for (let start = 0; start <= text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      let keywords = this.lines.get(line);
      if (keywords === undefined) {
        keywords = [...this.present(line.toLowerCase())];
        if (line.length <= LINE_MEMO_LINE_LIMIT) {
          this.lineChars += line.length + 16;
          if (this.lineChars > LINE_MEMO_CHARS) {
            this.lines.clear();
            this.lineChars = line.length + 16;
          }
          this.lines.set(detach(line), keywords);
        }
      }
      for (let i = 0; i < keywords.length; i++) found.add(keywords[i]);
      start = end + 1;
    }
    return found;
  }

  /** The keywords that occur in `text`. */
  public present(text: string): Set<string> {
    const found = new Set<string>();
    for (let i = 0; i + 1 < text.length; i++) {
      const a = text.charCodeAt(i);
      const b = text.charCodeAt(i + 1);
      const candidates = a < 128 && b < 128 ? this.asciiPair[a * 128 + b] : this.byPair.get(a * 65536 + b);
      if (candidates === undefined) continue;
      for (let j = 0; j < candidates.length; j++) {
        const k = candidates[j];
        if (!found.has(k) && text.startsWith(k, i)) found.add(k);
      }
    }
    return found;
  }
}

/**
 * A copy of a string cut from a longer one, for keeping: V8 makes a slice of 13 characters or more a view that keeps
 * the whole text it was cut from alive, so a remembered line would keep its script. Prepending a character makes a
 * new string, flattened into a copy when sliced; the result refers to that copy only. (Memory only: equal either way.)
 * @internal
 */
export function detach(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** Lines longer than this are not remembered by `KeywordIndex.presentLowerCased` (a minified file's one line). */
const LINE_MEMO_LINE_LIMIT = 4096;
/** The characters of remembered lines at most (about 8 MB, with the map's overhead per line counted as 16). */
const LINE_MEMO_CHARS = 4_000_000;

let compiled: { rules: CompiledRule[]; global: CompiledAllowlist; keywords: KeywordIndex; rulesOf: Map<string, number[]> } | undefined;

/** The gitleaks rules as JavaScript, compiled once. */
function rules(): { rules: CompiledRule[]; global: CompiledAllowlist; keywords: KeywordIndex; rulesOf: Map<string, number[]> } {
  if (!compiled) {
    // Provider rules first, gitleaks' generic ones last: at one place the most specific rule names the finding.
    const ordered = [...GITLEAKS_RULES.filter(r => !r.id.startsWith('generic')), ...GITLEAKS_RULES.filter(r => r.id.startsWith('generic'))];
    const list = ordered.map(r => ({
      id: r.id,
      pattern: new RegExp(translateRe2(r.regex), 'g'),
      secretGroup: r.secretGroup ?? 0,
      entropy: r.entropy ?? 0,
      keywords: r.keywords.map(k => k.toLowerCase()),
      allowlists: (r.allowlists ?? []).map(compileAllowlist),
      generic: r.id.startsWith('generic'),
      window: keywordWindow(translateRe2(r.regex)),
    }));
    // The rules (their indexes) of each keyword.
    const rulesOf = new Map<string, number[]>();
    list.forEach((rule, i) => {
      for (const k of new Set(rule.keywords)) rulesOf.set(k, [...(rulesOf.get(k) ?? []), i]);
    });
    compiled = {
      rules: list,
      global: compileAllowlist(GITLEAKS_ALLOWLIST),
      keywords: new KeywordIndex(list.flatMap(r => r.keywords)),
      rulesOf,
    };
  }
  return compiled;
}

/** Ids of the gitleaks rules in use (for the report and the tests). */
export function gitleaksRuleIds(): string[] {
  return rules().rules.map(r => r.id);
}

/** Shannon entropy in bits per character (as gitleaks computes it). */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function allowed(lists: CompiledAllowlist[], secret: string, match: string, line: string): boolean {
  const lower = secret.toLowerCase();
  for (const a of lists) {
    const target = a.target === 'match' ? match : a.target === 'line' ? line : secret;
    const regex = a.regexes.some(r => r.test(target));
    const stop = a.stopwords.some(w => lower.includes(w));
    if (a.and) {
      const checks = [...(a.regexes.length > 0 ? [regex] : []), ...(a.stopwords.length > 0 ? [stop] : [])];
      if (checks.length > 0 && checks.every(x => x)) return true;
    } else if (regex || stop) {
      return true;
    }
  }
  return false;
}

function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end < 0 ? text.length : end);
}

// A password in a URL: `scheme://user:password@host`. Anchored on "://"; the scheme is checked separately.
const URL_CREDENTIALS = /:\/\/([^\s/:@'"`]+):([^\s/@'"`]+)@[^\s'"`]/g;

/**
 * Every piece of secret material in `text`, in text order, one finding per place (the first rule wins).
 * `allow` drops findings whose secret matches one of the patterns.
 */
export function detectSecrets(text: string, allow: readonly RegExp[] = []): SecretFinding[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  return detectSecretsWithKeywords(text, allow, rules().keywords.presentLowerCased(text));
}

/**
 * The keywords of one line (no line break in it), lower-cased: what `KeywordIndex.presentLowerCased` unites over a
 * text's lines. For a caller that goes through a text's lines anyway and remembers them (the policy pack's scanner).
 * @internal
 */
export function keywordsOfLine(line: string): string[] {
  return [...rules().keywords.present(line.toLowerCase())];
}

/**
 * `detectSecrets` with the keywords of the text given: `present` must be `presentLowerCased(text)`, e.g. the union of
 * `keywordsOfLine` over the text's lines (the same set: see `KeywordIndex.presentLowerCased`).
 * @internal
 */
export function detectSecretsWithKeywords(text: string, allow: readonly RegExp[], present: ReadonlySet<string>): SecretFinding[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const found = new Map<number, SecretFinding>();
  const add = (ruleId: string, offset: number, secret: string) => {
    if (!found.has(offset)) found.set(offset, { ruleId, offset, redacted: redactSecret(secret) });
  };

  const r = rules();
  // The keyword prefilter, as gitleaks': a rule runs only when one of its keywords occurs in the lower-cased text.
  // (Before: a regular expression of all keywords first, then `present`; `present` being empty is the same test.)
  if (present.size > 0) {
    // The rules with a keyword present, marked from the keywords (a few) rather than asked of each of the ~220 rules;
    // then run in the rules' order, as before.
    const runs = new Uint8Array(r.rules.length);
    for (const k of present) for (const i of r.rulesOf.get(k) ?? []) runs[i] = 1;
    for (let i = 0; i < r.rules.length; i++) {
      const rule = r.rules[i];
      if (rule.keywords.length > 0 && runs[i] === 0) continue;
      for (const m of patternMatches(rule.pattern, text, rule.window)) {
        if (m[0].length === 0) continue;
        let secret = m[0];
        if (rule.secretGroup > 0) secret = m[rule.secretGroup] ?? '';
        else if (m.length >= 2) secret = m.slice(1).find(g => g !== undefined && g.length > 0) ?? m[0];
        if (rule.entropy > 0 && shannonEntropy(secret) <= rule.entropy) continue;
        const line = lineAt(text, m.index);
        if (allowed([r.global], secret, m[0], line) || allowed(rule.allowlists, secret, m[0], line)) continue;
        if (allow.some(a => a.test(secret))) continue;
        // Project allowlist on top of gitleaks' generic rules only: templates, references, paths and digests
        // (`isSafeValue`) are what this project writes next to secret-sounding names.
        if (rule.generic && isSafeValue(secret.replace(/^["'`]|["'`]$/g, ''))) continue;
        add(rule.id, m.index + Math.max(0, m[0].indexOf(secret)), secret);
      }
    }
  }

  if (text.includes('://')) {
    URL_CREDENTIALS.lastIndex = 0;
    for (let m = URL_CREDENTIALS.exec(text); m !== null; m = URL_CREDENTIALS.exec(text)) {
      if (!/(?:^|[^a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*$/.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
      const password = m[2];
      // In a URL any password is a credential (even `~` or `3.1`); only templates and the allow-list pass.
      if (/[%$<{]/.test(password) || allow.some(a => a.test(password))) continue;
      add('url-credentials', m.index + m[0].indexOf(password, 3 + m[1].length), password);
    }
  }
  return [...found.values()].sort((a, b) => a.offset - b.offset || a.ruleId.localeCompare(b.ruleId));
}

// ---------------------------------------------------------------------------------------------------------------
// Values whose name is known.

/** Value names that hold secrets (`password`, `db_password`, `apiKey`, `client-secret`, `token`, ...). */
export const SECRET_FIELD = /(?:^|[^a-z])(?:password|passwd|pwd|passphrase|secret|token|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|private[-_]?key|client[-_]?secret|credentials?|auth[-_]?key|jwt)$|(?:password|passwd|passphrase|secret|token|apikey|api_key|accesskey|secretkey|privatekey|clientsecret|jwt)$/i;
/** Value names that look secret-ish but hold settings, names or paths, never secret values. */
export const SETTING_FIELD = /(?:file|path|ref|name|names|type|ttl|period|policies|policy|version|versions|length|id|kind|mount|endpoint|url|uri|template|key_?id|audience|selector|volume|timeout|count|role|roles|accessor|mode|format|header|prefix|suffix)$/i;

const PLACEHOLDER = /\{\{|\}\}|\$\{|\$\(|%\{|^\$[A-Za-z_]|%s|^<[^>]*>$|^\*+$|redacted|^\(sensitive|^xxx+$/i;
// Settings that only look like values of secret fields (`id-token: write` in a workflow's permissions).
const SCALAR_SAFE = /^(?:true|false|yes|no|on|off|null|~|-?\d+(?:\.\d+)?|read|write|none|required|optional|enabled|disabled|auto|default)$/i;
const PATHLIKE = /^(?:\/|\.\/|~\/|[a-z0-9_.-]+(?:\/[a-z0-9_.+-]+)+\/?$)/;
const DIGEST = /(?:sha256|sha512|sha1|md5)[:=-][0-9a-f]{32,128}|@sha256:[0-9a-f]{64}|\b\d+\.\d+\.\d+-[0-9a-f]{6,64}\b/gi;

/** Does `value` look like a random token (long, token alphabet, mixed classes, high entropy)? */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || value.length > 4096 || /\s/.test(value)) return false;
  if (!/^[A-Za-z0-9+/=_\-.~:]+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter(r => r.test(value)).length;
  const hex = /^[0-9a-f]+$/i.test(value);
  if (hex) return value.length >= 32 && shannonEntropy(value) >= 3.0;
  return classes >= 2 && shannonEntropy(value) >= (value.length >= 32 ? 4.0 : 3.5);
}

/** Is this value a reference, template, placeholder, path or plain setting rather than a secret? */
export function isSafeValue(value: string, allow: readonly RegExp[] = []): boolean {
  const v = value.trim();
  if (v === '' || SCALAR_SAFE.test(v)) return true;
  if (PLACEHOLDER.test(v)) return true;
  if (PATHLIKE.test(v)) return true;
  if (v.replace(DIGEST, '').trim() === '') return true;
  return allow.some(a => a.test(v));
}

/**
 * Secret material in one named value: the rules over the value alone and as `name: "value"` (rules that need the
 * name, e.g. gitleaks' generic API key), and `secret-field-literal` when the name says secret and the value is a
 * literal (not a reference, template, placeholder, path or plain setting).
 */
export function detectSecretsInValue(name: string, value: string, allow: readonly RegExp[] = []): SecretFinding[] {
  if (typeof value !== 'string' || value === '') return [];
  const found = detectSecrets(value, allow);
  if (found.length > 0) return found;
  const prefix = `${name}: `;
  const named = detectSecrets(`${prefix}${JSON.stringify(value)}`, allow)
    .filter(f => f.offset >= prefix.length)
    .map(f => ({ ...f, offset: Math.max(0, f.offset - prefix.length - 1) }));
  if (named.length > 0) return named;
  const last = name.split(/[./]/).pop() ?? name;
  if (SECRET_FIELD.test(last) && !SETTING_FIELD.test(last) && !isSafeValue(value, allow)) {
    return [{ ruleId: 'secret-field-literal', offset: 0, redacted: redactSecret(value) }];
  }
  return [];
}

// The oracle of identity: the parts of src/model/secret-detector.ts that the cheaper secret scan replaced, exactly as
// they were at commit 8560644 (the keyword prefilter `KeywordIndex`, the windowed search `patternMatches`, the rule
// selection of `rules()`/`detectSecrets`, and `detectSecretsInValue` over them). What that change left alone (the RE2
// translation, the windows' shape, redaction, entropy, the value classes) is imported from the library, so that a
// deliberate change there needs no copy here. test/policy/secret-scan-identity.test.ts compares the library with it;
// bench/secret-scan.ts times it as "before". Never edit it to follow a change of the library.
import { GITLEAKS_ALLOWLIST, GITLEAKS_RULES, GitleaksAllowlist } from '../../../src/model/gitleaks-rules';
import {
  isSafeValue, keywordWindow, redactSecret, SECRET_FIELD, SecretFinding, SETTING_FIELD, shannonEntropy, translateRe2,
} from '../../../src/model/secret-detector';

type KeywordWindow = NonNullable<ReturnType<typeof keywordWindow>>;

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
    const first = Math.max(from, starts[next] - span);
    for (let p = first; p <= starts[next] && found === null; p++) {
      sticky.lastIndex = p;
      found = sticky.exec(text);
    }
    if (found === null) {
      from = starts[next] + 1;
      continue;
    }
    yield found;
    from = found.index + Math.max(found[0].length, 1);
  }
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

  constructor(keywords: readonly string[]) {
    for (const k of new Set(keywords)) {
      if (k.length < 2) throw new Error(`keyword ${JSON.stringify(k)} is shorter than two characters`);
      const [a, b] = [k.charCodeAt(0), k.charCodeAt(1)];
      const pair = a * 65536 + b;
      const list = this.byPair.get(pair);
      if (list) list.push(k);
      else this.byPair.set(pair, [k]);
      if (a < 128 && b < 128) this.asciiPair[a * 128 + b] = this.byPair.get(pair);
    }
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

let compiled: { rules: CompiledRule[]; global: CompiledAllowlist; anyKeyword: RegExp; keywords: KeywordIndex } | undefined;

/** The gitleaks rules as JavaScript, compiled once. */
function rules(): { rules: CompiledRule[]; global: CompiledAllowlist; anyKeyword: RegExp; keywords: KeywordIndex } {
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
    const keywords = [...new Set(list.flatMap(r => r.keywords))].map(k => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    compiled = {
      rules: list,
      global: compileAllowlist(GITLEAKS_ALLOWLIST),
      anyKeyword: new RegExp(keywords.join('|')),
      keywords: new KeywordIndex(list.flatMap(r => r.keywords)),
    };
  }
  return compiled;
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
  const found = new Map<number, SecretFinding>();
  const add = (ruleId: string, offset: number, secret: string) => {
    if (!found.has(offset)) found.set(offset, { ruleId, offset, redacted: redactSecret(secret) });
  };

  const r = rules();
  const lower = text.toLowerCase();
  if (r.anyKeyword.test(lower)) {
    const present = r.keywords.present(lower);
    for (const rule of r.rules) {
      if (rule.keywords.length > 0 && !rule.keywords.some(k => present.has(k))) continue;
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

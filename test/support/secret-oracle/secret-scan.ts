// The oracle of identity: `SecretScanner` of src/policy/secret-scan.ts exactly as it was at commit 8560644, before the
// secret scan was made cheaper, over the oracle's detector; its types and the value classes it uses, which that change
// left alone, come from the library (test/policy/secret-scan-identity.test.ts compares the library with it;
// bench/secret-scan.ts times it as "before"). Never edit it to follow a change of the library.
import { detectSecrets } from './secret-detector';
import { isSafeValue, looksRandom, redactSecret, SECRET_FIELD, SETTING_FIELD } from '../../../src/model/secret-detector';
import { SecretKind, SecretMatch, SecretScanOptions } from '../../../src/policy/secret-scan';

export { SecretKind };
export type { SecretMatch, SecretScanOptions };

/** Field names of keys: only a random-looking value counts there (`key: app.kubernetes.io/name` does not). */
const KEY_FIELD = /key$/i;

/** The kind of a detector rule. */
function kindOf(ruleId: string): SecretKind {
  if (ruleId === 'private-key') return SecretKind.PRIVATE_KEY;
  if (ruleId === 'url-credentials') return SecretKind.URL_CREDENTIALS;
  if (ruleId === 'aws-access-token') return SecretKind.AWS_ACCESS_KEY;
  if (ruleId.startsWith('vault-')) return SecretKind.VAULT_TOKEN;
  if (ruleId.startsWith('github-')) return SecretKind.GITHUB_TOKEN;
  if (ruleId === 'jwt' || ruleId === 'jwt-base64') return SecretKind.JWT;
  if (ruleId === 'generic-api-key') return SecretKind.HIGH_ENTROPY;
  return SecretKind.PROVIDER_TOKEN;
}

/** A cheap test for the key/value pass: the text names something secret-ish. */
const ANY_HINT = /pass|pwd|secret|token|key|credential|jwt|auth/i;

/** Lines worth trying the key/value patterns on: they name something secret-ish. */
const PAIR_HINT = /pass|pwd|secret|token|key|credential|jwt|auth/gi;

/** `"key": "value"` (JSON), `key = "value"` (HCL), `key: value` (YAML), `KEY=value` (shell, env files). */
const PAIRS: RegExp[] = [
  /"([A-Za-z0-9_.\-/]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g,
  /(?<![A-Za-z0-9_"])([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g,
  /^[ \t]*(?:-[ \t]+)?([A-Za-z0-9_.\-/]+)[ \t]*:[ \t]+(?![|>&*!{[#])('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s#][^#\n]*?)[ \t]*(?:#.*)?$/gm,
  /(?:^|[\s;])(?:export[ \t]+)?([A-Z][A-Z0-9_]*)=('[^'\n]*'|"[^"\n]*"|[^\s;'"`$][^\s;'"`]*)/gm,
];

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith('\'') && v.endsWith('\'')))) {
    return v.slice(1, -1).replace(/\\"/g, '"').replace(/''/g, '\'');
  }
  return v;
}

/** Line and column (1-based) of an offset. */
function position(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/**
 * Scan a text for secret material. Deterministic: matches come in text order. Never returns the secret itself.
 */
export class SecretScanner {
  /** Scan with the default allow-list. */
  public static scanText(text: string, options: SecretScanOptions = {}): SecretMatch[] {
    return new SecretScanner(options).scan(text);
  }

  private readonly allow: RegExp[];

  constructor(options: SecretScanOptions = {}) {
    this.allow = (options.allowPatterns ?? []).map(p => new RegExp(p));
  }

  /** Every piece of secret material in `text`, in text order. */
  public scan(text: string): SecretMatch[] {
    if (typeof text !== 'string' || text.length === 0) return [];
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const found = new Map<number, SecretMatch & { offset: number }>();
    const add = (kind: SecretKind, ruleId: string, offset: number, redacted: string, key?: string) => {
      // One match per place: the first (most specific) detector wins; a key found later names it.
      const existing = found.get(offset);
      if (existing) {
        if (key !== undefined && existing.key === undefined) found.set(offset, { ...existing, key });
        return;
      }
      found.set(offset, { kind, ruleId, ...position(lineStarts, offset), ...(key !== undefined ? { key } : {}), redacted, offset });
    };

    for (const f of detectSecrets(text, this.allow)) add(kindOf(f.ruleId), f.ruleId, f.offset, f.redacted);
    if (!ANY_HINT.test(text)) return this.sorted(found);

    // Key/value patterns run line by line, only on lines that name something secret-ish.
    const lines: Array<{ start: number; text: string }> = [];
    let lastLine = -1;
    PAIR_HINT.lastIndex = 0;
    for (let h = PAIR_HINT.exec(text); h !== null; h = PAIR_HINT.exec(text)) {
      const i = position(lineStarts, h.index).line - 1;
      if (i === lastLine) continue;
      lastLine = i;
      const end = i + 1 < lineStarts.length ? lineStarts[i + 1] - 1 : text.length;
      lines.push({ start: lineStarts[i], text: text.slice(lineStarts[i], end) });
      PAIR_HINT.lastIndex = end;
    }
    for (const pairs of PAIRS) {
      for (const line of lines) {
        pairs.lastIndex = 0;
        for (let m = pairs.exec(line.text); m !== null; m = pairs.exec(line.text)) {
          const key = m[1];
          const raw = m[2];
          const value = unquote(raw);
          const last = key.split(/[./]/).pop() ?? key;
          if (SETTING_FIELD.test(last) || value.length === 0 || isSafeValue(value, this.allow)) continue;
          const offset = line.start + m.index + m[0].lastIndexOf(raw);
          if (SECRET_FIELD.test(last)) {
            const kind = looksRandom(value) ? SecretKind.HIGH_ENTROPY : SecretKind.PASSWORD_LITERAL;
            add(kind, kind, offset, redactSecret(value), key);
          } else if (KEY_FIELD.test(last) && looksRandom(value)) {
            add(SecretKind.HIGH_ENTROPY, SecretKind.HIGH_ENTROPY, offset, redactSecret(value), key);
          }
        }
      }
    }
    return this.sorted(found);
  }

  private sorted(found: Map<number, SecretMatch & { offset: number }>): SecretMatch[] {
    return [...found.values()]
      .sort((a, b) => a.offset - b.offset || a.kind.localeCompare(b.kind))
      .map(({ offset: _offset, ...match }) => match);
  }
}

/**
 * The secret-leak guard (no secret value is ever written into synthesized output; docs/policies.md K42–K44, V05, V14,
 * B13). Scans any output text — manifests, Terraform JSON, workflows, charts, scripts — for secret material.
 *
 * What it finds: private keys (PEM), credentials in URLs (`postgres://user:pass@`), AWS access keys, Vault tokens,
 * GitHub tokens, JWTs, non-empty literal values of password/token/secret/key fields, and high-entropy strings in
 * fields named like secret, token, password or key.
 *
 * What it lets through (allow-list): references and templates (`{{username}}`, `{{ .Data.password }}`,
 * `${var.x}`, `$VAR`, `%s`, `<placeholder>`), sha256 digests (image references, chart version digests, checksums),
 * file paths and Vault paths (`/vault/secrets/pgpass`, `database-prod/creds/acme-db`), booleans and numbers.
 */

import { isSafeValue, looksRandom } from './secret-patterns';

/** What kind of secret material a match is. */
export enum SecretKind {
  /** A PEM private key block. */
  PRIVATE_KEY = 'private-key',
  /** `scheme://user:password@host`. */
  URL_CREDENTIALS = 'url-credentials',
  /** An AWS access key id (`AKIA…`, `ASIA…`). */
  AWS_ACCESS_KEY = 'aws-access-key',
  /** A Vault token (`hvs.…`, `hvb.…`, `hvr.…`, legacy `s.` + 24 characters). */
  VAULT_TOKEN = 'vault-token',
  /** A GitHub token (`ghp_…`, `gho_…`, `ghs_…`, `ghu_…`, `ghr_…`, `github_pat_…`). */
  GITHUB_TOKEN = 'github-token',
  /** A JSON Web Token (`eyJ….eyJ….…`). */
  JWT = 'jwt',
  /** A non-empty literal in a password/token/secret/key field (`password: hunter2`, `"password": "x"`). */
  PASSWORD_LITERAL = 'password-literal',
  /** A high-entropy string in a field named like secret, token, password or key. */
  HIGH_ENTROPY = 'high-entropy',
}

/** One piece of secret material found in a text. */
export interface SecretMatch {
  /** What it is. */
  readonly kind: SecretKind;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /**
   * The field (key) the value was found in.
   * @default - not in a key/value pair
   */
  readonly key?: string;
  /** The match, redacted: its first characters and its length, never the whole secret. */
  readonly redacted: string;
}

/** Options of a scan. */
export interface SecretScanOptions {
  /**
   * Extra regular expressions (JavaScript source) of values known to be safe; a match whose value matches one is
   * dropped.
   * @default - none
   */
  readonly allowPatterns?: string[];
}

/** Field names that hold secrets (`password`, `db_password`, `apiKey`, `client-secret`, `token`, ...). */
const SECRET_FIELD = /(?:^|[^a-z])(?:password|passwd|pwd|passphrase|secret|token|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|private[-_]?key|client[-_]?secret|credentials?|auth[-_]?key|jwt)$|(?:password|passwd|passphrase|secret|token|apikey|api_key|accesskey|secretkey|privatekey|clientsecret|jwt)$/i;
/** Field names of keys: only a random-looking value counts there (`key: app.kubernetes.io/name` does not). */
const KEY_FIELD = /key$/i;
/** Field names that look secret-ish but hold settings, names or paths, never secret values. */
const SETTING_FIELD = /(?:file|path|ref|name|names|type|ttl|period|policies|policy|version|versions|length|id|kind|mount|endpoint|url|uri|template|key_?id|audience|selector|volume|timeout|count|role|roles|accessor|mode|format|header|prefix|suffix)$/i;

interface Detector {
  readonly kind: SecretKind;
  readonly pattern: RegExp;
  /** Group holding the secret part, to check against placeholders; 0 for the whole match. */
  readonly group: number;
  /** Substrings one of which a text must contain for the pattern to be tried (a cheap prefilter). */
  readonly hints: string[];
}

const DETECTORS: Detector[] = [
  { kind: SecretKind.PRIVATE_KEY, pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g, group: 0, hints: ['PRIVATE KEY'] },
  // Anchored on "://" (fast); the scheme before it is checked separately.
  { kind: SecretKind.URL_CREDENTIALS, pattern: /:\/\/([^\s/:@'"`]+):([^\s/@'"`]+)@[^\s'"`]/g, group: 2, hints: ['://'] },
  { kind: SecretKind.AWS_ACCESS_KEY, pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g, group: 0, hints: ['AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA'] },
  { kind: SecretKind.VAULT_TOKEN, pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g, group: 0, hints: ['hvs.', 'hvb.', 'hvr.'] },
  { kind: SecretKind.VAULT_TOKEN, pattern: /(?<![A-Za-z0-9_.-])s\.[A-Za-z0-9]{24}(?![A-Za-z0-9_])/g, group: 0, hints: ['s.'] },
  { kind: SecretKind.GITHUB_TOKEN, pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, group: 0, hints: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] },
  { kind: SecretKind.JWT, pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, group: 0, hints: ['eyJ'] },
];

/** A superset of every hint: most values (labels, names, numbers) contain none and are skipped at once. */
const ANY_HINT = /PRIVATE KEY|:\/\/|A[KSGIRNP][IPDOA][AP]|hv[sbr]\.|s\.|gh[pousr]_|github_pat_|eyJ|pass|pwd|secret|token|key|credential|jwt|auth/i;

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

function redact(value: string): string {
  // Only long values show a prefix (`ghp_`, `AKIA`, `-----BEGIN` say what it is, not what it holds).
  const head = value.length >= 20 ? value.slice(0, 4) : '';
  return `${head}…(${value.length} chars)`;
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
    if (typeof text !== 'string' || text.length === 0 || !ANY_HINT.test(text)) return [];
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const found = new Map<number, SecretMatch & { offset: number }>();
    const add = (kind: SecretKind, offset: number, value: string, key?: string) => {
      // One match per place: the first (most specific) detector wins.
      if (found.has(offset)) return;
      found.set(offset, { kind, ...position(lineStarts, offset), ...(key !== undefined ? { key } : {}), redacted: redact(value), offset });
    };

    for (const d of DETECTORS) {
      if (!d.hints.some(h => text.includes(h))) continue;
      d.pattern.lastIndex = 0;
      for (let m = d.pattern.exec(text); m !== null; m = d.pattern.exec(text)) {
        const part = m[d.group] ?? m[0];
        if (d.kind === SecretKind.URL_CREDENTIALS) {
          if (!/(?:^|[^a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*$/.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
          // In a URL any password is a credential (even `~` or `3.1`); only templates and the allow-list pass.
          if (this.allow.some(a => a.test(part)) || /[%$<{]/.test(part)) continue;
        }
        if (d.kind !== SecretKind.URL_CREDENTIALS && d.kind !== SecretKind.PRIVATE_KEY && this.allow.some(a => a.test(m![0]))) continue;
        if (d.kind === SecretKind.VAULT_TOKEN && m[0].startsWith('s.') && !looksRandom(m[0].slice(2))) continue;
        add(d.kind, m.index + (d.group > 0 ? m[0].indexOf(part) : 0), part);
      }
    }

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
            add(looksRandom(value) ? SecretKind.HIGH_ENTROPY : SecretKind.PASSWORD_LITERAL, offset, value, key);
          } else if (KEY_FIELD.test(last) && looksRandom(value)) {
            add(SecretKind.HIGH_ENTROPY, offset, value, key);
          }
        }
      }
    }
    return [...found.values()]
      .sort((a, b) => a.offset - b.offset || a.kind.localeCompare(b.kind))
      .map(({ offset: _offset, ...match }) => match);
  }
}

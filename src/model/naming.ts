import { createHash } from 'crypto';

/** Kubernetes and Terraform name limits that derived names are checked against after composition (B02). */
export const NAME_LIMITS = {
  namespace: 63,
  label: 63,
  cronJob: 52,
  helmRelease: 53,
  service: 63,
  postgresIdentifierBytes: 63,
  terraformWorkspace: 90,
  previewSlug: 30,
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const HASH_LENGTH = 6;

/** Is `text` a DNS-1123 label (lowercase alphanumerics and `-`, 1–63 chars, alphanumeric at both ends)? */
export function isDnsLabel(text: unknown, maxLength: number = 63): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= maxLength && DNS_LABEL.test(text);
}

/** Is `text` a DNS-1035 label (as DNS-1123, but starting with a letter: Service names)? */
export function isDns1035Label(text: unknown): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= 63 && DNS_1035_LABEL.test(text);
}

/** A short, stable hex digest used to keep truncated or sanitized names unique. */
export function shortHash(input: string, length: number = HASH_LENGTH): string {
  return createHash('sha256').update(input, 'utf8').digest('hex').slice(0, length);
}

/**
 * Join DNS-label parts with `-`; if the result is longer than `maxLength`, keep a prefix and append
 * `-<sha256[0:6]>` of the full name. Deterministic: the same parts always give the same name, and
 * two different long names give different results unless their hashes collide (detected by callers).
 */
export function composeName(parts: readonly string[], maxLength: number): string {
  const full = parts.filter(p => p.length > 0).join('-');
  if (full.length <= maxLength) return full;
  const suffix = `-${shortHash(full)}`;
  const head = full.slice(0, maxLength - suffix.length).replace(/-+$/, '');
  return `${head}${suffix}`;
}

/**
 * Longest environment name for which the names of one tenant (and module) differ between two environments in the
 * environment part only (issue 16: staging and production must pair name for name). `environmentScopedName` fits
 * the part of a name that is not the environment into the limit minus this many characters, so whether and how it
 * is shortened does not depend on the environment. Longer environment names (long previews) still get valid names,
 * shortened as a whole.
 */
export const STABLE_ENVIRONMENT_NAME_LENGTH = 15;

/**
 * A name of the environment `env` and other parts: `pieces` are the texts between the places of the environment
 * name (`['', '-acme']` gives `<env>-acme`; `['vault-', '-acme']` gives `vault-<env>-acme`; one piece: no
 * environment). If the pieces are longer than `maxLength` minus `STABLE_ENVIRONMENT_NAME_LENGTH` per place, they
 * are cut from the end and get `-<sha256[0:6]>` of the pieces, the same in every environment. A name still over the
 * limit (an environment name longer than STABLE_ENVIRONMENT_NAME_LENGTH) is shortened as a whole by `composeName`.
 * A name that fits and needs no cutting is the pieces joined with the environment, as `composeName` joins it.
 */
export function environmentScopedName(env: string, pieces: readonly string[], maxLength: number): string {
  const places = pieces.length - 1;
  const budget = maxLength - places * STABLE_ENVIRONMENT_NAME_LENGTH;
  const fitted = [...pieces];
  const length = pieces.reduce((n, p) => n + p.length, 0);
  if (length > budget) {
    const suffix = `-${shortHash(pieces.join('\u0000'))}`;
    let cut = length + suffix.length - budget;
    for (let i = fitted.length - 1; i >= 0 && cut > 0; i--) {
      const keep = Math.max(0, fitted[i].length - cut);
      cut -= fitted[i].length - keep;
      fitted[i] = fitted[i].slice(0, keep);
    }
    const last = fitted.length - 1;
    fitted[last] = `${fitted[last].replace(/-+$/, '')}${suffix}`;
  }
  const name = fitted.join(env);
  return name.length <= maxLength ? name : composeName([name], maxLength);
}

/**
 * Turn any string (a git branch name, say) into a DNS-1123 label of at most `maxLength` chars.
 *
 * Lowercases, maps every run of other characters to `-` and trims dashes. Whenever that changes the
 * input (or it must be truncated), a hash of the ORIGINAL text is appended, so `feature/a_b` and
 * `feature/a-b` never share a name. `feature/JIRA-123_Add Billing!!` gives `feature-jira-123-add-billing-<hash>`.
 */
export function slugify(raw: string, maxLength: number = NAME_LIMITS.previewSlug): string {
  const ascii = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let slug = ascii.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > 0 && slug === raw && slug.length <= maxLength) return slug;
  const suffix = `-${shortHash(raw)}`;
  if (slug.length === 0) slug = 'x';
  slug = slug.slice(0, maxLength - suffix.length).replace(/-+$/, '');
  return `${slug}${suffix}`;
}

/** Label values: ≤ 63 chars, alphanumeric at both ends, `-_.` inside (or empty). */
export function isLabelValue(text: unknown): boolean {
  return typeof text === 'string' && (text === '' || (text.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(text)));
}

/** Terraform Cloud workspace names: letters, digits, `-` and `_`, at most 90 chars. */
export function isWorkspaceName(text: unknown): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= NAME_LIMITS.terraformWorkspace && /^[A-Za-z0-9_-]+$/.test(text);
}

/** The reason a tenant/environment id is not a DNS label, for error messages. */
export function dnsLabelProblem(text: unknown, maxLength: number = 63): string | undefined {
  if (typeof text !== 'string') return 'is not a string';
  if (text.length === 0) return 'is empty';
  if (text.length > maxLength) return `is longer than ${maxLength} characters`;
  if (/[A-Z]/.test(text)) return 'contains uppercase letters';
  if (/[^\x00-\x7f]/.test(text)) return 'contains non-ASCII characters';
  if (/_/.test(text)) return 'contains "_"';
  if (/\./.test(text)) return 'contains "."';
  if (/^-|-$/.test(text)) return 'starts or ends with "-"';
  if (!DNS_LABEL.test(text)) return 'is not a DNS-1123 label';
  return undefined;
}

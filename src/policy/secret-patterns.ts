/**
 * Value classification for the secret scan: what counts as random, and what is safe by construction. Internal.
 */

const PLACEHOLDER = /\{\{|\}\}|\$\{|\$\(|%\{|^\$[A-Za-z_]|%s|^<[^>]*>$|^\*+$|redacted|^\(sensitive|^xxx+$/i;
// Settings that only look like values of secret fields (`id-token: write` in a workflow's permissions).
const SCALAR_SAFE = /^(?:true|false|yes|no|on|off|null|~|-?\d+(?:\.\d+)?|read|write|none|required|optional|enabled|disabled|auto|default)$/i;
const PATHLIKE = /^(?:\/|\.\/|~\/|[a-z0-9_.-]+(?:\/[a-z0-9_.+-]+)+\/?$)/;
const DIGEST = /(?:sha256|sha512|sha1|md5)[:=-][0-9a-f]{32,128}|@sha256:[0-9a-f]{64}|\b\d+\.\d+\.\d+-[0-9a-f]{6,64}\b/gi;

/** Shannon entropy in bits per character. */
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
export function isSafeValue(value: string, allow: RegExp[] = []): boolean {
  const v = value.trim();
  if (v === '' || SCALAR_SAFE.test(v)) return true;
  if (PLACEHOLDER.test(v)) return true;
  if (PATHLIKE.test(v)) return true;
  if (v.replace(DIGEST, '').trim() === '') return true;
  return allow.some(a => a.test(v));
}

/**
 * A small evaluator of Vault ACL policies, for tests: does a token with these policies get a capability on a path?
 *
 * Written here because no maintained JavaScript library evaluates Vault policies; it follows Vault's documented
 * semantics (https://developer.hashicorp.com/vault/docs/concepts/policies, "Policy syntax" and "Priority matching"):
 *
 * - a path rule is exact (`secret/foo`), a prefix glob when it ends in `*` (`secret/foo*` matches `secret/foo/bar`
 *   and `secret/food`), and `+` stands for exactly one path segment (`secret/+/bar`);
 * - a token's policies are merged into one ACL: rules for the same path pattern union their capabilities, and `deny`
 *   on a pattern wins over every other capability on that pattern;
 * - of the patterns that match a request path, only the one with the highest priority applies (no union across
 *   patterns): P1 is lower priority than P2 if (1) P1's first `+` or `*` comes earlier, (2) P1 ends in `*` and P2
 *   does not, (3) P1 has more `+` segments, (4) P1 is shorter, (5) P1 sorts lexicographically before P2;
 * - no matching pattern: denied.
 */
import { parseVaultPolicy } from '../../src/policy/vault-hcl';

/** The merged ACL of a token: capabilities by path pattern. */
export type VaultAcl = Map<string, Set<string>>;

/** Merge policy texts (HCL as written into `vault_policy.policy`) into one ACL, as Vault does for a token. */
export function mergePolicies(texts: readonly string[]): VaultAcl {
  const acl: VaultAcl = new Map();
  for (const text of texts) {
    const parsed = parseVaultPolicy(text);
    if (parsed.errors.length > 0) throw new Error(`policy does not parse: ${parsed.errors.join('; ')}`);
    for (const p of parsed.paths) {
      const caps = acl.get(p.path) ?? new Set<string>();
      for (const c of p.capabilities) caps.add(c);
      acl.set(p.path, caps);
    }
  }
  for (const [pattern, caps] of acl) if (caps.has('deny')) acl.set(pattern, new Set(['deny']));
  return acl;
}

/** Does `pattern` (exact, `*` suffix glob, `+` segments) match `path`? */
export function patternMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const source = body.split('/').map(seg => (seg === '+' ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${source}${glob ? '.*' : ''}$`).test(path);
}

function firstWildcard(pattern: string): number {
  const i = pattern.search(/[+*]/);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

/** Negative when `a` has lower priority than `b`, per Vault's priority matching. */
export function comparePriority(a: string, b: string): number {
  const wa = firstWildcard(a);
  const wb = firstWildcard(b);
  if (wa !== wb) return wa < wb ? -1 : 1;
  const ga = a.endsWith('*');
  const gb = b.endsWith('*');
  if (ga !== gb) return ga ? -1 : 1;
  const pa = a.split('/').filter(s => s === '+').length;
  const pb = b.split('/').filter(s => s === '+').length;
  if (pa !== pb) return pa > pb ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pattern that decides `path`, or undefined when none matches. */
export function decidingPattern(acl: VaultAcl, path: string): string | undefined {
  let best: string | undefined;
  for (const pattern of acl.keys()) {
    if (!patternMatches(pattern, path)) continue;
    if (best === undefined || comparePriority(pattern, best) > 0) best = pattern;
  }
  return best;
}

/** Is `capability` granted on `path`? */
export function allows(acl: VaultAcl, path: string, capability: string = 'read'): boolean {
  const pattern = decidingPattern(acl, path);
  if (pattern === undefined) return false;
  const caps = acl.get(pattern)!;
  return !caps.has('deny') && caps.has(capability);
}

/** A value list of `allowed_parameters` / `denied_parameters`: a value matches an entry exactly or by a `*` suffix glob. */
function valueListed(list: readonly string[], value: string): boolean {
  return list.some(v => (v.endsWith('*') ? value.startsWith(v.slice(0, -1)) : v === value));
}

/**
 * May a request set these parameters on `path`, under the `allowed_parameters` and `denied_parameters` of the pattern
 * that decides the path (Vault's "Parameter constraints")? Denied parameters win: one listed with no values is
 * refused whatever its value, else when any of its values is listed. With `allowed_parameters`, a parameter must be
 * named (or `*` be present), and when its list has values every value of the request must be in it. Parameters are
 * lists of strings here (a list parameter such as `token_policies` is checked element by element, as Vault does).
 */
export function parametersAllowed(texts: readonly string[], path: string, parameters: { [name: string]: string[] }): boolean {
  const rules = texts.flatMap(t => parseVaultPolicy(t).paths);
  const acl = mergePolicies(texts);
  const pattern = decidingPattern(acl, path);
  if (pattern === undefined) return false;
  const block = rules.find(r => r.path === pattern)!;
  const allowed = block.attributes.allowed_parameters as { [name: string]: string[] } | undefined;
  const denied = block.attributes.denied_parameters as { [name: string]: string[] } | undefined;
  for (const [name, values] of Object.entries(parameters)) {
    for (const d of [denied?.[name], denied?.['*']]) {
      if (d !== undefined && (d.length === 0 || values.some(v => valueListed(d, v)))) return false;
    }
    if (allowed === undefined) continue;
    const list = allowed[name];
    if (list === undefined) {
      if (allowed['*'] === undefined) return false;
      continue;
    }
    if (list.length > 0 && !values.every(v => valueListed(list, v))) return false;
  }
  return true;
}

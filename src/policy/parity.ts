/**
 * Environment parity (spec §1 "Environment Parity – staging mirrors production"; B11): compare the synthesized output
 * of two environments structurally, with an explicit allow-list of intended differences, and fail on anything else.
 *
 * Both environments are normalized first: the environment name becomes `<env>` and every tenant id `<tenant>` (as
 * whole tokens), so `staging-acme` and `prod-acme` are both `<env>-<tenant>`. Kubernetes documents are keyed by
 * `<Kind>/<namespace>/<name>` after normalization, Terraform resources by `<type>/<construct path below the stack>`.
 * Tenants collapse: identical tenants give one variant, so the comparison does not depend on which or how many
 * tenants each environment has — only on what a tenant looks like there.
 */
import * as crypto from 'crypto';
import { contentsOf, KubernetesDocument, PolicyInputContents, TerraformStackDocument } from './contents';
import { tenantListDigest } from './fragment';
import { PolicyInput } from './input';
import { formatProblem, LifecycleValidationError, show } from '../model/problems';
import { detach, detectSecrets } from '../model/secret-detector';
import { TENANT_DATA_RESOURCE_TYPES } from '../model/tenant-protection';

/** An intended difference between two environments. */
export interface ParityAllowance {
  /**
   * Where, as `<key>:<field path>`, with `*` for any characters, e.g. `ResourceQuota/*:spec.hard*` or
   * `tf:vault_kv_secret_backend_v2/*:max_versions`. Keys are `<Kind>/<namespace>/<name>` and `tf:<type>/<path>`.
   */
  readonly path: string;
  /** Why the difference is intended (shown in the diff). */
  readonly reason: string;
}

/** Options of a parity comparison. */
export interface ParityOptions {
  /**
   * More intended differences, on top of `EnvironmentParity.DEFAULT_ALLOWANCES`.
   * @default - none
   */
  readonly allowances?: ParityAllowance[];
  /**
   * Use only `allowances`, without the defaults.
   * @default false
   */
  readonly replaceDefaultAllowances?: boolean;
}

/** How two environments differ at one place. */
export enum ParityChange {
  /** Only the reference environment has it. */
  ONLY_IN_REFERENCE = 'only-in-reference',
  /** Only the candidate environment has it. */
  ONLY_IN_CANDIDATE = 'only-in-candidate',
  /** Both have it, with different values. */
  CHANGED = 'changed',
}

/** One difference. */
export interface ParityDifference {
  /** `<Kind>/<namespace>/<name>` or `tf:<type>/<path>`, normalized. */
  readonly key: string;
  /** The field path, empty for a whole document. */
  readonly path: string;
  /** What differs. */
  readonly change: ParityChange;
  /**
   * The value in the reference environment, rendered.
   * @default - absent
   */
  readonly reference?: string;
  /**
   * The value in the candidate environment, rendered.
   * @default - absent
   */
  readonly candidate?: string;
  /**
   * Tenants the difference was seen for (normalized documents of several tenants collapse).
   * @default - not tenant-specific
   */
  readonly tenants?: string;
  /**
   * The allowance's reason, when the difference is intended.
   * @default - not allowed
   */
  readonly allowedBecause?: string;
}

const DEFAULT_ALLOWANCES: ParityAllowance[] = [
  { path: 'Namespace/*:metadata.labels["lifecycle.inopsio.io/environment-class"]', reason: 'environment class label' },
  { path: 'Namespace/*:metadata.annotations["lifecycle.inopsio.io/environment-class"]', reason: 'environment class annotation' },
  { path: 'Namespace/*:metadata.annotations["lifecycle.inopsio.io/owner"]', reason: 'owner team of the class (spec §2)' },
  { path: 'Namespace/*:metadata.annotations["lifecycle.inopsio.io/mutability"]', reason: 'mutability of the class' },
  { path: 'ValidatingAdmissionPolicy*', reason: 'the immutability admission policy selects and names its own environment class' },
  { path: '*:metadata.annotations["lifecycle.inopsio.io/ttl"]', reason: 'TTL annotation (ephemeral classes only)' },
  { path: '*:metadata.annotations["lifecycle.inopsio.io/expires-at"]', reason: 'TTL annotation (ephemeral classes only)' },
  { path: '*:metadata.annotations["lifecycle.inopsio.io/created-at"]', reason: 'TTL annotation (ephemeral classes only)' },
  { path: '*:metadata.annotations["lifecycle.inopsio.io/source-branch"]', reason: 'preview source branch' },
  { path: '*:metadata.annotations["janitor/expires"]', reason: 'TTL annotation (ephemeral classes only)' },
  { path: '*:metadata.labels["cleanup.kyverno.io/ttl"]', reason: 'TTL label (ephemeral classes only)' },
  { path: '*:spec.replicas', reason: 'replica counts are sized per environment' },
  { path: 'ResourceQuota/*:spec.hard*', reason: 'quota sizes come from the class quota profile' },
  { path: 'LimitRange/*:spec.limits*', reason: 'container limits come from the class quota profile' },
  { path: 'Ingress/*:spec.rules[*].host', reason: 'host names are per environment' },
  { path: 'Application/*:spec.syncPolicy.automated.prune', reason: 'Argo CD prunes automatically outside production only' },
  { path: 'Application/*:metadata.annotations["lifecycle.inopsio.io/prune"]', reason: 'Argo CD prunes automatically outside production only' },
  { path: 'Ingress/*:spec.tls[*].hosts*', reason: 'host names are per environment' },
  { path: 'tf:terraform:cloud.workspaces.name', reason: 'Terraform Cloud workspace names are per environment' },
  { path: 'tf:vault_kv_secret_backend_v2/*:max_versions', reason: 'production keeps more secret versions (V11)' },
  { path: 'tf:vault_kv_secret_backend_v2/*:cas_required', reason: 'check-and-set is required in production only (V11)' },
  { path: 'tf:vault_policy/CiVaultAuth/Policy-apply:policy', reason: 'the previews\' host\'s apply and decommission roles also manage the shared preview mounts and policies (docs/vault.md "Previews")' },
  { path: 'tf:vault_policy/CiVaultAuth/Policy-decommission:policy', reason: 'the previews\' host\'s apply and decommission roles also manage the shared preview mounts and policies (docs/vault.md "Previews")' },
  { path: 'tf:vault_policy/Vault/EnvironmentPolicy:policy', reason: 'production keeps every secret version: its environment policy has no metadata delete' },
  { path: 'tf:helm_release/*:chart', reason: 'local chart assets are addressed by the content hash of the environment\'s own manifests' },
  { path: 'tf:vault_auth_backend/*:tune*', reason: 'Vault token TTLs are set per class' },
  { path: 'tf:vault_kubernetes_auth_backend_role/*:token_ttl', reason: 'Vault token TTLs are set per class' },
  { path: 'tf:vault_kubernetes_auth_backend_role/*:token_max_ttl', reason: 'Vault token TTLs are set per class' },
  // Issue 21 item 3: permanent classes protect tenant data; other classes' tenants go with an ordinary apply.
  { path: 'Namespace/*:metadata.annotations["helm.sh/resource-policy"]', reason: 'permanent classes keep the tenant namespace through a Helm uninstall' },
  { path: 'PersistentVolumeClaim/*:metadata.annotations', reason: 'permanent classes keep tenant volumes through a Helm uninstall (their only annotation)' },
  { path: 'PersistentVolumeClaim/*:metadata.annotations["helm.sh/resource-policy"]', reason: 'permanent classes keep tenant volumes through a Helm uninstall' },
  ...TENANT_DATA_RESOURCE_TYPES.flatMap(type => [
    { path: `tf:${type}/*:lifecycle`, reason: 'permanent classes protect tenant data with prevent_destroy (T02)' },
    { path: `tf:${type}/*:lifecycle.prevent_destroy`, reason: 'permanent classes protect tenant data with prevent_destroy (T02)' },
  ]),
];

/**
 * Objects that exist in one environment only, on purpose (a whole-object difference is otherwise never allowed): the
 * previews' and the preview cleanup's CI roles and policies live in the stack of one environment
 * (src/model/ci-access.ts `previewVaultHost`, docs/vault.md "CI access"), which may be staging; the read-only plan
 * role exists in permanent classes only (their upgrade plans before the approval).
 */
const ONE_ENVIRONMENT_OBJECTS: Array<{ re: RegExp; reason: string }> = [
  { re: /^tf:vault_(?:jwt_auth_backend_role|policy)\/CiVaultAuth\/(?:Role|Policy)-(?:preview|cleanup):$/, reason: 'the previews\' CI roles live in one environment\'s stack (docs/vault.md "CI access")' },
  { re: /^tf:vault_(?:jwt_auth_backend_role|policy)\/CiVaultAuth\/(?:Role|Policy)-plan:$/, reason: 'permanent classes plan before the approval with a read-only CI role (ci-<env>-plan, issue 21 item 3)' },
  { re: /^tf:vault_[a-z0-9_]+\/PreviewVaultHost\/[A-Za-z]+:$/, reason: 'the mounts, auth backend and policies every preview shares live in the previews\' host stack (docs/vault.md "Previews")' },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
}

/**
 * Replace whole tokens (not inside longer alphanumeric words): what
 * `s.replace(/(?<![A-Za-z0-9])(t1|t2|...)(?![A-Za-z0-9])/g, ...)` does with the tokens longest first, without that
 * regular expression. With one alternative per tenant it tried every tenant id at every position of every string
 * (a third of parity's time at 1,000 tenants): here each position that starts a word and the first character of some
 * token is looked up once per distinct token length, longest first.
 *
 * Most of what an environment's tenants hold is the same text in every tenant (the backup scripts differ from one
 * tenant to the next in a few lines; keys and most values are the same everywhere), so each line is remembered with
 * its replacement (`memoChars` characters at most, then the memo starts again): a text of several lines is replaced
 * line by line, which gives the same string when no token holds a line break (a line break is not alphanumeric, so
 * it bounds a token as the start and end of the text do); with a token that does, texts are replaced whole.
 * Remembered lines are copies (`detach`), so they do not keep the text they were cut from. Exported for its
 * differential test.
 */
export function tokenReplacer(tokens: Array<[string, string]>, memoChars: number = TOKEN_MEMO_CHARS): (s: string) => string {
  const sorted = tokens.filter(([t]) => t.length > 0).sort((a, b) => b[0].length - a[0].length);
  if (sorted.length === 0) return s => s;
  // As `new Map(sorted)` (a token listed twice maps to its last replacement).
  const map = new Map(sorted);
  const lengths = [...new Set(sorted.map(([t]) => t.length))];
  // Whether a UTF-16 code unit starts some token: a table, not a set lookup per character.
  const starts = new Uint8Array(0x10000);
  for (const [t] of sorted) starts[t.charCodeAt(0)] = 1;
  const replace = (s: string): string => {
    let out = '';
    let copied = 0;
    for (let i = 0; i < s.length; i++) {
      if (starts[s.charCodeAt(i)] === 0 || (i > 0 && isAsciiAlphanumeric(s.charCodeAt(i - 1)))) continue;
      for (const length of lengths) {
        const end = i + length;
        if (end > s.length || (end < s.length && isAsciiAlphanumeric(s.charCodeAt(end)))) continue;
        const replacement = map.get(s.slice(i, end));
        if (replacement === undefined) continue;
        out += s.slice(copied, i) + replacement;
        copied = end;
        i = end - 1;
        break;
      }
    }
    return copied === 0 ? s : out + s.slice(copied);
  };
  const memo = new Map<string, string>();
  let remembered = 0;
  const line = (s: string): string => {
    let replaced = memo.get(s);
    if (replaced === undefined) {
      replaced = replace(s);
      if (s.length <= TOKEN_MEMO_LINE_LIMIT) {
        remembered += 2 * s.length + 32;
        if (remembered > memoChars) {
          memo.clear();
          remembered = 2 * s.length + 32;
        }
        const key = detach(s);
        replaced = replaced === s ? key : detach(replaced);
        memo.set(key, replaced);
      }
    }
    return replaced;
  };
  if (sorted.some(([t]) => t.includes('\n'))) return replace;
  return s => (s.indexOf('\n') < 0 ? line(s) : s.split('\n').map(line).join('\n'));
}

/** Lines longer than this are not remembered by `tokenReplacer` (a minified file's one line). */
const TOKEN_MEMO_LINE_LIMIT = 4096;
/** The characters `tokenReplacer` remembers at most, lines and their replacements (about 8 MB, with 32 per line for the map). */
const TOKEN_MEMO_CHARS = 4_000_000;

function isAsciiAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, fn));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const k of Object.keys(value as object).sort()) out[fn(k)] = mapStrings((value as any)[k], fn);
    return out;
  }
  return value;
}

/**
 * `mapStrings(mapStrings(value, first), then)` in one walk, without the intermediate copy: an object's keys are
 * renamed by `first` in sorted order (a later key wins a clash), then sorted again and renamed by `then`. An object
 * with a key that is or becomes `__proto__` (whose assignment sets the copy's prototype, or not, depending on what was
 * assigned before) takes the two walks. Tested against them (test/policy/parity.test.ts).
 * @internal
 */
export function mapStringsTwice(value: unknown, first: (s: string) => string, then: (s: string) => string): unknown {
  if (typeof value === 'string') return then(first(value));
  if (Array.isArray(value)) return value.map(v => mapStringsTwice(v, first, then));
  if (value !== null && typeof value === 'object') {
    const renamed = new Map<string, unknown>();
    for (const k of Object.keys(value as object).sort()) {
      const name = first(k);
      if (k === '__proto__' || name === '__proto__') return mapStrings(mapStrings(value, first), then);
      renamed.set(name, (value as any)[k]);
    }
    const out: { [key: string]: unknown } = {};
    for (const k of [...renamed.keys()].sort()) out[then(k)] = mapStringsTwice(renamed.get(k), first, then);
    return out;
  }
  return value;
}

/** @internal `mapStrings` for the test of `mapStringsTwice`. */
export const mapStringsForTest = (value: unknown, fn: (s: string) => string): unknown => mapStrings(value, fn);

function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Parity keeps each distinct normalized value of a key until both environments are compared; tenants' long values
 * (the backup scripts: about 25 KB each, distinct per tenant) would make those variants as large as the documents.
 * A normalized string longer than this is kept as its digest and the start of its rendering instead
 * (`\u0000parity:<sha256>:<first characters of its JSON>`): equal strings have equal digests, so the comparison and
 * the count of differing fields are the same, and a difference renders as `show` renders the string (which shows
 * only its first 117 characters), except that a secret beyond those is not detected for redaction (B13 reports it).
 */
const LONG_VALUE = 512;
const DIGEST_PREFIX = '\u0000parity:';

function digestLong(s: string): string {
  if (s.length <= LONG_VALUE) return s;
  return `${DIGEST_PREFIX}${crypto.createHash('sha256').update(s).digest('hex')}:${JSON.stringify(s).slice(0, 121)}`;
}

/** `show` of a normalized value whose long strings are digests (`digestLong`): the same text `show` gives the original. */
function showNormalized(value: unknown): string {
  const json = value === undefined ? undefined : JSON.stringify(value);
  if (json === undefined || !json.includes('\\u0000parity:')) return show(value);
  const starts: string[] = [];
  const marked = JSON.stringify(value, (_k, v) => {
    if (typeof v !== 'string' || !v.startsWith(DIGEST_PREFIX)) return v;
    starts.push(v.slice(v.indexOf(':', DIGEST_PREFIX.length) + 1));
    return `\u0000${starts.length - 1}\u0000`;
  });
  const text = marked.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => starts[Number(i)]);
  const found = detectSecrets(text);
  if (found.length > 0) return `<redacted: ${[...new Set(found.map(f => f.ruleId))].join(', ')}>`;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Leaf-level differences of two normalized values. */
function diff(a: unknown, b: unknown, path: string, out: Array<{ path: string; a?: unknown; b?: unknown }>): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(a[i], b[i], fieldPath(path, i), out);
    return;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) diff((a as any)[k], (b as any)[k], fieldPath(path, k), out);
    return;
  }
  out.push({ path, a, b });
}

/** @internal One normalized value of a key and the tenants that have it. */
export interface Variant {
  readonly json: string;
  readonly tenants: Set<string>;
}

/** @internal Per key, the distinct normalized values (by their JSON) and the tenants that have each. */
export type Side = Map<string, Map<string, Variant>>;

/** A Terraform address `<type>.<name>` inside an expression (`${vault_mount.Vault_KvMount_1A2B3C4D.path}`). */
const ADDRESS = /\b[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+\b/g;

/** @internal One environment, normalized into keyed variants (also a split synthesis's parity digest, src/platform/shard-synth.ts). */
export function collect(
  docs: readonly KubernetesDocument[], stacks: readonly TerraformStackDocument[], env: string, knownTenants: readonly string[] = [],
  options: CollectOptions = {},
): Side {
  const side: Side = new Map();
  const nsTenant = new Map<string, string>();
  for (const d of docs) {
    if (d.environment === env && d.kind === 'Namespace' && typeof d.doc.metadata?.labels?.tenant === 'string') nsTenant.set(d.name, d.doc.metadata.labels.tenant);
  }
  // A document outside the tenant namespaces (an Argo CD Application or AppProject) belongs to the tenant of its
  // `tenant` label, so that it is paired with the same tenant's document in the other environment, not with whichever
  // tenant's looks most alike (a suspended tenant's Application with an active one's).
  const tenantOfDocument = (d: KubernetesDocument): string => {
    const own = nsTenant.get(d.kind === 'Namespace' ? d.name : d.namespace ?? '');
    if (own !== undefined) return own;
    const label = d.doc.metadata?.labels?.tenant;
    return typeof label === 'string' && d.doc.metadata?.labels?.env === env ? label : '';
  };
  // Tenants: from the tenant namespaces, the tenant labels, and the stacks' tenant constructs (`.../Tenant-<id>/...`),
  // sorted. The known tenants are the same list for every tenant of an environment (src/policy/fragment.ts): its set
  // and sorted copy are made once, and used as they are when nothing else names a tenant outside the list.
  const known = knownTenantsOf(knownTenants);
  const others = new Set<string>();
  const tenantFound = (t: string) => {
    if (!known.set.has(t)) others.add(t);
  };
  nsTenant.forEach(tenantFound);
  for (const d of docs) {
    if (d.environment === env) {
      const t = tenantOfDocument(d);
      if (t) tenantFound(t);
    }
  }
  for (const st of stacks.filter(x => x.environment === env)) {
    for (const r of st.resources) {
      const m = /\/Tenant-([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\/|$)/.exec(String(r.body?.['//']?.metadata?.path ?? ''));
      if (m) tenantFound(m[1]);
    }
  }
  const tenantSet = others.size === 0 ? known.set : new Set([...known.set, ...others]);
  const tenants = others.size === 0 ? known.sorted : [...tenantSet].sort();
  options.onTenants?.(tenants);
  const { norm, anyTenant } = normalizerOf(env, tenants);
  const normalize = (s: string) => digestLong(norm(s));
  // `before`: what `mapStrings(value, before)` would do first (a Terraform body's references), in the same walk.
  const add = (key: string, value: unknown, tenant: string, before?: (s: string) => string) => {
    const v = before ? mapStringsTwice(value, before, normalize) : mapStrings(value, normalize);
    const json = JSON.stringify(v);
    let variants = side.get(key);
    if (!variants) side.set(key, variants = new Map());
    const found = variants.get(json);
    if (found) {
      if (tenant) found.tenants.add(tenant);
    } else {
      variants.set(json, { json, tenants: new Set(tenant ? [tenant] : []) });
    }
  };
  for (const d of docs) {
    if (d.environment !== env) continue;
    // Argo CD's one `default` AppProject (written locked with one environment only, src/k8s/argocd-project-policy.ts)
    // is the Argo CD instance's, not the environment's: K51 checks it instead.
    if (d.kind === 'AppProject' && d.name === 'default') continue;
    if (options.counted && !options.counted(d)) continue;
    const tenant = tenantOfDocument(d);
    add(`${d.kind}/${norm(d.namespace ?? '-')}/${norm(d.name)}`, d.doc, tenant);
  }
  // Stack-level sections (backend, providers, variables) of all the environment's stacks (several when it is
  // sharded) merge into one: the first stack's value wins where they conflict (the base, in apply order).
  const sections = new Map<string, unknown>();
  for (const s of stacks) {
    if (s.environment !== env) continue;
    // Resource addresses embed a hash of the stack's construct path: key and reference them by construct path instead.
    const rel = new Map<string, string>();
    const bodies = new Map<string, any>();
    for (const r of s.resources) {
      const parts = String(r.body?.['//']?.metadata?.path ?? `${r.type}.${r.name}`).split('/');
      rel.set(`${r.type}.${r.name}`, `${r.type}/${parts.length > 2 ? parts.slice(2).join('/') : parts.join('/')}`);
      bodies.set(`${r.type}.${r.name}`, r.body);
    }
    // A reference to an attribute that is a literal in the same stack compares as that literal (`${vault_mount.X.path}`
    // is `database-prod`), so a stack that names a mount and one that references it are alike. Other references
    // are rewritten with one generic pattern for `<type>.<name>` and a map lookup.
    const deref = (text: string) => {
      if (rel.size === 0 || !text.includes('.')) return text;
      const literal = text.includes('${') ? text.replace(ATTRIBUTE_REFERENCE, (m, address: string, attribute: string) => {
        const value = bodies.get(address)?.[attribute];
        return typeof value === 'string' && !value.includes('${') ? value : m;
      }) : text;
      return literal.replace(ADDRESS, m => rel.get(m) ?? m);
    };
    const tenantOf = (key: string) => {
      const own = /\/Tenant-([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\/|$)/.exec(key);
      if (own && tenantSet.has(own[1])) return own[1];
      return anyTenant ? (anyTenant.exec(key)?.[1] ?? '') : '';
    };
    for (const r of s.resources) {
      // Data sources create nothing (a shard reads its base's auth backend through one): not compared.
      if (r.type.startsWith('data.')) continue;
      const { ['//']: _meta, ...body } = r.body ?? {};
      const key = rel.get(`${r.type}.${r.name}`)!;
      add(`tf:${norm(key)}`, body, tenantOf(key), deref);
    }
    for (const section of Object.keys(s.json).sort()) {
      if (section === '//' || section === 'resource' || section === 'data') continue;
      sections.set(section, mergeFirstWins(sections.get(section), mapStrings(s.json[section], deref)));
    }
  }
  for (const [section, value] of [...sections].sort(([a], [b]) => (a < b ? -1 : 1))) add(`tf:${section}`, value, '');
  return side;
}

/**
 * The normalization of an environment with its tenant ids, kept for the next call with the same ones: an environment's
 * tenants are normalized one after another as they are produced (src/policy/fragment.ts), each with every tenant id.
 */
function normalizerOf(env: string, tenants: readonly string[]): { norm: (s: string) => string; anyTenant?: RegExp } {
  if (lastNormalizer?.env === env && lastNormalizer.tenants === tenants) return lastNormalizer;
  const key = `${env}\n${tenants.join('\n')}`;
  if (lastNormalizer?.key === key) {
    lastNormalizer = { ...lastNormalizer, tenants };
    return lastNormalizer;
  }
  const norm = tokenReplacer([[env, '<env>'], ...tenants.map(t => [t, '<tenant>'] as [string, string])]);
  // The first tenant id, as a whole token, in a text (longest ids first, so `acme-eu` wins over `acme`).
  const anyTenant = tenants.length === 0 ? undefined
    : new RegExp(`(?<![A-Za-z0-9])(${[...tenants].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escape).join('|')})(?![A-Za-z0-9])`);
  lastNormalizer = { env, tenants, key, norm, anyTenant };
  return lastNormalizer;
}

let lastNormalizer: { env: string; tenants: readonly string[]; key: string; norm: (s: string) => string; anyTenant?: RegExp } | undefined;

/** A list of known tenant ids as a set and sorted without repeats, made once per list (the lists are not changed). */
function knownTenantsOf(tenants: readonly string[]): { set: Set<string>; sorted: string[] } {
  let known = KNOWN_TENANTS.get(tenants);
  if (known === undefined) {
    const set = new Set(tenants);
    known = { set, sorted: [...set].sort() };
    KNOWN_TENANTS.set(tenants, known);
  }
  return known;
}

const KNOWN_TENANTS = new WeakMap<readonly string[], { set: Set<string>; sorted: string[] }>();

/** @internal What `collect` normalizes besides the documents and stacks it compares. */
export interface CollectOptions {
  /** Documents to compare (default every one); the others only say which namespace is whose (tenant fragments'). */
  readonly counted?: (d: KubernetesDocument) => boolean;
  /** Called with the tenant ids the environment is normalized with. */
  readonly onTenants?: (tenants: string[]) => void;
}

/**
 * @internal One environment of an input, normalized: its documents and stacks (`documents` and `stacks`, by default
 * every one), plus the parity keys of the tenants the input holds as fragments (src/policy/fragment.ts), which were
 * normalized when the tenant's output was produced. A fragment normalized with other tenant ids than the
 * environment's here cannot be merged: that throws (a cache must compute the keys again).
 */
export function environmentSide(
  c: PolicyInputContents, env: string,
  select: { documents?: readonly KubernetesDocument[]; stacks?: readonly TerraformStackDocument[]; knownTenants?: readonly string[] } = {},
): Side {
  const fragments = c.fragments.filter(f => f.environment === env);
  const fragmentFiles = new Set(fragments.flatMap(f => f.files));
  let tenants: string[] = [];
  const side = collect(select.documents ?? c.kubernetes, select.stacks ?? c.terraform, env, select.knownTenants ?? [], {
    counted: fragmentFiles.size === 0 ? undefined : d => !fragmentFiles.has(d.file) && !fragmentFiles.has(d.file.replace(/#\d+$/, '')),
    onTenants: t => tenants = t,
  });
  if (fragments.length === 0) return side;
  const merged = c.fragmentParity.get(env);
  const withKeys = fragments.filter(f => f.parityTenants !== undefined).length;
  if (merged === undefined || withKeys !== fragments.length || merged.parityTenants !== tenantListDigest(tenants)) {
    throw new Error(`EnvironmentParity: the parity keys of the tenant fragments of ${env} were ${withKeys !== fragments.length ? 'not all computed' : 'normalized with other tenant ids'}; compute them with the environment's ${tenants.length} tenants`);
  }
  for (const [key, variants] of merged.side) {
    let into = side.get(key);
    if (!into) side.set(key, into = new Map());
    for (const v of variants.values()) {
      const found = into.get(v.json);
      if (found) v.tenants.forEach(t => found.tenants.add(t));
      else into.set(v.json, { json: v.json, tenants: new Set(v.tenants) });
    }
  }
  return side;
}

/** `${<type>.<name>.<attribute>}` as a whole interpolation. */
const ATTRIBUTE_REFERENCE = /\$\{([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\.([a-z_][a-z0-9_]*)\}/g;

/** @internal Deep merge of JSON values: objects merge key by key; anything else keeps `a` when both are set. */
export function mergeFirstWins(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  const isObj = (v: unknown): v is { [key: string]: unknown } => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return a;
  const out: { [key: string]: unknown } = { ...a };
  for (const k of Object.keys(b)) out[k] = mergeFirstWins(a[k], b[k]);
  return out;
}

/** Past this many candidates without a shared tenant, only the first ones (in JSON order) are compared. */
const CLOSEST_SCAN_LIMIT = 64;

/**
 * The variant of `others` closest to `v`: most shared tenants, then fewest differing fields, then JSON order.
 * `byTenant` maps each tenant to its variant among `others` (a tenant has one value per key), so the candidates
 * are found without comparing `v` with every variant: linear in the tenants, not quadratic in the variants.
 */
function closest(v: Variant, others: Variant[], byTenant: Map<string, Variant>): Variant {
  const shared = new Map<Variant, number>();
  for (const t of v.tenants) {
    const o = byTenant.get(t);
    if (o) shared.set(o, (shared.get(o) ?? 0) + 1);
  }
  const most = Math.max(0, ...shared.values());
  const candidates = most > 0 ? others.filter(o => shared.get(o) === most) : others.slice(0, CLOSEST_SCAN_LIMIT);
  let best = candidates[0];
  let fewest = Infinity;
  for (const o of candidates) {
    if (candidates.length === 1) break;
    const leaves: Array<{ path: string }> = [];
    diff(JSON.parse(v.json), JSON.parse(o.json), '', leaves);
    if (leaves.length < fewest) {
      best = o;
      fewest = leaves.length;
    }
  }
  return best;
}

function tenantIndex(variants: Variant[]): Map<string, Variant> {
  const index = new Map<string, Variant>();
  for (const v of variants) for (const t of v.tenants) index.set(t, v);
  return index;
}

/** The result of a parity comparison. */
export class ParityReport {
  /** The reference environment (usually staging). */
  public readonly reference: string;
  /** The candidate environment (usually production). */
  public readonly candidate: string;
  /** Differences not covered by an allowance: parity fails if there is any. */
  public readonly differences: ParityDifference[];
  /** Intended differences, with the allowance's reason. */
  public readonly allowed: ParityDifference[];

  /** Created by `EnvironmentParity.compare`. */
  constructor(reference: string, candidate: string, differences: ParityDifference[], allowed: ParityDifference[]) {
    this.reference = reference;
    this.candidate = candidate;
    this.differences = differences;
    this.allowed = allowed;
  }

  /** True if the environments differ only as allowed. */
  public get passed(): boolean {
    return this.differences.length === 0;
  }

  /** A readable diff: the unexpected differences first, then the allowed ones with their reasons. */
  public toText(): string {
    const line = (d: ParityDifference) => {
      const where = d.path ? `${d.key} ${d.path}` : d.key;
      const tenants = d.tenants ? ` (tenants: ${d.tenants})` : '';
      switch (d.change) {
        case ParityChange.ONLY_IN_REFERENCE: return `  - only in ${this.reference}: ${where}${d.reference !== undefined && d.path ? ` = ${d.reference}` : ''}${tenants}`;
        case ParityChange.ONLY_IN_CANDIDATE: return `  + only in ${this.candidate}: ${where}${d.candidate !== undefined && d.path ? ` = ${d.candidate}` : ''}${tenants}`;
        default: return `  ~ ${where}: ${this.reference} ${d.reference} ≠ ${this.candidate} ${d.candidate}${tenants}`;
      }
    };
    const out = [`Parity ${this.reference} → ${this.candidate}: ${this.passed ? 'OK' : `FAILED, ${this.differences.length} unexpected difference${this.differences.length === 1 ? '' : 's'}`} (${this.allowed.length} allowed)`];
    out.push(...this.differences.map(line));
    if (this.allowed.length > 0) {
      out.push('Allowed differences:');
      out.push(...this.allowed.map(d => `${line(d)} — ${d.allowedBecause}`));
    }
    return `${out.join('\n')}\n`;
  }

  /** Throw one error listing every unexpected difference (B11: staging must structurally mirror production). */
  public assertParity(): void {
    if (this.passed) return;
    throw new LifecycleValidationError(this.differences.map(d => formatProblem({
      path: `EnvironmentParity[${this.reference} → ${this.candidate}]`,
      field: d.path ? `${d.key} ${d.path}` : d.key,
      problem: d.change === ParityChange.CHANGED ? `differs (${this.reference} ${d.reference})` : `exists only in ${d.change === ParityChange.ONLY_IN_REFERENCE ? this.reference : this.candidate}`,
      got: d.change === ParityChange.CHANGED ? d.candidate : d.key,
      fix: 'make the environments structurally equal, or add a ParityAllowance with the reason the difference is intended (B11)',
    })));
  }
}

/** Compares environments structurally. */
export class EnvironmentParity {
  /** The intended differences every comparison allows unless `replaceDefaultAllowances` is set. */
  public static readonly DEFAULT_ALLOWANCES: ParityAllowance[] = DEFAULT_ALLOWANCES.map(a => ({ ...a }));

  /**
   * Compare two environments of one input (usually `reference` staging and `candidate` production). Deterministic:
   * differences are sorted by key and path.
   */
  public static compare(input: PolicyInput, reference: string, candidate: string, options: ParityOptions = {}): ParityReport {
    const allowances = [...(options.replaceDefaultAllowances ? [] : DEFAULT_ALLOWANCES), ...(options.allowances ?? [])];
    const problems: string[] = [];
    (options.allowances ?? []).forEach((a, i) => {
      if (typeof a?.path !== 'string' || a.path.trim() === '') problems.push(formatProblem({ path: 'EnvironmentParity', field: `allowances[${i}].path`, problem: 'is empty', got: a?.path, fix: 'write <key>:<field path>, e.g. "ResourceQuota/*:spec.hard*"' }));
      if (typeof a?.reason !== 'string' || a.reason.trim() === '') problems.push(formatProblem({ path: 'EnvironmentParity', field: `allowances[${i}].reason`, problem: 'is empty', got: a?.reason, fix: 'say why the difference is intended' }));
    });
    const c = contentsOf(input);
    for (const [field, env] of [['reference', reference], ['candidate', candidate]] as const) {
      if (!c.environmentNames().includes(env)) problems.push(formatProblem({ path: 'EnvironmentParity', field, problem: 'is not an environment of the input', got: env, fix: `use one of ${c.environmentNames().join(', ')}` }));
    }
    if (problems.length > 0) throw new LifecycleValidationError(problems);
    const [ref, cand] = [environmentSide(c, reference), environmentSide(c, candidate)];
    return EnvironmentParity._compareSides(ref, cand, reference, candidate, allowances);
  }

  /** @internal Compare two normalized environments (`collect`) with the given allowances. */
  public static _compareSides(ref: Side, cand: Side, reference: string, candidate: string, allowances: ParityAllowance[]): ParityReport {
    const patterns = allowances.map(a => ({ re: glob(a.path), reason: a.reason.trim() }));
    const found = new Map<string, { d: Omit<ParityDifference, 'tenants'>; tenants: Set<string> }>();
    const record = (d: Omit<ParityDifference, 'tenants'>, tenants: Set<string>) => {
      const id = `${d.key}|${d.path}|${d.change}|${d.reference}|${d.candidate}`;
      const hit = found.get(id);
      if (hit) tenants.forEach(t => hit.tenants.add(t));
      else found.set(id, { d, tenants: new Set(tenants) });
    };
    for (const key of [...new Set([...ref.keys(), ...cand.keys()])].sort()) {
      const aByJson = ref.get(key) ?? new Map<string, Variant>();
      const bByJson = cand.get(key) ?? new Map<string, Variant>();
      const a = [...aByJson.values()].sort((x, y) => (x.json < y.json ? -1 : 1));
      const b = [...bByJson.values()].sort((x, y) => (x.json < y.json ? -1 : 1));
      const onlyA = a.filter(v => !bByJson.has(v.json));
      const onlyB = b.filter(v => !aByJson.has(v.json));
      if (onlyA.length === 0 && onlyB.length === 0) continue;
      if (a.length === 0 || b.length === 0) {
        record({ key, path: '', change: a.length === 0 ? ParityChange.ONLY_IN_CANDIDATE : ParityChange.ONLY_IN_REFERENCE }, new Set((a.length === 0 ? b : a).flatMap(v => [...v.tenants])));
        continue;
      }
      // Compare each variant that has no twin with the closest variant of the other side: the same tenants first,
      // then the fewest differing fields.
      const pairs: Array<[Variant, Variant]> = [];
      const paired = new Map<Variant, Set<Variant>>();
      const pair = (va: Variant, vb: Variant) => {
        let with_ = paired.get(va);
        if (!with_) paired.set(va, with_ = new Set());
        if (with_.has(vb)) return;
        with_.add(vb);
        pairs.push([va, vb]);
      };
      const aIndex = tenantIndex(a);
      const bIndex = tenantIndex(b);
      for (const va of onlyA) pair(va, closest(va, b, bIndex));
      for (const vb of onlyB) pair(closest(vb, a, aIndex), vb);
      for (const [va, vb] of pairs) {
        const leaves: Array<{ path: string; a?: unknown; b?: unknown }> = [];
        diff(JSON.parse(va.json), JSON.parse(vb.json), '', leaves);
        const common = new Set([...va.tenants].filter(t => vb.tenants.has(t)));
        const tenants = common.size > 0 ? common : new Set([...va.tenants, ...vb.tenants]);
        for (const l of leaves) {
          const change = l.a === undefined ? ParityChange.ONLY_IN_CANDIDATE
            : l.b === undefined ? ParityChange.ONLY_IN_REFERENCE : ParityChange.CHANGED;
          const values = {
            ...(l.a !== undefined ? { reference: showNormalized(l.a) } : {}),
            ...(l.b !== undefined ? { candidate: showNormalized(l.b) } : {}),
          };
          record({ key, path: l.path, change, ...values }, tenants);
        }
      }
    }
    const unique: ParityDifference[] = [...found.values()].map(({ d, tenants }) => {
      const list = [...tenants].filter(t => t !== '').sort().join(', ');
      return { ...d, ...(list ? { tenants: list } : {}) };
    });
    const differences: ParityDifference[] = [];
    const allowed: ParityDifference[] = [];
    for (const d of unique) {
      const hit = d.path !== '' ? patterns.find(p => p.re.test(`${d.key}:${d.path}`)) : ONE_ENVIRONMENT_OBJECTS.find(p => p.re.test(`${d.key}:`));
      if (hit) allowed.push({ ...d, allowedBecause: hit.reason });
      else differences.push(d);
    }
    return new ParityReport(reference, candidate, differences, allowed);
  }
}

import { Environment } from './environment';
import { replicaKeysOf } from './module-operations';
import { composeName, isDnsLabel, NAME_LIMITS, shortHash } from './naming';
import { LifecycleValidationError, Problems } from './problems';
import { detectSecretsInValue } from './secret-detector';
import { Tenant, TenantModuleProps } from './tenant';
import { TenantWorkloadProps, workloadsIn } from './tenant-workload';
import { ResolvedVaultRef, resolveVaultRef, tenantVaultNames, TenantVaultNames, VaultEngine, VaultRef, VaultTemplatePart } from './vault-ref';

/**
 * Module values → what the pod receives, for both delivery paths (spec §5).
 *
 * A tenant module's values are split ONCE, here, into plain Helm values and typed Vault references (`VaultRef.split`,
 * the only parser of `{{ vault(...) }}`). Terraform's `helm_release` (src/tf/tenant-release.ts) and Argo CD's
 * `Application` (src/k8s/argocd-application.ts) both turn the same `moduleHelmValues(...)` parameters into their own
 * syntax; neither parses strings. So a module receives the same effective Helm values in dev, previews, staging and
 * production:
 *
 * - the plain values;
 * - for each value with references (Vault Agent injector, the default): the injector annotations under
 *   `podAnnotations` (`agent-inject-secret-<file>`, `agent-inject-template-<file>`), and `<value>_FILE` pointing at
 *   `/vault/secrets/<file>`;
 * - the login: `vault.hashicorp.com/role` (the tenant's Kubernetes auth role), `auth-path`, and a projected service
 *   account token for the environment's `vaultTokenAudience` (the audience the role requires) mounted through the
 *   chart's `volumes` value and named in `agent-service-account-token-volume-name`;
 * - `serviceAccount.name` = the module name, the service account the role is bound to (`tenantRoleServiceAccounts`).
 */

/** How secrets referenced in module values (`{{ vault('...') }}`) reach the pods. Never as Helm values. */
export enum SecretDelivery {
  /**
   * Vault Agent injector annotations on the pods (`podAnnotations`): the agent logs in with a projected service
   * account token, renders each value to `/vault/secrets/<file>` and renews the lease. Needs only the injector.
   */
  VAULT_AGENT_INJECTOR = 'vault-agent-injector',
  /**
   * External Secrets: the value is replaced by the name of a Kubernetes Secret that an ExternalSecret must create
   * (listed in `TenantRelease.secretDeliveries` for the Kubernetes layer). The secret then lives in etcd.
   */
  EXTERNAL_SECRETS = 'external-secrets',
}

/** How module values that reference Vault are delivered; the same settings for Terraform and Argo CD. */
export interface SecretDeliveryOptions {
  /**
   * How Vault references in module values are delivered.
   * @default SecretDelivery.VAULT_AGENT_INJECTOR
   */
  readonly secretDelivery?: SecretDelivery;
  /**
   * Helm value that holds pod annotations in the module charts.
   * @default 'podAnnotations'
   */
  readonly podAnnotationsKey?: string;
  /**
   * Helm value that names the module's service account; it is set to the module name, the name the tenant's
   * Kubernetes auth role is bound to (V07). An empty string leaves it unset.
   * @default 'serviceAccount.name'
   */
  readonly serviceAccountNameKey?: string;
  /**
   * Suffix of the value that tells the workload where its secret is: `env.DATABASE_URL` becomes
   * `env.DATABASE_URL_FILE=/vault/secrets/<file>` (agent) or `env.DATABASE_URL_SECRET=<secret name>` (External
   * Secrets). An empty string sets nothing.
   * @default - '_FILE' with the agent injector, '_SECRET' with External Secrets
   */
  readonly referenceSuffix?: string;
  /**
   * Name of the projected service-account-token volume (audience: the environment's `vaultTokenAudience`) the agent
   * logs in with (`vault.hashicorp.com/agent-service-account-token-volume-name`). An empty string makes the agent use
   * the pod's default token, whose audience is the API server's: then the environment's `vaultTokenAudience` must be
   * that audience.
   * @default 'vault-token'
   */
  readonly agentTokenVolumeName?: string;
  /**
   * Helm value (a list of pod volumes, as in `helm create`'s chart) the projected token volume is set in, as its
   * first element. An empty string sets nothing: the chart must then mount a projected token volume named
   * `agentTokenVolumeName` itself.
   * @default 'volumes'
   */
  readonly agentTokenVolumeKey?: string;
}

/** One value delivered from Vault at run time instead of as a Helm value. */
export interface SecretDeliveryRequest {
  /** The module. */
  readonly module: string;
  /** The Helm value path the reference was written at (`env.DATABASE_URL`). */
  readonly valuePath: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Agent: the file under `/vault/secrets/`. External Secrets: the Kubernetes Secret to create. */
  readonly target: string;
  /** The references the value is built from, resolved. */
  readonly refs: ResolvedVaultRef[];
  /** The Vault Agent template that renders the value (literal text kept, each reference replaced by its secret). */
  readonly agentTemplate: string;
}

/** One Helm value as `--set` takes it: `name` escaped for Helm's parser (`podAnnotations.vault\.hashicorp\.com/role`), `value` raw. */
export interface HelmParameter {
  /** Dotted Helm value path, each key segment escaped for `--set` (`.`, `,`, `=`, `[`, `]`, `\`). */
  readonly name: string;
  /** The string the chart receives (not escaped: each engine escapes it for its own syntax). */
  readonly value: string;
  /**
   * The chart receives a number, boolean or null (`--set`, Helm parses `value`), not a string
   * (`--set-string`): Terraform's `set` type `auto`, Argo CD's `forceString: false`. `value` is then never escaped.
   * @default false
   */
  readonly typed?: boolean;
}

/** One leaf of a module's values, flat or structured: a Helm value path and what the chart receives. */
export interface ModuleValueEntry {
  /** Dotted Helm value path, key segments escaped for `--set` (`podAnnotations.example\.com/x`, `hosts[0]`). */
  readonly path: string;
  /** The value as text. */
  readonly value: string;
  /** A number, boolean or null (see `HelmParameter.typed`); strings are false. */
  readonly typed: boolean;
  /** Where the value was written, for problems: `values["image.tag"]` or `valuesJson.image.tag`. */
  readonly field: string;
}

/**
 * Every leaf of a module's values, sorted by path: `valuesJson` (values as written in values.yaml: nested objects,
 * lists, numbers, booleans; each string may embed `{{ vault() }}` references) flattened into Helm value paths, then
 * the flat `values` (dotted paths to strings), which win at the same path (the suspension's replica overrides are
 * flat values). This is the one reader of both forms: Terraform's `helm_release` and Argo CD's `Application` both
 * take `moduleHelmValues`, built from these entries, so structured values reach a chart the same way in both paths.
 * `where` prefixes each field (`modules[0]`). Never throws.
 */
export function moduleValueEntries(
  m: { readonly values?: { [path: string]: string }; readonly valuesJson?: string } | undefined, where: string,
): { entries: ModuleValueEntry[]; problems: ModuleValueProblem[] } {
  const problems: ModuleValueProblem[] = [];
  const byPath = new Map<string, ModuleValueEntry>();
  const json = m?.valuesJson;
  if (json !== undefined) {
    let parsed: unknown;
    let ok = typeof json === 'string';
    try {
      parsed = ok ? JSON.parse(json) : undefined;
    } catch (e) {
      ok = false;
      problems.push({ field: `${where}.valuesJson`, problem: `is not JSON (${(e as Error).message})`, got: '<not shown>', fix: 'write the values as JSON, e.g. JSON.stringify({ image: { tag: "1.4.2" }, replicaCount: 2 }), or HelmValues.fromYaml(text) for a values.yaml' });
    }
    if (ok && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) {
      ok = false;
      problems.push({ field: `${where}.valuesJson`, problem: 'is not a JSON object', got: typeof parsed, fix: 'write an object of values, as at the top of a values.yaml' });
    } else if (!ok && typeof json !== 'string') {
      problems.push({ field: `${where}.valuesJson`, problem: 'is not a string', got: typeof json, fix: 'write JSON.stringify({ ... })' });
    }
    if (ok) flattenValues(parsed, '', `${where}.valuesJson`, byPath, problems);
  }
  const flat = m?.values ?? {};
  if (typeof flat === 'object' && flat !== null && !Array.isArray(flat)) {
    for (const key of Object.keys(flat)) {
      byPath.set(key, { path: key, value: flat[key], typed: false, field: `${where}.values["${key}"]` });
    }
  }
  return { entries: [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), problems };
}

/** Flatten a JSON value into Helm `--set` paths (the only form both delivery paths accept for every leaf). */
function flattenValues(value: unknown, path: string, field: string, out: Map<string, ModuleValueEntry>, problems: ModuleValueProblem[]): void {
  const leaf = (text: string, typed: boolean) => out.set(path, { path, value: text, typed, field });
  if (typeof value === 'string') return void leaf(value, false);
  if (typeof value === 'boolean' || value === null) return void leaf(String(value), true);
  if (typeof value === 'number') {
    // Helm's --set parses whole numbers only (a fraction would reach the chart as a string): say so instead.
    if (Number.isSafeInteger(value)) return void leaf(String(value), true);
    return void problems.push({ field, problem: 'is not a whole number, which Helm\'s --set cannot pass as a number', got: value, fix: `write it as a string ("${value}"): the chart receives a string either way` });
  }
  if (Array.isArray(value)) {
    // Items are set one by one (`a[0]`), as the flat form writes them.
    if (value.length === 0) {
      // Helm 3's --set turns `a={}` into [""] and has no other way to write an empty list.
      return void problems.push({ field, problem: 'is an empty list, which Helm\'s --set cannot set', got: '[]', fix: 'remove it: the chart\'s default applies' });
    }
    value.forEach((item, i) => flattenValues(item, `${path}[${i}]`, `${field}[${i}]`, out, problems));
    return;
  }
  const keys = Object.keys(value as object);
  if (keys.length === 0) {
    // Helm's --set cannot express an empty map (and the chart's default map is kept anyway).
    return void problems.push({ field, problem: 'is an empty object, which Helm\'s --set cannot set', got: '{}', fix: 'remove it: the chart\'s default applies' });
  }
  for (const key of keys) {
    if (key === '') {
      problems.push({ field, problem: 'has an empty key', got: key, fix: 'name every key' });
      continue;
    }
    flattenValues((value as { [k: string]: unknown })[key], path ? `${path}.${helmSetKey(key)}` : helmSetKey(key), `${field}.${key}`, out, problems);
  }
}

/** A problem of one module value. */
export interface ModuleValueProblem {
  readonly field: string;
  readonly problem: string;
  readonly got: unknown;
  readonly fix: string;
  /** Already formatted `problem (got ...); fix` (a reference problem keeps the parser's wording). */
  readonly formatted?: string;
}

/** Add module-value problems to a collector of `path`, each on its value's field. */
export function addModuleValueProblems(collector: Problems, path: string, list: readonly ModuleValueProblem[]): void {
  for (const p of list) {
    if (p.formatted !== undefined) collector.addAll([`${path}: ${p.field} ${p.formatted}`]);
    else collector.add(p.field, p.problem, p.got, p.fix);
  }
}

/** What `moduleHelmValues` returns. */
export interface ModuleHelmValues {
  /** Every Helm value of the module, in a fixed order: plain values, then pod annotations, then the token volume. */
  readonly parameters: HelmParameter[];
  /** The values delivered from Vault. */
  readonly deliveries: SecretDeliveryRequest[];
  /** Every resolved reference (the tenant policy must grant each). */
  readonly grants: ResolvedVaultRef[];
  /** Every problem found; when there is one, `parameters` is incomplete. */
  readonly problems: ModuleValueProblem[];
}

/** Settings of `moduleHelmValues`, defaults applied. */
export interface ResolvedSecretDeliveryOptions {
  readonly secretDelivery: SecretDelivery;
  readonly podAnnotationsKey: string;
  readonly serviceAccountNameKey: string;
  readonly referenceSuffix: string;
  readonly agentTokenVolumeName: string;
  readonly agentTokenVolumeKey: string;
}

/** A dotted Helm value path; a segment may end in list indexes (`ingress.hosts[0]`). */
export const HELM_VALUE_PATH = /^[A-Za-z0-9_-]+(?:\[\d+\])*(?:\.[A-Za-z0-9_-]+(?:\[\d+\])*)*$/;
/** Name of the projected token volume (the environment's Vault audience) of cdk8s-plus workloads' pods. */
export const WORKLOAD_TOKEN_VOLUME = 'vault-token';
/** Files the agent renders to. */
export const VAULT_AGENT_SECRETS_DIR = '/vault/secrets';
/** Value names that hold a connection URL: a database reference there renders a DSN, not JSON. */
const URL_NAME = /(?:url|uri|dsn)$/i;
/** Longest file name that keeps `agent-inject-template-<file>` a valid annotation name (≤ 63 characters). */
const FILE_NAME_MAX = 63 - 'agent-inject-template-'.length;

/** Defaults applied, and every problem of the settings. */
export function resolveSecretDeliveryOptions(
  o: SecretDeliveryOptions = {},
): { options: ResolvedSecretDeliveryOptions; problems: ModuleValueProblem[] } {
  const secretDelivery = o.secretDelivery ?? SecretDelivery.VAULT_AGENT_INJECTOR;
  const options: ResolvedSecretDeliveryOptions = {
    secretDelivery,
    podAnnotationsKey: o.podAnnotationsKey ?? 'podAnnotations',
    serviceAccountNameKey: o.serviceAccountNameKey ?? 'serviceAccount.name',
    referenceSuffix: o.referenceSuffix ?? (secretDelivery === SecretDelivery.EXTERNAL_SECRETS ? '_SECRET' : '_FILE'),
    agentTokenVolumeName: o.agentTokenVolumeName ?? 'vault-token',
    agentTokenVolumeKey: o.agentTokenVolumeKey ?? 'volumes',
  };
  const problems: ModuleValueProblem[] = [];
  if (!Object.values(SecretDelivery).includes(secretDelivery)) {
    problems.push({ field: 'secretDelivery', problem: 'is not a SecretDelivery', got: secretDelivery, fix: 'use SecretDelivery.VAULT_AGENT_INJECTOR or EXTERNAL_SECRETS' });
  }
  const keys: Array<[string, string, boolean]> = [
    ['podAnnotationsKey', options.podAnnotationsKey, false],
    ['serviceAccountNameKey', options.serviceAccountNameKey, true],
    ['agentTokenVolumeKey', options.agentTokenVolumeKey, true],
  ];
  for (const [field, value, mayBeEmpty] of keys) {
    if (typeof value !== 'string' || (value === '' ? !mayBeEmpty : !/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(value))) {
      problems.push({ field, problem: 'is not a dotted Helm value path', got: value, fix: 'write e.g. "podAnnotations", "serviceAccount.name" or "volumes"' });
    }
  }
  if (typeof options.referenceSuffix !== 'string' || !/^[A-Za-z0-9_-]{0,32}$/.test(options.referenceSuffix)) {
    problems.push({ field: 'referenceSuffix', problem: 'is not a value-name suffix', got: options.referenceSuffix, fix: 'use e.g. "_FILE", or "" to set nothing' });
  }
  if (options.agentTokenVolumeName !== '' && !isDnsLabel(options.agentTokenVolumeName, 63)) {
    problems.push({ field: 'agentTokenVolumeName', problem: 'is not a volume name', got: options.agentTokenVolumeName, fix: 'use a DNS label, e.g. "vault-token", or "" for the pod\'s default token' });
  }
  return { options, problems };
}

/** Escape a Helm `--set` key segment: `.`, `,`, `=`, `[`, `]` and `\` are syntax there. */
export function helmSetKey(segment: string): string {
  return segment.replace(/[\\.,=[\]]/g, m => `\\${m}`);
}

/**
 * Escape a value for Helm's `--set`/`--set-string` parser (Helm's strvals), which splits on `,`, reads `\` as an
 * escape and a leading `{` as a list: the chart then receives exactly `value`. Terraform's helm provider and Argo CD
 * both hand `name=value` to that parser.
 */
export function helmSetValue(value: string): string {
  const escaped = value.replace(/[\\,]/g, m => `\\${m}`);
  return escaped.startsWith('{') ? `\\${escaped}` : escaped;
}

/** A file name under /vault/secrets for a value path: `env.DATABASE_URL` → `env-database-url` (hash-suffixed if long). */
function fileNameFor(valuePath: string): string {
  const slug = valuePath.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
  return composeName([slug], FILE_NAME_MAX);
}

/**
 * The exact service accounts the tenant's Kubernetes auth role is bound to (V07), sorted: one per module (named after
 * the module: `serviceAccount.name`) and `extra` (VaultBootstrap's `serviceAccountNames`). Schema-migration hooks log
 * in with their own role (`<tenant>-migrate`, src/model/migration-names.ts), not this one.
 */
export function tenantRoleServiceAccounts(env: Environment, tenant: Tenant, extra: readonly string[] = []): string[] {
  // cdk8s-plus workloads that read secrets in this environment log in as the tenant role with their own account.
  const workloads = workloadsIn(env, tenant).filter(w => (w.secrets ?? []).length > 0).map(w => w.name);
  return [...new Set([...tenant.modules.map(m => m.name), ...workloads, ...extra])].sort();
}

/** What a cdk8s-plus workload's pods receive to read their Vault secrets (src/k8s/tenant-workload.ts applies it). */
export interface WorkloadVaultDelivery {
  /** Pod annotations of the Vault agent injector: login, one secret and template per file; empty without secrets. */
  readonly annotations: { [key: string]: string };
  /** Environment variables of every container: `<name>_FILE` → `/vault/secrets/<file>`. */
  readonly env: { [name: string]: string };
  /** Every resolved reference (the tenant policy must grant each). */
  readonly grants: ResolvedVaultRef[];
  /** Every problem, each on its secret's field. */
  readonly problems: ModuleValueProblem[];
}

/**
 * The Vault delivery of a cdk8s-plus workload, rendered as the Helm modules' (`renderSecretValue`, the same agent
 * templates and login): the workload's pods log in as the tenant's role with the workload's service account and a
 * projected token named `tokenVolumeName` (audience: the environment's `vaultTokenAudience`).
 */
export function workloadVaultDelivery(
  env: Environment, tenant: Tenant, w: TenantWorkloadProps, where: string, tokenVolumeName: string,
): WorkloadVaultDelivery {
  const annotations: { [key: string]: string } = {};
  const vars: { [name: string]: string } = {};
  const grants: ResolvedVaultRef[] = [];
  const problems: ModuleValueProblem[] = [];
  (w.secrets ?? []).forEach((s, i) => {
    const rendered = renderSecretValue(env, tenant, `${where}.secrets[${i}].reference`, s.name, [{ ref: s.reference }]);
    if (rendered.problems.length > 0) return void problems.push(...rendered.problems);
    const file = fileNameFor(s.name);
    grants.push(...rendered.refs);
    annotations[`vault.hashicorp.com/agent-inject-secret-${file}`] = rendered.refs[0].path;
    annotations[`vault.hashicorp.com/agent-inject-template-${file}`] = rendered.template;
    vars[`${s.name}_FILE`] = `${VAULT_AGENT_SECRETS_DIR}/${file}`;
  });
  if (Object.keys(annotations).length > 0) {
    Object.assign(annotations, vaultAgentLoginAnnotations(env, tenant, tokenVolumeName), { 'vault.hashicorp.com/agent-init-first': 'true' });
  }
  return { annotations, env: vars, grants, problems };
}

/**
 * The injector annotations with which a pod of the tenant logs in: the tenant's role on the environment's
 * Kubernetes auth mount, with the projected token named `tokenVolumeName` ('' = the pod's default token).
 */
export function vaultAgentLoginAnnotations(env: Environment, tenant: Tenant, tokenVolumeName: string): { [key: string]: string } {
  const names = tenantVaultNames(env, tenant);
  return {
    'vault.hashicorp.com/agent-inject': 'true',
    'vault.hashicorp.com/role': names.kubernetesAuthRole,
    'vault.hashicorp.com/auth-path': `auth/${names.kubernetesAuthMount}`,
    ...(tokenVolumeName ? { 'vault.hashicorp.com/agent-service-account-token-volume-name': tokenVolumeName } : {}),
  };
}

/** The projected service-account-token volume for the environment's Vault audience (a Kubernetes `Volume`). */
export function vaultTokenVolume(
  env: Environment, name: string,
): { name: string; projected: { sources: Array<{ serviceAccountToken: { audience: string; path: string } }> } } {
  return { name, projected: { sources: [{ serviceAccountToken: { audience: env.vaultTokenAudience, path: 'token' } }] } };
}

/** What a value with references renders to: the agent template and its resolved references, or the problems. */
export interface RenderedSecretValue {
  readonly refs: ResolvedVaultRef[];
  readonly template: string;
  readonly problems: ModuleValueProblem[];
}

/**
 * The Vault Agent template of one value made of literal text and references (`parts` from `VaultRef.split`):
 *
 * - a reference with a key renders that field (`index .Data "<key>"`; KV v2 under `.Data.data`);
 * - a database-credentials reference without a key that is the whole value of a value named `..._URL`, `..._URI` or
 *   `..._DSN` renders a PostgreSQL DSN: user and password from the lease, host, port and `sslmode` from the
 *   environment's `database` (what Vault's connection uses) and the tenant's database name (`tenantVaultNames`);
 * - any other reference without a key renders the secret's data as JSON.
 */
export function renderSecretValue(
  env: Environment, tenant: Tenant, field: string, valuePath: string, parts: VaultTemplatePart[],
): RenderedSecretValue {
  const problems: ModuleValueProblem[] = [];
  const resolved = new Map<VaultRef, ResolvedVaultRef>();
  for (const p of parts) {
    if (p.ref === undefined) continue;
    const r = resolveVaultRef(p.ref, env, tenant);
    for (const issue of r.issues) problems.push({ field, problem: issue.problem, got: issue.got, fix: issue.fix });
    if (r.resolved) resolved.set(p.ref, r.resolved);
  }
  const names = tenantVaultNames(env, tenant);
  for (const r of resolved.values()) {
    if (r.path.startsWith(`${names.kvBackupDataPrefix}/`)) {
      problems.push({ field, problem: `reads the backup's object-store keys under ${names.kvBackupDataPrefix}/, which only the backup role may read`, got: r.reference, fix: 'store the module\'s secret elsewhere under the tenant prefix, e.g. kv/data/<module>/...' });
    }
  }
  if (problems.length > 0) return { refs: [], template: '', problems };
  const refs = parts.filter(p => p.ref !== undefined);
  const whole = refs.length === 1 && parts.length === 1 ? resolved.get(refs[0].ref!)! : undefined;
  const lastSegment = valuePath.split('.').pop()!.replace(/\[\d+\]$/, '');
  if (whole && whole.engine === VaultEngine.DATABASE && whole.key === undefined && URL_NAME.test(lastSegment)) {
    const db = env.database;
    if (!db) {
      problems.push({
        field,
        problem: `renders a database URL, but environment "${env.name}" declares no database server`,
        got: whole.reference,
        fix: 'set database: { host } on the Environment (the server Vault\'s connection uses), or select one field with a key, e.g. {{ vault(\'database/creds/tenant-db\', \'password\') }}',
      });
      return { refs: [], template: '', problems };
    }
    const dsn = `postgresql://{{ .Data.username | urlquery }}:{{ .Data.password | urlquery }}@${db.host}:${db.port}/${names.databaseName}?sslmode=${db.sslMode}`;
    return { refs: [whole], template: `{{ with secret ${JSON.stringify(whole.path)} }}${dsn}{{ end }}`, problems };
  }
  const template = parts.map(p => {
    if (p.ref === undefined) {
      const text = p.text!;
      return /\{\{|\}\}/.test(text) ? `{{ ${JSON.stringify(text)} }}` : text;
    }
    const r = resolved.get(p.ref)!;
    const data = r.engine === VaultEngine.KV ? '.Data.data' : '.Data';
    const body = r.key === undefined ? `{{ ${data} | toJSON }}` : `{{ index ${data} ${JSON.stringify(r.key)} }}`;
    return `{{ with secret ${JSON.stringify(r.path)} }}${body}{{ end }}`;
  }).join('');
  return { refs: [...resolved.values()], template, problems };
}

/** Options of `moduleHelmValues` that only an engine knows. */
export interface ModuleValueHooks {
  /** Values passed on untouched (e.g. unresolved cdktf tokens): neither parsed nor scanned. */
  readonly isOpaque?: (value: string) => boolean;
  /** Further checks of a plain or referencing value (isolation, V12). */
  readonly check?: (value: string) => Array<{ problem: string; fix: string }>;
}

/**
 * The Helm values of one tenant module, as both delivery paths install it. `where` prefixes every problem's field
 * (`modules[0]`). Never throws: the problems are returned, each with its value's field.
 */
export function moduleHelmValues(
  env: Environment, tenant: Tenant, m: TenantModuleProps, where: string, o: ResolvedSecretDeliveryOptions, hooks: ModuleValueHooks = {},
): ModuleHelmValues {
  const problems: ModuleValueProblem[] = [];
  const names: TenantVaultNames = tenantVaultNames(env, tenant);
  const { entries, problems: entryProblems } = moduleValueEntries(m, where);
  problems.push(...entryProblems);
  const byPath = new Map(entries.map(e => [e.path, e]));
  const plain = new Map<string, string>();
  const typed = new Set<string>();
  const annotations = new Map<string, string>();
  const files = new Set<string>();
  const deliveries: SecretDeliveryRequest[] = [];
  const grants: ResolvedVaultRef[] = [];
  const add = (field: string, problem: string, got: unknown, fix: string) => problems.push({ field, problem, got, fix });
  const suffix = o.referenceSuffix;
  const volumeKey = o.secretDelivery === SecretDelivery.VAULT_AGENT_INJECTOR && o.agentTokenVolumeName ? o.agentTokenVolumeKey : '';

  for (const entry of entries) {
    const key = entry.path;
    const value = entry.value;
    const field = entry.field;
    if (entry.typed) {
      if (volumeKey && (key === volumeKey || key.startsWith(`${volumeKey}[`) || key.startsWith(`${volumeKey}.`))) {
        add(field, `is also set by the Vault token volume in "${volumeKey}"`, key, `remove it, or set agentTokenVolumeKey to "" and mount a projected token named "${o.agentTokenVolumeName}" in the chart`);
        continue;
      }
      plain.set(key, value);
      typed.add(key);
      continue;
    }
    // Structured keys are escaped by moduleValueEntries; a flat key is written by hand and must be a dotted path.
    if (field.startsWith(`${where}.values[`) && !HELM_VALUE_PATH.test(key)) {
      add(field, 'has a key that is not a dotted Helm value path', key, 'write nested keys with dots, e.g. "env.DATABASE_URL" (list items as "hosts[0]")');
      continue;
    }
    if (typeof value !== 'string') {
      add(field, 'is not a string', value, 'write every value as a string; Helm receives it as a string');
      continue;
    }
    if (hooks.isOpaque?.(value)) {
      plain.set(key, value);
      continue;
    }
    if (o.serviceAccountNameKey && key === o.serviceAccountNameKey && value !== m.name) {
      add(field, `names service account "${value}" instead of the module name "${m.name}"`, value, 'remove it: the tenant\'s Vault role is bound to the module name (V07)');
      continue;
    }
    if (volumeKey && (key === volumeKey || key.startsWith(`${volumeKey}[`) || key.startsWith(`${volumeKey}.`))) {
      add(field, `is also set by the Vault token volume in "${volumeKey}"`, key, `remove it, or set agentTokenVolumeKey to "" and mount a projected token named "${o.agentTokenVolumeName}" in the chart`);
      continue;
    }
    for (const v of hooks.check?.(value) ?? []) add(field, v.problem, value, v.fix);
    let parts: VaultTemplatePart[];
    try {
      parts = VaultRef.split(value);
    } catch (e) {
      if (!(e instanceof LifecycleValidationError)) throw e;
      // Re-home the reference problems on this field, keeping their wording.
      for (const line of e.problems) problems.push({ field, problem: '', got: undefined, fix: '', formatted: line.replace(/^VaultRef: /, '') });
      continue;
    }
    if (!parts.some(p => p.ref !== undefined)) {
      const lastKey = key.split('.').pop()!.replace(/\[\d+\]$/, '');
      const found = detectSecretsInValue(lastKey, value);
      if (found.length > 0) {
        add(field, `holds a literal secret (rule ${found[0].ruleId})`, '<redacted>', `store it in Vault and write {{ vault('kv/data/${m.name}', '${lastKey}') }} (V14, B13: no secrets in values)`);
      } else {
        plain.set(key, value);
      }
      continue;
    }
    const shadowed = suffix ? byPath.get(`${key}${suffix}`) : undefined;
    if (shadowed) {
      add(shadowed.field, `is also set by the reference in "${key}"`, shadowed.value, `remove it: it is set to where the secret of "${key}" is delivered`);
    }
    const rendered = renderSecretValue(env, tenant, field, key, parts);
    if (rendered.problems.length > 0) {
      problems.push(...rendered.problems);
      continue;
    }
    grants.push(...rendered.refs);
    let file = fileNameFor(key);
    if (files.has(file)) file = composeName([file.slice(0, FILE_NAME_MAX - 7).replace(/-+$/, ''), shortHash(key)], FILE_NAME_MAX);
    files.add(file);
    const target = o.secretDelivery === SecretDelivery.EXTERNAL_SECRETS ? composeName([m.name, file], NAME_LIMITS.service) : file;
    deliveries.push({ module: m.name, valuePath: key, namespace: names.namespace, target, refs: rendered.refs, agentTemplate: rendered.template });
    if (o.secretDelivery === SecretDelivery.VAULT_AGENT_INJECTOR) {
      annotations.set(`vault.hashicorp.com/agent-inject-secret-${file}`, rendered.refs[0].path);
      annotations.set(`vault.hashicorp.com/agent-inject-template-${file}`, rendered.template);
      if (suffix) plain.set(`${key}${suffix}`, `${VAULT_AGENT_SECRETS_DIR}/${file}`);
    } else if (suffix) {
      plain.set(`${key}${suffix}`, target);
    }
  }
  if (annotations.size > 0) {
    for (const [k, v] of Object.entries(vaultAgentLoginAnnotations(env, tenant, o.agentTokenVolumeName))) annotations.set(k, v);
    annotations.set('vault.hashicorp.com/agent-init-first', 'true');
  }
  if (o.serviceAccountNameKey && m?.name) plain.set(o.serviceAccountNameKey, m.name);

  const parameters: HelmParameter[] = [];
  // Replica counts are numbers to the chart in both paths (checked whole numbers: module-operations.ts).
  const replicaKeys = new Set(m?.name ? replicaKeysOf(m) : []);
  for (const key of [...plain.keys()].sort()) {
    parameters.push({ name: key, value: plain.get(key)!, ...(typed.has(key) || replicaKeys.has(key) ? { typed: true } : {}) });
  }
  for (const key of [...annotations.keys()].sort()) parameters.push({ name: `${o.podAnnotationsKey}.${helmSetKey(key)}`, value: annotations.get(key)! });
  if (annotations.size > 0 && volumeKey) {
    const volume = vaultTokenVolume(env, o.agentTokenVolumeName);
    const token = `${volumeKey}[0].projected.sources[0].serviceAccountToken`;
    parameters.push(
      { name: `${volumeKey}[0].name`, value: volume.name },
      { name: `${token}.audience`, value: volume.projected.sources[0].serviceAccountToken.audience },
      { name: `${token}.path`, value: volume.projected.sources[0].serviceAccountToken.path },
    );
  }
  return { parameters, deliveries, grants, problems };
}

/**
 * W08, a wiring rule between the Vault paths generated pods read and the Vault configuration of the stacks (issue 24
 * item 4, "Vault paths in annotations ↔ policies ↔ mounts/roles").
 *
 * W03 already checks that the role a workload logs in with exists and binds its service account, W04 the token
 * audience; V01/V02 check what a policy may grant. None checks that the secrets a pod asks the agent for are
 * readable: a path no attached policy grants `read` on, or under no mount the stack creates, makes the agent's
 * init container fail with 403 (or "no handler for route") and the pod never starts. W08 adds exactly that:
 *
 * - every `vault.hashicorp.com/agent-inject-secret-<name>` path, and every `secret "<path>"` of an
 *   `agent-inject-template-<name>`, of a pod template, module release (`helm_release` set values) or Argo CD
 *   Application that logs in with a role of a stack in the input (the same workloads as W03),
 * - is granted `read` by the `vault_policy` documents the role's `token_policies` attach (evaluated as Vault does:
 *   exact paths, `*` prefix globs and `+` segment wildcards, the most specific matching path wins, `deny` wins),
 * - and lies under a mount of the stack: a KV v2 mount in its `<mount>/data/<path>` form, a KV v1 mount as is, or a
 *   database mount as `<mount>/creds/<role>` with a `vault_database_secret_backend_role` of that name on it.
 *
 * A login whose role does not resolve is W03's finding and is skipped here.
 */
import { list, parsedVaultPolicy } from './common';
import { resolvedLogins, ResolvedLogin } from './wiring';
import { VAULT_AGENT_ANNOTATION, vaultAgentReads } from '../../model/vault-agent-annotations';
import { TerraformResource } from '../contents';
import { PolicyContext, PolicyRule, ref, Report, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';
import { VaultPolicyPath } from '../vault-hcl';

const ANNOTATION = VAULT_AGENT_ANNOTATION;
/** A Terraform reference to an attribute of a resource (`${vault_policy.X.name}`). */
const REFERENCE = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/;

/** A resource of the stack a value refers to (`${type.name.attr}`), or whose `name`/`path` is the literal value. */
function resolve(ctx: PolicyContext, environment: string, type: string, value: unknown, literalKey: string): TerraformResource | undefined {
  const text = String(value ?? '');
  const m = REFERENCE.exec(text);
  if (m) return m[1] === type ? resourcesBy(ctx, environment, type, undefined).get(m[2]) : undefined;
  return resourcesBy(ctx, environment, type, literalKey).get(trimSlashes(text));
}

/**
 * The environment's resources of a type by name (`key` undefined) or by the value of a field, the first one where
 * several share it. Indexed once per evaluation: every login resolves its policies and roles here, and a scan of
 * the environment's resources per login made W08 quadratic in the tenants (docs/performance.md).
 */
function resourcesBy(ctx: PolicyContext, environment: string, type: string, key: string | undefined): Map<string, TerraformResource> {
  return ctx.memo(`wiring-vault-index\0${environment}\0${type}\0${key ?? ''}`, () => {
    const index = new Map<string, TerraformResource>();
    for (const r of ctx.tf(type)) {
      if (r.environment !== environment) continue;
      const k = key === undefined ? r.name : trimSlashes(String(r.body?.[key] ?? ''));
      if (!index.has(k)) index.set(k, r);
    }
    return index;
  });
}

function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}

/** Does a Vault policy path pattern match a request path (`*` only at the end, `+` one whole segment)? */
export function vaultPathMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const parts = body.split('/');
  const target = path.split('/');
  if (glob ? target.length < parts.length : target.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    if (parts[i] === '+') {
      if (target[i] === '' && !(glob && last)) return false;
      continue;
    }
    if (last && glob) return target.slice(i).join('/').startsWith(parts[i]);
    if (parts[i] !== target[i]) return false;
  }
  return true;
}

/**
 * Vault's priority between two patterns that match the same path (the "Priority matching" rules of the policy
 * docs): negative when `a` is less specific than `b`.
 */
function compareSpecificity(a: string, b: string): number {
  const firstWild = (p: string) => { const i = p.search(/[+*]/); return i < 0 ? Infinity : i; };
  if (firstWild(a) !== firstWild(b)) return firstWild(a) - firstWild(b);
  if (a.endsWith('*') !== b.endsWith('*')) return a.endsWith('*') ? -1 : 1;
  const plus = (p: string) => p.split('/').filter(s => s === '+').length;
  if (plus(a) !== plus(b)) return plus(b) - plus(a);
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The capabilities a set of policies grants on a path: the union of the blocks of the most specific matching pattern. */
export function capabilitiesOn(paths: readonly VaultPolicyPath[], path: string): { pattern: string | undefined; capabilities: string[] } {
  const matching = paths.filter(p => vaultPathMatches(p.path, path));
  if (matching.length === 0) return { pattern: undefined, capabilities: [] };
  const best = matching.map(p => p.path).sort(compareSpecificity).pop()!;
  const caps = new Set(matching.filter(p => p.path === best).flatMap(p => p.capabilities));
  return { pattern: best, capabilities: caps.has('deny') ? ['deny'] : [...caps].sort() };
}

/** A secrets engine mount of a stack. */
interface Mount {
  readonly resource: TerraformResource;
  readonly path: string;
  readonly kind: 'kv1' | 'kv2' | 'database' | 'other';
}

/**
 * The environment whose stack holds the Vault mounts and policies an environment's pods read through: its own, unless
 * the input names another (`PolicyInput.useVaultHost`): a preview's stack holds roles only (V15) and reads through the
 * mounts and templated policies of the previews' host stack (`PreviewVaultHost`, docs/vault.md "Previews: roles
 * only"), which `Platform.synth` names for every preview.
 */
function vaultEnvironmentOf(ctx: PolicyContext, environment: string): string {
  return ctx.vaultHostOf(environment) ?? environment;
}

/**
 * Why an environment's reads may lack their mounts and policies: its own stack mounts no secrets engine and the input
 * names no stack it reads through (a preview whose host is not named), or undefined.
 */
function missingVaultHost(ctx: PolicyContext, environment: string): string | undefined {
  if (ctx.vaultHostOf(environment) !== undefined || mounts(ctx, environment).length > 0) return undefined;
  return `the ${environment} stack mounts no secrets engine and the input names no environment whose stack holds the mounts and policies it reads through (a preview's stack creates roles only: PolicyInput.useVaultHost("${environment}", "<host>"), which Platform.synth sets for every preview)`;
}

/** A policy's text as Vault evaluates it for a login from `namespace` (the host's templated preview policies). */
function policyTextFor(text: string, namespace: string | undefined): string {
  return namespace === undefined ? text
    : text.replace(/\{\{identity\.entity\.aliases\..*?\.metadata\.service_account_namespace\}\}/g, namespace);
}

function mounts(ctx: PolicyContext, stackEnvironment: string): Mount[] {
  const environment = vaultEnvironmentOf(ctx, stackEnvironment);
  return ctx.memo(`wiring-vault-mounts-${environment}`, () => ctx.tf('vault_mount', 'vault_database_secrets_mount')
    .filter(r => r.environment === environment && typeof r.body?.path === 'string')
    .map(r => {
      const type = r.type === 'vault_database_secrets_mount' ? 'database' : String(r.body?.type ?? '');
      const version = String(r.body?.options?.version ?? (type === 'kv-v2' ? '2' : '1'));
      const kind = type === 'database' ? 'database' : type === 'kv' || type === 'kv-v2' ? (version === '2' ? 'kv2' : 'kv1') : 'other';
      return { resource: r, path: String(r.body.path).replace(/^\/+|\/+$/g, ''), kind } as Mount;
    })
    // The longest mount path first: Vault routes a request to the most specific mount.
    .sort((a, b) => b.path.length - a.path.length));
}

/** Why a path lies under no usable mount of the stack, or undefined when it does. */
function mountProblem(ctx: PolicyContext, environment: string, path: string): { problem: string; fix: string } | undefined {
  const mount = mounts(ctx, environment).find(m => path === m.path || path.startsWith(`${m.path}/`));
  const noHost = missingVaultHost(ctx, environment);
  if (!mount && noHost) return { problem: `lies under no secrets engine mount: ${noHost}`, fix: `name the environment whose stack mounts the engines with PolicyInput.useVaultHost("${environment}", "<host>")` };
  if (!mount) {
    return {
      problem: `lies under no secrets engine mount of the ${environment} stack (it mounts ${JSON.stringify(mounts(ctx, environment).map(m => m.path).sort())})`,
      fix: 'read a path under a mount the stack creates (VaultBootstrap), or mount the engine',
    };
  }
  const rest = path.slice(mount.path.length + 1);
  if (mount.kind === 'kv2' && !rest.startsWith('data/')) {
    return {
      problem: `is under KV v2 mount ${mount.path} (${mount.resource.resource}) without its data/ segment, so the agent reads nothing there`,
      fix: `read ${mount.path}/data/${rest}`,
    };
  }
  if (mount.kind === 'database') {
    const m = /^(?:creds|static-creds)\/([^/]+)$/.exec(rest);
    if (!m) return { problem: `is under database mount ${mount.path} (${mount.resource.resource}) but not of the form ${mount.path}/creds/<role>`, fix: `read ${mount.path}/creds/<role>` };
    const vaultEnvironment = vaultEnvironmentOf(ctx, environment);
    const roles = databaseRolesNamed(ctx, environment).get(m[1]) ?? [];
    const onMount = roles.filter(r => {
      const backend = resolve(ctx, environment, 'vault_mount', r.body?.backend, 'path') ?? resolve(ctx, environment, 'vault_database_secrets_mount', r.body?.backend, 'path')
        ?? resolve(ctx, vaultEnvironment, 'vault_mount', r.body?.backend, 'path') ?? resolve(ctx, vaultEnvironment, 'vault_database_secrets_mount', r.body?.backend, 'path');
      return backend === mount.resource;
    });
    if (onMount.length === 0) {
      return {
        problem: `asks database mount ${mount.path} (${mount.resource.resource}) for role "${m[1]}", which no vault_database_secret_backend_role of the ${environment} stack defines on that mount`,
        fix: `create the database role "${m[1]}" on ${mount.path}, or read the role the stack defines`,
      };
    }
  }
  return undefined;
}

/** The environment's database roles (dynamic and static) by their `name`, indexed once per evaluation. */
function databaseRolesNamed(ctx: PolicyContext, environment: string): Map<string, TerraformResource[]> {
  return ctx.memo(`wiring-vault-database-roles\0${environment}`, () => {
    const index = new Map<string, TerraformResource[]>();
    for (const r of ctx.tf('vault_database_secret_backend_role', 'vault_database_secret_backend_static_role')) {
      if (r.environment !== environment) continue;
      const name = r.body?.name;
      if (typeof name !== 'string') continue;
      const named = index.get(name);
      if (named) named.push(r);
      else index.set(name, [r]);
    }
    return index;
  });
}

/** The policies a role attaches, resolved to the stack's `vault_policy` resources (unresolved names listed apart). */
function attachedPolicies(ctx: PolicyContext, role: TerraformResource): { found: TerraformResource[]; names: string[]; missing: string[] } {
  const found: TerraformResource[] = [];
  const names: string[] = [];
  const missing: string[] = [];
  for (const value of list(role.body?.token_policies ?? role.body?.policies)) {
    const policy = resolve(ctx, role.environment, 'vault_policy', value, 'name')
      ?? resolve(ctx, vaultEnvironmentOf(ctx, role.environment), 'vault_policy', value, 'name');
    if (policy) {
      found.push(policy);
      names.push(String(policy.body?.name ?? policy.name));
    } else {
      missing.push(String(value));
    }
  }
  return { found, names, missing };
}

function annotationField(l: ResolvedLogin['login'], key: string): string {
  const role = `${ANNOTATION}role`;
  return l.field.includes(role) ? l.field.replace(/\[\d+\] \(/, ' (').replace(role, key) : `${l.field} (${key})`;
}

function checkLogin(r: ResolvedLogin, report: Report, ctx: PolicyContext): void {
  const { login: l, role } = r;
  if (!role) return;
  const { found, names, missing } = attachedPolicies(ctx, role);
  const paths = found.flatMap(p => parsedVaultPolicy(ctx, policyTextFor(String(p.body?.policy ?? ''), l.namespace)).paths);
  for (const read of vaultAgentReads(l.annotations)) {
    const field = annotationField(l, read.key);
    const where = mountProblem(ctx, l.environment, read.path);
    if (where) report(field, `reads Vault path "${read.path}", which ${where.problem}`, read.path, where.fix);
    const granted = capabilitiesOn(paths, read.path);
    if (!granted.capabilities.includes('read') || granted.capabilities.includes('deny')) {
      const by = granted.pattern === undefined
        ? 'no path of them matches it'
        : `their most specific match "${granted.pattern}" grants ${JSON.stringify(granted.capabilities)}`;
      const noHost = missingVaultHost(ctx, l.environment);
      const unresolved = missing.length > 0 ? `; ${JSON.stringify(missing)} resolve to no vault_policy of the stack${noHost ? ` (${noHost})` : ''}` : '';
      report(field, `reads Vault path "${read.path}", which the policies of Vault role "${l.role}" (${role.resource}: ${JSON.stringify(names)}) do not grant read: ${by}${unresolved}`, read.path,
        `grant read on "${read.path}" in a policy the role attaches (token_policies), or log in with the role whose policy grants it`);
    }
  }
}

const W08 = rule<ResolvedLogin>({
  id: 'W08',
  severity: PolicySeverity.ERROR,
  title: 'Every Vault path a workload reads is granted read by its role\'s policies and lies under a mount of the stack',
  description: 'Each path of vault.hashicorp.com/agent-inject-secret-* (and each secret "<path>" of agent-inject-template-*) of a pod, module release or Argo CD Application is granted read by a vault_policy the Kubernetes auth role attaches (token_policies; exact, * and + patterns, most specific match, deny wins), and lies under a mount the stack creates: KV v2 paths in their data/ form, database paths as creds/<role> of a vault_database_secret_backend_role on that mount. Otherwise the agent\'s init container fails with permission denied and the pod never starts.',
  targets: [PolicyTarget.KUBERNETES, PolicyTarget.TERRAFORM],
  references: [ref('Vault', 'Policies: priority matching, + and * wildcards'), ref('Vault', 'Agent injector annotations: agent-inject-secret, agent-inject-template'), ref('Vault', 'KV v2: data/ paths; database secrets engine: creds/<role>')],
  // Logins whose role does not resolve are W03's findings.
  subjects: ctx => resolvedLogins(ctx).filter(r => r.role !== undefined && vaultAgentReads(r.login.annotations).length > 0),
  where: ({ login: l }) => ({ resource: l.resource, file: l.file }),
  check: (r, report, ctx) => checkLogin(r, report, ctx),
});

/** W08. */
export const VAULT_WIRING_RULES: PolicyRule[] = [W08];

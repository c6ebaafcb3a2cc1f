import type { Environment } from './environment';
import { composeName, dnsLabelProblem, environmentScopedName, NAME_LIMITS } from './naming';
import { Problems } from './problems';
import { TenantSharding, TenantShardingProps, TerraformStackLayout, terraformStackLayout } from './sharding';
import type { Tenant } from './tenant';

/**
 * Every name the library makes, in one place (docs/architecture.md "Names"): the Kubernetes engine, the Terraform
 * engine, the lifecycle inventory, the decommission plans, the workflows, the CLI and the policy pack take their
 * names from here and never compose one themselves, so that what Terraform creates is what a plan removes.
 *
 * Fixed names are free functions of the environment and tenant names. The few names a platform may change are the
 * patterns of `LifecycleNamingOptions`, resolved once into `LifecycleNames`, which the Platform hands to every part.
 *
 * Names that contain the environment differ between environments in the environment part only (for environment
 * names of at most STABLE_ENVIRONMENT_NAME_LENGTH characters and tenant ids of at most 40): see
 * `environmentScopedName`. Objects inside a tenant's namespace do not repeat the environment (the namespace has it).
 */

/** The default approval GitHub environments (two-step approval, spec §8). */
export const DEFAULT_APPROVAL_ENVIRONMENTS: readonly string[] = Object.freeze(['decommission-approval-1', 'decommission-approval-2']);

/** The namespace of a tenant in an environment: `<env>-<tenant>`, ≤ 63 characters. */
export function tenantNamespaceName(env: string, tenant: string): string {
  return environmentScopedName(env, ['', `-${tenant}`], NAME_LIMITS.namespace);
}

/**
 * The Argo CD Application of a tenant module: `<env>-<tenant>-<module>`, ≤ 63 characters (Argo CD puts the name in a
 * label). Applications of every environment may share Argo CD's namespace, hence the environment.
 */
export function argoCdApplicationName(env: string, tenant: string, module: string): string {
  return environmentScopedName(env, ['', `-${tenant}-${module}`], NAME_LIMITS.label);
}

/** The Argo CD AppProject of a tenant in an environment: `<env>-<tenant>`, ≤ 63 characters. */
export function argoCdProjectName(env: string, tenant: string): string {
  return environmentScopedName(env, ['', `-${tenant}`], NAME_LIMITS.label);
}

/** The Helm release of an environment-wide chart (`platform`, ≤ 20 characters): `<env>-<chart>`, ≤ 53 characters. */
export function environmentChartReleaseName(env: string, chart: string): string {
  return environmentScopedName(env, ['', `-${chart}`], NAME_LIMITS.helmRelease);
}

/** Suffix of the restore-drill CronJob next to a tenant's backup CronJob. */
export const RESTORE_DRILL_SUFFIX = '-restore-drill';

/** The backup CronJobs of a tenant. */
export interface BackupCronJobNames {
  /** The daily backup CronJob. */
  readonly cronJob: string;
  /** The restore-drill CronJob. */
  readonly restoreDrillCronJob: string;
}

/**
 * A tenant's backup CronJobs in its namespace: `backup-<tenant>` (its ServiceAccount, scripts ConfigMap and egress
 * NetworkPolicy are named after it) and `backup-<tenant>-restore-drill`, hash-suffixed so that the drill still fits
 * the CronJob limit of 52. No environment: the namespace has it, and the names are the same in every environment.
 * Shared by BackupSchedule, the inventory and the decommission plan so that they can never disagree. The `backup-`
 * prefix is what the ObservabilityStack's backup alerts watch (`backupCronJobPattern`).
 */
export function backupJobNames(tenant: string): BackupCronJobNames {
  const cronJob = composeName(['backup', tenant], NAME_LIMITS.cronJob - RESTORE_DRILL_SUFFIX.length);
  return { cronJob, restoreDrillCronJob: `${cronJob}${RESTORE_DRILL_SUFFIX}` };
}

/**
 * A tenant's volume-snapshot CronJob in its namespace, `<backup cronjob>-snapshots` (≤ 48 characters): it matches the
 * backup alerts' `backup-.+` pattern. Shared by VolumeSnapshotSchedule, the inventory and the decommission plan.
 */
export function volumeSnapshotCronJobName(tenant: string): string {
  return `${backupJobNames(tenant).cronJob}-snapshots`;
}

/**
 * A PostgreSQL role of a tenant's database besides those above, `<env>_<tenant>_<role>` (≤ 63 bytes, hash-suffixed
 * if shortened): the owner and the marker group of the users Vault issued (`TenantDatabaseNames`).
 */
export function tenantDatabaseRoleName(env: string, tenant: string, role: string): string {
  return postgresName(env, ['', `-${tenant}-${role}`]);
}

/** Vault and PostgreSQL names of a tenant's backup access. */
export interface BackupVaultRoleNames {
  /** Kubernetes auth role (and policy) of the backup ServiceAccount, `<env>-<tenant>-backup`. */
  readonly authRole: string;
  /** Read-only database role of the dumps, `<tenant>-backup`. */
  readonly dumpDatabaseRole: string;
  /** Database role of the restore drills, `<tenant>-drill`. */
  readonly drillDatabaseRole: string;
  /** PostgreSQL group role of the dump users, `<env>_<tenant>_backup`. */
  readonly dumpGroupRole: string;
  /** PostgreSQL group role of the drill users, `<env>_<tenant>_drill`. */
  readonly drillGroupRole: string;
}

/**
 * Vault names of a tenant's backup access: the Kubernetes auth role of the backup ServiceAccount and the two dynamic
 * database roles (read-only dumps, restore drills) with their PostgreSQL group roles. Shared by BackupSchedule,
 * VaultBootstrap, the inventory and the decommission plan.
 */
export function backupVaultRoleNames(env: string, tenant: string): BackupVaultRoleNames {
  return {
    authRole: `${env}-${tenant}-backup`,
    dumpDatabaseRole: `${tenant}-backup`,
    drillDatabaseRole: `${tenant}-drill`,
    dumpGroupRole: postgresName(env, ['', `-${tenant}-backup`]),
    drillGroupRole: postgresName(env, ['', `-${tenant}-drill`]),
  };
}

/** Vault names of one environment: mounts and the environment policy (V12: one mount per environment). */
export interface EnvironmentVaultNames {
  /** KV v2 mount, `kv-<env>`. */
  readonly kvMount: string;
  /** Database secrets engine mount, `database-<env>`. */
  readonly databaseMount: string;
  /** Cache credentials mount, `cache-<env>` (not created by this library). */
  readonly cacheMount: string;
  /** Kubernetes auth mount, `kubernetes-<env>` (login path `auth/kubernetes-<env>`). */
  readonly kubernetesAuthMount: string;
  /** The environment policy, `env-<env>`. */
  readonly environmentPolicy: string;
}

/** Vault and database names of one tenant in one environment. Both engines use these; nothing else invents them. */
export interface TenantVaultNames extends EnvironmentVaultNames {
  /** The tenant's namespace (`<env>-<tenant>`, as `Environment.namespaceFor`). */
  readonly namespace: string;
  /** KV data prefix, `kv-<env>/data/<env>/<tenant>`. */
  readonly kvDataPrefix: string;
  /** KV metadata prefix, `kv-<env>/metadata/<env>/<tenant>`. */
  readonly kvMetadataPrefix: string;
  /**
   * KV data prefix of the backup's object-store keys, `kv-<env>/data/<env>/<tenant>/backup`: only the backup role
   * reads it; the tenant policy denies it to the tenant's workloads.
   */
  readonly kvBackupDataPrefix: string;
  /** KV metadata prefix of the backup's keys, `kv-<env>/metadata/<env>/<tenant>/backup` (denied like the data). */
  readonly kvBackupMetadataPrefix: string;
  /** The tenant policy, `env-<env>-tenant-<tenant>`. */
  readonly tenantPolicy: string;
  /** Database connection name inside the database mount, `<tenant>`. */
  readonly databaseConnection: string;
  /** Dynamic database role, `<tenant>-db`. */
  readonly databaseRole: string;
  /** Path of the tenant's dynamic credentials, `database-<env>/creds/<tenant>-db`. */
  readonly databaseCredsPath: string;
  /** Cache role, `<tenant>-cache`. */
  readonly cacheRole: string;
  /** PostgreSQL database of the tenant, `<env>_<tenant>` (`-` → `_`, ≤ 63 bytes, hash-suffixed if shortened). */
  readonly databaseName: string;
  /** PostgreSQL user Vault connects as (its password is rotated by Vault right after creation), `vault_<env>_<tenant>`. */
  readonly databaseAdminUser: string;
  /** PostgreSQL group role holding the tenant's DML privileges, granted to every dynamic user, `<env>_<tenant>_app`. */
  readonly databaseAppRole: string;
  /** Kubernetes auth role of the tenant's workloads, `<tenant>`. */
  readonly kubernetesAuthRole: string;
}

/** Mount and policy names of an environment. */
export function environmentVaultNames(env: Pick<Environment, 'name'>): EnvironmentVaultNames {
  // Previews share the mounts, auth backend and policies their host environment's reviewed stack creates
  // (docs/vault.md "Previews"): a preview's own stack, synthesized from a pull request, adds roles only.
  const e = isPreviewName(env.name) ? PREVIEW_VAULT_SCOPE : env.name;
  return {
    kvMount: `kv-${e}`,
    databaseMount: `database-${e}`,
    cacheMount: `cache-${e}`,
    kubernetesAuthMount: `kubernetes-${e}`,
    environmentPolicy: `env-${e}`,
  };
}

/** Names of every preview environment start with this (`Environment.preview`). */
export const PREVIEW_NAME_PREFIX = 'preview-';
/** The scope of the Vault mounts and policies every preview shares: `kv-preview`, `kubernetes-preview`, … */
export const PREVIEW_VAULT_SCOPE = 'preview';
/** True for the name of a preview environment (`preview-<slug>`). */
export function isPreviewName(env: string): boolean {
  return env.startsWith(PREVIEW_NAME_PREFIX);
}

/**
 * The policies a preview's roles are bound to, created by the host environment's stack from the default branch:
 * templated on the namespace of the service account that logs in, so one policy serves every preview tenant and
 * reaches only that tenant's paths (`PreviewVaultHost` in src/tf/preview-vault-host.ts).
 */
export const PREVIEW_TENANT_POLICY = 'preview-tenant';
/** The preview migration policy (`<namespace>-migrate` credentials of the logged-in namespace). */
export const PREVIEW_MIGRATION_POLICY = 'preview-migrate';

/** The policy of a tenant in an environment, `env-<env>-tenant-<tenant>`. */
export function tenantPolicyName(env: string, tenant: string): string {
  return `env-${env}-tenant-${tenant}`;
}

/** A PostgreSQL identifier of `pieces` around the environment name: `-` becomes `_`, ≤ 63 bytes. */
function postgresName(env: string, pieces: string[]): string {
  return environmentScopedName(env, pieces, NAME_LIMITS.postgresIdentifierBytes).replace(/-/g, '_');
}

/** Vault and database names of a tenant in an environment. */
export function tenantVaultNames(env: Pick<Environment, 'name'>, tenant: Pick<Tenant, 'id'>): TenantVaultNames {
  // A pure function of the two names, asked for many times per tenant (each chart and stack object that names a path):
  // remembered, frozen, in a map cleared when it grows past a bound.
  const key = `${env.name}\u0000${tenant.id}`;
  let names = TENANT_VAULT_NAMES.get(key);
  if (names === undefined) {
    if (TENANT_VAULT_NAMES.size >= TENANT_VAULT_NAMES_LIMIT) TENANT_VAULT_NAMES.clear();
    names = Object.freeze(computeTenantVaultNames(env.name, tenant.id));
    TENANT_VAULT_NAMES.set(key, names);
  }
  return names;
}

const TENANT_VAULT_NAMES = new Map<string, TenantVaultNames>();
const TENANT_VAULT_NAMES_LIMIT = 100_000;

function computeTenantVaultNames(envName: string, tenantId: string): TenantVaultNames {
  const env = { name: envName };
  const tenant = { id: tenantId };
  const base = environmentVaultNames(env);
  const e = env.name;
  const t = tenant.id;
  const namespace = tenantNamespaceName(e, t);
  // A preview's tenant is keyed by its namespace in the shared preview mounts: the host's templated policy grants a
  // token exactly the paths named after the namespace its service account lives in.
  const preview = isPreviewName(e);
  const key = preview ? namespace : t;
  const kvPrefix = preview ? namespace : `${e}/${t}`;
  return {
    ...base,
    namespace,
    kvDataPrefix: `${base.kvMount}/data/${kvPrefix}`,
    kvMetadataPrefix: `${base.kvMount}/metadata/${kvPrefix}`,
    kvBackupDataPrefix: `${base.kvMount}/data/${kvPrefix}/backup`,
    kvBackupMetadataPrefix: `${base.kvMount}/metadata/${kvPrefix}/backup`,
    tenantPolicy: preview ? PREVIEW_TENANT_POLICY : tenantPolicyName(e, t),
    databaseConnection: key,
    databaseRole: `${key}-db`,
    databaseCredsPath: `${base.databaseMount}/creds/${key}-db`,
    cacheRole: `${key}-cache`,
    databaseName: postgresName(e, ['', `-${t}`]),
    databaseAdminUser: postgresName(e, ['vault-', `-${t}`]),
    databaseAppRole: postgresName(e, ['', `-${t}-app`]),
    kubernetesAuthRole: key,
  };
}

/**
 * The names a platform may choose (the lifecycle inventory, the decommission plans, the generated workflows, the
 * Terraform releases and the Argo CD Applications all follow them).
 *
 * Patterns use the placeholders `{env}`, `{tenant}` and `{module}`; nothing else is substituted. Vault mounts,
 * roles and policies and the backup CronJobs are not configurable: VaultBootstrap and BackupSchedule create them
 * under the fixed names above.
 */
export interface LifecycleNamingOptions {
  /**
   * kubeconfig context of an environment's cluster: the default of the Terraform stacks' `kube_context` variable
   * (the Helm provider), and the context of every kubectl/helm command of a plan or workflow.
   * @default '{env}'
   */
  readonly kubeContextPattern?: string;
  /**
   * Helm release of a tenant module, as Terraform installs it or an Argo CD Application names it (≤ 53 characters
   * after substitution, hash-suffixed if longer; V14).
   * @default '{tenant}-{module}'
   */
  readonly helmReleasePattern?: string;
  /**
   * Helm release of a tenant's base chart (its namespace and guard rails), as Terraform installs it.
   * @default '{tenant}-base'
   */
  readonly tenantBaseReleasePattern?: string;
  /**
   * Namespace of the Argo CD Applications and AppProjects.
   * @default 'argocd'
   */
  readonly argoCdNamespace?: string;
  /**
   * Folder of the synthesized Terraform stacks (`<dir>/<env>/cdk.tf.json`).
   * @default 'cdktf.out/stacks'
   */
  readonly terraformStacksDirectory?: string;
  /**
   * Folder of the tenant registries (`<dir>/<env>.json`).
   * @default 'tenants'
   */
  readonly tenantRegistryDirectory?: string;
  /**
   * GitHub environments whose required reviewers approve a decommissioning, in order. A class needing N approvals
   * uses the first N; each environment should have a different reviewer team and "prevent self-review".
   * @default ['decommission-approval-1', 'decommission-approval-2']
   */
  readonly approvalEnvironments?: string[];
  /**
   * Environments whose Terraform is spread over tenant shards, as in `PlatformProps.sharding`: the inventory lists
   * every stack and workspace of them and each tenant's shard, decommission plans destroy every stack (charts,
   * shards, base) and the upgrade workflow applies them in order (base, shards, charts).
   * @default - no environment is sharded: one stack and workspace each
   */
  readonly sharding?: { [environmentName: string]: TenantShardingProps };
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Naming options with defaults applied and every pattern checked once. */
export class LifecycleNames {
  /** Resolve and validate naming options; throws one error listing every problem. */
  public static of(options: LifecycleNamingOptions = {}): LifecycleNames {
    return new LifecycleNames(options);
  }

  /** kubeconfig context pattern. */
  public readonly kubeContextPattern: string;
  /** Helm release pattern of tenant modules. */
  public readonly helmReleasePattern: string;
  /** Helm release pattern of tenant bases. */
  public readonly tenantBaseReleasePattern: string;
  /** Namespace of the Argo CD Applications and AppProjects. */
  public readonly argoCdNamespace: string;
  /** Folder of the synthesized Terraform stacks. */
  public readonly terraformStacksDirectory: string;
  /** Folder of the tenant registries. */
  public readonly tenantRegistryDirectory: string;
  /** The approval GitHub environments, in order. */
  public readonly approvalEnvironments: string[];
  private readonly shardings = new Map<string, TenantSharding>();

  private constructor(options: LifecycleNamingOptions) {
    const problems = new Problems('LifecycleNamingOptions');
    this.kubeContextPattern = options.kubeContextPattern ?? '{env}';
    this.helmReleasePattern = options.helmReleasePattern ?? '{tenant}-{module}';
    this.tenantBaseReleasePattern = options.tenantBaseReleasePattern ?? '{tenant}-base';
    this.argoCdNamespace = options.argoCdNamespace ?? 'argocd';
    this.terraformStacksDirectory = options.terraformStacksDirectory ?? 'cdktf.out/stacks';
    this.tenantRegistryDirectory = options.tenantRegistryDirectory ?? 'tenants';
    this.approvalEnvironments = [...(options.approvalEnvironments ?? DEFAULT_APPROVAL_ENVIRONMENTS)];

    const patterns: Array<[string, string, string[]]> = [
      ['kubeContextPattern', this.kubeContextPattern, ['env']],
      ['helmReleasePattern', this.helmReleasePattern, ['env', 'tenant', 'module']],
      ['tenantBaseReleasePattern', this.tenantBaseReleasePattern, ['env', 'tenant']],
    ];
    for (const [field, pattern, allowed] of patterns) {
      const unknown = typeof pattern === 'string' ? [...pattern.matchAll(PLACEHOLDER)].map(m => m[1]).filter(p => !allowed.includes(p)) : [];
      if (typeof pattern !== 'string' || pattern.length === 0) {
        problems.add(field, 'is empty', pattern, `use placeholders ${allowed.map(a => `{${a}}`).join(', ')}`);
      } else if (unknown.length > 0) {
        problems.add(field, `uses unknown placeholders ${unknown.map(u => `{${u}}`).join(', ')}`, pattern, `use only ${allowed.map(a => `{${a}}`).join(', ')}`);
      } else if (!/^[a-z0-9{}_-]+$/.test(pattern)) {
        problems.add(field, 'contains characters other than lowercase letters, digits, "-", "_" and placeholders', pattern, 'names derived from it end up in Kubernetes and Helm; keep them DNS-safe');
      }
    }
    const nsProblem = dnsLabelProblem(this.argoCdNamespace, 63);
    if (nsProblem) problems.add('argoCdNamespace', nsProblem, this.argoCdNamespace, 'use a lowercase DNS label such as "argocd"');
    for (const [field, value] of [['terraformStacksDirectory', this.terraformStacksDirectory], ['tenantRegistryDirectory', this.tenantRegistryDirectory]] as const) {
      const segments = typeof value === 'string' ? value.split('/') : [];
      if (segments.length === 0 || segments.some(s => !PATH_SEGMENT.test(s) || s === '..')) {
        problems.add(field, 'is not a relative path of plain segments', value, 'use e.g. "cdktf.out/stacks" (no "..", no leading "/", no spaces)');
      }
    }
    if (this.approvalEnvironments.length < 2) {
      problems.add('approvalEnvironments', 'names fewer than 2 environments', this.approvalEnvironments, 'permanent classes need a two-step approval: name two GitHub environments');
    }
    const seen = new Set<string>();
    this.approvalEnvironments.forEach((e, i) => {
      if (!/^[A-Za-z0-9_.-]{1,100}$/.test(e)) problems.add(`approvalEnvironments[${i}]`, 'is not a GitHub environment name', e, 'use letters, digits, ".", "-" and "_"');
      if (seen.has(e)) problems.add(`approvalEnvironments[${i}]`, 'is a duplicate; the two approvals must come from different environments', e, 'name a different environment per approval step');
      seen.add(e);
    });
    for (const [envName, props] of Object.entries(options.sharding ?? {})) {
      const sharding = problems.capture(() => new TenantSharding(props, `LifecycleNamingOptions.sharding.${envName}`));
      if (sharding) this.shardings.set(envName, sharding);
    }
    problems.throwIfAny();
  }

  /** kube context of an environment. */
  public kubeContext(env: string): string {
    return fill(this.kubeContextPattern, { env });
  }

  /** Helm release of a tenant module, hash-suffixed to 53 characters if longer. */
  public moduleRelease(env: string, tenant: string, module: string): string {
    return patternName(this.helmReleasePattern, { env, tenant, module }, NAME_LIMITS.helmRelease);
  }

  /** Helm release of a tenant's base chart. */
  public baseRelease(env: string, tenant: string): string {
    return patternName(this.tenantBaseReleasePattern, { env, tenant }, NAME_LIMITS.helmRelease);
  }

  /** Terraform stack folder of a stack (an environment's name, or one of its shard or chart stacks). */
  public stackDirectory(stack: string): string {
    return `${this.terraformStacksDirectory}/${stack}`;
  }

  /** The Terraform stacks and workspaces of an environment, in apply order (destroy in reverse). */
  public terraformStacks(env: Environment): TerraformStackLayout[] {
    return terraformStackLayout(env.name, env.workspace, this.shardings.get(env.name)?.shardCount);
  }

  /** The stack holding a tenant's Terraform resources: its shard's in a sharded environment. */
  public tenantStack(env: Environment, tenantId: string): TerraformStackLayout {
    const stacks = this.terraformStacks(env);
    const sharding = this.shardings.get(env.name);
    return sharding ? stacks[sharding.shardOf(tenantId)] : stacks[0];
  }

  /** Tenant registry file of an environment. */
  public tenantRegistry(env: string): string {
    return `${this.tenantRegistryDirectory}/${env}.json`;
  }
}

function fill(pattern: string, values: { env?: string; tenant?: string; module?: string }): string {
  return pattern.replace(PLACEHOLDER, (_, key: 'env' | 'tenant' | 'module') => values[key] ?? '');
}

/** A pattern's name, fitted around `{env}` like every environment-scoped name. */
function patternName(pattern: string, values: { env: string; tenant?: string; module?: string }, maxLength: number): string {
  const pieces = pattern.split('{env}').map(p => fill(p, values));
  return environmentScopedName(values.env, pieces, maxLength);
}

/** A name of another environment found in a text, and what it names. */
export interface EnvironmentNameReference {
  /** Matches the name as a whole token. */
  readonly regex: RegExp;
  /** What the name is, for messages: "a Vault mount", "a Vault policy"... */
  readonly what: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Patterns of the names that belong to environment `env` (its Vault mounts, policies and roles, its workspaces and
 * buckets, its object-store prefixes), to find them in another environment's output (V12, B12). Used by the
 * synth-time isolation check of the Terraform engine and by the policy pack alike.
 */
export function environmentNameReferences(env: string): EnvironmentNameReference[] {
  const n = environmentVaultNames({ name: env });
  const e = escapeRegExp(env);
  const token = (body: string) => new RegExp(`(?<![A-Za-z0-9-])${body}(?![A-Za-z0-9-])`);
  const mounts = [n.kvMount, n.databaseMount, n.cacheMount, n.kubernetesAuthMount].map(escapeRegExp).join('|');
  return [
    { regex: token(`(?:${mounts})`), what: 'a Vault mount' },
    { regex: token(`(?:${escapeRegExp(n.environmentPolicy)}|${escapeRegExp(tenantPolicyName(env, ''))}[a-z0-9-]+)`), what: 'a Vault policy' },
    { regex: new RegExp(`(?<![A-Za-z0-9-])(?:database|cache)/creds/${e}-`), what: 'a Vault role' },
    { regex: new RegExp(`(?<![A-Za-z0-9-])inopsio-${e}(?![A-Za-z0-9])`), what: 'a workspace or bucket' },
    { regex: new RegExp(`(?:s3|s3a|gs|minio)://[^/\\s"]+/(?:[^/\\s"]+/)*${e}(?:/|"|$)`), what: 'an object-store prefix' },
  ];
}

/**
 * The PriorityClass of an environment's backup pods (`inopsio-<env>-backup`). A suspended or archived tenant's quota
 * admits pods of this class only (one at a time), so the final backup and its restore drill run while everything
 * else stays at zero. Shared by BackupSchedule, TenantNamespace and the environment-wide chart.
 */
export function backupPriorityClassName(envName: string): string {
  return `inopsio-${envName}-backup`;
}

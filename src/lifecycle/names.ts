import { Environment } from '../model/environment';
import { EnvironmentClass, LifecycleKind } from '../model/environment-class';
import { backupJobNames, composeName, dnsLabelProblem, NAME_LIMITS } from '../model/naming';
import { Problems } from '../model/problems';
import { TenantSharding, TenantShardingProps, TerraformStackLayout, terraformStackLayout } from '../model/sharding';

/**
 * Names that several lifecycle outputs must agree on (the inventory, the decommission plan, the generated workflows
 * and the Argo CD Applications): Helm release names, Argo CD Application names, Vault paths, kube contexts.
 *
 * Patterns use the placeholders `{env}`, `{tenant}` and `{module}`; nothing else is substituted.
 */
export interface LifecycleNamingOptions {
  /**
   * kubeconfig context of an environment's cluster, used by every kubectl/helm command of a plan.
   * @default '{env}'
   */
  readonly kubeContextPattern?: string;
  /**
   * Mount of the Vault database secrets engine; `{env}` is replaced by the environment name.
   * @default 'database-{env}'
   */
  readonly vaultDatabaseMount?: string;
  /**
   * Vault database role of a tenant (`database/creds/<role>`).
   * @default '{tenant}-db'
   */
  readonly vaultDatabaseRolePattern?: string;
  /**
   * Mount of the Vault Kubernetes auth method of an environment (one mount per environment, V12).
   * @default 'kubernetes-{env}'
   */
  readonly vaultKubernetesAuthMountPattern?: string;
  /**
   * Vault Kubernetes auth role of a tenant.
   * @default '{tenant}'
   */
  readonly vaultKubernetesAuthRolePattern?: string;
  /**
   * Helm release of a tenant module (≤ 53 characters after substitution, V14).
   * @default '{tenant}-{module}'
   */
  readonly helmReleasePattern?: string;
  /**
   * Helm release of a tenant's base chart (its namespace and guard rails).
   * @default '{tenant}-base'
   */
  readonly tenantBaseReleasePattern?: string;
  /**
   * Namespace Argo CD watches for Applications and AppProjects.
   * @default 'argocd'
   */
  readonly argoCdNamespace?: string;
  /**
   * Name of the per-tenant backup CronJob (BackupSchedule).
   * @default - `backup-<env>-<tenant>`, as BackupSchedule names it
   */
  readonly backupCronJobName?: string;
  /**
   * Name of the per-tenant restore-drill CronJob (BackupSchedule).
   * @default - `backup-<env>-<tenant>-restore-drill`, as BackupSchedule names it
   */
  readonly restoreDrillCronJobName?: string;
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

/** The default approval GitHub environments (two-step approval, spec §8). */
/** The backup CronJobs of a tenant. */
export interface BackupCronJobNames {
  /** The daily backup CronJob. */
  readonly cronJob: string;
  /** The restore-drill CronJob. */
  readonly restoreDrillCronJob: string;
}

export const DEFAULT_APPROVAL_ENVIRONMENTS: readonly string[] = Object.freeze(['decommission-approval-1', 'decommission-approval-2']);

const PLACEHOLDER = /\{([a-z]+)\}/g;
const VAULT_SEGMENT = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Naming options with defaults applied and every pattern checked once. */
export class LifecycleNames {
  /** Resolve and validate naming options; throws one error listing every problem. */
  public static of(options: LifecycleNamingOptions = {}): LifecycleNames {
    return new LifecycleNames(options);
  }

  public readonly kubeContextPattern: string;
  public readonly vaultDatabaseMount: string;
  public readonly vaultDatabaseRolePattern: string;
  public readonly vaultKubernetesAuthMountPattern: string;
  public readonly vaultKubernetesAuthRolePattern: string;
  public readonly helmReleasePattern: string;
  public readonly tenantBaseReleasePattern: string;
  public readonly argoCdNamespace: string;
  public readonly backupCronJobName: string;
  public readonly restoreDrillCronJobName: string;
  public readonly terraformStacksDirectory: string;
  public readonly tenantRegistryDirectory: string;
  public readonly approvalEnvironments: string[];
  private readonly shardings = new Map<string, TenantSharding>();

  private constructor(options: LifecycleNamingOptions) {
    const problems = new Problems('LifecycleNamingOptions');
    this.kubeContextPattern = options.kubeContextPattern ?? '{env}';
    this.vaultDatabaseMount = options.vaultDatabaseMount ?? 'database-{env}';
    this.vaultDatabaseRolePattern = options.vaultDatabaseRolePattern ?? '{tenant}-db';
    this.vaultKubernetesAuthMountPattern = options.vaultKubernetesAuthMountPattern ?? 'kubernetes-{env}';
    this.vaultKubernetesAuthRolePattern = options.vaultKubernetesAuthRolePattern ?? '{tenant}';
    this.helmReleasePattern = options.helmReleasePattern ?? '{tenant}-{module}';
    this.tenantBaseReleasePattern = options.tenantBaseReleasePattern ?? '{tenant}-base';
    this.argoCdNamespace = options.argoCdNamespace ?? 'argocd';
    this.backupCronJobName = options.backupCronJobName ?? '';
    this.restoreDrillCronJobName = options.restoreDrillCronJobName ?? '';
    this.terraformStacksDirectory = options.terraformStacksDirectory ?? 'cdktf.out/stacks';
    this.tenantRegistryDirectory = options.tenantRegistryDirectory ?? 'tenants';
    this.approvalEnvironments = [...(options.approvalEnvironments ?? DEFAULT_APPROVAL_ENVIRONMENTS)];

    const patterns: Array<[string, string, string[]]> = [
      ['kubeContextPattern', this.kubeContextPattern, ['env']],
      ['vaultDatabaseRolePattern', this.vaultDatabaseRolePattern, ['env', 'tenant']],
      ['vaultKubernetesAuthMountPattern', this.vaultKubernetesAuthMountPattern, ['env']],
      ['vaultKubernetesAuthRolePattern', this.vaultKubernetesAuthRolePattern, ['env', 'tenant']],
      ['helmReleasePattern', this.helmReleasePattern, ['env', 'tenant', 'module']],
      ['tenantBaseReleasePattern', this.tenantBaseReleasePattern, ['env', 'tenant']],
    ];
    for (const [field, pattern, allowed] of patterns) {
      const unknown = [...pattern.matchAll(PLACEHOLDER)].map(m => m[1]).filter(p => !allowed.includes(p));
      if (typeof pattern !== 'string' || pattern.length === 0) {
        problems.add(field, 'is empty', pattern, `use placeholders ${allowed.map(a => `{${a}}`).join(', ')}`);
      } else if (unknown.length > 0) {
        problems.add(field, `uses unknown placeholders ${unknown.map(u => `{${u}}`).join(', ')}`, pattern, `use only ${allowed.map(a => `{${a}}`).join(', ')}`);
      } else if (!/^[a-z0-9{}_-]+$/.test(pattern)) {
        problems.add(field, 'contains characters other than lowercase letters, digits, "-", "_" and placeholders', pattern, 'names derived from it end up in Kubernetes, Helm and Vault; keep them DNS-safe');
      }
    }
    const mountProblem = [...this.vaultDatabaseMount.matchAll(PLACEHOLDER)].some(m => m[1] !== 'env')
      ? 'uses placeholders other than {env}'
      : VAULT_SEGMENT.test(fill(this.vaultDatabaseMount, { env: 'x' })) ? undefined : 'is not a single Vault path segment';
    if (mountProblem) problems.add('vaultDatabaseMount', mountProblem, this.vaultDatabaseMount, 'use a mount name such as "database-{env}" (VaultBootstrap mounts one per environment)');
    for (const [field, value] of [['argoCdNamespace', this.argoCdNamespace], ['backupCronJobName', this.backupCronJobName], ['restoreDrillCronJobName', this.restoreDrillCronJobName]] as const) {
      if (value === '' && field !== 'argoCdNamespace') continue;
      const p = dnsLabelProblem(value, field === 'argoCdNamespace' ? 63 : NAME_LIMITS.cronJob);
      if (p) problems.add(field, p, value, 'use a lowercase DNS label such as "argocd" or "tenant-backup"');
    }
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

  /** Vault database role of a tenant. */
  public databaseRole(env: string, tenant: string): string {
    return fill(this.vaultDatabaseRolePattern, { env, tenant });
  }

  /** Vault Kubernetes auth mount of an environment. */
  /** The database secrets engine mount of an environment (`database-<env>` by default, as VaultBootstrap mounts it). */
  public databaseMount(env: string): string {
    return fill(this.vaultDatabaseMount, { env });
  }

  /** The backup and restore-drill CronJob names of a tenant (BackupSchedule's names unless overridden). */
  public backupCronJobs(env: string, tenant: string): BackupCronJobNames {
    const derived = backupJobNames(env, tenant);
    return {
      cronJob: this.backupCronJobName || derived.cronJob,
      restoreDrillCronJob: this.restoreDrillCronJobName || derived.restoreDrillCronJob,
    };
  }

  public kubernetesAuthMount(env: string): string {
    return fill(this.vaultKubernetesAuthMountPattern, { env });
  }

  /** True when the auth mount belongs to one environment only, so its token leases may be revoked by prefix. */
  public get kubernetesAuthMountPerEnvironment(): boolean {
    return this.vaultKubernetesAuthMountPattern.includes('{env}');
  }

  /** Vault Kubernetes auth role of a tenant. */
  public kubernetesAuthRole(env: string, tenant: string): string {
    return fill(this.vaultKubernetesAuthRolePattern, { env, tenant });
  }

  /** Helm release of a tenant module, truncated with a hash to 53 characters if needed. */
  public moduleRelease(env: string, tenant: string, module: string): string {
    return fitName(fill(this.helmReleasePattern, { env, tenant, module }), NAME_LIMITS.helmRelease);
  }

  /** Helm release of a tenant's base chart. */
  public baseRelease(env: string, tenant: string): string {
    return fitName(fill(this.tenantBaseReleasePattern, { env, tenant }), NAME_LIMITS.helmRelease);
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

/**
 * The Argo CD Application of a tenant module: `<env>-<tenant>-<module>`, ≤ 63 characters (Argo CD puts the name in a
 * label), hash-suffixed if truncated. Applications of every environment share Argo CD's namespace, hence the env.
 */
export function argoCdApplicationName(env: string, tenant: string, module: string): string {
  return composeName([env, tenant, module], NAME_LIMITS.label);
}

/** The Argo CD AppProject of a tenant in an environment: `<env>-<tenant>`, ≤ 63 characters. */
export function argoCdProjectName(env: string, tenant: string): string {
  return composeName([env, tenant], NAME_LIMITS.label);
}

/**
 * Approvals needed to remove a tenant: spec §9 says "manual approval" for every archive/remove, so at least one,
 * and as many as the class needs to decommission a whole environment (two for permanent classes).
 */
export function tenantRemovalApprovals(cls: EnvironmentClass): number {
  return Math.max(1, cls.decommissionApprovals);
}

/** True if environments of this lifecycle are destroyed automatically when they expire (no approval). */
export function destroyedAutomatically(env: Environment): boolean {
  return env.environmentClass.lifecycle === LifecycleKind.EPHEMERAL;
}

function fill(pattern: string, values: { env?: string; tenant?: string; module?: string }): string {
  return pattern.replace(PLACEHOLDER, (_, key: 'env' | 'tenant' | 'module') => values[key] ?? '');
}

function fitName(name: string, max: number): string {
  return composeName([name], max);
}

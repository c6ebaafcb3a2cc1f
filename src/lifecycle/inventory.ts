import * as fs from 'fs';
import * as path from 'path';
import { destroyedAutomatically, tenantRemovalApprovals } from './approvals';
import { JsonSchema } from './json-schema';
import { tenantHasBackup } from '../model/backup-plan';
import { Environment } from '../model/environment';
import { LifecycleKind, UpgradeStrategy } from '../model/environment-class';
import { migratingModules, migrationNames } from '../model/migration-names';
import { argoCdApplicationName, backupJobNames, backupVaultRoleNames, environmentVaultNames, LifecycleNames, LifecycleNamingOptions, tenantVaultNames, volumeSnapshotCronJobName } from '../model/names';
import { addPeriod, isIsoInstant, Period } from '../model/period';
import { LifecycleValidationError, Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { tenantObjectStorage } from '../model/tenant-object-storage';
import { workloadsIn } from '../model/tenant-workload';
import { OutputLayout } from '../output/layout';

/** The `format` of inventories this version writes and reads. */
export const INVENTORY_FORMAT = 'inopsio-lifecycle-inventory/v1';
/** The file name `writeInventory` writes. */
export const INVENTORY_FILE_NAME = OutputLayout.INVENTORY_FILE_NAME;
/** The JSON Schema of the inventory, shipped in the package's `schemas/` folder. */
export const INVENTORY_SCHEMA_FILE = 'lifecycle-inventory.schema.json';

/** Options of `buildInventory`: the names the inventory records for the decommission plan and the workflows. */
export interface InventoryOptions extends LifecycleNamingOptions {
  /**
   * The bucket of the tenants' object prefixes (`PlatformProps.objectStorage`): each tenant with `objectStorage` is
   * listed with its prefix and object-store user, which its decommission removes last.
   * @default - no object prefixes are listed
   */
  readonly objectStorageBucket?: string;
}

/** A tenant's object prefix and object-store user in one environment (issue 23). */
export interface InventoryTenantObjectStore {
  /** The shared bucket. */
  readonly bucket: string;
  /** The tenant's prefix, `<env>/<tenant>/`. */
  readonly prefix: string;
  /** The object-store user (and policy) `<env>-<tenant>`. */
  readonly user: string;
}

/** Backup summary of an environment's class (spec §10). Only `enabled` is present when backups are off. */
export interface InventoryBackup {
  /** Whether backups run at all. */
  readonly enabled: boolean;
  /** Cron schedule of the dump. */
  readonly schedule?: string;
  /** IANA time zone of the schedules. */
  readonly timeZone?: string;
  /** Days kept locally. */
  readonly localRetentionDays?: number;
  /** Days kept offsite. */
  readonly offsiteRetentionDays?: number;
  /** Whether an offsite copy is made. */
  readonly offsite?: boolean;
  /** Newest verified backups always kept. */
  readonly keepLast?: number;
  /** Hours before the newest backup counts as stale. */
  readonly staleAfterHours?: number;
  /** Cron schedule of the restore drill. */
  readonly restoreDrillSchedule?: string;
}

/** One Terraform stack of an environment. */
export interface InventoryTerraformStack {
  /** Stack name (`prod`, `prod-shard-01`, `prod-charts`). */
  readonly name: string;
  /** Terraform Cloud workspace. */
  readonly workspace: string;
  /** Folder of the synthesized stack. */
  readonly directory: string;
  /** `environment` (unsharded), `base`, `tenant-shard` or `charts`. */
  readonly part: string;
  /**
   * Shard number, for tenant shards.
   * @default - not a shard
   */
  readonly shard?: number;
}

/** Vault layout of an environment. */
export interface InventoryEnvironmentVault {
  /** Mount of the database secrets engine. */
  readonly databaseMount: string;
  /** Mount of the Kubernetes auth method. */
  readonly kubernetesAuthMount: string;
  /** True if the auth mount serves this environment only (its token leases may then be revoked by prefix). */
  readonly kubernetesAuthMountPerEnvironment: boolean;
}

/** A cdk8s-plus workload of a tenant in the inventory. */
export interface InventoryWorkload {
  /** Workload name. */
  readonly name: string;
  /** Its ServiceAccount (bound by the tenant's Vault role when it reads secrets). */
  readonly serviceAccount: string;
  /** Names of the Vault secrets delivered to it (`<name>_FILE`). */
  readonly vaultSecrets: string[];
  /** Metrics port, if it serves metrics. */
  readonly metricsPort?: number;
}

/** Vault roles of a tenant. */
export interface InventoryTenantVault {
  /** Database secrets engine role (`<mount>/creds/<role>`), if the tenant has a database. */
  readonly databaseRole?: string;
  /** Kubernetes auth role. */
  readonly kubernetesAuthRole: string;
  /** Database roles of the backup jobs (dump and restore drill), in environments that back up. */
  readonly backupDatabaseRoles?: string[];
  /** Kubernetes auth role of the backup ServiceAccount, in environments that back up. */
  readonly backupKubernetesAuthRole?: string;
  /** Database role of the schema migrations, when a module declares one and the tenant has a database. */
  readonly migrationDatabaseRole?: string;
  /** Kubernetes auth role of the migration hooks' service accounts, likewise. */
  readonly migrationKubernetesAuthRole?: string;
}

/** The backup CronJobs of a tenant (classes with backups only). */
export interface InventoryTenantBackup {
  /** The daily backup CronJob, run once more as the final backup. */
  readonly cronJob: string;
  /** The restore-drill CronJob, run once more to verify the final backup. */
  readonly restoreDrillCronJob: string;
}

/** The persistent volumes of a tenant (issue 23). */
export interface InventoryTenantVolumes {
  /** PersistentVolumeClaim names, in the order declared. */
  readonly claims: string[];
  /** The CronJob that snapshots them on the backup schedule, run once more as the final snapshots (classes with backups). */
  readonly snapshotCronJob?: string;
}

/** A tenant module (spec §9 "Deploy Modules"). */
export interface InventoryModule {
  /** Module name. */
  readonly name: string;
  /** Chart name. */
  readonly chart: string;
  /** Chart repository. */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
  /** Helm release name (HELM classes; also the Argo CD Helm release name). */
  readonly release: string;
  /** Argo CD Application name (ARGO_CD classes only). */
  readonly argoCdApplication?: string;
}

/** One tenant of one environment. */
export interface InventoryTenant {
  /** Tenant id. */
  readonly id: string;
  /** Terraform Cloud workspace holding the tenant's Vault resources and releases (its shard's, if sharded). */
  readonly workspace: string;
  /** Folder of that Terraform stack. */
  readonly stackDirectory: string;
  /** Display name. */
  readonly displayName: string;
  /** Namespace in this environment. */
  readonly namespace: string;
  /** Lifecycle state (`active`, `suspended`, `archived`). */
  readonly state: string;
  /** Sign-up time, if recorded. */
  readonly createdAt?: string;
  /** Whether the tenant has its own database. */
  readonly database: boolean;
  /** Whether the tenant has its own object-store prefix. */
  readonly objectStorage: boolean;
  /** Its object prefix and user, when the platform has an object store (`objectStorageBucket`). */
  readonly objectStore?: InventoryTenantObjectStore;
  /** Helm release of the tenant's base chart. */
  readonly baseRelease: string;
  /** Modules, sorted by name. */
  readonly modules: InventoryModule[];
  /** cdk8s-plus workloads run in this environment, in the order declared (issue 19), if the tenant declares any. */
  readonly workloads?: InventoryWorkload[];
  /** Vault roles. */
  readonly vault: InventoryTenantVault;
  /** Backup CronJobs, if the class backs up. */
  readonly backup?: InventoryTenantBackup;
  /** Persistent volumes, if the tenant declares any. */
  readonly volumes?: InventoryTenantVolumes;
  /** Approvals needed to remove this tenant (spec §9: manual approval; two in permanent classes). */
  readonly removalApprovals: number;
  /** The GitHub environments that give those approvals, in order. */
  readonly approvalEnvironments: string[];
}

/** Something the output assumes exists before it is applied (issue 24 item 5; src/lifecycle/prerequisites.ts). */
export interface InventoryPrerequisite {
  /** `configmap`, `secret`, `terraform-variable`, `github-secret` or `vault-jwt-role`. */
  readonly kind: string;
  /** Its name (`postgres-ca`, `vault_address`, `TF_API_TOKEN`, `inopsio-lifecycle`). */
  readonly name: string;
  /** Where it must exist: `namespace prod-acme`, `workspace inopsio/inopsio-prod`, `GitHub environment prod`... */
  readonly scope: string;
  /** What needs it: the objects, stacks or workflow jobs that read it, sorted. */
  readonly neededBy: string[];
}

/** One environment. */
export interface InventoryEnvironment {
  /** Name. */
  readonly name: string;
  /** Class name. */
  readonly environmentClass: string;
  /** Lifecycle (`reusable`, `persistent`, `permanent`, `ephemeral`). */
  readonly lifecycle: string;
  /** Owner (a team, or a person for previews). */
  readonly owner: string;
  /** Purpose of the class. */
  readonly purpose: string;
  /** Infrastructure of the class. */
  readonly infrastructure: string;
  /** Terraform Cloud organization. */
  readonly organization: string;
  /** Terraform Cloud workspace (of the base stack, if sharded). */
  readonly workspace: string;
  /** Folder of the synthesized Terraform stack (of the base stack, if sharded). */
  readonly stackDirectory: string;
  /** Every Terraform stack of the environment in apply order (one unless sharded); destroy in reverse. */
  readonly terraformStacks: InventoryTerraformStack[];
  /** kubeconfig context of the environment's cluster. */
  readonly kubeContext: string;
  /** Tenant registry file of the environment. */
  readonly tenantRegistry: string;
  /** Creation time, if set. */
  readonly createdAt?: string;
  /** TTL as a Go duration (`48h`), for expiring classes. */
  readonly ttl?: string;
  /** TTL in seconds, for expiring classes. */
  readonly ttlSeconds?: number;
  /** Expiry instant, for expiring classes. */
  readonly expiresAt?: string;
  /** Source branch of a preview. */
  readonly sourceBranch?: string;
  /** Approvals needed to decommission the environment. */
  readonly decommissionApprovals: number;
  /** The GitHub environments that give those approvals, in order. */
  readonly approvalEnvironments: string[];
  /** True if the environment is destroyed automatically when it expires (ephemeral). */
  readonly destroyedAutomatically: boolean;
  /** Who may change running objects. */
  readonly mutability: string;
  /** How tenant modules are upgraded (`helm`, `argo-cd`). */
  readonly upgradeStrategy: string;
  /** Backup summary. */
  readonly backup: InventoryBackup;
  /** Audit/log retention in days. */
  readonly auditRetentionDays: number;
  /** Inactive days before a tenant is suspended. */
  readonly suspendAfterInactiveDays: number;
  /** Vault layout. */
  readonly vault: InventoryEnvironmentVault;
  /** Tenants, sorted by id. */
  readonly tenants: InventoryTenant[];
  /**
   * What the output assumes exists before it is applied (`inopsio-env prerequisites <env>`), sorted by kind, scope and
   * name; `Platform.synth()` reads it from the output it wrote (src/lifecycle/prerequisites.ts).
   * @default - not listed (an inventory built from the model alone, `buildInventory`)
   */
  readonly prerequisites?: InventoryPrerequisite[];
}

/** The machine-readable lifecycle inventory (`dist/lifecycle.json`). */
export interface LifecycleInventory {
  /** `inopsio-lifecycle-inventory/v1`. */
  readonly format: string;
  /** Namespace of Argo CD's Applications. */
  readonly argoCdNamespace: string;
  /** The GitHub approval environments, in order. */
  readonly approvalEnvironments: string[];
  /** Environments, sorted by name. */
  readonly environments: InventoryEnvironment[];
}

/**
 * Build the lifecycle inventory: every environment and tenant with the facts automation needs (expiry, owners,
 * approvals, backups, Vault roles, releases). Plain JSON, sorted, with no clock reads: identical input gives
 * identical bytes from `inventoryToJson`.
 */
export function buildInventory(environments: Environment[], options: InventoryOptions = {}): LifecycleInventory {
  const names = LifecycleNames.of(options);
  const problems = new Problems('buildInventory');
  const seen = new Map<string, string>();
  for (const env of environments ?? []) {
    for (const [kind, key] of [['name', env.name], ['workspace', `${env.terraformOrganization}/${env.workspace}`]]) {
      if (seen.has(`${kind}:${key}`)) problems.add('environments', `lists the environment ${kind} twice (B03)`, key, 'give each environment a unique name and workspace');
      seen.set(`${kind}:${key}`, env.name);
    }
  }
  if ((environments ?? []).length === 0) problems.add('environments', 'is empty', environments, 'pass every Environment of the platform');
  problems.throwIfAny();

  const envs = [...environments].sort((a, b) => compare(a.name, b.name))
    .map(env => environmentEntry(env, names, problems, options.objectStorageBucket));
  problems.throwIfAny();
  return canonical({
    format: INVENTORY_FORMAT,
    argoCdNamespace: names.argoCdNamespace,
    approvalEnvironments: names.approvalEnvironments,
    environments: envs,
  });
}

function environmentEntry(env: Environment, names: LifecycleNames, problems: Problems, bucket: string | undefined): InventoryEnvironment {
  const cls = env.environmentClass;
  const argo = cls.upgradeStrategy === UpgradeStrategy.ARGO_CD;
  const backup: InventoryBackup = cls.backup.enabled
    ? {
      enabled: true,
      schedule: cls.backup.schedule,
      timeZone: cls.backup.timeZone,
      localRetentionDays: cls.backup.localRetentionDays,
      offsiteRetentionDays: cls.backup.offsiteRetentionDays,
      offsite: cls.backup.offsite,
      keepLast: cls.backup.keepLast,
      staleAfterHours: cls.backup.staleAfterHours,
      restoreDrillSchedule: cls.backup.restoreDrillSchedule,
    }
    : { enabled: false };
  const tenants = [...env.tenants].sort((a, b) => compare(a.id, b.id)).map((tenant): InventoryTenant => {
    const modules = [...tenant.modules].sort((a, b) => compare(a.name, b.name)).map((m): InventoryModule => ({
      name: m.name,
      chart: m.chart,
      repository: m.repository,
      version: m.version,
      release: names.moduleRelease(env.name, tenant.id, m.name),
      argoCdApplication: argo ? argoCdApplicationName(env.name, tenant.id, m.name) : undefined,
    }));
    const releases = new Set<string>([names.baseRelease(env.name, tenant.id)]);
    for (const m of modules) {
      if (releases.has(m.release)) {
        problems.add(`environments[${env.name}].tenants[${tenant.id}].modules[${m.name}]`, 'gets a Helm release name that is already taken (B03)', m.release, 'rename the module or change helmReleasePattern');
      }
      releases.add(m.release);
    }
    const workloads = workloadsIn(env, tenant).map((w): InventoryWorkload => ({
      name: w.name,
      serviceAccount: w.name,
      vaultSecrets: (w.secrets ?? []).map(x => x.name),
      metricsPort: w.metricsPort,
    }));
    const approvals = tenantRemovalApprovals(cls);
    const vault = tenantVaultNames(env, tenant);
    const stack = names.tenantStack(env, tenant.id);
    return {
      id: tenant.id,
      workspace: stack.workspace,
      stackDirectory: names.stackDirectory(stack.stack),
      displayName: tenant.displayName,
      namespace: vault.namespace,
      state: tenant.state,
      createdAt: tenant.createdAt,
      database: tenant.database,
      objectStorage: tenant.objectStorage,
      objectStore: objectStoreEntry(env, tenant, bucket),
      baseRelease: names.baseRelease(env.name, tenant.id),
      modules,
      ...(workloads.length > 0 ? { workloads } : {}),
      vault: {
        databaseRole: tenant.database ? vault.databaseRole : undefined,
        kubernetesAuthRole: vault.kubernetesAuthRole,
        ...(tenantHasBackup(env, tenant, bucket !== undefined) ? backupVault(env.name, tenant.id, tenant.database) : {}),
        ...(tenant.database && migratingModules(tenant).length > 0
          ? {
            migrationDatabaseRole: migrationNames(env, tenant).databaseRole,
            migrationKubernetesAuthRole: migrationNames(env, tenant).kubernetesAuthRole,
          }
          : {}),
      },
      // A tenant with objects and no database is backed up too (its objects): the final backup covers them.
      backup: tenantHasBackup(env, tenant, bucket !== undefined) ? backupJobNames(tenant.id) : undefined,
      volumes: tenant.volumes.length === 0 ? undefined : {
        claims: tenant.volumes.map(v => v.name),
        snapshotCronJob: cls.backup.enabled ? volumeSnapshotCronJobName(tenant.id) : undefined,
      },
      removalApprovals: approvals,
      approvalEnvironments: approvalEnvironmentsFor(approvals, names, problems, `environments[${env.name}].tenants[${tenant.id}]`),
    };
  });
  return {
    name: env.name,
    environmentClass: cls.name,
    lifecycle: cls.lifecycle,
    owner: env.owner,
    purpose: cls.purpose,
    infrastructure: cls.infrastructure,
    organization: env.terraformOrganization,
    workspace: env.workspace,
    stackDirectory: names.stackDirectory(env.name),
    terraformStacks: names.terraformStacks(env).map(t => ({
      name: t.stack,
      workspace: t.workspace,
      directory: names.stackDirectory(t.stack),
      part: t.part,
      shard: t.shard,
    })),
    kubeContext: names.kubeContext(env.name),
    tenantRegistry: names.tenantRegistry(env.name),
    createdAt: env.createdAt,
    ttl: env.ttl?.toGoDuration(),
    ttlSeconds: env.ttl?.toSeconds(),
    expiresAt: env.expiresAt,
    sourceBranch: env.sourceBranch,
    decommissionApprovals: cls.decommissionApprovals,
    approvalEnvironments: approvalEnvironmentsFor(cls.decommissionApprovals, names, problems, `environments[${env.name}]`),
    destroyedAutomatically: destroyedAutomatically(env),
    mutability: cls.mutability,
    upgradeStrategy: cls.upgradeStrategy,
    backup,
    auditRetentionDays: cls.auditRetentionDays,
    suspendAfterInactiveDays: cls.suspendAfterInactiveDays,
    vault: {
      databaseMount: environmentVaultNames(env).databaseMount,
      kubernetesAuthMount: environmentVaultNames(env).kubernetesAuthMount,
      // VaultBootstrap mounts one Kubernetes auth method per environment (V12); previews share the one their host
      // creates (PreviewVaultHost), so revoking its login prefix would log out every preview.
      kubernetesAuthMountPerEnvironment: !env.isPreview,
    },
    tenants,
  };
}

/** The Vault roles of a tenant's backup access (VaultBootstrap.addBackupAccess), revoked and deleted on decommission. */
function backupVault(envName: string, tenantId: string, withDatabase: boolean): { backupDatabaseRoles?: string[]; backupKubernetesAuthRole: string } {
  const n = backupVaultRoleNames(envName, tenantId);
  return { ...(withDatabase ? { backupDatabaseRoles: [n.dumpDatabaseRole, n.drillDatabaseRole] } : {}), backupKubernetesAuthRole: n.authRole };
}

function approvalEnvironmentsFor(count: number, names: LifecycleNames, problems: Problems, at: string): string[] {
  if (count > names.approvalEnvironments.length) {
    problems.add(at, `needs ${count} approvals but only ${names.approvalEnvironments.length} approval environments are named`, names.approvalEnvironments, 'name one GitHub environment per approval in approvalEnvironments');
  }
  return names.approvalEnvironments.slice(0, count);
}

/** The inventory as canonical JSON: keys sorted at every level, two-space indent, trailing newline. */
export function inventoryToJson(inventory: LifecycleInventory): string {
  return `${JSON.stringify(canonical(inventory), null, 2)}\n`;
}

/** Write `<dir>/lifecycle.json` (creating `dir`) and return the file's path. */
export function writeInventory(dir: string, inventory: LifecycleInventory): string {
  const problems = validateInventory(inventory);
  if (problems.length > 0) throw new LifecycleValidationError(problems.map(p => `writeInventory: ${p}`));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, INVENTORY_FILE_NAME);
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, inventoryToJson(inventory));
  fs.renameSync(tmp, file);
  return file;
}

/**
 * Every problem of an inventory document: the JSON Schema first, then what a schema cannot say (unique names,
 * expiry consistent with creation time and TTL, the approval environments being the inventory's own).
 */
export function validateInventory(data: unknown): string[] {
  const schemaErrors = JsonSchema.load(INVENTORY_SCHEMA_FILE).validate(JSON.parse(JSON.stringify(data ?? null)));
  if (schemaErrors.length > 0) return schemaErrors;
  const inv = data as LifecycleInventory;
  const errors: string[] = [];
  const envNames = new Set<string>();
  inv.environments.forEach((env, i) => {
    const at = `/environments/${i}`;
    if (envNames.has(env.name)) errors.push(`${at}/name: environment "${env.name}" is listed twice`);
    envNames.add(env.name);
    if (env.createdAt !== undefined && env.ttlSeconds !== undefined && env.expiresAt !== undefined) {
      const expected = addPeriod(env.createdAt, Period.seconds(env.ttlSeconds));
      if (Date.parse(expected) !== Date.parse(env.expiresAt)) errors.push(`${at}/expiresAt: is ${env.expiresAt} but createdAt + ttlSeconds is ${expected}`);
    }
    const tenantIds = new Set<string>();
    env.tenants.forEach((t, j) => {
      if (tenantIds.has(t.id)) errors.push(`${at}/tenants/${j}/id: tenant "${t.id}" is listed twice`);
      tenantIds.add(t.id);
      for (const e of t.approvalEnvironments) {
        if (!inv.approvalEnvironments.includes(e)) errors.push(`${at}/tenants/${j}/approvalEnvironments: "${e}" is not one of the inventory's approvalEnvironments`);
      }
    });
    for (const e of env.approvalEnvironments) {
      if (!inv.approvalEnvironments.includes(e)) errors.push(`${at}/approvalEnvironments: "${e}" is not one of the inventory's approvalEnvironments`);
    }
  });
  return errors;
}

/**
 * Read and validate an inventory file. Throws a LifecycleValidationError listing every problem (unreadable file,
 * bad JSON, schema violations, inconsistencies), each prefixed with the file name.
 */
export function readInventory(file: string): LifecycleInventory {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new LifecycleValidationError([`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass the dist/lifecycle.json that platform.synth() writes`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new LifecycleValidationError([`${file}: is not JSON (${(e as Error).message}); pass the dist/lifecycle.json that platform.synth() writes`]);
  }
  const problems = validateInventory(data);
  if (problems.length > 0) {
    throw new LifecycleValidationError(problems.map(p => `${file}: ${p}; rebuild it with buildInventory() (schema ${INVENTORY_SCHEMA_FILE})`));
  }
  return data as LifecycleInventory;
}

/** Environments whose expiry is at or before `at` (an ISO-8601 UTC instant), soonest first, then by name. */
export function expiredEnvironments(inventory: LifecycleInventory, at: string, lifecycle?: LifecycleKind): InventoryEnvironment[] {
  if (!isIsoInstant(at)) {
    throw new LifecycleValidationError([`expiredEnvironments: at is not an ISO-8601 UTC instant (got ${JSON.stringify(at)}); write e.g. "2026-11-30T09:00:00Z"`]);
  }
  const now = Date.parse(at);
  return inventory.environments
    .filter(e => e.expiresAt !== undefined && Date.parse(e.expiresAt) <= now)
    .filter(e => lifecycle === undefined || e.lifecycle === lifecycle)
    .sort((a, b) => compare(a.expiresAt!, b.expiresAt!) || compare(a.name, b.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drop undefined values and sort object keys at every level (arrays keep their order). */
function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(v => canonical(v)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as any)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out as T;
  }
  return value;
}

/** A tenant's object prefix and user, when the platform has an object store and the tenant object storage. */
function objectStoreEntry(env: Environment, tenant: Tenant, bucket: string | undefined): InventoryTenantObjectStore | undefined {
  if (bucket === undefined || !tenant.objectStorage) return undefined;
  const storage = tenantObjectStorage(env, tenant, bucket);
  return { bucket: storage.bucket, prefix: storage.prefix, user: storage.userName };
}

import * as audit from '@cdktf/provider-vault/lib/audit';
import * as authBackend from '@cdktf/provider-vault/lib/auth-backend';
import * as dataVaultAuthBackend from '@cdktf/provider-vault/lib/data-vault-auth-backend';
import * as databaseSecretBackendConnection from '@cdktf/provider-vault/lib/database-secret-backend-connection';
import * as databaseSecretBackendRole from '@cdktf/provider-vault/lib/database-secret-backend-role';
import * as genericEndpoint from '@cdktf/provider-vault/lib/generic-endpoint';
import * as kubernetesAuthBackendConfig from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import * as kubernetesAuthBackendRole from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import * as kvSecretBackendV2 from '@cdktf/provider-vault/lib/kv-secret-backend-v2';
import * as mount from '@cdktf/provider-vault/lib/mount';
import * as policy from '@cdktf/provider-vault/lib/policy';
import { ITerraformDependable, Lazy, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { TenantDatabase } from './tenant-database';
import { ObjectStorageOptions, TenantObjectStore } from './tenant-object-store';
import { VaultCapability, VaultPolicyDocument } from './vault-policy';
import { TenantBackupPlan } from '../model/backup-plan';
import { checkBackupIdentity, credentialLifetimeSeconds, CREDENTIAL_MARGIN_SECONDS, defaultJobDeadlineSeconds, isVaultRoleName, jobDeadlineIssue, MIN_JOB_DEADLINE_SECONDS } from '../model/backup-rules';
import { DatabaseSslMode } from '../model/database-endpoint';
import { Environment } from '../model/environment';
import { migratingModules, migrationNames, migrationServiceAccountName } from '../model/migration-names';
import { tenantRoleServiceAccounts } from '../model/module-values';
import { backupVaultRoleNames, environmentVaultNames, EnvironmentVaultNames, PREVIEW_TENANT_POLICY, tenantVaultNames, TenantVaultNames } from '../model/names';
import { isDnsLabel } from '../model/naming';
import { Period } from '../model/period';
import { LifecycleValidationError, Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { DatabaseUserKind, tenantDatabaseNames, vaultCreationStatements, vaultRevocationStatements } from '../model/tenant-database';
import { ResolvedVaultRef, VaultEngine } from '../model/vault-ref';

/** Where a VaultBootstrap's environment-wide resources live. */
export enum VaultEnvironmentResources {
  /** In this bootstrap: the KV mount and its settings, the environment policy, the database and Kubernetes auth mounts, the auth configuration and (where owned) the audit devices. */
  OWN = 'own',
  /**
   * In the base stack of the same environment (a tenant shard of a sharded environment): this bootstrap adds tenants
   * only. They name the base stack's database mount and Kubernetes auth mount by path, and wait for a data source
   * that reads the auth mount, so a shard planned before its base fails with a clear error.
   */
  BASE_STACK = 'base-stack',
  /**
   * In the reviewed stack of the previews' host environment (`PreviewVaultHost`, applied from the default branch): a
   * preview's bootstrap (synthesized from the pull request's code) adds roles only, in the shared preview mounts,
   * bound to the host's templated policies: no mount, auth backend or policy (docs/vault.md "Previews").
   */
  PREVIEW_HOST = 'preview-host',
}

export { DatabaseSslMode } from '../model/database-endpoint';

/** The tunable parts of a VaultBootstrap; every value has a default taken from the spec and the V rules of docs/policies.md. */
export interface VaultBootstrapOptions {
  /**
   * Create the two audit devices (a JSON file on the audit volume and stdout for the log pipeline; V06). Audit devices
   * are cluster-wide in Vault: exactly one stack per Vault cluster should own them. Production stacks cannot turn
   * them off (B11).
   * @default - true for persistent and permanent classes (staging, production), false for development and previews
   */
  readonly auditDevices?: boolean;
  /**
   * File the first audit device writes to, on a volume the log pipeline ships and keeps 90 days (spec §7).
   * @default '/vault/audit/vault-audit.log'
   */
  readonly auditLogFilePath?: string;
  /**
   * Versions kept per KV secret (V11), 1–100.
   * @default - 20 in production, 10 otherwise
   */
  readonly kvMaxVersions?: number;
  /**
   * Default lease of dynamic database credentials, at most 1 hour (V10).
   * @default Period.hours(1)
   */
  readonly databaseCredentialTtl?: Period;
  /**
   * Maximum lease of dynamic database credentials, at most 24 hours (V10).
   * @default Period.hours(24)
   */
  readonly databaseCredentialMaxTtl?: Period;
  /**
   * Port of the tenant databases. With the environment's `database` set, it must be that port (pods use it too).
   * @default - the environment's `database.port`, else 5432
   */
  readonly databasePort?: number;
  /**
   * TLS verification of Vault's connection to the tenant databases. With the environment's `database` set, it must
   * be that mode (pods use it too).
   * @default - the environment's `database.sslMode`, else DatabaseSslMode.VERIFY_FULL
   */
  readonly databaseSslMode?: DatabaseSslMode;
  /**
   * Version of the one-time bootstrap password sent through the write-only `password_wo` argument. Bump it to send
   * a new bootstrap password (for example after restoring a database); Vault rotates it right away again.
   * @default 1
   */
  readonly rootCredentialVersion?: number;
  /**
   * `audience` the Kubernetes auth roles require in service account tokens (V07). It must be the environment's
   * `vaultTokenAudience`, the audience the pods' projected tokens are issued for: set that one instead.
   * @default - the environment's vaultTokenAudience ('vault')
   */
  readonly kubernetesAuthAudience?: string;
  /**
   * Service accounts, besides one per tenant module (named after the module), that may log in as the tenant's
   * Kubernetes auth role, e.g. External Secrets' service account. Exact names, never `*` (V07). Not for backups:
   * `addBackupAccess` gives the backup service account a role and policy of its own.
   * @default - none
   */
  readonly serviceAccountNames?: string[];
}

/** Inputs of a VaultBootstrap. Runtime values (hosts, certificates, passwords) are Terraform variables, never literals. */
export interface VaultBootstrapProps extends VaultBootstrapOptions {
  /** The environment to bootstrap; its tenants are added at construction, more with `addTenant`. */
  readonly environment: Environment;
  /** The Kubernetes API server as Vault reaches it (usually `var.vault_kubernetes_host`). */
  readonly kubernetesHost: string;
  /** PEM CA certificate of the Kubernetes API server (public; usually `var.vault_kubernetes_ca_cert`). */
  readonly kubernetesCaCert: string;
  /**
   * Host of the tenant PostgreSQL databases (usually `var.database_host`). Required when a tenant has a database.
   * @default - none
   */
  readonly databaseHost?: string;
  /**
   * An ephemeral Terraform variable of type `map(string)` holding one-time bootstrap passwords by tenant id. Read
   * only through the write-only `password_wo` argument, so it never reaches state or plans (V05). Required when a
   * tenant has a database.
   * @default - none
   */
  readonly databaseBootstrapPasswords?: TerraformVariable;
  /**
   * The object store of the tenants' prefixes: each tenant with `objectStorage` gets its MinIO user, policy and keys
   * in Vault KV (`TenantObjectStore`, issue 23).
   * @default - no object-store users are created
   */
  readonly objectStorage?: ObjectStorageOptions;
  /**
   * Whether this bootstrap creates the environment-wide resources or adds tenants to those of the environment's base
   * stack (the tenant shards of `ShardedEnvironment`).
   * @default - VaultEnvironmentResources.PREVIEW_HOST for a preview, else VaultEnvironmentResources.OWN
   */
  readonly environmentResources?: VaultEnvironmentResources;
}

/** The Vault resources of one tenant, for `dependsOn` and escape hatches. */
export class TenantVault extends Construct {
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The names the resources use. */
  public readonly names: TenantVaultNames;
  /** The tenant policy's rules; rendered lazily, so rules added later still land in the policy. */
  public readonly policyDocument: VaultPolicyDocument;
  /** The tenant policy (none in a preview: its role is bound to the host's templated `preview-tenant` policy). */
  public readonly policy?: policy.Policy;
  /** The database connection, if the tenant has a database. */
  public readonly databaseConnection?: databaseSecretBackendConnection.DatabaseSecretBackendConnection;
  /** The root-credential rotation right after the connection is created (V09), if the tenant has a database. */
  public readonly rootRotation?: genericEndpoint.GenericEndpoint;
  /**
   * The tenant's PostgreSQL database, owner, groups and Vault login, created by this stack (issue 23), if the tenant
   * has a database.
   */
  public readonly postgres?: TenantDatabase;
  /** The tenant's object-store user, policy and keys, if it has object storage and the bootstrap an object store. */
  public readonly objectStore?: TenantObjectStore;
  /** The dynamic database role, if the tenant has a database. */
  public readonly databaseRole?: databaseSecretBackendRole.DatabaseSecretBackendRole;
  /** The Kubernetes auth role, if any service account may log in. */
  public readonly kubernetesRole?: kubernetesAuthBackendRole.KubernetesAuthBackendRole;
  /** The migration database role `<tenant>-migrate`, when a module declares a migration and the tenant has a database. */
  public readonly migrationDatabaseRole?: databaseSecretBackendRole.DatabaseSecretBackendRole;
  /** The migration policy `<env>-<tenant>-migrate`. */
  public readonly migrationPolicyDocument?: VaultPolicyDocument;
  /** The migration Vault policy. */
  public readonly migrationPolicy?: policy.Policy;
  /** The Kubernetes auth role `<tenant>-migrate`, bound to the modules' `<module>-migrate` service accounts. */
  public readonly migrationKubernetesRole?: kubernetesAuthBackendRole.KubernetesAuthBackendRole;
  private readonly dependableList: ITerraformDependable[];
  private readonly databaseRoleList: string[] = [];

  /** Created by `VaultBootstrap.addTenant`; `serviceAccounts` are the exact names bound to the Kubernetes auth role. */
  constructor(scope: VaultBootstrap, id: string, tenant: Tenant, serviceAccounts: string[]) {
    super(scope, id);
    const env = scope.environment;
    const n = tenantVaultNames(env, tenant);
    this.tenant = tenant;
    this.names = n;

    // Tenant rules stay under the tenant's own KV prefix (V02), plus its exact credential paths.
    this.policyDocument = new VaultPolicyDocument(n.tenantPolicy, [
      { path: `${n.kvDataPrefix}/*`, capabilities: [VaultCapability.READ], description: `Static secrets of tenant ${tenant.id}` },
      { path: `${n.kvMetadataPrefix}/*`, capabilities: [VaultCapability.READ, VaultCapability.LIST], description: 'Versions and key names of those secrets' },
      // The backup's object-store keys sit under the tenant prefix but are the backup role's alone (its own policy):
      // the longer path wins over the tenant glob in this policy, and deny wins over any other policy on the token.
      { path: `${n.kvBackupDataPrefix}/*`, capabilities: [VaultCapability.DENY], description: 'Object-store keys of the tenant\'s backups: the backup role only' },
      { path: `${n.kvBackupMetadataPrefix}/*`, capabilities: [VaultCapability.DENY], description: 'Their metadata' },
    ], { allowedPrefixes: [`${n.kvDataPrefix}/`, `${n.kvMetadataPrefix}/`, n.databaseCredsPath, `${n.cacheMount}/creds/${n.cacheRole}`] });
    const doc = this.policyDocument;
    // A preview's policies come from its host's reviewed stack; the document above is what the host's template
    // grants this tenant's namespace (docs/vault.md "Previews").
    const preview = scope.environmentResources === VaultEnvironmentResources.PREVIEW_HOST;
    this.policy = preview ? undefined : new policy.Policy(this, 'Policy', { name: n.tenantPolicy, policy: Lazy.stringValue({ produce: () => doc.render() }) });
    const dependables: ITerraformDependable[] = this.policy ? [this.policy] : [];
    const refs = referencesOf(scope);
    const policyName = this.policy ? this.policy.name : n.tenantPolicy;
    let connectionName: string | undefined;

    if (tenant.database) {
      this.policyDocument.addRule({ path: n.databaseCredsPath, capabilities: [VaultCapability.READ], description: 'Dynamic database credentials of the tenant' });
      const options = scope.options;
      const passwords = scope.databaseBootstrapPasswords!;
      this.postgres = new TenantDatabase(this, 'PostgreSQL', {
        environment: env,
        tenant,
        host: scope.databaseHost!,
        port: options.databasePort,
        sslMode: options.databaseSslMode,
        bootstrapPasswords: passwords,
        passwordVersion: options.rootCredentialVersion,
      });
      this.databaseConnection = new databaseSecretBackendConnection.DatabaseSecretBackendConnection(this, 'DatabaseConnection', {
        backend: refs.databaseMountPath,
        name: n.databaseConnection,
        pluginName: 'postgresql-database-plugin',
        // Complete at synth: roles added later (the backup and drill roles of addBackupAccess) land here too, sorted.
        allowedRoles: Lazy.listValue({ produce: () => this.databaseRoleNames }),
        verifyConnection: true,
        postgresql: {
          connectionUrl: `postgresql://{{username}}:{{password}}@${scope.databaseHost}:${options.databasePort}/${n.databaseName}?sslmode=${options.databaseSslMode}`,
          username: n.databaseAdminUser,
          // Write-only: Terraform sends it once and never stores it; a missing key sends nothing.
          passwordWo: `\${lookup(var.${passwords.friendlyUniqueId}, "${tenant.id}", null)}`,
          passwordWoVersion: options.rootCredentialVersion,
        },
      });
      // Vault verifies the connection as the login the tenant database creates.
      dependOn(this.databaseConnection, this.postgres.dependables);
      const connectionAddress = `${this.databaseConnection.terraformResourceType}.${this.databaseConnection.friendlyUniqueId}`;
      this.rootRotation = new genericEndpoint.GenericEndpoint(this, 'RootRotation', {
        path: `${n.databaseMount}/rotate-root/${n.databaseConnection}`,
        dataJson: '{}',
        disableRead: true,
        disableDelete: true,
      });
      dependOn(this.rootRotation, [this.databaseConnection]);
      // Rotate again whenever the connection changes (a new bootstrap password is a change). cdktf renders
      // replace_triggered_by as "${...}", which Terraform rejects; a bare address is what it expects.
      this.rootRotation.addOverride('lifecycle.replace_triggered_by', [connectionAddress]);
      connectionName = this.databaseConnection.name;
      this.databaseRole = new databaseSecretBackendRole.DatabaseSecretBackendRole(this, 'DatabaseRole', {
        backend: refs.databaseMountPath,
        name: n.databaseRole,
        dbName: connectionName,
        defaultTtl: options.databaseCredentialTtl.toSeconds(),
        maxTtl: options.databaseCredentialMaxTtl.toSeconds(),
        // Vault's login has no CREATEROLE: it creates and drops users through the tenant's own functions only.
        creationStatements: vaultCreationStatements(this.postgres.names, DatabaseUserKind.APP),
        revocationStatements: vaultRevocationStatements(this.postgres.names),
      });
      // No credentials are issued before the bootstrap password is gone.
      dependOn(this.databaseRole, [this.rootRotation]);
      this.databaseRoleList.push(n.databaseRole);
      dependables.push(...this.postgres.dependables, this.databaseConnection, this.rootRotation, this.databaseRole);
    }

    if (tenant.objectStorage && scope.objectStorage) {
      this.objectStore = new TenantObjectStore(this, 'ObjectStore', {
        environment: env, tenant, bucket: scope.objectStorage.bucket, kvMountDependencies: scope.kvConfig ? [scope.kvConfig] : [],
      });
      dependables.push(...this.objectStore.dependables);
    }

    if (serviceAccounts.length > 0) {
      this.kubernetesRole = new kubernetesAuthBackendRole.KubernetesAuthBackendRole(this, 'KubernetesRole', {
        backend: refs.kubernetesAuthPath,
        roleName: n.kubernetesAuthRole,
        boundServiceAccountNames: serviceAccounts,
        boundServiceAccountNamespaces: [n.namespace],
        audience: scope.options.kubernetesAuthAudience,
        tokenTtl: env.environmentClass.vaultTokenTtl.toSeconds(),
        tokenMaxTtl: env.environmentClass.vaultTokenMaxTtl.toSeconds(),
        tokenPolicies: [policyName],
      });
      dependOn(this.kubernetesRole, [referencesOf(scope).kubernetesAuthReady]);
      dependables.push(this.kubernetesRole);
    }
    // Schema migrations (issue 17 item 5): the hooks' service accounts (`<module>-migrate`) get their own Kubernetes
    // auth role and a database role that joins the schema owner group, which the application role never does.
    const migrating = migratingModules(tenant);
    if (tenant.database && migrating.length > 0 && connectionName !== undefined) {
      const m = migrationNames(env, tenant);
      const options = scope.options;
      this.migrationDatabaseRole = new databaseSecretBackendRole.DatabaseSecretBackendRole(this, 'MigrationDatabaseRole', {
        backend: refs.databaseMountPath,
        name: m.databaseRole,
        dbName: connectionName,
        defaultTtl: options.databaseCredentialTtl.toSeconds(),
        maxTtl: options.databaseCredentialMaxTtl.toSeconds(),
        creationStatements: [
          'CREATE ROLE "{{name}}" WITH LOGIN PASSWORD \'{{password}}\' VALID UNTIL \'{{expiration}}\' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;',
          `GRANT "${m.ownerGroupRole}" TO "{{name}}";`,
        ],
        revocationStatements: [
          `REVOKE "${m.ownerGroupRole}" FROM "{{name}}";`,
          'DROP ROLE IF EXISTS "{{name}}";',
        ],
      });
      dependOn(this.migrationDatabaseRole, [this.rootRotation!]);
      this.databaseRoleList.push(m.databaseRole);
      this.migrationPolicyDocument = new VaultPolicyDocument(m.policy, [
        { path: m.credsPath, capabilities: [VaultCapability.READ], description: `Migration credentials of tenant ${tenant.id}` },
      ], { allowedPrefixes: [m.credsPath] });
      const migrationDoc = this.migrationPolicyDocument;
      this.migrationPolicy = preview ? undefined : new policy.Policy(this, 'MigrationPolicy', { name: m.policy, policy: Lazy.stringValue({ produce: () => migrationDoc.render() }) });
      this.migrationKubernetesRole = new kubernetesAuthBackendRole.KubernetesAuthBackendRole(this, 'MigrationKubernetesRole', {
        backend: refs.kubernetesAuthPath,
        roleName: m.kubernetesAuthRole,
        boundServiceAccountNames: migrating.map(migrationServiceAccountName),
        boundServiceAccountNamespaces: [n.namespace],
        audience: scope.options.kubernetesAuthAudience,
        tokenTtl: env.environmentClass.vaultTokenTtl.toSeconds(),
        tokenMaxTtl: env.environmentClass.vaultTokenMaxTtl.toSeconds(),
        tokenPolicies: [this.migrationPolicy ? this.migrationPolicy.name : m.policy],
      });
      dependOn(this.migrationKubernetesRole, [referencesOf(scope).kubernetesAuthReady]);
      dependables.push(this.migrationDatabaseRole, ...(this.migrationPolicy ? [this.migrationPolicy] : []), this.migrationKubernetesRole);
    }
    this.dependableList = dependables;
    TENANT_INTERNALS.set(this, { databaseRoles: this.databaseRoleList, dependables: this.dependableList, connectionName, policyName });
  }

  /**
   * Every resource of the tenant, for `dependsOn` (the tenant base waits for all of them), including the backup
   * access added so far.
   */
  public get dependables(): ITerraformDependable[] {
    return [...this.dependableList];
  }

  /** The names of every dynamic database role on the tenant's connection (its `allowed_roles`), sorted. */
  public get databaseRoleNames(): string[] {
    return [...this.databaseRoleList].sort();
  }

  /** The backup access of the tenant, once `VaultBootstrap.addBackupAccess` added it. */
  public get backupAccess(): TenantBackupVault | undefined {
    return this.node.tryFindChild(BACKUP_CHILD_ID) as TenantBackupVault | undefined;
  }

  /**
   * Let the tenant read a resolved reference that its standard rules do not cover (cache credentials). Paths
   * outside the tenant's own prefixes are refused (V02).
   */
  public grantRead(ref: ResolvedVaultRef): void {
    if (ref.engine === VaultEngine.KV || ref.path === this.names.databaseCredsPath) return;
    const scope = this.node.scope as VaultBootstrap;
    if (scope.environmentResources === VaultEnvironmentResources.PREVIEW_HOST && ref.path !== `${this.names.cacheMount}/creds/${this.names.cacheRole}`) {
      // The host's template grants a preview tenant its own KV, database and cache credentials only.
      new Problems(this.node.path).add('reference', `reads "${ref.path}", which the previews' templated policy "${PREVIEW_TENANT_POLICY}" does not grant`, ref.reference,
        `in a preview, reference only the tenant's own KV paths, "${this.names.databaseCredsPath}" or "${this.names.cacheMount}/creds/${this.names.cacheRole}"`).throwIfAny();
    }
    this.policyDocument.addRule({ path: ref.path, capabilities: [VaultCapability.READ], description: `Referenced by a module: ${ref.reference}` });
  }
}

/** Child id of a tenant's backup access under its TenantVault. */
const BACKUP_CHILD_ID = 'Backup';
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SYSTEM_MOUNTS = ['sys', 'auth', 'identity', 'cubbyhole', 'token'];

/** What only this module may change on a TenantVault: its connection's role list and its dependables. */
interface TenantVaultInternals {
  readonly databaseRoles: string[];
  readonly dependables: ITerraformDependable[];
  /** The connection's name reference, read once. */
  readonly connectionName?: string;
  /** The tenant policy's name reference, read once. */
  readonly policyName: string;
}
const TENANT_INTERNALS = new WeakMap<TenantVault, TenantVaultInternals>();
/**
 * The environment-wide attribute references every tenant uses, read once per bootstrap: each read of a cdktf
 * attribute creates and registers a new token for good (about 0.4 KB), and thousands of tenants read the same ones.
 */
interface BootstrapReferences {
  readonly databaseMountPath: string;
  readonly kubernetesAuthPath: string;
  /** What a Kubernetes auth role waits for: the auth configuration, or the base stack's auth mount read back. */
  readonly kubernetesAuthReady: ITerraformDependable;
}
const BOOTSTRAP_REFERENCES = new WeakMap<VaultBootstrap, BootstrapReferences>();
function referencesOf(bootstrap: VaultBootstrap): BootstrapReferences {
  let refs = BOOTSTRAP_REFERENCES.get(bootstrap);
  if (!refs) {
    const own = bootstrap.environmentResources === VaultEnvironmentResources.OWN;
    refs = {
      databaseMountPath: own ? bootstrap.databaseMount!.path : bootstrap.names.databaseMount,
      kubernetesAuthPath: own ? bootstrap.kubernetesAuth!.path : bootstrap.names.kubernetesAuthMount,
      kubernetesAuthReady: own ? bootstrap.kubernetesAuthConfig! : baseStackAuthOf(bootstrap),
    };
    BOOTSTRAP_REFERENCES.set(bootstrap, refs);
  }
  return refs;
}
/**
 * The base stack's Kubernetes auth mount, read by a data source in this stack (id `BaseKubernetesAuth`): a shard
 * planned before its base fails on it with a clear error instead of creating roles on a missing mount.
 */
function baseStackAuthOf(bootstrap: VaultBootstrap): ITerraformDependable {
  return new dataVaultAuthBackend.DataVaultAuthBackend(TerraformStack.of(bootstrap), 'BaseKubernetesAuth', { path: bootstrap.names.kubernetesAuthMount });
}

/**
 * Per bootstrap: backup role name → the tenant it belongs to (lookups stay constant-time at thousands of tenants).
 * The tenant, not its TenantVault: a tenant whose constructs were released (`_releaseTenant`) still holds its role.
 */
const BACKUP_ROLES = new WeakMap<VaultBootstrap, Map<string, Tenant>>();
function backupRolesOf(bootstrap: VaultBootstrap): Map<string, Tenant> {
  let roles = BACKUP_ROLES.get(bootstrap);
  if (!roles) BACKUP_ROLES.set(bootstrap, roles = new Map());
  return roles;
}

/**
 * What `VaultBootstrap.addBackupAccess` creates for one tenant's BackupSchedule. Pass the schedule's own values
 * (`serviceAccountName`, `vaultRole`, `vaultSecretPaths`, its deadlines), so both sides name the same things.
 */
export interface BackupVaultAccessOptions {
  /**
   * The backup pods' ServiceAccount, `BackupSchedule.serviceAccountName` (`backup-<tenant>` by default): the
   * only service account bound to the backup role (V07). A DNS label; never a module's service account, nor one of
   * `serviceAccountNames` (those log in as the tenant role).
   */
  readonly serviceAccountName: string;
  /**
   * Every Vault path the backup and restore-drill pods read, `BackupSchedule.vaultSecretPaths`: exact absolute paths
   * of this environment. The backup policy grants `read` on exactly these. Accepted: the tenant's
   * `database-<env>/creds/<tenant>-backup`, `…/<tenant>-drill` and `…/<tenant>-db`, and KV v2 data paths under
   * `kv-<env>/data/<env>/<tenant>/`.
   */
  readonly secretPaths: string[];
  /**
   * Name of the Kubernetes auth role, `BackupSchedule.vaultRole`.
   * @default `<env>-<tenant>-backup`
   */
  readonly roleName?: string;
  /**
   * `token_ttl` (and `token_max_ttl`: nothing renews these tokens) of the backup role. BackupSchedule derives its
   * deadlines from the class's `vaultTokenTtl`; a shorter value needs a matching `activeDeadlineSeconds` here and there.
   * At most the class's `vaultTokenMaxTtl`.
   * @default - the class's vaultTokenTtl (30 minutes in staging and production, 1 hour otherwise)
   */
  readonly tokenTtl?: Period;
  /**
   * The longest `activeDeadlineSeconds` of the backup and restore-drill Jobs (`BackupSchedule.activeDeadlineSeconds`,
   * `restoreDrillActiveDeadlineSeconds`). Checked: deadline + 60 s ≤ min(tokenTtl, databaseCredentialTtl) (F9).
   * @default - BackupSchedule's default, min(class vaultTokenTtl, databaseCredentialTtl) less 300 seconds
   */
  readonly activeDeadlineSeconds?: number;
}

/** Names of a tenant's backup access, derived like `tenantVaultNames`. */
interface BackupVaultNames {
  readonly roleName: string;
  readonly policyName: string;
  readonly backupDatabaseRole: string;
  readonly backupCredsPath: string;
  readonly backupGroupRole: string;
  readonly drillDatabaseRole: string;
  readonly drillCredsPath: string;
  readonly drillGroupRole: string;
}

function backupVaultNames(env: Environment, tenant: Tenant, roleName?: string): BackupVaultNames {
  const n = tenantVaultNames(env, tenant);
  const shared = backupVaultRoleNames(env.name, tenant.id);
  return {
    roleName: roleName ?? shared.authRole,
    policyName: shared.authRole,
    backupDatabaseRole: shared.dumpDatabaseRole,
    backupCredsPath: `${n.databaseMount}/creds/${shared.dumpDatabaseRole}`,
    backupGroupRole: shared.dumpGroupRole,
    drillDatabaseRole: shared.drillDatabaseRole,
    drillCredsPath: `${n.databaseMount}/creds/${shared.drillDatabaseRole}`,
    drillGroupRole: shared.drillGroupRole,
  };
}

/** Inputs of a TenantBackupVault after validation. */
interface ResolvedBackupAccess {
  readonly names: BackupVaultNames;
  readonly secretPaths: string[];
  readonly tokenTtlSeconds: number;
  readonly activeDeadlineSeconds: number;
}

/**
 * Every problem of a backup-access request, in the house format, and the resolved settings when there is none.
 * `vault` is undefined for an unknown tenant: only the tenant-independent checks run then.
 */
function checkBackupAccess(
  bootstrap: VaultBootstrap, vault: TenantVault | undefined, tenantId: string, options: BackupVaultAccessOptions,
): { problems: string[]; resolved?: ResolvedBackupAccess } {
  const problems = new Problems(`${bootstrap.node.path}.addBackupAccess`);
  const env = bootstrap.environment;
  const cls = env.environmentClass;
  const o = options ?? ({} as BackupVaultAccessOptions);
  if (!vault) {
    problems.add('tenantId', 'is not a tenant of this bootstrap', tenantId, `use one of ${bootstrap._builtTenants.map(t => t.tenant.id).join(', ') || '(none yet)'}, or addTenant first`);
  } else {
    if (!vault.tenant.database) {
      problems.add('tenantId', 'names a tenant without a database (database: false)', tenantId, 'add backup access only for tenants with database: true (there is nothing to dump); a tenant whose backup is its objects gets its Vault side from addBackupPlan(TenantBackupPlan.of({ ..., tenantObjects }))');
    }
    if (vault.backupAccess) {
      problems.add('tenantId', 'already has backup access', tenantId, 'add backup access once per tenant; its one BackupSchedule covers the backup and the drill');
    }
    if (bootstrap.environmentResources === VaultEnvironmentResources.PREVIEW_HOST) {
      problems.add('tenantId', 'is a tenant of a preview, whose stack may not create the backup\'s policy', tenantId, 'back up long-lived environments only; a preview\'s policies come from its host (docs/vault.md "Previews")');
    }
  }

  const sa = o.serviceAccountName;
  if (!isDnsLabel(sa, 63)) {
    problems.add('serviceAccountName', 'is not a DNS label', sa, 'pass BackupSchedule.serviceAccountName, e.g. "backup-acme"; one exact name, never "*" (V07)');
  } else {
    if (bootstrap.options.serviceAccountNames.includes(sa)) {
      problems.add('serviceAccountName', 'is also in serviceAccountNames, so it logs in as every tenant role too', sa, 'remove it from VaultBootstrapOptions.serviceAccountNames: the backup role is its only role');
    }
  }

  const names = vault ? backupVaultNames(env, vault.tenant, o.roleName) : undefined;
  const roleName = o.roleName ?? names?.roleName;
  if (o.roleName !== undefined && !isVaultRoleName(o.roleName)) {
    problems.add('roleName', 'is not a Vault role name', o.roleName, 'pass BackupSchedule.vaultRole, e.g. "prod-acme-backup" (lower-case letters, digits, "-" and "_")');
  } else if (typeof roleName === 'string') {
    const other = backupRolesOf(bootstrap).get(roleName);
    if (other && other.id !== vault?.tenant.id) {
      problems.add('roleName', `is already the backup role of tenant "${other.id}"`, roleName, `use "${backupVaultRoleNames(env.name, tenantId).authRole}"`);
    }
  }
  checkBackupIdentity(problems, vault?.tenant, bootstrap._builtTenants.map(t => t.tenant.id), { field: 'serviceAccountName', name: isDnsLabel(sa, 63) ? sa : '' },
    { field: 'roleName', name: typeof roleName === 'string' && isVaultRoleName(roleName) ? roleName : '', suggested: `${env.name}-${tenantId}-backup` });

  const tokenTtl = o.tokenTtl ?? cls.vaultTokenTtl;
  const tokenTtlOk = tokenTtl instanceof Period && tokenTtl.toSeconds() >= 120 && !tokenTtl.isLongerThan(cls.vaultTokenMaxTtl);
  if (!tokenTtlOk) {
    problems.add('tokenTtl', `is not between 2 minutes and the class's vaultTokenMaxTtl ${cls.vaultTokenMaxTtl}`, tokenTtl instanceof Period ? tokenTtl.toString() : tokenTtl,
      `keep backup tokens short (V07): use the default, the class's vaultTokenTtl ${cls.vaultTokenTtl}`);
  }
  const lifetime = credentialLifetimeSeconds(cls.vaultTokenTtl.toSeconds(), bootstrap.options.databaseCredentialTtl.toSeconds());
  const deadline = o.activeDeadlineSeconds ?? defaultJobDeadlineSeconds(lifetime);
  checkDeadline(problems, bootstrap, tokenTtlOk ? tokenTtl : undefined, deadline);

  const paths = o.secretPaths;
  const unique: string[] = [];
  if (!Array.isArray(paths) || paths.length === 0) {
    problems.add('secretPaths', 'is empty', paths, 'pass BackupSchedule.vaultSecretPaths: every path the backup and drill pods read');
  } else {
    paths.forEach((p, i) => {
      const issue = vault && names ? backupPathIssue(p, env, vault, names) : syntaxIssue(p);
      if (issue) problems.add(`secretPaths[${i}]`, issue.problem, p, issue.fix);
      else if (!unique.includes(p)) unique.push(p);
    });
  }

  if (!problems.isEmpty || !names) return { problems: [...problems.all] };
  return {
    problems: [],
    resolved: { names, secretPaths: unique.sort(), tokenTtlSeconds: tokenTtl.toSeconds(), activeDeadlineSeconds: deadline },
  };
}

/** Plans handed over by `VaultBootstrap.addBackupPlan`, keyed by the options TenantBackupVault receives. */
const PLANNED = new WeakMap<BackupVaultAccessOptions, TenantBackupPlan>();

/**
 * What a checked TenantBackupPlan still has to agree with in this bootstrap (its input is not checked again): the
 * tenant is here and has no backup access yet, no other role or service account clashes, and the Jobs end before
 * credentials of this bootstrap's `databaseCredentialTtl` do.
 */
function checkPlannedAccess(
  bootstrap: VaultBootstrap, vault: TenantVault, plan: TenantBackupPlan,
): { problems: string[]; resolved?: ResolvedBackupAccess } {
  const problems = new Problems(`${bootstrap.node.path}.addBackupPlan`);
  const env = bootstrap.environment;
  // By name: a sharded environment's stacks each hold an Environment of their own, with the same name.
  if (plan.environment.name !== env.name) {
    problems.add('plan', `is a plan of environment "${plan.environment.name}", not "${env.name}"`, plan.tenant.id, 'add a plan to the VaultBootstrap of its own environment');
  }
  if (vault.backupAccess) {
    problems.add('plan', 'is for a tenant that already has backup access', plan.tenant.id, 'add backup access once per tenant; its one BackupSchedule covers the backup and the drill');
  }
  const sa = plan.names.serviceAccount;
  if (bootstrap.options.serviceAccountNames.includes(sa)) {
    problems.add('plan.names.serviceAccount', 'is also in serviceAccountNames, so it logs in as every tenant role too', sa, 'remove it from VaultBootstrapOptions.serviceAccountNames: the backup role is its only role');
  }
  const other = backupRolesOf(bootstrap).get(plan.names.vaultRole);
  if (other && other.id !== vault?.tenant.id) {
    problems.add('plan.names.vaultRole', `is already the backup role of tenant "${other.id}"`, plan.names.vaultRole, `use "${env.name}-${plan.tenant.id}-backup"`);
  }
  const tokenTtl = env.environmentClass.vaultTokenTtl;
  checkDeadline(problems, bootstrap, tokenTtl, plan.deadlines.longestSeconds);
  if (!problems.isEmpty) return { problems: [...problems.all] };
  return {
    problems: [],
    resolved: {
      names: backupVaultNames(env, vault.tenant, plan.names.vaultRole),
      secretPaths: [...plan.vaultSecretPaths],
      tokenTtlSeconds: tokenTtl.toSeconds(),
      activeDeadlineSeconds: plan.deadlines.longestSeconds,
    },
  };
}

/**
 * F9, by the model's rule (backup-rules.ts): the Jobs end a minute before the credentials, whose lifetime is the first
 * of the role's token TTL and this bootstrap's `databaseCredentialTtl`. `tokenTtl` undefined: it is wrong already.
 */
function checkDeadline(problems: Problems, bootstrap: VaultBootstrap, tokenTtl: Period | undefined, deadline: number): void {
  const lifetime = credentialLifetimeSeconds(tokenTtl ? tokenTtl.toSeconds() : Infinity, bootstrap.options.databaseCredentialTtl.toSeconds());
  const issue = jobDeadlineIssue(deadline, lifetime);
  if (issue === 'not-whole') {
    problems.add('activeDeadlineSeconds', `is not a whole number of seconds, at least ${MIN_JOB_DEADLINE_SECONDS}`, deadline, 'pass the longest of BackupSchedule.activeDeadlineSeconds and restoreDrillActiveDeadlineSeconds');
  } else if (issue === 'outlives' && tokenTtl) {
    problems.add('activeDeadlineSeconds', `outlives the credentials: min(tokenTtl ${tokenTtl}, databaseCredentialTtl ${bootstrap.options.databaseCredentialTtl}) = ${lifetime}s, and a Job must end ${CREDENTIAL_MARGIN_SECONDS}s before them (F9)`, deadline,
      `use at most ${lifetime - CREDENTIAL_MARGIN_SECONDS} in BackupSchedule (activeDeadlineSeconds and restoreDrill.activeDeadlineSeconds) and here, or raise tokenTtl`);
  }
}

/** B07 syntax of an exact path: no globs, templates, encodings, whitespace, relative or empty segments. */
function syntaxIssue(path: unknown): { problem: string; fix: string } | undefined {
  if (typeof path !== 'string' || path.length === 0) {
    return { problem: 'is empty', fix: 'name an exact Vault path, e.g. "kv-prod/data/prod/acme/backup/primary-store"' };
  }
  if (!path.split('/').every(s => PATH_SEGMENT.test(s)) || path.includes('..')) {
    return { problem: 'is not an exact Vault path', fix: 'write an absolute path without "*", "+", "..", empty segments, templates, encodings or whitespace (B07)' };
  }
  return undefined;
}

/** Why a path is not one the tenant's backup may read, or undefined (V01, V02, V12, B07). */
function backupPathIssue(path: unknown, env: Environment, vault: TenantVault, b: BackupVaultNames): { problem: string; fix: string } | undefined {
  const syntax = syntaxIssue(path);
  if (syntax) return syntax;
  const p = path as string;
  const n = vault.names;
  const first = p.split('/')[0];
  const engine = ['kv', 'database', 'cache'].find(e => first === e || first.startsWith(`${e}-`));
  const dbPaths = [b.backupCredsPath, b.drillCredsPath, n.databaseCredsPath];
  const scope = `the tenant's ${dbPaths.join(', ')} or a KV path under ${n.kvDataPrefix}/`;
  if (SYSTEM_MOUNTS.includes(first)) {
    return { problem: `targets the Vault system path "${first}/"`, fix: `backup policies read secrets only (V01): use ${scope}` };
  }
  if (engine === undefined) {
    return { problem: `is outside the tenant's prefixes (unknown mount "${first}")`, fix: `use ${scope} (V02)` };
  }
  if (first === engine) {
    return { problem: 'is relative', fix: `write the absolute path of environment "${env.name}", as BackupSchedule.vaultSecretPaths does, e.g. "${engine === 'kv' ? `${n.kvDataPrefix}/backup/primary-store` : b.backupCredsPath}"` };
  }
  const own = { kv: n.kvMount, database: n.databaseMount, cache: n.cacheMount }[engine as 'kv' | 'database' | 'cache'];
  if (first !== own) {
    return { problem: `points at another environment's mount "${first}" from environment "${env.name}"`, fix: `an environment reads only its own mounts (V12, B12): use ${own}/...` };
  }
  if (engine === 'kv') {
    if (!p.startsWith(`${n.kvDataPrefix}/`)) {
      return { problem: `is outside tenant "${vault.tenant.id}"'s prefix ${n.kvDataPrefix}/`, fix: 'read only the tenant\'s own KV v2 data paths (V02)' };
    }
    return undefined;
  }
  if (!dbPaths.includes(p)) {
    return { problem: `is not one of tenant "${vault.tenant.id}"'s backup credentials`, fix: `use ${dbPaths.join(', ')} (V02)` };
  }
  return undefined;
}

/**
 * The Vault side of one tenant's BackupSchedule (spec §10, F9, F10), created by `VaultBootstrap.addBackupAccess`:
 *
 * - a dynamic database role `<tenant>-backup` for `pg_dump`: a login in the read-only group role
 *   `<env>_<tenant>_backup` (SELECT on every table and sequence; the database bootstrap creates and grants it);
 * - a dynamic database role `<tenant>-drill` for the restore drill: a login that starts every session as the group
 *   role `<env>_<tenant>_drill` (NOLOGIN, CREATEDB), so scratch databases and everything restored into them belong
 *   to the group, never to the short-lived user: revocation always succeeds, and the next drill can drop what a
 *   killed one left behind;
 * - both added to the tenant connection's `allowed_roles`;
 * - the policy `<env>-<tenant>-backup`: `read` on exactly the paths the pods read;
 * - the Kubernetes auth role `<env>-<tenant>-backup`, bound to exactly the backup ServiceAccount and the tenant
 *   namespace, with that policy only.
 */
export class TenantBackupVault extends Construct {
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The only service account bound to the role. */
  public readonly serviceAccountName: string;
  /** The only namespace bound to the role (the tenant namespace). */
  public readonly namespace: string;
  /** The Kubernetes auth role the backup pods log in with (`BackupSchedule.vaultRole`). */
  public readonly roleName: string;
  /** The login path of the role (`BackupSchedule.vaultAuthPath`), `auth/kubernetes-<env>`. */
  public readonly authPath: string;
  /** The backup policy's name, `<env>-<tenant>-backup`. */
  public readonly policyName: string;
  /** The backup policy's rules. */
  public readonly policyDocument: VaultPolicyDocument;
  /** The backup policy. */
  public readonly policy: policy.Policy;
  /** The paths the policy grants `read` on, sorted. */
  public readonly secretPaths: string[];
  /** Vault role of the dump credentials, `<tenant>-backup`. */
  public readonly backupDatabaseRoleName?: string;
  /** Path of the dump credentials, `database-<env>/creds/<tenant>-backup`. */
  public readonly backupCredsPath?: string;
  /** PostgreSQL group role with read access to every table, granted to each dump user, `<env>_<tenant>_backup`. */
  public readonly backupGroupRole?: string;
  /** The dynamic role of the dump credentials. */
  public readonly backupDatabaseRole?: databaseSecretBackendRole.DatabaseSecretBackendRole;
  /** Vault role of the restore-drill credentials, `<tenant>-drill`. */
  public readonly drillDatabaseRoleName?: string;
  /** Path of the restore-drill credentials, `database-<env>/creds/<tenant>-drill`. */
  public readonly drillCredsPath?: string;
  /** PostgreSQL group role (NOLOGIN, CREATEDB) every drill session runs as, `<env>_<tenant>_drill`. */
  public readonly drillGroupRole?: string;
  /** The dynamic role of the restore-drill credentials. */
  public readonly drillDatabaseRole?: databaseSecretBackendRole.DatabaseSecretBackendRole;
  /** The Kubernetes auth role. */
  public readonly kubernetesRole: kubernetesAuthBackendRole.KubernetesAuthBackendRole;
  /** `token_ttl` = `token_max_ttl` of the role, in seconds. */
  public readonly tokenTtlSeconds: number;
  /** The Job deadline the TTLs were checked against, in seconds. */
  public readonly activeDeadlineSeconds: number;
  private readonly dependableList: ITerraformDependable[];

  /** Created by `VaultBootstrap.addBackupAccess`; refuses, listing every problem, what that method refuses. */
  constructor(scope: TenantVault, id: string, options: BackupVaultAccessOptions) {
    const bootstrap = scope.node.scope as VaultBootstrap;
    const plan = PLANNED.get(options);
    const checked = plan ? checkPlannedAccess(bootstrap, scope, plan) : checkBackupAccess(bootstrap, scope, scope.tenant.id, options);
    if (checked.problems.length > 0) throw new LifecycleValidationError(checked.problems);
    super(scope, id);
    const r = checked.resolved!;
    const b = r.names;
    const n = scope.names;
    const internals = TENANT_INTERNALS.get(scope)!;
    this.tenant = scope.tenant;
    this.serviceAccountName = options.serviceAccountName;
    this.namespace = n.namespace;
    this.roleName = b.roleName;
    backupRolesOf(bootstrap).set(b.roleName, scope.tenant);
    this.authPath = `auth/${n.kubernetesAuthMount}`;
    this.policyName = b.policyName;
    this.secretPaths = r.secretPaths;
    this.tokenTtlSeconds = r.tokenTtlSeconds;
    this.activeDeadlineSeconds = r.activeDeadlineSeconds;
    // A plan without a database (a tenant whose backup is its objects): no database roles, and a policy that reads
    // only the stores' keys; the planned paths are the plan's, which then name no database credentials.
    const withDatabase = plan ? plan.database !== undefined : true;
    if (withDatabase) {
      this.backupDatabaseRoleName = b.backupDatabaseRole;
      this.backupCredsPath = b.backupCredsPath;
      this.backupGroupRole = b.backupGroupRole;
      this.drillDatabaseRoleName = b.drillDatabaseRole;
      this.drillCredsPath = b.drillCredsPath;
      this.drillGroupRole = b.drillGroupRole;
      // Nothing renews these credentials (the agent runs as an init container only), so max_ttl = default_ttl.
      const ttl = bootstrap.options.databaseCredentialTtl.toSeconds();
      const groups = scope.postgres!.addBackupGroups();
      const role = (childId: string, name: string, creationStatements: string[], revocationStatements: string[]) => {
        const created = new databaseSecretBackendRole.DatabaseSecretBackendRole(this, childId, {
          backend: referencesOf(bootstrap).databaseMountPath,
          name,
          dbName: internals.connectionName!,
          defaultTtl: ttl,
          maxTtl: ttl,
          creationStatements,
          revocationStatements,
        });
        // No credentials are issued before the bootstrap password is gone (nor before the groups they join exist).
        dependOn(created, [scope.rootRotation!, ...groups]);
        return created;
      };
      // The dump and drill users are issued by the tenant database's own function (no CREATEROLE for Vault's login):
      // dump users join the read-only group with every transaction read-only; drill users inherit nothing and start
      // every session as the drill group (NOLOGIN, CREATEDB), which owns whatever the drill creates.
      const pgNames = tenantDatabaseNames(bootstrap.environment, scope.tenant);
      this.backupDatabaseRole = role('BackupDatabaseRole', b.backupDatabaseRole,
        vaultCreationStatements(pgNames, DatabaseUserKind.BACKUP), vaultRevocationStatements(pgNames));
      this.drillDatabaseRole = role('DrillDatabaseRole', b.drillDatabaseRole,
        vaultCreationStatements(pgNames, DatabaseUserKind.DRILL), vaultRevocationStatements(pgNames));
      internals.databaseRoles.push(b.backupDatabaseRole, b.drillDatabaseRole);
    }

    const labels: { [path: string]: string } = {
      [b.backupCredsPath]: `Dump credentials (read-only group ${b.backupGroupRole})`,
      [b.drillCredsPath]: `Restore-drill credentials (group ${b.drillGroupRole}: CREATEDB, no access to the tenant's data)`,
      [n.databaseCredsPath]: `Dump credentials of the application role ${n.databaseRole} (prefer ${b.backupDatabaseRole}: read-only)`,
    };
    this.policyDocument = new VaultPolicyDocument(b.policyName, r.secretPaths.map(path => ({
      path,
      capabilities: [VaultCapability.READ],
      description: labels[path] ?? `Read by the backup pods of tenant ${scope.tenant.id}`,
    })), { allowedPrefixes: [`${n.kvDataPrefix}/`, ...(withDatabase ? [b.backupCredsPath, b.drillCredsPath, n.databaseCredsPath] : [])] });
    const doc = this.policyDocument;
    this.policy = new policy.Policy(this, 'Policy', { name: b.policyName, policy: Lazy.stringValue({ produce: () => doc.render() }) });

    this.kubernetesRole = new kubernetesAuthBackendRole.KubernetesAuthBackendRole(this, 'KubernetesRole', {
      backend: referencesOf(bootstrap).kubernetesAuthPath,
      roleName: b.roleName,
      boundServiceAccountNames: [options.serviceAccountName],
      boundServiceAccountNamespaces: [n.namespace],
      audience: bootstrap.options.kubernetesAuthAudience,
      tokenTtl: r.tokenTtlSeconds,
      tokenMaxTtl: r.tokenTtlSeconds,
      tokenPolicies: [this.policy.name],
    });
    dependOn(this.kubernetesRole, [referencesOf(bootstrap).kubernetesAuthReady]);
    const databaseRoles = this.backupDatabaseRole && this.drillDatabaseRole ? [this.backupDatabaseRole, this.drillDatabaseRole] : [];
    this.dependableList = [...databaseRoles, this.policy, this.kubernetesRole];
    internals.dependables.push(...this.dependableList);
  }

  /** The backup access's resources, for `dependsOn`. */
  public get dependables(): ITerraformDependable[] {
    return [...this.dependableList];
  }
}

/** The settings a VaultBootstrap runs with, defaults applied. */
export interface VaultBootstrapSettings {
  /** Whether this stack owns the audit devices. */
  readonly auditDevices: boolean;
  /** File of the first audit device. */
  readonly auditLogFilePath: string;
  /** KV versions kept. */
  readonly kvMaxVersions: number;
  /** Default lease of database credentials. */
  readonly databaseCredentialTtl: Period;
  /** Maximum lease of database credentials. */
  readonly databaseCredentialMaxTtl: Period;
  /** Database port. */
  readonly databasePort: number;
  /** Database TLS verification. */
  readonly databaseSslMode: DatabaseSslMode;
  /** Version of the bootstrap password. */
  readonly rootCredentialVersion: number;
  /** Audience of Kubernetes auth roles. */
  readonly kubernetesAuthAudience: string;
  /** Extra service accounts bound to every tenant role. */
  readonly serviceAccountNames: string[];
}

/**
 * Vault for one environment (docs/vault.md): a KV v2 mount, the environment and per-tenant
 * least-privilege policies, a database secrets engine with one connection and one dynamic role per tenant database
 * (root credentials sent write-only and rotated right after creation), a Kubernetes auth mount with per-tenant roles
 * bound to exact service accounts and the tenant namespace, and (where this stack owns them) two audit devices.
 *
 * Mounts are per environment (`kv-<env>`, `database-<env>`, `kubernetes-<env>`; V12), so destroying a preview
 * removes exactly its own mounts. No secret value is ever written into the synthesized output.
 *
 * `addBackupAccess` adds the Vault side of a tenant's BackupSchedule: dump and restore-drill database roles, a backup
 * policy and a Kubernetes auth role of their own (docs/vault.md "Backup access").
 */
export class VaultBootstrap extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** Mount and policy names. */
  public readonly names: EnvironmentVaultNames;
  /** The KV v2 mount (none when the base stack has the environment-wide resources). */
  public readonly kvMount?: mount.Mount;
  /** KV v2 settings: bounded versions, check-and-set in production (none when the base stack has them). */
  public readonly kvConfig?: kvSecretBackendV2.KvSecretBackendV2;
  /** The environment policy (for the environment's secret operators; none when the base stack has it). */
  public readonly environmentPolicy?: policy.Policy;
  /** The environment policy's rules (none when the base stack has the policy). */
  public readonly environmentPolicyDocument?: VaultPolicyDocument;
  /** The database secrets engine mount (none when the base stack has it). */
  public readonly databaseMount?: mount.Mount;
  /** The Kubernetes auth mount (none when the base stack has it). */
  public readonly kubernetesAuth?: authBackend.AuthBackend;
  /** The Kubernetes auth configuration (CA certificate, no reviewer JWT; none when the base stack has it). */
  public readonly kubernetesAuthConfig?: kubernetesAuthBackendConfig.KubernetesAuthBackendConfig;
  /** The audit devices, when this stack owns them. */
  public readonly auditDevices: audit.Audit[];
  /** Whether this bootstrap creates the environment-wide resources or uses the base stack's. */
  public readonly environmentResources: VaultEnvironmentResources;
  /** The settings, defaults applied. */
  public readonly options: VaultBootstrapSettings;
  /** Host of the tenant databases. */
  public readonly databaseHost?: string;
  /** The ephemeral variable with bootstrap passwords by tenant id. */
  public readonly databaseBootstrapPasswords?: TerraformVariable;
  /** The object store of the tenants' prefixes, if any. */
  public readonly objectStorage?: ObjectStorageOptions;
  private readonly tenantVaults = new Map<string, TenantVault>();
  private missingTenant?: (tenantId: string) => TenantVault | undefined;
  private listingTenants?: () => void;

  constructor(scope: Construct, id: string, props: VaultBootstrapProps) {
    super(scope, id);
    const env = props.environment;
    const cls = env?.environmentClass;
    const problems = new Problems(this.node.path);
    if (!(env instanceof Environment)) {
      problems.add('environment', 'is not an Environment', env, 'pass new Environment({...}) or Environment.preview({...})');
      problems.throwIfAny();
    }
    this.options = {
      auditDevices: props.auditDevices ?? cls.longLived,
      auditLogFilePath: props.auditLogFilePath ?? '/vault/audit/vault-audit.log',
      kvMaxVersions: props.kvMaxVersions ?? (env.isProduction ? 20 : 10),
      databaseCredentialTtl: props.databaseCredentialTtl ?? Period.hours(1),
      databaseCredentialMaxTtl: props.databaseCredentialMaxTtl ?? Period.hours(24),
      databasePort: props.databasePort ?? env.database?.port ?? 5432,
      databaseSslMode: props.databaseSslMode ?? env.database?.sslMode ?? DatabaseSslMode.VERIFY_FULL,
      rootCredentialVersion: props.rootCredentialVersion ?? 1,
      kubernetesAuthAudience: props.kubernetesAuthAudience ?? env.vaultTokenAudience,
      serviceAccountNames: [...(props.serviceAccountNames ?? [])],
    };
    const o = this.options;
    if (env.isProduction && !o.auditDevices) {
      problems.add('auditDevices', 'is false for a production environment', false, 'production needs two audit devices (V06, B11): remove the override');
    }
    if (typeof o.auditLogFilePath !== 'string' || !/^\/[A-Za-z0-9._/-]+$/.test(o.auditLogFilePath) || o.auditLogFilePath.includes('..')) {
      problems.add('auditLogFilePath', 'is not an absolute file path', o.auditLogFilePath, 'use e.g. "/vault/audit/vault-audit.log"');
    }
    if (!Number.isInteger(o.kvMaxVersions) || o.kvMaxVersions < 1 || o.kvMaxVersions > 100) {
      problems.add('kvMaxVersions', 'is not a whole number from 1 to 100', o.kvMaxVersions, 'keep KV history bounded (V11), e.g. 10');
    }
    const ttl = o.databaseCredentialTtl;
    const maxTtl = o.databaseCredentialMaxTtl;
    if (!(ttl instanceof Period) || ttl.toSeconds() < 60 || ttl.toSeconds() > 3_600) {
      problems.add('databaseCredentialTtl', 'is not between 1 minute and 1 hour', ttl?.toString(), 'dynamic credentials live at most 1h by default (V10): use e.g. Period.hours(1)');
    }
    if (!(maxTtl instanceof Period) || maxTtl.toSeconds() > 86_400 || maxTtl.toSeconds() < 60) {
      problems.add('databaseCredentialMaxTtl', 'is not between 1 minute and 24 hours', maxTtl?.toString(), 'dynamic credentials live at most 24h (V10): use e.g. Period.hours(24)');
    }
    if (ttl instanceof Period && maxTtl instanceof Period && ttl.isLongerThan(maxTtl)) {
      problems.add('databaseCredentialTtl', `is longer than databaseCredentialMaxTtl ${maxTtl}`, ttl.toString(), 'make ttl ≤ max_ttl (B04)');
    }
    if (!Number.isInteger(o.databasePort) || o.databasePort < 1 || o.databasePort > 65_535) {
      problems.add('databasePort', 'is not a TCP port', o.databasePort, 'use an integer from 1 to 65535, e.g. 5432');
    }
    if (!Object.values(DatabaseSslMode).includes(o.databaseSslMode)) {
      problems.add('databaseSslMode', 'does not verify the server certificate', o.databaseSslMode, 'use DatabaseSslMode.VERIFY_FULL or VERIFY_CA (V04)');
    }
    if (!Number.isInteger(o.rootCredentialVersion) || o.rootCredentialVersion < 1) {
      problems.add('rootCredentialVersion', 'is not a whole number of at least 1', o.rootCredentialVersion, 'start at 1 and bump it to send a new bootstrap password');
    }
    if (typeof o.kubernetesAuthAudience !== 'string' || !/^[A-Za-z0-9:/._-]{1,253}$/.test(o.kubernetesAuthAudience)) {
      problems.add('kubernetesAuthAudience', 'is not an audience', o.kubernetesAuthAudience, 'use e.g. "vault" (V07)');
    } else if (o.kubernetesAuthAudience !== env.vaultTokenAudience) {
      problems.add('kubernetesAuthAudience', `differs from environment "${env.name}"'s vaultTokenAudience "${env.vaultTokenAudience}", the audience its pods present`, o.kubernetesAuthAudience,
        'remove it and set vaultTokenAudience on the Environment: the roles and the pods\' projected tokens then agree (V07)');
    }
    if (env.database && o.databasePort !== env.database.port) {
      problems.add('databasePort', `differs from environment "${env.name}"'s database port ${env.database.port}, which the pods' connection strings use`, o.databasePort, 'remove it: set the port on the Environment\'s database');
    }
    if (env.database && o.databaseSslMode !== env.database.sslMode) {
      problems.add('databaseSslMode', `differs from environment "${env.name}"'s database sslMode "${env.database.sslMode}", which the pods' connection strings use`, o.databaseSslMode, 'remove it: set sslMode on the Environment\'s database');
    }
    o.serviceAccountNames.forEach((sa, i) => {
      if (!isDnsLabel(sa, 63)) {
        problems.add(`serviceAccountNames[${i}]`, 'is not an exact service account name', sa, 'name one service account, e.g. "backup"; never "*" (V07)');
      }
    });
    for (const [field, value] of [['kubernetesHost', props.kubernetesHost], ['kubernetesCaCert', props.kubernetesCaCert]] as const) {
      if (typeof value !== 'string' || value.trim() === '') {
        problems.add(field, 'is empty', value, 'pass a Terraform variable, e.g. var.vault_kubernetes_host');
      }
    }
    if (typeof props.kubernetesHost === 'string' && !Token.isUnresolved(props.kubernetesHost) && !props.kubernetesHost.startsWith('https://')) {
      problems.add('kubernetesHost', 'is not an https:// URL', props.kubernetesHost, 'Vault must verify the API server over TLS (V08)');
    }
    this.databaseHost = props.databaseHost;
    this.databaseBootstrapPasswords = props.databaseBootstrapPasswords;
    this.objectStorage = props.objectStorage;
    problems.addAll(this.databaseInputProblems(env.tenants));
    if (props.environmentResources !== undefined && !Object.values(VaultEnvironmentResources).includes(props.environmentResources)) {
      problems.add('environmentResources', 'is not a VaultEnvironmentResources', props.environmentResources, 'use VaultEnvironmentResources.OWN, BASE_STACK or PREVIEW_HOST');
    } else if (props.environmentResources !== undefined
      && env.isPreview !== (props.environmentResources === VaultEnvironmentResources.PREVIEW_HOST)) {
      problems.add('environmentResources', env.isPreview
        ? 'is not PREVIEW_HOST for a preview, whose stack is synthesized from a pull request\'s code'
        : 'is PREVIEW_HOST for an environment that is not a preview', props.environmentResources,
      env.isPreview ? 'remove it: a preview adds roles only, under the mounts and policies its host\'s reviewed stack creates (PreviewVaultHost)' : 'remove it (OWN) or use BASE_STACK for a tenant shard');
    }
    problems.throwIfAny();

    this.environment = env;
    this.names = environmentVaultNames(env);
    const n = this.names;

    this.environmentResources = props.environmentResources
      ?? (env.isPreview ? VaultEnvironmentResources.PREVIEW_HOST : VaultEnvironmentResources.OWN);
    this.auditDevices = [];
    // A tenant shard adds tenants only: the base stack of its environment has every environment-wide resource.
    if (this.environmentResources === VaultEnvironmentResources.OWN) {
      this.kvMount = new mount.Mount(this, 'Kv', {
        path: n.kvMount,
        type: 'kv',
        options: { version: '2' },
        description: `KV v2 secrets of environment ${env.name} (one mount per environment, V12)`,
      });
      this.kvConfig = new kvSecretBackendV2.KvSecretBackendV2(this, 'KvConfig', {
        mount: this.kvMount.path,
        maxVersions: o.kvMaxVersions,
        casRequired: env.isProduction,
      });

      this.environmentPolicyDocument = new VaultPolicyDocument(n.environmentPolicy, [
        {
          path: `${n.kvMount}/data/${env.name}/*`,
          capabilities: [VaultCapability.CREATE, VaultCapability.READ, VaultCapability.UPDATE, VaultCapability.PATCH, VaultCapability.DELETE],
          description: `Secret operators of environment ${env.name} write the static secrets of its tenants`,
        },
        {
          path: `${n.kvMount}/metadata/${env.name}/*`,
          capabilities: env.isProduction
            ? [VaultCapability.READ, VaultCapability.LIST]
            : [VaultCapability.READ, VaultCapability.LIST, VaultCapability.DELETE],
          description: env.isProduction ? 'Production keeps every version: no metadata delete' : 'Versions and key names',
        },
      ], { allowedPrefixes: [`${n.kvMount}/data/${env.name}/`, `${n.kvMount}/metadata/${env.name}/`] });
      const envDoc = this.environmentPolicyDocument;
      this.environmentPolicy = new policy.Policy(this, 'EnvironmentPolicy', {
        name: n.environmentPolicy,
        policy: Lazy.stringValue({ produce: () => envDoc.render() }),
      });

      this.databaseMount = new mount.Mount(this, 'Database', {
        path: n.databaseMount,
        type: 'database',
        description: `Dynamic PostgreSQL credentials of environment ${env.name}`,
        defaultLeaseTtlSeconds: o.databaseCredentialTtl.toSeconds(),
        maxLeaseTtlSeconds: o.databaseCredentialMaxTtl.toSeconds(),
      });

      this.kubernetesAuth = new authBackend.AuthBackend(this, 'KubernetesAuth', {
        type: 'kubernetes',
        path: n.kubernetesAuthMount,
        description: `Workloads of environment ${env.name}`,
        tune: [{
          defaultLeaseTtl: cls.vaultTokenTtl.toGoDuration(),
          maxLeaseTtl: cls.vaultTokenMaxTtl.toGoDuration(),
          tokenType: 'default-service',
        }],
      });
      // No token_reviewer_jwt: Vault reviews tokens with its own short-lived pod token (V08).
      this.kubernetesAuthConfig = new kubernetesAuthBackendConfig.KubernetesAuthBackendConfig(this, 'KubernetesAuthConfig', {
        backend: this.kubernetesAuth.path,
        kubernetesHost: props.kubernetesHost,
        kubernetesCaCert: props.kubernetesCaCert,
        disableLocalCaJwt: false,
      });

      if (o.auditDevices) {
        const common = { format: 'json', hmac_accessor: 'true', log_raw: 'false' };
        this.auditDevices.push(new audit.Audit(this, 'AuditFile', {
          type: 'file',
          path: 'audit-file',
          description: 'Audit log on the audit volume, shipped and kept 90 days (spec §7)',
          options: { ...common, file_path: o.auditLogFilePath, mode: '0600' },
        }));
        this.auditDevices.push(new audit.Audit(this, 'AuditStdout', {
          type: 'file',
          path: 'audit-stdout',
          description: 'Audit log on stdout, collected by the log pipeline (second device: Vault blocks if none can write)',
          options: { ...common, file_path: 'stdout' },
        }));
      }
    } else {
      // The data source that reads the base stack's auth mount exists even in a shard that has no tenant yet.
      referencesOf(this);
    }

    for (const tenant of env.tenants) this.addTenant(tenant);
  }

  /** Add a tenant's policy, database connection and role, and Kubernetes auth role. Adding a tenant twice is refused. */
  public addTenant(tenant: Tenant): TenantVault {
    const problems = new Problems(this.node.path);
    if (this.tenantVaults.has(tenant.id)) {
      problems.add('tenants', 'already has this tenant', tenant.id, 'add each tenant once');
    }
    problems.addAll(this.databaseInputProblems([tenant]));
    const backup = backupRolesOf(this).get(tenant.id);
    if (backup) {
      problems.add('tenants', `has an id equal to tenant "${backup.id}"'s backup role`, tenant.id, 'Kubernetes auth roles share one namespace per mount: rename the tenant or that backup role');
    }
    problems.throwIfAny();
    const accounts = tenantRoleServiceAccounts(this.environment, tenant, this.options.serviceAccountNames);
    const vault = new TenantVault(this, `Tenant-${tenant.id}`, tenant, accounts);
    this.tenantVaults.set(tenant.id, vault);
    return vault;
  }

  /**
   * Give a tenant's BackupSchedule its Vault side: dynamic database roles `<tenant>-backup` (read-only dumps) and
   * `<tenant>-drill` (restore drill), the policy `<env>-<tenant>-backup` granting `read` on exactly `secretPaths`,
   * and the Kubernetes auth role `<env>-<tenant>-backup` bound to exactly the backup ServiceAccount and the tenant
   * namespace. Refuses, listing every problem: unknown tenants, tenants without a database, a second call for a
   * tenant, service accounts that are not DNS labels or that other roles bind, paths outside the tenant's prefixes or
   * in another environment's mounts, and deadlines the credentials would not outlive. Call it before
   * `EnvironmentStack.addTenantBase` so that the tenant base waits for these resources too.
   */
  public addBackupAccess(tenantId: string, options: BackupVaultAccessOptions): TenantBackupVault {
    const vault = this.tenantVaults.get(tenantId);
    if (!vault) {
      throw new LifecycleValidationError(checkBackupAccess(this, undefined, tenantId, options).problems);
    }
    return new TenantBackupVault(vault, BACKUP_CHILD_ID, options);
  }

  /**
   * The Vault side of a checked TenantBackupPlan (what BackupSchedule builds from the same plan): its service account,
   * role and paths are the plan's, checked once by the model; only what depends on this bootstrap is checked here.
   */
  public addBackupPlan(plan: TenantBackupPlan): TenantBackupVault {
    const vault = plan instanceof TenantBackupPlan ? this.tenantVaults.get(plan.tenant.id) : undefined;
    if (!vault) {
      new Problems(`${this.node.path}.addBackupPlan`).add('plan', 'is not the plan of a tenant of this bootstrap', plan instanceof TenantBackupPlan ? plan.tenant.id : plan,
        `use a TenantBackupPlan of one of ${this._builtTenants.map(t => t.tenant.id).join(', ') || '(none yet)'}, or addTenant first`).throwIfAny();
    }
    const options: BackupVaultAccessOptions = {
      serviceAccountName: plan.names.serviceAccount,
      roleName: plan.names.vaultRole,
      secretPaths: [...plan.vaultSecretPaths],
      activeDeadlineSeconds: plan.deadlines.longestSeconds,
    };
    PLANNED.set(options, plan);
    return new TenantBackupVault(vault!, BACKUP_CHILD_ID, options);
  }

  /** True if the tenant has been added. */
  public hasTenant(tenantId: string): boolean {
    return this.tenantVaults.has(tenantId);
  }

  /**
   * The Vault resources of a tenant (policy, database connection/rotation/role, Kubernetes role). In an
   * EnvironmentStack built without its tenants (a Platform's stacks: their tenants are built when `synth()` writes
   * them), asking for a tenant of the stack builds its resources now and keeps them until synthesis.
   */
  public tenantResources(tenantId: string): TenantVault {
    const found = this.tenantVaults.get(tenantId) ?? this.missingTenant?.(tenantId);
    if (!found) {
      new Problems(this.node.path)
        .add('tenantId', 'is not a tenant of this bootstrap', tenantId, `use one of ${[...this.tenantVaults.keys()].join(', ') || '(none yet)'}, or addTenant first`)
        .throwIfAny();
    }
    return found!;
  }

  /**
   * @internal Who builds a tenant asked for with `tenantResources` that is not built yet (EnvironmentStack, for the
   * tenants it builds on demand); undefined when it does not.
   */
  public _onMissingTenant(build: (tenantId: string) => TenantVault | undefined): void {
    this.missingTenant = build;
  }

  /**
   * @internal Drop a tenant's constructs (EnvironmentStack._releaseTenant, once its blocks are resolved): the tenant
   * is no longer one of `tenants`, and its backup role name stays taken.
   */
  public _removeTenant(tenantId: string): void {
    this.tenantVaults.delete(tenantId);
    this.node.tryRemoveChild(`Tenant-${tenantId}`);
  }

  /**
   * @internal Who builds the tenants not built yet when `tenants` is read (EnvironmentStack, for the tenants it
   * builds on demand).
   */
  public _onListTenants(buildAll: () => void): void {
    this.listingTenants = buildAll;
  }

  /** @internal The tenants built so far, in order (`tenants` without building the others). */
  public get _builtTenants(): TenantVault[] {
    return [...this.tenantVaults.values()];
  }

  /**
   * The tenants added so far, in order. In an EnvironmentStack built without its tenants (a Platform's stacks),
   * reading this before `synth()` builds every tenant of the stack and keeps them until synthesis, as
   * `tenantResources` does for one; after `synth()`, tenants whose Terraform was released are not listed.
   */
  public get tenants(): TenantVault[] {
    this.listingTenants?.();
    return [...this.tenantVaults.values()];
  }

  private databaseInputProblems(tenants: Tenant[]): string[] {
    if (!tenants.some(t => t.database)) return [];
    const problems = new Problems(this.node.path);
    if (typeof this.databaseHost !== 'string' || this.databaseHost.trim() === '') {
      problems.add('databaseHost', 'is required when a tenant has a database', this.databaseHost, 'pass a Terraform variable, e.g. var.database_host');
    }
    if (!(this.databaseBootstrapPasswords instanceof TerraformVariable)) {
      problems.add('databaseBootstrapPasswords', 'is required when a tenant has a database', this.databaseBootstrapPasswords, 'pass an ephemeral map(string) TerraformVariable (EnvironmentStack creates one)');
    }
    return [...problems.all];
  }
}

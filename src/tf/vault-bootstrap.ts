import { audit, authBackend, databaseSecretBackendConnection, databaseSecretBackendRole, genericEndpoint, kubernetesAuthBackendConfig, kubernetesAuthBackendRole, kvSecretBackendV2, mount, policy } from '@cdktf/provider-vault';
import { ITerraformDependable, Lazy, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VaultCapability, VaultPolicyDocument } from './vault-policy';
import { Environment } from '../model/environment';
import { isDnsLabel } from '../model/naming';
import { Period } from '../model/period';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { environmentVaultNames, EnvironmentVaultNames, ResolvedVaultRef, tenantVaultNames, TenantVaultNames, VaultEngine } from '../model/vault-ref';

/** How Vault verifies the tenant database's TLS certificate. Unverified modes are not offered (V04). */
export enum DatabaseSslMode {
  /** Verify the certificate chain and the host name. */
  VERIFY_FULL = 'verify-full',
  /** Verify the certificate chain only. */
  VERIFY_CA = 'verify-ca',
}

/** The tunable parts of a VaultBootstrap; every value has a default taken from the spec and CHECKS.md. */
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
   * Port of the tenant databases.
   * @default 5432
   */
  readonly databasePort?: number;
  /**
   * TLS verification of Vault's connection to the tenant databases.
   * @default DatabaseSslMode.VERIFY_FULL
   */
  readonly databaseSslMode?: DatabaseSslMode;
  /**
   * Version of the one-time bootstrap password sent through the write-only `password_wo` argument. Bump it to send
   * a new bootstrap password (for example after restoring a database); Vault rotates it right away again.
   * @default 1
   */
  readonly rootCredentialVersion?: number;
  /**
   * `audience` the Kubernetes auth roles require in service account tokens (V07).
   * @default 'vault'
   */
  readonly kubernetesAuthAudience?: string;
  /**
   * Service accounts, besides one per tenant module (named after the module), that may log in as the tenant's
   * Kubernetes auth role, e.g. the backup job's or External Secrets' service account. Exact names, never `*` (V07).
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
}

/** The Vault resources of one tenant, for `dependsOn` and escape hatches. */
export class TenantVault extends Construct {
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The names the resources use. */
  public readonly names: TenantVaultNames;
  /** The tenant policy's rules; rendered lazily, so rules added later still land in the policy. */
  public readonly policyDocument: VaultPolicyDocument;
  /** The tenant policy. */
  public readonly policy: policy.Policy;
  /** The database connection, if the tenant has a database. */
  public readonly databaseConnection?: databaseSecretBackendConnection.DatabaseSecretBackendConnection;
  /** The root-credential rotation right after the connection is created (V09), if the tenant has a database. */
  public readonly rootRotation?: genericEndpoint.GenericEndpoint;
  /** The dynamic database role, if the tenant has a database. */
  public readonly databaseRole?: databaseSecretBackendRole.DatabaseSecretBackendRole;
  /** The Kubernetes auth role, if any service account may log in. */
  public readonly kubernetesRole?: kubernetesAuthBackendRole.KubernetesAuthBackendRole;
  private readonly dependableList: ITerraformDependable[];

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
    ], { allowedPrefixes: [`${n.kvDataPrefix}/`, `${n.kvMetadataPrefix}/`, n.databaseCredsPath, `${n.cacheMount}/creds/${n.cacheRole}`] });
    const doc = this.policyDocument;
    this.policy = new policy.Policy(this, 'Policy', { name: n.tenantPolicy, policy: Lazy.stringValue({ produce: () => doc.render() }) });
    const dependables: ITerraformDependable[] = [this.policy];

    if (tenant.database) {
      this.policyDocument.addRule({ path: n.databaseCredsPath, capabilities: [VaultCapability.READ], description: 'Dynamic database credentials of the tenant' });
      const options = scope.options;
      const passwords = scope.databaseBootstrapPasswords!;
      this.databaseConnection = new databaseSecretBackendConnection.DatabaseSecretBackendConnection(this, 'DatabaseConnection', {
        backend: scope.databaseMount.path,
        name: n.databaseConnection,
        pluginName: 'postgresql-database-plugin',
        allowedRoles: [n.databaseRole],
        verifyConnection: true,
        postgresql: {
          connectionUrl: `postgresql://{{username}}:{{password}}@${scope.databaseHost}:${options.databasePort}/${n.databaseName}?sslmode=${options.databaseSslMode}`,
          username: n.databaseAdminUser,
          // Write-only: Terraform sends it once and never stores it; a missing key sends nothing.
          passwordWo: `\${lookup(var.${passwords.friendlyUniqueId}, "${tenant.id}", null)}`,
          passwordWoVersion: options.rootCredentialVersion,
        },
      });
      const connectionAddress = `${this.databaseConnection.terraformResourceType}.${this.databaseConnection.friendlyUniqueId}`;
      this.rootRotation = new genericEndpoint.GenericEndpoint(this, 'RootRotation', {
        path: `${n.databaseMount}/rotate-root/${n.databaseConnection}`,
        dataJson: '{}',
        disableRead: true,
        disableDelete: true,
        dependsOn: [this.databaseConnection],
      });
      // Rotate again whenever the connection changes (a new bootstrap password is a change). cdktf renders
      // replace_triggered_by as "${...}", which Terraform rejects; a bare address is what it expects.
      this.rootRotation.addOverride('lifecycle.replace_triggered_by', [connectionAddress]);
      this.databaseRole = new databaseSecretBackendRole.DatabaseSecretBackendRole(this, 'DatabaseRole', {
        backend: scope.databaseMount.path,
        name: n.databaseRole,
        dbName: this.databaseConnection.name,
        defaultTtl: options.databaseCredentialTtl.toSeconds(),
        maxTtl: options.databaseCredentialMaxTtl.toSeconds(),
        creationStatements: [
          'CREATE ROLE "{{name}}" WITH LOGIN PASSWORD \'{{password}}\' VALID UNTIL \'{{expiration}}\' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;',
          `GRANT "${n.databaseAppRole}" TO "{{name}}";`,
        ],
        revocationStatements: [
          `REVOKE "${n.databaseAppRole}" FROM "{{name}}";`,
          'DROP ROLE IF EXISTS "{{name}}";',
        ],
        // No credentials are issued before the bootstrap password is gone.
        dependsOn: [this.rootRotation],
      });
      dependables.push(this.databaseConnection, this.rootRotation, this.databaseRole);
    }

    if (serviceAccounts.length > 0) {
      this.kubernetesRole = new kubernetesAuthBackendRole.KubernetesAuthBackendRole(this, 'KubernetesRole', {
        backend: scope.kubernetesAuth.path,
        roleName: n.kubernetesAuthRole,
        boundServiceAccountNames: serviceAccounts,
        boundServiceAccountNamespaces: [n.namespace],
        audience: scope.options.kubernetesAuthAudience,
        tokenTtl: env.environmentClass.vaultTokenTtl.toSeconds(),
        tokenMaxTtl: env.environmentClass.vaultTokenMaxTtl.toSeconds(),
        tokenPolicies: [this.policy.name],
        dependsOn: [scope.kubernetesAuthConfig],
      });
      dependables.push(this.kubernetesRole);
    }
    this.dependableList = dependables;
  }

  /** Every resource of the tenant, for `dependsOn` (the tenant base waits for all of them). */
  public get dependables(): ITerraformDependable[] {
    return [...this.dependableList];
  }

  /**
   * Let the tenant read a resolved reference that its standard rules do not cover (cache credentials). Paths
   * outside the tenant's own prefixes are refused (V02).
   */
  public grantRead(ref: ResolvedVaultRef): void {
    if (ref.engine === VaultEngine.KV || ref.path === this.names.databaseCredsPath) return;
    this.policyDocument.addRule({ path: ref.path, capabilities: [VaultCapability.READ], description: `Referenced by a module: ${ref.reference}` });
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
 * Vault for one environment (DESIGN.md "VaultBootstrap"): a KV v2 mount, the environment and per-tenant
 * least-privilege policies, a database secrets engine with one connection and one dynamic role per tenant database
 * (root credentials sent write-only and rotated right after creation), a Kubernetes auth mount with per-tenant roles
 * bound to exact service accounts and the tenant namespace, and (where this stack owns them) two audit devices.
 *
 * Mounts are per environment (`kv-<env>`, `database-<env>`, `kubernetes-<env>`; V12), so destroying a preview
 * removes exactly its own mounts. No secret value is ever written into the synthesized output.
 */
export class VaultBootstrap extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** Mount and policy names. */
  public readonly names: EnvironmentVaultNames;
  /** The KV v2 mount. */
  public readonly kvMount: mount.Mount;
  /** KV v2 settings: bounded versions, check-and-set in production. */
  public readonly kvConfig: kvSecretBackendV2.KvSecretBackendV2;
  /** The environment policy (for the environment's secret operators). */
  public readonly environmentPolicy: policy.Policy;
  /** The environment policy's rules. */
  public readonly environmentPolicyDocument: VaultPolicyDocument;
  /** The database secrets engine mount. */
  public readonly databaseMount: mount.Mount;
  /** The Kubernetes auth mount. */
  public readonly kubernetesAuth: authBackend.AuthBackend;
  /** The Kubernetes auth configuration (CA certificate, no reviewer JWT). */
  public readonly kubernetesAuthConfig: kubernetesAuthBackendConfig.KubernetesAuthBackendConfig;
  /** The audit devices, when this stack owns them. */
  public readonly auditDevices: audit.Audit[];
  /** The settings, defaults applied. */
  public readonly options: VaultBootstrapSettings;
  /** Host of the tenant databases. */
  public readonly databaseHost?: string;
  /** The ephemeral variable with bootstrap passwords by tenant id. */
  public readonly databaseBootstrapPasswords?: TerraformVariable;
  private readonly tenantVaults = new Map<string, TenantVault>();

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
      databasePort: props.databasePort ?? 5432,
      databaseSslMode: props.databaseSslMode ?? DatabaseSslMode.VERIFY_FULL,
      rootCredentialVersion: props.rootCredentialVersion ?? 1,
      kubernetesAuthAudience: props.kubernetesAuthAudience ?? 'vault',
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
    problems.addAll(this.databaseInputProblems(env.tenants));
    problems.throwIfAny();

    this.environment = env;
    this.names = environmentVaultNames(env);
    const n = this.names;

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

    this.auditDevices = [];
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

    for (const tenant of env.tenants) this.addTenant(tenant);
  }

  /** Add a tenant's policy, database connection and role, and Kubernetes auth role. Adding a tenant twice is refused. */
  public addTenant(tenant: Tenant): TenantVault {
    const problems = new Problems(this.node.path);
    if (this.tenantVaults.has(tenant.id)) {
      problems.add('tenants', 'already has this tenant', tenant.id, 'add each tenant once');
    }
    problems.addAll(this.databaseInputProblems([tenant]));
    problems.throwIfAny();
    const accounts = [...new Set([...tenant.modules.map(m => m.name), ...this.options.serviceAccountNames])].sort();
    const vault = new TenantVault(this, `Tenant-${tenant.id}`, tenant, accounts);
    this.tenantVaults.set(tenant.id, vault);
    return vault;
  }

  /** True if the tenant has been added. */
  public hasTenant(tenantId: string): boolean {
    return this.tenantVaults.has(tenantId);
  }

  /** The Vault resources of a tenant (policy, database connection/rotation/role, Kubernetes role). */
  public tenantResources(tenantId: string): TenantVault {
    const found = this.tenantVaults.get(tenantId);
    if (!found) {
      new Problems(this.node.path)
        .add('tenantId', 'is not a tenant of this bootstrap', tenantId, `use one of ${[...this.tenantVaults.keys()].join(', ') || '(none yet)'}, or addTenant first`)
        .throwIfAny();
    }
    return found!;
  }

  /** The tenants added so far, in order. */
  public get tenants(): TenantVault[] {
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

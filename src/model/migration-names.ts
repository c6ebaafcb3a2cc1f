import { Environment } from './environment';
import { isPreviewName, PREVIEW_MIGRATION_POLICY } from './names';
import { composeName, NAME_LIMITS } from './naming';
import { Tenant } from './tenant';
import { tenantVaultNames } from './vault-ref';

/**
 * Names of a tenant's schema-migration identity, shared by the migration hooks (Kubernetes), the Vault bootstrap
 * (Terraform), the inventory and the decommission plan, so that the service account the hook runs as is the one a
 * Vault role binds.
 */
export interface MigrationNames {
  /** Kubernetes auth role `<tenant>-migrate`, bound to the migration service accounts of the tenant's modules. */
  readonly kubernetesAuthRole: string;
  /** Login path of that role: `auth/kubernetes-<env>`. */
  readonly authPath: string;
  /** Dynamic database role `<tenant>-migrate`. */
  readonly databaseRole: string;
  /** Credentials path `database-<env>/creds/<tenant>-migrate`. */
  readonly credsPath: string;
  /** Vault policy `<env>-<tenant>-migrate` (like the backup's `<env>-<tenant>-backup`: not a tenant policy). */
  readonly policy: string;
  /**
   * PostgreSQL group role the migration user joins, `<env>_<tenant>_owner`: it owns the schema (created by the
   * database bootstrap, as `<env>_<tenant>_app`), so migrations may change it; the application role may not.
   */
  readonly ownerGroupRole: string;
  /** Namespace of the hooks. */
  readonly namespace: string;
}

/** The migration identity of a tenant in an environment. */
export function migrationNames(env: Environment, tenant: Tenant): MigrationNames {
  const n = tenantVaultNames(env, tenant);
  // In the shared preview mounts a role is keyed by the namespace, and the host's templated policy grants it.
  const preview = isPreviewName(env.name);
  const key = preview ? n.namespace : tenant.id;
  return {
    kubernetesAuthRole: `${key}-migrate`,
    authPath: `auth/${n.kubernetesAuthMount}`,
    databaseRole: `${key}-migrate`,
    credsPath: `${n.databaseMount}/creds/${key}-migrate`,
    policy: preview ? PREVIEW_MIGRATION_POLICY : `${env.name}-${tenant.id}-migrate`,
    ownerGroupRole: composeName([env.name, tenant.id, 'owner'], NAME_LIMITS.postgresIdentifierBytes).replace(/-/g, '_'),
    namespace: n.namespace,
  };
}

/** The service account a module's migration runs as: `<module>-migrate` (≤ 63). */
export function migrationServiceAccountName(moduleName: string): string {
  return composeName([moduleName, 'migrate'], NAME_LIMITS.label);
}

/** The modules of a tenant that declare a migration, in order. */
export function migratingModules(tenant: Tenant): string[] {
  return tenant.modules.filter(m => m.migration !== undefined).map(m => m.name);
}

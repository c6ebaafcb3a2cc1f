import * as database from '@cdktf/provider-postgresql/lib/database';
import * as functionResource from '@cdktf/provider-postgresql/lib/function-resource';
import * as grant from '@cdktf/provider-postgresql/lib/grant';
import * as postgresqlProvider from '@cdktf/provider-postgresql/lib/provider';
import * as role from '@cdktf/provider-postgresql/lib/role';
import * as schema from '@cdktf/provider-postgresql/lib/schema';
import { ITerraformDependable, Lazy, TerraformResource, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { Environment } from '../model/environment';
import { Tenant } from '../model/tenant';
import { tenantDatabaseNames, TenantDatabaseNames, vaultUserFunctions } from '../model/tenant-database';

/** How a TenantDatabase reaches the PostgreSQL server (the stack's variables and VaultBootstrap's settings). */
export interface TenantDatabaseProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant (with `database: true`). */
  readonly tenant: Tenant;
  /** Host of the tenant databases (`var.database_host`). */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** `verify-full` or `verify-ca`. */
  readonly sslMode: string;
  /** The ephemeral `map(string)` of one-time bootstrap passwords by tenant id (write-only use only). */
  readonly bootstrapPasswords: TerraformVariable;
  /** `password_wo_version` of the Vault login (VaultBootstrap's `rootCredentialVersion`). */
  readonly passwordVersion: number;
}

/** The `depends_on` address of a resource. */
const address = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;

/** Id of the provider and of the admin variable at stack level (one per stack, whatever the number of tenants). */
const PROVIDER_ID = 'postgresql';
const ADMIN_VARIABLE_ID = 'postgres_admin_username';

/**
 * The PostgreSQL provider of `stack`, created with the first tenant database. It connects as the provisioning admin
 * (`var.postgres_admin_username`, a role with CREATEROLE and CREATEDB, not necessarily a superuser; the password
 * comes from `PGPASSWORD` at run time, never from configuration) to the `postgres` database over verified TLS.
 */
function providerOf(stack: TerraformStack, props: TenantDatabaseProps): postgresqlProvider.PostgresqlProvider {
  const existing = stack.node.tryFindChild(PROVIDER_ID);
  if (existing) return existing as postgresqlProvider.PostgresqlProvider;
  const admin = new TerraformVariable(stack, ADMIN_VARIABLE_ID, {
    type: 'string',
    description: `PostgreSQL role Terraform provisions the tenant databases of environment ${props.environment.name} with (CREATEROLE, CREATEDB; a superuser is not needed). Its password comes from PGPASSWORD at run time.`,
  });
  return new postgresqlProvider.PostgresqlProvider(stack, PROVIDER_ID, {
    host: props.host,
    port: props.port,
    username: admin.stringValue,
    database: 'postgres',
    sslmode: props.sslMode,
    superuser: false,
  });
}

/**
 * One tenant's PostgreSQL database, created by the provisioning step (issue 23): the database `<env>_<tenant>`
 * owned by the NOLOGIN role `<env>_<tenant>_owner`; the NOLOGIN groups `_app` (and, with backup access, `_backup`
 * and `_drill`); the marker group `_issued`; Vault's login `vault_<env>_<tenant>` **without** CREATEROLE; and, in
 * the schema `vault` of the tenant database, the SECURITY DEFINER functions `issue_user` and `revoke_user` that
 * Vault's creation and revocation statements call (see `vaultUserFunctions` for why). CONNECT is revoked from
 * PUBLIC and granted to the tenant's groups and Vault's login only, so a tenant's users cannot reach another
 * tenant's database.
 *
 * The Vault login's password is the tenant's one-time bootstrap password, sent write-only (`password_wo`, never in
 * state or plans); Vault rotates it right after the connection is created.
 */
export class TenantDatabase extends Construct {
  /** The PostgreSQL names. */
  public readonly names: TenantDatabaseNames;
  /** The database. */
  public readonly database: database.Database;
  /** The owner role. */
  public readonly ownerRole: role.Role;
  /** The application group. */
  public readonly appRole: role.Role;
  /** The marker group of the users Vault issued. */
  public readonly issuedRole: role.Role;
  /** Vault's login. */
  public readonly vaultAdmin: role.Role;
  /** `issue_user` and `revoke_user`. */
  public readonly functions: functionResource.FunctionResource[];
  private readonly dependableList: ITerraformDependable[];
  private readonly functionDependencies: role.Role[];
  private backupGroups?: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    const provider = providerOf(TerraformStack.of(this), props);
    const n = tenantDatabaseNames(props.environment, props.tenant);
    this.names = n;
    const group = (childId: string, name: string, extra: Partial<role.RoleConfig> = {}) =>
      new role.Role(this, childId, { provider, name, login: false, inherit: true, ...extra });

    this.ownerRole = group('Owner', n.ownerRole);
    this.appRole = group('App', n.appRole);
    this.issuedRole = group('Issued', n.issuedRole);
    this.functionDependencies = [this.appRole, this.issuedRole];
    this.vaultAdmin = new role.Role(this, 'VaultLogin', {
      provider,
      name: n.vaultAdmin,
      login: true,
      createRole: false,
      createDatabase: false,
      inherit: false,
      // Write-only: sent once, never stored; Vault rotates it right after creating the connection.
      passwordWo: `\${lookup(var.${props.bootstrapPasswords.friendlyUniqueId}, "${props.tenant.id}", null)}`,
      passwordWoVersion: String(props.passwordVersion),
    });
    this.database = new database.Database(this, 'Database', {
      provider,
      name: n.database,
      owner: this.ownerRole.name,
      encoding: 'UTF8',
      template: 'template0',
    });
    const onDatabase = (childId: string, grantee: string, privileges: string[], extra: Partial<grant.GrantConfig> = {}) => {
      const created = new grant.Grant(this, childId, { provider, database: this.database.name, role: grantee, objectType: 'database', privileges, ...extra });
      return created;
    };
    // No CONNECT or TEMPORARY for PUBLIC: another tenant's users cannot even open a session here.
    const revokePublic = onDatabase('RevokePublic', 'public', []);
    const connectApp = onDatabase('ConnectApp', this.appRole.name, ['CONNECT']);
    const connectVault = onDatabase('ConnectVault', this.vaultAdmin.name, ['CONNECT']);
    const fnSchema = new schema.Schema(this, 'FunctionSchema', { provider, database: this.database.name, name: n.functionSchema });
    const schemaUsage = new grant.Grant(this, 'FunctionSchemaUsage', {
      provider, database: this.database.name, role: this.vaultAdmin.name, objectType: 'schema', schema: fnSchema.name, privileges: ['USAGE'],
    });
    this.functions = vaultUserFunctions(n).map((fn, i) => {
      const created = new functionResource.FunctionResource(this, i === 0 ? 'IssueUser' : 'RevokeUser', {
        provider,
        database: this.database.name,
        schema: fnSchema.name,
        name: fn.name,
        arg: fn.args.map(a => ({ name: a.name, type: a.type })),
        returns: fn.returns,
        language: 'plpgsql',
        volatility: 'VOLATILE',
        securityDefiner: true,
        body: fn.body,
      });
      // The groups the body grants must exist first (the backup groups join this list when added).
      created.dependsOn = Lazy.listValue({ produce: () => this.functionDependencies.map(address) });
      return created;
    });
    // Functions are executable by PUBLIC by default: take that back, give EXECUTE to Vault's login only.
    const revokeExecute = new grant.Grant(this, 'RevokeFunctionsPublic', {
      provider, database: this.database.name, role: 'public', objectType: 'function', schema: fnSchema.name, privileges: [],
    });
    const execute = new grant.Grant(this, 'FunctionsExecute', {
      provider, database: this.database.name, role: this.vaultAdmin.name, objectType: 'function', schema: fnSchema.name, privileges: ['EXECUTE'],
    });
    dependOn(revokeExecute, this.functions);
    dependOn(execute, this.functions);
    this.dependableList = [
      this.database, this.vaultAdmin, revokePublic, connectApp, connectVault, schemaUsage, ...this.functions, revokeExecute, execute,
    ];
  }

  /**
   * The groups of the tenant's backup access: `<env>_<tenant>_backup` (read-only, may connect) and
   * `<env>_<tenant>_drill` (NOLOGIN, CREATEDB; owns the drill's scratch databases), and CONNECT for the first.
   * Created once; returns those three resources.
   */
  public addBackupGroups(): ITerraformDependable[] {
    if (!this.backupGroups) {
      const provider = TerraformStack.of(this).node.findChild(PROVIDER_ID) as postgresqlProvider.PostgresqlProvider;
      const backup = new role.Role(this, 'Backup', { provider, name: this.names.backupRole, login: false, inherit: true });
      const drill = new role.Role(this, 'Drill', { provider, name: this.names.drillRole, login: false, inherit: true, createDatabase: true });
      const connect = new grant.Grant(this, 'ConnectBackup', {
        provider, database: this.database.name, role: backup.name, objectType: 'database', privileges: ['CONNECT'],
      });
      this.functionDependencies.push(backup, drill);
      this.backupGroups = [backup, drill, connect];
      this.dependableList.push(...this.backupGroups);
    }
    return [...this.backupGroups];
  }

  /** Every resource of the tenant database, for `dependsOn` (Vault's connection and roles wait for them). */
  public get dependables(): ITerraformDependable[] {
    return [...this.dependableList];
  }
}

import { Environment } from './environment';
import { backupVaultRoleNames, tenantDatabaseRoleName, tenantVaultNames } from './names';
import { Tenant } from './tenant';

/**
 * What a dynamic user Vault issues is for: the application (`<tenant>-db`), read-only dumps (`<tenant>-backup`) or
 * the restore drill (`<tenant>-drill`).
 */
export enum DatabaseUserKind {
  /** Application user: member of `<env>_<tenant>_app`, inherits its DML privileges. */
  APP = 'app',
  /** Dump user: member of the read-only `<env>_<tenant>_backup`, every transaction read-only. */
  BACKUP = 'backup',
  /**
   * Restore-drill user: inherits nothing; its sessions set the role `<env>_<tenant>_drill` (NOLOGIN, CREATEDB) at
   * connection (`options=-c role=…` in the drill's libpq service file), so what the drill creates belongs to the group.
   */
  DRILL = 'drill',
}

/**
 * PostgreSQL names of a tenant's database in one environment (`-` → `_`, each ≤ 63 bytes, hash-suffixed if
 * truncated). The Terraform side (`TenantDatabase`), Vault's statements and the backups all use these.
 */
export interface TenantDatabaseNames {
  /** The tenant's database, `<env>_<tenant>`. */
  readonly database: string;
  /** NOLOGIN role owning the database (and what migrations create), `<env>_<tenant>_owner`. */
  readonly ownerRole: string;
  /** NOLOGIN group with the application's privileges, `<env>_<tenant>_app`. */
  readonly appRole: string;
  /** NOLOGIN read-only group of the dump users, `<env>_<tenant>_backup`. */
  readonly backupRole: string;
  /** NOLOGIN, CREATEDB group every restore-drill session runs as, `<env>_<tenant>_drill`. */
  readonly drillRole: string;
  /** NOLOGIN marker group every user Vault issued is a member of; only its members can be revoked, `<env>_<tenant>_issued`. */
  readonly issuedRole: string;
  /** The login Vault connects as: no CREATEROLE, no CREATEDB; it may only call the two functions, `vault_<env>_<tenant>`. */
  readonly vaultAdmin: string;
  /** Schema (in the tenant database) of the two functions, usable by the Vault login only. */
  readonly functionSchema: string;
  /** `<schema>.issue_user(kind, name, password, valid_until)`: creates a dynamic user of this tenant. */
  readonly issueFunction: string;
  /** `<schema>.revoke_user(name)`: drops a user this tenant's Vault login issued, nothing else. */
  readonly revokeFunction: string;
}

/** Schema of the SECURITY DEFINER functions in every tenant database. */
export const VAULT_FUNCTION_SCHEMA = 'vault';

/** The PostgreSQL names of a tenant's database in an environment. */
export function tenantDatabaseNames(env: Environment, tenant: Tenant): TenantDatabaseNames {
  const n = tenantVaultNames(env, tenant);
  const b = backupVaultRoleNames(env.name, tenant.id);
  return {
    database: n.databaseName,
    ownerRole: tenantDatabaseRoleName(env.name, tenant.id, 'owner'),
    appRole: n.databaseAppRole,
    backupRole: b.dumpGroupRole,
    drillRole: b.drillGroupRole,
    issuedRole: tenantDatabaseRoleName(env.name, tenant.id, 'issued'),
    vaultAdmin: n.databaseAdminUser,
    functionSchema: VAULT_FUNCTION_SCHEMA,
    issueFunction: 'issue_user',
    revokeFunction: 'revoke_user',
  };
}

/** An argument of a generated function, as `postgresql_function` declares it. */
export interface DatabaseFunctionArg {
  /** Argument name. */
  readonly name: string;
  /** SQL type. */
  readonly type: string;
}

/** A generated PL/pgSQL function, in the parts `postgresql_function` takes (and `CREATE FUNCTION` needs). */
export interface DatabaseFunction {
  /** Schema. */
  readonly schema: string;
  /** Name. */
  readonly name: string;
  /** Arguments, in order. */
  readonly args: DatabaseFunctionArg[];
  /** Return type. */
  readonly returns: string;
  /** Body (between the dollar quotes). */
  readonly body: string;
}

/** SQL string literal. Names here are generated identifiers, but quoting never relies on that. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** SQL identifier. */
function ident(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Vault names its dynamic PostgreSQL users `v-<display name>-<role>-<random>-<unix time>` (at most 63 bytes);
 * `issue_user` accepts nothing else, so it can never (re)configure a role the platform created.
 */
export const VAULT_USER_NAME_PATTERN = '^v-[A-Za-z0-9_.-]{1,61}$';

/**
 * Why two functions instead of a CREATEROLE admin: on PostgreSQL ≤ 15 a role with CREATEROLE can create, alter,
 * drop and grant membership in every non-superuser role of the cluster, so a tenant's Vault login with CREATEROLE
 * could grant itself another tenant's group. Here the Vault login has no CREATEROLE at all; the provisioning
 * admin (Terraform's) owns two SECURITY DEFINER functions that create users only as members of this tenant's own
 * groups, and drop only users they created (members of the `issued` marker group). Both refuse any caller but the
 * tenant's Vault login (`session_user`), and only that login has USAGE on the schema. Works the same on 16+.
 */
export function vaultUserFunctions(names: TenantDatabaseNames): DatabaseFunction[] {
  const n = names;
  const guard = [
    // A SECURITY DEFINER function must not resolve anything through the caller's search_path.
    "  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);",
    `  IF session_user OPERATOR(pg_catalog.<>) ${literal(n.vaultAdmin)} THEN`,
    `    RAISE EXCEPTION 'only % may manage the users of database %', ${literal(n.vaultAdmin)}, ${literal(n.database)};`,
    '  END IF;',
  ];
  const issue = [
    'DECLARE',
    '  grp text;',
    '  inherits text;',
    'BEGIN',
    ...guard,
    `  IF user_name IS NULL OR user_name OPERATOR(pg_catalog.!~) ${literal(VAULT_USER_NAME_PATTERN)} THEN`,
    "    RAISE EXCEPTION 'user name % is not a Vault-generated name', user_name;",
    '  END IF;',
    '  CASE kind',
    `    WHEN ${literal(DatabaseUserKind.APP)} THEN grp := ${literal(n.appRole)}; inherits := 'INHERIT';`,
    `    WHEN ${literal(DatabaseUserKind.BACKUP)} THEN grp := ${literal(n.backupRole)}; inherits := 'INHERIT';`,
    `    WHEN ${literal(DatabaseUserKind.DRILL)} THEN grp := ${literal(n.drillRole)}; inherits := 'NOINHERIT';`,
    "    ELSE RAISE EXCEPTION 'unknown user kind %', kind;",
    '  END CASE;',
    "  EXECUTE pg_catalog.format('CREATE ROLE %I WITH LOGIN PASSWORD %L VALID UNTIL %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS %s',",
    '    user_name, user_password, valid_until, inherits);',
    "  EXECUTE pg_catalog.format('GRANT %I TO %I', grp, user_name);",
    `  EXECUTE pg_catalog.format('GRANT %I TO %I', ${literal(n.issuedRole)}, user_name);`,
    // PostgreSQL refuses `ALTER ROLE … SET role` inside a SECURITY DEFINER function: the drill's service file sets it.
    `  IF kind OPERATOR(pg_catalog.=) ${literal(DatabaseUserKind.BACKUP)} THEN`,
    "    EXECUTE pg_catalog.format('ALTER ROLE %I SET default_transaction_read_only = on', user_name);",
    '  END IF;',
    'END;',
  ];
  const revoke = [
    'BEGIN',
    ...guard,
    '  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) user_name) THEN',
    '    RETURN;',
    '  END IF;',
    '  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m',
    '      JOIN pg_catalog.pg_roles g ON g.oid OPERATOR(pg_catalog.=) m.roleid',
    '      JOIN pg_catalog.pg_roles u ON u.oid OPERATOR(pg_catalog.=) m.member',
    `      WHERE g.rolname OPERATOR(pg_catalog.=) ${literal(n.issuedRole)} AND u.rolname OPERATOR(pg_catalog.=) user_name) THEN`,
    "    RAISE EXCEPTION 'role % was not issued by Vault for database %', user_name, " + `${literal(n.database)};`,
    '  END IF;',
    "  EXECUTE pg_catalog.format('DROP ROLE %I', user_name);",
    'END;',
  ];
  return [
    {
      schema: n.functionSchema,
      name: n.issueFunction,
      args: [{ name: 'kind', type: 'text' }, { name: 'user_name', type: 'text' }, { name: 'user_password', type: 'text' }, { name: 'valid_until', type: 'text' }],
      returns: 'void',
      body: `\n${issue.join('\n')}\n`,
    },
    {
      schema: n.functionSchema,
      name: n.revokeFunction,
      args: [{ name: 'user_name', type: 'text' }],
      returns: 'void',
      body: `\n${revoke.join('\n')}\n`,
    },
  ];
}

/** Vault's creation statements for a dynamic user of `kind`: one call of the tenant's `issue_user`. */
export function vaultCreationStatements(names: TenantDatabaseNames, kind: DatabaseUserKind): string[] {
  return [`SELECT ${ident(names.functionSchema)}.${ident(names.issueFunction)}(${literal(kind)}, '{{name}}', '{{password}}', '{{expiration}}');`];
}

/** Vault's revocation statements: one call of the tenant's `revoke_user` (a no-op if the user is gone). */
export function vaultRevocationStatements(names: TenantDatabaseNames): string[] {
  return [`SELECT ${ident(names.functionSchema)}.${ident(names.revokeFunction)}('{{name}}');`];
}

/**
 * The `CREATE FUNCTION` statement `postgresql_function` runs for `fn` (SECURITY DEFINER, PL/pgSQL, volatile). For
 * tests and for operators who provision by hand; Terraform renders its own from the same parts.
 */
export function createFunctionSql(fn: DatabaseFunction): string {
  const args = fn.args.map(a => `${a.name} ${a.type}`).join(', ');
  return `CREATE OR REPLACE FUNCTION ${ident(fn.schema)}.${ident(fn.name)}(${args}) RETURNS ${fn.returns} LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $fn$${fn.body}$fn$;`;
}

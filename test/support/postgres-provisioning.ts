/**
 * Run what the `postgresql_*` resources of a synthesized stack create, against a real PostgreSQL (support/postgres.ts),
 * as the cyrilgdn/postgresql provider (1.26, @cdktf/provider-postgresql 12.1.1) does it: the SQL each resource type
 * issues, in dependency order, as a non-superuser provisioning admin with CREATEROLE and CREATEDB.
 *
 * Only the resource types and attributes TenantDatabase uses are translated; anything else fails loudly, so that a
 * new attribute cannot be silently ignored by the tests. The function bodies, names, flags and grants come from the
 * synthesized JSON verbatim; write-only passwords (`password_wo = lookup(var.…, "<tenant>", null)`) take the value the
 * test passes for that tenant, as Terraform would from the ephemeral variable.
 */
import { PgHarness } from './postgres';

/** The provisioning admin the tests create: what `var.postgres_admin_username` names in real life. */
export const PROVISIONING_ADMIN = 'terraform_provisioner';
export const PROVISIONING_PASSWORD = 'provisioner-pw';

export interface ProvisionOptions {
  /** One-time bootstrap passwords by tenant id (the ephemeral `database_bootstrap_passwords`). */
  readonly bootstrapPasswords: { [tenantId: string]: string };
  /** Run psql as `user` in `db`; resolves with the exit code and stderr. */
  readonly psqlAs: (user: string, password: string, db: string, sql: string) => Promise<{ code: number | null; stderr: string }>;
}

const ORDER = ['postgresql_role', 'postgresql_database', 'postgresql_grant:database', 'postgresql_schema', 'postgresql_grant:schema', 'postgresql_function', 'postgresql_grant:function'];
const KNOWN: { [type: string]: string[] } = {
  postgresql_role: ['provider', 'name', 'login', 'inherit', 'create_role', 'create_database', 'password_wo', 'password_wo_version', 'depends_on'],
  postgresql_database: ['provider', 'name', 'owner', 'encoding', 'template', 'depends_on'],
  postgresql_grant: ['provider', 'database', 'role', 'object_type', 'privileges', 'schema', 'depends_on'],
  postgresql_schema: ['provider', 'database', 'name', 'depends_on'],
  postgresql_function: ['provider', 'database', 'schema', 'name', 'arg', 'returns', 'language', 'volatility', 'security_definer', 'body', 'depends_on'],
};

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Create the provisioning admin (once per cluster), as an operator would. */
export async function createProvisioningAdmin(pg: PgHarness): Promise<void> {
  await pg.psql(`CREATE ROLE ${PROVISIONING_ADMIN} LOGIN CREATEROLE CREATEDB PASSWORD ${literal(PROVISIONING_PASSWORD)}`);
}

/** Apply every `postgresql_*` resource of `json` whose construct id contains `filter` (e.g. `Tenant-acme_`). */
export async function provision(json: any, filter: string, options: ProvisionOptions): Promise<string[]> {
  const all: { [type: string]: { [id: string]: any } } = json.resource ?? {};
  const byAddress = new Map<string, any>();
  for (const [type, items] of Object.entries(all)) for (const [id, body] of Object.entries(items)) byAddress.set(`${type}.${id}`, body);
  const resolve = (value: unknown): string => {
    if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
    return value.replace(/\$\{(postgresql_[a-z_]+\.[^.}]+)\.name\}/g, (_m, address: string) => {
      const target = byAddress.get(address);
      if (!target) throw new Error(`unknown reference ${address}`);
      return target.name;
    });
  };
  const steps: Array<{ key: string; db: string; sql: string }> = [];
  for (const [type, items] of Object.entries(all)) {
    if (!type.startsWith('postgresql_')) continue;
    for (const [id, r] of Object.entries(items)) {
      if (!id.includes(filter)) continue;
      // `lifecycle` (prevent_destroy in permanent classes) is a Terraform meta-argument: it changes no SQL.
      const unknown = Object.keys(r).filter(k => k !== 'lifecycle' && !(KNOWN[type] ?? []).includes(k));
      if (unknown.length > 0) throw new Error(`${type}.${id}: attributes the test provisioner does not translate: ${unknown.join(', ')}`);
      steps.push(...translate(type, r, resolve, options));
    }
  }
  steps.sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
  for (const step of steps) {
    const res = await options.psqlAs(PROVISIONING_ADMIN, PROVISIONING_PASSWORD, step.db, step.sql);
    if (res.code !== 0) throw new Error(`provisioning failed in ${step.db}: ${step.sql}\n${res.stderr}`);
  }
  return steps.map(s => s.sql);
}

type Step = { key: string; db: string; sql: string };
function translate(type: string, r: any, resolve: (v: unknown) => string, options: ProvisionOptions): Step[] {
  switch (type) {
    case 'postgresql_role': {
      const flags = [r.login ? 'LOGIN' : 'NOLOGIN', r.inherit === false ? 'NOINHERIT' : 'INHERIT', r.create_role ? 'CREATEROLE' : 'NOCREATEROLE', r.create_database ? 'CREATEDB' : 'NOCREATEDB'];
      let password = '';
      if (r.password_wo !== undefined) {
        const m = /^\$\{lookup\(var\.[A-Za-z0-9_]+, "([a-z0-9-]+)", null\)\}$/.exec(r.password_wo);
        if (!m) throw new Error(`unexpected password_wo ${r.password_wo}`);
        const pw = options.bootstrapPasswords[m[1]];
        if (pw !== undefined) password = ` PASSWORD ${literal(pw)}`;
      }
      return [{ key: type, db: 'postgres', sql: `CREATE ROLE ${ident(resolve(r.name))} ${flags.join(' ')}${password};` }];
    }
    case 'postgresql_database': {
      const owner = resolve(r.owner);
      // The provider makes itself a member of the owner first when it is not a superuser (PostgreSQL requires it).
      return [{ key: type, db: 'postgres', sql: `GRANT ${ident(owner)} TO ${PROVISIONING_ADMIN}; CREATE DATABASE ${ident(resolve(r.name))} OWNER ${ident(owner)} ENCODING ${literal(r.encoding)} TEMPLATE ${ident(r.template)};` }];
    }
    case 'postgresql_schema':
      return [{ key: type, db: resolve(r.database), sql: `CREATE SCHEMA ${ident(resolve(r.name))};` }];
    case 'postgresql_grant': {
      const db = resolve(r.database);
      const grantee = resolve(r.role) === 'public' ? 'PUBLIC' : ident(resolve(r.role));
      const privileges: string[] = r.privileges;
      const on = r.object_type === 'database' ? `DATABASE ${ident(db)}`
        : r.object_type === 'schema' ? `SCHEMA ${ident(resolve(r.schema))}`
          : r.object_type === 'function' ? `ALL FUNCTIONS IN SCHEMA ${ident(resolve(r.schema))}` : undefined;
      if (!on) throw new Error(`unexpected object_type ${r.object_type}`);
      // The provider revokes everything, then grants the listed privileges (an empty list revokes only).
      const sql = `REVOKE ALL ON ${on} FROM ${grantee};${privileges.length > 0 ? ` GRANT ${privileges.join(', ')} ON ${on} TO ${grantee};` : ''}`;
      return [{ key: `${type}:${r.object_type}`, db, sql }];
    }
    case 'postgresql_function': {
      const args = (r.arg as Array<{ name: string; type: string }>).map(a => `${a.name} ${a.type}`).join(', ');
      const sql = `CREATE OR REPLACE FUNCTION ${ident(resolve(r.schema))}.${ident(r.name)}(${args}) RETURNS ${r.returns} LANGUAGE ${r.language} ${r.volatility}${r.security_definer ? ' SECURITY DEFINER' : ''} AS $fn$${r.body}$fn$;`;
      return [{ key: type, db: resolve(r.database), sql }];
    }
    default:
      throw new Error(`the test provisioner does not translate ${type}`);
  }
}

/** Vault's expiration format, `2006-01-02 15:04:05-0700`, one hour from now. */
export function vaultExpiration(): string {
  const d = new Date(Date.now() + 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+0000`;
}

/** Vault's statements for a user, `{{name}}`, `{{password}}`, `{{expiration}}` filled in, split on ";", in one transaction. */
export function vaultTransaction(statements: string[], values: { [key: string]: string }): string {
  const queries = statements.flatMap(s => s.split(';')).map(q => q.trim()).filter(q => q.length > 0)
    .map(q => q.replace(/\{\{(name|username|password|expiration)\}\}/g, (_m, k: string) => values[k === 'username' ? 'name' : k]));
  return ['BEGIN;', ...queries.map(q => `${q};`), 'COMMIT;'].join('\n');
}

/**
 * TenantDatabase against a real PostgreSQL 15 (issue 23): the synthesized `postgresql_*` resources of two tenants are
 * applied as the provider applies them (support/postgres-provisioning.ts), by a provisioning admin that is not a
 * superuser; then Vault's own statements run as Vault runs them, as the tenant's Vault login: root rotation, the
 * creation and revocation statements of `<tenant>-db`. The Vault login has no CREATEROLE and can create users only in
 * its own tenant's groups; a dynamic user reaches its own database and not the other tenant's.
 */
import { spawn } from 'child_process';
import { Testing } from 'cdktf';
import { findResource, prodEnv, synthJson } from './fixtures';
import { Tenant } from '../../src/model/tenant';
import { tenantDatabaseNames } from '../../src/model/tenant-database';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { PgHarness, startPostgres } from '../support/postgres';
import { createProvisioningAdmin, provision, vaultExpiration, vaultTransaction } from '../support/postgres-provisioning';

interface RunResult { code: number | null; stdout: string; stderr: string }

const PASSWORDS = { acme: 'acme-bootstrap-pw', initech: 'initech-bootstrap-pw' };

describe('TenantDatabase SQL against PostgreSQL 15', () => {
  let pg: PgHarness;
  let app: { creation_statements: string[]; revocation_statements: string[] };
  let initechApp: { creation_statements: string[]; revocation_statements: string[] };
  let provisioned: string[];
  let counter = 0;

  const psqlAs = (user: string, password: string, db: string, sql: string): Promise<RunResult> => new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, LC_ALL: 'C.UTF-8', PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: user, PGPASSWORD: password };
    const child = spawn('psql', ['-X', '-w', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
    child.stdin.end(sql);
  });
  /** As the tenant's Vault login (after the root rotation: Vault's password). */
  const passwords: { [user: string]: string } = { vault_prod_acme: PASSWORDS.acme, vault_prod_initech: PASSWORDS.initech };
  const asVault = (tenant: 'acme' | 'initech', db: string, sql: string) => psqlAs(`vault_prod_${tenant}`, passwords[`vault_prod_${tenant}`], db, sql);
  const issue = async (tenant: 'acme' | 'initech', statements: string[]) => {
    const user = { name: `v-kubernetes-${tenant}-${tenant}-db-Xk3Pq9Lm${++counter}-1750000000`, password: `A1a-Zz9-${counter}` };
    const r = await asVault(tenant, `prod_${tenant}`, vaultTransaction(statements, { ...user, expiration: vaultExpiration() }));
    if (r.code !== 0) throw new Error(`creation statements failed: ${r.stderr}`);
    return user;
  };
  const roleExists = async (name: string) => (await pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname = '${name}'`)) === '1';

  beforeAll(async () => {
    const env = prodEnv([{ id: 'acme', database: true }, { id: 'initech', database: true }]);
    const stack = new EnvironmentStack(Testing.app(), 'prod', { environment: env });
    const json = synthJson(stack);
    app = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-db').body;
    initechApp = findResource(json, 'vault_database_secret_backend_role', 'name', 'initech-db').body;
    pg = await startPostgres();
    await createProvisioningAdmin(pg);
    provisioned = [
      ...await provision(json, 'Tenant-acme_', { bootstrapPasswords: PASSWORDS, psqlAs }),
      ...await provision(json, 'Tenant-initech_', { bootstrapPasswords: PASSWORDS, psqlAs }),
    ];
    await pg.psql("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('acme-only'); GRANT SELECT ON secrets TO prod_acme_app", 'prod_acme');
    await pg.psql("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('initech-only'); GRANT SELECT ON secrets TO prod_initech_app", 'prod_initech');
  });

  afterAll(async () => {
    if (pg) await pg.stop();
  });

  test('the stack creates the database, its NOLOGIN owner, the groups and a Vault login without CREATEROLE', async () => {
    expect(provisioned.length).toBeGreaterThan(10);
    expect(await pg.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'prod_acme'")).toBe('prod_acme_owner');
    expect(await pg.psql("SELECT rolname, rolcanlogin, rolcreaterole, rolcreatedb, rolsuper FROM pg_roles WHERE rolname LIKE '%prod_acme%' ORDER BY 1")).toBe([
      'prod_acme_app|f|f|f|f',
      'prod_acme_issued|f|f|f|f',
      'prod_acme_owner|f|f|f|f',
      'vault_prod_acme|t|f|f|f',
    ].join('\n'));
    // PUBLIC lost CONNECT: only the tenant's groups and Vault's login may connect.
    expect(await pg.psql("SELECT has_database_privilege('prod_initech_app', 'prod_acme', 'CONNECT'), has_database_privilege('prod_acme_app', 'prod_acme', 'CONNECT')")).toBe('f|t');
  });

  test('Vault rotates its own password (rotate-root), then issues and revokes <tenant>-db users', async () => {
    // Vault's default root rotation statement for PostgreSQL.
    const rotated = await asVault('acme', 'prod_acme', 'ALTER ROLE "vault_prod_acme" WITH PASSWORD \'rotated-by-vault\';');
    expect(rotated.code).toBe(0);
    passwords.vault_prod_acme = 'rotated-by-vault';
    expect((await psqlAs('vault_prod_acme', PASSWORDS.acme, 'prod_acme', 'SELECT 1')).stderr).toContain('password authentication failed');

    const user = await issue('acme', app.creation_statements);
    expect(await pg.psql(`SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, rolvaliduntil IS NOT NULL FROM pg_roles WHERE rolname = '${user.name}'`))
      .toBe('f|f|f|f|f|t|t');
    expect(await pg.psql(`SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '${user.name}'`))
      .toBe('prod_acme_app,prod_acme_issued');
    const revoked = await asVault('acme', 'prod_acme', vaultTransaction(app.revocation_statements, { name: user.name }));
    expect(revoked.stderr).toBe('');
    expect(await roleExists(user.name)).toBe(false);
    // Revoking again (Vault retries) is a no-op.
    expect((await asVault('acme', 'prod_acme', vaultTransaction(app.revocation_statements, { name: user.name }))).code).toBe(0);
  });

  test('a dynamic user reaches its own database and data, never the other tenant\'s', async () => {
    const user = await issue('acme', app.creation_statements);
    const as = (db: string, sql: string) => psqlAs(user.name, user.password, db, sql);
    expect((await as('prod_acme', 'SELECT v FROM secrets')).stdout).toBe('acme-only\n');
    expect((await as('prod_initech', 'SELECT v FROM secrets')).stderr).toContain('permission denied for database "prod_initech"');
    expect((await as('prod_acme', 'SET ROLE prod_initech_app')).stderr).toContain('permission denied to set role "prod_initech_app"');
    expect((await as('prod_acme', 'CREATE ROLE evil LOGIN')).stderr).toContain('permission denied to create role');
    expect((await as('prod_acme', 'SELECT vault.issue_user(\'app\', \'v-x\', \'pw\', \'2099-01-01\')')).stderr).toContain('permission denied for schema vault');
  });

  test('the Vault login cannot create roles, grant another tenant\'s group, or drop roles it did not issue', async () => {
    const r = (sql: string) => asVault('acme', 'prod_acme', sql);
    expect((await r('CREATE ROLE evil LOGIN')).stderr).toContain('permission denied to create role');
    expect((await r('GRANT prod_initech_app TO vault_prod_acme')).stderr).toContain('must have admin option on role "prod_initech_app"');
    // issue_user only takes this tenant's kinds, and only Vault-shaped names.
    expect((await r("SELECT vault.issue_user('initech', 'v-x-1', 'pw', '2099-01-01')")).stderr).toContain('unknown user kind initech');
    expect((await r("SELECT vault.issue_user('app', 'prod_initech_app', 'pw', '2099-01-01')")).stderr).toContain('is not a Vault-generated name');
    expect((await r("SELECT vault.issue_user('app', 'v-x\"; DROP ROLE postgres; --', 'pw', '2099-01-01')")).stderr).toContain('is not a Vault-generated name');
    // revoke_user drops only members of prod_acme_issued.
    for (const victim of ['prod_initech_app', 'vault_prod_initech', 'postgres', 'terraform_provisioner']) {
      expect((await r(`SELECT vault.revoke_user('${victim}')`)).stderr).toContain(`role ${victim} was not issued by Vault for database prod_acme`);
      expect(await roleExists(victim)).toBe(true);
    }
    const other = await issue('initech', initechApp.creation_statements);
    expect((await r(`SELECT vault.revoke_user('${other.name}')`)).stderr).toContain('was not issued by Vault for database prod_acme');
    // Another tenant's database is closed to it, functions included.
    expect((await asVault('acme', 'prod_initech', 'SELECT 1')).stderr).toContain('permission denied for database "prod_initech"');
    // Only the Vault login may call the functions, even if someone granted EXECUTE and USAGE to another role.
    await pg.psql('GRANT USAGE ON SCHEMA vault TO prod_acme_app; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA vault TO prod_acme_app', 'prod_acme');
    const appUser = await issue('acme', app.creation_statements);
    expect((await psqlAs(appUser.name, appUser.password, 'prod_acme', "SELECT vault.issue_user('app', 'v-sneaky-1', 'pw', '2099-01-01')")).stderr)
      .toContain('only vault_prod_acme may manage the users of database prod_acme');
    await pg.psql('REVOKE USAGE ON SCHEMA vault FROM prod_acme_app; REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA vault FROM prod_acme_app', 'prod_acme');
  });

  test('the names are one source: the stack, the statements and the model agree', () => {
    const n = tenantDatabaseNames(prodEnv(), new Tenant({ id: 'acme' }));
    expect([n.database, n.ownerRole, n.appRole, n.issuedRole, n.vaultAdmin]).toEqual(['prod_acme', 'prod_acme_owner', 'prod_acme_app', 'prod_acme_issued', 'vault_prod_acme']);
    expect(app.creation_statements.join('')).toContain(`"${n.functionSchema}"."${n.issueFunction}"`);
  });
});

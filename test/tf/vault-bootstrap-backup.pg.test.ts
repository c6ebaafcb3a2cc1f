/**
 * The SQL of addBackupAccess's database roles, run as Vault's PostgreSQL plugin runs it, against a real
 * PostgreSQL 15: the creation and revocation statements are taken from the synthesized Terraform JSON, split on ";"
 * and executed in one transaction by the tenant's Vault login (no CREATEROLE: it calls the tenant database's
 * issue_user / revoke_user functions; the database, groups and functions are provisioned from the same stack), with `{{name}}`, `{{password}}` and `{{expiration}}` filled in as Vault fills them. The
 * dynamic users then run the shipped backup and restore-drill scripts (backup-scripts.ts, `dir` store backend).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { findResource, prodEnv, synthJson } from './fixtures';
import { ObjectStoreBackend, renderBackupScripts } from '../../src/k8s/backup-scripts';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { PgHarness, startPostgres } from '../support/postgres';
import { createProvisioningAdmin, provision } from '../support/postgres-provisioning';

const ADMIN = 'vault_prod_acme';
const ADMIN_PASSWORD = 'admin-bootstrap-pw';

/**
 * The tenant database, its groups and Vault's login (no CREATEROLE) come from the stack's `postgresql_*` resources
 * (support/postgres-provisioning.ts); another database stands for another tenant's.
 */
const BOOTSTRAP_SQL = `
  CREATE DATABASE prod_globex;
  REVOKE CONNECT, TEMPORARY ON DATABASE prod_globex FROM PUBLIC;
`;
const TENANT_SQL = `
  CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
  INSERT INTO customers (name) VALUES ('ada'), ('bob');
  CREATE SCHEMA billing;
  CREATE TABLE billing.invoices (id serial PRIMARY KEY, customer_id int REFERENCES customers (id), total numeric);
  INSERT INTO billing.invoices (customer_id, total) VALUES (1, 10), (2, 30), (2, 5);
  GRANT USAGE ON SCHEMA public, billing TO prod_acme_app, prod_acme_backup;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, billing TO prod_acme_app;
  GRANT SELECT ON ALL TABLES IN SCHEMA public, billing TO prod_acme_backup;
  GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, billing TO prod_acme_backup;
`;

interface RunResult { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Vault's expiration format, `2006-01-02 15:04:05-0700`, one hour from now. */
function expiration(): string {
  const d = new Date(Date.now() + 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+0000`;
}

describe('addBackupAccess SQL against PostgreSQL 15 (as Vault runs it)', () => {
  let pg: PgHarness;
  let dir: string;
  let drill: { creation_statements: string[]; revocation_statements: string[] };
  let dump: { creation_statements: string[]; revocation_statements: string[] };
  let counter = 0;

  /** Drill users connect with the role option of their service file (BackupSchedule's drill-pg-service.conf). */
  const DRILL_OPTIONS = '-c role=prod_acme_drill';
  const clientEnv = (user: string, password: string): NodeJS.ProcessEnv => ({
    ...(user.includes('-drill-') ? { PGOPTIONS: DRILL_OPTIONS } : {}),
    PATH: process.env.PATH,
    LC_ALL: 'C.UTF-8',
    PGHOST: pg.host,
    PGPORT: String(pg.port),
    PGUSER: user,
    PGPASSWORD: password,
  });
  /** psql as `user`; resolves with the result instead of throwing. */
  const psqlAs = (user: string, password: string, db: string, sql: string) =>
    run('psql', ['-X', '-w', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db], clientEnv(user, password), sql);

  /** Vault's NewUser / custom DeleteUser: every statement split on ";", in one transaction, as the admin user. */
  async function vault(statements: string[], values: Record<string, string>): Promise<RunResult> {
    const queries = statements.flatMap(s => s.split(';')).map(q => q.trim()).filter(q => q.length > 0)
      .map(q => q.replace(/\{\{(name|username|password|expiration)\}\}/g, (_m, k: string) => values[k === 'username' ? 'name' : k]));
    return psqlAs(ADMIN, ADMIN_PASSWORD, 'prod_acme', ['BEGIN;', ...queries.map(q => `${q};`), 'COMMIT;'].join('\n'));
  }
  async function issue(kind: 'backup' | 'drill'): Promise<{ name: string; password: string }> {
    const user = { name: `v-kubernetes-prod-acme-${kind}-Xk3Pq9Lm${++counter}-1750000000`, password: `A1a-Zz9-${kind}-${counter}` };
    const r = await vault((kind === 'backup' ? dump : drill).creation_statements, { ...user, expiration: expiration() });
    if (r.code !== 0) throw new Error(`creation statements failed: ${r.stderr}`);
    return user;
  }
  const roleExists = async (name: string) => (await pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname = '${name}'`)) === '1';

  beforeAll(async () => {
    const stack = new EnvironmentStack(Testing.app(), 'prod', { environment: prodEnv() });
    stack.vault.addBackupAccess('acme', { serviceAccountName: 'backup-prod-acme', secretPaths: ['database-prod/creds/acme-backup', 'database-prod/creds/acme-drill'] });
    const json = synthJson(stack);
    dump = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-backup').body;
    drill = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-drill').body;
    expect(dump.creation_statements.join(' ')).toContain("issue_user\"('backup'");
    expect(drill.creation_statements.join(' ')).toContain("issue_user\"('drill'");

    pg = await startPostgres();
    dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'vault-backup-pg-'));
    await createProvisioningAdmin(pg);
    await provision(json, 'Tenant-acme_', { bootstrapPasswords: { acme: ADMIN_PASSWORD }, psqlAs });
    for (const stmt of BOOTSTRAP_SQL.split(';').map(s => s.trim()).filter(Boolean)) await pg.psql(stmt);
    await pg.psql(TENANT_SQL, 'prod_acme');
    await pg.psql('CREATE TABLE secrets (v text); INSERT INTO secrets VALUES (\'globex-only\')', 'prod_globex');
  });

  afterAll(async () => {
    if (pg) await pg.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the Vault login (no CREATEROLE) can issue and revoke both roles; the users run the backup and the restore drill', async () => {
    const backupUser = await issue('backup');
    const drillUser = await issue('drill');
    expect(await pg.psql(`SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolvaliduntil IS NOT NULL FROM pg_roles WHERE rolname = '${drillUser.name}'`)).toBe('f|f|f|f|t');
    expect(await pg.psql('SELECT rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = \'prod_acme_drill\'')).toBe('t|f');

    const secrets = path.join(dir, 'secrets');
    fs.mkdirSync(secrets, { recursive: true });
    fs.writeFileSync(path.join(secrets, 'pgpass'), `*:*:*:${backupUser.name}:${backupUser.password}\n`, { mode: 0o400 });
    fs.writeFileSync(path.join(secrets, 'drill-pgpass'), `*:*:*:${drillUser.name}:${drillUser.password}\n`, { mode: 0o400 });
    const scripts = renderBackupScripts({
      env: 'prod',
      tenant: 'acme',
      database: 'prod_acme',
      pgHost: pg.host,
      pgPort: pg.port,
      pgUser: backupUser.name,
      pgPassFile: path.join(secrets, 'pgpass'),
      drillPgUser: drillUser.name,
      drillPgPassFile: path.join(secrets, 'drill-pgpass'),
      primary: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups' },
      offsite: { endpoint: 'https://s3.example.com', bucket: 'inopsio-offsite' },
      storeBackend: ObjectStoreBackend.DIR,
      storeDirRoot: path.join(dir, 'store'),
      workDir: path.join(dir, 'work'),
      metricsDir: path.join(dir, 'metrics'),
    });
    for (const [name, text] of Object.entries(scripts)) fs.writeFileSync(path.join(dir, name), text);
    for (const d of ['work', 'metrics']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    const scriptEnv = { PATH: process.env.PATH, HOME: '/root', LC_ALL: 'C.UTF-8' };

    const b = await run('bash', [path.join(dir, 'backup.sh')], scriptEnv);
    if (b.code !== 0) throw new Error(`backup failed (${b.code}):\n${b.stderr}`);
    const manifests = path.join(dir, 'store', 'primary', 'tenant-backups', 'prod', 'acme', 'manifests');
    const manifest = fs.readFileSync(path.join(manifests, fs.readdirSync(manifests)[0]), 'utf8');
    expect(manifest).toContain('rows=2 public.customers\n');
    expect(manifest).toContain('rows=3 billing.invoices\n');

    const d = await run('bash', [path.join(dir, 'restore-drill.sh')], { ...scriptEnv, PGOPTIONS: DRILL_OPTIONS });
    if (d.code !== 0) throw new Error(`restore drill failed (${d.code}):\n${d.stderr}`);
    expect(d.stderr).toContain('F10: row counts of 2 tables (5 rows) match');
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'inopsio\\_drill%'")).toBe('0');

    for (const [user, statements] of [[backupUser, dump.revocation_statements], [drillUser, drill.revocation_statements]] as const) {
      const r = await vault(statements, { name: user.name });
      expect(r.code).toBe(0);
      expect(await roleExists(user.name)).toBe(false);
    }
  });

  test('the dump user reads every table of its tenant and nothing else: no writes, no other database, no CREATEDB', async () => {
    const u = await issue('backup');
    const as = (db: string, sql: string) => psqlAs(u.name, u.password, db, sql);
    expect((await as('prod_acme', 'SELECT count(*) FROM customers; SELECT count(*) FROM billing.invoices;')).stdout).toBe('2\n3\n');
    expect((await as('prod_acme', "INSERT INTO customers (name) VALUES ('mallory')")).stderr).toContain('cannot execute INSERT in a read-only transaction');
    expect((await as('prod_acme', "SET default_transaction_read_only = off; INSERT INTO customers (name) VALUES ('mallory')")).stderr).toContain('permission denied for table customers');
    expect((await as('prod_acme', 'SET default_transaction_read_only = off; CREATE TABLE public.x (i int)')).stderr).toContain('permission denied for schema public');
    expect((await as('prod_globex', 'SELECT * FROM secrets')).stderr).toContain('permission denied for database "prod_globex"');
    expect((await as('postgres', 'SET default_transaction_read_only = off; CREATE DATABASE x')).stderr).toContain('permission denied to create database');
    expect((await vault(dump.revocation_statements, { name: u.name })).code).toBe(0);
    expect(await roleExists(u.name)).toBe(false);
  });

  test('the drill user creates and drops only its own scratch databases and cannot read the tenant\'s data', async () => {
    const u = await issue('drill');
    const as = (db: string, sql: string) => psqlAs(u.name, u.password, db, sql);
    expect((await as('postgres', 'SELECT session_user = current_user, current_user')).stdout).toBe('f|prod_acme_drill\n');
    expect((await as('prod_acme', 'SELECT 1')).stderr).toContain('permission denied for database "prod_acme"');
    expect((await as('postgres', 'DROP DATABASE prod_acme WITH (FORCE)')).stderr).toContain('must be owner of database prod_acme');
    expect((await as('postgres', 'CREATE ROLE evil LOGIN')).stderr).toContain('permission denied to create role');
    // Without the group role the user itself can create nothing.
    expect((await as('postgres', 'SET ROLE NONE; CREATE DATABASE inopsio_drill_self')).stderr).toContain('permission denied to create database');
    expect((await as('postgres', 'CREATE DATABASE inopsio_drill_1_1 TEMPLATE template0; DROP DATABASE inopsio_drill_1_1 WITH (FORCE);')).code).toBe(0);
    expect((await vault(drill.revocation_statements, { name: u.name })).code).toBe(0);
  });

  test('a scratch database left behind by a killed drill blocks neither revocation nor the next drill', async () => {
    const first = await issue('drill');
    const r = await psqlAs(first.name, first.password, 'postgres', 'CREATE DATABASE inopsio_drill_2_2 TEMPLATE template0');
    expect(r.code).toBe(0);
    expect((await psqlAs(first.name, first.password, 'inopsio_drill_2_2', 'CREATE TABLE restored (i int); INSERT INTO restored VALUES (1)')).code).toBe(0);
    // The user owns nothing: the database and its tables belong to the group role, so DROP ROLE succeeds.
    expect(await pg.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'inopsio_drill_2_2'")).toBe('prod_acme_drill');
    const revoked = await vault(drill.revocation_statements, { name: first.name });
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect(await roleExists(first.name)).toBe(false);
    const next = await issue('drill');
    expect((await psqlAs(next.name, next.password, 'postgres', 'DROP DATABASE IF EXISTS inopsio_drill_2_2 WITH (FORCE)')).code).toBe(0);
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname = 'inopsio_drill_2_2'")).toBe('0');
    expect((await vault(drill.revocation_statements, { name: next.name })).code).toBe(0);
  });

  test('the control: the same user with CREATEDB of its own (no group role) blocks revocation once a database is left behind', async () => {
    const name = 'v-control-createdb-user';
    await pg.psql(`CREATE ROLE "${name}" LOGIN PASSWORD 'pw' CREATEDB`);
    expect((await psqlAs(name, 'pw', 'postgres', 'CREATE DATABASE inopsio_drill_3_3')).code).toBe(0);
    const r = await run('psql', ['-X', '-w', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres'], pg.superuserEnv, `DROP ROLE IF EXISTS "${name}";`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot be dropped because some objects depend on it');
    await pg.psql('DROP DATABASE inopsio_drill_3_3');
    await pg.psql(`DROP ROLE "${name}"`);
  });
});

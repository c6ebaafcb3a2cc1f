/**
 * Runs the BackupSchedule's pods as far as a test can without a cluster: the scripts from the synthesized ConfigMap,
 * the command and environment from the synthesized CronJobs, and the credential files rendered from the pod's Vault
 * Agent templates (by a small stand-in for the agent's template engine) with Vault-style dynamic credentials, against
 * a real PostgreSQL 15. This proves the delivery chain F9 depends on: a dynamic role whose name is only known at run
 * time, a password with characters pgpass must escape, and a rendered default PGUSER that does not even exist.
 *
 * Only paths are remapped (`/vault/secrets` → a directory, the `dir` store backend instead of `mc`, the socket
 * instead of the database Service); the commands, environment variable names and file formats are the shipped ones.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { BackupSchedule } from '../../src/k8s/backup-schedule';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Tenant } from '../../src/model/tenant';
import { PgHarness, startPostgres } from '../support/postgres';

const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
const tenant = new Tenant({ id: 'acme' });
// What Vault's database engine would issue: generated names and passwords, here with ':' and '\' to escape.
const DUMP_USER = 'v-kubernetes-prod-acme-db-Xk3Pq9Lm-1750000000';
const DUMP_PASSWORD = 'A1a-:b\\c-Zz9';
const DRILL_USER = 'v-kubernetes-prod-acme-drill-Qw7Er2Ty-1750000000';
const DRILL_PASSWORD = 'p4ss:w\\rd-drill';
const STORE_KEYS = { access_key: 'AKIAEXAMPLEACME', secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/**
 * A stand-in for the agent's template engine (consul-template), for exactly the constructs BackupSchedule emits:
 * `{{- with secret "<path>" -}} ... {{- end }}`, `{{ .Data.<field> }}` with `| replaceAll "<a>" "<b>"` stages, and
 * `{{ index .Data.data "<key>" }}`; `{{-` and `-}}` trim adjacent whitespace as in Go templates.
 */
function renderAgentTemplate(template: string, vault: Record<string, any>): string {
  const goString = (literal: string) => JSON.parse(literal) as string;
  let out = '';
  let context: any;
  let last = 0;
  let trimNext = false;
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
  for (const m of template.matchAll(re)) {
    let text = template.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    out += text;
    last = m.index! + m[0].length;
    trimNext = m[3] === '-';
    const action = m[2];
    let w: RegExpExecArray | null;
    if ((w = /^with secret ("[^"]*")$/.exec(action))) {
      context = vault[goString(w[1])];
      if (context === undefined) throw new Error(`no secret at ${w[1]}`);
    } else if (action === 'end') {
      context = undefined;
    } else {
      const [head, ...stages] = action.split(/\s*\|\s*/);
      let value: string;
      if ((w = /^index \.Data\.data ("[^"]*")$/.exec(head))) {
        value = context.data[goString(w[1])];
      } else if ((w = /^\.Data\.(\w+)$/.exec(head))) {
        value = context[w[1]];
      } else {
        throw new Error(`unsupported template action ${action}`);
      }
      if (value === undefined) throw new Error(`missing key in ${action}`); // error-on-missing-key
      for (const stage of stages) {
        const r = /^replaceAll ("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*")$/.exec(stage);
        if (!r) throw new Error(`unsupported template stage ${stage}`);
        value = value.split(goString(r[1])).join(goString(r[2]));
      }
      out += value;
    }
  }
  let rest = template.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  return out + rest;
}

function run(cmd: string, args: string[], envVars: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: envVars, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('BackupSchedule pods against PostgreSQL 15 (F9 credential delivery)', () => {
  let pg: PgHarness;
  let dir: string;

  beforeAll(async () => {
    pg = await startPostgres();
    dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'backup-schedule-pg-'));
    // The tenant database and its application group role, as VaultBootstrap names them.
    await pg.psql('CREATE DATABASE prod_acme');
    await pg.psql('CREATE ROLE prod_acme_app NOLOGIN');
    await pg.psql(`
      CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
      INSERT INTO customers (name) VALUES ('ada'), ('bob');
      CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers (id), total numeric);
      INSERT INTO orders (customer_id, total) VALUES (1, 10), (2, 30), (2, 5);
      GRANT USAGE ON SCHEMA public TO prod_acme_app;
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO prod_acme_app;
      GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO prod_acme_app;
    `, 'prod_acme');
    // Dynamic users as the creation statements make them (password quoting doubled for SQL).
    const sql = (s: string) => s.replace(/'/g, "''");
    await pg.psql(`CREATE ROLE "${DUMP_USER}" WITH LOGIN PASSWORD '${sql(DUMP_PASSWORD)}' VALID UNTIL 'infinity' NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT IN ROLE prod_acme_app`);
    // As the tenant database's issue_user('drill', ...) creates it: no CREATEDB of its own, NOINHERIT, in the drill
    // group (NOLOGIN, CREATEDB), whose role the drill's service file sets at connection (options=-c role=...).
    await pg.psql('CREATE ROLE prod_acme_drill NOLOGIN CREATEDB');
    await pg.psql(`CREATE ROLE "${DRILL_USER}" WITH LOGIN PASSWORD '${sql(DRILL_PASSWORD)}' VALID UNTIL 'infinity' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT IN ROLE prod_acme_drill`);
  });

  afterAll(async () => {
    if (pg) await pg.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the backup and the restore drill run with the files the agent renders from the pod annotations', async () => {
    const chart = Testing.chart();
    const schedule = new BackupSchedule(chart, 'Backup', {
      environment: env,
      tenant,
      image: ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`),
      database: { host: 'postgres.databases.svc', egress: EgressTarget.podsInNamespace('databases', { app: 'postgresql' }, 5432), caConfigMap: 'postgres-ca' },
      primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: EgressTarget.podsInNamespace('minio', { app: 'minio' }, 9000) },
      offsiteStore: { endpoint: 'https://s3.example.com', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('203.0.113.0/24', 443) },
    });
    const docs = Testing.synth(chart);
    const scripts = docs.find(d => d.kind === 'ConfigMap').data as Record<string, string>;
    // The rendered default role does not exist: success proves libpq took the dynamic role from the service file.
    expect(scripts['backup.sh']).toContain("readonly CFG_PG_USER='inopsio_backup'");
    expect(await pg.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'inopsio_backup'")).toBe('0');

    const vault: Record<string, any> = {
      'database-prod/creds/acme-backup': { username: DUMP_USER, password: DUMP_PASSWORD },
      'database-prod/creds/acme-drill': { username: DRILL_USER, password: DRILL_PASSWORD },
      'kv-prod/data/prod/acme/backup/primary-store': { data: STORE_KEYS },
      'kv-prod/data/prod/acme/backup/offsite-store': { data: STORE_KEYS },
    };
    const scriptsDir = path.join(dir, 'scripts');
    const store = path.join(dir, 'store');
    fs.mkdirSync(scriptsDir, { recursive: true });
    for (const [name, text] of Object.entries(scripts)) fs.writeFileSync(path.join(scriptsDir, name), text);

    /** Prepares one pod: agent files, its container's env with /vault/secrets remapped, and its command. */
    const pod = (cronJob: any, name: string) => {
      const template = cronJob.spec.jobTemplate.spec.template;
      const container = template.spec.containers[0];
      const secrets = path.join(dir, name, 'vault-secrets');
      const work = path.join(dir, name, 'work');
      const metrics = path.join(dir, name, 'metrics');
      for (const d of [secrets, work, metrics]) fs.mkdirSync(d, { recursive: true });
      const prefix = 'vault.hashicorp.com/agent-inject-template-';
      const files: string[] = [];
      for (const [key, value] of Object.entries<string>(template.metadata.annotations)) {
        if (!key.startsWith(prefix)) continue;
        const file = key.slice(prefix.length);
        const perms = parseInt(template.metadata.annotations[`vault.hashicorp.com/agent-inject-perms-${file}`], 8);
        fs.writeFileSync(path.join(secrets, file), renderAgentTemplate(value, vault), { mode: perms });
        files.push(file);
      }
      const remap = (v: string) => v.replace(/^\/vault\/secrets\//, `${secrets}/`);
      const podEnv: NodeJS.ProcessEnv = Object.fromEntries(container.env.map((e: any) => [e.name, remap(e.value)]));
      const [shell, script] = container.command;
      return {
        secrets,
        files: files.sort(),
        command: [shell, script.replace(/^\/scripts\//, `${scriptsDir}/`)],
        env: {
          ...podEnv,
          PATH: process.env.PATH,
          LC_ALL: 'C.UTF-8',
          // Test plumbing: the socket instead of the Service, paths instead of mounts, the dir store instead of mc.
          PGHOST: pg.host,
          PGPORT: String(pg.port),
          PGPASSFILE: path.join(secrets, name === 'backup' ? 'pgpass' : 'drill-pgpass'),
          INOPSIO_STORE_BACKEND: 'dir',
          INOPSIO_STORE_ROOT: store,
          INOPSIO_WORK_DIR: work,
          INOPSIO_METRICS_DIR: metrics,
        } as NodeJS.ProcessEnv,
      };
    };
    const [backupCron, drillCron] = docs.filter(d => d.kind === 'CronJob');

    const backup = pod(backupCron, 'backup');
    expect(backup.files).toEqual(['offsite-access-key', 'offsite-secret-key', 'pg-service.conf', 'pgpass', 'primary-access-key', 'primary-secret-key']);
    expect(fs.readFileSync(path.join(backup.secrets, 'pgpass'), 'utf8')).toBe(`*:*:*:${DUMP_USER}:A1a-\\:b\\\\c-Zz9\n`);
    expect(fs.readFileSync(path.join(backup.secrets, 'pg-service.conf'), 'utf8')).toBe(`[inopsio-backup]\nuser=${DUMP_USER}\n`);
    expect(fs.readFileSync(path.join(backup.secrets, 'primary-secret-key'), 'utf8')).toBe(STORE_KEYS.secret_key);
    expect(backup.command[0]).toBe('bash');
    const b = await run(backup.command[0], backup.command.slice(1), backup.env);
    if (b.code !== 0) throw new Error(`backup failed (${b.code}):\n${b.stderr}`);
    const primary = path.join(store, 'primary', 'tenant-backups', 'prod', 'acme');
    const manifests = fs.readdirSync(path.join(primary, 'manifests'));
    expect(manifests).toHaveLength(1);
    const manifest = fs.readFileSync(path.join(primary, 'manifests', manifests[0]), 'utf8');
    expect(manifest).toContain('database=prod_acme\n');
    expect(manifest).toContain('rows=2 public.customers\n');
    expect(manifest).toContain('rows=3 public.orders\n');
    expect(fs.readdirSync(path.join(store, 'offsite', 'inopsio-offsite', 'prod', 'acme', 'manifests'))).toEqual(manifests);

    const drill = pod(drillCron, 'drill');
    expect(drill.files).toEqual(['drill-pg-service.conf', 'drill-pgpass', 'primary-access-key', 'primary-secret-key']);
    const d = await run(drill.command[0], drill.command.slice(1), drill.env);
    if (d.code !== 0) throw new Error(`restore drill failed (${d.code}):\n${d.stderr}`);
    expect(d.stderr).toContain('F10: row counts of 2 tables (5 rows) match');
    expect(fs.readFileSync(path.join(primary, 'drill', 'last-success.txt'), 'utf8')).toContain(`backup=${manifests[0].replace(/\.manifest$/, '')}\n`);

    // Without the service file libpq falls back to the rendered PGUSER, which does not exist: the file is load-bearing.
    const noService = { ...backup.env, PGSERVICE: undefined, PGSERVICEFILE: undefined, INOPSIO_NOW: String(Math.floor(Date.now() / 1000) + 5) };
    const failed = await run(backup.command[0], backup.command.slice(1), noService);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/password authentication failed for user "inopsio_backup"|no password supplied/);
    expect(schedule.vaultSecretPaths).toEqual(Object.keys(vault).sort());
  });

  test('a tenant with objects and no database (issue 23): its pods get no database credentials, back up the objects and restore one', async () => {
    const chart = Testing.chart();
    const files = new Tenant({ id: 'files', database: false });
    const schedule = new BackupSchedule(chart, 'Backup', {
      environment: env,
      tenant: files,
      image: ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`),
      primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: EgressTarget.podsInNamespace('minio', { app: 'minio' }, 9000) },
      offsiteStore: { endpoint: 'https://s3.example.com', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('203.0.113.0/24', 443) },
      tenantObjects: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-data', egress: EgressTarget.podsInNamespace('minio', { app: 'minio' }, 9000) },
    });
    const docs = Testing.synth(chart);
    const scripts = docs.find(d => d.kind === 'ConfigMap').data as Record<string, string>;
    // Only the stores' keys: the stand-in agent throws on any path it is not given, so no database path is asked for.
    const vault: Record<string, any> = {
      'kv-prod/data/prod/files/backup/primary-store': { data: STORE_KEYS },
      'kv-prod/data/prod/files/backup/offsite-store': { data: STORE_KEYS },
      'kv-prod/data/prod/files/object-store': { data: STORE_KEYS },
    };
    expect(schedule.vaultSecretPaths).toEqual(Object.keys(vault).sort());
    const root = path.join(dir, 'objects-only');
    const scriptsDir = path.join(root, 'scripts');
    const store = path.join(root, 'store');
    fs.mkdirSync(scriptsDir, { recursive: true });
    for (const [name, text] of Object.entries(scripts)) fs.writeFileSync(path.join(scriptsDir, name), text);
    const data = path.join(store, 'objects', 'tenant-data', 'prod', 'files');
    fs.mkdirSync(path.join(data, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(data, 'docs', 'contract.pdf'), 'contract');

    const pod = (cronJob: any, name: string) => {
      const template = cronJob.spec.jobTemplate.spec.template;
      const container = template.spec.containers[0];
      const secrets = path.join(root, name, 'vault-secrets');
      const work = path.join(root, name, 'work');
      const metrics = path.join(root, name, 'metrics');
      for (const d of [secrets, work, metrics]) fs.mkdirSync(d, { recursive: true });
      const prefix = 'vault.hashicorp.com/agent-inject-template-';
      const rendered: string[] = [];
      for (const [key, value] of Object.entries<string>(template.metadata.annotations)) {
        if (!key.startsWith(prefix)) continue;
        const file = key.slice(prefix.length);
        fs.writeFileSync(path.join(secrets, file), renderAgentTemplate(value, vault), { mode: 0o400 });
        rendered.push(file);
      }
      const podEnv: NodeJS.ProcessEnv = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      return {
        files: rendered.sort(),
        envNames: container.env.map((e: any) => e.name),
        command: [container.command[0], container.command[1].replace(/^\/scripts\//, `${scriptsDir}/`)],
        // No PG* variables at all: nothing of PostgreSQL is configured, and nothing needs it.
        env: { ...podEnv, PATH: process.env.PATH, LC_ALL: 'C.UTF-8', INOPSIO_STORE_BACKEND: 'dir', INOPSIO_STORE_ROOT: store, INOPSIO_WORK_DIR: work, INOPSIO_METRICS_DIR: metrics } as NodeJS.ProcessEnv,
      };
    };
    const [backupCron, drillCron] = docs.filter(d => d.kind === 'CronJob');
    const backup = pod(backupCron, 'backup');
    expect(backup.files).toEqual(['objects-access-key', 'objects-secret-key', 'offsite-access-key', 'offsite-secret-key', 'primary-access-key', 'primary-secret-key']);
    expect(backup.envNames).toEqual(['HOME']);
    const b = await run(backup.command[0], backup.command.slice(1), backup.env);
    if (b.code !== 0) throw new Error(`backup failed (${b.code}):\n${b.stderr}`);
    for (const [bucket, kind] of [['tenant-backups', 'primary'], ['inopsio-offsite', 'offsite']]) {
      const prefix = path.join(store, kind, bucket, 'prod', 'files');
      expect(fs.readFileSync(path.join(prefix, 'objects', 'docs', 'contract.pdf'), 'utf8')).toBe('contract');
      expect(fs.readdirSync(path.join(prefix, 'manifests'))).toHaveLength(1);
      expect(fs.existsSync(path.join(prefix, 'dumps'))).toBe(false);
    }

    const drill = pod(drillCron, 'drill');
    expect(drill.files).toEqual(['primary-access-key', 'primary-secret-key']);
    const d = await run(drill.command[0], drill.command.slice(1), drill.env);
    if (d.code !== 0) throw new Error(`restore drill failed (${d.code}):\n${d.stderr}`);
    expect(d.stderr).toContain('F10: restored object docs/contract.pdf (8 bytes) from the backup; sha256 matches');
  });
});

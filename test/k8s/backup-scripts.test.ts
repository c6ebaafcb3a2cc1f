/**
 * Executes the rendered backup scripts against a real PostgreSQL 15 cluster
 * (test/support/postgres.ts) with the `dir` object-store backend, and the `mc`
 * backend against a fake `mc` on PATH that logs its argv. Test names cite the
 * security catalogue ids (F1–F10).
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  BACKUP_EXIT_CODES,
  BACKUP_MANIFEST_FORMAT,
  BACKUP_METRICS,
  BackupScripts,
  ObjectStoreBackend,
  renderBackupScript,
  renderBackupScripts,
  renderObjectStoreLib,
  renderPruneScript,
  renderRestoreDrillScript,
} from '../../src/k8s/backup-scripts';
import { BackupScriptOptions } from '../../src/model/backup-script-options';
import { filesBelow } from '../../src/output/tree';
import { PG_BIN, PgHarness, startPostgres } from '../support/postgres';

const ENV = 'test';
const TENANT = 'acme';
const BUCKET = 'backups';
const OFFSITE_BUCKET = 'offsite-backups';
const ROLE = 'inopsio_backup';
const PASSWORD = 's3cret';
const DAY = 86400;
/** Fixed "now" for the retention tests: 2025-06-15T15:06:40Z. */
const NOW = 1_750_000_000;

const BASE_OPTIONS: BackupScriptOptions = {
  env: ENV,
  tenant: TENANT,
  database: 'acme',
  pgHost: 'postgres.acme.svc',
  primary: { endpoint: 'https://minio.backup.svc:9000', bucket: BUCKET },
  offsite: { endpoint: 'https://s3.offsite.example', bucket: OFFSITE_BUCKET },
};

// ---------------------------------------------------------------------------------------------
// Rendering (no database needed)
// ---------------------------------------------------------------------------------------------

describe('backup scripts: rendering', () => {
  const scripts = renderBackupScripts(BASE_OPTIONS);
  const backup = scripts['backup.sh'];

  test('ConfigMap keys, shebang, strict mode and rendered defaults (30d local, 90d offsite, keep 2, 26h)', () => {
    expect(Object.keys(scripts).sort()).toEqual(['backup.sh', 'prune.sh', 'restore-drill.sh']);
    for (const text of Object.values(scripts)) {
      expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
      expect(text).toContain('set -Eeuo pipefail');
      expect(text).toContain(`readonly CFG_PRIMARY_BUCKET='${BUCKET}'`);
    }
    expect(backup).toContain("readonly CFG_LOCAL_RETENTION_DAYS='30'");
    expect(backup).toContain("readonly CFG_OFFSITE_RETENTION_DAYS='90'");
    expect(backup).toContain("readonly CFG_KEEP_LATEST='2'");
    expect(backup).toContain(`readonly CFG_STALENESS_SECONDS='${26 * 3600}'`);
    expect(backup).toContain("readonly CFG_PG_PASS_FILE='/vault/secrets/pgpass'");
    expect(backup).toContain("readonly CFG_PRIMARY_SECRET_KEY_FILE='/vault/secrets/primary-secret-key'");
    expect(backup).toContain(`readonly MANIFEST_FORMAT='${BACKUP_MANIFEST_FORMAT}'`);
    expect(BackupScripts.backup(BASE_OPTIONS)).toBe(backup);
  });

  test('F2/F4/F5/F7: pg_dump -Fc to a .partial, full-read pg_restore, mc mirror without delete or overwrite flags', () => {
    expect(backup).toContain('pg_dump -w -Fc --snapshot="$SNAPSHOT_ID" -d "$CFG_DATABASE" -f "$partial"');
    expect(backup).toContain('partial="$WORK/$name.dump.partial"');
    expect(backup).toContain('pg_restore -f /dev/null "$partial"');
    expect(backup).not.toContain('--list');
    for (const text of Object.values(scripts)) {
      expect(text).toContain('mc mirror --quiet "$src/" "$dst/"');
      expect(text).not.toMatch(/--remove/);
      // --overwrite only where the tenant's own objects are copied (store_sync; objects change in place), never for
      // dumps and manifests.
      expect(text.match(/mc mirror[^\n]*/g)).toEqual(['mc mirror --quiet "$src/" "$dst/" >/dev/null ;;', 'mc mirror --quiet --overwrite "$src/" "$dst/" >/dev/null ;;']);
      expect(text).toMatch(/store_sync\(\) \{\n {2}local src=/);
      expect(text).not.toMatch(/mc rm [^\n]*(--recursive|--force)/);
    }
    const lib = renderObjectStoreLib(BASE_OPTIONS);
    for (const fn of ['store_put', 'store_stat', 'store_cat', 'store_list', 'store_move', 'store_remove', 'store_mirror']) {
      expect(lib).toContain(`${fn}() {`);
      expect(backup).toContain(`${fn}() {`);
    }
    for (const call of ['mc cp --quiet', 'mc stat --json', 'mc cat', 'mc ls --recursive --json', 'mc mv --quiet', 'mc rm --quiet']) {
      expect(lib).toContain(call);
    }
  });

  test('F9: no credential values are rendered; only file paths', () => {
    const text = renderBackupScript({
      ...BASE_OPTIONS,
      primary: { ...BASE_OPTIONS.primary, accessKeyFile: '/vault/secrets/minio/ak', secretKeyFile: "/vault/secrets/o'brien/sk" },
    });
    expect(text).toContain("readonly CFG_PRIMARY_ACCESS_KEY_FILE='/vault/secrets/minio/ak'");
    expect(text).toContain("readonly CFG_PRIMARY_SECRET_KEY_FILE='/vault/secrets/o'\\''brien/sk'");
    expect(text).not.toMatch(/PGPASSWORD=/);
    expect(text).toContain('unset PGPASSWORD');
  });

  test('F8: unsafe tenant, env, bucket, database and retention options are rejected at render time', () => {
    const bad: Array<Partial<BackupScriptOptions>> = [
      { tenant: '../other' },
      { tenant: 'acme/../other' },
      { tenant: 'Acme' },
      { tenant: '' },
      { env: 'prod/x' },
      { database: 'dbname=other host=evil' },
      { primary: { endpoint: 'https://minio:9000', bucket: 'a..b' } },
      { offsite: { endpoint: 'https://user:pw@s3.example', bucket: 'ok-bucket' } },
      { keepLast: 0 },
      { localRetentionDays: 0 },
      { localRetentionDays: 100, offsiteRetentionDays: 90 },
      { pgPassFile: 'relative/path' },
      { metricsDir: '/metrics/../etc' },
      { pushgatewayUrl: 'http://pgw:9091/$(id)' },
    ];
    for (const over of bad) {
      expect(() => renderPruneScript({ ...BASE_OPTIONS, ...over })).toThrow(/BackupScriptOptions/);
    }
  });

  test('BACKUP_METRICS: unique inopsio_backup_* names, all declared in every script', () => {
    const names = BACKUP_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining([
      'inopsio_backup_last_success_timestamp_seconds',
      'inopsio_backup_size_bytes',
      'inopsio_backup_duration_seconds',
    ]));
    for (const m of BACKUP_METRICS) {
      expect(m.name).toMatch(/^inopsio_backup_[a-z_]+$/);
      expect(m.labels.slice(0, 2)).toEqual(['env', 'tenant']);
      for (const text of Object.values(scripts)) expect(text).toContain(`'${m.name}|${m.type}|`);
    }
    expect(BackupScripts.metricNames()).toEqual(names);
  });

  const shellcheck = (() => {
    try {
      execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (shellcheck ? test : test.skip)('shellcheck reports nothing (severity style) for any rendered script', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'shellcheck-'));
    try {
      const variants = [
        renderBackupScripts(BASE_OPTIONS),
        renderBackupScripts({ ...BASE_OPTIONS, storeBackend: ObjectStoreBackend.DIR, pushgatewayUrl: 'http://pgw:9091', pruneAfterBackup: false }),
      ];
      const files: string[] = [];
      variants.forEach((set, i) => {
        for (const [name, text] of Object.entries(set)) {
          const f = path.join(dir, `${i}-${name}`);
          fs.writeFileSync(f, text);
          files.push(f);
        }
      });
      let out = '';
      try {
        execFileSync('shellcheck', ['-s', 'bash', '-S', 'style', '-f', 'gcc', ...files], { encoding: 'utf8' });
      } catch (e) {
        out = `${(e as { stdout?: string }).stdout ?? ''}${(e as Error).message}`;
      }
      expect(out).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Execution against a real PostgreSQL
// ---------------------------------------------------------------------------------------------

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Relative paths of all files below dir (sorted); [] when dir does not exist. */
function listFiles(dir: string): string[] {
  return filesBelow(dir).map(f => path.relative(dir, f)).sort();
}

/** path -> sha256 of every file below dir. */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, sha256File(path.join(dir, f))]));
}

function stamp(ts: number): string {
  return new Date(ts * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function parseManifest(text: string): { fields: Record<string, string>; rows: string[] } {
  const fields: Record<string, string> = {};
  const rows: string[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const i = line.indexOf('=');
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    if (k === 'rows') rows.push(v);
    else fields[k] = v;
  }
  return { fields, rows };
}

/** Value of one metric series in a .prom file, or undefined. */
function metric(prom: string, name: string, labels: string): string | undefined {
  const line = prom.split('\n').find((l) => l.startsWith(`${name}{env="${ENV}",tenant="${TENANT}"${labels ? `,${labels}` : ''}} `));
  return line?.split(' ')[1];
}

const FAKE_MC = `#!/usr/bin/env bash
# Fake MinIO client: logs argv, maps <alias>/<bucket>/<key> to $FAKE_MC_ROOT/<alias>/<bucket>/<key>.
set -euo pipefail
printf 'mc %s\\n' "$*" >>"$FAKE_MC_LOG"
for v in MC_HOST_primary MC_HOST_offsite MC_HOST_objects; do
  if [[ -n \${!v:-} ]]; then printf '%s=%s\\n' "$v" "\${!v}" >>"$FAKE_MC_ENV_LOG"; fi
done
cmd=$1
shift
args=()
overwrite=0
for a in "$@"; do
  case $a in
    # --overwrite only where the tenant's own objects are copied (they change in place); never --remove.
    --overwrite) if [[ $cmd == mirror && "$*" == *objects* && "$*" != *dumps* && "$*" != *manifests* ]]; then overwrite=1; else echo "fake mc: $a is forbidden here" >&2; exit 99; fi ;;
    --remove) echo "fake mc: $a is forbidden" >&2; exit 99 ;;
    --*) ;;
    *) args+=("$a") ;;
  esac
done
if [[ $cmd == rm && "$*" =~ --recursive|--force ]]; then echo "fake mc: recursive rm is forbidden" >&2; exit 99; fi
p() { printf '%s/%s' "$FAKE_MC_ROOT" "\${1%/}"; }
case $cmd in
  cp)
    dst=$(p "\${args[1]}")
    mkdir -p "$(dirname "$dst")"
    cp "\${args[0]}" "$dst"
    if [[ \${FAKE_MC_CORRUPT_PUT:-} == 1 && \${args[1]} == */incoming/* ]]; then
      # flip one byte in place: same size, different content
      dd if="$dst" bs=1 skip=100 count=1 status=none | tr '\\000-\\377' '\\001-\\377\\000' | dd of="$dst" bs=1 seek=100 conv=notrunc status=none
    fi
    ;;
  cat) cat "$(p "\${args[0]}")" ;;
  stat)
    f=$(p "\${args[0]}")
    if [[ ! -f $f ]]; then echo '{"status":"error","error":{"message":"Object does not exist"}}'; exit 1; fi
    printf '{"status":"success","name":"%s","lastModified":"2025-01-01T00:00:00Z","size":%s,"etag":"0","type":"file","metadata":{"Content-Type":"application/octet-stream"}}\\n' "\${f##*/}" "$(stat -c %s "$f")"
    ;;
  ls)
    d=$(p "\${args[0]}")
    if [[ ! -d $d ]]; then exit 0; fi
    find "$d" -type f -printf '%s %P\\n' | sort -k2 | while read -r s k; do
      printf '{"status":"success","type":"file","lastModified":"2025-01-01T00:00:00Z","size":%s,"key":"%s","etag":"0","url":"https://fake/","versionOrdinal":1,"storageClass":"STANDARD"}\\n' "$s" "$k"
    done
    ;;
  mv)
    src=$(p "\${args[0]}"); dst=$(p "\${args[1]}")
    mkdir -p "$(dirname "$dst")"
    mv "$src" "$dst"
    ;;
  rm) rm "$(p "\${args[0]}")" ;;
  mirror)
    src=$(p "\${args[0]}"); dst=$(p "\${args[1]}")
    if [[ ! -d $src ]]; then exit 0; fi
    find "$src" -type f -printf '%P\\n' | while read -r k; do
      # FAKE_MC_MIRROR_DROP: silently skip matching objects and still exit 0 (F7).
      if [[ -n \${FAKE_MC_MIRROR_DROP:-} && $k == *"$FAKE_MC_MIRROR_DROP"* ]]; then continue; fi
      if [[ -e $dst/$k ]] && { ((overwrite == 0)) || cmp -s "$src/$k" "$dst/$k"; }; then continue; fi
      mkdir -p "$(dirname "$dst/$k")"
      cp "$src/$k" "$dst/$k"
    done
    ;;
  *) echo "fake mc: unsupported command $cmd" >&2; exit 98 ;;
esac
`;

/** pg_dump that writes a partial file and fails (F3). */
const PG_DUMP_FAILING = `#!/usr/bin/env bash
for a in "$@"; do [[ $a == --version ]] && exec ${PG_BIN}/pg_dump --version; done
out=''; prev=''
for a in "$@"; do [[ $prev == -f ]] && out=$a; prev=$a; done
printf 'PGDMP partial output' >"$out"
echo "pg_dump: error: simulated failure after writing part of the dump" >&2
exit 1
`;

/** pg_dump that succeeds but leaves a truncated archive (F4). */
const PG_DUMP_TRUNCATING = `#!/usr/bin/env bash
${PG_BIN}/pg_dump "$@" || exit
out=''; prev=''
for a in "$@"; do [[ $prev == -f ]] && out=$a; prev=$a; done
if [[ -n $out ]]; then truncate -s $(( $(stat -c %s "$out") / 2 )) "$out"; fi
exit 0
`;

describe('backup scripts: executed against PostgreSQL 15', () => {
  let pg: PgHarness;
  let suiteDir: string;
  let counter = 0;

  beforeAll(async () => {
    pg = await startPostgres();
    suiteDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'backup-scripts-'));
    await pg.psql(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}' CREATEDB IN ROLE pg_read_all_data`);
    await pg.psql('CREATE DATABASE acme');
    await pg.psql(`
      CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
      INSERT INTO customers (name) VALUES ('ada'), ('bob');
      CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers (id), total numeric);
      INSERT INTO orders (customer_id, total) VALUES (1, 10), (1, 20), (2, 30);
      CREATE TABLE events (id bigserial PRIMARY KEY, payload text);
      INSERT INTO events (payload) SELECT md5(i::text) || md5((i * 7)::text) FROM generate_series(1, 2000) i;
      CREATE SCHEMA billing;
      CREATE TABLE billing."Invoice Lines" (id int, amount int);
      INSERT INTO billing."Invoice Lines" VALUES (1, 5);
    `, 'acme');
  });

  afterAll(async () => {
    if (pg) await pg.stop();
    if (suiteDir) fs.rmSync(suiteDir, { recursive: true, force: true });
  });

  const EXPECTED_ROWS = ['1 billing."Invoice Lines"', '2 public.customers', '2000 public.events', '3 public.orders'];

  /** A fresh directory layout for one test: store, work, metrics, bin (shims), pgpass, scripts. */
  function sandbox(name: string, over: Partial<BackupScriptOptions> = {}) {
    const dir = path.join(suiteDir, `${String(++counter).padStart(2, '0')}-${name}`);
    const sb = {
      dir,
      store: path.join(dir, 'store'),
      work: path.join(dir, 'work'),
      metrics: path.join(dir, 'metrics'),
      bin: path.join(dir, 'bin'),
      secrets: path.join(dir, 'secrets'),
      pgpass: path.join(dir, 'secrets', 'pgpass'),
      primary: path.join(dir, 'store', 'primary', BUCKET, ENV, TENANT),
      offsite: path.join(dir, 'store', 'offsite', OFFSITE_BUCKET, ENV, TENANT),
      options: {} as BackupScriptOptions,
      scripts: { backup: '', prune: '', drill: '' },
    };
    for (const d of [sb.store, sb.work, sb.metrics, sb.bin, sb.secrets]) fs.mkdirSync(d, { recursive: true });
    // Mounted-secret style: world-readable; the scripts must copy it to a private 0600 file.
    fs.writeFileSync(sb.pgpass, `*:*:*:${ROLE}:${PASSWORD}\n`, { mode: 0o644 });
    fs.chmodSync(sb.pgpass, 0o644);
    sb.options = {
      ...BASE_OPTIONS,
      pgHost: pg.host,
      pgPort: pg.port,
      pgUser: ROLE,
      pgPassFile: sb.pgpass,
      storeBackend: ObjectStoreBackend.DIR,
      storeDirRoot: sb.store,
      workDir: sb.work,
      metricsDir: sb.metrics,
      ...over,
    };
    sb.scripts = {
      backup: path.join(dir, 'backup.sh'),
      prune: path.join(dir, 'prune.sh'),
      drill: path.join(dir, 'restore-drill.sh'),
    };
    fs.writeFileSync(sb.scripts.backup, renderBackupScript(sb.options));
    fs.writeFileSync(sb.scripts.prune, renderPruneScript(sb.options));
    fs.writeFileSync(sb.scripts.drill, renderRestoreDrillScript(sb.options));
    return sb;
  }
  type Sandbox = ReturnType<typeof sandbox>;

  function envFor(sb: Sandbox, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: `${sb.bin}:${process.env.PATH}`, HOME: '/root', LC_ALL: 'C.UTF-8', ...extra };
  }

  function shim(sb: Sandbox, name: string, text: string): void {
    fs.writeFileSync(path.join(sb.bin, name), text, { mode: 0o755 });
  }

  const runBackup = (sb: Sandbox, extra: Record<string, string> = {}) => run('bash', [sb.scripts.backup], envFor(sb, extra));
  const runPrune = (sb: Sandbox, extra: Record<string, string> = {}, args: string[] = []) => run('bash', [sb.scripts.prune, ...args], envFor(sb, extra));
  const runDrill = (sb: Sandbox, extra: Record<string, string> = {}) => run('bash', [sb.scripts.drill], envFor(sb, extra));

  const promFile = (sb: Sandbox, script: string) => path.join(sb.metrics, `inopsio_backup_${ENV}_${TENANT}_${script}.prom`);
  const readProm = (sb: Sandbox, script: string) => (fs.existsSync(promFile(sb, script)) ? fs.readFileSync(promFile(sb, script), 'utf8') : '');

  function expectOk(r: RunResult): void {
    if (r.code !== 0) throw new Error(`expected exit 0, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }

  async function scratchDatabases(): Promise<string[]> {
    const out = await pg.psql("SELECT datname FROM pg_database WHERE datname LIKE 'inopsio\\_drill%'");
    return out ? out.split('\n') : [];
  }

  test('happy path: F2–F7 publish a verified dump with manifest, metrics and Pushgateway push, mirror offsite without deleting extras', async () => {
    const received: Array<{ method?: string; url?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body });
        res.writeHead(202);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const sb = sandbox('happy', { pushgatewayUrl: `http://127.0.0.1:${port}/` });
      // F7: objects that exist only offsite (older history, foreign files) must survive the mirror.
      fs.mkdirSync(path.join(sb.offsite, 'dumps'), { recursive: true });
      fs.writeFileSync(path.join(sb.offsite, 'dumps', 'legacy-extra.dump'), 'offsite-only');
      fs.mkdirSync(path.join(sb.offsite, 'manifests'), { recursive: true });
      fs.writeFileSync(path.join(sb.offsite, 'manifests', 'README'), 'not a manifest');

      const before = Math.floor(Date.now() / 1000);
      const r = await runBackup(sb, { PGPASSWORD: 'wrong-password-from-env-is-ignored' });
      const after = Math.ceil(Date.now() / 1000);
      expectOk(r);
      expect(r.stderr).toContain('ignoring PGPASSWORD');

      // Published: exactly one dump + one manifest; nothing left in incoming/.
      const primaryFiles = listFiles(sb.primary);
      expect(primaryFiles).toHaveLength(2);
      const manifestRel = primaryFiles.find((f) => f.startsWith('manifests/'))!;
      const name = path.basename(manifestRel, '.manifest');
      expect(name).toMatch(/^acme-\d{8}T\d{6}Z$/);
      expect(primaryFiles).toEqual([`dumps/${name}.dump`, `manifests/${name}.manifest`]);
      expect(listFiles(path.join(sb.primary, 'incoming'))).toEqual([]);

      // Manifest matches the file (F5/F6) and records exact row counts (F10 input).
      const dumpPath = path.join(sb.primary, 'dumps', `${name}.dump`);
      const { fields, rows } = parseManifest(fs.readFileSync(path.join(sb.primary, manifestRel), 'utf8'));
      expect(fields.format).toBe(BACKUP_MANIFEST_FORMAT);
      expect(fields.name).toBe(name);
      expect(fields.dump).toBe(`dumps/${name}.dump`);
      expect(fields.verified).toBe('true');
      expect(fields.sha256).toBe(sha256File(dumpPath));
      expect(Number(fields.size)).toBe(fs.statSync(dumpPath).size);
      expect(Number(fields.timestamp)).toBeGreaterThanOrEqual(before);
      expect(Number(fields.timestamp)).toBeLessThanOrEqual(after);
      expect(name).toBe(`acme-${stamp(Number(fields.timestamp))}`);
      expect(rows).toEqual(EXPECTED_ROWS);
      expect(fs.readFileSync(dumpPath).subarray(0, 5).toString()).toBe('PGDMP'); // custom format
      execFileSync(path.join(PG_BIN, 'pg_restore'), ['-f', '/dev/null', dumpPath]); // throws on failure

      // F7: offsite has the same objects, plus the pre-existing extras.
      expect(tree(path.join(sb.offsite, 'dumps'))).toEqual({
        ...tree(path.join(sb.primary, 'dumps')),
        'legacy-extra.dump': sha256File(path.join(sb.offsite, 'dumps', 'legacy-extra.dump')),
      });
      expect(listFiles(path.join(sb.offsite, 'manifests'))).toEqual(['README', `${name}.manifest`]);
      expect(r.stderr).toContain('F7: offsite copy verified');

      // Metrics: textfile written atomically (no temp files left), success timestamps for dump and offsite.
      expect(fs.readdirSync(sb.metrics)).toEqual([`inopsio_backup_${ENV}_${TENANT}_backup.prom`]);
      expect(fs.statSync(promFile(sb, 'backup')).mode % 0o1000).toBe(0o644); // readable by the collector
      const prom = readProm(sb, 'backup');
      for (const kind of ['dump', 'offsite', 'prune']) {
        const ts = Number(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', `kind="${kind}"`));
        expect(ts).toBeGreaterThanOrEqual(before);
        expect(ts).toBeLessThanOrEqual(after);
        expect(metric(prom, 'inopsio_backup_last_run_success', `kind="${kind}"`)).toBe('1');
        expect(Number(metric(prom, 'inopsio_backup_duration_seconds', `kind="${kind}"`))).toBeGreaterThan(0);
      }
      expect(metric(prom, 'inopsio_backup_size_bytes', 'kind="dump"')).toBe(fields.size);
      expect(metric(prom, 'inopsio_backup_size_bytes', 'kind="offsite"')).toBe(fields.size);
      const declared = new Set(BACKUP_METRICS.map((m) => m.name));
      for (const line of prom.split('\n').filter((l) => l && !l.startsWith('#'))) {
        expect(declared.has(line.split('{')[0])).toBe(true);
      }

      // Pushgateway: one POST of the same content to the grouping key of this script.
      expect(received).toHaveLength(1);
      expect(received[0].method).toBe('POST');
      expect(received[0].url).toBe(`/metrics/job/inopsio_backup/env/${ENV}/tenant/${TENANT}/script/backup`);
      expect(received[0].body).toBe(prom);

      // The scratch directory is removed.
      expect(fs.readdirSync(sb.work)).toEqual([]);
    } finally {
      server.close();
    }
  });

  test('F1: the script refuses to run under sh (dash), and dash would have hidden a failing pg_dump in a pipeline', async () => {
    const sb = sandbox('sh');
    const r = await run('sh', [sb.scripts.backup], envFor(sb));
    expect(r.code).toBe(BACKUP_EXIT_CODES.CONFIG);
    expect(r.stderr).toContain('needs bash');
    expect(listFiles(sb.store)).toEqual([]);

    // Why: without pipefail the pipeline's status is gzip's, so a failed pg_dump "succeeds".
    const env = { ...envFor(sb), PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: 'postgres' };
    const out = path.join(sb.dir, 'x.gz');
    const naive = await run('sh', ['-c', `pg_dump -d does_not_exist | gzip > '${out}'`], env);
    expect(naive.code).toBe(0);
    expect(naive.stderr).toContain('does_not_exist');
  });

  test('F2/F3: a failing pg_dump fails the run and publishes, uploads, prunes and reports nothing', async () => {
    const sb = sandbox('pgdump-fails');
    shim(sb, 'pg_dump', PG_DUMP_FAILING);
    // Previous state: an old success metric and an existing object that must stay untouched.
    fs.writeFileSync(promFile(sb, 'backup'), [
      '# TYPE inopsio_backup_last_success_timestamp_seconds gauge',
      `inopsio_backup_last_success_timestamp_seconds{env="${ENV}",tenant="${TENANT}",kind="dump"} 1111`,
      '',
    ].join('\n'));
    for (const sub of ['dumps', 'manifests']) fs.mkdirSync(path.join(sb.primary, sub), { recursive: true });
    fs.writeFileSync(path.join(sb.primary, 'dumps', 'acme-20200101T000000Z.dump'), 'old');
    const storeBefore = tree(sb.store);

    const r = await runBackup(sb);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('F3: pg_dump failed; nothing was uploaded');
    expect(tree(sb.store)).toEqual(storeBefore); // no incoming/, no dump, no manifest, no offsite copy
    const prom = readProm(sb, 'backup');
    expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="dump"')).toBe('1111');
    expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="dump"')).toBe('0');
    expect(Number(metric(prom, 'inopsio_backup_last_failure_timestamp_seconds', 'kind="dump"'))).toBeGreaterThan(1111);
    expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="offsite"')).toBeUndefined();
    expect(fs.readdirSync(sb.work)).toEqual([]); // the .partial is gone with the scratch dir

    // Same with a real pg_dump error (database does not exist).
    const sb2 = sandbox('pgdump-no-db', { database: 'does_not_exist' });
    const r2 = await runBackup(sb2);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/does_not_exist/);
    expect(listFiles(sb2.store)).toEqual([]);
    expect(metric(readProm(sb2, 'backup'), 'inopsio_backup_last_success_timestamp_seconds', 'kind="dump"')).toBeUndefined();
  });

  test('F4: a truncated dump is caught by the full-read pg_restore (where --list still passes) and is not published', async () => {
    const sb = sandbox('truncated');
    shim(sb, 'pg_dump', PG_DUMP_TRUNCATING);
    const r = await runBackup(sb);
    expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
    expect(r.stderr).toContain('F4: pg_restore could not read the whole dump');
    expect(listFiles(sb.store)).toEqual([]);
    expect(metric(readProm(sb, 'backup'), 'inopsio_backup_last_run_success', 'kind="dump"')).toBe('0');

    // Why not `pg_restore --list`: it reads only the table of contents.
    const truncated = path.join(sb.dir, 'truncated.dump');
    execFileSync(path.join(PG_BIN, 'pg_dump'), ['-Fc', '-d', 'acme', '-f', truncated], { env: pg.superuserEnv });
    fs.truncateSync(truncated, Math.floor(fs.statSync(truncated).size / 2));
    const list = await run(path.join(PG_BIN, 'pg_restore'), ['--list', truncated], envFor(sb));
    expect(list.code).toBe(0);
    const full = await run(path.join(PG_BIN, 'pg_restore'), ['-f', '/dev/null', truncated], envFor(sb));
    expect(full.code).not.toBe(0);
  });

  describe('mc backend (fake mc on PATH)', () => {
    function mcSandbox(name: string, over: Partial<BackupScriptOptions> = {}) {
      const sb = sandbox(name, { storeBackend: ObjectStoreBackend.MC, ...over });
      const keys = {
        primary: { accessKeyFile: path.join(sb.secrets, 'primary-ak'), secretKeyFile: path.join(sb.secrets, 'primary-sk') },
        offsite: { accessKeyFile: path.join(sb.secrets, 'offsite-ak'), secretKeyFile: path.join(sb.secrets, 'offsite-sk') },
      };
      fs.writeFileSync(keys.primary.accessKeyFile, 'PRIMARYAK\n');
      fs.writeFileSync(keys.primary.secretKeyFile, 'primary/Secret+Key\n');
      fs.writeFileSync(keys.offsite.accessKeyFile, 'OFFSITEAK');
      fs.writeFileSync(keys.offsite.secretKeyFile, 'offsite-secret');
      sb.options = {
        ...sb.options,
        primary: { ...BASE_OPTIONS.primary, ...keys.primary },
        offsite: { ...BASE_OPTIONS.offsite, ...keys.offsite },
      };
      fs.writeFileSync(sb.scripts.backup, renderBackupScript(sb.options));
      shim(sb, 'mc', FAKE_MC);
      const fake = {
        root: path.join(sb.dir, 'fake-s3'),
        log: path.join(sb.dir, 'mc.log'),
        envLog: path.join(sb.dir, 'mc-env.log'),
      };
      fs.mkdirSync(fake.root);
      const env = (extra: Record<string, string> = {}) => ({
        FAKE_MC_ROOT: fake.root,
        FAKE_MC_LOG: fake.log,
        FAKE_MC_ENV_LOG: fake.envLog,
        ...extra,
      });
      const primary = path.join(fake.root, 'primary', BUCKET, ENV, TENANT);
      const offsite = path.join(fake.root, 'offsite', OFFSITE_BUCKET, ENV, TENANT);
      return { sb, fake, env, primary, offsite };
    }

    test('F6/F7/F9: exact mc calls, credentials from files via MC_HOST_*, manifest uploaded last, no delete/overwrite flags', async () => {
      const { sb, fake, env, primary, offsite } = mcSandbox('mc-happy');
      const r = await runBackup(sb, env());
      expectOk(r);
      const calls = fs.readFileSync(fake.log, 'utf8').trim().split('\n');
      const name = path.basename(listFiles(path.join(primary, 'manifests'))[0], '.manifest');
      const P = `primary/${BUCKET}/${ENV}/${TENANT}`;
      const O = `offsite/${OFFSITE_BUCKET}/${ENV}/${TENANT}`;
      const idx = (call: string) => {
        const i = calls.indexOf(call);
        if (i < 0) throw new Error(`missing call: ${call}\n${calls.join('\n')}`);
        return i;
      };
      const putIncoming = calls.findIndex((c) => c.startsWith('mc cp --quiet ') && c.endsWith(` ${P}/incoming/${name}.dump`));
      expect(putIncoming).toBeGreaterThanOrEqual(0);
      expect(calls[putIncoming]).toMatch(new RegExp(`^mc cp --quiet \\S+/${name}\\.dump\\.partial ${P}/incoming/${name}\\.dump$`));
      const statIncoming = idx(`mc stat --json ${P}/incoming/${name}.dump`);
      const catIncoming = idx(`mc cat ${P}/incoming/${name}.dump`);
      const move = idx(`mc mv --quiet ${P}/incoming/${name}.dump ${P}/dumps/${name}.dump`);
      const putManifest = calls.findIndex((c) => c.startsWith('mc cp --quiet ') && c.endsWith(` ${P}/manifests/${name}.manifest`));
      const mirrorDumps = idx(`mc mirror --quiet ${P}/dumps/ ${O}/dumps/`);
      const mirrorManifests = idx(`mc mirror --quiet ${P}/manifests/ ${O}/manifests/`);
      idx(`mc ls --recursive --json ${O}/dumps/`);
      idx(`mc cat ${O}/dumps/${name}.dump`);
      // F6 order: upload -> verify -> move -> manifest LAST; F7: dumps mirrored before manifests.
      expect(putIncoming).toBeLessThan(statIncoming);
      expect(statIncoming).toBeLessThan(catIncoming);
      expect(catIncoming).toBeLessThan(move);
      expect(move).toBeLessThan(putManifest);
      expect(putManifest).toBeLessThan(mirrorDumps);
      expect(mirrorDumps).toBeLessThan(mirrorManifests);
      expect(calls.filter((c) => / --remove| --overwrite|mc rm /.test(c))).toEqual([]);
      // F9: credentials read from the key files at run time, handed to mc in its environment only.
      const envLog = fs.readFileSync(fake.envLog, 'utf8');
      expect(envLog).toContain('MC_HOST_primary=https://PRIMARYAK:primary/Secret+Key@minio.backup.svc:9000');
      expect(envLog).toContain('MC_HOST_offsite=https://OFFSITEAK:offsite-secret@s3.offsite.example');
      expect(calls.join('\n')).not.toMatch(/Secret\+Key|offsite-secret/);
      expect(fs.readFileSync(sb.scripts.backup, 'utf8')).not.toMatch(/Secret\+Key|offsite-secret/);
      // Real outcome through the mc backend.
      expect(tree(path.join(offsite, 'dumps'))).toEqual(tree(path.join(primary, 'dumps')));
      expect(tree(path.join(offsite, 'manifests'))).toEqual(tree(path.join(primary, 'manifests')));
    });

    test('tenant objects (issue 23): copied with --overwrite from the objects alias (its own keys), dumps still without it, never --remove', async () => {
      const { sb, fake, env, primary, offsite } = mcSandbox('mc-objects', {
        objects: { endpoint: 'https://data.minio.svc:9000', bucket: 'tenant-data' },
      });
      const keys = { accessKeyFile: path.join(sb.secrets, 'objects-ak'), secretKeyFile: path.join(sb.secrets, 'objects-sk') };
      fs.writeFileSync(keys.accessKeyFile, 'OBJECTSAK');
      fs.writeFileSync(keys.secretKeyFile, 'objects-secret');
      sb.options = { ...sb.options, objects: { endpoint: 'https://data.minio.svc:9000', bucket: 'tenant-data', ...keys } };
      fs.writeFileSync(sb.scripts.backup, renderBackupScript(sb.options));
      const data = path.join(fake.root, 'objects', 'tenant-data', ENV, TENANT);
      fs.mkdirSync(path.join(data, 'docs'), { recursive: true });
      fs.writeFileSync(path.join(data, 'docs', 'a.txt'), 'alpha');
      expectOk(await runBackup(sb, env({ INOPSIO_NOW: String(NOW) })));
      fs.writeFileSync(path.join(data, 'docs', 'a.txt'), 'alpha, edited');
      expectOk(await runBackup(sb, env({ INOPSIO_NOW: String(NOW + DAY) })));
      const calls = fs.readFileSync(fake.log, 'utf8').trim().split('\n');
      const P = `primary/${BUCKET}/${ENV}/${TENANT}`;
      const O = `offsite/${OFFSITE_BUCKET}/${ENV}/${TENANT}`;
      expect(calls).toContain(`mc mirror --quiet --overwrite objects/tenant-data/${ENV}/${TENANT}/ ${P}/objects/`);
      expect(calls).toContain(`mc mirror --quiet --overwrite ${P}/objects/ ${O}/objects/`);
      expect(calls).toContain(`mc mirror --quiet ${P}/objects-manifests/ ${O}/objects-manifests/`);
      expect(calls.filter(c => / --overwrite/.test(c) && /dumps|manifests\/ /.test(c))).toEqual([]);
      expect(calls.filter(c => / --remove|mc rm /.test(c))).toEqual([]);
      expect(fs.readFileSync(path.join(offsite, 'objects', 'docs', 'a.txt'), 'utf8')).toBe('alpha, edited');
      expect(fs.readFileSync(path.join(primary, 'objects', 'docs', 'a.txt'), 'utf8')).toBe('alpha, edited');
      expect(fs.readFileSync(fake.envLog, 'utf8')).toContain('MC_HOST_objects=https://OBJECTSAK:objects-secret@data.minio.svc:9000');
    });

    test('F6: a remote copy that differs from the local dump (same size, flipped byte) is never published', async () => {
      const { sb, env, fake } = mcSandbox('mc-corrupt');
      const r = await runBackup(sb, env({ FAKE_MC_CORRUPT_PUT: '1' }));
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toMatch(/F6: sha256 of primary\/\S+\/incoming\/acme-\S+\.dump is [0-9a-f]{64}, expected/);
      expect(listFiles(fake.root)).toEqual([]); // the incoming object was removed; no dump, no manifest
      expect(fs.readFileSync(fake.log, 'utf8')).toMatch(/^mc rm --quiet primary\/\S+\/incoming\/acme-\S+\.dump$/m);
      expect(metric(readProm(sb, 'backup'), 'inopsio_backup_last_run_success', 'kind="dump"')).toBe('0');
    });

    test('F7: a mirror that silently skips an object (exit 0) is caught by the listing comparison', async () => {
      const { sb, env, primary, offsite } = mcSandbox('mc-mirror-drop');
      const r = await runBackup(sb, env({ FAKE_MC_MIRROR_DROP: '.dump' }));
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toContain('F7: offsite listing of dumps/ lacks');
      // The dump itself was published (F6 done), but offsite got nothing: manifests are mirrored only after dumps match.
      expect(listFiles(primary)).toHaveLength(2);
      expect(listFiles(offsite)).toEqual([]);
      const prom = readProm(sb, 'backup');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="dump"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="offsite"')).toBe('0');
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="offsite"')).toBeUndefined();
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="prune"')).toBeUndefined();
    });

    test('F9: a missing access-key file fails before anything is dumped or uploaded', async () => {
      const { sb, env, fake } = mcSandbox('mc-no-key');
      fs.rmSync(path.join(sb.secrets, 'offsite-sk'));
      const r = await runBackup(sb, env());
      expect(r.code).toBe(BACKUP_EXIT_CODES.CONFIG);
      expect(r.stderr).toContain(`F9: secret key file '${path.join(sb.secrets, 'offsite-sk')}' is missing`);
      expect(listFiles(fake.root)).toEqual([]);
    });
  });

  test('F9: PostgreSQL credentials come only from the password file (PGPASSFILE), never from PGPASSWORD', async () => {
    const sb = sandbox('pg-creds');
    const missing = await runBackup(sb, { PGPASSFILE: path.join(sb.secrets, 'absent'), PGPASSWORD: PASSWORD });
    expect(missing.code).toBe(BACKUP_EXIT_CODES.CONFIG);
    expect(missing.stderr).toContain('F9: PostgreSQL credentials file');
    expect(listFiles(sb.store)).toEqual([]);

    const wrong = path.join(sb.secrets, 'wrong-pgpass');
    fs.writeFileSync(wrong, `*:*:*:${ROLE}:not-the-password\n`);
    const r = await runBackup(sb, { PGPASSFILE: wrong, PGPASSWORD: PASSWORD });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(listFiles(sb.store)).toEqual([]);
  });

  describe('F8: pruning', () => {
    let template: { dump: string; manifest: string };

    beforeAll(async () => {
      // One real backup provides a genuine dump + manifest to clone at other ages.
      const sb = sandbox('prune-template', { pruneAfterBackup: false });
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expectOk(r);
      const name = `acme-${stamp(NOW)}`;
      template = {
        dump: path.join(sb.primary, 'dumps', `${name}.dump`),
        manifest: fs.readFileSync(path.join(sb.primary, 'manifests', `${name}.manifest`), 'utf8'),
      };
    });

    /** Writes a verified backup (dump + manifest) of the given age into a store directory. */
    function seed(storeDir: string, ageDays: number, tenant = TENANT, edit: (m: string) => string = (m) => m): string {
      const ts = NOW - Math.round(ageDays * DAY);
      const name = `${tenant}-${stamp(ts)}`;
      fs.mkdirSync(path.join(storeDir, 'dumps'), { recursive: true });
      fs.mkdirSync(path.join(storeDir, 'manifests'), { recursive: true });
      fs.copyFileSync(template.dump, path.join(storeDir, 'dumps', `${name}.dump`));
      const manifest = template.manifest
        .replace(/^name=.*$/m, `name=${name}`)
        .replace(/^tenant=.*$/m, `tenant=${tenant}`)
        .replace(/^dump=.*$/m, `dump=dumps/${name}.dump`)
        .replace(/^timestamp=.*$/m, `timestamp=${ts}`);
      fs.writeFileSync(path.join(storeDir, 'manifests', `${name}.manifest`), edit(manifest));
      return name;
    }

    const names = (dir: string) => listFiles(path.join(dir, 'manifests')).map((f) => f.replace('.manifest', ''));
    const dumps = (dir: string) => listFiles(path.join(dir, 'dumps')).map((f) => f.replace('.dump', ''));

    test('retention 30d local / 90d offsite, manifest-driven, dry-run deletes nothing, sibling tenants untouched', async () => {
      const sb = sandbox('prune-retention');
      const ages = [100, 95, 40, 35, 20, 1];
      const byAge: Record<number, string> = {};
      for (const age of ages) {
        byAge[age] = seed(sb.primary, age);
        seed(sb.offsite, age);
      }
      // Neighbours: another tenant, a tenant whose name starts with ours, a file at env level,
      // and an old orphan dump without manifest in our own prefix (not trusted, not deleted).
      const envDir = path.dirname(sb.primary);
      seed(path.join(envDir, 'other'), 100, 'other');
      seed(path.join(envDir, 'acme-old'), 100, 'acme-old');
      fs.writeFileSync(path.join(envDir, 'stray.txt'), 'x');
      fs.writeFileSync(path.join(sb.primary, 'dumps', 'acme-20200101T000000Z.dump'), 'orphan');
      const before = tree(sb.store);

      const dry = await runPrune(sb, { INOPSIO_NOW: String(NOW) }, ['--dry-run']);
      expectOk(dry);
      expect(tree(sb.store)).toEqual(before);
      const P = `primary/${BUCKET}/${ENV}/${TENANT}`;
      const O = `offsite/${OFFSITE_BUCKET}/${ENV}/${TENANT}`;
      const would = (prefix: string, n: string) => [`would delete: ${prefix}/manifests/${n}.manifest`, `would delete: ${prefix}/dumps/${n}.dump`];
      expect(dry.stdout.trim().split('\n')).toHaveLength(12);
      expect(new Set(dry.stdout.trim().split('\n'))).toEqual(new Set([
        ...[100, 95, 40, 35].flatMap((a) => would(P, byAge[a])),
        ...[100, 95].flatMap((a) => would(O, byAge[a])),
      ]));
      expect(fs.existsSync(promFile(sb, 'prune'))).toBe(false); // dry-run reports no metrics
      // Same through the environment switch.
      const dryEnv = await runPrune(sb, { INOPSIO_NOW: String(NOW), INOPSIO_DRY_RUN: '1' });
      expectOk(dryEnv);
      expect(tree(sb.store)).toEqual(before);

      const r = await runPrune(sb, { INOPSIO_NOW: String(NOW) });
      expectOk(r);
      expect(names(sb.primary)).toEqual([byAge[20], byAge[1]].sort());
      expect(dumps(sb.primary)).toEqual(['acme-20200101T000000Z', byAge[20], byAge[1]].sort());
      expect(names(sb.offsite)).toEqual([byAge[40], byAge[35], byAge[20], byAge[1]].sort());
      expect(dumps(sb.offsite)).toEqual([byAge[40], byAge[35], byAge[20], byAge[1]].sort());
      for (const sibling of ['other', 'acme-old', 'stray.txt']) {
        const rel = path.relative(sb.store, path.join(envDir, sibling));
        const expected = Object.entries(before).filter(([k]) => k === rel || k.startsWith(`${rel}/`));
        expect(expected.length).toBeGreaterThan(0);
        for (const [k, h] of expected) expect(tree(sb.store)[k]).toBe(h);
      }
      const prom = readProm(sb, 'prune');
      expect(metric(prom, 'inopsio_backup_pruned_backups', 'store="local"')).toBe('4');
      expect(metric(prom, 'inopsio_backup_pruned_backups', 'store="offsite"')).toBe('2');
      expect(metric(prom, 'inopsio_backup_retained_backups', 'store="local"')).toBe('2');
      expect(metric(prom, 'inopsio_backup_newest_verified_timestamp_seconds', 'store="local"')).toBe(String(NOW - DAY));
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="prune"')).toBe(String(NOW));
    });

    test('always keeps the newest N verified backups even when all are expired; never drops a local copy missing offsite', async () => {
      const sb = sandbox('prune-keep', { keepLast: 2, staleAfterHours: 24 * 400 });
      seed(sb.primary, 100);
      const b99 = seed(sb.primary, 99);
      const b98 = seed(sb.primary, 98);
      for (const age of [100, 99, 98]) seed(sb.offsite, age);
      const r = await runPrune(sb, { INOPSIO_NOW: String(NOW) });
      expectOk(r);
      expect(names(sb.primary)).toEqual([b99, b98].sort());
      expect(names(sb.offsite)).toEqual([b99, b98].sort());

      const sb1 = sandbox('prune-keep-one', { keepLast: 1 });
      const old = seed(sb1.primary, 40);
      const notOffsite = seed(sb1.primary, 35);
      const fresh = seed(sb1.primary, 0.5);
      seed(sb1.offsite, 40);
      seed(sb1.offsite, 0.5);
      const r1 = await runPrune(sb1, { INOPSIO_NOW: String(NOW) });
      expectOk(r1);
      expect(names(sb1.primary)).toEqual([notOffsite, fresh].sort());
      expect(r1.stderr).toContain(`keeping ${notOffsite} in the local store: it is not listed offsite`);
      expect(names(sb1.primary)).not.toContain(old);
    });

    test('refuses (exit 3) when the newest verified backup is stale; unverified newer objects do not count', async () => {
      const sb = sandbox('prune-stale');
      for (const age of [100, 40, 3]) {
        seed(sb.primary, age);
        seed(sb.offsite, age);
      }
      // A fresh dump without manifest and a fresh incoming upload are not verified backups.
      fs.writeFileSync(path.join(sb.primary, 'dumps', `acme-${stamp(NOW - 60)}.dump`), fs.readFileSync(template.dump));
      fs.mkdirSync(path.join(sb.primary, 'incoming'));
      fs.writeFileSync(path.join(sb.primary, 'incoming', `acme-${stamp(NOW - 30)}.dump`), 'partial');
      const before = tree(sb.store);
      const r = await runPrune(sb, { INOPSIO_NOW: String(NOW) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.REFUSED);
      expect(r.stderr).toMatch(/REFUSING to prune the local store: newest verified backup acme-\S+ is 259200s old, over the staleness threshold of 93600s/);
      expect(tree(sb.store)).toEqual(before);
      const prom = readProm(sb, 'prune');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="prune"')).toBe('0');
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="prune"')).toBeUndefined();

      // No verified backup at all: refuse too.
      const empty = sandbox('prune-empty');
      fs.mkdirSync(path.join(empty.primary, 'dumps'), { recursive: true });
      fs.writeFileSync(path.join(empty.primary, 'dumps', 'acme-20200101T000000Z.dump'), 'x');
      const r2 = await runPrune(empty, { INOPSIO_NOW: String(NOW) });
      expect(r2.code).toBe(BACKUP_EXIT_CODES.REFUSED);
      expect(r2.stderr).toContain('no verified backup is listed');
      expect(listFiles(empty.store)).toEqual(['primary/backups/test/acme/dumps/acme-20200101T000000Z.dump']);
    });

    test('a manifest pointing outside the tenant prefix (../other) makes the pruner fail closed and delete nothing', async () => {
      const sb = sandbox('prune-escape');
      const envDir = path.dirname(sb.primary);
      const victim = seed(path.join(envDir, 'other'), 100, 'other');
      for (const age of [100, 1]) {
        seed(sb.primary, age);
        seed(sb.offsite, age);
      }
      seed(sb.primary, 50, TENANT, (m) => m.replace(/^dump=.*$/m, `dump=../other/dumps/${victim}.dump`));
      const before = tree(sb.store);
      const r = await runPrune(sb, { INOPSIO_NOW: String(NOW) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toContain(`dump path '../other/dumps/${victim}.dump' is not dumps/`);
      expect(tree(sb.store)).toEqual(before);

      // Render-time guard for the tenant itself.
      expect(() => renderPruneScript({ ...sb.options, tenant: '../other' })).toThrow(/tenant/);
    });

    test('a failed backup never prunes (pruning only after a verified success)', async () => {
      const sb = sandbox('prune-after-failure');
      shim(sb, 'pg_dump', PG_DUMP_FAILING);
      for (const age of [100, 50, 1]) {
        seed(sb.primary, age);
        seed(sb.offsite, age);
      }
      const before = tree(sb.store);
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expect(r.code).not.toBe(0);
      expect(tree(sb.store)).toEqual(before);
    });
  });

  describe('tenant object storage (issue 23)', () => {
    const DATA_BUCKET = 'tenant-data';
    /** The tenant's objects in the `dir` backend: objects/<bucket>/<env>/<tenant>/<key>. */
    function withObjects(name: string) {
      const sb = sandbox(name, { objects: { endpoint: 'https://minio.minio.svc:9000', bucket: DATA_BUCKET } });
      const data = path.join(sb.store, 'objects', DATA_BUCKET, ENV, TENANT);
      const put = (key: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(data, key)), { recursive: true });
        fs.writeFileSync(path.join(data, key), text);
      };
      return { sb, data, put };
    }
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');

    test('the daily backup mirrors the tenant\'s objects into the backup and offsite, lists them with sha256, never deletes', async () => {
      const { sb, data, put } = withObjects('objects');
      put('invoices/2026/inv-1.pdf', 'invoice one');
      put('avatars/ada.png', 'ada');
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expectOk(r);
      const name = `acme-${stamp(NOW)}`;
      for (const root of [sb.primary, sb.offsite]) {
        expect(fs.readFileSync(path.join(root, 'objects', 'invoices', '2026', 'inv-1.pdf'), 'utf8')).toBe('invoice one');
        expect(fs.readFileSync(path.join(root, 'objects', 'avatars', 'ada.png'), 'utf8')).toBe('ada');
      }
      const listing = fs.readFileSync(path.join(sb.primary, 'objects-manifests', `${name}.objects`), 'utf8');
      expect(listing).toBe(`${sha('ada')} 3 avatars/ada.png\n${sha('invoice one')} 11 invoices/2026/inv-1.pdf\n`);
      expect(fs.existsSync(path.join(sb.offsite, 'objects-manifests', `${name}.objects`))).toBe(true);
      expect(r.stderr).toContain(`objects: 2 objects (14 bytes) of objects/${DATA_BUCKET}/${ENV}/${TENANT} are in the backup`);
      const prom = readProm(sb, 'backup');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="objects"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_size_bytes', 'kind="objects"')).toBe('14');

      // A deleted object stays in the backup (never --remove); a changed one is copied again.
      fs.rmSync(path.join(data, 'avatars', 'ada.png'));
      put('invoices/2026/inv-1.pdf', 'invoice one, corrected');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW + DAY) }));
      expect(fs.readFileSync(path.join(sb.primary, 'objects', 'avatars', 'ada.png'), 'utf8')).toBe('ada');
      expect(fs.readFileSync(path.join(sb.offsite, 'objects', 'invoices', '2026', 'inv-1.pdf'), 'utf8')).toBe('invoice one, corrected');
      expect(fs.readFileSync(path.join(sb.primary, 'objects-manifests', `acme-${stamp(NOW + DAY)}.objects`), 'utf8'))
        .toBe(`${sha('invoice one, corrected')} 22 invoices/2026/inv-1.pdf\n`);
    });

    test('a backup copy that does not match the tenant\'s objects fails the run, and the dump alerts see it', async () => {
      const { sb, put } = withObjects('objects-broken');
      put('a.txt', 'a');
      // A copy that silently truncates (exit 0): the listing comparison catches it.
      shim(sb, 'cp', '#!/usr/bin/env bash\nif [[ $1 == -- && $2 == */objects/tenant-data/* ]]; then : >"$3"; exit 0; fi\nexec /bin/cp "$@"\n');
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('objects: the backup copy lacks (or differs on) these objects after the mirror: 1 a.txt');
      const prom = readProm(sb, 'backup');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="dump"')).toBe('0');
      expect(fs.existsSync(path.join(sb.offsite, 'objects'))).toBe(false);
    });

    test('the restore drill restores one object of the latest listing and checks it; a tampered copy fails it', async () => {
      const { sb, put } = withObjects('objects-drill');
      put('a.txt', 'alpha');
      put('b/c.txt', 'charlie');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const day = Math.floor((NOW + 3600) / DAY);
      const keys = ['a.txt', 'b/c.txt'];
      const picked = keys[day % 2];
      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 3600) });
      expectOk(r);
      expect(r.stderr).toContain(`F10: restored object ${picked} (${picked === 'a.txt' ? 5 : 7} bytes) from the backup; sha256 matches acme-${stamp(NOW)}.objects`);
      expect(metric(readProm(sb, 'drill'), 'inopsio_backup_drill_objects_verified', '')).toBe('1');

      fs.writeFileSync(path.join(sb.primary, 'objects', picked), 'tampered');
      const bad = await runDrill(sb, { INOPSIO_NOW: String(NOW + 3600) });
      expect(bad.code).toBe(4);
      expect(bad.stderr).toContain(`F10: restored object ${picked} does not match acme-${stamp(NOW)}.objects`);
      expect(await scratchDatabases()).toEqual([]);
    });
  });

  describe('a tenant with objects and no database (issue 23)', () => {
    const DATA_BUCKET = 'tenant-data';
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    /** Options without database or pgHost; pg_dump, pg_restore and psql fail loudly if anything calls them. */
    function objectsOnly(name: string) {
      const sb = sandbox(name, { database: undefined, pgHost: undefined, objects: { endpoint: 'https://minio.minio.svc:9000', bucket: DATA_BUCKET } });
      fs.rmSync(sb.pgpass);
      for (const tool of ['pg_dump', 'pg_restore', 'psql']) shim(sb, tool, `#!/usr/bin/env bash\necho "${tool} called" >&2\nexit 97\n`);
      const data = path.join(sb.store, 'objects', DATA_BUCKET, ENV, TENANT);
      const put = (key: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(data, key)), { recursive: true });
        fs.writeFileSync(path.join(data, key), text);
      };
      return { sb, data, put };
    }

    test('renders no database settings, and refuses options with neither a database nor objects', () => {
      const scripts = renderBackupScripts({ ...BASE_OPTIONS, database: undefined, pgHost: undefined, objects: { endpoint: 'https://minio.minio.svc:9000', bucket: DATA_BUCKET } });
      expect(scripts['backup.sh']).toContain("readonly CFG_DATABASE_ENABLED='0'");
      expect(scripts['backup.sh']).toContain('# env=test tenant=acme database=(none: objects only)');
      expect(scripts['restore-drill.sh']).toContain("readonly CFG_DATABASE_ENABLED='0'");
      expect(renderBackupScripts(BASE_OPTIONS)['backup.sh']).toContain("readonly CFG_DATABASE_ENABLED='1'");
      expect(() => renderBackupScripts({ ...BASE_OPTIONS, database: undefined, pgHost: undefined }))
        .toThrow('BackupScriptOptions: database is required without objects (there would be nothing to back up) (got undefined); name the tenant database, or pass objects: { endpoint, bucket } for a tenant whose data is its objects');
    });

    test('the daily run mirrors the objects, publishes a manifest naming the listing, copies offsite, prunes; no pg_dump, no database credentials', async () => {
      const { sb, data, put } = objectsOnly('objects-only');
      put('invoices/inv-1.pdf', 'invoice one');
      put('avatars/ada.png', 'ada');
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expectOk(r);
      expect(r.stderr).not.toMatch(/pg_dump called|psql called|pg_restore called|pgpass/);
      const name = `acme-${stamp(NOW)}`;
      const listing = `${sha('ada')} 3 avatars/ada.png\n${sha('invoice one')} 11 invoices/inv-1.pdf\n`;
      for (const root of [sb.primary, sb.offsite]) {
        expect(fs.readFileSync(path.join(root, 'objects', 'invoices', 'inv-1.pdf'), 'utf8')).toBe('invoice one');
        expect(fs.readFileSync(path.join(root, 'objects-manifests', `${name}.objects`), 'utf8')).toBe(listing);
        expect(fs.existsSync(path.join(root, 'dumps'))).toBe(false);
        const { fields, rows } = parseManifest(fs.readFileSync(path.join(root, 'manifests', `${name}.manifest`), 'utf8'));
        expect(fields).toEqual({
          format: BACKUP_MANIFEST_FORMAT,
          name,
          env: ENV,
          tenant: TENANT,
          objects: `objects-manifests/${name}.objects`,
          sha256: sha(listing),
          size: String(Buffer.byteLength(listing)),
          timestamp: String(NOW),
          created: '2025-06-15T15:06:40Z',
          verified: 'true',
        });
        expect(rows).toEqual([]);
      }
      const prom = readProm(sb, 'backup');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="objects"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_size_bytes', 'kind="objects"')).toBe('14');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="offsite"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="prune"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="dump"')).toBeUndefined();

      // Retention: old manifests go (keep the newest 2), the objects and their listings stay; a deleted object stays.
      fs.rmSync(path.join(data, 'avatars', 'ada.png'));
      for (const day of [1, 40, 41]) expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW + day * DAY) }));
      expect(fs.readdirSync(path.join(sb.primary, 'manifests')).sort()).toEqual([`acme-${stamp(NOW + 40 * DAY)}.manifest`, `acme-${stamp(NOW + 41 * DAY)}.manifest`]);
      expect(fs.readdirSync(path.join(sb.offsite, 'manifests'))).toHaveLength(4);
      expect(fs.readdirSync(path.join(sb.primary, 'objects-manifests'))).toHaveLength(4);
      expect(fs.readFileSync(path.join(sb.primary, 'objects', 'avatars', 'ada.png'), 'utf8')).toBe('ada');
    });

    test('a failed object copy fails the run with the objects metric, and publishes no manifest', async () => {
      const { sb, put } = objectsOnly('objects-only-broken');
      put('a.txt', 'a');
      shim(sb, 'cp', '#!/usr/bin/env bash\nif [[ $1 == -- && $2 == */objects/tenant-data/* ]]; then : >"$3"; exit 0; fi\nexec /bin/cp "$@"\n');
      const r = await runBackup(sb, { INOPSIO_NOW: String(NOW) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toContain('objects: the backup copy lacks (or differs on) these objects after the mirror: 1 a.txt');
      expect(metric(readProm(sb, 'backup'), 'inopsio_backup_last_run_success', 'kind="objects"')).toBe('0');
      expect(fs.existsSync(path.join(sb.primary, 'manifests'))).toBe(false);
      expect(fs.existsSync(path.join(sb.offsite, 'objects'))).toBe(false);
    });

    test('the restore drill restores one object of the newest manifest\'s listing without a database; a tampered object or listing fails it', async () => {
      const { sb, put } = objectsOnly('objects-only-drill');
      put('a.txt', 'alpha');
      put('b/c.txt', 'charlie');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const name = `acme-${stamp(NOW)}`;
      const picked = ['a.txt', 'b/c.txt'][Math.floor((NOW + 3600) / DAY) % 2];
      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 3600) });
      expectOk(r);
      expect(r.stderr).not.toMatch(/psql called|pg_restore called/);
      expect(r.stderr).toContain(`F10: restoring the latest verified backup ${name}`);
      expect(r.stderr).toContain(`F10: restored object ${picked} (${picked === 'a.txt' ? 5 : 7} bytes) from the backup; sha256 matches ${name}.objects`);
      const prom = readProm(sb, 'drill');
      expect(metric(prom, 'inopsio_backup_drill_objects_verified', '')).toBe('1');
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="drill"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_drill_restored_backup_timestamp_seconds', '')).toBe(String(NOW));
      expect(fs.readFileSync(path.join(sb.primary, 'drill', 'last-success.txt'), 'utf8')).toContain(`backup=${name}\nbackup_timestamp=${NOW}\n`);

      const object = path.join(sb.primary, 'objects', picked);
      const original = fs.readFileSync(object);
      fs.writeFileSync(object, 'tampered');
      const bad = await runDrill(sb, { INOPSIO_NOW: String(NOW + 3600) });
      expect(bad.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(bad.stderr).toContain(`F10: restored object ${picked} does not match ${name}.objects`);
      fs.writeFileSync(object, original);

      const listing = path.join(sb.primary, 'objects-manifests', `${name}.objects`);
      fs.appendFileSync(listing, `${sha('x')} 1 x.txt\n`);
      const badListing = await runDrill(sb, { INOPSIO_NOW: String(NOW + 3600) });
      expect(badListing.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(badListing.stderr).toContain(`F10: ${name}.objects does not match its manifest`);
    });

    test('a new tenant without objects yet: an empty listing is a valid backup, and the drill has nothing to restore', async () => {
      const { sb, data } = objectsOnly('objects-only-empty');
      fs.mkdirSync(data, { recursive: true });
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const name = `acme-${stamp(NOW)}`;
      expect(fs.readFileSync(path.join(sb.offsite, 'objects-manifests', `${name}.objects`), 'utf8')).toBe('');
      expect(parseManifest(fs.readFileSync(path.join(sb.primary, 'manifests', `${name}.manifest`), 'utf8')).fields.size).toBe('0');
      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 60) });
      expectOk(r);
      expect(r.stderr).toContain(`F10: the tenant had no objects at the last backup (${name}.objects): nothing to restore`);
      expect(metric(readProm(sb, 'drill'), 'inopsio_backup_drill_objects_verified', '')).toBe('0');
    });

    test('a dump manifest in an object-only tenant\'s prefix is untrusted (fail closed)', async () => {
      const { sb, put } = objectsOnly('objects-only-foreign');
      put('a.txt', 'alpha');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const name = `acme-${stamp(NOW)}`;
      const manifest = path.join(sb.primary, 'manifests', `${name}.manifest`);
      fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace(/^objects=.*$/m, `dump=dumps/${name}.dump`));
      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 60) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toContain(`untrusted manifest for '${name}': object listing '' is not objects-manifests/${name}.objects`);
    });
  });

  describe('F10: restore drill', () => {
    test('restores the latest manifest-listed backup into a scratch database, verifies row counts, publishes success, drops the scratch database', async () => {
      const sb = sandbox('drill');
      const t1 = NOW + 10 * DAY;
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(t1) }));
      await pg.psql('INSERT INTO orders (customer_id, total) VALUES (2, 99)', 'acme');
      try {
        expectOk(await runBackup(sb, { INOPSIO_NOW: String(t1 + 3600) }));
      } finally {
        await pg.psql('DELETE FROM orders WHERE total = 99', 'acme');
      }
      const latest = `acme-${stamp(t1 + 3600)}`;
      expect(parseManifest(fs.readFileSync(path.join(sb.primary, 'manifests', `${latest}.manifest`), 'utf8')).rows)
        .toContain('4 public.orders');
      // Objects without a manifest are ignored by readers (F6): a newer orphan dump and an incoming upload.
      fs.writeFileSync(path.join(sb.primary, 'dumps', `acme-${stamp(t1 + 7000)}.dump`), 'not a dump');
      fs.mkdirSync(path.join(sb.primary, 'incoming'), { recursive: true });
      fs.writeFileSync(path.join(sb.primary, 'incoming', `acme-${stamp(t1 + 7100)}.dump`), 'partial');

      const r = await runDrill(sb, { INOPSIO_NOW: String(t1 + 7200) });
      expectOk(r);
      expect(r.stderr).toContain(`F10: restoring the latest verified backup ${latest}`);
      expect(r.stderr).toContain('F10: row counts of 4 tables (2007 rows) match');
      expect(r.stderr).toMatch(/creating scratch database inopsio_drill_\d+_\d+/);
      expect(await scratchDatabases()).toEqual([]);
      const record = fs.readFileSync(path.join(sb.primary, 'drill', 'last-success.txt'), 'utf8');
      expect(record).toContain(`backup=${latest}\n`);
      expect(record).toContain(`drill_timestamp=${t1 + 7200}\n`);
      const prom = readProm(sb, 'drill');
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="drill"')).toBe(String(t1 + 7200));
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="drill"')).toBe('1');
      expect(metric(prom, 'inopsio_backup_drill_tables_verified', '')).toBe('4');
      expect(metric(prom, 'inopsio_backup_drill_rows_verified', '')).toBe('2007');
      expect(metric(prom, 'inopsio_backup_drill_restored_backup_timestamp_seconds', '')).toBe(String(t1 + 3600));
      expect(fs.readdirSync(sb.work)).toEqual([]);
    });

    test('fails (exit 4) when restored row counts differ from the manifest, and still drops the scratch database', async () => {
      const sb = sandbox('drill-tampered');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const drill1 = await runDrill(sb, { INOPSIO_NOW: String(NOW + 60) });
      expectOk(drill1);
      const manifest = path.join(sb.primary, 'manifests', `acme-${stamp(NOW)}.manifest`);
      fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('rows=3 public.orders', 'rows=999 public.orders'));

      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 120) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toContain('F10: restored row counts do not match the manifest');
      expect(r.stderr).toContain('< 999 public.orders');
      expect(r.stderr).toContain('> 3 public.orders');
      expect(r.stderr).toMatch(/dropping scratch database inopsio_drill_\d+_\d+/);
      expect(await scratchDatabases()).toEqual([]);
      const prom = readProm(sb, 'drill');
      expect(metric(prom, 'inopsio_backup_last_success_timestamp_seconds', 'kind="drill"')).toBe(String(NOW + 60));
      expect(metric(prom, 'inopsio_backup_last_run_success', 'kind="drill"')).toBe('0');
      expect(metric(prom, 'inopsio_backup_last_failure_timestamp_seconds', 'kind="drill"')).toBe(String(NOW + 120));
    });

    test('fails (exit 4) when the stored dump does not match its manifest checksum', async () => {
      const sb = sandbox('drill-corrupt');
      expectOk(await runBackup(sb, { INOPSIO_NOW: String(NOW) }));
      const dump = path.join(sb.primary, 'dumps', `acme-${stamp(NOW)}.dump`);
      const buf = fs.readFileSync(dump);
      buf[buf.length - 10] = 255 - buf[buf.length - 10]; // any change of the byte
      fs.writeFileSync(dump, buf);
      const r = await runDrill(sb, { INOPSIO_NOW: String(NOW + 60) });
      expect(r.code).toBe(BACKUP_EXIT_CODES.INTEGRITY);
      expect(r.stderr).toMatch(/does not match its manifest/);
      expect(await scratchDatabases()).toEqual([]);
    });
  });
});

/**
 * Shell scripts run by the per-tenant PostgreSQL backup CronJobs.
 *
 * Pure string rendering (no cdk8s import): the construct that wraps these in
 * CronJobs mounts the rendered text from a ConfigMap and runs e.g.
 * `bash /scripts/backup.sh` in an image that has bash, pg_dump/pg_restore/psql,
 * coreutils (sha256sum, stat, date, mktemp, sort, comm), `mc` and, when a
 * Pushgateway is configured, curl.
 *
 * Every script is self-contained: the shared library (logging, metrics, the
 * object-store interface, the manifest reader, the pruner) is inlined, so a
 * ConfigMap key can be mounted on its own.
 *
 * ## Scripts and security-catalogue ids
 *
 * - `backup.sh`: F1–F7 (+ F8 when `pruneAfterBackup`), F9, metrics.
 *   `pg_dump -Fc -f <name>.dump.partial` inside an exported REPEATABLE READ
 *   snapshot whose session also records exact per-table `count(*)`; full-read
 *   verification `pg_restore -f /dev/null`; sha256; upload to `incoming/`;
 *   remote verification (size + sha256 re-read); move to `dumps/`; manifest
 *   LAST; `mc mirror` (never deleting, never overwriting) of `dumps/` then
 *   `manifests/` to the offsite store, followed by a listing comparison and a
 *   sha256 re-read of the new offsite dump.
 * - `prune.sh [--dry-run]`: F8.
 * - `restore-drill.sh`: F10.
 *
 * ## Object layout (both stores)
 *
 * ```
 * <bucket>/<env>/<tenant>/incoming/<name>.dump     staging, never trusted
 * <bucket>/<env>/<tenant>/dumps/<name>.dump        published dump
 * <bucket>/<env>/<tenant>/manifests/<name>.manifest  written LAST; the only thing readers trust
 * <bucket>/<env>/<tenant>/drill/last-success.txt   written by the restore drill (primary store only)
 * ```
 * `<name>` is `<tenant>-<YYYYMMDDTHHMMSSZ>` (UTC, from the clock at run time,
 * or `INOPSIO_NOW`).
 *
 * ## Manifest format (`inopsio-backup-manifest/v1`)
 *
 * One small `key=value` text file per backup (line-oriented so that the image
 * needs no jq). Keys, in order:
 * ```
 * format=inopsio-backup-manifest/v1
 * name=acme-20250101T020000Z
 * env=prod
 * tenant=acme
 * database=acme
 * dump=dumps/acme-20250101T020000Z.dump     (relative to the tenant prefix; must be exactly dumps/<name>.dump)
 * sha256=<64 hex>
 * size=<bytes>
 * timestamp=<epoch seconds of the run>
 * created=2025-01-01T02:00:00Z
 * pg_dump_version=pg_dump (PostgreSQL) 15.x
 * verified=true                              (pg_restore full read + remote size/sha256 re-read passed)
 * rows=<exact count(*)> <schema>.<table>    (one line per user table, identifiers quoted with %I)
 * ```
 * A manifest that does not parse, names another env/tenant, or points its
 * `dump=` anywhere but `dumps/<name>.dump` makes the pruner and the drill fail
 * closed (exit 4) without deleting anything.
 *
 * ## Object-store interface (bash functions; targets are `<alias>/<bucket>/<key>`, alias `primary` or `offsite`)
 *
 * | function | mc backend | dir backend (`$INOPSIO_STORE_ROOT/<alias>/<bucket>/<key>`) |
 * |---|---|---|
 * | `store_put <local> <target>` | `mc cp --quiet` | copy to a hidden sibling then `mv` (atomic) |
 * | `store_stat <target>` (prints size in bytes) | `mc stat --json` | `stat -c %s` |
 * | `store_cat <target>` | `mc cat` | `cat` |
 * | `store_list <prefix>` (prints `<size> <relative-key>`, sorted) | `mc ls --recursive --json` | `find -printf` |
 * | `store_move <from> <to>` | `mc mv --quiet` | `mv` |
 * | `store_remove <target>` (one object) | `mc rm --quiet` | `rm -f` |
 * | `store_mirror <src-prefix> <dst-prefix>` | `mc mirror --quiet` (no delete/overwrite flags) | copy missing files, never overwrite or delete |
 *
 * Every target is checked against `^(primary|offsite)/<segments>` with no
 * `.`/`..`/empty segment before any backend call; deletions additionally go
 * through `assert_in_prefix` (must be `<tenant prefix>/{dumps,manifests,incoming}/<file>`).
 *
 * ## Runtime environment (rendered defaults can be overridden per pod)
 *
 * See {@link BACKUP_SCRIPT_ENV}. Credentials are only ever read from files:
 * the PostgreSQL pgpass file (`PGPASSFILE`, default `pgPassFile`) is copied to
 * a private 0600 file; `PGPASSWORD` is unset if present; the `mc` access and
 * secret keys are read from `accessKeyFile`/`secretKeyFile` at run time and
 * passed to `mc` through `MC_HOST_primary`/`MC_HOST_offsite` in the
 * environment (never argv).
 *
 * ## Exit codes
 *
 * See {@link BACKUP_EXIT_CODES}: 0 ok, 1 a command failed, 2 configuration or
 * credentials, 3 pruning/drill refused (no or stale verified backup), 4
 * integrity (verification, checksum, listing, manifest, row counts, path guard).
 *
 * @module
 */

/** Object-store backend used by the scripts. */
export enum ObjectStoreBackend {
  /** The MinIO client (`mc`) against S3-compatible endpoints. */
  MC = 'mc',
  /** A local directory tree (tests, or a mounted volume). */
  DIR = 'dir',
}

/** One S3-compatible store (bucket) used by the backup scripts. */
export interface ObjectStoreTarget {
  /** Endpoint URL for the `mc` backend, e.g. `https://minio.backup.svc:9000`. */
  readonly endpoint: string;
  /** Bucket name. The tenant's objects live under `<bucket>/<env>/<tenant>/`. */
  readonly bucket: string;
  /**
   * File holding the access key, read at run time (F9).
   * @default '/vault/secrets/<alias>-access-key' (alias `primary` or `offsite`)
   */
  readonly accessKeyFile?: string;
  /**
   * File holding the secret key, read at run time (F9).
   * @default '/vault/secrets/<alias>-secret-key' (alias `primary` or `offsite`)
   */
  readonly secretKeyFile?: string;
}

/** Options shared by all rendered backup scripts of one tenant database. */
export interface BackupScriptOptions {
  /** Environment name (DNS label), e.g. `prod`. */
  readonly env: string;
  /** Tenant id (DNS label), e.g. `acme`. */
  readonly tenant: string;
  /** Database to back up (no `=`; letters, digits, `_`, `-`, `.`). */
  readonly database: string;
  /** PostgreSQL host (or unix-socket directory). Overridable at run time with `PGHOST`. */
  readonly pgHost: string;
  /**
   * PostgreSQL port. Overridable with `PGPORT`.
   * @default 5432
   */
  readonly pgPort?: number;
  /**
   * PostgreSQL role used for `pg_dump` (needs read access, e.g. `pg_read_all_data`). Overridable with `PGUSER`.
   * @default 'inopsio_backup'
   */
  readonly pgUser?: string;
  /**
   * pgpass-format credentials file, read at run time (F9). Overridable with `PGPASSFILE`.
   * @default '/vault/secrets/pgpass'
   */
  readonly pgPassFile?: string;
  /** Primary ("local") store: `incoming/`, `dumps/`, `manifests/`; retention `localRetentionDays`. */
  readonly primary: ObjectStoreTarget;
  /** Offsite store receiving `mc mirror` copies; retention `offsiteRetentionDays`. */
  readonly offsite: ObjectStoreTarget;
  /**
   * The tenant's own object storage (alias `objects`), whose prefix `<bucket>/<env>/<tenant>/` every backup run
   * mirrors into the primary store's `objects/` (new and changed objects; never deleting), lists with sha256 in
   * `objects-manifests/<name>.objects`, and copies offsite with the dumps; the restore drill restores one object of
   * the latest listing and checks it (issue 23).
   * @default - the tenant's objects are not backed up
   */
  readonly objects?: ObjectStoreTarget;
  /**
   * Object-store backend. Overridable with `INOPSIO_STORE_BACKEND`.
   * @default ObjectStoreBackend.MC
   */
  readonly storeBackend?: ObjectStoreBackend;
  /**
   * Root of the `dir` backend. Overridable with `INOPSIO_STORE_ROOT`.
   * @default '/var/lib/inopsio-backup/store'
   */
  readonly storeDirRoot?: string;
  /**
   * Days a verified backup is kept in the primary store.
   * @default 30
   */
  readonly localRetentionDays?: number;
  /**
   * Days a verified backup is kept offsite. Must be >= `localRetentionDays`
   * (otherwise the mirror would copy back what offsite pruning removed).
   * @default 90
   */
  readonly offsiteRetentionDays?: number;
  /**
   * The newest N verified backups are never pruned, whatever their age (>= 1).
   * @default 2
   */
  readonly keepLatest?: number;
  /**
   * Pruning is refused (exit 3) when the newest verified backup of a store is
   * older than this many hours.
   * @default 48
   */
  readonly stalenessHours?: number;
  /**
   * Run the pruner at the end of `backup.sh`, only after the dump and the
   * offsite copy have been verified.
   * @default true
   */
  readonly pruneAfterBackup?: boolean;
  /**
   * Scratch directory (an emptyDir); a private subdirectory is created and
   * removed per run. Overridable with `INOPSIO_WORK_DIR`.
   * @default '/work'
   */
  readonly workDir?: string;
  /**
   * Directory of the textfile-collector `.prom` files. Each script writes
   * `inopsio_backup_<env>_<tenant>_<backup|prune|drill>.prom` atomically.
   * Overridable with `INOPSIO_METRICS_DIR`.
   * @default '/metrics'
   */
  readonly metricsDir?: string;
  /**
   * Pushgateway base URL; metrics are POSTed to
   * `<url>/metrics/job/inopsio_backup/env/<env>/tenant/<tenant>/script/<script>`.
   * Overridable with `INOPSIO_PUSHGATEWAY_URL`.
   * @default - no push
   */
  readonly pushgatewayUrl?: string;
  /**
   * PostgreSQL host of the restore drill (a scratch server is recommended).
   * @default - `pgHost`
   */
  readonly drillPgHost?: string;
  /**
   * PostgreSQL port of the restore drill.
   * @default - `pgPort`
   */
  readonly drillPgPort?: number;
  /**
   * Role of the restore drill (needs CREATEDB).
   * @default - `pgUser`
   */
  readonly drillPgUser?: string;
  /**
   * pgpass file of the restore drill.
   * @default - `pgPassFile`
   */
  readonly drillPgPassFile?: string;
  /**
   * Prefix of the scratch database created and dropped by the drill.
   * @default 'inopsio_drill'
   */
  readonly drillDatabasePrefix?: string;
  /**
   * Database the drill connects to for CREATE/DROP DATABASE.
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
}

/** A Prometheus metric exported by the backup scripts. */
export interface BackupMetricDefinition {
  /** Metric name. */
  readonly name: string;
  /** Prometheus type (`gauge`). */
  readonly type: string;
  /** HELP text. */
  readonly help: string;
  /** Label names (always `env` and `tenant`, plus `kind` or `store`). */
  readonly labels: string[];
}

const RUN_LABELS = ['env', 'tenant', 'kind'];
const STORE_LABELS = ['env', 'tenant', 'store'];
const DRILL_LABELS = ['env', 'tenant'];

/**
 * Metrics written by the scripts (textfile collector and, optionally,
 * Pushgateway). `kind` is one of {@link BACKUP_METRIC_KINDS}; `store` is
 * `local` or `offsite`. Alert rules should reference these names.
 */
export const BACKUP_METRICS: ReadonlyArray<BackupMetricDefinition> = Object.freeze([
  { name: 'inopsio_backup_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time of the last successful run of this step.', labels: RUN_LABELS },
  { name: 'inopsio_backup_last_failure_timestamp_seconds', type: 'gauge', help: 'Unix time of the last failed run of this step.', labels: RUN_LABELS },
  { name: 'inopsio_backup_last_run_success', type: 'gauge', help: '1 if the last run of this step succeeded, 0 if it failed.', labels: RUN_LABELS },
  { name: 'inopsio_backup_duration_seconds', type: 'gauge', help: 'Wall-clock duration of the last successful run of this step.', labels: RUN_LABELS },
  { name: 'inopsio_backup_size_bytes', type: 'gauge', help: 'Size of the dump handled by the last successful run of this step.', labels: RUN_LABELS },
  { name: 'inopsio_backup_retained_backups', type: 'gauge', help: 'Verified backups kept in the store by the last prune plan.', labels: STORE_LABELS },
  { name: 'inopsio_backup_pruned_backups', type: 'gauge', help: 'Verified backups deleted from the store by the last prune plan.', labels: STORE_LABELS },
  { name: 'inopsio_backup_newest_verified_timestamp_seconds', type: 'gauge', help: 'Timestamp of the newest verified backup listed in the store manifests.', labels: STORE_LABELS },
  { name: 'inopsio_backup_drill_tables_verified', type: 'gauge', help: 'Tables whose row counts the last successful restore drill verified.', labels: DRILL_LABELS },
  { name: 'inopsio_backup_drill_rows_verified', type: 'gauge', help: 'Rows the last successful restore drill verified.', labels: DRILL_LABELS },
  { name: 'inopsio_backup_drill_objects_verified', type: 'gauge', help: 'Objects the last successful restore drill restored and checked (0 when the tenant had none).', labels: DRILL_LABELS },
  { name: 'inopsio_backup_drill_restored_backup_timestamp_seconds', type: 'gauge', help: 'Timestamp of the backup restored by the last successful restore drill.', labels: DRILL_LABELS },
].map((m) => Object.freeze(m)));

/** Values of the `kind` label. */
export const BACKUP_METRIC_KINDS: ReadonlyArray<string> = Object.freeze(['dump', 'objects', 'offsite', 'prune', 'drill']);

/** Manifest format identifier (first line of every manifest). */
export const BACKUP_MANIFEST_FORMAT = 'inopsio-backup-manifest/v1';

/** Exit codes of the scripts. */
export const BACKUP_EXIT_CODES = Object.freeze({
  OK: 0,
  /** A command failed (pg_dump, mc, ...). */
  FAILURE: 1,
  /** Bad configuration or missing/unreadable credential files (F9). */
  CONFIG: 2,
  /** Pruning or drill refused: no verified backup, or the newest one is stale (F8). */
  REFUSED: 3,
  /** Integrity: verification, checksum, listing, manifest, row counts or path guard. */
  INTEGRITY: 4,
});

/** Environment variables read by the scripts at run time (names -> meaning). */
export const BACKUP_SCRIPT_ENV: Readonly<Record<string, string>> = Object.freeze({
  PGHOST: 'PostgreSQL host or socket directory (default: rendered pgHost / drillPgHost)',
  PGPORT: 'PostgreSQL port (default: rendered pgPort / drillPgPort)',
  PGUSER: 'PostgreSQL role (default: rendered pgUser / drillPgUser)',
  PGPASSFILE: 'Path of the mounted pgpass-format file (default: rendered pgPassFile / drillPgPassFile); copied to a private 0600 file',
  PGCONNECT_TIMEOUT: 'libpq connect timeout in seconds (default 30)',
  INOPSIO_STORE_BACKEND: 'mc or dir (default: rendered storeBackend)',
  INOPSIO_STORE_ROOT: 'Root directory of the dir backend (default: rendered storeDirRoot)',
  INOPSIO_WORK_DIR: 'Scratch directory (default: rendered workDir)',
  INOPSIO_METRICS_DIR: 'Directory of the .prom files (default: rendered metricsDir)',
  INOPSIO_PUSHGATEWAY_URL: 'Pushgateway base URL (default: rendered pushgatewayUrl; empty = no push)',
  INOPSIO_NOW: 'Override of "now" in epoch seconds (tests)',
  INOPSIO_DRY_RUN: '1/true: the pruner prints what it would delete and deletes nothing (prune.sh also takes --dry-run)',
});

/** File names of the rendered scripts (ConfigMap keys). */
export const BACKUP_SCRIPT_FILES = Object.freeze({
  BACKUP: 'backup.sh',
  PRUNE: 'prune.sh',
  RESTORE_DRILL: 'restore-drill.sh',
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DATABASE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const PG_ROLE = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
const SQL_IDENT_PREFIX = /^[a-z_][a-z0-9_]{0,30}$/;
const ENDPOINT = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;
const URL_NO_SPACE = /^https?:\/\/[^\s'"\\`$]+$/;

/** Resolved, validated option values (internal). */
interface Resolved {
  readonly env: string;
  readonly tenant: string;
  readonly database: string;
  readonly pgHost: string;
  readonly pgPort: number;
  readonly pgUser: string;
  readonly pgPassFile: string;
  readonly drillPgHost: string;
  readonly drillPgPort: number;
  readonly drillPgUser: string;
  readonly drillPgPassFile: string;
  readonly primary: Required<ObjectStoreTarget>;
  readonly offsite: Required<ObjectStoreTarget>;
  readonly objects?: Required<ObjectStoreTarget>;
  readonly storeBackend: ObjectStoreBackend;
  readonly storeDirRoot: string;
  readonly localRetentionDays: number;
  readonly offsiteRetentionDays: number;
  readonly keepLatest: number;
  readonly stalenessHours: number;
  readonly pruneAfterBackup: boolean;
  readonly workDir: string;
  readonly metricsDir: string;
  readonly pushgatewayUrl: string;
  readonly drillDatabasePrefix: string;
  readonly maintenanceDatabase: string;
}

function fail(msg: string): never {
  throw new Error(`BackupScriptOptions: ${msg}`);
}

function checkRe(field: string, value: string, re: RegExp, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) fail(`${field} '${value}' is invalid: ${what}`);
  return value;
}

function checkInt(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(`${field} must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

function checkPath(field: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || !value.startsWith('/') || /[\x00-\x1f\x7f]/.test(value) || value.split('/').includes('..')) {
    fail(`${field} '${value}' must be an absolute path without control characters or '..'`);
  }
  return value;
}

function resolveStore(field: string, alias: string, t: ObjectStoreTarget): Required<ObjectStoreTarget> {
  if (!t) fail(`${field} is required`);
  const bucket = checkRe(`${field}.bucket`, t.bucket, BUCKET, 'an S3 bucket name');
  if (bucket.includes('..')) fail(`${field}.bucket '${bucket}' must not contain '..'`);
  return {
    endpoint: checkRe(`${field}.endpoint`, t.endpoint, ENDPOINT, 'expected http(s)://host[:port] without path or credentials'),
    bucket,
    accessKeyFile: checkPath(`${field}.accessKeyFile`, t.accessKeyFile ?? `/vault/secrets/${alias}-access-key`),
    secretKeyFile: checkPath(`${field}.secretKeyFile`, t.secretKeyFile ?? `/vault/secrets/${alias}-secret-key`),
  };
}

function resolve(o: BackupScriptOptions): Resolved {
  const env = checkRe('env', o.env, DNS_LABEL, 'expected a DNS label');
  const tenant = checkRe('tenant', o.tenant, DNS_LABEL, 'expected a DNS label (no "/", ".", "..")');
  const pgHost = o.pgHost;
  if (typeof pgHost !== 'string' || !/^[A-Za-z0-9./_-]+$/.test(pgHost) || pgHost.split('/').includes('..')) fail(`pgHost '${pgHost}' is invalid`);
  const pgPort = checkInt('pgPort', o.pgPort ?? 5432, 1, 65535);
  const pgUser = checkRe('pgUser', o.pgUser ?? 'inopsio_backup', PG_ROLE, 'expected a PostgreSQL role name');
  const pgPassFile = checkPath('pgPassFile', o.pgPassFile ?? '/vault/secrets/pgpass');
  const drillPgHost = o.drillPgHost ?? pgHost;
  if (!/^[A-Za-z0-9./_-]+$/.test(drillPgHost) || drillPgHost.split('/').includes('..')) fail(`drillPgHost '${drillPgHost}' is invalid`);
  const localRetentionDays = checkInt('localRetentionDays', o.localRetentionDays ?? 30, 1, 36500);
  const offsiteRetentionDays = checkInt('offsiteRetentionDays', o.offsiteRetentionDays ?? 90, 1, 36500);
  if (offsiteRetentionDays < localRetentionDays) {
    fail(`offsiteRetentionDays (${offsiteRetentionDays}) must be >= localRetentionDays (${localRetentionDays}): the mirror would re-copy what offsite pruning deletes`);
  }
  const storeBackend = o.storeBackend ?? ObjectStoreBackend.MC;
  if (storeBackend !== ObjectStoreBackend.MC && storeBackend !== ObjectStoreBackend.DIR) fail(`storeBackend '${storeBackend}' is invalid`);
  const pushgatewayUrl = (o.pushgatewayUrl ?? '').replace(/\/+$/, '');
  if (pushgatewayUrl !== '') checkRe('pushgatewayUrl', pushgatewayUrl, URL_NO_SPACE, 'expected an http(s) URL');
  return {
    env,
    tenant,
    database: checkRe('database', o.database, DATABASE, 'letters, digits, "_", "-", "." only (no "=": libpq would read it as a conninfo)'),
    pgHost,
    pgPort,
    pgUser,
    pgPassFile,
    drillPgHost,
    drillPgPort: checkInt('drillPgPort', o.drillPgPort ?? pgPort, 1, 65535),
    drillPgUser: checkRe('drillPgUser', o.drillPgUser ?? pgUser, PG_ROLE, 'expected a PostgreSQL role name'),
    drillPgPassFile: checkPath('drillPgPassFile', o.drillPgPassFile ?? pgPassFile),
    primary: resolveStore('primary', 'primary', o.primary),
    offsite: resolveStore('offsite', 'offsite', o.offsite),
    objects: o.objects === undefined ? undefined : resolveStore('objects', 'objects', o.objects),
    storeBackend,
    storeDirRoot: checkPath('storeDirRoot', o.storeDirRoot ?? '/var/lib/inopsio-backup/store'),
    localRetentionDays,
    offsiteRetentionDays,
    keepLatest: checkInt('keepLatest', o.keepLatest ?? 2, 1, 1000),
    stalenessHours: checkInt('stalenessHours', o.stalenessHours ?? 48, 1, 24 * 36500),
    pruneAfterBackup: o.pruneAfterBackup ?? true,
    workDir: checkPath('workDir', o.workDir ?? '/work'),
    metricsDir: checkPath('metricsDir', o.metricsDir ?? '/metrics'),
    pushgatewayUrl,
    drillDatabasePrefix: checkRe('drillDatabasePrefix', o.drillDatabasePrefix ?? 'inopsio_drill', SQL_IDENT_PREFIX, 'lower-case SQL identifier of at most 31 characters'),
    maintenanceDatabase: checkRe('maintenanceDatabase', o.maintenanceDatabase ?? 'postgres', DATABASE, 'a database name'),
  };
}

/** POSIX single-quoting for bash. */
function shq(value: string | number | boolean): string {
  return `'${String(value).replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * Template tag for bash text: uses the raw strings (so `\n` stays `\n`) and
 * turns `\${` into `${` (bash parameter expansion) and `` \` `` into a backtick.
 */
function sh(strings: TemplateStringsArray, ...values: string[]): string {
  let out = '';
  strings.raw.forEach((chunk, i) => {
    out += chunk.replace(/\\\$\{/g, '${').replace(/\\`/g, '`');
    if (i < values.length) out += values[i];
  });
  return out;
}

/**
 * Exact per-table row counts over user tables (`relkind` r/p), excluding
 * system schemas and extension-owned tables (pg_dump does not dump their data).
 * One output line per table: `<count> <schema>.<table>` with `%I` quoting.
 */
const ROWCOUNT_SQL = [
  'SELECT (xpath(\'/row/n/text()\', query_to_xml(format(\'SELECT count(*) AS n FROM %I.%I\', n.nspname, c.relname), false, true, \'\')))[1]::text',
  '       || \' \' || format(\'%I.%I\', n.nspname, c.relname)',
  '  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace',
  ' WHERE c.relkind IN (\'r\', \'p\')',
  '   AND n.nspname <> \'information_schema\' AND n.nspname NOT LIKE \'pg\\_%\'',
  '   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = \'pg_catalog.pg_class\'::regclass AND d.objid = c.oid AND d.deptype = \'e\')',
  ' ORDER BY 1;',
].join('\n');

type ScriptKind = 'backup' | 'prune' | 'drill';

/** Settings of the tenant's object store: only the backup reads it (the drill restores from the backup copy). */
const OBJECT_STORE_KEYS = ['CFG_OBJECTS_ENDPOINT', 'CFG_OBJECTS_BUCKET', 'CFG_OBJECTS_ACCESS_KEY_FILE', 'CFG_OBJECTS_SECRET_KEY_FILE'];

function header(title: string, r: Resolved): string {
  return sh`#!/usr/bin/env bash
# ${title}
# env=${r.env} tenant=${r.tenant} database=${r.database}
# Generated by @inopsio/env-lifecycle (src/k8s/backup-scripts.ts); do not edit by hand.
# Exit codes: 0 ok, 1 command failed, 2 configuration/credentials, 3 refused (no or stale verified backup), 4 integrity.
if [ -z "\${BASH_VERSION:-}" ]; then
  echo "inopsio-backup: this script needs bash (F1: run it as 'bash $0'; /bin/sh may be dash, which has no pipefail)" >&2
  exit 2
fi
# F1-F3: any failing command, unset variable or failing pipeline stage aborts the run.
set -Eeuo pipefail
shopt -s inherit_errexit
umask 077
`;
}

function configBlock(kind: ScriptKind, r: Resolved): string {
  const drill = kind === 'drill';
  const lines: Array<[string, string | number | boolean]> = [
    ['SCRIPT_KIND', kind],
    ['CFG_ENV', r.env],
    ['CFG_TENANT', r.tenant],
    ['CFG_DATABASE', r.database],
    ['CFG_PG_HOST', drill ? r.drillPgHost : r.pgHost],
    ['CFG_PG_PORT', drill ? r.drillPgPort : r.pgPort],
    ['CFG_PG_USER', drill ? r.drillPgUser : r.pgUser],
    ['CFG_PG_PASS_FILE', drill ? r.drillPgPassFile : r.pgPassFile],
    ['CFG_STORE_BACKEND', r.storeBackend],
    ['CFG_STORE_ROOT', r.storeDirRoot],
    ['CFG_PRIMARY_ENDPOINT', r.primary.endpoint],
    ['CFG_PRIMARY_BUCKET', r.primary.bucket],
    ['CFG_PRIMARY_ACCESS_KEY_FILE', r.primary.accessKeyFile],
    ['CFG_PRIMARY_SECRET_KEY_FILE', r.primary.secretKeyFile],
    ['CFG_OFFSITE_ENDPOINT', r.offsite.endpoint],
    ['CFG_OFFSITE_BUCKET', r.offsite.bucket],
    ['CFG_OFFSITE_ACCESS_KEY_FILE', r.offsite.accessKeyFile],
    ['CFG_OFFSITE_SECRET_KEY_FILE', r.offsite.secretKeyFile],
    ['CFG_OBJECTS_ENABLED', r.objects ? 1 : 0],
    ['CFG_OBJECTS_ENDPOINT', r.objects?.endpoint ?? ''],
    ['CFG_OBJECTS_BUCKET', r.objects?.bucket ?? ''],
    ['CFG_OBJECTS_ACCESS_KEY_FILE', r.objects?.accessKeyFile ?? ''],
    ['CFG_OBJECTS_SECRET_KEY_FILE', r.objects?.secretKeyFile ?? ''],
    ['CFG_LOCAL_RETENTION_DAYS', r.localRetentionDays],
    ['CFG_OFFSITE_RETENTION_DAYS', r.offsiteRetentionDays],
    ['CFG_KEEP_LATEST', r.keepLatest],
    ['CFG_STALENESS_SECONDS', r.stalenessHours * 3600],
    ['CFG_PRUNE_AFTER_BACKUP', r.pruneAfterBackup ? 1 : 0],
    ['CFG_WORK_DIR', r.workDir],
    ['CFG_METRICS_DIR', r.metricsDir],
    ['CFG_PUSHGATEWAY_URL', r.pushgatewayUrl],
    ['CFG_DRILL_DB_PREFIX', r.drillDatabasePrefix],
    ['CFG_MAINTENANCE_DB', r.maintenanceDatabase],
    ['MANIFEST_FORMAT', BACKUP_MANIFEST_FORMAT],
    ['ROWCOUNT_SQL', ROWCOUNT_SQL],
  ];
  // Only what the script uses (keeps the rendered text shellcheck-clean).
  const unused: Record<ScriptKind, string[]> = {
    backup: ['CFG_DRILL_DB_PREFIX'],
    prune: ['CFG_DATABASE', 'CFG_PRUNE_AFTER_BACKUP', 'CFG_DRILL_DB_PREFIX', 'ROWCOUNT_SQL', 'CFG_OBJECTS_ENABLED', ...OBJECT_STORE_KEYS],
    drill: ['CFG_DATABASE', 'CFG_PRUNE_AFTER_BACKUP', 'CFG_LOCAL_RETENTION_DAYS', 'CFG_OFFSITE_RETENTION_DAYS', 'CFG_KEEP_LATEST', 'CFG_STALENESS_SECONDS', ...OBJECT_STORE_KEYS],
  };
  const rendered = lines.filter(([k]) => !unused[kind].includes(k));
  const metricDefs = BACKUP_METRICS.map((m) => `  ${shq(`${m.name}|${m.type}|${m.help}`)}`).join('\n');
  return [
    '',
    '# ---- rendered configuration (shell-quoted at render time) ----',
    ...rendered.map(([k, v]) => `readonly ${k}=${shq(v)}`),
    '# Metric names, types and help (BACKUP_METRICS in backup-scripts.ts).',
    `readonly -a METRIC_DEFS=(\n${metricDefs}\n)`,
    '',
  ].join('\n');
}

/** Runtime settings, logging, traps, metrics, credentials. */
function commonLib(): string {
  return sh`
# ---- runtime settings: rendered defaults, overridable per pod (see BACKUP_SCRIPT_ENV) ----
export PGHOST="\${PGHOST:-$CFG_PG_HOST}"
export PGPORT="\${PGPORT:-$CFG_PG_PORT}"
export PGUSER="\${PGUSER:-$CFG_PG_USER}"
export PGCONNECT_TIMEOUT="\${PGCONNECT_TIMEOUT:-30}"
export PGAPPNAME="inopsio-backup-$SCRIPT_KIND"
PG_PASS_SOURCE="\${PGPASSFILE:-$CFG_PG_PASS_FILE}"
STORE_BACKEND="\${INOPSIO_STORE_BACKEND:-$CFG_STORE_BACKEND}"
STORE_ROOT="\${INOPSIO_STORE_ROOT:-$CFG_STORE_ROOT}"
WORK_BASE="\${INOPSIO_WORK_DIR:-$CFG_WORK_DIR}"
METRICS_DIR="\${INOPSIO_METRICS_DIR:-$CFG_METRICS_DIR}"
PUSHGATEWAY_URL="\${INOPSIO_PUSHGATEWAY_URL:-$CFG_PUSHGATEWAY_URL}"
PRIMARY_PREFIX="primary/$CFG_PRIMARY_BUCKET/$CFG_ENV/$CFG_TENANT"
OFFSITE_PREFIX="offsite/$CFG_OFFSITE_BUCKET/$CFG_ENV/$CFG_TENANT"
readonly STORE_TARGET_RE='^(primary|offsite|objects)/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$'

CURRENT_KIND=''
WORK=''
METRICS_ENABLED=1
PENDING_INCOMING=''
PENDING_FINAL=''
PENDING_MANIFEST=''
SCRATCH_DB=''
SNAPSHOT_PID=''
declare -A METRIC_VALUES=()

log() {
  printf '%s inopsio-%s[%s/%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_KIND" "$CFG_ENV" "$CFG_TENANT" "$*" >&2
}

die() {
  local code=$1
  shift
  log "ERROR: $*"
  exit "$code"
}

on_err() {
  log "command failed (exit $1) at line $2: $3"
}

now_epoch() {
  local n=\${INOPSIO_NOW:-}
  if [[ -z $n ]]; then
    date -u +%s
    return 0
  fi
  [[ $n =~ ^[0-9]+$ ]] || die 2 "INOPSIO_NOW must be epoch seconds, got '$n'"
  printf '%s\n' "$n"
}

# elapsed_since <EPOCHREALTIME at start> -> seconds with microseconds
elapsed_since() {
  local start=\${1//[.,]/} end=\${EPOCHREALTIME//[.,]/} d
  d=$((end - start))
  printf '%d.%06d\n' "$((d / 1000000))" "$((d % 1000000))"
}

# ---- metrics: textfile-collector file (written atomically) + optional Pushgateway ----
metrics_file() {
  printf '%s/inopsio_backup_%s_%s_%s.prom\n' "\${METRICS_DIR%/}" "$CFG_ENV" "$CFG_TENANT" "$SCRIPT_KIND"
}

metric_set() { # metric_set <name> <extra label, e.g. kind="dump"> <value>
  METRIC_VALUES["$1{env=\"$CFG_ENV\",tenant=\"$CFG_TENANT\"\${2:+,$2}}"]=$3
}

# Carry over the previous values (e.g. the last success timestamp survives a failed run).
metrics_load() {
  local file line re='^(inopsio_backup_[a-z_]+[{][^}]*[}]) ([0-9.eE+-]+)$'
  file=$(metrics_file)
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ $re ]]; then
      METRIC_VALUES["\${BASH_REMATCH[1]}"]=\${BASH_REMATCH[2]}
    fi
  done <"$file"
}

metrics_write() {
  local file tmp def name type help key
  if [[ $METRICS_ENABLED != 1 ]]; then
    return 0
  fi
  file=$(metrics_file)
  # The collector runs as another user: a directory created here and the file are world-readable.
  if [[ ! -d $METRICS_DIR ]]; then
    mkdir -p -- "$METRICS_DIR"
    chmod 0755 -- "$METRICS_DIR"
  fi
  tmp="\${METRICS_DIR%/}/.\${file##*/}.$$.tmp"
  {
    for def in "\${METRIC_DEFS[@]}"; do
      IFS='|' read -r name type help <<<"$def"
      local keys=()
      for key in "\${!METRIC_VALUES[@]}"; do
        if [[ $key == "$name{"* ]]; then
          keys+=("$key")
        fi
      done
      if ((\${#keys[@]} == 0)); then
        continue
      fi
      printf '# HELP %s %s\n# TYPE %s %s\n' "$name" "$help" "$name" "$type"
      while IFS= read -r key; do
        printf '%s %s\n' "$key" "\${METRIC_VALUES[$key]}"
      done < <(printf '%s\n' "\${keys[@]}" | LC_ALL=C sort)
    done
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f -- "$tmp" "$file"
}

metrics_push() {
  local file url
  if [[ $METRICS_ENABLED != 1 || -z $PUSHGATEWAY_URL ]]; then
    return 0
  fi
  if ! command -v curl >/dev/null 2>&1; then
    log "WARNING: INOPSIO_PUSHGATEWAY_URL is set but curl is not installed; metrics not pushed"
    return 0
  fi
  file=$(metrics_file)
  url="\${PUSHGATEWAY_URL%/}/metrics/job/inopsio_backup/env/$CFG_ENV/tenant/$CFG_TENANT/script/$SCRIPT_KIND"
  # POST replaces only the metric names present in the body: a failed run does not erase
  # the last success timestamp held by the Pushgateway.
  if ! curl -fsS --max-time 15 -X POST --data-binary "@$file" "$url" >/dev/null; then
    log "WARNING: pushing metrics to $url failed"
  fi
}

record_success() { # record_success <kind> <EPOCHREALTIME at start> [size bytes]
  local kind=$1 started=$2 size=\${3:-} now
  now=$(now_epoch)
  metric_set inopsio_backup_last_success_timestamp_seconds "kind=\"$kind\"" "$now"
  metric_set inopsio_backup_last_run_success "kind=\"$kind\"" 1
  metric_set inopsio_backup_duration_seconds "kind=\"$kind\"" "$(elapsed_since "$started")"
  if [[ -n $size ]]; then
    metric_set inopsio_backup_size_bytes "kind=\"$kind\"" "$size"
  fi
  metrics_write
}

record_failure() { # record_failure <kind>
  local now
  now=$(now_epoch 2>/dev/null) || now=$(date -u +%s)
  metric_set inopsio_backup_last_failure_timestamp_seconds "kind=\"$1\"" "$now"
  metric_set inopsio_backup_last_run_success "kind=\"$1\"" 0
}

psql_maint() { # psql_maint <sql> (maintenance database; CREATE/DROP DATABASE)
  psql -X -w -q -v ON_ERROR_STOP=1 -d "$CFG_MAINTENANCE_DB" -c "$1"
}

on_exit() {
  local rc=$?
  set +e
  trap - ERR
  if [[ -n $SNAPSHOT_PID ]]; then
    kill "$SNAPSHOT_PID" 2>/dev/null
    wait "$SNAPSHOT_PID" 2>/dev/null
  fi
  if [[ -n $SCRATCH_DB ]]; then
    log "F10: dropping scratch database $SCRATCH_DB"
    psql_maint "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)" || log "WARNING: could not drop scratch database $SCRATCH_DB"
  fi
  # F6: whatever was uploaded without a manifest is removed again (manifest first).
  local target
  for target in "$PENDING_MANIFEST" "$PENDING_FINAL" "$PENDING_INCOMING"; do
    if [[ -n $target ]]; then
      log "removing unpublished object $target"
      (store_remove "$target") || log "WARNING: could not remove $target"
    fi
  done
  if ((rc != 0)) && [[ -n $CURRENT_KIND ]]; then
    record_failure "$CURRENT_KIND"
  fi
  metrics_write || log "WARNING: could not write the metrics file"
  metrics_push
  if [[ -n $WORK && -d $WORK ]]; then
    rm -rf -- "$WORK"
  fi
  if ((rc == 0)); then
    log "done"
  else
    log "FAILED with exit code $rc"
  fi
  exit "$rc"
}

init_runtime() {
  [[ $CFG_ENV =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && $CFG_TENANT =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] ||
    die 2 "env/tenant must be DNS labels"
  case $STORE_BACKEND in
    mc | dir) ;;
    *) die 2 "unknown store backend '$STORE_BACKEND' (expected mc or dir)" ;;
  esac
  if [[ $STORE_BACKEND == dir && $STORE_ROOT != /* ]]; then
    die 2 "INOPSIO_STORE_ROOT must be an absolute path, got '$STORE_ROOT'"
  fi
  mkdir -p -- "$WORK_BASE"
  WORK=$(mktemp -d "\${WORK_BASE%/}/inopsio-$SCRIPT_KIND.XXXXXX")
  metrics_load
}

# F9: credentials come from mounted files, read at run time; never from env literals.
load_pg_credentials() {
  if [[ -n \${PGPASSWORD:-} ]]; then
    log "WARNING: ignoring PGPASSWORD from the environment (F9: credentials are read from files only)"
    unset PGPASSWORD
  fi
  if [[ ! -f $PG_PASS_SOURCE || ! -r $PG_PASS_SOURCE ]]; then
    die 2 "F9: PostgreSQL credentials file '$PG_PASS_SOURCE' is missing or unreadable"
  fi
  # libpq ignores a pgpass file readable by group/others: use a private copy.
  install -m 0600 /dev/null "$WORK/pgpass"
  cat -- "$PG_PASS_SOURCE" >"$WORK/pgpass"
  export PGPASSFILE="$WORK/pgpass"
}

read_key_file() { # read_key_file <path> <what> -> the key on stdout
  local key
  if [[ ! -f $1 || ! -r $1 ]]; then
    die 2 "F9: $2 file '$1' is missing or unreadable"
  fi
  key=$(<"$1")
  key=\${key//[$'\t\r\n ']/}
  [[ -n $key ]] || die 2 "F9: $2 file '$1' is empty"
  [[ $key != *[@]* ]] || die 2 "F9: $2 in '$1' contains '@', which MC_HOST_<alias> cannot carry"
  printf '%s' "$key"
}

mc_host_url() { # mc_host_url <endpoint> <access key file> <secret key file>
  local ak sk
  ak=$(read_key_file "$2" "access key")
  sk=$(read_key_file "$3" "secret key")
  printf '%s://%s:%s@%s' "\${1%%://*}" "$ak" "$sk" "\${1#*://}"
}

store_init() { # store_init <alias>... (mc backend: credentials through MC_HOST_<alias>, never argv)
  local alias
  if [[ $STORE_BACKEND != mc ]]; then
    return 0
  fi
  export MC_CONFIG_DIR="$WORK/mc"
  mkdir -p -- "$MC_CONFIG_DIR"
  for alias in "$@"; do
    case $alias in
      primary)
        MC_HOST_primary=$(mc_host_url "$CFG_PRIMARY_ENDPOINT" "$CFG_PRIMARY_ACCESS_KEY_FILE" "$CFG_PRIMARY_SECRET_KEY_FILE")
        export MC_HOST_primary
        ;;
      offsite)
        MC_HOST_offsite=$(mc_host_url "$CFG_OFFSITE_ENDPOINT" "$CFG_OFFSITE_ACCESS_KEY_FILE" "$CFG_OFFSITE_SECRET_KEY_FILE")
        export MC_HOST_offsite
        ;;
      objects)
        MC_HOST_objects=$(mc_host_url "$CFG_OBJECTS_ENDPOINT" "$CFG_OBJECTS_ACCESS_KEY_FILE" "$CFG_OBJECTS_SECRET_KEY_FILE")
        export MC_HOST_objects
        ;;
      *) die 2 "unknown store alias '$alias'" ;;
    esac
  done
}
`;
}

/** The object-store interface with its `mc` and `dir` backends. */
function storeLib(): string {
  return sh`
# ---- object-store interface ----
# Targets are "<alias>/<bucket>/<key>" (alias: primary | offsite), as mc addresses them.
#   store_put <local-file> <target>     upload (dir backend: atomic rename)
#   store_stat <target>                 print the object size in bytes
#   store_cat <target>                  stream the object to stdout
#   store_list <prefix>                 print "<size> <key relative to prefix>" per object, sorted by key
#   store_move <from> <to>              move an object
#   store_remove <target>               delete exactly one object
#   store_mirror <src-prefix> <dst-prefix>  copy objects missing in dst; never deletes, never overwrites
#   store_sync <src-prefix> <dst-prefix>    copy objects missing or changed in dst; never deletes (tenant objects)
# Backend "mc": the MinIO client. Backend "dir": $INOPSIO_STORE_ROOT/<alias>/<bucket>/<key>.
# Aliases: primary, offsite and (backup.sh only) objects, the tenant's own object storage.
store__check() {
  local target=$1
  [[ $target =~ $STORE_TARGET_RE ]] || die 4 "refusing store target '$target': not <alias>/<bucket>/<key>"
  case "/$target/" in
    */../* | */./* | *//*) die 4 "refusing store target '$target': '.', '..' or empty path segment" ;;
  esac
}

store__path() {
  store__check "$1"
  printf '%s/%s\n' "\${STORE_ROOT%/}" "$1"
}

store_put() {
  local src=$1 target=$2 dst tmp
  store__check "$target"
  case $STORE_BACKEND in
    mc) mc cp --quiet "$src" "$target" >/dev/null ;;
    dir)
      dst=$(store__path "$target")
      mkdir -p -- "\${dst%/*}"
      tmp="\${dst%/*}/.\${dst##*/}.inflight.$$"
      cp -- "$src" "$tmp"
      mv -f -- "$tmp" "$dst"
      ;;
  esac
}

store_stat() {
  local target=$1 out re='"size":([0-9]+)'
  store__check "$target"
  case $STORE_BACKEND in
    mc)
      out=$(mc stat --json "$target")
      [[ $out =~ $re ]] || die 1 "cannot read the size of $target from mc stat"
      printf '%s\n' "\${BASH_REMATCH[1]}"
      ;;
    dir) stat -c %s -- "$(store__path "$target")" ;;
  esac
}

store_cat() {
  local target=$1
  store__check "$target"
  case $STORE_BACKEND in
    mc) mc cat "$target" ;;
    dir) cat -- "$(store__path "$target")" ;;
  esac
}

store__mc_parse() { # stdin: mc ls --json lines -> "<size> <key>"
  local line key re_file='"type":"file"' re_key='"key":"([^"]*)"' re_size='"size":([0-9]+)'
  while IFS= read -r line; do
    [[ $line =~ $re_file ]] || continue
    [[ $line =~ $re_key ]] || die 1 "cannot parse mc ls output: $line"
    key=\${BASH_REMATCH[1]}
    [[ $line =~ $re_size ]] || die 1 "cannot parse mc ls output: $line"
    printf '%s %s\n' "\${BASH_REMATCH[1]}" "$key"
  done
}

store_list() {
  local prefix=\${1%/} dir listing
  store__check "$prefix"
  case $STORE_BACKEND in
    mc)
      # Process substitution hides mc's exit status from pipefail: capture, then check.
      listing=$(mc ls --recursive --json "$prefix/")
      if [[ -n $listing ]]; then
        store__mc_parse <<<"$listing" | LC_ALL=C sort -k2,2
      fi
      ;;
    dir)
      dir=$(store__path "$prefix")
      if [[ -d $dir ]]; then
        find "$dir" -type f ! -name '.*.inflight.*' -printf '%s %P\n' | LC_ALL=C sort -k2,2
      fi
      ;;
  esac
}

store_move() {
  store__check "$1"
  store__check "$2"
  case $STORE_BACKEND in
    mc) mc mv --quiet "$1" "$2" >/dev/null ;;
    dir)
      local from to
      from=$(store__path "$1")
      to=$(store__path "$2")
      mkdir -p -- "\${to%/*}"
      mv -f -- "$from" "$to"
      ;;
  esac
}

store_remove() {
  store__check "$1"
  case $STORE_BACKEND in
    mc) mc rm --quiet "$1" >/dev/null ;;
    dir) rm -f -- "$(store__path "$1")" ;;
  esac
}

store_mirror() {
  local src=\${1%/} dst=\${2%/} size key
  store__check "$src"
  store__check "$dst"
  case $STORE_BACKEND in
    # F7: plain mirror. No delete flag (offsite keeps more history than the source) and no
    # overwrite flag (an existing offsite object is never replaced); the caller compares
    # listings afterwards instead of trusting the exit code.
    mc) mc mirror --quiet "$src/" "$dst/" >/dev/null ;;
    dir)
      while read -r size key; do
        [[ -n $key ]] || continue
        if [[ ! -e $(store__path "$dst/$key") ]]; then
          store_put "$(store__path "$src/$key")" "$dst/$key"
        fi
      done <<<"$(store_list "$src")"
      ;;
  esac
}

store_sync() {
  local src=\${1%/} dst=\${2%/} size key
  store__check "$src"
  store__check "$dst"
  case $STORE_BACKEND in
    # Tenant objects change in place: --overwrite copies a changed object again (the offsite bucket is versioned,
    # so the older content stays there as a noncurrent version). No delete flag: what the tenant deleted stays.
    mc) mc mirror --quiet --overwrite "$src/" "$dst/" >/dev/null ;;
    dir)
      while read -r size key; do
        [[ -n $key ]] || continue
        if ! cmp -s -- "$(store__path "$src/$key")" "$(store__path "$dst/$key")"; then
          store_put "$(store__path "$src/$key")" "$dst/$key"
        fi
      done <<<"$(store_list "$src")"
      ;;
  esac
}
`;
}

/** Manifest reader, remote verification, prefix guard, pruner. */
function manifestLib(): string {
  return sh`
# ---- manifests (format: see BACKUP_MANIFEST_FORMAT in backup-scripts.ts) ----
declare -A MF=()
MF_ROWS=()
MAN_NAMES=()
MAN_TS=()
MAN_SIZES=()

manifest_invalid() {
  die 4 "untrusted manifest for '$1': $2 (fail closed: nothing is deleted or restored)"
}

manifest_parse() { # manifest_parse <file> <expected name> -> MF[], MF_ROWS[]
  local file=$1 expect=$2 line key value
  local name_re="^$CFG_TENANT-[0-9]{8}T[0-9]{6}Z$" sha_re='^[0-9a-f]{64}$' int_re='^[0-9]+$' row_re='^[0-9]+ .+$'
  MF=()
  MF_ROWS=()
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ -z $line || $line == '#'* ]]; then
      continue
    fi
    [[ $line == *=* ]] || manifest_invalid "$expect" "malformed line '$line'"
    key=\${line%%=*}
    value=\${line#*=}
    if [[ $key == rows ]]; then
      [[ $value =~ $row_re ]] || manifest_invalid "$expect" "malformed rows line '$value'"
      MF_ROWS+=("$value")
    else
      MF[$key]=$value
    fi
  done <"$file"
  [[ \${MF[format]:-} == "$MANIFEST_FORMAT" ]] || manifest_invalid "$expect" "format is not $MANIFEST_FORMAT"
  [[ $expect =~ $name_re ]] || manifest_invalid "$expect" "object name is not <tenant>-<YYYYMMDDTHHMMSSZ>"
  [[ \${MF[name]:-} == "$expect" ]] || manifest_invalid "$expect" "name '\${MF[name]:-}' does not match its object name"
  [[ \${MF[env]:-} == "$CFG_ENV" && \${MF[tenant]:-} == "$CFG_TENANT" ]] || manifest_invalid "$expect" "belongs to another env/tenant"
  [[ \${MF[dump]:-} == "dumps/$expect.dump" ]] ||
    manifest_invalid "$expect" "dump path '\${MF[dump]:-}' is not dumps/$expect.dump (outside the tenant prefix?)"
  [[ \${MF[sha256]:-} =~ $sha_re ]] || manifest_invalid "$expect" "bad sha256"
  [[ \${MF[size]:-} =~ $int_re && \${MF[size]} -gt 0 ]] || manifest_invalid "$expect" "bad size"
  [[ \${MF[timestamp]:-} =~ $int_re ]] || manifest_invalid "$expect" "bad timestamp"
  [[ \${MF[verified]:-} == true ]] || manifest_invalid "$expect" "not verified"
}

# collect_manifests <prefix> -> MAN_NAMES[] MAN_TS[] MAN_SIZES[], newest first.
# Only manifests are trusted: dumps or other objects without a manifest are ignored.
collect_manifests() {
  local prefix=$1 listing size key name entry
  local entries=()
  MAN_NAMES=()
  MAN_TS=()
  MAN_SIZES=()
  listing=$(store_list "$prefix/manifests")
  while read -r size key; do
    [[ -n $key ]] || continue
    if [[ $key != *.manifest || $key == */* ]]; then
      log "ignoring $prefix/manifests/$key (not a manifest)"
      continue
    fi
    name=\${key%.manifest}
    store_cat "$prefix/manifests/$key" >"$WORK/manifest.check" </dev/null
    manifest_parse "$WORK/manifest.check" "$name"
    entries+=("\${MF[timestamp]} $name \${MF[size]}")
  done <<<"$listing"
  if ((\${#entries[@]} == 0)); then
    return 0
  fi
  while read -r entry name size; do
    MAN_TS+=("$entry")
    MAN_NAMES+=("$name")
    MAN_SIZES+=("$size")
  done < <(printf '%s\n' "\${entries[@]}" | LC_ALL=C sort -k1,1nr -k2,2r)
}

# verify_remote <target> <size> <sha256>: F6 re-read of the uploaded object.
verify_remote() {
  local target=$1 size=$2 sha=$3 remote_size remote_sha
  remote_size=$(store_stat "$target")
  [[ $remote_size == "$size" ]] || die 4 "F6: $target has $remote_size bytes, expected $size"
  remote_sha=$(store_cat "$target" | sha256sum | cut -d' ' -f1)
  [[ $remote_sha == "$sha" ]] || die 4 "F6: sha256 of $target is $remote_sha, expected $sha"
}

# assert_in_prefix <tenant prefix> <target>: F8 guard before any deletion.
assert_in_prefix() {
  local prefix=$1 target=$2 rest re='^(dumps|manifests|incoming)/[A-Za-z0-9._-]+$'
  if [[ $prefix != "$PRIMARY_PREFIX" && $prefix != "$OFFSITE_PREFIX" ]]; then
    die 4 "F8: refusing: '$prefix' is not this tenant's prefix"
  fi
  [[ $target == "$prefix/"* ]] || die 4 "F8: refusing to delete '$target': outside the tenant prefix '$prefix/'"
  rest=\${target#"$prefix/"}
  [[ $rest =~ $re ]] || die 4 "F8: refusing to delete '$target': not <prefix>/{dumps,manifests,incoming}/<file>"
  case "/$rest/" in
    */../* | */./*) die 4 "F8: refusing to delete '$target': '..' or '.' segment" ;;
  esac
}
`;
}

function pruneLib(): string {
  return sh`
# ---- F8: pruning (manifest-driven, newest N always kept, refuses when stale, tenant prefix only) ----
DRY_RUN=0
case \${INOPSIO_DRY_RUN:-0} in
  1 | true | yes) DRY_RUN=1 ;;
esac
PLAN=()
OFFSITE_DUMPS=''
OFFSITE_MANIFESTS=''

prune_plan() { # prune_plan <local|offsite> <prefix> <retention days>
  local label=$1 prefix=$2 days=$3 now cutoff age i n name ts kept=0 pruned=0
  now=$(now_epoch)
  cutoff=$((now - days * 86400))
  collect_manifests "$prefix"
  n=\${#MAN_NAMES[@]}
  if ((n == 0)); then
    die 3 "REFUSING to prune the $label store: no verified backup is listed in $prefix/manifests/"
  fi
  metric_set inopsio_backup_newest_verified_timestamp_seconds "store=\"$label\"" "\${MAN_TS[0]}"
  age=$((now - MAN_TS[0]))
  if ((age > CFG_STALENESS_SECONDS)); then
    die 3 "REFUSING to prune the $label store: newest verified backup \${MAN_NAMES[0]} is \${age}s old, over the staleness threshold of \${CFG_STALENESS_SECONDS}s"
  fi
  for ((i = 0; i < n; i++)); do
    name=\${MAN_NAMES[i]}
    ts=\${MAN_TS[i]}
    if ((i < CFG_KEEP_LATEST || ts >= cutoff)); then
      kept=$((kept + 1))
      continue
    fi
    # Never drop the local copy of a backup that is not (yet) offsite.
    if [[ $label == local ]] &&
      { [[ $'\n'$OFFSITE_DUMPS$'\n' != *$'\n'"\${MAN_SIZES[i]} $name.dump"$'\n'* ]] ||
        [[ $'\n'$OFFSITE_MANIFESTS$'\n' != *" $name.manifest"$'\n'* ]]; }; then
      log "WARNING: keeping $name in the local store: it is not listed offsite"
      kept=$((kept + 1))
      continue
    fi
    # Manifest first: once it is gone, nobody trusts the dump any more.
    PLAN+=("$prefix" "$prefix/manifests/$name.manifest" "$prefix" "$prefix/dumps/$name.dump")
    pruned=$((pruned + 1))
  done
  metric_set inopsio_backup_retained_backups "store=\"$label\"" "$kept"
  metric_set inopsio_backup_pruned_backups "store=\"$label\"" "$pruned"
  log "$label store: $n verified backups, keeping $kept, pruning $pruned (retention \${days}d, keep newest $CFG_KEEP_LATEST)"
}

prune_execute() {
  local i prefix target
  for ((i = 0; i < \${#PLAN[@]}; i += 2)); do
    prefix=\${PLAN[i]}
    target=\${PLAN[i + 1]}
    assert_in_prefix "$prefix" "$target"
    if [[ $DRY_RUN == 1 ]]; then
      printf 'would delete: %s\n' "$target"
    else
      store_remove "$target"
      printf 'deleted: %s\n' "$target"
    fi
  done
}

prune_all() {
  local started=$EPOCHREALTIME
  CURRENT_KIND=prune
  if [[ $DRY_RUN == 1 ]]; then
    METRICS_ENABLED=0
    log "DRY-RUN: printing what would be deleted; nothing is deleted"
  fi
  PLAN=()
  OFFSITE_DUMPS=$(store_list "$OFFSITE_PREFIX/dumps")
  OFFSITE_MANIFESTS=$(store_list "$OFFSITE_PREFIX/manifests")
  # Plan both stores before deleting anything: a refusal in either store deletes nothing.
  prune_plan local "$PRIMARY_PREFIX" "$CFG_LOCAL_RETENTION_DAYS"
  prune_plan offsite "$OFFSITE_PREFIX" "$CFG_OFFSITE_RETENTION_DAYS"
  prune_execute
  record_success prune "$started"
}
`;
}

/** Renders the object-store interface (bash functions) embedded in every script. */
export function renderObjectStoreLib(opts: BackupScriptOptions): string {
  resolve(opts);
  return storeLib();
}

function traps(): string {
  return sh`
trap 'on_err "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
`;
}

function assemble(kind: ScriptKind, title: string, r: Resolved, body: string): string {
  const prune = kind === 'drill' ? '' : pruneLib();
  return [header(title, r), configBlock(kind, r), commonLib(), storeLib(), manifestLib(), prune, body, traps(), 'main "$@"\n'].join('');
}

/**
 * Renders `backup.sh`: snapshot + exact row counts, `pg_dump -Fc`, full-read
 * verification, sha256, atomic publish with the manifest last, offsite mirror
 * with listing comparison, then (by default) pruning.
 */
export function renderBackupScript(opts: BackupScriptOptions): string {
  const r = resolve(opts);
  const body = sh`
# ---- backup ----
readonly SNAPSHOT_TIMEOUT=3600
SNAPSHOT_ID=''
SNAP_IN=''
SNAP_OUT=''

# Open a REPEATABLE READ session, export its snapshot for pg_dump and record the exact
# row counts inside the very same snapshot (so the drill can compare them exactly).
snapshot_begin() {
  local line finished=0
  coproc SNAP { exec psql -X -w -q -A -t -v ON_ERROR_STOP=1 -d "$CFG_DATABASE" 2>"$WORK/snapshot.err"; }
  SNAPSHOT_PID=$SNAP_PID
  SNAP_IN=\${SNAP[1]}
  SNAP_OUT=\${SNAP[0]}
  printf '%s\n' 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;' 'SELECT pg_export_snapshot();' >&"$SNAP_IN"
  if ! IFS= read -r -t "$SNAPSHOT_TIMEOUT" SNAPSHOT_ID <&"$SNAP_OUT"; then
    die 1 "F2: cannot open a snapshot on database '$CFG_DATABASE': $(tail -n 5 "$WORK/snapshot.err")"
  fi
  [[ $SNAPSHOT_ID =~ ^[0-9A-Fa-f-]+$ ]] || die 1 "F2: unexpected snapshot id '$SNAPSHOT_ID'"
  printf '%s\n' "$ROWCOUNT_SQL" "SELECT '__inopsio_rows_end__';" >&"$SNAP_IN"
  : >"$WORK/rows.raw"
  while IFS= read -r -t "$SNAPSHOT_TIMEOUT" line <&"$SNAP_OUT"; do
    if [[ $line == __inopsio_rows_end__ ]]; then
      finished=1
      break
    fi
    [[ $line =~ ^[0-9]+\ .+$ ]] || die 1 "unexpected row-count line '$line'"
    printf '%s\n' "$line" >>"$WORK/rows.raw"
  done
  if ((finished != 1)); then
    die 1 "could not count rows: $(tail -n 5 "$WORK/snapshot.err")"
  fi
  LC_ALL=C sort -k2 "$WORK/rows.raw" >"$WORK/rows"
}

snapshot_end() {
  printf '%s\n' 'COMMIT;' '\q' >&"$SNAP_IN"
  if ! wait "$SNAPSHOT_PID"; then
    die 1 "snapshot session failed: $(tail -n 5 "$WORK/snapshot.err")"
  fi
  SNAPSHOT_PID=''
}

offsite_copy() { # offsite_copy <name> <size> <sha256>
  local name=$1 size=$2 sha=$3 sub src_list dst_list missing
  local subs=(dumps manifests)
  if [[ $CFG_OBJECTS_ENABLED == 1 ]]; then
    subs+=(objects objects-manifests)
  fi
  for sub in "\${subs[@]}"; do
    if [[ $sub == objects ]]; then
      store_sync "$PRIMARY_PREFIX/$sub" "$OFFSITE_PREFIX/$sub"
    else
      store_mirror "$PRIMARY_PREFIX/$sub" "$OFFSITE_PREFIX/$sub"
    fi
    # F7: compare listings instead of trusting the exit code. Extra offsite objects are fine.
    src_list=$(store_list "$PRIMARY_PREFIX/$sub")
    dst_list=$(store_list "$OFFSITE_PREFIX/$sub")
    missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort <<<"$src_list") <(LC_ALL=C sort <<<"$dst_list"))
    if [[ -n $missing ]]; then
      die 4 "F7: offsite listing of $sub/ lacks (or differs on) these objects after the mirror: $(tr '\n' ' ' <<<"$missing")"
    fi
  done
  verify_remote "$OFFSITE_PREFIX/dumps/$name.dump" "$size" "$sha"
  log "F7: offsite copy verified (listings match, sha256 of $name.dump re-read)"
}

# The tenant's object storage: mirrored into the backup (objects/), checked by listing, and listed with the sha256 of
# every backed-up object (objects-manifests/<name>.objects), which the restore drill checks a restored object against.
OBJECTS_PREFIX="objects/$CFG_OBJECTS_BUCKET/$CFG_ENV/$CFG_TENANT"
OBJECTS_BYTES=0
objects_copy() { # objects_copy <name>
  local name=$1 src_list dst_list missing listing size key sha count=0
  store_sync "$OBJECTS_PREFIX" "$PRIMARY_PREFIX/objects"
  src_list=$(store_list "$OBJECTS_PREFIX")
  dst_list=$(store_list "$PRIMARY_PREFIX/objects")
  missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort <<<"$src_list") <(LC_ALL=C sort <<<"$dst_list"))
  if [[ -n $missing ]]; then
    die 4 "objects: the backup copy lacks (or differs on) these objects after the mirror: $(tr '\n' ' ' <<<"$missing")"
  fi
  listing="$WORK/$name.objects"
  : >"$listing"
  while read -r size key; do
    [[ -n $key ]] || continue
    sha=$(store_cat "$PRIMARY_PREFIX/objects/$key" | sha256sum | cut -d' ' -f1)
    printf '%s %s %s\n' "$sha" "$size" "$key" >>"$listing"
    OBJECTS_BYTES=$((OBJECTS_BYTES + size))
    count=$((count + 1))
  done <<<"$src_list"
  store_put "$listing" "$PRIMARY_PREFIX/objects-manifests/$name.objects"
  log "objects: $count objects ($OBJECTS_BYTES bytes) of $OBJECTS_PREFIX are in the backup, listed in objects-manifests/$name.objects"
}

main() {
  if (($# != 0)); then
    die 2 "usage: bash backup.sh (no arguments)"
  fi
  local started offsite_started objects_started now stamp name partial size sha manifest existing
  started=$EPOCHREALTIME
  CURRENT_KIND=dump
  init_runtime
  if [[ $CFG_OBJECTS_ENABLED == 1 ]]; then
    store_init primary offsite objects
  else
    store_init primary offsite
  fi
  load_pg_credentials

  now=$(now_epoch)
  stamp=$(date -u -d "@$now" +%Y%m%dT%H%M%SZ)
  name="$CFG_TENANT-$stamp"
  existing=$(store_list "$PRIMARY_PREFIX/manifests")
  if [[ $'\n'$existing$'\n' == *" $name.manifest"$'\n'* ]]; then
    die 4 "backup $name already exists; refusing to overwrite it"
  fi

  # F2/F3/F5: custom-format dump into a .partial file; a pg_dump failure aborts before any upload.
  partial="$WORK/$name.dump.partial"
  snapshot_begin
  log "F5: pg_dump -Fc of database '$CFG_DATABASE' (snapshot $SNAPSHOT_ID)"
  if ! pg_dump -w -Fc --snapshot="$SNAPSHOT_ID" -d "$CFG_DATABASE" -f "$partial"; then
    die 1 "F3: pg_dump failed; nothing was uploaded"
  fi
  snapshot_end

  # F4: full read of every archive member; a table-of-contents-only check passes on truncated dumps.
  log "F4: verifying the dump with a full read (pg_restore -f /dev/null)"
  if ! pg_restore -f /dev/null "$partial"; then
    die 4 "F4: pg_restore could not read the whole dump (truncated or corrupt); nothing was uploaded"
  fi
  size=$(stat -c %s -- "$partial")
  sha=$(sha256sum -- "$partial" | cut -d' ' -f1)
  log "dump $name: $size bytes, sha256 $sha"

  # F6: upload to incoming/, verify the remote copy, move into place, manifest LAST.
  PENDING_INCOMING="$PRIMARY_PREFIX/incoming/$name.dump"
  store_put "$partial" "$PENDING_INCOMING"
  verify_remote "$PENDING_INCOMING" "$size" "$sha"
  PENDING_FINAL="$PRIMARY_PREFIX/dumps/$name.dump"
  store_move "$PENDING_INCOMING" "$PENDING_FINAL"
  PENDING_INCOMING=''
  verify_remote "$PENDING_FINAL" "$size" "$sha"

  manifest="$WORK/$name.manifest"
  {
    printf 'format=%s\n' "$MANIFEST_FORMAT"
    printf 'name=%s\n' "$name"
    printf 'env=%s\ntenant=%s\ndatabase=%s\n' "$CFG_ENV" "$CFG_TENANT" "$CFG_DATABASE"
    printf 'dump=dumps/%s.dump\n' "$name"
    printf 'sha256=%s\nsize=%s\n' "$sha" "$size"
    printf 'timestamp=%s\ncreated=%s\n' "$now" "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)"
    printf 'pg_dump_version=%s\n' "$(pg_dump --version)"
    printf 'verified=true\n'
    sed 's/^/rows=/' "$WORK/rows"
  } >"$manifest"
  PENDING_MANIFEST="$PRIMARY_PREFIX/manifests/$name.manifest"
  store_put "$manifest" "$PENDING_MANIFEST"
  verify_remote "$PENDING_MANIFEST" "$(stat -c %s -- "$manifest")" "$(sha256sum -- "$manifest" | cut -d' ' -f1)"
  PENDING_MANIFEST=''
  PENDING_FINAL=''
  log "F6: published $PRIMARY_PREFIX/dumps/$name.dump (manifest written last)"
  if [[ $CFG_OBJECTS_ENABLED == 1 ]]; then
    # Part of the daily backup: a failed object copy fails the run (the dump alerts fire) before anything goes offsite.
    objects_started=$EPOCHREALTIME
    objects_copy "$name"
    record_success objects "$objects_started" "$OBJECTS_BYTES"
  fi
  record_success dump "$started" "$size"

  CURRENT_KIND=offsite
  offsite_started=$EPOCHREALTIME
  offsite_copy "$name" "$size" "$sha"
  record_success offsite "$offsite_started" "$size"

  if [[ $CFG_PRUNE_AFTER_BACKUP == 1 ]]; then
    # F8: pruning only after the dump and the offsite copy were verified.
    prune_all
  fi
}
`;
  return assemble('backup', 'inopsio tenant PostgreSQL backup: pg_dump -> verify -> publish -> offsite mirror -> prune', r, body);
}

/** Renders `prune.sh [--dry-run]` (F8). */
export function renderPruneScript(opts: BackupScriptOptions): string {
  const r = resolve(opts);
  const body = sh`
# ---- prune ----
main() {
  local arg
  for arg in "$@"; do
    case $arg in
      --dry-run) DRY_RUN=1 ;;
      *) die 2 "usage: bash prune.sh [--dry-run]" ;;
    esac
  done
  CURRENT_KIND=prune
  init_runtime
  store_init primary offsite
  prune_all
}
`;
  return assemble('prune', 'inopsio tenant backup pruning (manifest-driven, tenant prefix only)', r, body);
}

/** Renders `restore-drill.sh` (F10). */
export function renderRestoreDrillScript(opts: BackupScriptOptions): string {
  const r = resolve(opts);
  const body = sh`
# ---- restore drill ----
# Restore one object of the latest object listing (a different one each day) from the backup copy and check its
# size and sha256 against the listing written at backup time.
drill_objects() {
  local listing latest count pick sha size key actual_sha actual_size
  listing=$(store_list "$PRIMARY_PREFIX/objects-manifests")
  latest=$(awk 'END { print $2 }' <<<"$listing")
  [[ -n $latest ]] || die 3 "F10: no object listing in $PRIMARY_PREFIX/objects-manifests/"
  store_cat "$PRIMARY_PREFIX/objects-manifests/$latest" >"$WORK/objects.list"
  count=$(grep -c . "$WORK/objects.list" || true)
  if ((count == 0)); then
    log "F10: the tenant had no objects at the last backup ($latest): nothing to restore"
    metric_set inopsio_backup_drill_objects_verified '' 0
    return 0
  fi
  pick=$(( ($(now_epoch) / 86400) % count + 1 ))
  read -r sha size key < <(sed -n "\${pick}p" "$WORK/objects.list")
  mkdir -p -- "$WORK/restore"
  store_cat "$PRIMARY_PREFIX/objects/$key" >"$WORK/restore/object"
  actual_size=$(stat -c %s -- "$WORK/restore/object")
  actual_sha=$(sha256sum -- "$WORK/restore/object" | cut -d' ' -f1)
  [[ $actual_size == "$size" && $actual_sha == "$sha" ]] ||
    die 4 "F10: restored object $key does not match $latest (size $actual_size/$size, sha256 $actual_sha/$sha)"
  log "F10: restored object $key ($size bytes) from the backup; sha256 matches $latest"
  metric_set inopsio_backup_drill_objects_verified '' 1
}

main() {
  if (($# != 0)); then
    die 2 "usage: bash restore-drill.sh (no arguments)"
  fi
  local started now name dump sha size tables rows_total record
  started=$EPOCHREALTIME
  CURRENT_KIND=drill
  init_runtime
  store_init primary
  load_pg_credentials

  collect_manifests "$PRIMARY_PREFIX"
  if ((\${#MAN_NAMES[@]} == 0)); then
    die 3 "F10: no verified backup is listed in $PRIMARY_PREFIX/manifests/"
  fi
  name=\${MAN_NAMES[0]}
  store_cat "$PRIMARY_PREFIX/manifests/$name.manifest" >"$WORK/drill.manifest"
  manifest_parse "$WORK/drill.manifest" "$name"
  log "F10: restoring the latest verified backup $name"
  dump="$WORK/$name.dump"
  store_cat "$PRIMARY_PREFIX/\${MF[dump]}" >"$dump"
  size=$(stat -c %s -- "$dump")
  sha=$(sha256sum -- "$dump" | cut -d' ' -f1)
  [[ $size == "\${MF[size]}" && $sha == "\${MF[sha256]}" ]] ||
    die 4 "F10: $name.dump does not match its manifest (size $size/\${MF[size]}, sha256 $sha/\${MF[sha256]})"

  now=$(now_epoch)
  SCRATCH_DB="\${CFG_DRILL_DB_PREFIX}_\${now}_$$"
  log "F10: creating scratch database $SCRATCH_DB"
  psql_maint "CREATE DATABASE \"$SCRATCH_DB\" TEMPLATE template0"
  if ! pg_restore -w --no-owner --no-privileges --single-transaction --exit-on-error -d "$SCRATCH_DB" "$dump"; then
    die 4 "F10: pg_restore into $SCRATCH_DB failed"
  fi

  if ((\${#MF_ROWS[@]} > 0)); then
    printf '%s\n' "\${MF_ROWS[@]}" | LC_ALL=C sort -k2 >"$WORK/rows.expected"
  else
    : >"$WORK/rows.expected"
  fi
  psql -X -w -A -t -v ON_ERROR_STOP=1 -d "$SCRATCH_DB" -c "$ROWCOUNT_SQL" | LC_ALL=C sort -k2 >"$WORK/rows.actual"
  if [[ "$(<"$WORK/rows.expected")" != "$(<"$WORK/rows.actual")" ]]; then
    log "F10: row counts differ ('<' recorded at backup time, '>' restored):"
    LC_ALL=C comm -3 <(LC_ALL=C sort "$WORK/rows.expected") <(LC_ALL=C sort "$WORK/rows.actual") |
      sed -e 's/^\t/> /' -e 't' -e 's/^/< /' >&2
    die 4 "F10: restored row counts do not match the manifest of $name"
  fi
  tables=$(wc -l <"$WORK/rows.expected")
  rows_total=0
  while read -r size _; do
    rows_total=$((rows_total + size))
  done <"$WORK/rows.expected"
  log "F10: row counts of $tables tables ($rows_total rows) match"

  psql_maint "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)"
  SCRATCH_DB=''
  if [[ $CFG_OBJECTS_ENABLED == 1 ]]; then
    drill_objects
  fi

  record="$WORK/drill.record"
  printf 'backup=%s\nbackup_timestamp=%s\ndrill_timestamp=%s\ntables=%s\nrows=%s\n' \
    "$name" "\${MF[timestamp]}" "$(now_epoch)" "$tables" "$rows_total" >"$record"
  store_put "$record" "$PRIMARY_PREFIX/drill/last-success.txt"
  metric_set inopsio_backup_drill_tables_verified '' "$tables"
  metric_set inopsio_backup_drill_rows_verified '' "$rows_total"
  metric_set inopsio_backup_drill_restored_backup_timestamp_seconds '' "\${MF[timestamp]}"
  record_success drill "$started" "\${MF[size]}"
}
`;
  return assemble('drill', 'inopsio tenant restore drill: latest verified backup -> scratch database -> row counts', r, body);
}

/** All scripts, keyed by their ConfigMap file name. */
export function renderBackupScripts(opts: BackupScriptOptions): Record<string, string> {
  return {
    [BACKUP_SCRIPT_FILES.BACKUP]: renderBackupScript(opts),
    [BACKUP_SCRIPT_FILES.PRUNE]: renderPruneScript(opts),
    [BACKUP_SCRIPT_FILES.RESTORE_DRILL]: renderRestoreDrillScript(opts),
  };
}

/** jsii-friendly facade over the render functions (free functions are not exported by jsii). */
export class BackupScripts {
  /** Renders `backup.sh`. */
  public static backup(opts: BackupScriptOptions): string {
    return renderBackupScript(opts);
  }
  /** Renders `prune.sh`. */
  public static prune(opts: BackupScriptOptions): string {
    return renderPruneScript(opts);
  }
  /** Renders `restore-drill.sh`. */
  public static restoreDrill(opts: BackupScriptOptions): string {
    return renderRestoreDrillScript(opts);
  }
  /** All scripts keyed by ConfigMap file name. */
  public static all(opts: BackupScriptOptions): Record<string, string> {
    return renderBackupScripts(opts);
  }
  /** Names of the exported metrics. */
  public static metricNames(): string[] {
    return BACKUP_METRICS.map((m) => m.name);
  }
  private constructor() {}
}

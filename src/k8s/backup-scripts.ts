/**
 * Shell scripts run by the per-tenant PostgreSQL backup CronJobs.
 *
 * The scripts are real files in `src/k8s/scripts/`: three entry scripts (`backup.sh`, `prune.sh`,
 * `restore-drill.sh`) and the libraries they source (`lib/*.sh`), shellchecked as files. The build turns them into
 * constants (`scripts/generated.ts`, see `projenrc/backup-scripts.ts`); this module only fills in the two rendered
 * parts of each: the `# env=... tenant=... database=...` line and the options (`readonly CFG_*=...`, shell-quoted).
 * Everything else is shipped as written. Every shipped script is self-contained (its libraries inlined), so a
 * ConfigMap key can be mounted on its own.
 *
 * Pure string rendering (no cdk8s import): BackupSchedule mounts the rendered text from a ConfigMap and runs e.g.
 * `bash /scripts/backup.sh` in an image that has bash, pg_dump/pg_restore/psql, coreutils (sha256sum, stat, date,
 * mktemp, sort, comm), `mc` and, when a Pushgateway is configured, curl.
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
 * The object layout and the manifest format are documented in `scripts/lib/manifest.sh`, the object-store
 * interface in `scripts/lib/store.sh`, runtime overrides and credentials in `scripts/lib/common.sh` (and
 * {@link BACKUP_SCRIPT_ENV}), exit codes in {@link BACKUP_EXIT_CODES}.
 *
 * @module
 */

import { BACKUP_SCRIPT_LIBRARIES, BACKUP_SCRIPT_TEMPLATES } from './scripts/generated';

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
  { name: 'inopsio_backup_drill_restored_backup_timestamp_seconds', type: 'gauge', help: 'Timestamp of the backup restored by the last successful restore drill.', labels: DRILL_LABELS },
].map((m) => Object.freeze(m)));

/** Values of the `kind` label. */
export const BACKUP_METRIC_KINDS: ReadonlyArray<string> = Object.freeze(['dump', 'offsite', 'prune', 'drill']);

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

/** The body of each script: its own text with the libraries it includes inlined, assembled once. */
const BODIES: { readonly [file: string]: string } = Object.fromEntries(Object.entries(BACKUP_SCRIPT_TEMPLATES).map(([file, t]) =>
  [file, t.body.map(segment => segment.include !== undefined ? BACKUP_SCRIPT_LIBRARIES[segment.include] : segment.text!).join('')]));

/** The `#@render config` part: the options as shell-quoted read-only variables, only those the script reads. */
function configBlock(kind: ScriptKind, reads: readonly string[], r: Resolved): string {
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
  // Only what the script reads (keeps the rendered text shellcheck-clean).
  const rendered = lines.filter(([k]) => reads.includes(k));
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

function assemble(kind: ScriptKind, file: string, r: Resolved): string {
  const t = BACKUP_SCRIPT_TEMPLATES[file];
  return `${t.head}# env=${r.env} tenant=${r.tenant} database=${r.database}\n${t.preamble}${configBlock(kind, t.reads, r)}${BODIES[file]}`;
}

/** Renders the object-store interface (bash functions) embedded in every script. */
export function renderObjectStoreLib(opts: BackupScriptOptions): string {
  resolve(opts);
  return BACKUP_SCRIPT_LIBRARIES['lib/store.sh'];
}

/**
 * Renders `backup.sh`: snapshot + exact row counts, `pg_dump -Fc`, full-read
 * verification, sha256, atomic publish with the manifest last, offsite mirror
 * with listing comparison, then (by default) pruning.
 */
export function renderBackupScript(opts: BackupScriptOptions): string {
  return assemble('backup', BACKUP_SCRIPT_FILES.BACKUP, resolve(opts));
}

/** Renders `prune.sh [--dry-run]` (F8). */
export function renderPruneScript(opts: BackupScriptOptions): string {
  return assemble('prune', BACKUP_SCRIPT_FILES.PRUNE, resolve(opts));
}

/** Renders `restore-drill.sh` (F10). */
export function renderRestoreDrillScript(opts: BackupScriptOptions): string {
  return assemble('drill', BACKUP_SCRIPT_FILES.RESTORE_DRILL, resolve(opts));
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

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
import { BackupScriptConfig, BackupScriptKind, BackupScriptOptions } from '../model/backup-script-options';

// The options and their rules live in the model (one owner: src/model/backup-script-options.ts).
export { ObjectStoreBackend } from '../model/backup-script-options';

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

/** POSIX single-quoting for bash. */
function shq(value: string): string {
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

/** The body of each script: its own text with the libraries it includes inlined, assembled once. */
const BODIES: { readonly [file: string]: string } = Object.fromEntries(Object.entries(BACKUP_SCRIPT_TEMPLATES).map(([file, t]) =>
  [file, t.body.map(segment => segment.include !== undefined ? BACKUP_SCRIPT_LIBRARIES[segment.include] : segment.text!).join('')]));

/** The `#@render config` part: the options as shell-quoted read-only variables, only those the script reads. */
function configBlock(kind: BackupScriptKind, reads: readonly string[], config: BackupScriptConfig): string {
  const lines: Array<[string, string]> = [
    ...config.variables(kind).map(v => [v.name, v.value] as [string, string]),
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

const FILE_OF_KIND: { readonly [kind: string]: string } = {
  [BackupScriptKind.BACKUP]: BACKUP_SCRIPT_FILES.BACKUP,
  [BackupScriptKind.PRUNE]: BACKUP_SCRIPT_FILES.PRUNE,
  [BackupScriptKind.RESTORE_DRILL]: BACKUP_SCRIPT_FILES.RESTORE_DRILL,
};

/** One script of a checked configuration (a BackupScriptConfig is checked once, when it is made). */
function assemble(kind: BackupScriptKind, config: BackupScriptConfig): string {
  const file = FILE_OF_KIND[kind];
  const t = BACKUP_SCRIPT_TEMPLATES[file];
  const o = config.options;
  return `${t.head}# env=${o.env} tenant=${o.tenant} database=${o.database ?? '(none: objects only)'}\n${t.preamble}${configBlock(kind, t.reads, config)}${BODIES[file]}`;
}

/** Every script of a checked configuration, keyed by its ConfigMap file name (what a TenantBackupPlan ships). */
export function renderBackupScriptsOf(config: BackupScriptConfig): Record<string, string> {
  return {
    [BACKUP_SCRIPT_FILES.BACKUP]: assemble(BackupScriptKind.BACKUP, config),
    [BACKUP_SCRIPT_FILES.PRUNE]: assemble(BackupScriptKind.PRUNE, config),
    [BACKUP_SCRIPT_FILES.RESTORE_DRILL]: assemble(BackupScriptKind.RESTORE_DRILL, config),
  };
}

/** Renders the object-store interface (bash functions) embedded in every script. */
export function renderObjectStoreLib(opts: BackupScriptOptions): string {
  BackupScriptConfig.resolve(opts);
  return BACKUP_SCRIPT_LIBRARIES['lib/store.sh'];
}

/**
 * Renders `backup.sh`: snapshot + exact row counts, `pg_dump -Fc`, full-read
 * verification, sha256, atomic publish with the manifest last, offsite mirror
 * with listing comparison, then (by default) pruning.
 */
export function renderBackupScript(opts: BackupScriptOptions): string {
  return assemble(BackupScriptKind.BACKUP, BackupScriptConfig.resolve(opts));
}

/** Renders `prune.sh [--dry-run]` (F8). */
export function renderPruneScript(opts: BackupScriptOptions): string {
  return assemble(BackupScriptKind.PRUNE, BackupScriptConfig.resolve(opts));
}

/** Renders `restore-drill.sh` (F10). */
export function renderRestoreDrillScript(opts: BackupScriptOptions): string {
  return assemble(BackupScriptKind.RESTORE_DRILL, BackupScriptConfig.resolve(opts));
}

/** All scripts, keyed by their ConfigMap file name. */
export function renderBackupScripts(opts: BackupScriptOptions): Record<string, string> {
  return renderBackupScriptsOf(BackupScriptConfig.resolve(opts));
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

/**
 * What the backup scripts are told: their options, validated once, and the `readonly CFG_*` variables the shipped
 * scripts read (the `#@render config` part of src/k8s/scripts/*.sh). A TenantBackupPlan builds its options from
 * checked input; `BackupScriptConfig.resolve` checks options written by hand (tests, scripts rendered on their own).
 */
import { BACKUP_DEFAULTS, checkRetention, DATABASE, isBucketName, isSafeAbsolutePath, PG_ROLE, PLAIN_URL, SQL_IDENTIFIER_PREFIX, STORE_ENDPOINT } from './backup-rules';
import { dnsLabelProblem } from './naming';
import { Problems } from './problems';

/** Object-store backend used by the scripts. */
export enum ObjectStoreBackend {
  /** The MinIO client (`mc`) against S3-compatible endpoints. */
  MC = 'mc',
  /** A local directory tree (tests, or a mounted volume). */
  DIR = 'dir',
}

/** Which script a set of variables is for. */
export enum BackupScriptKind {
  /** `backup.sh`: dump, verify, publish, offsite copy, prune. */
  BACKUP = 'backup',
  /** `prune.sh`. */
  PRUNE = 'prune',
  /** `restore-drill.sh`: it connects with the drill's host, port, role and pgpass file. */
  RESTORE_DRILL = 'drill',
}

/** Where the backup pods find things; the scripts' default paths and BackupSchedule's mounts are these. */
export const BACKUP_POD_PATHS = Object.freeze({
  /** Where the Vault Agent renders the credential files. */
  secrets: '/vault/secrets',
  /** The scratch emptyDir. */
  work: '/work',
  /** The textfile-collector emptyDir. */
  metrics: '/metrics',
  /** The ConfigMap with the scripts. */
  scripts: '/scripts',
});

/** One S3-compatible store (bucket) used by the backup scripts. */
export interface ObjectStoreTarget {
  /** Endpoint URL for the `mc` backend, e.g. `https://minio.backup.svc:9000`. */
  readonly endpoint: string;
  /** Bucket name. The tenant's objects live under `<bucket>/<env>/<tenant>/`. */
  readonly bucket: string;
  /**
   * File holding the access key, read at run time (F9).
   * @default '/vault/secrets/<alias>-access-key' (alias `primary`, `offsite` or `objects`)
   */
  readonly accessKeyFile?: string;
  /**
   * File holding the secret key, read at run time (F9).
   * @default '/vault/secrets/<alias>-secret-key' (alias `primary`, `offsite` or `objects`)
   */
  readonly secretKeyFile?: string;
}

/** Options shared by all rendered backup scripts of one tenant database. */
export interface BackupScriptOptions {
  /** Environment name (DNS label), e.g. `prod`. */
  readonly env: string;
  /** Tenant id (DNS label), e.g. `acme`. */
  readonly tenant: string;
  /**
   * Database to back up (no `=`; letters, digits, `_`, `-`, `.`). Left out for a tenant without a database: every
   * run then backs up its objects only (`objects` is required), and the drill restores one of them.
   * @default - no database: the tenant's objects alone are backed up
   */
  readonly database?: string;
  /**
   * PostgreSQL host (or unix-socket directory). Overridable at run time with `PGHOST`. Required with `database`.
   * @default - none (no database)
   */
  readonly pgHost?: string;
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
   * The newest verified backups that are never pruned, whatever their age (>= 1), as BackupPolicy's `keepLast`.
   * @default 2
   */
  readonly keepLast?: number;
  /**
   * Pruning is refused (exit 3) when the newest verified backup of a store is older than this many hours, as
   * BackupPolicy's `staleAfterHours`.
   * @default 26
   */
  readonly staleAfterHours?: number;
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

/** One rendered option: `readonly <name>=<value>` (shell-quoted by the renderer). */
export interface BackupScriptVariable {
  /** Variable name, e.g. `CFG_KEEP_LATEST`. */
  readonly name: string;
  /** Its value as text. */
  readonly value: string;
}

/** A PostgreSQL host for libpq: a name or address, or a unix-socket directory. */
const PG_HOST = /^[A-Za-z0-9./_-]+$/;

/**
 * The options of one tenant's backup scripts, every default applied and every rule checked, and the variables
 * each script is rendered with. Adding an option means one entry in `variables` and its use in the `.sh` files.
 */
export class BackupScriptConfig {
  /** Check options written by hand; throws one LifecycleValidationError listing every problem (B06, F8, F9, B13). */
  public static resolve(options: BackupScriptOptions, path: string = 'BackupScriptOptions'): BackupScriptConfig {
    const problems = new Problems(path);
    const resolved = checkScriptOptions(problems, options ?? ({} as BackupScriptOptions));
    problems.throwIfAny();
    return new BackupScriptConfig(resolved);
  }

  /**
   * Options built by a TenantBackupPlan from input it has checked already: nothing is checked again.
   * @internal
   */
  public static _fromPlan(options: BackupScriptOptions): BackupScriptConfig {
    return new BackupScriptConfig(withDefaults(options));
  }

  /** The options with every default filled in (`pushgatewayUrl` stays unset when there is no push). */
  public readonly options: BackupScriptOptions;

  private constructor(options: BackupScriptOptions) {
    this.options = options;
  }

  /**
   * The variables a script is rendered with, in order. The restore drill connects with the drill's host, port,
   * role and pgpass file under the same names. The renderer keeps only the variables a script reads.
   */
  public variables(kind: BackupScriptKind): BackupScriptVariable[] {
    const o = this.options;
    const drill = kind === BackupScriptKind.RESTORE_DRILL;
    const list: Array<[string, string | number]> = [
      ['SCRIPT_KIND', kind],
      ['CFG_ENV', o.env],
      ['CFG_TENANT', o.tenant],
      ['CFG_DATABASE_ENABLED', o.database !== undefined ? 1 : 0],
      ['CFG_DATABASE', o.database ?? ''],
      ['CFG_PG_HOST', (drill ? o.drillPgHost : o.pgHost) ?? ''],
      ['CFG_PG_PORT', drill ? o.drillPgPort! : o.pgPort!],
      ['CFG_PG_USER', drill ? o.drillPgUser! : o.pgUser!],
      ['CFG_PG_PASS_FILE', drill ? o.drillPgPassFile! : o.pgPassFile!],
      ['CFG_STORE_BACKEND', o.storeBackend!],
      ['CFG_STORE_ROOT', o.storeDirRoot!],
      ['CFG_PRIMARY_ENDPOINT', o.primary.endpoint],
      ['CFG_PRIMARY_BUCKET', o.primary.bucket],
      ['CFG_PRIMARY_ACCESS_KEY_FILE', o.primary.accessKeyFile!],
      ['CFG_PRIMARY_SECRET_KEY_FILE', o.primary.secretKeyFile!],
      ['CFG_OFFSITE_ENDPOINT', o.offsite.endpoint],
      ['CFG_OFFSITE_BUCKET', o.offsite.bucket],
      ['CFG_OFFSITE_ACCESS_KEY_FILE', o.offsite.accessKeyFile!],
      ['CFG_OFFSITE_SECRET_KEY_FILE', o.offsite.secretKeyFile!],
      ['CFG_OBJECTS_ENABLED', o.objects ? 1 : 0],
      ['CFG_OBJECTS_ENDPOINT', o.objects?.endpoint ?? ''],
      ['CFG_OBJECTS_BUCKET', o.objects?.bucket ?? ''],
      ['CFG_OBJECTS_ACCESS_KEY_FILE', o.objects?.accessKeyFile ?? ''],
      ['CFG_OBJECTS_SECRET_KEY_FILE', o.objects?.secretKeyFile ?? ''],
      ['CFG_LOCAL_RETENTION_DAYS', o.localRetentionDays!],
      ['CFG_OFFSITE_RETENTION_DAYS', o.offsiteRetentionDays!],
      // keepLast under the scripts' older name: renaming the shell variable would change every shipped ConfigMap.
      ['CFG_KEEP_LATEST', o.keepLast!],
      ['CFG_STALENESS_SECONDS', o.staleAfterHours! * 3600],
      ['CFG_PRUNE_AFTER_BACKUP', o.pruneAfterBackup ? 1 : 0],
      ['CFG_WORK_DIR', o.workDir!],
      ['CFG_METRICS_DIR', o.metricsDir!],
      ['CFG_PUSHGATEWAY_URL', o.pushgatewayUrl ?? ''],
      ['CFG_DRILL_DB_PREFIX', o.drillDatabasePrefix!],
      ['CFG_MAINTENANCE_DB', o.maintenanceDatabase!],
    ];
    return list.map(([name, value]) => ({ name, value: String(value) }));
  }
}

function storeWithDefaults(alias: string, t: ObjectStoreTarget): ObjectStoreTarget {
  return {
    endpoint: t.endpoint,
    bucket: t.bucket,
    accessKeyFile: t.accessKeyFile ?? `${BACKUP_POD_PATHS.secrets}/${alias}-access-key`,
    secretKeyFile: t.secretKeyFile ?? `${BACKUP_POD_PATHS.secrets}/${alias}-secret-key`,
  };
}

/** Every default applied; nothing checked. */
function withDefaults(o: BackupScriptOptions): BackupScriptOptions {
  const pgPort = o.pgPort ?? 5432;
  const pgUser = o.pgUser ?? 'inopsio_backup';
  const pgPassFile = o.pgPassFile ?? `${BACKUP_POD_PATHS.secrets}/pgpass`;
  const pushgatewayUrl = (o.pushgatewayUrl ?? '').replace(/\/+$/, '');
  return {
    env: o.env,
    tenant: o.tenant,
    database: o.database,
    pgHost: o.pgHost,
    pgPort,
    pgUser,
    pgPassFile,
    primary: o.primary ? storeWithDefaults('primary', o.primary) : o.primary,
    offsite: o.offsite ? storeWithDefaults('offsite', o.offsite) : o.offsite,
    objects: o.objects ? storeWithDefaults('objects', o.objects) : undefined,
    storeBackend: o.storeBackend ?? ObjectStoreBackend.MC,
    storeDirRoot: o.storeDirRoot ?? '/var/lib/inopsio-backup/store',
    localRetentionDays: o.localRetentionDays ?? BACKUP_DEFAULTS.localRetentionDays,
    offsiteRetentionDays: o.offsiteRetentionDays ?? BACKUP_DEFAULTS.offsiteRetentionDays,
    keepLast: o.keepLast ?? BACKUP_DEFAULTS.keepLast,
    staleAfterHours: o.staleAfterHours ?? BACKUP_DEFAULTS.staleAfterHours,
    pruneAfterBackup: o.pruneAfterBackup ?? true,
    workDir: o.workDir ?? BACKUP_POD_PATHS.work,
    metricsDir: o.metricsDir ?? BACKUP_POD_PATHS.metrics,
    pushgatewayUrl: pushgatewayUrl === '' ? undefined : pushgatewayUrl,
    drillPgHost: o.drillPgHost ?? o.pgHost,
    drillPgPort: o.drillPgPort ?? pgPort,
    drillPgUser: o.drillPgUser ?? pgUser,
    drillPgPassFile: o.drillPgPassFile ?? pgPassFile,
    drillDatabasePrefix: o.drillDatabasePrefix ?? 'inopsio_drill',
    maintenanceDatabase: o.maintenanceDatabase ?? 'postgres',
  };
}

/** Every rule of hand-written options, in the house format; returns them with defaults applied. */
function checkScriptOptions(problems: Problems, options: BackupScriptOptions): BackupScriptOptions {
  const o = withDefaults(options);
  for (const field of ['env', 'tenant'] as const) {
    const p = dnsLabelProblem(o[field]);
    if (p) problems.add(field, p, o[field], 'use a DNS-1123 label: the scripts build object keys and metric labels from it');
  }
  const withDatabase = o.database !== undefined;
  if (withDatabase && (typeof o.database !== 'string' || !DATABASE.test(o.database))) {
    problems.add('database', 'is not an acceptable database name', o.database, 'use letters, digits, "_", "-" and "." (at most 63 characters; no "=": libpq would read it as a conninfo)');
  }
  if (!withDatabase && options.objects === undefined) {
    problems.add('database', 'is required without objects (there would be nothing to back up)', undefined, 'name the tenant database, or pass objects: { endpoint, bucket } for a tenant whose data is its objects');
  }
  for (const field of ['pgHost', 'drillPgHost'] as const) {
    const host = o[field];
    if (!withDatabase && host === undefined) continue;
    if (typeof host !== 'string' || !PG_HOST.test(host) || host.split('/').includes('..')) {
      problems.add(field, 'is not a host name, address or socket directory', host, 'write e.g. "postgres.databases.svc" or "/var/run/postgresql"');
    }
  }
  for (const field of ['pgPort', 'drillPgPort'] as const) {
    const port = o[field];
    if (!Number.isInteger(port) || port! < 1 || port! > 65535) problems.add(field, 'is not a TCP port', port, 'use an integer from 1 to 65535');
  }
  for (const field of ['pgUser', 'drillPgUser'] as const) {
    if (typeof o[field] !== 'string' || !PG_ROLE.test(o[field]!)) problems.add(field, 'is not a PostgreSQL role name', o[field], 'use e.g. "inopsio_backup"');
  }
  const paths: Array<[string, unknown]> = [['pgPassFile', o.pgPassFile], ['drillPgPassFile', o.drillPgPassFile], ['storeDirRoot', o.storeDirRoot], ['workDir', o.workDir], ['metricsDir', o.metricsDir]];
  const stores: Array<[string, ObjectStoreTarget | undefined]> = [['primary', o.primary], ['offsite', o.offsite]];
  if (options.objects !== undefined) stores.push(['objects', o.objects]);
  for (const [field, store] of stores) {
    if (store === undefined || store === null) {
      problems.add(field, 'is required', store, 'pass { endpoint, bucket }');
      continue;
    }
    if (typeof store.endpoint !== 'string' || !STORE_ENDPOINT.test(store.endpoint)) {
      problems.add(`${field}.endpoint`, 'is not an http(s)://host[:port] URL without path or credentials', store.endpoint, 'write e.g. "https://minio.backup.svc:9000"; keys are read from files (B13)');
    }
    if (!isBucketName(store.bucket)) problems.add(`${field}.bucket`, 'is not an S3 bucket name', store.bucket, 'use 3–63 lower-case letters, digits, "." and "-" (B15)');
    paths.push([`${field}.accessKeyFile`, store.accessKeyFile], [`${field}.secretKeyFile`, store.secretKeyFile]);
  }
  for (const [field, value] of paths) {
    if (!isSafeAbsolutePath(value)) problems.add(field, 'is not an absolute path without control characters or ".."', value, 'write e.g. "/vault/secrets/pgpass" (F8, F9)');
  }
  if (!Object.values(ObjectStoreBackend).includes(o.storeBackend!)) {
    problems.add('storeBackend', 'is not an ObjectStoreBackend', o.storeBackend, 'use ObjectStoreBackend.MC or ObjectStoreBackend.DIR');
  }
  checkRetention(problems, {
    localRetentionDays: o.localRetentionDays!,
    offsiteRetentionDays: o.offsiteRetentionDays!,
    keepLast: o.keepLast!,
    staleAfterHours: o.staleAfterHours!,
  });
  if (typeof o.pruneAfterBackup !== 'boolean') problems.add('pruneAfterBackup', 'is not a boolean', o.pruneAfterBackup, 'use true or false');
  if (o.pushgatewayUrl !== undefined && (typeof o.pushgatewayUrl !== 'string' || !PLAIN_URL.test(o.pushgatewayUrl))) {
    problems.add('pushgatewayUrl', 'is not an http(s) URL without credentials', options.pushgatewayUrl, 'write e.g. "http://pushgateway.monitoring.svc:9091"');
  }
  if (typeof o.drillDatabasePrefix !== 'string' || !SQL_IDENTIFIER_PREFIX.test(o.drillDatabasePrefix)) {
    problems.add('drillDatabasePrefix', 'is not a lower-case SQL identifier of at most 31 characters', o.drillDatabasePrefix, 'use e.g. "inopsio_drill"');
  }
  if (typeof o.maintenanceDatabase !== 'string' || !DATABASE.test(o.maintenanceDatabase)) {
    problems.add('maintenanceDatabase', 'is not an acceptable database name', o.maintenanceDatabase, 'use e.g. "postgres"');
  }
  return o;
}

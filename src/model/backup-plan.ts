/**
 * One tenant's backup in one environment, checked once and resolved (spec §10): the names of everything the engines
 * create (CronJobs, ServiceAccount, Vault roles, object prefixes), the credential deadlines (F9), the stores with their
 * Vault paths, the retention and the options the scripts run with. BackupSchedule (Kubernetes), the scripts and
 * VaultBootstrap's backup access (Terraform) build from a plan and check nothing again; the Platform makes the plans
 * of every environment in its constructor, so one error lists every problem before anything is built.
 *
 * To add a retention field: BackupPolicy and BackupRetention (with its rule in `backup-rules.ts`), the option and its
 * variable in `backup-script-options.ts`, its use in `src/k8s/scripts/lib/prune.sh`, and the inventory
 * (`src/lifecycle/inventory.ts`). See docs/architecture.md.
 */
import {
  BackupRetention, checkBackupIdentity, checkBackupTiming, credentialLifetimeSeconds, defaultJobDeadlineSeconds, CREDENTIAL_MARGIN_SECONDS,
  DATABASE, HOST, isBucketName, isVaultRoleName, jobDeadlineIssue, MIN_JOB_DEADLINE_SECONDS, PLAIN_URL, STORE_ENDPOINT,
  TOKEN_AUDIENCE, VAULT_AUTH_PATH,
} from './backup-rules';
import { BACKUP_POD_PATHS, BackupScriptConfig, ObjectStoreBackend } from './backup-script-options';
import { EgressTarget } from './egress-target';
import { Environment } from './environment';
import { ContainerImage } from './image';
import { backupJobNames, backupVaultRoleNames, RESTORE_DRILL_SUFFIX } from './names';
import { dnsLabelProblem, NAME_LIMITS } from './naming';
import { Period } from './period';
import { Problems } from './problems';
import { Quantity, QuantityKind } from './quantity';
import { Tenant } from './tenant';
import { environmentVaultNames, tenantVaultNames, VaultEngine, VaultRef } from './vault-ref';

/** TLS mode of the backup's PostgreSQL connections (`PGSSLMODE`). */
export enum PostgresSslMode {
  /** Verify the server certificate chain and host name (needs `caConfigMap`). */
  VERIFY_FULL = 'verify-full',
  /** Verify the server certificate chain only (needs `caConfigMap`). */
  VERIFY_CA = 'verify-ca',
  /** Encrypt without verifying the server: open to a man in the middle. */
  REQUIRE = 'require',
  /** No TLS: only for a unix socket or a network that encrypts on its own (service-mesh mTLS). */
  DISABLE = 'disable',
}

/** The tenant database to back up. */
export interface BackupDatabaseProps {
  /** PostgreSQL host name or address as the backup pods reach it, e.g. `postgres.databases.svc`. */
  readonly host: string;
  /** Where the NetworkPolicy lets the backup pods connect to (the PostgreSQL pods or subnet and port). */
  readonly egress: EgressTarget;
  /**
   * PostgreSQL port the pods connect to.
   * @default - the egress target's port
   */
  readonly port?: number;
  /**
   * Database name.
   * @default - the tenant's database `<env>_<tenant>` (as VaultBootstrap names it)
   */
  readonly name?: string;
  /**
   * Dynamic credentials of the role `pg_dump` runs as (read access to every table and sequence).
   * @default VaultRef.databaseCreds('tenant-backup') (`database-<env>/creds/<tenant>-backup`: a read-only role for dumps)
   */
  readonly credentials?: VaultRef;
  /**
   * TLS mode.
   * @default PostgresSslMode.VERIFY_FULL
   */
  readonly sslMode?: PostgresSslMode;
  /**
   * ConfigMap in the tenant namespace holding the CA certificate of the database server under the key `ca.crt`.
   * Required for the verifying TLS modes.
   * @default - none
   */
  readonly caConfigMap?: string;
}

/** One S3-compatible store (MinIO, S3) of the backups. */
export interface BackupObjectStoreProps {
  /** Endpoint URL without path or credentials, e.g. `https://minio.backup.svc:9000`. */
  readonly endpoint: string;
  /** Bucket; the tenant's objects live under `<bucket>/<env>/<tenant>/`. */
  readonly bucket: string;
  /** Where the NetworkPolicy lets the backup pods connect to (the store's pods or subnet and port). */
  readonly egress: EgressTarget;
  /**
   * Access key: a KV v2 field, under the tenant's KV prefix.
   * @default VaultRef.kv('backup/<primary|offsite>-store', 'access_key')
   */
  readonly accessKey?: VaultRef;
  /**
   * Secret key: a KV v2 field, under the tenant's KV prefix.
   * @default VaultRef.kv('backup/<primary|offsite>-store', 'secret_key')
   */
  readonly secretKey?: VaultRef;
}

/** Where the restore drill restores into (F10): a scratch server is recommended. */
export interface RestoreDrillProps {
  /**
   * PostgreSQL host of the drill.
   * @default - the backed-up database's host
   */
  readonly host?: string;
  /**
   * Where the NetworkPolicy lets the drill connect to.
   * @default - the backed-up database's egress target
   */
  readonly egress?: EgressTarget;
  /**
   * PostgreSQL port of the drill.
   * @default - the egress target's port
   */
  readonly port?: number;
  /**
   * Dynamic credentials of a role with CREATEDB on the drill server (the tenant's application role has none).
   * @default VaultRef.databaseCreds('tenant-drill') (`database-<env>/creds/<tenant>-drill`)
   */
  readonly credentials?: VaultRef;
  /**
   * Database the drill connects to for CREATE/DROP DATABASE.
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * Deadline of one drill Job, in seconds; bounded by the credential lifetime like the backup's.
   * @default - the credential lifetime less 300 seconds
   */
  readonly activeDeadlineSeconds?: number;
}

/**
 * What one tenant's backup in one environment is made of (a BackupSchedule's props): everything a TenantBackupPlan
 * checks and resolves.
 */
export interface TenantBackupProps {
  /** The environment; its class's BackupPolicy supplies schedule, time zone and retention. */
  readonly environment: Environment;
  /** The tenant whose database (and, with `tenantObjects`, object storage) is backed up. */
  readonly tenant: Tenant;
  /**
   * The backup tool image, pinned by digest (K30): bash, pg_dump/pg_restore/psql of at least the server's major
   * version, coreutils, `mc`, and curl when a Pushgateway is used. There is no default.
   */
  readonly image: ContainerImage;
  /**
   * The database to back up: required for a tenant with a database, refused for one without (`database: false`),
   * whose backup is its objects alone (`tenantObjects`, with `objectStorage: true`): no dump, no database credentials.
   * @default - none: only for a tenant without a database
   */
  readonly database?: BackupDatabaseProps;
  /** The primary ("local") store: 30 days by default. */
  readonly primaryStore: BackupObjectStoreProps;
  /** The offsite store receiving `mc mirror` copies: 90 days by default; versioned and object-locked. */
  readonly offsiteStore: BackupObjectStoreProps;
  /**
   * The tenants' object storage (issue 23): the tenant's prefix `<bucket>/<env>/<tenant>/` is mirrored into the
   * backup on every run (never deleting), copied offsite with the dumps, and the restore drill restores one object.
   * Used only for tenants with `objectStorage: true`. Keys default to the tenant's own scoped credentials,
   * `kv/data/object-store` (`access_key`, `secret_key`), the same ones its workloads read.
   * @default - objects are not backed up
   */
  readonly tenantObjects?: BackupObjectStoreProps;
  /**
   * The restore drill's target.
   * @default - the backed-up server with `database-<env>/creds/<tenant>-drill` credentials
   */
  readonly restoreDrill?: RestoreDrillProps;
  /**
   * Base name of the generated objects: a DNS label of at most 38 characters. The backup CronJob and the
   * ServiceAccount are named after it, the restore drill `<name>-restore-drill`. Keep the `backup-` prefix: the
   * ObservabilityStack's K45 alerts watch CronJobs named `backup-.+` by default.
   * @default - `backup-<tenant>`, truncated with a hash suffix to 38 characters
   */
  readonly name?: string;
  /**
   * Vault Kubernetes auth role the agent logs in with; it must be bound to this schedule's ServiceAccount and the
   * tenant namespace (V07).
   * @default `<env>-<tenant>-backup`
   */
  readonly vaultRole?: string;
  /**
   * Login path of the environment's Kubernetes auth mount.
   * @default `auth/kubernetes-<env>`
   */
  readonly vaultAuthPath?: string;
  /**
   * Audience of the projected service account token the agent logs in with (the auth role's `audience`).
   * @default - the environment's `vaultTokenAudience` ('vault' unless set), which the roles require
   */
  readonly vaultTokenAudience?: string;
  /**
   * Where Vault is, for the NetworkPolicy: the agent runs inside the backup pods.
   * @default - no Vault rule here (the tenant namespace's `network.vault` allow must cover it)
   */
  readonly vaultEgress?: EgressTarget;
  /**
   * The Vault Agent image, pinned by digest (K30), for the injected init container.
   * @default - the injector's configured image
   */
  readonly vaultAgentImage?: ContainerImage;
  /**
   * Default lease of the dynamic database credentials: VaultBootstrap's `databaseCredentialTtl`.
   * @default Period.hours(1)
   */
  readonly databaseCredentialTtl?: Period;
  /**
   * Pushgateway base URL. Without it the metrics only reach the pod's `/metrics` emptyDir and vanish with the pod,
   * so the freshness alerts report the backups as missing.
   * @default - no push
   */
  readonly pushgatewayUrl?: string;
  /**
   * Where the Pushgateway is, for the NetworkPolicy. Required with `pushgatewayUrl`.
   * @default - none
   */
  readonly pushgatewayEgress?: EgressTarget;
  /**
   * Cron schedule of the backup (B05).
   * @default - the class's BackupPolicy schedule ('15 2 * * *')
   */
  readonly schedule?: string;
  /**
   * Cron schedule of the restore drill (B05).
   * @default - the class's BackupPolicy restoreDrillSchedule ('45 4 * * 0')
   */
  readonly restoreDrillSchedule?: string;
  /**
   * IANA time zone of both schedules.
   * @default - the class's BackupPolicy timeZone ('Etc/UTC')
   */
  readonly timeZone?: string;
  /**
   * Days verified backups stay in the primary store (B06: whole number ≥ 1).
   * @default - the class's BackupPolicy (30)
   */
  readonly localRetentionDays?: number;
  /**
   * Days verified backups stay offsite (B06: whole number ≥ localRetentionDays).
   * @default - the class's BackupPolicy (90)
   */
  readonly offsiteRetentionDays?: number;
  /**
   * Newest verified backups never pruned (B06: ≥ 1, ≥ 2 in production).
   * @default - the class's BackupPolicy (2)
   */
  readonly keepLast?: number;
  /**
   * Hours after which the newest verified backup is stale and pruning refuses to run.
   * @default - the class's BackupPolicy (26)
   */
  readonly staleAfterHours?: number;
  /**
   * Deadline of one backup Job in seconds (K37); must end 60 s before the credentials do (see the module comment).
   * @default - min(class vaultTokenTtl, databaseCredentialTtl) less 300 seconds (1500 in production)
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds a missed start may still be made up (K36).
   * @default 3600
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Retries of a failed pod (K38: 1–3). Configuration (exit 2), refusal (3) and integrity (4) failures fail the
   * Job at once through a podFailurePolicy; evictions do not count.
   * @default 2
   */
  readonly backoffLimit?: number;
  /**
   * Seconds a finished Job is kept (K39), long enough for the failed-job alert and for reading its logs.
   * @default 604800 (7 days)
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Successful Jobs kept per CronJob (K40).
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Failed Jobs kept per CronJob (K40).
   * @default 3
   */
  readonly failedJobsHistoryLimit?: number;
  /**
   * CPU request of the backup container.
   * @default 250m
   */
  readonly cpuRequest?: Quantity;
  /**
   * CPU limit of the backup container.
   * @default 1
   */
  readonly cpuLimit?: Quantity;
  /**
   * Memory request of the backup container.
   * @default 512Mi
   */
  readonly memoryRequest?: Quantity;
  /**
   * Memory limit of the backup container.
   * @default 512Mi
   */
  readonly memoryLimit?: Quantity;
  /**
   * Size of the `/work` emptyDir: one compressed dump plus a little (the dump is written and re-read there).
   * The container's ephemeral-storage request and limit are this plus 256Mi (metrics, /tmp, logs).
   * @default 2Gi
   */
  readonly workVolumeSize?: Quantity;
}

/** Names of everything a tenant's backup creates, in Kubernetes, Vault and the object stores. */
export interface BackupPlanNames {
  /** The tenant namespace every Kubernetes object is in. */
  readonly namespace: string;
  /** The backup CronJob (≤ 52 characters), also the base of the other names. */
  readonly cronJob: string;
  /** The restore-drill CronJob, `<cronJob>-restore-drill`. */
  readonly restoreDrillCronJob: string;
  /** The ServiceAccount of the backup and drill pods: the only one bound to the Vault role (V07). */
  readonly serviceAccount: string;
  /** The ConfigMap with the scripts. */
  readonly configMap: string;
  /** The backup pods' NetworkPolicy. */
  readonly networkPolicy: string;
  /** The Vault Kubernetes auth role the pods log in with. */
  readonly vaultRole: string;
  /** The Vault login path, `auth/kubernetes-<env>`. */
  readonly vaultAuthPath: string;
  /** The Vault policy of the backup access, `<env>-<tenant>-backup`. */
  readonly vaultPolicy: string;
  /** Vault database role of the dump credentials, `<tenant>-backup`. */
  readonly dumpDatabaseRole: string;
  /** Vault database role of the restore-drill credentials, `<tenant>-drill`. */
  readonly drillDatabaseRole: string;
  /** Prefix of the tenant's objects in each bucket, `<env>/<tenant>/`. */
  readonly objectPrefix: string;
}

/** How long a backup or drill Job may run, against the lifetime of its dynamic credentials (F9). */
export interface BackupPlanDeadlines {
  /** Seconds the credentials live: min(class vaultTokenTtl, databaseCredentialTtl). */
  readonly credentialLifetimeSeconds: number;
  /** Lease of the dynamic database credentials, in seconds (VaultBootstrap's `databaseCredentialTtl`). */
  readonly databaseCredentialTtlSeconds: number;
  /** Deadline of one backup Job. */
  readonly backupSeconds: number;
  /** Deadline of one restore-drill Job. */
  readonly restoreDrillSeconds: number;
  /** The longer of the two: what the Vault role's TTLs are checked against. */
  readonly longestSeconds: number;
}

/** One field of a KV v2 secret, by absolute path. */
export interface BackupSecretField {
  /** Absolute KV v2 data path, e.g. `kv-prod/data/prod/acme/backup/primary-store`. */
  readonly path: string;
  /** Field name, e.g. `access_key`. */
  readonly field: string;
}

/** One resolved object store of the plan. */
export interface BackupPlanStore {
  /** `primary` or `offsite`: the name of its credential files (`<alias>-access-key`). */
  readonly alias: string;
  /** Endpoint URL. */
  readonly endpoint: string;
  /** Bucket. */
  readonly bucket: string;
  /** Where the NetworkPolicy lets the pods connect to. */
  readonly egress: EgressTarget;
  /** The access key in Vault. */
  readonly accessKey: BackupSecretField;
  /** The secret key in Vault. */
  readonly secretKey: BackupSecretField;
}

/** One resolved PostgreSQL endpoint of the plan (the backed-up database or the drill server). */
export interface BackupPlanDatabase {
  /** Host name or address. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Where the NetworkPolicy lets the pods connect to. */
  readonly egress: EgressTarget;
  /** Absolute path of the dynamic credentials, e.g. `database-prod/creds/acme-backup`. */
  readonly credentialsPath: string;
  /**
   * Role every session sets at connection (`options=-c role=…` in the libpq service file): the drill group
   * `<env>_<tenant>_drill` when the drill uses the tenant's own drill credentials, whose users inherit nothing.
   * @default - none
   */
  readonly sessionRole?: string;
}

/** Settings of the CronJobs and their Jobs (K35–K41). */
export interface BackupPlanJobSettings {
  /** Seconds a missed start may still be made up. */
  readonly startingDeadlineSeconds: number;
  /** Retries of a failed pod. */
  readonly backoffLimit: number;
  /** Seconds a finished Job is kept. */
  readonly ttlSecondsAfterFinished: number;
  /** Successful Jobs kept per CronJob. */
  readonly successfulJobsHistoryLimit: number;
  /** Failed Jobs kept per CronJob. */
  readonly failedJobsHistoryLimit: number;
}

/** Resources of the backup container (K32–K34). */
export interface BackupPlanResources {
  /** CPU request. */
  readonly cpuRequest: Quantity;
  /** CPU limit. */
  readonly cpuLimit: Quantity;
  /** Memory request. */
  readonly memoryRequest: Quantity;
  /** Memory limit. */
  readonly memoryLimit: Quantity;
  /** Size of the `/work` emptyDir. */
  readonly workVolumeSize: Quantity;
  /** Ephemeral-storage request and limit: `workVolumeSize` plus 256Mi, e.g. `2304Mi`. */
  readonly ephemeralStorage: string;
}

/** Where the Vault Agent renders the credential files in the backup pods. */
const SECRETS = BACKUP_POD_PATHS.secrets;
/** Headroom of the container's ephemeral storage above the work volume (metrics, /tmp, logs). */
export const BACKUP_EPHEMERAL_HEADROOM_MIB = 256;
const BASE_NAME_LIMIT = NAME_LIMITS.cronJob - RESTORE_DRILL_SUFFIX.length;

/**
 * One tenant's backup in one environment, every input checked once and every default applied (spec §10). Make one
 * with `TenantBackupPlan.of(props)`; it throws one LifecycleValidationError listing every problem.
 */
export class TenantBackupPlan {
  /** Check `props` and resolve the plan; throws one error listing every problem (B02, B05–B07, B09, B13, F9, K32–K41). */
  public static of(props: TenantBackupProps, path: string = 'TenantBackupPlan'): TenantBackupPlan {
    const problems = new Problems(path);
    const plan = TenantBackupPlan._check(problems, props);
    problems.throwIfAny();
    return plan!;
  }

  /**
   * Every problem of `props` added to `problems` (so a caller can list those of many plans at once), and the plan
   * when there is none.
   * @internal
   */
  public static _check(problems: Problems, props: TenantBackupProps): TenantBackupPlan | undefined {
    const resolved = resolvePlan(problems, props ?? ({} as TenantBackupProps));
    return resolved ? new TenantBackupPlan(resolved) : undefined;
  }

  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The backup tool image. */
  public readonly image: ContainerImage;
  /** Names of what the backup creates. */
  public readonly names: BackupPlanNames;
  /** Schedules and retention. */
  public readonly retention: BackupRetention;
  /** Job deadlines and the credential lifetime (F9). */
  public readonly deadlines: BackupPlanDeadlines;
  /**
   * The backed-up database; undefined for a tenant without one, whose backup is its objects alone (`objectsStore`):
   * the engines then request no database credentials, reach no database and run no dump.
   */
  public readonly database?: BackupPlanDatabase;
  /** The database name, when the tenant has a database. */
  public readonly databaseName?: string;
  /** TLS mode of the connections. */
  public readonly sslMode: PostgresSslMode;
  /** ConfigMap with the server CA, when given. */
  public readonly caConfigMap?: string;
  /** The restore drill's server, when the tenant has a database (without one the drill restores an object only). */
  public readonly drill?: BackupPlanDatabase;
  /** The primary ("local") store. */
  public readonly primaryStore: BackupPlanStore;
  /** The offsite store. */
  public readonly offsiteStore: BackupPlanStore;
  /** The tenant's object storage whose prefix is backed up, when `tenantObjects` is set and the tenant has storage. */
  public readonly objectsStore?: BackupPlanStore;
  /** Audience of the agent's projected token. */
  public readonly vaultTokenAudience: string;
  /** Where Vault is, when given. */
  public readonly vaultEgress?: EgressTarget;
  /** The Vault Agent image, when given. */
  public readonly vaultAgentImage?: ContainerImage;
  /** Where the Pushgateway is, when given. */
  public readonly pushgatewayEgress?: EgressTarget;
  /** CronJob and Job settings. */
  public readonly jobs: BackupPlanJobSettings;
  /** Resources of the backup container. */
  public readonly resources: BackupPlanResources;
  /** What the scripts are told: the ConfigMap is rendered from exactly this. */
  public readonly scripts: BackupScriptConfig;
  /** Every Vault path the backup and drill pods read (the backup policy grants `read` on exactly these), sorted. */
  public readonly vaultSecretPaths: string[];

  private constructor(r: ResolvedPlan) {
    this.environment = r.environment;
    this.tenant = r.tenant;
    this.image = r.image;
    this.names = r.names;
    this.retention = r.retention;
    this.deadlines = r.deadlines;
    this.database = r.database;
    this.databaseName = r.databaseName;
    this.sslMode = r.sslMode;
    this.caConfigMap = r.caConfigMap;
    this.drill = r.drill;
    this.primaryStore = r.primaryStore;
    this.offsiteStore = r.offsiteStore;
    this.objectsStore = r.objectsStore;
    this.vaultTokenAudience = r.vaultTokenAudience;
    this.vaultEgress = r.vaultEgress;
    this.vaultAgentImage = r.vaultAgentImage;
    this.pushgatewayEgress = r.pushgatewayEgress;
    this.jobs = r.jobs;
    this.resources = r.resources;
    this.scripts = r.scripts;
    const stores = [this.primaryStore, this.offsiteStore, ...(this.objectsStore ? [this.objectsStore] : [])]
      .flatMap(s => [s.accessKey.path, s.secretKey.path]);
    const databases = this.database && this.drill ? [this.database.credentialsPath, this.drill.credentialsPath] : [];
    this.vaultSecretPaths = [...new Set([...databases, ...stores])].sort();
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ResolvedPlan = Omit<Mutable<TenantBackupPlan>, 'vaultSecretPaths'>;

/** Every rule of a tenant's backup, in the order of the props; undefined only when nothing further can be checked. */
function resolvePlan(problems: Problems, props: TenantBackupProps): ResolvedPlan | undefined {
  const before = problems.all.length;
  const env = props.environment;
  const tenant = props.tenant;
  if (!(env instanceof Environment)) problems.add('environment', 'is not an Environment', env, 'pass new Environment({...})');
  if (!(tenant instanceof Tenant)) problems.add('tenant', 'is not a Tenant', tenant, 'pass new Tenant({...}) or one of environment.tenants');
  if (!(env instanceof Environment) || !(tenant instanceof Tenant)) return undefined;

  const policy = env.environmentClass.backup;
  if (!policy.enabled) {
    problems.add('environment', `has class "${env.environmentClass.name}", which keeps no backups (BackupPolicy.NONE)`, env.name, 'do not create a BackupSchedule here, or give the class BackupPolicy.DAILY');
  } else if (!policy.offsite) {
    problems.add('environment', `has class "${env.environmentClass.name}" whose backup policy has offsite: false`, env.name, 'the backup always copies offsite (spec §10: 90 days offsite); use a policy with offsite: true');
  }
  // The one place the database is optional: a tenant without one is backed up through its objects alone.
  const withDatabase = tenant.database;
  if (!withDatabase) {
    if (!tenant.objectStorage || props.tenantObjects === undefined) {
      problems.add('tenant', `has no database (database: false) and ${tenant.objectStorage ? 'tenantObjects is not set' : 'no object storage'}: there is nothing to back up`, tenant.id,
        tenant.objectStorage ? 'pass tenantObjects: { endpoint, bucket, egress } so that its objects are backed up' : 'back up only tenants with database: true or objectStorage: true');
    }
    if (props.database !== undefined) {
      problems.add('database', `is set, but tenant "${tenant.id}" has no database (database: false)`, props.database.host, 'leave database out: the backup of a tenant without a database is its objects');
    }
    const drillDb = props.restoreDrill ?? {};
    for (const field of ['host', 'egress', 'port', 'credentials', 'maintenanceDatabase'] as const) {
      if (drillDb[field] !== undefined) {
        problems.add(`restoreDrill.${field}`, `is set, but tenant "${tenant.id}" has no database (the drill restores an object only)`, String(drillDb[field]), `leave restoreDrill.${field} out`);
      }
    }
  } else if (props.database === undefined || props.database === null) {
    problems.add('database', 'is required', props.database, 'pass { host, egress, caConfigMap } of the tenant database\'s server');
  }
  if (!ContainerImage.isContainerImage(props.image)) {
    problems.add('image', 'is not a ContainerImage', props.image, 'use ContainerImage.fromDigest("registry.example.com/team/pg-backup@sha256:<digest>")');
  }
  if (props.vaultAgentImage !== undefined && !ContainerImage.isContainerImage(props.vaultAgentImage)) {
    problems.add('vaultAgentImage', 'is not a ContainerImage', props.vaultAgentImage, 'use ContainerImage.fromDigest("docker.io/hashicorp/vault@sha256:<digest>") or leave it unset');
  }

  // Names, checked after composition (B02).
  const tenantNames = tenantVaultNames(env, tenant);
  const base = props.name ?? backupJobNames(tenant.id).cronJob;
  const baseProblem = dnsLabelProblem(base, BASE_NAME_LIMIT);
  if (baseProblem) {
    problems.add('name', baseProblem, base, `use a DNS-1123 label of at most ${BASE_NAME_LIMIT} characters, so that "<name>${RESTORE_DRILL_SUFFIX}" fits the CronJob limit of ${NAME_LIMITS.cronJob}`);
  }

  // Schedule and retention: the class's policy, overridable, checked by the same rules as BackupPolicy (B05, B06).
  const retention: BackupRetention = {
    schedule: props.schedule ?? policy.schedule,
    restoreDrillSchedule: props.restoreDrillSchedule ?? policy.restoreDrillSchedule,
    timeZone: props.timeZone ?? policy.timeZone,
    localRetentionDays: props.localRetentionDays ?? policy.localRetentionDays,
    offsiteRetentionDays: props.offsiteRetentionDays ?? policy.offsiteRetentionDays,
    keepLast: props.keepLast ?? policy.keepLast,
    staleAfterHours: props.staleAfterHours ?? policy.staleAfterHours,
  };
  checkBackupTiming(problems, retention, env.isProduction);

  // Database and drill: only for a tenant with a database.
  const db = props.database ?? ({} as BackupDatabaseProps);
  const sslMode = db.sslMode ?? PostgresSslMode.VERIFY_FULL;
  const dbs = withDatabase && props.database ? resolveDatabases(problems, props, env, tenant, tenantNames.databaseName, sslMode) : undefined;

  const primary = resolveStore(problems, 'primaryStore', 'primary', props.primaryStore, env, tenant);
  const offsite = resolveStore(problems, 'offsiteStore', 'offsite', props.offsiteStore, env, tenant);
  const objects = props.tenantObjects !== undefined && tenant.objectStorage
    ? resolveStore(problems, 'tenantObjects', 'objects', props.tenantObjects, env, tenant, TENANT_OBJECT_STORE_KV)
    : undefined;
  if (primary.bucket && primary.bucket === offsite.bucket && primary.endpoint === offsite.endpoint) {
    problems.add('offsiteStore', 'is the primary store', `${offsite.endpoint}/${offsite.bucket}`, 'copy backups to a different store or site (spec §10)');
  }

  // Vault.
  const vaultNames = environmentVaultNames(env);
  const roleNames = backupVaultRoleNames(env.name, tenant.id);
  const vaultRole = props.vaultRole ?? roleNames.authRole;
  const vaultAuthPath = props.vaultAuthPath ?? `auth/${vaultNames.kubernetesAuthMount}`;
  const audience = props.vaultTokenAudience ?? env.vaultTokenAudience;
  if (!isVaultRoleName(vaultRole)) {
    problems.add('vaultRole', 'is not a Vault role name', vaultRole, 'use lower-case letters, digits, "-" and "_", e.g. "prod-acme-backup"');
  }
  if (typeof vaultAuthPath !== 'string' || !VAULT_AUTH_PATH.test(vaultAuthPath)) {
    problems.add('vaultAuthPath', 'is not a Vault auth login path', vaultAuthPath, `write e.g. "auth/${vaultNames.kubernetesAuthMount}"`);
  }
  if (typeof audience !== 'string' || !TOKEN_AUDIENCE.test(audience)) {
    problems.add('vaultTokenAudience', 'is not an audience', audience, 'use the auth role\'s audience, e.g. "vault" (V07)');
  }
  checkBackupIdentity(problems, tenant, env.tenants.map(t => t.id), { field: 'name', name: base },
    { field: 'vaultRole', name: isVaultRoleName(vaultRole) ? vaultRole : '', suggested: roleNames.authRole });
  const vaultEgress = checkEgress(problems, 'vaultEgress', props.vaultEgress, false);

  // Metrics.
  const pushgatewayUrl = props.pushgatewayUrl;
  if (pushgatewayUrl !== undefined && (typeof pushgatewayUrl !== 'string' || !PLAIN_URL.test(pushgatewayUrl))) {
    problems.add('pushgatewayUrl', 'is not an http(s) URL without credentials', pushgatewayUrl, 'write e.g. "http://pushgateway.monitoring.svc:9091"');
  }
  const pushgatewayEgress = checkEgress(problems, 'pushgatewayEgress', props.pushgatewayEgress, false);
  if (pushgatewayUrl !== undefined && props.pushgatewayEgress === undefined) {
    problems.add('pushgatewayEgress', 'is required with pushgatewayUrl', undefined, 'name the Pushgateway pods, e.g. EgressTarget.podsInNamespace("monitoring", { "app.kubernetes.io/name": "prometheus-pushgateway" }, 9091)');
  }

  // Job settings (K35–K41) and the credential lifetime (F9).
  const deadlines = resolveDeadlines(problems, props, env);
  const jobs: BackupPlanJobSettings = {
    startingDeadlineSeconds: props.startingDeadlineSeconds ?? 3600,
    backoffLimit: props.backoffLimit ?? 2,
    ttlSecondsAfterFinished: props.ttlSecondsAfterFinished ?? 7 * 86_400,
    successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? 3,
    failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? 3,
  };
  checkInt(problems, 'startingDeadlineSeconds', jobs.startingDeadlineSeconds, 60, 86_400, 'a missed start may be made up within this many seconds; use e.g. 3600 (K36)');
  checkInt(problems, 'backoffLimit', jobs.backoffLimit, 1, 3, 'retry a failed pod 1 to 3 times (K38)');
  checkInt(problems, 'ttlSecondsAfterFinished', jobs.ttlSecondsAfterFinished, 3600, 90 * 86_400, 'keep finished Jobs at least an hour so the failed-job alert sees them (K39), e.g. 604800');
  checkInt(problems, 'successfulJobsHistoryLimit', jobs.successfulJobsHistoryLimit, 1, 10, 'keep 1 to 10 successful Jobs (K40)');
  checkInt(problems, 'failedJobsHistoryLimit', jobs.failedJobsHistoryLimit, 1, 10, 'keep 1 to 10 failed Jobs (K40)');

  const resources = resolveResources(problems, props, env, tenant);

  const names: BackupPlanNames = {
    namespace: tenantNames.namespace,
    cronJob: base,
    restoreDrillCronJob: `${base}${RESTORE_DRILL_SUFFIX}`,
    serviceAccount: base,
    configMap: `${base}-scripts`,
    networkPolicy: `${base}-egress`,
    vaultRole,
    vaultAuthPath,
    vaultPolicy: roleNames.authRole,
    dumpDatabaseRole: roleNames.dumpDatabaseRole,
    drillDatabaseRole: roleNames.drillDatabaseRole,
    objectPrefix: `${env.name}/${tenant.id}/`,
  };
  if (problems.all.length > before) return undefined;
  const primaryStore = primary as BackupPlanStore;
  const offsiteStore = offsite as BackupPlanStore;
  const objectsStore = objects as BackupPlanStore | undefined;
  const secret = (file: string) => `${SECRETS}/${file}`;
  // The scripts' options come from checked input: nothing is checked again (backup-script-options.ts).
  const scripts = BackupScriptConfig._fromPlan({
    env: env.name,
    tenant: tenant.id,
    ...(dbs ? { database: dbs.dbName, pgHost: dbs.dbHost, pgPort: dbs.dbPort } : {}),
    pgPassFile: secret('pgpass'),
    primary: { endpoint: primaryStore.endpoint, bucket: primaryStore.bucket, accessKeyFile: secret('primary-access-key'), secretKeyFile: secret('primary-secret-key') },
    offsite: { endpoint: offsiteStore.endpoint, bucket: offsiteStore.bucket, accessKeyFile: secret('offsite-access-key'), secretKeyFile: secret('offsite-secret-key') },
    ...(objectsStore ? { objects: { endpoint: objectsStore.endpoint, bucket: objectsStore.bucket, accessKeyFile: secret('objects-access-key'), secretKeyFile: secret('objects-secret-key') } } : {}),
    storeBackend: ObjectStoreBackend.MC,
    localRetentionDays: retention.localRetentionDays,
    offsiteRetentionDays: retention.offsiteRetentionDays,
    keepLast: retention.keepLast,
    staleAfterHours: retention.staleAfterHours,
    pruneAfterBackup: true,
    workDir: BACKUP_POD_PATHS.work,
    metricsDir: BACKUP_POD_PATHS.metrics,
    pushgatewayUrl,
    ...(dbs ? { drillPgHost: dbs.drillHost, drillPgPort: dbs.drillPort, maintenanceDatabase: dbs.maintenanceDatabase } : {}),
    drillPgPassFile: secret('drill-pgpass'),
  });
  return {
    environment: env,
    tenant,
    image: props.image,
    names,
    retention,
    deadlines: deadlines!,
    database: dbs ? { host: dbs.dbHost, port: dbs.dbPort, egress: dbs.dbEgress, credentialsPath: dbs.dbCreds!.path } : undefined,
    databaseName: dbs?.dbName,
    sslMode,
    caConfigMap: dbs ? db.caConfigMap : undefined,
    drill: dbs ? {
      host: dbs.drillHost,
      port: dbs.drillPort,
      egress: dbs.drillEgress,
      credentialsPath: dbs.drillCreds!.path,
      // The tenant's drill users start every session as the drill group (its CREATEDB; it owns what the drill creates).
      sessionRole: dbs.drillCreds!.path === `${vaultNames.databaseMount}/creds/${roleNames.drillDatabaseRole}` ? roleNames.drillGroupRole : undefined,
    } : undefined,
    primaryStore,
    offsiteStore,
    objectsStore,
    vaultTokenAudience: audience,
    vaultEgress,
    vaultAgentImage: props.vaultAgentImage,
    pushgatewayEgress,
    jobs,
    resources: resources!,
    scripts,
  };
}

/** The database and the drill server of a tenant with a database, checked (undefined fields on a problem). */
function resolveDatabases(
  problems: Problems, props: TenantBackupProps, env: Environment, tenant: Tenant, defaultName: string, sslMode: PostgresSslMode,
) {
  const db = props.database!;
  const dbEgress = checkEgress(problems, 'database.egress', db.egress, true)!;
  const dbPort = checkPort(problems, 'database.port', db.port, dbEgress);
  const dbHost = checkHost(problems, 'database.host', db.host);
  const dbName = db.name ?? defaultName;
  if (typeof dbName !== 'string' || !DATABASE.test(dbName)) {
    problems.add('database.name', 'is not an acceptable database name', dbName, 'use letters, digits, "_", "-" and "." (at most 63 characters; no "=")');
  }
  if (!Object.values(PostgresSslMode).includes(sslMode)) {
    problems.add('database.sslMode', 'is not a PostgresSslMode', sslMode, 'use PostgresSslMode.VERIFY_FULL, VERIFY_CA, REQUIRE or DISABLE');
  }
  const verifying = sslMode === PostgresSslMode.VERIFY_FULL || sslMode === PostgresSslMode.VERIFY_CA;
  if (db.caConfigMap !== undefined) {
    const p = dnsLabelProblem(db.caConfigMap, 253);
    if (p) problems.add('database.caConfigMap', p, db.caConfigMap, 'name a ConfigMap in the tenant namespace, e.g. "postgres-ca"');
  } else if (verifying) {
    problems.add('database.caConfigMap', `is required with sslMode ${sslMode}`, undefined, 'name a ConfigMap in the tenant namespace holding the server CA as "ca.crt", or choose PostgresSslMode.REQUIRE');
  }
  const dbCreds = resolveCredentials(problems, 'database.credentials', db.credentials ?? VaultRef.databaseCreds('tenant-backup'), VaultEngine.DATABASE, env, tenant);

  const drill = props.restoreDrill ?? {};
  const drillEgress = drill.egress === undefined ? dbEgress : checkEgress(problems, 'restoreDrill.egress', drill.egress, false)!;
  const drillPort = drill.port === undefined && drill.egress === undefined ? dbPort : checkPort(problems, 'restoreDrill.port', drill.port, drillEgress);
  const drillHost = drill.host === undefined ? dbHost : checkHost(problems, 'restoreDrill.host', drill.host);
  const drillCreds = resolveCredentials(problems, 'restoreDrill.credentials', drill.credentials ?? VaultRef.databaseCreds('tenant-drill'), VaultEngine.DATABASE, env, tenant);
  const maintenanceDatabase = drill.maintenanceDatabase ?? 'postgres';
  if (typeof maintenanceDatabase !== 'string' || !DATABASE.test(maintenanceDatabase)) {
    problems.add('restoreDrill.maintenanceDatabase', 'is not an acceptable database name', maintenanceDatabase, 'use e.g. "postgres"');
  }

  return { dbEgress, dbPort, dbHost, dbName, dbCreds, drillEgress, drillPort, drillHost, drillCreds, maintenanceDatabase };
}

function resolveDeadlines(problems: Problems, props: TenantBackupProps, env: Environment): BackupPlanDeadlines | undefined {
  const dbTtl = props.databaseCredentialTtl ?? Period.hours(1);
  const dbTtlOk = dbTtl instanceof Period && dbTtl.toSeconds() >= 60;
  if (!dbTtlOk) {
    problems.add('databaseCredentialTtl', 'is not a Period of at least one minute', dbTtl, 'pass VaultBootstrap\'s databaseCredentialTtl, e.g. Period.hours(1)');
  }
  const tokenTtl = env.environmentClass.vaultTokenTtl.toSeconds();
  const lifetime = credentialLifetimeSeconds(tokenTtl, dbTtlOk ? dbTtl.toSeconds() : tokenTtl);
  const defaultDeadline = defaultJobDeadlineSeconds(lifetime);
  const backupSeconds = props.activeDeadlineSeconds ?? defaultDeadline;
  const restoreDrillSeconds = props.restoreDrill?.activeDeadlineSeconds ?? defaultDeadline;
  const lifetimeText = `min(class vaultTokenTtl ${env.environmentClass.vaultTokenTtl}, databaseCredentialTtl ${dbTtl}) = ${lifetime}s`;
  for (const [field, value] of [['activeDeadlineSeconds', backupSeconds], ['restoreDrill.activeDeadlineSeconds', restoreDrillSeconds]] as const) {
    const issue = jobDeadlineIssue(value, lifetime);
    if (issue === 'not-whole') {
      problems.add(field, `must be a whole number of seconds, at least ${MIN_JOB_DEADLINE_SECONDS}`, value, `use e.g. ${Math.max(MIN_JOB_DEADLINE_SECONDS, defaultDeadline)}; if that is below ${MIN_JOB_DEADLINE_SECONDS}, raise the class's vaultTokenTtl and databaseCredentialTtl`);
    } else if (issue === 'outlives') {
      problems.add(field, `outlives the dynamic database credentials (${lifetimeText}; a pod may run until the deadline, so it must end ${CREDENTIAL_MARGIN_SECONDS}s before them, F9)`, value,
        `use at most ${lifetime - CREDENTIAL_MARGIN_SECONDS}, or raise the class's vaultTokenTtl and VaultBootstrap's databaseCredentialTtl (and pass it here)`);
    }
  }
  if (!dbTtlOk) return undefined;
  return {
    credentialLifetimeSeconds: lifetime,
    databaseCredentialTtlSeconds: dbTtl.toSeconds(),
    backupSeconds,
    restoreDrillSeconds,
    longestSeconds: Math.max(backupSeconds, restoreDrillSeconds),
  };
}

/** Resources (K32–K34), within the namespace's LimitRange (K09–K11). */
function resolveResources(problems: Problems, props: TenantBackupProps, env: Environment, tenant: Tenant): BackupPlanResources | undefined {
  const res = {
    cpuRequest: checkQuantityProp(problems, 'cpuRequest', props.cpuRequest, QuantityKind.CPU, '250m'),
    cpuLimit: checkQuantityProp(problems, 'cpuLimit', props.cpuLimit, QuantityKind.CPU, '1'),
    memoryRequest: checkQuantityProp(problems, 'memoryRequest', props.memoryRequest, QuantityKind.BYTES, '512Mi'),
    memoryLimit: checkQuantityProp(problems, 'memoryLimit', props.memoryLimit, QuantityKind.BYTES, '512Mi'),
    work: checkQuantityProp(problems, 'workVolumeSize', props.workVolumeSize, QuantityKind.BYTES, '2Gi'),
  };
  const ephemeral = res.work ? `${Math.ceil(res.work.toNumber() / 2 ** 20) + BACKUP_EPHEMERAL_HEADROOM_MIB}Mi` : undefined;
  if (res.cpuRequest && res.cpuLimit && res.cpuRequest.isGreaterThan(res.cpuLimit)) {
    problems.add('cpuRequest', `is above cpuLimit ${res.cpuLimit}`, res.cpuRequest.toString(), 'make the request at most the limit (B09)');
  }
  if (res.memoryRequest && res.memoryLimit && res.memoryRequest.isGreaterThan(res.memoryLimit)) {
    problems.add('memoryRequest', `is above memoryLimit ${res.memoryLimit}`, res.memoryRequest.toString(), 'make the request at most the limit (B09)');
  }
  const profile = (tenant.quota ?? env.environmentClass.quota).props;
  const maxima: Array<[string, Quantity | undefined, string, QuantityKind]> = [
    ['cpuLimit', res.cpuLimit, profile.containerMaxCpu, QuantityKind.CPU],
    ['memoryLimit', res.memoryLimit, profile.containerMaxMemory, QuantityKind.BYTES],
    ['workVolumeSize', ephemeral ? Quantity.parse(ephemeral, QuantityKind.BYTES) : undefined, profile.containerMaxEphemeralStorage, QuantityKind.BYTES],
  ];
  for (const [field, value, max, kind] of maxima) {
    if (value && value.isGreaterThan(Quantity.parse(max, kind))) {
      problems.add(field, `gives the container ${value} (ephemeral storage is workVolumeSize + ${BACKUP_EPHEMERAL_HEADROOM_MIB}Mi), above the LimitRange maximum ${max} of quota profile "${profile.name}"`, value.toString(),
        'lower it, or give the tenant a larger QuotaProfile (K09–K11)');
    }
  }
  if (!res.cpuRequest || !res.cpuLimit || !res.memoryRequest || !res.memoryLimit || !res.work) return undefined;
  return {
    cpuRequest: res.cpuRequest,
    cpuLimit: res.cpuLimit,
    memoryRequest: res.memoryRequest,
    memoryLimit: res.memoryLimit,
    workVolumeSize: res.work,
    ephemeralStorage: ephemeral!,
  };
}

function checkInt(problems: Problems, field: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.add(field, `must be a whole number from ${min} to ${max}`, value, fix);
  }
}

function checkHost(problems: Problems, field: string, host: string): string {
  if (typeof host !== 'string' || !HOST.test(host) || host.length > 253) {
    problems.add(field, 'is not a host name or address', host, 'write e.g. "postgres.databases.svc" (no scheme, port or credentials)');
  }
  return host;
}

function checkEgress(problems: Problems, field: string, target: EgressTarget | undefined, required: boolean): EgressTarget | undefined {
  if (target === undefined) {
    if (required) problems.add(field, 'is required', undefined, 'use EgressTarget.cidr("10.20.0.0/24", 5432) or EgressTarget.podsInNamespace(...)');
    return undefined;
  }
  if (!(target instanceof EgressTarget)) {
    problems.add(field, 'is not an EgressTarget', target, 'use EgressTarget.cidr(...) or EgressTarget.podsInNamespace(...)');
    return undefined;
  }
  return target;
}

function checkPort(problems: Problems, field: string, port: number | undefined, egress: EgressTarget | undefined): number {
  const value = port ?? egress?.port ?? 5432;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    problems.add(field, 'is not a TCP port', value, 'use an integer from 1 to 65535');
  }
  return value;
}

function checkQuantityProp(
  problems: Problems, field: string, value: Quantity | undefined, kind: QuantityKind, fallback: string,
): Quantity | undefined {
  if (value === undefined) return Quantity.parse(fallback, kind);
  if (!(value instanceof Quantity) || value.kind !== kind) {
    problems.add(field, `is not a ${kind} Quantity`, value, `use Quantity.parse("${fallback}", QuantityKind.${kind === QuantityKind.CPU ? 'CPU' : 'BYTES'})`);
    return undefined;
  }
  return value;
}

/** The absolute Vault path (and KV field) of a reference, confined to this environment and tenant (V02, V12). */
function resolveCredentials(
  problems: Problems, field: string, ref: VaultRef, engine: VaultEngine, env: Environment, tenant: Tenant,
): BackupSecretField | undefined {
  if (!(ref instanceof VaultRef)) {
    problems.add(field, 'is not a VaultRef', ref, engine === VaultEngine.KV ? 'use VaultRef.kv("backup/primary-store", "access_key")' : 'use VaultRef.databaseCreds("tenant-db")');
    return undefined;
  }
  const got = ref.toString();
  if (ref.engine !== engine) {
    problems.add(field, `is a ${ref.engine} reference, not ${engine}`, got, engine === VaultEngine.KV ? 'use VaultRef.kv("<path>", "<field>")' : 'use VaultRef.databaseCreds("<role>")');
    return undefined;
  }
  if (!ref.isRelative && ref.mountEnvironment !== env.name) {
    problems.add(field, `points at environment "${ref.mountEnvironment}"'s mount from environment "${env.name}"`, got, 'write the relative form (database/creds/..., kv/data/...): an environment only reads its own mounts (V12)');
    return undefined;
  }
  if (engine === VaultEngine.DATABASE) {
    if (ref.key !== undefined) problems.add(field, 'names a field', got, 'leave the field out: the username and password are both used');
    const role = ref.isTenantPlaceholder ? `${tenant.id}-${ref.role!.slice('tenant-'.length)}` : ref.role!;
    return { path: `${environmentVaultNames(env).databaseMount}/creds/${role}`, field: '' };
  }
  const prefix = tenantVaultNames(env, tenant).kvDataPrefix;
  const path = ref.isRelative ? `${prefix}/${ref.kvPath}` : ref.path;
  if (!path.startsWith(`${prefix}/`)) {
    problems.add(field, `is outside tenant "${tenant.id}"'s prefix ${prefix}/`, got, 'write the tenant-relative form VaultRef.kv("<path>", "<field>") (V02)');
    return undefined;
  }
  if (ref.key === undefined) {
    problems.add(field, 'names no field', got, 'name the field, e.g. VaultRef.kv("backup/primary-store", "access_key")');
    return undefined;
  }
  return { path, field: ref.key };
}

/**
 * Whether a tenant of an environment gets a backup (a TenantBackupPlan, its CronJobs and Vault access): the class backs
 * up, and the tenant has a database or object storage whose prefix the backups mirror (`objectsBackedUp`: the platform
 * has a tenant object store). One rule for the Platform, the inventory and the alerts.
 */
export function tenantHasBackup(env: Environment, tenant: Tenant, objectsBackedUp: boolean): boolean {
  return env.environmentClass.backup.enabled && (tenant.database || (tenant.objectStorage && objectsBackedUp));
}

/** KV path (tenant-relative) of a tenant's own object-store keys, `access_key` and `secret_key`. */
export const TENANT_OBJECT_STORE_KV = 'object-store';

function resolveStore(
  problems: Problems, field: string, alias: string, store: BackupObjectStoreProps | undefined, env: Environment, tenant: Tenant,
  kvPath: string = `backup/${alias}-store`,
): Partial<BackupPlanStore> {
  if (store === undefined || store === null) {
    problems.add(field, 'is required', store, 'pass { endpoint, bucket, egress }');
    return { alias };
  }
  if (typeof store.endpoint !== 'string' || !STORE_ENDPOINT.test(store.endpoint)) {
    problems.add(`${field}.endpoint`, 'is not an http(s)://host[:port] URL without path or credentials', store.endpoint, 'write e.g. "https://minio.backup.svc:9000"; keys come from Vault (B13)');
  }
  if (!isBucketName(store.bucket)) {
    problems.add(`${field}.bucket`, 'is not an S3 bucket name', store.bucket, 'use 3–63 lower-case letters, digits, "." and "-" (B15)');
  }
  const egress = checkEgress(problems, `${field}.egress`, store.egress, true);
  const accessKey = resolveCredentials(problems, `${field}.accessKey`, store.accessKey ?? VaultRef.kv(kvPath, 'access_key'), VaultEngine.KV, env, tenant);
  const secretKey = resolveCredentials(problems, `${field}.secretKey`, store.secretKey ?? VaultRef.kv(kvPath, 'secret_key'), VaultEngine.KV, env, tenant);
  return { alias, endpoint: store.endpoint, bucket: store.bucket, egress, accessKey, secretKey };
}

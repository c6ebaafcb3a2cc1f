import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  BACKUP_EXIT_CODES,
  BACKUP_METRIC_KINDS,
  BACKUP_METRICS,
  BACKUP_SCRIPT_FILES,
  BackupScriptOptions,
  ObjectStoreBackend,
  renderBackupScripts,
} from './backup-scripts';
import { cronProblem, isTimeZone } from '../model/cron';
import { EgressTarget } from '../model/egress-target';
import { Environment } from '../model/environment';
import { ContainerImage } from '../model/image';
import { DOMAIN, tenantKvPrefix, tenantLabels } from '../model/labels';
import { backupJobNames, backupVaultRoleNames, dnsLabelProblem, NAME_LIMITS, RESTORE_DRILL_SUFFIX } from '../model/naming';
import { Period } from '../model/period';
import { Problems, show } from '../model/problems';
import { Quantity, QuantityKind } from '../model/quantity';
import { Tenant } from '../model/tenant';
import { tenantDatabaseNames } from '../model/tenant-database';
import { environmentVaultNames, tenantVaultNames, VaultEngine, VaultRef } from '../model/vault-ref';

/**
 * The per-tenant PostgreSQL backup of spec §10 as Kubernetes objects: the scripts of `backup-scripts.ts` in a
 * ConfigMap, a dedicated ServiceAccount, a `pg_dump` CronJob (dump → verify → publish → offsite mirror → prune), a
 * restore-drill CronJob, and a NetworkPolicy that lets exactly those pods reach the database, the object stores,
 * Vault and the Pushgateway. Credentials arrive as files rendered by the Vault Agent injector (F9); nothing secret
 * is ever written into the manifests.
 *
 * ## Credential lifetime (F9)
 *
 * The agent runs only as an init container (`agent-pre-populate-only`): a Job with a sidecar never completes. So
 * nothing renews what it fetched, and the dynamic database credentials live until the first of
 * - their lease TTL (`databaseCredentialTtl`, VaultBootstrap's `databaseCredentialTtl`, default 1 h), and
 * - the agent's Vault token TTL (the class's `vaultTokenTtl`): Vault revokes every lease of a token when the token
 *   expires, and the revocation drops the PostgreSQL role.
 * Both start after the Job does, so `activeDeadlineSeconds + 60 s ≤ min(those two)` guarantees that no pod of the
 * Job outlives its credentials. It is checked at synth time; the default deadline is that minimum less 5 minutes.
 */

/** Where credential files are rendered by the Vault Agent (`/vault/secrets/<file>`). */
export const VAULT_SECRETS_DIR = '/vault/secrets';
/** UID and GID of every backup container (K25). */
export const BACKUP_UID = 10001;
/** Name of the libpq service in the rendered service file (`PGSERVICE`). */
export const BACKUP_PG_SERVICE = 'inopsio-backup';

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

/** Props of a BackupSchedule. */
export interface BackupScheduleProps {
  /** The environment; its class's BackupPolicy supplies schedule, time zone and retention. */
  readonly environment: Environment;
  /** The tenant whose database is backed up. */
  readonly tenant: Tenant;
  /**
   * The backup tool image, pinned by digest (K30): bash, pg_dump/pg_restore/psql of at least the server's major
   * version, coreutils, `mc`, and curl when a Pushgateway is used. There is no default.
   */
  readonly image: ContainerImage;
  /** The database to back up. */
  readonly database: BackupDatabaseProps;
  /** The primary ("local") store: 30 days by default. */
  readonly primaryStore: BackupObjectStoreProps;
  /** The offsite store receiving `mc mirror` copies: 90 days by default; versioned and object-locked. */
  readonly offsiteStore: BackupObjectStoreProps;
  /**
   * The tenants' object storage (issue 23): each tenant's prefix `<bucket>/<env>/<tenant>/` is mirrored into the
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
   * @default - `backup-<env>-<tenant>`, truncated with a hash suffix to 38 characters
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
   * @default 'vault'
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

const SCRIPTS_MOUNT = '/scripts';
const WORK_DIR = '/work';
const METRICS_DIR = '/metrics';
const CA_MOUNT = '/etc/inopsio/postgres-ca';
const TOKEN_VOLUME = 'vault-token';
const TOKEN_EXPIRATION_SECONDS = 600;
const CREDENTIAL_MARGIN_SECONDS = 60;
const DEFAULT_DEADLINE_SLACK_SECONDS = 300;
const EPHEMERAL_HEADROOM_MIB = 256;
const DRILL_SUFFIX = RESTORE_DRILL_SUFFIX;
const BASE_NAME_LIMIT = NAME_LIMITS.cronJob - DRILL_SUFFIX.length;
const JOB_NAME_LIMIT = 63;
const BACKUP_CONTAINER = 'backup';
const DRILL_CONTAINER = 'restore-drill';
/** Resources of the injected Vault Agent init container (K32–K34). */
const AGENT_RESOURCES = { requestsCpu: '50m', limitsCpu: '250m', requestsMem: '64Mi', limitsMem: '128Mi', requestsEphemeral: '64Mi', limitsEphemeral: '128Mi' };

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DATABASE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const ENDPOINT = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;
const URL_NO_SPACE = /^https?:\/\/[^\s'"\\`$@]+$/;
const VAULT_ROLE = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
const AUTH_PATH = /^auth\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
const AUDIENCE = /^[A-Za-z0-9:/._-]{1,253}$/;

/** A credential file rendered by the agent: name under /vault/secrets, Vault path, Go template. */
interface AgentFile {
  readonly file: string;
  readonly path: string;
  readonly template: string;
}

/** A resolved, validated object store. */
interface ResolvedStore {
  readonly endpoint: string;
  readonly bucket: string;
  readonly egress: EgressTarget;
  readonly accessKey?: { path: string; key: string };
  readonly secretKey?: { path: string; key: string };
}

/**
 * Scheduled, verified PostgreSQL backups of one tenant database in one environment (spec §10, DESIGN.md
 * "BackupSchedule"), with a weekly restore drill and an on-demand backup Job for decommissioning and archiving
 * (spec §8, §9). Every generated object is a child `ApiObject` exposed as a property.
 */
export class BackupSchedule extends Construct {
  /** The backup CronJob (`bash /scripts/backup.sh`): dump, verify, publish, offsite mirror, prune. */
  public readonly cronJob: ApiObject;
  /** The restore-drill CronJob (`bash /scripts/restore-drill.sh`). */
  public readonly restoreDrillCronJob: ApiObject;
  /** The ConfigMap with `backup.sh`, `prune.sh` and `restore-drill.sh`. */
  public readonly configMap: ApiObject;
  /** The dedicated ServiceAccount (no API token mounted). */
  public readonly serviceAccount: ApiObject;
  /** Egress of the backup pods: database, object stores, Vault, Pushgateway. */
  public readonly networkPolicy: ApiObject;
  /** The tenant namespace every object is in. */
  public readonly namespace: string;
  /** Name of the backup CronJob (≤ 52 characters, starts with `backup-` unless `name` was given). */
  public readonly cronJobName: string;
  /** Name of the restore-drill CronJob (≤ 52 characters). */
  public readonly restoreDrillCronJobName: string;
  /** Name of the ServiceAccount: the Vault auth role must be bound to it (V07). */
  public readonly serviceAccountName: string;
  /** Name of the ConfigMap. */
  public readonly configMapName: string;
  /** Name of the NetworkPolicy. */
  public readonly networkPolicyName: string;
  /** The Vault Kubernetes auth role the pods log in with. */
  public readonly vaultRole: string;
  /** The Vault login path. */
  public readonly vaultAuthPath: string;
  /** Every Vault path the pods read (for the role's policy), sorted. */
  public readonly vaultSecretPaths: string[];
  /** Labels that select the backup and drill pods (the NetworkPolicy's podSelector). */
  public readonly podSelectorLabels: { [key: string]: string };
  /** The options the ConfigMap's scripts were rendered with: `renderBackupScripts(scriptOptions)` is the ConfigMap. */
  public readonly scriptOptions: BackupScriptOptions;
  /** Values of the `kind` label of the backup metrics (`dump`, `offsite`, `prune`, `drill`). */
  public readonly metricKinds: string[];
  /** Names of the metrics the scripts export. */
  public readonly metricNames: string[];
  /** Cron schedule of the backup. */
  public readonly schedule: string;
  /** Cron schedule of the restore drill. */
  public readonly restoreDrillSchedule: string;
  /** IANA time zone of both schedules. */
  public readonly timeZone: string;
  /** Deadline of one backup Job in seconds. */
  public readonly activeDeadlineSeconds: number;
  /** Deadline of one restore-drill Job in seconds. */
  public readonly restoreDrillActiveDeadlineSeconds: number;
  /** Seconds the fetched credentials live: min(class vaultTokenTtl, databaseCredentialTtl). */
  public readonly credentialLifetimeSeconds: number;
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  private readonly backupJobTemplate: { metadata: any; spec: any };

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    const env = props.environment;
    const tenant = props.tenant;
    if (!(env instanceof Environment)) problems.add('environment', 'is not an Environment', env, 'pass new Environment({...})');
    if (!(tenant instanceof Tenant)) problems.add('tenant', 'is not a Tenant', tenant, 'pass new Tenant({...}) or one of environment.tenants');
    problems.throwIfAny();

    const policy = env.environmentClass.backup;
    if (!policy.enabled) {
      problems.add('environment', `has class "${env.environmentClass.name}", which keeps no backups (BackupPolicy.NONE)`, env.name, 'do not create a BackupSchedule here, or give the class BackupPolicy.DAILY');
    } else if (!policy.offsite) {
      problems.add('environment', `has class "${env.environmentClass.name}" whose backup policy has offsite: false`, env.name, 'the backup always copies offsite (spec §10: 90 days offsite); use a policy with offsite: true');
    }
    if (!tenant.database) {
      problems.add('tenant', 'has no database (database: false)', tenant.id, 'back up only tenants with database: true');
    }
    if (!ContainerImage.isContainerImage(props.image)) {
      problems.add('image', 'is not a ContainerImage', props.image, 'use ContainerImage.fromDigest("registry.example.com/team/pg-backup@sha256:<digest>")');
    }
    if (props.vaultAgentImage !== undefined && !ContainerImage.isContainerImage(props.vaultAgentImage)) {
      problems.add('vaultAgentImage', 'is not a ContainerImage', props.vaultAgentImage, 'use ContainerImage.fromDigest("docker.io/hashicorp/vault@sha256:<digest>") or leave it unset');
    }

    // Names, checked after composition (B02).
    const names = tenantVaultNames(env, tenant);
    this.environment = env;
    this.tenant = tenant;
    this.namespace = names.namespace;
    const base = props.name ?? backupJobNames(env.name, tenant.id).cronJob;
    const baseProblem = dnsLabelProblem(base, BASE_NAME_LIMIT);
    if (baseProblem) {
      problems.add('name', baseProblem, base, `use a DNS-1123 label of at most ${BASE_NAME_LIMIT} characters, so that "<name>${DRILL_SUFFIX}" fits the CronJob limit of ${NAME_LIMITS.cronJob}`);
    }
    this.cronJobName = base;
    this.restoreDrillCronJobName = `${base}${DRILL_SUFFIX}`;
    this.serviceAccountName = base;
    this.configMapName = `${base}-scripts`;
    this.networkPolicyName = `${base}-egress`;

    // Schedule and retention: the class's policy, overridable, validated as BackupPolicy does (B05, B06).
    this.schedule = props.schedule ?? policy.schedule;
    this.restoreDrillSchedule = props.restoreDrillSchedule ?? policy.restoreDrillSchedule;
    this.timeZone = props.timeZone ?? policy.timeZone;
    const localRetentionDays = props.localRetentionDays ?? policy.localRetentionDays;
    const offsiteRetentionDays = props.offsiteRetentionDays ?? policy.offsiteRetentionDays;
    const keepLast = props.keepLast ?? policy.keepLast;
    const staleAfterHours = props.staleAfterHours ?? policy.staleAfterHours;
    for (const [field, value] of [['schedule', this.schedule], ['restoreDrillSchedule', this.restoreDrillSchedule]] as const) {
      const issue = cronProblem(value);
      if (issue) problems.add(field, issue, value, 'use five cron fields such as "15 2 * * *" and set timeZone separately');
    }
    if (!isTimeZone(this.timeZone)) {
      problems.add('timeZone', 'is not an IANA time zone', this.timeZone, 'use a name such as "Etc/UTC" or "Europe/Berlin" (K41)');
    }
    if (!Number.isInteger(localRetentionDays) || localRetentionDays < 1) {
      problems.add('localRetentionDays', 'must be a whole number of at least 1', localRetentionDays, 'keep local backups for 1 day or more (default 30)');
    }
    if (!Number.isInteger(offsiteRetentionDays) || offsiteRetentionDays < localRetentionDays) {
      problems.add('offsiteRetentionDays', `must be a whole number not below localRetentionDays ${show(localRetentionDays)}`, offsiteRetentionDays, 'keep offsite copies at least as long as local ones (default 90)');
    }
    const minKeep = env.isProduction ? 2 : 1;
    if (!Number.isInteger(keepLast) || keepLast < minKeep) {
      problems.add('keepLast', `must be a whole number of at least ${minKeep}${env.isProduction ? ' in production' : ''}`, keepLast, env.isProduction ? 'keep at least the two newest verified backups (B06)' : 'always keep at least the newest verified backup (B06)');
    }
    if (!Number.isInteger(staleAfterHours) || staleAfterHours < 1) {
      problems.add('staleAfterHours', 'must be a whole number of at least 1', staleAfterHours, 'use a little more than the schedule interval, e.g. 26 for a daily backup');
    }

    // Database, drill and stores.
    const db = props.database ?? ({} as BackupDatabaseProps);
    const dbEgress = checkEgress(problems, 'database.egress', db.egress, true)!;
    const dbPort = checkPort(problems, 'database.port', db.port, dbEgress);
    const dbHost = checkHost(problems, 'database.host', db.host);
    const dbName = db.name ?? names.databaseName;
    if (typeof dbName !== 'string' || !DATABASE.test(dbName)) {
      problems.add('database.name', 'is not an acceptable database name', dbName, 'use letters, digits, "_", "-" and "." (at most 63 characters; no "=")');
    }
    const sslMode = db.sslMode ?? PostgresSslMode.VERIFY_FULL;
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
    this.vaultRole = props.vaultRole ?? backupVaultRoleNames(env.name, tenant.id).authRole;
    this.vaultAuthPath = props.vaultAuthPath ?? `auth/${vaultNames.kubernetesAuthMount}`;
    const audience = props.vaultTokenAudience ?? 'vault';
    if (typeof this.vaultRole !== 'string' || !VAULT_ROLE.test(this.vaultRole) || this.vaultRole.length > 128) {
      problems.add('vaultRole', 'is not a Vault role name', this.vaultRole, 'use lower-case letters, digits, "-" and "_", e.g. "prod-acme-backup"');
    }
    if (typeof this.vaultAuthPath !== 'string' || !AUTH_PATH.test(this.vaultAuthPath)) {
      problems.add('vaultAuthPath', 'is not a Vault auth login path', this.vaultAuthPath, `write e.g. "auth/${vaultNames.kubernetesAuthMount}"`);
    }
    if (typeof audience !== 'string' || !AUDIENCE.test(audience)) {
      problems.add('vaultTokenAudience', 'is not an audience', audience, 'use the auth role\'s audience, e.g. "vault" (V07)');
    }
    const vaultEgress = checkEgress(problems, 'vaultEgress', props.vaultEgress, false);

    // Metrics.
    const pushgatewayUrl = props.pushgatewayUrl;
    if (pushgatewayUrl !== undefined && (typeof pushgatewayUrl !== 'string' || !URL_NO_SPACE.test(pushgatewayUrl))) {
      problems.add('pushgatewayUrl', 'is not an http(s) URL without credentials', pushgatewayUrl, 'write e.g. "http://pushgateway.monitoring.svc:9091"');
    }
    const pushgatewayEgress = checkEgress(problems, 'pushgatewayEgress', props.pushgatewayEgress, false);
    if (pushgatewayUrl !== undefined && props.pushgatewayEgress === undefined) {
      problems.add('pushgatewayEgress', 'is required with pushgatewayUrl', undefined, 'name the Pushgateway pods, e.g. EgressTarget.podsInNamespace("monitoring", { "app.kubernetes.io/name": "prometheus-pushgateway" }, 9091)');
    }

    // Job settings (K35–K41) and the credential lifetime (F9).
    const dbTtl = props.databaseCredentialTtl ?? Period.hours(1);
    if (!(dbTtl instanceof Period) || dbTtl.toSeconds() < 60) {
      problems.add('databaseCredentialTtl', 'is not a Period of at least one minute', dbTtl, 'pass VaultBootstrap\'s databaseCredentialTtl, e.g. Period.hours(1)');
    }
    const tokenTtl = env.environmentClass.vaultTokenTtl.toSeconds();
    this.credentialLifetimeSeconds = Math.min(tokenTtl, dbTtl instanceof Period ? dbTtl.toSeconds() : tokenTtl);
    const defaultDeadline = this.credentialLifetimeSeconds - DEFAULT_DEADLINE_SLACK_SECONDS;
    this.activeDeadlineSeconds = props.activeDeadlineSeconds ?? defaultDeadline;
    this.restoreDrillActiveDeadlineSeconds = drill.activeDeadlineSeconds ?? defaultDeadline;
    const lifetimeText = `min(class vaultTokenTtl ${env.environmentClass.vaultTokenTtl}, databaseCredentialTtl ${dbTtl}) = ${this.credentialLifetimeSeconds}s`;
    for (const [field, value] of [['activeDeadlineSeconds', this.activeDeadlineSeconds], ['restoreDrill.activeDeadlineSeconds', this.restoreDrillActiveDeadlineSeconds]] as const) {
      if (!Number.isInteger(value) || value < 60) {
        problems.add(field, 'must be a whole number of seconds, at least 60', value, `use e.g. ${Math.max(60, defaultDeadline)}; if that is below 60, raise the class's vaultTokenTtl and databaseCredentialTtl`);
      } else if (value + CREDENTIAL_MARGIN_SECONDS > this.credentialLifetimeSeconds) {
        problems.add(field, `outlives the dynamic database credentials (${lifetimeText}; a pod may run until the deadline, so it must end ${CREDENTIAL_MARGIN_SECONDS}s before them, F9)`, value,
          `use at most ${this.credentialLifetimeSeconds - CREDENTIAL_MARGIN_SECONDS}, or raise the class's vaultTokenTtl and VaultBootstrap's databaseCredentialTtl (and pass it here)`);
      }
    }
    const startingDeadlineSeconds = props.startingDeadlineSeconds ?? 3600;
    const backoffLimit = props.backoffLimit ?? 2;
    const ttlSecondsAfterFinished = props.ttlSecondsAfterFinished ?? 7 * 86_400;
    const successfulJobsHistoryLimit = props.successfulJobsHistoryLimit ?? 3;
    const failedJobsHistoryLimit = props.failedJobsHistoryLimit ?? 3;
    checkInt(problems, 'startingDeadlineSeconds', startingDeadlineSeconds, 60, 86_400, 'a missed start may be made up within this many seconds; use e.g. 3600 (K36)');
    checkInt(problems, 'backoffLimit', backoffLimit, 1, 3, 'retry a failed pod 1 to 3 times (K38)');
    checkInt(problems, 'ttlSecondsAfterFinished', ttlSecondsAfterFinished, 3600, 90 * 86_400, 'keep finished Jobs at least an hour so the failed-job alert sees them (K39), e.g. 604800');
    checkInt(problems, 'successfulJobsHistoryLimit', successfulJobsHistoryLimit, 1, 10, 'keep 1 to 10 successful Jobs (K40)');
    checkInt(problems, 'failedJobsHistoryLimit', failedJobsHistoryLimit, 1, 10, 'keep 1 to 10 failed Jobs (K40)');

    // Resources (K32–K34), within the namespace's LimitRange (K09–K11).
    const res = {
      cpuRequest: checkQuantityProp(problems, 'cpuRequest', props.cpuRequest, QuantityKind.CPU, '250m'),
      cpuLimit: checkQuantityProp(problems, 'cpuLimit', props.cpuLimit, QuantityKind.CPU, '1'),
      memoryRequest: checkQuantityProp(problems, 'memoryRequest', props.memoryRequest, QuantityKind.BYTES, '512Mi'),
      memoryLimit: checkQuantityProp(problems, 'memoryLimit', props.memoryLimit, QuantityKind.BYTES, '512Mi'),
      work: checkQuantityProp(problems, 'workVolumeSize', props.workVolumeSize, QuantityKind.BYTES, '2Gi'),
    };
    const ephemeral = res.work ? `${Math.ceil(res.work.toNumber() / 2 ** 20) + EPHEMERAL_HEADROOM_MIB}Mi` : undefined;
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
        problems.add(field, `gives the container ${value} (ephemeral storage is workVolumeSize + ${EPHEMERAL_HEADROOM_MIB}Mi), above the LimitRange maximum ${max} of quota profile "${profile.name}"`, value.toString(),
          'lower it, or give the tenant a larger QuotaProfile (K09–K11)');
      }
    }

    // The scripts: exactly what backup-scripts.test.ts runs against PostgreSQL.
    const secret = (file: string) => `${VAULT_SECRETS_DIR}/${file}`;
    this.scriptOptions = {
      env: env.name,
      tenant: tenant.id,
      database: dbName,
      pgHost: dbHost,
      pgPort: dbPort,
      pgPassFile: secret('pgpass'),
      primary: { endpoint: primary.endpoint, bucket: primary.bucket, accessKeyFile: secret('primary-access-key'), secretKeyFile: secret('primary-secret-key') },
      offsite: { endpoint: offsite.endpoint, bucket: offsite.bucket, accessKeyFile: secret('offsite-access-key'), secretKeyFile: secret('offsite-secret-key') },
      ...(objects ? { objects: { endpoint: objects.endpoint, bucket: objects.bucket, accessKeyFile: secret('objects-access-key'), secretKeyFile: secret('objects-secret-key') } } : {}),
      storeBackend: ObjectStoreBackend.MC,
      localRetentionDays,
      offsiteRetentionDays,
      keepLatest: keepLast,
      stalenessHours: staleAfterHours,
      pruneAfterBackup: true,
      workDir: WORK_DIR,
      metricsDir: METRICS_DIR,
      pushgatewayUrl,
      drillPgHost: drillHost,
      drillPgPort: drillPort,
      drillPgPassFile: secret('drill-pgpass'),
      maintenanceDatabase,
    };
    if (problems.isEmpty) {
      try {
        renderBackupScripts(this.scriptOptions); // refuses options it cannot render; the text is rendered at synth
      } catch (e) {
        problems.add('scripts', 'cannot be rendered', (e as Error).message, 'fix the option named in the message');
      }
    }
    problems.throwIfAny();

    this.metricKinds = [...BACKUP_METRIC_KINDS];
    this.metricNames = BACKUP_METRICS.map(m => m.name);
    this.podSelectorLabels = { [`${DOMAIN}/backup-schedule`]: base };
    const labels = (component: string) => ({
      ...tenantLabels(env, tenant, 'backup'),
      'app.kubernetes.io/component': component,
      ...this.podSelectorLabels,
    });
    const meta = (name: string, component: string) => ({ name, namespace: this.namespace, labels: labels(component) });

    this.configMap = new ApiObject(this, 'Scripts', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(this.configMapName, 'scripts'),
      // Rendered when the chart is synthesized, not kept: about 76 KB per tenant and environment (docs/performance.md).
      data: Lazy.any({ produce: () => renderBackupScripts(this.scriptOptions) }),
    });
    // K19–K20: one ServiceAccount for these pods; the Vault agent gets an audience-bound projected token instead.
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(this.serviceAccountName, 'service-account'),
      automountServiceAccountToken: false,
    });

    // K05–K07: egress of the backup pods only to what they talk to.
    const targets = [dbEgress, drillEgress, primary.egress, offsite.egress, objects?.egress, vaultEgress, pushgatewayEgress]
      .filter((t): t is EgressTarget => t !== undefined);
    const rules: any[] = [];
    const seen = new Set<string>();
    for (const t of targets) {
      const rule = {
        to: [t.cidrBlock
          ? { ipBlock: { cidr: t.cidrBlock } }
          : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.namespace! } }, podSelector: { matchLabels: { ...t.podLabels } } }],
        ports: [{ protocol: 'TCP', port: t.port }],
      };
      const key = JSON.stringify(rule);
      if (!seen.has(key)) {
        seen.add(key);
        rules.push(rule);
      }
    }
    this.networkPolicy = new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(this.networkPolicyName, 'network-policy'),
      spec: { podSelector: { matchLabels: { ...this.podSelectorLabels } }, policyTypes: ['Egress'], egress: rules },
    });

    // Credential files (F9): rendered by the agent into the pod's memory volume, read by the scripts at run time.
    const storeFiles = (alias: string, s: ResolvedStore): AgentFile[] => [
      { file: `${alias}-access-key`, path: s.accessKey!.path, template: kvTemplate(s.accessKey!.path, s.accessKey!.key) },
      { file: `${alias}-secret-key`, path: s.secretKey!.path, template: kvTemplate(s.secretKey!.path, s.secretKey!.key) },
    ];
    const backupFiles: AgentFile[] = [
      { file: 'pgpass', path: dbCreds!.path, template: pgpassTemplate(dbCreds!.path) },
      { file: 'pg-service.conf', path: dbCreds!.path, template: pgServiceTemplate(dbCreds!.path) },
      ...storeFiles('primary', primary),
      ...storeFiles('offsite', offsite),
      ...(objects ? storeFiles('objects', objects) : []),
    ];
    const defaultDrillPath = `${environmentVaultNames(env).databaseMount}/creds/${backupVaultRoleNames(env.name, tenant.id).drillDatabaseRole}`;
    const drillFiles: AgentFile[] = [
      { file: 'drill-pgpass', path: drillCreds!.path, template: pgpassTemplate(drillCreds!.path) },
      // The tenant's drill users start every session as the drill group (its CREATEDB; it owns what the drill creates).
      { file: 'drill-pg-service.conf', path: drillCreds!.path, template: pgServiceTemplate(drillCreds!.path, drillCreds!.path === defaultDrillPath ? tenantDatabaseNames(env, tenant).drillRole : undefined) },
      ...storeFiles('primary', primary),
    ];
    this.vaultSecretPaths = [...new Set([...backupFiles, ...drillFiles].map(f => f.path))].sort();

    const pod = (container: string, component: string, script: string, serviceFile: string, files: AgentFile[]) => {
      const annotations: { [key: string]: string } = {
        'vault.hashicorp.com/agent-inject': 'true',
        // A sidecar would keep the Job running forever: fetch once, in an init container, before the script starts.
        'vault.hashicorp.com/agent-pre-populate-only': 'true',
        'vault.hashicorp.com/agent-init-first': 'true',
        'vault.hashicorp.com/agent-inject-containers': container,
        'vault.hashicorp.com/role': this.vaultRole,
        'vault.hashicorp.com/auth-path': this.vaultAuthPath,
        'vault.hashicorp.com/agent-service-account-token-volume-name': TOKEN_VOLUME,
        // The agent runs as the same UID/GID as the script (K25), so the 0400 files below are readable by both.
        'vault.hashicorp.com/agent-run-as-user': String(BACKUP_UID),
        'vault.hashicorp.com/agent-run-as-group': String(BACKUP_UID),
        'vault.hashicorp.com/agent-requests-cpu': AGENT_RESOURCES.requestsCpu,
        'vault.hashicorp.com/agent-limits-cpu': AGENT_RESOURCES.limitsCpu,
        'vault.hashicorp.com/agent-requests-mem': AGENT_RESOURCES.requestsMem,
        'vault.hashicorp.com/agent-limits-mem': AGENT_RESOURCES.limitsMem,
        'vault.hashicorp.com/agent-requests-ephemeral': AGENT_RESOURCES.requestsEphemeral,
        'vault.hashicorp.com/agent-limits-ephemeral': AGENT_RESOURCES.limitsEphemeral,
      };
      if (props.vaultAgentImage) annotations['vault.hashicorp.com/agent-image'] = props.vaultAgentImage.reference;
      for (const f of files) {
        annotations[`vault.hashicorp.com/agent-inject-secret-${f.file}`] = f.path;
        annotations[`vault.hashicorp.com/agent-inject-template-${f.file}`] = f.template;
        annotations[`vault.hashicorp.com/agent-inject-perms-${f.file}`] = '0400';
        annotations[`vault.hashicorp.com/error-on-missing-key-${f.file}`] = 'true';
      }
      const envVars: Array<{ name: string; value: string }> = [
        { name: 'HOME', value: '/tmp' },
        // The dynamic role's name is only known at run time: libpq takes it from the service file (which overrides
        // PGUSER) and the password from the pgpass file.
        { name: 'PGSERVICE', value: BACKUP_PG_SERVICE },
        { name: 'PGSERVICEFILE', value: secret(serviceFile) },
        { name: 'PGSSLMODE', value: sslMode },
      ];
      if (db.caConfigMap !== undefined) envVars.push({ name: 'PGSSLROOTCERT', value: `${CA_MOUNT}/ca.crt` });
      const mounts: any[] = [
        { name: 'scripts', mountPath: SCRIPTS_MOUNT, readOnly: true },
        { name: 'work', mountPath: WORK_DIR },
        { name: 'metrics', mountPath: METRICS_DIR },
        { name: 'tmp', mountPath: '/tmp' },
      ];
      const volumes: any[] = [
        { name: 'scripts', configMap: { name: this.configMapName, defaultMode: 0o444 } },
        { name: 'work', emptyDir: { sizeLimit: res.work!.toString() } },
        { name: 'metrics', emptyDir: { sizeLimit: '16Mi' } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        { name: TOKEN_VOLUME, projected: { sources: [{ serviceAccountToken: { audience, expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } }] } },
      ];
      if (db.caConfigMap !== undefined) {
        mounts.push({ name: 'postgres-ca', mountPath: CA_MOUNT, readOnly: true });
        volumes.push({ name: 'postgres-ca', configMap: { name: db.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
      }
      return {
        metadata: { labels: labels(component), annotations },
        spec: {
          serviceAccountName: this.serviceAccountName,
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          enableServiceLinks: false,
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          terminationGracePeriodSeconds: 60,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: BACKUP_UID,
            runAsGroup: BACKUP_UID,
            fsGroup: BACKUP_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [{
            name: container,
            image: props.image.reference,
            imagePullPolicy: 'Always',
            command: ['bash', `${SCRIPTS_MOUNT}/${script}`],
            env: envVars,
            resources: {
              requests: { 'cpu': res.cpuRequest!.toString(), 'memory': res.memoryRequest!.toString(), 'ephemeral-storage': ephemeral! },
              limits: { 'cpu': res.cpuLimit!.toString(), 'memory': res.memoryLimit!.toString(), 'ephemeral-storage': ephemeral! },
            },
            securityContext: {
              runAsNonRoot: true,
              runAsUser: BACKUP_UID,
              runAsGroup: BACKUP_UID,
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
            volumeMounts: mounts,
          }],
          volumes,
        },
      };
    };

    const jobTemplate = (container: string, component: string, deadline: number, template: any) => ({
      metadata: { labels: labels(component) },
      spec: {
        activeDeadlineSeconds: deadline,
        backoffLimit,
        ttlSecondsAfterFinished,
        // Retrying cannot fix bad configuration (2), a refusal (3) or an integrity failure (4); evictions are not failures.
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: container, operator: 'In', values: [BACKUP_EXIT_CODES.CONFIG, BACKUP_EXIT_CODES.REFUSED, BACKUP_EXIT_CODES.INTEGRITY] }, onPodConditions: [] },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        template,
      },
    });
    const cronJob = (childId: string, name: string, schedule: string, job: any) => new ApiObject(this, childId, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(name, job.metadata.labels['app.kubernetes.io/component']),
      spec: {
        schedule,
        timeZone: this.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds,
        suspend: false,
        successfulJobsHistoryLimit,
        failedJobsHistoryLimit,
        jobTemplate: job,
      },
    });

    this.backupJobTemplate = jobTemplate(BACKUP_CONTAINER, 'backup', this.activeDeadlineSeconds,
      pod(BACKUP_CONTAINER, 'backup', BACKUP_SCRIPT_FILES.BACKUP, 'pg-service.conf', backupFiles));
    this.cronJob = cronJob('Resource', this.cronJobName, this.schedule, clone(this.backupJobTemplate));
    this.restoreDrillCronJob = cronJob('RestoreDrill', this.restoreDrillCronJobName, this.restoreDrillSchedule,
      jobTemplate(DRILL_CONTAINER, 'restore-drill', this.restoreDrillActiveDeadlineSeconds,
        pod(DRILL_CONTAINER, 'restore-drill', BACKUP_SCRIPT_FILES.RESTORE_DRILL, 'drill-pg-service.conf', drillFiles)));
    for (const job of [this.cronJob, this.restoreDrillCronJob]) {
      job.node.addDependency(this.configMap, this.serviceAccount, this.networkPolicy);
    }
  }

  /**
   * A one-off backup Job with exactly the backup CronJob's job template, e.g. the final backup before archiving
   * or decommissioning a tenant (spec §8, §9). Put it in a chart that is not suspended (a suspended TenantChart
   * suspends Jobs too) and run it while the tenant's quota still admits a Job. Its name is a DNS label ≤ 63.
   */
  public onDemandJob(scope: Construct, id: string, name: string): ApiObject {
    const problem = dnsLabelProblem(name, JOB_NAME_LIMIT);
    if (problem) {
      new Problems(`${this.node.path}.onDemandJob`).add('name', problem, name, `use a DNS-1123 label of at most ${JOB_NAME_LIMIT} characters, e.g. "final-backup"`).throwIfAny();
    }
    const template = clone(this.backupJobTemplate);
    const job = new ApiObject(scope, id, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: this.namespace,
        labels: template.metadata.labels,
        annotations: { [`${DOMAIN}/job-template-of`]: `cronjob/${this.cronJobName}` },
      },
      spec: template.spec,
    });
    job.node.addDependency(this.configMap, this.serviceAccount, this.networkPolicy);
    return job;
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** pgpass line for any host/port/database, with `\` and `:` escaped as libpq requires. */
function pgpassTemplate(path: string): string {
  const esc = (field: string) => `{{ ${field} | replaceAll "\\\\" "\\\\\\\\" | replaceAll ":" "\\\\:" }}`;
  return `{{- with secret "${path}" -}}\n*:*:*:${esc('.Data.username')}:${esc('.Data.password')}\n{{- end }}\n`;
}

/** libpq service file naming the dynamic role (a service file overrides PGUSER). */
function pgServiceTemplate(path: string, role?: string): string {
  const options = role ? `options=-c role=${role}\n` : '';
  return `{{- with secret "${path}" -}}\n[${BACKUP_PG_SERVICE}]\nuser={{ .Data.username }}\n${options}{{- end }}\n`;
}

/** One field of a KV v2 secret, alone in the file. */
function kvTemplate(path: string, key: string): string {
  return `{{- with secret "${path}" -}}{{ index .Data.data "${key}" }}{{- end }}`;
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
): { path: string; key: string } | undefined {
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
    return { path: `${environmentVaultNames(env).databaseMount}/creds/${role}`, key: '' };
  }
  const prefix = tenantKvPrefix(env, tenant);
  const path = ref.isRelative ? `${prefix}/${ref.kvPath}` : ref.path;
  if (!path.startsWith(`${prefix}/`)) {
    problems.add(field, `is outside tenant "${tenant.id}"'s prefix ${prefix}/`, got, 'write the tenant-relative form VaultRef.kv("<path>", "<field>") (V02)');
    return undefined;
  }
  if (ref.key === undefined) {
    problems.add(field, 'names no field', got, 'name the field, e.g. VaultRef.kv("backup/primary-store", "access_key")');
    return undefined;
  }
  return { path, key: ref.key };
}

/** KV path (tenant-relative) of a tenant's own object-store keys, `access_key` and `secret_key`. */
export const TENANT_OBJECT_STORE_KV = 'object-store';

function resolveStore(
  problems: Problems, field: string, alias: string, store: BackupObjectStoreProps | undefined, env: Environment, tenant: Tenant,
  kvPath: string = `backup/${alias}-store`,
): ResolvedStore {
  if (store === undefined || store === null) {
    problems.add(field, 'is required', store, 'pass { endpoint, bucket, egress }');
    return { endpoint: '', bucket: '', egress: undefined as any };
  }
  if (typeof store.endpoint !== 'string' || !ENDPOINT.test(store.endpoint)) {
    problems.add(`${field}.endpoint`, 'is not an http(s)://host[:port] URL without path or credentials', store.endpoint, 'write e.g. "https://minio.backup.svc:9000"; keys come from Vault (B13)');
  }
  if (typeof store.bucket !== 'string' || !BUCKET.test(store.bucket) || store.bucket.includes('..')) {
    problems.add(`${field}.bucket`, 'is not an S3 bucket name', store.bucket, 'use 3–63 lower-case letters, digits, "." and "-" (B15)');
  }
  const egress = checkEgress(problems, `${field}.egress`, store.egress, true)!;
  const accessKey = resolveCredentials(problems, `${field}.accessKey`, store.accessKey ?? VaultRef.kv(kvPath, 'access_key'), VaultEngine.KV, env, tenant);
  const secretKey = resolveCredentials(problems, `${field}.secretKey`, store.secretKey ?? VaultRef.kv(kvPath, 'secret_key'), VaultEngine.KV, env, tenant);
  return { endpoint: store.endpoint, bucket: store.bucket, egress, accessKey, secretKey };
}

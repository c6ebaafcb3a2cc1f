// TenantBackupPlan: the backup input of one tenant in one environment, checked once and resolved (issue 18).
import { TenantBackupPlan, TenantBackupProps } from '../../src/model/backup-plan';
import { BackupPolicy } from '../../src/model/backup-policy';
import { BACKUP_DEFAULTS } from '../../src/model/backup-rules';
import { BackupScriptConfig, BackupScriptKind } from '../../src/model/backup-script-options';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Period } from '../../src/model/period';
import { Tenant } from '../../src/model/tenant';
import { problemsOf } from '../support/problems';

const IMAGE = ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`);
const MINIO = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' };
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme', modules: [billing] }, { id: 'globex' }] });
const acme = prod.tenants[0];

function props(over: Partial<TenantBackupProps> = {}, tenant: Tenant = acme): TenantBackupProps {
  return {
    environment: prod,
    tenant,
    image: IMAGE,
    database: { host: 'postgres.databases.svc', egress: EgressTarget.cidr('10.20.0.0/24', 5432), caConfigMap: 'postgres-ca' },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: MINIO },
    offsiteStore: { endpoint: 'https://s3.offsite.example', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('10.40.0.0/16', 443) },
    ...over,
  };
}

describe('TenantBackupPlan', () => {
  test('resolves names, deadlines, stores, retention and script options once', () => {
    const plan = TenantBackupPlan.of(props());
    expect(plan.names).toEqual({
      namespace: 'prod-acme',
      cronJob: 'backup-acme',
      restoreDrillCronJob: 'backup-acme-restore-drill',
      serviceAccount: 'backup-acme',
      configMap: 'backup-acme-scripts',
      networkPolicy: 'backup-acme-egress',
      vaultRole: 'prod-acme-backup',
      vaultAuthPath: 'auth/kubernetes-prod',
      vaultPolicy: 'prod-acme-backup',
      dumpDatabaseRole: 'acme-backup',
      drillDatabaseRole: 'acme-drill',
      objectPrefix: 'prod/acme/',
    });
    // Production tokens live 30 minutes, database leases 1 hour: the Jobs get 30 min less 5 (F9).
    expect(plan.deadlines).toEqual({
      credentialLifetimeSeconds: 1800, databaseCredentialTtlSeconds: 3600, backupSeconds: 1500, restoreDrillSeconds: 1500, longestSeconds: 1500,
    });
    expect(plan.retention).toEqual({
      schedule: '15 2 * * *', restoreDrillSchedule: '45 4 * * 0', timeZone: 'Etc/UTC', localRetentionDays: 30, offsiteRetentionDays: 90, keepLast: 2, staleAfterHours: 26,
    });
    expect(plan.primaryStore).toMatchObject({
      alias: 'primary', bucket: 'tenant-backups', accessKey: { path: 'kv-prod/data/prod/acme/backup/primary-store', field: 'access_key' },
    });
    expect(plan.database!.credentialsPath).toBe('database-prod/creds/acme-backup');
    expect(plan.drill).toMatchObject({ host: 'postgres.databases.svc', port: 5432, credentialsPath: 'database-prod/creds/acme-drill' });
    expect(plan.vaultSecretPaths).toEqual([
      'database-prod/creds/acme-backup',
      'database-prod/creds/acme-drill',
      'kv-prod/data/prod/acme/backup/offsite-store',
      'kv-prod/data/prod/acme/backup/primary-store',
    ]);
    expect(plan.resources.ephemeralStorage).toBe('2304Mi');
    // The scripts get the plan's retention under the same names.
    expect(plan.scripts.options).toMatchObject({ env: 'prod', tenant: 'acme', database: 'prod_acme', keepLast: 2, staleAfterHours: 26, localRetentionDays: 30, offsiteRetentionDays: 90 });
    const vars = Object.fromEntries(plan.scripts.variables(BackupScriptKind.PRUNE).map(v => [v.name, v.value]));
    expect(vars).toMatchObject({ SCRIPT_KIND: 'prune', CFG_KEEP_LATEST: '2', CFG_STALENESS_SECONDS: String(26 * 3600) });
  });

  test('a longer database lease or a shorter deadline changes the deadlines; the longest is what Vault checks', () => {
    const plan = TenantBackupPlan.of(props({
      databaseCredentialTtl: Period.minutes(20), restoreDrill: { activeDeadlineSeconds: 900 }, activeDeadlineSeconds: 600,
    }));
    expect(plan.deadlines).toEqual({
      credentialLifetimeSeconds: 1200, databaseCredentialTtlSeconds: 1200, backupSeconds: 600, restoreDrillSeconds: 900, longestSeconds: 900,
    });
  });

  test('lists every problem at once, in the house format, with the given path', () => {
    const problems = problemsOf(() => TenantBackupPlan.of(props({
      name: 'billing',
      vaultRole: 'globex',
      keepLast: 1,
      staleAfterHours: 0,
      activeDeadlineSeconds: 1800,
      primaryStore: { endpoint: 'https://minio.minio.svc:9000/path', bucket: 'a..b', egress: MINIO },
    }), 'prod/acme/Backup'));
    expect(problems).toEqual([
      'prod/acme/Backup: keepLast must be a whole number of at least 2 in production (got 1); keep at least the two newest verified backups (B06)',
      'prod/acme/Backup: staleAfterHours must be a whole number of at least 1 (got 0); use a little more than the schedule interval, e.g. 26 for a daily backup',
      'prod/acme/Backup: primaryStore.endpoint is not an http(s)://host[:port] URL without path or credentials (got "https://minio.minio.svc:9000/path"); write e.g. "https://minio.backup.svc:9000"; keys come from Vault (B13)',
      'prod/acme/Backup: primaryStore.bucket is not an S3 bucket name (got "a..b"); use 3–63 lower-case letters, digits, "." and "-" (B15)',
      'prod/acme/Backup: name is the service account of module "billing" (got "billing"); the module\'s pods could then log in as the backup role: give the backup its own service account (K19, V07)',
      'prod/acme/Backup: vaultRole is the Kubernetes auth role of tenant "globex" (got "globex"); use a name of its own, e.g. "prod-acme-backup"',
      'prod/acme/Backup: activeDeadlineSeconds outlives the dynamic database credentials (min(class vaultTokenTtl 30m, databaseCredentialTtl 1h) = 1800s; a pod may run until the deadline, so it must end 60s before them, F9) (got 1800); use at most 1740, or raise the class\'s vaultTokenTtl and VaultBootstrap\'s databaseCredentialTtl (and pass it here)',
    ]);
  });

  test('what a plan accepts, the scripts\' own rules accept too: the plan hands the options over unchecked', () => {
    const variants: Array<Partial<TenantBackupProps>> = [
      {},
      { pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091/', pushgatewayEgress: MINIO, keepLast: 7, staleAfterHours: 30 },
      { restoreDrill: { host: 'scratch-pg.databases.svc', port: 6432, maintenanceDatabase: 'template1' }, localRetentionDays: 1, offsiteRetentionDays: 1 },
      { database: { host: '10.20.0.7', egress: EgressTarget.cidr('10.20.0.0/24', 5433), name: 'acme.main-db_1', caConfigMap: 'postgres-ca' } },
    ];
    for (const over of variants) {
      const plan = TenantBackupPlan.of(props(over));
      expect(BackupScriptConfig.resolve(plan.scripts.options).options).toEqual(plan.scripts.options);
    }
  });

  test('refuses a tenant without a database and a class without backups', () => {
    const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme', database: false }] });
    expect(problemsOf(() => TenantBackupPlan.of(props({ environment: dev }, dev.tenants[0])))).toEqual([
      'TenantBackupPlan: environment has class "development", which keeps no backups (BackupPolicy.NONE) (got "dev"); do not create a BackupSchedule here, or give the class BackupPolicy.DAILY',
      'TenantBackupPlan: tenant has no database (database: false) and tenantObjects is not set: there is nothing to back up (got "acme"); pass tenantObjects: { endpoint, bucket, egress } so that its objects are backed up',
      'TenantBackupPlan: database is set, but tenant "acme" has no database (database: false) (got "postgres.databases.svc"); leave database out: the backup of a tenant without a database is its objects',
    ]);
  });

  describe('a tenant with objects and no database (issue 23)', () => {
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }, { id: 'files', database: false }, { id: 'bare', database: false, objectStorage: false }] });
    const files = env.tenants[1];
    const tenantObjects = { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-data', egress: MINIO };
    const objectsOnly = (over: Partial<TenantBackupProps> = {}, tenant: Tenant = files) =>
      props({ environment: env, database: undefined, tenantObjects, ...over }, tenant);

    test('the plan leaves the database out: no dump or drill server, no database credentials, scripts without a database', () => {
      const plan = TenantBackupPlan.of(objectsOnly());
      expect(plan.database).toBeUndefined();
      expect(plan.databaseName).toBeUndefined();
      expect(plan.drill).toBeUndefined();
      expect(plan.caConfigMap).toBeUndefined();
      expect(plan.objectsStore).toMatchObject({ alias: 'objects', bucket: 'tenant-data', accessKey: { path: 'kv-prod/data/prod/files/object-store', field: 'access_key' } });
      // Only the stores' keys: the Vault policy of this backup grants nothing on the database mount.
      expect(plan.vaultSecretPaths).toEqual([
        'kv-prod/data/prod/files/backup/offsite-store', 'kv-prod/data/prod/files/backup/primary-store', 'kv-prod/data/prod/files/object-store',
      ]);
      expect(plan.scripts.options.database).toBeUndefined();
      expect(plan.scripts.options.pgHost).toBeUndefined();
      const vars = Object.fromEntries(plan.scripts.variables(BackupScriptKind.BACKUP).map(v => [v.name, v.value]));
      expect(vars).toMatchObject({ CFG_DATABASE_ENABLED: '0', CFG_DATABASE: '', CFG_PG_HOST: '', CFG_OBJECTS_ENABLED: '1', CFG_OBJECTS_BUCKET: 'tenant-data' });
      expect(BackupScriptConfig.resolve(plan.scripts.options).options).toEqual(plan.scripts.options);
      // With a database the same flag is 1.
      const withDb = TenantBackupPlan.of(props({ environment: env, tenantObjects }, env.tenants[0]));
      expect(withDb.scripts.variables(BackupScriptKind.BACKUP).find(v => v.name === 'CFG_DATABASE_ENABLED')!.value).toBe('1');
      expect(withDb.vaultSecretPaths).toContain('database-prod/creds/acme-backup');
    });

    test('refuses database settings for a tenant without one, and a tenant with neither a database nor objects to back up', () => {
      expect(problemsOf(() => TenantBackupPlan.of(objectsOnly({
        database: { host: 'postgres.databases.svc', egress: EgressTarget.cidr('10.20.0.0/24', 5432) },
        restoreDrill: { host: 'scratch.databases.svc', activeDeadlineSeconds: 1200 },
      })))).toEqual([
        'TenantBackupPlan: database is set, but tenant "files" has no database (database: false) (got "postgres.databases.svc"); leave database out: the backup of a tenant without a database is its objects',
        'TenantBackupPlan: restoreDrill.host is set, but tenant "files" has no database (the drill restores an object only) (got "scratch.databases.svc"); leave restoreDrill.host out',
      ]);
      expect(problemsOf(() => TenantBackupPlan.of(objectsOnly({ tenantObjects: undefined })))).toEqual([
        'TenantBackupPlan: tenant has no database (database: false) and tenantObjects is not set: there is nothing to back up (got "files"); pass tenantObjects: { endpoint, bucket, egress } so that its objects are backed up',
      ]);
      expect(problemsOf(() => TenantBackupPlan.of(objectsOnly({}, env.tenants[2])))).toEqual([
        'TenantBackupPlan: tenant has no database (database: false) and no object storage: there is nothing to back up (got "bare"); back up only tenants with database: true or objectStorage: true',
      ]);
      // A tenant with a database still needs one.
      expect(problemsOf(() => TenantBackupPlan.of(objectsOnly({}, env.tenants[0])))).toEqual([
        'TenantBackupPlan: database is required (got undefined); pass { host, egress, caConfigMap } of the tenant database\'s server',
      ]);
    });
  });
});

describe('one set of backup defaults', () => {
  test('BackupPolicy, the plan and the scripts\' options share BACKUP_DEFAULTS (staleness 26 h, keepLast 2)', () => {
    const daily = BackupPolicy.DAILY;
    const scripts = BackupScriptConfig.resolve({
      env: 'prod',
      tenant: 'acme',
      database: 'acme',
      pgHost: 'db',
      primary: { endpoint: 'https://a.example', bucket: 'bucket-a' },
      offsite: { endpoint: 'https://b.example', bucket: 'bucket-b' },
    }).options;
    for (const field of ['localRetentionDays', 'offsiteRetentionDays', 'keepLast', 'staleAfterHours'] as const) {
      expect(daily[field]).toBe(BACKUP_DEFAULTS[field]);
      expect(scripts[field]).toBe(BACKUP_DEFAULTS[field]);
    }
    expect(BACKUP_DEFAULTS.staleAfterHours).toBe(26);
    expect(daily.schedule).toBe(BACKUP_DEFAULTS.schedule);
  });

  test('BackupScriptConfig.resolve lists every problem of hand-written options at once', () => {
    expect(problemsOf(() => BackupScriptConfig.resolve({
      env: 'prod',
      tenant: '../x',
      database: 'dbname=x',
      pgHost: 'db',
      keepLast: 0,
      staleAfterHours: 1.5,
      primary: { endpoint: 'https://a.example', bucket: 'bucket-a' },
      offsite: { endpoint: 'https://b.example', bucket: 'bucket-b', accessKeyFile: 'relative' },
    }))).toEqual([
      'BackupScriptOptions: tenant contains "." (got "../x"); use a DNS-1123 label: the scripts build object keys and metric labels from it',
      'BackupScriptOptions: database is not an acceptable database name (got "dbname=x"); use letters, digits, "_", "-" and "." (at most 63 characters; no "=": libpq would read it as a conninfo)',
      'BackupScriptOptions: offsite.accessKeyFile is not an absolute path without control characters or ".." (got "relative"); write e.g. "/vault/secrets/pgpass" (F8, F9)',
      'BackupScriptOptions: keepLast must be a whole number of at least 1 (got 0); always keep at least the newest verified backup (B06)',
      'BackupScriptOptions: staleAfterHours must be a whole number of at least 1 (got 1.5); use a little more than the schedule interval, e.g. 26 for a daily backup',
    ]);
  });
});

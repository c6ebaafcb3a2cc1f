/**
 * The Platform hands the tenants' object store to every environment stack (issue 23): `objectStorage`, or the bucket
 * the backups mirror (`backup.tenantObjects`); two different buckets are refused.
 */
import { App } from 'cdktf';
import { backupProps } from './fixtures';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Platform, PlatformProps } from '../../src/platform/platform';
import { EnvironmentStack } from '../../src/tf/environment-stack';

const DATABASE = { host: 'postgres.databases.svc' };
const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
const tenantObjects = { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-tenant-data', egress: minio };

function platform(extra: Partial<PlatformProps>): Platform {
  return new Platform(new App(), 'inopsio', {
    backup: backupProps(),
    environments: [
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database: DATABASE, tenants: [{ id: 'acme' }, { id: 'globex', objectStorage: false }] }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [{ id: 'acme' }] }),
    ],
    ...extra,
  });
}

const users = (p: Platform, env: string) => (p.node.findChild(env) as EnvironmentStack).environment.tenants
  .map(t => (p.node.findChild(env) as EnvironmentStack).vault.tenantResources(t.id).objectStore?.storage.userName)
  .filter(u => u !== undefined);

describe('Platform objectStorage', () => {
  test('the backups\' tenant bucket is the object store: every environment creates its tenants\' users', () => {
    const p = platform({ backup: { ...backupProps(), tenantObjects } });
    expect(users(p, 'dev')).toEqual(['dev-acme']);
    expect(users(p, 'prod')).toEqual(['prod-acme']);
    expect((p.node.findChild('prod') as EnvironmentStack).vault.objectStorage).toEqual({ bucket: 'inopsio-tenant-data' });
  });

  test('objectStorage alone creates the users too where no class backs up; neither creates none', () => {
    const devOnly = { environments: [new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database: DATABASE, tenants: [{ id: 'acme' }] })] };
    expect(users(platform({ ...devOnly, objectStorage: { bucket: 'tenant-data' } }), 'dev')).toEqual(['dev-acme']);
    expect(users(platform({}), 'dev')).toEqual([]);
  });

  test('objects in a class that backs up must be in its backup: objectStorage without backup.tenantObjects is refused', () => {
    expect(() => platform({ objectStorage: { bucket: 'tenant-data' } })).toThrow(
      /inopsio: backup\.tenantObjects is missing, but objectStorage gives tenants of prod object prefixes in classes that back up \(got undefined\); pass backup\.tenantObjects: \{ endpoint, bucket: "tenant-data", egress \}/);
  });

  test('a tenant with objects and no database is backed up through its objects: its schedule, its Vault role without database roles', () => {
    const env = () => new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [{ id: 'acme' }, { id: 'files', database: false }] });
    const p = platform({ environments: [env()], backup: { ...backupProps(), tenantObjects } });
    const schedules = p.backupsOf('prod');
    expect(schedules.map(b => b.cronJobName)).toEqual(['backup-acme', 'backup-files']);
    const files = schedules[1];
    expect(files.plan.database).toBeUndefined();
    expect(files.plan.objectsStore?.bucket).toBe('inopsio-tenant-data');
    const access = (p.node.findChild('prod') as EnvironmentStack).vault.tenantResources('files').backupAccess!;
    expect(access.backupDatabaseRole).toBeUndefined();
    expect(access.secretPaths.filter(x => x.startsWith('database-'))).toEqual([]);
    // Without a tenant object store there is nothing of files to back up, and no schedule.
    expect(platform({ environments: [env()] }).backupsOf('prod').map(b => b.cronJobName)).toEqual(['backup-acme']);
    // Backups are required for such a tenant too (B11), named for what they back up.
    const filesOnly = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [{ id: 'files', database: false }] });
    expect(() => platform({ environments: [filesOnly], backup: undefined, objectStorage: { bucket: 'tenant-data' } })).toThrow(
      'inopsio: backup is missing, but environment "prod" (class production) backs up the objects of its tenants without a database (files) (got undefined); pass backup: { image, database, primaryStore, offsiteStore } (spec §10, B11)');
  });

  test('a bucket other than the one the backups mirror, or not a bucket name, is refused with the fix', () => {
    expect(() => platform({ objectStorage: { bucket: 'other-data' }, backup: { ...backupProps(), tenantObjects } }))
      .toThrow(/inopsio: objectStorage\.bucket is not the bucket the backups mirror \(backup\.tenantObjects\.bucket "inopsio-tenant-data"\) \(got "other-data"\); name one bucket in both/);
    expect(() => platform({ objectStorage: { bucket: 'Tenant_Data' } }))
      .toThrow(/inopsio: objectStorage\.bucket is not an S3 bucket name \(got "Tenant_Data"\); use 3 to 63 lower-case letters/);
  });
});

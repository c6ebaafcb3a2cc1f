import { GitHubEnvironmentsProps } from '../../src/lifecycle/github-environments';
import { EgressTarget } from '../../src/model/egress-target';
import { ContainerImage } from '../../src/model/image';
import { TenantProps } from '../../src/model/tenant';
import { PlatformBackupProps } from '../../src/platform/platform';

/** A complete backup configuration for Platform tests. */
export function backupProps(): PlatformBackupProps {
  const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
  return {
    image: ContainerImage.fromDigest(`registry.inopsio.example/platform/backup-tools@sha256:${'ab'.repeat(32)}`),
    database: { host: 'postgres.databases.svc', egress: EgressTarget.cidr('10.20.0.0/24', 5432), caConfigMap: 'postgres-ca' },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-backups', egress: minio },
    offsiteStore: { endpoint: 'https://s3.offsite.inopsio.example', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('10.40.0.0/16', 443) },
  };
}

/** GitHub environments for Platform tests: two distinct approver teams (issue 23, G01). */
export function githubProps(): GitHubEnvironmentsProps {
  return { owner: 'inopsio', repository: 'platform', firstApprovers: { teams: ['platform-leads'] }, secondApprovers: { teams: ['security'] } };
}

/**
 * `count` tenants of every shape the stacks handle: one in three with a database and object storage (so a stack built
 * without them lacks the PostgreSQL and MinIO providers their blocks need), the others without; every other one runs
 * a module whose values read the database credentials where there is a database. `change` applies to tenant `t1`.
 */
export function mixedTenants(count: number, change: Partial<TenantProps> = {}): TenantProps[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `t${i}`,
    ...(i % 3 === 0 ? {} : { database: false, objectStorage: false }),
    modules: i % 2 ? [] : [{
      name: 'billing',
      chart: 'billing-api',
      repository: 'https://charts.inopsio.example',
      version: '1.0.0',
      values: i % 3 === 0 ? { 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" } : { replicaCount: '2' },
    }],
    ...(i === 1 ? change : {}),
  }));
}

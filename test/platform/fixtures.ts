import { GitHubEnvironmentsProps } from '../../src/lifecycle/github-environments';
import { EgressTarget } from '../../src/model/egress-target';
import { ContainerImage } from '../../src/model/image';
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

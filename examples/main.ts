// The reference platform: dev, staging, prod and one preview, three tenants.
// `npm run example` synthesizes it into dist/k8s/<env>/ and cdktf.out/stacks/<env>/.
import {
  ContainerImage,
  EgressTarget,
  Environment,
  EnvironmentClass,
  ITenantWorkloadBuilder,
  KubernetesVersion,
  Platform,
  previewEnvironments,
  TenantProps,
  TenantWorkloadProps,
  VaultRef,
} from '@inopsio/env-lifecycle';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { App } from 'cdktf';

// Creation times come from CI (the pull request's timestamp), never from the clock: output stays deterministic.
const CREATED_AT = process.env.PLATFORM_CREATED_AT ?? '2026-11-28T09:00:00Z';

const billing = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: {
    'replicaCount': '2',
    'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
  },
};

// Every tenant also runs the platform team's own worker, written with cdk8s-plus (issue 19): declared here (what
// Terraform and the inventory need: its service account, its secret, its metrics port), built by `workers` below.
const worker: TenantWorkloadProps = {
  name: 'worker',
  secrets: [{ name: 'DATABASE_URL', reference: VaultRef.databaseCreds('tenant-db') }],
  metricsPort: 9090,
};

const tenants: TenantProps[] = [
  { id: 'acme', displayName: 'Acme Corp', createdAt: '2026-01-15T10:00:00Z', modules: [billing], workloads: [worker] },
  { id: 'globex', displayName: 'Globex', createdAt: '2026-03-02T08:30:00Z', modules: [billing], workloads: [worker] },
  // Initech keeps uploaded files on a volume: a claim in its namespace, snapshotted with the backups in staging and prod.
  { id: 'initech', displayName: 'Initech', createdAt: '2026-06-20T14:00:00Z', volumes: [{ name: 'uploads', size: '10Gi' }], workloads: [worker] },
];

// The worker in each tenant's chart: a cdk8s-plus Deployment running as the workload's service account. The library
// adds the Vault agent (DATABASE_URL_FILE), the projected token, the metrics port name and the standard labels.
const WORKER_IMAGE = 'registry.inopsio.example/platform/worker@sha256:7d2e4c6b8a0f1e3d5c7b9a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d';
const workers: ITenantWorkloadBuilder = {
  buildWorkload(workload) {
    new kplus.Deployment(workload, 'worker', {
      metadata: { name: 'worker' },
      replicas: 1,
      serviceAccount: workload.serviceAccount,
      containers: [{
        image: WORKER_IMAGE,
        args: ['work'],
        // What the policy pack asks of every tenant container (K25-K27, K32).
        securityContext: {
          user: 10001,
          group: 10001,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
          ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
        },
      }],
    });
  },
};

// Images are pinned by digest (K30, B10); these point at the platform team's own registry.
const BACKUP_TOOLS = ContainerImage.fromDigest(
  'registry.inopsio.example/platform/backup-tools@sha256:4f5c1b0e2d8a7c6b9e3f1a2d5c8b7e6f0a9d3c2b1e4f7a6d5c8b9e0f1a2b3c4d',
);
const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
const database = EgressTarget.cidr('10.20.0.0/24', 5432);
// Development and previews get their own PostgreSQL subnet: their pods cannot reach the database staging and
// production use (issue 21, `environmentNetworks`).
const nonProductionDatabase = EgressTarget.cidr('10.21.0.0/24', 5432);
const vault = EgressTarget.podsInNamespace('vault', { 'app.kubernetes.io/name': 'vault' }, 8200);

// The Kubernetes release the clusters run: the library's default (1.35). EXAMPLE_KUBERNETES_VERSION names another
// (1.28-1.36) for test/platform/kubernetes-versions.test.ts, which synthesizes this platform for several targets.
const exampleTarget = process.env.EXAMPLE_KUBERNETES_VERSION;
const kubernetesVersion = exampleTarget ? KubernetesVersion.of(exampleTarget) : KubernetesVersion.DEFAULT;

// One fact for Vault's database connections and the connection strings rendered into the pods.
const databaseServer = { host: 'postgres.databases.svc' };

const app = new App();

// The pull-request previews the generated workflows pass in INOPSIO_PREVIEWS (preview.yml: the pull request's own;
// cleanup-env.yml: the ones it destroys). Without it (`npm run example`), one sample preview.
const SAMPLE_PREVIEWS = JSON.stringify([{ branch: 'feature/JIRA-123_Add Billing!!', owner: 'dana@inopsio.example', createdAt: CREATED_AT }]);
const previews = previewEnvironments(process.env.INOPSIO_PREVIEWS ?? SAMPLE_PREVIEWS, { database: databaseServer, tenants: [tenants[0]] });

new Platform(app, 'inopsio', {
  kubernetesVersion,
  workloads: { worker: workers },
  environments: [
    new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: CREATED_AT, database: databaseServer, tenants }),
    new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: databaseServer, tenants }),
    new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: databaseServer, tenants }),
    ...previews,
  ],
  network: { database, objectStore: minio, vault },
  environmentNetworks: {
    dev: { database: nonProductionDatabase },
    ...Object.fromEntries(previews.map(p => [p.name, { database: nonProductionDatabase }])),
  },
  backup: {
    image: BACKUP_TOOLS,
    database: { host: 'postgres.databases.svc', egress: database, caConfigMap: 'postgres-ca' },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-backups', egress: minio },
    offsiteStore: { endpoint: 'https://s3.eu-central-2.offsite.inopsio.example', bucket: 'inopsio-backups-offsite', egress: EgressTarget.cidr('10.40.0.0/16', 443) },
    // Each tenant's objects (<bucket>/<env>/<tenant>/) are backed up with its database and restored in the drill.
    tenantObjects: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-tenant-data', egress: minio },
    volumeSnapshots: {
      image: ContainerImage.fromDigest('registry.inopsio.example/platform/kubectl@sha256:9b1c3f0a8d2e4c6b7a5f3e1d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b'),
      apiServerEgress: EgressTarget.cidr('10.96.0.1/32', 443),
    },
    pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091',
    pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' }, 9091),
  },
  // Production namespaces accept writes only from Argo CD and Terraform (plus audited break-glass). Clusters older than
  // 1.30 serve the admission policy API only as a beta, which this platform's clusters enable (docs/consumers.md).
  immutableProduction: { betaApiEnabled: !kubernetesVersion.isAtLeast(KubernetesVersion.V1_30) },
  // The GitHub environments of the generated workflows, with their reviewers: two different teams approve a decommission.
  github: {
    owner: 'inopsio',
    repository: 'platform',
    firstApprovers: { teams: ['platform-leads'] },
    secondApprovers: { teams: ['security-officers'] },
    productionApprovers: { teams: ['platform-leads'] },
  },
}).synth();

// The reference platform of the benchmark: what examples/main.ts builds (backups, observability, network, modules,
// immutable production; the policy pack runs by default), with N generated tenants in production and staging.
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ITenantWorkloadBuilder } from '../src/k8s/tenant-workload';
import { ContainerImage } from '../src/model/image';
import { EgressTarget } from '../src/model/egress-target';
import { Environment } from '../src/model/environment';
import { EnvironmentClass } from '../src/model/environment-class';
import { TenantProps, TenantState } from '../src/model/tenant';
import { TenantWorkloadProps } from '../src/model/tenant-workload';
import { VaultRef } from '../src/model/vault-ref';
import { PlatformProps } from '../src/platform/platform';

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

/** The cdk8s-plus worker every tenant runs, as in examples/main.ts (issue 19). */
const worker: TenantWorkloadProps = {
  name: 'worker',
  secrets: [{ name: 'DATABASE_URL', reference: VaultRef.databaseCreds('tenant-db') }],
  metricsPort: 9090,
};

/** Its builder, as in examples/main.ts. */
export const referenceWorkloads: { [name: string]: ITenantWorkloadBuilder } = {
  worker: {
    buildWorkload(workload) {
      new kplus.Deployment(workload, 'worker', {
        metadata: { name: 'worker' },
        replicas: 1,
        serviceAccount: workload.serviceAccount,
        containers: [{
          image: 'registry.inopsio.example/platform/worker@sha256:7d2e4c6b8a0f1e3d5c7b9a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d',
          args: ['work'],
          securityContext: { user: 10001, group: 10001, capabilities: { drop: [kplus.Capability.ALL] }, seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT } },
          resources: {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
            ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
          },
        }],
      });
    },
  },
};

/** Tenant `i` of the reference set: two in three run the billing module, one in fifty is suspended; every one runs the worker. */
export function referenceTenant(i: number): TenantProps {
  const id = `tenant-${i.toString().padStart(5, '0')}`;
  return {
    id,
    displayName: `Tenant ${i}`,
    createdAt: '2026-01-15T10:00:00Z',
    modules: i % 3 === 2 ? [] : [billing],
    state: i % 50 === 49 ? TenantState.SUSPENDED : TenantState.ACTIVE,
    workloads: [worker],
  };
}

export function referenceTenants(n: number, offset: number = 0): TenantProps[] {
  return Array.from({ length: n }, (_, i) => referenceTenant(i + offset));
}

const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
const database = EgressTarget.cidr('10.20.0.0/24', 5432);
const vault = EgressTarget.podsInNamespace('vault', { 'app.kubernetes.io/name': 'vault' }, 8200);

/** Platform props of the reference platform (as examples/main.ts) with N tenants in staging and production. */
export function referencePlatformProps(n: number, outdir: string, extra: Partial<PlatformProps> = {}): PlatformProps {
  const tenants = referenceTenants(n);
  return {
    outdir,
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants }),
    ],
    network: { database, objectStore: minio, vault },
    backup: {
      image: ContainerImage.fromDigest('registry.inopsio.example/platform/backup-tools@sha256:4f5c1b0e2d8a7c6b9e3f1a2d5c8b7e6f0a9d3c2b1e4f7a6d5c8b9e0f1a2b3c4d'),
      database: { host: 'postgres.databases.svc', egress: database, caConfigMap: 'postgres-ca' },
      primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-backups', egress: minio },
      offsiteStore: { endpoint: 'https://s3.eu-central-2.offsite.inopsio.example', bucket: 'inopsio-backups-offsite', egress: EgressTarget.cidr('10.40.0.0/16', 443) },
      pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091',
      pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' }, 9091),
    },
    immutableProduction: {},
    workloads: referenceWorkloads,
    github: { owner: 'inopsio', repository: 'platform', firstApprovers: { teams: ['platform-leads'] }, secondApprovers: { teams: ['security-officers'] } },
    ...extra,
  };
}

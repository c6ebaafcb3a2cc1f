/**
 * Two platforms whose policy reports must not change while the policy pack's evaluation is reworked for speed and
 * memory (issue 20): the benchmark's reference platform (backups, network, a module, a suspended tenant, immutable
 * production; staging and production) at a few tenants, and the same with findings (escape hatches that rule K08
 * reports, acknowledged with reasons so that the synthesis completes and writes its report).
 *
 * Everything is built from the classes passed in, so that the same code can synthesize with another copy of the
 * library: the expected reports next to this file were written by the library as of 2ca6a49, before that rework
 * (see SOURCES.md here).
 */
import * as path from 'path';

/** The library classes the platforms are built from. */
export interface Library {
  readonly Platform: any;
  readonly Environment: any;
  readonly EnvironmentClass: any;
  readonly EgressTarget: any;
  readonly ContainerImage: any;
  readonly TenantState: any;
  /** cdktf's App. */
  readonly TfApp: any;
  /** cdk8s's JsonPatch. */
  readonly JsonPatch: any;
}

export type Variant = 'reference' | 'with-findings';

const billing = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: { 'replicaCount': '2', 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" },
};

/** Synthesize a platform into `dir` and return the policy report file. */
export function synthesize(lib: Library, variant: Variant, dir: string): string {
  const tenants = Array.from({ length: 5 }, (_, i) => ({
    id: `tenant-${i.toString().padStart(5, '0')}`,
    displayName: `Tenant ${i}`,
    createdAt: '2026-01-15T10:00:00Z',
    modules: i % 3 === 2 ? [] : [billing],
    state: i === 4 ? lib.TenantState.SUSPENDED : lib.TenantState.ACTIVE,
  }));
  const minio = lib.EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
  const database = lib.EgressTarget.cidr('10.20.0.0/24', 5432);
  const vault = lib.EgressTarget.podsInNamespace('vault', { 'app.kubernetes.io/name': 'vault' }, 8200);
  const platform = new lib.Platform(new lib.TfApp({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
    outdir: path.join(dir, 'dist'),
    environments: [
      new lib.Environment({ name: 'staging', environmentClass: lib.EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants }),
      new lib.Environment({ name: 'prod', environmentClass: lib.EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants }),
    ],
    network: { database, objectStore: minio, vault },
    backup: {
      image: lib.ContainerImage.fromDigest('registry.inopsio.example/platform/backup-tools@sha256:4f5c1b0e2d8a7c6b9e3f1a2d5c8b7e6f0a9d3c2b1e4f7a6d5c8b9e0f1a2b3c4d'),
      database: { host: 'postgres.databases.svc', egress: database, caConfigMap: 'postgres-ca' },
      primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-backups', egress: minio },
      offsiteStore: { endpoint: 'https://s3.eu-central-2.offsite.inopsio.example', bucket: 'inopsio-backups-offsite', egress: lib.EgressTarget.cidr('10.40.0.0/16', 443) },
      pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091',
      pushgatewayEgress: lib.EgressTarget.podsInNamespace('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' }, 9091),
    },
    immutableProduction: {},
    github: { owner: 'inopsio', repository: 'platform', firstApprovers: { teams: ['platform-leads'] }, secondApprovers: { teams: ['security-officers'] } },
    ...(variant === 'with-findings' ? {
      policy: {
        acknowledgements: [
          { ruleId: 'K08', reason: 'the load-test tenant needs NodePorts until 2027-01', resource: '*/Namespace/-/*-tenant-00000' },
          { ruleId: 'K08', reason: 'the same for tenants 1 and 2, in production only', resource: 'prod/Namespace/-/prod-tenant-0000*' },
          { ruleId: 'K08', reason: 'tenant 1 in staging', resource: 'staging/Namespace/-/staging-tenant-00001' },
          { ruleId: 'K08', reason: 'a reason that matches nothing is recorded with matched 0', resource: '*/Namespace/-/nowhere' },
        ],
      },
    } : {}),
  });
  if (variant === 'with-findings') {
    // Escape hatches that open NodePorts in tenant namespaces (K08, acknowledged).
    const hatches: Array<[string, string]> = [['staging', 'tenant-00000'], ['prod', 'tenant-00000'], ['staging', 'tenant-00001'], ['prod', 'tenant-00001'], ['prod', 'tenant-00002']];
    for (const [env, id] of hatches) {
      platform.tenantChart(env, id).tenantNamespace.resourceQuota.addJsonPatch(lib.JsonPatch.replace('/spec/hard/services.nodeports', '5'));
    }
  }
  return platform.synth().policyReportFile;
}

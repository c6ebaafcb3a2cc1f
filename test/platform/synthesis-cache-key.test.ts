/**
 * The key of a cached tenant (src/platform/synthesis-cache.ts): every input that reaches the tenant's output changes
 * it; what does not reach it (the policy pack's settings, the part of a split synthesis, the output folder, the cache
 * folder, the other tenants) leaves it alone.
 */
import { backupProps } from './fixtures';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { SynthesisShard } from '../../src/model/synthesis-shard';
import { TenantProps } from '../../src/model/tenant';
import { PlatformProps } from '../../src/platform/platform';
import {
  canonical, environmentDigest, libraryDigest, platformDigest, tenantCacheKey, tenantDigest,
} from '../../src/platform/synthesis-cache';

const TENANTS: TenantProps[] = [
  { id: 'acme', displayName: 'Acme', modules: [{ name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '1.0.0' }] },
  { id: 'globex' },
];

interface Change {
  readonly tenant?: Partial<TenantProps>;
  readonly other?: Partial<TenantProps>;
  readonly env?: Partial<ConstructorParameters<typeof Environment>[0]>;
  readonly staging?: Partial<ConstructorParameters<typeof Environment>[0]>;
  readonly props?: Partial<PlatformProps>;
  readonly library?: string;
}

/** The key of tenant `acme` in `prod` after `change`. */
function key(change: Change = {}): string {
  const tenants = [{ ...TENANTS[0], ...change.tenant }, { ...TENANTS[1], ...change.other }];
  const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants, ...change.env });
  const staging = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants, ...change.staging });
  const environments = [staging, prod];
  const props: PlatformProps = {
    environments,
    outdir: 'dist',
    backup: backupProps(),
    workloads: { worker: { buildWorkload: () => undefined } },
    ...change.props,
  };
  return tenantCacheKey({
    library: change.library ?? 'lib',
    platform: platformDigest(props, environments),
    environment: environmentDigest(prod),
    tenant: tenantDigest(prod.tenants[0]),
  });
}

describe('tenantCacheKey', () => {
  const base = key();

  test('is the same for the same inputs built again (new objects, same values)', () => {
    expect(key()).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each<[string, Change]>([
    ['the library (version, code, dependencies)', { library: 'lib2' }],
    ['a tenant field', { tenant: { displayName: 'Acme Corp' } }],
    ['the tenant\'s OIDC groups', { tenant: { groups: ['acme-admins'] } }],
    ['a module version', { tenant: { modules: [{ ...TENANTS[0].modules![0], version: '1.0.1' }] } }],
    ['the tenant\'s database', { tenant: { database: false } }],
    ['the environment\'s database', { env: { database: { host: 'pg.other.svc' } } }],
    ['the environment\'s Terraform workspace', { env: { workspace: 'inopsio-prod-2' } }],
    ['another environment\'s settings', { staging: { database: { host: 'pg.staging.svc' } } }],
    ['the network of every tenant namespace', { props: { network: { vault: EgressTarget.cidr('10.0.0.0/8', 8200) } } }],
    ['the backup settings', { props: { backup: { ...backupProps(), pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091' } } }],
    ['the Kubernetes target', { props: { kubernetesVersion: KubernetesVersion.of('1.33') } }],
    ['a naming pattern of the workflows', { props: { workflows: { helmReleasePattern: '{tenant}-{module}' } } }],
    ['the sharding of an environment', { props: { sharding: { prod: { shardCount: 2 } } } }],
    ['a workload builder\'s code', { props: { workloads: { worker: { buildWorkload: () => null } } } }],
  ])('changes with %s', (_, change) => {
    expect(key(change)).not.toBe(base);
  });

  test.each<[string, Change]>([
    ['another tenant of the environment', { other: { displayName: 'Globex', database: false } }],
    ['the policy pack\'s acknowledgements', { props: { policy: { acknowledgements: [{ ruleId: 'K01', reason: 'accepted' }] } } }],
    ['the policy pack turned off', { props: { policy: { enabled: false } } }],
    ['the part of a split synthesis', { props: { synthesisShard: SynthesisShard.of(1, 1) } }],
    ['the cache folder', { props: { synthesisCache: { directory: '/elsewhere' } } }],
    ['the output folder', { props: { outdir: 'out' } }],
  ])('does not change with %s', (_, change) => {
    expect(key(change)).toBe(base);
  });
});

describe('canonical', () => {
  test('sorts keys, tells classes and functions apart, cuts cycles', () => {
    expect(canonical({ b: 1, a: [1, 'x'] })).toBe(canonical({ a: [1, 'x'], b: 1 }));
    expect(canonical({ a: undefined })).not.toBe(canonical({}));
    expect(canonical(() => 1)).not.toBe(canonical(() => 2));
    class A { constructor(public readonly x: number) {} }
    class B { constructor(public readonly x: number) {} }
    expect(canonical(new A(1))).not.toBe(canonical(new B(1)));
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(canonical(cyclic)).toContain('cycle');
  });
});

describe('libraryDigest', () => {
  test('digests the library once per process', () => {
    expect(libraryDigest()).toMatch(/^[0-9a-f]{64}$/);
    expect(libraryDigest()).toBe(libraryDigest());
  });
});

import { Testing } from 'cdktf';
import { devEnv, errorOf, previewEnv, prodEnv, stackFor, stagingEnv, synthJson, writeChart } from './fixtures';
import { Environment } from '../../src/model/environment';
import { TenantProps } from '../../src/model/tenant';
import { EnvironmentStack, EnvironmentStackProps } from '../../src/tf/environment-stack';
import { EnvironmentIsolation } from '../../src/tf/isolation';

function tenantWith(values: Record<string, string>): TenantProps {
  return { id: 'acme', modules: [{ name: 'api', chart: 'api', repository: 'https://c.example', version: '1.0.0', values }] };
}

function addTenant(env: Environment, props: Partial<EnvironmentStackProps> = {}): () => EnvironmentStack {
  return () => {
    const stack = new EnvironmentStack(Testing.app(), env.name, { environment: env, ...props });
    stack.addTenantBase(env.tenants[0], writeChart(`iso-${env.name}`, env.namespaceFor('acme')));
    return stack;
  };
}

describe('isolation: non-production stacks never reference production (V12, B12)', () => {
  test('a preview pointing a module at production KV fails with a clear message', () => {
    const env = previewEnv([tenantWith({ 'env.STRIPE_KEY': "{{ vault('kv-prod/data/prod/acme/stripe', 'api_key') }}" })]);
    const lines = errorOf(addTenant(env)).split('\n');
    expect(lines).toEqual([
      '2 problems:',
      `  - ${env.name}/Tenant-acme: modules[0].values["env.STRIPE_KEY"] references a Vault mount of production environment "prod" ("kv-prod") from preview environment "${env.name}" (got "{{ vault('kv-prod/data/prod/acme/stripe', 'api_key') }}"); a preview environment can never use production policies, roles, mounts or buckets (V12, B12); use this environment's own, e.g. {{ vault('kv/data/<path>') }} or {{ vault('database/creds/tenant-db') }}`,
      `  - ${env.name}/Tenant-acme: modules[0].values["env.STRIPE_KEY"] points at environment "prod"'s mount "kv-prod" from environment "${env.name}" (got "{{ vault('kv-prod/data/prod/acme/stripe', 'api_key') }}"); an environment only reads its own mounts (V12, B12); write the tenant-relative form, e.g. {{ vault('kv/data/<path>') }}`,
    ]);
  });

  test('a preview asking for a production database role fails', () => {
    const env = previewEnv([tenantWith({ 'env.DATABASE_URL': "{{ vault('database/creds/prod-acme-db') }}" })]);
    const message = errorOf(addTenant(env));
    expect(message).toContain(`references a Vault role of production environment "prod" ("database/creds/prod-") from preview environment "${env.name}"`);
    expect(message).toContain(`names role "prod-acme-db", which is not tenant "acme"'s database role "${env.name}-acme-db"`);
  });

  test.each([
    ['a production policy', 'env-prod-tenant-acme', 'a Vault policy'],
    ['the production database mount', 'database-prod/creds/acme-db', 'a Vault mount'],
    ['a production bucket', 'inopsio-prod-backups', 'a workspace or bucket'],
    ['a production object-store prefix', 's3://tenant-data/prod/acme/', 'an object-store prefix'],
  ])('a development stack mentioning %s in a plain value fails', (_label, value, what) => {
    const message = errorOf(addTenant(devEnv([tenantWith({ 'config.target': value })])));
    expect(message).toContain(`modules[0].values["config.target"] references ${what} of production environment "prod"`);
    expect(message).toContain('from development environment "dev"');
  });

  test('staging is held to the same rule; extra forbidden names (a production bucket) are configurable', () => {
    expect(errorOf(addTenant(stagingEnv([tenantWith({ 'x.y': 'kv-prod' })])))).toContain('from staging environment "staging"');
    const message = errorOf(addTenant(devEnv([tenantWith({ 'backup.bucket': 'acme-customer-data' })]), { forbiddenReferences: ['acme-customer-data'] }));
    expect(message).toContain('modules[0].values["backup.bucket"] references the forbidden name "acme-customer-data" from development environment "dev"');
  });

  test('production stacks may use their own names; non-production stacks may use theirs', () => {
    expect(() => synthJson(addTenant(prodEnv([tenantWith({ 'env.K': "{{ vault('kv-prod/data/prod/acme/app', 'k') }}", 'x.bucket': 'inopsio-prod-backups' })]))())).not.toThrow();
    expect(() => synthJson(addTenant(devEnv([tenantWith({ 'env.K': "{{ vault('kv-dev/data/dev/acme/app', 'k') }}", 'x.bucket': 'inopsio-dev-backups' })]))())).not.toThrow();
    expect(() => stackFor(previewEnv())).not.toThrow();
  });

  test('production names are configurable (a platform whose production environment is "live")', () => {
    expect(errorOf(addTenant(devEnv([tenantWith({ 'x.y': 'kv-live' })]), { productionEnvironmentNames: ['live'] })))
      .toContain('references a Vault mount of production environment "live" ("kv-live")');
    expect(() => addTenant(devEnv([tenantWith({ 'x.y': 'kv-prod' })]), { productionEnvironmentNames: ['live'] })()).not.toThrow();
  });
});

describe('EnvironmentIsolation patterns', () => {
  const iso = new EnvironmentIsolation(devEnv([]));
  test.each([
    ['kv-prod/data/x', true],
    ["{{ vault('kv-prod/data/prod/a/b') }}", true],
    ['env-prod', true],
    ['env-prod-tenant-acme', true],
    ['database/creds/prod-acme-db', true],
    ['inopsio-prod', true],
    ['s3://bucket/prod', true],
    ['kv-production', false],
    ['kv-prod-eu', false],
    ['my-kv-prod', false],
    ['product-catalog', false],
    ['https://api.example.com/prod/v1', false],
    ['database/creds/tenant-db', false],
  ])('%j flagged: %s', (value, flagged) => {
    expect(iso.check(value).length > 0).toBe(flagged);
  });

  test('not enforced for production environments', () => {
    expect(new EnvironmentIsolation(prodEnv([])).enforced).toBe(false);
    expect(new EnvironmentIsolation(prodEnv([])).check('kv-prod/data/x')).toEqual([]);
  });
});

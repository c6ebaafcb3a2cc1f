import { buildInventory } from '../../src/lifecycle/inventory';
import {
  applySignup, removeTenant, SignupOutcome, TENANT_REGISTRY_FORMAT, TenantRegistry, tenantsFromRegistry, validateTenantRegistry,
} from '../../src/lifecycle/tenant-registry';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';

const registry: TenantRegistry = {
  format: TENANT_REGISTRY_FORMAT,
  environment: 'prod',
  modules: {
    billing: { chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', values: { 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" } },
    reports: { chart: 'reports', repository: 'oci://registry.inopsio.example/charts', version: '1.0.0' },
  },
  defaultModules: ['billing'],
  tenants: [{ id: 'acme', displayName: 'Acme Corp', state: 'active', createdAt: '2026-01-15T10:00:00Z', modules: ['billing', 'reports'] }],
};
const signup = { tenantId: 'globex', displayName: 'Globex', environment: 'prod', signedUpAt: '2026-11-28T09:00:00Z' };

describe('tenant registry', () => {
  test('the Platform reads it as TenantProps: modules resolved from the catalog, values included', () => {
    const tenants = tenantsFromRegistry(registry);
    expect(tenants).toEqual([{
      id: 'acme',
      displayName: 'Acme Corp',
      state: 'active',
      createdAt: '2026-01-15T10:00:00Z',
      modules: [
        { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', values: { 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" } },
        { name: 'reports', chart: 'reports', repository: 'oci://registry.inopsio.example/charts', version: '1.0.0' },
      ],
    }]);
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants });
    expect(buildInventory([env]).environments[0].tenants[0].modules.map(m => m.release)).toEqual(['acme-billing', 'acme-reports']);
  });

  test('catalog modules carry their replica keys and migration (issue 17); bad ones are refused by the schema', () => {
    const image = `registry.inopsio.example/billing/migrate@sha256:${'cd'.repeat(32)}`;
    const withOps: TenantRegistry = {
      ...registry,
      modules: { ...registry.modules, billing: { ...registry.modules.billing, replicaKeys: ['api.replicaCount', 'worker.replicaCount'], migration: { image, command: ['/app/migrate', 'up'] } } },
    };
    expect(validateTenantRegistry(withOps)).toEqual([]);
    const [billing] = tenantsFromRegistry(withOps)[0].modules!;
    expect(billing.replicaKeys).toEqual(['api.replicaCount', 'worker.replicaCount']);
    expect(billing.migration!.image.reference).toBe(image);
    expect(billing.migration!.command).toEqual(['/app/migrate', 'up']);
    const bad = { ...registry, modules: { billing: { ...registry.modules.billing, replicaKeys: ['bad key'], migration: { image: 'migrate:latest', command: [] } } } };
    expect(validateTenantRegistry(bad)).toEqual([
      expect.stringMatching(/^\/modules\/billing\/replicaKeys\/0: /),
      expect.stringMatching(/^\/modules\/billing\/migration\/image: /),
      expect.stringMatching(/^\/modules\/billing\/migration\/command: must have at least 1 items/),
    ]);
  });

  test('a sign-up adds an active tenant with the default modules, sorted by id, without touching the input', () => {
    const { registry: after, outcome } = applySignup(registry, signup);
    expect(outcome).toBe(SignupOutcome.ADDED);
    expect(after.tenants.map(t => t.id)).toEqual(['acme', 'globex']);
    expect(after.tenants[1]).toEqual({ id: 'globex', displayName: 'Globex', state: 'active', createdAt: '2026-11-28T09:00:00Z', modules: ['billing'] });
    expect(registry.tenants).toHaveLength(1);
    expect(validateTenantRegistry(after)).toEqual([]);
    expect(applySignup(after, signup).outcome).toBe(SignupOutcome.ALREADY_REGISTERED);
    expect(removeTenant(after, 'globex')).toEqual(registry);
  });

  test('the tenant model decides what ids are acceptable (B01), after the schema', () => {
    expect(() => applySignup(registry, { ...signup, tenantId: 'a'.repeat(41) })).toThrow(/id is longer than 40 characters/);
  });

  test('registry consistency: duplicate tenants and modules outside the catalog are reported', () => {
    const bad = { ...registry, defaultModules: ['payroll'], tenants: [...registry.tenants, { ...registry.tenants[0], modules: ['payroll'] }] };
    expect(validateTenantRegistry(bad)).toEqual([
      '/tenants/1/id: tenant "acme" is listed twice',
      '/tenants/1/modules: "payroll" is not in the module catalog',
      '/defaultModules: "payroll" is not in the module catalog',
    ]);
  });
});

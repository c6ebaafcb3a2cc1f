/**
 * The tenant registry and sign-ups carry a tenant's data resources (issue 23): `objectStorage` and `volumes`
 * (size, StorageClass), checked by the strict schemas and passed to `Tenant` by the registry loader.
 */
import { buildInventory } from '../../src/lifecycle/inventory';
import {
  applySignup, SignupOutcome, TENANT_REGISTRY_FORMAT, TenantRegistry, tenantsFromRegistry, validateSignup, validateTenantRegistry,
} from '../../src/lifecycle/tenant-registry';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';

const base: TenantRegistry = {
  format: TENANT_REGISTRY_FORMAT,
  environment: 'prod',
  modules: { billing: { chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' } },
  defaultModules: ['billing'],
  tenants: [],
};
const files = {
  id: 'files',
  displayName: 'Files Inc',
  state: 'active',
  createdAt: '2026-01-15T10:00:00Z',
  modules: [],
  objectStorage: false,
  volumes: [{ name: 'uploads', size: '10Gi', storageClass: 'fast-ssd' }, { name: 'cache', size: '512Mi' }],
};
const signup = { tenantId: 'globex', displayName: 'Globex', environment: 'prod', signedUpAt: '2026-11-28T09:00:00Z' };

describe('tenant data resources in the registry and sign-ups (issue 23)', () => {
  test('a registry entry with volumes and objectStorage validates, and the loader passes them to Tenant', () => {
    const registry = { ...base, tenants: [files] };
    expect(validateTenantRegistry(registry)).toEqual([]);
    const [props] = tenantsFromRegistry(registry);
    expect(props).toMatchObject({ id: 'files', objectStorage: false, volumes: files.volumes });
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [props] });
    expect(env.tenants[0].objectStorage).toBe(false);
    expect(env.tenants[0].volumes).toEqual(files.volumes);
    const tenant = buildInventory([env]).environments[0].tenants[0];
    expect(tenant).toMatchObject({ objectStorage: false, volumes: { claims: ['uploads', 'cache'], snapshotCronJob: 'backup-files-snapshots' } });
    // Left out: the model's defaults (object storage on, no volumes).
    const [plain] = tenantsFromRegistry({ ...base, tenants: [{ ...files, objectStorage: undefined, volumes: undefined }] });
    expect(plain).not.toHaveProperty('objectStorage');
    expect(plain).not.toHaveProperty('volumes');
  });

  test('the registry schema refuses bad volumes and a non-boolean objectStorage, each at its path', () => {
    const bad = {
      ...base,
      tenants: [{
        ...files,
        objectStorage: 'yes',
        volumes: [{ name: 'Uploads', size: '10GB' }, { name: 'data' }, { name: 'x', size: '1Gi', storageClass: 'Fast_SSD' }, { name: 'y', size: '1Gi', mode: 'rwx' }],
      }],
    };
    expect(validateTenantRegistry(bad)).toEqual([
      '/tenants/0/objectStorage: must be boolean, got string',
      '/tenants/0/volumes/0/name: must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, got "Uploads"',
      expect.stringMatching(/^\/tenants\/0\/volumes\/0\/size: must match \^\[0-9\]\+.*, got "10GB"$/),
      '/tenants/0/volumes/1: is missing required property "size"',
      expect.stringMatching(/^\/tenants\/0\/volumes\/2\/storageClass: must match .*, got "Fast_SSD"$/),
      '/tenants/0/volumes/3/mode: is not an allowed property',
    ]);
  });

  test('a sign-up with volumes and objectStorage is recorded; the same one redelivered changes nothing', () => {
    const withData = { ...signup, objectStorage: false, volumes: [{ name: 'uploads', size: '20Gi' }] };
    expect(validateSignup(withData)).toEqual([]);
    const { registry, outcome } = applySignup(base, withData);
    expect(outcome).toBe(SignupOutcome.ADDED);
    expect(registry.tenants[0]).toMatchObject({ id: 'globex', objectStorage: false, volumes: [{ name: 'uploads', size: '20Gi' }] });
    expect(validateTenantRegistry(registry)).toEqual([]);
    expect(applySignup(registry, withData).outcome).toBe(SignupOutcome.ALREADY_REGISTERED);
    // The same id with other volumes is another sign-up, refused.
    expect(() => applySignup(registry, { ...withData, volumes: [{ name: 'uploads', size: '40Gi' }] }))
      .toThrow(/tenantId is already registered in prod with different details/);
  });

  test('the sign-up schema refuses bad volumes; the tenant model refuses what the schema lets through (duplicates)', () => {
    expect(validateSignup({ ...signup, volumes: [{ name: 'uploads', size: 'ten' }], objectStorage: 1 })).toEqual([
      expect.stringMatching(/^\/volumes\/0\/size: must match .*, got "ten"$/),
      '/objectStorage: must be boolean, got integer',
    ]);
    expect(() => applySignup(base, { ...signup, volumes: [{ name: 'uploads', size: '1Gi' }, { name: 'uploads', size: '2Gi' }] }))
      .toThrow(/volumes\[1\]\.name is a duplicate \(got "uploads"\); give each volume a unique name/);
  });
});

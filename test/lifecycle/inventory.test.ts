import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { CREATED_AT, referenceEnvironments } from './fixtures';
import {
  buildInventory, expiredEnvironments, INVENTORY_FILE_NAME, inventoryToJson, readInventory, validateInventory, writeInventory,
} from '../../src/lifecycle/inventory';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass, LifecycleKind } from '../../src/model/environment-class';
import { LifecycleValidationError } from '../../src/model/problems';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'lifecycle-inventory.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const ajvValidate = ajv.compile(schema);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('buildInventory', () => {
  const inventory = buildInventory(referenceEnvironments());

  test('the reference platform, as canonical JSON (the contract automation reads)', () => {
    expect(inventoryToJson(inventory)).toMatchSnapshot();
  });

  test('validates against schemas/lifecycle-inventory.schema.json with ajv (and with the package\'s own validator)', () => {
    const ok = ajvValidate(clone(inventory));
    expect(ajvValidate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(validateInventory(inventory)).toEqual([]);
  });

  test.each([
    ['a preview without expiry', (i: any) => { delete i.environments.find((e: any) => e.lifecycle === 'ephemeral').expiresAt; }, /expiresAt/],
    ['production with one approval (B11)', (i: any) => { i.environments.find((e: any) => e.name === 'prod').decommissionApprovals = 1; }, /decommissionApprovals/],
    ['production without backups (B11)', (i: any) => { i.environments.find((e: any) => e.name === 'prod').backup = { enabled: false }; }, /enabled|backup/],
    ['staging with a TTL (B04)', (i: any) => { Object.assign(i.environments.find((e: any) => e.name === 'staging'), { ttl: '48h', ttlSeconds: 172800, expiresAt: CREATED_AT }); }, /ttl/],
    ['an unknown field', (i: any) => { i.environments[0].colour = 'blue'; }, /colour/],
    ['a tenant id with uppercase (B01)', (i: any) => { i.environments[0].tenants[0].id = 'Acme'; }, /id/],
    ['a module version range (V14)', (i: any) => { i.environments[0].tenants[0].modules[0].version = '^3.4.1'; }, /version/],
    ['a tenant with a database but no database role', (i: any) => { delete i.environments[0].tenants[0].vault.databaseRole; }, /databaseRole/],
    ['an Argo CD module without an Application', (i: any) => { delete i.environments.find((e: any) => e.name === 'prod').tenants[0].modules[0].argoCdApplication; }, /argoCdApplication/],
    ['a stack directory escaping the project', (i: any) => { i.environments[0].stackDirectory = '../elsewhere'; }, /stackDirectory/],
    ['a Terraform stack of an unknown part', (i: any) => { i.environments[0].terraformStacks[0].part = 'extra'; }, /part/],
    ['an environment without its Terraform stacks', (i: any) => { delete i.environments[0].terraformStacks; }, /terraformStacks/],
    ['a tenant without its workspace', (i: any) => { delete i.environments[0].tenants[0].workspace; }, /workspace/],
  ])('fails with ajv and the package validator: %s', (_name, mutate, field) => {
    const bad = clone(inventory);
    mutate(bad);
    expect(ajvValidate(bad)).toBe(false);
    expect(JSON.stringify(ajvValidate.errors)).toMatch(field);
    expect(validateInventory(bad).join('\n')).toMatch(field);
  });

  test('records what automation needs: expiry, approvals, namespaces, releases, Vault roles, backups', () => {
    const preview = inventory.environments.find(e => e.lifecycle === LifecycleKind.EPHEMERAL)!;
    expect(preview).toMatchObject({
      name: expect.stringMatching(/^preview-feature-jira-123-add-b[a-z-]*-[0-9a-f]{6}$/),
      createdAt: CREATED_AT,
      ttl: '48h',
      ttlSeconds: 172_800,
      expiresAt: '2026-11-30T09:00:00Z',
      sourceBranch: 'feature/JIRA-123_Add Billing!!',
      owner: 'dana@inopsio.example',
      decommissionApprovals: 0,
      approvalEnvironments: [],
      destroyedAutomatically: true,
      backup: { enabled: false },
    });
    expect(preview.workspace).toBe(`inopsio-${preview.name}`);
    const prod = inventory.environments.find(e => e.name === 'prod')!;
    expect(prod).toMatchObject({
      environmentClass: 'production',
      lifecycle: 'permanent',
      owner: 'Ops Team',
      purpose: 'Customer workloads',
      organization: 'inopsio',
      workspace: 'inopsio-prod',
      stackDirectory: 'cdktf.out/stacks/prod',
      kubeContext: 'prod',
      decommissionApprovals: 2,
      approvalEnvironments: ['decommission-approval-1', 'decommission-approval-2'],
      mutability: 'gitops-only',
      upgradeStrategy: 'argo-cd',
      auditRetentionDays: 90,
      suspendAfterInactiveDays: 90,
      backup: { enabled: true, schedule: '15 2 * * *', localRetentionDays: 30, offsiteRetentionDays: 90, offsite: true, keepLast: 2 },
      vault: { databaseMount: 'database-prod', kubernetesAuthMount: 'kubernetes-prod', kubernetesAuthMountPerEnvironment: true },
    });
    expect(prod.createdAt).toBeUndefined();
    expect(prod.expiresAt).toBeUndefined();
    expect(prod.tenants.map(t => t.id)).toEqual(['acme', 'globex', 'initech']);
    expect(prod.tenants[0]).toMatchObject({
      id: 'acme',
      displayName: 'Acme Corp',
      namespace: 'prod-acme',
      state: 'active',
      createdAt: '2026-01-15T10:00:00Z',
      baseRelease: 'acme-base',
      removalApprovals: 2,
      approvalEnvironments: ['decommission-approval-1', 'decommission-approval-2'],
      vault: { databaseRole: 'acme-db', kubernetesAuthRole: 'acme' },
      backup: { cronJob: 'backup-acme', restoreDrillCronJob: 'backup-acme-restore-drill' },
      modules: [{ name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', release: 'acme-billing', argoCdApplication: 'prod-acme-billing' }],
    });
    expect(prod.tenants[2].state).toBe('archived');
    const dev = inventory.environments.find(e => e.name === 'dev')!;
    expect(dev.tenants[0].removalApprovals).toBe(1);
    expect(dev.tenants[0].modules[0].argoCdApplication).toBeUndefined();
  });

  test('carries no Helm values, so no Vault reference or other value leaks into it', () => {
    expect(inventoryToJson(inventory)).not.toMatch(/vault\(|DATABASE_URL|replicaCount/);
  });

  test('deterministic: input order does not matter, keys are sorted at every level', () => {
    const reversed = buildInventory(referenceEnvironments().reverse());
    expect(inventoryToJson(reversed)).toBe(inventoryToJson(inventory));
    const sortedKeys = (x: any): boolean => Array.isArray(x) ? x.every(sortedKeys)
      : x && typeof x === 'object' ? Object.keys(x).join() === Object.keys(x).sort().join() && Object.values(x).every(sortedKeys) : true;
    expect(sortedKeys(JSON.parse(inventoryToJson(inventory)))).toBe(true);
    expect(sortedKeys(inventory)).toBe(true);
    expect(inventory.environments.map(e => e.name)).toEqual([...inventory.environments.map(e => e.name)].sort());
  });

  test('naming options flow into the inventory and are validated', () => {
    const custom = buildInventory(referenceEnvironments(), { kubeContextPattern: 'gke-{env}', helmReleasePattern: '{env}-{tenant}-{module}' });
    const prod = custom.environments.find(e => e.name === 'prod')!;
    expect(prod.kubeContext).toBe('gke-prod');
    expect(prod.tenants[0].modules.map(m => m.release)).toEqual(['prod-acme-billing']);
    expect(() => buildInventory(referenceEnvironments(), { helmReleasePattern: '{tenant}-{chart}', approvalEnvironments: ['only-one'] }))
      .toThrow(/helmReleasePattern uses unknown placeholders \{chart\}[\s\S]*approvalEnvironments names fewer than 2/);
  });

  test('fails if two environments share a name or a workspace (B03), listing both problems', () => {
    const a = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING });
    const b = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, workspace: 'inopsio-staging' });
    expect(() => buildInventory([a, b])).toThrow(/2 problems:[\s\S]*environment name twice[\s\S]*environment workspace twice/);
    expect(() => buildInventory([])).toThrow(/environments is empty/);
  });
});

describe('writeInventory / readInventory', () => {
  const inventory = buildInventory(referenceEnvironments());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-'));

  test('writes dist/lifecycle.json byte-identically and reads it back', () => {
    const file = writeInventory(path.join(dir, 'dist'), inventory);
    expect(file).toBe(path.join(dir, 'dist', INVENTORY_FILE_NAME));
    expect(fs.readFileSync(file, 'utf8')).toBe(inventoryToJson(inventory));
    expect(readInventory(file)).toEqual(JSON.parse(inventoryToJson(inventory)));
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });

  test('refuses to read a missing, non-JSON, schema-invalid or inconsistent file, naming the file and every problem', () => {
    expect(() => readInventory(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot be read \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    expect(() => readInventory(path.join(dir, 'bad.json'))).toThrow(/bad\.json: is not JSON/);
    const invalid = clone(inventory) as any;
    invalid.format = 'something/v2';
    invalid.environments[0].owner = '';
    fs.writeFileSync(path.join(dir, 'invalid.json'), JSON.stringify(invalid));
    let message = '';
    try {
      readInventory(path.join(dir, 'invalid.json'));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^3 problems:/);
    expect(message).toMatch(/invalid\.json: \/format: must be "inopsio-lifecycle-inventory\/v1", got "something\/v2"/);
    expect(message).toMatch(/invalid\.json: \/environments\/0\/owner: must have at least 1 characters/);
    const inconsistent = clone(inventory) as any;
    const preview = inconsistent.environments.find((e: any) => e.lifecycle === 'ephemeral');
    preview.expiresAt = '2026-12-30T09:00:00Z';
    inconsistent.environments.push(clone(inconsistent.environments[0]));
    fs.writeFileSync(path.join(dir, 'inconsistent.json'), JSON.stringify(inconsistent));
    expect(() => readInventory(path.join(dir, 'inconsistent.json'))).toThrow(/expiresAt: is 2026-12-30T09:00:00Z but createdAt \+ ttlSeconds is 2026-11-30T09:00:00Z[\s\S]*is listed twice/);
  });

  test('writeInventory refuses an invalid inventory instead of writing it', () => {
    const bad = clone(inventory) as any;
    bad.environments[0].name = 'Not A Label';
    expect(() => writeInventory(path.join(dir, 'never'), bad)).toThrow(LifecycleValidationError);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });
});

describe('expiredEnvironments', () => {
  const inventory = buildInventory(referenceEnvironments());

  test('lists environments whose expiry is at or before the instant, soonest first', () => {
    expect(expiredEnvironments(inventory, '2026-11-29T08:59:59Z').map(e => e.name)).toEqual([]);
    expect(expiredEnvironments(inventory, '2026-11-29T09:00:00Z').map(e => e.name)).toEqual(['dev']);
    const all = expiredEnvironments(inventory, '2027-01-01T00:00:00Z');
    expect(all.map(e => e.lifecycle)).toEqual(['reusable', 'ephemeral']);
    expect(expiredEnvironments(inventory, '2027-01-01T00:00:00Z', LifecycleKind.EPHEMERAL)).toHaveLength(1);
  });

  test('never lists persistent or permanent environments, whatever the time', () => {
    expect(expiredEnvironments(inventory, '2999-01-01T00:00:00Z').map(e => e.name)).not.toContain('prod');
  });

  test('fails for an instant that is not ISO-8601 UTC', () => {
    expect(() => expiredEnvironments(inventory, '2026-11-29 09:00')).toThrow(/at is not an ISO-8601 UTC instant/);
  });
});

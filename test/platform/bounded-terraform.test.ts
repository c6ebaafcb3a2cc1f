/**
 * Bounded memory on the Terraform side (issue 20): a Platform builds each tenant's Terraform when synth() installs
 * it, resolves its blocks and drops its constructs; tenants asked for before synth are built on demand and kept.
 * Either way the output is the same, byte for byte.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as policy from '@cdktf/provider-vault/lib/policy';
import { App, TerraformElement } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { Platform, PlatformProps } from '../../src/platform/platform';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { DeferredJson, stableJson } from '../../src/tf/stable-json';
import { fileBytes } from '../support/golden';

jest.setTimeout(600_000);

const IDS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'bounded-tf-'));
}

/** Tenants with and without a database, some with a module; staging in one stack, production over 2 shards. */
function platform(dir: string, props: Partial<PlatformProps> = {}): Platform {
  const tenants: TenantProps[] = IDS.map((id, i) => ({
    id,
    ...(i % 3 === 0 ? {} : { database: false }),
    modules: i % 2 ? [] : [{ name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '1.0.0', values: { replicaCount: '2' } }],
  }));
  return new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    github: githubProps(),
    sharding: { prod: { shardCount: 2, maxTenantsPerShard: 10 } },
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants }),
    ],
    ...props,
  });
}

function stacksOf(p: Platform): EnvironmentStack[] {
  return [p.stackOf('staging'), ...p.shardingOf('prod')!.shards];
}

/** Tenant ids that have Terraform elements constructed below `stack` (below a `Tenant-<id>` scope). */
function constructedTenants(stack: EnvironmentStack): string[] {
  const ids = new Set<string>();
  for (const c of stack.node.findAll()) {
    if (!(c instanceof TerraformElement)) continue;
    const scope = c.node.path.split('/').find(s => s.startsWith('Tenant-'));
    if (scope) ids.add(scope.slice('Tenant-'.length));
  }
  return [...ids].sort();
}

function stackJson(dir: string, stack: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

describe('bounded memory: each tenant\'s Terraform is built, resolved and dropped as synth() installs it', () => {
  test('no stack holds more than the tenant being installed; nothing is left after synth; the output equals keeping every tenant', () => {
    // Released: the default.
    const releasedDir = scratch();
    const released = platform(releasedDir);
    const stacks = stacksOf(released);
    let most = 0;
    const install = EnvironmentStack.prototype.addTenantBase;
    const spy = jest.spyOn(EnvironmentStack.prototype, 'addTenantBase').mockImplementation(function (this: EnvironmentStack, ...args) {
      const out = install.apply(this, args);
      most = Math.max(most, ...stacks.map(s => constructedTenants(s).length));
      return out;
    });
    try {
      released.synth();
    } finally {
      spy.mockRestore();
    }
    // Every tenant was installed (16 in all), at most one tenant's constructs lived at a time, none is left.
    expect(stacks.flatMap(s => s._builtTenants).sort()).toEqual([...IDS, ...IDS].sort());
    expect(most).toBe(1);
    for (const s of stacks) expect(constructedTenants(s)).toEqual([]);

    // Kept: every tenant asked for before synth, so every tenant's constructs stay (the behaviour before).
    const keptDir = scratch();
    const kept = platform(keptDir);
    for (const id of IDS) for (const env of ['staging', 'prod']) kept.tenantStackOf(env, id);
    kept.synth();
    expect(stacksOf(kept).flatMap(constructedTenants).sort()).toEqual([...IDS, ...IDS].sort());

    const [a, b] = [fileBytes(releasedDir), fileBytes(keptDir)];
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [file, bytes] of a) expect([file, bytes === b.get(file)]).toEqual([file, true]);
    // cdktf's process-wide token map keeps nothing of a released tenant: no reference to one of its blocks.
    const tokens: Map<string, any> = (global as any).__cdktfTokenMap.stringTokenMap;
    const toReleased = [...tokens.values()].filter(t => typeof t?.identifier === 'string' && /Tenant-t\d_/.test(t.identifier));
    const toKept = toReleased.length;
    expect(toKept).toBeGreaterThan(0); // the kept platform's tenants (every one asked for) keep theirs
    const releasedDir2 = scratch();
    const before = new Set(tokens.keys());
    platform(releasedDir2).synth();
    expect([...tokens.entries()].filter(([k, t]) => !before.has(k) && typeof t?.identifier === 'string' && /Tenant-t\d_/.test(t.identifier))).toEqual([]);
    // The released tenants' chart assets are where cdktf writes them.
    expect([...a.keys()].filter(f => /^cdktf\.out\/stacks\/staging\/assets\/Tenant-t5_Chart_[A-Z0-9]+\/[0-9a-f]+\/Chart\.yaml$/.test(f))).toHaveLength(1);
  });

  test('a tenant asked for before synth is kept, and what the user adds to it reaches the output', () => {
    const dir = scratch();
    const p = platform(dir, { policy: { enabled: false } });
    // Through the Platform, in an unsharded and a sharded environment.
    const staging = p.tenantStackOf('staging', 't2');
    new policy.Policy(staging.vault.tenantResources('t2'), 'Extra', { name: 'staging-t2-extra', policy: 'path "kv/data/staging/t2/extra" { capabilities = ["read"] }' });
    const shard = p.tenantStackOf('prod', 't3');
    new policy.Policy(shard.vault.tenantResources('t3'), 'Extra', { name: 'prod-t3-extra', policy: 'path "kv/data/prod/t3/extra" { capabilities = ["read"] }' });
    // Through the stack's VaultBootstrap: built on demand.
    expect(p.stackOf('staging').vault.hasTenant('t4')).toBe(false);
    const t4 = p.stackOf('staging').vault.tenantResources('t4');
    new policy.Policy(t4, 'Extra', { name: 'staging-t4-extra', policy: 'path "kv/data/staging/t4/extra" { capabilities = ["read"] }' });
    p.synth();

    expect(constructedTenants(p.stackOf('staging'))).toEqual(['t2', 't4']);
    expect(constructedTenants(shard)).toEqual(['t3']);
    const stagingJson = stackJson(dir, 'staging');
    const names = Object.values<any>(stagingJson.resource.vault_policy).map(r => r.name);
    expect(names).toEqual(expect.arrayContaining(['staging-t2-extra', 'staging-t4-extra']));
    // A released tenant's blocks are in the output all the same.
    expect(names).toEqual(expect.arrayContaining(['env-staging-tenant-t5']));
    const shardJson = stackJson(dir, shard.node.id);
    expect(Object.values<any>(shardJson.resource.vault_policy).map(r => r.name)).toContain('prod-t3-extra');
  });

  test('listing a stack\'s tenants before synth builds and keeps each of them, as when they were built up front', () => {
    const dir = scratch();
    const p = platform(dir, { policy: { enabled: false } });
    const staging = p.stackOf('staging');
    expect(staging._builtTenants).toEqual([]);
    // Every tenant of the environment, in its order; a shard lists its own tenants.
    expect(staging.vault.tenants.map(t => t.tenant.id)).toEqual(IDS);
    const shard = p.shardingOf('prod')!.shards[0];
    const shardIds = shard.vault.tenants.map(t => t.tenant.id);
    expect(shardIds.length).toBeGreaterThan(0);
    for (const t of staging.vault.tenants) new policy.Policy(t, 'Listed', { name: `staging-${t.tenant.id}-listed`, policy: 'path "kv/data/x" { capabilities = ["read"] }' });
    p.synth();
    // Kept: nothing of them released; what was added to each reaches the output.
    expect(constructedTenants(staging)).toEqual([...IDS].sort());
    expect(constructedTenants(shard)).toEqual([...shardIds].sort());
    const names = Object.values<any>(stackJson(dir, 'staging').resource.vault_policy).map(r => r.name);
    expect(names).toEqual(expect.arrayContaining(IDS.map(id => `staging-${id}-listed`)));
    // After synth, a released tenant is not listed (and not built again).
    const other = p.shardingOf('prod')!.shards.find(s => s !== shard)!;
    expect(other.vault.tenants).toEqual([]);
    expect(constructedTenants(other)).toEqual([]);
  });

  test('a stack hands its writer the released tenants\' blocks as text, parsed one at a time; toTerraform() parses them all', () => {
    const dir = scratch();
    const p = platform(dir, { policy: { enabled: false } });
    p.synth();
    const staging = p.stackOf('staging');
    const forWriting = staging._terraformForWriting();
    const tenantBlocks = Object.entries<any>(forWriting.resource.vault_policy).filter(([name]) => name.includes('Tenant-'));
    expect(tenantBlocks.length).toBeGreaterThanOrEqual(IDS.length);
    for (const [, block] of tenantBlocks) expect(block).toBeInstanceOf(DeferredJson);
    // The file is the writer's text of it; toTerraform() is the same JSON as objects.
    const file = fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'staging', 'cdk.tf.json'), 'utf8');
    expect(stableJson(forWriting, '  ')).toBe(file);
    expect(staging.toTerraform()).toEqual(JSON.parse(file));
  });
});

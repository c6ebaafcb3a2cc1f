import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import * as fc from 'fast-check';
import { writeChart } from './fixtures';
import { DecommissionStepId, planDecommission } from '../../src/lifecycle/decommission';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { EnvironmentStack, EnvironmentStackPart } from '../../src/tf/environment-stack';
import { ShardedEnvironment } from '../../src/tf/sharding';
import { backupProps, githubProps } from '../platform/fixtures';

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'sharding-'));
}

const ENVIRONMENT_WIDE = ['vault_mount', 'vault_kv_secret_backend_v2', 'vault_auth_backend', 'vault_kubernetes_auth_backend_config', 'vault_audit'];

function tenants(n: number, offset = 0): TenantProps[] {
  return Array.from({ length: n }, (_, i) => ({ id: `t${i + offset}`, modules: i % 2 ? [] : [{ name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '1.0.0' }] }));
}

function prod(ts: TenantProps[]): Environment {
  return new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: ts });
}

/** Synthesized JSON of every stack of the app, by stack id. */
function synthAll(app: App): Record<string, any> {
  app.synth();
  const dir = path.join(app.outdir, 'stacks');
  return Object.fromEntries(fs.readdirSync(dir).map(s => [s, JSON.parse(fs.readFileSync(path.join(dir, s, 'cdk.tf.json'), 'utf8'))]));
}

/** Tenant id → stack id, read from the tenant policies (`env-prod-tenant-<tenant>`) in the synthesized stacks. */
function tenantStacks(stacks: Record<string, any>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, tf] of Object.entries(stacks)) {
    for (const p of Object.values<any>(tf.resource?.vault_policy ?? {})) {
      const m = /^env-prod-tenant-(t\d+)$/.exec(p.name);
      if (m) out.set(m[1], id);
    }
  }
  return out;
}

function shardedApp(ts: TenantProps[], shardCount: number): { app: App; sharded: ShardedEnvironment } {
  const app = Testing.app();
  const env = prod(ts);
  const sharded = new ShardedEnvironment(app, { environment: env, sharding: { shardCount } });
  for (const t of env.tenants) sharded.stackForTenant(t.id).addTenantBase(t, writeChart(`shard-${t.id}`, env.namespaceFor(t.id)));
  sharded.charts.addEnvironmentChart('platform', writeChart('shard-platform', 'monitoring'), 'monitoring');
  return { app, sharded };
}

describe('ShardedEnvironment', () => {
  test('base: environment-wide Vault once; shards: tenants only, mounts by name; charts last; workspaces and run order', () => {
    const { app, sharded } = shardedApp(tenants(20), 3);
    const stacks = synthAll(app);
    expect(Object.keys(stacks).sort()).toEqual(['prod', 'prod-charts', 'prod-shard-01', 'prod-shard-02', 'prod-shard-03']);
    expect(sharded.stacks.map(s => s.node.id)).toEqual(['prod', 'prod-shard-01', 'prod-shard-02', 'prod-shard-03', 'prod-charts']);
    const workspace = (s: string) => stacks[s].terraform.cloud.workspaces.name;
    expect(Object.keys(stacks).sort().map(workspace)).toEqual(['inopsio-prod', 'inopsio-prod-charts', 'inopsio-prod-shard-01', 'inopsio-prod-shard-02', 'inopsio-prod-shard-03']);

    // Every environment-wide resource type exists in the base and nowhere else (production: two audit devices).
    const base = stacks.prod.resource;
    expect(Object.keys(base.vault_audit)).toHaveLength(2);
    expect(Object.keys(base.vault_mount)).toHaveLength(2);
    expect(Object.values<any>(base.vault_policy).map(p => p.name)).toEqual(['env-prod']);
    expect(base.helm_release).toBeUndefined();
    for (const s of ['prod-shard-01', 'prod-shard-02', 'prod-shard-03', 'prod-charts']) {
      for (const type of ENVIRONMENT_WIDE) expect([s, type, stacks[s].resource[type]]).toEqual([s, type, undefined]);
    }
    // Shards name the base stack's mounts; Kubernetes roles wait for the base's auth backend through a data source.
    for (const s of ['prod-shard-01', 'prod-shard-02', 'prod-shard-03']) {
      const r = stacks[s].resource;
      for (const c of Object.values<any>(r.vault_database_secret_backend_connection)) expect(c.backend).toBe('database-prod');
      for (const k of Object.values<any>(r.vault_kubernetes_auth_backend_role)) {
        expect(k.backend).toBe('kubernetes-prod');
        expect(k.depends_on).toEqual([expect.stringMatching(/^data\.vault_auth_backend\./)]);
      }
      expect(Object.values<any>(stacks[s].data.vault_auth_backend)[0].path).toBe('kubernetes-prod');
      expect(JSON.stringify(stacks[s])).not.toMatch(/\$\{vault_(mount|auth_backend|kubernetes_auth_backend_config)\./);
    }
    // Each tenant is in exactly one shard, the one TenantSharding names; the charts stack holds the environment chart only.
    const where = tenantStacks(stacks);
    expect(where.size).toBe(20);
    for (const [id, stack] of where) expect(stack).toBe(`prod-shard-0${sharded.sharding.shardOf(id)}`);
    expect(Object.values<any>(stacks['prod-charts'].resource.helm_release).map(r => [r.name, r.depends_on])).toEqual([['prod-platform', undefined]]);
    // Run order, as cdktf records it: shards after the base, charts after every shard.
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks['prod-shard-02'].dependencies).toEqual(['prod']);
    expect(manifest.stacks['prod-charts'].dependencies.sort()).toEqual(['prod-shard-01', 'prod-shard-02', 'prod-shard-03']);
  });

  test('adding and removing tenants never moves another tenant to a different workspace (property, synthesized)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 12 }),
      fc.uniqueArray(fc.integer({ min: 501, max: 999 }), { maxLength: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 1023 }),
      (ids, added, shardCount, drop) => {
        const before = tenantStacks(synthAll(shardedApp(ids.map(i => ({ id: `t${i}` })), shardCount).app));
        const kept = ids.filter((_, i) => Math.floor(drop / 2 ** (i % 10)) % 2 === 0);
        const after = tenantStacks(synthAll(shardedApp([...kept, ...added].map(i => ({ id: `t${i}` })), shardCount).app));
        expect([before.size, after.size]).toEqual([ids.length, kept.length + added.length]);
        for (const i of kept) expect(after.get(`t${i}`)).toBe(before.get(`t${i}`));
      },
    ), { numRuns: 6 });
  });

  test('refuses tenants of another shard, and environment charts in a base or shard stack', () => {
    const { sharded } = shardedApp(tenants(6), 2);
    const other = sharded.shards.find(s => !s.tenantRelease('t0'))!;
    expect(() => other.addTenantBase(sharded.environment.tenants[0], writeChart('x'))).toThrow(/is not a tenant of this tenant-shard stack of environment "prod" \(got "t0"\); install it with the stack of its shard/);
    expect(() => sharded.base.addEnvironmentChart('other', writeChart('y'), 'monitoring')).toThrow('part cannot install environment charts (got "base"); a sharded environment installs them with its EnvironmentChartStack, after every shard');
    expect(() => new EnvironmentStack(Testing.app(), 'x', { environment: prod(tenants(1)), shardTenants: [] })).toThrow('shardTenants is set on a whole stack (got []); remove it, or use part: EnvironmentStackPart.TENANT_SHARD');
    expect(sharded.shards.every(s => s.part === EnvironmentStackPart.TENANT_SHARD)).toBe(true);
  });
});

describe('Platform with sharding', () => {
  const ts: TenantProps[] = tenants(9);
  function platform(dir: string, sharding?: any, policy: boolean = false): Platform {
    const app = new App({ outdir: path.join(dir, 'cdktf.out') });
    return new Platform(app, 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      policy: { enabled: policy },
      sharding,
      environments: [
        new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants: ts }),
        prod(ts),
      ],
    });
  }
  function files(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach(e => (e.isDirectory() ? walk(path.join(d, e.name)) : (out[path.relative(dir, path.join(d, e.name))] = fs.readFileSync(path.join(d, e.name), 'utf8'))));
    walk(dir);
    return out;
  }
  /**
   * Every resource of the given stacks by type and construct path below the stack, without metadata and depends_on,
   * and with references to the base stack's mounts written as the mount paths the shards use.
   */
  function resources(dir: string, stacks: string[]): Record<string, any> {
    const out: Record<string, any> = {};
    for (const s of stacks) {
      const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', s, 'cdk.tf.json'), 'utf8'));
      for (const [type, byName] of Object.entries<any>(tf.resource ?? {})) {
        for (const r of Object.values<any>(byName)) {
          const { ['//']: meta, depends_on: _deps, ...rest } = r;
          const text = JSON.stringify(rest)
            .replace(/\$\{vault_mount\.Vault_Database_[0-9A-F]+\.path\}/g, 'database-prod')
            .replace(/\$\{vault_auth_backend\.Vault_KubernetesAuth_[0-9A-F]+\.path\}/g, 'kubernetes-prod')
            .replace(/assets\/[^"]*/g, 'assets/…');
          out[`${type} ${meta.metadata.path.split('/').slice(2).join('/')}`] = JSON.parse(text);
        }
      }
    }
    return out;
  }

  test('the Kubernetes output is the same, and the stacks together hold the same resources as one stack', () => {
    const one = scratch();
    const sharded = scratch();
    platform(one).synth();
    const p = platform(sharded, { prod: { shardCount: 3, maxTenantsPerShard: 9 } });
    p.synth();
    expect(files(path.join(sharded, 'dist', 'k8s'))).toEqual(files(path.join(one, 'dist', 'k8s')));
    const stacks = fs.readdirSync(path.join(sharded, 'cdktf.out', 'stacks')).filter(s => s.startsWith('prod')).sort();
    expect(stacks).toEqual(['prod', 'prod-charts', 'prod-shard-01', 'prod-shard-02', 'prod-shard-03']);
    expect(resources(sharded, stacks)).toEqual(resources(one, ['prod']));
    expect(p.shardingOf('prod')!.stacks.map(s => s.node.id)).toEqual(['prod', 'prod-shard-01', 'prod-shard-02', 'prod-shard-03', 'prod-charts']);
    expect(p.shardingOf('staging')).toBeUndefined();
    expect(p.tenantStackOf('prod', 't4').node.id).toBe(`prod-shard-0${p.shardingOf('prod')!.sharding.shardOf('t4')}`);
    expect(p.tenantStackOf('staging', 't4').node.id).toBe('staging');
    fs.rmSync(one, { recursive: true, force: true });
    fs.rmSync(sharded, { recursive: true, force: true });
  });

  test('with the policy pack on (the default): every stack is checked as its environment, parity holds, and the inventory, decommission plan and upgrade workflow cover every workspace', () => {
    const dir = scratch();
    const p = platform(dir, { prod: { shardCount: 3, maxTenantsPerShard: 9 } }, true);
    const out = p.synth();
    const report = JSON.parse(fs.readFileSync(out.policyReportFile!, 'utf8'));
    expect(report.summary.errors).toBe(0);
    // Vault rules read the shards as production: each shard's tenant policies were checked (V-rules count them).
    const checkedV01 = report.rules.find((r: any) => r.id === 'V01').checked;
    const unsharded = scratch();
    const one = platform(unsharded, undefined, true).synth();
    expect(checkedV01).toBe(JSON.parse(fs.readFileSync(one.policyReportFile!, 'utf8')).rules.find((r: any) => r.id === 'V01').checked);

    const inventory = JSON.parse(fs.readFileSync(out.inventoryFile, 'utf8'));
    const prodEntry = inventory.environments.find((e: any) => e.name === 'prod');
    expect(prodEntry.terraformStacks.map((s: any) => `${s.part} ${s.name} ${s.workspace} ${s.directory}`)).toEqual([
      'base prod inopsio-prod cdktf.out/stacks/prod',
      'tenant-shard prod-shard-01 inopsio-prod-shard-01 cdktf.out/stacks/prod-shard-01',
      'tenant-shard prod-shard-02 inopsio-prod-shard-02 cdktf.out/stacks/prod-shard-02',
      'tenant-shard prod-shard-03 inopsio-prod-shard-03 cdktf.out/stacks/prod-shard-03',
      'charts prod-charts inopsio-prod-charts cdktf.out/stacks/prod-charts',
    ]);
    for (const t of prodEntry.tenants) {
      const stack = p.tenantStackOf('prod', t.id).node.id;
      expect(t.workspace).toBe(`inopsio-${stack}`);
      expect(fs.existsSync(path.join(dir, t.stackDirectory, 'cdk.tf.json'))).toBe(true);
    }
    const stagingEntry = inventory.environments.find((e: any) => e.name === 'staging');
    expect(stagingEntry.terraformStacks).toEqual([{ name: 'staging', workspace: 'inopsio-staging', directory: 'cdktf.out/stacks/staging', part: 'environment' }]);
    expect(new Set(stagingEntry.tenants.map((t: any) => t.workspace))).toEqual(new Set(['inopsio-staging']));

    // Destroy in reverse apply order; a tenant's removal names its shard's workspace.
    const plan = planDecommission(inventory, 'prod');
    expect(plan.targets.stacks).toEqual(['prod-charts', 'prod-shard-03', 'prod-shard-02', 'prod-shard-01', 'prod'].map(s => `cdktf.out/stacks/${s}`));
    expect(plan.steps.find(st => st.id === DecommissionStepId.DESTROY)!.title).toContain('inopsio/inopsio-prod-charts, inopsio/inopsio-prod-shard-03');
    const tenantPlan = planDecommission(inventory, 'prod', 't4');
    expect(tenantPlan.steps.find(st => st.id === DecommissionStepId.FORGET)!.title).toContain(`workspace inopsio/inopsio-${p.tenantStackOf('prod', 't4').node.id}`);

    // The upgrade workflow applies prod's stacks in order; staging keeps its single stack.
    const upgrade = fs.readFileSync(out.workflowFiles.find(f => f.endsWith('tenant-upgrade.yml'))!, 'utf8');
    expect(upgrade).toContain('STACKS: prod prod-shard-01 prod-shard-02 prod-shard-03 prod-charts');
    expect(upgrade).toContain('for stack in "${stacks[@]}"; do');
    expect(upgrade).toContain('STACK: cdktf.out/stacks/staging');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(unsharded, { recursive: true, force: true });
  });

  test('a full shard fails the construction, naming the shard; unknown environments and stack name clashes are refused', () => {
    expect(() => platform(scratch(), { prod: { shardCount: 2, maxTenantsPerShard: 3 } })).toThrow(/inopsio\/prod\.sharding: shard 0[12] holds [4-9] tenants, more than maxTenantsPerShard 3/);
    expect(() => platform(scratch(), { qa: { shardCount: 2 } })).toThrow('inopsio: sharding.qa is not an environment of this platform (got "qa"); use one of staging, prod');
  });
});

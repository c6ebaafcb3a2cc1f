import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { App } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { tenantLabels } from '../../src/model/labels';
import { SynthesisShard, SYNTHESIS_SHARD_ENV_VAR } from '../../src/model/synthesis-shard';
import { TenantProps } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { mergeSynthesisParts } from '../../src/platform/shard-synth';

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'shard-synth-'));
}

const TENANTS: TenantProps[] = Array.from({ length: 9 }, (_, i) => ({
  id: `t${i}`,
  // The module logs in to Vault: its Argo CD Application (environment chart, part 1's file) names the tenant's Vault
  // role, which the tenant's shard stack (maybe another part's) defines (W03).
  modules: i % 2 ? [] : [{
    name: 'billing',
    chart: 'billing-api',
    repository: 'https://charts.inopsio.example',
    version: '1.0.0',
    values: { 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" },
  }],
}));

/** Staging in one stack, production over 3 Terraform shards: the reference shape, small. */
function platform(dir: string, part?: SynthesisShard): Platform {
  const app = new App({ outdir: path.join(dir, 'cdktf.out') });
  return new Platform(app, 'inopsio', {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    github: githubProps(),
    sharding: { prod: { shardCount: 3, maxTenantsPerShard: 9 } },
    synthesisShard: part,
    // synth.yml, the matrix over the parts, is written and checked by the policy pack with the other workflows.
    workflows: { synthesisParts: 3 },
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants: TENANTS }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: TENANTS }),
    ],
  });
}

/** Every file below `dir`, relative to it, with its bytes. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach(e => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else out.set(path.relative(dir, p), fs.readFileSync(p));
  });
  walk(dir);
  return out;
}

/** Synthesize part i/n of `build` in its own folder (the working directory of one CI job); returns the folder. */
function synthPart(i: number, n: number, build: (dir: string, part: SynthesisShard) => Platform = platform): string {
  const dir = scratch();
  build(dir, SynthesisShard.of(i, n)).synth();
  return dir;
}

describe('SynthesisShard', () => {
  test('parses i/n and refuses anything else', () => {
    expect(SynthesisShard.parse('2/3')).toMatchObject({ index: 2, count: 3, designated: false, label: '2-of-3' });
    expect(() => SynthesisShard.parse('3')).toThrow('SynthesisShard: text is not a part "i/n" (got "3"); write e.g. "2/3" (part 2 of 3)');
    expect(() => SynthesisShard.of(4, 3)).toThrow('SynthesisShard: index is not a whole number from 1 to 3 (got 4); number the parts from 1');
    expect(() => SynthesisShard.of(1, 0)).toThrow('SynthesisShard: count is not a whole number from 1 to 99 (got 0)');
  });

  test('a Platform reads INOPSIO_SHARD when synthesisShard is not set', () => {
    const saved = process.env[SYNTHESIS_SHARD_ENV_VAR];
    try {
      process.env[SYNTHESIS_SHARD_ENV_VAR] = '2/3';
      expect(platform(scratch()).synthesisShard).toMatchObject({ index: 2, count: 3 });
      process.env[SYNTHESIS_SHARD_ENV_VAR] = 'two';
      expect(() => platform(scratch())).toThrow('SynthesisShard: text is not a part "i/n" (got "two")');
      delete process.env[SYNTHESIS_SHARD_ENV_VAR];
      expect(platform(scratch()).synthesisShard).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env[SYNTHESIS_SHARD_ENV_VAR];
      else process.env[SYNTHESIS_SHARD_ENV_VAR] = saved;
    }
  });
});

describe('horizontal synthesis', () => {
  const N = 3;
  let whole: string;
  let parts: string[];
  beforeAll(() => {
    whole = scratch();
    platform(whole).synth();
    parts = Array.from({ length: N }, (_, i) => synthPart(i + 1, N));
  });

  test('the parts write disjoint files whose union is the whole output byte for byte (policy report aside)', () => {
    const expected = files(whole);
    const union = new Map<string, Buffer>();
    parts.forEach((dir, i) => {
      for (const [file, bytes] of files(dir)) {
        if (file === `dist/synthesis-parts/part-${i + 1}-of-${N}.json`) continue;
        expect([file, union.has(file)]).toEqual([file, false]);
        union.set(file, bytes);
      }
    });
    expected.delete('dist/policy-report.json');
    expect([...union.keys()].sort()).toEqual([...expected.keys()].sort());
    // Every file but the inventory is final as a part writes it; the inventory's prerequisites are the union of the
    // parts', which the final step writes (part 1 alone knows only its own files' prerequisites).
    for (const [file, bytes] of expected) {
      if (file !== 'dist/lifecycle.json') expect([file, union.get(file)!.equals(bytes)]).toEqual([file, true]);
    }
    const merged = scratch();
    for (const dir of parts) fs.cpSync(path.join(dir, 'dist'), path.join(merged, 'dist'), { recursive: true });
    mergeSynthesisParts(path.join(merged, 'dist'));
    expect(fs.readFileSync(path.join(merged, 'dist', 'lifecycle.json'), 'utf8')).toEqual(expected.get('dist/lifecycle.json')!.toString('utf8'));
  });

  test('a part writes its Terraform shards and their tenants, part 1 everything environment-wide', () => {
    const p = platform(scratch());
    const shardOf = (id: string) => p.shardingOf('prod')!.sharding.shardOf(id);
    parts.forEach((dir, i) => {
      const part = SynthesisShard.of(i + 1, N);
      const written = [...files(dir).keys()];
      const stacks = [...new Set(written.filter(f => f.startsWith('cdktf.out/stacks/')).map(f => f.split('/')[2]))].sort();
      const shards = [1, 2, 3].filter(s => part.ownsTerraformShard(s)).map(s => `prod-shard-0${s}`);
      expect(stacks).toEqual(part.designated ? ['github-environments', 'prod', 'prod-charts', ...shards, 'staging'].sort() : shards);
      const prodTenants = written.filter(f => f.startsWith('dist/k8s/prod/t')).map(f => path.basename(f, '.k8s.yaml')).sort();
      expect(prodTenants).toEqual(TENANTS.map(t => t.id).filter(id => part.ownsTerraformShard(shardOf(id))).sort());
      expect(written.includes('dist/lifecycle.json')).toBe(part.designated);
      expect(written.includes('cdktf.out/manifest.json')).toBe(part.designated);
      expect(written.some(f => f.startsWith('dist/k8s/staging/'))).toBe(part.designated);
      expect(written.some(f => f.startsWith('dist/workflows/'))).toBe(part.designated);
      expect(written.includes('dist/workflows/synth.yml')).toBe(part.designated);
    });
  });

  test('a part constructs no tenant of another part', () => {
    const part = SynthesisShard.of(2, N);
    const p = platform(scratch(), part);
    const sharded = p.shardingOf('prod')!;
    // Tenants' Terraform is built when synth() writes them (bounded memory): none before.
    for (const t of TENANTS) expect(sharded.stackForTenant(t.id).vault.hasTenant(t.id)).toBe(false);
    p.synth();
    for (const t of TENANTS) {
      const owned = part.ownsTerraformShard(sharded.sharding.shardOf(t.id));
      // Vault resources of a tenant are built only in the part that writes it.
      expect([t.id, sharded.stackForTenant(t.id)._builtTenants.includes(t.id)]).toEqual([t.id, owned]);
    }
    // Staging is not sharded: its single stack (with every tenant) belongs to part 1.
    expect(p.stackOf('staging')._builtTenants).toEqual([]);
  });

  test('the final step merges the digests into a report with the whole synthesis\'s rules and findings', () => {
    const merged = scratch();
    for (const dir of parts) fs.cpSync(path.join(dir, 'dist'), path.join(merged, 'dist'), { recursive: true });
    const report = mergeSynthesisParts(path.join(merged, 'dist'));
    const full = JSON.parse(fs.readFileSync(path.join(whole, 'dist', 'policy-report.json'), 'utf8'));
    expect(report.rules.map(r => `${r.id} ${r.status}`)).toEqual(full.rules.map((r: any) => `${r.id} ${r.status}`));
    expect(report.findings.map(f => f.message)).toEqual(full.findings.map((f: any) => f.message));
    expect(fs.existsSync(path.join(merged, 'dist', 'policy-report.json'))).toBe(true);
  });

  test('the final step refuses a missing part', () => {
    const merged = scratch();
    for (const dir of parts.slice(0, 2)) fs.cpSync(path.join(dir, 'dist'), path.join(merged, 'dist'), { recursive: true });
    expect(() => mergeSynthesisParts(path.join(merged, 'dist'))).toThrow('mergeSynthesisParts: parts misses part(s) 3/3 (got [1,2]); wait for every part\'s job and copy its output');
  });

  test('a duplicate planted across two parts passes each part and is found by the final step (B03)', () => {
    const shardOf = (id: string) => platform(scratch()).shardingOf('prod')!.sharding.shardOf(id);
    const partOf = (id: string) => ((shardOf(id) - 1) % N) + 1;
    const a = TENANTS.find(t => partOf(t.id) === 2)!.id;
    const b = TENANTS.find(t => partOf(t.id) === 3)!.id;
    const env = (p: Platform) => p.environments.find(e => e.name === 'prod')!;
    // The same ConfigMap, in tenant a's namespace, added to tenant a's chart (part 2) and to tenant b's (part 3).
    const planted = (dir: string, part: SynthesisShard) => {
      const p = platform(dir, part);
      const owner = part.index === 2 ? a : part.index === 3 ? b : undefined;
      if (owner) {
        const labels = tenantLabels(env(p), env(p).tenants.find(t => t.id === a)!, 'planted');
        new ApiObject(p.tenantChart('prod', owner), 'Planted', {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'planted', namespace: env(p).namespaceFor(a), labels }, data: { k: 'v' },
        } as any);
      }
      return p;
    };
    const merged = scratch();
    for (let i = 1; i <= N; i++) {
      const dir = synthPart(i, N, planted);
      fs.cpSync(path.join(dir, 'dist'), path.join(merged, 'dist'), { recursive: true });
    }
    let error: Error | undefined;
    try {
      mergeSynthesisParts(path.join(merged, 'dist'));
    } catch (e) {
      error = e as Error;
    }
    const ns = `prod-${a}`;
    expect(error?.message).toContain(`prod/ConfigMap/${ns}/planted: metadata.name duplicates prod/ConfigMap/${ns}/planted in`);
    expect(error?.message).toMatch(/\(part 2\/3; this is part 3\/3\) \(got "planted"\); rename one of them .* \(B03\)/);
  });

  test('a parity break planted in one part passes that part and is found by the final step, as a whole synthesis finds it', () => {
    const shardOf = (id: string) => platform(scratch()).shardingOf('prod')!.sharding.shardOf(id);
    const a = TENANTS.find(t => ((shardOf(t.id) - 1) % N) + 1 === 2)!.id;
    // Production tenant a gets a ConfigMap its staging twin does not have.
    const planted = (dir: string, part?: SynthesisShard) => {
      const p = platform(dir, part);
      if (!part || part.index === 2) {
        const env = p.environments.find(e => e.name === 'prod')!;
        const labels = tenantLabels(env, env.tenants.find(t => t.id === a)!, 'extra');
        new ApiObject(p.tenantChart('prod', a), 'Extra', {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: env.namespaceFor(a), labels }, data: { k: 'v' },
        } as any);
      }
      return p;
    };
    const problemsOf = (fn: () => unknown): string[] => {
      try {
        fn();
      } catch (e) {
        return (e as any).problems ?? [String(e)];
      }
      return [];
    };
    const wholeProblems = problemsOf(() => planted(scratch()).synth());
    expect(wholeProblems.join('\n')).toContain('ConfigMap/<env>-<tenant>/extra');
    const merged = scratch();
    for (let i = 1; i <= N; i++) {
      const dir = synthPart(i, N, planted);
      fs.cpSync(path.join(dir, 'dist'), path.join(merged, 'dist'), { recursive: true });
    }
    expect(problemsOf(() => mergeSynthesisParts(path.join(merged, 'dist')))).toEqual(wholeProblems);
  });

  test('a part refuses an environment app with chart dependencies (cdk8s numbers their files across the whole app)', () => {
    const p = platform(scratch(), SynthesisShard.of(2, N));
    const first = new Chart(p.manifestsOf('prod'), 'first');
    new Chart(p.manifestsOf('prod'), 'second').addDependency(first);
    expect(() => p.synth()).toThrow('inopsio: manifestsOf("prod") has chart dependencies, whose files cdk8s numbers across the whole app, in a split synthesis (got "2-of-3"); synthesize the platform whole');
  });
});

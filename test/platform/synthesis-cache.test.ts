/**
 * Incremental synthesis (issue 20 item 3): a warm re-synth with the cache writes what a cold synth without it writes,
 * every file byte for byte, building only the tenants whose key changed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { backupProps, githubProps, mixedTenants } from './fixtures';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { Platform, PlatformProps } from '../../src/platform/platform';
import { SYNTH_CACHE_ENV_VAR, SynthesisCache } from '../../src/platform/synthesis-cache';
import { PolicyPack } from '../../src/policy/pack';
import { fileBytes } from '../support/golden';

jest.setTimeout(600_000);

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'synth-cache-'));
}

const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);

/** 10 tenants of every shape (`mixedTenants`); `change` applies to tenant t1. Staging in one stack, production over 3 Terraform shards. */
function tenants(change: Partial<TenantProps> = {}, count: number = 10): TenantProps[] {
  return mixedTenants(count, change);
}

interface Variant {
  readonly change?: Partial<TenantProps>;
  readonly count?: number;
  readonly props?: Partial<PlatformProps>;
}

function platform(dir: string, variant: Variant, cache?: string): Platform {
  const app = new App({ outdir: path.join(dir, 'cdktf.out') });
  const list = tenants(variant.change, variant.count);
  return new Platform(app, 'inopsio', {
    outdir: path.join(dir, 'dist'),
    backup: { ...backupProps(), tenantObjects: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-tenant-data', egress: minio } },
    github: githubProps(),
    sharding: { prod: { shardCount: 3, maxTenantsPerShard: 10 } },
    synthesisCache: cache ? { directory: cache } : undefined,
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants: list }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: list }),
    ],
    ...variant.props,
  });
}

/** Synthesize `variant` into a fresh folder; returns the folder and the tenants built (Vault resources constructed). */
function synth(variant: Variant, cache?: string): { dir: string; built: string[] } {
  const dir = scratch();
  const p = platform(dir, variant, cache);
  const stacks = [p.stackOf('staging'), ...p.shardingOf('prod')!.shards];
  p.synth();
  // Built tenants are released once resolved (bounded memory): the stack still lists them.
  const built = stacks.flatMap(s => s._builtTenants.map(id => `${s.node.id}/${id}`)).sort();
  return { dir, built };
}

/** The two trees hold the same files with the same bytes (compared file by file, so a failure names the file). */
function expectSameTree(actual: string, expected: string): void {
  const [a, e] = [fileBytes(actual), fileBytes(expected)];
  expect([...a.keys()].sort()).toEqual([...e.keys()].sort());
  for (const [file, bytes] of e) {
    if (a.get(file) !== bytes) expect({ file, bytes: a.get(file) }).toEqual({ file, bytes });
  }
}

const changed: Variant = { change: { groups: ['t1-admins'] } };
const added: Variant = { count: 11 };
const network: Variant = { props: { network: { vault: EgressTarget.podsInNamespace('vault', { 'app.kubernetes.io/name': 'vault' }, 8200) } } };
const policyOff: Partial<PlatformProps> = { policy: { enabled: false } };

describe('incremental synthesis (PlatformProps.synthesisCache)', () => {
  const cache = scratch();
  const cold: { [name: string]: string } = {};

  beforeAll(() => {
    // Cold synths without a cache: the reference every cached synthesis must equal.
    cold.base = synth({}).dir;
    cold.changed = synth(changed).dir;
    cold.network = synth(network).dir;
    cold.added = synth(added).dir;
    cold.changedPolicyOff = synth({ ...changed, props: policyOff }).dir;
  });

  test('the policy pack takes cached tenants\' fragments; a new tenant list (parity normalizes with it) recomputes them', () => {
    const fresh = scratch();
    synth({}, fresh);
    const computed = jest.spyOn(PolicyPack.prototype, '_tenantFragment');
    const documentsRead = jest.spyOn(SynthesisCache.prototype, 'documentsOf');
    try {
      // Nothing changed: every tenant's policy result comes from its entry, none is computed, the report is the same;
      // the cached documents are not even read (the inventory's prerequisites are in the entry too).
      expectSameTree(synth({}, fresh).dir, cold.base);
      expect(computed).not.toHaveBeenCalled();
      expect(documentsRead).not.toHaveBeenCalled();
      // A tenant added: the others' files still hit, but their parity keys were normalized with the old tenant list,
      // so each fragment is computed again from the cached documents (20) and the new tenant's from its build (2).
      const more = synth(added, fresh);
      expect(more.built.map(b => b.split('/')[1])).toEqual(['t10', 't10']);
      expect(computed).toHaveBeenCalledTimes(22);
      expect(documentsRead).toHaveBeenCalledTimes(20);
      expectSameTree(more.dir, cold.added);
    } finally {
      computed.mockRestore();
      documentsRead.mockRestore();
    }
  });

  test('a cold synth with the cache writes the same output, and builds every tenant', () => {
    const { dir, built } = synth({}, cache);
    expect(built).toHaveLength(20);
    expectSameTree(dir, cold.base);
    expect(fs.readdirSync(path.join(cache, 'staging')).sort()).toEqual(tenants().map(t => t.id).sort());
  });

  test('nothing changed: no tenant is built, the output is the same', () => {
    const { dir, built } = synth({}, cache);
    expect(built).toEqual([]);
    expectSameTree(dir, cold.base);
    // The policy report (the pack reads the cached tenants' files back) equals the cold one: compared above; it exists.
    expect(fs.existsSync(path.join(dir, 'dist', 'policy-report.json'))).toBe(true);
  });

  test('one tenant changed: only it is built (in each environment), the output is a cold synth\'s of the change', () => {
    const { dir, built } = synth(changed, cache);
    expect(built.map(b => b.split('/')[1])).toEqual(['t1', 't1']);
    expect(built).toContain('staging/t1');
    expectSameTree(dir, cold.changed);
    // Back again: t1's entry was replaced, the others still hit.
    const back = synth({}, cache);
    expect(back.built.map(b => b.split('/')[1])).toEqual(['t1', 't1']);
    expectSameTree(back.dir, cold.base);
  });

  test('an environment-wide option changed: every tenant is built, the output is a cold synth\'s', () => {
    const own = scratch();
    synth({}, own);
    const { dir, built } = synth(network, own);
    expect(built).toHaveLength(20);
    expectSameTree(dir, cold.network);
  });

  test('the policy pack off: the same entries serve, the output is a cold synth\'s without the pack; on again, the pack result is computed', () => {
    const own = scratch();
    synth({}, own);
    // The pack's settings are not in the key: every other tenant hits, t1 is built, and its entry has no policy result.
    const off = synth({ ...changed, props: policyOff }, own);
    expect(off.built.map(b => b.split('/')[1])).toEqual(['t1', 't1']);
    expectSameTree(off.dir, cold.changedPolicyOff);
    // The pack on again: t1's result is computed from its cached documents, the report is a cold synth's.
    const computed = jest.spyOn(PolicyPack.prototype, '_tenantFragment');
    try {
      const on = synth(changed, own);
      expect(on.built).toEqual([]);
      expect(computed.mock.calls.map(c => `${c[0]}/${c[1]}`).sort()).toEqual(['prod/t1', 'staging/t1']);
      expectSameTree(on.dir, cold.changed);
    } finally {
      computed.mockRestore();
    }
  });

  test('a corrupted or partial entry is detected by its digests and rebuilt, never used', () => {
    const own = scratch();
    synth({}, own);
    // t2: a cached manifest altered; t4: a chart file removed; t5: the entry's own record altered (its digest no longer matches).
    fs.appendFileSync(path.join(own, 'staging', 't2', 'files', 'k8s', 'staging', 't2.k8s.yaml'), '# tampered\n');
    fs.rmSync(path.join(own, 'prod', 't4', 'files', 'charts', 'prod', 't4', 'Chart.yaml'));
    const entry = path.join(own, 'staging', 't5', 'entry');
    fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace('"documentCount":', '"documentCount":1'));
    // t3: a cached file altered in place, its size kept (its modification time changes: its bytes are checked).
    const t3 = path.join(own, 'staging', 't3', 'files', 'charts', 'staging', 't3', 'Chart.yaml');
    fs.writeFileSync(t3, fs.readFileSync(t3, 'utf8').replace(/version: \S/, 'version: X'));
    // t6: a file's modification time changed, its bytes not (a cache restored by CI): checked by its bytes, still used.
    const t6 = path.join(own, 'staging', 't6', 'files', 'k8s', 'staging', 't6.k8s.yaml');
    fs.utimesSync(t6, new Date(2000, 0, 1), new Date(2000, 0, 1));
    // t7: its documents (what the policy pack reads when a fragment must be computed again) altered.
    fs.writeFileSync(path.join(own, 'staging', 't7', 'documents.json'), '[]');
    const { dir, built } = synth({}, own);
    expect(built.filter(b => b.startsWith('staging/'))).toEqual(['staging/t2', 'staging/t3', 'staging/t5']);
    expect(built.filter(b => !b.startsWith('staging/')).map(b => b.split('/')[1])).toEqual(['t4']);
    expectSameTree(dir, cold.base);
    // t7's documents are read only when its policy fragment is computed again (a tenant added): then it is rebuilt.
    const more = synth(added, own);
    expect(more.built.filter(b => b.startsWith('staging/'))).toEqual(['staging/t10', 'staging/t7']);
    expectSameTree(more.dir, cold.added);
    // Rebuilt entries are whole again.
    expect(synth(added, own).built).toEqual([]);
  });

  test('cached files come back as hard links; an output file written in place (and so its cached file) is detected, rebuilt', () => {
    const own = scratch();
    synth({}, own);
    const first = synth({}, own);
    expect(first.built).toEqual([]);
    const manifest = path.join(first.dir, 'dist', 'k8s', 'staging', 't2.k8s.yaml');
    const cached = path.join(own, 'staging', 't2', 'files', 'k8s', 'staging', 't2.k8s.yaml');
    expect(fs.statSync(manifest).ino).toBe(fs.statSync(cached).ino);
    // Whoever edits the output in place writes into the cache's file: the next synthesis sees it changed and rebuilds.
    const text = fs.readFileSync(manifest, 'utf8');
    fs.writeFileSync(manifest, text.replace('t2', 'tX'));
    expect(fs.readFileSync(cached, 'utf8')).not.toBe(text);
    const again = synth({}, own);
    expect(again.built.map(b => b.split('/')[1])).toEqual(['t2']);
    expectSameTree(again.dir, cold.base);
  });

  test('INOPSIO_SYNTH_CACHE names the folder when synthesisCache is not set', () => {
    const own = scratch();
    const saved = process.env[SYNTH_CACHE_ENV_VAR];
    try {
      process.env[SYNTH_CACHE_ENV_VAR] = own;
      synth({});
      expect(synth({}).built).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env[SYNTH_CACHE_ENV_VAR];
      else process.env[SYNTH_CACHE_ENV_VAR] = saved;
    }
  });
});

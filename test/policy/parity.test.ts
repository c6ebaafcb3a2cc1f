import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { k8sFixture, stackFixture } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { LifecycleValidationError } from '../../src/model/problems';
import { TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { EnvironmentParity, ParityChange, PolicyInput } from '../../src/policy';
import { contentsOf } from '../../src/policy/contents';
import { sideToJson as sideToJsonForTest } from '../../src/policy/fragment';
import { collect, mapStringsForTest, mapStringsTwice, tokenReplacer } from '../../src/policy/parity';
import { backupProps, githubProps } from '../platform/fixtures';

/** Staging and production as the library synthesizes them: two tenants (one suspended), backups, observability, stacks. */
function state() {
  return { staging: k8sFixture('staging-full'), prod: k8sFixture('prod-full'), tf: { staging: stackFixture('staging'), prod: stackFixture('prod') } };
}
type State = ReturnType<typeof state>;

function input(s: State): PolicyInput {
  const i = new PolicyInput();
  for (const c of [...s.staging, ...s.prod]) i.addKubernetesJson(c.environment, c.file, JSON.stringify(c.documents));
  i.addTerraformStack('staging', 'stacks/staging/cdk.tf.json', JSON.stringify(s.tf.staging));
  i.addTerraformStack('prod', 'stacks/prod/cdk.tf.json', JSON.stringify(s.tf.prod));
  return i;
}

const find = (charts: State['prod'], kind: string, name: string, ns: string) => charts.flatMap(c => c.documents).find(d => d.kind === kind && d.metadata.name === name && d.metadata.namespace === ns);

describe('EnvironmentParity', () => {
  test('the library\'s staging mirrors its production: only the allow-listed differences, each with its reason', () => {
    const report = EnvironmentParity.compare(input(state()), 'staging', 'prod');
    expect(report.passed).toBe(true);
    expect(report.differences).toEqual([]);
    const reasons = [...new Set(report.allowed.map(d => d.allowedBecause))].sort();
    expect(reasons).toEqual([
      'Argo CD prunes automatically outside production only',
      'check-and-set is required in production only (V11)',
      'environment class annotation',
      'environment class label',
      'local chart assets are addressed by the content hash of the environment\'s own manifests',
      'owner team of the class (spec §2)',
      'permanent classes protect tenant data with prevent_destroy (T02)',
      'production keeps every secret version: its environment policy has no metadata delete',
      'production keeps more secret versions (V11)',
      'the immutability admission policy selects and names its own environment class',
    ]);
    expect(report.toText()).toMatch(/^Parity staging → prod: OK \(\d+ allowed\)\nAllowed differences:\n/);
    expect(report.toText()).toContain('  ~ tf:vault_kv_secret_backend_v2/Vault/KvConfig max_versions: staging 10 ≠ prod 20 — production keeps more secret versions (V11)');
    expect(() => report.assertParity()).not.toThrow();
  });

  test('an extra NetworkPolicy in staging fails, with a readable diff', () => {
    const s = state();
    const acme = s.staging.find(c => c.file.endsWith('acme.k8s.yaml'))!;
    const np = JSON.parse(JSON.stringify(find(s.staging, 'NetworkPolicy', 'allow-same-namespace', 'staging-acme')));
    np.metadata.name = 'allow-debug';
    acme.documents.push(np);
    const report = EnvironmentParity.compare(input(s), 'staging', 'prod');
    expect(report.passed).toBe(false);
    expect(report.differences).toEqual([{ key: 'NetworkPolicy/<env>-<tenant>/allow-debug', path: '', change: ParityChange.ONLY_IN_REFERENCE, tenants: 'acme' }]);
    expect(report.toText().split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^Parity staging → prod: FAILED, 1 unexpected difference \(\d+ allowed\)$/),
      '  - only in staging: NetworkPolicy/<env>-<tenant>/allow-debug (tenants: acme)',
    ]);
    let problems: string[] = [];
    try {
      report.assertParity();
    } catch (e) {
      problems = (e as LifecycleValidationError).problems;
    }
    expect(problems).toEqual(['EnvironmentParity[staging → prod]: NetworkPolicy/<env>-<tenant>/allow-debug exists only in staging (got "NetworkPolicy/<env>-<tenant>/allow-debug"); make the environments structurally equal, or add a ParityAllowance with the reason the difference is intended (B11)']);
  });

  test('a different role fails: the staging viewer may delete pods', () => {
    const s = state();
    for (const ns of ['staging-acme', 'staging-idle']) find(s.staging, 'Role', 'tenant-viewer', ns).rules[0].verbs.push('delete');
    const report = EnvironmentParity.compare(input(s), 'staging', 'prod');
    expect(report.differences).toEqual([{
      key: 'Role/<env>-<tenant>/tenant-viewer', path: 'rules[0].verbs[3]', change: ParityChange.ONLY_IN_REFERENCE, reference: '"delete"', tenants: 'acme, idle',
    }]);
    expect(report.toText()).toContain('  - only in staging: Role/<env>-<tenant>/tenant-viewer rules[0].verbs[3] = "delete" (tenants: acme, idle)');
  });

  test('a changed value in a Terraform resource fails, keyed by construct path (not the stack-specific address hash)', () => {
    const s = state();
    for (const r of Object.values<any>(s.tf.staging.resource.helm_release)) if (r.name === 'acme-billing') r.timeout = 300;
    const report = EnvironmentParity.compare(input(s), 'staging', 'prod');
    expect(report.toText().split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^Parity staging → prod: FAILED, 1 unexpected difference \(\d+ allowed\)$/),
      '  ~ tf:helm_release/Tenant-<tenant>/Module-billing timeout: staging 300 ≠ prod 600 (tenants: acme)',
    ]);
  });

  test('tenant-agnostic: production may have more (or other) tenants, as long as each looks like a staging tenant', () => {
    const s = state();
    const acme = s.prod.find(c => c.file.endsWith('acme.k8s.yaml'))!;
    const initech = JSON.parse(JSON.stringify(acme.documents).replace(/(?<![A-Za-z0-9])acme(?![A-Za-z0-9])/g, 'initech'));
    s.prod.push({ environment: 'prod', file: 'k8s/prod/initech.k8s.yaml', documents: initech });
    expect(EnvironmentParity.compare(input(s), 'staging', 'prod').differences).toEqual([]);
    // A suspended tenant only in production is a shape staging never tests: reported.
    s.staging = s.staging.filter(c => !c.file.endsWith('idle.k8s.yaml'));
    const report = EnvironmentParity.compare(input(s), 'staging', 'prod');
    expect(report.passed).toBe(false);
    expect(report.differences.every(d => d.tenants === 'idle' || d.tenants === undefined || d.tenants.includes('idle'))).toBe(true);
  });

  test('pairs by tenant and role: a suspended tenant\'s Application is compared with the same tenant\'s, not an active one\'s', () => {
    const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' };
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'parity-'));
    // Suspended first and last in id order, so that "the most alike variant" and "the first in JSON order" both miss.
    const tenants = [['acme', TenantState.SUSPENDED], ['globex', TenantState.ACTIVE], ['zeta', TenantState.SUSPENDED]]
      .map(([id, tenantState]) => ({ id, state: tenantState as TenantState, database: true, modules: [billing] }));
    const environments = [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
    ];
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'), backup: backupProps(), github: githubProps(), environments, policy: { parity: false },
    }).synth();
    const synthesized = PolicyInput.fromOutput({ manifestDirectory: path.join(dir, 'dist', 'k8s'), terraformDirectory: path.join(dir, 'cdktf.out', 'stacks') });
    const report = EnvironmentParity.compare(synthesized, 'prod', 'staging');
    expect(report.differences).toEqual([]);
    // Only prune differs between the Applications (an allowance with its reason); no sync-policy difference is
    // allowed away, so a suspended tenant's Application paired with an active one's would fail.
    const applications = report.allowed.filter(d => d.key.startsWith('Application/'));
    expect([...new Set(applications.map(d => d.path))].sort()).toEqual(['metadata.annotations["lifecycle.inopsio.io/prune"]', 'spec.syncPolicy.automated.prune']);
    expect(applications.map(d => d.tenants)).toEqual(applications.map(() => 'globex'));
  });

  test('allowances: your own, with a reason; defaults can be replaced; bad input is refused with every problem', () => {
    const s = state();
    for (const r of Object.values<any>(s.tf.staging.resource.helm_release)) if (r.name === 'acme-billing') r.timeout = 300;
    const ok = EnvironmentParity.compare(input(s), 'staging', 'prod', { allowances: [{ path: 'tf:helm_release/*:timeout', reason: 'staging rolls out faster' }] });
    expect(ok.passed).toBe(true);
    expect(ok.allowed.find(d => d.path === 'timeout')!.allowedBecause).toBe('staging rolls out faster');
    const strict = EnvironmentParity.compare(input(state()), 'staging', 'prod', { replaceDefaultAllowances: true });
    expect(strict.allowed).toEqual([]);
    expect(strict.differences.length).toBeGreaterThan(0);
    let problems: string[] = [];
    try {
      EnvironmentParity.compare(input(state()), 'stage', 'prod', { allowances: [{ path: '', reason: ' ' }] });
    } catch (e) {
      problems = (e as LifecycleValidationError).problems;
    }
    expect(problems).toEqual([
      'EnvironmentParity: allowances[0].path is empty (got ""); write <key>:<field path>, e.g. "ResourceQuota/*:spec.hard*"',
      'EnvironmentParity: allowances[0].reason is empty (got " "); say why the difference is intended',
      'EnvironmentParity: reference is not an environment of the input (got "stage"); use one of prod, staging',
    ]);
  });

  test('collect with a known tenant list reused across calls: what a fresh copy of the list gives, tenants outside it normalized too', () => {
    const docs = contentsOf(input(state())).kubernetes;
    const prod = docs.filter(d => d.environment === 'prod');
    const acme = prod.filter(d => d.file.endsWith('/acme.k8s.yaml'));
    const idle = prod.filter(d => d.file.endsWith('/idle.k8s.yaml'));
    const known = ['idle', 'acme', 'globex', 'acme'];
    // Each tenant's documents alone, as the fragments of a Platform: the same list object each time, then fresh copies.
    const reused = [acme, idle, acme].map(d => sideToJsonForTest(collect(d, [], 'prod', known)));
    const fresh = [acme, idle, acme].map(d => sideToJsonForTest(collect(d, [], 'prod', [...known])));
    expect(reused).toEqual(fresh);
    expect(reused[0]).toEqual(reused[2]);
    // `idle` and `acme` normalized with the list that names them, and with one that names only the other.
    const normalized = JSON.stringify(reused[0].map(([key, variants]) => [key, variants.map(([json]) => json)]));
    expect(normalized).toContain('<env>-<tenant>');
    expect(/(?<![A-Za-z0-9])acme(?![A-Za-z0-9])/.test(normalized)).toBe(false);
    const onlyIdle = ['idle'];
    const found: string[][] = [];
    const side = sideToJsonForTest(collect(acme, [], 'prod', onlyIdle, { onTenants: t => found.push(t) }));
    expect(found).toEqual([['acme', 'idle']]);
    expect(side).toEqual(reused[0]);
    expect(sideToJsonForTest(collect(acme, [], 'prod', onlyIdle))).toEqual(reused[0]);
  });

  test('is deterministic', () => {
    const a = EnvironmentParity.compare(input(state()), 'staging', 'prod').toText();
    const s = state();
    s.staging.reverse();
    for (const c of s.prod) c.documents.reverse();
    expect(EnvironmentParity.compare(input(s), 'staging', 'prod').toText()).toBe(a);
  });
});

describe('tokenReplacer: the tenant-id normalization without a regular expression of every id', () => {
  /** The regular expression it replaces, as it was. */
  function byRegExp(tokens: Array<[string, string]>): (s: string) => string {
    const sorted = tokens.filter(([t]) => t.length > 0).sort((a, b) => b[0].length - a[0].length);
    if (sorted.length === 0) return s => s;
    const re = new RegExp(`(?<![A-Za-z0-9])(${sorted.map(([t]) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![A-Za-z0-9])`, 'g');
    const map = new Map(sorted);
    return s => s.replace(re, m => map.get(m) ?? m);
  }

  test('gives the same strings as the regular expression on random texts made of tokens, parts of tokens and separators', () => {
    const tokens: Array<[string, string]> = [['prod', '<env>'], ['a', '<tenant>'], ['acme', '<tenant>'], ['acme-eu', '<tenant>'], ['t.1', '<tenant>'], ['x-', '<tenant>'], ['acme', '<again>']];
    const pieces = ['prod', 'a', 'acme', 'acme-eu', 't.1', 'x-', 'acm', 'eu', '-', '_', '.', '/', ' ', '9', 'Z', 'é', '"', 'prodx', 'xprod', ''];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const ours = tokenReplacer(tokens);
    const theirs = byRegExp(tokens);
    for (let i = 0; i < 20_000; i++) {
      const s = Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join('');
      expect([s, ours(s)]).toEqual([s, theirs(s)]);
    }
    // `_` ends a word ([A-Za-z0-9] only), a token listed twice maps to its last replacement, `x-` before `y` is inside a word.
    expect(ours('prod-acme-eu/acme_a t.1 x-y')).toBe('<env>-<tenant>/<again>_<tenant> <tenant> x-y');
  });

  test('line by line with its memo: the same strings as the regular expression on texts of several lines, repeated, with the memo cleared often', () => {
    const tokens: Array<[string, string]> = [['prod', '<env>'], ['acme', '<tenant>'], ['acme-eu', '<tenant>'], ['t.1', '<tenant>'], ['x-', '<tenant>']];
    const pieces = ['prod', 'acme', 'acme-eu', 't.1', 'x-', 'acm', '-', '_', ' ', '9', 'é', '\n', '\n', 'prodx', 'a fairly long piece of text that is no token at all'];
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const theirs = byRegExp(tokens);
    // A memo of 200 characters starts again every few lines; one of 4 MB never does here.
    for (const ours of [tokenReplacer(tokens, 200), tokenReplacer(tokens)]) {
      const texts = Array.from({ length: 300 }, () => Array.from({ length: random(30) }, () => pieces[random(pieces.length)]).join(''));
      for (let round = 0; round < 2; round++) {
        for (const s of texts) expect([s, ours(s)]).toEqual([s, theirs(s)]);
      }
    }
    // A token that holds a line break: texts are replaced whole, not line by line.
    const across = tokenReplacer([['a\nb', '<x>']]);
    expect(across('a\nb a\nbc\na\nb')).toBe(byRegExp([['a\nb', '<x>']])('a\nb a\nbc\na\nb'));
    expect(across('a\nb a\nbc\na\nb')).toBe('<x> a\nbc\n<x>');
  });

  test('no token: the same string back', () => {
    expect(tokenReplacer([])('prod-acme')).toBe('prod-acme');
    expect(tokenReplacer([['', '<x>']])('prod')).toBe('prod');
  });
});

describe('mapStringsTwice: a Terraform body\'s references and the normalization in one walk', () => {
  test('gives what the two walks give (JSON of each, key order included) on random values with clashing, numeric and __proto__ keys', () => {
    let seed = 5;
    const random = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    const words = ['a', 'b', 'ab', 'x.y', '1', '10', '2', '__proto__', 'proto', 'prod-acme', 'acme', 'z'];
    const value = (depth: number): unknown => {
      const r = random(depth > 3 ? 4 : 7);
      if (r === 0) return words[random(words.length)];
      if (r === 1) return random(100);
      if (r === 2) return random(2) === 0 ? null : true;
      if (r === 3) return `${words[random(words.length)]} ${words[random(words.length)]}`;
      if (r === 4) {
        const list: unknown[] = Array.from({ length: random(4) }, () => value(depth + 1));
        if (random(3) === 0) list[list.length + 1] = 'after a hole';
        return list;
      }
      // Objects parsed from JSON: `__proto__` is an own key there.
      const entries = Array.from({ length: random(5) }, () => `${JSON.stringify(words[random(words.length)])}: ${JSON.stringify(value(depth + 1)) ?? 'null'}`);
      return JSON.parse(`{${entries.join(', ')}}`);
    };
    // `first` makes keys clash (`x.y` and `a` both become `a`) and makes `__proto__` of `proto`; `then` renames tokens.
    const first = (s: string) => (s === 'x.y' ? 'a' : s === 'proto' ? '__proto__' : s.replace(/^b$/, 'ab'));
    const then = tokenReplacer([['acme', '<tenant>'], ['prod', '<env>'], ['__proto__', 'p'], ['1', '<one>']]);
    for (let i = 0; i < 3_000; i++) {
      const v = value(0);
      expect(JSON.stringify(mapStringsTwice(v, first, then))).toBe(JSON.stringify(mapStringsForTest(mapStringsForTest(v, first), then)));
    }
  });
});

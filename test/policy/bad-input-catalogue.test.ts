/**
 * The bad-input catalogue (B01–B18, docs/policies.md): where each case is tested, checked so the table cannot rot, plus the
 * tests that were missing — derived names after composition (B02), duplicates across the whole output (B03), images
 * at the policy level (B10), inline credentials and high-entropy values (B13–B15), user-supplied RBAC (B16), label and
 * annotation keys (B17) and YAML-ambiguous values (B18).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { addDocs, backupPod, baseState, doc, evaluate, tfResource } from './fixtures';
import { writeCharts } from '../../src/k8s/synth';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { TenantIngressPolicy } from '../../src/k8s/tenant-ingress-policy';
import { TenantServicePolicy } from '../../src/k8s/tenant-service-policy';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { composeName, NAME_LIMITS } from '../../src/model/naming';
import { LifecycleValidationError } from '../../src/model/problems';
import { tenantVaultNames } from '../../src/model/vault-ref';
import { PolicyInput, PolicyPack, PolicyReport } from '../../src/policy';
import { expectValidManifests } from '../support/strict-validator';

const root = path.resolve(__dirname, '..', '..');

/** Where each B case is tested: files (relative to the project) and a text each must contain. */
const CATALOGUE: Array<{ id: string; what: string; where: Array<[string, string]> }> = [
  { id: 'B01', what: 'tenant / environment ids are DNS-1123 labels', where: [['test/model/naming.test.ts', "describe('dnsLabelProblem (B01)'"], ['test/model/environment.test.ts', 'property: any bad id is refused with a message naming it (B01)']] },
  { id: 'B02', what: 'derived names checked after composition', where: [['test/k8s/backup-schedule.test.ts', 'B02 property: for any branch and tenant id, CronJob names'], ['test/tf/tenant-release.test.ts', 'release names are checked after composition'], ['test/policy/bad-input-catalogue.test.ts', 'B02 property: namespaces, labels, Helm releases and PostgreSQL identifiers']] },
  { id: 'B03', what: 'duplicates (tenants, environments, kind/namespace/name across the output)', where: [['test/model/environment.test.ts', 'refuses duplicates (B01, B03)'], ['test/platform/platform.test.ts', 'fails if environments are missing or duplicated (B03)'], ['test/tf/tenant-release.test.ts', 'collides with the tenant base is refused (B03)'], ['test/policy/rules.test.ts', "id: 'B03'"], ['test/policy/bad-input-catalogue.test.ts', 'B03 property: any object duplicated into another file']] },
  { id: 'B04', what: 'TTLs and strict durations', where: [['test/model/environment.test.ts', '(B04)'], ['test/model/period-quantity.test.ts', "describe('Period (strict durations, B04)'"]] },
  { id: 'B05', what: 'cron schedules', where: [['test/model/environment.test.ts', "describe('BackupPolicy and cron (B05, B06)'"], ['test/k8s/backup-schedule.test.ts', 'B05/B06 property'], ['test/policy/rules.test.ts', 'TZ= in the schedule']] },
  { id: 'B06', what: 'retention', where: [['test/model/environment.test.ts', 'retention rules: local ≥ 1, offsite ≥ local'], ['test/k8s/backup-schedule.test.ts', 'B05/B06: bad schedule and retention input']] },
  { id: 'B07', what: 'Vault paths from user input', where: [['test/model/vault-ref.test.ts', "describe('VaultRef path validation (B07–B08)'"], ['test/tf/vault-policy.test.ts', '(B07)']] },
  { id: 'B08', what: 'no sudo/root or unknown capabilities', where: [['test/tf/vault-policy.test.ts', 'never sudo or root (V01, B08)'], ['test/policy/rules.test.ts', 'sys path with sudo']] },
  { id: 'B09', what: 'quantities', where: [['test/model/period-quantity.test.ts', "describe('Quantity (strict Kubernetes grammar, B09)'"], ['test/model/environment.test.ts', "describe('QuotaProfile (B09)'"], ['test/policy/rules.test.ts', 'memory 512m']] },
  { id: 'B10', what: 'images', where: [['test/model/image.test.ts', "describe('ContainerImage.fromDigest (B10, K30)'"], ['test/policy/bad-input-catalogue.test.ts', 'B10 property: an image without a sha256 digest']] },
  { id: 'B11', what: 'production requirements and staging parity', where: [['test/model/environment.test.ts', '(B11)'], ['test/tf/vault-bootstrap.test.ts', '(V06, B11)'], ['test/policy/parity.test.ts', 'an extra NetworkPolicy in staging fails']] },
  { id: 'B12', what: 'previews: TTL, owner, branch; never production references', where: [['test/model/environment.test.ts', '(B04, B12)'], ['test/tf/isolation.test.ts', '(V12, B12)'], ['test/policy/rules.test.ts', 'staging reads production secrets']] },
  { id: 'B13', what: 'egress targets and ports parse; no inline credentials', where: [['test/k8s/tenant-namespace.test.ts', '(K07, B13)'], ['test/k8s/backup-schedule.test.ts', 'with user:password@ are refused (B13)'], ['test/tf/tenant-release.test.ts', 'inline credentials are refused when the tenant is declared'], ['test/policy/bad-input-catalogue.test.ts', 'B13: egress targets and ports that do not parse']] },
  { id: 'B14', what: 'high-entropy strings where a Vault reference is expected', where: [['test/tf/tenant-release.test.ts', 'literal secrets'], ['test/policy/secret-scan.test.ts', 'a random high-entropy token injected into a secret field is found'], ['test/policy/bad-input-catalogue.test.ts', 'B14 property: a random token in a secret-named Helm value']] },
  { id: 'B15', what: 'bucket names valid, prefixes confined to <bucket>/<env>/<tenant>/', where: [['test/k8s/backup-schedule.test.ts', 'hosts, buckets, egress'], ['test/k8s/backup-scripts.test.ts', 'F8: unsafe tenant, env, bucket, database and retention options are rejected'], ['test/k8s/backup-scripts.test.ts', 'a manifest pointing outside the tenant prefix']] },
  { id: 'B16', what: 'user-supplied RBAC rules pass K12–K17', where: [['test/policy/bad-input-catalogue.test.ts', 'B16 property: a user-supplied Role']] },
  { id: 'B17', what: 'label/annotation keys qualified, no reserved prefixes', where: [['test/policy/rules.test.ts', "id: 'B17'"], ['test/policy/bad-input-catalogue.test.ts', 'B17 property']] },
  { id: 'B18', what: 'YAML-ambiguous values emitted as strings', where: [['test/tf/tenant-release.test.ts', '(B18)'], ['test/policy/bad-input-catalogue.test.ts', 'B18: the cdk8s YAML writer quotes']] },
];

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

const findingsOf = (report: PolicyReport, id: string) => report.findings.filter(f => f.ruleId === id);
const dnsLabel = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));

describe('bad-input catalogue B01–B18', () => {
  test.each(CATALOGUE.map(c => [c.id, c.what, c.where] as const))('%s (%s) is tested where the table says', (_id, _what, where) => {
    for (const [file, text] of where) {
      const full = path.join(root, file);
      expect(fs.existsSync(full)).toBe(true);
      expect(fs.readFileSync(full, 'utf8')).toContain(text);
    }
  });

  test('the table lists B01 to B18, once each', () => {
    expect(CATALOGUE.map(c => c.id)).toEqual(Array.from({ length: 18 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`));
  });
});

describe('B02 derived names', () => {
  test('B02 property: namespaces, labels, Helm releases and PostgreSQL identifiers stay within their limits after composition, and the output passes K03/K04', () => {
    const pack = PolicyPack.default();
    fc.assert(fc.property(dnsLabel(40), dnsLabel(40), (envName, tenantId) => {
      const env = new Environment({ name: envName, environmentClass: EnvironmentClass.STAGING, tenants: [{ id: tenantId }] });
      const tenant = env.tenants[0];
      const names = tenantVaultNames(env, tenant);
      expect(names.namespace.length).toBeLessThanOrEqual(NAME_LIMITS.namespace);
      expect(names.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      for (const id of [names.databaseName, names.databaseAdminUser, names.databaseAppRole]) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(63);
      const release = composeName([tenant.id, 'billing'], NAME_LIMITS.helmRelease);
      expect(release.length).toBeLessThanOrEqual(53);
      const app = Testing.app();
      const services = new Chart(app, 'platform');
      new TenantServicePolicy(services, 'TenantServices', { environment: env });
      new TenantIngressPolicy(services, 'TenantIngress', { environment: env });
      const docs = [...Testing.synth(new TenantChart(app, 't', { environment: env, tenant })), ...Testing.synth(services)];
      const report = pack.evaluate(new PolicyInput().addKubernetesJson(envName, 't.yaml', JSON.stringify(docs)));
      expect(report.findings.map(f => f.message)).toEqual([]);
    }), { numRuns: 40 });
  });
});

describe('B03 duplicates across the whole output', () => {
  test('B03 property: any object duplicated into another file is reported, naming the first one', () => {
    const s0 = baseState();
    const all = s0.k8s.flatMap(c => c.documents.map((d, i) => ({ file: c.file, i, d })));
    fc.assert(fc.property(fc.integer({ min: 0, max: all.length - 1 }), n => {
      const s = baseState();
      const { file, i } = all[n];
      const original = s.k8s.find(c => c.file === file)!.documents[i];
      addDocs(s, 'k8s/prod/copy.k8s.yaml', JSON.parse(JSON.stringify(original)));
      const dup = findingsOf(evaluate(s), 'B03');
      expect(dup).toHaveLength(1);
      expect(dup[0].file).toBe('k8s/prod/copy.k8s.yaml');
      expect(dup[0].problem).toBe(`duplicates ${dup[0].resource} in ${file}`);
    }), { numRuns: 12 });
  });

  test('the same name in another namespace, or another kind, is not a duplicate', () => {
    const s = baseState();
    const copy = JSON.parse(JSON.stringify(doc(s, 'Role', 'tenant-viewer', 'prod-acme')));
    copy.kind = 'ClusterRole';
    delete copy.metadata.namespace;
    addDocs(s, 'k8s/prod/copy.k8s.yaml', copy);
    expect(findingsOf(evaluate(s), 'B03')).toEqual([]);
  });
});

describe('B10 images at the policy level', () => {
  test('B10 property: an image without a sha256 digest, with :latest, or without a registry is reported (K30)', () => {
    const bad = fc.oneof(
      fc.stringMatching(/^registry\.example\.com\/[a-z]{1,8}:[a-z0-9.]{1,8}$/),
      fc.stringMatching(/^registry\.example\.com\/[a-z]{1,8}:latest@sha256:[0-9a-f]{64}$/),
      fc.stringMatching(/^[a-z]{1,8}@sha256:[0-9a-f]{64}$/),
      fc.stringMatching(/^registry\.example\.com\/[a-z]{1,8}@sha256:[0-9a-f]{10,63}$/),
    );
    fc.assert(fc.property(bad, image => {
      const s = baseState();
      backupPod(s).containers[0].image = image;
      const k30 = findingsOf(evaluate(s), 'K30');
      expect(k30.length).toBeGreaterThan(0);
      expect(k30[0].field).toBe('spec.jobTemplate.spec.template.spec.containers[0].image');
    }), { numRuns: 20 });
  });
});

describe('B13–B15 egress targets, inline credentials, high-entropy values', () => {
  test('B13: egress targets and ports that do not parse are refused with the fix', () => {
    expect(problems(() => EgressTarget.cidr('10.20.0.0/33', 5432))).toEqual(['EgressTarget.cidr: block is not an IPv4 CIDR block (got "10.20.0.0/33"); write e.g. "10.20.0.0/24"']);
    expect(problems(() => EgressTarget.cidr('10.20.0.0/24', 70000))).toEqual(['EgressTarget.cidr: port is not a TCP port (got 70000); use an integer from 1 to 65535']);
    expect(problems(() => EgressTarget.podsInNamespace('Minio', { app: 'x' }, 9000))[0]).toMatch(/namespace is not a DNS-1123 label \(got "Minio"\)/);
    fc.assert(fc.property(fc.integer({ min: 0, max: 7 }), prefix => {
      expect(problems(() => EgressTarget.cidr(`10.0.0.0/${prefix}`, 443))[0]).toMatch(/opens egress to too much of the network \(K07\)/);
    }));
  });

  test('B13 property: credentials inlined in any URL of the output are found (secret scan and K42)', () => {
    const user = fc.stringMatching(/^[a-z]{1,10}$/);
    const pass = fc.stringMatching(/^[A-Za-z0-9!._~-]{1,20}$/).filter(p => !/^(?:true|false|yes|no|on|off|null|read|write|none|\d+)$/i.test(p));
    fc.assert(fc.property(user, pass, fc.constantFrom('postgres', 'postgresql', 'https', 'redis', 'mongodb'), (u, p, scheme) => {
      const s = baseState();
      backupPod(s).containers[0].env.push({ name: 'TARGET', value: `${scheme}://${u}:${p}@db.internal:5432/app` });
      const report = evaluate(s);
      expect(findingsOf(report, 'B13').map(f => f.problem)).toContain('contains url credentials');
      expect(findingsOf(report, 'K42')).toHaveLength(1);
    }), { numRuns: 15 });
  });

  test('B14 property: a random token in a secret-named Helm value is refused (V14)', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9]{24,48}$/).filter(t => /[a-z]/.test(t) && /[A-Z]/.test(t) && /\d/.test(t));
    fc.assert(fc.property(token, fc.constantFrom('env.API_TOKEN', 'auth.clientSecret', 'stripe.apiKey', 'db.password'), (tok, name) => {
      const s = baseState();
      tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Module-billing').set.push({ name, type: 'string', value: tok });
      const report = evaluate(s);
      expect(findingsOf(report, 'V14').map(f => f.problem)).toContain(`holds a literal secret in ${name}`);
    }), { numRuns: 15 });
  });
});

describe('B16 user-supplied RBAC', () => {
  const SAFE_VERBS = ['get', 'list', 'watch'];
  const SAFE_RESOURCES = ['configmaps', 'services', 'deployments', 'jobs'];
  const FORBIDDEN: Array<[string, { apiGroups: string[]; resources: string[]; verbs: string[] }]> = [
    ['K12', { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }],
    ['K14', { apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
    ['K15', { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] }],
    ['K16', { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }],
  ];

  test('B16 property: a user-supplied Role passes exactly when none of its rules breaks K12–K16; bindings K13, K17', () => {
    const safeRule = fc.record({ apiGroups: fc.constant(['', 'apps', 'batch']), resources: fc.subarray(SAFE_RESOURCES, { minLength: 1 }), verbs: fc.subarray(SAFE_VERBS, { minLength: 1 }) });
    fc.assert(fc.property(fc.array(safeRule, { maxLength: 4 }), fc.option(fc.constantFrom(...FORBIDDEN), { nil: undefined }), (rules, bad) => {
      const s = baseState();
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { ...doc(s, 'Role', 'tenant-viewer', 'prod-acme').metadata, name: 'user-role' }, rules: [...rules, ...(bad ? [bad[1]] : [])] };
      addDocs(s, 'k8s/prod/acme.k8s.yaml', role);
      const report = evaluate(s);
      const rbac = report.findings.filter(f => ['K12', 'K13', 'K14', 'K15', 'K16', 'K17'].includes(f.ruleId) && f.resource.endsWith('/user-role'));
      if (bad) expect(rbac.map(f => f.ruleId)).toContain(bad[0]);
      else expect(rbac).toEqual([]);
    }), { numRuns: 30 });
  });

  test('user-supplied bindings: system groups, users and cluster-admin are refused (K13, K17)', () => {
    const s = baseState();
    const b = doc(s, 'RoleBinding', 'tenant-viewer-oidc', 'prod-acme');
    b.subjects.push({ kind: 'User', name: 'mallory' }, { kind: 'Group', name: 'system:masters' });
    b.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' };
    const report = evaluate(s);
    expect(report.findings.filter(f => f.resource.endsWith('tenant-viewer-oidc')).map(f => `${f.ruleId} ${f.field} ${f.problem}`)).toEqual([
      'K13 roleRef.name binds a built-in role that reads secrets and execs into pods',
      'K17 subjects[1] binds a user directly',
      'K17 subjects[2].name is a system group',
    ]);
  });
});

describe('B17 label and annotation keys', () => {
  test('B17 property: invalid keys and reserved prefixes are reported; qualified keys of your own pass', () => {
    const invalid = fc.oneof(fc.stringMatching(/^[a-z]{1,5} [a-z]{1,5}$/), fc.stringMatching(/^-[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{64,70}$/), fc.stringMatching(/^Example\.COM\/[a-z]{1,5}$/));
    const reserved = fc.stringMatching(/^(?:kubernetes\.io|k8s\.io|node\.kubernetes\.io)\/[a-z]{1,10}$/);
    const own = fc.stringMatching(/^(?:lifecycle\.inopsio\.io\/)?[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
    fc.assert(fc.property(invalid, reserved, own, (bad, res, ok) => {
      const s = baseState();
      const meta = doc(s, 'ConfigMap', 'backup-prod-acme-scripts').metadata;
      meta.annotations = { [bad]: 'x', [res]: 'y', [ok]: 'z' };
      const b17 = findingsOf(evaluate(s), 'B17').map(f => f.field);
      expect(b17).toEqual(expect.arrayContaining([`metadata.annotations[${JSON.stringify(bad)}]`, `metadata.annotations[${JSON.stringify(res)}]`]));
      expect(b17).not.toContain(`metadata.annotations[${JSON.stringify(ok)}]`);
    }), { numRuns: 20 });
  });
});

describe('B18 YAML-ambiguous values', () => {
  const AMBIGUOUS = ['yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'YES', 'On', 'true', 'False', 'null', '~', '0755', '0x1F', '1e3', '1_000', '.inf', '.nan', '12:30', '2001-12-14', '+1', '1.0', '0b101'];

  test('B18: the cdk8s YAML writer quotes every value YAML 1.1 would read as something else', () => {
    for (const v of AMBIGUOUS) {
      const text = Yaml.stringify({ metadata: { labels: { v } }, data: { v } });
      const back11 = YAML.parse(text, { version: '1.1' });
      const back12 = YAML.parse(text, { version: '1.2' });
      expect([back11.metadata.labels.v, back11.data.v, back12.data.v]).toEqual([v, v, v]);
    }
    fc.assert(fc.property(fc.oneof(fc.constantFrom(...AMBIGUOUS), fc.string(), fc.stringMatching(/^[0-9][0-9_.:eExob+-]{0,8}$/)), v => {
      expect(YAML.parse(Yaml.stringify({ v }), { version: '1.1' }).v).toBe(v);
    }), { numRuns: 500 });
  });

  test('B18: tenants and environments named "yes", "on" and "0755" synthesize to YAML that stays strings, kubectl-valid and policy-clean', () => {
    const env = new Environment({ name: 'on', environmentClass: EnvironmentClass.STAGING, tenants: [{ id: 'yes' }, { id: '0755' }] });
    const outdir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'b18-'));
    try {
      const app = new App({ outdir });
      for (const t of env.tenants) new TenantChart(app, t.id, { environment: env, tenant: t });
      // The environment-wide tenant Service and Ingress policies (K46, K49), whose namespace selectors hold the env name "on".
      const platformChart = new Chart(app, 'platform');
      new TenantServicePolicy(platformChart, 'TenantServices', { environment: env });
      new TenantIngressPolicy(platformChart, 'TenantIngress', { environment: env });
      const written = writeCharts(app);
      const input = new PolicyInput();
      for (const c of written) {
        const text = fs.readFileSync(path.join(outdir, c.fileName), 'utf8');
        const docs = YAML.parseAllDocuments(text, { version: '1.1' }).map(d => d.toJS());
        expectValidManifests(docs);
        const ns = docs.find(d => d.kind === 'Namespace');
        if (ns) {
          expect(typeof ns.metadata.labels.tenant).toBe('string');
          expect(typeof ns.metadata.labels.env).toBe('string');
        } else {
          expect(docs[0].spec.matchConstraints.namespaceSelector.matchLabels.env).toBe('on');
        }
        input.addKubernetesManifests('on', c.fileName, text);
      }
      const report = PolicyPack.default().evaluate(input);
      expect(report.findings.map(f => f.message)).toEqual([]);
      expect(report.rules.find(r => r.id === 'B18')!.checked).toBeGreaterThan(0);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

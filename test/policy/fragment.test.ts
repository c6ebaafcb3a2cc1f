/**
 * The policy pack in bounded memory (issue 20 item 2, src/policy/fragment.ts): each tenant's output becomes a
 * TenantPolicyFragment when it is produced, and the pack combines fragments (computed in this process or handed back
 * from a cache, as JSON) with the rest of the output into the report it gives over the documents themselves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { App as TfApp } from 'cdktf';
import { k8sFixture, stackFixture } from './fixtures';
import { synthesize } from './report-identity/platforms';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { show } from '../../src/model/problems';
import { TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { EnvironmentParity, PolicyInput, PolicyPack } from '../../src/policy';
import { contentsOf } from '../../src/policy/contents';
import { reduceDocument, TENANT_POLICY_FRAGMENT_FORMAT, TenantPolicyFragment } from '../../src/policy/fragment';
import { collect } from '../../src/policy/parity';

type Chart = { environment: string; file: string; documents: any[] };

const TENANTS = ['acme', 'idle'];
const isTenantChart = (c: Chart) => TENANTS.some(t => c.file.endsWith(`/${t}.k8s.yaml`));
const tenantOf = (c: Chart) => path.basename(c.file, '.k8s.yaml');

function charts(edit: (charts: Chart[]) => void = () => undefined): Chart[] {
  const all = [...k8sFixture('staging-full'), ...k8sFixture('prod-full')];
  edit(all);
  return all;
}

function withStacks(input: PolicyInput): PolicyInput {
  input.addTerraformStack('staging', 'stacks/staging/cdk.tf.json', JSON.stringify(stackFixture('staging')));
  input.addTerraformStack('prod', 'stacks/prod/cdk.tf.json', JSON.stringify(stackFixture('prod')));
  return input;
}

/** Every chart handed over as documents (as before the rework). */
function documentsInput(all: Chart[]): PolicyInput {
  const input = new PolicyInput();
  for (const c of all) contentsOf(input).addKubernetesDocuments(c.environment, c.file, c.documents);
  return withStacks(input);
}

/** The tenant charts as fragments (optionally through JSON, as a cache hands them back), the rest as documents. */
function fragmentsOf(all: Chart[], parityTenants?: string[]): TenantPolicyFragment[] {
  const pack = PolicyPack.default();
  const tenants = new Map(['prod', 'staging'].map(env => [env, parityTenants ?? tenantsOf(all, env)]));
  return all.filter(isTenantChart)
    .map(c => pack._tenantFragment(c.environment, tenantOf(c), [{ file: c.file, documents: c.documents }], tenants.get(c.environment)));
}

/** Every tenant id of an environment, as the Platform knows them (here: as parity reads them from the whole output). */
function tenantsOf(all: Chart[], env: string): string[] {
  const contents = contentsOf(documentsInput(all));
  let tenants: string[] = [];
  collect(contents.kubernetes, contents.terraform, env, [], { onTenants: t => tenants = t });
  return tenants;
}

function fragmentInput(all: Chart[], fragments: TenantPolicyFragment[]): PolicyInput {
  const input = new PolicyInput();
  let next = 0;
  for (const c of all) {
    if (isTenantChart(c)) contentsOf(input).addTenantFragment(fragments[next++]);
    else contentsOf(input).addKubernetesDocuments(c.environment, c.file, c.documents);
  }
  return withStacks(input);
}

const throughJson = (fragments: TenantPolicyFragment[]) => fragments.map(f => JSON.parse(JSON.stringify(f)) as TenantPolicyFragment);

/** A tenant chart with findings of a per-tenant rule (B13) and of rules across documents (K rules, B03). */
function withFindings(all: Chart[]): void {
  const acme = all.find(c => c.environment === 'prod' && c.file.endsWith('/acme.k8s.yaml'))!;
  const scripts = acme.documents.find(d => d.kind === 'ConfigMap');
  const key = Object.keys(scripts.data)[0];
  scripts.data[key] = `${scripts.data[key]}\nexport AWS_SECRET=AKIAIOSFODNN7REALKEY\n`;
  const cronJob = acme.documents.find(d => d.kind === 'CronJob');
  cronJob.spec.jobTemplate.spec.template.spec.containers[0].securityContext = { privileged: true };
  acme.documents.push(JSON.parse(JSON.stringify(acme.documents.find(d => d.kind === 'ServiceAccount'))));
}

describe('tenant policy fragments', () => {
  test.each([['the library\'s output', false], ['output with findings', true]])('%s: the report over fragments is the report over the documents, also through JSON', (_name, findings) => {
    const all = charts(findings ? withFindings : undefined);
    const expected = PolicyPack.default().evaluate(documentsInput(all)).toJson();
    if (findings) {
      const ids = new Set(JSON.parse(expected).findings.map((f: any) => f.ruleId));
      expect(ids.has('B03') && ids.has('B13') && [...ids].some(id => /^K/.test(id as string))).toBe(true);
    }
    const fragments = fragmentsOf(all);
    expect(PolicyPack.default().evaluate(fragmentInput(all, fragments)).toJson()).toBe(expected);
    expect(PolicyPack.default().evaluate(fragmentInput(all, throughJson(fragments))).toJson()).toBe(expected);
  });

  test('parity over fragments equals parity over the documents, differences included', () => {
    const all = charts(c => {
      const staging = c.find(x => x.environment === 'staging' && x.file.endsWith('/acme.k8s.yaml'))!;
      const scripts = staging.documents.find(d => d.kind === 'ConfigMap');
      const key = Object.keys(scripts.data)[0];
      scripts.data[key] = scripts.data[key].replace(/\n/, '\n# staging only\n');
      staging.documents.find(d => d.kind === 'CronJob').spec.schedule = '7 7 * * *';
    });
    const expected = EnvironmentParity.compare(documentsInput(all), 'prod', 'staging');
    expect(expected.passed).toBe(false);
    expect(expected.differences.map(d => `${d.key} ${d.path}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^ConfigMap\/.* data\[/), expect.stringMatching(/^CronJob\/.* spec\.schedule$/)]));
    const actual = EnvironmentParity.compare(fragmentInput(all, throughJson(fragmentsOf(all))), 'prod', 'staging');
    expect(actual.toText()).toBe(expected.toText());
    expect(actual.differences).toEqual(expected.differences);
  });

  test('a fragment keeps no document text beyond what the rules across tenants read, and the input keeps no tenant document', () => {
    const all = charts();
    const [fragment] = fragmentsOf(all);
    const chart = all.filter(isTenantChart)[0];
    expect(fragment.format).toBe(TENANT_POLICY_FRAGMENT_FORMAT);
    expect(fragment.files).toEqual([chart.file]);
    expect(fragment.outcomes.map(o => o.ruleId)).toEqual(['B13']);
    expect(fragment.outcomes[0].checked).toBe(1);
    // The backup scripts are the bulk of a tenant's output: none of their lines is in the fragment except W09's catalogue.
    const scripts = chart.documents.find(d => d.kind === 'ConfigMap');
    // Parity keeps the start of each long value (what a difference shows): those lines stay.
    const lines = Object.values<string>(scripts.data).flatMap(v => v.split('\n').filter(l => !v.slice(0, 121).includes(l)))
      .filter(l => l.length > 40 && !/^\s*'[a-z_:]+\|(gauge|counter)/.test(l));
    expect(lines.length).toBeGreaterThan(100);
    const json = JSON.stringify(fragment);
    expect(lines.filter(l => json.includes(JSON.stringify(l).slice(1, -1)))).toEqual([]);
    // What stays: the reduced documents and the parity keys (both about a quarter of the documents here).
    expect(json.length).toBeLessThan(JSON.stringify(chart.documents).length * 0.6);
    // The input holds the fragment's reduced documents and outcome, not the documents or their text for the scan.
    const input = fragmentInput(all, fragmentsOf(all));
    const contents = contentsOf(input);
    const tenantFiles = new Set(all.filter(isTenantChart).map(c => c.file));
    expect(contents.fragments.map(f => f.files[0]).sort()).toEqual([...tenantFiles].sort());
    expect(contents.texts.filter(t => tenantFiles.has(t.file))).toEqual([]);
    const kept = contents.kubernetes.filter(d => tenantFiles.has(d.file) && d.kind === 'ConfigMap');
    expect(kept).toHaveLength(4);
    for (const d of kept) for (const v of Object.values<string>(d.doc.data)) expect(v.length).toBeLessThan(2048);
  });

  test('a ConfigMap keeps its metric catalogue lines, dashboards and non-string values', () => {
    const doc = { kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'run.sh': "a\n  'backup_last_success|gauge|help'\nb\n'x_total|counter|c'\n", 'board.json': '{"title":"B"}', 'n': 5 }, binaryData: { b: 'AAAA' } };
    expect(reduceDocument(doc)).toEqual({ kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'run.sh': "  'backup_last_success|gauge|\n'x_total|counter|", 'board.json': '{"title":"B"}', 'n': 5 } });
    const other = { kind: 'Secret', data: { a: 'b' } };
    expect(reduceDocument(other)).toBe(other);
  });

  test('a fragment is deterministic', () => {
    expect(JSON.stringify(fragmentsOf(charts()))).toBe(JSON.stringify(fragmentsOf(charts())));
  });

  test('parity refuses fragments normalized with other tenant ids than the environment\'s', () => {
    const all = charts();
    expect(() => EnvironmentParity.compare(fragmentInput(all, fragmentsOf(all, ['acme'])), 'prod', 'staging')).toThrow(/normalized with other tenant ids/);
  });
});

describe('parity keeps long values as digests', () => {
  const long = (marker: string) => `#!/bin/sh\n${'echo step; '.repeat(40)}${marker}\n${'true\n'.repeat(100)}`;
  const cm = (data: object | undefined) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'scripts', namespace: 'ops' }, ...(data ? { data } : {}) });
  test.each([
    ['a long string that differs', { 'run.sh': long('a') }, { 'run.sh': long('b') }],
    ['a map of long strings only on one side', { 'run.sh': long('a') }, undefined],
  ])('%s renders as show() renders the value', (_name, a, b) => {
    const input = new PolicyInput();
    input.addKubernetesJson('one', 'one.json', JSON.stringify([cm(a)]));
    input.addKubernetesJson('two', 'two.json', JSON.stringify([cm(b)]));
    const [d] = EnvironmentParity.compare(input, 'one', 'two').differences;
    expect(d.reference).toBe(show(b ? a['run.sh'] : a));
    if (b) expect(d.candidate).toBe(show(b['run.sh']));
    expect(d.reference!.endsWith('...')).toBe(true);
  });
});

describe('the Platform keeps fragments, not documents', () => {
  test('its policy input holds one fragment per tenant chart, and of the tenant charts no document text', () => {
    const proto = Platform.prototype as any;
    const original = proto.checkPolicies;
    let captured: PolicyInput | undefined;
    proto.checkPolicies = function (this: unknown, stage: unknown, written: { policyInput: PolicyInput }, ...rest: unknown[]) {
      captured = written.policyInput;
      return original.call(this, stage, written, ...rest);
    };
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'fragments-'));
    try {
      synthesize({ Platform, Environment, EnvironmentClass, EgressTarget, ContainerImage, TenantState, TfApp, JsonPatch }, 'reference', dir);
    } finally {
      proto.checkPolicies = original;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const contents = contentsOf(captured!);
    const tenantFiles = contents.fragments.flatMap(f => f.files);
    const manifests = contents.kubernetes.map(d => d.file).filter(f => /\/k8s\/[^/]+\/[^/]+\.k8s\.yaml$/.test(f));
    const platformFiles = [...new Set(manifests)].filter(f => f.endsWith('/platform.k8s.yaml'));
    expect(tenantFiles.length).toBeGreaterThanOrEqual(4);
    expect(new Set([...tenantFiles, ...platformFiles])).toEqual(new Set(manifests));
    expect(contents.texts.filter(t => tenantFiles.includes(t.file))).toEqual([]);
    const scripts = contents.kubernetes.filter(d => tenantFiles.includes(d.file) && d.kind === 'ConfigMap');
    expect(scripts.length).toBeGreaterThan(0);
    for (const d of scripts) for (const v of Object.values<unknown>(d.doc.data ?? {})) expect(String(v).length).toBeLessThan(2048);
  });
});

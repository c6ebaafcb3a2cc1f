/**
 * Issue 19.3: module values written as in a values.yaml (nested objects, lists, numbers, booleans, null, Vault
 * references anywhere inside) reach the chart the same way through Terraform's helm_release and Argo CD's
 * Application. Each path's synthesized parameters are handed to real Helm (`helm template` with `--set` for typed
 * parameters and `--set-string` for the others, as the helm provider and Argo CD do) on a chart that prints its
 * `.Values`: both print the same values, with the written types, and no reference is left in them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing as K8sTesting } from 'cdk8s';
import { App, TerraformStack, Testing } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { ArgoCdApplication } from '../../src/k8s/argocd-application';
import { HelmValues } from '../../src/k8s/helm-values';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Tenant, TenantModuleProps } from '../../src/model/tenant';
import { parseYamlDocuments } from '../../src/output/yaml';
import { Platform } from '../../src/platform/platform';
import { TenantRelease } from '../../src/tf/tenant-release';
import { helm } from '../support/helm';
import { terraformLiteral } from '../support/helm-values';
import { problemsOf } from '../support/problems';

/** Each expected fragment is in exactly one problem line, and there are no other problems. */
function expectProblems(fn: () => unknown, fragments: string[]): void {
  const lines = problemsOf(fn);
  for (const f of fragments) expect(lines.filter(l => l.includes(f))).toHaveLength(1);
  expect(lines).toHaveLength(fragments.length);
}

const VALUES_YAML = `
replicaCount: 3
image:
  repository: registry.inopsio.example/billing
  tag: "1.4.2"
ingress:
  enabled: true
  hosts:
    - host: a.example,b.example
      paths: [/, /api]
resources:
  limits: { cpu: 500m }
debug: false
nothing: null
env:
  DATABASE_URL: "{{ vault('database/creds/tenant-db') }}"
  LOG_LEVEL: info
sidecars:
  - name: stripe
    apiKey: "{{ vault('kv/data/stripe', 'api_key') }}"
`;

const billing: TenantModuleProps = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  valuesJson: HelmValues.fromYaml(VALUES_YAML),
  // The flat form keeps working beside it.
  values: { 'podLabels.team': 'payments' },
};

function environment(tenants = [{ id: 'acme', modules: [billing] }]): Environment {
  return new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants });
}

/** A chart that prints the values it receives. */
function printingChart(): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'print-values-'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: print-values\nversion: 1.0.0\n');
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'templates', 'values.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  values: {{ .Values | toJson | quote }}\n');
  return dir;
}

/** What the chart receives from parameters: `--set` when typed, `--set-string` otherwise, in order. */
function received(chartDir: string, parameters: Array<{ name: string; value: string; typed: boolean }>): any {
  const args = parameters.flatMap(p => [p.typed ? '--set' : '--set-string', `${p.name}=${p.value}`]);
  const r = helm(['template', 'x', chartDir, ...args]);
  expect({ status: r.status, errors: r.stderr.split('\n').filter(l => l && !l.startsWith('WARNING: Kubernetes configuration file')) }).toEqual({ status: 0, errors: [] });
  const m = /values: "(.*)"\n/.exec(r.stdout);
  return JSON.parse(JSON.parse(`"${m![1]}"`));
}

function viaArgoCd(env: Environment): Array<{ name: string; value: string; typed: boolean }> {
  const chart = new Chart(K8sTesting.app(), 'platform');
  new ArgoCdApplication(chart, 'App', { environment: env, tenant: env.tenants[0], module: 'billing' });
  const [app] = K8sTesting.synth(chart);
  return app.spec.source.helm.parameters.map((p: any) => ({ name: p.name, value: p.value, typed: p.forceString === false }));
}

function viaTerraform(env: Environment): Array<{ name: string; value: string; typed: boolean }> {
  const chartDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'base-'));
  fs.writeFileSync(path.join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: tenant-base\nversion: 1.0.0\n');
  const stack = new TerraformStack(Testing.app(), 'prod');
  new TenantRelease(stack, 'Tenant', { environment: env, tenant: env.tenants[0], chartDirectory: chartDir, installModules: true });
  const tf = JSON.parse(Testing.synth(stack));
  const release: any = Object.values(tf.resource.helm_release).find((r: any) => r.chart === 'billing-api');
  return release.set.map((s: any) => ({ name: s.name, value: terraformLiteral(s.value), typed: s.type === 'auto' }));
}

describe('structured module values (issue 19.3)', () => {
  const chartDir = printingChart();

  test('helm_release and the Argo CD Application deliver the same values, with their types, references delivered from Vault', () => {
    const env = environment();
    const terraform = received(chartDir, viaTerraform(env));
    const argo = received(chartDir, viaArgoCd(env));
    expect(terraform).toEqual(argo);
    expect(argo).toMatchObject({
      replicaCount: 3,
      image: { repository: 'registry.inopsio.example/billing', tag: '1.4.2' },
      ingress: { enabled: true, hosts: [{ host: 'a.example,b.example', paths: ['/', '/api'] }] },
      resources: { limits: { cpu: '500m' } },
      debug: false,
      podLabels: { team: 'payments' },
      serviceAccount: { name: 'billing' },
      env: { LOG_LEVEL: 'info', DATABASE_URL_FILE: '/vault/secrets/env-database-url' },
      sidecars: [{ name: 'stripe', apiKey_FILE: '/vault/secrets/sidecars-0-apikey' }],
      volumes: [{ name: 'vault-token', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 'token' } }] } }],
    });
    // null is null (over a chart default it removes the key, as in a values file); a reference is never a value.
    expect(argo.nothing).toBeNull();
    expect(argo.env.DATABASE_URL).toBeUndefined();
    expect(argo.sidecars[0].apiKey).toBeUndefined();
    expect(argo.podAnnotations['vault.hashicorp.com/agent-inject-secret-sidecars-0-apikey']).toBe('kv-prod/data/prod/acme/stripe');
    expect(JSON.stringify(argo)).not.toMatch(/vault\(/);
  });

  test('from a synthesized platform: dev\'s helm_release and production\'s Application give the chart the same values', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'structured-platform-'));
    const database = { host: 'postgres.databases.svc' };
    const tenants = [{ id: 'acme', modules: [billing] }];
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      environments: [
        new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database, tenants }),
        new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database, tenants }),
      ],
    }).synth();
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
    const release: any = Object.values(tf.resource.helm_release).find((r: any) => r.chart === 'billing-api');
    const dev = received(chartDir, release.set.map((x: any) => ({ name: x.name, value: terraformLiteral(x.value), typed: x.type === 'auto' })));
    const docs = parseYamlDocuments(fs.readFileSync(path.join(dir, 'dist', 'k8s', 'prod', 'platform.k8s.yaml'), 'utf8'));
    const application = docs.find(d => d.kind === 'Application' && d.spec.source.chart === 'billing-api');
    const parameters = application.spec.source.helm.parameters;
    const prod = received(chartDir, parameters.map((p: any) => ({ name: p.name, value: p.value, typed: p.forceString === false })));
    // Only the environment's own names differ (Vault mounts, auth path).
    const normalized = (v: any) => JSON.parse(JSON.stringify(v)
      .replace(/-(dev|prod)\b/g, '-<env>').replace(/(dev|prod)\/acme/g, '<env>/acme').replace(/(dev|prod)_acme/g, '<env>_acme'));
    expect(normalized(dev)).toEqual(normalized(prod));
    expect(prod).toMatchObject({ replicaCount: 3, ingress: { enabled: true }, debug: false, env: { DATABASE_URL_FILE: '/vault/secrets/env-database-url' } });
  });

  test('a suspended tenant\'s replica count is 0 in both paths, over the structured value', () => {
    const env = environment([{ id: 'acme', modules: [billing], state: 'suspended' } as any]);
    expect(received(chartDir, viaTerraform(env)).replicaCount).toBe(0);
    expect(received(chartDir, viaArgoCd(env)).replicaCount).toBe(0);
  });

  test('problems of structured values are listed together when the tenant is declared', () => {
    expectProblems(() => new Tenant({
      id: 'acme',
      modules: [{
        ...billing,
        values: { replicaCount: '2' },
        valuesJson: JSON.stringify({ replicaCount: 3, ratio: 1.5, labels: {}, args: [], env: { PASSWORD: 'hunter2-but-longer-Zx9!', KEY: "{{ vault('sys/policy') }}" } }),
      }],
    }), [
      'modules[0].values["replicaCount"] is also set in valuesJson',
      'modules[0].valuesJson.ratio is not a whole number',
      'modules[0].valuesJson.labels is an empty object',
      'modules[0].valuesJson.args is an empty list',
      'modules[0].valuesJson.env.KEY',
      'modules[0].valuesJson.env.PASSWORD holds a literal secret',
    ]);
    expectProblems(() => new Tenant({ id: 'acme', modules: [{ ...billing, valuesJson: '{ replicaCount: 2' }] }), ['modules[0].valuesJson is not JSON']);
    expectProblems(() => new Tenant({ id: 'acme', modules: [{ ...billing, valuesJson: '[1]' }] }), ['modules[0].valuesJson is not a JSON object']);
  });

  test('HelmValues.fromYaml reads a values.yaml as Helm does, and refuses what is not one mapping', () => {
    expect(JSON.parse(HelmValues.fromYaml('a:\n  b: yes\n  c: 010\nd: [1, "2"]\n'))).toEqual({ a: { b: true, c: 8 }, d: [1, '2'] });
    expectProblems(() => HelmValues.fromYaml('- 1\n- 2\n'), ['HelmValues.fromYaml: text is not one YAML mapping']);
    expectProblems(() => HelmValues.fromYaml('a: [1\n'), ['HelmValues.fromYaml: text is not YAML']);
  });
});

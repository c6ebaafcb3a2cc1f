import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import * as fc from 'fast-check';
// Jest's own snapshot serializer (a dependency of jest): what `toMatchSnapshot()` would write.
// eslint-disable-next-line import/no-extraneous-dependencies
import { format } from 'pretty-format';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps, TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { asObjects, PlatformTesting } from '../../src/testing';
import { backupProps, githubProps } from '../platform/fixtures';

const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' };

function platform(tenants: TenantProps[], app: App = new App()): Platform {
  return new Platform(app, 'inopsio', {
    backup: backupProps(),
    github: githubProps(),
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants }),
    ],
  });
}

/** Files and folders below `dir` (for "nothing left behind"). */
function entries(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('PlatformTesting.synth', () => {
  const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'platform-testing-'));
  const cwd = process.cwd();
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('synthesizes with the default (relative) outdirs and leaves nothing behind', () => {
    const work = fs.mkdtempSync(path.join(scratch, 'cwd-'));
    const tmpBefore = entries(os.tmpdir()).filter(e => e.startsWith('inopsio-platform-'));
    process.chdir(work);
    try {
      const snapshot = PlatformTesting.synth(platform([{ id: 'acme' }, { id: 'globex' }]));
      expect(process.cwd()).toBe(fs.realpathSync(work));
      // Only the empty folders that cdktf's `new App()` creates when constructed.
      expect(entries(work)).toEqual(['cdktf.out']);
      expect(entries(path.join(work, 'cdktf.out'))).toEqual(['stacks']);
      expect(entries(path.join(work, 'cdktf.out', 'stacks'))).toEqual([]);
      expect(snapshot.directory).toBeUndefined();
      expect(snapshot.environments).toEqual(['staging', 'prod', 'dev']);
      expect(snapshot.stacks).toEqual(['dev', 'github-environments', 'prod', 'staging']);
      expect(snapshot.files()).toEqual(expect.arrayContaining([
        'cdktf.out/manifest.json', 'cdktf.out/stacks/prod/cdk.tf.json', 'dist/charts/prod/acme/Chart.yaml',
        'dist/k8s/prod/acme.k8s.yaml', 'dist/k8s/prod/platform.k8s.yaml', 'dist/lifecycle.json', 'dist/workflows/preview.yml',
      ]));
      expect(snapshot.file('dist/k8s/prod/acme.k8s.yaml')).toContain('name: prod-acme');
    } finally {
      process.chdir(cwd);
    }
    expect(entries(os.tmpdir()).filter(e => e.startsWith('inopsio-platform-'))).toEqual(tmpBefore);
  });

  test('keepDirectory keeps the temporary folder for debugging', () => {
    const snapshot = PlatformTesting.synth(platform([{ id: 'acme' }]), { keepDirectory: true });
    expect(snapshot.directory).toBeDefined();
    expect(fs.existsSync(path.join(snapshot.directory!, 'dist', 'k8s', 'prod', 'acme.k8s.yaml'))).toBe(true);
    fs.rmSync(snapshot.directory!, { recursive: true, force: true });
  });

  test('absolute outdirs are written where they point, and the working directory is left alone', () => {
    const out = fs.mkdtempSync(path.join(scratch, 'abs-'));
    const app = new App({ outdir: path.join(out, 'cdktf.out') });
    const p = new Platform(app, 'inopsio', {
      outdir: path.join(out, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] })],
    });
    const snapshot = PlatformTesting.synth(p);
    expect(process.cwd()).toBe(cwd);
    expect(fs.existsSync(path.join(out, 'dist', 'k8s', 'prod', 'acme.k8s.yaml'))).toBe(true);
    expect(snapshot.files()).toContain(path.join(out, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'));
    expect(snapshot.manifestsOfTenant('prod', 'acme').length).toBeGreaterThan(5);
  });

  test('the working directory is restored when synthesis fails', () => {
    const app = new App();
    const p = new Platform(app, 'inopsio', { backup: backupProps(), environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION })] });
    p.synth = () => { throw new Error('boom'); };
    expect(() => PlatformTesting.synth(p)).toThrow('boom');
    expect(process.cwd()).toBe(cwd);
  });
});

describe('PlatformSnapshot', () => {
  const snapshot = PlatformTesting.synth(platform([
    { id: 'globex', modules: [billing] },
    { id: 'acme', modules: [billing] },
    { id: 'initech', state: TenantState.SUSPENDED },
  ]));

  test('manifests come sorted by environment, namespace (cluster-scoped first), kind and name', () => {
    const all = snapshot.manifests();
    expect(all.length).toBeGreaterThan(100);
    const keys = all.map(m => [m.environment, m.namespace ?? '', m.kind, m.name, m.apiVersion, m.file]);
    const sorted = [...keys].sort((a, b) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    });
    expect(keys).toEqual(sorted);
    expect([...new Set(all.map(m => m.environment))]).toEqual(['dev', 'prod', 'staging']);
    // Cluster-scoped objects (the Namespaces) come first in each environment.
    expect(snapshot.manifestsOfEnvironment('prod').slice(0, 3).map(m => `${m.kind}/${m.name}`)).toEqual(['Namespace/prod-acme', 'Namespace/prod-globex', 'Namespace/prod-initech']);
  });

  test('filter by kind and namespace', () => {
    expect(snapshot.manifests('Namespace').map(m => m.toString())).toEqual([
      'dev/Namespace/-/dev-acme', 'dev/Namespace/-/dev-globex', 'dev/Namespace/-/dev-initech',
      'prod/Namespace/-/prod-acme', 'prod/Namespace/-/prod-globex', 'prod/Namespace/-/prod-initech',
      'staging/Namespace/-/staging-acme', 'staging/Namespace/-/staging-globex', 'staging/Namespace/-/staging-initech',
    ]);
    const prodAcme = snapshot.manifests(undefined, 'prod-acme');
    expect(prodAcme.length).toBeGreaterThan(5);
    expect(prodAcme.every(m => m.namespace === 'prod-acme' && m.environment === 'prod')).toBe(true);
    expect(snapshot.manifests('CronJob', 'prod-acme').map(m => m.name)).toEqual(expect.arrayContaining(['backup-acme']));
    expect(snapshot.manifests('NoSuchKind')).toEqual([]);
  });

  test('each manifest knows its environment, tenant, file, labels and content', () => {
    const [ns] = snapshot.manifests('Namespace', undefined).filter(m => m.name === 'prod-acme');
    expect(ns.environment).toBe('prod');
    expect(ns.tenant).toBe('acme');
    expect(ns.file).toBe(path.join('dist', 'k8s', 'prod', 'acme.k8s.yaml'));
    expect(ns.apiVersion).toBe('v1');
    // Cluster-scoped: no namespace, whatever metadata.namespace says.
    expect(ns.namespace).toBeUndefined();
    expect(ns.label('pod-security.kubernetes.io/enforce')).toBe('restricted');
    expect(ns.label('no-such-label')).toBeUndefined();
    expect(JSON.parse(ns.toJson()).metadata.name).toBe('prod-acme');
    expect(ns.toYaml()).toMatch(/^apiVersion: v1\nkind: Namespace\n/);
    // Environment-wide objects belong to no tenant; per-tenant objects of the platform chart carry their tenant.
    const alerts = snapshot.manifests('PrometheusRule', 'monitoring').filter(m => m.environment === 'prod');
    expect(alerts.map(m => m.tenant)).toEqual([undefined]);
    const argo = snapshot.manifests('Application', 'argocd').filter(m => m.environment === 'prod');
    expect(argo.map(m => [m.name, m.tenant, path.basename(m.file)])).toEqual([
      ['prod-acme-billing', 'acme', 'platform.k8s.yaml'], ['prod-globex-billing', 'globex', 'platform.k8s.yaml'],
    ]);
  });

  test('JSON.stringify, Jest snapshots (pretty-format) and asObjects show the documents themselves', () => {
    const list = snapshot.manifests('Namespace').slice(0, 2);
    const docs = list.map(m => JSON.parse(m.toJson()));
    expect(JSON.parse(JSON.stringify(list))).toEqual(docs);
    expect(format(list)).toBe(format(docs));
    expect(asObjects(list)).toEqual(docs);
    expect(JSON.parse(PlatformTesting.toJson(list))).toEqual(docs);
    expect(PlatformTesting.toYaml(list)).toBe(`${list[0].toYaml()}---\n${list[1].toYaml()}`);
    const [release] = snapshot.terraformResources('prod', 'helm_release');
    expect(JSON.parse(JSON.stringify(release))).toEqual(JSON.parse(release.toJson()));
    expect(format([release])).toBe(format([JSON.parse(release.toJson())]));
  });

  test('manifestsOfTenant: the tenant chart plus what the environment-wide chart holds for the tenant', () => {
    const acme = snapshot.manifestsOfTenant('prod', 'acme');
    expect(acme.every(m => m.environment === 'prod')).toBe(true);
    const kinds = new Set(acme.map(m => m.kind));
    for (const kind of ['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Role', 'RoleBinding', 'CronJob', 'PodMonitor', 'AppProject', 'Application']) {
      expect(kinds).toContain(kind);
    }
    expect(acme.some(m => m.name.includes('globex') || m.namespace === 'prod-globex')).toBe(false);
    expect(acme.some(m => m.namespace === 'monitoring')).toBe(false);
  });

  test('terraformResources: one stack, optionally one type, sorted by address', () => {
    const all = snapshot.terraformResources('prod');
    expect(all.map(r => r.address)).toEqual([...all.map(r => r.address)].sort());
    expect(new Set(all.map(r => r.type))).toEqual(new Set(Object.keys(JSON.parse(snapshot.terraformStack('prod')).resource)));
    const releases = snapshot.terraformResources('prod', 'helm_release');
    expect(releases.map(r => JSON.parse(r.toJson()).name)).toEqual(['prod-platform', 'acme-base', 'globex-base', 'initech-base']);
    expect(releases[1].constructPath).toBe('inopsio/prod/Tenant-acme/Base');
    expect(releases[1].stack).toBe('prod');
    expect(releases[1].toString()).toBe(`prod:${releases[1].address}`);
    expect(snapshot.terraformResources('prod', 'no_such_type')).toEqual([]);
    const acme = snapshot.terraformResourcesOfTenant('prod', 'acme');
    expect(acme.map(r => r.type)).toEqual(expect.arrayContaining(['helm_release', 'vault_policy']));
    expect(acme.every(r => r.constructPath!.split('/').includes('Tenant-acme'))).toBe(true);
  });

  test('inventory, workflows and whole stacks as written', () => {
    const inventory = JSON.parse(snapshot.inventory());
    expect(inventory.environments.map((e: any) => e.name).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(snapshot.workflowNames()).toEqual(['cleanup-env.yml', 'decommission.yml', 'preview.yml', 'tenant-inactivity.yml', 'tenant-signup.yml', 'tenant-upgrade.yml']);
    expect(snapshot.workflow('decommission.yml')).toContain('jobs:');
    expect(JSON.parse(snapshot.terraformStack('staging')).terraform.cloud.workspaces.name).toBe('inopsio-staging');
  });

  test('unknown environments, tenants, stacks, workflows and files say what exists', () => {
    expect(() => snapshot.manifestsOfEnvironment('qa')).toThrow('PlatformSnapshot: environment is not an environment of the platform (got "qa"); use one of staging, prod, dev');
    expect(() => snapshot.manifestsOfTenant('prod', 'umbrella')).toThrow('PlatformSnapshot: tenantId is not a tenant of environment "prod" (got "umbrella"); use one of globex, acme, initech');
    expect(() => snapshot.terraformResources('qa')).toThrow('PlatformSnapshot: stack is not a synthesized stack (got "qa"); use one of dev, github-environments, prod, staging');
    expect(() => snapshot.workflow('deploy.yml')).toThrow('PlatformSnapshot: workflow is not a generated workflow (got "deploy.yml")');
    expect(() => snapshot.file('dist/nothing')).toThrow('PlatformSnapshot: file was not written (got "dist/nothing"); use a path listed by files()');
  });
});

describe('snapshots of one tenant do not churn when other tenants change', () => {
  const acmeProps: TenantProps = { id: 'acme', displayName: 'Acme Corp', modules: [billing] };
  const base = PlatformTesting.synth(platform([acmeProps, { id: 'globex' }]));
  // Another tenant added before and after acme, and an existing one changed (suspended, with a module).
  const grown = PlatformTesting.synth(platform([
    { id: 'aardvark' }, acmeProps, { id: 'globex', state: TenantState.SUSPENDED, modules: [billing] }, { id: 'zeta', displayName: 'Zeta' },
  ]));

  test.each(['dev', 'staging', 'prod'])('manifests of acme in %s are identical', env => {
    expect(PlatformTesting.toYaml(grown.manifestsOfTenant(env, 'acme'))).toBe(PlatformTesting.toYaml(base.manifestsOfTenant(env, 'acme')));
    expect(format(grown.manifestsOfTenant(env, 'acme'))).toBe(format(base.manifestsOfTenant(env, 'acme')));
  });

  test.each(['dev', 'staging', 'prod'])('Terraform resources of acme in %s are identical', env => {
    expect(PlatformTesting.toJson(grown.terraformResourcesOfTenant(env, 'acme'))).toBe(PlatformTesting.toJson(base.terraformResourcesOfTenant(env, 'acme')));
  });

  test('while the environment as a whole did change', () => {
    expect(grown.manifests().length).toBeGreaterThan(base.manifests().length);
    expect(PlatformTesting.toYaml(grown.manifestsOfTenant('prod', 'globex'))).not.toBe(PlatformTesting.toYaml(base.manifestsOfTenant('prod', 'globex')));
  });
});

describe('property: adding unrelated tenants anywhere never changes a tenant\'s snapshot', () => {
  const acme: TenantProps = { id: 'acme', displayName: 'Acme Corp', modules: [billing] };
  const prodOnly = (tenants: TenantProps[]) => new Platform(new App(), 'inopsio', {
    backup: backupProps(),
    github: githubProps(),
    environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants })],
  });
  const reference = PlatformTesting.synth(prodOnly([acme]));
  const expected = { manifests: PlatformTesting.toYaml(reference.manifestsOfTenant('prod', 'acme')), resources: PlatformTesting.toJson(reference.terraformResourcesOfTenant('prod', 'acme')) };

  test('for random other tenants, states and positions', () => {
    const otherId = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/).filter(id => id !== 'acme' && id !== 'platform');
    const other = fc.record({
      id: otherId,
      state: fc.constantFrom(TenantState.ACTIVE, TenantState.SUSPENDED),
      withModule: fc.boolean(),
    });
    fc.assert(fc.property(fc.uniqueArray(other, { selector: o => o.id, minLength: 1, maxLength: 4 }), fc.nat(), (others, at) => {
      const tenants: TenantProps[] = others.map(o => ({ id: o.id, state: o.state, modules: o.withModule ? [billing] : [] }));
      tenants.splice(at % (tenants.length + 1), 0, acme);
      const snapshot = PlatformTesting.synth(prodOnly(tenants));
      expect(PlatformTesting.toYaml(snapshot.manifestsOfTenant('prod', 'acme'))).toBe(expected.manifests);
      expect(PlatformTesting.toJson(snapshot.terraformResourcesOfTenant('prod', 'acme'))).toBe(expected.resources);
    }), { numRuns: 6, seed: 9 });
  });
});

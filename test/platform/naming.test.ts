import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { backupProps, githubProps } from './fixtures';
import { DecommissionPlan, planDecommission } from '../../src/lifecycle/decommission';
import { LifecycleInventory, readInventory } from '../../src/lifecycle/inventory';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { LifecycleNamingOptions } from '../../src/model/names';
import { TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';

// One naming module (src/model/names.ts): every pattern of LifecycleNamingOptions is followed by every output that
// names the thing — Terraform, Argo CD, the inventory, the decommission plan and the workflows.
const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' };

interface Synthesized {
  readonly inventory: LifecycleInventory;
  readonly stack: (env: string) => any;
  readonly k8s: (env: string, file: string) => any[];
  readonly workflow: (file: string) => string;
  readonly plan: (env: string, tenant?: string) => DecommissionPlan;
}

function synthesize(naming: LifecycleNamingOptions): Synthesized {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'naming-'));
  // Archived: only an archived tenant may be decommissioned, so the plan lists its releases.
  const tenants = [{ id: 'acme', modules: [billing] }, { id: 'globex', modules: [billing], state: TenantState.ARCHIVED }];
  new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    github: githubProps(),
    workflows: naming,
    environments: [
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants }),
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
    ],
  }).synth();
  const inventory = readInventory(path.join(dir, 'dist', 'lifecycle.json'));
  const read = (...p: string[]) => fs.readFileSync(path.join(dir, ...p), 'utf8');
  return {
    inventory,
    stack: env => JSON.parse(read('cdktf.out', 'stacks', env, 'cdk.tf.json')),
    k8s: (env, file) => parseAllDocuments(read('dist', 'k8s', env, file)).map(d => d.toJS()).filter(Boolean),
    workflow: file => read('dist', 'workflows', file),
    plan: (env, tenant) => planDecommission(inventory, env, tenant),
  };
}

const releasesOf = (stack: any) => Object.values<any>(stack.resource.helm_release).map(r => r.name).sort();
const uninstalled = (plan: DecommissionPlan) => plan.targets.helmReleases.map(r => r.name).sort();

describe('naming patterns are followed by every output', () => {
  const custom = synthesize({
    helmReleasePattern: '{env}-{tenant}-{module}',
    tenantBaseReleasePattern: '{env}-{tenant}-tenant',
    kubeContextPattern: 'gke-{env}',
    argoCdNamespace: 'gitops',
  });

  test('helmReleasePattern and tenantBaseReleasePattern: Terraform installs what the inventory lists and the decommission plan uninstalls', () => {
    const dev = custom.inventory.environments.find(e => e.name === 'dev')!;
    expect(dev.tenants.map(t => [t.baseRelease, ...t.modules.map(m => m.release)])).toEqual([
      ['dev-acme-tenant', 'dev-acme-billing'],
      ['dev-globex-tenant', 'dev-globex-billing'],
    ]);
    expect(releasesOf(custom.stack('dev'))).toEqual(['dev-acme-billing', 'dev-acme-tenant', 'dev-globex-billing', 'dev-globex-tenant', 'dev-platform']);
    expect(uninstalled(custom.plan('dev', 'globex'))).toEqual(['dev-globex-billing', 'dev-globex-tenant']);
    // Staging upgrades through Argo CD: Terraform installs the base, the Application names the module's release.
    expect(releasesOf(custom.stack('staging'))).toEqual(['staging-acme-tenant', 'staging-globex-tenant', 'staging-platform']);
    const apps = custom.k8s('staging', 'platform.k8s.yaml').filter(d => d.kind === 'Application');
    expect(apps.map(a => a.spec.source.helm.releaseName).sort()).toEqual(['staging-acme-billing', 'staging-globex-billing']);
    expect(uninstalled(custom.plan('staging', 'globex'))).toEqual(['staging-globex-tenant']);
  });

  test('kubeContextPattern: the Terraform Helm provider, the inventory, the plan and the workflows use one context', () => {
    for (const env of ['dev', 'staging']) {
      expect(custom.stack(env).variable.kube_context.default).toBe(`gke-${env}`);
      expect(custom.inventory.environments.find(e => e.name === env)!.kubeContext).toBe(`gke-${env}`);
      expect(custom.plan(env, 'globex').targets.helmReleases.map(r => r.context)).toEqual(expect.arrayContaining([`gke-${env}`]));
    }
    expect(custom.workflow('tenant-upgrade.yml')).toContain('kubectl config use-context gke-staging');
  });

  test('argoCdNamespace: Applications and AppProjects live there, and the inventory, the plan and the workflows look there', () => {
    const argo = custom.k8s('staging', 'platform.k8s.yaml').filter(d => d.kind === 'Application' || d.kind === 'AppProject');
    // Two tenants' projects and Applications, and Argo CD's locked default project (written with the first Argo CD environment).
    expect(argo).toHaveLength(5);
    expect(new Set(argo.map(d => d.metadata.namespace))).toEqual(new Set(['gitops']));
    expect(custom.inventory.argoCdNamespace).toBe('gitops');
    expect(custom.plan('staging', 'globex').targets.argoCdApplications).toEqual([{ context: 'gke-staging', namespace: 'gitops', name: 'staging-globex-billing' }]);
    expect(custom.workflow('tenant-upgrade.yml')).toMatch(/ARGOCD_NAMESPACE: gitops/);
  });

  test('the defaults: releases without the environment, context and Argo CD namespace as documented', () => {
    const defaults = synthesize({});
    expect(releasesOf(defaults.stack('dev'))).toEqual(['acme-base', 'acme-billing', 'dev-platform', 'globex-base', 'globex-billing']);
    expect(uninstalled(defaults.plan('dev', 'globex'))).toEqual(['globex-base', 'globex-billing']);
    expect(defaults.stack('dev').variable.kube_context.default).toBe('dev');
    expect(defaults.plan('staging', 'globex').targets.argoCdApplications).toEqual([{ context: 'staging', namespace: 'argocd', name: 'staging-globex-billing' }]);
  });
});

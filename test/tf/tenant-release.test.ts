import * as fs from 'fs';
import * as path from 'path';
import { release as helmRelease } from '@cdktf/provider-helm';
import { TerraformStack, Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest'; // types of the Testing.setupJest() matchers
import { ACME, devEnv, errorOf, findResource, GLOBEX, resources, stackFor, synthJson, writeChart } from './fixtures';
import { Environment } from '../../src/model/environment';
import { Tenant, TenantProps, TenantState } from '../../src/model/tenant';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { SecretDelivery, TenantRelease } from '../../src/tf/tenant-release';
import { problemsOf } from '../support/problems';

function setsOf(body: any): Record<string, string> {
  return Object.fromEntries((body.set ?? []).map((s: any) => [s.name, s.value]));
}

function moduleRelease(json: any, name: string): any {
  return findResource(json, 'helm_release', 'name', name);
}

Testing.setupJest();

describe('TenantRelease: Helm releases (V14)', () => {
  const stack = stackFor(devEnv());
  const json = synthJson(stack);

  test('every release pins a version or a local chart and is atomic, cleanup_on_fail, waited for, time-limited', () => {
    const synthesized = Testing.synth(stack);
    for (const name of ['acme-base', 'acme-billing', 'globex-base']) {
      expect(synthesized).toHaveResourceWithProperties(helmRelease.Release, { name, atomic: true, cleanup_on_fail: true, wait: true, timeout: 600 });
    }
    expect(synthesized).toHaveResourceWithProperties(helmRelease.Release, { name: 'acme-billing', version: '1.4.2' });
    expect(synthesized).not.toHaveResourceWithProperties(helmRelease.Release, { atomic: false });
  });

  test('tenant base: the local chart from the stack assets, in the tenant namespace, atomic, waited for, time-limited', () => {
    const base = moduleRelease(json, 'acme-base').body;
    expect(base).toMatchObject({
      namespace: 'dev-acme',
      atomic: true,
      cleanup_on_fail: true,
      wait: true,
      wait_for_jobs: true,
      timeout: 600,
      max_history: 5,
      create_namespace: true,
      take_ownership: true,
      lint: true,
    });
    // The chart is referenced relative to the stack directory, under a content hash: no absolute path.
    expect(base.chart).toMatch(/^assets\/Tenant-acme_Chart_[0-9A-F]{8}\/[0-9a-f]{32}$/);
    expect(base).not.toHaveProperty('version'); // a local chart carries its version in Chart.yaml
  });

  test('modules: exact chart version from the repository, atomic, cleanup_on_fail, wait, timeout, no namespace creation', () => {
    const billing = moduleRelease(json, 'acme-billing').body;
    expect(billing).toMatchObject({
      repository: 'https://charts.inopsio.example',
      chart: 'billing-api',
      version: '1.4.2',
      namespace: 'dev-acme',
      atomic: true,
      cleanup_on_fail: true,
      wait: true,
      timeout: 600,
      create_namespace: false,
    });
    expect(billing.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('spec §3 order: tenant Vault resources → tenant base → modules, via depends_on', () => {
    const vault = stack.vault.tenantResources('acme');
    const base = moduleRelease(json, 'acme-base');
    const address = (r: any) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
    expect(base.body.depends_on).toEqual(vault.dependables.map(address));
    expect(base.body.depends_on).toEqual(expect.arrayContaining([
      findResource(json, 'vault_policy', 'name', 'env-dev-tenant-acme').id,
      findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-db').id,
      findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'acme').id,
      findResource(json, 'vault_generic_endpoint', 'path', 'database-dev/rotate-root/acme').id,
    ]));
    expect(moduleRelease(json, 'acme-billing').body.depends_on).toEqual([base.id]);
    expect(moduleRelease(json, 'globex-base').body.depends_on).toEqual([findResource(json, 'vault_policy', 'name', 'env-dev-tenant-globex').id]);
  });

  test('release names are checked after composition: long ids are truncated with a hash to at most 53 characters', () => {
    const env = new Environment({
      name: 'dev',
      environmentClass: devEnv().environmentClass,
      createdAt: '2026-11-28T09:00:00Z',
      owner: 'dana',
      tenants: [{ id: 'a-tenant-with-a-rather-long-identifier-x', modules: [{ name: 'a-module-with-a-long-name-as-well', chart: 'x', repository: 'https://c.example', version: '1.0.0' }] }],
    });
    const names = Object.values(resources(synthJson(stackFor(env)), 'helm_release')).map((r: any) => r.name).sort();
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(53);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(names).toEqual(['a-tenant-with-a-rather-long-identifier-x-a-mod-2f4f0f', 'a-tenant-with-a-rather-long-identifier-x-base']);
  });

  test('suspended tenants keep their releases without waiting (a zero-pod quota would time out and roll back)', () => {
    const env = devEnv([{ ...ACME, state: TenantState.SUSPENDED }]);
    const billing = moduleRelease(synthJson(stackFor(env)), 'acme-billing').body;
    expect([billing.wait, billing.wait_for_jobs, billing.atomic]).toEqual([false, false, true]);
  });

  test('suspension scales every module release to zero through its replica keys; resuming restores the declared sizes', () => {
    const module = (state: TenantState, extra: Partial<NonNullable<TenantProps['modules']>[number]> = {}) => {
      const tenant = { ...ACME, state, modules: [{ ...ACME.modules![0], ...extra }] };
      return moduleRelease(synthJson(stackFor(devEnv([tenant]))), 'acme-billing').body;
    };
    const replicas = (body: any) => (body.set ?? []).filter((s: any) => /replica/i.test(s.name));
    // Active, nothing declared: the chart's own size (no override).
    expect(replicas(module(TenantState.ACTIVE))).toEqual([]);
    // Suspended and archived: 0, as a number to the chart (type auto).
    for (const state of [TenantState.SUSPENDED, TenantState.ARCHIVED]) {
      expect(replicas(module(state))).toEqual([{ name: 'replicaCount', value: '0', type: 'auto' }]);
    }
    // Per-module keys, nested values included; a declared size comes back on resume.
    const keys = { replicaKeys: ['api.replicaCount', 'worker.replicas'], values: { 'api.replicaCount': '3' } };
    expect(replicas(module(TenantState.SUSPENDED, keys))).toEqual([
      { name: 'api.replicaCount', value: '0', type: 'auto' },
      { name: 'worker.replicas', value: '0', type: 'auto' },
    ]);
    expect(replicas(module(TenantState.ACTIVE, keys))).toEqual([{ name: 'api.replicaCount', value: '3', type: 'auto' }]);
  });
});

describe('TenantRelease: Vault references are delivered at run time, never as values (docs/vault.md, V14)', () => {
  const json = synthJson(stackFor(devEnv()));
  const sets = setsOf(moduleRelease(json, 'acme-billing').body);

  test('the reference becomes Vault Agent injector annotations and a file path; the value itself is gone', () => {
    expect(sets).toEqual({
      'env.DATABASE_URL_FILE': '/vault/secrets/env-database-url',
      'env.LOG_LEVEL': 'info',
      'image.tag': '2.3.1',
      'serviceAccount.name': 'billing',
      'podAnnotations.vault\\.hashicorp\\.com/agent-inject': 'true',
      'podAnnotations.vault\\.hashicorp\\.com/agent-init-first': 'true',
      'podAnnotations.vault\\.hashicorp\\.com/role': 'acme',
      'podAnnotations.vault\\.hashicorp\\.com/auth-path': 'auth/kubernetes-dev',
      'podAnnotations.vault\\.hashicorp\\.com/agent-inject-secret-env-database-url': 'database-dev/creds/acme-db',
      // A leading "{" is escaped for Helm's --set parser, which would otherwise read a list. A database reference in
      // a ..._URL value renders a URL of the tenant database on the environment's server, not JSON.
      'podAnnotations.vault\\.hashicorp\\.com/agent-inject-template-env-database-url':
        '\\{{ with secret "database-dev/creds/acme-db" }}postgresql://{{ .Data.username | urlquery }}:{{ .Data.password | urlquery }}@postgres.databases.svc:5432/dev_acme?sslmode=verify-full{{ end }}',
      // The agent logs in with a projected token for the audience the role requires (not the pod's API token).
      'podAnnotations.vault\\.hashicorp\\.com/agent-service-account-token-volume-name': 'vault-token',
      'volumes[0].name': 'vault-token',
      'volumes[0].projected.sources[0].serviceAccountToken.audience': 'vault',
      'volumes[0].projected.sources[0].serviceAccountToken.path': 'token',
    });
    expect(sets).not.toHaveProperty('env.DATABASE_URL');
    for (const value of Object.values(sets)) expect(value).not.toMatch(/vault\(/);
  });

  test('the service account the pods run as is exactly the one the tenant\'s Vault role is bound to', () => {
    const role = findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', sets['podAnnotations.vault\\.hashicorp\\.com/role']).body;
    expect(role.bound_service_account_names).toContain(sets['serviceAccount.name']);
    expect(role.bound_service_account_namespaces).toEqual([moduleRelease(json, 'acme-billing').body.namespace]);
  });

  test('references inside text keep the text; KV keys are read by name; every reference extends only this tenant\'s policy', () => {
    const env = devEnv([{
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '2.0.0',
        values: {
          'env.DATABASE_URL': "postgresql://{{ vault('database/creds/tenant-db', 'username') }}:{{ vault('database/creds/tenant-db', 'password') }}@db:5432/app",
          'env.REDIS_URL': "{{ vault('cache/creds/tenant-cache') }}",
          'env.STRIPE_KEY': "{{ vault('kv/data/stripe', 'api_key') }}",
        },
      }],
    }]);
    const stack = stackFor(env);
    const out = synthJson(stack);
    const s = setsOf(moduleRelease(out, 'acme-api').body);
    expect(s['podAnnotations.vault\\.hashicorp\\.com/agent-inject-template-env-database-url']).toBe(
      'postgresql://{{ with secret "database-dev/creds/acme-db" }}{{ index .Data "username" }}{{ end }}:{{ with secret "database-dev/creds/acme-db" }}{{ index .Data "password" }}{{ end }}@db:5432/app');
    expect(s['podAnnotations.vault\\.hashicorp\\.com/agent-inject-template-env-stripe-key']).toBe('\\{{ with secret "kv-dev/data/dev/acme/stripe" }}{{ index .Data.data "api_key" }}{{ end }}');
    expect(s['podAnnotations.vault\\.hashicorp\\.com/agent-inject-secret-env-redis-url']).toBe('cache-dev/creds/acme-cache');
    expect(findResource(out, 'vault_policy', 'name', 'env-dev-tenant-acme').body.policy).toContain('path "cache-dev/creds/acme-cache" {');
    const tr = stack.tenantRelease('acme')!;
    expect(tr.secretDeliveries.map(d => [d.valuePath, d.target, d.refs.map(r => r.path)])).toEqual([
      ['env.DATABASE_URL', 'env-database-url', ['database-dev/creds/acme-db', 'database-dev/creds/acme-db']],
      ['env.REDIS_URL', 'env-redis-url', ['cache-dev/creds/acme-cache']],
      ['env.STRIPE_KEY', 'env-stripe-key', ['kv-dev/data/dev/acme/stripe']],
    ]);
  });

  test('annotation names stay valid for long value paths, and two paths with the same file name get distinct files', () => {
    const env = devEnv([{
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '2.0.0',
        values: {
          'env.A_VERY_LONG_ENVIRONMENT_VARIABLE_NAME_FOR_THE_PRIMARY_DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
          'env.DB_URL': "{{ vault('database/creds/tenant-db') }}",
          'env.db-url': "{{ vault('database/creds/tenant-db') }}",
        },
      }],
    }]);
    const s = setsOf(moduleRelease(synthJson(stackFor(env)), 'acme-api').body);
    const annotationNames = Object.keys(s).filter(k => k.startsWith('podAnnotations.')).map(k => k.replace('podAnnotations.vault\\.hashicorp\\.com/', ''));
    for (const name of annotationNames) expect(name.length).toBeLessThanOrEqual(63);
    const secretFiles = annotationNames.filter(n => n.startsWith('agent-inject-secret-'));
    expect(secretFiles).toHaveLength(3);
    expect(new Set(secretFiles).size).toBe(3);
    expect(Object.keys(s).filter(k => k.endsWith('_FILE'))).toHaveLength(3);
  });

  test('External Secrets delivery: the value names the Secret to create, no injector annotations', () => {
    const stack = stackFor(devEnv([ACME]), { releases: { secretDelivery: SecretDelivery.EXTERNAL_SECRETS } });
    const s = setsOf(moduleRelease(synthJson(stack), 'acme-billing').body);
    expect(s).toEqual({ 'env.DATABASE_URL_SECRET': 'billing-env-database-url', 'env.LOG_LEVEL': 'info', 'image.tag': '2.3.1', 'serviceAccount.name': 'billing' });
    expect(stack.tenantRelease('acme')!.secretDeliveries).toEqual([{
      module: 'billing',
      valuePath: 'env.DATABASE_URL',
      namespace: 'dev-acme',
      target: 'billing-env-database-url',
      refs: [{ engine: 'database', path: 'database-dev/creds/acme-db', key: undefined, reference: "{{ vault('database/creds/tenant-db') }}" }],
      agentTemplate: '{{ with secret "database-dev/creds/acme-db" }}postgresql://{{ .Data.username | urlquery }}:{{ .Data.password | urlquery }}@postgres.databases.svc:5432/dev_acme?sslmode=verify-full{{ end }}',
    }]);
  });

  test('plain values are escaped for Terraform (${, %{) and Helm --set (commas, backslashes, a leading "{")', () => {
    const env = devEnv([{
      id: 'acme',
      database: false,
      modules: [{
        name: 'm',
        chart: 'm',
        repository: 'https://c.example',
        version: '1.0.0',
        values: {
          'a.list': 'x,y', 'a.shell': '${HOME}/%{x}', 'a.json': '{"k":1}', 'a.path': 'C:\\dir', 'a.flag': 'yes',
        },
      }],
    }]);
    const s = setsOf(moduleRelease(synthJson(stackFor(env)), 'acme-m').body);
    expect(s).toMatchObject({ 'a.list': 'x\\,y', 'a.shell': '$${HOME}/%%{x}', 'a.json': '\\{"k":1}', 'a.path': 'C:\\\\dir', 'a.flag': 'yes' });
    const body = moduleRelease(synthJson(stackFor(env)), 'acme-m').body;
    for (const item of body.set) expect(item.type).toBe('string'); // "yes", "0755" stay strings (B18)
  });
});

describe('TenantRelease: bad input fails at synth time, listing every problem', () => {
  function addWith(tenant: TenantProps, props: Record<string, unknown> = {}): string {
    const env = devEnv([tenant]);
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: env, ...props });
    return errorOf(() => stack.addTenantBase(env.tenants[0], writeChart('bad-input')));
  }

  test('unsafe references, literal secrets and inline credentials are refused when the tenant is declared, together', () => {
    const message = errorOf(() => devEnv([{
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '1.0.0',
        values: {
          'env.A': "{{ vault('database/creds/*') }}",
          'env.B': "{{ vault('kv/data/../../sys/policy') }}",
          'env.D': '{{ vault(database/creds/tenant-db) }}',
          'env.DB_PASSWORD': 'hunter2',
          'env.URL': 'postgres://user:pass@db:5432/app',
          'env.KEY': `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${'q7Xv2LmN9pR4sT7w'.repeat(5)}\n-----END RSA PRIVATE KEY-----`,
        },
      }],
    }]));
    expect(message.split('\n')).toEqual([
      '6 problems:',
      '  - dev/Tenant-acme: modules[0].values["env.A"] path contains the glob "*" (got "database/creds/*"); references name one secret; write the exact path (B07)',
      '  - dev/Tenant-acme: modules[0].values["env.B"] path contains ".." or a "." segment (got "kv/data/../../sys/policy"); write the path without relative segments (B07)',
      '  - dev/Tenant-acme: modules[0].values["env.D"] reference is malformed (got "{{ vault(database/creds/tenant-db) }}"); write {{ vault(\'<path>\') }} or {{ vault(\'<path>\', \'<key>\') }} with the path in quotes',
      '  - dev/Tenant-acme: modules[0].values["env.DB_PASSWORD"] holds a literal secret (rule secret-field-literal) (got "<redacted>"); store it in Vault and write {{ vault(\'kv/data/api\', \'DB_PASSWORD\') }} (V14, B13: no secrets in values)',
      '  - dev/Tenant-acme: modules[0].values["env.KEY"] holds a literal secret (rule private-key) (got "<redacted>"); store it in Vault and write {{ vault(\'kv/data/api\', \'KEY\') }} (V14, B13: no secrets in values)',
      '  - dev/Tenant-acme: modules[0].values["env.URL"] holds a literal secret (rule url-credentials) (got "<redacted>"); store it in Vault and write {{ vault(\'kv/data/api\', \'URL\') }} (V14, B13: no secrets in values)',
    ]);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain(':pass@');
  });

  test('a module with a bad version, a bad Vault path and a password in a URL reports all three in one error', () => {
    expect(problemsOf(() => devEnv([{
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '^1.0',
        values: { 'env.SECRET': "{{ vault('kv/data/../other') }}", 'env.URL': 'https://admin:s3cret@db.example/app' },
      }],
    }]))).toEqual([
      'dev/Tenant-acme: modules[0].version is not an exact semantic version (got "^1.0"); pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")',
      'dev/Tenant-acme: modules[0].values["env.SECRET"] path contains ".." or a "." segment (got "kv/data/../other"); write the path without relative segments (B07)',
      'dev/Tenant-acme: modules[0].values["env.URL"] holds a literal secret (rule url-credentials) (got "<redacted>"); store it in Vault and write {{ vault(\'kv/data/api\', \'URL\') }} (V14, B13: no secrets in values)',
    ]);
  });

  test('references outside the tenant\'s scope and a foreign service account are refused at synth time, together', () => {
    const message = addWith({
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '1.0.0',
        values: {
          'env.C': "{{ vault('database/creds/globex-db') }}",
          'serviceAccount.name': 'default',
        },
      }],
    });
    expect(message.split('\n')).toEqual([
      '2 problems:',
      '  - dev/Tenant-acme: modules[0].values["env.C"] names role "globex-db", which is not tenant "acme"\'s database role "acme-db" (got "{{ vault(\'database/creds/globex-db\') }}"); write {{ vault(\'database/creds/tenant-db\') }}: a tenant reads only its own credentials',
      '  - dev/Tenant-acme: modules[0].values["serviceAccount.name"] names service account "default" instead of the module name "api" (got "default"); remove it: the tenant\'s Vault role is bound to the module name (V07)',
    ]);
  });

  test('a refused release leaves the tenant policy untouched', () => {
    const env = devEnv([{
      id: 'acme',
      modules: [{
        name: 'api',
        chart: 'api',
        repository: 'https://c.example',
        version: '1.0.0',
        values: {
          'env.REDIS_URL': "{{ vault('cache/creds/tenant-cache') }}", 'env.DB_URL': "{{ vault('database/creds/globex-db') }}",
        },
      }],
    }]);
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: env });
    expect(() => stack.addTenantBase(env.tenants[0], writeChart('refused'))).toThrow(/names role "globex-db"/);
    expect(stack.vault.tenantResources('acme').policyDocument.render()).not.toContain('cache-dev');
  });

  test('module version ranges are refused when the tenant is declared, every module listed', () => {
    expect(errorOf(() => devEnv([{
      id: 'acme',
      modules: [
        { name: 'a', chart: 'a', repository: 'https://c.example', version: '^1.2.0' },
        { name: 'b', chart: 'b', repository: 'https://c.example', version: 'latest' },
        { name: 'c', chart: 'c', repository: 'https://c.example', version: '>=1.0.0 <2.0.0' },
      ],
    }])).split('\n')).toEqual([
      '3 problems:',
      '  - dev/Tenant-acme: modules[0].version is not an exact semantic version (got "^1.2.0"); pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")',
      '  - dev/Tenant-acme: modules[1].version is not an exact semantic version (got "latest"); pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")',
      '  - dev/Tenant-acme: modules[2].version is not an exact semantic version (got ">=1.0.0 <2.0.0"); pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")',
    ]);
  });

  test('a module whose release name collides with the tenant base is refused (B03)', () => {
    expect(addWith({ id: 'acme', database: false, modules: [{ name: 'base', chart: 'x', repository: 'https://c.example', version: '1.0.0' }] }))
      .toContain('dev/Tenant-acme: modules[0].name gives release name "acme-base", already used by the tenant base (got "base"); rename the module (B03)');
  });

  test('bad options and a missing chart are refused together', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const env = devEnv([GLOBEX]);
    expect(errorOf(() => new TenantRelease(stack, 'T', {
      environment: env, tenant: env.tenants[0], chartDirectory: '/nonexistent/chart', timeoutSeconds: 5, maxHistory: 0, podAnnotationsKey: 'pod annotations',
    })).split('\n')).toEqual([
      '4 problems:',
      '  - s/T: podAnnotationsKey is not a dotted Helm value path (got "pod annotations"); write e.g. "podAnnotations", "serviceAccount.name" or "volumes"',
      '  - s/T: timeoutSeconds is not a whole number from 60 to 3600 (got 5); give Helm time to roll out and roll back, e.g. 600 (V14)',
      '  - s/T: maxHistory is not a whole number from 1 to 20 (got 0); keep a few revisions for rollback, e.g. 5',
      '  - s/T: chartDirectory is not a folder (got "/nonexistent/chart"); write the tenant\'s local chart first and pass its folder',
    ]);
  });

  test('a folder without Chart.yaml is refused', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const env = devEnv([GLOBEX]);
    const dir = writeChart('no-chart-yaml');
    fs.rmSync(path.join(dir, 'Chart.yaml'));
    expect(errorOf(() => new TenantRelease(stack, 'T', { environment: env, tenant: new Tenant(GLOBEX), chartDirectory: dir })))
      .toContain('s/T: chartDirectory has no Chart.yaml');
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { provider as helmProvider } from '@cdktf/provider-helm';
import { provider as vaultProvider } from '@cdktf/provider-vault';
import { App, Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest'; // types of the Testing.setupJest() matchers
import { Construct } from 'constructs';
import { ACME, devEnv, errorOf, GLOBEX, previewEnv, prodEnv, stackFor, stagingEnv, synthJson, writeChart } from './fixtures';
import { Environment } from '../../src/model/environment';
import { Tenant } from '../../src/model/tenant';
import { EnvironmentStack } from '../../src/tf/environment-stack';

Testing.setupJest();

describe('EnvironmentStack: Terraform Cloud backend (spec §4)', () => {
  test.each([
    ['dev', devEnv, 'inopsio-dev'],
    ['staging', stagingEnv, 'inopsio-staging'],
    ['prod', prodEnv, 'inopsio-prod'],
  ] as const)('%s → organization inopsio, workspace %s', (_l, make, workspace) => {
    const json = synthJson(stackFor(make()));
    expect(json.terraform.cloud).toEqual({ organization: 'inopsio', workspaces: { name: workspace } });
    expect(json.terraform).not.toHaveProperty('backend');
  });

  test('a preview gets inopsio-preview-<slug> derived safely from its branch', () => {
    const env = previewEnv();
    const json = synthJson(stackFor(env));
    expect(json.terraform.cloud.workspaces.name).toBe(`inopsio-${env.name}`);
    expect(json.terraform.cloud.workspaces.name).toMatch(/^inopsio-preview-feature-jira-123-add-bi-[0-9a-f]{6}$/);
  });

  test('organization, workspace and host name are configurable; bad ones fail together', () => {
    const json = synthJson(new EnvironmentStack(Testing.app(), 'dev', { environment: devEnv([]), organization: 'acme-ops', workspace: 'env-dev', terraformHostname: 'tfe.example.com' }));
    expect(json.terraform.cloud).toEqual({ organization: 'acme-ops', hostname: 'tfe.example.com', workspaces: { name: 'env-dev' } });
    expect(errorOf(() => new EnvironmentStack(Testing.app(), 'dev', { environment: devEnv([]), organization: 'a b', workspace: 'x/y' })).split('\n')).toEqual([
      '2 problems:',
      '  - dev: organization is not a Terraform Cloud organization name (got "a b"); use letters, digits, "-" and "_", e.g. "inopsio"',
      '  - dev: workspace is not a Terraform Cloud workspace name (got "x/y"); use letters, digits, "-" and "_", at most 90 characters, e.g. "inopsio-dev"',
    ]);
  });
});

describe('EnvironmentStack: providers and runtime inputs (V03–V05)', () => {
  const stack = stackFor(devEnv());
  const synthesized = Testing.synth(stack);
  const json = JSON.parse(synthesized);

  test('the Vault provider takes its address from a variable, has no token, and verifies TLS', () => {
    expect(synthesized).toHaveProviderWithProperties(vaultProvider.VaultProvider, { address: '${var.vault_address}', skip_tls_verify: false });
    expect(synthesized).not.toHaveProviderWithProperties(vaultProvider.VaultProvider, { skip_tls_verify: true });
    expect(json.provider.vault).toEqual([{ address: '${var.vault_address}', skip_tls_verify: false }]);
    expect(json.variable.vault_address.validation[0].condition).toBe('${can(regex("^https://", var.vault_address))}');
    expect(json.variable.vault_address).not.toHaveProperty('default');
  });

  test('the Helm provider is configured once from kubeconfig variables; the context defaults to the named one of the inventory, never the current one', () => {
    expect(synthesized).toHaveProvider(helmProvider.HelmProvider);
    expect(json.provider.helm).toEqual([{ kubernetes: { config_path: '${var.kube_config_path}', config_context: '${var.kube_context}' } }]);
    // kubeContextPattern '{env}' (LifecycleNames' default): the context the decommission plans and workflows use.
    expect(json.variable.kube_context.default).toBe('dev');
  });

  test('bootstrap passwords are an ephemeral, sensitive variable; Terraform ≥ 1.11 is required for write-only arguments', () => {
    expect(json.variable.database_bootstrap_passwords).toMatchObject({ type: 'map(string)', ephemeral: true, sensitive: true, default: {} });
    expect(json.terraform.required_version).toBe('>= 1.11.0');
  });

  test('no secret literal anywhere in the synthesized JSON', () => {
    const offenders: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node === 'string') {
        if (/-----BEGIN/.test(node)) offenders.push(`${at}: PEM block`);
        if (/[a-z][a-z0-9+.-]*:\/\/[^/\s:@{}]+:[^/\s@{}]+@/i.test(node)) offenders.push(`${at}: inline credentials`);
        if (/\b(hvs|hvb|s)\.[A-Za-z0-9]{20,}/.test(node)) offenders.push(`${at}: Vault token`);
        return;
      }
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}[${i}]`));
      if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          const here = `${at}.${k}`;
          // Any field named like a credential must be absent or a reference to an ephemeral input, never a literal.
          if (/^(password|password_wo|token|token_reviewer_jwt|jwt|secret|secret_id|client_secret|private_key|client_key|api_key|access_key|secret_key|root_password|username_password)$/.test(k)) {
            if (typeof v !== 'string' || !/^\$\{lookup\(var\.database_bootstrap_passwords, "[a-z0-9-]+", null\)\}$/.test(v)) offenders.push(`${here}: ${JSON.stringify(v)}`);
          }
          walk(v, here);
        }
      }
    };
    walk(json, '$');
    expect(offenders).toEqual([]);
    // The scan is not vacuous: the password field exists and is the write-only reference.
    expect(synthesized).toContain('"password_wo": "${lookup(var.database_bootstrap_passwords, \\"acme\\", null)}"');
    expect(synthesized).not.toMatch(/"(token|password|token_reviewer_jwt)":/);
    // The only generic write is the root rotation, and it sends nothing.
    for (const e of Object.values<any>(json.resource.vault_generic_endpoint)) expect(e.data_json).toBe('{}');
  });
});

describe('EnvironmentStack: defaults', () => {
  test('snapshot of a development stack with two tenants (one with a database and a module, one without)', () => {
    expect(synthJson(stackFor(devEnv()))).toMatchSnapshot();
  });
});

describe('EnvironmentStack: tenants', () => {
  test('addTenantBase is the Platform\'s entry point; unknown and repeated tenants fail', () => {
    const env = devEnv([ACME]);
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: env });
    const chart = writeChart('env-stack-acme');
    const release = stack.addTenantBase(env.tenants[0], chart);
    expect(stack.tenantRelease('acme')).toBe(release);
    expect(stack.tenantReleases).toEqual([release]);
    expect(errorOf(() => stack.addTenantBase(env.tenants[0], chart))).toContain('dev: tenant already has its base installed by this stack (got "acme"); call addTenantBase once per tenant');
    expect(errorOf(() => stack.addTenantBase(new Tenant({ id: 'stranger' }), chart))).toContain('dev: tenant is not a tenant of environment "dev" (got "stranger"); add it with environment.addTenant(...) first');
  });

  test('a tenant added to the environment after the stack was built gets its Vault resources on addTenantBase', () => {
    const env = devEnv([]);
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: env });
    const tenant = env.addTenant(new Tenant(ACME));
    stack.addTenantBase(tenant, writeChart('late-acme'));
    expect(stack.vault.hasTenant('acme')).toBe(true);
    expect(synthJson(stack).resource.helm_release).toBeDefined();
  });

  test('settings reach the bootstrap and the releases', () => {
    const json = synthJson(stackFor(devEnv([ACME]), { vault: { kvMaxVersions: 3 }, releases: { timeoutSeconds: 900 } }));
    expect(Object.values<any>(json.resource.vault_kv_secret_backend_v2)[0].max_versions).toBe(3);
    for (const r of Object.values<any>(json.resource.helm_release)) expect(r.timeout).toBe(900);
  });
});

describe('EnvironmentStack: determinism and output layout', () => {
  function build(root: string): App {
    const app = new App({ outdir: root, skipValidation: true });
    // Nested under a plain construct, as the Platform does.
    const platform = new Construct(app, 'platform');
    for (const env of [devEnv(), prodEnv(), previewEnv()]) {
      const stack = new EnvironmentStack(platform, env.name, { environment: env });
      for (const t of env.tenants) stack.addTenantBase(t, writeChart(`det-${env.name}-${t.id}`, env.namespaceFor(t.id)));
    }
    return app;
  }

  function files(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of fs.readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        if (fs.statSync(full).isDirectory()) walk(full);
        else out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
      }
    };
    walk(root);
    return out;
  }

  test('synthesizing twice gives byte-identical stacks and assets, with no absolute paths or timestamps', () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-det-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-det-b-'));
    build(a).synth();
    build(b).synth();
    const fa = files(a);
    const fb = files(b);
    expect(fb).toEqual(fa);
    const stackFiles = Object.keys(fa).filter(f => f.endsWith('cdk.tf.json')).sort();
    expect(stackFiles).toEqual([expect.stringMatching(/^stacks\/dev\/cdk\.tf\.json$/), expect.stringMatching(/^stacks\/preview-.+\/cdk\.tf\.json$/), 'stacks/prod/cdk.tf.json']);
    for (const f of stackFiles) {
      const text = fa[f];
      expect(text).not.toContain(a);
      expect(text).not.toContain(os.tmpdir());
      expect(text).not.toContain(process.cwd());
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  test('each tenant chart is copied into its stack\'s assets, at the path the release references', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-assets-'));
    build(root).synth();
    const json = JSON.parse(fs.readFileSync(path.join(root, 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
    const bases = Object.values<any>(json.resource.helm_release).filter(r => r.name.endsWith('-base'));
    expect(bases).toHaveLength(2);
    for (const base of bases) {
      const chartDir = path.join(root, 'stacks', 'dev', base.chart);
      expect(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')).toContain('name: tenant-base');
      expect(fs.readFileSync(path.join(chartDir, 'manifests', 'tenant.yaml'), 'utf8')).toContain(`name: ${base.namespace}`);
    }
  });

  test('the chart path changes when the chart content changes, and only then', () => {
    const chartPath = (content: string) => {
      const env = devEnv([GLOBEX]);
      const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: env });
      const dir = writeChart('content-hash');
      fs.writeFileSync(path.join(dir, 'manifests', 'tenant.yaml'), content);
      stack.addTenantBase(env.tenants[0], dir);
      return Object.values<any>(synthJson(stack).resource.helm_release)[0].chart;
    };
    expect(chartPath('a: 1\n')).toBe(chartPath('a: 1\n'));
    expect(chartPath('a: 2\n')).not.toBe(chartPath('a: 1\n'));
  });

  test('the Environment type is required', () => {
    expect(errorOf(() => new EnvironmentStack(Testing.app(), 'x', { environment: {} as Environment }))).toContain('x: environment is not an Environment');
  });
});

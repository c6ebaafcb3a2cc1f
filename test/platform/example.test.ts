import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { writeReferencePlatform } from '../support/reference-platform';
import { validateDirectory } from '../support/strict-validator';
import { checkTerraformStacks } from '../support/terraform';

const root = path.resolve(__dirname, '..', '..');

/** Run the reference platform exactly as `npm run example` does, in a scratch working directory. */
function runExample(cwd: string): void {
  execFileSync(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(root, 'examples', 'main.ts')], {
    cwd,
    // The default target: no EXAMPLE_KUBERNETES_VERSION from the caller's environment.
    env: { ...process.env, EXAMPLE_KUBERNETES_VERSION: '', TS_NODE_PROJECT: path.join(root, 'examples', 'tsconfig.json') },
    stdio: 'pipe',
  });
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('the reference platform (examples/)', () => {
  const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'example-'));
  const first = path.join(scratch, 'a');
  const second = path.join(scratch, 'b');
  beforeAll(() => {
    fs.mkdirSync(first);
    fs.mkdirSync(second);
    // The one fresh, type-checked run, exactly as `npm run example`; the second run is the shared synthesis the other
    // engine tests use (test/support/reference-platform.ts: another process, another working directory,
    // transpile-only), so the comparison below also proves that what they test is what `npm run example` writes.
    runExample(first);
    writeReferencePlatform(second);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('writes the manifests of all four environments, one folder each', () => {
    const envs = fs.readdirSync(path.join(first, 'dist', 'k8s')).sort();
    expect(envs).toHaveLength(4);
    expect(envs.slice(0, 1)).toEqual(['dev']);
    expect(envs).toEqual(expect.arrayContaining(['dev', 'staging', 'prod']));
    expect(envs.find(e => e.startsWith('preview-feature-jira-123-add-b'))).toBeDefined();
    expect(fs.readdirSync(path.join(first, 'dist', 'k8s', 'prod')).sort()).toEqual(['acme.k8s.yaml', 'globex.k8s.yaml', 'initech.k8s.yaml', 'platform.k8s.yaml']);
  });

  test('every manifest validates strictly against the schemas of the default target (Kubernetes 1.35) and the CRDs', () => {
    expect(validateDirectory(path.join(first, 'dist', 'k8s'))).toEqual([]);
    // The tenant charts Terraform installs carry the same manifests verbatim.
    for (const env of fs.readdirSync(path.join(first, 'dist', 'charts'))) {
      for (const tenant of fs.readdirSync(path.join(first, 'dist', 'charts', env))) {
        const manifests = path.join(first, 'dist', 'charts', env, tenant, 'manifests');
        expect(validateDirectory(manifests)).toEqual([]);
        expect(fs.readFileSync(path.join(manifests, 'tenant.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(first, 'dist', 'k8s', env, `${tenant}.k8s.yaml`), 'utf8'));
        expect(fs.existsSync(path.join(first, 'dist', 'charts', env, tenant, 'Chart.yaml'))).toBe(true);
      }
    }
    const files = Object.keys(tree(path.join(first, 'dist', 'k8s')));
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  test('one Terraform stack per environment, each with the Terraform Cloud backend', () => {
    const stacks = fs.readdirSync(path.join(first, 'cdktf.out', 'stacks')).sort();
    // One per environment, and the GitHub environments of the workflows (issue 23).
    expect(stacks).toHaveLength(5);
    expect(stacks).toContain('github-environments');
    for (const stack of stacks) {
      const tf = JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(tf.terraform.cloud).toEqual({ organization: 'inopsio', workspaces: { name: `inopsio-${stack}` } });
    }
  });

  test('each tenant database, its owner and Vault\'s login are created by the stack of its environment (issue 23)', () => {
    const prod = JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(prod.resource.postgresql_database).map(d => d.name).sort()).toEqual(['prod_acme', 'prod_globex', 'prod_initech']);
    const roles = Object.values<any>(prod.resource.postgresql_role);
    expect(roles.filter(r => r.name.endsWith('_owner')).map(r => [r.name, r.login]).sort()).toEqual([['prod_acme_owner', false], ['prod_globex_owner', false], ['prod_initech_owner', false]]);
    for (const login of roles.filter(r => r.name.startsWith('vault_'))) expect(login).toMatchObject({ login: true, create_role: false, create_database: false });
    expect(prod.terraform.required_providers.postgresql).toEqual({ source: 'cyrilgdn/postgresql', version: '1.26.0' });
  });

  test('the GitHub environments the workflows use exist, the approvals with their reviewers (issue 23)', () => {
    const gh = JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', 'github-environments', 'cdk.tf.json'), 'utf8'));
    expect(gh.terraform.required_providers.github).toEqual({ source: 'integrations/github', version: '6.9.0' });
    const envs = Object.values<any>(gh.resource.github_repository_environment);
    const byName = Object.fromEntries(envs.map(e => [e.environment, e]));
    const used = new Set<string>();
    for (const file of fs.readdirSync(path.join(first, 'dist', 'workflows'))) {
      for (const m of fs.readFileSync(path.join(first, 'dist', 'workflows', file), 'utf8').matchAll(/^ {4}environment: ([A-Za-z0-9_.-]+)$/gm)) used.add(m[1]);
    }
    expect([...used].sort()).toEqual(Object.keys(byName).sort());
    for (const gate of ['decommission-approval-1', 'decommission-approval-2', 'prod']) {
      expect(byName[gate]).toMatchObject({ prevent_self_review: true, can_admins_bypass: false });
      expect(byName[gate].reviewers[0].teams).toHaveLength(1);
    }
    expect(byName['decommission-approval-1'].reviewers[0].teams).not.toEqual(byName['decommission-approval-2'].reviewers[0].teams);
    expect(Object.values<any>(gh.data.github_team).map(t => t.slug).sort()).toEqual(['platform-leads', 'security-officers']);
  });

  test('Terraform accepts every stack (providers, init -backend=false; no provider download)', () => {
    const work = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'example-tf-'));
    try {
      const checks = checkTerraformStacks(path.join(first, 'cdktf.out', 'stacks'), work);
      expect(checks.flatMap(c => c.problems)).toEqual([]);
      for (const c of checks) {
        if (c.stack === 'github-environments') expect(c.providers).toEqual(['registry.terraform.io/integrations/github']);
        else expect(c.providers).toContain('registry.terraform.io/cyrilgdn/postgresql');
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('every module has exactly one owner: Helm releases in dev and previews, Argo CD Applications in staging and prod', () => {
    const releases = (stack: string) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8')).resource.helm_release).map(r => r.name).sort();
    expect(releases('dev')).toEqual(['acme-base', 'acme-billing', 'dev-platform', 'globex-base', 'globex-billing', 'initech-base']);
    expect(releases('prod')).toEqual(['acme-base', 'globex-base', 'initech-base', 'prod-platform']);
    const prodPlatform = fs.readFileSync(path.join(first, 'dist', 'k8s', 'prod', 'platform.k8s.yaml'), 'utf8');
    expect(prodPlatform.match(/^kind: Application$/gm)).toHaveLength(2);
    expect(fs.readFileSync(path.join(first, 'dist', 'k8s', 'dev', 'platform.k8s.yaml'), 'utf8')).not.toMatch(/^kind: Application$/m);
  });

  test('writes the lifecycle inventory and the generated workflows', () => {
    const inventory = JSON.parse(fs.readFileSync(path.join(first, 'dist', 'lifecycle.json'), 'utf8'));
    expect(inventory.environments.map((e: any) => e.name)).toHaveLength(4);
    expect(fs.readdirSync(path.join(first, 'dist', 'workflows')).sort()).toEqual(['cleanup-env.yml', 'decommission.yml', 'preview.yml', 'tenant-inactivity.yml', 'tenant-signup.yml', 'tenant-upgrade.yml']);
    // The Terraform the workflows install satisfies what every stack requires.
    const required = JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8')).terraform.required_version;
    const [, major, minor] = /^>= (\d+)\.(\d+)\.\d+$/.exec(required)!.map(Number);
    for (const file of fs.readdirSync(path.join(first, 'dist', 'workflows'))) {
      for (const m of fs.readFileSync(path.join(first, 'dist', 'workflows', file), 'utf8').matchAll(/terraform_version: "?(\d+)\.(\d+)\.\d+/g)) {
        expect(Number(m[1]) * 1000 + Number(m[2])).toBeGreaterThanOrEqual(major * 1000 + minor);
      }
    }
  });

  test('output is byte-identical across two runs (this one and the shared synthesis of the other tests)', () => {
    const a = { ...tree(path.join(first, 'dist')), ...tree(path.join(first, 'cdktf.out')) };
    const b = { ...tree(path.join(second, 'dist')), ...tree(path.join(second, 'cdktf.out')) };
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const f of Object.keys(a)) expect(`${f}\n${b[f]}`).toBe(`${f}\n${a[f]}`);
    expect(JSON.stringify(a)).not.toContain(scratch);
  });
});

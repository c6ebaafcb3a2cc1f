import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { validateDirectory } from '../support/strict-validator';

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
    runExample(first);
    runExample(second);
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
    expect(stacks).toHaveLength(4);
    for (const stack of stacks) {
      const tf = JSON.parse(fs.readFileSync(path.join(first, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(tf.terraform.cloud).toEqual({ organization: 'inopsio', workspaces: { name: `inopsio-${stack}` } });
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

  test('output is byte-identical across two runs', () => {
    const a = { ...tree(path.join(first, 'dist')), ...tree(path.join(first, 'cdktf.out')) };
    const b = { ...tree(path.join(second, 'dist')), ...tree(path.join(second, 'cdktf.out')) };
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const f of Object.keys(a)) expect(`${f}\n${b[f]}`).toBe(`${f}\n${a[f]}`);
    expect(JSON.stringify(a)).not.toContain(scratch);
  });
});

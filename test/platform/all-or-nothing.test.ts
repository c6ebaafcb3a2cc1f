import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { App } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { Platform, PlatformProps } from '../../src/platform/platform';
import { problemsOf } from '../support/problems';

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'all-or-nothing-'));
}

/** Every file below `dir` (hidden ones included) with the SHA-256 of its bytes, sorted by path. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

const tenants: TenantProps[] = [{ id: 'acme' }, { id: 'globex' }];

function platform(dir: string, props: Partial<PlatformProps> = {}): Platform {
  return new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'p', {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    github: githubProps(),
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
    ],
    ...props,
  });
}

describe('Platform.synth is all or nothing', () => {
  test('a failing synth leaves an earlier output byte-identical and writes nothing new', () => {
    const dir = scratch();
    platform(dir).synth();
    const before = tree(dir);
    expect(before.some(f => f.startsWith('dist/policy-report.json '))).toBe(true);
    expect(before.some(f => f.startsWith('cdktf.out/manifest.json '))).toBe(true);

    // A NodePort quota (K08, policy pack) and a production tenant without the database staging has (parity).
    const failing = platform(dir, {
      environments: [
        new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
        new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }, { id: 'globex', database: false }] }),
      ],
    });
    failing.tenantChart('prod', 'acme').tenantNamespace.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.nodeports', '5'));
    const problems = problemsOf(() => failing.synth());
    expect(problems.filter(p => /services\.nodeports/.test(p) && /\(K08\)/.test(p))).not.toEqual([]);
    expect(problems.filter(p => /^EnvironmentParity\[prod → staging\]: .* exists only in staging .*\(B11\)$/.test(p))).not.toEqual([]);

    // Same files, same bytes; no temporary folder left behind.
    expect(tree(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdktf.out', 'dist']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a failing synth with no earlier output writes nothing', () => {
    const dir = scratch();
    const failing = platform(dir);
    failing.tenantChart('prod', 'acme').tenantNamespace.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.nodeports', '5'));
    expect(() => failing.synth()).toThrow(/\(K08\)/);
    // `new App()` of cdktf creates its (empty) outdir; the synth adds nothing to it or beside it.
    expect(fs.readdirSync(dir)).toEqual(['cdktf.out']);
    expect(tree(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('files of an earlier synth that this one does not write are gone; files that are not the Platform\'s stay', () => {
    const dir = scratch();
    platform(dir).synth();
    fs.mkdirSync(path.join(dir, 'dist', 'js'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'js', 'package.tgz'), 'not the Platform\'s');
    fs.writeFileSync(path.join(dir, 'dist', 'k8s', 'prod', 'stale.k8s.yaml'), 'kind: Stale\n');
    // terraform init's files in a stack folder are not cdktf's: they stay.
    fs.writeFileSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', '.terraform.lock.hcl'), '# lock\n');

    platform(dir, {
      policy: { parity: false },
      environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] })],
    }).synth();
    const after = tree(dir).map(f => f.split(' ')[0]);
    expect(after.filter(f => f.startsWith('dist/k8s/'))).toEqual(['dist/k8s/prod/acme.k8s.yaml', 'dist/k8s/prod/platform.k8s.yaml']);
    expect(after.some(f => f.startsWith('dist/charts/staging/') || f.startsWith('dist/charts/prod/globex/'))).toBe(false);
    // The GitHub environments stack (PlatformProps.github) goes through the same staged synth as the environments'.
    expect(fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).sort()).toEqual(['github-environments', 'prod']);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8')).stacks).sort()).toEqual(['github-environments', 'prod']);
    expect(after).toEqual(expect.arrayContaining(['dist/js/package.tgz', 'cdktf.out/stacks/prod/.terraform.lock.hcl']));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'lifecycle.json'), 'utf8')).environments.map((e: any) => e.name)).toEqual(['prod']);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdktf.out', 'dist']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('problems of the Kubernetes side are named like those of the Terraform side: <platform>/<env>/Tenant-<id>', () => {
    const dir = scratch();
    expect(() => platform(dir, { backup: { ...backupProps(), schedule: 'every day' } }))
      .toThrow(/^[^]*  - p\/staging\/Tenant-acme\/Backup: schedule /);
  });
});

describe('Platform.synth under the cdktf CLI', () => {
  const saved = { ...process.env };
  afterEach(() => {
    delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    delete process.env.CDKTF_OUTDIR;
    Object.assign(process.env, saved);
  });

  test('a failed synth reports each problem once, as an error annotation in manifest.json, and leaves every other file as it was', () => {
    const dir = scratch();
    platform(dir).synth();
    const before = tree(dir);
    // What `cdktf synth` sets for the app it runs (cli-core synth-stack).
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = 'true';
    process.env.CDKTF_OUTDIR = path.join(dir, 'cdktf.out');
    const failing = platform(dir);
    failing.tenantChart('prod', 'acme').tenantNamespace.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.nodeports', '5'));
    const result = failing.synth();
    expect(result.problems?.some(p => /\(K08\)/.test(p))).toBe(true);
    expect(result.manifestFiles).toEqual([]);

    const changed = tree(dir).filter(f => !before.includes(f)).map(f => f.split(' ')[0]);
    expect(changed).toEqual(['cdktf.out/manifest.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8'));
    // The stacks of the good output stay listed (the CLI removes the folders of stacks a manifest does not list).
    expect(Object.keys(manifest.stacks).sort()).toEqual(['github-environments', 'inopsio-synth-failed', 'prod', 'staging']);
    const annotations = manifest.stacks['inopsio-synth-failed'].annotations;
    expect(annotations).toHaveLength(result.problems!.length);
    expect(annotations.every((a: any) => a.level === '@cdktf/error')).toBe(true);
    expect(annotations.map((a: any) => `${a.constructPath}: ${a.message}`)).toEqual(result.problems);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

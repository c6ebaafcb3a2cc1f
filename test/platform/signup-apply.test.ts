/**
 * Issue 24 item 3, "a merged tenant sign-up is applied by a workflow", for a reusable environment: a platform with
 * dev (EnvironmentClass.DEVELOPMENT, reusable), staging and prod reads its tenants from `tenants/<env>.json`; a sign-up
 * for dev is added to dev's registry file as tenant-signup.yml does (the CLI), the platform is synthesized again, and
 * the workflow that the push of that file to the default branch starts applies dev's stack, which now holds the
 * tenant, with the dev apply role and every stack variable (W07). Before, tenant-upgrade.yml had jobs for staging and
 * prod only: the merged dev sign-up was applied by nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import * as YAML from 'yaml';
import { backupProps, githubProps } from './fixtures';
import { readTenantRegistry, TENANT_REGISTRY_FORMAT, tenantsFromRegistry } from '../../src/lifecycle/tenant-registry';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Platform } from '../../src/platform/platform';
import { runCli } from '../support/cli';

const ENVIRONMENTS: Array<[string, EnvironmentClass]> = [['dev', EnvironmentClass.DEVELOPMENT], ['staging', EnvironmentClass.STAGING], ['prod', EnvironmentClass.PRODUCTION]];

const cli = runCli;

describe('a sign-up merged for dev (reusable) is applied by the workflow its push starts (issue 24)', () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'signup-apply-'));
  const registry = (env: string) => path.join(dir, 'tenants', `${env}.json`);
  const synth = () => {
    for (const d of ['dist', 'cdktf.out']) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      environments: ENVIRONMENTS.map(([name, environmentClass]) => new Environment({
        name,
        environmentClass,
        createdAt: environmentClass === EnvironmentClass.DEVELOPMENT ? '2026-11-28T09:00:00Z' : undefined,
        database: { host: 'postgres.databases.svc' },
        tenants: tenantsFromRegistry(readTenantRegistry(registry(name))),
      })),
    }).synth();
  };
  const stack = (env: string) => JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8'));
  const upgrade = () => YAML.parse(fs.readFileSync(path.join(dir, 'dist', 'workflows', 'tenant-upgrade.yml'), 'utf8'));
  const tenantsOfStack = (env: string) => Object.values<any>(stack(env).resource.helm_release ?? {}).map(r => r.namespace).filter((n: string) => n.startsWith(`${env}-`)).sort();

  beforeAll(() => {
    fs.mkdirSync(path.join(dir, 'tenants'));
    for (const [env] of ENVIRONMENTS) {
      fs.writeFileSync(registry(env), JSON.stringify({
        format: TENANT_REGISTRY_FORMAT,
        environment: env,
        modules: {},
        defaultModules: [],
        tenants: [{ id: 'acme', displayName: 'Acme Corp', state: 'active', createdAt: '2026-01-15T10:00:00Z', modules: [] }],
      }));
    }
    synth();
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the sign-up changes dev\'s registry file only, and the synth puts the tenant into dev\'s stack', () => {
    const before = Object.fromEntries(ENVIRONMENTS.map(([env]) => [env, fs.readFileSync(registry(env), 'utf8')]));
    expect(tenantsOfStack('dev')).toEqual(['dev-acme']);
    const payload = path.join(dir, 'signup.json');
    fs.writeFileSync(payload, JSON.stringify({ tenantId: 'newco', displayName: 'NewCo', environment: 'dev', signedUpAt: '2026-12-01T08:00:00Z' }));
    // What tenant-signup.yml runs; its pull request changes the file it names.
    const r = cli('tenant-signup', '--payload', payload, '--registry-dir', path.join(dir, 'tenants'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('tenant newco added to') });
    expect(r.stdout).toContain('outcome=added');
    const changed = ENVIRONMENTS.map(([env]) => env).filter(env => fs.readFileSync(registry(env), 'utf8') !== before[env]);
    expect(changed).toEqual(['dev']);
    synth();
    expect(tenantsOfStack('dev')).toEqual(['dev-acme', 'dev-newco']);
  }, 300_000);

  test('the push of tenants/dev.json to the default branch starts tenant-upgrade.yml, whose upgrade-dev applies dev\'s stack', () => {
    const doc = upgrade();
    // GitHub's path filter `tenants/**` matches every file below tenants/, so tenants/dev.json too.
    expect(doc.on.push).toEqual({ branches: ['main'], paths: ['tenants/**'] });
    expect(path.relative(dir, registry('dev'))).toBe(path.join('tenants', 'dev.json'));
    // Every job runs on every trigger (no `if:`): the push runs upgrade-dev, first in the parity order.
    expect(Object.keys(doc.jobs)).toEqual(['upgrade-dev', 'upgrade-staging', 'plan-prod', 'upgrade-prod']);
    const job = doc.jobs['upgrade-dev'];
    expect(job.if).toBeUndefined();
    expect(job.needs).toBeUndefined();
    expect(job.environment).toBe('dev');
    expect(job.env).toMatchObject({ ENV_NAME: 'dev', STACK: 'cdktf.out/stacks/dev' });
    const scripts = job.steps.map((s: any) => s.run ?? '').join('\n');
    expect(scripts).toContain('terraform -chdir="$STACK" apply -input=false -no-color -lock-timeout=20m tfplan');
    // The dev apply role: in dev's stack, bound to the default branch and the job's GitHub environment.
    const login = job.steps.find((s: any) => String(s.uses ?? '').startsWith('hashicorp/vault-action@')).with;
    expect(login).toMatchObject({ method: 'jwt', path: 'github-dev', role: 'ci-dev-apply' });
    const role = Object.values<any>(stack('dev').resource.vault_jwt_auth_backend_role).find(x => x.role_name === login.role);
    expect(role.bound_claims).toEqual({ environment: 'dev', ref: 'refs/heads/main', repository: 'inopsio/platform' });
    // The GitHub environment the job runs in is generated (default branch only).
    const gh = Object.values<any>(stack('github-environments').resource.github_repository_environment).map(e => e.environment);
    expect(gh).toContain('dev');
  });

  test('the synth\'s own policy report: W07 (every TF_VAR_* of dev\'s stack) and W11 passed, upgrade-dev among the checked jobs', () => {
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'policy-report.json'), 'utf8'));
    const w07 = report.rules.find((r: any) => r.id === 'W07');
    // preview provision, cleanup destroy, decommission destroy, upgrade-dev, upgrade-staging, plan-prod, upgrade-prod
    // (6 before issue 24's fix: no upgrade-dev).
    expect(w07).toMatchObject({ status: 'passed', checked: 7 });
    expect(report.rules.find((r: any) => r.id === 'W11')).toMatchObject({ status: 'passed' });
    const required = Object.entries<any>(stack('dev').variable).filter(([, v]) => !('default' in v)).map(([n]) => n);
    expect(required.sort()).toEqual(['postgres_admin_username', 'vault_address', 'vault_kubernetes_ca_cert']);
    const env = upgrade().jobs['upgrade-dev'].env;
    for (const v of required) expect({ v, set: typeof env[`TF_VAR_${v}`] }).toEqual({ v, set: 'string' });
  });
});

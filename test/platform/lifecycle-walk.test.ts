/**
 * Issue 17 item 6: one tenant walked through its whole lifecycle as a user runs it, in staging and in production:
 * the tenant registry, the `inopsio-env` CLI, and a re-synthesis of the platform after every change.
 *
 * active → suspended (every replica 0 in the output) → resumed (declared sizes back) → suspended → archived →
 * decommission plan, whose every step fits the archived tenant's quota (the Jobs and pods are evaluated against every
 * ResourceQuota of the namespace) and identity (each Job's service account is bound by a Vault role of the stack; every
 * database role of the tenant has its leases revoked and its role deleted).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import * as YAML from 'yaml';
import { backupProps, githubProps } from './fixtures';
import { DecommissionPlan, FINAL_BACKUP_JOB, FINAL_DRILL_JOB } from '../../src/lifecycle/decommission';
import { readTenantRegistry, TENANT_REGISTRY_FORMAT, tenantsFromRegistry } from '../../src/lifecycle/tenant-registry';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Platform } from '../../src/platform/platform';
import { runCli } from '../support/cli';
import { admitJob } from '../support/quota-admission';

const MIGRATE = ContainerImage.fromDigest(`registry.inopsio.example/billing/migrate@sha256:${'cd'.repeat(32)}`);
const SHA = 'ef'.repeat(32);

const cli = runCli;

/** The platform repository: registries in `tenants/`, the platform app below, output in `dist/` and `cdktf.out/`. */
class PlatformRepo {
  readonly dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lifecycle-walk-'));
  /** One environment per repository: parity compares staging with production tenant by tenant, states included. */
  constructor(private readonly envName: string) {
    fs.mkdirSync(path.join(this.dir, 'tenants'));
    for (const env of [envName]) {
      fs.writeFileSync(this.registry(env), JSON.stringify({
        format: TENANT_REGISTRY_FORMAT,
        environment: env,
        // The catalog decides how a module scales and migrates; sign-ups only pick modules.
        modules: {
          billing: {
            chart: 'billing-api',
            repository: 'https://charts.inopsio.example',
            version: '3.4.1',
            values: { replicaCount: '2' },
            replicaKeys: ['replicaCount'],
            migration: { image: MIGRATE.reference, command: ['/app/migrate', 'up'] },
          },
        },
        defaultModules: ['billing'],
        tenants: [{ id: 'acme', displayName: 'Acme Corp', state: 'active', createdAt: '2026-01-15T10:00:00Z', modules: ['billing'] }],
      }));
    }
  }
  registry(env: string): string {
    return path.join(this.dir, 'tenants', `${env}.json`);
  }
  get inventory(): string {
    return path.join(this.dir, 'dist', 'lifecycle.json');
  }
  /** The platform app: environments from the registries (the catalog's billing module migrates its schema). */
  synth(): void {
    const tenants = (env: string) => tenantsFromRegistry(readTenantRegistry(this.registry(env)));
    new Platform(new App({ outdir: path.join(this.dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(this.dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      migrationHooks: { repoUrl: 'https://github.com/inopsio/platform.git', targetRevision: 'v2026.12.1', pathPrefix: 'dist' },
      environments: [new Environment({
        name: this.envName,
        environmentClass: this.envName === 'prod' ? EnvironmentClass.PRODUCTION : EnvironmentClass.STAGING,
        tenants: tenants(this.envName),
      })],
    }).synth();
  }
  manifests(env: string, file: string): any[] {
    return YAML.parseAllDocuments(fs.readFileSync(path.join(this.dir, 'dist', 'k8s', env, file), 'utf8')).map(d => d.toJSON()).filter(Boolean);
  }
  stack(env: string): any {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8'));
  }
}

/** Every replica count of the tenant in the output: workloads in its namespace and its Applications' replica parameters. */
function replicaCounts(repo: PlatformRepo, env: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const d of repo.manifests(env, 'acme.k8s.yaml')) {
    if (['Deployment', 'StatefulSet', 'ReplicaSet'].includes(d.kind)) out.push([`${d.kind}/${d.metadata.name}`, d.spec.replicas ?? 1]);
  }
  for (const app of repo.manifests(env, 'platform.k8s.yaml').filter(d => d.kind === 'Application' && d.metadata.labels.tenant === 'acme')) {
    const source = app.spec.source ?? app.spec.sources[0];
    for (const p of source.helm.parameters ?? []) if (/replica/i.test(p.name)) out.push([`Application/${app.metadata.name} ${p.name}`, Number(p.value)]);
  }
  return out;
}

const resources = (tf: any, type: string): any[] => Object.values(tf.resource?.[type] ?? {});

describe.each(['staging', 'prod'])('the lifecycle of tenant acme in %s, through the registry, the CLI and re-synthesis', envName => {
  const repo = new PlatformRepo(envName);
  const registry = repo.registry(envName);
  const stateOf = () => readTenantRegistry(registry).tenants[0].state;
  afterAll(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

  test('active: the declared size, migrations wired to a Vault-bound service account with the migration database role', () => {
    repo.synth();
    expect(replicaCounts(repo, envName)).toEqual([[`Application/${envName}-acme-billing replicaCount`, 2]]);
    const [app] = repo.manifests(envName, 'platform.k8s.yaml').filter(d => d.kind === 'Application');
    expect(app.spec.sources[1]).toEqual({ repoURL: 'https://github.com/inopsio/platform.git', path: `dist/argocd-hooks/${envName}/acme/billing`, targetRevision: 'v2026.12.1', directory: { recurse: false } });
    // The folder that source reads, rendered by the synth: a PreSync Job as billing-migrate, logging in to Vault.
    const hooks = YAML.parseAllDocuments(fs.readFileSync(path.join(repo.dir, 'dist', 'argocd-hooks', envName, 'acme', 'billing', 'hooks.k8s.yaml'), 'utf8')).map(d => d.toJSON());
    const job = hooks.find(d => d.kind === 'Job');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(job.spec.template.spec.serviceAccountName).toBe('billing-migrate');
    expect(job.spec.template.spec.containers[0].image).toBe(MIGRATE.reference);
    const vault = job.spec.template.metadata.annotations;
    expect(vault).toMatchObject({ 'vault.hashicorp.com/role': 'acme-migrate', 'vault.hashicorp.com/auth-path': `auth/kubernetes-${envName}`, 'vault.hashicorp.com/agent-inject-secret-db': `database-${envName}/creds/acme-migrate` });
    // The Terraform side learns the same names from the model.
    const tf = repo.stack(envName);
    const role = resources(tf, 'vault_kubernetes_auth_backend_role').find(r => r.role_name === 'acme-migrate');
    expect(role).toMatchObject({ bound_service_account_names: ['billing-migrate'], bound_service_account_namespaces: [`${envName}-acme`] });
    const policy = resources(tf, 'vault_policy').find(p => p.name === `${envName}-acme-migrate`);
    expect(role.token_policies).toEqual([expect.stringContaining('vault_policy.')]);
    expect(policy.policy).toBeDefined();
    const dbRole = resources(tf, 'vault_database_secret_backend_role').find(r => r.name === 'acme-migrate');
    expect(dbRole.creation_statements).toContain(`GRANT "${envName}_acme_owner" TO "{{name}}";`);
    expect(resources(tf, 'vault_database_secret_backend_connection').find(c => c.name === 'acme').allowed_roles).toContain('acme-migrate');
  });

  test('suspend (CLI): every replica 0, quota cut, no hooks; resume (CLI): the declared size again', () => {
    const suspend = cli('tenant-suspend', '--registry', registry, '--inventory', repo.inventory, '--at', '2026-11-30T09:00:00Z', '--last-activity', '2026-08-01T00:00:00Z', 'acme');
    expect(suspend.code).toBe(0);
    expect(stateOf()).toBe('suspended');
    repo.synth();
    const counts = replicaCounts(repo, envName);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.filter(([, n]) => n !== 0)).toEqual([]);
    const [app] = repo.manifests(envName, 'platform.k8s.yaml').filter(d => d.kind === 'Application');
    expect(app.spec.sources).toBeUndefined();
    expect(fs.existsSync(path.join(repo.dir, 'dist', 'argocd-hooks', envName, 'acme'))).toBe(false);
    expect(repo.manifests(envName, 'acme.k8s.yaml').filter(d => d.kind === 'CronJob').map(c => c.spec.suspend)).toEqual([true, true]);
    expect(repo.manifests(envName, 'acme.k8s.yaml').filter(d => d.kind === 'ResourceQuota').map(q => [q.metadata.name, q.spec.hard.pods])).toEqual([
      ['tenant-quota', undefined], ['tenant-quota-stopped', '0'], ['tenant-quota-backup', '1'],
    ]);

    expect(cli('tenant-resume', '--registry', registry, '--inventory', repo.inventory, '--at', '2026-12-01T09:00:00Z', 'acme').code).toBe(0);
    repo.synth();
    expect(replicaCounts(repo, envName)).toEqual([[`Application/${envName}-acme-billing replicaCount`, 2]]);
  });

  test('suspend, archive (CLI, with the final backup), then a decommission plan whose every step fits quota and identity', () => {
    expect(cli('tenant-suspend', '--registry', registry, '--inventory', repo.inventory, '--at', '2026-12-02T09:00:00Z', '--last-activity', '2026-08-01T00:00:00Z', 'acme').code).toBe(0);
    repo.synth();
    const archive = cli('tenant-archive', '--registry', registry, '--inventory', repo.inventory, '--at', '2026-12-02T10:00:00Z',
      '--manifest', `inopsio-backups/${envName}/acme/manifests/acme-20261202T093000Z.manifest`, '--taken-at', '2026-12-02T09:30:00Z', '--sha256', SHA, '--verified', 'acme');
    expect(archive.code).toBe(0);
    expect(stateOf()).toBe('archived');
    repo.synth();

    const planned = cli('plan-decommission', '--inventory', repo.inventory, '--format', 'json', envName, 'acme');
    expect(planned.code).toBe(0);
    const plan: DecommissionPlan = JSON.parse(planned.stdout);
    expect(plan.blockers).toEqual([]);
    expect(plan.steps.map(s => s.id)).toEqual(['final-backup', 'verify-backup', 'revoke-leases', 'disable-roles', 'destroy', 'remove-objects', 'forget']);
    // This platform has no object store (no backup.tenantObjects): nothing to empty (test/lifecycle/decommission-objects.test.ts).
    expect(plan.steps.find(s => s.id === 'remove-objects')).toMatchObject({ commands: [], skipped: 'no tenant object prefixes' });
    expect(plan.approvalsRequired).toBe(2);

    // final-backup and verify-backup: each Job, as `kubectl create job --from=cronjob/...` makes it, is admitted by
    // every ResourceQuota (scopes included) and the LimitRange of the archived namespace.
    const ns = repo.manifests(envName, 'acme.k8s.yaml');
    const tf = repo.stack(envName);
    const authRoles = resources(tf, 'vault_kubernetes_auth_backend_role');
    let jobs = 12; // finished Jobs the two CronJobs may keep in their history
    for (const [runs, name] of [[plan.targets.backupJobs, FINAL_BACKUP_JOB], [plan.targets.drillJobs, FINAL_DRILL_JOB]] as const) {
      expect(runs).toHaveLength(1);
      const cronJob = ns.find(d => d.kind === 'CronJob' && d.metadata.name === runs[0].cronJob);
      const job = { kind: 'Job', metadata: { name, namespace: runs[0].namespace }, spec: cronJob.spec.jobTemplate.spec };
      expect(admitJob(job, ns, { 'count/jobs.batch': jobs++ })).toEqual([]);
      // Identity: the pod's service account is bound, in its namespace, by the Vault role it logs in with.
      const pod = job.spec.template;
      const role = authRoles.find(r => r.role_name === pod.metadata.annotations['vault.hashicorp.com/role']);
      expect(role.bound_service_account_names).toContain(pod.spec.serviceAccountName);
      expect(role.bound_service_account_namespaces).toEqual([runs[0].namespace]);
      expect(pod.metadata.annotations['vault.hashicorp.com/auth-path']).toBe(`auth/kubernetes-${envName}`);
    }
    // revoke-leases and disable-roles cover every database and Kubernetes auth role of the tenant in the stack.
    const dbRoles = resources(tf, 'vault_database_secret_backend_role').map(r => r.name).filter((n: string) => n.startsWith('acme-')).sort();
    expect(dbRoles).toEqual(['acme-backup', 'acme-db', 'acme-drill', 'acme-migrate']);
    expect([...plan.targets.leasePrefixes].sort()).toEqual(dbRoles.map(r => `database-${envName}/creds/${r}`));
    const tenantAuthRoles = authRoles.map(r => r.role_name).filter((n: string) => n === 'acme' || n.startsWith('acme-') || n === `${envName}-acme-backup`).sort();
    expect(plan.targets.vaultRoles.filter(r => r.startsWith('auth/')).sort()).toEqual(tenantAuthRoles.map(r => `auth/kubernetes-${envName}/role/${r}`));
    // destroy: the Applications (cascading), the base release, the namespace; forget: the registry entry.
    expect(plan.targets.argoCdApplications.map(a => a.name)).toEqual([`${envName}-acme-billing`]);
    expect(plan.targets.namespaces.map(n => n.namespace)).toEqual([`${envName}-acme`]);
    expect(cli('tenant-remove', '--registry', registry, 'acme').code).toBe(0);
    expect(readTenantRegistry(registry).tenants).toEqual([]);
  });
});

describe('migrations outside the walk', () => {
  const migration = { image: MIGRATE, command: ['/app/migrate', 'up'] };
  const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', migration };

  test('an Argo CD environment with a migrating module needs the hooks source', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'migrations-'));
    expect(() => new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme', modules: [billing] }] })],
    })).toThrow('inopsio: migrationHooks is missing, but environment "prod" upgrades through Argo CD and modules declare migrations (acme/billing) (got undefined); pass migrationHooks: { repoUrl, targetRevision } and commit <outdir>/argocd-hooks/ there (Argo CD runs hooks only from an Application source)');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Helm classes: a pre-install/pre-upgrade hook in the tenant base, which Terraform upgrades before the module', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'migrations-'));
    const env = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme', modules: [billing] }] });
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', { outdir: path.join(dir, 'dist'), github: githubProps(), environments: [env] }).synth();
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', 'k8s', 'dev', 'acme.k8s.yaml'), 'utf8')).map(d => d.toJSON());
    const job = docs.find(d => d.kind === 'Job');
    expect(job.metadata.annotations).toEqual({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded', 'helm.sh/hook-weight': '0' });
    expect(job.spec.template.spec.serviceAccountName).toBe('billing-migrate');
    expect(job.spec.template.metadata.annotations['vault.hashicorp.com/role']).toBe('acme-migrate');
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
    const releases = Object.values<any>(tf.resource.helm_release);
    const base = Object.entries<any>(tf.resource.helm_release).find(([, r]) => r.name === 'acme-base')![0];
    expect(releases.find(r => r.name === 'acme-billing').depends_on).toEqual([`helm_release.${base}`]);
    expect(resources(tf, 'vault_kubernetes_auth_backend_role').find(r => r.role_name === 'acme-migrate').bound_service_account_names).toEqual(['billing-migrate']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

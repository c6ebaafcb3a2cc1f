import * as fs from 'fs';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { App } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'platform-'));
}

const tenants = [{ id: 'acme' }, { id: 'globex', state: TenantState.SUSPENDED }];

describe('Platform', () => {
  test('synth writes manifests per environment, tenant charts, and one stack per environment', () => {
    const dir = scratch();
    const app = new App({ outdir: path.join(dir, 'cdktf.out') });
    const platform = new Platform(app, 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      environments: [
        new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
        new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
      ],
    });
    const result = platform.synth();
    expect(result.manifestFiles.map(f => path.relative(dir, f))).toEqual([
      'dist/k8s/prod/acme.k8s.yaml', 'dist/k8s/prod/globex.k8s.yaml', 'dist/k8s/prod/platform.k8s.yaml',
      'dist/k8s/staging/acme.k8s.yaml', 'dist/k8s/staging/globex.k8s.yaml', 'dist/k8s/staging/platform.k8s.yaml',
    ]);
    expect(result.documentCount).toBeGreaterThan(20);
    expect(fs.existsSync(path.join(dir, 'dist', 'charts', 'prod', 'acme', 'Chart.yaml'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).sort()).toEqual(['github-environments', 'prod', 'staging']);
    const prodTf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    const releases = Object.values<any>(prodTf.resource.helm_release);
    const platformRelease = releases.find(r => r.name === 'prod-platform');
    expect(platformRelease.namespace).toBe('monitoring');
    // The environment-wide chart (rules, monitors, dashboards) installs after every tenant base.
    expect(platformRelease.depends_on).toEqual(expect.arrayContaining([expect.stringContaining('Tenant-acme_Base'), expect.stringContaining('Tenant-globex_Base')]));
    expect(releases.filter(r => /-base$/.test(r.name)).map(r => r.name).sort()).toEqual(['acme-base', 'globex-base']);
    expect(platform.observabilityOf('prod').podMonitors).toHaveLength(2);
    // Every tenant database in staging and production has a BackupSchedule; the suspended tenant's is suspended.
    expect(platform.backupsOf('prod').map(b => b.cronJobName)).toEqual(['backup-prod-acme', 'backup-prod-globex']);
    const globex = fs.readFileSync(path.join(dir, 'dist', 'k8s', 'prod', 'globex.k8s.yaml'), 'utf8');
    // ...and Vault lets exactly their ServiceAccounts read the read-only dump and drill credentials.
    const k8sRoles = Object.values<any>(prodTf.resource.vault_kubernetes_auth_backend_role).filter(r => /-backup$/.test(r.role_name));
    expect(k8sRoles.map(r => [r.role_name, r.bound_service_account_names, r.bound_service_account_namespaces])).toEqual([
      ['prod-acme-backup', ['backup-prod-acme'], ['prod-acme']],
      ['prod-globex-backup', ['backup-prod-globex'], ['prod-globex']],
    ]);
    expect(globex).toMatch(/name: backup-prod-globex\n[^]*?suspend: true/);
    expect(fs.readFileSync(path.join(dir, 'dist', 'k8s', 'prod', 'globex.k8s.yaml'), 'utf8')).toContain('pods: "0"');
    expect(platform.tenantChart('prod', 'acme').namespaceName).toBe('prod-acme');
    expect(platform.stackOf('prod').environment.name).toBe('prod');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('guardrails run over the output: a violation fails the synth, an acknowledgement with a reason is recorded', () => {
    const build = (acknowledgements?: any[]) => {
      const dir = scratch();
      const platform = new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
        outdir: path.join(dir, 'dist'),
        backup: backupProps(),
        github: githubProps(),
        environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] })],
        policy: { acknowledgements, parity: false },
      });
      // An escape hatch that opens NodePorts in a tenant namespace (K08).
      platform.tenantChart('prod', 'acme').tenantNamespace.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.nodeports', '5'));
      return platform;
    };
    expect(() => build().synth()).toThrow(/services\.nodeports[^]*\(K08\)/);
    const result = build([{ ruleId: 'K08', reason: 'the load-test tenant needs NodePorts until 2027-01' }]).synth();
    const report = JSON.parse(fs.readFileSync(result.policyReportFile!, 'utf8'));
    expect(report.acknowledged).toEqual([expect.objectContaining({ ruleId: 'K08', reason: 'the load-test tenant needs NodePorts until 2027-01' })]);
    expect(report.rules.length).toBeGreaterThanOrEqual(60);
  });

  test('fails if environments are missing or duplicated (B03), listing every problem', () => {
    const app = new App({ outdir: path.join(scratch(), 'cdktf.out') });
    expect(() => new Platform(app, 'empty', { environments: [] }))
      .toThrow('empty: environments is empty (got []); declare at least one Environment');
    const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
    expect(() => new Platform(app, 'dup', { environments: [prod, prod] })).toThrow(
      /dup: environments lists an environment name twice \(B03\) \(got "prod"\)[^]*dup: environments gives two environments the same Terraform workspace \(B03\) \(got "inopsio-prod"\)/,
    );
  });

  test('fails if staging or production has tenant databases but no backup configuration (B11)', () => {
    const app = new App({ outdir: path.join(scratch(), 'cdktf.out') });
    expect(() => new Platform(app, 'p', { environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants })] }))
      .toThrow('p: backup is missing, but environment "prod" (class production) backs up its tenant databases (got undefined); pass backup: { image, database, primaryStore, offsiteStore } (spec §10, B11)');
    // A tenant without a database needs no backup, and its inventory entry is still valid.
    const dir = scratch();
    const noDb = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme', database: false }] });
    const platform = new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'q', { outdir: path.join(dir, 'dist'), github: githubProps(), environments: [noDb] });
    expect(platform.backupsOf('prod')).toEqual([]);
    const inventory = JSON.parse(fs.readFileSync(platform.synth().inventoryFile, 'utf8'));
    expect(inventory.environments[0].tenants[0].backup).toBeUndefined();
  });

  test('fails if an environment that backs up has tenants with volumes but no volume snapshots (issue 23)', () => {
    const app = new App({ outdir: path.join(scratch(), 'cdktf.out') });
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme', volumes: [{ name: 'uploads', size: '1Gi' }] }] });
    expect(() => new Platform(app, 'p', { backup: backupProps(), environments: [env] }))
      .toThrow('p: backup.volumeSnapshots is missing, but environment "prod" (class production) backs up and tenants acme have volumes (got undefined); pass backup.volumeSnapshots: { image, apiServerEgress }');
    // Development keeps no backups: volumes need no snapshots there.
    const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme', volumes: [{ name: 'uploads', size: '1Gi' }] }] });
    expect(() => new Platform(new App({ outdir: path.join(scratch(), 'cdktf.out') }), 'q', { environments: [dev] })).not.toThrow();
  });

  test('fails if a tenant takes the reserved id of the environment-wide chart', () => {
    const app = new App({ outdir: path.join(scratch(), 'cdktf.out') });
    expect(() => new Platform(app, 'p', { backup: backupProps(), environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'platform' }] })] }))
      .toThrow('p: environments[prod].tenants uses the reserved id of the environment-wide chart (got "platform"); rename the tenant');
  });

  test('lookups of unknown environments and tenants say what exists', () => {
    const app = new App({ outdir: path.join(scratch(), 'cdktf.out') });
    const platform = new Platform(app, 'p', { backup: backupProps(), environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants })] });
    expect(() => platform.stackOf('qa')).toThrow('p: environmentName is not an environment of this platform (got "qa"); use one of prod');
    expect(() => platform.tenantChart('prod', 'initech')).toThrow('p: tenantId is not a tenant of environment "prod" (got "initech")');
  });
});

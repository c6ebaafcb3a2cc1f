import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { App } from 'cdktf';
import { backupProps } from './fixtures';
import { ArgoCdProjectGuard } from '../../src/k8s/argocd-project-policy';
import { BackupPriorityClass } from '../../src/k8s/backup-priority-class';
import { BackupSchedule } from '../../src/k8s/backup-schedule';
import { ObservabilityStack } from '../../src/k8s/observability-stack';
import { writeCharts } from '../../src/k8s/synth';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { TenantIngressPolicy } from '../../src/k8s/tenant-ingress-policy';
import { TenantServicePolicy } from '../../src/k8s/tenant-service-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { TenantState } from '../../src/model/tenant';
import { Platform, PlatformProps } from '../../src/platform/platform';

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'platform-synth-'));
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

const tenants = [{ id: 'acme' }, { id: 'globex', state: TenantState.SUSPENDED }, { id: 'initech', database: false }];

function props(dir: string): PlatformProps {
  return {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    policy: { enabled: false },
    environments: [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants })],
  };
}

describe('Platform.synth builds tenant charts one at a time', () => {
  test('writes the bytes an app with every chart built up front writes', () => {
    const dir = scratch();
    const p = props(dir);
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', p).synth();
    // The same charts, all built first, written in one pass.
    const env = p.environments[0];
    const eager = new K8sApp({ outdir: path.join(dir, 'eager') });
    for (const t of env.tenants) {
      const chart = new TenantChart(eager, t.id, { environment: env, tenant: t });
      if (t.database) new BackupSchedule(chart, 'Backup', { ...p.backup!, environment: env, tenant: t });
    }
    const platformChart = new Chart(eager, 'platform', { disableResourceNameHashes: true });
    new ObservabilityStack(platformChart, 'Observability', { environment: env });
    new BackupPriorityClass(platformChart, 'BackupPriorityClass', { environment: env });
    new TenantServicePolicy(platformChart, 'TenantServices', { environment: env });
    new TenantIngressPolicy(platformChart, 'TenantIngress', { environment: env });
    new ArgoCdProjectGuard(platformChart, 'ArgoCdProjects', { environment: env });
    writeCharts(eager);
    expect(readTree(path.join(dir, 'dist', 'k8s', 'prod'))).toEqual(readTree(path.join(dir, 'eager')));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a chart asked for before synth is kept and written with what was added to it; the others are dropped after writing', () => {
    const dir = scratch();
    const platform = new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', props(dir));
    const acme = platform.tenantChart('prod', 'acme');
    expect(platform.tenantChart('prod', 'acme')).toBe(acme);
    new ApiObject(acme, 'Extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' } });
    const result = platform.synth();
    expect(fs.readFileSync(path.join(dir, 'dist', 'k8s', 'prod', 'acme.k8s.yaml'), 'utf8')).toContain('name: extra');
    expect(fs.readFileSync(path.join(dir, 'dist', 'charts', 'prod', 'acme', 'manifests', 'tenant.yaml'), 'utf8')).toContain('name: extra');
    expect(result.manifestFiles.map(f => path.basename(f))).toEqual(['acme.k8s.yaml', 'globex.k8s.yaml', 'initech.k8s.yaml', 'platform.k8s.yaml']);
    expect(platform.manifestsOf('prod').node.children.map(c => c.node.id).sort()).toEqual(['acme', 'platform']);
    // Every tenant base is installed, each once; the backup access of every tenant with a database exists once. The
    // tenant asked for keeps its Terraform constructs, the others' are released once resolved (bounded memory).
    const stack = platform.stackOf('prod');
    expect(stack.tenantReleases.map(r => r.tenant.id)).toEqual(['acme']);
    expect(stack._builtTenants).toEqual(['acme', 'globex', 'initech']);
    expect(stack.vault.tenants.filter(t => t.backupAccess).map(t => t.tenant.id)).toEqual(['acme']);
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(tf.resource.helm_release).map(r => r.name).filter((n: string) => n.endsWith('-base')).sort())
      .toEqual(['acme-base', 'globex-base', 'initech-base']);
    expect(Object.values<any>(tf.resource.vault_kubernetes_auth_backend_role).map(r => r.role_name).filter((n: string) => n.endsWith('-backup')).sort())
      .toEqual(['prod-acme-backup', 'prod-globex-backup']);
    expect(platform.backupsOf('prod').map(b => b.cronJobName)).toEqual(['backup-acme', 'backup-globex']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('backup settings no chart can be built with still fail at construction', () => {
    const dir = scratch();
    const p = props(dir);
    const bad = { ...p, backup: { ...p.backup!, image: ContainerImage.fromDigest(`registry.inopsio.example/x@sha256:${'ab'.repeat(32)}`), database: { ...p.backup!.database, host: '' } } };
    expect(() => new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', bad)).toThrow(/acme\/Backup: database\.host/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

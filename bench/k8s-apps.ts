// The Kubernetes half of the reference platform, built exactly as Platform's constructor builds it (one cdk8s App
// per environment: a TenantChart per tenant with its BackupSchedule, and the environment-wide `platform` chart), so
// that our synth, stock `App.synth()` and the floor all write the same charts. bench.ts checks that these apps
// write the same files, byte for byte, as `Platform.synth()` does.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ImmutableProductionPolicy } from '../src/k8s/admission-policy';
import { ArgoCdProjectGuard } from '../src/k8s/argocd-project-policy';
import { ArgoCdApplication } from '../src/k8s/argocd-application';
import { ArgoCdTenantProject } from '../src/k8s/argocd-project';
import { BackupPriorityClass } from '../src/k8s/backup-priority-class';
import { BackupSchedule } from '../src/k8s/backup-schedule';
import { ObservabilityStack } from '../src/k8s/observability-stack';
import { TenantChart } from '../src/k8s/tenant-chart';
import { TenantIngressPolicy } from '../src/k8s/tenant-ingress-policy';
import { TenantServicePolicy } from '../src/k8s/tenant-service-policy';
import { TenantWorkload } from '../src/k8s/tenant-workload';
import { VolumeSnapshotSchedule } from '../src/k8s/volume-snapshot-schedule';
import { Mutability, UpgradeStrategy } from '../src/model/environment-class';
import { LifecycleNames } from '../src/model/names';
import { workloadsIn } from '../src/model/tenant-workload';
import { PlatformProps } from '../src/platform/platform';

// (Modules with a `migration` are not mirrored here: the reference platform of the benchmark declares none.)

export function buildK8sApps(props: PlatformProps, outdir: string): App[] {
  const names = LifecycleNames.of({ ...props.workflows, sharding: props.sharding ?? props.workflows?.sharding });
  const beta = (props.tenantAdmission?.betaApiEnabled ?? props.immutableProduction?.betaApiEnabled) === true;
  return props.environments.map(env => {
    const app = new App({ outdir: path.join(outdir, 'k8s', env.name) });
    // The platform chart first (as Platform's constructor): the tenants' allow-monitoring follows its monitors (W05).
    const platformChart = new Chart(app, 'platform', { disableResourceNameHashes: true });
    const obs = new ObservabilityStack(platformChart, 'Observability', {
      ...props.observability, environment: env, tenantObjectsBackedUp: props.backup?.tenantObjects !== undefined,
    });
    if (env.environmentClass.backup.enabled) new BackupPriorityClass(platformChart, 'BackupPriorityClass', { environment: env });
    new TenantServicePolicy(platformChart, 'TenantServices', { environment: env, kubernetesVersion: props.kubernetesVersion, betaApiEnabled: beta });
    new TenantIngressPolicy(platformChart, 'TenantIngress', { ...props.tenantAdmission?.ingressHosts, environment: env, kubernetesVersion: props.kubernetesVersion, betaApiEnabled: beta });
    if (props.immutableProduction && env.environmentClass.mutability === Mutability.GITOPS_ONLY) {
      new ImmutableProductionPolicy(platformChart, 'ImmutableProduction', { ...props.immutableProduction, environment: env, kubernetesVersion: props.kubernetesVersion });
    }
    if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) {
      const lockDefaultProject = props.environments.find(e => e.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) === env;
      new ArgoCdProjectGuard(platformChart, 'ArgoCdProjects', { environment: env, names, kubernetesVersion: props.kubernetesVersion, betaApiEnabled: beta, lockDefaultProject });
      for (const tenant of env.tenants.filter(t => t.modules.length > 0)) {
        new ArgoCdTenantProject(platformChart, `Project-${tenant.id}`, { environment: env, tenant, names });
        for (const m of tenant.modules) {
          new ArgoCdApplication(platformChart, `App-${tenant.id}-${m.name}`, { environment: env, tenant, module: m.name, names });
        }
      }
    }
    const own = props.environmentNetworks?.[env.name] === undefined ? props.network : { ...props.network, ...props.environmentNetworks[env.name] };
    const network = { ...own, monitoringNamespace: own?.monitoringNamespace ?? obs.monitoringNamespace, metricsPortName: own?.metricsPortName ?? obs.metricsPortName };
    for (const t of env.tenants) {
      const chart = new TenantChart(app, t.id, { environment: env, tenant: t, network, kubernetesVersion: props.kubernetesVersion });
      // The tenant's cdk8s-plus workloads, built and wired as Platform's buildTenantChart does.
      for (const w of workloadsIn(env, t)) {
        const scope = new TenantWorkload(chart, `Workload-${w.name}`, { environment: env, tenant: t, workload: w, metricsPortName: network.metricsPortName });
        props.workloads![w.name].buildWorkload(scope);
        scope.wire();
      }
      if (props.backup?.volumeSnapshots && env.environmentClass.backup.enabled && t.volumes.length > 0) {
        new VolumeSnapshotSchedule(chart, 'VolumeSnapshots', { ...props.backup.volumeSnapshots, environment: env, tenant: t });
      }
      if (props.backup && env.environmentClass.backup.enabled && t.database) {
        new BackupSchedule(chart, 'Backup', { ...props.backup, vaultEgress: props.backup.vaultEgress ?? own?.vault, environment: env, tenant: t });
      }
    }
    return app;
  });
}

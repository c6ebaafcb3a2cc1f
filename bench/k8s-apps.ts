// The Kubernetes half of the reference platform, built exactly as Platform's constructor builds it (one cdk8s App
// per environment: a TenantChart per tenant with its BackupSchedule, and the environment-wide `platform` chart), so
// that our synth, stock `App.synth()` and the floor all write the same charts. bench.ts checks that these apps
// write the same files, byte for byte, as `Platform.synth()` does.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ImmutableProductionPolicy } from '../src/k8s/admission-policy';
import { ArgoCdApplication } from '../src/k8s/argocd-application';
import { ArgoCdTenantProject } from '../src/k8s/argocd-project';
import { BackupSchedule } from '../src/k8s/backup-schedule';
import { ObservabilityStack } from '../src/k8s/observability-stack';
import { TenantChart } from '../src/k8s/tenant-chart';
import { Mutability, UpgradeStrategy } from '../src/model/environment-class';
import { PlatformProps } from '../src/platform/platform';

export function buildK8sApps(props: PlatformProps, outdir: string): App[] {
  return props.environments.map(env => {
    const app = new App({ outdir: path.join(outdir, 'k8s', env.name) });
    const charts = env.tenants.map(t => new TenantChart(app, t.id, { environment: env, tenant: t, network: props.network, kubernetesVersion: props.kubernetesVersion }));
    if (props.backup && env.environmentClass.backup.enabled) {
      for (const chart of charts) {
        if (!chart.tenant.database) continue;
        new BackupSchedule(chart, 'Backup', { ...props.backup, vaultEgress: props.backup.vaultEgress ?? props.network?.vault, environment: env, tenant: chart.tenant });
      }
    }
    const platformChart = new Chart(app, 'platform', { disableResourceNameHashes: true });
    new ObservabilityStack(platformChart, 'Observability', { ...props.observability, environment: env });
    if (props.immutableProduction && env.environmentClass.mutability === Mutability.GITOPS_ONLY) {
      new ImmutableProductionPolicy(platformChart, 'ImmutableProduction', { ...props.immutableProduction, environment: env, kubernetesVersion: props.kubernetesVersion });
    }
    if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) {
      for (const tenant of env.tenants.filter(t => t.modules.length > 0)) {
        new ArgoCdTenantProject(platformChart, `Project-${tenant.id}`, { environment: env, tenant, naming: props.workflows });
        for (const m of tenant.modules) {
          new ArgoCdApplication(platformChart, `App-${tenant.id}-${m.name}`, { environment: env, tenant, module: m.name, naming: props.workflows });
        }
      }
    }
    return app;
  });
}

import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoCdApplication } from '../k8s/argocd-application';
import { ArgoCdTenantProject } from '../k8s/argocd-project';
import { BackupDatabaseProps, BackupObjectStoreProps, BackupSchedule } from '../k8s/backup-schedule';
import { writeLocalChart } from '../k8s/helm-chart';
import { ObservabilityOptions, ObservabilityStack } from '../k8s/observability-stack';
import { writeCharts } from '../k8s/synth';
import { TenantChart } from '../k8s/tenant-chart';
import { TenantNetworkProps } from '../k8s/tenant-namespace';
import { EgressTarget } from '../model/egress-target';
import { Environment } from '../model/environment';
import { UpgradeStrategy } from '../model/environment-class';
import { ContainerImage } from '../model/image';
import { LifecycleValidationError, Problems } from '../model/problems';
import { buildInventory, writeInventory } from '../lifecycle/inventory';
import { checkDestroyGates } from '../lifecycle/workflow-rules';
import { renderWorkflows, WorkflowOptions } from '../lifecycle/workflows';
import { EnvironmentStack } from '../tf/environment-stack';
import { synthTerraform } from '../tf/terraform-app';

/** Props of a Platform. */
export interface PlatformProps {
  /** Every environment of the platform, each with its tenants. */
  readonly environments: Environment[];
  /**
   * Where Kubernetes manifests (`<outdir>/k8s/<env>/`), generated tenant charts (`<outdir>/charts/`) and the
   * lifecycle inventory are written. Terraform goes to the cdktf App's outdir (`cdktf.out`).
   * @default 'dist'
   */
  readonly outdir?: string;
  /**
   * Network allows for every tenant namespace.
   * @default - DNS, same-namespace, ingress controller and monitoring only
   */
  readonly network?: TenantNetworkProps;
  /**
   * Settings of each environment's ObservabilityStack (scrape targets, alerts, log labels, dashboards).
   * @default - the ObservabilityStack defaults
   */
  readonly observability?: ObservabilityOptions;
  /**
   * Backups of tenant databases, for every environment whose class backs up (staging and production by default).
   * Required as soon as one such environment has a tenant with a database (B11).
   * @default - none; refused when an environment's class requires backups
   */
  readonly backup?: PlatformBackupProps;
  /**
   * Settings of the generated GitHub Actions workflows (`dist/workflows/`) and of the names the lifecycle inventory
   * and decommission plans use.
   * @default - the WorkflowOptions defaults
   */
  readonly workflows?: WorkflowOptions;
}

/** Where and with what the tenants' databases are backed up (spec §10). */
export interface PlatformBackupProps {
  /** The backup tools image (bash, pg_dump/pg_restore, mc, curl), pinned by digest. */
  readonly image: ContainerImage;
  /** The PostgreSQL server of the tenant databases (each tenant's database is named after it unless set). */
  readonly database: BackupDatabaseProps;
  /** The in-region object store (30 days by default). */
  readonly primaryStore: BackupObjectStoreProps;
  /** The offsite object store (90 days by default; versioned and locked, see docs/backups.md). */
  readonly offsiteStore: BackupObjectStoreProps;
  /**
   * Pushgateway that receives the backup metrics behind the Backup Status alerts.
   * @default - no push: the metrics vanish with the pod and the freshness alerts report backups as missing
   */
  readonly pushgatewayUrl?: string;
  /**
   * Where the Pushgateway is, for the backup pods' NetworkPolicy.
   * @default - no Pushgateway egress
   */
  readonly pushgatewayEgress?: EgressTarget;
  /**
   * Where Vault is, for the backup pods' NetworkPolicy.
   * @default - the tenant namespace's `network.vault`
   */
  readonly vaultEgress?: EgressTarget;
}

/** Id of the environment-wide chart in each environment's App; no tenant may use it. */
const PLATFORM_CHART = 'platform';

/** What `Platform.synth()` wrote. */
export interface PlatformSynthesis {
  /** Manifest files written, relative to the working directory, sorted. */
  readonly manifestFiles: string[];
  /** Number of Kubernetes documents written. */
  readonly documentCount: number;
  /** The lifecycle inventory file (`<outdir>/lifecycle.json`). */
  readonly inventoryFile: string;
  /** Workflow files written under `<outdir>/workflows/`, sorted. */
  readonly workflowFiles: string[];
}

/**
 * The entry point for a whole platform: one cdk8s App per environment (a chart per tenant) and one
 * EnvironmentStack per environment in the enclosing cdktf App.
 *
 * `synth()` writes everything in linear time: `dist/k8s/<env>/<tenant>.k8s.yaml`, the tenant charts that Terraform
 * installs, and `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
export class Platform extends Construct {
  /** The environments, in the order given. */
  public readonly environments: Environment[];
  /** Output folder for manifests. */
  public readonly outdir: string;
  private readonly apps = new Map<string, App>();
  private readonly charts = new Map<string, TenantChart[]>();
  private readonly stacks = new Map<string, EnvironmentStack>();
  private readonly observability = new Map<string, ObservabilityStack>();
  private readonly backups = new Map<string, BackupSchedule[]>();
  private readonly workflowOptions?: WorkflowOptions;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    const envs = props.environments ?? [];
    if (envs.length === 0) {
      problems.add('environments', 'is empty', envs, 'declare at least one Environment');
    }
    const names = new Set<string>();
    const workspaces = new Set<string>();
    for (const env of envs) {
      if (names.has(env.name)) problems.add('environments', 'lists an environment name twice (B03)', env.name, 'give each environment a unique name');
      if (workspaces.has(env.workspace)) problems.add('environments', 'gives two environments the same Terraform workspace (B03)', env.workspace, 'set a unique workspace per environment');
      names.add(env.name);
      workspaces.add(env.workspace);
      if (!props.backup && env.environmentClass.backup.enabled && env.tenants.some(t => t.database)) {
        problems.add('backup', `is missing, but environment "${env.name}" (class ${env.environmentClass.name}) backs up its tenant databases`, undefined, 'pass backup: { image, database, primaryStore, offsiteStore } (spec §10, B11)');
      }
      if (env.tenants.some(t => t.id === PLATFORM_CHART)) {
        problems.add(`environments[${env.name}].tenants`, 'uses the reserved id of the environment-wide chart', PLATFORM_CHART, 'rename the tenant');
      }
    }
    problems.throwIfAny();

    this.environments = [...envs];
    this.outdir = props.outdir ?? 'dist';
    this.workflowOptions = props.workflows;
    for (const env of envs) {
      const app = new App({ outdir: path.join(this.outdir, 'k8s', env.name) });
      this.apps.set(env.name, app);
      this.charts.set(env.name, env.tenants.map(t => new TenantChart(app, t.id, { environment: env, tenant: t, network: props.network })));
      const backups: BackupSchedule[] = [];
      if (props.backup && env.environmentClass.backup.enabled) {
        for (const chart of this.charts.get(env.name)!) {
          if (!chart.tenant.database) continue;
          backups.push(new BackupSchedule(chart, 'Backup', { ...props.backup, vaultEgress: props.backup.vaultEgress ?? props.network?.vault, environment: env, tenant: chart.tenant }));
        }
      }
      this.backups.set(env.name, backups);
      const platformChart = new Chart(app, PLATFORM_CHART, { disableResourceNameHashes: true });
      this.observability.set(env.name, new ObservabilityStack(platformChart, 'Observability', { ...props.observability, environment: env }));
      // Classes that upgrade through Argo CD: one Application per tenant module (Terraform leaves the modules alone).
      if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) {
        for (const tenant of env.tenants.filter(t => t.modules.length > 0)) {
          new ArgoCdTenantProject(platformChart, `Project-${tenant.id}`, { environment: env, tenant, naming: props.workflows });
          for (const m of tenant.modules) {
            new ArgoCdApplication(platformChart, `App-${tenant.id}-${m.name}`, { environment: env, tenant, module: m.name, naming: props.workflows });
          }
        }
      }
      const stack = new EnvironmentStack(this, env.name, { environment: env });
      this.stacks.set(env.name, stack);
      // Each backup ServiceAccount gets its own Vault role and read-only database roles (dump and drill).
      for (const b of backups) {
        stack.vault.addBackupAccess(b.tenant.id, {
          serviceAccountName: b.serviceAccountName,
          roleName: b.vaultRole,
          secretPaths: b.vaultSecretPaths,
          activeDeadlineSeconds: Math.max(b.activeDeadlineSeconds, b.restoreDrillActiveDeadlineSeconds),
        });
      }
    }
  }

  /** The cdk8s App holding an environment's charts (add your own charts to it). */
  public manifestsOf(environmentName: string): App {
    return this.lookup(this.apps, environmentName);
  }

  /** The Terraform stack of an environment. */
  public stackOf(environmentName: string): EnvironmentStack {
    return this.lookup(this.stacks, environmentName);
  }

  /** The ObservabilityStack of an environment. */
  public observabilityOf(environmentName: string): ObservabilityStack {
    return this.lookup(this.observability, environmentName);
  }

  /** The BackupSchedules of an environment (empty when its class does not back up). */
  public backupsOf(environmentName: string): BackupSchedule[] {
    return [...this.lookup(this.backups, environmentName)];
  }

  /** The chart of one tenant in one environment. */
  public tenantChart(environmentName: string, tenantId: string): TenantChart {
    const chart = this.lookup(this.charts, environmentName).find(c => c.tenant.id === tenantId);
    if (!chart) {
      const problems = new Problems(this.node.path);
      problems.add('tenantId', `is not a tenant of environment "${environmentName}"`, tenantId, 'use one of the ids passed in the environment\'s tenants');
      problems.throwIfAny();
    }
    return chart!;
  }

  /**
   * Write the Kubernetes manifests (one folder per environment), the tenant charts Terraform installs, and the
   * Terraform stacks. Call it once, instead of the cdktf App's `synth()`.
   */
  public synth(): PlatformSynthesis {
    const files: string[] = [];
    let documentCount = 0;
    for (const env of this.environments) {
      const app = this.apps.get(env.name)!;
      fs.rmSync(app.outdir, { recursive: true, force: true });
      const written = writeCharts(app);
      const stack = this.stacks.get(env.name)!;
      for (const chart of written) {
        files.push(path.join(app.outdir, chart.fileName));
        documentCount += chart.documents.length;
        if (TenantChart.isTenantChart(chart.chart)) {
          const tenant = chart.chart.tenant;
          const chartDir = path.join(this.outdir, 'charts', env.name, tenant.id);
          writeLocalChart(chartDir, {
            name: 'tenant-base',
            description: `Base objects of tenant ${tenant.id} in environment ${env.name}`,
            documents: chart.documents,
          });
          stack.addTenantBase(tenant, chartDir);
        }
      }
      // Environment-wide objects (rules, monitors, dashboards) install after every tenant base.
      const platform = written.find(c => c.chart.node.id === PLATFORM_CHART && c.chart.node.scope === app)!;
      const platformDir = path.join(this.outdir, 'charts', env.name, PLATFORM_CHART);
      writeLocalChart(platformDir, {
        name: 'environment-platform',
        description: `Environment-wide objects of environment ${env.name}`,
        documents: platform.documents,
      });
      stack.addEnvironmentChart(PLATFORM_CHART, platformDir, this.observability.get(env.name)!.monitoringNamespace);
    }
    synthTerraform(this);

    // The lifecycle inventory and the generated workflows; a destroy that no approval gates fails the build.
    const inventoryFile = writeInventory(this.outdir, buildInventory(this.environments, this.workflowOptions));
    const workflows = renderWorkflows(this.environments, this.workflowOptions);
    const gateProblems = checkDestroyGates(workflows, { approvalEnvironments: this.workflowOptions?.approvalEnvironments ? [...this.workflowOptions.approvalEnvironments, 'preview-cleanup'] : undefined });
    if (gateProblems.length > 0) throw new LifecycleValidationError(gateProblems.map(p => `${this.node.path}: workflows ${p}`));
    const workflowDir = path.join(this.outdir, 'workflows');
    fs.rmSync(workflowDir, { recursive: true, force: true });
    fs.mkdirSync(workflowDir, { recursive: true });
    const workflowFiles = Object.keys(workflows).sort().map(name => {
      const file = path.join(workflowDir, name);
      fs.writeFileSync(file, workflows[name]);
      return file;
    });
    return { manifestFiles: files.sort(), documentCount, inventoryFile, workflowFiles };
  }

  private lookup<T>(map: Map<string, T>, environmentName: string): T {
    const found = map.get(environmentName);
    if (found === undefined) {
      const problems = new Problems(this.node.path);
      problems.add('environmentName', 'is not an environment of this platform', environmentName, `use one of ${[...map.keys()].join(', ')}`);
      problems.throwIfAny();
    }
    return found!;
  }
}

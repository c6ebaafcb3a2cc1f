import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ImmutableProductionOptions, ImmutableProductionPolicy } from '../k8s/admission-policy';
import { ArgoCdApplication } from '../k8s/argocd-application';
import { ArgoCdTenantProject } from '../k8s/argocd-project';
import { BackupDatabaseProps, BackupObjectStoreProps, BackupSchedule } from '../k8s/backup-schedule';
import { writeLocalChart } from '../k8s/helm-chart';
import { ObservabilityOptions, ObservabilityStack } from '../k8s/observability-stack';
import { hasChartDependencies, writeChart, writeChartsEach, WrittenChart } from '../k8s/synth';
import { TenantChart } from '../k8s/tenant-chart';
import { TenantNetworkProps } from '../k8s/tenant-namespace';
import { VolumeSnapshotSchedule } from '../k8s/volume-snapshot-schedule';
import { GitHubEnvironmentsProps, planGitHubEnvironments } from '../lifecycle/github-environments';
import { buildInventory, writeInventory } from '../lifecycle/inventory';
import { checkDestroyGates } from '../lifecycle/workflow-rules';
import { renderWorkflows, WorkflowOptions } from '../lifecycle/workflows';
import { EgressTarget } from '../model/egress-target';
import { Environment } from '../model/environment';
import { LifecycleKind, Mutability, UpgradeStrategy } from '../model/environment-class';
import { ContainerImage } from '../model/image';
import { LifecycleValidationError, Problems } from '../model/problems';
import { QuotaProfile } from '../model/quota-profile';
import { TenantShardingProps, terraformStackLayout } from '../model/sharding';
import { Tenant } from '../model/tenant';
import { contentsOf } from '../policy/contents';
import { PolicyInput } from '../policy/input';
import { readOutputFolders, textDigest } from '../policy/output-files';
import { PolicyPack } from '../policy/pack';
import { EnvironmentParity } from '../policy/parity';
import { assertPolicyCompliance, writePolicyReport } from '../policy/report-file';
import { Acknowledgement } from '../policy/types';
import { EnvironmentStack, withoutTokenStackTraces } from '../tf/environment-stack';
import { GitHubEnvironmentsStack } from '../tf/github-environments';
import { ShardedEnvironment } from '../tf/sharding';
import { synthTerraform, terraformOutdir } from '../tf/terraform-app';

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
   * and decommission plans use. Their `sharding` is the Platform's `sharding` when that is set.
   * @default - the WorkflowOptions defaults
   */
  readonly workflows?: WorkflowOptions;
  /**
   * Guardrails run over everything synthesized (issue 7, CHECKS.md): policy errors fail the synth unless
   * acknowledged with a reason, and the report is written to `<outdir>/policy-report.json`.
   * @default - every rule, no acknowledgements, staging-vs-production parity checked
   */
  readonly policy?: PlatformPolicyProps;
  /**
   * Make production namespaces immutable with a ValidatingAdmissionPolicy (spec §1): only the GitOps/Terraform
   * identities write, plus an audited break-glass group. Applies to every GitOps-only class, so staging, which mirrors
   * production, is guarded the same way. Opt-in: Kubernetes 1.28 serves the API only with the
   * `ValidatingAdmissionPolicy` feature gate and `admissionregistration.k8s.io/v1beta1` enabled.
   * @default - no admission policy
   */
  readonly immutableProduction?: ImmutableProductionOptions;
  /**
   * Environments whose Terraform is spread over shards, by environment name (docs/performance.md "Sharding"): a base
   * stack with the environment-wide Vault resources (workspace `<workspace>`), tenant shards
   * (`<workspace>-shard-NN`, a stable hash assignment) and the environment charts (`<workspace>-charts`), applied in
   * that order. The Kubernetes output does not change.
   * @default - every environment in one stack
   */
  readonly sharding?: { [environmentName: string]: TenantShardingProps };
  /**
   * The GitHub environments the generated workflows use (approval gates with required reviewers, production,
   * credentials), created by Terraform in the stack `github-environments` (workspace `inopsio-github-environments`), so that the
   * gates exist whenever the workflows do (issue 23). Without it the policy pack refuses every destroying job (G01):
   * an approval environment nobody created has no reviewers.
   * @default - no GitHub environments are generated
   */
  readonly github?: GitHubEnvironmentsProps;
}

/** Id (and stack folder) of the GitHub environments stack; no environment may use it. */
const GITHUB_STACK = 'github-environments';

/** The parity allowance of a sharded environment compared with an unsharded one. */
const SHARDED_DEPENDS_ON = {
  path: 'tf:*:depends_on*',
  reason: 'a sharded environment orders its stacks by workspace run order (base, shards, charts): a shard\'s resources cannot depend on the base stack\'s',
};

/** How the Platform runs the policy pack over its output. */
export interface PlatformPolicyProps {
  /**
   * Findings accepted on purpose; each needs a rule id and a reason, and is recorded in the report.
   * @default - none
   */
  readonly acknowledgements?: Acknowledgement[];
  /**
   * Check that every staging environment mirrors every production one (spec §1 "Environment Parity").
   * @default true
   */
  readonly parity?: boolean;
  /**
   * Run the policy pack at all. Turning it off is meant for benchmarks and experiments, never for CI.
   * @default true
   */
  readonly enabled?: boolean;
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
   * The tenants' object storage: each tenant with `objectStorage` has the prefix `<bucket>/<env>/<tenant>/`, which its
   * daily backup mirrors (never deleting) and copies offsite, and its restore drill samples (issue 23).
   * @default - tenant objects are not backed up
   */
  readonly tenantObjects?: BackupObjectStoreProps;
  /**
   * Scheduled VolumeSnapshots of the tenants' volumes (`TenantProps.volumes`), on the backup schedule with the dumps'
   * retention, in classes that back up (`VolumeSnapshotSchedule`).
   * @default - volumes are not snapshotted on a schedule
   */
  readonly volumeSnapshots?: PlatformVolumeSnapshotProps;
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

/** How the Platform snapshots tenant volumes. */
export interface PlatformVolumeSnapshotProps {
  /** An image with bash, coreutils and kubectl, pinned by digest. */
  readonly image: ContainerImage;
  /** The Kubernetes API server as pods reach it. */
  readonly apiServerEgress: EgressTarget;
  /**
   * VolumeSnapshotClass.
   * @default - the cluster's default class for each volume's CSI driver
   */
  readonly snapshotClass?: string;
}

/** Id of the environment-wide chart in each environment's App; no tenant may use it. */
const PLATFORM_CHART = 'platform';
/** Id of a tenant's BackupSchedule in its chart. */
const BACKUP_ID = 'Backup';

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
  /** The policy report (`<outdir>/policy-report.json`), unless the policy pack is turned off. */
  readonly policyReportFile?: string;
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
  /** The tenants of each environment when the Platform was created, by id, in order. */
  private readonly tenants = new Map<string, Map<string, Tenant>>();
  /** Tenant charts built before synth (tenantChart, backupsOf), by environment and tenant id; the rest are built at synth. */
  private readonly charts = new Map<string, Map<string, TenantChart>>();
  private readonly stacks = new Map<string, EnvironmentStack>();
  private readonly sharded = new Map<string, ShardedEnvironment>();
  private readonly observability = new Map<string, ObservabilityStack>();
  private readonly network?: TenantNetworkProps;
  private readonly backup?: PlatformBackupProps;
  private readonly workflowOptions?: WorkflowOptions;
  private readonly policy: PlatformPolicyProps;
  /** The GitHub environments stack, when `github` is set. */
  public readonly githubEnvironments?: GitHubEnvironmentsStack;

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
      const withVolumes = env.tenants.filter(t => t.volumes.length > 0).map(t => t.id);
      if (env.environmentClass.backup.enabled && withVolumes.length > 0 && !props.backup?.volumeSnapshots) {
        problems.add('backup.volumeSnapshots', `is missing, but environment "${env.name}" (class ${env.environmentClass.name}) backs up and tenants ${withVolumes.join(', ')} have volumes`, undefined,
          'pass backup.volumeSnapshots: { image, apiServerEgress } so that their volumes are snapshotted on the backup schedule (issue 23)');
      }
      const sharding = props.sharding?.[env.name];
      if (sharding) {
        const count = Number.isInteger(sharding.shardCount) && sharding.shardCount > 0 ? sharding.shardCount : 0;
        for (const { stack: stackName } of terraformStackLayout(env.name, env.workspace, count).slice(1)) {
          if (envs.some(e => e.name === stackName)) problems.add('environments', `names environment "${stackName}", a Terraform stack of sharded environment "${env.name}"`, stackName, 'rename that environment');
        }
      }
      if (props.github && env.name === GITHUB_STACK) {
        problems.add('environments', 'names the Terraform stack of the GitHub environments', env.name, 'rename that environment');
      }
      if (env.tenants.some(t => t.id === PLATFORM_CHART)) {
        problems.add(`environments[${env.name}].tenants`, 'uses the reserved id of the environment-wide chart', PLATFORM_CHART, 'rename the tenant');
      }
    }
    for (const name of Object.keys(props.sharding ?? {})) {
      if (!names.has(name)) problems.add(`sharding.${name}`, 'is not an environment of this platform', name, `use one of ${[...names].join(', ')}`);
    }
    problems.throwIfAny();

    this.environments = [...envs];
    this.outdir = props.outdir ?? 'dist';
    // The inventory, the decommission plans and the workflows follow the Platform's sharding.
    this.workflowOptions = { ...props.workflows, sharding: props.sharding ?? props.workflows?.sharding };
    this.policy = props.policy ?? {};
    if (props.github) {
      const plan = problems.capture(() => planGitHubEnvironments(envs, this.workflowOptions ?? {}, props.github!));
      problems.throwIfAny();
      this.githubEnvironments = new GitHubEnvironmentsStack(this, GITHUB_STACK, { plan: plan! });
    }
    this.network = props.network;
    this.backup = props.backup;
    for (const env of envs) {
      const app = new App({ outdir: path.join(this.outdir, 'k8s', env.name) });
      this.apps.set(env.name, app);
      this.tenants.set(env.name, new Map(env.tenants.map(t => [t.id, t])));
      this.charts.set(env.name, new Map());
      const platformChart = new Chart(app, PLATFORM_CHART, { disableResourceNameHashes: true });
      this.observability.set(env.name, new ObservabilityStack(platformChart, 'Observability', { ...props.observability, environment: env }));
      // Production and every GitOps-only environment that mirrors it (staging) are immutable alike (parity).
      if (props.immutableProduction && env.environmentClass.mutability === Mutability.GITOPS_ONLY) {
        new ImmutableProductionPolicy(platformChart, 'ImmutableProduction', { ...props.immutableProduction, environment: env });
      }
      // Classes that upgrade through Argo CD: one Application per tenant module (Terraform leaves the modules alone).
      if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) {
        for (const tenant of env.tenants.filter(t => t.modules.length > 0)) {
          new ArgoCdTenantProject(platformChart, `Project-${tenant.id}`, { environment: env, tenant, naming: props.workflows });
          for (const m of tenant.modules) {
            new ArgoCdApplication(platformChart, `App-${tenant.id}-${m.name}`, { environment: env, tenant, module: m.name, naming: props.workflows });
          }
        }
      }
      const sharding = props.sharding?.[env.name];
      if (sharding) {
        const sharded = new ShardedEnvironment(this, { environment: env, sharding });
        this.sharded.set(env.name, sharded);
        this.stacks.set(env.name, sharded.base);
      } else {
        this.stacks.set(env.name, new EnvironmentStack(this, env.name, { environment: env }));
      }
      // Tenant charts are built when synth() writes them (or when asked for), one at a time, so that memory does not
      // hold thousands of them at once (docs/performance.md). Settings that cannot work for any tenant fail here.
      this.probeTenantCharts(env);
    }
  }

  /** The cdk8s App holding an environment's charts (add your own charts to it). */
  public manifestsOf(environmentName: string): App {
    return this.lookup(this.apps, environmentName);
  }

  /** The Terraform stack of an environment; for a sharded environment its base stack (see `shardingOf`). */
  public stackOf(environmentName: string): EnvironmentStack {
    return this.lookup(this.stacks, environmentName);
  }

  /**
   * The stacks of a sharded environment (base, shards, charts; `stacks` in apply order), or undefined when the
   * environment has one stack (`stackOf`).
   */
  public shardingOf(environmentName: string): ShardedEnvironment | undefined {
    this.lookup(this.stacks, environmentName);
    return this.sharded.get(environmentName);
  }

  /** The Terraform stack that holds a tenant's Vault resources and releases: the environment's stack or the tenant's shard. */
  public tenantStackOf(environmentName: string, tenantId: string): EnvironmentStack {
    const stack = this.lookup(this.stacks, environmentName);
    if (!this.tenants.get(environmentName)!.has(tenantId)) {
      new Problems(this.node.path)
        .add('tenantId', `is not a tenant of environment "${environmentName}"`, tenantId, 'use one of the ids passed in the environment\'s tenants')
        .throwIfAny();
    }
    return this.sharded.get(environmentName)?.stackForTenant(tenantId) ?? stack;
  }

  /** The ObservabilityStack of an environment. */
  public observabilityOf(environmentName: string): ObservabilityStack {
    return this.lookup(this.observability, environmentName);
  }

  /**
   * The BackupSchedules of an environment (empty when its class does not back up). Builds every tenant chart of the
   * environment and keeps it until synth, like `tenantChart`.
   */
  public backupsOf(environmentName: string): BackupSchedule[] {
    return [...this.lookup(this.tenants, environmentName).keys()]
      .map(id => this.tenantChart(environmentName, id).node.tryFindChild(BACKUP_ID))
      .filter((b): b is BackupSchedule => b instanceof BackupSchedule);
  }

  /**
   * The chart of one tenant in one environment, to inspect or extend before `synth()`. Tenant charts are otherwise
   * built during `synth()`, written and dropped one at a time; a chart asked for here is built now and kept (with its
   * BackupSchedule and that schedule's Vault access), and `synth()` writes it as it is then.
   */
  public tenantChart(environmentName: string, tenantId: string): TenantChart {
    const charts = this.lookup(this.charts, environmentName);
    const env = this.stacks.get(environmentName)!.environment;
    const tenant = this.tenants.get(environmentName)!.get(tenantId);
    if (!tenant) {
      const problems = new Problems(this.node.path);
      problems.add('tenantId', `is not a tenant of environment "${environmentName}"`, tenantId, 'use one of the ids passed in the environment\'s tenants');
      problems.throwIfAny();
    }
    let chart = charts.get(tenantId);
    if (!chart) {
      chart = this.buildTenantChart(env, tenant!, this.apps.get(environmentName)!);
      charts.set(tenantId, chart);
    }
    return chart;
  }

  /**
   * A tenant's chart in `app`: its TenantNamespace and, where the class backs up and the tenant has a database, its
   * BackupSchedule, whose ServiceAccount gets its own Vault role and read-only database roles (dump and drill) in the
   * tenant's stack, once (the same resources whenever the chart is built).
   */
  private buildTenantChart(env: Environment, tenant: Tenant, app: App): TenantChart {
    const chart = new TenantChart(app, tenant.id, { environment: env, tenant, network: this.network });
    const backup = this.backup;
    if (backup?.volumeSnapshots && env.environmentClass.backup.enabled && tenant.volumes.length > 0) {
      new VolumeSnapshotSchedule(chart, 'VolumeSnapshots', { ...backup.volumeSnapshots, environment: env, tenant });
    }
    if (backup && env.environmentClass.backup.enabled && tenant.database) {
      const b = new BackupSchedule(chart, BACKUP_ID, { ...backup, vaultEgress: backup.vaultEgress ?? this.network?.vault, environment: env, tenant });
      const vault = this.tenantStackOf(env.name, tenant.id).vault;
      if (!vault.tenantResources(tenant.id).backupAccess) {
        withoutTokenStackTraces(() => vault.addBackupAccess(tenant.id, {
          serviceAccountName: b.serviceAccountName,
          roleName: b.vaultRole,
          secretPaths: b.vaultSecretPaths,
          activeDeadlineSeconds: Math.max(b.activeDeadlineSeconds, b.restoreDrillActiveDeadlineSeconds),
        }));
      }
    }
    return chart;
  }

  /**
   * Build, in a scratch App, one tenant chart per quota profile, state and database setting in use, so that settings
   * a tenant chart cannot be built with (backup image, stores, schedules, sizes against the quota, the backup's Vault
   * access) fail at construction rather than at synth. Only the Vault access of those tenants stays (it is the same
   * whenever their chart is built).
   */
  private probeTenantCharts(env: Environment): void {
    const seen = new Map<QuotaProfile | undefined, Set<string>>();
    for (const tenant of env.tenants) {
      const kinds = seen.get(tenant.quota) ?? new Set<string>();
      const kind = `${tenant.database} ${tenant.state}`;
      if (kinds.has(kind)) continue;
      seen.set(tenant.quota, kinds.add(kind));
      this.buildTenantChart(env, tenant, new App({ outdir: this.outdir }));
    }
  }

  /**
   * Write the Kubernetes manifests (one folder per environment), the tenant charts Terraform installs, and the
   * Terraform stacks. Call it once, instead of the cdktf App's `synth()`.
   */
  public synth(): PlatformSynthesis {
    const files: string[] = [];
    let documentCount = 0;
    // The policy pack gets the manifests as they are written (the same values, no YAML read back and parsed again).
    const policyInput = this.policy.enabled === false ? undefined : new PolicyInput();
    const inMemory = new Set<string>();
    const inMemoryDigests = new Set<string>();
    for (const env of this.environments) {
      const app = this.apps.get(env.name)!;
      fs.rmSync(app.outdir, { recursive: true, force: true });
      const stack = this.stacks.get(env.name)!;
      // One chart at a time: its YAML is rendered once, for the manifest file and the local chart alike.
      let platform: WrittenChart | undefined;
      const visit = (chart: WrittenChart) => {
        const file = path.join(app.outdir, chart.fileName);
        files.push(file);
        documentCount += chart.documents.length;
        if (policyInput) {
          contentsOf(policyInput).addKubernetesDocuments(env.name, file, chart.documents);
          // Terraform copies the local charts (with these manifests) into its stack assets: known, not read again.
          inMemoryDigests.add(textDigest(chart.yaml));
        }
        if (TenantChart.isTenantChart(chart.chart)) {
          const tenant = chart.chart.tenant;
          const chartDir = path.join(this.outdir, 'charts', env.name, tenant.id);
          // The chart's manifests are the manifest file's bytes: a hard link, not a second copy.
          inMemory.add(path.join(chartDir, 'manifests', 'tenant.yaml'));
          writeLocalChart(chartDir, {
            name: 'tenant-base',
            description: `Base objects of tenant ${tenant.id} in environment ${env.name}`,
            documents: chart.documents,
            manifests: chart.yaml,
            manifestsFile: file,
          });
          this.tenantStackOf(env.name, tenant.id).addTenantBase(tenant, chartDir);
        } else if (chart.chart.node.id === PLATFORM_CHART && chart.chart.node.scope === app) {
          platform = chart;
        }
      };
      const kept = this.charts.get(env.name)!;
      if (hasChartDependencies(app)) {
        // Stock cdk8s numbers the files of apps with chart dependencies: build every chart and write them together.
        for (const id of this.tenants.get(env.name)!.keys()) this.tenantChart(env.name, id);
        writeChartsEach(app, visit);
      } else {
        // Tenant after tenant: build (unless kept), write, drop. Then the environment-wide chart and any others.
        for (const t of this.tenants.get(env.name)!.values()) {
          const chart = kept.get(t.id) ?? this.buildTenantChart(env, t, app);
          visit(writeChart(chart, app.outdir));
          if (!kept.has(t.id)) app.node.tryRemoveChild(t.id);
        }
        writeChartsEach(app, visit, app.outdir, c => !(TenantChart.isTenantChart(c) && kept.get(c.tenant.id) === c));
      }
      // Environment-wide objects (rules, monitors, dashboards) install after every tenant base.
      const platformDir = path.join(this.outdir, 'charts', env.name, PLATFORM_CHART);
      inMemory.add(path.join(platformDir, 'manifests', 'tenant.yaml'));
      writeLocalChart(platformDir, {
        name: 'environment-platform',
        description: `Environment-wide objects of environment ${env.name}`,
        documents: platform!.documents,
        manifests: platform!.yaml,
        manifestsFile: path.join(app.outdir, platform!.fileName),
      });
      // A sharded environment installs it with its chart stack, applied after every shard.
      const chartStack = this.sharded.get(env.name)?.charts ?? stack;
      chartStack.addEnvironmentChart(PLATFORM_CHART, platformDir, this.observability.get(env.name)!.monitoringNamespace);
    }
    withoutTokenStackTraces(() => synthTerraform(this));

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

    // Guardrails over everything written: errors fail the synth; the report lists every rule evaluated.
    const policyReportFile = policyInput ? this.checkPolicies(policyInput, workflowDir, inMemory, inMemoryDigests) : undefined;
    return { manifestFiles: files.sort(), documentCount, inventoryFile, workflowFiles, policyReportFile };
  }

  private checkPolicies(input: PolicyInput, workflowDir: string, inMemory: ReadonlySet<string>, knownDigests: Set<string>): string {
    // Everything else is read back from the output: stacks, workflows and the local charts (whose manifests are
    // the manifest files' bytes, already in the input).
    // A sharded environment's stacks (base, shards, charts) are all that environment's Terraform.
    const environmentOfStack = new Map<string, string>();
    for (const [name, sharded] of this.sharded) for (const stack of sharded.stacks) environmentOfStack.set(stack.node.id, name);
    readOutputFolders(input, {
      stacks: path.join(terraformOutdir(this), 'stacks'),
      environmentOfStack: stack => environmentOfStack.get(stack) ?? stack,
      workflows: workflowDir,
      texts: [path.join(this.outdir, 'charts')],
      skip: inMemory,
      knownDigests,
    });
    for (const env of this.environments) input.addEnvironment(env);
    const report = PolicyPack.default().evaluate(input, this.policy.acknowledgements ?? []);
    const file = writePolicyReport(this.outdir, report);
    assertPolicyCompliance(report);
    if (this.policy.parity !== false) {
      const of = (kind: LifecycleKind) => this.environments.filter(e => e.environmentClass.lifecycle === kind);
      for (const prod of of(LifecycleKind.PERMANENT)) {
        for (const staging of of(LifecycleKind.PERSISTENT)) {
          // One of the two sharded: its tenants' resources cannot depend on the base stack's, so depends_on differs.
          const allowances = this.sharded.has(prod.name) !== this.sharded.has(staging.name) ? [SHARDED_DEPENDS_ON] : [];
          EnvironmentParity.compare(input, prod.name, staging.name, { allowances }).assertParity();
        }
      }
    }
    return file;
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

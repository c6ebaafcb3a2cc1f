import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ParityPair, pruneToPart, SynthesisPartFiles, writePartDigest } from './shard-synth';
import { StagedOutput } from './staged-output';
import { CacheEntry, canonical, filesBelow, SynthesisCache, SynthesisCacheOptions } from './synthesis-cache';
import { admissionPolicyApiVersion, ImmutableProductionOptions, ImmutableProductionPolicy } from '../k8s/admission-policy';
import { ArgoCdApplication, migrationHookPath } from '../k8s/argocd-application';
import { MigrationHookKind, SchemaMigrationHook } from '../k8s/argocd-migration-hook';
import { ArgoCdTenantProject } from '../k8s/argocd-project';
import { ArgoCdProjectGuard } from '../k8s/argocd-project-policy';
import { BackupPriorityClass } from '../k8s/backup-priority-class';
import { BackupSchedule } from '../k8s/backup-schedule';
import { writeLocalChart } from '../k8s/helm-chart';
import { ObservabilityOptions, ObservabilityStack } from '../k8s/observability-stack';
import { apiObjectsJson } from '../k8s/pre-write';
import { setProblemPathPrefix } from '../k8s/problem-path';
import { hasChartDependencies, writeChart, writeChartsEach, WrittenChart } from '../k8s/synth';
import { TenantChart } from '../k8s/tenant-chart';
import { TenantIngressHostOptions, TenantIngressPolicy } from '../k8s/tenant-ingress-policy';
import { checkTenantNetwork, TenantNetworkProps } from '../k8s/tenant-namespace';
import { TenantServicePolicy } from '../k8s/tenant-service-policy';
import { ITenantWorkloadBuilder, TenantWorkload } from '../k8s/tenant-workload';
import { checkVolumeSnapshotTools, VolumeSnapshotSchedule } from '../k8s/volume-snapshot-schedule';
import { GitHubEnvironmentsProps, planGitHubEnvironments } from '../lifecycle/github-environments';
import { buildInventory, writeInventory } from '../lifecycle/inventory';
import { collectPrerequisites, ManifestPrerequisiteRecords, ManifestPrerequisites, StackPrerequisites, withPrerequisites } from '../lifecycle/prerequisites';
import { renderWorkflows, WorkflowOptions } from '../lifecycle/workflows';
import { BackupDatabaseProps, BackupObjectStoreProps, TenantBackupPlan, tenantHasBackup } from '../model/backup-plan';
import { ciVaultRoles, previewVaultHost } from '../model/ci-access';
import { EgressTarget } from '../model/egress-target';
import { Environment } from '../model/environment';
import { LifecycleKind, Mutability, UpgradeStrategy } from '../model/environment-class';
import { ContainerImage } from '../model/image';
import { addInputSecretProblems } from '../model/input-secrets';
import { KubernetesVersion } from '../model/kubernetes-version';
import { migrationNames } from '../model/migration-names';
import { LifecycleNames } from '../model/names';
import { LifecycleValidationError, Problems } from '../model/problems';
import { TenantShardingProps, terraformStackLayout } from '../model/sharding';
import { SynthesisShard } from '../model/synthesis-shard';
import { Tenant, TenantState } from '../model/tenant';
import { workloadsIn } from '../model/tenant-workload';
import { OutputLayout } from '../output/layout';
import { contentsOf } from '../policy/contents';
import { TENANT_POLICY_FRAGMENT_FORMAT, TenantOutputFile, TenantPolicyFragment, tenantListDigest } from '../policy/fragment';
import { PolicyInput } from '../policy/input';
import { readOutputFolders, textDigest } from '../policy/output-files';
import { PolicyPack, PolicyReport } from '../policy/pack';
import { EnvironmentParity } from '../policy/parity';
import { writePolicyReport } from '../policy/report-file';
import { Acknowledgement } from '../policy/types';
import { reportUncaughtProblemsToCdktfCli, runByCdktfCli, writeFailedSynthManifest } from '../tf/cdktf-cli';
import { CiVaultAuth } from '../tf/ci-vault-auth';
import { EnvironmentStack, withoutTokenStackTraces } from '../tf/environment-stack';
import { GitHubEnvironmentsStack } from '../tf/github-environments';
import { terraformElementsJson, terraformElementsOf } from '../tf/pre-write';
import { PreviewVaultHost } from '../tf/preview-vault-host';
import { ShardedEnvironment } from '../tf/sharding';
import { ObjectStorageOptions } from '../tf/tenant-object-store';
import { synthTerraform, terraformOutdir } from '../tf/terraform-app';

// Under the cdktf CLI, a model mistake thrown before any Platform exists (`new Environment({...})` in main.ts) is
// reported like the Platform's own synthesis problems: once each (src/tf/cdktf-cli.ts). Nothing happens elsewhere.
reportUncaughtProblemsToCdktfCli();

/** The network of an environment: `network`, with the fields of its `environmentNetworks` entry over it. */
/** A digest of a value's canonical JSON (the policy settings a cached tenant policy result was computed under). */
function canonicalDigest(value: unknown): string {
  return crypto.createHash('sha256').update(canonical(value)).digest('hex');
}

function networkOf(props: PlatformProps, environmentName: string): TenantNetworkProps | undefined {
  const own = props.environmentNetworks?.[environmentName];
  return own === undefined ? props.network : { ...props.network, ...own };
}

/**
 * The database a backup reaches in an environment: where `environmentNetworks` gives the environment its own database
 * target, the backup pods reach that one (issue 21, path 6), not the platform-wide `backup.database.egress`.
 */
function backupDatabaseOf(backup: PlatformBackupProps, props: PlatformProps, environmentName: string): BackupDatabaseProps {
  const own = props.environmentNetworks?.[environmentName]?.database;
  return own === undefined ? backup.database : { ...backup.database, egress: own };
}

/** Every declared workload has a builder, every builder a declared workload, every workload environment exists. */
function checkWorkloadBuilders(
  problems: Problems, envs: readonly Environment[], builders: { [name: string]: ITenantWorkloadBuilder } | undefined,
): void {
  const declared = new Set<string>();
  for (const env of envs) {
    for (const tenant of env.tenants) {
      for (const w of tenant.workloads) {
        declared.add(w.name);
        for (const name of w.environments ?? []) {
          if (!envs.some(e => e.name === name)) problems.add(`environments[${env.name}].tenants[${tenant.id}].workloads[${w.name}].environments`, 'names no environment of this platform', name, `use one of ${envs.map(e => e.name).join(', ')}`);
        }
        if (typeof builders?.[w.name]?.buildWorkload !== 'function') {
          problems.add(`workloads.${w.name}`, `is missing, but tenant "${tenant.id}" of environment "${env.name}" declares workload "${w.name}"`, builders?.[w.name], 'pass workloads: { [name]: { buildWorkload(workload) { new kplus.Deployment(workload, ...) } } }');
        }
      }
    }
  }
  for (const name of Object.keys(builders ?? {})) {
    if (!declared.has(name)) problems.add(`workloads.${name}`, 'builds a workload no tenant declares', name, `declare it in a tenant's workloads, or remove the builder (declared: ${[...declared].join(', ') || 'none'})`);
  }
}

/** Whether the clusters serve the beta admission policy API, for the tenant policies. */
function tenantAdmissionBeta(props: PlatformProps): boolean {
  return (props.tenantAdmission?.betaApiEnabled ?? props.immutableProduction?.betaApiEnabled) === true;
}

/** Settings of the admission policies every environment's tenant namespaces get (`PlatformProps.tenantAdmission`). */
export interface TenantAdmissionOptions {
  /**
   * The clusters serve the beta ValidatingAdmissionPolicy API (Kubernetes 1.28 and 1.29 only, see
   * `ImmutableProductionOptions.betaApiEnabled`). Required to target 1.28 or 1.29.
   * @default - `immutableProduction.betaApiEnabled`, else false
   */
  readonly betaApiEnabled?: boolean;
  /**
   * The hosts each tenant's Ingresses may claim (TenantIngressPolicy): `<tenant>.<env>` and, with a `domain`, under it.
   * @default - `{tenant}.{env}` followed by any domain
   */
  readonly ingressHosts?: TenantIngressHostOptions;
}

/** Props of a Platform. */
export interface PlatformProps {
  /** Every environment of the platform, each with its tenants. */
  readonly environments: Environment[];
  /**
   * The Kubernetes release the clusters run, 1.28 to 1.36: the oldest minor version of any cluster of the platform.
   * It picks the API version of every kind written (ValidatingAdmissionPolicy `v1` from 1.30, `v1beta1` on 1.28 and
   * 1.29 only with `immutableProduction.betaApiEnabled`), the Pod Security version labels of tenant namespaces, and the
   * kubectl of the generated workflows (`workflows.kubectlVersion` unless set). See docs/consumers.md.
   * @default KubernetesVersion.DEFAULT (1.35, the oldest release in upstream support in December 2026)
   */
  readonly kubernetesVersion?: KubernetesVersion;
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
   * Network allows of particular environments, by environment name, each field over `network` (a field set here wins).
   * Give non-production environments their own data services, so that a dev or preview pod cannot reach production's
   * database, object store or Vault (issue 21: `allow-data-services` used to admit the same targets everywhere). An
   * environment's `database` here is also what its backup pods reach (over `backup.database.egress`). The policy pack
   * refuses a database target shared by production and any other environment (K52).
   * @default - every environment uses `network`
   */
  readonly environmentNetworks?: { [environmentName: string]: TenantNetworkProps };
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
   * The object store of the tenants' prefixes (`<bucket>/<env>/<tenant>/`): each environment's Terraform stack creates
   * the MinIO user, policy and Vault keys of every tenant with `objectStorage` (issue 23; docs/outputs.md).
   * @default - the bucket of `backup.tenantObjects` when set; otherwise no object-store users are created
   */
  readonly objectStorage?: ObjectStorageOptions;
  /**
   * Settings of the generated GitHub Actions workflows (`dist/workflows/`) and of the names the lifecycle inventory
   * and decommission plans use. Their `sharding` is the Platform's `sharding` when that is set.
   * @default - the WorkflowOptions defaults
   */
  readonly workflows?: WorkflowOptions;
  /**
   * Guardrails run over everything synthesized (docs/policies.md): policy errors fail the synth unless
   * acknowledged with a reason, and the report is written to `<outdir>/policy-report.json`.
   * @default - every rule, no acknowledgements, staging-vs-production parity checked
   */
  readonly policy?: PlatformPolicyProps;
  /**
   * Make production namespaces immutable with a ValidatingAdmissionPolicy (spec §1): only the GitOps/Terraform
   * identities write, plus an audited break-glass group. Applies to every GitOps-only class, so staging, which mirrors
   * production, is guarded the same way. Written as `admissionregistration.k8s.io/v1` (Kubernetes 1.30+); targets 1.28
   * and 1.29 serve only the beta API, off by default, and need `betaApiEnabled: true` once the clusters enable it.
   * @default - no admission policy
   */
  readonly immutableProduction?: ImmutableProductionOptions;
  /**
   * Admission policies over every environment's tenant namespaces (TenantServicePolicy: no `ExternalName` Services,
   * no `spec.externalIPs`; TenantIngressPolicy: Ingresses claim only the tenant's own hosts). Always written; on
   * Kubernetes 1.28 and 1.29 they need the beta API.
   * @default - written as the Kubernetes target requires, beta API as `immutableProduction.betaApiEnabled`
   */
  readonly tenantAdmission?: TenantAdmissionOptions;
  /**
   * Environments whose Terraform is spread over shards, by environment name (docs/performance.md "Sharding"): a base
   * stack with the environment-wide Vault resources (workspace `<workspace>`), tenant shards
   * (`<workspace>-shard-NN`, a stable hash assignment) and the environment charts (`<workspace>-charts`), applied in
   * that order. The Kubernetes output does not change.
   * @default - every environment in one stack
   */
  readonly sharding?: { [environmentName: string]: TenantShardingProps };
  /**
   * Where Argo CD reads the migration hooks of modules that declare a migration (`TenantModuleProps.migration`).
   * `synth()` renders them to `<outdir>/argocd-hooks/<env>/<tenant>/<module>/`; commit that folder to `repoUrl`.
   * @default - none; required as soon as an environment that upgrades through Argo CD has such a module
   */
  readonly migrationHooks?: PlatformMigrationHooksProps;
  /**
   * The GitHub environments the generated workflows use (approval gates with required reviewers, production,
   * credentials), created by Terraform in the stack `github-environments` (workspace `inopsio-github-environments`), so that the
   * gates exist whenever the workflows do (issue 23). Without it the policy pack refuses every destroying job (G01):
   * an approval environment nobody created has no reviewers.
   * @default - no GitHub environments are generated
   */
  readonly github?: GitHubEnvironmentsProps;
  /**
   * The builders of the tenants' cdk8s-plus workloads, by workload name (`TenantProps.workloads`): each builds its
   * workload in every tenant chart that runs it, and the library wires it (Vault, monitoring, quota, suspension;
   * docs/consumers.md). Every declared workload needs a builder.
   * @default - no builders (then no tenant may declare a workload)
   */
  readonly workloads?: { [workloadName: string]: ITenantWorkloadBuilder };

  /**
   * Synthesize one part of a horizontally split synthesis (docs/performance.md "Horizontal synthesis"): only the
   * tenants of this part are built, `synth()` writes only this part's files and a policy digest instead of the policy
   * report, and `mergeSynthesisParts` (the final CI job) merges the digests of all parts. Read at construction, so
   * that no other part's tenant is constructed.
   * @default - `SynthesisShard.fromEnvironment()`: the part `INOPSIO_SHARD=i/n` names, else the whole platform
   */
  readonly synthesisShard?: SynthesisShard;

  /**
   * Incremental synthesis (docs/performance.md "Incremental synthesis"): a cache folder where `synth()` keeps each
   * tenant's files and Terraform blocks under a key of everything that reaches them (the tenant, its environment, the
   * library and these props); a later Platform with the same folder builds only the tenants whose key changed and
   * copies the others back (each file checked against its digest), for the same output byte for byte. Not used in a
   * part of a split synthesis (`synthesisShard`).
   * @default - the folder named by `INOPSIO_SYNTH_CACHE`; unset or empty: no cache
   */
  readonly synthesisCache?: SynthesisCacheOptions;
}

/** The git source of the rendered migration hooks (the second source of each migrating module's Application). */
export interface PlatformMigrationHooksProps {
  /** Git repository holding the committed `<outdir>/argocd-hooks/` folder (the platform repository). */
  readonly repoUrl: string;
  /** A tag or commit of that repository (not a moving branch in production). */
  readonly targetRevision: string;
  /**
   * Folder of `argocd-hooks/` in that repository.
   * @default - the Platform's outdir ('dist')
   */
  readonly pathPrefix?: string;
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
  /**
   * The PostgreSQL server of the tenant databases (each tenant's database is named after it unless set). Its `egress`
   * is replaced, per environment, by that environment's `environmentNetworks.<env>.database` where one is set.
   */
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
  /**
   * The problems of a failed synthesis, reported to the cdktf CLI instead of thrown (see `Platform.synth()`); when
   * set, nothing was written and the other fields are empty.
   * @default - none: the synthesis succeeded
   */
  readonly problems?: string[];
  /** Manifest files written, relative to the working directory, sorted. */
  readonly manifestFiles: string[];
  /** Number of Kubernetes documents written. */
  readonly documentCount: number;
  /** The lifecycle inventory file (`<outdir>/lifecycle.json`). */
  readonly inventoryFile: string;
  /** Workflow files written under `<outdir>/workflows/`, sorted. */
  readonly workflowFiles: string[];
  /**
   * The policy report (`<outdir>/policy-report.json`), unless the policy pack is turned off; for a part of a split
   * synthesis, its policy digest (`<outdir>/synthesis-parts/part-<i>-of-<n>.json`), which `SynthesisParts.merge` reads.
   */
  readonly policyReportFile?: string;
}

/** What `writeManifests` wrote into the staging folder, and what the policy pack gets from it in memory. */
interface WrittenManifests {
  readonly files: string[];
  readonly documentCount: number;
  readonly policyInput?: PolicyInput;
  /** The pack that checked each tenant's output as it was written, and checks the rest. */
  readonly policyPack?: PolicyPack;
  /** Staged files whose content is already in the policy input. */
  readonly inMemory: Set<string>;
  readonly inMemoryDigests: Set<string>;
  /** What the written manifest files declare for the prerequisites, from their documents (not parsed back). */
  readonly prerequisites: ManifestPrerequisites;
  /** Problems building tenant releases and environment charts. */
  readonly buildProblems: number;
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
  /** The Kubernetes release the output targets. */
  public readonly kubernetesVersion: KubernetesVersion;
  private readonly apps = new Map<string, App>();
  /** The tenants of each environment when the Platform was created, by id, in order. */
  private readonly tenants = new Map<string, Map<string, Tenant>>();
  /** Tenant charts built before synth (tenantChart, backupsOf), by environment and tenant id; the rest are built at synth. */
  private readonly charts = new Map<string, Map<string, TenantChart>>();
  private readonly stacks = new Map<string, EnvironmentStack>();
  private readonly sharded = new Map<string, ShardedEnvironment>();
  /** The environment whose stack holds the previews' shared Vault mounts and policies (`PreviewVaultHost`), if any. */
  private previewHost?: string;
  private readonly observability = new Map<string, ObservabilityStack>();
  private readonly networks: Map<string, TenantNetworkProps | undefined>;
  /** How tenant volumes are snapshotted, when `backup.volumeSnapshots` is set. */
  private readonly volumeSnapshots?: PlatformVolumeSnapshotProps;
  /** The builders of the tenants' cdk8s-plus workloads, by workload name. */
  private readonly workloadBuilders: { [workloadName: string]: ITenantWorkloadBuilder };
  /** The checked backup plan of every tenant that is backed up, by environment and tenant id. */
  private readonly backupPlans = new Map<string, Map<string, TenantBackupPlan>>();
  private readonly workflowOptions?: WorkflowOptions;
  private readonly objectStorage?: ObjectStorageOptions;
  /** Where each output goes (docs/outputs.md); the cdktf side is the App's outdir. */
  private readonly layout: OutputLayout;
  /** The names every part follows (resolved once from `workflows`). */
  private readonly names: LifecycleNames;
  private readonly policy: PlatformPolicyProps;
  /** The Terraform elements the Platform built from its (checked) props; synth checks only the others before writing. */
  private readonly builtTerraform: Set<IConstruct>;
  /** The GitHub environments stack, when `github` is set. */
  public readonly githubEnvironments?: GitHubEnvironmentsStack;
  /** The part of a horizontally split synthesis this Platform writes; undefined for the whole platform. */
  public readonly synthesisShard?: SynthesisShard;
  /** The synthesis cache, when one is used (incremental synthesis). */
  private readonly cache?: SynthesisCache;
  /** Tenants taken from the cache (not built), by environment and tenant id. */
  private readonly cached = new Map<string, Map<string, CacheEntry>>();
  /** Each built tenant's manifest file: its documents and what they declare for the inventory, by environment and tenant id. */
  private readonly builtDocuments = new Map<string, { count: number; prerequisites: ManifestPrerequisiteRecords }>();
  /**
   * The seam for per-tenant policy results (issue 20 item 2): a result set here for a built tenant is stored with its
   * entry, and a cached tenant's is in `cached`'s entry (`CacheEntry.policy`), handed back to the pack when still valid
   * (`reusablePolicy`); otherwise it is computed again from the entry's documents.
   */
  private readonly tenantPolicyResults = new Map<string, unknown>();

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    const envs = props.environments ?? [];
    if (envs.length === 0) {
      problems.add('environments', 'is empty', envs, 'declare at least one Environment');
    }
    const names = new Set<string>();
    const workspaces = new Set<string>();
    const objectStorage = resolveObjectStorage(problems, props);
    for (const env of envs) {
      if (names.has(env.name)) problems.add('environments', 'lists an environment name twice (B03)', env.name, 'give each environment a unique name');
      if (workspaces.has(env.workspace)) problems.add('environments', 'gives two environments the same Terraform workspace (B03)', env.workspace, 'set a unique workspace per environment');
      names.add(env.name);
      workspaces.add(env.workspace);
      const backedUp = env.tenants.filter(t => tenantHasBackup(env, t, objectStorage !== undefined));
      if (!props.backup && backedUp.length > 0) {
        const what = backedUp.some(t => t.database) ? 'its tenant databases' : `the objects of its tenants without a database (${backedUp.map(t => t.id).join(', ')})`;
        problems.add('backup', `is missing, but environment "${env.name}" (class ${env.environmentClass.name}) backs up ${what}`, undefined, 'pass backup: { image, database, primaryStore, offsiteStore } (spec §10, B11)');
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
    for (const env of envs) {
      const migrating = env.tenants.flatMap(t => t.modules.filter(m => m.migration).map(m => `${t.id}/${m.name}`));
      if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD && migrating.length > 0 && !props.migrationHooks) {
        problems.add('migrationHooks', `is missing, but environment "${env.name}" upgrades through Argo CD and modules declare migrations (${migrating.join(', ')})`, undefined,
          'pass migrationHooks: { repoUrl, targetRevision } and commit <outdir>/argocd-hooks/ there (Argo CD runs hooks only from an Application source)');
      }
    }
    for (const name of Object.keys(props.sharding ?? {})) {
      if (!names.has(name)) problems.add(`sharding.${name}`, 'is not an environment of this platform', name, `use one of ${[...names].join(', ')}`);
    }
    // The inventory, the decommission plans and the workflows follow the Platform's sharding.
    // Their kubectl follows the Kubernetes target.
    const target = props.kubernetesVersion ?? KubernetesVersion.DEFAULT;
    const workflowOptions = {
      ...props.workflows,
      sharding: props.sharding ?? props.workflows?.sharding,
      defaultBranch: props.workflows?.defaultBranch ?? props.github?.defaultBranch,
      kubectlVersion: props.workflows?.kubectlVersion ?? (KubernetesVersion.isKubernetesVersion(target) ? target.kubectlVersion : undefined),
      // The backup tools image has mc: the decommission workflow empties the tenants' object prefixes with it.
      objectStoreClientImage: props.workflows?.objectStoreClientImage ?? props.backup?.image,
    };
    // One resolved set of names for every part: Terraform, Argo CD, the inventory, the plans and the workflows.
    const lifecycleNames = problems.capture(() => LifecycleNames.of(workflowOptions));
    // Tenant charts are built when synth() writes them (docs/performance.md): what they are built from is checked
    // here, every tenant's backup plan included, so that one error lists every problem before anything is built.
    checkTenantNetwork(problems, props.network);
    if (props.backup?.volumeSnapshots) checkVolumeSnapshotTools(problems, props.backup.volumeSnapshots, 'backup.volumeSnapshots.');
    for (const [name, net] of Object.entries(props.environmentNetworks ?? {})) {
      if (!envs.some(e => e.name === name)) {
        problems.add(`environmentNetworks.${name}`, 'names no environment of this platform', name, `use one of ${envs.map(e => e.name).join(', ')}`);
      } else {
        checkTenantNetwork(problems, { ...props.network, ...net }, `environmentNetworks.${name}`);
      }
    }
    if (props.backup) {
      for (const env of envs.filter(e => e.environmentClass.backup.enabled)) {
        const plans = new Map<string, TenantBackupPlan>();
        // Tenants with objects and no database too: their backup is their objects (the plan leaves the database out).
        for (const tenant of env.tenants.filter(t => tenantHasBackup(env, t, props.backup?.tenantObjects !== undefined))) {
          const planProblems = new Problems(`${this.node.path}/${env.name}/Tenant-${tenant.id}/${BACKUP_ID}`);
          const vaultEgress = props.backup.vaultEgress ?? networkOf(props, env.name)?.vault;
          const database = tenant.database ? backupDatabaseOf(props.backup, props, env.name) : undefined;
          const plan = TenantBackupPlan._check(planProblems, { ...props.backup, database, vaultEgress, environment: env, tenant });
          problems.addAll(planProblems.all);
          if (plan) plans.set(tenant.id, plan);
        }
        this.backupPlans.set(env.name, plans);
      }
    }
    if (!KubernetesVersion.isKubernetesVersion(target)) {
      problems.add('kubernetesVersion', 'is not a KubernetesVersion', target, 'use e.g. KubernetesVersion.V1_35 or KubernetesVersion.of(\'1.35\')');
    } else {
      // Once for the platform, not once per environment.
      let refused = false;
      if (props.immutableProduction && envs.some(e => e.environmentClass.mutability === Mutability.GITOPS_ONLY)) {
        const picked = admissionPolicyApiVersion(target, props.immutableProduction.betaApiEnabled === true, 'immutableProduction.betaApiEnabled');
        if (typeof picked !== 'string') problems.add('kubernetesVersion', picked.problem, target.name, picked.fix);
        refused = typeof picked !== 'string';
      }
      // Its opt-in defaults to immutableProduction's: one problem when that one is missing.
      if (envs.length > 0 && !refused) {
        const picked = admissionPolicyApiVersion(target, tenantAdmissionBeta(props), 'tenantAdmission.betaApiEnabled', 'the tenant Service policy');
        if (typeof picked !== 'string') problems.add('kubernetesVersion', picked.problem, target.name, picked.fix);
      }
    }
    checkWorkloadBuilders(problems, envs, props.workloads);
    // The GitHub environments of the workflows (their gates), checked with everything else.
    const part = problems.capture(() => props.synthesisShard ?? SynthesisShard.fromEnvironment());
    const githubPlan = props.github ? problems.capture(() => planGitHubEnvironments(envs, workflowOptions, props.github!)) : undefined;
    // No literal secret in any input (module values, stores, endpoints, annotations, workflow settings...), before
    // anything is built or written (issue 15).
    addInputSecretProblems(problems, props, '');
    problems.throwIfAny();

    this.environments = [...envs];
    this.outdir = props.outdir ?? 'dist';
    this.layout = OutputLayout.of(this.outdir);
    this.workflowOptions = workflowOptions;
    this.objectStorage = objectStorage;
    this.names = lifecycleNames!;
    this.kubernetesVersion = target;
    this.policy = props.policy ?? {};
    this.synthesisShard = part;
    if (githubPlan) this.githubEnvironments = new GitHubEnvironmentsStack(this, GITHUB_STACK, { plan: githubPlan });
    this.volumeSnapshots = props.backup?.volumeSnapshots;
    this.workloadBuilders = { ...props.workloads };
    this.networks = new Map(envs.map(e => [e.name, networkOf(props, e.name)]));
    // A part of a split synthesis builds its own tenants only: it does not use the cache.
    this.cache = part ? undefined : SynthesisCache.of(props.synthesisCache, props, envs);
    for (const env of envs) {
      const app = new App({ outdir: this.layout.manifestsOf(env.name) });
      // Problems of its constructs are named as the Terraform side names the environment: `<platform>/<env>/...`.
      setProblemPathPrefix(app, `${this.node.path}/${env.name}`);
      this.apps.set(env.name, app);
      this.tenants.set(env.name, new Map(env.tenants.map(t => [t.id, t])));
      this.charts.set(env.name, new Map());
      const platformChart = new Chart(app, PLATFORM_CHART, { disableResourceNameHashes: true });
      this.observability.set(env.name, new ObservabilityStack(platformChart, 'Observability', {
        ...props.observability, environment: env, tenantObjectsBackedUp: props.backup?.tenantObjects !== undefined,
      }));
      // The backup pods' PriorityClass: the only pods a suspended or archived tenant's quota admits (final backups).
      if (env.environmentClass.backup.enabled) new BackupPriorityClass(platformChart, 'BackupPriorityClass', { environment: env });
      // Every environment: tenant Services stay in their namespace (no ExternalName, no externalIPs; issue 21).
      new TenantServicePolicy(platformChart, 'TenantServices', { environment: env, kubernetesVersion: target, betaApiEnabled: tenantAdmissionBeta(props) });
      // ... and their Ingresses claim only the tenant's own hosts (issue 21).
      new TenantIngressPolicy(platformChart, 'TenantIngress', { ...props.tenantAdmission?.ingressHosts, environment: env, kubernetesVersion: target, betaApiEnabled: tenantAdmissionBeta(props) });
      // Production and every GitOps-only environment that mirrors it (staging) are immutable alike (parity).
      if (props.immutableProduction && env.environmentClass.mutability === Mutability.GITOPS_ONLY) {
        new ImmutableProductionPolicy(platformChart, 'ImmutableProduction', { ...props.immutableProduction, environment: env, kubernetesVersion: target });
      }
      // Classes that upgrade through Argo CD: one Application per tenant module (Terraform leaves the modules alone).
      if (env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) {
        // Applications bound to their tenant's project, and the `default` project locked (issue 21).
        // One Argo CD, one `default` project: written locked with the first such environment only (B03).
        const lockDefaultProject = envs.find(e => e.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD) === env;
        new ArgoCdProjectGuard(platformChart, 'ArgoCdProjects', { environment: env, names: this.names, kubernetesVersion: target, betaApiEnabled: tenantAdmissionBeta(props), lockDefaultProject });
        for (const tenant of env.tenants.filter(t => t.modules.length > 0)) {
          new ArgoCdTenantProject(platformChart, `Project-${tenant.id}`, { environment: env, tenant, names: this.names });
          for (const m of tenant.modules) {
            const hooks = m.migration && props.migrationHooks ? {
              repoUrl: props.migrationHooks.repoUrl,
              targetRevision: props.migrationHooks.targetRevision,
              path: path.posix.join(props.migrationHooks.pathPrefix ?? this.outdir, migrationHookPath(env.name, tenant.id, m.name)),
            } : undefined;
            new ArgoCdApplication(platformChart, `App-${tenant.id}-${m.name}`, { environment: env, tenant, module: m.name, names: this.names, migrationHooks: hooks });
          }
        }
      }
      // Tenants whose entry is in the cache are neither built here nor at synth (their files are linked back).
      const hits = new Map<string, CacheEntry>();
      for (const tenant of this.cache ? env.tenants : []) {
        const entry = this.cache!.lookup(env, tenant);
        if (entry) hits.set(tenant.id, entry);
      }
      this.cached.set(env.name, hits);
      const cachedTenants = hits.size > 0 ? [...hits.keys()] : undefined;
      const sharding = props.sharding?.[env.name];
      if (sharding) {
        const constructedShards = part && shardsOfPart(part, sharding.shardCount);
        // Tenants are built when synth() writes them, or when asked for (tenantStackOf, tenantChart): bounded memory.
        const sharded = new ShardedEnvironment(this, {
          environment: env, sharding, names: this.names, objectStorage, constructedShards, cachedTenants, constructTenants: false,
        });
        this.sharded.set(env.name, sharded);
        this.stacks.set(env.name, sharded.base);
      } else {
        // Tenants are built when synth() writes them (a part of a split synthesis other than part 1 writes none of an
        // unsharded environment), or when asked for (tenantStackOf, tenantChart): bounded memory (docs/performance.md).
        const stackProps = { environment: env, names: this.names, objectStorage, constructTenants: false, cachedTenants };
        this.stacks.set(env.name, new EnvironmentStack(this, env.name, stackProps));
      }
      if (githubPlan) addCiVaultAuth(this.stacks.get(env.name)!, env, envs, workflowOptions, props.github!);
      if (previewVaultHost(envs) === env) {
        addPreviewVaultHost(this.stacks.get(env.name)!);
        this.previewHost = env.name;
      }
    }
    this.builtTerraform = terraformElementsOf(this);
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

  /**
   * The Terraform stack that holds a tenant's Vault resources and releases: the environment's stack or the tenant's
   * shard. A tenant's Terraform is otherwise built during `synth()`, resolved and dropped one tenant at a time; a
   * tenant asked for here has its Vault resources built now and kept (like `tenantChart`), so that they can be extended
   * before `synth()`.
   */
  public tenantStackOf(environmentName: string, tenantId: string): EnvironmentStack {
    const stack = this.stackOfTenant(environmentName, tenantId);
    const tenant = this.tenants.get(environmentName)!.get(tenantId)!;
    // Asked for: built, never taken from the cache.
    this.uncache(stack.environment, tenant);
    if (this.writesTenant(environmentName, tenantId)) stack._keepTenant(tenantId, true);
    return stack;
  }

  /** The stack of a tenant, without building or keeping anything. */
  private stackOfTenant(environmentName: string, tenantId: string): EnvironmentStack {
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
      // A chart asked for may be extended before synth: it is built, never taken from the cache, and its tenant's
      // Terraform (its backup access) is kept with it.
      this.tenantStackOf(environmentName, tenantId);
      chart = this.buildTenantChart(env, tenant!, this.apps.get(environmentName)!);
      charts.set(tenantId, chart);
    }
    return chart;
  }

  /**
   * A tenant's chart in `app`: its TenantNamespace and, where the class backs up and the tenant has a database or
   * object storage, its BackupSchedule, whose ServiceAccount gets its own Vault role and (with a database) read-only
   * database roles (dump and drill) in the tenant's stack, once (the same resources whenever the chart is built).
   */
  private buildTenantChart(env: Environment, tenant: Tenant, app: App): TenantChart {
    // The tenant's allow-monitoring admits what the environment's monitors scrape, from where Prometheus runs (W05);
    // values set in PlatformProps.network win (and W05 refuses them if they disagree with the monitors).
    const obs = this.observability.get(env.name)!;
    const own = this.networks.get(env.name);
    const network: TenantNetworkProps = {
      ...own,
      monitoringNamespace: own?.monitoringNamespace ?? obs.monitoringNamespace,
      metricsPortName: own?.metricsPortName ?? obs.metricsPortName,
    };
    const chart = new TenantChart(app, tenant.id, { environment: env, tenant, network, kubernetesVersion: this.kubernetesVersion });
    // Helm classes: migrations are pre-install/pre-upgrade hooks of the tenant base, which Terraform upgrades before
    // the module releases. Suspended and archived tenants run none (their quota admits no hook Job).
    if (env.environmentClass.upgradeStrategy === UpgradeStrategy.HELM && tenant.state === TenantState.ACTIVE) {
      for (const m of tenant.modules.filter(x => x.migration)) {
        new SchemaMigrationHook(chart, `Migrate-${m.name}`, { ...migrationHookProps(env, tenant, m.name), hookKind: MigrationHookKind.HELM_PRE_UPGRADE });
      }
    }
    this.buildWorkloads(chart, env, tenant, network.metricsPortName!);
    if (this.volumeSnapshots && env.environmentClass.backup.enabled && tenant.volumes.length > 0) {
      new VolumeSnapshotSchedule(chart, 'VolumeSnapshots', { ...this.volumeSnapshots, environment: env, tenant });
    }
    // One checked plan (made in the constructor) for both engines: the schedule and its Vault access check nothing again.
    const plan = this.backupPlans.get(env.name)?.get(tenant.id);
    if (plan) {
      BackupSchedule.fromPlan(chart, BACKUP_ID, plan);
      const stack = this.stackOfTenant(env.name, tenant.id);
      // Built now if not yet (not kept: a chart built to be written releases its tenant's Terraform with it); none
      // once released (a chart asked for after synth).
      const tenantVault = stack._tenantVault(tenant.id);
      if (tenantVault && !tenantVault.backupAccess) withoutTokenStackTraces(() => stack.vault.addBackupPlan(plan));
    }
    return chart;
  }

  /** The tenant's cdk8s-plus workloads of this environment: each built by its builder, then wired (issue 19). */
  private buildWorkloads(chart: TenantChart, env: Environment, tenant: Tenant, metricsPortName: string): void {
    for (const w of workloadsIn(env, tenant)) {
      const scope = new TenantWorkload(chart, `Workload-${w.name}`, { environment: env, tenant, workload: w, metricsPortName });
      this.workloadBuilders[w.name].buildWorkload(scope);
      scope.wire();
    }
  }

  /**
   * Write the Kubernetes manifests (one folder per environment), the tenant charts Terraform installs, the Terraform
   * stacks, the lifecycle inventory, the workflows and the policy report. Call it once, instead of the cdktf App's
   * `synth()`.
   *
   * All or nothing: everything is written to temporary folders next to the outdirs and checked there (Helm values,
   * Vault references, the policy pack, staging-versus-production parity); only when every check passed does the new
   * output replace the old one, and files of an earlier synthesis that this one did not write are gone. Otherwise it
   * throws one LifecycleValidationError listing every problem and leaves the previous output byte for byte as it was.
   * Under the cdktf CLI (`cdktf synth`, which sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS) it reports the problems
   * as cdktf does, as error annotations in `manifest.json` that the CLI prints once each before it fails, and returns
   * them in `problems` instead of throwing.
   */
  public synth(): PlatformSynthesis {
    try {
      return this.synthesize();
    } catch (e) {
      if (!(e instanceof LifecycleValidationError) || !runByCdktfCli()) throw e;
      writeFailedSynthManifest(terraformOutdir(this), e.problems, this.node.path);
      return { manifestFiles: [], documentCount: 0, inventoryFile: '', workflowFiles: [], problems: e.problems };
    }
  }

  private synthesize(): PlatformSynthesis {
    const problems = new Problems(this.node.path);
    // Pre-write checks: what can be checked on the inputs alone runs before anything is written, even to the
    // temporary folders. Add a check here as a function of the Platform's inputs that records into `problems`.
    const workflows = this.checkBeforeWriting(problems);

    const stage = StagedOutput.open(this.outdir, terraformOutdir(this));
    try {
      const manifests = this.writeManifests(stage, problems);
      if (this.cache) this.collectFragments();
      // The Terraform side is synthesized only from a complete set of tenant releases: with one missing, the policy
      // pack and the parity check would report its absence on top of the problem that caused it.
      // What the inventory's prerequisites need of each stack is read as it is written (not parsed back).
      const stackPrerequisites = new StackPrerequisites();
      const terraform = manifests.buildProblems === 0 && this.capture(problems, () => {
        withoutTokenStackTraces(() => synthTerraform(this, stage.terraformOutdir, (stack, file, json) => stackPrerequisites.add(stack, file, json)));
        return true;
      }) === true;
      const staged = OutputLayout.of(stage.outdir, stage.terraformOutdir);
      const workflowDir = staged.workflowsDirectory;
      fs.mkdirSync(workflowDir, { recursive: true });
      const workflowFiles = Object.keys(workflows).sort().filter(() => this.synthesisShard?.designated !== false).map(name => {
        fs.writeFileSync(path.join(workflowDir, name), workflows[name]);
        return path.join(this.layout.workflowsDirectory, name);
      });
      // The inventory lists what the output assumes exists, read from the output just written (issue 24 item 5).
      // A part of a split synthesis collects over its own files; the final step lists the union (shard-synth.ts).
      const prerequisiteSources = {
        layout: staged, environmentOfStack: this.environmentOfStack(), manifests: manifests.prerequisites, stacks: stackPrerequisites,
      };
      const prerequisites = this.capture(problems, () => collectPrerequisites(this.environments, prerequisiteSources));
      this.capture(problems, () => writeInventory(stage.outdir, withPrerequisites(
        buildInventory(this.environments, { ...this.workflowOptions, objectStorageBucket: this.objectStorage?.bucket }),
        prerequisites ?? {},
      )));
      // Guardrails over everything written: the policy pack and parity, whose problems join the others.
      const report = manifests.policyInput && terraform ? this.checkPolicies(stage, manifests, problems) : undefined;
      problems.throwIfAny();
      if (this.cache) this.storeBuiltTenants(stage);

      // Every check passed: the report (which lists every rule evaluated) and then the output, moved into place.
      // A part of a split synthesis writes its digest instead and keeps only its own files (src/platform/shard-synth.ts).
      const partFiles = this.partFiles();
      const policyReportFile = report && partFiles
        ? stage.final(writePartDigest(stage.outdir, partFiles, report, contentsOf(manifests.policyInput!), this.parityPairs(), prerequisites ?? {}))
        : report ? stage.final(writePolicyReport(stage.outdir, report)) : undefined;
      if (partFiles) pruneToPart([stage.outdir, stage.terraformOutdir], f => stage.final(f), partFiles);
      stage.commit();
      return {
        manifestFiles: (partFiles ? manifests.files.filter(f => partFiles.owns(f)) : manifests.files).sort(),
        documentCount: manifests.documentCount,
        inventoryFile: this.layout.inventoryFile,
        workflowFiles,
        policyReportFile,
      };
    } finally {
      stage.discard();
      this.cache?.discardPending();
    }
  }

  /**
   * The checks that need nothing written: no literal secret in what was added after construction (objects in the
   * environments' charts, Terraform elements added to the stacks; everything the Platform builds itself comes from
   * props, checked in the constructor), and the generated workflows render. Returns the workflows to write; their
   * destroy gates are policy rule W01, checked with everything else before the output is moved into place.
   */
  private checkBeforeWriting(problems: Problems): { [fileName: string]: string } {
    for (const [name, app] of this.apps) {
      for (const o of apiObjectsJson(app)) addInputSecretProblems(problems, o.json, `manifestsOf(${JSON.stringify(name)})[${JSON.stringify(o.path)}]`);
    }
    withoutTokenStackTraces(() => {
      for (const e of terraformElementsJson(this.node.root, this.builtTerraform)) addInputSecretProblems(problems, e.json, `terraform[${JSON.stringify(e.path)}]`);
    });
    return this.capture(problems, () => renderWorkflows(this.environments, this.workflowOptions)) ?? {};
  }

  /**
   * Write every environment's manifests and local charts into the staging folder and add each tenant base and
   * environment chart to its Terraform stack. A tenant whose release cannot be built is recorded and skipped.
   */
  private writeManifests(stage: StagedOutput, problems: Problems): WrittenManifests {
    const files: string[] = [];
    let documentCount = 0;
    const before = problems.all.length;
    // The policy pack gets the manifests as they are written (the same values, no YAML read back and parsed again).
    const policyInput = this.policy.enabled === false ? undefined : new PolicyInput();
    const policyPack = policyInput ? PolicyPack.default() : undefined;
    // Parity normalizes every tenant's documents with every tenant id of its environment, when it is compared.
    const compared = new Set(this.parityPairs().flatMap(p => [p.reference, p.candidate]));
    const parityTenants = new Map([...this.tenants].filter(([name]) => compared.has(name)).map(([name, ts]) => [name, [...ts.keys()]]));
    const partFiles = this.partFiles();
    const inMemory = new Set<string>();
    const inMemoryDigests = new Set<string>();
    const prerequisites = new ManifestPrerequisites();
    for (const env of this.environments) {
      const app = this.apps.get(env.name)!;
      const outdir = stage.staged(app.outdir);
      const stack = this.stacks.get(env.name)!;
      // One chart at a time: its YAML is rendered once, for the manifest file and the local chart alike.
      let platform: WrittenChart | undefined;
      const visit = (chart: WrittenChart) => {
        const file = path.join(app.outdir, chart.fileName);
        files.push(file);
        if (!partFiles || partFiles.owns(file)) documentCount += chart.documents.length;
        const declared = prerequisites.add(env.name, path.join(outdir, chart.fileName), chart.documents);
        if (policyInput) {
          if (TenantChart.isTenantChart(chart.chart)) {
            // Checked now; the pack keeps the outcome and what the rules across tenants need, not the documents.
            const output = [{ file, documents: chart.documents }];
            const fragment = this.checkTenantPolicies(policyInput, policyPack!, env.name, chart.chart.tenant.id, output, parityTenants.get(env.name));
            if (this.cache) this.tenantPolicyResults.set(`${env.name}\0${chart.chart.tenant.id}`, this.cachedPolicy(fragment));
          } else {
            // A part checks the environment-wide documents of its own tenants only (src/platform/shard-synth.ts).
            const documents = partFiles ? chart.documents.filter(d => partFiles.checksDocument(env.name, d)) : chart.documents;
            contentsOf(policyInput).addKubernetesDocuments(env.name, file, documents);
          }
          // Terraform copies the local charts (with these manifests) into its stack assets: known, not read again.
          inMemoryDigests.add(textDigest(chart.yaml));
        }
        if (TenantChart.isTenantChart(chart.chart)) {
          const tenant = chart.chart.tenant;
          if (this.cache) {
            this.builtDocuments.set(`${env.name}\0${tenant.id}`, { count: chart.documents.length, prerequisites: declared });
            this.cache.keepDocuments(env, tenant, chart.documents);
          }
          const chartDir = OutputLayout.of(stage.outdir).chartOf(env.name, tenant.id);
          // The chart's manifests are the manifest file's bytes: a hard link, not a second copy.
          inMemory.add(path.join(chartDir, 'manifests', 'tenant.yaml'));
          writeLocalChart(chartDir, {
            name: 'tenant-base',
            description: `Base objects of tenant ${tenant.id} in environment ${env.name}`,
            documents: chart.documents,
            manifests: chart.yaml,
            manifestsFile: path.join(outdir, chart.fileName),
          });
          const tenantStack = this.stackOfTenant(env.name, tenant.id);
          // Installed, then resolved and dropped unless asked for before synth (bounded memory, docs/performance.md).
          this.capture(problems, () => tenantStack.addTenantBase(tenant, chartDir) && tenantStack._releaseTenant(tenant.id));
        } else if (chart.chart.node.id === PLATFORM_CHART && chart.chart.node.scope === app) {
          platform = chart;
        }
      };
      const kept = this.charts.get(env.name)!;
      if (hasChartDependencies(app) && partFiles) {
        problems.add(`manifestsOf(${JSON.stringify(env.name)})`, 'has chart dependencies, whose files cdk8s numbers across the whole app, in a split synthesis', partFiles.part.label,
          'synthesize the platform whole (unset INOPSIO_SHARD and synthesisShard), or drop the chart dependencies');
        continue;
      }
      if (hasChartDependencies(app)) {
        // Their file names are numbered across the whole app: nothing is taken from the cache.
        for (const t of this.tenants.get(env.name)!.values()) this.uncache(env, t);
        // Stock cdk8s numbers the files of apps with chart dependencies: build every chart and write them together.
        for (const id of this.tenants.get(env.name)!.keys()) if (this.writesTenant(env.name, id)) this.tenantChart(env.name, id);
        writeChartsEach(app, visit, outdir, c => !(TenantChart.isTenantChart(c) && !this.writesTenant(env.name, c.tenant.id)));
      } else {
        // Tenant after tenant: build (unless kept), write, drop. Then the environment-wide chart and any others.
        for (const t of this.tenants.get(env.name)!.values()) {
          if (!this.writesTenant(env.name, t.id)) continue;
          const policy = policyInput ? { input: policyInput, pack: policyPack!, parityTenants: parityTenants.get(env.name) } : undefined;
          const into = { files, inMemory, inMemoryDigests, prerequisites, count: (n: number) => documentCount += n };
          if (this.restoreTenant(stage, env, t, policy, into)) continue;
          const chart = kept.get(t.id) ?? this.buildTenantChart(env, t, app);
          visit(writeChart(chart, outdir));
          if (!kept.has(t.id)) app.node.tryRemoveChild(t.id);
        }
        // Kept tenant charts were written above; another part writes the tenants it owns.
        const writtenElsewhere = (c: Chart) => TenantChart.isTenantChart(c)
          && (kept.get(c.tenant.id) === c || !this.writesTenant(env.name, c.tenant.id));
        writeChartsEach(app, visit, outdir, c => !writtenElsewhere(c));
      }
      // Environment-wide objects (rules, monitors, dashboards) install after every tenant base.
      const platformDir = OutputLayout.of(stage.outdir).chartOf(env.name, PLATFORM_CHART);
      inMemory.add(path.join(platformDir, 'manifests', 'tenant.yaml'));
      writeLocalChart(platformDir, {
        name: 'environment-platform',
        description: `Environment-wide objects of environment ${env.name}`,
        documents: platform!.documents,
        manifests: platform!.yaml,
        manifestsFile: path.join(outdir, platform!.fileName),
      });
      // A sharded environment installs it with its chart stack, applied after every shard.
      const chartStack = this.sharded.get(env.name)?.charts ?? stack;
      const monitoringNamespace = this.observability.get(env.name)!.monitoringNamespace;
      this.capture(problems, () => chartStack.addEnvironmentChart(PLATFORM_CHART, platformDir, monitoringNamespace));
    }
    this.writeMigrationHooks(stage.outdir);
    return { files, documentCount, policyInput, policyPack, inMemory, inMemoryDigests, prerequisites, buildProblems: problems.all.length - before };
  }

  /**
   * Incremental synthesis: place a cached tenant's files into the staging folder (hard links, each checked first),
   * hand its Terraform blocks to its stack and its policy fragment to the pack (src/policy/fragment.ts): the cached
   * one when it was computed under the same policy settings and the same tenant list of the environment (parity
   * normalizes with every tenant id), else one computed again from the cached documents. False when the tenant is not
   * cached, or its entry turned out altered: then it is built as any other (and its entry replaced after the synthesis).
   */
  private restoreTenant(
    stage: StagedOutput, env: Environment, tenant: Tenant,
    policy: { input: PolicyInput; pack: PolicyPack; parityTenants: string[] | undefined } | undefined,
    into: { files: string[]; inMemory: Set<string>; inMemoryDigests: Set<string>; prerequisites: ManifestPrerequisites; count: (n: number) => void },
  ): boolean {
    const entry = this.cached.get(env.name)?.get(tenant.id);
    if (!entry) return false;
    // Read before anything is placed: the documents only when the policy fragment must be computed again (the
    // prerequisites are in the entry). A rejected entry places nothing.
    const reusable = policy ? this.reusablePolicy(entry.policy, policy.parityTenants) : undefined;
    const documents = policy && !reusable ? this.cache!.documentsOf(entry) : undefined;
    const placed = policy && !reusable && documents === undefined ? undefined : this.cache!.restore(entry, stage.outdir, stage.terraformOutdir);
    if (placed === undefined) {
      this.uncache(env, tenant);
      return false;
    }
    const file = path.join(this.outdir, entry.manifestFile);
    into.files.push(file);
    into.count(entry.documentCount);
    into.prerequisites.addRecords(path.join(stage.outdir, entry.manifestFile), entry.prerequisites);
    if (policy) {
      if (reusable) {
        contentsOf(policy.input).addTenantFragment(reusable);
      } else {
        const output = [{ file, documents: documents! }];
        const fragment = this.checkTenantPolicies(policy.input, policy.pack, env.name, tenant.id, output, policy.parityTenants);
        this.tenantPolicyResults.set(`${env.name}\0${tenant.id}`, this.cachedPolicy(fragment));
      }
      // The manifest file's sha256 is the digest of its text the pack knows (textDigest); its copies (the local chart's
      // manifests, the Terraform chart asset's) were checked to hold those bytes: none is read back.
      const manifest = entry.files[entry.manifestFile];
      into.inMemoryDigests.add(manifest);
      for (const [rel, target] of placed) if (entry.files[rel] === manifest) into.inMemory.add(target);
    }
    for (const f of entry.fragments) this.stackOfTenant(env.name, tenant.id)._mergeCachedTenant(f.fragment);
    return true;
  }

  /**
   * Build a tenant after all (asked for, its entry altered): its Terraform is built when asked for or installed, and
   * its stack merges no cached blocks for it (`_mergeCachedTenant` is not called, or yields to the built tenant).
   */
  private uncache(env: Environment, tenant: Tenant): void {
    this.cached.get(env.name)?.delete(tenant.id);
  }

  /**
   * Incremental synthesis: store the entry of every tenant this synthesis built (files from the staging folder, its
   * Terraform blocks as its stack wrote them). Called once every check passed.
   */
  private storeBuiltTenants(stage: StagedOutput): void {
    const staged = OutputLayout.of(stage.outdir, stage.terraformOutdir);
    // Each stack's asset folders, listed once (`Tenant-<id>_Chart_<hash>`), by tenant id.
    const assetsOf = new Map<string, Map<string, string[]>>();
    const tenantAssets = (stack: string, tenantId: string): string[] => {
      if (!assetsOf.has(stack)) {
        const dir = path.join(staged.stacksDirectory, stack, 'assets');
        const byTenant = new Map<string, string[]>();
        for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
          const m = /^Tenant-(.+?)_/.exec(d);
          if (m) byTenant.set(m[1], [...(byTenant.get(m[1]) ?? []), path.join(dir, d)]);
        }
        assetsOf.set(stack, byTenant);
      }
      return assetsOf.get(stack)!.get(tenantId) ?? [];
    };
    for (const env of this.environments) {
      const app = this.apps.get(env.name)!;
      for (const tenant of env.tenants) {
        if (this.cached.get(env.name)?.has(tenant.id) || !this.writesTenant(env.name, tenant.id)) continue;
        // Every tenant has Terraform (its release): without blocks, its stack was not written and nothing is stored.
        const fragments = this.cache!.keptFragments(env.name, tenant.id);
        if (fragments.length === 0) continue;
        const manifestFile = path.relative(this.outdir, path.join(app.outdir, `${tenant.id}.k8s.yaml`));
        if (!fs.existsSync(path.join(stage.outdir, manifestFile))) continue;
        const files = [
          manifestFile,
          ...filesBelow(staged.chartOf(env.name, tenant.id), stage.outdir),
          ...filesBelow(path.join(stage.outdir, 'argocd-hooks', env.name, tenant.id), stage.outdir),
        ];
        const terraformFiles = fragments.flatMap(f => tenantAssets(f.stack, tenant.id).flatMap(d => filesBelow(d, stage.terraformOutdir)));
        const built = this.builtDocuments.get(`${env.name}\0${tenant.id}`);
        if (built === undefined) continue;
        this.cache!.store(env, tenant, stage.outdir, stage.terraformOutdir, files, terraformFiles, manifestFile, built.count, fragments,
          this.tenantPolicyResults.get(`${env.name}\0${tenant.id}`), built.prerequisites);
      }
    }
  }

  /**
   * The Argo CD PreSync migration hooks of every active tenant's migrating modules, one folder per module
   * (`<outdir>/argocd-hooks/<env>/<tenant>/<module>/hooks.k8s.yaml`), read by the Applications' second source.
   */
  private writeMigrationHooks(outdir: string): void {
    for (const env of this.environments.filter(e => e.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD)) {
      // A cached tenant's hooks were linked back with its other files.
      const writes = (t: Tenant) => t.state === TenantState.ACTIVE && this.writesTenant(env.name, t.id) && !this.cached.get(env.name)?.has(t.id);
      for (const tenant of env.tenants.filter(writes)) {
        for (const m of tenant.modules.filter(x => x.migration)) {
          const app = new App({ outdir: path.join(outdir, migrationHookPath(env.name, tenant.id, m.name)) });
          const chart = new Chart(app, 'hooks', { namespace: env.namespaceFor(tenant.id), disableResourceNameHashes: true });
          new SchemaMigrationHook(chart, 'Migrate', { ...migrationHookProps(env, tenant, m.name), hookKind: MigrationHookKind.ARGO_CD_PRESYNC });
          app.synth();
        }
      }
    }
  }

  /**
   * The policy pack over one tenant's output as it is written (src/policy/fragment.ts): the per-tenant rules and the
   * parity keys now, the reduced documents kept for the rules across tenants, which run in `checkPolicies`.
   */
  private checkTenantPolicies(
    input: PolicyInput, pack: PolicyPack, environment: string, tenant: string, files: TenantOutputFile[], parityTenants?: string[],
  ): TenantPolicyFragment {
    const fragment = pack._tenantFragment(environment, tenant, files, parityTenants);
    contentsOf(input).addTenantFragment(fragment);
    return fragment;
  }

  /**
   * What a cache entry keeps of a tenant's policy result: the fragment and a digest of the policy settings it was
   * computed under (they are not part of the tenant's cache key, since they do not reach its files, but they decide
   * its findings: the secret scan's allow-list, for one).
   */
  private cachedPolicy(fragment: TenantPolicyFragment): { settings: string; fragment: TenantPolicyFragment } {
    return { settings: canonicalDigest(this.policy), fragment };
  }

  /** A cached policy result still valid here: same fragment format, same policy settings, same tenant list. */
  private reusablePolicy(stored: unknown, parityTenants: string[] | undefined): TenantPolicyFragment | undefined {
    const s = stored as { settings?: unknown; fragment?: TenantPolicyFragment } | null | undefined;
    const fragment = s?.fragment;
    if (!fragment || s!.settings !== canonicalDigest(this.policy) || fragment.format !== TENANT_POLICY_FRAGMENT_FORMAT) return undefined;
    const tenants = parityTenants === undefined ? undefined : tenantListDigest(parityTenants);
    return fragment.parityTenants === tenants ? fragment : undefined;
  }

  /** Incremental synthesis: every stack hands its built tenants' Terraform blocks over when it is written. */
  private collectFragments(): void {
    for (const env of this.environments) {
      const stacks = this.sharded.get(env.name)?.shards ?? [this.stacks.get(env.name)!];
      for (const stack of stacks) {
        stack._onTenantFragment(fragment => this.cache!.keepFragment(env.name, fragment.tenantId, { stack: stack.node.id, fragment }));
      }
    }
  }

  /** The environment of a stack folder: a sharded environment's base, shard and chart stacks are all its own. */
  private environmentOfStack(): (stack: string) => string {
    const environmentOfStack = new Map<string, string>();
    for (const [name, sharded] of this.sharded) for (const stack of sharded.stacks) environmentOfStack.set(stack.node.id, name);
    return stack => environmentOfStack.get(stack) ?? stack;
  }

  /** The policy pack and the parity check over the staged output; their problems go to `problems`. */
  private checkPolicies(stage: StagedOutput, written: WrittenManifests, problems: Problems): PolicyReport | undefined {
    const input = written.policyInput!;
    const staged = OutputLayout.of(stage.outdir, stage.terraformOutdir);
    // Everything else is read back from the output: stacks, workflows and the local charts (whose manifests are
    // the manifest files' bytes, already in the input).
    // A sharded environment's stacks (base, shards, charts) are all that environment's Terraform.
    readOutputFolders(input, {
      stacks: staged.stacksDirectory,
      environmentOfStack: this.environmentOfStack(),
      workflows: staged.workflowsDirectory,
      texts: [staged.chartsDirectory],
      skip: written.inMemory,
      knownDigests: written.inMemoryDigests,
      displayPath: file => stage.final(file),
    });
    for (const env of this.environments) input.addEnvironment(env);
    // W08: a preview's stack creates roles only; its pods read through the mounts and policies of the previews' host.
    const previewHost = this.previewHost;
    if (previewHost !== undefined) for (const env of this.environments.filter(e => e.isPreview)) input.useVaultHost(env.name, previewHost);
    // A part of a split synthesis says which tenants of each environment it built (W09 skips an environment of none).
    const part = this.synthesisShard;
    if (part) {
      for (const env of this.environments) {
        const ids = [...(this.tenants.get(env.name)?.keys() ?? [])];
        input.useSynthesisPart(`${part.index}/${part.count}`, env.name, ids.filter(id => this.writesTenant(env.name, id)), ids.filter(id => !this.writesTenant(env.name, id)));
      }
    }
    // W01: the platform's approval environments (and the preview cleanup's) gate every destroying workflow job.
    input.useApprovalEnvironments([...this.names.approvalEnvironments, this.workflowOptions?.previewCleanupEnvironment ?? 'preview-cleanup']);
    const report = this.capture(problems, () => (written.policyPack ?? PolicyPack.default()).evaluate(input, this.policy.acknowledgements ?? []));
    problems.addAll(report?.errors.map(f => f.message) ?? []);
    // A part of a split synthesis holds some tenants of each environment: its digest carries them to the final step.
    if (!this.synthesisShard) {
      for (const pair of this.parityPairs()) {
        const options = { allowances: pair.allowances };
        this.capture(problems, () => EnvironmentParity.compare(input, pair.reference, pair.candidate, options).assertParity());
      }
    }
    return report;
  }

  /** The parity comparisons to run: every production environment against every staging one. */
  private parityPairs(): ParityPair[] {
    if (this.policy.parity === false) return [];
    const of = (kind: LifecycleKind) => this.environments.filter(e => e.environmentClass.lifecycle === kind);
    // One of the two sharded: its tenants' resources cannot depend on the base stack's, so depends_on differs.
    const allowances = (a: string, b: string) => (this.sharded.has(a) !== this.sharded.has(b) ? [SHARDED_DEPENDS_ON] : []);
    return of(LifecycleKind.PERMANENT).flatMap(prod => of(LifecycleKind.PERSISTENT)
      .map(staging => ({ reference: prod.name, candidate: staging.name, allowances: allowances(prod.name, staging.name) })));
  }

  /**
   * Whether this Platform writes a tenant: always for the whole platform; in a part of a split synthesis, a tenant of
   * a sharded environment when the part owns its Terraform shard, a tenant of another environment in part 1 only.
   */
  private writesTenant(environmentName: string, tenantId: string): boolean {
    const part = this.synthesisShard;
    if (!part) return true;
    const sharded = this.sharded.get(environmentName);
    return sharded ? part.ownsTerraformShard(sharded.sharding.shardOf(tenantId)) : part.designated;
  }

  /** The files of this Platform's part, or undefined for the whole platform. */
  private partFiles(): SynthesisPartFiles | undefined {
    if (!this.synthesisShard) return undefined;
    const shardOfStack = new Map<string, number>();
    for (const sharded of this.sharded.values()) sharded.shards.forEach((s, i) => shardOfStack.set(s.node.id, i + 1));
    return new SynthesisPartFiles(this.synthesisShard, OutputLayout.of(this.outdir, terraformOutdir(this)), {
      tenant: (env, id) => (this.tenants.get(env)?.has(id) ? this.writesTenant(env, id) : undefined),
      shardStack: stack => (shardOfStack.has(stack) ? this.synthesisShard!.ownsTerraformShard(shardOfStack.get(stack)!) : undefined),
      tenantsOf: env => [...(this.tenants.get(env)?.keys() ?? [])],
    });
  }

  /** Run `fn`, keeping the problems of a LifecycleValidationError it throws (then undefined). */
  private capture<T>(problems: Problems, fn: () => T): T | undefined {
    return problems.capture(fn);
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

/** The Terraform shards (1-based) of `shardCount` that a part of a split synthesis builds. */
function shardsOfPart(part: SynthesisShard, shardCount: number): number[] {
  return Array.from({ length: Number.isInteger(shardCount) ? shardCount : 0 }, (_, i) => i + 1).filter(s => part.ownsTerraformShard(s));
}

/** A module's migration hook: its declared image and command, run with the tenant's migration identity. */
function migrationHookProps(env: Environment, tenant: Tenant, module: string) {
  const migration = tenant.modules.find(m => m.name === module)!.migration!;
  const names = migrationNames(env, tenant);
  return {
    environment: env,
    tenant,
    module,
    image: migration.image,
    command: migration.command,
    args: migration.args,
    vault: tenant.database ? { role: names.kubernetesAuthRole, secretPath: names.credsPath, authPath: names.authPath } : undefined,
  };
}

/**
 * The Vault mounts, auth backend and templated policies every preview shares, in the reviewed stack of the previews'
 * host (src/tf/preview-vault-host.ts): a preview's own stack adds roles only (issue 21 item 1, docs/vault.md).
 */
function addPreviewVaultHost(stack: EnvironmentStack): void {
  new PreviewVaultHost(stack, 'PreviewVaultHost', {
    kubernetesHost: stack.vaultKubernetesHost.stringValue,
    kubernetesCaCert: stack.vaultKubernetesCaCert.stringValue,
  });
}

/**
 * The CI's Vault JWT auth in an environment's (base) stack: one role per workflow purpose, bound to the platform's
 * repository (src/model/ci-access.ts, src/tf/ci-vault-auth.ts). Needs the repository, so only with `github`.
 */
function addCiVaultAuth(
  stack: EnvironmentStack, env: Environment, envs: readonly Environment[], workflows: WorkflowOptions, github: GitHubEnvironmentsProps,
): void {
  const roles = ciVaultRoles(env, {
    repository: `${github.owner}/${github.repository}`,
    defaultBranch: workflows.defaultBranch ?? 'main',
    previewEnvironment: workflows.previewEnvironment ?? 'preview',
    previewCleanupEnvironment: workflows.previewCleanupEnvironment ?? 'preview-cleanup',
    decommissionEnvironment: workflows.decommissionEnvironment ?? 'decommission',
  }, previewVaultHost(envs) === env, stack.vault.auditDevices.length > 0);
  if (roles.length > 0) new CiVaultAuth(stack, 'CiVaultAuth', env, roles);
}

/**
 * The object store the environment stacks create tenant users in: `objectStorage`, or the bucket the backups mirror
 * (`backup.tenantObjects`). Both set must name the same bucket: the backup would otherwise mirror a prefix the
 * tenants' keys do not write to.
 */
function resolveObjectStorage(problems: Problems, props: PlatformProps): ObjectStorageOptions | undefined {
  const own = props.objectStorage;
  const backedUp = props.backup?.tenantObjects?.bucket;
  if (own !== undefined && (typeof own.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(own.bucket))) {
    problems.add('objectStorage.bucket', 'is not an S3 bucket name', own.bucket, 'use 3 to 63 lower-case letters, digits, "." and "-", e.g. "inopsio-tenant-data"');
  }
  if (own !== undefined && backedUp !== undefined && own.bucket !== backedUp) {
    problems.add('objectStorage.bucket', `is not the bucket the backups mirror (backup.tenantObjects.bucket "${backedUp}")`, own.bucket, 'name one bucket in both, or leave objectStorage out to use backup.tenantObjects.bucket');
  }
  // Decommissioning removes the objects after the final backup: in classes that back up, that backup must hold them.
  const backingUp = (props.environments ?? [])
    .filter(e => e.environmentClass.backup.enabled && e.tenants.some(t => t.objectStorage)).map(e => e.name);
  if (own !== undefined && props.backup !== undefined && backedUp === undefined && backingUp.length > 0) {
    problems.add('backup.tenantObjects', `is missing, but objectStorage gives tenants of ${backingUp.join(', ')} object prefixes in classes that back up`, undefined,
      `pass backup.tenantObjects: { endpoint, bucket: "${own.bucket}", egress } so that their objects are in the final backup before a decommission removes them`);
  }
  return own ?? (backedUp !== undefined ? { bucket: backedUp } : undefined);
}

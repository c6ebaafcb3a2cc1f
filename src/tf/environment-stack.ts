import * as path from 'path';
import * as helmProvider from '@cdktf/provider-helm/lib/provider';
import * as release from '@cdktf/provider-helm/lib/release';
import * as vaultProvider from '@cdktf/provider-vault/lib/provider';
import { AssetType, CloudBackend, Fn, ITerraformDependable, NamedCloudWorkspace, Op, TerraformAsset, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { IsolationOptions } from './isolation';
import { closeTokenWindow, openTokenWindow, prepareStackLean, releaseElements, releaseTokens, stackTerraform, TokenWindow, useLeanSynthesis, writesPlaceholder } from './lean-synthesis';
import { blockAddresses, deferBlocks, extractTenantFragment, materializeBlocks, mergeTenantFragments, TENANT_FRAGMENT_FORMAT, TenantFragment, tenantOverrides } from './tenant-fragments';
import { ObjectStorageOptions } from './tenant-object-store';
import { protectTenantData } from './tenant-protection';
import { hashDirectory, TenantRelease, TenantReleaseOptions } from './tenant-release';
import { TenantVault, VaultBootstrap, VaultBootstrapOptions, VaultEnvironmentResources } from './vault-bootstrap';
import { Environment } from '../model/environment';
import { environmentChartReleaseName, LifecycleNames } from '../model/names';
import { dnsLabelProblem, isWorkspaceName } from '../model/naming';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';

/**
 * Run `fn` without the stack traces cdktf records for every token it creates.
 *
 * cdktf captures a full stack trace (`Error.stackTraceLimit` raised to MAX_SAFE_INTEGER) for each token, including
 * one per nested-block output reference of every provider resource (about twenty on a database connection), only to
 * quote it if that token later fails to resolve. At thousands of tenants that was over a tenth of the synthesis time
 * (a quarter under ts-node, whose source-map support formats each trace) and hundreds of MB of retained strings
 * (docs/performance.md). While `fn` runs, `Error.captureStackTrace` on an object that is not an Error (cdktf's and
 * constructs' `{ stack: '' }` holders) records nothing; Errors keep their traces.
 */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const capture = Error.captureStackTrace;
  if ((capture as any)[QUIET_TRACES]) return fn(); // already inside
  const quiet = function captureStackTrace(target: object, constructorOpt?: Function): void {
    if (target instanceof Error) capture.call(Error, target, constructorOpt);
  };
  (quiet as any)[QUIET_TRACES] = true;
  Error.captureStackTrace = quiet;
  try {
    return fn();
  } finally {
    Error.captureStackTrace = capture;
  }
}
const QUIET_TRACES = Symbol('withoutTokenStackTraces');

/** What of its environment an EnvironmentStack provisions (sharded environments: `TenantSharding`). */
export enum EnvironmentStackPart {
  /** The whole environment: its environment-wide Vault resources, every tenant, the environment charts. */
  WHOLE = 'whole',
  /**
   * Sharded environments, applied first: the environment-wide Vault resources only (KV and database mounts,
   * Kubernetes auth backend and its configuration, audit devices, environment policy). No tenant, no chart.
   */
  BASE = 'base',
  /**
   * Sharded environments, applied after the base: the Vault resources, tenant bases and modules of `shardTenants`.
   * The mounts and auth backend are the base stack's, referenced by name (a data source checks the auth backend exists).
   */
  TENANT_SHARD = 'tenant-shard',
}

/** Inputs of an EnvironmentStack. */
export interface EnvironmentStackProps extends IsolationOptions {
  /** The environment this stack provisions. */
  readonly environment: Environment;
  /**
   * Terraform Cloud organization.
   * @default - the environment's `terraformOrganization` ('inopsio')
   */
  readonly organization?: string;
  /**
   * Terraform Cloud workspace.
   * @default - the environment's `workspace` (`inopsio-<name>`; previews `inopsio-preview-<slug>`)
   */
  readonly workspace?: string;
  /**
   * Terraform Cloud / Enterprise host name.
   * @default - app.terraform.io
   */
  readonly terraformHostname?: string;
  /**
   * Vault bootstrap settings (audit devices, KV versions, credential TTLs, service accounts).
   * @default - the defaults of VaultBootstrapOptions
   */
  readonly vault?: VaultBootstrapOptions;
  /**
   * Settings of the tenant Helm releases (secret delivery, timeout, value keys).
   * @default - the defaults of TenantReleaseOptions
   */
  readonly releases?: TenantReleaseOptions;
  /**
   * What of the environment this stack provisions. `ShardedEnvironment` creates the parts of a sharded environment.
   * @default EnvironmentStackPart.WHOLE
   */
  readonly part?: EnvironmentStackPart;
  /**
   * With `part: TENANT_SHARD`: the tenants of this shard (each a tenant of `environment`).
   * @default - none
   */
  readonly shardTenants?: Tenant[];
  /**
   * With `part: WHOLE` or `TENANT_SHARD`: build the tenants' Vault resources now. Without (a Platform's stacks), a
   * tenant's resources are built when `addTenantBase` installs it, or when `vault.tenantResources(id)` asks for them
   * (then they are kept until synthesis); a Platform releases the constructs of each tenant nobody asked for once its
   * blocks are resolved (docs/performance.md "Bounded memory").
   * @default true
   */
  readonly constructTenants?: boolean;
  /**
   * Tenants (ids) whose Terraform comes from a synthesis cache (docs/performance.md "Incremental synthesis"): their
   * Vault resources are not built; the Platform merges their cached blocks into the stack's JSON. `addTenantBase`
   * still builds one of them when called (a tenant that turned out to need building after all).
   * @default - none: every tenant of the stack is built
   */
  readonly cachedTenants?: string[];
  /**
   * The platform's names: the tenant releases follow its release patterns, `var.kube_context` defaults to its kube
   * context of the environment.
   * @default - LifecycleNames.of()
   */
  readonly names?: LifecycleNames;
  /**
   * The object store of the tenants' prefixes: the stack creates each tenant's MinIO user, policy and keys in Vault
   * (`TenantObjectStore`), through the MinIO provider configured by `var.object_store_endpoint` and
   * `var.object_store_admin_user` (password from `MINIO_PASSWORD`).
   * @default - no object-store users are created (the tenants' object storage is then a prerequisite)
   */
  readonly objectStorage?: ObjectStorageOptions;
}

/**
 * One Terraform stack per environment (docs/outputs.md, docs/vault.md): the Terraform Cloud backend, Terraform variables
 * for every runtime input (no literals), the Vault and Helm providers configured once, the environment's
 * VaultBootstrap, and a TenantRelease per tenant added with `addTenantBase`.
 *
 * The Vault provider gets its address from `var.vault_address` and its token from `VAULT_TOKEN` at run time (V04);
 * TLS is always verified (`VAULT_CACERT` for a private CA). Requires Terraform ≥ 1.11 (write-only arguments).
 */
export class EnvironmentStack extends TerraformStack {
  /** The environment. */
  public readonly environment: Environment;
  /** The Terraform Cloud backend. */
  public readonly backend: CloudBackend;
  /** `var.vault_address`: the Vault API URL (https). */
  public readonly vaultAddress: TerraformVariable;
  /** `var.kube_config_path`: kubeconfig file the Helm provider reads. */
  public readonly kubeConfigPath: TerraformVariable;
  /** `var.kube_context`: the kubeconfig context of this environment's cluster (default: the platform's name for it, never the current one). */
  public readonly kubeContext: TerraformVariable;
  /** `var.vault_kubernetes_host`: the API server as Vault reaches it. */
  public readonly vaultKubernetesHost: TerraformVariable;
  /** `var.vault_kubernetes_ca_cert`: PEM CA of the API server, for Vault's Kubernetes auth. */
  public readonly vaultKubernetesCaCert: TerraformVariable;
  /** `var.database_host`: host of the tenant databases. */
  public readonly databaseHost: TerraformVariable;
  /** `var.database_bootstrap_passwords`: ephemeral one-time passwords by tenant id (never in state or plans). */
  public readonly databaseBootstrapPasswords: TerraformVariable;
  /** The Vault provider. */
  public readonly vaultProvider: vaultProvider.VaultProvider;
  /** The Helm provider. */
  public readonly helmProvider: helmProvider.HelmProvider;
  /**
   * The environment's Vault bootstrap. In a `TENANT_SHARD` stack it holds the shard's tenants only (no mounts, no
   * auth backend, no audit devices); in a `BASE` stack no tenant.
   */
  public readonly vault: VaultBootstrap;
  /** What of the environment this stack provisions. */
  public readonly part: EnvironmentStackPart;
  /** The names its releases and variables follow. */
  public readonly names: LifecycleNames;
  private readonly releaseOptions: TenantReleaseOptions;
  private readonly isolation: IsolationOptions;
  private readonly releases = new Map<string, TenantRelease>();
  private readonly tenantIds = new Set<string>();
  /** Cached tenants' blocks merged into the JSON (incremental synthesis), by tenant id. */
  private readonly cachedFragments = new Map<string, TenantFragment>();
  /**
   * Tenants whose constructs were released: their fragments (`_releaseTenant`), merged when written. Each block is
   * kept as its JSON text (`deferBlocks`), parsed only while the writer writes it: as objects the blocks held several
   * times the memory, and the whole stack as objects at once set the peak (docs/performance.md "Bounded memory").
   */
  private readonly releasedFragments = new Map<string, TenantFragment>();
  /** Tenants asked for before synthesis (`vault.tenantResources`, `_keepTenant`): never released. */
  private readonly keptTenants = new Set<string>();
  /** Stacks built without their tenants: the tokens cdktf registers for each tenant built since (`releaseTokens`). */
  private readonly tokenWindows?: Map<string, TokenWindow>;
  /** Tenants of a synthesis cache (not built unless `addTenantBase` is called for them). */
  private readonly cachedTenantIds: Set<string>;
  /** Receives the fragment of every built tenant when the stack is written (incremental synthesis). */
  private fragmentSink?: (fragment: TenantFragment) => void;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    useLeanSynthesis(this);
    const env = props.environment;
    const problems = new Problems(this.node.path);
    if (!(env instanceof Environment)) {
      problems.add('environment', 'is not an Environment', env, 'pass new Environment({...}) or Environment.preview({...})');
      problems.throwIfAny();
    }
    const organization = props.organization ?? env.terraformOrganization;
    const workspace = props.workspace ?? env.workspace;
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(organization ?? '')) {
      problems.add('organization', 'is not a Terraform Cloud organization name', organization, 'use letters, digits, "-" and "_", e.g. "inopsio"');
    }
    if (!isWorkspaceName(workspace)) {
      problems.add('workspace', 'is not a Terraform Cloud workspace name', workspace, 'use letters, digits, "-" and "_", at most 90 characters, e.g. "inopsio-dev"');
    }
    if (props.terraformHostname !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(props.terraformHostname)) {
      problems.add('terraformHostname', 'is not a host name', props.terraformHostname, 'use e.g. "app.terraform.io"');
    }
    const part = props.part ?? EnvironmentStackPart.WHOLE;
    if (!Object.values(EnvironmentStackPart).includes(part)) {
      problems.add('part', 'is not an EnvironmentStackPart', part, 'use EnvironmentStackPart.WHOLE, BASE or TENANT_SHARD');
    }
    const shardTenants = props.shardTenants ?? [];
    if (props.shardTenants !== undefined && part !== EnvironmentStackPart.TENANT_SHARD) {
      problems.add('shardTenants', `is set on a ${part} stack`, shardTenants.map(t => t?.id), 'remove it, or use part: EnvironmentStackPart.TENANT_SHARD');
    }
    const envTenants = new Set(env.tenants);
    shardTenants.forEach((t, i) => {
      if (!envTenants.has(t)) problems.add(`shardTenants[${i}]`, `is not a tenant of environment "${env.name}"`, t?.id, 'pass tenants from environment.tenants');
    });
    problems.throwIfAny();
    this.part = part;

    this.environment = env;
    this.names = props.names ?? LifecycleNames.of();
    this.releaseOptions = { ...(props.releases ?? {}) };
    this.isolation = { productionEnvironmentNames: props.productionEnvironmentNames, forbiddenReferences: props.forbiddenReferences };
    this.backend = new CloudBackend(this, {
      organization,
      workspaces: new NamedCloudWorkspace(workspace),
      hostname: props.terraformHostname,
    });
    // Write-only arguments (password_wo) and ephemeral variables need Terraform 1.11.
    this.addOverride('terraform.required_version', '>= 1.11.0');

    this.vaultAddress = new TerraformVariable(this, 'vault_address', {
      type: 'string',
      description: `Vault API URL for environment ${env.name}. The token comes from VAULT_TOKEN at run time, never from configuration.`,
    });
    requireHttps(this.vaultAddress, 'vault_address must be an https:// URL (TLS is always verified).');
    ({ kubeConfigPath: this.kubeConfigPath, kubeContext: this.kubeContext } = addKubeAccessVariables(this, env, this.names));
    this.vaultKubernetesHost = new TerraformVariable(this, 'vault_kubernetes_host', {
      type: 'string',
      default: 'https://kubernetes.default.svc',
      description: 'The Kubernetes API server as Vault reaches it (Kubernetes auth).',
    });
    requireHttps(this.vaultKubernetesHost, 'vault_kubernetes_host must be an https:// URL.');
    this.vaultKubernetesCaCert = new TerraformVariable(this, 'vault_kubernetes_ca_cert', {
      type: 'string',
      description: 'PEM CA certificate of the Kubernetes API server (public), for Vault\'s Kubernetes auth.',
    });
    this.databaseHost = new TerraformVariable(this, 'database_host', env.database ? {
      type: 'string',
      default: env.database.host,
      description: `Not used: environment ${env.name} declares its database server (${env.database.host}) in the model, which Vault's connection and the pods' connection strings share.`,
    } : {
      type: 'string',
      description: `Host of environment ${env.name}'s tenant PostgreSQL databases.`,
    });
    if (env.database) {
      // An expression (T01): Terraform refuses any other host than the one the model gives Vault and the pods.
      this.databaseHost.addValidation({
        condition: Op.eq(this.databaseHost.stringValue, env.database.host),
        errorMessage: `Environment ${env.name}'s database host is set in the model (Environment database.host); change it there.`,
      });
    }
    this.databaseBootstrapPasswords = new TerraformVariable(this, 'database_bootstrap_passwords', {
      type: 'map(string)',
      default: {},
      nullable: false,
      sensitive: true,
      description: 'One-time passwords of the vault_<env>_<tenant> database users, by tenant id. Ephemeral and sent only through password_wo; Vault rotates them right after the connection is created.',
    });
    this.databaseBootstrapPasswords.addOverride('ephemeral', true);

    this.vaultProvider = new vaultProvider.VaultProvider(this, 'vault', {
      address: this.vaultAddress.stringValue,
      skipTlsVerify: false,
    });
    this.helmProvider = new helmProvider.HelmProvider(this, 'helm', {
      kubernetes: {
        configPath: this.kubeConfigPath.stringValue,
        configContext: this.kubeContext.stringValue,
      },
    });

    // Tenants from a synthesis cache are not built: the bootstrap starts without tenants and adds the others in order.
    const cached = new Set(props.cachedTenants ?? []);
    const buildsAll = part === EnvironmentStackPart.WHOLE && props.constructTenants !== false && cached.size === 0;
    this.vault = withoutTokenStackTraces(() => new VaultBootstrap(this, 'Vault', {
      ...(props.vault ?? {}),
      // The parts of a sharded environment start from a bootstrap without tenants.
      environment: buildsAll ? env : withoutTenants(env),
      kubernetesHost: this.vaultKubernetesHost.stringValue,
      kubernetesCaCert: this.vaultKubernetesCaCert.stringValue,
      // One fact for Vault's connection and the pods' connection strings: the model's host when declared.
      databaseHost: env.database?.host ?? this.databaseHost.stringValue,
      databaseBootstrapPasswords: this.databaseBootstrapPasswords,
      objectStorage: props.objectStorage,
      // A tenant shard adds its tenants to the environment-wide Vault resources of the base stack; a preview adds
      // roles to the shared preview resources of its host's stack (PreviewVaultHost).
      environmentResources: env.isPreview ? VaultEnvironmentResources.PREVIEW_HOST
        : part === EnvironmentStackPart.TENANT_SHARD ? VaultEnvironmentResources.BASE_STACK : VaultEnvironmentResources.OWN,
    }));
    this.cachedTenantIds = cached;
    if (props.constructTenants === false) this.tokenWindows = new Map();
    if (props.constructTenants === false) {
      this.vault._onMissingTenant(tenantId => this._keepTenant(tenantId));
      // Listing the tenants asks for each of them (kept until synthesis), as before they were built on demand.
      this.vault._onListTenants(() => this.stackTenantIds().forEach(tenantId => this._keepTenant(tenantId)));
    }
    if (part === EnvironmentStackPart.TENANT_SHARD && props.constructTenants !== false) {
      withoutTokenStackTraces(() => shardTenants.filter(t => !cached.has(t.id)).forEach(t => this.vault.addTenant(t)));
    } else if (part === EnvironmentStackPart.WHOLE && props.constructTenants !== false && !buildsAll) {
      withoutTokenStackTraces(() => env.tenants.filter(t => !cached.has(t.id)).forEach(t => this.vault.addTenant(t)));
    }
    if (part !== EnvironmentStackPart.WHOLE) for (const t of shardTenants) this.tenantIds.add(t.id);
  }

  /**
   * Install a tenant's base (its generated local Helm chart in `chartDirectory`, which contains the Namespace) and its
   * modules, after the tenant's Vault resources. Call once per tenant, after writing the chart.
   */
  public addTenantBase(tenant: Tenant, chartDirectory: string): TenantRelease {
    const problems = new Problems(this.node.path);
    if (!(tenant instanceof Tenant)) {
      problems.add('tenant', 'is not a Tenant', tenant, 'pass one of environment.tenants');
      problems.throwIfAny();
    }
    if (this.part !== EnvironmentStackPart.WHOLE && !this.tenantIds.has(tenant.id)) {
      problems.add('tenant', `is not a tenant of this ${this.part} stack of environment "${this.environment.name}"`, tenant.id, 'install it with the stack of its shard (ShardedEnvironment.stackForTenant)');
    } else if (!this.isTenant(tenant.id)) {
      problems.add('tenant', `is not a tenant of environment "${this.environment.name}"`, tenant.id, 'add it with environment.addTenant(...) first');
    }
    if (this.releases.has(tenant.id) || this.releasedFragments.has(tenant.id)) {
      problems.add('tenant', 'already has its base installed by this stack', tenant.id, 'call addTenantBase once per tenant');
    }
    problems.throwIfAny();
    this.openTokenWindow(tenant.id);
    const tenantRelease = withoutTokenStackTraces(() => new TenantRelease(this, `Tenant-${tenant.id}`, {
      ...this.releaseOptions,
      ...this.isolation,
      environment: this.environment,
      names: this.names,
      tenant,
      chartDirectory,
      vault: this.vault.hasTenant(tenant.id) ? this.vault.tenantResources(tenant.id) : this.vault.addTenant(tenant),
    }));
    this.releases.set(tenant.id, tenantRelease);
    return tenantRelease;
  }

  /**
   * @internal Build a tenant's Vault resources now, if not built yet, and keep its constructs until synthesis (a
   * tenant asked for before `synth()`: `Platform.tenantStackOf`, `vault.tenantResources`). Undefined for a tenant this
   * stack does not hold, one already released, or one taken from a synthesis cache unless `uncache` (the Platform,
   * which then builds it instead of restoring it).
   */
  public _keepTenant(tenantId: string, uncache?: boolean): TenantVault | undefined {
    if (uncache) this.cachedTenantIds.delete(tenantId);
    if (this.cachedTenantIds.has(tenantId)) return undefined;
    const vault = this._tenantVault(tenantId);
    if (vault) this.keptTenants.add(tenantId);
    // Kept whole: none of its tokens is released.
    const window = this.tokenWindows?.get(tenantId);
    if (window) closeTokenWindow(window);
    this.tokenWindows?.delete(tenantId);
    return vault;
  }

  /** Record the tokens registered while a tenant that may be released is built (stacks built without tenants). */
  private openTokenWindow(tenantId: string): void {
    if (this.tokenWindows && !this.keptTenants.has(tenantId) && !this.tokenWindows.has(tenantId)) this.tokenWindows.set(tenantId, openTokenWindow());
  }

  /**
   * @internal A tenant's Vault resources, built now if not built yet (not kept: a Platform releases them once the
   * tenant is installed). Undefined for a tenant this stack does not hold, or one already released.
   */
  public _tenantVault(tenantId: string): TenantVault | undefined {
    if (this.releasedFragments.has(tenantId)) return undefined;
    if (this.vault.hasTenant(tenantId)) return this.vault.tenantResources(tenantId);
    const inStack = this.part === EnvironmentStackPart.WHOLE ? this.isTenant(tenantId) : this.tenantIds.has(tenantId);
    const tenant = inStack ? this.environment.tenants.find(t => t.id === tenantId) : undefined;
    if (!tenant) return undefined;
    this.openTokenWindow(tenantId);
    return withoutTokenStackTraces(() => this.vault.addTenant(tenant));
  }

  /**
   * @internal Bounded memory (docs/performance.md): once a tenant's base is installed, resolve the tenant's elements
   * (its Vault resources, backup access and release) into its blocks, record its chart asset, and drop its constructs;
   * the stack merges the blocks when it is written, byte for byte as if they had stayed (src/tf/tenant-fragments.ts).
   * False, and nothing changed, for a tenant asked for before synthesis (kept), without a release, or whose elements
   * the stack cannot resolve apart (`releaseElements`).
   */
  public _releaseTenant(tenantId: string): boolean {
    const tenantRelease = this.releases.get(tenantId);
    const window = this.tokenWindows?.get(tenantId);
    this.tokenWindows?.delete(tenantId);
    if (window) closeTokenWindow(window);
    if (this.keptTenants.has(tenantId) || !tenantRelease || !this.vault.hasTenant(tenantId)) return false;
    const scopes = [this.vault.tenantResources(tenantId), tenantRelease];
    const resolved = withoutTokenStackTraces(() => releaseElements(this, scopes));
    if (!resolved) return false;
    if (window) releaseTokens(window, scopes, blockAddresses(resolved.blocks));
    const blocks = protectTenantData(resolved.blocks, this.environment);
    const basePath = tenantRelease.base.node.path;
    const baseName = Object.keys(blocks.resource?.helm_release ?? {}).find(n => blocks.resource.helm_release[n]?.['//']?.metadata?.path === basePath);
    this.releasedFragments.set(tenantId, {
      format: TENANT_FRAGMENT_FORMAT,
      tenantId,
      blocks: deferBlocks(blocks),
      overrides: resolved.overrides,
      stackOverrides: [],
      baseAddress: baseName === undefined ? undefined : `helm_release.${baseName}`,
    });
    this.releases.delete(tenantId);
    this.node.tryRemoveChild(tenantRelease.node.id);
    this.vault._removeTenant(tenantId);
    return true;
  }

  /**
   * @internal The tenants whose Terraform this stack built (constructed, or released after being resolved), in the
   * order built: not those merged from a synthesis cache.
   */
  public get _builtTenants(): string[] {
    return [...this.vault._builtTenants.map(t => t.tenant.id), ...this.releasedFragments.keys()];
  }

  /** The ids of the tenants this stack holds: the environment's, or its shard's. */
  private stackTenantIds(): string[] {
    return this.part === EnvironmentStackPart.WHOLE ? this.environment.tenants.map(t => t.id) : [...this.tenantIds];
  }

  /** True if the environment has the tenant (ids cached: a lookup per tenant base stays linear overall). */
  private isTenant(tenantId: string): boolean {
    if (!this.tenantIds.has(tenantId)) for (const t of this.environment.tenants) this.tenantIds.add(t.id);
    return this.tenantIds.has(tenantId);
  }

  /** The release of a tenant added with `addTenantBase`, if any. */
  public tenantRelease(tenantId: string): TenantRelease | undefined {
    return this.releases.get(tenantId);
  }

  /** Every tenant release, in the order added. */
  public get tenantReleases(): TenantRelease[] {
    return [...this.releases.values()];
  }

  /**
   * cdktf's preparation before writing (cross-stack references), resolving only the values that hold a token instead
   * of every element's whole configuration (src/tf/lean-synthesis.ts).
   */
  public prepareStack(): void {
    prepareStackLean(this);
  }

  /**
   * The stack's Terraform JSON, as `TerraformStack.toTerraform()`. While cdktf's synthesizer runs (`cdktf synth`,
   * `app.synth()`), `{}`: the stack then writes its `cdk.tf.json` itself, with the same bytes and a fraction of the
   * memory (src/tf/lean-synthesis.ts).
   */
  public toTerraform(): any {
    return materializeBlocks(this._terraformForWriting());
  }

  /**
   * @internal The stack's Terraform JSON as its writer takes it (`useLeanSynthesis`): the blocks of released tenants
   * still deferred (`DeferredJson`, parsed one at a time as they are written), so that the stack never exists whole
   * as objects. `toTerraform()` is this with every block parsed.
   */
  public _terraformForWriting(): any {
    if (writesPlaceholder(this)) return {};
    const json = protectTenantData(stackTerraform(this), this.environment);
    // Released tenants (their blocks resolved when they were installed) and cached ones, merged as if built here.
    const fragments = [
      ...[...this.cachedFragments.values()].filter(f => !this.vault.hasTenant(f.tenantId) && !this.releasedFragments.has(f.tenantId)),
      ...this.releasedFragments.values(),
    ];
    const merged = mergeTenantFragments(json, this.node.path, fragments, this.environment.tenants.map(t => t.id));
    if (this.fragmentSink) {
      for (const vault of this.vault._builtTenants) {
        const id = vault.tenant.id;
        const scopes = [vault, this.releases.get(id)].filter((s): s is NonNullable<typeof s> => s !== undefined);
        this.fragmentSink(extractTenantFragment(merged, this.node.path, id, tenantOverrides(scopes)));
      }
      // A released tenant's fragment is cut from its own blocks (parsed one tenant at a time).
      for (const f of this.releasedFragments.values()) {
        this.fragmentSink(extractTenantFragment(merged, this.node.path, f.tenantId, f.overrides, materializeBlocks(f.blocks)));
      }
    }
    return merged;
  }

  /**
   * @internal Incremental synthesis (src/platform/synthesis-cache.ts): merge a cached tenant's blocks into this
   * stack's JSON, unless the tenant is built after all (`addTenantBase`).
   */
  public _mergeCachedTenant(fragment: TenantFragment): void {
    this.cachedFragments.set(fragment.tenantId, fragment);
  }

  /** @internal Incremental synthesis: hand every built tenant's blocks to `sink` when the stack is written. */
  public _onTenantFragment(sink: (fragment: TenantFragment) => void): void {
    this.fragmentSink = sink;
  }

  /**
   * Install an environment-wide chart (observability, admission policies) after every tenant base added so far,
   * so that the rules and monitors it holds find their namespaces. The release is named `<env>-<name>` (≤ 53).
   */
  public addEnvironmentChart(name: string, chartDirectory: string, namespace: string): release.Release {
    if (this.part !== EnvironmentStackPart.WHOLE) {
      new Problems(this.node.path)
        .add('part', 'cannot install environment charts', this.part, 'a sharded environment installs them with its EnvironmentChartStack, after every shard')
        .throwIfAny();
    }
    const bases = this.tenantReleases.map(r => r.base);
    return addEnvironmentChartRelease(this, this.environment, this.releaseOptions, name, chartDirectory, namespace, bases);
  }
}

/**
 * The Terraform variables through which the Helm provider reaches an environment's cluster, the same in every stack
 * that installs charts (EnvironmentStack, and the chart stack of a sharded environment).
 */
export function addKubeAccessVariables(
  stack: TerraformStack, env: Environment, names: LifecycleNames,
): { kubeConfigPath: TerraformVariable; kubeContext: TerraformVariable } {
  const kubeConfigPath = new TerraformVariable(stack, 'kube_config_path', {
    type: 'string',
    default: '~/.kube/config',
    description: 'Kubeconfig file the Helm provider reads.',
  });
  const kubeContext = new TerraformVariable(stack, 'kube_context', {
    type: 'string',
    // The context the inventory, the decommission plans and the workflows name (kubeContextPattern): a named
    // context, never whatever context happens to be current.
    default: names.kubeContext(env.name),
    description: `Kubeconfig context of environment ${env.name}'s cluster, as the lifecycle inventory and the decommission plans name it.`,
  });
  return { kubeConfigPath, kubeContext };
}

/**
 * The release of an environment-wide chart in `stack` (EnvironmentStack, or EnvironmentChartStack for a sharded
 * environment), after `dependsOn`. Refuses a name that is not a short DNS label, a bad namespace, or a second chart
 * of the same name.
 */
export function addEnvironmentChartRelease(
  stack: TerraformStack, env: Environment, releaseOptions: TenantReleaseOptions, name: string, chartDirectory: string, namespace: string,
  dependsOn: ITerraformDependable[],
): release.Release {
  const problems = new Problems(stack.node.path);
  const nameProblem = dnsLabelProblem(name, 20);
  if (nameProblem) problems.add('name', nameProblem, name, 'use a short DNS label such as "observability"');
  const nsProblem = dnsLabelProblem(namespace);
  if (nsProblem) problems.add('namespace', nsProblem, namespace, 'name the namespace the chart is installed into, e.g. "monitoring"');
  if (stack.node.tryFindChild(`Environment-${name}`)) problems.add('name', 'is already installed by this stack', name, 'call addEnvironmentChart once per chart');
  problems.throwIfAny();
  const scope = new Construct(stack, `Environment-${name}`);
  const chartDir = path.resolve(chartDirectory);
  const asset = new TerraformAsset(scope, 'Chart', { path: chartDir, type: AssetType.DIRECTORY, assetHash: hashDirectory(chartDir) });
  const chartRelease = withoutTokenStackTraces(() => new release.Release(scope, 'Release', {
    name: environmentChartReleaseName(env.name, name),
    namespace,
    chart: asset.path,
    description: `Environment-wide ${name} of environment ${env.name}`,
    atomic: true,
    cleanupOnFail: true,
    wait: true,
    timeout: releaseOptions.timeoutSeconds ?? 600,
    maxHistory: releaseOptions.maxHistory ?? 5,
    createNamespace: false,
    lint: true,
  }));
  dependOn(chartRelease, dependsOn);
  return chartRelease;
}

/**
 * Refuse a value of `variable` that is not an https:// URL. The condition is built from cdktf's functions so that it
 * is written as an expression (`"${can(regex(...))}"`): Terraform reads a plain string there as a constant and
 * refuses the configuration ("The condition for variable ... must refer to var...").
 */
function requireHttps(variable: TerraformVariable, errorMessage: string): void {
  variable.addValidation({ condition: Fn.can(Fn.regex('^https://', variable.stringValue)), errorMessage });
}

/** The environment with the same settings and no tenants (what a sharded stack's VaultBootstrap starts from). */
function withoutTenants(env: Environment): Environment {
  return new Environment({
    name: env.name,
    environmentClass: env.environmentClass,
    createdAt: env.createdAt,
    ttl: env.ttl,
    sourceBranch: env.sourceBranch,
    owner: env.owner,
    terraformOrganization: env.terraformOrganization,
    workspace: env.workspace,
    oidcGroupPrefix: env.oidcGroupPrefix,
    database: env.database,
    vaultTokenAudience: env.vaultTokenAudience,
  });
}

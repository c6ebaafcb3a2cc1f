import * as helmProvider from '@cdktf/provider-helm/lib/provider';
import * as release from '@cdktf/provider-helm/lib/release';
import { CloudBackend, NamedCloudWorkspace, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { addEnvironmentChartRelease, addKubeAccessVariables, EnvironmentStack, EnvironmentStackPart } from './environment-stack';
import { IsolationOptions } from './isolation';
import { prepareStackLean, stackTerraform, useLeanSynthesis, writesPlaceholder } from './lean-synthesis';
import { ObjectStorageOptions } from './tenant-object-store';
import { protectTenantData } from './tenant-protection';
import { TenantReleaseOptions } from './tenant-release';
import { VaultBootstrapOptions } from './vault-bootstrap';
import { Environment } from '../model/environment';
import { LifecycleNames } from '../model/names';
import { isWorkspaceName } from '../model/naming';
import { Problems } from '../model/problems';
import { TenantSharding, TenantShardingProps, terraformStackLayout } from '../model/sharding';
import { Tenant } from '../model/tenant';

/** Inputs of a ShardedEnvironment. */
export interface ShardedEnvironmentProps extends IsolationOptions {
  /** The environment. */
  readonly environment: Environment;
  /** How its tenants are spread over shards. */
  readonly sharding: TenantShardingProps;
  /**
   * Terraform Cloud organization.
   * @default - the environment's `terraformOrganization`
   */
  readonly organization?: string;
  /**
   * Workspace of the base stack; shards use `<workspace>-shard-NN`, the environment charts `<workspace>-charts`.
   * @default - the environment's `workspace` (`inopsio-<name>`)
   */
  readonly workspace?: string;
  /**
   * Terraform Cloud / Enterprise host name.
   * @default - app.terraform.io
   */
  readonly terraformHostname?: string;
  /**
   * The object store of the tenants' prefixes; each shard creates its tenants' object-store users.
   * @default - no object-store users are created
   */
  readonly objectStorage?: ObjectStorageOptions;
  /**
   * Vault bootstrap settings, for the base and every shard.
   * @default - the defaults of VaultBootstrapOptions
   */
  readonly vault?: VaultBootstrapOptions;
  /**
   * Settings of the tenant and environment Helm releases.
   * @default - the defaults of TenantReleaseOptions
   */
  readonly releases?: TenantReleaseOptions;
  /**
   * The platform's names (release patterns, kube context), for every stack of the environment.
   * @default - LifecycleNames.of()
   */
  readonly names?: LifecycleNames;
  /**
   * The shards (1-based) whose tenants are constructed; the others are empty stacks. A part of a horizontally split
   * synthesis (`SynthesisShard`) builds only its own shards' tenant resources, and writes only those stacks.
   * @default - every shard
   */
  readonly constructedShards?: number[];
  /**
   * Tenants (ids) whose Terraform comes from a synthesis cache: their shard stacks do not build them
   * (`EnvironmentStackProps.cachedTenants`).
   * @default - none
   */
  readonly cachedTenants?: string[];
  /**
   * Build the shards' tenants now (`EnvironmentStackProps.constructTenants`). Without, each shard builds a tenant when
   * it is installed or asked for (a Platform's shards).
   * @default true
   */
  readonly constructTenants?: boolean;
}

/**
 * One environment spread over several Terraform stacks, each its own Terraform Cloud workspace, applied in this order:
 *
 * 1. `<env>` (workspace `<workspace>`): the environment-wide Vault resources, exactly once: KV and database mounts,
 *    Kubernetes auth backend and configuration, audit devices, environment policy.
 * 2. `<env>-shard-01` … `<env>-shard-NN` (workspaces `<workspace>-shard-NN`), in any order or in parallel: each
 *    tenant's Vault resources (policy, database connection and roles, Kubernetes auth roles, backup access), tenant
 *    base and modules. Which shard holds a tenant is `TenantSharding.shardOf(id)`: stable, whatever other tenants
 *    come and go.
 * 3. `<env>-charts` (workspace `<workspace>-charts`): the environment-wide charts (observability, Argo CD, admission
 *    policy), once, after every shard, because they put monitors and rules into the tenant namespaces.
 *
 * Each stack declares its dependencies (`cdktf deploy` follows them); in Terraform Cloud, run triggers or the
 * pipeline must keep the order. Attach the environment's variable set to all of its workspaces.
 */
export class ShardedEnvironment {
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant assignment. */
  public readonly sharding: TenantSharding;
  /** The base stack (environment-wide Vault resources), applied first. */
  public readonly base: EnvironmentStack;
  /** The tenant shards, shard 1 first. */
  public readonly shards: EnvironmentStack[];
  /** The stack of the environment-wide charts, applied last. */
  public readonly charts: EnvironmentChartStack;
  private readonly shardIndex = new Map<string, number>();

  constructor(scope: Construct, props: ShardedEnvironmentProps) {
    const env = props.environment;
    const path = `${scope.node.path}/${env?.name}`;
    if (!(env instanceof Environment)) {
      new Problems(path).add('environment', 'is not an Environment', env, 'pass new Environment({...})').throwIfAny();
    }
    this.environment = env;
    this.sharding = new TenantSharding(props.sharding, `${path}.sharding`);
    const tenants = env.tenants;
    const assignment = this.sharding.assign(tenants.map(t => t.id), `${path}.sharding`);
    const byId = new Map<string, Tenant>(tenants.map(t => [t.id, t]));
    const constructed = (shard: number) => props.constructedShards === undefined || props.constructedShards.includes(shard);
    const workspace = props.workspace ?? env.workspace;
    const common = {
      environment: env,
      organization: props.organization,
      terraformHostname: props.terraformHostname,
      vault: props.vault,
      releases: props.releases,
      names: props.names,
      productionEnvironmentNames: props.productionEnvironmentNames,
      forbiddenReferences: props.forbiddenReferences,
      objectStorage: props.objectStorage,
    };
    // Names from the one layout function the inventory, the workflows and the decommission plans use too.
    const layout = terraformStackLayout(env.name, workspace, this.sharding.shardCount);
    const [baseLayout, chartsLayout] = [layout[0], layout[layout.length - 1]];
    this.base = new EnvironmentStack(scope, baseLayout.stack, { ...common, workspace: baseLayout.workspace, part: EnvironmentStackPart.BASE });
    this.shards = assignment.map((ids, i) => {
      const shardLayout = layout[i + 1];
      ids.forEach(id => this.shardIndex.set(id, i));
      const shard = new EnvironmentStack(scope, shardLayout.stack, {
        ...common,
        workspace: shardLayout.workspace,
        part: EnvironmentStackPart.TENANT_SHARD,
        shardTenants: constructed(i + 1) ? ids.map(id => byId.get(id)!) : [],
        cachedTenants: props.cachedTenants,
        constructTenants: props.constructTenants,
      });
      shard.addDependency(this.base);
      return shard;
    });
    this.charts = new EnvironmentChartStack(scope, chartsLayout.stack, {
      environment: env,
      organization: props.organization,
      workspace: chartsLayout.workspace,
      terraformHostname: props.terraformHostname,
      releases: props.releases,
      names: props.names,
    });
    for (const shard of this.shards) this.charts.addDependency(shard);
  }

  /** Every stack, in apply order: base, shards, charts. */
  public get stacks(): TerraformStack[] {
    return [this.base, ...this.shards, this.charts];
  }

  /** The shard stack of a tenant (its Vault resources and releases). */
  public stackForTenant(tenantId: string): EnvironmentStack {
    const i = this.shardIndex.get(tenantId);
    if (i === undefined) {
      new Problems(`${this.base.node.path}`)
        .add('tenantId', `is not a tenant of environment "${this.environment.name}"`, tenantId, 'use one of the environment\'s tenants')
        .throwIfAny();
    }
    return this.shards[i!];
  }
}

/** Inputs of an EnvironmentChartStack. */
export interface EnvironmentChartStackProps {
  /** The environment. */
  readonly environment: Environment;
  /** Terraform Cloud workspace (`<workspace>-charts`). */
  readonly workspace: string;
  /**
   * Terraform Cloud organization.
   * @default - the environment's `terraformOrganization`
   */
  readonly organization?: string;
  /**
   * Terraform Cloud / Enterprise host name.
   * @default - app.terraform.io
   */
  readonly terraformHostname?: string;
  /**
   * Timeout and history of the releases.
   * @default - the defaults of TenantReleaseOptions
   */
  readonly releases?: TenantReleaseOptions;
  /**
   * The platform's names (`var.kube_context` defaults to its kube context of the environment).
   * @default - LifecycleNames.of()
   */
  readonly names?: LifecycleNames;
}

/**
 * The environment-wide charts of a sharded environment, in their own workspace applied after every shard: the Helm
 * provider (`var.kube_config_path`, `var.kube_context`) and one release per chart. No Vault.
 */
export class EnvironmentChartStack extends TerraformStack {
  /** The environment. */
  public readonly environment: Environment;
  /** `var.kube_config_path`. */
  public readonly kubeConfigPath: TerraformVariable;
  /** `var.kube_context` (default: the platform's name for the context, never the current one). */
  public readonly kubeContext: TerraformVariable;
  /** The Helm provider. */
  public readonly helmProvider: helmProvider.HelmProvider;
  private readonly releaseOptions: TenantReleaseOptions;

  constructor(scope: Construct, id: string, props: EnvironmentChartStackProps) {
    super(scope, id);
    useLeanSynthesis(this);
    const env = props.environment;
    const organization = props.organization ?? env.terraformOrganization;
    if (!isWorkspaceName(props.workspace)) {
      new Problems(this.node.path)
        .add('workspace', 'is not a Terraform Cloud workspace name', props.workspace, 'use letters, digits, "-" and "_", at most 90 characters (shorten the environment workspace)')
        .throwIfAny();
    }
    this.environment = env;
    this.releaseOptions = { ...(props.releases ?? {}) };
    new CloudBackend(this, { organization, workspaces: new NamedCloudWorkspace(props.workspace), hostname: props.terraformHostname });
    this.addOverride('terraform.required_version', '>= 1.11.0');
    ({ kubeConfigPath: this.kubeConfigPath, kubeContext: this.kubeContext } = addKubeAccessVariables(this, env, props.names ?? LifecycleNames.of()));
    this.helmProvider = new helmProvider.HelmProvider(this, 'helm', {
      kubernetes: { configPath: this.kubeConfigPath.stringValue, configContext: this.kubeContext.stringValue },
    });
  }

  /** Install an environment-wide chart (release `<env>-<name>`); the shards it follows are applied before this stack. */
  public addEnvironmentChart(name: string, chartDirectory: string, namespace: string): release.Release {
    return addEnvironmentChartRelease(this, this.environment, this.releaseOptions, name, chartDirectory, namespace, []);
  }

  /**
   * cdktf's preparation before writing (cross-stack references), resolving only the values that hold a token instead
   * of every element's whole configuration (src/tf/lean-synthesis.ts).
   */
  public prepareStack(): void {
    prepareStackLean(this);
  }

  /** The stack's Terraform JSON; `{}` while cdktf's synthesizer runs (see `EnvironmentStack.toTerraform`). */
  public toTerraform(): any {
    return writesPlaceholder(this) ? {} : protectTenantData(stackTerraform(this), this.environment);
  }
}

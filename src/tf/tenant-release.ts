import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as release from '@cdktf/provider-helm/lib/release';
import { AssetType, ITerraformDependable, TerraformAsset, Token } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { EnvironmentIsolation, IsolationOptions } from './isolation';
import { TenantVault } from './vault-bootstrap';
import { Environment } from '../model/environment';
import { UpgradeStrategy } from '../model/environment-class';
import { replicaOverrides } from '../model/module-operations';
import {
  addModuleValueProblems, helmSetValue, moduleHelmValues, resolveSecretDeliveryOptions, SecretDeliveryOptions, SecretDeliveryRequest,
  WORKLOAD_TOKEN_VOLUME, workloadVaultDelivery,
} from '../model/module-values';
import { LifecycleNames, tenantVaultNames } from '../model/names';
import { isDnsLabel, NAME_LIMITS } from '../model/naming';
import { Problems } from '../model/problems';
import { Tenant, TenantState } from '../model/tenant';
import { workloadsIn } from '../model/tenant-workload';
import { ResolvedVaultRef } from '../model/vault-ref';

export { SecretDelivery } from '../model/module-values';

/** Tunable parts of tenant releases (secret delivery: the same settings Argo CD Applications take). */
export interface TenantReleaseOptions extends SecretDeliveryOptions {
  /**
   * Seconds Helm waits for a release to become ready before rolling back (V14), 60–3600.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Release revisions Helm keeps, 1–20.
   * @default 5
   */
  readonly maxHistory?: number;
}

/** Inputs of a TenantRelease. */
export interface TenantReleaseProps extends TenantReleaseOptions, IsolationOptions {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /** Folder of the tenant's generated local Helm chart (with `Chart.yaml`); it contains the tenant's Namespace. */
  readonly chartDirectory: string;
  /**
   * The tenant's Vault resources: the base release waits for them, and module references extend the tenant policy.
   * @default - no Vault ordering (tests, or Vault managed elsewhere)
   */
  readonly vault?: TenantVault;
  /**
   * Install the tenant's modules as Helm releases. Classes that upgrade through Argo CD leave the modules to their
   * Applications instead, so that every object has exactly one owner.
   * @default - true when the environment's class upgrades with Helm, false when it upgrades with Argo CD
   */
  readonly installModules?: boolean;
  /**
   * The platform's names: the base and module releases follow its patterns, as the inventory and the decommission
   * plan do.
   * @default - LifecycleNames.of(): `<tenant>-base` and `<tenant>-<module>`
   */
  readonly names?: LifecycleNames;
}

/**
 * A Helm value for Terraform's `set`: Helm's `--set` escaping (the model's `helmSetValue`) plus Terraform's (`${` and
 * `%{` start interpolations).
 */
function setValue(value: string): string {
  // A function replacement: in a replacement string "$$" would itself mean one "$".
  return helmSetValue(value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{'));
}

/** A stable content hash of a folder: sorted relative paths and bytes (file order and timestamps do not matter). */
/** A content digest of a directory tree (names, sizes, bytes), stable across machines. */
export function hashDirectory(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = fs.statSync(full);
      if (stat.isDirectory()) {
        walk(full, relPath);
      } else if (stat.isFile()) {
        hash.update(`${relPath}\0${stat.size}\0`);
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(root, '');
  return hash.digest('hex').slice(0, 32);
}

/**
 * A tenant in Helm: the tenant base (its generated local chart, which contains the tenant's Namespace and every
 * base object) and one release per tenant module, in the spec's order (§3, docs/outputs.md "Apply order"): the tenant's Vault resources →
 * tenant base → modules, made explicit with `depends_on`.
 *
 * Every release pins an exact chart version and is `atomic`, `cleanup_on_fail`, `wait` and time-limited (V14).
 * `{{ vault('...') }}` references in module values are never rendered as values: they become Vault Agent injector
 * annotations (default) or External Secrets targets.
 */
export class TenantRelease extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The tenant namespace all releases install into. */
  public readonly namespace: string;
  /** The chart folder copied into the stack output (`assets/<id>/<hash>`, relative to the stack directory). */
  public readonly chartAsset: TerraformAsset;
  /** The tenant base release. */
  public readonly base: release.Release;
  /** The module releases, in the tenant's module order. */
  public readonly modules: release.Release[];
  /** The values delivered from Vault at run time. */
  public readonly secretDeliveries: SecretDeliveryRequest[];

  constructor(scope: Construct, id: string, props: TenantReleaseProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    const env = props.environment;
    const tenant = props.tenant;
    if (!(env instanceof Environment)) problems.add('environment', 'is not an Environment', env, 'pass the stack\'s Environment');
    if (!(tenant instanceof Tenant)) problems.add('tenant', 'is not a Tenant', tenant, 'pass a Tenant of the environment');
    problems.throwIfAny();

    const timeout = props.timeoutSeconds ?? 600;
    const maxHistory = props.maxHistory ?? 5;
    const names = tenantVaultNames(env, tenant);
    const isolation = new EnvironmentIsolation(env, props);
    const delivery = resolveSecretDeliveryOptions(props);
    for (const p of delivery.problems) problems.add(p.field, p.problem, p.got, p.fix);

    if (!Number.isInteger(timeout) || timeout < 60 || timeout > 3_600) {
      problems.add('timeoutSeconds', 'is not a whole number from 60 to 3600', timeout, 'give Helm time to roll out and roll back, e.g. 600 (V14)');
    }
    if (!Number.isInteger(maxHistory) || maxHistory < 1 || maxHistory > 20) {
      problems.add('maxHistory', 'is not a whole number from 1 to 20', maxHistory, 'keep a few revisions for rollback, e.g. 5');
    }
    if (props.vault !== undefined && props.vault.tenant.id !== tenant.id) {
      problems.add('vault', `belongs to tenant "${props.vault.tenant.id}"`, tenant.id, 'pass bootstrap.tenantResources(tenant.id)');
    }

    // The chart: a folder with Chart.yaml, copied into the stack output under a content hash.
    const chartDir = typeof props.chartDirectory === 'string' ? path.resolve(props.chartDirectory) : '';
    let chartOk = false;
    if (!chartDir || !fs.existsSync(chartDir) || !fs.statSync(chartDir).isDirectory()) {
      problems.add('chartDirectory', 'is not a folder', props.chartDirectory, 'write the tenant\'s local chart first and pass its folder');
    } else if (!fs.existsSync(path.join(chartDir, 'Chart.yaml'))) {
      problems.add('chartDirectory', 'has no Chart.yaml', props.chartDirectory, 'pass the folder of a Helm chart (Chart.yaml, templates/)');
    } else {
      chartOk = true;
    }

    // Release names: the platform's patterns, ≤ 53 after composition, unique in the namespace (B02, B03).
    const lifecycleNames = props.names ?? LifecycleNames.of();
    const baseName = lifecycleNames.baseRelease(env.name, tenant.id);
    const releaseNames = new Map<string, string>([[baseName, 'the tenant base']]);
    const moduleNames = tenant.modules.map((m, i) => {
      const name = lifecycleNames.moduleRelease(env.name, tenant.id, m?.name ?? '');
      if (!isDnsLabel(name, NAME_LIMITS.helmRelease)) {
        problems.add(`modules[${i}].name`, `gives release name "${name}", which is not a DNS label of at most 53 characters`, m?.name, 'use a DNS-1123 label such as "billing"');
      } else if (releaseNames.has(name)) {
        problems.add(`modules[${i}].name`, `gives release name "${name}", already used by ${releaseNames.get(name)}`, m?.name, 'rename the module (B03)');
      }
      releaseNames.set(name, `module "${m?.name}"`);
      return name;
    });

    // Module values: the model splits them once (plain values, Vault references → run-time delivery, never values);
    // Argo CD Applications install the same parameters.
    const deliveries: SecretDeliveryRequest[] = [];
    const grants: ResolvedVaultRef[] = [];
    const sets: release.ReleaseSet[][] = tenant.modules.map((m, i) => {
      if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(m?.version ?? '')) {
        problems.add(`modules[${i}].version`, 'is not an exact semantic version', m?.version, 'pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")');
      }
      // A suspended or archived tenant's replica keys are 0 (the same overrides as the Argo CD path); active, as declared.
      const replicas = m?.name ? replicaOverrides(m, tenant.state) : {};
      const values = moduleHelmValues(env, tenant, m?.name ? { ...m, values: { ...m.values, ...replicas } } : m, `modules[${i}]`, delivery.options, {
        isOpaque: value => Token.isUnresolved(value),
        check: value => isolation.check(value),
      });
      addModuleValueProblems(problems, this.node.path, values.problems);
      deliveries.push(...values.deliveries);
      grants.push(...values.grants);
      // Replica counts and the numbers, booleans and nulls of structured values reach the chart typed (`auto`, Helm
      // parses them; never escaped: they hold no syntax); everything else as a string.
      return values.parameters.map(p => ({
        name: p.name,
        value: Token.isUnresolved(p.value) || p.typed ? p.value : setValue(p.value),
        type: p.typed ? 'auto' : 'string',
      }));
    });
    // cdk8s-plus workloads read their secrets as the tenant role too: the same checks, the same grants (issue 19).
    workloadsIn(env, tenant).forEach(w => {
      const workload = workloadVaultDelivery(env, tenant, w, `workloads[${tenant.workloads.indexOf(w)}]`, WORKLOAD_TOKEN_VOLUME);
      addModuleValueProblems(problems, this.node.path, workload.problems);
      grants.push(...workload.grants);
    });
    problems.throwIfAny();
    // Only a valid release extends the tenant policy (cache credentials a module or workload references).
    for (const ref of grants) props.vault?.grantRead(ref);

    this.environment = env;
    this.tenant = tenant;
    this.namespace = names.namespace;
    this.secretDeliveries = deliveries;
    this.chartAsset = new TerraformAsset(this, 'Chart', { path: chartDir, type: AssetType.DIRECTORY, assetHash: chartOk ? hashDirectory(chartDir) : undefined });

    const active = tenant.state === TenantState.ACTIVE;
    const common = {
      namespace: names.namespace,
      atomic: true,
      cleanupOnFail: true,
      // Suspended and archived tenants have a zero-pod quota: waiting for readiness would time out and roll back.
      wait: active,
      waitForJobs: active,
      timeout,
      maxHistory,
    };
    const vaultDeps: ITerraformDependable[] = props.vault?.dependables ?? [];
    this.base = new release.Release(this, 'Base', {
      ...common,
      name: baseName,
      chart: this.chartAsset.path,
      description: `Base objects of tenant ${tenant.id} in environment ${env.name}`,
      // The chart holds the tenant's Namespace, but Helm stores the release record in the namespace before it
      // creates any chart object: Helm creates the bare namespace, then adopts it from the chart (labels, PSA).
      createNamespace: true,
      takeOwnership: true,
      lint: true,
    });
    dependOn(this.base, vaultDeps);
    const installModules = props.installModules ?? env.environmentClass.upgradeStrategy === UpgradeStrategy.HELM;
    this.modules = !installModules ? [] : tenant.modules.map((m, i) => new release.Release(this, `Module-${m.name}`, {
      ...common,
      name: moduleNames[i],
      repository: m.repository,
      chart: m.chart,
      version: m.version,
      description: `Module ${m.name} of tenant ${tenant.id} in environment ${env.name}`,
      createNamespace: false,
      set: sets[i].length > 0 ? sets[i] : undefined,
    }));
    for (const m of this.modules) dependOn(m, [this.base]);
  }

  /** The release of a module. */
  public moduleRelease(name: string): release.Release {
    const i = this.tenant.modules.findIndex(m => m.name === name);
    if (i < 0) {
      new Problems(this.node.path)
        .add('module', 'is not a module of the tenant', name, `use one of ${this.tenant.modules.map(m => m.name).join(', ') || '(none)'}`)
        .throwIfAny();
    }
    return this.modules[i];
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { Environment } from '../model/environment';
import { LifecycleKind, UpgradeStrategy } from '../model/environment-class';
import { DOMAIN, tenantLabels } from '../model/labels';
import { replicaOverrides, workloadsStopped } from '../model/module-operations';
import {
  addModuleValueProblems, helmSetValue, moduleHelmValues, resolveSecretDeliveryOptions, SecretDeliveryOptions, SecretDeliveryRequest,
} from '../model/module-values';
import { argoCdApplicationName, argoCdProjectName, LifecycleNames } from '../model/names';
import { Problems } from '../model/problems';
import { Tenant, TenantModuleProps, TenantState } from '../model/tenant';

/** The in-cluster API server, Argo CD's default destination. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** The finalizer that makes deleting an Application delete its resources (cascade). */
export const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * A second source of an Application: a git folder holding the module's rendered PreSync hooks
 * (`SchemaMigrationHook`), so Argo CD runs them as part of the sync, before the chart.
 */
export interface MigrationHookSource {
  /** Git repository Argo CD reads the hooks from. */
  readonly repoUrl: string;
  /** Git revision: a tag or commit, not a moving branch in production. */
  readonly targetRevision: string;
  /**
   * Folder of the rendered hooks in that repository.
   * @default `argocd-hooks/<env>/<tenant>/<module>` (see `migrationHookPath`)
   */
  readonly path?: string;
}

/**
 * Props of an ArgoCdApplication. The secret-delivery settings are those of the Terraform releases
 * (`TenantReleaseOptions`): both paths install the same Helm values.
 */
export interface ArgoCdApplicationProps extends SecretDeliveryOptions {
  /** The environment; its class must upgrade through Argo CD (`UpgradeStrategy.ARGO_CD`). */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /** Name of one of the tenant's modules. */
  readonly module: string;
  /**
   * Argo CD project.
   * @default `<env>-<tenant>` (ArgoCdTenantProject)
   */
  readonly project?: string;
  /**
   * Destination cluster API server.
   * @default 'https://kubernetes.default.svc'
   */
  readonly destinationServer?: string;
  /**
   * Where the module's PreSync schema-migration hooks are read from.
   * @default - no hooks: the chart's own hooks only
   */
  readonly migrationHooks?: MigrationHookSource;
  /**
   * Let automated sync delete resources that left the chart. Production keeps them until a reviewed, manual
   * `argocd app sync --prune` (a chart change must never drop a PVC on its own there).
   * @default - false for permanent classes, true otherwise
   */
  readonly prune?: boolean;
  /**
   * The platform's names (release names, Argo CD namespace), shared with Terraform, the inventory and the decommission plan.
   * @default - LifecycleNames.of(): the defaults of LifecycleNamingOptions
   */
  readonly names?: LifecycleNames;
}

/** Default folder of a module's rendered hooks in the hooks repository. */
export function migrationHookPath(env: string, tenant: string, module: string): string {
  return `argocd-hooks/${env}/${tenant}/${module}`;
}

/**
 * An Argo CD Application for one tenant module (spec §9 "Upgrade Tenant: ArgoCD sync + schema migrations").
 *
 * - Source: the module's chart at its exact version; Helm parameters (`forceString`, escaped for Helm's `--set`)
 *   from `moduleHelmValues`, the same function Terraform's `helm_release` takes its `set` from: plain values, and for
 *   Vault references the injector annotations, `<value>_FILE`, the projected token volume and the service account,
 *   never the reference itself. With `migrationHooks`, a second source adds the PreSync hook folder.
 * - Destination: the tenant's namespace, which Terraform owns: `CreateNamespace=false`.
 * - Sync: automated with self-heal (immutable infrastructure, spec §1); prune everywhere except permanent
 *   classes; `FailOnSharedResource=true` so Argo CD never takes over an object another owner manages; retries
 *   with backoff. Suspended and archived tenants sync without prune, with every replica key at 0 and no migration hooks.
 * - The resources finalizer makes deleting the Application delete the module (tenant decommissioning).
 *
 * The Application lives in Argo CD's namespace and belongs in the tenant base, installed by Terraform: Terraform
 * owns the Application, Argo CD owns what it deploys.
 */
export class ArgoCdApplication extends Construct {
  /** The Application object. */
  public readonly application: ApiObject;
  /** Application name, `<env>-<tenant>-<module>` (≤ 63). */
  public readonly applicationName: string;
  /** Helm release name (the same as with UpgradeStrategy.HELM). */
  public readonly releaseName: string;
  /** The values delivered from Vault at run time (the same requests as `TenantRelease.secretDeliveries`). */
  public readonly secretDeliveries: SecretDeliveryRequest[];

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    const env = props.environment;
    const tenant = props.tenant;
    const problems = new Problems(problemPath(this));
    if (env.environmentClass.upgradeStrategy !== UpgradeStrategy.ARGO_CD) {
      problems.add('environment', `has class ${env.environmentClass.name}, which upgrades with ${env.environmentClass.upgradeStrategy}; an Application would give the module a second owner`, env.name, 'use UpgradeStrategy.ARGO_CD on the class, or let Terraform install the module with Helm');
    }
    if (!env.hasTenant(tenant.id)) {
      problems.add('tenant', `is not a tenant of environment ${env.name}`, tenant.id, 'add the tenant to the environment first');
    }
    const mod: TenantModuleProps | undefined = tenant.modules.find(m => m.name === props.module);
    if (!mod) {
      problems.add('module', `is not a module of tenant ${tenant.id}`, props.module, `use one of ${tenant.modules.map(m => m.name).join(', ') || '(none)'}`);
    }
    const server = props.destinationServer ?? IN_CLUSTER_SERVER;
    if (!/^https:\/\/[^\s@/]+(\/[^\s@]*)?$/.test(server)) {
      problems.add('destinationServer', 'is not an https URL without credentials', server, `use e.g. "${IN_CLUSTER_SERVER}"`);
    }
    const hooks = props.migrationHooks;
    if (hooks) {
      if (!/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/.test(hooks.repoUrl ?? '') || /^https:\/\/[^/]*@/.test(hooks.repoUrl)) {
        problems.add('migrationHooks.repoUrl', 'is not a git URL without inline credentials', hooks.repoUrl, 'use e.g. "https://github.com/inopsio/platform.git"; register credentials in Argo CD');
      }
      if (!/^[A-Za-z0-9._/-]{1,200}$/.test(hooks.targetRevision ?? '') || hooks.targetRevision === 'HEAD') {
        problems.add('migrationHooks.targetRevision', 'is not a pinned revision', hooks.targetRevision, 'use a tag or a commit SHA');
      }
      if (hooks.path !== undefined && (!/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(hooks.path) || hooks.path.split('/').includes('..'))) {
        problems.add('migrationHooks.path', 'is not a relative folder', hooks.path, 'use e.g. "argocd-hooks/prod/acme/billing"');
      }
    }
    const delivery = resolveSecretDeliveryOptions(props);
    for (const p of delivery.problems) problems.add(p.field, p.problem, p.got, p.fix);
    const project = props.project ?? argoCdProjectName(env.name, tenant.id);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(project) || project.length > 63) {
      problems.add('project', 'is not a DNS label', project, 'name an AppProject such as "prod-acme"');
    }
    const values = mod && delivery.problems.length === 0 ? moduleHelmValues(env, tenant, { ...mod, values: { ...mod.values, ...replicaOverrides(mod, tenant.state) } }, 'module', delivery.options) : undefined;
    if (values) addModuleValueProblems(problems, this.node.path, values.problems);
    problems.throwIfAny();
    const names = props.names ?? LifecycleNames.of();

    const m = mod!;
    this.applicationName = argoCdApplicationName(env.name, tenant.id, m.name);
    this.releaseName = names!.moduleRelease(env.name, tenant.id, m.name);
    // Argo CD passes each parameter to Helm as `--set-string name=value` (forceString); the value is escaped for
    // Helm's parser, so the chart receives exactly what the Terraform path gives it.
    // Replica counts and structured values' numbers, booleans and nulls go typed (`--set`, as Terraform's `auto`).
    const parameters = values!.parameters.map(p => (p.typed
      ? { name: p.name, value: p.value, forceString: false }
      : { name: p.name, value: helmSetValue(p.value), forceString: true }));
    this.secretDeliveries = values!.deliveries;

    const chartSource = {
      repoURL: m.repository.replace(/^oci:\/\//, ''),
      chart: m.chart,
      targetRevision: m.version,
      helm: { releaseName: this.releaseName, ...(parameters.length > 0 ? { parameters } : {}) },
    };
    const active = tenant.state === TenantState.ACTIVE;
    const stopped = workloadsStopped(tenant.state);
    const prune = props.prune ?? env.environmentClass.lifecycle !== LifecycleKind.PERMANENT;
    this.application = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.applicationName,
        namespace: names.argoCdNamespace,
        labels: { ...tenantLabels(env, tenant, 'argocd-application'), [`${DOMAIN}/module`]: m.name },
        annotations: {
          [`${DOMAIN}/upgrade-strategy`]: UpgradeStrategy.ARGO_CD,
          [`${DOMAIN}/prune`]: String(prune && active),
        },
        finalizers: [ARGOCD_RESOURCES_FINALIZER],
      },
      spec: {
        project,
        // No migrations while the tenant runs nothing: its quota admits no hook Job, and nothing would use the schema.
        ...(hooks && !stopped
          ? {
            sources: [
              chartSource,
              {
                repoURL: hooks.repoUrl,
                path: hooks.path ?? migrationHookPath(env.name, tenant.id, m.name),
                targetRevision: hooks.targetRevision,
                directory: { recurse: false },
              },
            ],
          }
          : { source: chartSource }),
        destination: { server, namespace: env.namespaceFor(tenant.id) },
        syncPolicy: {
          // Suspended and archived tenants keep automated sync without prune, so that the scale to zero reaches the
          // cluster and stays there (self-heal); resuming brings back the declared sizes the same way.
          automated: { prune: prune && active, selfHeal: true, allowEmpty: false },
          syncOptions: ['CreateNamespace=false', 'FailOnSharedResource=true', 'PrunePropagationPolicy=foreground', 'PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
        },
        revisionHistoryLimit: 10,
      },
    });
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IN_CLUSTER_SERVER } from './argocd-application';
import { problemPath } from './problem-path';
import { Environment } from '../model/environment';
import { tenantLabels } from '../model/labels';
import { argoCdProjectName, LifecycleNames } from '../model/names';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';

/** Props of an ArgoCdTenantProject. */
export interface ArgoCdTenantProjectProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /**
   * Destination cluster API server.
   * @default 'https://kubernetes.default.svc'
   */
  readonly destinationServer?: string;
  /**
   * Extra source repositories, e.g. the git repository of the migration hooks.
   * @default - only the tenant's chart repositories
   */
  readonly additionalSourceRepos?: string[];
  /**
   * The platform's names (Argo CD namespace), shared with Terraform, the inventory and the decommission plan.
   * @default - LifecycleNames.of(): the defaults of LifecycleNamingOptions
   */
  readonly names?: LifecycleNames;
}

/**
 * Kinds a tenant's modules may not create or change: the guard rails Terraform installs with the tenant base
 * (quota, limits, network policies, RBAC). One owner per object (docs/architecture.md).
 */
export const TENANT_GUARD_RAIL_KINDS: ReadonlyArray<{ readonly group: string; readonly kind: string }> = Object.freeze([
  { group: '', kind: 'LimitRange' },
  { group: '', kind: 'ResourceQuota' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
]);

/**
 * The Argo CD AppProject of one tenant in one environment: its Applications may only deploy the tenant's chart
 * repositories into the tenant's namespace, may create no cluster-scoped objects, and may not touch the guard
 * rails the tenant base owns.
 */
export class ArgoCdTenantProject extends Construct {
  /** The AppProject object. */
  public readonly project: ApiObject;
  /** Project name, `<env>-<tenant>`. */
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: ArgoCdTenantProjectProps) {
    super(scope, id);
    const env = props.environment;
    const tenant = props.tenant;
    const problems = new Problems(problemPath(this));
    const server = props.destinationServer ?? IN_CLUSTER_SERVER;
    if (!/^https:\/\/[^\s@/]+(\/[^\s@]*)?$/.test(server)) {
      problems.add('destinationServer', 'is not an https URL without credentials', server, `use e.g. "${IN_CLUSTER_SERVER}"`);
    }
    (props.additionalSourceRepos ?? []).forEach((repo, i) => {
      if (!/^(https:\/\/|ssh:\/\/|git@)[^\s*]+$/.test(repo) || /^https:\/\/[^/]*@/.test(repo)) {
        problems.add(`additionalSourceRepos[${i}]`, 'is not a repository URL without wildcards or credentials', repo, 'name the repository exactly');
      }
    });
    problems.throwIfAny();
    const names = props.names ?? LifecycleNames.of();

    this.projectName = argoCdProjectName(env.name, tenant.id);
    const repos = [...new Set([
      ...tenant.modules.map(m => m.repository.replace(/^oci:\/\//, '')),
      ...(props.additionalSourceRepos ?? []),
    ])].sort();
    this.project = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: {
        name: this.projectName,
        namespace: names.argoCdNamespace,
        labels: tenantLabels(env, tenant, 'argocd-project'),
      },
      spec: {
        description: `Modules of tenant ${tenant.id} in environment ${env.name}`,
        sourceRepos: repos,
        destinations: [{ server, namespace: env.namespaceFor(tenant.id) }],
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: TENANT_GUARD_RAIL_KINDS.map(k => ({ group: k.group, kind: k.kind })),
      },
    });
  }
}

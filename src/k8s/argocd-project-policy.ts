import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { AdmissionPolicyApiVersion, boundPolicy, cel, checkedAdmissionApiVersion, checkedPolicyEnvironment } from './validating-policy';
import { Environment } from '../model/environment';
import { KubernetesVersion } from '../model/kubernetes-version';
import { environmentLabels } from '../model/labels';
import { argoCdProjectName, LifecycleNames } from '../model/names';
import { Problems } from '../model/problems';

/** Props of an ArgoCdProjectGuard. */
export interface ArgoCdProjectGuardProps {
  /** The environment whose tenant namespaces Applications are bound for. */
  readonly environment: Environment;
  /**
   * The platform's names (Argo CD namespace), shared with the AppProjects and Applications.
   * @default - LifecycleNames.of(): the defaults of LifecycleNamingOptions
   */
  readonly names?: LifecycleNames;
  /**
   * The Kubernetes release the clusters run; it picks the API version of the admission policy.
   * @default KubernetesVersion.DEFAULT (1.35)
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * The clusters serve the beta ValidatingAdmissionPolicy API (1.28 and 1.29 only).
   * @default false
   */
  readonly betaApiEnabled?: boolean;
  /**
   * Write the locked `default` AppProject. Argo CD has one `default` project per instance, so a platform whose
   * environments share one Argo CD writes it once (the Platform: with its first environment that upgrades through
   * Argo CD; parity does not compare it).
   * @default true
   */
  readonly lockDefaultProject?: boolean;
}

/**
 * Argo CD cannot be used to cross tenants (issue 21, path 5):
 *
 * - a `ValidatingAdmissionPolicy` and its binding refuse CREATE and UPDATE of an Argo CD `Application` (in any
 *   namespace) whose `spec.destination.namespace` is a tenant namespace of the environment unless its
 *   `spec.project` is that tenant's AppProject, `<env>-<tenant>` (`argoCdProjectName`): a project of another tenant
 *   (or `default`) would deploy its repositories into this tenant's namespace;
 * - Argo CD's `default` AppProject, which every Application without a project falls into and which allows every
 *   repository, cluster and namespace out of the box, is written locked: no source repositories, no destinations, no
 *   resource kinds (Argo CD's documented way to restrict it; it cannot be deleted).
 *
 * No identity is exempt from the policy: Argo CD's own controller writes Applications only through Git, and the
 * Applications the library generates already name their tenant's project.
 */
export class ArgoCdProjectGuard extends Construct {
  /** The policy. */
  public readonly policy: ApiObject;
  /** Its binding (Deny + Audit). */
  public readonly binding: ApiObject;
  /** The locked `default` AppProject (undefined with `lockDefaultProject: false`). */
  public readonly defaultProject?: ApiObject;
  /** The policy name, `inopsio-argocd-projects-<env>`. */
  public readonly policyName: string;
  /** The API version of the policy and binding. */
  public readonly apiVersion: AdmissionPolicyApiVersion;
  /** The CEL expressions, by name, for tests and reviews. */
  public readonly expressions: { [name: string]: string };

  constructor(scope: Construct, id: string, props: ArgoCdProjectGuardProps) {
    super(scope, id);
    const problems = new Problems(problemPath(this));
    const env = checkedPolicyEnvironment(problems, props.environment, 'pass the Environment whose Applications to bind');
    const apiVersion = checkedAdmissionApiVersion(problems, props.kubernetesVersion ?? KubernetesVersion.DEFAULT, props.betaApiEnabled ?? false,
      'the Argo CD project policy');
    problems.throwIfAny();
    const names = props.names ?? LifecycleNames.of();
    this.apiVersion = apiVersion;
    this.policyName = `inopsio-argocd-projects-${env.name}`;

    // Every tenant namespace of the environment and its project: the names come from src/model/names.ts only.
    const projects = `{${[...env.tenants].sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(t => `${cel(env.namespaceFor(t.id))}: ${cel(argoCdProjectName(env.name, t.id))}`).join(', ')}}`;
    const destination = 'object.spec.destination.namespace';
    this.expressions = {
      targetsTenant: `has(object.spec) && has(object.spec.destination) && has(${destination}) && ${destination} in ${projects}`,
      ownProject: `has(object.spec.project) && object.spec.project == ${projects}[${destination}]`,
      message: `'Application ' + object.metadata.name + ' deploys into tenant namespace ' + ${destination} + ' of ${env.name} but belongs to project ' + (has(object.spec.project) ? object.spec.project : 'default') + '; set spec.project: ' + ${projects}[${destination}]`,
    };
    const e = this.expressions;
    const labels = environmentLabels(env, 'argocd-project-guard');
    ({ policy: this.policy, binding: this.binding } = boundPolicy(this, { policy: 'Resource', binding: 'Binding' }, apiVersion, this.policyName, labels, {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['applications'], scope: 'Namespaced' }],
      },
      matchConditions: [{ name: 'targets-a-tenant-namespace', expression: e.targetsTenant }],
      validations: [{ expression: e.ownProject, messageExpression: e.message, reason: 'Forbidden' }],
    }));

    if (props.lockDefaultProject === false) return;
    this.defaultProject = new ApiObject(this, 'DefaultProject', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'default', namespace: names.argoCdNamespace, labels },
      spec: {
        description: 'Locked by the platform: every Application names its tenant\'s project (issue 21)',
        sourceRepos: [],
        sourceNamespaces: [],
        destinations: [],
        clusterResourceWhitelist: [],
        // An empty whitelist means every namespaced kind; one empty entry means none.
        namespaceResourceWhitelist: [{ group: '', kind: '' }],
      },
    });
  }
}

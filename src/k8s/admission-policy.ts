import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { AdmissionPolicyApiVersion, boundPolicy, cel, celList, checkedAdmissionApiVersion, checkedPolicyEnvironment } from './validating-policy';
import { Environment } from '../model/environment';
import { Mutability } from '../model/environment-class';
import { KubernetesVersion } from '../model/kubernetes-version';
import { DOMAIN, environmentLabels } from '../model/labels';
import { Problems } from '../model/problems';

export { AdmissionPolicyApiVersion, admissionPolicyApiVersion } from './validating-policy';

/** Settings of an ImmutableProductionPolicy that do not depend on the environment (also `PlatformProps.immutableProduction`). */
export interface ImmutableProductionOptions {
  /**
   * Usernames of the GitOps and Terraform identities that may write, e.g. Argo CD's application controller and the
   * service account the Terraform Helm provider authenticates as (`kube_context`). Exact names, no wildcards.
   * @default ['system:serviceaccount:argocd:argocd-application-controller', 'system:serviceaccount:inopsio-system:terraform']
   */
  readonly writerUsernames?: string[];
  /**
   * Groups whose members may write (e.g. a CI group from the IdP).
   * @default - none
   */
  readonly writerGroups?: string[];
  /**
   * Groups of the audited break-glass path: members may write only with a
   * `lifecycle.inopsio.io/break-glass-reason` annotation on the object, and every such request is annotated in the API
   * audit log (`<policy name>/break-glass`).
   * @default ['oidc:platform-break-glass']
   */
  readonly breakGlassGroups?: string[];
  /**
   * Further controllers or operators (usernames) that write into production namespaces, e.g. the External Secrets
   * controller when secrets are delivered through External Secrets. Control-plane components
   * (`system:kube-controller-manager`, `system:kube-scheduler`, `system:apiserver`, nodes and the controller service
   * accounts of `kube-system` listed in `CONTROL_PLANE_SERVICE_ACCOUNTS`) are always exempt; other service accounts of
   * `kube-system` are not.
   * @default - none
   */
  readonly operatorUsernames?: string[];
  /**
   * Shortest break-glass reason accepted, in characters (e.g. an incident id plus a few words).
   * @default 10
   */
  readonly minimumReasonLength?: number;
  /**
   * The clusters serve the beta ValidatingAdmissionPolicy API (Kubernetes 1.28 and 1.29 only: the
   * `ValidatingAdmissionPolicy` feature gate and `admissionregistration.k8s.io/v1beta1=true` in `--runtime-config`).
   * Required to target 1.28 or 1.29, where the policies are written as `v1beta1`; without it those targets fail at
   * synth. No effect from 1.30, which serves the GA API `v1` by default.
   * @default false
   */
  readonly betaApiEnabled?: boolean;
}

/** Props of an ImmutableProductionPolicy. */
export interface ImmutableProductionPolicyProps extends ImmutableProductionOptions {
  /**
   * The environment whose namespaces become immutable. Its class must be `Mutability.GITOPS_ONLY`; the policy selects
   * namespaces labelled `lifecycle.inopsio.io/environment-class: <class name>`, the label TenantNamespace sets.
   */
  readonly environment: Environment;
  /**
   * The Kubernetes release the clusters run; it picks the API version (`v1` from 1.30, `v1beta1` on 1.28 and 1.29
   * with `betaApiEnabled`). A Platform passes its own `kubernetesVersion`.
   * @default KubernetesVersion.DEFAULT (1.35)
   */
  readonly kubernetesVersion?: KubernetesVersion;
}

/** The annotation a break-glass writer must set on the object, with the reason (incident id and why). */
export const BREAK_GLASS_ANNOTATION = `${DOMAIN}/break-glass-reason`;
/** The namespace label the policy selects on (set by TenantNamespace). */
export const ENVIRONMENT_CLASS_LABEL = `${DOMAIN}/environment-class`;

/** Control-plane identities that are always exempt (they reconcile what GitOps declared). */
export const CONTROL_PLANE_USERNAMES = ['system:apiserver', 'system:kube-controller-manager', 'system:kube-scheduler'];

/**
 * The kube-controller-manager controllers that write into tenant namespaces, as the service accounts of kube-system
 * they run as with `--use-service-account-credentials` (kubeadm's default; names from the bootstrap RBAC policy,
 * k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go, `system:controller:<name>`).
 * Named one by one (issue 21): any other service account of kube-system — an add-on, a CNI, a workload someone put
 * there — is a writer like any other and refused. Add a controller a cluster runs besides these with
 * `operatorUsernames`.
 *
 * Reviewed against controller_policy.go (Kubernetes 1.35): kept are the roles that create, update, patch or delete
 * namespaced objects a tenant namespace holds (workloads and their pods, endpoints, PVCs, quotas' status, the
 * `kube-root-ca.crt` ConfigMap, the `default` ServiceAccount; the garbage and namespace collectors). Left out:
 * controllers that write only cluster-scoped objects or kube-system (attachdetach, clusterrole-aggregation,
 * certificate, route, service (LoadBalancer status: the quota admits no LoadBalancer), ttl, pv-protection,
 * volumeattributesclass-protection, validatingadmissionpolicy-status, storage-version-garbage-collector, bootstrap
 * signer, token cleaner); `legacy-service-account-token-cleaner`, whose only namespaced writes are to legacy token
 * Secrets the framework never creates; and the feature-gated `device-taint-eviction-controller`,
 * `podcertificaterequestcleaner` and `storage-version-migrator-controller` (a cluster that enables one names it in
 * `operatorUsernames`). `taint-eviction-controller` was dropped: the bootstrap policy grants that account nothing
 * (the taint manager evicts with the node controller's credentials), so exempting it only named an account anyone
 * able to create it in kube-system could take.
 */
export const CONTROL_PLANE_SERVICE_ACCOUNTS = [
  'cronjob-controller', 'daemon-set-controller', 'deployment-controller', 'disruption-controller', 'endpoint-controller',
  'endpointslice-controller', 'endpointslicemirroring-controller', 'ephemeral-volume-controller', 'expand-controller',
  'generic-garbage-collector', 'horizontal-pod-autoscaler', 'job-controller', 'namespace-controller', 'node-controller',
  'persistent-volume-binder', 'pod-garbage-collector', 'pvc-protection-controller', 'replicaset-controller',
  'replication-controller', 'resource-claim-controller', 'resourcequota-controller', 'root-ca-cert-publisher',
  'service-account-controller', 'statefulset-controller', 'ttl-after-finished-controller',
].map(name => `system:serviceaccount:kube-system:${name}`);

/** The subresources a CONNECT reaches: a shell, a stream or a tunnel into a production pod or Service. */
export const CONNECT_SUBRESOURCES = ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'];

const DEFAULT_WRITERS = ['system:serviceaccount:argocd:argocd-application-controller', 'system:serviceaccount:inopsio-system:terraform'];
const DEFAULT_BREAK_GLASS = ['oidc:platform-break-glass'];
/** Groups that stand for everybody (or the control plane): never writers or break-glass groups. */
const BROAD_GROUPS = /^system:(authenticated|unauthenticated|anonymous|serviceaccounts(:.*)?|masters|nodes|bootstrappers(:.*)?)$/;

/**
 * Production is immutable (spec §1 "Immutable Infrastructure – no manual configuration in production"): a
 * `ValidatingAdmissionPolicy` and its binding refuse CREATE, UPDATE and DELETE of any object in namespaces of the
 * environment's class — and of those Namespaces themselves — and CONNECT to `pods/exec`, `pods/attach`,
 * `pods/portforward`, `pods/proxy` and `services/proxy` there, by anyone except the GitOps/Terraform writers, the
 * named control-plane identities, listed operators, and an audited break-glass group (for CONNECT, whose request
 * carries no object metadata, the reason is read from the Namespace's annotation).
 *
 * A second policy (`<name>-class-label`) refuses removing or changing the class label of such a Namespace, which
 * would otherwise take it out of the first policy's namespace selector.
 *
 * Break-glass: members of `breakGlassGroups` may write only if the object (for DELETE: the object as stored) carries
 * `lifecycle.inopsio.io/break-glass-reason` with at least `minimumReasonLength` characters. Each such request gets
 * the audit annotation `<policy>/break-glass` (user, operation, resource, reason) in the API server audit log, and
 * the binding's `Audit` action records every refusal there as well. See docs/policies.md.
 */
export class ImmutableProductionPolicy extends Construct {
  /** The policy over objects in the environment's namespaces (and the Namespaces). */
  public readonly policy: ApiObject;
  /** Its binding (Deny + Audit). */
  public readonly binding: ApiObject;
  /** The policy guarding the class label of the environment's Namespaces. */
  public readonly classLabelPolicy: ApiObject;
  /** Its binding. */
  public readonly classLabelBinding: ApiObject;
  /** The policy name. */
  public readonly policyName: string;
  /** The API version of the policies and bindings, picked by the target Kubernetes version. */
  public readonly apiVersion: AdmissionPolicyApiVersion;
  /** The CEL expressions, by name, for tests and reviews. */
  public readonly expressions: { [name: string]: string };

  constructor(scope: Construct, id: string, props: ImmutableProductionPolicyProps) {
    super(scope, id);
    const problems = new Problems(problemPath(this));
    const env = checkedPolicyEnvironment(problems, props.environment, 'pass the production Environment');
    const cls = env.environmentClass;
    if (cls.mutability !== Mutability.GITOPS_ONLY) {
      problems.add('environment', `has class "${cls.name}", which is not GITOPS_ONLY`, env.name, 'make only GitOps-only classes (production, staging) immutable');
    }
    const writers = props.writerUsernames ?? DEFAULT_WRITERS;
    const writerGroups = props.writerGroups ?? [];
    const breakGlass = props.breakGlassGroups ?? DEFAULT_BREAK_GLASS;
    const operators = props.operatorUsernames ?? [];
    const minReason = props.minimumReasonLength ?? 10;
    const target = props.kubernetesVersion ?? KubernetesVersion.DEFAULT;
    const betaApiEnabled = props.betaApiEnabled ?? false;
    const identity = /^[A-Za-z0-9:_./@+-]{1,253}$/;
    const lists: Array<[string, string[], boolean]> = [
      ['writerUsernames', writers, false], ['writerGroups', writerGroups, true], ['breakGlassGroups', breakGlass, true], ['operatorUsernames', operators, false],
    ];
    for (const [field, values, isGroup] of lists) {
      if (!Array.isArray(values)) {
        problems.add(field, 'is not a list', values, 'pass a list of exact names');
        continue;
      }
      values.forEach((v, i) => {
        if (typeof v !== 'string' || !identity.test(v)) problems.add(`${field}[${i}]`, 'is not an exact identity name', v, 'use the username or group as the API server sees it, without wildcards or spaces');
        else if (isGroup && BROAD_GROUPS.test(v)) problems.add(`${field}[${i}]`, 'is a group that stands for everybody or the control plane', v, 'name a dedicated group, e.g. "oidc:platform-break-glass"');
        else if (!isGroup && (v.startsWith('system:node') || CONTROL_PLANE_USERNAMES.includes(v) || CONTROL_PLANE_SERVICE_ACCOUNTS.includes(v))) problems.add(`${field}[${i}]`, 'is a control-plane identity, which is always exempt', v, 'remove it');
      });
    }
    if (Array.isArray(writers) && Array.isArray(writerGroups) && writers.length + writerGroups.length === 0) {
      problems.add('writerUsernames', 'and writerGroups are both empty, so nothing could ever change production', writers, 'name the GitOps (Argo CD) and Terraform identities');
    }
    if (Array.isArray(breakGlass) && Array.isArray(writerGroups) && breakGlass.some(g => writerGroups.includes(g))) {
      problems.add('breakGlassGroups', 'overlaps writerGroups, so break-glass would need no reason', breakGlass, 'keep the break-glass group separate');
    }
    if (!Number.isInteger(minReason) || minReason < 1 || minReason > 256) {
      problems.add('minimumReasonLength', 'is not a whole number from 1 to 256', minReason, 'use e.g. 10');
    }
    const apiVersion = checkedAdmissionApiVersion(problems, target, betaApiEnabled);
    problems.throwIfAny();
    this.apiVersion = apiVersion;

    // Named per environment: two environments on one cluster never fight over the same policy object.
    this.policyName = `inopsio-immutable-${env.name}`;
    const labels = { ...environmentLabels(env, 'immutable-production'), [ENVIRONMENT_CLASS_LABEL]: cls.name };
    const annotation = cel(BREAK_GLASS_ANNOTATION);
    const classLabel = cel(ENVIRONMENT_CLASS_LABEL);
    const username = 'request.userInfo.username';
    const groups = 'request.userInfo.groups';
    const inGroups = (gs: string[]) => (gs.length === 0 ? 'false' : `${groups}.exists(g, g in ${celList(gs)})`);
    const annotationOf = (o: string) => `(${o} != null && has(${o}.metadata) && has(${o}.metadata.annotations) && ${annotation} in ${o}.metadata.annotations ? ${o}.metadata.annotations[${annotation}] : '')`;

    this.expressions = {
      notControlPlane: `!(${username} in ${celList([...CONTROL_PLANE_USERNAMES, ...CONTROL_PLANE_SERVICE_ACCOUNTS, ...operators])}) && !${username}.startsWith('system:node:')`,
      wasClassified: `oldObject != null && has(oldObject.metadata.labels) && ${classLabel} in oldObject.metadata.labels && oldObject.metadata.labels[${classLabel}] == ${cel(cls.name)}`,
      writer: `${username} in ${celList(writers)} || ${inGroups(writerGroups)}`,
      breakGlass: inGroups(breakGlass),
      reason: `request.operation == 'CONNECT' ? ${annotationOf('namespaceObject')} : (${annotationOf('object')} != '' ? ${annotationOf('object')} : ${annotationOf('oldObject')})`,
      allowed: `variables.writer || (variables.breakGlass && size(variables.reason.trim()) >= ${minReason})`,
      message: `'${cls.name} namespace ' + (request.namespace != '' ? request.namespace : request.name) + ' is immutable (spec §1): ' + ${username} + ' may not ' + request.operation + ' ' + request.resource.resource + (request.subResource != '' ? '/' + request.subResource : '') + '; change it through GitOps/Terraform, or as break-glass set the annotation ${BREAK_GLASS_ANNOTATION} (at least ${minReason} characters)'`,
      audit: `variables.breakGlass && !variables.writer ? 'user=' + ${username} + '; operation=' + request.operation + '; resource=' + request.resource.resource + '; namespace=' + request.namespace + '; name=' + request.name + '; reason=' + variables.reason : null`,
      keepsClass: `variables.writer || (object != null && has(object.metadata.labels) && ${classLabel} in object.metadata.labels && object.metadata.labels[${classLabel}] == ${cel(cls.name)})`,
      classMessage: `'the ${ENVIRONMENT_CLASS_LABEL} label of ${cls.name} namespace ' + request.name + ' is owned by GitOps/Terraform: ' + ${username} + ' may not remove or change it'`,
    };
    const e = this.expressions;
    const variables = [
      { name: 'writer', expression: e.writer },
      { name: 'breakGlass', expression: e.breakGlass },
      { name: 'reason', expression: e.reason },
    ];

    ({ policy: this.policy, binding: this.binding } = boundPolicy(this, { policy: 'Resource', binding: 'Binding' }, apiVersion, this.policyName, labels, {
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: { matchLabels: { [ENVIRONMENT_CLASS_LABEL]: cls.name } },
        resourceRules: [
          // Every namespaced resource and subresource; cluster-scoped kinds other than Namespace are out of scope.
          { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['*/*'], scope: 'Namespaced' },
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['namespaces'], scope: 'Cluster' },
          // Exec, attach, port-forward and the proxies change nothing stored but reach a production process directly.
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: CONNECT_SUBRESOURCES, scope: 'Namespaced' },
        ],
        // Bookkeeping that is not configuration: events, leader-election leases, and evictions (node drains; PDBs apply).
        excludeResourceRules: [
          { apiGroups: ['', 'events.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['events'] },
          { apiGroups: ['coordination.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['leases'] },
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'] },
        ],
      },
      matchConditions: [{ name: 'not-control-plane', expression: e.notControlPlane }],
      variables,
      validations: [{ expression: e.allowed, messageExpression: e.message, reason: 'Forbidden' }],
      auditAnnotations: [{ key: 'break-glass', valueExpression: e.audit }],
    }));

    const classLabelName = `${this.policyName}-class-label`;
    ({ policy: this.classLabelPolicy, binding: this.classLabelBinding } = boundPolicy(this, { policy: 'ClassLabel', binding: 'ClassLabelBinding' }, apiVersion, classLabelName, labels, {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['namespaces'], scope: 'Cluster' }],
      },
      matchConditions: [
        { name: 'not-control-plane', expression: e.notControlPlane },
        { name: 'was-classified', expression: e.wasClassified },
      ],
      variables: [{ name: 'writer', expression: e.writer }],
      validations: [{ expression: e.keepsClass, messageExpression: e.classMessage, reason: 'Forbidden' }],
    }));
  }
}

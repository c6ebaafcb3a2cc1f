import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { AdmissionPolicyApiVersion, boundPolicy, checkedAdmissionApiVersion, checkedPolicyEnvironment, tenantNamespaceSelector } from './validating-policy';
import { Environment } from '../model/environment';
import { KubernetesVersion } from '../model/kubernetes-version';
import { environmentLabels } from '../model/labels';
import { Problems } from '../model/problems';

/** Props of a TenantServicePolicy. */
export interface TenantServicePolicyProps {
  /** The environment whose tenant namespaces (labelled `env: <name>` and `tenant`) the policy guards. */
  readonly environment: Environment;
  /**
   * The Kubernetes release the clusters run; it picks the API version (`v1` from 1.30, `v1beta1` on 1.28 and 1.29
   * with `betaApiEnabled`). A Platform passes its own `kubernetesVersion`.
   * @default KubernetesVersion.DEFAULT (1.35)
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * The clusters serve the beta ValidatingAdmissionPolicy API (needed on 1.28 and 1.29 only, see
   * `ImmutableProductionOptions.betaApiEnabled`).
   * @default false
   */
  readonly betaApiEnabled?: boolean;
}

/**
 * Tenant Services cannot leave their namespace (issue 21, path 2): a `ValidatingAdmissionPolicy` and its binding refuse
 * CREATE and UPDATE of a Service in any tenant namespace of the environment that
 *
 * - has `type: ExternalName`: a DNS alias to another tenant's Service (or any host) that the ingress controller then
 *   proxies to, past that tenant's NetworkPolicies, which only see the controller;
 * - sets `spec.externalIPs`: kube-proxy redirects traffic for those addresses to the Service's pods in every namespace,
 *   e.g. every pod's connections to the database address (CVE-2020-8554).
 *
 * No identity is exempt: nothing the framework deploys into a tenant namespace needs either field. The ResourceQuota
 * already zeroes LoadBalancer and NodePort Services.
 */
export class TenantServicePolicy extends Construct {
  /** The policy. */
  public readonly policy: ApiObject;
  /** Its binding (Deny + Audit). */
  public readonly binding: ApiObject;
  /** The policy name, `inopsio-tenant-services-<env>`. */
  public readonly policyName: string;
  /** The API version of the policy and binding, picked by the target Kubernetes version. */
  public readonly apiVersion: AdmissionPolicyApiVersion;
  /** The CEL expressions, by name, for tests and reviews. */
  public readonly expressions: { [name: string]: string };

  constructor(scope: Construct, id: string, props: TenantServicePolicyProps) {
    super(scope, id);
    const problems = new Problems(problemPath(this));
    const env = checkedPolicyEnvironment(problems, props.environment, 'pass the Environment whose tenant namespaces to guard');
    const target = props.kubernetesVersion ?? KubernetesVersion.DEFAULT;
    const betaApiEnabled = props.betaApiEnabled ?? false;
    const apiVersion = checkedAdmissionApiVersion(problems, target, betaApiEnabled, 'the tenant Service policy');
    problems.throwIfAny();
    this.apiVersion = apiVersion;
    this.policyName = `inopsio-tenant-services-${env.name}`;
    const labels = environmentLabels(env, 'tenant-service-policy');

    const where = '\' in tenant namespace \' + request.namespace';
    this.expressions = {
      noExternalName: '!has(object.spec.type) || object.spec.type != \'ExternalName\'',
      externalNameMessage: `'Service ' + object.metadata.name + ${where} + ' may not be of type ExternalName: the ingress controller would proxy it to another namespace or host, past its network policies; expose a workload of this namespace through a ClusterIP Service'`,
      noExternalIPs: '!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0',
      externalIPsMessage: `'Service ' + object.metadata.name + ${where} + ' may not set spec.externalIPs: kube-proxy would capture traffic to those addresses from every pod of the cluster (CVE-2020-8554); remove spec.externalIPs'`,
    };
    const e = this.expressions;
    ({ policy: this.policy, binding: this.binding } = boundPolicy(this, { policy: 'Resource', binding: 'Binding' }, apiVersion, this.policyName, labels, {
      failurePolicy: 'Fail',
      matchConstraints: {
        // The labels TenantNamespace sets (tenantLabels): every tenant namespace of this environment.
        namespaceSelector: tenantNamespaceSelector(env),
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' }],
      },
      validations: [
        { expression: e.noExternalName, messageExpression: e.externalNameMessage, reason: 'Forbidden' },
        { expression: e.noExternalIPs, messageExpression: e.externalIPsMessage, reason: 'Forbidden' },
      ],
    }));
  }
}

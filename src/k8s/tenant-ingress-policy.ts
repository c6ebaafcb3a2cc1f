import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { AdmissionPolicyApiVersion, boundPolicy, cel, checkedAdmissionApiVersion, checkedPolicyEnvironment, tenantNamespaceSelector } from './validating-policy';
import { Environment } from '../model/environment';
import { KubernetesVersion } from '../model/kubernetes-version';
import { environmentLabels } from '../model/labels';
import { Problems } from '../model/problems';

/** Which hosts a tenant's Ingresses may claim (`PlatformProps.tenantAdmission.ingressHosts`). */
export interface TenantIngressHostOptions {
  /**
   * The leading DNS labels of every host of a tenant, with `{tenant}` (the tenant id) and `{env}` (the environment
   * name) each standing for one whole label, e.g. `'{tenant}.{env}'` or `'{tenant}.apps.{env}'`. Both placeholders
   * are required: a tenant id and an environment name are DNS labels without dots, so two tenants (or one tenant in
   * two environments) never share these labels, and no tenant can claim a host of another.
   * @default '{tenant}.{env}'
   */
  readonly hostPattern?: string;
  /**
   * The DNS domain the tenants' hosts live under, e.g. `'apps.inopsio.example'`: a host must then be
   * `<hostPattern>.<domain>` or a name under it (`api.acme.prod.apps.inopsio.example`). Without it a host must begin
   * with the labels of `hostPattern` (`acme.prod.<anything>`), which already keeps every tenant off every other
   * tenant's hosts and off the platform's own hosts that do not begin that way.
   * @default - any domain after the labels of `hostPattern`
   */
  readonly domain?: string;
}

/** Props of a TenantIngressPolicy. */
export interface TenantIngressPolicyProps extends TenantIngressHostOptions {
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

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PLACEHOLDERS = ['{tenant}', '{env}'];

/**
 * Ingress hosts are tied to their tenant (issue 21, path 2): a `ValidatingAdmissionPolicy` and its binding refuse
 * CREATE and UPDATE of an Ingress in a tenant namespace of the environment that
 *
 * - routes a host (`spec.rules[].host`) or terminates TLS for one (`spec.tls[].hosts`) that is not the tenant's own
 *   (`hostPattern`, under `domain`): with a shared ingress controller, an Ingress on another tenant's host takes over
 *   its paths, or its whole host where that tenant has no rule for a path;
 * - has a rule without a host, or a `spec.defaultBackend`: either answers for every host, every tenant's included.
 *
 * The tenant is read from the namespace's `tenant` label (set by TenantNamespace; tenants cannot change Namespaces).
 * No identity is exempt: nothing the framework deploys needs another tenant's host.
 */
export class TenantIngressPolicy extends Construct {
  /** The policy. */
  public readonly policy: ApiObject;
  /** Its binding (Deny + Audit). */
  public readonly binding: ApiObject;
  /** The policy name, `inopsio-tenant-ingress-<env>`. */
  public readonly policyName: string;
  /** The API version of the policy and binding, picked by the target Kubernetes version. */
  public readonly apiVersion: AdmissionPolicyApiVersion;
  /** The hosts a tenant may use, in words, with `<tenant>` for the tenant id (e.g. `<tenant>.prod.<any domain>`). */
  public readonly hostDescription: string;
  /** The CEL expressions, by name, for tests and reviews. */
  public readonly expressions: { [name: string]: string };

  constructor(scope: Construct, id: string, props: TenantIngressPolicyProps) {
    super(scope, id);
    const problems = new Problems(problemPath(this));
    const env = checkedPolicyEnvironment(problems, props.environment, 'pass the Environment whose tenant namespaces to guard');
    const pattern = props.hostPattern ?? '{tenant}.{env}';
    const domain = props.domain;
    const labels = typeof pattern === 'string' ? pattern.split('.') : [];
    if (typeof pattern !== 'string' || labels.some(l => !PLACEHOLDERS.includes(l) && !DNS_LABEL.test(l))
      || PLACEHOLDERS.some(p => labels.filter(l => l === p).length !== 1)) {
      problems.add('hostPattern', 'is not dot-separated DNS labels with {tenant} and {env} each exactly once as a whole label', pattern,
        'use e.g. "{tenant}.{env}" or "{tenant}.apps.{env}" (a whole label each, so no two tenants share a host)');
    }
    if (domain !== undefined && (typeof domain !== 'string' || domain.length > 200 || !domain.split('.').every(l => DNS_LABEL.test(l)))) {
      problems.add('domain', 'is not a lowercase DNS name', domain, 'use e.g. "apps.inopsio.example" (no wildcard, no trailing dot)');
    }
    const target = props.kubernetesVersion ?? KubernetesVersion.DEFAULT;
    const apiVersion = checkedAdmissionApiVersion(problems, target, props.betaApiEnabled ?? false, 'the tenant Ingress policy');
    problems.throwIfAny();
    this.apiVersion = apiVersion;
    this.policyName = `inopsio-tenant-ingress-${env.name}`;

    // The tenant's labels as a CEL string: literals, the tenant id from the namespace, the environment name.
    const base = labels.map(l => (l === '{tenant}' ? 'variables.tenant' : cel(l === '{env}' ? env.name : l))).join(' + \'.\' + ');
    const own = (h: string) => (domain === undefined
      ? `${h}.startsWith(variables.base + '.')`
      : `(${h} == variables.base || ${h}.endsWith('.' + variables.base))`);
    const words = labels.map(l => (l === '{tenant}' ? '<tenant>' : l === '{env}' ? env.name : l)).join('.');
    this.hostDescription = domain === undefined ? `${words}.<any domain>` : `${words}.${domain} or a name under it`;
    const allowedWords = (domain === undefined
      ? `${cel('hosts beginning with ')} + variables.base + '.'`
      : `variables.base + ${cel(' or a name under it')}`);
    const where = '\'Ingress \' + object.metadata.name + \' in tenant namespace \' + request.namespace';
    const rules = '(has(object.spec.rules) ? object.spec.rules : [])';
    const tls = '(has(object.spec.tls) ? object.spec.tls : [])';
    this.expressions = {
      tenant: 'namespaceObject != null && has(namespaceObject.metadata.labels) && \'tenant\' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels[\'tenant\'] : \'\'',
      base: domain === undefined ? base : `${base} + '.' + ${cel(domain)}`,
      noDefaultBackend: '!has(object.spec.defaultBackend)',
      defaultBackendMessage: `${where} + ' may not set spec.defaultBackend: it answers for every host no other Ingress claims, other tenants\\' included; route by host (' + ${allowedWords} + ')'`,
      ownRuleHosts: `${rules}.all(r, has(r.host) && ${own('r.host')})`,
      ruleHostsMessage: `${where} + ' routes hosts that are not tenant ' + variables.tenant + '\\'s: ' + ${rules}.filter(r, !has(r.host) || !${own('r.host')}).map(r, has(r.host) ? r.host : '(a rule without host: every host)').join(', ') + '; use ' + ${allowedWords}`,
      ownTlsHosts: `${tls}.all(t, !has(t.hosts) || t.hosts.all(h, ${own('h')}))`,
      tlsHostsMessage: `${where} + ' terminates TLS for hosts that are not tenant ' + variables.tenant + '\\'s; use ' + ${allowedWords}`,
    };
    const e = this.expressions;
    ({ policy: this.policy, binding: this.binding } = boundPolicy(this, { policy: 'Resource', binding: 'Binding' }, apiVersion, this.policyName,
      environmentLabels(env, 'tenant-ingress-policy'), {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: tenantNamespaceSelector(env),
          resourceRules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'], scope: 'Namespaced' }],
        },
        variables: [{ name: 'tenant', expression: e.tenant }, { name: 'base', expression: e.base }],
        validations: [
          { expression: e.noDefaultBackend, messageExpression: e.defaultBackendMessage, reason: 'Forbidden' },
          { expression: e.ownRuleHosts, messageExpression: e.ruleHostsMessage, reason: 'Forbidden' },
          { expression: e.ownTlsHosts, messageExpression: e.tlsHostsMessage, reason: 'Forbidden' },
        ],
      }));
  }
}

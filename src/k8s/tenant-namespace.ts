import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KubeLimitRange, KubeNamespace, KubeNetworkPolicy, KubeResourceQuota, KubeRole, NetworkPolicySpec, PolicyRule } from './imports/k8s';
import { problemPath } from './problem-path';
import { kubeObject, port, quantities } from './typed-object';
import { EgressTarget } from '../model/egress-target';
import { Environment } from '../model/environment';
import { AccessLevel, Mutability } from '../model/environment-class';
import { expiryStamps } from '../model/expiry';
import { KubernetesVersion } from '../model/kubernetes-version';
import { DOMAIN, tenantLabels } from '../model/labels';
import { backupPriorityClassName } from '../model/names';
import { dnsLabelProblem } from '../model/naming';
import { Problems } from '../model/problems';
import { QuotaProfile, QuotaProfileProps } from '../model/quota-profile';
import { Tenant, TenantState } from '../model/tenant';
import { keepAnnotations } from '../model/tenant-protection';
import { DATABASE_EGRESS_ANNOTATION, formatDatabaseEgress } from '../model/wiring-annotations';

/** Where tenant traffic may come from and go to (K05–K07). */
export interface TenantNetworkProps {
  /**
   * Namespace of the ingress controller allowed to reach tenant pods.
   * @default 'ingress-nginx'
   */
  readonly ingressControllerNamespace?: string;
  /**
   * Labels of the ingress controller's pods: only those pods of `ingressControllerNamespace` may reach tenant pods
   * (not every pod of that namespace, e.g. its admission webhook or a default backend).
   * @default { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } (the ingress-nginx chart's controller labels)
   */
  readonly ingressControllerPodLabels?: { [key: string]: string };
  /**
   * The TCP ports tenant workloads serve behind an Ingress (their Services' `targetPort`s): the ingress controller may
   * reach tenant pods on these ports only, not on every port (a database sidecar, a debug or admin port stay closed).
   * @default [8080]
   */
  readonly ingressPorts?: number[];
  /**
   * Namespace of Prometheus, allowed to scrape tenant pods on `metricsPort`.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Port tenant workloads serve metrics on.
   * @default 9090
   */
  readonly metricsPort?: number;
  /**
   * Name of the container port tenant workloads serve metrics on: the port the PodMonitor / ServiceMonitor scrapes
   * (`ObservabilityOptions.metricsPortName`). `allow-monitoring` admits it by name as well as `metricsPort` by
   * number, since a NetworkPolicy port by number does not admit a scrape of a named port on another number (W05).
   * @default 'metrics' (the Platform passes the ObservabilityStack's)
   */
  readonly metricsPortName?: string;
  /**
   * The tenant's PostgreSQL endpoint.
   * @default - no database egress
   */
  readonly database?: EgressTarget;
  /**
   * The object store (MinIO/S3) endpoint.
   * @default - no object-store egress
   */
  readonly objectStore?: EgressTarget;
  /**
   * The Vault endpoint (for the Vault Agent injector or External Secrets running in the namespace).
   * @default - no Vault egress
   */
  readonly vault?: EgressTarget;
}

/** Props of a TenantNamespace. */
export interface TenantNamespaceProps {
  /** The environment the namespace belongs to. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /**
   * Network allows besides DNS.
   * @default - DNS, same-namespace traffic, ingress controller and monitoring only
   */
  readonly network?: TenantNetworkProps;
  /**
   * The Kubernetes release the clusters run: the Pod Security `enforce-version`, `audit-version` and `warn-version`
   * labels pin its policy version (`v1.<minor>`), so a cluster upgrade does not change what is admitted (K01).
   * A Platform passes its own `kubernetesVersion`.
   * @default KubernetesVersion.DEFAULT (1.35)
   */
  readonly kubernetesVersion?: KubernetesVersion;
}

/**
 * One namespace per tenant per environment (spec §2): labels, Pod Security Admission `restricted`, quota and limits
 * from the class, default-deny network policies with explicit allows, RoleBindings for OIDC groups, expiry
 * annotations for ephemeral classes, and the tenant's lifecycle state.
 *
 * Every generated object is a child `ApiObject` exposed as a property, so it can be patched (`addJsonPatch`); the
 * human RoleBinding is also a cdk8s-plus construct (`humanRoleBinding`). Props are typed by the Kubernetes bindings
 * (docs/architecture.md, "Typed Kubernetes objects").
 */
export class TenantNamespace extends Construct {
  /** The namespace name (`<env>-<tenant>`, ≤ 63 chars). */
  public readonly namespaceName: string;
  /** The Namespace object. */
  public readonly namespace: ApiObject;
  /** The ResourceQuota (of object counts only when `stoppedQuotas` hold the pod sizes). */
  public readonly resourceQuota: ApiObject;
  /**
   * A suspended or archived tenant of a class that backs up: the quota that admits no pod outside the backup
   * PriorityClass, and the one that admits one backup pod. Empty otherwise.
   */
  public readonly stoppedQuotas: ApiObject[] = [];
  /** The LimitRange. */
  public readonly limitRange: ApiObject;
  /** The NetworkPolicies, default-deny first. */
  public readonly networkPolicies: ApiObject[] = [];
  /** Roles and RoleBindings for OIDC groups. */
  public readonly rbac: ApiObject[] = [];
  /**
   * The RoleBinding of the tenant's OIDC groups to its Role (`tenant-admin` or `tenant-viewer`), as a cdk8s-plus
   * construct: `humanRoleBinding.addSubjects(kplus.User.fromName(...))` binds more people to the same narrow Role.
   * Undefined when the class gives humans no access.
   */
  public readonly humanRoleBinding?: kplus.RoleBinding;
  /** The quota profile in force (the suspended profile when the tenant is not active). */
  public readonly quota: QuotaProfile;
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** Labels common to every object of this tenant. */
  public readonly labels: { [key: string]: string };
  /** The Kubernetes release the Pod Security version labels pin. */
  public readonly kubernetesVersion: KubernetesVersion;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const env = props.environment;
    const tenant = props.tenant;
    const net = props.network ?? {};
    const problems = new Problems(problemPath(this));
    checkTenantNetwork(problems, net);
    const ingressNs = net.ingressControllerNamespace ?? 'ingress-nginx';
    const monitoringNs = net.monitoringNamespace ?? 'monitoring';
    const metricsPort = net.metricsPort ?? 9090;
    const metricsPortName = net.metricsPortName ?? 'metrics';
    const ingressPodLabels = net.ingressControllerPodLabels ?? DEFAULT_INGRESS_CONTROLLER_POD_LABELS;
    const ingressPorts = [...new Set(net.ingressPorts ?? DEFAULT_INGRESS_PORTS)].sort((a, b) => a - b);
    const target = props.kubernetesVersion ?? KubernetesVersion.DEFAULT;
    if (!KubernetesVersion.isKubernetesVersion(target)) {
      problems.add('kubernetesVersion', 'is not a KubernetesVersion', target, 'use e.g. KubernetesVersion.V1_35 or KubernetesVersion.of(\'1.35\')');
    }
    problems.throwIfAny();
    this.kubernetesVersion = target;
    const podSecurityVersion = target.podSecurityVersion;

    this.environment = env;
    this.tenant = tenant;
    this.namespaceName = env.namespaceFor(tenant.id);
    const active = tenant.state === TenantState.ACTIVE;
    this.quota = active ? tenant.quota ?? env.environmentClass.quota : QuotaProfile.SUSPENDED;
    this.labels = tenantLabels(env, tenant, 'tenant-namespace');
    const ns = this.namespaceName;
    const meta = (name: string, component: string) => ({
      name,
      namespace: ns,
      labels: { ...tenantLabels(env, tenant, component) },
    });

    // K01–K04: namespace with PSA restricted (pinned to the target release), standard labels, lifecycle and expiry metadata.
    const annotations: { [key: string]: string } = {
      [`${DOMAIN}/environment-class`]: env.environmentClass.name,
      [`${DOMAIN}/owner`]: env.owner,
      [`${DOMAIN}/lifecycle-state`]: tenant.state,
      [`${DOMAIN}/mutability`]: env.environmentClass.mutability,
      // Permanent classes: a Helm uninstall or a chart without it never deletes the namespace (issue 21 item 3).
      ...keepAnnotations(env.environmentClass.lifecycle),
    };
    const nsLabels: { [key: string]: string } = {
      ...this.labels,
      [`${DOMAIN}/lifecycle-state`]: tenant.state,
      [`${DOMAIN}/environment-class`]: env.environmentClass.name,
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': podSecurityVersion,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': podSecurityVersion,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': podSecurityVersion,
    };
    // One typed TTL stamps every janitor's field from the same instant, so they cannot disagree.
    const expiry = expiryStamps(env);
    if (expiry) {
      Object.assign(annotations, expiry.annotations);
      Object.assign(nsLabels, expiry.labels);
    }
    if (env.sourceBranch) {
      annotations[`${DOMAIN}/source-branch`] = env.sourceBranch;
    }
    this.namespace = kubeObject(this, 'Resource', KubeNamespace, {
      metadata: { name: ns, labels: nsLabels, annotations },
    });
    // A chart with a default namespace stamps it on every object; a Namespace is cluster-scoped and takes none.
    if (this.namespace.metadata.namespace !== undefined) {
      this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    // K08–K11: quota (no NodePorts/LoadBalancers) and container limits from the class.
    const q = this.quota.props;
    // A suspended or archived tenant of a class that backs up: pods are split by PriorityClass (quota scopes), so that
    // only the backup pods (the final backup and its restore drill) run, one at a time, under the tenant's active sizes.
    const carveOut = !active && env.environmentClass.backup.enabled;
    const running = (tenant.quota ?? env.environmentClass.quota).props;
    const objectCounts = {
      'requests.storage': q.requestsStorage,
      'persistentvolumeclaims': String(q.persistentVolumeClaims),
      // Finished Jobs kept by the CronJobs' history still count: the active allowance leaves room for the final ones.
      'count/jobs.batch': String(carveOut ? running.jobs : q.jobs),
      'count/cronjobs.batch': String(q.cronJobs),
      'services': String(q.services),
      'services.nodeports': '0',
      'services.loadbalancers': '0',
      'configmaps': String(q.configMaps),
    };
    const compute = (p: QuotaProfileProps, pods: string) => ({
      'requests.cpu': p.requestsCpu,
      'limits.cpu': p.limitsCpu,
      'requests.memory': p.requestsMemory,
      'limits.memory': p.limitsMemory,
      'limits.ephemeral-storage': p.limitsEphemeralStorage,
      pods,
    });
    this.resourceQuota = kubeObject(this, 'ResourceQuota', KubeResourceQuota, {
      metadata: meta('tenant-quota', 'tenant-quota'),
      spec: { hard: quantities(carveOut ? objectCounts : activeHard(q, objectCounts)) },
    });
    if (carveOut) {
      const priorityClass = backupPriorityClassName(env.name);
      this.stoppedQuotas = [
        kubeObject(this, 'StoppedQuota', KubeResourceQuota, {
          metadata: meta('tenant-quota-stopped', 'tenant-quota'),
          spec: { hard: quantities(compute(q, '0')), scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'NotIn', values: [priorityClass] }] } },
        }),
        kubeObject(this, 'BackupQuota', KubeResourceQuota, {
          metadata: meta('tenant-quota-backup', 'tenant-quota'),
          spec: { hard: quantities(compute(running, '1')), scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClass] }] } },
        }),
      ];
    }
    // The LimitRange caps each container: while pods are split by quota scopes, the active caps let the backup run.
    const lr = carveOut ? running : q;
    this.limitRange = kubeObject(this, 'LimitRange', KubeLimitRange, {
      metadata: meta('tenant-limits', 'tenant-limits'),
      spec: {
        limits: [{
          type: 'Container',
          default: quantities({ 'cpu': lr.containerDefaultCpu, 'memory': lr.containerDefaultMemory, 'ephemeral-storage': lr.containerDefaultEphemeralStorage }),
          defaultRequest: quantities({ 'cpu': lr.containerDefaultRequestCpu, 'memory': lr.containerDefaultRequestMemory, 'ephemeral-storage': lr.containerDefaultRequestEphemeralStorage }),
          max: quantities({ 'cpu': lr.containerMaxCpu, 'memory': lr.containerMaxMemory, 'ephemeral-storage': lr.containerMaxEphemeralStorage }),
        }],
      },
    });

    // K05–K07: default deny both ways, then explicit allows.
    const policy = (childId: string, name: string, spec: NetworkPolicySpec) => {
      const obj = kubeObject(this, childId, KubeNetworkPolicy, {
        metadata: meta(name, 'network-policy'),
        spec,
      });
      this.networkPolicies.push(obj);
      return obj;
    };
    const nsSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
    policy('DefaultDeny', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('AllowDns', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: nsSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: port(53) }, { protocol: 'TCP', port: port(53) }],
      }],
    });
    if (active) {
      policy('AllowSameNamespace', 'allow-same-namespace', {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      });
      policy('AllowIngressController', 'allow-ingress-controller', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{ namespaceSelector: nsSelector(ingressNs), podSelector: { matchLabels: { ...ingressPodLabels } } }],
          ports: ingressPorts.map(p => ({ protocol: 'TCP', port: port(p) })),
        }],
      });
    }
    policy('AllowMonitoring', 'allow-monitoring', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: nsSelector(monitoringNs) }], ports: [{ protocol: 'TCP', port: port(metricsPortName) }, { protocol: 'TCP', port: port(metricsPort) }] }],
    });
    const egressRules = [net.database, net.objectStore, net.vault]
      .filter((t): t is EgressTarget => t !== undefined)
      .map(t => ({
        to: [t.cidrBlock
          ? { ipBlock: { cidr: t.cidrBlock } }
          : { namespaceSelector: nsSelector(t.namespace!), podSelector: { matchLabels: t.podLabels } }],
        ports: [{ protocol: 'TCP', port: port(t.port) }],
      }));
    if (egressRules.length > 0) {
      const dataServices = policy('AllowDataServices', 'allow-data-services', { podSelector: {}, policyTypes: ['Egress'], egress: egressRules });
      // The database this environment's pods reach, stated for K52 (no database shared by production and the rest).
      if (net.database) dataServices.metadata.addAnnotation(DATABASE_EGRESS_ANNOTATION, formatDatabaseEgress([net.database]));
    }

    // K12–K18: our own narrow roles (the built-in admin/edit roles read secrets and allow exec).
    const level = env.environmentClass.mutability === Mutability.GITOPS_ONLY && env.environmentClass.humanAccess === AccessLevel.ADMIN
      ? AccessLevel.READ_ONLY
      : env.environmentClass.humanAccess;
    const groups = tenant.groups ?? [`${env.oidcGroupPrefix}tenant-${tenant.id}`];
    if (level !== AccessLevel.NONE) {
      const roleName = level === AccessLevel.ADMIN ? 'tenant-admin' : 'tenant-viewer';
      const role = kubeObject(this, level === AccessLevel.ADMIN ? 'AdminRole' : 'ViewerRole', KubeRole, {
        metadata: meta(roleName, 'tenant-rbac'),
        rules: level === AccessLevel.ADMIN ? ADMIN_RULES : VIEWER_RULES,
      });
      // cdk8s-plus writes exactly this RoleBinding; users add subjects with `humanRoleBinding.addSubjects(...)`.
      const binding = new kplus.RoleBinding(this, 'HumanBinding', {
        metadata: meta(`${roleName}-oidc`, 'tenant-rbac'),
        role: kplus.Role.fromRoleName(this, 'HumanRole', roleName),
      });
      binding.addSubjects(...groups.map((g, i) => kplus.Group.fromName(binding, `Group${i}`, g)));
      const bindingObject = ApiObject.of(binding);
      bindingObject.node.addDependency(role);
      this.humanRoleBinding = binding;
      this.rbac.push(role, bindingObject);
    }
  }
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Read everything a tenant runs, never secrets (K14). */
export const VIEWER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'events', 'limitranges', 'persistentvolumeclaims', 'pods', 'pods/log', 'resourcequotas', 'serviceaccounts', 'services'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: READ },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ },
];

/**
 * Manage workloads in a sandbox: no secrets (K14), no pod create/exec/attach/port-forward (K15),
 * no RBAC or token verbs (K16), network policies and quotas read-only.
 */
export const ADMIN_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'services'], verbs: WRITE },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['endpoints', 'events', 'limitranges', 'pods/log', 'resourcequotas', 'serviceaccounts'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'statefulsets', 'statefulsets/scale'], verbs: WRITE },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
];

/** The ingress-nginx chart's controller pod labels (`controller.podLabels` aside). */
const DEFAULT_INGRESS_CONTROLLER_POD_LABELS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
const DEFAULT_INGRESS_PORTS = [8080];
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** The rules of TenantNetworkProps (the Platform checks them once in its constructor, before any chart is built). */
export function checkTenantNetwork(problems: Problems, network: TenantNetworkProps | undefined, field: string = 'network'): void {
  const net = network ?? {};
  const metricsPort = net.metricsPort ?? 9090;
  const podLabels = net.ingressControllerPodLabels ?? DEFAULT_INGRESS_CONTROLLER_POD_LABELS;
  if (typeof podLabels !== 'object' || podLabels === null || Array.isArray(podLabels) || Object.keys(podLabels).length === 0) {
    problems.add(`${field}.ingressControllerPodLabels`, 'does not name the controller pods', podLabels, 'give the controller pods\' labels, e.g. { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" }');
  } else {
    for (const [k, v] of Object.entries(podLabels)) {
      if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) problems.add(`${field}.ingressControllerPodLabels["${k}"]`, 'is not a valid label', v, 'use a Kubernetes label key and value');
    }
  }
  const ports = net.ingressPorts ?? DEFAULT_INGRESS_PORTS;
  if (!Array.isArray(ports) || ports.length === 0) {
    problems.add(`${field}.ingressPorts`, 'is not a non-empty list of ports', ports, 'list the ports tenant workloads serve behind an Ingress, e.g. [8080]');
  } else {
    ports.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 1 || p > 65535) problems.add(`${field}.ingressPorts[${i}]`, 'is not a TCP port', p, 'use an integer from 1 to 65535');
    });
  }
  for (const [name, value] of [[`${field}.ingressControllerNamespace`, net.ingressControllerNamespace ?? 'ingress-nginx'], [`${field}.monitoringNamespace`, net.monitoringNamespace ?? 'monitoring']]) {
    const p = dnsLabelProblem(value);
    if (p) problems.add(name, p, value, 'name an existing namespace, e.g. "ingress-nginx"');
  }
  if (!Number.isInteger(metricsPort) || metricsPort < 1 || metricsPort > 65535) {
    problems.add(`${field}.metricsPort`, 'is not a TCP port', metricsPort, 'use an integer from 1 to 65535');
  }
  const portName = net.metricsPortName ?? 'metrics';
  if (typeof portName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portName) || portName.length > 15 || !/[a-z]/.test(portName)) {
    problems.add('network.metricsPortName', 'is not a port name (IANA_SVC_NAME)', portName, 'use at most 15 lowercase letters, digits and "-", e.g. "metrics"');
  }
}

/** The single quota of an active tenant, keys in their historical order (the output bytes do not change). */
function activeHard(q: QuotaProfileProps, counts: { [key: string]: string }): { [key: string]: string } {
  return {
    'requests.cpu': q.requestsCpu,
    'limits.cpu': q.limitsCpu,
    'requests.memory': q.requestsMemory,
    'limits.memory': q.limitsMemory,
    'limits.ephemeral-storage': q.limitsEphemeralStorage,
    'requests.storage': counts['requests.storage'],
    'pods': String(q.pods),
    'persistentvolumeclaims': counts.persistentvolumeclaims,
    'count/jobs.batch': counts['count/jobs.batch'],
    'count/cronjobs.batch': counts['count/cronjobs.batch'],
    'services': counts.services,
    'services.nodeports': counts['services.nodeports'],
    'services.loadbalancers': counts['services.loadbalancers'],
    'configmaps': counts.configmaps,
  };
}

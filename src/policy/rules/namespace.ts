/**
 * K01–K04 and K08–K11: tenant namespaces, explicit namespaces, names, labels, quota and limits.
 */
import { atDoc, entries, isDns1035, isDnsLabel, isDnsSubdomain, isLabelValue, K8S, list, objectRule, quantity } from './common';
import { CLUSTER_SCOPED, KubernetesDocument } from '../contents';
import { CIS, CHECKOV, containersOf, KUBE_LINTER, KUBE_SCORE, NSA, PolicyContext, PolicyRule, POLARIS, PSS, ref, rule } from '../rule';
import { PolicySeverity } from '../types';

const PSA_MODES = ['enforce', 'audit', 'warn'];

const K01 = rule<KubernetesDocument>({
  id: 'K01',
  severity: PolicySeverity.ERROR,
  title: 'Tenant namespaces enforce, audit and warn Pod Security "restricted" with a pinned version',
  description: 'Pod Security Admission is the in-cluster guard for K21–K29; a pinned version keeps an upgrade of the cluster from changing what is admitted.',
  targets: K8S,
  references: [PSS('Pod Security Admission labels'), CIS('5.2.1'), NSA('Pod security')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report) => {
    const labels = ns.doc.metadata?.labels ?? {};
    for (const mode of PSA_MODES) {
      const key = `pod-security.kubernetes.io/${mode}`;
      if (labels[key] !== 'restricted') {
        report(`metadata.labels["${key}"]`, 'is not "restricted"', labels[key], `label the tenant namespace ${key}: restricted`);
      }
      const version = labels[`${key}-version`];
      if (typeof version !== 'string' || !/^v1\.\d+$/.test(version)) {
        report(`metadata.labels["${key}-version"]`, 'is not a pinned Kubernetes minor version', version, 'pin it to the cluster\'s minor version (the Platform\'s kubernetesVersion), e.g. "v1.35" (never "latest")');
      }
    }
  },
});

const K02 = rule<KubernetesDocument>({
  id: 'K02',
  severity: PolicySeverity.ERROR,
  title: 'Every namespaced object sets metadata.namespace explicitly, never default or kube-*',
  description: 'An object without a namespace lands wherever kubectl or Helm happens to point; default and kube-* hold no tenant objects.',
  targets: K8S,
  references: [CIS('5.7.1'), CIS('5.7.4'), CHECKOV('CKV_K8S_21'), KUBE_LINTER('use-namespace')],
  subjects: ctx => ctx.documents.filter(d => d.kind !== '' && !CLUSTER_SCOPED.has(d.kind)),
  where: atDoc,
  check: (d, report) => {
    const ns = d.doc.metadata?.namespace;
    if (typeof ns !== 'string' || ns.length === 0) {
      report('metadata.namespace', 'is not set', ns, 'set the namespace explicitly (a TenantChart sets its tenant namespace)');
    } else if (ns === 'default' || ns.startsWith('kube-')) {
      report('metadata.namespace', 'is a system namespace', ns, 'put tenant and platform objects in their own namespace, never default or kube-*');
    }
  },
});

/** The longest name Kubernetes (or a generated name derived from it) accepts for a kind. */
function nameRule(kind: string): { check: (name: string) => boolean; what: string } {
  switch (kind) {
    case 'Namespace':
      return { check: n => isDnsLabel(n), what: 'a DNS-1123 label of at most 63 characters' };
    case 'Service':
      return { check: n => isDns1035(n), what: 'a DNS-1035 label (starting with a letter) of at most 63 characters' };
    case 'CronJob':
      return { check: n => isDnsSubdomain(n, 52), what: 'a DNS-1123 name of at most 52 characters (the CronJob controller appends 11 characters to Job names)' };
    case 'Job':
      return { check: n => isDnsLabel(n), what: 'a DNS-1123 label of at most 63 characters (it becomes the job-name label)' };
    case 'Role': case 'ClusterRole': case 'RoleBinding': case 'ClusterRoleBinding':
      return { check: n => n.length > 0 && n.length <= 253 && !/[/%]/.test(n) && n !== '.' && n !== '..', what: 'a path segment name (no "/" or "%")' };
    default:
      return { check: n => isDnsSubdomain(n), what: 'a DNS-1123 subdomain of at most 253 characters' };
  }
}

const K03 = objectRule({
  id: 'K03',
  severity: PolicySeverity.ERROR,
  title: 'Names are DNS-1123 (Service DNS-1035, CronJob ≤ 52), checked after prefixing',
  description: 'Derived names (namespace, CronJob, Service) must be valid after composition, or the API server refuses them at apply time (B02).',
  references: [ref('Kubernetes', 'Object names and IDs'), ref('Kubernetes', 'CronJob name ≤ 52 characters')],
  check: (d, report) => {
    const name = d.doc.metadata?.name;
    const r = nameRule(d.kind);
    if (typeof name !== 'string' || name.length === 0) {
      report('metadata.name', 'is not set', name, 'give the object a name');
    } else if (!r.check(name)) {
      report('metadata.name', `is not ${r.what}`, name, 'shorten or sanitize the derived name (composeName truncates with a hash suffix)');
    }
    const ns = d.doc.metadata?.namespace;
    if (typeof ns === 'string' && !isDnsLabel(ns)) {
      report('metadata.namespace', 'is not a DNS-1123 label of at most 63 characters', ns, 'use Environment.namespaceFor(tenantId)');
    }
  },
});

const STANDARD_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of', 'env'];

const K04 = objectRule({
  id: 'K04',
  severity: PolicySeverity.ERROR,
  title: 'Standard labels app.kubernetes.io/{name,instance,managed-by,part-of}, env and (in tenant namespaces) tenant, with valid values',
  description: 'Loki, Grafana, cost reports and the decommission inventory select by these labels (spec §6); a missing or wrong env/tenant label hides an object from all of them.',
  references: [ref('Kubernetes', 'Recommended labels'), KUBE_SCORE('label-values'), POLARIS('metadataAndInstanceMismatched')],
  check: (d, report, ctx) => {
    const labels = d.doc.metadata?.labels ?? {};
    for (const key of STANDARD_LABELS) {
      if (typeof labels[key] !== 'string' || labels[key] === '') {
        report(`metadata.labels["${key}"]`, 'is missing', labels[key], 'stamp the standard labels (tenantLabels/environmentLabels in src/model/labels.ts)');
      }
    }
    for (const [key, value] of entries(labels)) {
      if (!isLabelValue(value)) report(`metadata.labels["${key}"]`, 'is not a valid label value', value, 'use at most 63 characters: alphanumerics with "-", "_" or "." inside');
    }
    if (typeof labels.env === 'string' && labels.env !== d.environment) {
      report('metadata.labels["env"]', `does not name the environment "${d.environment}" the object is synthesized for`, labels.env, `set env: ${d.environment}`);
    }
    const tenantNs = d.kind === 'Namespace' ? ctx.tenantNamespace(d.environment, d.name) : ctx.tenantNamespace(d.environment, d.namespace);
    if (tenantNs && d.kind !== 'Namespace') {
      const tenant = tenantNs.doc.metadata.labels.tenant;
      if (labels.tenant !== tenant) {
        report('metadata.labels["tenant"]', `does not name tenant "${tenant}" of namespace ${tenantNs.name}`, labels.tenant, `set tenant: ${tenant}`);
      }
    }
  },
});

/** The ResourceQuota `hard` map of a namespace (merged over every quota in it). */
function quotaOf(ctx: PolicyContext, ns: KubernetesDocument): { [key: string]: unknown } {
  const hard: { [key: string]: unknown } = {};
  for (const q of ctx.inNamespace(ns.environment, ns.name).filter(x => x.kind === 'ResourceQuota')) {
    for (const [k, v] of entries(q.doc.spec?.hard)) if (!(k in hard)) hard[k] = v;
  }
  return hard;
}

const K08 = rule<KubernetesDocument>({
  id: 'K08',
  severity: PolicySeverity.ERROR,
  title: 'No NodePort or LoadBalancer Services in tenant namespaces; quota services.nodeports and services.loadbalancers are 0',
  description: 'Tenants are reached through the ingress controller only; a NodePort or LoadBalancer bypasses it and its network policies.',
  targets: K8S,
  references: [NSA('Network separation and hardening'), KUBE_SCORE('service-type'), KUBE_LINTER('exposed-services')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const hard = quotaOf(ctx, ns);
    for (const key of ['services.nodeports', 'services.loadbalancers']) {
      if (quantity(hard[key], 'count') !== 0) {
        report(`ResourceQuota spec.hard["${key}"]`, 'is not "0"', hard[key], `set ${key}: "0" in the tenant quota`);
      }
    }
    for (const svc of ctx.inNamespace(ns.environment, ns.name).filter(x => x.kind === 'Service')) {
      const type = svc.doc.spec?.type;
      if (type === 'NodePort' || type === 'LoadBalancer') {
        report(`Service ${svc.name} spec.type`, 'exposes the tenant outside the ingress controller', type, 'use ClusterIP behind an Ingress');
      }
    }
  },
});

const QUOTA_KEYS = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory', 'pods', 'persistentvolumeclaims', 'requests.storage', 'count/jobs.batch', 'count/cronjobs.batch'];

const K09 = rule<KubernetesDocument>({
  id: 'K09',
  severity: PolicySeverity.ERROR,
  title: 'Every tenant namespace has a ResourceQuota for cpu/memory requests and limits, pods, PVCs, storage, Jobs and CronJobs',
  description: 'Without a quota one tenant can starve every other tenant of the cluster (noisy neighbour).',
  targets: K8S,
  references: [NSA('Resource policies'), ref('Kubernetes', 'Resource Quotas')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const hard = quotaOf(ctx, ns);
    if (Object.keys(hard).length === 0) {
      report('ResourceQuota', 'is missing', undefined, 'add the class quota (TenantNamespace does this)');
      return;
    }
    for (const key of QUOTA_KEYS) {
      if (hard[key] === undefined) report(`ResourceQuota spec.hard["${key}"]`, 'is not set', undefined, `bound ${key} in the tenant quota`);
      else if (quantity(hard[key], key) === undefined) report(`ResourceQuota spec.hard["${key}"]`, 'is not a valid quantity', hard[key], 'use the Kubernetes quantity grammar, e.g. "8", "16Gi"');
    }
  },
});

const LIMIT_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** The Container limits of a namespace's LimitRanges: default, defaultRequest and max by resource. */
export function limitsOf(ctx: PolicyContext, ns: KubernetesDocument): { [field: string]: { [resource: string]: unknown } } | undefined {
  for (const lr of ctx.inNamespace(ns.environment, ns.name).filter(x => x.kind === 'LimitRange')) {
    const c = list(lr.doc.spec?.limits).find((l: any) => l?.type === 'Container');
    if (c) return { default: c.default ?? {}, defaultRequest: c.defaultRequest ?? {}, max: c.max ?? {} };
  }
  return undefined;
}

const K10 = rule<KubernetesDocument>({
  id: 'K10',
  severity: PolicySeverity.ERROR,
  title: 'Every tenant namespace has a LimitRange with Container default, defaultRequest and max; defaultRequest ≤ default ≤ max',
  description: 'Containers without requests/limits get the defaults; an inverted LimitRange makes every pod without explicit values unschedulable.',
  targets: K8S,
  references: [NSA('Resource policies'), ref('Kubernetes', 'Limit Ranges')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const l = limitsOf(ctx, ns);
    if (!l) {
      report('LimitRange', 'has no Container limits', undefined, 'add the class LimitRange (TenantNamespace does this)');
      return;
    }
    for (const r of LIMIT_RESOURCES) {
      const values: { [field: string]: number | undefined } = {};
      for (const field of ['defaultRequest', 'default', 'max']) {
        const raw = l[field][r];
        values[field] = quantity(raw, r);
        if (raw === undefined) report(`LimitRange spec.limits[Container].${field}["${r}"]`, 'is not set', raw, `set ${field} for ${r}`);
        else if (values[field] === undefined) report(`LimitRange spec.limits[Container].${field}["${r}"]`, 'is not a valid quantity', raw, 'use e.g. "500m" or "512Mi" (never "512m" for memory)');
      }
      const { defaultRequest: req, default: def, max } = values;
      if (req !== undefined && def !== undefined && req > def * (1 + 1e-12)) {
        report(`LimitRange spec.limits[Container].defaultRequest["${r}"]`, `is above default ${l.default[r]}`, l.defaultRequest[r], 'make defaultRequest ≤ default ≤ max');
      }
      if (def !== undefined && max !== undefined && def > max * (1 + 1e-12)) {
        report(`LimitRange spec.limits[Container].default["${r}"]`, `is above max ${l.max[r]}`, l.default[r], 'make defaultRequest ≤ default ≤ max');
      }
    }
  },
});

/** Per-pod amounts a template asks for (requests or limits), LimitRange defaults applied: max(init) vs sum(app). */
export function podAmount(containers: any[], initContainers: any[], which: 'requests' | 'limits', resource: string,
  defaults: { [field: string]: { [resource: string]: unknown } } | undefined): number {
  const of = (c: any): number => {
    let v = quantity(c?.resources?.[which]?.[resource], resource);
    if (v === undefined && which === 'requests') v = quantity(c?.resources?.limits?.[resource], resource) ?? quantity(defaults?.defaultRequest?.[resource], resource);
    if (v === undefined && which === 'limits') v = quantity(defaults?.default?.[resource], resource);
    return v ?? 0;
  };
  const app = containers.reduce((sum, c) => sum + of(c), 0);
  const init = initContainers.reduce((m, c) => Math.max(m, of(c)), 0);
  return Math.max(app, init);
}

const COUNTED: Array<[string, string[]]> = [
  ['count/cronjobs.batch', ['CronJob']],
  ['count/jobs.batch', ['Job']],
  ['services', ['Service']],
  ['configmaps', ['ConfigMap']],
  ['persistentvolumeclaims', ['PersistentVolumeClaim']],
];

const K11 = rule<KubernetesDocument>({
  id: 'K11',
  severity: PolicySeverity.ERROR,
  title: 'The generated workloads fit the namespace quota and the LimitRange max',
  description: 'A workload that does not fit is refused at admission time, long after synthesis: a backup CronJob that exceeds the quota silently never runs.',
  targets: K8S,
  references: [ref('Kubernetes', 'Resource Quotas: compute'), ref('Kubernetes', 'Limit Ranges: max')],
  subjects: ctx => ctx.tenantNamespaces.filter(ns => Object.keys(quotaOf(ctx, ns)).length > 0),
  where: atDoc,
  check: (ns, report, ctx) => {
    const hard = quotaOf(ctx, ns);
    const limits = limitsOf(ctx, ns);
    const templates = ctx.templatesIn(ns.environment, ns.name).filter(t => t.replicas > 0);
    const totals: { [key: string]: number } = {};
    let pods = 0;
    for (const t of templates) {
      pods += t.replicas;
      const app = list(t.spec.containers);
      const init = list(t.spec.initContainers);
      for (const r of LIMIT_RESOURCES) {
        for (const which of ['requests', 'limits'] as const) {
          const key = `${which}.${r}`;
          totals[key] = (totals[key] ?? 0) + t.replicas * podAmount(app, init, which, r, limits);
        }
      }
      for (const c of containersOf(t)) {
        for (const r of LIMIT_RESOURCES) {
          const max = quantity(limits?.max?.[r], r);
          const lim = quantity(c.container.resources?.limits?.[r], r);
          if (max !== undefined && lim !== undefined && lim > max * (1 + 1e-12)) {
            report(`${t.doc.kind} ${t.doc.name} ${c.path}.resources.limits["${r}"]`, `is above the LimitRange max ${limits!.max[r]}`, c.container.resources.limits[r], 'lower the limit or raise the class limits');
          }
        }
      }
    }
    for (const [key, total] of Object.entries(totals).sort()) {
      const cap = quantity(hard[key], key);
      if (cap !== undefined && total > cap * (1 + 1e-9)) {
        report(`ResourceQuota spec.hard["${key}"]`, `is below what the generated workloads need (${formatAmount(total, key)})`, hard[key], 'raise the quota profile or lower the workloads\' requests/limits');
      }
    }
    const podCap = quantity(hard.pods, 'pods');
    if (podCap !== undefined && pods > podCap) report('ResourceQuota spec.hard["pods"]', `is below the ${pods} pods the generated workloads run`, hard.pods, 'raise the pod quota or scale down');
    const docs = ctx.inNamespace(ns.environment, ns.name);
    for (const [key, kinds] of COUNTED) {
      const cap = quantity(hard[key], 'count');
      const n = docs.filter(d => kinds.includes(d.kind)).length;
      if (cap !== undefined && n > cap) report(`ResourceQuota spec.hard["${key}"]`, `is below the ${n} objects of kind ${kinds.join('/')} in the namespace`, hard[key], 'raise the count quota');
    }
  },
});

export function formatAmount(value: number, key: string): string {
  if (key.endsWith('cpu')) return `${Math.round(value * 1000)}m`;
  return `${Math.ceil(value / 2 ** 20)}Mi`;
}

/** K01–K04, K08–K11. */
export const NAMESPACE_RULES: PolicyRule[] = [K01, K02, K03, K04, K08, K09, K10, K11];

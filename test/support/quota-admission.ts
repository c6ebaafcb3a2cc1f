/**
 * What the API server's admission does to a pod in a namespace with ResourceQuotas and a LimitRange, for tests:
 * the Vault Agent injector's init container (from its annotations), the LimitRange defaults and maxima, and every
 * ResourceQuota whose scopes select the pod (PriorityClass, Terminating/NotTerminating, BestEffort/NotBestEffort),
 * as `k8s.io/kubernetes/pkg/quota/v1/evaluator/core/pods.go` and `plugin/pkg/admission/limitranger` do.
 * Written here because no maintained JavaScript library evaluates quota scopes.
 */
import { Quantity, QuantityKind } from '../../src/model/quantity';

/** Current usage of a namespace, by quota resource name (`pods`, `count/jobs.batch`, ...). */
export type Usage = { [resource: string]: number };

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const kind = (resource: string) => (resource.endsWith('cpu') ? QuantityKind.CPU : QuantityKind.BYTES);
function amount(value: unknown, resource: string): number {
  if (value === undefined) return 0;
  if (/^(pods|count\/|services|configmaps|persistentvolumeclaims)/.test(resource)) return Number(value);
  return Quantity.parse(String(value), kind(resource)).toNumber();
}

/** The init container the Vault Agent injector adds for `agent-pre-populate-only` pods, sized by its annotations. */
export function withInjectedAgent(pod: any): any {
  const a = pod.metadata?.annotations ?? {};
  if (a['vault.hashicorp.com/agent-inject'] !== 'true') return pod;
  // Injector defaults (vault-k8s): 250m/64Mi requests, 500m/128Mi limits, unless annotated.
  const resources = {
    requests: { cpu: a['vault.hashicorp.com/agent-requests-cpu'] ?? '250m', memory: a['vault.hashicorp.com/agent-requests-mem'] ?? '64Mi', ...(a['vault.hashicorp.com/agent-requests-ephemeral'] ? { 'ephemeral-storage': a['vault.hashicorp.com/agent-requests-ephemeral'] } : {}) },
    limits: { cpu: a['vault.hashicorp.com/agent-limits-cpu'] ?? '500m', memory: a['vault.hashicorp.com/agent-limits-mem'] ?? '128Mi', ...(a['vault.hashicorp.com/agent-limits-ephemeral'] ? { 'ephemeral-storage': a['vault.hashicorp.com/agent-limits-ephemeral'] } : {}) },
  };
  const init = { name: 'vault-agent-init', resources };
  return { ...pod, spec: { ...pod.spec, initContainers: [...(pod.spec.initContainers ?? []), init] } };
}

/** LimitRanger: fill missing requests/limits from the Container defaults; problems for limits above max. */
function applyLimitRange(pod: any, limitRanges: any[], problems: string[]): any {
  const limits = limitRanges.flatMap(lr => lr.spec?.limits ?? []).find((l: any) => l.type === 'Container');
  if (!limits) return pod;
  const fill = (c: any) => {
    const req = { ...(c.resources?.requests ?? {}) };
    const lim = { ...(c.resources?.limits ?? {}) };
    for (const r of RESOURCES) {
      if (lim[r] === undefined && limits.default?.[r] !== undefined) lim[r] = limits.default[r];
      if (req[r] === undefined) req[r] = c.resources?.limits?.[r] ?? limits.defaultRequest?.[r];
      if (req[r] === undefined) delete req[r];
      const max = limits.max?.[r];
      if (max !== undefined && lim[r] !== undefined && amount(lim[r], r) > amount(max, r)) {
        problems.push(`LimitRange: container ${c.name} limits.${r} ${lim[r]} is above the maximum ${max}`);
      }
    }
    return { ...c, resources: { requests: req, limits: lim } };
  };
  return { ...pod, spec: { ...pod.spec, containers: pod.spec.containers.map(fill), initContainers: (pod.spec.initContainers ?? []).map(fill) } };
}

/** The pod's effective request or limit of a resource: max(sum of containers, each init container). */
function podAmount(pod: any, which: 'requests' | 'limits', resource: string): number {
  const of = (c: any) => amount(c.resources?.[which]?.[resource], resource);
  const app = pod.spec.containers.reduce((s: number, c: any) => s + of(c), 0);
  const init = (pod.spec.initContainers ?? []).reduce((m: number, c: any) => Math.max(m, of(c)), 0);
  return Math.max(app, init);
}

function bestEffort(pod: any): boolean {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].every((c: any) =>
    Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
}

/** Does a quota's scope selector (and `scopes`) select this pod? */
export function quotaSelects(quota: any, pod: any): boolean {
  const priorityClass = pod.spec.priorityClassName ?? '';
  const terminating = pod.spec.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
  const requirements = [
    ...(quota.spec?.scopes ?? []).map((scopeName: string) => ({ scopeName, operator: 'Exists' })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  return requirements.every((r: any) => {
    switch (r.scopeName) {
      case 'PriorityClass':
        switch (r.operator) {
          case 'Exists': return priorityClass !== '';
          case 'DoesNotExist': return priorityClass === '';
          case 'In': return (r.values ?? []).includes(priorityClass);
          case 'NotIn': return !(r.values ?? []).includes(priorityClass);
          default: throw new Error(`unknown operator ${r.operator}`);
        }
      case 'Terminating': return terminating;
      case 'NotTerminating': return !terminating;
      case 'BestEffort': return bestEffort(pod);
      case 'NotBestEffort': return !bestEffort(pod);
      default: throw new Error(`scope ${r.scopeName} is not modelled`);
    }
  });
}

/**
 * Admit a Job and its pod into a namespace: returns every refusal (empty when both are admitted). `usage` is what the
 * namespace already uses (e.g. finished Jobs kept by CronJob history).
 */
export function admitJob(job: any, namespaceDocs: any[], usage: Usage = {}): string[] {
  const problems: string[] = [];
  const quotas = namespaceDocs.filter(d => d.kind === 'ResourceQuota');
  const limitRanges = namespaceDocs.filter(d => d.kind === 'LimitRange');
  // The Job object: object-count quotas have no scopes (scoped quotas only track pod resources).
  for (const q of quotas.filter(x => !x.spec?.scopeSelector && !x.spec?.scopes)) {
    const hard = q.spec.hard['count/jobs.batch'];
    if (hard !== undefined && (usage['count/jobs.batch'] ?? 0) + 1 > Number(hard)) {
      problems.push(`ResourceQuota ${q.metadata.name}: count/jobs.batch would be ${(usage['count/jobs.batch'] ?? 0) + 1}, above ${hard}`);
    }
  }
  const template = job.spec.template;
  let pod = withInjectedAgent({ metadata: template.metadata ?? {}, spec: { ...template.spec } });
  pod = applyLimitRange(pod, limitRanges, problems);
  for (const q of quotas.filter(x => quotaSelects(x, pod))) {
    for (const [resource, hard] of Object.entries<string>(q.spec.hard)) {
      let need: number | undefined;
      if (resource === 'pods') {need = 1;} else if (resource.startsWith('requests.') || resource.startsWith('limits.')) {
        const [which, r] = resource.split(/\.(.*)/s) as ['requests' | 'limits', string];
        if (RESOURCES.includes(r)) need = podAmount(pod, which, r);
      } else if (RESOURCES.includes(resource)) {need = podAmount(pod, 'requests', resource);}
      if (need === undefined) continue;
      const total = (usage[resource] ?? 0) + need;
      if (total > amount(hard, resource) * (1 + 1e-9)) {
        problems.push(`ResourceQuota ${q.metadata.name}: ${resource} would be ${total}, above ${hard}`);
      }
    }
  }
  return problems;
}

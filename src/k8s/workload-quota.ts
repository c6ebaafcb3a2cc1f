import { Environment } from '../model/environment';
import { Problems } from '../model/problems';
import { Quantity, QuantityKind } from '../model/quantity';
import { QuotaProfile } from '../model/quota-profile';
import { Tenant, TenantState } from '../model/tenant';

/** One pod-running object of a rendered chart and what it asks the quota for. */
interface PodDemand {
  readonly what: string;
  readonly count: number;
  readonly cpu: number;
  readonly memory: number;
}

/** The pod template and pod count of a rendered object, or undefined when it runs no pods (or is stopped). */
function podsOf(doc: any): { template: any; count: number } | undefined {
  switch (doc?.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return { template: doc.spec?.template, count: doc.spec?.replicas ?? 1 };
    case 'Job':
      return doc.spec?.suspend ? undefined : { template: doc.spec?.template, count: doc.spec?.parallelism ?? 1 };
    case 'CronJob':
      // At most one run at a time is assumed per CronJob (their schedules are the platform's, not overlapping).
      if (doc.spec?.suspend) return undefined;
      return { template: doc.spec?.jobTemplate?.spec?.template, count: doc.spec?.jobTemplate?.spec?.parallelism ?? 1 };
    case 'Pod':
      return { template: doc, count: 1 };
    default:
      return undefined;
  }
}

/** A container's request: declared, else its limit (Kubernetes copies it), else the LimitRange's default request. */
function requestOf(container: any, resource: 'cpu' | 'memory', fallback: string): number {
  const text = container?.resources?.requests?.[resource] ?? container?.resources?.limits?.[resource] ?? fallback;
  return Quantity.parse(String(text), resource === 'cpu' ? QuantityKind.CPU : QuantityKind.BYTES).toNumber();
}

/** The effective request of a pod: the larger of its containers' sum and its largest init container (as the scheduler). */
function podRequest(spec: any, resource: 'cpu' | 'memory', fallback: string): number {
  const sum = (spec?.containers ?? []).reduce((s: number, c: any) => s + requestOf(c, resource, fallback), 0);
  const init = Math.max(0, ...(spec?.initContainers ?? []).map((c: any) => requestOf(c, resource, fallback)));
  return Math.max(sum, init);
}

function cores(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

function mebibytes(n: number): string {
  return `${Math.round(n / 2 ** 20)}Mi`;
}

/**
 * The quota check of a tenant's rendered chart (issue 19): the pods it runs at once (requests × replicas of its
 * Deployments and StatefulSets, Jobs and CronJobs — the tenant's cdk8s-plus workloads and the library's own backup
 * and migration Jobs alike) must fit the requests of the quota the namespace gets, or the ResourceQuota would refuse
 * pods only when they are created. Stopped work (replicas 0, suspended) asks for nothing. Helm modules' pods are
 * not in the chart and not counted; the Vault agent sidecar's own requests are not counted either.
 */
export function checkWorkloadQuota(documents: readonly any[], env: Environment, tenant: Tenant, problems: Problems): void {
  const profile = (tenant.state === TenantState.ACTIVE ? tenant.quota ?? env.environmentClass.quota : QuotaProfile.SUSPENDED).props;
  const demands: PodDemand[] = [];
  for (const doc of documents) {
    const pods = podsOf(doc);
    if (!pods || pods.count === 0) continue;
    const spec = pods.template?.spec;
    demands.push({
      what: `${doc.kind} ${doc.metadata?.name}`,
      count: pods.count,
      cpu: podRequest(spec, 'cpu', profile.containerDefaultRequestCpu),
      memory: podRequest(spec, 'memory', profile.containerDefaultRequestMemory),
    });
  }
  const check = (resource: 'cpu' | 'memory', limitText: string, show: (n: number) => string) => {
    const total = demands.reduce((s, d) => s + d.count * d[resource], 0);
    const limit = Quantity.parse(limitText, resource === 'cpu' ? QuantityKind.CPU : QuantityKind.BYTES).toNumber();
    if (total <= limit * (1 + 1e-12)) return;
    const parts = demands.filter(d => d[resource] > 0).map(d => `${d.what}: ${d.count} × ${show(d[resource])}`);
    problems.add('workloads', `request ${show(total)} ${resource} in total (${parts.join(', ')}), above the quota's requests.${resource} ${limitText} (quota profile "${profile.name}")`,
      show(total), 'lower the replicas or the requests, or give the tenant a larger QuotaProfile');
  };
  check('cpu', profile.requestsCpu, cores);
  check('memory', profile.requestsMemory, mebibytes);
  const pods = demands.reduce((s, d) => s + d.count, 0);
  if (pods > profile.pods) {
    problems.add('workloads', `run ${pods} pods at once (${demands.map(d => `${d.what}: ${d.count}`).join(', ')}), above the quota's pods ${profile.pods} (quota profile "${profile.name}")`,
      pods, 'lower the replicas, or give the tenant a larger QuotaProfile');
  }
}

import { checkWorkloadQuota } from '../../src/k8s/workload-quota';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Problems } from '../../src/model/problems';

const env = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme', database: false }] });
const tenant = env.tenants[0];

function pod(containers: any[], initContainers: any[] = []): any {
  return { spec: { containers, initContainers } };
}

function problemsFor(documents: any[]): string[] {
  const problems = new Problems('chart');
  checkWorkloadQuota(documents, env, tenant, problems);
  return problems.all;
}

describe('checkWorkloadQuota (issue 19)', () => {
  test('requests x replicas of Deployments, Jobs and CronJobs against the quota (small: 2 CPU, 4Gi, 20 pods)', () => {
    const docs = [
      { kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, template: pod([{ resources: { requests: { cpu: '500m', memory: '1Gi' } } }]) } },
      // No request: the limit is the request (Kubernetes copies it).
      { kind: 'CronJob', metadata: { name: 'report' }, spec: { jobTemplate: { spec: { template: pod([{ resources: { limits: { cpu: '1', memory: '512Mi' } } }]) } } } },
    ];
    expect(problemsFor(docs)).toEqual([
      'chart: workloads request 2500m cpu in total (Deployment web: 3 × 500m, CronJob report: 1 × 1), above the quota\'s requests.cpu 2 (quota profile "small") (got "2500m"); lower the replicas or the requests, or give the tenant a larger QuotaProfile',
    ]);
  });

  test('stopped work asks for nothing; an init container larger than the containers sets the pod\'s request; the LimitRange default applies', () => {
    const docs = [
      { kind: 'Deployment', metadata: { name: 'idle' }, spec: { replicas: 0, template: pod([{ resources: { requests: { cpu: '8' } } }]) } },
      { kind: 'CronJob', metadata: { name: 'off' }, spec: { suspend: true, jobTemplate: { spec: { template: pod([{ resources: { requests: { cpu: '8' } } }]) } } } },
      // max(100m default + 100m default, 1900m init) = 1900m: fits 2 CPU alone.
      { kind: 'Job', metadata: { name: 'migrate' }, spec: { template: pod([{}, {}], [{ resources: { requests: { cpu: '1900m' } } }]) } },
    ];
    expect(problemsFor(docs)).toEqual([]);
    // One more pod at the default 100m: exactly the quota (2000m), which fits.
    expect(problemsFor([...docs, { kind: 'Deployment', metadata: { name: 'one-more' }, spec: { template: pod([{}]) } }])).toEqual([]);
    expect(problemsFor([...docs, { kind: 'Deployment', metadata: { name: 'one-more' }, spec: { replicas: 2, template: pod([{}]) } }])).toEqual([
      expect.stringContaining('workloads request 2100m cpu in total (Job migrate: 1 × 1900m, Deployment one-more: 2 × 100m)'),
    ]);
  });

  test('too many pods', () => {
    const docs = [{ kind: 'Deployment', metadata: { name: 'many' }, spec: { replicas: 21, template: pod([{ resources: { requests: { cpu: '1m', memory: '1Mi' } } }]) } }];
    expect(problemsFor(docs)).toEqual([
      'chart: workloads run 21 pods at once (Deployment many: 21), above the quota\'s pods 20 (quota profile "small") (got 21); lower the replicas, or give the tenant a larger QuotaProfile',
    ]);
  });
});

import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { ADMIN_RULES, TenantNamespace, VIEWER_RULES } from '../../src/k8s/tenant-namespace';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { Tenant, TenantState } from '../../src/model/tenant';
import { expectValidManifests } from '../support/strict-validator';

const created = '2026-11-28T09:00:00Z';
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] });
const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: created });
const preview = Environment.preview({ branch: 'feature/JIRA-123_Add Billing!!', createdAt: created, owner: 'dana' });

function synth(env: Environment, tenant: Tenant, network?: any): any[] {
  const chart = Testing.chart();
  new TenantNamespace(chart, 'Tenant', { environment: env, tenant, network });
  return Testing.synth(chart);
}

const byKind = (docs: any[], kind: string) => docs.filter(d => d.kind === kind);
const named = (docs: any[], kind: string, name: string) => docs.find(d => d.kind === kind && d.metadata.name === name);

describe('TenantNamespace', () => {
  test('defaults (production)', () => {
    const docs = synth(prod, new Tenant({ id: 'acme' }));
    expect(docs).toMatchSnapshot();
    expectValidManifests(docs);
  });

  test('K01–K04: PSA restricted with pinned version, explicit namespace, standard and env/tenant labels', () => {
    const docs = synth(prod, new Tenant({ id: 'acme' }));
    const ns = named(docs, 'Namespace', 'prod-acme');
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      // Pinned to the default target, 1.35.
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.35');
    }
    for (const doc of docs) {
      expect(doc.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'inopsio-env-lifecycle',
        'app.kubernetes.io/part-of': 'inopsio',
        'app.kubernetes.io/instance': 'prod-acme',
        'env': 'prod',
        'tenant': 'acme',
      });
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace).toBe('prod-acme');
    }
  });

  test('K01: the Pod Security version labels follow kubernetesVersion; nothing else changes between targets', () => {
    const of = (kubernetesVersion: KubernetesVersion) => {
      const chart = Testing.chart();
      const construct = new TenantNamespace(chart, 'Tenant', { environment: prod, tenant: new Tenant({ id: 'acme' }), kubernetesVersion });
      expect(construct.kubernetesVersion).toBe(kubernetesVersion);
      return Testing.synth(chart);
    };
    const normalized = (docs: any[]) => JSON.parse(JSON.stringify(docs).replace(/"v1\.\d+"/g, '"v1.X"'));
    const reference = of(KubernetesVersion.V1_28);
    for (const target of KubernetesVersion.supported()) {
      const docs = of(target);
      const labels = named(docs, 'Namespace', 'prod-acme').metadata.labels;
      expect(['enforce', 'audit', 'warn'].map(m => labels[`pod-security.kubernetes.io/${m}-version`])).toEqual(Array(3).fill(`v${target.name}`));
      expect(normalized(docs)).toEqual(normalized(reference));
    }
    expectValidManifests(of(KubernetesVersion.V1_28), '1.28');
    expectValidManifests(of(KubernetesVersion.V1_36), '1.36');
  });

  test('K08–K11: quota from the class, no NodePorts or LoadBalancers, LimitRange ordered', () => {
    const docs = synth(prod, new Tenant({ id: 'acme' }));
    const hard = byKind(docs, 'ResourceQuota')[0].spec.hard;
    expect(hard).toMatchObject({ 'requests.cpu': '8', 'limits.memory': '32Gi', 'services.nodeports': '0', 'services.loadbalancers': '0', 'pods': '100', 'count/cronjobs.batch': '20' });
    const limits = byKind(docs, 'LimitRange')[0].spec.limits[0];
    expect(limits.type).toBe('Container');
    expect(Object.keys(limits.max).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    expect(byKind(docs, 'ResourceQuota')).toHaveLength(1);
  });

  test('K05–K07: default deny both ways first, DNS to kube-dns on UDP+TCP 53, data egress only to the named targets', () => {
    const docs = synth(prod, new Tenant({ id: 'acme' }), {
      database: EgressTarget.cidr('10.20.0.0/24', 5432),
      objectStore: EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000),
    });
    const policies = byKind(docs, 'NetworkPolicy');
    expect(policies[0].metadata.name).toBe('default-deny');
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = named(docs, 'NetworkPolicy', 'allow-dns').spec.egress[0];
    expect(dns.ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    expect(dns.to[0].podSelector.matchLabels).toEqual({ 'k8s-app': 'kube-dns' });
    const data = named(docs, 'NetworkPolicy', 'allow-data-services').spec.egress;
    expect(data).toEqual([
      { to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio' } } }], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    expect(JSON.stringify(docs)).not.toContain('0.0.0.0/0');
    expectValidManifests(docs);
  });

  test('fails if an egress target is the whole internet (K07, B13)', () => {
    expect(() => EgressTarget.cidr('0.0.0.0/0', 443)).toThrow(/EgressTarget.cidr: block opens egress to too much of the network \(K07\) \(got "0.0.0.0\/0"\)/);
    expect(() => EgressTarget.cidr('10.0.0.0/33', 5432)).toThrow(/is not an IPv4 CIDR block/);
    expect(() => EgressTarget.cidr('10.0.0.0/24', 70000)).toThrow(/port is not a TCP port \(got 70000\)/);
  });

  test('K12–K18: humans in production read, never secrets; developers administer dev without exec, secrets or RBAC', () => {
    const prodDocs = synth(prod, new Tenant({ id: 'acme' }));
    const viewer = named(prodDocs, 'Role', 'tenant-viewer');
    expect(viewer.rules).toEqual(VIEWER_RULES);
    expect(named(prodDocs, 'Role', 'tenant-admin')).toBeUndefined();
    const binding = named(prodDocs, 'RoleBinding', 'tenant-viewer-oidc');
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:tenant-acme' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-viewer' });

    const devDocs = synth(dev, new Tenant({ id: 'acme', groups: ['oidc:team-payments'] }));
    expect(named(devDocs, 'Role', 'tenant-admin').rules).toEqual(ADMIN_RULES);
    expect(named(devDocs, 'RoleBinding', 'tenant-admin-oidc').subjects[0].name).toBe('oidc:team-payments');

    for (const rules of [ADMIN_RULES, VIEWER_RULES]) {
      for (const rule of rules) {
        expect(rule.apiGroups).not.toContain('*');
        expect(rule.resources).not.toContain('*');
        expect(rule.verbs).not.toContain('*');
        expect(rule.resources).not.toEqual(expect.arrayContaining(['secrets']));
        for (const r of ['pods/exec', 'pods/attach', 'pods/portforward', 'roles', 'rolebindings', 'serviceaccounts/token']) expect(rule.resources).not.toContain(r);
        for (const v of ['escalate', 'bind', 'impersonate']) expect(rule.verbs).not.toContain(v);
        if (rule.resources.includes('pods')) expect(rule.verbs).not.toContain('create');
      }
    }
    expect(JSON.stringify([...prodDocs, ...devDocs])).not.toMatch(/ClusterRoleBinding|cluster-admin|system:(anonymous|authenticated|masters)/);
  });

  test('ephemeral classes get one expiry, stamped for every janitor from the explicit creation time', () => {
    const docs = synth(preview, new Tenant({ id: 'acme' }));
    const ns = byKind(docs, 'Namespace')[0];
    expect(ns.metadata.annotations).toMatchObject({
      'lifecycle.inopsio.io/created-at': '2026-11-28T09:00:00Z',
      'lifecycle.inopsio.io/ttl': '48h',
      'lifecycle.inopsio.io/expires-at': '2026-11-30T09:00:00Z',
      'janitor/expires': '2026-11-30T09:00:00Z',
      'lifecycle.inopsio.io/source-branch': 'feature/JIRA-123_Add Billing!!',
    });
    expect(ns.metadata.labels['cleanup.kyverno.io/ttl']).toBe('2026-11-30T090000Z');
    expect(ns.metadata.name.length).toBeLessThanOrEqual(63);
    expectValidManifests(docs);
    const prodNs = byKind(synth(prod, new Tenant({ id: 'acme' })), 'Namespace')[0];
    expect(prodNs.metadata.annotations['janitor/expires']).toBeUndefined();
    expect(prodNs.metadata.labels['cleanup.kyverno.io/ttl']).toBeUndefined();
  });

  test('suspended tenants get the suspended quota and lose ingress allows', () => {
    const docs = synth(prod, new Tenant({ id: 'acme', state: TenantState.SUSPENDED }));
    // Production backs up: no pod runs outside the backup PriorityClass, one backup pod may (issue 17 item 4,
    // test/k8s/suspended-quota.test.ts evaluates the final backup against these quotas).
    expect(byKind(docs, 'ResourceQuota').map(q => [q.metadata.name, q.spec.hard.pods, q.spec.scopeSelector?.matchExpressions[0].operator])).toEqual([
      ['tenant-quota', undefined, undefined], ['tenant-quota-stopped', '0', 'NotIn'], ['tenant-quota-backup', '1', 'In'],
    ]);
    expect(named(docs, 'NetworkPolicy', 'allow-ingress-controller')).toBeUndefined();
    expect(byKind(docs, 'Namespace')[0].metadata.labels['lifecycle.inopsio.io/lifecycle-state']).toBe('suspended');
    expectValidManifests(docs);
  });

  test('fails with every bad network setting listed', () => {
    const chart = Testing.chart();
    expect(() => new TenantNamespace(chart, 'T', {
      environment: prod,
      tenant: new Tenant({ id: 'acme' }),
      network: { ingressControllerNamespace: 'Ingress_NGINX', metricsPort: 0 },
    })).toThrow(/test\/T: network.ingressControllerNamespace contains uppercase letters \(got "Ingress_NGINX"\)[^]*test\/T: network.metricsPort is not a TCP port \(got 0\)/);
  });

  // Issue 24 (W05): the PodMonitor scrapes the port named "metrics"; a policy port by number does not admit it.
  test('allow-monitoring admits the scraped port by name as well as metricsPort by number', () => {
    const tenant = new Tenant({ id: 'acme' });
    expect(named(synth(prod, tenant), 'NetworkPolicy', 'allow-monitoring').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 'metrics' }, { protocol: 'TCP', port: 9090 }]);
    const custom = named(synth(prod, tenant, { metricsPortName: 'prom', metricsPort: 9100, monitoringNamespace: 'observability' }), 'NetworkPolicy', 'allow-monitoring').spec.ingress[0];
    expect(custom.ports).toEqual([{ protocol: 'TCP', port: 'prom' }, { protocol: 'TCP', port: 9100 }]);
    expect(custom.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }]);
  });

  test('fails if metricsPortName is not a port name', () => {
    expect(() => new TenantNamespace(Testing.chart(), 'T', { environment: prod, tenant: new Tenant({ id: 'acme' }), network: { metricsPortName: 'Metrics_Port_Too_Long' } }))
      .toThrow('test/T: network.metricsPortName is not a port name (IANA_SVC_NAME) (got "Metrics_Port_Too_Long"); use at most 15 lowercase letters, digits and "-", e.g. "metrics"');
  });

  test('allow-ingress-controller admits only the controller pods, only on the declared ports (issue 21 path 2)', () => {
    const policyOf = (network?: any) => named(synth(prod, new Tenant({ id: 'acme' }), network), 'NetworkPolicy', 'allow-ingress-controller');
    // Defaults: the ingress-nginx controller pods, port 8080; not the whole namespace on every port.
    expect(policyOf().spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
      }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    const custom = policyOf({ ingressControllerNamespace: 'traefik', ingressControllerPodLabels: { 'app.kubernetes.io/name': 'traefik' }, ingressPorts: [8443, 3000, 3000] });
    expect(custom.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } }],
      ports: [{ protocol: 'TCP', port: 3000 }, { protocol: 'TCP', port: 8443 }],
    }]);
    expectValidManifests([custom]);
  });

  test('fails on controller pod labels or ingress ports that cannot narrow the allow', () => {
    const problems = (network: any) => {
      try {
        new TenantNamespace(Testing.chart(), 'T', { environment: prod, tenant: new Tenant({ id: 'acme' }), network });
      } catch (e) {
        return (e as any).problems;
      }
      throw new Error('expected a problem');
    };
    expect(problems({ ingressControllerPodLabels: {}, ingressPorts: [] })).toEqual([
      'test/T: network.ingressControllerPodLabels does not name the controller pods (got {}); give the controller pods\' labels, e.g. { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" }',
      'test/T: network.ingressPorts is not a non-empty list of ports (got []); list the ports tenant workloads serve behind an Ingress, e.g. [8080]',
    ]);
    expect(problems({ ingressControllerPodLabels: { 'app name': 'x' }, ingressPorts: [80, 70000] })).toEqual([
      'test/T: network.ingressControllerPodLabels["app name"] is not a valid label (got "x"); use a Kubernetes label key and value',
      'test/T: network.ingressPorts[1] is not a TCP port (got 70000); use an integer from 1 to 65535',
    ]);
  });

  test('fails if kubernetesVersion is not a KubernetesVersion', () => {
    expect(() => new TenantNamespace(Testing.chart(), 'T', { environment: prod, tenant: new Tenant({ id: 'acme' }), kubernetesVersion: '1.35' as any }))
      .toThrow('test/T: kubernetesVersion is not a KubernetesVersion (got "1.35"); use e.g. KubernetesVersion.V1_35 or KubernetesVersion.of(\'1.35\')');
  });
});

describe('TenantChart suspension really stops work', () => {
  function tenantApp(state: TenantState) {
    const app = Testing.app();
    const chart = new TenantChart(app, 'acme', { environment: prod, tenant: new Tenant({ id: 'acme', state }) });
    const pod = { containers: [{ name: 'app', image: 'registry.inopsio.example/app@sha256:' + 'a'.repeat(64) }] };
    new ApiObject(chart, 'Web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: pod } } });
    new ApiObject(chart, 'Nightly', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { ...pod, restartPolicy: 'Never' } } } } } });
    return { app, chart };
  }

  test('active tenants keep their replicas and schedules', () => {
    const { chart } = tenantApp(TenantState.ACTIVE);
    const docs = chart.toJson();
    expect(named(docs, 'Deployment', 'web').spec.replicas).toBe(3);
    expect(named(docs, 'CronJob', 'nightly').spec.suspend).toBeUndefined();
  });

  test.each([TenantState.SUSPENDED, TenantState.ARCHIVED])('%s tenants: Deployments scale to zero and CronJobs are suspended', state => {
    const { chart } = tenantApp(state);
    const docs = chart.toJson();
    expect(named(docs, 'Deployment', 'web').spec.replicas).toBe(0);
    expect(named(docs, 'CronJob', 'nightly').spec.suspend).toBe(true);
    expect(named(docs, 'Deployment', 'web').metadata.namespace).toBe('prod-acme');
  });

  test('the chart\'s default namespace lands on namespaced objects, never on the cluster-scoped Namespace', () => {
    const docs = tenantApp(TenantState.ACTIVE).chart.toJson();
    expect(named(docs, 'Namespace', 'prod-acme').metadata.namespace).toBeUndefined();
    expect(named(docs, 'Deployment', 'web').metadata.namespace).toBe('prod-acme');
  });

  test('isTenantChart is not fooled by cdk8s instanceof', () => {
    const app = new App();
    expect(TenantChart.isTenantChart(new Chart(app, 'plain'))).toBe(false);
    expect(new Chart(app, 'plain2') instanceof TenantChart).toBe(true); // why isTenantChart exists
  });
});

import { Testing } from 'cdk8s';
import { AdmissionPolicyApiVersion } from '../../src/k8s/admission-policy';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { TenantServicePolicy, TenantServicePolicyProps } from '../../src/k8s/tenant-service-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { LifecycleValidationError } from '../../src/model/problems';
import { selects } from '../../src/policy/rule';
import { admit, calledFunctions, celProblems, freeIdentifiers } from '../support/kubernetes-cel';
import { expectValidManifests } from '../support/strict-validator';

const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme' }] });

function build(props: Partial<TenantServicePolicyProps> = {}) {
  const chart = Testing.chart();
  const construct = new TenantServicePolicy(chart, 'Services', { environment: dev, ...props });
  const docs = Testing.synth(chart);
  return { construct, docs, policy: docs[0], binding: docs[1] };
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

const service = (spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'dev-acme' }, spec });
const run = (object: any, operation = 'CREATE') => admit(build().policy.spec, {
  request: { userInfo: { username: 'oidc:alice', groups: ['oidc:tenant-acme'] }, operation, namespace: 'dev-acme', name: 'web', resource: { group: '', version: 'v1', resource: 'services' }, subResource: '' },
  object,
  oldObject: operation === 'UPDATE' ? service({ type: 'ClusterIP', ports: [{ port: 80 }] }) : null,
});

describe('TenantServicePolicy', () => {
  test('a v1 policy and binding on services CREATE/UPDATE in the environment\'s tenant namespaces, valid against the strict schema', () => {
    const { docs, policy, binding, construct } = build();
    expect(docs.map(d => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy inopsio-tenant-services-dev',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding inopsio-tenant-services-dev',
    ]);
    expect(construct.apiVersion).toBe(AdmissionPolicyApiVersion.V1);
    expectValidManifests(docs, KubernetesVersion.DEFAULT);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' },
    ]);
    expect(binding.spec).toEqual({ policyName: 'inopsio-tenant-services-dev', validationActions: ['Deny', 'Audit'] });
  });

  test('selects the tenant namespaces TenantNamespace writes, and not namespaces of other environments or the platform', () => {
    const ns = Testing.synth(new TenantChart(Testing.app(), 'acme', { environment: dev, tenant: dev.tenants[0] })).find(d => d.kind === 'Namespace');
    const selector = build().policy.spec.matchConstraints.namespaceSelector;
    expect(selects(selector, ns.metadata.labels)).toBe(true);
    expect(selects(selector, { ...ns.metadata.labels, env: 'prod' })).toBe(false);
    expect(selects(selector, { 'kubernetes.io/metadata.name': 'ingress-nginx', 'env': 'dev' })).toBe(false);
  });

  test('1.28 and 1.29 need the beta API (v1beta1, same spec); without it one problem names the opt-in', () => {
    const reference = build().docs.map(d => d.spec);
    for (const target of [KubernetesVersion.V1_28, KubernetesVersion.V1_29]) {
      const { docs } = build({ kubernetesVersion: target, betaApiEnabled: true });
      expect(docs.map(d => d.apiVersion)).toEqual([AdmissionPolicyApiVersion.V1BETA1, AdmissionPolicyApiVersion.V1BETA1]);
      expect(docs.map(d => d.spec)).toEqual(reference);
      expect(problems(() => build({ kubernetesVersion: target }))).toEqual([
        `test/Services: kubernetesVersion is ${target.name}, which serves ValidatingAdmissionPolicy only as the beta API admissionregistration.k8s.io/v1beta1, off by default: a default cluster rejects the tenant Service policy (got "${target.name}"); enable that API on every cluster (kube-apiserver --feature-gates=ValidatingAdmissionPolicy=true --runtime-config=admissionregistration.k8s.io/v1beta1=true) and set betaApiEnabled: true, or target Kubernetes 1.30 or newer`,
      ]);
    }
    expectValidManifests(build({ kubernetesVersion: KubernetesVersion.V1_28, betaApiEnabled: true }).docs, KubernetesVersion.V1_28);
  });

  test('CEL: parses, uses only functions of every target 1.28–1.36, reads only object and request', () => {
    const { policy, construct } = build();
    const all: string[] = policy.spec.validations.flatMap((v: any) => [v.expression, v.messageExpression]);
    expect(new Set(all)).toEqual(new Set(Object.values(construct.expressions)));
    for (const e of all) expect([...freeIdentifiers(e)].every(v => ['object', 'request'].includes(v))).toBe(true);
    for (const target of KubernetesVersion.supported()) {
      expect(`${target}: ${all.flatMap(e => celProblems(e, target)).join('; ')}`).toBe(`${target}: `);
    }
    expect([...new Set(all.flatMap(calledFunctions))].sort()).toEqual(['size']);
  });

  describe('CEL behaviour on sample Services', () => {
    test.each([
      ['ClusterIP', { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }] }],
      ['no type (ClusterIP by default)', { ports: [{ port: 80 }] }],
      ['headless', { clusterIP: 'None', ports: [{ port: 5432 }] }],
      ['empty externalIPs', { type: 'ClusterIP', externalIPs: [], ports: [{ port: 80 }] }],
    ])('admits %s', (_name, spec) => {
      expect(run(service(spec))).toEqual({ matched: true, allowed: true, messages: [], auditAnnotations: {} });
    });

    test('refuses ExternalName on CREATE and UPDATE, with a message naming the Service and namespace', () => {
      for (const op of ['CREATE', 'UPDATE']) {
        const out = run(service({ type: 'ExternalName', externalName: 'billing.prod-globex.svc.cluster.local' }), op);
        expect(out.allowed).toBe(false);
        expect(out.messages).toEqual([
          'Service web in tenant namespace dev-acme may not be of type ExternalName: the ingress controller would proxy it to another namespace or host, past its network policies; expose a workload of this namespace through a ClusterIP Service',
        ]);
      }
    });

    test('refuses spec.externalIPs (CVE-2020-8554), alone or with ExternalName', () => {
      expect(run(service({ type: 'ClusterIP', externalIPs: ['10.20.0.5'], ports: [{ port: 5432 }] })).messages).toEqual([
        'Service web in tenant namespace dev-acme may not set spec.externalIPs: kube-proxy would capture traffic to those addresses from every pod of the cluster (CVE-2020-8554); remove spec.externalIPs',
      ]);
      expect(run(service({ type: 'ExternalName', externalName: 'x.example', externalIPs: ['10.20.0.5'] })).messages).toHaveLength(2);
    });
  });
});

import { Testing } from 'cdk8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { TenantIngressPolicy, TenantIngressPolicyProps } from '../../src/k8s/tenant-ingress-policy';
import { AdmissionPolicyApiVersion } from '../../src/k8s/validating-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { selects } from '../../src/policy/rule';
import { admit, calledFunctions, celProblems, freeIdentifiers } from '../support/kubernetes-cel';
import { problemsOf } from '../support/problems';
import { expectValidManifests } from '../support/strict-validator';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }, { id: 'globex' }] });

function build(props: Partial<TenantIngressPolicyProps> = {}) {
  const chart = Testing.chart();
  const construct = new TenantIngressPolicy(chart, 'Ingress', { environment: prod, ...props });
  const docs = Testing.synth(chart);
  return { construct, docs, policy: docs[0], binding: docs[1] };
}

const namespace = (tenant: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `prod-${tenant}`, labels: { env: 'prod', tenant } } });
const ingress = (spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'prod-acme' }, spec });
const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host?: string) => ({ ...(host === undefined ? {} : { host }), http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });
function run(spec: any, props: Partial<TenantIngressPolicyProps> = {}, operation = 'CREATE') {
  return admit(build(props).policy.spec, {
    request: { userInfo: { username: 'oidc:alice', groups: ['oidc:tenant-acme'] }, operation, namespace: 'prod-acme', name: 'web', resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' }, subResource: '' },
    object: ingress(spec),
    oldObject: operation === 'UPDATE' ? ingress({ rules: [rule('acme.prod.inopsio.example')] }) : null,
    namespaceObject: namespace('acme'),
  });
}

describe('TenantIngressPolicy', () => {
  test('a v1 policy and Deny+Audit binding on ingresses CREATE/UPDATE in the tenant namespaces, valid against the strict schema', () => {
    const { docs, policy, binding, construct } = build();
    expect(docs.map(d => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy inopsio-tenant-ingress-prod',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding inopsio-tenant-ingress-prod',
    ]);
    expect(construct.apiVersion).toBe(AdmissionPolicyApiVersion.V1);
    expectValidManifests(docs, KubernetesVersion.DEFAULT);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'], scope: 'Namespaced' },
    ]);
    expect(binding.spec).toEqual({ policyName: 'inopsio-tenant-ingress-prod', validationActions: ['Deny', 'Audit'] });
    expect(construct.hostDescription).toBe('<tenant>.prod.<any domain>');
    expect(build({ domain: 'apps.inopsio.example', hostPattern: '{tenant}.apps.{env}' }).construct.hostDescription).toBe('<tenant>.apps.prod.apps.inopsio.example or a name under it');
  });

  test('selects the tenant namespaces TenantNamespace writes, not other environments or platform namespaces', () => {
    const ns = Testing.synth(new TenantChart(Testing.app(), 'acme', { environment: prod, tenant: prod.tenants[0] })).find(d => d.kind === 'Namespace');
    const selector = build().policy.spec.matchConstraints.namespaceSelector;
    expect(selects(selector, ns.metadata.labels)).toBe(true);
    expect(selects(selector, { ...ns.metadata.labels, env: 'dev' })).toBe(false);
    expect(selects(selector, { 'kubernetes.io/metadata.name': 'monitoring', 'env': 'prod' })).toBe(false);
  });

  test('1.28 and 1.29 need the beta API; without it one problem names the opt-in', () => {
    const beta = build({ kubernetesVersion: KubernetesVersion.V1_29, betaApiEnabled: true });
    expect(beta.docs.map(d => d.apiVersion)).toEqual([AdmissionPolicyApiVersion.V1BETA1, AdmissionPolicyApiVersion.V1BETA1]);
    expect(problemsOf(() => build({ kubernetesVersion: KubernetesVersion.V1_28 }))[0]).toMatch(/^test\/Ingress: kubernetesVersion is 1\.28, which serves ValidatingAdmissionPolicy only as the beta API .*a default cluster rejects the tenant Ingress policy/);
  });

  test('refuses host patterns that could let two tenants share a host, and domains that are not DNS names', () => {
    expect(problemsOf(() => build({ hostPattern: '{tenant}-{env}', domain: '*.example.com' }))).toEqual([
      'test/Ingress: hostPattern is not dot-separated DNS labels with {tenant} and {env} each exactly once as a whole label (got "{tenant}-{env}"); use e.g. "{tenant}.{env}" or "{tenant}.apps.{env}" (a whole label each, so no two tenants share a host)',
      'test/Ingress: domain is not a lowercase DNS name (got "*.example.com"); use e.g. "apps.inopsio.example" (no wildcard, no trailing dot)',
    ]);
    expect(problemsOf(() => build({ hostPattern: '{tenant}.web' }))).toHaveLength(1);
    expect(problemsOf(() => build({ hostPattern: '{tenant}.{env}.{tenant}' }))).toHaveLength(1);
  });

  test('CEL: parses, uses only functions of every target 1.28–1.36, reads only object, request, namespaceObject and variables', () => {
    const { policy, construct } = build({ domain: 'apps.inopsio.example' });
    const all: string[] = [
      ...policy.spec.variables.map((v: any) => v.expression),
      ...policy.spec.validations.flatMap((v: any) => [v.expression, v.messageExpression]),
    ];
    expect(new Set(all)).toEqual(new Set(Object.values(construct.expressions)));
    for (const e of all) expect([...freeIdentifiers(e)].every(v => ['object', 'request', 'namespaceObject', 'variables'].includes(v))).toBe(true);
    for (const target of KubernetesVersion.supported()) {
      expect(`${target}: ${all.flatMap(e => celProblems(e, target)).join('; ')}`).toBe(`${target}: `);
    }
  });

  describe('CEL behaviour on sample Ingresses (default pattern, any domain)', () => {
    test.each([
      ['its own host', { rules: [rule('acme.prod.inopsio.example')] }],
      ['two own hosts with TLS', { rules: [rule('acme.prod.inopsio.example'), rule('acme.prod.acme-corp.example')], tls: [{ hosts: ['acme.prod.inopsio.example'], secretName: 'web-tls' }] }],
      ['no rules at all', {}],
    ])('admits %s, on CREATE and UPDATE', (_name, spec) => {
      for (const op of ['CREATE', 'UPDATE']) expect(run(spec, {}, op)).toEqual({ matched: true, allowed: true, messages: [], auditAnnotations: {} });
    });

    test('refuses another tenant\'s host, naming it', () => {
      expect(run({ rules: [rule('acme.prod.inopsio.example'), rule('globex.prod.inopsio.example')] }).messages).toEqual([
        'Ingress web in tenant namespace prod-acme routes hosts that are not tenant acme\'s: globex.prod.inopsio.example; use hosts beginning with acme.prod.',
      ]);
    });

    test('refuses the platform\'s hosts, the same tenant in another environment, look-alikes and wildcards', () => {
      for (const host of ['grafana.inopsio.example', 'acme.staging.inopsio.example', 'acme.prodx.inopsio.example', 'x.acme.prod.inopsio.example', '*.prod.inopsio.example', 'acme.prod']) {
        expect(`${host}: ${run({ rules: [rule(host)] }).allowed}`).toBe(`${host}: false`);
      }
    });

    test('refuses a rule without host and a default backend: both answer for every host', () => {
      expect(run({ rules: [rule()] }).messages).toEqual([
        'Ingress web in tenant namespace prod-acme routes hosts that are not tenant acme\'s: (a rule without host: every host); use hosts beginning with acme.prod.',
      ]);
      expect(run({ defaultBackend: backend }).messages).toEqual([
        'Ingress web in tenant namespace prod-acme may not set spec.defaultBackend: it answers for every host no other Ingress claims, other tenants\' included; route by host (hosts beginning with acme.prod.)',
      ]);
    });

    test('refuses TLS for another tenant\'s host', () => {
      expect(run({ rules: [rule('acme.prod.inopsio.example')], tls: [{ hosts: ['globex.prod.inopsio.example'], secretName: 'stolen' }] }).messages).toEqual([
        'Ingress web in tenant namespace prod-acme terminates TLS for hosts that are not tenant acme\'s; use hosts beginning with acme.prod.',
      ]);
    });
  });

  describe('with a domain and pattern', () => {
    const props = { domain: 'apps.inopsio.example', hostPattern: '{tenant}.{env}' };
    test('admits the tenant host and names under it, refuses the same labels under another domain', () => {
      expect(run({ rules: [rule('acme.prod.apps.inopsio.example'), rule('api.acme.prod.apps.inopsio.example')], tls: [{ hosts: ['*.acme.prod.apps.inopsio.example'] }] }, props).allowed).toBe(true);
      expect(run({ rules: [rule('acme.prod.evil.example')] }, props).messages).toEqual([
        'Ingress web in tenant namespace prod-acme routes hosts that are not tenant acme\'s: acme.prod.evil.example; use acme.prod.apps.inopsio.example or a name under it',
      ]);
      expect(run({ rules: [rule('xacme.prod.apps.inopsio.example')] }, props).allowed).toBe(false);
      expect(run({ rules: [rule('globex.prod.apps.inopsio.example')] }, props).allowed).toBe(false);
    });
  });
});

import { Testing } from 'cdk8s';
import { AdmissionPolicyApiVersion, BREAK_GLASS_ANNOTATION, ImmutableProductionPolicy, ImmutableProductionPolicyProps } from '../../src/k8s/admission-policy';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { LifecycleValidationError } from '../../src/model/problems';
import { PolicyInput, PolicyPack } from '../../src/policy';
import { admit, AdmissionOutcome, freeIdentifiers, parseCel } from '../policy/cel-subset';
import { expectValidManifests, validate } from '../support/strict-validator';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] });
const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z' });
const ARGO = 'system:serviceaccount:argocd:argocd-application-controller';
const TERRAFORM = 'system:serviceaccount:inopsio-system:terraform';

function build(props: Partial<ImmutableProductionPolicyProps> = {}) {
  const chart = Testing.chart();
  const construct = new ImmutableProductionPolicy(chart, 'Immutable', { environment: prod, ...props });
  const docs = Testing.synth(chart);
  return { construct, docs, policy: docs[0], binding: docs[1], labelPolicy: docs[2], labelBinding: docs[3] };
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

/** An admission request against the main policy, for a Deployment in prod-acme. */
function request(username: string, groups: string[], operation: string, object: any, oldObject: any = null, resource = 'deployments', subResource = '') {
  return {
    request: {
      userInfo: { username, groups },
      operation,
      resource: { group: 'apps', version: 'v1', resource },
      subResource,
      namespace: 'prod-acme',
      name: 'billing',
    },
    object,
    oldObject,
  };
}

const deployment = (annotations?: { [k: string]: string }) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'billing', namespace: 'prod-acme', ...(annotations ? { annotations } : {}) }, spec: { replicas: 2 } });

describe('ImmutableProductionPolicy', () => {
  test('defaults: a v1beta1 policy and binding (Kubernetes 1.28) that pass the strict 1.28 schema, plus the class-label guard', () => {
    const { docs, policy, binding, labelPolicy, labelBinding } = build();
    expect(docs.map(d => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy inopsio-immutable-prod',
      'admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicyBinding inopsio-immutable-prod',
      'admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy inopsio-immutable-prod-class-label',
      'admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicyBinding inopsio-immutable-prod-class-label',
    ]);
    expectValidManifests(docs);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { 'lifecycle.inopsio.io/environment-class': 'production' } });
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['*/*'], scope: 'Namespaced' },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['namespaces'], scope: 'Cluster' },
    ]);
    expect(binding.spec).toEqual({ policyName: 'inopsio-immutable-prod', validationActions: ['Deny', 'Audit'] });
    expect(labelBinding.spec).toEqual({ policyName: 'inopsio-immutable-prod-class-label', validationActions: ['Deny', 'Audit'] });
    expect(labelPolicy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['namespaces'], scope: 'Cluster' }]);
    expect(policy.spec.validations[0].reason).toBe('Forbidden');
  });

  test('selects exactly the label TenantNamespace puts on production namespaces', () => {
    const ns = Testing.synth(new TenantChart(Testing.app(), 'acme', { environment: prod, tenant: prod.tenants[0] })).find(d => d.kind === 'Namespace');
    const { policy } = build();
    for (const [k, v] of Object.entries(policy.spec.matchConstraints.namespaceSelector.matchLabels)) expect(ns.metadata.labels[k]).toBe(v);
  });

  test('v1 (Kubernetes 1.30+) renders the same spec under admissionregistration.k8s.io/v1; the 1.28 schemas do not know it', () => {
    const beta = build();
    const ga = build({ apiVersion: AdmissionPolicyApiVersion.V1 });
    expect(ga.docs.map(d => d.apiVersion)).toEqual(Array(4).fill('admissionregistration.k8s.io/v1'));
    expect(ga.docs.map(d => d.spec)).toEqual(beta.docs.map(d => d.spec));
    expect(validate(ga.policy)).toEqual([expect.stringMatching(/no schema for apiVersion admissionregistration\.k8s\.io\/v1 kind ValidatingAdmissionPolicy/)]);
    // The v1 fields are the v1beta1 fields: checked against the 1.28 v1beta1 schema they are valid.
    expect(ga.docs.flatMap(d => validate({ ...d, apiVersion: AdmissionPolicyApiVersion.V1BETA1 }))).toEqual([]);
  });

  test('CEL: every expression parses in the supported subset, uses only declared variables, and messages have no line breaks', () => {
    const { policy, labelPolicy } = build();
    for (const spec of [policy.spec, labelPolicy.spec]) {
      const declared = new Set<string>();
      for (const mc of spec.matchConditions) {
        // matchConditions run before variables: they may not read variables or namespaceObject.
        expect([...freeIdentifiers(parseCel(mc.expression))].every(v => ['request', 'object', 'oldObject'].includes(v))).toBe(true);
        expect(mc.name).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
      }
      for (const v of spec.variables) {
        const refs = [...freeIdentifiers(parseCel(v.expression))];
        expect(refs.every(r => ['request', 'object', 'oldObject', 'variables', 'namespaceObject'].includes(r))).toBe(true);
        for (const m of v.expression.matchAll(/variables\.([A-Za-z_]+)/g)) expect(declared.has(m[1])).toBe(true);
        declared.add(v.name);
      }
      const expressions = [
        ...spec.validations.flatMap((x: any) => [x.expression, x.messageExpression]),
        ...(spec.auditAnnotations ?? []).map((a: any) => a.valueExpression),
      ];
      for (const e of expressions) {
        parseCel(e);
        for (const m of e.matchAll(/variables\.([A-Za-z_]+)/g)) expect(declared.has(m[1])).toBe(true);
        expect(e).not.toMatch(/\n/);
        expect(e.length).toBeLessThan(5_000);
      }
    }
    expect(policy.spec.auditAnnotations[0].key).toMatch(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/);
  });

  describe('CEL behaviour against admission requests', () => {
    const { policy, labelPolicy } = build();
    const run = (input: any): AdmissionOutcome => admit(policy.spec, input);

    test('the GitOps (Argo CD) and Terraform identities may create, update and delete', () => {
      for (const user of [ARGO, TERRAFORM]) {
        for (const op of ['CREATE', 'UPDATE', 'DELETE']) {
          const out = run(request(user, ['system:serviceaccounts', 'system:authenticated'], op, op === 'DELETE' ? null : deployment(), op === 'CREATE' ? null : deployment()));
          expect(out).toEqual({ matched: true, allowed: true, messages: [], auditAnnotations: {} });
        }
      }
    });

    test('a human (even cluster-admin by RBAC) is refused with a message naming namespace, user, operation and the way out', () => {
      const out = run(request('alice@inopsio.example', ['oidc:platform-admins', 'system:authenticated'], 'UPDATE', deployment(), deployment()));
      expect(out.allowed).toBe(false);
      expect(out.messages).toEqual([
        `production namespace prod-acme is immutable (spec §1): alice@inopsio.example may not UPDATE deployments; change it through GitOps/Terraform, or as break-glass set the annotation ${BREAK_GLASS_ANNOTATION} (at least 10 characters)`,
      ]);
      expect(run(request('alice@inopsio.example', ['oidc:platform-admins'], 'DELETE', null, deployment())).allowed).toBe(false);
      const scale = run(request('alice@inopsio.example', [], 'UPDATE', { metadata: { name: 'billing' }, spec: { replicas: 0 } }, null, 'deployments', 'scale'));
      expect(scale.messages[0]).toContain('may not UPDATE deployments/scale');
    });

    test('a tenant workload\'s own service account is refused too', () => {
      expect(run(request('system:serviceaccount:prod-acme:billing', ['system:serviceaccounts'], 'CREATE', deployment())).allowed).toBe(false);
    });

    test('break-glass without a reason (or a too short one) is refused; with a reason it is allowed and lands in the audit log', () => {
      const bg = ['oidc:platform-break-glass', 'system:authenticated'];
      expect(run(request('bob@inopsio.example', bg, 'UPDATE', deployment(), deployment())).allowed).toBe(false);
      expect(run(request('bob@inopsio.example', bg, 'UPDATE', deployment({ [BREAK_GLASS_ANNOTATION]: ' INC-1  ' }), deployment())).allowed).toBe(false);
      const ok = run(request('bob@inopsio.example', bg, 'UPDATE', deployment({ [BREAK_GLASS_ANNOTATION]: 'INC-4711: roll back billing' }), deployment()));
      expect(ok.allowed).toBe(true);
      expect(ok.auditAnnotations).toEqual({ 'break-glass': 'user=bob@inopsio.example; operation=UPDATE; resource=deployments; namespace=prod-acme; name=billing; reason=INC-4711: roll back billing' });
      // DELETE carries no object: the reason must have been annotated on the stored object first (an audited UPDATE).
      expect(run(request('bob@inopsio.example', bg, 'DELETE', null, deployment())).allowed).toBe(false);
      expect(run(request('bob@inopsio.example', bg, 'DELETE', null, deployment({ [BREAK_GLASS_ANNOTATION]: 'INC-4711: remove stuck job' }))).allowed).toBe(true);
    });

    test('control-plane components and kube-system controllers are not matched (they reconcile what GitOps declared)', () => {
      for (const user of ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'system:node:worker-1', 'system:serviceaccount:kube-system:replicaset-controller']) {
        expect(run(request(user, ['system:authenticated'], 'UPDATE', deployment(), deployment())).matched).toBe(false);
      }
      // ...but a service account in another namespace named like a controller is matched.
      expect(run(request('system:serviceaccount:kube-systemx:replicaset-controller', [], 'UPDATE', deployment(), deployment())).matched).toBe(true);
      expect(run(request('system:admin', ['system:masters'], 'UPDATE', deployment(), deployment())).allowed).toBe(false);
    });

    test('operators listed in operatorUsernames are exempt; writer groups may write', () => {
      const custom = build({ operatorUsernames: ['system:serviceaccount:external-secrets:external-secrets'], writerGroups: ['oidc:ci-deployers'] }).policy.spec;
      expect(admit(custom, request('system:serviceaccount:external-secrets:external-secrets', [], 'CREATE', deployment())).matched).toBe(false);
      expect(admit(custom, request('ci', ['oidc:ci-deployers'], 'CREATE', deployment())).allowed).toBe(true);
    });

    test('class label guard: nobody but GitOps/Terraform can take a production namespace out of the policy', () => {
      const ns = (labels: { [k: string]: string }) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod-acme', labels } });
      const nsRequest = (user: string, groups: string[], object: any, oldObject: any) => ({
        request: { userInfo: { username: user, groups }, operation: 'UPDATE', resource: { group: '', version: 'v1', resource: 'namespaces' }, subResource: '', namespace: 'prod-acme', name: 'prod-acme' },
        object,
        oldObject,
      });
      const classified = ns({ 'lifecycle.inopsio.io/environment-class': 'production', 'tenant': 'acme' });
      const stripped = ns({ tenant: 'acme' });
      const out = admit(labelPolicy.spec, nsRequest('bob@inopsio.example', ['oidc:platform-break-glass'], stripped, classified));
      expect(out.allowed).toBe(false);
      expect(out.messages).toEqual(['the lifecycle.inopsio.io/environment-class label of production namespace prod-acme is owned by GitOps/Terraform: bob@inopsio.example may not remove or change it']);
      expect(admit(labelPolicy.spec, nsRequest('bob@inopsio.example', [], ns({ 'lifecycle.inopsio.io/environment-class': 'staging' }), classified)).allowed).toBe(false);
      expect(admit(labelPolicy.spec, nsRequest(ARGO, [], stripped, classified)).allowed).toBe(true);
      // Other labels may change; namespaces that were never production are not matched.
      expect(admit(labelPolicy.spec, nsRequest('bob@inopsio.example', [], ns({ 'lifecycle.inopsio.io/environment-class': 'production', 'x': 'y' }), classified)).allowed).toBe(true);
      expect(admit(labelPolicy.spec, nsRequest('bob@inopsio.example', [], stripped, ns({ tenant: 'acme' }))).matched).toBe(false);
    });
  });

  test('its own output passes the policy pack (K02 cluster-scoped, K03 names, K04 labels, B17 keys)', () => {
    const { docs } = build();
    const report = PolicyPack.default().evaluate(new PolicyInput().addKubernetesJson('prod', 'prod/immutable.k8s.yaml', JSON.stringify(docs)));
    expect(report.findings).toEqual([]);
  });

  test('fails if the class is mutable, an identity is a wildcard or a broad group, or nothing could write — listing every problem', () => {
    expect(problems(() => build({ environment: dev }))).toEqual([
      'test/Immutable: environment has class "development", which is not GITOPS_ONLY (got "dev"); make only GitOps-only classes (production, staging) immutable',
    ]);
    expect(problems(() => build({ writerUsernames: ['system:serviceaccount:argocd:*'], breakGlassGroups: ['system:authenticated'], operatorUsernames: ['system:kube-scheduler'], minimumReasonLength: 0 }))).toEqual([
      'test/Immutable: writerUsernames[0] is not an exact identity name (got "system:serviceaccount:argocd:*"); use the username or group as the API server sees it, without wildcards or spaces',
      'test/Immutable: breakGlassGroups[0] is a group that stands for everybody or the control plane (got "system:authenticated"); name a dedicated group, e.g. "oidc:platform-break-glass"',
      'test/Immutable: operatorUsernames[0] is a control-plane identity, which is always exempt (got "system:kube-scheduler"); remove it',
      'test/Immutable: minimumReasonLength is not a whole number from 1 to 256 (got 0); use e.g. 10',
    ]);
    expect(problems(() => build({ writerUsernames: [], writerGroups: [] }))[0]).toMatch(/writerUsernames and writerGroups are both empty, so nothing could ever change production/);
    expect(problems(() => build({ writerGroups: ['oidc:ops'], breakGlassGroups: ['oidc:ops'] }))[0]).toMatch(/breakGlassGroups overlaps writerGroups/);
  });
});

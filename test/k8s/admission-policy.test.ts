import { Testing } from 'cdk8s';
import { AdmissionPolicyApiVersion, BREAK_GLASS_ANNOTATION, CONTROL_PLANE_SERVICE_ACCOUNTS, ImmutableProductionPolicy, ImmutableProductionPolicyProps } from '../../src/k8s/admission-policy';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { LifecycleValidationError } from '../../src/model/problems';
import { PolicyInput, PolicyPack } from '../../src/policy';
import { admit, AdmissionOutcome, calledFunctions, celProblems, freeIdentifiers } from '../support/kubernetes-cel';
import { expectValidManifests, StrictValidator } from '../support/strict-validator';

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
  test('defaults: a v1 policy and binding (default target 1.35) that pass the strict 1.35 schema, plus the class-label guard', () => {
    const { construct, docs, policy, binding, labelPolicy, labelBinding } = build();
    expect(docs.map(d => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy inopsio-immutable-prod',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding inopsio-immutable-prod',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy inopsio-immutable-prod-class-label',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding inopsio-immutable-prod-class-label',
    ]);
    expect(construct.apiVersion).toBe(AdmissionPolicyApiVersion.V1);
    expectValidManifests(docs, KubernetesVersion.DEFAULT);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { 'lifecycle.inopsio.io/environment-class': 'production' } });
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['*/*'], scope: 'Namespaced' },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['namespaces'], scope: 'Cluster' },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'], scope: 'Namespaced' },
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

  test('the target picks the API: v1 from 1.30; 1.28 and 1.29 only with betaApiEnabled, as v1beta1; the specs are the same', () => {
    const reference = build({ kubernetesVersion: KubernetesVersion.V1_30 }).docs;
    for (const target of KubernetesVersion.supported()) {
      const beta = !target.isAtLeast(KubernetesVersion.V1_30);
      const { construct, docs } = build({ kubernetesVersion: target, betaApiEnabled: beta });
      const expected = beta ? AdmissionPolicyApiVersion.V1BETA1 : AdmissionPolicyApiVersion.V1;
      expect(`${target}: ${docs.map(d => d.apiVersion).join(' ')}`).toBe(`${target}: ${Array(4).fill(expected).join(' ')}`);
      expect(construct.apiVersion).toBe(expected);
      expect(docs.map(d => d.spec)).toEqual(reference.map(d => d.spec));
    }
    // betaApiEnabled changes nothing where the GA API is served.
    const ga = build({ kubernetesVersion: KubernetesVersion.V1_36 }).docs;
    expect(build({ kubernetesVersion: KubernetesVersion.V1_36, betaApiEnabled: true }).docs).toEqual(ga);
  });

  test('each target\'s output passes that release\'s strict schema (1.28 with the beta API, 1.30, 1.35, 1.36)', () => {
    const available = StrictValidator.availableVersions();
    expect(available.map(v => v.name)).toEqual(['1.28', '1.30', '1.35', '1.36']);
    for (const target of available) {
      expectValidManifests(build({ kubernetesVersion: target, betaApiEnabled: !target.isAtLeast(KubernetesVersion.V1_30) }).docs, target);
    }
    // And what a release does not serve, its schema does not know: v1 on 1.28, v1beta1 on 1.36.
    expect(StrictValidator.instance('1.28').validateAll(build({ kubernetesVersion: KubernetesVersion.V1_30 }).docs)).toHaveLength(4);
    expect(StrictValidator.instance('1.36').validateAll(build({ kubernetesVersion: KubernetesVersion.V1_28, betaApiEnabled: true }).docs)).toHaveLength(4);
  });

  test('fails on 1.28 and 1.29 without betaApiEnabled: one problem naming the version, the flags to enable and the way out', () => {
    for (const target of [KubernetesVersion.V1_28, KubernetesVersion.V1_29]) {
      expect(problems(() => build({ kubernetesVersion: target }))).toEqual([
        `test/Immutable: kubernetesVersion is ${target.name}, which serves ValidatingAdmissionPolicy only as the beta API admissionregistration.k8s.io/v1beta1, off by default: a default cluster rejects the immutable-production policies (got "${target.name}"); enable that API on every cluster (kube-apiserver --feature-gates=ValidatingAdmissionPolicy=true --runtime-config=admissionregistration.k8s.io/v1beta1=true) and set betaApiEnabled: true, or target Kubernetes 1.30 or newer`,
      ]);
    }
    expect(problems(() => build({ kubernetesVersion: '1.30' as any, betaApiEnabled: 'yes' as any }))).toEqual([
      'test/Immutable: betaApiEnabled is not a boolean (got "yes"); set true or false',
      'test/Immutable: kubernetesVersion is not a KubernetesVersion (got "1.30"); use e.g. KubernetesVersion.V1_35 or KubernetesVersion.of(\'1.35\')',
    ]);
  });

  test('CEL: every expression parses (@bufbuild/cel), calls only functions every target 1.28–1.36 has, reads only declared variables, no line breaks', () => {
    const { policy, labelPolicy, construct } = build();
    const all: string[] = [];
    for (const spec of [policy.spec, labelPolicy.spec]) {
      const declared = new Set<string>();
      for (const mc of spec.matchConditions) {
        // matchConditions run before variables: they may not read variables or namespaceObject.
        expect([...freeIdentifiers(mc.expression)].every(v => ['request', 'object', 'oldObject'].includes(v))).toBe(true);
        expect(mc.name).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
        all.push(mc.expression);
      }
      for (const v of spec.variables) {
        const refs = [...freeIdentifiers(v.expression)];
        expect(refs.every(r => ['request', 'object', 'oldObject', 'variables', 'namespaceObject'].includes(r))).toBe(true);
        for (const m of v.expression.matchAll(/variables\.([A-Za-z_]+)/g)) expect(declared.has(m[1])).toBe(true);
        declared.add(v.name);
        all.push(v.expression);
      }
      const expressions = [
        ...spec.validations.flatMap((x: any) => [x.expression, x.messageExpression]),
        ...(spec.auditAnnotations ?? []).map((a: any) => a.valueExpression),
      ];
      for (const e of expressions) {
        for (const m of e.matchAll(/variables\.([A-Za-z_]+)/g)) expect(declared.has(m[1])).toBe(true);
        expect(e).not.toMatch(/\n/);
        expect(e.length).toBeLessThan(5_000);
        all.push(e);
      }
    }
    // Every expression the construct names is in a policy.
    expect(new Set(all)).toEqual(new Set(Object.values(construct.expressions)));
    for (const target of KubernetesVersion.supported()) {
      expect(`${target}: ${all.flatMap(e => celProblems(e, target)).join('; ')}`).toBe(`${target}: `);
    }
    // The whole function vocabulary: a new function must be checked against KUBERNETES_CEL_LIBRARIES first.
    expect([...new Set(all.flatMap(calledFunctions))].sort()).toEqual(['size', 'startsWith', 'trim']);
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
      // ...and so is any other service account of kube-system (issue 21: no kube-system:* wildcard): an add-on there is refused.
      // Controllers whose bootstrap role writes nothing in a tenant namespace are not exempt either (controller_policy.go review).
      const notWriters = ['taint-eviction-controller', 'legacy-service-account-token-cleaner', 'service-controller', 'attachdetach-controller', 'certificate-controller']
        .map(n => `system:serviceaccount:kube-system:${n}`);
      for (const user of ['system:serviceaccount:kube-system:default', 'system:serviceaccount:kube-system:coredns', 'system:serviceaccount:kube-system:some-addon', ...notWriters]) {
        const out = run(request(user, ['system:serviceaccounts', 'system:serviceaccounts:kube-system'], 'UPDATE', deployment(), deployment()));
        expect(`${user}: ${out.matched} ${out.allowed}`).toBe(`${user}: true false`);
      }
      // The exemption is a list of exact names in the policy, without any prefix match on kube-system.
      expect(policy.spec.matchConditions[0].expression).not.toContain('kube-system:\')');
      expect(CONTROL_PLANE_SERVICE_ACCOUNTS).toContain('system:serviceaccount:kube-system:generic-garbage-collector');
      expect(run(request('system:admin', ['system:masters'], 'UPDATE', deployment(), deployment())).allowed).toBe(false);
    });

    describe('CONNECT: exec, attach, port-forward and the proxies', () => {
      /** A CONNECT request: the object is the options object (no metadata), the Namespace carries the reason. */
      const connect = (user: string, groups: string[], resource: string, subResource: string, nsAnnotations?: { [k: string]: string }) => ({
        request: { userInfo: { username: user, groups }, operation: 'CONNECT', resource: { group: '', version: 'v1', resource }, subResource, namespace: 'prod-acme', name: 'billing-0' },
        object: subResource === 'exec' ? { kind: 'PodExecOptions', apiVersion: 'v1', command: ['sh'], stdin: true, tty: true } : { kind: 'PodPortForwardOptions', apiVersion: 'v1' },
        oldObject: null,
        namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod-acme', ...(nsAnnotations ? { annotations: nsAnnotations } : {}) } },
      });
      const targets: Array<[string, string]> = [['pods', 'exec'], ['pods', 'attach'], ['pods', 'portforward'], ['pods', 'proxy'], ['services', 'proxy']];

      test('a human, a tenant service account and a kube-system add-on are refused on every subresource, naming it', () => {
        for (const [resource, sub] of targets) {
          for (const user of ['alice@inopsio.example', 'system:serviceaccount:prod-acme:billing', 'system:serviceaccount:kube-system:some-addon']) {
            const out = run(connect(user, ['system:authenticated'], resource, sub));
            expect(`${user} ${resource}/${sub}: ${out.allowed}`).toBe(`${user} ${resource}/${sub}: false`);
            expect(out.messages[0]).toContain(`${user} may not CONNECT ${resource}/${sub};`);
          }
        }
      });

      test('break-glass needs the reason on the Namespace (the options object has no metadata), and is audited', () => {
        const bg = ['oidc:platform-break-glass'];
        expect(run(connect('bob@inopsio.example', bg, 'pods', 'exec')).allowed).toBe(false);
        expect(run(connect('bob@inopsio.example', bg, 'pods', 'exec', { [BREAK_GLASS_ANNOTATION]: 'short' })).allowed).toBe(false);
        const ok = run(connect('bob@inopsio.example', bg, 'pods', 'exec', { [BREAK_GLASS_ANNOTATION]: 'INC-4712: inspect a hung worker' }));
        expect(ok.allowed).toBe(true);
        expect(ok.auditAnnotations['break-glass']).toBe('user=bob@inopsio.example; operation=CONNECT; resource=pods; namespace=prod-acme; name=billing-0; reason=INC-4712: inspect a hung worker');
      });
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

import { Testing } from 'cdk8s';
import { ArgoCdApplication } from '../../src/k8s/argocd-application';
import { ArgoCdTenantProject } from '../../src/k8s/argocd-project';
import { ArgoCdProjectGuard } from '../../src/k8s/argocd-project-policy';
import { AdmissionPolicyApiVersion } from '../../src/k8s/validating-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { LifecycleNames } from '../../src/model/names';
import { admit, celProblems, freeIdentifiers } from '../support/kubernetes-cel';
import { expectValidManifests } from '../support/strict-validator';

const modules = [{ name: 'billing', chart: 'billing', repository: 'oci://registry.example.com/charts', version: '1.0.0' }];
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme', modules }, { id: 'globex', modules }] });

function build(names?: LifecycleNames) {
  const chart = Testing.chart();
  const construct = new ArgoCdProjectGuard(chart, 'Guard', { environment: prod, names });
  const docs = Testing.synth(chart);
  return { construct, docs, policy: docs.find(d => d.kind === 'ValidatingAdmissionPolicy'), binding: docs.find(d => d.kind === 'ValidatingAdmissionPolicyBinding'), project: docs.find(d => d.kind === 'AppProject') };
}

const application = (spec: any) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'billing', namespace: 'argocd' }, spec });
const run = (spec: any, operation = 'CREATE') => admit(build().policy.spec, {
  request: { userInfo: { username: 'oidc:dev', groups: [] }, operation, namespace: 'argocd', name: 'billing', resource: { group: 'argoproj.io', version: 'v1alpha1', resource: 'applications' }, subResource: '' },
  object: application(spec),
  oldObject: operation === 'UPDATE' ? application({ project: 'prod-acme', destination: { namespace: 'prod-acme' } }) : null,
});

describe('ArgoCdProjectGuard', () => {
  test('writes a v1 policy with a Deny+Audit binding over Applications, and a locked default AppProject in Argo CD\'s namespace', () => {
    const { docs, policy, binding, project, construct } = build();
    expect(docs.map(d => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy inopsio-argocd-projects-prod',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding inopsio-argocd-projects-prod',
      'argoproj.io/v1alpha1 AppProject default',
    ]);
    expect(construct.apiVersion).toBe(AdmissionPolicyApiVersion.V1);
    expectValidManifests(docs.filter(d => d.kind !== 'AppProject'), KubernetesVersion.DEFAULT);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['applications'], scope: 'Namespaced' }]);
    expect(binding.spec).toEqual({ policyName: 'inopsio-argocd-projects-prod', validationActions: ['Deny', 'Audit'] });
    expect(project.metadata.namespace).toBe('argocd');
    expect(project.spec).toMatchObject({ sourceRepos: [], sourceNamespaces: [], destinations: [], clusterResourceWhitelist: [], namespaceResourceWhitelist: [{ group: '', kind: '' }] });
    expect(build(LifecycleNames.of({ argoCdNamespace: 'gitops' })).project.metadata.namespace).toBe('gitops');
  });

  test('CEL parses on every target and reads only object', () => {
    const { policy } = build();
    const all: string[] = [
      ...policy.spec.matchConditions.map((m: any) => m.expression),
      ...policy.spec.validations.flatMap((v: any) => [v.expression, v.messageExpression]),
    ];
    for (const e of all) expect([...freeIdentifiers(e)]).toEqual(['object']);
    for (const target of KubernetesVersion.supported()) expect(`${target}: ${all.flatMap(e => celProblems(e, target)).join('; ')}`).toBe(`${target}: `);
  });

  test('admits the Applications the library generates (their tenant\'s project, from names.ts)', () => {
    const chart = Testing.chart();
    for (const tenant of prod.tenants) {
      new ArgoCdTenantProject(chart, `P-${tenant.id}`, { environment: prod, tenant });
      new ArgoCdApplication(chart, `A-${tenant.id}`, { environment: prod, tenant, module: 'billing' });
    }
    const apps = Testing.synth(chart).filter(d => d.kind === 'Application');
    expect(apps).toHaveLength(2);
    for (const app of apps) expect(run(app.spec)).toEqual({ matched: true, allowed: true, messages: [], auditAnnotations: {} });
  });

  test('refuses an Application into a tenant namespace under another tenant\'s project, the default project, or none, on CREATE and UPDATE', () => {
    for (const op of ['CREATE', 'UPDATE']) {
      expect(run({ project: 'prod-globex', destination: { server: 'https://kubernetes.default.svc', namespace: 'prod-acme' } }, op).messages).toEqual([
        'Application billing deploys into tenant namespace prod-acme of prod but belongs to project prod-globex; set spec.project: prod-acme',
      ]);
    }
    expect(run({ project: 'default', destination: { namespace: 'prod-acme' } }).allowed).toBe(false);
    expect(run({ destination: { namespace: 'prod-globex' } }).messages).toEqual([
      'Application billing deploys into tenant namespace prod-globex of prod but belongs to project default; set spec.project: prod-globex',
    ]);
  });

  test('leaves Applications for other namespaces alone (platform apps, other environments)', () => {
    expect(run({ project: 'platform', destination: { namespace: 'monitoring' } }).matched).toBe(false);
    expect(run({ project: 'staging-acme', destination: { namespace: 'staging-acme' } }).matched).toBe(false);
    expect(run({ project: 'platform', source: { repoURL: 'x' } }).matched).toBe(false);
  });
});

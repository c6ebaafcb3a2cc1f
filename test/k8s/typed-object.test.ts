/**
 * Objects built from the typed bindings (src/k8s/typed-object.ts): the bindings' names and values reach the output
 * under their Kubernetes names, and a user's `addJsonPatch` on the library's objects keeps working (the generated
 * classes' own `toJson` would drop a patched quantity, port or unknown field, which is why they are not used).
 */
import { Chart, JsonPatch, Testing } from 'cdk8s';
import { KubeCronJob, KubeNetworkPolicy, KubeResourceQuota } from '../../src/k8s/imports/k8s';
import { TenantNamespace } from '../../src/k8s/tenant-namespace';
import { kubeObject, port, quantities, quantity } from '../../src/k8s/typed-object';
import { AdmissionPolicyApiVersion, boundPolicy } from '../../src/k8s/validating-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Tenant } from '../../src/model/tenant';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] });

describe('kubeObject', () => {
  test('apiVersion and kind from the bindings; quantities, ports and renamed fields written as Kubernetes has them', () => {
    const chart = Testing.chart();
    const job = kubeObject(chart, 'Job', KubeCronJob, {
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                hostPid: false,
                hostIpc: false,
                containers: [{ name: 'c', image: 'x', resources: { limits: quantities({ cpu: '250m' }) }, ports: [{ containerPort: 9090 }] }],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: quantity('64Mi') } }, { name: 'ns', downwardApi: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }],
              },
            },
          },
        },
      },
    });
    const json = job.toJson();
    expect(json.apiVersion).toBe('batch/v1');
    expect(json.kind).toBe('CronJob');
    const pod = json.spec.jobTemplate.spec.template.spec;
    expect(Object.keys(pod)).toEqual(['containers', 'hostIPC', 'hostPID', 'volumes']);
    expect(pod.containers[0].resources.limits).toEqual({ cpu: '250m' });
    expect(pod.volumes[0].emptyDir).toEqual({ sizeLimit: '64Mi' });
    expect(pod.volumes[1].downwardAPI.items[0].path).toBe('ns');
    const policy = kubeObject(chart, 'Policy', KubeNetworkPolicy, {
      metadata: { name: 'p' },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: port(8080) }, { port: port('metrics') }] }] },
    });
    expect(policy.toJson().spec.ingress[0].ports).toEqual([{ port: 8080 }, { port: 'metrics' }]);
  });

  test('a patch with plain values survives (the generated class drops it)', () => {
    const chart = Testing.chart();
    const patch = [JsonPatch.add('/spec/hard/memory', '1Gi'), JsonPatch.add('/spec/scopes', ['NotBestEffort']), JsonPatch.add('/spec/futureField', true)];
    const ours = kubeObject(chart, 'Ours', KubeResourceQuota, { metadata: { name: 'q' }, spec: { hard: quantities({ cpu: '1' }) } });
    const generated = new KubeResourceQuota(chart, 'Generated', { metadata: { name: 'q' }, spec: { hard: quantities({ cpu: '1' }) } });
    ours.addJsonPatch(...patch);
    generated.addJsonPatch(...patch);
    expect(ours.toJson().spec).toEqual({ futureField: true, hard: { cpu: '1', memory: '1Gi' }, scopes: ['NotBestEffort'] });
    // What kubeObject exists for: the generated toJson re-reads the patched JSON through the schema types.
    expect(generated.toJson().spec).toEqual({ hard: { cpu: '1' }, scopes: ['NotBestEffort'] });
  });

  test('TenantNamespace: a user patch of the quota and of a NetworkPolicy port reaches the output', () => {
    const chart = new Chart(Testing.app(), 'c');
    const ns = new TenantNamespace(chart, 'Tenant', { environment: prod, tenant: new Tenant({ id: 'acme' }) });
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/requests.cpu', '3'));
    const monitoring = ns.networkPolicies.find(p => p.name === 'allow-monitoring')!;
    monitoring.addJsonPatch(JsonPatch.add('/spec/ingress/0/ports/-', { protocol: 'TCP', port: 9102 }));
    const docs = Testing.synth(chart);
    expect(docs.find(d => d.kind === 'ResourceQuota').spec.hard['requests.cpu']).toBe('3');
    expect(docs.find(d => d.metadata.name === 'allow-monitoring').spec.ingress[0].ports).toContainEqual({ protocol: 'TCP', port: 9102 });
  });

  test('metadata goes through unconverted, except a timestamp, which the bindings write as an ISO string', () => {
    const chart = Testing.chart();
    const plain = kubeObject(chart, 'Plain', KubeResourceQuota, { metadata: { name: 'q', labels: { b: '2', a: '1' } } });
    expect(plain.toJson().metadata).toEqual({ labels: { a: '1', b: '2' }, name: 'q' });
    const stamped = kubeObject(chart, 'Stamped', KubeResourceQuota, { metadata: { name: 'q', creationTimestamp: new Date(Date.UTC(2026, 10, 28, 9)) } });
    expect(stamped.toJson().metadata).toEqual({ creationTimestamp: '2026-11-28T09:00:00.000Z', name: 'q' });
  });

  test('props are type-checked against the 1.28 schema', () => {
    const chart = Testing.chart();
    // @ts-expect-error 'hardd' is not a field of ResourceQuotaSpec
    kubeObject(chart, 'Typo', KubeResourceQuota, { metadata: { name: 'q' }, spec: { hardd: quantities({ cpu: '1' }) } });
    // @ts-expect-error a quantity is a Quantity, not a string
    kubeObject(chart, 'Plain', KubeResourceQuota, { metadata: { name: 'q' }, spec: { hard: { cpu: '1' } } });
    expect(chart.node.children).toHaveLength(2);
  });

  test('admission policies: typed with the v1beta1 bindings, written under the API version the target picks', () => {
    const chart = Testing.chart();
    const spec = { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['services'] }] }, validations: [{ expression: 'true', message: 'm' }] };
    const v1 = boundPolicy(chart, { policy: 'P', binding: 'B' }, AdmissionPolicyApiVersion.V1, 'p', { a: '1' }, spec);
    const beta = boundPolicy(chart, { policy: 'P2', binding: 'B2' }, AdmissionPolicyApiVersion.V1BETA1, 'p2', { a: '1' }, spec);
    expect(v1.policy.toJson()).toEqual({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p', labels: { a: '1' } }, spec });
    expect(v1.binding.toJson()).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'p', labels: { a: '1' } },
      spec: { policyName: 'p', validationActions: ['Deny', 'Audit'] },
    });
    expect(beta.policy.toJson().apiVersion).toBe('admissionregistration.k8s.io/v1beta1');
    // @ts-expect-error 'validation' is not a field of ValidatingAdmissionPolicySpec (it is 'validations')
    boundPolicy(chart, { policy: 'P3', binding: 'B3' }, AdmissionPolicyApiVersion.V1, 'p3', {}, { validation: [{ expression: 'true' }] });
  });
});

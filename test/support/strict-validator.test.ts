import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  StrictValidator,
  expectValidManifests,
  goRegExp,
  validate,
  validateAll,
  validateDirectory,
  validateYaml,
} from './strict-validator';
import { KubernetesVersion } from '../../src/model/kubernetes-version';

// ---------------------------------------------------------------------------
// Fixtures (fresh copies per call so tests can mutate them)
// ---------------------------------------------------------------------------

const namespace = () => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'tenant-a', labels: { 'inopsio.io/tenant': 'a' }, annotations: { 'inopsio.io/ttl': '72h' } },
});

const resourceQuota = () => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'quota', namespace: 'tenant-a' },
  spec: {
    hard: {
      'requests.cpu': '4',
      'requests.memory': '8Gi',
      'limits.cpu': 8,
      'limits.memory': '16Gi',
      'requests.storage': '100G',
      'pods': '20',
      'count/deployments.apps': 10,
    },
  },
});

const networkPolicy = () => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny-except-dns', namespace: 'tenant-a' },
  spec: {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }],
    egress: [{
      to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 'dns-tcp' }],
    }],
  },
});

const cronJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'ttl-cleanup', namespace: 'tenant-a' },
  spec: {
    schedule: '0 3 * * *',
    concurrencyPolicy: 'Forbid',
    successfulJobsHistoryLimit: 1,
    jobTemplate: {
      spec: {
        backoffLimit: 2,
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            serviceAccountName: 'ttl-cleanup',
            containers: [{
              name: 'cleanup',
              image: 'ghcr.io/inopsio/ttl-cleanup:1.0.0',
              args: ['--dry-run=false'],
              env: [{ name: 'TTL', value: '72h' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
  },
});

const roleBinding = () => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'ttl-cleanup', namespace: 'tenant-a' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ttl-cleanup' },
  subjects: [{ kind: 'ServiceAccount', name: 'ttl-cleanup', namespace: 'tenant-a' }],
});

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'tenant-a' },
  spec: {
    replicas: 3 as unknown,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [{
          name: 'api' as string | undefined,
          image: 'ghcr.io/inopsio/api:1.2.3',
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        }] as any[],
      },
    },
  },
});

const serviceMonitor = () => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'api', namespace: 'tenant-a', labels: { release: 'kube-prometheus-stack' } },
  spec: {
    selector: { matchLabels: { app: 'api' } },
    namespaceSelector: { matchNames: ['tenant-a'] },
    endpoints: [{ port: 'http-metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }] as any[],
  },
});

const prometheusRule = () => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'tenant-a', namespace: 'tenant-a' },
  spec: {
    groups: [{
      name: 'tenant-a.rules',
      interval: '1m',
      partial_response_strategy: 'WARN', // pattern ^(?i)(abort|warn)?$
      rules: [
        {
          alert: 'TenantApiDown',
          expr: 'up{namespace="tenant-a",job="api"} == 0', // int-or-string
          for: '5m',
          labels: { severity: 'critical' },
          annotations: { summary: 'API of tenant-a is down' },
        },
        { record: 'tenant:http_requests:rate5m', expr: 'sum(rate(http_requests_total[5m]))' },
      ] as any[],
    }] as any[],
  },
});

const application = () => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'tenant-a', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
  spec: {
    project: 'tenants',
    source: {
      repoURL: 'https://github.com/inopsio/env-lifecycle.git',
      targetRevision: 'HEAD',
      path: 'envs/tenant-a',
      helm: { releaseName: 'tenant-a', valuesObject: { replicas: 2, anything: { goes: ['here'] } } },
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'tenant-a' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: ['CreateNamespace=true'],
      retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
    },
  },
});

const externalSecret = () => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db-credentials', namespace: 'tenant-a' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: 'db-credentials', creationPolicy: 'Owner' },
    data: [{ secretKey: 'password', remoteRef: { key: 'tenants/a/db', property: 'password' } }],
  },
});

/** Asserts exactly one error line that contains all the fragments. */
function expectSingleError(errors: string[], ...fragments: string[]): void {
  expect(errors).toHaveLength(1);
  for (const f of fragments) expect(errors[0]).toContain(f);
}

// ---------------------------------------------------------------------------

describe('StrictValidator: valid manifests', () => {
  const valid: Array<[string, () => any]> = [
    ['Namespace', namespace],
    ['ResourceQuota', resourceQuota],
    ['NetworkPolicy', networkPolicy],
    ['CronJob', cronJob],
    ['RoleBinding', roleBinding],
    ['Deployment', deployment],
    ['ServiceMonitor', serviceMonitor],
    ['PrometheusRule', prometheusRule],
    ['Argo CD Application', application],
    ['ExternalSecret', externalSecret],
  ];

  test.each(valid)('%s passes', (_name, make) => {
    expect(validate(make())).toEqual([]);
  });

  test('expectValidManifests accepts all of them at once', () => {
    expect(() => expectValidManifests(valid.map(([, make]) => make()))).not.toThrow();
  });

  test('cdk8s-plus synthesized output passes', () => {
    const chart = Testing.chart();
    const web = new kplus.Deployment(chart, 'web', {
      replicas: 2,
      containers: [{
        image: 'nginx',
        portNumber: 8080,
        resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) }, cpu: { request: kplus.Cpu.millis(100) } },
      }],
    });
    web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    new kplus.NetworkPolicy(chart, 'np', { selector: web });
    new kplus.CronJob(chart, 'cj', { schedule: Cron.daily(), containers: [{ image: 'busybox' }] });
    const docs = Testing.synth(chart);
    expect(docs.map(d => d.kind)).toEqual(['Deployment', 'Service', 'NetworkPolicy', 'CronJob']);
    expectValidManifests(docs);
  });

  test('IntOrString fields accept integers and strings, nothing else', () => {
    const svc = (targetPort: unknown) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'tenant-a' },
      spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort }] },
    });
    expect(validate(svc(8080))).toEqual([]);
    expect(validate(svc('http'))).toEqual([]);
    expectSingleError(validate(svc(true)), 'Service/tenant-a/api', '/spec/ports/0/targetPort', 'must be integer or string');
    expectSingleError(validate(svc(80.5)), '/spec/ports/0/targetPort');
  });

  test.each(['1', '1.5', '.5', '500m', '64Mi', '1Gi', '100G', '1e3', '1E', '+1k', 2, 0.25])('quantity %p is accepted', q => {
    const rq = resourceQuota();
    (rq.spec.hard as any)['requests.memory'] = q;
    expect(validate(rq)).toEqual([]);
  });

  test('int32 fields check integer-ness and range', () => {
    const fractional = deployment();
    fractional.spec.replicas = 1.5;
    expectSingleError(validate(fractional), '/spec/replicas', 'must be integer');
    const huge = deployment();
    huge.spec.replicas = 2 ** 31;
    expectSingleError(validate(huge), '/spec/replicas', 'format "int32"');
  });

  test('CRD Go patterns with (?i) are case-insensitive', () => {
    const rule = prometheusRule();
    rule.spec.groups[0].partial_response_strategy = 'abort';
    expect(validate(rule)).toEqual([]);
    rule.spec.groups[0].partial_response_strategy = 'ignore';
    expectSingleError(validate(rule), '/spec/groups/0/partial_response_strategy', '"ignore"', 'must match pattern');
  });

  test('kind v1 List is expanded into its items', () => {
    const bad = namespace() as any;
    bad.metadata.nmae = 'typo';
    expect(validate({ apiVersion: 'v1', kind: 'List', items: [namespace(), roleBinding()] })).toEqual([]);
    expectSingleError(validate({ apiVersion: 'v1', kind: 'List', items: [roleBinding(), bad] }), '/metadata/nmae');
  });
});

describe('StrictValidator: rejections', () => {
  test('unknown top-level field', () => {
    expectSingleError(validate({ ...namespace(), sepc: {} }),
      'Namespace/-/tenant-a: /sepc: unknown field "sepc"');
  });

  test('unknown nested field', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].foo = 'bar';
    expectSingleError(validate(d),
      'Deployment/tenant-a/api: /spec/template/spec/containers/0/foo: unknown field "foo"');
  });

  test('unknown field in metadata (built-in kind and CRD)', () => {
    const ns = namespace() as any;
    ns.metadata.label = { a: 'b' };
    expectSingleError(validate(ns), '/metadata/label: unknown field "label"');

    const sm = serviceMonitor() as any;
    sm.metadata.annotation = { a: 'b' };
    expectSingleError(validate(sm), 'ServiceMonitor/tenant-a/api: /metadata/annotation: unknown field "annotation"');
  });

  test('metadata values are type-checked too', () => {
    const ns = namespace() as any;
    ns.metadata.labels.enabled = true;
    expectSingleError(validate(ns), '/metadata/labels/enabled: must be string, got true');
  });

  test('wrong type: string where integer', () => {
    const d = deployment();
    d.spec.replicas = '3';
    expectSingleError(validate(d), 'Deployment/tenant-a/api: /spec/replicas: must be integer, got "3"');
  });

  test('unknown kind', () => {
    expectSingleError(validate({ apiVersion: 'v1', kind: 'Frobnicator', metadata: { name: 'x' } }),
      'Frobnicator/-/x: no schema for apiVersion v1 kind Frobnicator');
  });

  test('unknown apiVersion for a known kind', () => {
    const d = { ...deployment(), apiVersion: 'apps/v1beta1' };
    expectSingleError(validate(d), 'no schema for apiVersion apps/v1beta1 kind Deployment', 'known apiVersions for kind Deployment: apps/v1');
  });

  test('an unserved CRD version is unknown', () => {
    const es = { ...externalSecret(), apiVersion: 'external-secrets.io/v1beta1' };
    expectSingleError(validate(es), 'no schema for apiVersion external-secrets.io/v1beta1 kind ExternalSecret', 'not served');
  });

  test('missing apiVersion or kind', () => {
    const { apiVersion: _a, ...noApiVersion } = namespace();
    const { kind: _k, ...noKind } = namespace();
    expectSingleError(validate(noApiVersion), '/apiVersion: missing required field "apiVersion"');
    expectSingleError(validate(noKind), '-/-/tenant-a: /kind: missing required field "kind"');
    expectSingleError(validate('apiVersion: v1'), 'manifest must be an object');
  });

  test('missing required field', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].name;
    expectSingleError(validate(d), '/spec/template/spec/containers/0/name: missing required field "name"');
  });

  test('bad quantity', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources.limits.memory = '16GB';
    expectSingleError(validate(d),
      '/spec/template/spec/containers/0/resources/limits/memory: "16GB" is not a valid Kubernetes quantity');
    const rq = resourceQuota();
    (rq.spec.hard as any).pods = '20 pods';
    expectSingleError(validate(rq), '/spec/hard/pods');
  });

  test('bad base64 in Secret data (format: byte)', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGVsbG8=', bad: 'hello!' } };
    expectSingleError(validate(secret), '/data/bad', 'format "byte"');
  });

  test('unknown field inside a CRD spec', () => {
    const sm = serviceMonitor();
    sm.spec.endpoints[0].bogus = true;
    expectSingleError(validate(sm), 'ServiceMonitor/tenant-a/api: /spec/endpoints/0/bogus: unknown field "bogus"');

    const app = application() as any;
    app.spec.syncPolicy.automated.selfheal = true;
    expectSingleError(validate(app), '/spec/syncPolicy/automated/selfheal: unknown field "selfheal"');
  });

  test('x-kubernetes-preserve-unknown-fields keeps a subtree open', () => {
    const app = application() as any;
    app.spec.source.helm.valuesObject = { totally: { arbitrary: [1, 'two', { three: null }] } };
    expect(validate(app)).toEqual([]);
  });

  test('CRD pattern violation (Prometheus duration)', () => {
    const sm = serviceMonitor();
    sm.spec.endpoints[0].interval = '30 seconds';
    expectSingleError(validate(sm), '/spec/endpoints/0/interval: "30 seconds" must match pattern');

    const rule = prometheusRule();
    rule.spec.groups[0].rules[0].for = '5min';
    expectSingleError(validate(rule), '/spec/groups/0/rules/0/for: "5min" must match pattern');
  });

  test('CRD enum and required violations', () => {
    const es = externalSecret() as any;
    es.spec.secretStoreRef.kind = 'VaultStore';
    delete es.spec.data[0].remoteRef.key;
    const errors = validate(es);
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringContaining('/spec/secretStoreRef/kind: "VaultStore" must be one of "SecretStore", "ClusterSecretStore"'),
      expect.stringContaining('/spec/data/0/remoteRef/key: missing required field "key"'),
    ]));

    const app = application() as any;
    delete app.spec.destination;
    expectSingleError(validate(app), 'Application/argocd/tenant-a: /spec/destination: missing required field "destination"');
  });

  test('all errors of a document are reported, not just the first', () => {
    const d = deployment();
    d.spec.replicas = '3';
    d.spec.template.spec.containers[0].foo = 1;
    d.spec.template.spec.containers.push({ image: 'sidecar' });
    const errors = validate(d);
    expect(errors).toHaveLength(3);
    expect(errors.every(e => e.startsWith('Deployment/tenant-a/api: '))).toBe(true);
  });
});

describe('validateAll / validateYaml / validateDirectory / expectValidManifests', () => {
  const badNetworkPolicy = () => {
    const np = networkPolicy() as any;
    np.spec.ingress[0].ports[0].prot = 'TCP';
    return np;
  };

  test('validateAll concatenates errors of all documents', () => {
    const errors = validateAll([namespace(), badNetworkPolicy(), { ...roleBinding(), extra: 1 }]);
    expect(errors).toEqual([
      'NetworkPolicy/tenant-a/default-deny-except-dns: /spec/ingress/0/ports/0/prot: unknown field "prot"',
      'RoleBinding/tenant-a/ttl-cleanup: /extra: unknown field "extra"',
    ]);
  });

  test('validateYaml reports exactly the bad document of a multi-doc string', () => {
    const text = [
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: tenant-a',
      '---',
      '# only a comment: an empty document',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: settings',
      '  namespace: tenant-a',
      'data:',
      '  TTL: "72h"',
      'extraField: true',
      '---',
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata: {name: ttl-cleanup, namespace: tenant-a}',
      '---',
      '',
    ].join('\n');
    expect(validateYaml(text)).toEqual(['ConfigMap/tenant-a/settings: /extraField: unknown field "extraField"']);
  });

  test('validateYaml parses like kubectl (YAML 1.1 booleans, timestamps stay strings)', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: flags',
      '  creationTimestamp: 2024-01-01T00:00:00Z',
      '  labels:',
      '    enabled: yes',
      'data: {a: "1"}',
    ].join('\n');
    expectSingleError(validateYaml(text), 'ConfigMap/-/flags: /metadata/labels/enabled: must be string, got true');
  });

  test('validateYaml reports YAML syntax errors', () => {
    const errors = validateYaml('apiVersion: v1\nkind: Namespace\nmetadata: {name: a\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^document 0: YAML parse error/);
  });

  test('validateDirectory walks *.yaml, *.yml and *.json recursively', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strict-validator-'));
    try {
      fs.mkdirSync(path.join(dir, 'nested', 'deeper'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'a.k8s.yaml'), `${JSON.stringify(namespace())}\n---\n${JSON.stringify(roleBinding())}\n`);
      fs.writeFileSync(path.join(dir, 'nested', 'b.yml'), JSON.stringify(badNetworkPolicy()));
      fs.writeFileSync(path.join(dir, 'nested', 'deeper', 'c.json'), JSON.stringify([cronJob(), { ...serviceMonitor(), kind: 'ServiceMonitr' }]));
      fs.writeFileSync(path.join(dir, 'nested', 'd.json'), JSON.stringify(externalSecret()));
      fs.writeFileSync(path.join(dir, 'README.md'), '# not a manifest');
      expect(validateDirectory(dir)).toEqual([
        `${path.join('nested', 'b.yml')}: NetworkPolicy/tenant-a/default-deny-except-dns: /spec/ingress/0/ports/0/prot: unknown field "prot"`,
        `${path.join('nested', 'deeper', 'c.json')}: ServiceMonitr/tenant-a/api: no schema for apiVersion monitoring.coreos.com/v1 kind ServiceMonitr`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('expectValidManifests fails with all error lines', () => {
    const d = deployment();
    d.spec.replicas = '3';
    let message = '';
    try {
      expectValidManifests([namespace(), d, badNetworkPolicy()]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('2 Kubernetes 1.35 schema violation(s) in 3 manifest(s)');
    expect(message).toContain('Deployment/tenant-a/api: /spec/replicas: must be integer, got "3"');
    expect(message).toContain('NetworkPolicy/tenant-a/default-deny-except-dns: /spec/ingress/0/ports/0/prot: unknown field "prot"');
  });
});

describe('StrictValidator internals', () => {
  test('instance() is a singleton per target; the default target is the library\'s (1.35)', () => {
    expect(StrictValidator.instance()).toBe(StrictValidator.instance());
    expect(StrictValidator.instance().kubernetesVersion).toBe(KubernetesVersion.DEFAULT);
    expect(StrictValidator.instance('1.30')).toBe(StrictValidator.instance(KubernetesVersion.V1_30));
    expect(StrictValidator.instance('1.30')).not.toBe(StrictValidator.instance());
  });

  test('every built-in kind and CRD compiles (all Go patterns translate)', () => {
    const v = StrictValidator.instance();
    const kinds = v.knownKinds();
    expect(kinds.filter(k => k.source === 'crd').map(k => `${k.apiVersion}/${k.kind}`).sort()).toEqual([
      'argoproj.io/v1alpha1/AppProject',
      'argoproj.io/v1alpha1/Application',
      'external-secrets.io/v1/ExternalSecret',
      'external-secrets.io/v1/SecretStore',
      'generators.external-secrets.io/v1alpha1/VaultDynamicSecret',
      'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/Probe',
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.coreos.com/v1/ServiceMonitor',
      'snapshot.storage.k8s.io/v1/VolumeSnapshot',
    ]);
    const compileErrors = kinds
      .flatMap(k => v.validate({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name: 'x' } }))
      .filter(e => e.includes('cannot compile') || e.includes('no schema'));
    expect(compileErrors).toEqual([]);
    expect([...v.ignoredFormats]).toEqual([]);
    expect([...v.ignoredKeywords]).toEqual([]);
  });

  test('a cold validator compiles a kind well under a second', () => {
    // CPU time of this process, not wall time: the suite runs one jest worker per core beside engine processes (and
    // other jobs on a shared machine), so wall time measures the machine's load, not the validator.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    const coldStart = process.cpuUsage();
    const v = new StrictValidator();
    expect(v.validate(deployment())).toEqual([]);
    const cold = cpuMs(coldStart);
    const n = 200;
    const steadyStart = process.cpuUsage();
    for (let i = 0; i < n; i++) v.validate(deployment());
    const steady = cpuMs(steadyStart) / n;
    // Generous bounds (CI machines, coverage instrumentation); typical: ~150 ms and ~0.01 ms.
    expect(cold).toBeLessThan(3000);
    expect(steady).toBeLessThan(5);
  });

  test('goRegExp translates Go inline flags and anchors', () => {
    expect(goRegExp('^(?i)(abort|warn)?$').test('WaRn')).toBe(true);
    expect(goRegExp('(?i)^abc$').flags).toContain('i');
    expect(goRegExp('(?s)a.b').test('a\nb')).toBe(true);
    expect(goRegExp('\\Aab\\z').test('ab')).toBe(true);
    expect(goRegExp('\\Aab\\z').test('xab')).toBe(false);
    expect(goRegExp('^[[:alpha:]]+$').test('abcXYZ')).toBe(true);
    expect(goRegExp('^[[:alpha:]]+$').test('abc1')).toBe(false);
    expect(() => goRegExp('a(?i)b')).toThrow(/inline flags/);
  });
});

describe('StrictValidator with custom schema locations', () => {
  let dir: string;
  let v: StrictValidator;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strict-validator-crds-'));
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: {
                    type: 'object',
                    required: ['size'],
                    properties: {
                      size: { 'oneOf': [{ type: 'string', pattern: '^(?i)(small|large)$' }, { type: 'integer', minimum: 1 }], 'x-vendor-hint': 'size' },
                      color: { type: 'string', format: 'css-color' },
                      empty: { type: 'object' },
                      free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
                      port: { 'x-kubernetes-int-or-string': true },
                      bad: { type: 'string', pattern: 'a(?i)b' },
                    },
                  },
                },
              },
            },
          },
          { name: 'v0', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    };
    fs.writeFileSync(path.join(dir, 'widgets.yaml'), `# a CRD\n${JSON.stringify(crd)}\n`);
    v = new StrictValidator({ crdDirectory: dir });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const widget = (spec: any) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec });

  test('an unsupported Go pattern becomes an error line, not a crash', () => {
    expectSingleError(v.validate(widget({ size: 1 })), 'Widget/n/w: cannot compile schema', 'inline flags');
  });

  test('unknown keywords and formats are recorded and ignored', () => {
    v.validate(widget({ size: 1 }));
    expect([...v.ignoredKeywords]).toEqual(['x-vendor-hint']);
    expect([...v.ignoredFormats]).toEqual(['css-color']);
  });

  test('an unserved version is reported as such', () => {
    expectSingleError(v.validate({ ...widget({}), apiVersion: 'example.com/v0' }),
      'no schema for apiVersion example.com/v0 kind Widget (version v0 of this CRD exists but is not served)');
  });
});

describe('StrictValidator error formatting of oneOf and closed bare objects', () => {
  let dir: string;
  let v: StrictValidator;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strict-validator-crds-'));
    const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            properties:
              size:
                oneOf:
                - {type: string, pattern: "^(?i)(small|large)$"}
                - {type: integer, minimum: 1}
              empty: {type: object}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
              port: {x-kubernetes-int-or-string: true}
`;
    fs.writeFileSync(path.join(dir, 'gadgets.yaml'), crd);
    v = new StrictValidator({ crdDirectory: dir });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const gadget = (spec: any) => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec });

  test('valid values', () => {
    expect(v.validate(gadget({ size: 'LARGE', port: 80, free: { x: { y: 1 } }, empty: {} }))).toEqual([]);
    expect(v.validate(gadget({ size: 3, port: 'http' }))).toEqual([]);
  });

  test('oneOf failures collapse into one line', () => {
    expectSingleError(v.validate(gadget({ size: 'medium' })),
      'Gadget/-/g: /spec/size: must match exactly one of the alternatives',
      '"medium" must match pattern', 'must be integer');
    expectSingleError(v.validate(gadget({ size: 0 })), '/spec/size: must match exactly one', 'must be >= 1');
  });

  test('a bare `type: object` in a CRD is closed (structural pruning)', () => {
    expectSingleError(v.validate(gadget({ empty: { x: 1 } })), '/spec/empty/x: unknown field "x"');
  });

  test('x-kubernetes-int-or-string without anyOf', () => {
    expectSingleError(v.validate(gadget({ port: [80] })), '/spec/port: must be integer or string');
  });

  test('an unknown version lists the known ones; built-in definitions still load', () => {
    expect(v.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } })).toEqual([]);
    expect(v.validate({ ...gadget({}), apiVersion: 'example.com/v2' })[0]).toContain('known apiVersions for kind Gadget: example.com/v1');
  });
});

describe('target Kubernetes versions', () => {
  const vap = (apiVersion: string) => ({
    apiVersion,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'p' },
    spec: { failurePolicy: 'Fail', validations: [{ expression: 'true' }] },
  });

  test('schema copies exist for 1.28, 1.30, 1.35 (the default target) and 1.36', () => {
    expect(StrictValidator.availableVersions().map(v => v.name)).toEqual(['1.28', '1.30', '1.35', '1.36']);
  });

  test('each target validates against its own definitions: ValidatingAdmissionPolicy v1 from 1.30, v1beta1 gone in 1.36', () => {
    expect(validate(vap('admissionregistration.k8s.io/v1'), '1.28')).toEqual([
      'ValidatingAdmissionPolicy/-/p: no schema for apiVersion admissionregistration.k8s.io/v1 kind ValidatingAdmissionPolicy (known apiVersions for kind ValidatingAdmissionPolicy: admissionregistration.k8s.io/v1alpha1, admissionregistration.k8s.io/v1beta1)',
    ]);
    expect(validate(vap('admissionregistration.k8s.io/v1beta1'), '1.28')).toEqual([]);
    for (const v of ['1.30', '1.35', '1.36']) expect(validate(vap('admissionregistration.k8s.io/v1'), v)).toEqual([]);
    expect(validate(vap('admissionregistration.k8s.io/v1beta1'), '1.36')).toEqual([
      'ValidatingAdmissionPolicy/-/p: no schema for apiVersion admissionregistration.k8s.io/v1beta1 kind ValidatingAdmissionPolicy (known apiVersions for kind ValidatingAdmissionPolicy: admissionregistration.k8s.io/v1)',
    ]);
  });

  test('a field a release does not know is an unknown field there (podFailurePolicy rule without onPodConditions: required in 1.28 only)', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'a' },
      spec: {
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2] } }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
      },
    };
    expect(validate(job, '1.28')).toEqual(['Job/a/j: /spec/podFailurePolicy/rules/0/onPodConditions: missing required field "onPodConditions"']);
    expect(validate(job, '1.30')).toEqual([]);
  });

  test('a target without a schema copy fails with what there is', () => {
    expect(() => StrictValidator.instance('1.33')).toThrow('no schema copy for Kubernetes 1.33 in test/schemas (have 1.28, 1.30, 1.35, 1.36); copy it with a SOURCES.md line');
    expect(() => StrictValidator.instance('1.27')).toThrow(/is outside the supported range 1\.28–1\.36/);
  });
});

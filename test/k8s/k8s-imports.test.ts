/**
 * The typed Kubernetes bindings (src/k8s/imports/k8s.ts): never stale against the schema and the kind list of
 * projenrc/k8s-imports.ts, and the core kinds they cover are built with them, not with an untyped ApiObject.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { fastConverters, GENERATED_FILE, generateK8sImports, KINDS, SCHEMA_FILE } from '../../projenrc/k8s-imports';
import * as bindings from '../../src/k8s/imports/k8s';
import { port, quantities, quantity } from '../../src/k8s/typed-object';

const ROOT = path.resolve(__dirname, '..', '..');

describe('src/k8s/imports/k8s.ts', () => {
  test('is what `npx projen k8s-imports` generates from the 1.28 schema (regenerate and commit when this fails)', async () => {
    const fresh = await generateK8sImports(path.join(ROOT, SCHEMA_FILE));
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8');
    expect(committed === fresh).toBe(true);
  });

  test('has a construct class for exactly the listed kinds', () => {
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8');
    const classes = [...committed.matchAll(/^export class (Kube\w+) extends ApiObject/gm)].map(m => m[1]).sort();
    // A kind of a version other than v1 is suffixed with it, as cdk8s import does (KubeValidatingAdmissionPolicyV1Beta1).
    const suffix = (version: string) => version === 'v1' ? '' : version.replace(/^v(\d+)(\w+?)(\d+)$/, (_m, a, b, c) => `V${a}${b[0].toUpperCase()}${b.slice(1)}${c}`);
    expect(classes).toEqual(KINDS.map(k => k.split('/')).map(p => `Kube${p[p.length - 1]}${suffix(p[p.length - 2])}`).sort());
  });

  test('a kind the schema does not have is refused, naming it', async () => {
    await expect(generateK8sImports(path.join(ROOT, SCHEMA_FILE), ['v1/Namespace', 'apps/v1/Frobnicator']))
      .rejects.toThrow(/has no apps\/v1\/Frobnicator/);
  });

  test('an older schema without a listed kind is refused (CronJob is batch/v1beta1 only before 1.21)', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'k8s-imports-'));
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8'));
    delete schema.definitions['io.k8s.api.batch.v1.CronJob'];
    fs.writeFileSync(path.join(dir, '_definitions.json'), JSON.stringify(schema));
    await expect(generateK8sImports(path.join(dir, '_definitions.json'))).rejects.toThrow(/has no batch\/v1\/CronJob/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the committed converters write what json2jsii\'s own converters write (fields renamed, quantities, ports, dates, maps)', async () => {
    // json2jsii's converters, generated from the same schema without the rewrite, loaded from their transpiled text.
    const slowText = await generateK8sImports(path.join(ROOT, SCHEMA_FILE), KINDS, { fast: false });
    expect(slowText).toContain('.reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})');
    const js = ts.transpileModule(slowText, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const slow: any = {};
    new Function('exports', 'require', js)(slow, require);
    const samples: Array<[string, any]> = [
      ['KubeCronJob', {
        metadata: { name: 'nightly', labels: { a: '1', dropped: undefined }, annotations: { 'x/y': 'z' }, creationTimestamp: new Date(Date.UTC(2026, 0, 2)) },
        spec: {
          schedule: '0 1 * * *',
          jobTemplate: {
            metadata: { labels: { job: 'j' } },
            spec: {
              podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2, 3] }, onPodConditions: [] }] },
              template: {
                metadata: { annotations: { 'vault.hashicorp.com/agent-inject': 'true' } },
                spec: {
                  hostPid: false,
                  hostIpc: false,
                  setHostnameAsFqdn: true,
                  nodeSelector: { zone: 'a' },
                  overhead: quantities({ cpu: '10m' }),
                  containers: [{
                    name: 'c',
                    image: 'x',
                    resources: { limits: quantities({ 'cpu': '250m', 'ephemeral-storage': '1Gi' }), requests: { cpu: quantity('100m'), memory: undefined } },
                    ports: [{ containerPort: 9090 }],
                    livenessProbe: { httpGet: { port: port('http'), path: '/' } },
                    env: [{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
                  }],
                  volumes: [{ name: 'tmp', emptyDir: { sizeLimit: quantity('64Mi') } }, { name: 'd', downwardApi: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }],
                },
              },
            },
          },
        },
      }],
      ['KubeNetworkPolicy', { spec: { podSelector: { matchLabels: { app: 'a' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: port(5432), endPort: 5433 }] }] } }],
      ['KubeResourceQuota', { spec: { hard: quantities({ 'requests.cpu': '2' }), scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['x'] }] } } }],
      ['KubeLimitRange', { spec: { limits: [{ type: 'Container', default: quantities({ cpu: '1' }), defaultRequest: quantities({ cpu: '100m' }) }] } }],
      ['KubeRole', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { nonResourceUrLs: ['/healthz'], verbs: ['get'] }] }],
      ['KubeConfigMap', { data: { 'a.sh': 'echo' }, immutable: true }],
      ['KubeNamespace', {}],
    ];
    for (const [kind, props] of samples) {
      const ours = (bindings as any)[kind].manifest(props);
      expect({ kind, json: ours }).toEqual({ kind, json: slow[kind].manifest(props) });
      // Same keys in the same order, not only equal: nothing undefined is written.
      expect(JSON.stringify(ours)).toEqual(JSON.stringify(slow[kind].manifest(props)));
    }
    const pod = bindings.KubeCronJob.manifest(samples[0][1]).spec.jobTemplate.spec.template.spec;
    expect(Object.keys(pod)).toEqual(['containers', 'hostIPC', 'hostPID', 'nodeSelector', 'overhead', 'setHostnameAsFQDN', 'volumes']);
    expect(pod.containers[0].resources.requests).toEqual({ cpu: '100m', memory: undefined });
    expect(bindings.KubeRole.manifest(samples[4][1] as any).rules[1]).toEqual({ nonResourceURLs: ['/healthz'], verbs: ['get'] });
  });

  test('the committed converters copy nothing once per field: no object spread, maps through toJson_Map', () => {
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8');
    expect(committed).not.toContain('.reduce(');
    expect(committed).not.toContain('...r,');
    expect(committed).toContain('toJson_Map(obj.annotations, (e) => e)');
    expect(committed).toContain('toJson_Map(obj.hard, (e) => e?.value)');
  });

  test('json2jsii output of another shape is refused, so an upgrade cannot bring the slow converters back unseen', () => {
    const converter = (ret: string) => [
      '// generated by cdk8s',
      "import { ApiObject } from 'cdk8s';",
      '',
      'export function toJson_X(obj: X | undefined): Record<string, any> | undefined {',
      '  if (obj === undefined) { return undefined; }',
      '  const result = {',
      "    'a': obj.a,",
      '  };',
      ret,
      '}',
      '',
    ].join('\n');
    const json2jsii = '  // filter undefined values\n  return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});';
    expect(fastConverters(converter(json2jsii))).toContain("  { const v = obj.a; if (v !== undefined) { result['a'] = v; } }\n  return result;\n}");
    expect(() => fastConverters(converter('  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));')))
      .toThrow(/json2jsii's converters changed shape \(1 bodies, 0 returns rewritten\)/);
  });

  test('core kinds in src/k8s are built from the bindings: an untyped ApiObject is left only for kinds the bindings lack', () => {
    const typedKinds = new Set(KINDS.map(k => k.split('/').pop()!));
    const dir = path.join(ROOT, 'src', 'k8s');
    const untyped: string[] = [];
    for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/new ApiObject\(([^;]*?)\}\);/gs)) {
        const kind = /\bkind: '(\w+)'/.exec(m[1])?.[1];
        if (kind !== undefined && typedKinds.has(kind)) untyped.push(`${file}: ${kind}`);
      }
    }
    expect(untyped).toEqual([]);
  });
});

// Micro-benchmark of the typed Kubernetes objects (issue 18, docs/performance.md "Typed objects and cdk8s-plus"):
// CPU time to construct the Kubernetes half of the reference platform at N tenants and render every object
// (`toJson()`), without writing files. Run from the repository root, one process per measurement:
//
//   node -r ts-node/register/transpile-only bench/typed-objects.ts [N=100] [runs=5]
//   node -r ts-node/register/transpile-only bench/typed-objects.ts [N=100] [runs=5] --converters
//
// It builds the apps once at N = 10 (module loading and JIT warm-up), then `runs` times at N, and prints the CPU ms
// (user + system) of each run, and the part of it spent in `kubeObject` (building the typed objects, conversion
// included; `calls` of them per run), with their medians. BENCH_KUBEOBJECT=raw replaces `kubeObject` by one that converts
// nothing (`{ ...GVK, ...props }`: the cost of the untyped `new ApiObject({...})`, not a valid output where a
// Quantity or IntOrString is used) to show the floor the conversion is compared with.
//
// --converters: the conversion alone, A/B in one process. The props of every `kubeObject` call of one build at N are
// kept, then `runs` times each converted with the committed bindings (`KubeX.manifest(props)`) and with json2jsii's
// own converters (the same file generated with `fast: false`, transpiled into .tmp/), alternating; prints the CPU ms
// of each and checks that both give the same JSON.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as ts from 'typescript';
import { buildK8sApps } from './k8s-apps';
import { referencePlatformProps } from './reference';
import { generateK8sImports, KINDS, SCHEMA_FILE } from '../projenrc/k8s-imports';
import * as typed from '../src/k8s/typed-object';

// CommonJS exports are plain properties: every caller reads `typed_object_1.kubeObject` at call time, so wrapping
// the export times every typed object's construction (conversion included).
const original = typed.kubeObject;
const build = process.env.BENCH_KUBEOBJECT === 'raw'
  ? (scope: Construct, id: string, kind: any, props: any) => new ApiObject(scope, id, { ...kind.GVK, ...props })
  : original;
let inKubeObject = 0;
let calls = 0;
let captured: Array<[any, any]> | undefined;
(typed as any).kubeObject = (scope: Construct, id: string, kind: any, props: any) => {
  captured?.push([kind, props]);
  const c = process.cpuUsage();
  try {
    return build(scope, id, kind, props);
  } finally {
    const d = process.cpuUsage(c);
    inKubeObject += (d.user + d.system) / 1000;
    calls++;
  }
};

function render(n: number): { total: number; kubeObject: number; calls: number } {
  inKubeObject = 0;
  calls = 0;
  const dir = path.join(os.tmpdir(), 'typed-objects-bench');
  const c0 = process.cpuUsage();
  let objects = 0;
  for (const app of buildK8sApps(referencePlatformProps(n, dir), dir)) {
    for (const chart of app.charts) {
      for (const o of chart.node.findAll()) {
        if (o instanceof ApiObject) {
          o.toJson();
          objects++;
        }
      }
    }
  }
  const d = process.cpuUsage(c0);
  if (objects === 0) throw new Error('no objects built');
  return { total: (d.user + d.system) / 1000, kubeObject: inKubeObject, calls };
}

function cpuMs(f: () => void): number {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

async function converters(n: number, runs: number): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const slowText = await generateK8sImports(path.join(root, SCHEMA_FILE), KINDS, { fast: false });
  const slowFile = path.join(root, '.tmp', 'k8s-json2jsii.js');
  fs.mkdirSync(path.dirname(slowFile), { recursive: true });
  fs.writeFileSync(slowFile, ts.transpileModule(slowText, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const slow = require(slowFile);
  captured = [];
  render(n);
  const pairs = captured;
  captured = undefined;
  const slowPairs = pairs.map(([kind, props]) => [slow[kind.name], props] as [any, any]);
  for (let i = 0; i < pairs.length; i++) {
    if (JSON.stringify(pairs[i][0].manifest(pairs[i][1])) !== JSON.stringify(slowPairs[i][0].manifest(slowPairs[i][1]))) {
      throw new Error(`${pairs[i][0].name}: the converters disagree`);
    }
  }
  const convertAll = (ps: Array<[any, any]>) => () => { for (const [kind, props] of ps) kind.manifest(props); };
  const fast: number[] = [];
  const json2jsii: number[] = [];
  for (let r = 0; r < runs; r++) {
    json2jsii.push(cpuMs(convertAll(slowPairs)));
    fast.push(cpuMs(convertAll(pairs)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    n, objects: pairs.length,
    fastCpuMs: fast.map(x => Math.round(x * 10) / 10), medianFastCpuMs: Math.round(median(fast) * 10) / 10,
    json2jsiiCpuMs: json2jsii.map(x => Math.round(x * 10) / 10), medianJson2jsiiCpuMs: Math.round(median(json2jsii) * 10) / 10,
  }));
}

const n = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 5);
render(10);
if (process.argv.includes('--converters')) {
  void converters(n, runs);
} else {
  measure();
}

function measure(): void {
  const results = Array.from({ length: runs }, () => render(n));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    n,
    kubeObject: process.env.BENCH_KUBEOBJECT ?? 'typed',
    calls: results[0].calls,
    cpuMs: results.map(r => Math.round(r.total)),
    medianCpuMs: Math.round(median(results.map(r => r.total))),
    kubeObjectCpuMs: results.map(r => Math.round(r.kubeObject)),
    medianKubeObjectCpuMs: Math.round(median(results.map(r => r.kubeObject))),
  }));
}

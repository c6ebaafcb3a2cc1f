// Micro-benchmark of the typed Kubernetes objects (issue 18, docs/performance.md "Typed objects and cdk8s-plus"):
// CPU time to construct the Kubernetes half of the reference platform at N tenants and render every object
// (`toJson()`), without writing files. Run from the repository root, one process per measurement:
//
//   node -r ts-node/register/transpile-only bench/typed-objects.ts [N=100] [runs=5]
//
// It builds the apps once at N = 10 (module loading and JIT warm-up), then `runs` times at N, and prints the CPU ms
// (user + system) of each run, and the part of it spent in `kubeObject` (building the typed objects, conversion
// included; `calls` of them per run), with their medians. BENCH_KUBEOBJECT=raw replaces `kubeObject` by one that converts
// nothing (`{ ...GVK, ...props }`: the cost of the untyped `new ApiObject({...})`, not a valid output where a
// Quantity or IntOrString is used) to show the floor the conversion is compared with.
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildK8sApps } from './k8s-apps';
import { referencePlatformProps } from './reference';
import * as typed from '../src/k8s/typed-object';

// CommonJS exports are plain properties: every caller reads `typed_object_1.kubeObject` at call time, so wrapping
// the export times every typed object's construction (conversion included).
const original = typed.kubeObject;
const build = process.env.BENCH_KUBEOBJECT === 'raw'
  ? (scope: Construct, id: string, kind: any, props: any) => new ApiObject(scope, id, { ...kind.GVK, ...props })
  : original;
let inKubeObject = 0;
let calls = 0;
(typed as any).kubeObject = (scope: Construct, id: string, kind: any, props: any) => {
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

const n = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 5);
render(10);
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

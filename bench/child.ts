// One measurement, in its own process (bench.ts starts one per run, so peak RSS is per run). Prints one JSON line.
//
//   full   <n> <dir>          the reference platform (Platform + Platform.synth(): k8s, tenant charts, Terraform)
//   ours   <n> <dir>          its Kubernetes half: construct the charts, write them with our synth (writeCharts)
//   stock  <n> <dir>          the same charts written with stock cdk8s App.synth() (one Chart per tenant)
//   dump   <n> <dir> <file>   untimed: the documents of `ours`, one JSON line per file, for the floor
//   floor  <file> <dir>       the dumped documents written as YAML with the yaml package, no constructs
//   floor-writer <file> <dir> the same with our YAML writer (informational)
//   sharded <n> <dir> <shards> production only, N tenants over <shards> Terraform shards; reports stacks
//   default <n> <dir> [<file>] `Platform.synth()` with its defaults (policy pack on, whatever BENCH_POLICY says), timing
//                             the policy pack's share; with <file>, afterwards (untimed, after peak RSS is taken)
//                             every file written captured as plain objects for the full-output floor (full-floor.ts)
//   floor-full <file> <dir>   the full-output floor: the captured files read into memory, then only their writing timed
//   incremental <n> <dir>     the one-tenant re-synth at N with the synthesis cache: a cold synth, then one tenant
//                             changed and synthesized again, each `incremental-step` in a fresh process
//   incremental-step <n> <dir> <cache> <base|changed>  one of those synths (the cache in <cache>)
//
// BENCH_POLICY=on|off|no-parity: whether Platform.synth() runs the policy pack (default on, the Platform's default).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { App as TfApp } from 'cdktf';
import { buildK8sApps } from './k8s-apps';
import { captureFloor, FloorEntry, writeFloor } from './full-floor';
import { referencePlatformProps, referenceTenants } from './reference';
import { writeChartsEach } from '../src/k8s/synth';
import { stringifyDocuments } from '../src/k8s/yaml-writer';
import { Environment } from '../src/model/environment';
import { EnvironmentClass } from '../src/model/environment-class';
import { Platform } from '../src/platform/platform';

const loadMs = performance.now();
const [mode, ...args] = process.argv.slice(2);
/** BENCH_POLICY: 'on' (the Platform's default: the policy pack runs after synthesis), 'off', or 'no-parity'. */
const POLICY = process.env.BENCH_POLICY ?? 'on';
const policyProps = POLICY === 'off' ? { policy: { enabled: false } } : POLICY === 'no-parity' ? { policy: { parity: false } } : {};

/** Peak RSS and CPU time so far (`usage`: taken earlier, before untimed work that must not count). */
function report(result: object, usage: NodeJS.ResourceUsage = process.resourceUsage()): void {
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stdout.write(`${JSON.stringify({ mode, loadMs: Math.round(loadMs), peakRssMb: Math.round(usage.maxRSS / 1024), cpuMs: Math.round(cpuMs), ...result })}\n`);
}

/**
 * Time spent in the Platform's policy step: the pack over each tenant's output as it is written (`checkTenantPolicies`,
 * issue 20 item 2) and over the rest of the staged output with the parity check (`checkPolicies`), by wrapping those
 * private methods. NaN when the Platform has no such step (then the share is not printed).
 */
function timePolicyStep(): () => { ms: number; cpuMs: number } {
  const proto = Platform.prototype as any;
  if (typeof proto.checkPolicies !== 'function') return () => ({ ms: NaN, cpuMs: NaN });
  let ms = 0;
  let cpuMs = 0;
  for (const name of ['checkTenantPolicies', 'checkPolicies'].filter(n => typeof proto[n] === 'function')) {
    const original = proto[name];
    proto[name] = function (this: unknown, ...a: unknown[]) {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return original.apply(this, a);
      } finally {
        ms += performance.now() - t;
        cpuMs += cpuMsSince(c);
      }
    };
  }
  return () => ({ ms, cpuMs });
}

/** CPU time (user + system) since `start`, in ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

/** Reads a file of JSON lines one line at a time (a 3,000-tenant dump is larger than V8's longest string). */
function* jsonLines(file: string): Generator<any> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(16 << 20);
  let rest = '';
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString('utf8', 0, n);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) yield JSON.parse(line);
    }
    if (rest) yield JSON.parse(rest);
  } finally {
    fs.closeSync(fd);
  }
}

function main(): void {
  switch (mode) {
    case 'full': {
      const [n, dir] = [Number(args[0]), args[1]];
      const t0 = performance.now();
      const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
      const platform = new Platform(app, 'inopsio', referencePlatformProps(n, path.join(dir, 'dist'), policyProps));
      const t1 = performance.now();
      const result = platform.synth();
      const t2 = performance.now();
      const stacks = fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).length;
      report({ n, policy: POLICY, ms: t2 - t0, constructMs: t1 - t0, synthMs: t2 - t1, documents: result.documentCount, manifestFiles: result.manifestFiles.length, stacks, filesWritten: countFiles(dir) });
      return;
    }
    case 'ours':
    case 'stock': {
      const [n, dir] = [Number(args[0]), args[1]];
      const t0 = performance.now();
      const apps = buildK8sApps(referencePlatformProps(n, dir), dir);
      const t1 = performance.now();
      let documents = 0;
      for (const app of apps) {
        if (mode === 'ours') writeChartsEach(app, c => { documents += c.documents.length; });
        else app.synth();
      }
      const t2 = performance.now();
      report({ n, ms: t2 - t0, constructMs: t1 - t0, synthMs: t2 - t1, documents, files: countFiles(path.join(dir, 'k8s')) });
      return;
    }
    case 'dump': {
      const [n, dir, file] = [Number(args[0]), args[1], args[2]];
      const apps = buildK8sApps(referencePlatformProps(n, dir), dir);
      const fd = fs.openSync(file, 'w');
      let documents = 0;
      for (const app of apps) {
        const env = path.basename(app.outdir);
        writeChartsEach(app, c => {
          documents += c.documents.length;
          fs.writeSync(fd, `${JSON.stringify({ file: path.join(env, c.fileName), documents: c.documents })}\n`);
        });
      }
      fs.closeSync(fd);
      report({ n, documents });
      return;
    }
    case 'floor':
    case 'floor-writer': {
      const [file, dir] = [args[0], args[1]];
      const options = { keepUndefined: true, lineWidth: 0, version: '1.1' as const };
      const stringify = mode === 'floor'
        ? (docs: any[]) => docs.map(d => YAML.stringify(d, options)).join('---\n')
        : (docs: any[]) => stringifyDocuments(docs);
      let timed = 0;
      let documents = 0;
      const dirs = new Set<string>();
      const t0 = performance.now();
      for (const entry of jsonLines(file)) {
        const s = performance.now();
        const out = path.join(dir, 'k8s', entry.file);
        const parent = path.dirname(out);
        if (!dirs.has(parent)) {
          fs.mkdirSync(parent, { recursive: true });
          dirs.add(parent);
        }
        fs.writeFileSync(out, stringify(entry.documents), { encoding: 'utf8' });
        timed += performance.now() - s;
        documents += entry.documents.length;
      }
      report({ ms: timed, wallMs: performance.now() - t0, documents, files: countFiles(path.join(dir, 'k8s')) });
      return;
    }
    case 'default': {
      const [n, dir, file] = [Number(args[0]), args[1], args[2]];
      const policy = timePolicyStep();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
      const platform = new Platform(app, 'inopsio', referencePlatformProps(n, path.join(dir, 'dist')));
      const t1 = performance.now();
      const result = platform.synth();
      const t2 = performance.now();
      const timedCpuMs = cpuMsSince(c0);
      const usage = process.resourceUsage();
      const floor = file ? captureFloor(dir, ['dist', 'cdktf.out'], file) : undefined;
      const { ms: policyMs, cpuMs: policyCpuMs } = policy();
      report({ n, ms: t2 - t0, timedCpuMs, constructMs: t1 - t0, synthMs: t2 - t1, policyMs, policyCpuMs, documents: result.documentCount, filesWritten: countFiles(dir), floor }, usage);
      return;
    }
    case 'floor-full': {
      const [file, dir] = [args[0], args[1]];
      // Prepared outside the timed region: every file's plain objects in memory.
      const entries: FloorEntry[] = [...jsonLines(file)];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const files = writeFloor(entries, dir);
      const t1 = performance.now();
      report({ ms: t1 - t0, timedCpuMs: cpuMsSince(c0), files });
      return;
    }
    case 'incremental': {
      // The incremental cache (issue 20 item 3): the reference platform at N with the cache on, synthesized cold, then
      // with one tenant changed (its OIDC groups: its RoleBinding changes) into the same outdir, each in a fresh
      // process; bench.ts prints incremental_share_3000 = resynthMs / coldMs.
      const [n, dir] = [Number(args[0]), args[1]];
      const cache = path.join(dir, 'synth-cache');
      // Each synth writes into an empty outdir, as in a fresh CI checkout (replacing an earlier output would add deleting
      // its files to the re-synth only).
      const step = (variant: string) => JSON.parse(execFileSync(process.execPath, [...process.execArgv, __filename, 'incremental-step', String(n), path.join(dir, variant), cache, variant], {
        encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'],
      }).trim().split('\n').pop()!);
      const cold = step('base');
      const warm = step('changed');
      report({ n, available: true, policy: POLICY, coldMs: cold.ms, resynthMs: warm.ms, coldCpuMs: cold.timedCpuMs, resynthCpuMs: warm.timedCpuMs,
        coldPeakRssMb: cold.peakRssMb, resynthPeakRssMb: warm.peakRssMb, builtTenants: warm.builtTenants, cacheFiles: countFiles(cache) });
      return;
    }
    case 'incremental-step': {
      const [n, dir, cache, variant] = [Number(args[0]), args[1], args[2], args[3]];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const tenants = referenceTenants(n).map((t, i) => (i === 0 && variant === 'changed' ? { ...t, groups: ['tenant-00000-admins'] } : t));
      const environments = [
        new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants }),
        new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants }),
      ];
      fs.mkdirSync(dir, { recursive: true });
      const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
      const props = referencePlatformProps(0, path.join(dir, 'dist'), { ...policyProps, environments, synthesisCache: { directory: cache } });
      const platform = new Platform(app, 'inopsio', props);
      const result = platform.synth();
      // The tenants whose Terraform this synth built (not taken from the cache), counted without building any.
      const builtTenants = ['staging', 'prod'].reduce((sum, e) => sum + platform.stackOf(e)._builtTenants.length, 0);
      const t1 = performance.now();
      report({ n, variant, ms: t1 - t0, timedCpuMs: cpuMsSince(c0), builtTenants, documents: result.documentCount });
      return;
    }
    case 'sharded': {
      const [n, dir, shardCount] = [Number(args[0]), args[1], Number(args[2])];
      const t0 = performance.now();
      const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
      const environments = [new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: referenceTenants(n) })];
      const tModel = performance.now();
      const props = referencePlatformProps(0, path.join(dir, 'dist'), { ...policyProps, environments, sharding: { prod: { shardCount } } });
      const platform = new Platform(app, 'inopsio', props);
      const t1 = performance.now();
      const result = platform.synth();
      const t2 = performance.now();
      const stacks = fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).length;
      // The tenants each shard built (released after being written: counted without building any).
      const tenantsPerShard = platform.shardingOf('prod')!.shards.map(s => s._builtTenants.length);
      report({ n, shardCount, ms: t2 - t0, modelMs: tModel - t0, constructMs: t1 - t0, synthMs: t2 - t1, documents: result.documentCount, stacks, tenantsPerShard });
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main();

// Synthesis benchmark (issue 8, docs/performance.md). Run from the repository root:
//
//   node -r ts-node/register/transpile-only bench/bench.ts            # full run, ~10 minutes on 2 cores
//   node -r ts-node/register/transpile-only bench/bench.ts --quick    # smoke run: N = 30, 100, one run each
//
// Options: --sizes 100,1000,3000  --runs 3  --stock-cap <s> (also run stock App.synth() at N >= 3000, stopped after
// <s> seconds and reported as a lower bound; a complete run takes about 16 minutes, so by default it is not run and
// its time is extrapolated from the quadratic through the smaller N)  --tenk (also the sharded 10,000-tenant run)
// --keep (keep the scratch folder)
//
// Runs per N (the default run takes about twenty minutes on 2 cores): full synth (policy pack off) `--runs` times (2 at
// N >= 3000), the default path (`Platform.synth()` with its defaults: policy pack on) `--runs` times (once at
// N >= 3000), our k8s synth `--runs` times (once at N >= 3000), stock k8s `--runs` times below 1,000 and once at 1,000
// (about 130 s), the k8s floor and the full-output floor twice at N <= 1,000 only (the full-output floor's files are
// captured by the first default run, after its measurement).
//
// Only this launcher runs under ts-node. It transpiles src/ and bench/ to plain JavaScript once (TypeScript's
// transpileModule, no type check, no source maps) and every measurement runs that JavaScript with plain `node` in a
// fresh child process: ts-node's compile-on-require and its source-map-support (which formats every stack trace
// cdktf captures) stay out of the numbers. The last line is machine-readable:
//
//   speedup_vs_stock_1000=<x> overhead_vs_floor_1000=<y> scaling_3000_over_1000=<z> peak_rss_mb_3000=<w>
//   default_over_floor_1000=<a> policy_share_1000=<b> default_peak_rss_mb_3000=<c> incremental_share_3000=<d>
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

interface Options {
  sizes: number[];
  runs: number;
  stockCapSeconds: number;
  tenk: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    sizes: (value('--sizes') ?? (quick ? '30,100' : '100,1000,3000')).split(',').map(Number),
    runs: Number(value('--runs') ?? (quick ? 1 : 3)),
    stockCapSeconds: Number(value('--stock-cap') ?? 0),
    tenk: argv.includes('--tenk'),
    keep: argv.includes('--keep'),
  };
}

/** Transpile src/ and bench/ into `out` (same layout), with node_modules and schemas linked next to them. */
function build(out: string): number {
  const t0 = performance.now();
  const compilerOptions: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    resolveJsonModule: true,
    sourceMap: false,
    inlineSourceMap: false,
  };
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(rel);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const source = fs.readFileSync(path.join(ROOT, rel), 'utf8');
        const js = ts.transpileModule(source, { compilerOptions, fileName: rel }).outputText;
        fs.mkdirSync(path.join(out, dir), { recursive: true });
        fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, '.js')), js);
      }
    }
  };
  walk('src');
  walk('bench');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
  // A copy, not a link: editing the working tree during a run must not change what the run reads.
  fs.cpSync(path.join(ROOT, 'schemas'), path.join(out, 'schemas'), { recursive: true });
  return performance.now() - t0;
}

interface Result {
  mode: string;
  ms: number;
  peakRssMb: number;
  [key: string]: any;
}

let scratchRoot = '';
let scratchIndex = 0;
function scratch(): string {
  const dir = path.join(scratchRoot, `run-${scratchIndex++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * One measurement in a fresh `node` process; its scratch output is removed afterwards. With `capMs`, a run still going
 * then is stopped and reported as `{ capped: true, ms: capMs }` (a lower bound).
 */
function child(js: string, args: string[], keep: string[] = [], env: NodeJS.ProcessEnv = {}, capMs?: number): Result {
  let result: Result;
  try {
    const stdout = execFileSync(process.execPath, [js, ...args], {
      encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_POLICY: 'off', ...env }, timeout: capMs, killSignal: 'SIGKILL',
    });
    result = JSON.parse(stdout.trim().split('\n').pop()!);
  } catch (e) {
    if ((e as any).signal === 'SIGABRT') {
      // V8 aborts a process that reaches its heap limit ("JavaScript heap out of memory", on stderr above): that is
      // a result of the measurement (the default path at N = 3,000 on this machine), not a reason to lose the others.
      result = { mode: args[0], ms: NaN, peakRssMb: NaN, outOfMemory: true };
    } else {
      if (capMs === undefined || (e as any).signal !== 'SIGKILL') throw e;
      result = { mode: args[0], ms: capMs, peakRssMb: NaN, capped: true };
    }
  }
  for (const a of args) {
    if (a.startsWith(scratchRoot) && !keep.includes(a) && fs.existsSync(a) && fs.statSync(a).isDirectory()) fs.rmSync(a, { recursive: true, force: true });
  }
  // Flush what this run wrote, so that its write-back does not overlap the next measurement.
  execFileSync('sync');
  return result;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function sameTree(a: string, b: string): string | undefined {
  const ta = tree(a);
  const tb = tree(b);
  if ([...ta.keys()].sort().join('\n') !== [...tb.keys()].sort().join('\n')) return `different file lists in ${a} and ${b}`;
  for (const [f, buf] of ta) if (!buf.equals(tb.get(f)!)) return `${f} differs between ${a} and ${b}`;
  return undefined;
}

const s = (ms: number) => (ms / 1000).toFixed(2);

/** How the full-output floor holds the captured files: `yaml 1202, copy 2400, ...`. */
function floorKinds(counts: { [kind: string]: number } | undefined): string {
  return Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  scratchRoot = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'bench-'));
  const buildDir = path.join(scratchRoot, 'build');
  const buildMs = build(buildDir);
  const js = path.join(buildDir, 'bench', 'child.js');
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${os.platform()} ${os.release()}, V8 heap limit ${(v8.getHeapStatistics().heap_size_limit / 2 ** 20).toFixed(0)} MB`);
  console.log(`transpiled src/ and bench/ in ${s(buildMs)} s; measurements run plain JavaScript in fresh processes`);

  // Same bytes: the bench's charts are the Platform's, and stock, ours and the floor write identical files.
  {
    const n = 20;
    const full = scratch();
    const ours = scratch();
    const stock = scratch();
    const floor = scratch();
    const dump = path.join(scratchRoot, 'check.jsonl');
    const byDefault = scratch();
    const fullFloor = scratch();
    const fullDump = path.join(scratchRoot, 'check-full.jsonl');
    child(js, ['full', String(n), full], [full]);
    const captured = child(js, ['default', String(n), byDefault, fullDump], [byDefault]);
    child(js, ['floor-full', fullDump, fullFloor], [fullFloor]);
    child(js, ['ours', String(n), ours], [ours]);
    child(js, ['stock', String(n), stock], [stock]);
    child(js, ['dump', String(n), scratch(), dump]);
    child(js, ['floor', dump, floor], [floor]);
    const problems = [
      sameTree(path.join(full, 'dist', 'k8s'), path.join(ours, 'k8s')),
      sameTree(path.join(stock, 'k8s'), path.join(ours, 'k8s')),
      sameTree(path.join(floor, 'k8s'), path.join(ours, 'k8s')),
      // The full-output floor writes every file of the default path, byte for byte.
      sameTree(byDefault, fullFloor),
    ].filter(p => p !== undefined);
    for (const d of [full, ours, stock, floor, byDefault, fullFloor]) fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(dump, { force: true });
    fs.rmSync(fullDump, { force: true });
    if (problems.length > 0) throw new Error(`outputs differ:\n${problems.join('\n')}`);
    console.log(`same bytes (N=${n}): Platform.synth() k8s = our synth = stock App.synth() = floor; full-output floor = Platform.synth() with its defaults, every file (${floorKinds(captured.floor)})`);
  }

  // ts-node's share, once: the same full run at the smallest N from the TypeScript sources.
  {
    const n = Math.min(30, options.sizes[0]);
    const dir = scratch();
    const stdout = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench', 'child.ts'), 'full', String(n), dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_POLICY: 'off' } });
    fs.rmSync(dir, { recursive: true, force: true });
    const tsNode: Result = JSON.parse(stdout.trim().split('\n').pop()!);
    const plain = child(js, ['full', String(n), scratch()]);
    console.log(`ts-node (transpile-only) at N=${n}: loading ${s(tsNode.loadMs)} s vs ${s(plain.loadMs)} s plain, full synth ${s(tsNode.ms)} s vs ${s(plain.ms)} s plain`);
  }

  type Row = { n: number; full: Result[]; ours: Result[]; stock: Result[]; floor: Result[]; floorWriter: Result[]; byDefault: Result[]; floorFull: Result[]; floorKinds?: string };
  const rows: Row[] = [];
  for (const n of options.sizes) {
    const large = n >= 3000;
    const row: Row = { n, full: [], ours: [], stock: [], floor: [], floorWriter: [], byDefault: [], floorFull: [] };
    const runs = {
      full: large ? Math.min(2, options.runs) : options.runs,
      byDefault: large ? 1 : options.runs,
      ours: large ? 1 : options.runs,
      floor: large ? 0 : Math.min(2, options.runs),
      stock: large ? (options.stockCapSeconds > 0 ? 1 : 0) : n >= 1000 ? 1 : options.runs,
    };
    const dump = path.join(scratchRoot, `docs-${n}.jsonl`);
    const fullDump = path.join(scratchRoot, `files-${n}.jsonl`);
    if (runs.floor > 0) child(js, ['dump', String(n), scratch(), dump]);
    const last = (xs: Result[], r: number, k: number) => (r >= k ? '-' : xs[xs.length - 1].outOfMemory ? 'out of memory'
      : `${s(xs[xs.length - 1].ms)}${xs[xs.length - 1].capped ? '+ (stopped)' : ''} s`);
    for (let r = 0; r < options.runs; r++) {
      if (r < runs.full) row.full.push(child(js, ['full', String(n), scratch()]));
      // The first default run also captures its files for the full-output floor (after its measurement).
      if (r < runs.byDefault) row.byDefault.push(child(js, ['default', String(n), scratch(), ...(r === 0 && runs.floor > 0 ? [fullDump] : [])]));
      if (r === 0 && runs.floor > 0) row.floorKinds = floorKinds(row.byDefault[0].floor);
      if (r < runs.floor) row.floorFull.push(child(js, ['floor-full', fullDump, scratch()]));
      if (r < runs.ours) row.ours.push(child(js, ['ours', String(n), scratch()]));
      if (r < runs.floor) row.floor.push(child(js, ['floor', dump, scratch()]));
      if (r < Math.min(1, runs.floor)) row.floorWriter.push(child(js, ['floor-writer', dump, scratch()]));
      if (r < runs.stock) row.stock.push(child(js, ['stock', String(n), scratch()], [], {}, large ? options.stockCapSeconds * 1000 : undefined));
      console.log(`  N=${n} run ${r + 1}/${options.runs}: full ${last(row.full, r, runs.full)}, default ${last(row.byDefault, r, runs.byDefault)}, full-output floor ${last(row.floorFull, r, runs.floor)}, ours k8s ${last(row.ours, r, runs.ours)}, stock k8s ${last(row.stock, r, runs.stock)}, floor ${last(row.floor, r, runs.floor)}  (load ${os.loadavg()[0].toFixed(1)})`);
    }
    fs.rmSync(dump, { force: true });
    fs.rmSync(fullDump, { force: true });
    rows.push(row);
  }

  const med = (xs: Result[], key: string = 'ms') => (xs.length ? median(xs.map(x => x[key])) : NaN);
  const num = (x: number, digits = 2) => (Number.isNaN(x) ? '-' : x.toFixed(digits));
  const secs = (xs: Result[], key = 'ms') => (xs.length ? `${num(med(xs, key) / 1000)}${xs.some(x => x.capped) ? '+' : ''} (${xs.length})` : '-');
  console.log('');
  console.log('Wall time, median of (runs) fresh processes; ours = this library; stock = cdk8s App.synth(), one Chart per tenant; floor = the same documents written with the yaml package.');
  console.log('');
  console.log('| N tenants per env (documents) | full synth s (runs) | full peak RSS MB | our k8s s (runs) | stock k8s s (runs) | floor s (runs) | floor, our YAML writer s | speedup vs stock | overhead vs floor |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  // Stock App.synth() is quadratic in the number of charts: where it was not run, extrapolate a*N + b*N^2 through the
  // two largest N it was run at (marked "~", an estimate, not a measurement).
  const measured = rows.filter(r => r.stock.length > 0 && !r.stock.some(x => x.capped));
  const [p1, p2] = measured.slice(-2);
  const stockEstimate = (n: number) => {
    if (!p1 || !p2) return NaN;
    const [x1, y1, x2, y2] = [p1.n, med(p1.stock), p2.n, med(p2.stock)];
    const b = (y2 / x2 - y1 / x1) / (x2 - x1);
    const a = y1 / x1 - b * x1;
    return a * n + b * n * n;
  };
  for (const r of rows) {
    const stockCapped = r.stock.some(x => x.capped);
    if (r.stock.length === 0) {
      const est = stockEstimate(r.n);
      console.log(`| ${r.n} (${r.full[0].documents}) | ${secs(r.full)} | ${Math.max(...r.full.map(x => x.peakRssMb))} | ${secs(r.ours)} | ~${num(est / 1000, 0)} (not run, extrapolated) | ${secs(r.floor)} | ${secs(r.floorWriter)} | ~${num(est / med(r.ours), 0)} (estimate) | - |`);
      continue;
    }
    const speedup = med(r.stock) / med(r.ours);
    console.log(`| ${r.n} (${r.full[0].documents}) | ${secs(r.full)} | ${Math.max(...r.full.map(x => x.peakRssMb))} | ${secs(r.ours)} | ${secs(r.stock)} | ${secs(r.floor)} | ${secs(r.floorWriter)} | ${stockCapped ? '≥ ' : ''}${num(speedup)} | ${num(med(r.ours) / med(r.floor))} |`);
  }
  console.log('');
  console.log('Medians in s. full = Platform construct / synth, CPU; ours = construct / synth+write, CPU; stock = construct / App.synth(); floor CPU');
  for (const r of rows) {
    console.log(`  N=${r.n}: full ${num(med(r.full, 'constructMs') / 1000)} / ${num(med(r.full, 'synthMs') / 1000)}, cpu ${num(med(r.full, 'cpuMs') / 1000)};  ours ${num(med(r.ours, 'constructMs') / 1000)} / ${num(med(r.ours, 'synthMs') / 1000)}, cpu ${num(med(r.ours, 'cpuMs') / 1000)};  stock ${num(med(r.stock, 'constructMs') / 1000)} / ${num(med(r.stock, 'synthMs') / 1000)};  floor cpu ${num(med(r.floor, 'cpuMs') / 1000)};  ${r.full[0].stacks} stacks, ${r.full[0].filesWritten} files`);
  }

  // What users run: Platform.synth() with its defaults (policy pack on), against the full-output floor (the same
  // files written from plain objects) and with the policy step's share of its time.
  console.log('');
  console.log('Default path = Platform.synth() with its defaults (policy pack on); full-output floor = every file it writes, written again from plain objects (no constructs, no checks).');
  console.log('');
  console.log('| N tenants per env | default s (runs) | default peak RSS MB | policy step s (share) | full-output floor s (runs) | default / floor | same by CPU time | policy share by CPU time | policy off s | files captured as |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const share = r.byDefault.length ? median(r.byDefault.map(x => x.policyMs / x.ms)) : NaN;
    const cpuShare = r.byDefault.length ? median(r.byDefault.map(x => x.policyCpuMs / x.timedCpuMs)) : NaN;
    console.log(`| ${r.n} | ${secs(r.byDefault)} | ${r.byDefault.length === 0 ? '-' : r.byDefault.some(x => x.outOfMemory) ? 'OOM' : Math.max(...r.byDefault.map(x => x.peakRssMb))} | ${num(med(r.byDefault, 'policyMs') / 1000)} (${num(share)}) | ${secs(r.floorFull)} | ${num(med(r.byDefault) / med(r.floorFull))} | ${num(med(r.byDefault, 'timedCpuMs') / med(r.floorFull, 'timedCpuMs'))} | ${num(cpuShare)} | ${secs(r.full)} | ${r.floorKinds ?? '-'} |`);
  }

  // The incremental re-synth (issue 20 item 3): the child's `incremental` mode (a cold synth with the cache, then one tenant changed).
  const sizes3000 = options.sizes.includes(3000);
  const incremental = sizes3000 ? child(js, ['incremental', '3000', scratch()]) : undefined;
  if (incremental?.available) {
    console.log(`\none-tenant re-synth at N=3000 (synthesis cache, policy ${incremental.policy}): ${s(incremental.resynthMs)} s after a cold synth of ${s(incremental.coldMs)} s`
      + ` (CPU ${s(incremental.resynthCpuMs)} s / ${s(incremental.coldCpuMs)} s = ${(incremental.resynthCpuMs / incremental.coldCpuMs).toFixed(2)}; peak RSS ${incremental.resynthPeakRssMb} / ${incremental.coldPeakRssMb} MB;`
      + ` tenants built ${incremental.builtTenants})`);
  }

  if (options.tenk) {
    const dir = scratch();
    const tenk = child(js, ['sharded', '10000', dir, '12']);
    console.log('');
    console.log(`10,000 tenants, production only, 12 shards: ${s(tenk.ms)} s (model ${s(tenk.modelMs)} s, construct ${s(tenk.constructMs)} s, synth ${s(tenk.synthMs)} s), cpu ${s(tenk.cpuMs)} s, peak RSS ${tenk.peakRssMb} MB, ${tenk.stacks} Terraform stacks (tenants per shard ${tenk.tenantsPerShard.join(', ')}), ${tenk.documents} documents`);
  }

  const at = (n: number) => rows.find(r => r.n === n);
  const r1000 = at(1000);
  const r3000 = at(3000);
  const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'NA' : x.toFixed(2));
  const speedup = r1000 ? med(r1000.stock) / med(r1000.ours) : undefined;
  const overhead = r1000 ? med(r1000.ours) / med(r1000.floor) : undefined;
  const scaling = r1000 && r3000 ? med(r3000.full) / med(r1000.full) : undefined;
  const rss = r3000 ? String(Math.max(...r3000.full.map(x => x.peakRssMb))) : 'NA';
  const defaultOverFloor = r1000 ? med(r1000.byDefault) / med(r1000.floorFull) : undefined;
  const policyShare = r1000 && r1000.byDefault.length ? median(r1000.byDefault.map(x => x.policyMs / x.ms)) : undefined;
  // A default run that reached V8's heap limit prints OOM: its peak is at least that limit (printed on the machine line).
  const defaultRss = !r3000 || r3000.byDefault.length === 0 ? 'NA'
    : r3000.byDefault.some(x => x.outOfMemory) ? 'OOM' : String(Math.max(...r3000.byDefault.map(x => x.peakRssMb)));
  const incrementalShare = incremental?.available ? fmt(incremental.resynthMs / incremental.coldMs) : 'n/a';
  if (r1000 && r3000) console.log(`\nscaling by CPU time instead of wall time: ${fmt(med(r3000.full, 'cpuMs') / med(r1000.full, 'cpuMs'))}; load average at the end ${os.loadavg().map(x => x.toFixed(1)).join(' ')}`);
  console.log('');
  console.log(`speedup_vs_stock_1000=${fmt(speedup)} overhead_vs_floor_1000=${fmt(overhead)} scaling_3000_over_1000=${fmt(scaling)} peak_rss_mb_3000=${rss} default_over_floor_1000=${fmt(defaultOverFloor)} policy_share_1000=${fmt(policyShare)} default_peak_rss_mb_3000=${defaultRss} incremental_share_3000=${incrementalShare}`);
}

try {
  main();
} finally {
  // A failed run must not leave its scratch output (hundreds of MB at N = 1,000) behind either.
  if (scratchRoot && !process.argv.includes('--keep')) fs.rmSync(scratchRoot, { recursive: true, force: true });
}

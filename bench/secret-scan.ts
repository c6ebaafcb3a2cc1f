// Rule B13 (the policy pack's secret scan) alone, before and after, over the output of the bench's reference platform.
//
//   node -r ts-node/register/transpile-only bench/secret-scan.ts [n=100] [repetitions=5] [before|after|both=both]
//
// Synthesizes the reference platform (bench/reference.ts) with N tenants per environment, policy pack off, into a
// scratch folder under $TMPDIR (untimed), reads its output as the pack sees it (manifests, stacks, workflows, charts:
// readOutputFolders, what Platform.synth() hands the pack), then evaluates B13 over every text, each repetition with
// a fresh rule (so its memo of repeated texts starts empty, as in one synthesis). "before" is the rule as it was at
// 8560644 (test/support/secret-oracle), "after" the library's. Prints the CPU time of each repetition, the median,
// ms per 1,000 string leaves, and the ratio; checks that both report the same violations. Not part of `npm test`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App as TfApp } from 'cdktf';
import { referencePlatformProps } from './reference';
import { OutputLayout } from '../src/output/layout';
import { Platform } from '../src/platform/platform';
import { contentsOf, TextDocument } from '../src/policy/contents';
import { PolicyInput } from '../src/policy/input';
import { readOutputFolders } from '../src/policy/output-files';
import { PolicyContext } from '../src/policy/rule';
import { secretScanRule } from '../src/policy/rules/secrets';
import { secretScanRule as oracleSecretScanRule } from '../test/support/secret-oracle/b13';

const n = Number(process.argv[2] ?? 100);
const repetitions = Number(process.argv[3] ?? 5);
const which = process.argv[4] ?? 'both';

function cpuMs(f: () => void): number {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function countLeaves(value: unknown): number {
  if (typeof value === 'string') return 1;
  if (Array.isArray(value)) return value.reduce((a: number, v) => a + countLeaves(v), 0);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((a: number, v) => a + countLeaves(v), 0);
  return 0;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'secret-scan-bench-'));
  try {
    const t0 = performance.now();
    const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
    new Platform(app, 'inopsio', referencePlatformProps(n, path.join(dir, 'dist'), { policy: { enabled: false } })).synth();
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const input = new PolicyInput();
    readOutputFolders(input, {
      manifests: layout.manifestsDirectory,
      stacks: layout.stacksDirectory,
      workflows: layout.workflowsDirectory,
      texts: [layout.chartsDirectory],
    });
    const texts: readonly TextDocument[] = contentsOf(input).texts;
    const leaves = texts.reduce((a, t) => a + (t.structured === undefined ? 0 : countLeaves(t.structured)), 0);
    const plain = texts.filter(t => t.structured === undefined);
    const plainChars = plain.reduce((a, t) => a + t.text.length, 0);
    process.stdout.write(`N=${n}: ${texts.length} texts, ${leaves} string leaves, ${plain.length} plain texts (${plainChars} chars); synthesized in ${Math.round(performance.now() - t0)} ms\n`);

    const ctx = { texts } as unknown as PolicyContext;
    const names = which === 'both' ? ['before', 'after'] : [which];
    const results: { [name: string]: { times: number[]; violations: string } } = {};
    for (const name of names) results[name] = { times: [], violations: '' };
    // Alternate the two, repetition by repetition, so that a change in the machine's load hits both alike. The
    // detector's memo of lines is process-wide (as in one synthesis): the first "after" repetition starts cold.
    for (let i = 0; i < repetitions; i++) {
      for (const name of names) {
        const rule = name === 'before' ? oracleSecretScanRule({}) : secretScanRule({});
        let out: unknown;
        results[name].times.push(cpuMs(() => { out = rule.evaluate(ctx).violations; }));
        if (i === 0) results[name].violations = JSON.stringify(out);
      }
    }
    for (const name of names) {
      const { times, violations } = results[name];
      const m = median(times);
      process.stdout.write(`${name.padEnd(6)} B13 CPU ms: ${times.map(t => t.toFixed(0)).join(' ')}; median ${m.toFixed(0)} (${(m / (leaves / 1000)).toFixed(1)} ms per 1,000 leaves); ${JSON.parse(violations).length} violations\n`);
    }
    if (results.before && results.after) {
      const same = results.before.violations === results.after.violations;
      process.stdout.write(`before/after = ${(median(results.before.times) / median(results.after.times)).toFixed(2)}; violations ${same ? 'identical' : 'DIFFER'}\n`);
      if (!same) process.exitCode = 1;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

/**
 * The policy layer over the reference platform (examples/main.ts, as `npm run example` writes it), plus the
 * second opinion of @monokle/validation over the same manifests and over the fuller fixtures.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { k8sFixture } from './fixtures';
import { EnvironmentParity, PolicyInput, PolicyPack, PolicyRuleStatus, SecretScanner } from '../../src/policy';
import { writePolicyReport } from '../../src/policy/report-file';
import { writeReferencePlatform } from '../support/reference-platform';

const root = path.resolve(__dirname, '..', '..');

interface MonokleResult { ruleId: string; level: string; message: string; file: string; resource: string; field?: string }
interface MonokleRun {
  plugins: string[];
  failedPlugins: string[];
  resources: number;
  rules: Array<{ plugin: string; id: string }>;
  results: MonokleResult[];
}

/** Run @monokle/validation (pod-security-standards and practices only, no network) in a child process: it is an ES module. */
function monokle(files: Array<{ path: string; content: string }>): MonokleRun {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'monokle-run.mjs')], {
    cwd: root,
    input: JSON.stringify({ files }),
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return JSON.parse(out.toString('utf8'));
}

/**
 * Monokle findings on the library's output that are accepted, with the reason (listed in docs/policies.md).
 * Each must match at least one finding (no stale entries) and every finding must match one.
 */
const MONOKLE_ACKNOWLEDGEMENTS: Array<{ ruleId: string; resource: RegExp; reason: string }> = [
  {
    ruleId: 'KBP107',
    resource: /^Role\/(dev|preview-[a-z0-9-]+)-[a-z0-9-]+\/tenant-admin$/,
    reason: 'Development and preview sandboxes let developers manage Deployments, StatefulSets, Jobs and CronJobs (humanAccess ADMIN), which monokle counts as "create pods". '
      + 'The pods are still admitted under Pod Security "restricted" (K01), the role grants no pods create, exec, attach, port-forward or secrets (K14, K15), '
      + 'and production and staging bind the read-only tenant-viewer role instead.',
  },
];

describe('the reference platform (examples/main.ts) under the policy pack', () => {
  const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'policy-reference-'));
  let input: PolicyInput;
  let reportOfSynth: string;
  const locations = {
    manifestDirectory: path.join(scratch, 'dist', 'k8s'),
    terraformDirectory: path.join(scratch, 'cdktf.out', 'stacks'),
    workflowDirectory: path.join(scratch, 'dist', 'workflows'),
    textDirectories: [path.join(scratch, 'dist', 'charts')],
  };

  /**
   * The output read back, with the one fact the files do not carry and Platform.synth hands the pack: the previews
   * read Vault through the stack of their host, dev (the first reusable environment of examples/main.ts).
   */
  const readOutput = () => {
    const read = PolicyInput.fromOutput(locations);
    for (const env of fs.readdirSync(locations.manifestDirectory).filter(e => e.startsWith('preview-'))) read.useVaultHost(env, 'dev');
    return read;
  };

  beforeAll(() => {
    // The shared synthesis (test/support/reference-platform.ts): this folder is a copy, free to write to.
    writeReferencePlatform(scratch);
    reportOfSynth = fs.readFileSync(path.join(scratch, 'dist', 'policy-report.json'), 'utf8');
    input = readOutput();
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('every rule passes or has nothing to check; no finding at all', () => {
    const report = PolicyPack.default().evaluate(input);
    expect(report.findings.map(f => f.message)).toEqual([]);
    expect(report.rules.filter(r => r.status === PolicyRuleStatus.FAILED)).toEqual([]);
    // The reference platform exercises every rule (backups, observability, Argo CD, workflows included) except K44:
    // it writes no Secret at all.
    expect(report.rules.filter(r => r.status !== PolicyRuleStatus.PASSED).map(r => `${r.id} ${r.status}`)).toEqual(['K44 not-applicable']);
  });

  test('Platform.synth() checks its manifests in memory, as written: its report equals the one over the files read back', () => {
    // The Platform hands the pack each chart's documents as it writes them and skips the local charts' manifests and
    // Terraform's copies of them; fromOutput parses every file and skips hard links and identical copies.
    const fromFiles = PolicyPack.default().evaluate(input);
    expect(fromFiles.toJson()).toBe(reportOfSynth);
    // Not vacuous: the manifests, stacks, workflows and chart files were all scanned, each set of bytes once.
    expect(fromFiles.rules.find(r => r.id === 'B13')!.checked).toBeGreaterThan(30);
    expect(fromFiles.rules.find(r => r.id === 'K01')!.checked).toBeGreaterThan(0);
  });

  test('dist/policy-report.json is written and byte-identical across evaluations (sorted, no timestamps)', () => {
    const file = writePolicyReport(path.join(scratch, 'dist'), PolicyPack.default().evaluate(input));
    expect(path.relative(scratch, file)).toBe(path.join('dist', 'policy-report.json'));
    const first = fs.readFileSync(file, 'utf8');
    const again = PolicyPack.default().evaluate(readOutput()).toJson();
    expect(again).toBe(first);
    expect(JSON.parse(first).summary.errors).toBe(0);
  });

  test('staging structurally mirrors production (B11, spec §1 parity)', () => {
    const report = EnvironmentParity.compare(input, 'staging', 'prod');
    expect(report.differences).toEqual([]);
    expect(report.passed).toBe(true);
  });

  test('no secret material in any output file (manifests, charts, stacks, chart assets)', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(path.join(scratch, 'dist'));
    walk(path.join(scratch, 'cdktf.out'));
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap(f => SecretScanner.scanText(fs.readFileSync(f, 'utf8')).map(m => `${path.relative(scratch, f)}:${m.line} ${m.kind}`));
    expect(hits).toEqual([]);
  });

  test('@monokle/validation (pod security standards, practices; no network): every finding is acknowledged with a reason', () => {
    const dir = path.join(scratch, 'dist', 'k8s');
    const files = fs.readdirSync(dir).sort().flatMap(env => fs.readdirSync(path.join(dir, env)).sort()
      .map(f => ({ path: `${env}/${f}`, content: fs.readFileSync(path.join(dir, env, f), 'utf8') })));
    const run = monokle(files);
    expect(run.plugins).toEqual(['pod-security-standards', 'practices']);
    expect(run.failedPlugins).toEqual([]);
    expect(run.resources).toBeGreaterThan(100);
    const unexplained = run.results.filter(r => !MONOKLE_ACKNOWLEDGEMENTS.some(a => a.ruleId === r.ruleId && a.resource.test(r.resource)));
    expect(unexplained).toEqual([]);
    for (const a of MONOKLE_ACKNOWLEDGEMENTS) expect(run.results.some(r => r.ruleId === a.ruleId && a.resource.test(r.resource))).toBe(true);
  });
});

describe('@monokle/validation over the fuller fixtures (backups, migration hook, observability, Argo CD)', () => {
  const files = (mutate?: (docs: any[]) => void) => [...k8sFixture('prod-full'), ...k8sFixture('staging-full')].map(c => {
    mutate?.(c.documents);
    return { path: c.file, content: c.documents.map(d => JSON.stringify(d)).join('\n---\n') };
  });

  test('no finding: backup CronJobs and the migration Job satisfy pod security "restricted" and the practices', () => {
    const run = monokle(files());
    expect(run.failedPlugins).toEqual([]);
    expect(run.rules.map(r => r.id)).toEqual(expect.arrayContaining(['PSS103', 'PSS202', 'PSS203', 'PSS206', 'KBP001', 'KBP102', 'KBP111']));
    expect(run.results).toEqual([]);
  });

  test('control: the same run reports a privileged backup container on the host network (the plugins really run)', () => {
    const run = monokle(files(docs => {
      const cj = docs.find(d => d.kind === 'CronJob' && d.metadata.name === 'backup-prod-acme');
      if (!cj) return;
      cj.spec.jobTemplate.spec.template.spec.hostNetwork = true;
      cj.spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged = true;
    }));
    expect(run.results.map(r => `${r.ruleId} ${r.resource} ${r.field}`).sort()).toEqual([
      'PSS102 CronJob/prod-acme/backup-prod-acme spec.jobTemplate.spec.template.spec.hostNetwork',
      'PSS103 CronJob/prod-acme/backup-prod-acme spec.jobTemplate.spec.template.spec.containers.0.securityContext.privileged',
    ]);
  });
});

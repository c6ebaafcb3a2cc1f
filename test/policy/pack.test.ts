import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { backupPod, baseState, doc, OutputState, toInput } from './fixtures';
import { LifecycleValidationError } from '../../src/model/problems';
import { PolicyInput, PolicyPack, PolicyRuleStatus, PolicySeverity, PolicyTarget } from '../../src/policy';
import { assertPolicyCompliance, POLICY_REPORT_FILE, writePolicyReport } from '../../src/policy/report-file';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

/** Two violations: the backup container may escalate (K23) and the viewer role reads secrets (K14). */
function broken(): OutputState {
  const s = baseState();
  delete backupPod(s).containers[0].securityContext.allowPrivilegeEscalation;
  doc(s, 'Role', 'tenant-viewer', 'prod-acme').rules[0].resources.push('secrets');
  return s;
}

describe('PolicyPack', () => {
  const pack = PolicyPack.default();

  test('lists every rule with a stable id, a severity, a title, targets and references, sorted by id', () => {
    const ids = pack.ruleIds;
    expect(ids.slice(0, 4)).toEqual(['B03', 'B13', 'B17', 'B18']);
    expect(ids.filter(id => id.startsWith('K'))).toEqual(Array.from({ length: 52 }, (_, i) => `K${String(i + 1).padStart(2, '0')}`));
    expect(ids.filter(id => id.startsWith('V'))).toEqual(Array.from({ length: 15 }, (_, i) => `V${String(i + 1).padStart(2, '0')}`));
    expect(ids.filter(id => id.startsWith('T'))).toEqual(['T01', 'T02']);
    expect(ids.indexOf('T01')).toBe(ids.indexOf('K52') + 1);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of pack.rules) {
      expect(r.id).toMatch(/^[BGKTVW]\d{2}$/);
      expect(Object.values(PolicySeverity)).toContain(r.severity);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.targets.every(t => Object.values(PolicyTarget).includes(t))).toBe(true);
      expect(r.references.length).toBeGreaterThan(0);
    }
  });

  test('docs/policies.md lists every rule with its severity and title', () => {
    const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'policies.md'), 'utf8');
    for (const r of pack.rules) {
      expect(docs).toContain(`| ${r.id} | ${r.severity.toUpperCase()} | ${r.title.replace(/\|/g, '\\|')} |`);
    }
  });

  test('evaluate: every rule appears in the report with its status; findings carry the house-format message', () => {
    const report = pack.evaluate(toInput(broken()));
    expect(report.rules.map(r => r.id)).toEqual(pack.ruleIds);
    expect(report.rules.find(r => r.id === 'K23')!.status).toBe(PolicyRuleStatus.FAILED);
    expect(report.rules.find(r => r.id === 'K44')!.status).toBe(PolicyRuleStatus.NOT_APPLICABLE);
    expect(report.rules.find(r => r.id === 'K01')!.status).toBe(PolicyRuleStatus.PASSED);
    expect(report.errors.map(f => f.message)).toEqual([
      // Long values are shortened to 120 characters in messages.
      expect.stringMatching(/^prod\/Role\/prod-acme\/tenant-viewer: rules\[0\] can read secrets \(got \{"apiGroups":\[""\],"resources":\[.*\.\.\.\); remove secrets \(and "\*"\) from the rule; workloads read secrets from Vault-mounted files \(K14\)$/),
      'prod/CronJob/prod-acme/backup-prod-acme: spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation is not false (got undefined); set allowPrivilegeEscalation: false (K23)',
    ]);
    expect(report.summary).toEqual(expect.objectContaining({
      rules: pack.ruleIds.length, failed: 2, errors: 2, warnings: 0, acknowledgedFindings: 0,
    }));
  });

  test('assertPolicyCompliance throws one error listing every unacknowledged ERROR finding', () => {
    const report = pack.evaluate(toInput(broken()));
    expect(() => assertPolicyCompliance(report)).toThrow(LifecycleValidationError);
    expect(problems(() => report.assertNoErrors())).toEqual(report.errors.map(f => f.message));
    expect(problems(() => report.assertNoErrors()).join('\n')).toMatch(/\(K14\)\n.*\(K23\)$/);
    expect(() => assertPolicyCompliance(pack.evaluate(toInput(baseState())))).not.toThrow();
  });

  describe('acknowledgements', () => {
    test('a reasoned acknowledgement accepts matching findings; the reason is recorded in the finding and the report', () => {
      const report = pack.evaluate(toInput(broken()), [
        { ruleId: 'K23', reason: 'vendor image needs setuid ping (INC-1)', resource: 'prod/CronJob/prod-acme/backup-*' },
        { ruleId: 'K14', reason: 'never matches', resource: 'staging/*' },
      ]);
      expect(report.errors.map(f => f.ruleId)).toEqual(['K14']);
      expect(report.rules.find(r => r.id === 'K23')).toEqual(expect.objectContaining({ status: PolicyRuleStatus.ACKNOWLEDGED, findings: 1, acknowledgedFindings: 1 }));
      expect(report.findings.find(f => f.ruleId === 'K23')!.acknowledgedReason).toBe('vendor image needs setuid ping (INC-1)');
      expect(report.acknowledged).toEqual([
        { ruleId: 'K14', reason: 'never matches', resource: 'staging/*', matched: 0 },
        { ruleId: 'K23', reason: 'vendor image needs setuid ping (INC-1)', resource: 'prod/CronJob/prod-acme/backup-*', matched: 1 },
      ]);
      const json = JSON.parse(report.toJson());
      expect(json.acknowledged[1]).toEqual({ ruleId: 'K23', resource: 'prod/CronJob/prod-acme/backup-*', reason: 'vendor image needs setuid ping (INC-1)', matched: 1 });
    });

    test('without a resource it accepts every finding of the rule', () => {
      const report = pack.evaluate(toInput(broken()), [{ ruleId: 'K23', reason: 'r1 reason' }, { ruleId: 'K14', reason: 'r2 reason' }]);
      expect(report.errors).toEqual([]);
      expect(report.summary.acknowledgedFindings).toBe(2);
    });

    test('fails if a reason is empty or an id unknown, listing every problem', () => {
      expect(problems(() => pack.evaluate(new PolicyInput(), [
        { ruleId: 'K99', reason: 'because' },
        { ruleId: 'K23', reason: '   ' },
        { ruleId: 'k23', reason: '' },
        { ruleId: 'K20', reason: 'ok', resource: '' },
      ]))).toEqual([
        expect.stringMatching(/^PolicyPack\.evaluate: acknowledgements\[0\]\.ruleId is not a rule of the pack \(got "K99"\); use one of B03, B13, /),
        'PolicyPack.evaluate: acknowledgements[1].reason is empty (got "   "); say why the finding is accepted; the reason is recorded in the policy report',
        expect.stringMatching(/^PolicyPack\.evaluate: acknowledgements\[2\]\.ruleId is not a rule of the pack \(got "k23"\)/),
        'PolicyPack.evaluate: acknowledgements[2].reason is empty (got ""); say why the finding is accepted; the reason is recorded in the policy report',
        'PolicyPack.evaluate: acknowledgements[3].resource is empty (got ""); name the resource as in the finding, or leave it out for every finding of the rule',
      ]);
    });
  });

  describe('the report file (dist/policy-report.json)', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'policy-report-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('writePolicyReport writes <dir>/policy-report.json: rules with status and references, findings, acknowledgements, summary', () => {
      const report = pack.evaluate(toInput(broken()), [{ ruleId: 'K23', reason: 'accepted for the test' }]);
      const file = writePolicyReport(dir, report);
      expect(file).toBe(path.join(dir, POLICY_REPORT_FILE));
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(Object.keys(json)).toEqual(['format', 'summary', 'rules', 'findings', 'acknowledged']);
      expect(json.format).toBe('inopsio-policy-report/v1');
      expect(json.rules[0]).toEqual({
        id: 'B03',
        severity: 'error',
        status: 'passed',
        title: expect.any(String),
        description: expect.any(String),
        targets: ['kubernetes', 'terraform'],
        references: expect.arrayContaining([{ source: 'Bad-input catalogue', id: 'B03' }]),
        checked: expect.any(Number),
        findings: 0,
        acknowledgedFindings: 0,
      });
      expect(json.findings.map((f: any) => [f.ruleId, f.acknowledgedReason])).toEqual([['K14', undefined], ['K23', 'accepted for the test']]);
    });

    test('is deterministic: same bytes for the same output, whatever the input order; no timestamps', () => {
      const a = pack.evaluate(toInput(broken())).toJson();
      const s = broken();
      s.k8s.reverse();
      for (const c of s.k8s) c.documents.reverse();
      s.workflows = Object.fromEntries(Object.entries(s.workflows).reverse());
      const b = pack.evaluate(toInput(s)).toJson();
      expect(b).toBe(a);
      expect(a).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    });

    test('property: findings are sorted by rule, resource and field whatever is broken', () => {
      const breakers: Array<(s: OutputState) => void> = [
        s => { backupPod(s).hostPID = true; },
        s => { backupPod(s).containers[0].imagePullPolicy = 'Never'; },
        s => { doc(s, 'Namespace', 'prod-acme').metadata.labels['pod-security.kubernetes.io/audit'] = 'privileged'; },
        s => { doc(s, 'CronJob', 'backup-prod-idle').spec.concurrencyPolicy = 'Replace'; },
        s => { doc(s, 'Role', 'tenant-viewer', 'prod-idle').rules[0].verbs.push('*'); },
      ];
      fc.assert(fc.property(fc.subarray(breakers, { minLength: 1 }), chosen => {
        const s = baseState();
        for (const f of chosen) f(s);
        const findings = pack.evaluate(toInput(s)).findings;
        const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        const sorted = [...findings].sort((x, y) => (pack.ruleIds.indexOf(x.ruleId) - pack.ruleIds.indexOf(y.ruleId))
          || cmp(x.resource, y.resource) || cmp(x.field, y.field) || cmp(x.message, y.message));
        expect(findings).toEqual(sorted);
        expect(findings.length).toBeGreaterThanOrEqual(chosen.length);
      }), { numRuns: 15 });
    });
  });

  describe('PolicyInput', () => {
    test('fromOutput reads the output tree: manifests per environment, stacks, workflows, other text', () => {
      const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'policy-input-'));
      try {
        const s = baseState();
        fs.mkdirSync(path.join(root, 'dist', 'k8s', 'prod'), { recursive: true });
        for (const c of s.k8s) fs.writeFileSync(path.join(root, 'dist', 'k8s', 'prod', path.basename(c.file).replace(/\.yaml$/, '.json')), JSON.stringify(c.documents));
        fs.mkdirSync(path.join(root, 'cdktf.out', 'stacks', 'prod', 'assets'), { recursive: true });
        fs.writeFileSync(path.join(root, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), JSON.stringify(s.tf.prod));
        fs.writeFileSync(path.join(root, 'cdktf.out', 'stacks', 'prod', 'assets', 'notes.txt'), 'aws AKIAZ7RQ3XJ5MB2WK4PL');
        fs.mkdirSync(path.join(root, 'cdktf.out', 'stacks', 'github-environments'), { recursive: true });
        fs.writeFileSync(path.join(root, 'cdktf.out', 'stacks', 'github-environments', 'cdk.tf.json'), JSON.stringify(s.tf['github-environments']));
        fs.mkdirSync(path.join(root, 'dist', 'workflows'), { recursive: true });
        fs.writeFileSync(path.join(root, 'dist', 'workflows', 'decommission.yml'), s.workflows['decommission.yml']);
        const input = PolicyInput.fromOutput({
          manifestDirectory: path.join(root, 'dist', 'k8s'),
          terraformDirectory: path.join(root, 'cdktf.out', 'stacks'),
          workflowDirectory: path.join(root, 'dist', 'workflows'),
        });
        const report = pack.evaluate(input);
        expect(report.rules.find(r => r.id === 'K01')!.checked).toBe(2);
        expect(report.rules.find(r => r.id === 'V06')!.checked).toBe(1);
        expect(report.rules.find(r => r.id === 'V13')!.checked).toBe(2);
        expect(report.errors.map(f => f.message)).toEqual([expect.stringMatching(/assets\/notes\.txt: line 1 column 5 contains aws access key .*\(B13\)$/)]);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    test('fromOutput reads each set of bytes once: hard links and identical copies are skipped, different files are not', () => {
      const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'policy-input-'));
      try {
        const manifests = path.join(root, 'k8s');
        const charts = path.join(root, 'charts');
        fs.mkdirSync(path.join(manifests, 'prod'), { recursive: true });
        fs.mkdirSync(path.join(charts, 'a'), { recursive: true });
        fs.mkdirSync(path.join(charts, 'b'), { recursive: true });
        const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod-acme\ndata:\n  note: "aws AKIAZ7RQ3XJ5MB2WK4PL"\n';
        fs.writeFileSync(path.join(manifests, 'prod', 'acme.k8s.yaml'), yaml);
        fs.linkSync(path.join(manifests, 'prod', 'acme.k8s.yaml'), path.join(charts, 'a', 'tenant.yaml'));
        fs.writeFileSync(path.join(charts, 'b', 'tenant.yaml'), yaml);
        fs.writeFileSync(path.join(charts, 'a', 'notes.txt'), 'token: ghp_0123456789abcdefghijABCDEFGHIJ012345\n');
        fs.writeFileSync(path.join(charts, 'b', 'notes.txt'), 'token: ghp_0123456789abcdefghijABCDEFGHIJ012345\n');
        fs.writeFileSync(path.join(charts, 'b', 'other.txt'), 'aws AKIAZ7RQ3XJ5MB2WK4PL\n');
        const input = PolicyInput.fromOutput({ manifestDirectory: manifests, terraformDirectory: path.join(root, 'none'), workflowDirectory: path.join(root, 'none'), textDirectories: [charts] });
        const report = pack.evaluate(input);
        const b13 = report.findings.filter(f => f.ruleId === 'B13').map(f => path.relative(root, f.file)).sort();
        // The manifest (structured), one of the two identical notes, and the different file; the link and the copy of
        // the manifest add nothing.
        expect(b13).toEqual(['charts/a/notes.txt', 'charts/b/other.txt', 'k8s/prod/acme.k8s.yaml']);
        expect(report.rules.find(r => r.id === 'B13')!.checked).toBe(3);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    test('fails on unparseable input with the file named', () => {
      expect(problems(() => new PolicyInput().addKubernetesManifests('prod', 'a.yaml', 'a: [1'))[0]).toMatch(/^PolicyInput: kubernetes manifests of a\.yaml cannot be parsed/);
      expect(problems(() => new PolicyInput().addTerraformStack('prod', 'cdk.tf.json', '[]'))[0]).toMatch(/terraform stack of cdk\.tf\.json is not a JSON object/);
      expect(problems(() => new PolicyInput().addKubernetesJson('', 'a.json', '[]'))[0]).toMatch(/environment is empty/);
    });

    test('reads YAML manifests as YAML 1.1, like kubectl: an unquoted yes is a boolean (B18 catches it)', () => {
      const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod-acme\ndata:\n  enabled: yes\n  mode: 0755\n';
      const report = pack.evaluate(new PolicyInput().addKubernetesManifests('prod', 'c.yaml', yaml));
      expect(report.findings.filter(f => f.ruleId === 'B18').map(f => `${f.field}=${f.got}`)).toEqual(['data["enabled"]=true', 'data["mode"]=493']);
    });
  });

  test('options: allowed registries (K30), UID (K25), secret allow patterns (B13) are validated', () => {
    const s = baseState();
    const strict = PolicyPack.default({ allowedRegistries: ['ghcr.io'] }).evaluate(toInput(s));
    expect(strict.errors.filter(f => f.ruleId === 'K30').map(f => f.problem)).toContain('comes from registry "registry.example.com", which is not allowed');
    expect(problems(() => PolicyPack.default({ runAsId: 0 }))[0]).toMatch(/runAsId is not a whole number of at least 1000/);
    expect(problems(() => PolicyPack.default({ secretAllowPatterns: ['('] }))[0]).toMatch(/secretAllowPatterns\[0\] is not a regular expression/);
  });
});

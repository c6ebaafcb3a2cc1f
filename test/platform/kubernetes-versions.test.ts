/**
 * The reference platform (examples/main.ts) synthesized for four targets: the default (1.35), 1.28, 1.30 and 1.36
 * (`EXAMPLE_KUBERNETES_VERSION`). Each validates strictly against its own release's schemas, writes the API versions that
 * release serves, and the outputs differ only in those API versions, the Pod Security version labels and the kubectl
 * of the workflows (plus the content digests that follow from them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { prepareReferencePlatforms, writeReferencePlatform } from '../support/reference-platform';
import { validateDirectory } from '../support/strict-validator';

interface Target {
  readonly name: string;
  /** EXAMPLE_KUBERNETES_VERSION for the example, unset for the default. */
  readonly env?: string;
  readonly version: KubernetesVersion;
}

const TARGETS: Target[] = [
  { name: 'default', version: KubernetesVersion.DEFAULT },
  { name: '1.28', env: '1.28', version: KubernetesVersion.V1_28 },
  { name: '1.30', env: '1.30', version: KubernetesVersion.V1_30 },
  { name: '1.36', env: '1.36', version: KubernetesVersion.V1_36 },
];

/** Every file under `dir`, by path relative to it. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** `apiVersion kind` of every document in the manifest files. */
function kindsOf(dir: string): string[] {
  const found = new Set<string>();
  for (const [file, text] of tree(dir)) {
    if (!file.endsWith('.yaml')) continue;
    for (const doc of text.split(/^---$/m)) {
      const apiVersion = /^apiVersion: (\S+)$/m.exec(doc)?.[1];
      const kind = /^kind: (\S+)$/m.exec(doc)?.[1];
      if (apiVersion && kind) found.add(`${apiVersion} ${kind}`);
    }
  }
  return [...found].sort();
}

/**
 * What may differ between targets, each replaced by a placeholder: the admission policy API version, the Pod Security
 * version labels, the kubectl the workflows install, and the digests of content that holds them (chart versions,
 * Terraform asset folders).
 */
const ALLOWED: Array<{ what: string; pattern: RegExp; replacement: string }> = [
  { what: 'ValidatingAdmissionPolicy API version', pattern: /admissionregistration\.k8s\.io\/v1(beta1)?\b/g, replacement: 'admissionregistration.k8s.io/<version>' },
  { what: 'Pod Security version labels', pattern: /(pod-security\.kubernetes\.io\/(?:enforce|audit|warn)-version"?:\s*"?)v1\.\d+/g, replacement: '$1v1.<minor>' },
  { what: 'kubectl of the workflows', pattern: /(uses: azure\/setup-kubectl@[0-9a-f]+ # v[\d.]+\n\s+with:\n\s+version: )v1\.\d+\.\d+/g, replacement: '$1v1.<minor>.0' },
  // YAML quotes a digest that reads as a number (all digits, or digits with one `e`), so the quotes go too.
  { what: 'chart versions (digest of the chart content)', pattern: /^(version: 1\.0\.0-|appVersion: )"?(?:sha-)?[0-9a-f]{12}"?$/gm, replacement: '$1<digest>' },
  { what: 'Terraform asset folders (digest of the chart content)', pattern: /(assets\/[A-Za-z0-9_-]+\/)[0-9a-f]{32}/g, replacement: '$1<digest>' },
];

function normalized(files: Map<string, string>, counts: Map<string, number>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, text] of files) {
    let t = text;
    for (const a of ALLOWED) {
      t = t.replace(a.pattern, (...m: any[]) => {
        counts.set(a.what, (counts.get(a.what) ?? 0) + 1);
        return a.replacement.replace(/\$1/g, m[1] ?? '');
      });
    }
    out.set(file.replace(/(assets\/[A-Za-z0-9_-]+\/)[0-9a-f]{32}/, '$1<digest>'), t);
  }
  return out;
}

describe('the reference platform for Kubernetes 1.28, 1.30, 1.35 (default) and 1.36', () => {
  const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'k8s-versions-'));
  const dirOf = (t: Target) => path.join(scratch, t.name);

  beforeAll(async () => {
    // The shared syntheses (test/support/reference-platform.ts), the targets side by side; each folder is a copy.
    await prepareReferencePlatforms(TARGETS.map(t => ({ env: { EXAMPLE_KUBERNETES_VERSION: t.env } })));
    for (const t of TARGETS) {
      fs.mkdirSync(dirOf(t));
      writeReferencePlatform(dirOf(t), { env: { EXAMPLE_KUBERNETES_VERSION: t.env } });
    }
  }, 900_000);
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test.each(TARGETS.map(t => [t.name, t] as const))('%s: every manifest validates strictly against that release\'s schemas', (_name, t) => {
    expect(validateDirectory(path.join(dirOf(t), 'dist', 'k8s'), t.version)).toEqual([]);
    // The tenant and environment charts Terraform installs carry the same manifests.
    const charts = path.join(dirOf(t), 'dist', 'charts');
    for (const env of fs.readdirSync(charts)) {
      for (const chart of fs.readdirSync(path.join(charts, env))) {
        expect(validateDirectory(path.join(charts, env, chart, 'manifests'), t.version)).toEqual([]);
      }
    }
  });

  test('each target writes the API versions its release serves: ValidatingAdmissionPolicy v1 from 1.30 (default 1.35 included), v1beta1 on 1.28', () => {
    // The same in every release 1.28-1.36 (the CRDs do not depend on the Kubernetes version).
    const common = [
      // apps/v1 Deployment: the example's cdk8s-plus worker (issue 19).
      'apps/v1 Deployment', 'argoproj.io/v1alpha1 AppProject', 'argoproj.io/v1alpha1 Application', 'batch/v1 CronJob', 'monitoring.coreos.com/v1 PodMonitor',
      'monitoring.coreos.com/v1 PrometheusRule', 'networking.k8s.io/v1 NetworkPolicy', 'rbac.authorization.k8s.io/v1 Role',
      'rbac.authorization.k8s.io/v1 RoleBinding', 'scheduling.k8s.io/v1 PriorityClass', 'v1 ConfigMap', 'v1 LimitRange', 'v1 Namespace', 'v1 PersistentVolumeClaim', 'v1 ResourceQuota', 'v1 ServiceAccount',
    ];
    for (const t of TARGETS) {
      const vap = t.version.isAtLeast(KubernetesVersion.V1_30) ? 'admissionregistration.k8s.io/v1' : 'admissionregistration.k8s.io/v1beta1';
      expect(`${t.name}: ${kindsOf(path.join(dirOf(t), 'dist', 'k8s')).join(', ')}`).toBe(`${t.name}: ${[
        ...common, `${vap} ValidatingAdmissionPolicy`, `${vap} ValidatingAdmissionPolicyBinding`,
      ].sort().join(', ')}`);
    }
  });

  test('each target pins its own Pod Security version and kubectl', () => {
    for (const t of TARGETS) {
      const files = tree(path.join(dirOf(t), 'dist'));
      const labels = [...files.values()].flatMap(text => [...text.matchAll(/pod-security\.kubernetes\.io\/(?:enforce|audit|warn)-version: (\S+)/g)].map(m => m[1]));
      expect(labels.length).toBeGreaterThan(0);
      expect(new Set(labels)).toEqual(new Set([`v${t.version.name}`]));
      const kubectl = [...files.entries()].filter(([f]) => f.startsWith('workflows/'))
        .flatMap(([, text]) => [...text.matchAll(/uses: azure\/setup-kubectl@[0-9a-f]+ # v[\d.]+\n\s+with:\n\s+version: (\S+)/g)].map(m => m[1]));
      expect(kubectl.length).toBeGreaterThan(0);
      expect(new Set(kubectl)).toEqual(new Set([`v${t.version.name}.0`]));
    }
  });

  test('the outputs of all targets are the same file for file, but for API versions, version labels and kubectl', () => {
    const counts = new Map<string, number>();
    const outputs = TARGETS.map(t => {
      const files = new Map([...tree(path.join(dirOf(t), 'dist'))].map(([f, text]) => [`dist/${f}`, text] as [string, string]));
      for (const [f, text] of tree(path.join(dirOf(t), 'cdktf.out'))) files.set(`cdktf.out/${f}`, text);
      return { target: t, files, normalized: normalized(files, counts) };
    });
    const [reference, ...others] = outputs;
    expect(reference.files.size).toBeGreaterThan(50);
    for (const o of others) {
      expect([...o.normalized.keys()]).toEqual([...reference.normalized.keys()]);
      for (const [file, text] of reference.normalized) {
        expect(`${o.target.name} ${file}\n${o.normalized.get(file)}`).toBe(`${o.target.name} ${file}\n${text}`);
      }
      // ...and the raw outputs do differ: the normalisation is not hiding identical files.
      expect([...o.files.keys()].filter(f => o.files.get(f) !== reference.files.get(f)).length).toBeGreaterThan(0);
    }
    // Every allowed difference occurs (a pattern that matches nothing would be a stale allowance).
    expect([...counts.keys()].sort()).toEqual(ALLOWED.map(a => a.what).sort());
  });
});

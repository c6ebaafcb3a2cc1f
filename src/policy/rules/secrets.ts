/**
 * K42–K44 and B13: no secret value anywhere in the output.
 */
import * as crypto from 'crypto';
import { atDoc, entries, K8S, list } from './common';
import { TextDocument } from '../contents';
import { CHECKOV, CIS, containersOf, KUBE_LINTER, NSA, PodTemplate, PolicyRule, POLARIS, ref, rule } from '../rule';
import { detach, isSafeValue } from '../secret-patterns';
import { SecretKind, SecretMatch, SecretScanner, SecretScanOptions } from '../secret-scan';
import { PolicySeverity, PolicyTarget } from '../types';

const SECRET_NAME = /(?:password|passwd|pwd|passphrase|secret|token|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|private[-_]?key|client[-_]?secret|credentials?|jwt|dsn|database[-_]?url|connection[-_]?string)$/i;

const K42 = rule<PodTemplate>({
  id: 'K42',
  severity: PolicySeverity.ERROR,
  title: 'No literal secret values in container env',
  description: 'Manifests are stored in git, Helm release records and etcd in plain text; a literal secret there is leaked.',
  targets: K8S,
  references: [POLARIS('sensitiveContainerEnvVar'), KUBE_LINTER('env-var-secret'), NSA('Secrets'), ref('Monokle', 'KBP111')],
  subjects: ctx => [...ctx.podTemplates],
  where: t => atDoc(t.doc),
  check: (t, report) => {
    for (const c of containersOf(t)) {
      list(c.container.env).forEach((e: any, i: number) => {
        if (typeof e?.value !== 'string' || e.value === '') return;
        const name = String(e.name ?? '');
        const leaked = SecretScanner.scanText(`${name}=${JSON.stringify(e.value)}`).length > 0 || SecretScanner.scanText(e.value).length > 0;
        if (leaked || (SECRET_NAME.test(name) && !/_(FILE|PATH|DIR)$/i.test(name) && !isSafeValue(e.value))) {
          report(`${c.path}.env[${i}].value`, `holds a literal secret in ${name}`, '<redacted>', 'deliver it from Vault as a file and pass the path instead (e.g. DB_PASSWORD_FILE=/vault/secrets/...)');
        }
      });
    }
  },
});

const K43 = rule<PodTemplate>({
  id: 'K43',
  severity: PolicySeverity.ERROR,
  title: 'Secrets are mounted as files, never env (no secretKeyRef, no envFrom secretRef)',
  description: 'Environment variables end up in crash dumps, /proc/<pid>/environ and child processes, and do not rotate.',
  targets: K8S,
  references: [CIS('5.4.1'), CHECKOV('CKV_K8S_35'), KUBE_LINTER('read-secret-from-env-var'), ref('Monokle', 'KBP112')],
  subjects: ctx => [...ctx.podTemplates],
  where: t => atDoc(t.doc),
  check: (t, report) => {
    for (const c of containersOf(t)) {
      list(c.container.env).forEach((e: any, i: number) => {
        if (e?.valueFrom?.secretKeyRef !== undefined) report(`${c.path}.env[${i}].valueFrom.secretKeyRef`, 'reads a secret into the environment', e.valueFrom.secretKeyRef?.name, 'mount the secret as a file (Vault agent or a secret volume) and read it at run time');
      });
      list(c.container.envFrom).forEach((e: any, i: number) => {
        if (e?.secretRef !== undefined) report(`${c.path}.envFrom[${i}].secretRef`, 'reads a whole secret into the environment', e.secretRef?.name, 'mount the secret as files instead');
      });
    }
  },
});

const K44 = rule({
  id: 'K44',
  severity: PolicySeverity.ERROR,
  title: 'No Secret with data in the synthesized output',
  description: 'Secret data is only base64: in the output it sits in git, CI logs and Helm release records. Secrets come from Vault at run time.',
  targets: K8S,
  references: [NSA('Secrets'), CIS('5.4.2'), ref('Secret-leak guard', 'no secret value in synthesized output')],
  subjects: ctx => ctx.kind('Secret'),
  where: atDoc,
  check: (d, report) => {
    for (const field of ['data', 'stringData']) {
      const keys = entries(d.doc[field]).map(([k]) => k);
      if (keys.length > 0) report(field, 'holds secret values', keys, 'deliver the values from Vault (agent injector or External Secrets); keep no Secret data in manifests');
    }
  },
});

/** A plain key: a path goes on with `.key`; any other key is written `["key"]`. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The field path of a string leaf, built only when the leaf has a finding: `segments` are the keys (strings) and
 * array indexes (numbers) from the document down to the leaf. The same text as building the path on the way down
 * (`a.b[0]["x y"]`), for the ~99.9 % of leaves without a finding never built.
 */
function pathOf(segments: ReadonlyArray<string | number>): string {
  let path = '';
  for (const s of segments) {
    if (typeof s === 'number') path = `${path}[${s}]`;
    else path = PLAIN_KEY.test(s) ? (path ? `${path}.${s}` : s) : `${path}[${JSON.stringify(s)}]`;
  }
  return path;
}

/**
 * Every string in a parsed document, in document order (arrays by index, skipping holes as `forEach` does; objects
 * in `Object.keys` order), with its key (an array's items share the key of the array; '' at the top) and the
 * segments of its path (a stack shared by the walk: copy it before keeping it).
 */
type LeafVisitor = (value: string, key: string, segments: ReadonlyArray<string | number>) => void;

function forEachStringLeaf(value: unknown, key: string, segments: Array<string | number>, visit: LeafVisitor): void {
  if (typeof value === 'string') {
    visit(value, key, segments);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      segments.push(i);
      forEachStringLeaf(value[i], key, segments, visit);
      segments.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      segments.push(k);
      forEachStringLeaf((value as { [k: string]: unknown })[k], k, segments, visit);
      segments.pop();
    }
  }
}

/** What a match is, in a message: its kind, and for other providers' tokens the gitleaks rule that found it. */
function what(m: SecretMatch): string {
  const kind = m.kind.replace(/-/g, ' ');
  return m.kind === SecretKind.PROVIDER_TOKEN ? `${kind} (rule ${m.ruleId})` : kind;
}

/**
 * B13 over any output text, with the scanner's allow-list plus the pack's own patterns. Structured files (manifests,
 * stack JSON, workflows) are scanned value by value, so a secret inside a quoted string or a script is found and
 * named by its field; other files line by line.
 */
export function secretScanRule(options: SecretScanOptions): PolicyRule {
  const scanner = new SecretScanner(options);
  // Tenants repeat the same values (names, labels, backup scripts, dashboards, policies): scan each distinct text
  // once. Scanning is a pure function of the text (and the options, fixed here), so a remembered result is the
  // result; the memo only decides how often the same work is done.
  // Long texts are remembered by their digest: the pack now outlives the documents it scanned (each tenant's output
  // is checked as it is written, then dropped: src/policy/fragment.ts), and a memo keyed by the text would keep them.
  const memo = new Map<string, readonly SecretMatch[]>();
  // A short leaf is scanned as `<key>: <JSON of the value>`; that memo is keyed by the key, then by the value, so a
  // leaf seen before costs two lookups instead of a JSON.stringify, a new string and its hash (most leaves are seen
  // before: 187,582 leaves, 26,133 distinct texts in the reference platform at N = 100). Keys are copied (`detach`)
  // before they are kept: a value parsed from a file is a slice of the file's text and would keep all of it.
  const keyedMemo = new Map<string, Map<string, readonly SecretMatch[]>>();
  let remembered = 0;
  const remember = () => {
    if (++remembered <= MEMO_LIMIT) return;
    memo.clear();
    keyedMemo.clear();
    remembered = 1;
  };
  const memoKey = (text: string) => (text.length > MEMO_KEY_LIMIT ? `\u0000${crypto.createHash('sha256').update(text).digest('base64')}` : text);
  const scan = (text: string): readonly SecretMatch[] => {
    const key = memoKey(text);
    let found = memo.get(key);
    if (found === undefined) {
      found = scanner.scan(text);
      remember();
      memo.set(detach(key), found);
    }
    return found;
  };
  // The matches of a short value scanned with its key, reported without a line (line 0).
  const scanNamed = (name: string, value: string): readonly SecretMatch[] => {
    let byValue = keyedMemo.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      keyedMemo.set(detach(name), byValue);
    }
    const key = memoKey(value);
    let found = byValue.get(key);
    if (found === undefined) {
      found = scanner.scan(`${name}: ${JSON.stringify(value)}`).map(m => ({ ...m, line: 0 }));
      remember();
      byValue.set(detach(key), found);
    }
    return found;
  };
  const fix = 'remove the value: reference it from Vault ({{ vault(\'kv/data/<path>\', \'<key>\') }}) or pass it at run time';
  return rule<TextDocument>({
    id: 'B13',
    severity: PolicySeverity.ERROR,
    title: 'No secret material in any output file (private keys, URL credentials, cloud/Vault/GitHub tokens, JWTs, password literals, high-entropy secrets)',
    description: 'Everything synthesized is committed, uploaded as CI artifacts and stored by Terraform and Helm in plain text.',
    targets: [PolicyTarget.TEXT],
    references: [NSA('Secrets'), ref('gitleaks', 'default rules'), ref('Checkov', 'secrets scanning')],
    subjects: ctx => [...ctx.texts],
    where: t => ({ resource: t.file, file: t.file }),
    check: (t, report) => {
      if (t.structured === undefined) {
        for (const m of scanner.scan(t.text)) {
          report(`line ${m.line} column ${m.column}${m.key ? ` (${m.key})` : ''}`, `contains ${what(m)}`, m.redacted, fix);
        }
        return;
      }
      forEachStringLeaf(t.structured, '', [], (value, key, segments) => {
        // Short values are scanned with their key (`password: x`); long ones (scripts, dashboards) on their own lines.
        const short = value.length <= 512 && !value.includes('\n');
        const named = short ? scanNamed(key || 'value', value) : NONE;
        const own = !short || /[:=]/.test(value) ? scan(value) : NONE;
        if (named.length === 0 && own.length === 0) return;
        const path = pathOf(segments);
        const seen = new Set<string>();
        for (const m of [...named, ...own]) {
          const id = `${m.kind}|${m.redacted}`;
          if (seen.has(id)) continue;
          seen.add(id);
          report(`${path || '(document)'}${m.line > 0 ? ` line ${m.line}` : ''}${m.key ? ` (${m.key})` : ''}`, `contains ${what(m)}`, m.redacted, fix);
        }
      });
    },
  });
}

const NONE: readonly SecretMatch[] = [];

/** Distinct texts whose scan results are kept at once. */
const MEMO_LIMIT = 50_000;

/** Texts longer than this are remembered by their SHA-256 (a key no shorter text can be: it starts with NUL). */
const MEMO_KEY_LIMIT = 256;

/** K42–K44. */
export const SECRET_RULES: PolicyRule[] = [K42, K43, K44];

/**
 * Rule B13 (the secret scan over every output text) exactly as it was at commit 8560644, before the scan was made
 * cheaper: the oracle of identity for test/policy/secret-scan-identity.test.ts and the "before" of
 * bench/secret-scan.ts. Copied verbatim from src/policy/rules/secrets.ts (only the imports differ); never edit it to
 * follow a change of the library: a difference from it is what the tests are there to catch.
 */
import * as crypto from 'crypto';
import { SecretKind, SecretMatch, SecretScanner, SecretScanOptions } from './secret-scan';
import { TextDocument } from '../../../src/policy/contents';
import { NSA, PolicyRule, ref, rule } from '../../../src/policy/rule';
import { PolicySeverity, PolicyTarget } from '../../../src/policy/types';

/** Every string in a parsed document, with its field path and key. */
function stringLeaves(value: unknown, path: string, key: string, out: Array<{ path: string; key: string; value: string }>): void {
  if (typeof value === 'string') {
    out.push({ path, key, value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => stringLeaves(v, `${path}[${i}]`, key, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) stringLeaves(v, /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`, k, out);
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
  // Tenants repeat the same long values (backup scripts, dashboards, policies): scan each distinct text once.
  const memo = new Map<string, ReturnType<SecretScanner['scan']>>();
  // Long texts are remembered by their digest: the pack now outlives the documents it scanned (each tenant's output
  // is checked as it is written, then dropped: src/policy/fragment.ts), and a memo keyed by the text would keep them.
  const scan = (text: string) => {
    const key = text.length > MEMO_KEY_LIMIT ? `\u0000${crypto.createHash('sha256').update(text).digest('base64')}` : text;
    let found = memo.get(key);
    if (found === undefined) {
      found = scanner.scan(text);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, found);
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
      const leaves: Array<{ path: string; key: string; value: string }> = [];
      stringLeaves(t.structured, '', '', leaves);
      for (const leaf of leaves) {
        const seen = new Set<string>();
        // Short values are scanned with their key (`password: x`); long ones (scripts, dashboards) on their own lines.
        const short = leaf.value.length <= 512 && !leaf.value.includes('\n');
        const found = [
          ...(short ? scan(`${leaf.key || 'value'}: ${JSON.stringify(leaf.value)}`).map(m => ({ ...m, line: 0 })) : []),
          ...(!short || /[:=]/.test(leaf.value) ? scan(leaf.value) : []),
        ];
        for (const m of found) {
          const id = `${m.kind}|${m.redacted}`;
          if (seen.has(id)) continue;
          seen.add(id);
          report(`${leaf.path || '(document)'}${m.line > 0 ? ` line ${m.line}` : ''}${m.key ? ` (${m.key})` : ''}`, `contains ${what(m)}`, m.redacted, fix);
        }
      }
    },
  });
}

/** Distinct texts whose scan results are kept at once. */
const MEMO_LIMIT = 50_000;

/** Texts longer than this are remembered by their SHA-256 (a key no shorter text can be: it starts with NUL). */
const MEMO_KEY_LIMIT = 256;

/**
 * V14: Helm releases that install atomically, wait, time out, pin their chart and carry no secrets.
 */
import { atTf, isDnsLabel, list, TF } from './common';
import { DOMAIN } from '../../model/labels';
import { TerraformResource } from '../contents';
import { PolicyContext, PolicyRule, ref, rule } from '../rule';
import { isSafeValue } from '../secret-patterns';
import { SecretScanner } from '../secret-scan';
import { PolicySeverity } from '../types';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SECRET_VALUE_KEY = /(?:password|passwd|pwd|passphrase|api[-_]?key|secret[-_]?key|private[-_]?key|access[-_]?key|client[-_]?secret|token|secret)$/i;

/** Is the release's namespace that of a suspended or archived tenant (where waiting would time out)? */
function stopped(ctx: PolicyContext, r: TerraformResource): boolean {
  const ns = ctx.tenantNamespace(r.environment, r.body?.namespace);
  const state = ns?.doc.metadata?.labels?.[`${DOMAIN}/lifecycle-state`];
  return state !== undefined && state !== 'active';
}

const V14 = rule<TerraformResource>({
  id: 'V14',
  severity: PolicySeverity.ERROR,
  title: 'helm_release: exact chart version, atomic, cleanup_on_fail, wait, timeout; no secrets in set/values; name ≤ 53',
  description: 'A floating version changes what is deployed without a diff; a non-atomic release can stay half-installed; set values and values land in Terraform state and the Helm release record.',
  targets: TF,
  references: [ref('Terraform Helm provider', 'helm_release: atomic, cleanup_on_fail, wait, timeout'), ref('Helm', 'release name limit 53')],
  subjects: ctx => ctx.tf('helm_release'),
  where: atTf,
  check: (r, report, ctx) => {
    const b = r.body ?? {};
    if (!isDnsLabel(b.name, 53)) report('name', 'is not a DNS-1123 label of at most 53 characters', b.name, 'shorten the release name (composeName with NAME_LIMITS.helmRelease)');
    if (b.repository !== undefined && !SEMVER.test(String(b.version ?? ''))) {
      report('version', 'is not an exact chart version', b.version, 'pin the chart, e.g. "1.4.2" (no ranges, no "latest")');
    }
    for (const f of ['atomic', 'cleanup_on_fail']) {
      if (b[f] !== true) report(f, 'is not true', b[f], `set ${f} = true`);
    }
    if (b.wait !== true && !stopped(ctx, r)) report('wait', 'is not true', b.wait, 'set wait = true (only releases of suspended tenants may skip waiting)');
    if (typeof b.timeout !== 'number' || b.timeout < 60 || b.timeout > 3600) report('timeout', 'is not a number of seconds from 60 to 3600', b.timeout, 'set timeout, e.g. 600');
    list(b.set).forEach((s: any, i: number) => {
      const name = String(s?.name ?? '');
      const value = typeof s?.value === 'string' ? s.value : '';
      const last = name.split(/(?<!\\)\./).pop() ?? name;
      if (value !== '' && ((SECRET_VALUE_KEY.test(last) && !isSafeValue(value)) || SecretScanner.scanText(value).length > 0 || SecretScanner.scanText(`${last}: ${JSON.stringify(value)}`).length > 0)) {
        report(`set[${i}].value`, `holds a literal secret in ${name}`, '<redacted>', "reference it from Vault: {{ vault('kv/data/<path>', '<key>') }}");
      }
    });
    if (list(b.set_sensitive).length > 0) report('set_sensitive', 'sends secret values through Terraform (they land in state)', list(b.set_sensitive).map((s: any) => s?.name), 'deliver them from Vault at run time');
    list(b.values).forEach((v: unknown, i: number) => {
      for (const m of SecretScanner.scanText(String(v ?? ''))) report(`values[${i}] line ${m.line}`, `contains ${m.kind.replace(/-/g, ' ')}`, m.redacted, 'move the value to Vault and reference it');
    });
  },
});

/** V14. */
export const HELM_RULES: PolicyRule[] = [V14];

/**
 * Bad-input rules that can only be checked on the whole output: B03 duplicates, B17 label/annotation keys,
 * B18 values that YAML 1.1 reads as something other than a string.
 */
import { atDoc, atTf, entries, list, objectRule, qualifiedNameProblem } from './common';
import { CLUSTER_SCOPED, KubernetesDocument, TerraformResource } from '../contents';
import { containersOf, podTemplatesOf, PolicyRule, ref, Report, Violation } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The identity of an object: what must be unique across the output (Kubernetes) or within a stack (Terraform). */
export function identity(s: KubernetesDocument | TerraformResource): string | undefined {
  if ('kind' in s) {
    return s.kind === '' ? undefined : `k8s|${groupOf(s.apiVersion)}|${s.kind}|${CLUSTER_SCOPED.has(s.kind) ? '' : s.namespace ?? ''}|${s.name}`;
  }
  const b = s.body ?? {};
  switch (s.type) {
    case 'helm_release': return `${s.environment}|helm_release|${b.namespace ?? 'default'}/${b.name}`;
    case 'vault_policy': return `${s.environment}|vault_policy|${b.name}`;
    case 'vault_mount': case 'vault_auth_backend': return `${s.environment}|vault_mount|${b.path ?? b.type}`;
    case 'vault_audit': return `${s.environment}|vault_audit|${b.path ?? b.type}`;
    default: return undefined;
  }
}

const B03: PolicyRule = {
  id: 'B03',
  severity: PolicySeverity.ERROR,
  title: 'No duplicate (kind, namespace, name) across the whole output; no duplicate Helm release, Vault policy, mount or audit device in a stack',
  description: 'A second object with the same identity silently replaces the first at apply time (last writer wins), usually another tenant\'s.',
  targets: [PolicyTarget.KUBERNETES, PolicyTarget.TERRAFORM],
  references: [ref('Bad-input catalogue', 'B03'), ref('Helm', 'release names are unique per namespace')],
  evaluate(ctx) {
    const first = new Map<string, KubernetesDocument | TerraformResource>();
    const violations: Violation[] = [];
    let checked = 0;
    for (const s of [...ctx.documents, ...ctx.resources]) {
      const id = identity(s);
      if (id === undefined) continue;
      checked++;
      const earlier = first.get(id);
      if (earlier === undefined) {
        first.set(id, s);
        continue;
      }
      const at = 'kind' in s ? atDoc(s) : atTf(s);
      violations.push({
        ...at,
        field: 'kind' in s ? 'metadata.name' : (s.type === 'helm_release' || s.type === 'vault_policy' ? 'name' : 'path'),
        problem: `duplicates ${earlier.resource} in ${earlier.file}`,
        got: 'kind' in s ? s.name : s.body?.name ?? s.body?.path,
        fix: 'rename one of them (derived names must stay unique after truncation)',
      });
    }
    return { checked, violations };
  },
};

/** Reserved prefixes, and the keys under them that are meant to be set. */
const RESERVED = /(^|\.)(kubernetes\.io|k8s\.io)\//;
const ALLOWED_RESERVED = [
  /^app\.kubernetes\.io\/(name|instance|version|component|part-of|managed-by)$/,
  /^pod-security\.kubernetes\.io\/(enforce|audit|warn)(-version)?$/,
  /^kubernetes\.io\/metadata\.name$/,
  /^kubectl\.kubernetes\.io\/default-container$/,
  /^helm\.sh\//,
];

function metadataMaps(d: KubernetesDocument): Array<{ path: string; map: { [key: string]: unknown } }> {
  const out = [
    { path: 'metadata.labels', map: d.doc.metadata?.labels ?? {} },
    { path: 'metadata.annotations', map: d.doc.metadata?.annotations ?? {} },
  ];
  for (const t of podTemplatesOf(d)) {
    const meta = t.path.replace(/\.spec$/, '.metadata');
    out.push({ path: `${meta}.labels`, map: t.labels }, { path: `${meta}.annotations`, map: t.annotations });
  }
  if (d.kind === 'CronJob') out.push({ path: 'spec.jobTemplate.metadata.labels', map: d.doc.spec?.jobTemplate?.metadata?.labels ?? {} });
  return out;
}

const B17 = objectRule({
  id: 'B17',
  severity: PolicySeverity.ERROR,
  title: 'Label and annotation keys are qualified names; no reserved kubernetes.io/ or k8s.io/ prefixes beyond the well-known keys',
  description: 'The API server refuses invalid keys at apply time; keys under kubernetes.io/ and k8s.io/ are reserved for Kubernetes components.',
  references: [ref('Kubernetes', 'Labels and Selectors: syntax and character set'), ref('Kubernetes', 'Well-Known Labels, Annotations and Taints')],
  check: (d, report) => {
    for (const { path, map } of metadataMaps(d)) {
      for (const [key] of entries(map)) {
        const problem = qualifiedNameProblem(key);
        if (problem) {report(`${path}["${key}"]`, `key ${problem}`, key, 'use [prefix/]name: a DNS subdomain prefix and a name of at most 63 characters');} else if (RESERVED.test(key) && !ALLOWED_RESERVED.some(a => a.test(key))) {
          report(`${path}["${key}"]`, 'uses a prefix reserved for Kubernetes', key, 'use your own prefix, e.g. lifecycle.inopsio.io/');
        }
      }
    }
  },
});

function stringsOnly(report: Report, path: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    report(path, 'is not a string after YAML 1.1 parsing', value, 'quote YAML-ambiguous values ("yes", "on", "0755", "1e3"); cdk8s\'s writer does this for strings');
  }
}

const B18 = objectRule({
  id: 'B18',
  severity: PolicySeverity.ERROR,
  title: 'String fields stay strings (labels, annotations, ConfigMap data, env values, command and args)',
  description: 'Unquoted yes/on/0755 are booleans and octal numbers in YAML 1.1 (kubectl, the API server); the object is refused or changes meaning.',
  references: [ref('YAML 1.1', 'bool and int (octal) types'), ref('Kubernetes', 'ConfigMap data must be strings')],
  check: (d, report) => {
    for (const { path, map } of metadataMaps(d)) {
      for (const [key, value] of entries(map)) stringsOnly(report, `${path}["${key}"]`, value);
    }
    if (d.kind === 'ConfigMap') for (const [key, value] of entries(d.doc.data)) stringsOnly(report, `data["${key}"]`, value);
    for (const t of podTemplatesOf(d)) {
      for (const c of containersOf(t)) {
        list(c.container.env).forEach((e: any, i: number) => stringsOnly(report, `${c.path}.env[${i}].value`, e?.value));
        for (const f of ['command', 'args']) list(c.container[f]).forEach((a: unknown, i: number) => stringsOnly(report, `${c.path}.${f}[${i}]`, a));
      }
    }
  },
});

/** B03, B17, B18. */
export const OUTPUT_RULES: PolicyRule[] = [B03, B17, B18];

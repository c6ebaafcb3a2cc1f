/**
 * Pre-write secret checks over inputs (issue 15 item 5): every string a user hands the framework, wherever it ends up
 * (module values, backup store and database settings, annotations of alerts, workflow settings, Terraform attributes
 * of resources added to a stack, objects added to a chart) is checked with the one detector
 * (`detectSecretsInValue`: gitleaks' rules + `url-credentials` + `secret-field-literal`) BEFORE the first file is
 * written. A finding names the path of the value and the rule; the value itself is never shown.
 *
 * Framework-free: the engines hand plain data (props objects, rendered JSON of objects) to `inputSecretProblems`.
 */
import { Problems } from './problems';
import { detectSecretsInValue } from './secret-detector';

/** One literal secret found in an input. */
export interface InputSecretFinding {
  /** Where the value is: `environments[0].tenants[1].modules[0].values["env.STRIPE_KEY"]`. */
  readonly path: string;
  /** The rule that found it (`stripe-access-token`, `aws-access-token`, `url-credentials`, ...). */
  readonly ruleId: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function child(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Private fields whose public getter has the plain name (`Environment.tenantList` is `tenants`). */
const PUBLIC_NAME: { [field: string]: string } = { tenantList: 'tenants', moduleList: 'modules' };

/**
 * Every literal secret in the strings reachable from `value` (plain objects, arrays, class instances' own fields;
 * Maps, Sets and functions are not walked), in walk order. Each object is visited once (shared objects and cycles),
 * so a value used in many places is reported at its first path.
 */
export function findInputSecrets(value: unknown, path: string): InputSecretFinding[] {
  const found: InputSecretFinding[] = [];
  const seen = new WeakSet<object>();
  const visit = (v: unknown, at: string, name: string) => {
    if (typeof v === 'string') {
      const hits = detectSecretsInValue(name, v);
      if (hits.length > 0) found.push({ path: at, ruleId: hits[0].ruleId });
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (seen.has(v) || v instanceof Map || v instanceof Set || v instanceof RegExp || v instanceof Date) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((e, i) => visit(e, `${at}[${i}]`, name));
      return;
    }
    for (const key of Object.keys(v)) {
      const shown = PUBLIC_NAME[key] ?? key;
      visit((v as { [k: string]: unknown })[key], child(at, shown), shown);
    }
  };
  visit(value, path, path.split(/[.[\]"]/).filter(s => s !== '').pop() ?? '');
  return found;
}

/**
 * Add one problem per literal secret in `value` to `problems`, each as
 * `<construct path>: <path of the value> holds a literal secret (rule <id>) (got "<redacted>"); <fix>`.
 */
export function addInputSecretProblems(problems: Problems, value: unknown, path: string): void {
  for (const f of findInputSecrets(value, path)) {
    problems.add(f.path, `holds a literal secret (rule ${f.ruleId})`, '<redacted>', 'store it in Vault and reference it ({{ vault(\'kv/data/<path>\', \'<key>\') }} in module values, a VaultRef elsewhere); nothing is written while a secret is in the input (B13)');
  }
}

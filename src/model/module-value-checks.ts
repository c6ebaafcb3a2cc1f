/**
 * The checks of a tenant module's Helm values that need no environment: the syntax of Vault references
 * and literal secrets. `new Tenant()` runs them with the module's other checks, so that one error lists a bad version,
 * a bad Vault path and a password in a URL together. Where a reference may point (the tenant's own prefixes, its
 * environment's mounts) depends on the environment and is checked by `TenantRelease` when the Platform synthesizes.
 */
import { moduleValueEntries } from './module-values';
import { LifecycleValidationError } from './problems';
import { detectSecretsInValue } from './secret-detector';
import { VaultRef } from './vault-ref';

/** One problem of a value, for `Problems.add`. */
export interface TenantValueProblem {
  readonly field: string;
  readonly problem: string;
  readonly got: unknown;
  readonly fix: string;
}

/**
 * Every environment-independent problem of one module's values (`where` is the module's field, e.g. `modules[0]`).
 * Secrets are never echoed: their `got` is `<redacted>`.
 */
export function moduleValueProblems(
  moduleName: string, module: { readonly values?: { [path: string]: string }; readonly valuesJson?: string } | undefined, where: string,
): TenantValueProblem[] {
  const out: TenantValueProblem[] = [];
  const values = module?.values;
  if (values !== undefined && values !== null && (typeof values !== 'object' || Array.isArray(values))) {
    out.push({ field: `${where}.values`, problem: 'is not a map of value paths to strings', got: values, fix: 'write e.g. { "image.tag": "1.4.2" }' });
    return out;
  }
  // Both forms, read once by the owner of module values (module-values.ts); numbers and booleans need no check.
  const structured = moduleValueEntries({ valuesJson: module?.valuesJson }, where);
  out.push(...structured.problems.map(p => ({ field: p.field, problem: p.problem, got: p.got, fix: p.fix })));
  for (const e of structured.entries) {
    if (values?.[e.path] !== undefined) {
      out.push({ field: `${where}.values["${e.path}"]`, problem: 'is also set in valuesJson', got: e.path, fix: 'set each value once: in values or in valuesJson' });
    }
  }
  const leaves = [
    ...Object.keys(values ?? {}).sort().map(key => ({ key, value: values![key] as unknown, field: `${where}.values["${key}"]` })),
    ...structured.entries.filter(e => !e.typed).map(e => ({ key: e.path, value: e.value as unknown, field: e.field })),
  ];
  for (const { key, value, field } of leaves) {
    // The key's syntax depends on who installs the module (Terraform's `set` takes dotted paths, an Argo CD
    // Application's parameters also `a[0]`): checked where the release is built.
    if (typeof value !== 'string') {
      out.push({ field, problem: 'is not a string', got: value, fix: 'write every value as a string; Helm receives it with type "string"' });
      continue;
    }
    let hasReference = false;
    try {
      hasReference = VaultRef.findIn(value).length > 0;
    } catch (e) {
      if (!(e instanceof LifecycleValidationError)) throw e;
      // VaultRef's problems read `VaultRef: <field> <problem> (got ...); <fix>`: keep the wording, name this value.
      for (const line of e.problems) {
        const m = /^VaultRef: (\S+) (.*) \(got (.*)\); (.*)$/.exec(line);
        out.push(m
          ? { field: `${field} ${m[1]}`, problem: m[2], got: new Shown(m[3]), fix: m[4] }
          : { field, problem: line.replace(/^VaultRef: /, ''), got: value, fix: "write {{ vault('<path>') }} or {{ vault('<path>', '<key>') }}" });
      }
      continue;
    }
    if (hasReference) continue;
    // The same detector and wording as the delivery split (module-values.ts), so a value is reported the same way
    // whether the tenant or the release finds it.
    const lastKey = key.split('.').pop()!.replace(/\[\d+\]$/, '');
    const found = detectSecretsInValue(lastKey, value);
    if (found.length > 0) {
      out.push({ field, problem: `holds a literal secret (rule ${found[0].ruleId})`, got: '<redacted>', fix: `store it in Vault and write {{ vault('kv/data/${moduleName}', '${lastKey}') }} (V14, B13: no secrets in values)` });
    }
  }
  return out;
}

/** A value already rendered for a message (`show` prints it as it is). */
class Shown {
  constructor(private readonly text: string) {}
  public toString(): string {
    return this.text;
  }
}

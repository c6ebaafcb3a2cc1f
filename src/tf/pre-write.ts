import { TerraformElement } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The Terraform elements below `scope` (resources, data sources, variables, outputs, ...), as a set to remember which
 * ones the framework built from inputs it has already checked (`Platform` records them after construction).
 */
export function terraformElementsOf(scope: IConstruct): Set<IConstruct> {
  return new Set(scope.node.findAll().filter(c => c instanceof TerraformElement));
}

/**
 * The Terraform JSON of each element below `scope` that is not in `known` (elements added after the framework built
 * its own, e.g. `platform.stackOf('prod')` extended by the user), rendered in memory, keyed by construct path. Tokens
 * stay unresolved (a literal secret is a literal string either way). Used for the pre-write secret check; nothing is
 * written.
 */
export function terraformElementsJson(scope: IConstruct, known: ReadonlySet<IConstruct>): Array<{ path: string; json: unknown }> {
  const out: Array<{ path: string; json: unknown }> = [];
  for (const c of scope.node.findAll()) {
    if (!(c instanceof TerraformElement) || known.has(c)) continue;
    out.push({ path: c.node.path, json: c.toTerraform() });
  }
  return out;
}

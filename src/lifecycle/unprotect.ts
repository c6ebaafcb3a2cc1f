import * as fs from 'fs';
import * as path from 'path';
import { OutputLayout } from '../output/layout';

/**
 * How the decommission workflow lifts `prevent_destroy` (issue 21, item 3) from a permanent environment's stack before
 * `terraform destroy`, and nothing else does: a Terraform override file beside the stack's `cdk.tf.json` that sets
 * `lifecycle.prevent_destroy = false` on every resource the stack protects. Terraform merges `*_override.tf.json`
 * files into the configuration argument by argument (lifecycle blocks too), so the stack as synthesized stays
 * unchanged and the override exists only in the decommission job's working copy, after both approvals.
 *
 * A tenant of a permanent environment is not destroyed this way: the decommission workflow removes it from the tenant
 * registry in its working copy, synthesizes, and applies a plan that the plan gate checks deletes only that tenant's
 * resources (a resource block removed from the configuration is no longer protected by its prevent_destroy).
 */
export const DECOMMISSION_OVERRIDE_FILE = 'decommission_override.tf.json';

/** The override that lifts every `prevent_destroy` of a stack's Terraform JSON (no resources: an empty override). */
export function unprotectOverride(stack: any): { resource?: { [type: string]: { [name: string]: object } } } {
  const resource: { [type: string]: { [name: string]: object } } = {};
  for (const [type, resources] of Object.entries<any>(stack?.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(resources ?? {})) {
      if (body?.lifecycle?.prevent_destroy === true) {
        resource[type] = { ...(resource[type] ?? {}), [name]: { lifecycle: { prevent_destroy: false } } };
      }
    }
  }
  return Object.keys(resource).length > 0 ? { resource } : {};
}

/**
 * Write the override into a stack folder; returns how many resources it unprotects. Throws when the folder has no
 * `cdk.tf.json` (an unprotected destroy of the wrong folder must not look like success).
 */
export function writeUnprotectOverride(stackDirectory: string): number {
  const file = path.join(stackDirectory, OutputLayout.STACK_FILE_NAME);
  const override = unprotectOverride(JSON.parse(fs.readFileSync(file, 'utf8')));
  fs.writeFileSync(path.join(stackDirectory, DECOMMISSION_OVERRIDE_FILE), `${JSON.stringify(override, undefined, 2)}\n`);
  return Object.values(override.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
}

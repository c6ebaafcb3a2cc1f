/**
 * Which Terraform resources hold a tenant's data in permanent classes (issue 21, item 3), once for every layer that
 * protects them: the stacks mark them `lifecycle { prevent_destroy = true }` (src/tf/tenant-protection.ts), the
 * tenant-upgrade workflow refuses a saved plan that deletes or replaces one (src/lifecycle/plan-gate.ts), and policy
 * rule T02 (src/policy/rules/terraform.ts) finds a permanent stack where one is unprotected. Only the decommission
 * workflow, behind its two approvals, lifts the protection (docs/lifecycle.md, "Production tenants are not deleted by an
 * apply"). Framework-free.
 */
import { LifecycleKind } from './environment-class';

/**
 * Resource types whose deletion or replacement loses tenant data: the tenant's PostgreSQL database, its roles (the
 * owner of every table) and schemas, Vault mounts (KV secrets of every tenant), and the Helm releases that create a
 * namespace (the tenant base chart holds the Namespace and its PersistentVolumeClaims; uninstalling it deletes them).
 */
export const TENANT_DATA_RESOURCE_TYPES: readonly string[] = Object.freeze([
  'helm_release',
  'postgresql_database',
  'postgresql_role',
  'postgresql_schema',
  'vault_mount',
]);

/**
 * Is a resource of this type, with these Terraform arguments, tenant data? A `helm_release` only when it creates its
 * namespace (the tenant base release); module releases can be removed by an ordinary apply.
 */
export function isTenantDataResource(type: string, body: { readonly [key: string]: unknown } | undefined): boolean {
  if (!TENANT_DATA_RESOURCE_TYPES.includes(type)) return false;
  return type !== 'helm_release' || body?.create_namespace === true;
}

/**
 * The Helm annotation that keeps an object when its release is uninstalled or the object leaves the chart: set on
 * the tenant Namespace and PersistentVolumeClaims in permanent classes.
 */
export const HELM_RESOURCE_POLICY_ANNOTATION = 'helm.sh/resource-policy';
/** Its value. */
export const HELM_RESOURCE_POLICY_KEEP = 'keep';

/**
 * The jq filter the plan gate runs over `terraform show -json <plan>`: one line per resource change that deletes or
 * replaces tenant data (`<actions> <address>`). Replacement is `["delete","create"]` or `["create","delete"]`
 * (create_before_destroy); both contain "delete". jq's `$tenant` (`--arg tenant`) names the one tenant whose
 * resources may go (the decommission of that tenant: addresses hold the construct id `Tenant-<id>` followed by `_`,
 * and tenant ids have no `_`); empty, none may. Kept here, beside the list it encodes, so that the workflows, the
 * tests and the docs use one filter.
 */
export function tenantDataDeletionsFilter(): string {
  const types = TENANT_DATA_RESOURCE_TYPES.map(t => JSON.stringify(t)).join(', ');
  return [
    '.resource_changes[]?',
    '| select(.mode == "managed")',
    '| select((.change.actions // []) | index("delete"))',
    `| select(.type as $t | [${types}] | index($t))`,
    '| select(.type != "helm_release" or (.change.before.create_namespace // false) == true)',
    '| select($tenant == "" or ((.address | contains("Tenant-" + $tenant + "_")) | not))',
    '| "\\(.change.actions | join("+")) \\(.address)"',
  ].join(' ');
}

/**
 * Annotations that keep a tenant object (Namespace, PersistentVolumeClaim) through a Helm uninstall or a chart that no
 * longer holds it, in permanent classes: `helm.sh/resource-policy: keep`. Empty for other classes, whose tenants an
 * ordinary apply may remove. The decommission workflow deletes the tenant namespace itself after the uninstall.
 */
export function keepAnnotations(lifecycle: LifecycleKind): { [key: string]: string } {
  return lifecycle === LifecycleKind.PERMANENT ? { [HELM_RESOURCE_POLICY_ANNOTATION]: HELM_RESOURCE_POLICY_KEEP } : {};
}

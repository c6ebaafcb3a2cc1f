import { tenantDataDeletionsFilter } from '../model/tenant-protection';

/**
 * The plan gate of permanent environments (issue 21, item 3): a bash script that fails when a saved Terraform plan
 * deletes or replaces tenant data (`TENANT_DATA_RESOURCE_TYPES`, src/model/tenant-protection.ts). The tenant-upgrade
 * workflow runs it on `terraform show -json` of every stack's plan, after the plan is shown and before the approval
 * of the production environment is even asked for, and again on the downloaded plan right before `terraform apply` of
 * that saved plan. A registry change that drops or renames a production tenant therefore stops at the plan; only the
 * decommission workflow removes a tenant.
 *
 * Inputs (environment variables): `PLAN_DIR`, a folder of `<stack>.json` files (`terraform show -json <stack>.tfplan`);
 * `ALLOWED_TENANT`, the one tenant whose resources may be deleted (the decommission of that tenant), empty otherwise;
 * `PLANS_OPTIONAL=true` lets a folder without plans pass (the decommission of anything but a production tenant).
 * jq reads the plans (GitHub's runners have it); `lifecycle { prevent_destroy = true }` on the same resources is the
 * second line when a plan is applied without this gate.
 */
export function planGateScript(): string {
  const filter = tenantDataDeletionsFilter();
  // The filter is written between single quotes.
  if (filter.includes('\'')) throw new Error('tenantDataDeletionsFilter must not contain a single quote');
  return [
    '# Plan gate (issue 21): no saved plan of a permanent environment deletes or replaces tenant data.',
    'set -euo pipefail',
    ': "${PLAN_DIR:?PLAN_DIR is empty: the folder of <stack>.json plans (terraform show -json)}"',
    'shopt -s nullglob',
    'plans=("$PLAN_DIR"/*.json)',
    'if [ "${#plans[@]}" -eq 0 ]; then',
    '  if [ "${PLANS_OPTIONAL:-}" = true ]; then echo "plan gate: no plan to check"; exit 0; fi',
    '  echo "::error::no plan in $PLAN_DIR to check" >&2; exit 1',
    'fi',
    'allowed="${ALLOWED_TENANT:-}"',
    'others=""',
    'if [ -n "$allowed" ]; then others=" of tenants other than $allowed"; fi',
    'refused=0',
    'for plan in "${plans[@]}"; do',
    '  stack="$(basename "$plan" .json)"',
    `  found="$(jq -r --arg tenant "$allowed" '${filter} | "  " + .' "$plan")"`,
    '  if [ -n "$found" ]; then',
    '    refused=1',
    '    echo "::error::the plan of stack $stack deletes or replaces tenant data; only the decommission workflow removes a tenant (docs/lifecycle.md):" >&2',
    '    printf \'%s\\n\' "$found" >&2',
    '  else',
    '    echo "plan gate: the plan of stack $stack deletes or replaces no tenant data$others"',
    '  fi',
    'done',
    'exit "$refused"',
    '',
  ].join('\n');
}

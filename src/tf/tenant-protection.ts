import { Environment } from '../model/environment';
import { LifecycleKind } from '../model/environment-class';
import { isTenantDataResource } from '../model/tenant-protection';

/**
 * `lifecycle { prevent_destroy = true }` on every tenant data resource (`isTenantDataResource`,
 * src/model/tenant-protection.ts) of a permanent environment's stack JSON (issue 21, item 3): Terraform then refuses
 * any plan that would delete or replace one, even one applied without the tenant-upgrade workflow's plan gate. Applied
 * to the JSON the stack writes, with the predicate the gate and policy rule T02 use, so no construct can add a tenant
 * data resource that escapes it. The decommission workflow lifts it (docs/lifecycle.md). Returns `json`, changed.
 */
export function protectTenantData(json: any, env: Environment): any {
  if (env.environmentClass.lifecycle !== LifecycleKind.PERMANENT || !json || typeof json.resource !== 'object') return json;
  for (const [type, resources] of Object.entries<any>(json.resource)) {
    for (const body of Object.values<any>(resources ?? {})) {
      if (body && typeof body === 'object' && isTenantDataResource(type, body)) {
        body.lifecycle = { ...(body.lifecycle ?? {}), prevent_destroy: true };
      }
    }
  }
  return json;
}

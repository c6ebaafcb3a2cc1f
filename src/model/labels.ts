import { Environment } from './environment';
import { Tenant } from './tenant';

/** The `app.kubernetes.io/managed-by` value of everything this library generates. */
export const MANAGED_BY = 'inopsio-env-lifecycle';
/** The `app.kubernetes.io/part-of` value. */
export const PART_OF = 'inopsio';
/** Prefix of the library's own labels and annotations. */
export const DOMAIN = 'lifecycle.inopsio.io';

/**
 * Labels stamped on every object of a tenant (K04): the standard `app.kubernetes.io/*` set plus `env` and
 * `tenant`, which Loki and Grafana filter on (spec §6). Derived as plain values so k8s and tf agree.
 */
export function tenantLabels(env: Environment, tenant: Tenant, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': env.namespaceFor(tenant.id),
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': PART_OF,
    'env': env.name,
    'tenant': tenant.id,
  };
}

/** Labels for environment-wide objects that belong to no tenant. */
export function environmentLabels(env: Environment, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': env.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': PART_OF,
    'env': env.name,
  };
}

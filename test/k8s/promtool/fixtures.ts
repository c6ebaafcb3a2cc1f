/** Environments shared by the observability tests. */
import { Environment } from '../../../src/model/environment';
import { EnvironmentClass } from '../../../src/model/environment-class';
import { Period } from '../../../src/model/period';
import { TenantState } from '../../../src/model/tenant';

/** A tenant module (its pods are what exposes scrape targets). */
const BILLING = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '1.0.0' };

/**
 * Production: backups with offsite copy; active tenants acme and globex with a module, hooli without a database (no
 * backups) and without modules (no scrape targets expected), suspended initech; with `withObjectOnlyTenant`, umbrella
 * with objects but no database (backed up through its objects, without modules).
 */
export function prodEnvironment(withObjectOnlyTenant: boolean = false): Environment {
  return new Environment({
    name: 'prod',
    environmentClass: EnvironmentClass.PRODUCTION,
    tenants: [{ id: 'acme', modules: [BILLING] }, { id: 'globex', modules: [BILLING] }, { id: 'hooli', database: false, objectStorage: false }, { id: 'initech', state: TenantState.SUSPENDED },
      // No database, but objects: backed up all the same (kind="objects" instead of "dump"; issue 23).
      ...(withObjectOnlyTenant ? [{ id: 'umbrella', database: false, objectStorage: true }] : [])],
  });
}

/**
 * A preview created at the Unix epoch, so that promtool (whose clock starts at 0) reaches its expiry
 * (48 h = 172800 s) within a short simulation.
 */
export function previewEnvironment(): Environment {
  return Environment.preview({
    branch: 'feature-x',
    createdAt: '1970-01-01T00:00:00Z',
    owner: 'dev@inopsio.example',
    ttl: Period.hours(48),
    tenants: [{ id: 'demo' }],
  });
}

import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps, TenantState } from '../../src/model/tenant';

/** Creation time of the expiring environments: output never depends on the clock. */
export const CREATED_AT = '2026-11-28T09:00:00Z';
export const PREVIEW_BRANCH = 'feature/JIRA-123_Add Billing!!';

export const billing = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: {
    'replicaCount': '2',
    'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
  },
};

/** The tenant databases' server (Vault's connections and the pods' connection strings). */
export const DATABASE_SERVER = { host: 'postgres.databases.svc' };

export const tenants: TenantProps[] = [
  { id: 'acme', displayName: 'Acme Corp', createdAt: '2026-01-15T10:00:00Z', modules: [billing] },
  { id: 'globex', displayName: 'Globex', createdAt: '2026-03-02T08:30:00Z', modules: [billing] },
  { id: 'initech', displayName: 'Initech', createdAt: '2026-06-20T14:00:00Z' },
];

/**
 * The reference platform of examples/main.ts, with one archived production tenant (initech) to decommission.
 * Every tenant of the environments named in `retired` is archived, as before decommissioning the whole environment.
 */
export function referenceEnvironments(retired: string[] = []): Environment[] {
  const archive = (env: Environment) => !retired.includes(env.name) ? env : new Environment({
    name: env.name,
    environmentClass: env.environmentClass,
    createdAt: env.createdAt,
    database: env.database,
    tenants: tenants.map(t => ({ ...t, state: TenantState.ARCHIVED })),
  });
  return [
    new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: CREATED_AT, database: DATABASE_SERVER, tenants: tenants.map(t => t.id === 'globex' ? { ...t, state: TenantState.ARCHIVED } : t) }),
    new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: DATABASE_SERVER, tenants }),
    new Environment({
      name: 'prod',
      environmentClass: EnvironmentClass.PRODUCTION,
      database: DATABASE_SERVER,
      tenants: tenants.map(t => t.id === 'initech' ? { ...t, state: TenantState.ARCHIVED } : t),
    }),
    Environment.preview({ branch: PREVIEW_BRANCH, owner: 'dana@inopsio.example', createdAt: CREATED_AT, database: DATABASE_SERVER, tenants: [tenants[0]] }),
  ].map(archive);
}

/** The reference platform with every production tenant archived: production can then be decommissioned as a whole. */
export function archivedProductionEnvironments(): Environment[] {
  return referenceEnvironments(['prod']);
}

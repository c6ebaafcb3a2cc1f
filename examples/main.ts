// The reference platform: dev, staging, prod and one preview, three tenants.
// `npm run example` synthesizes it into dist/k8s/<env>/ and cdktf.out/stacks/<env>/.
import {
  EgressTarget,
  Environment,
  EnvironmentClass,
  Platform,
  TenantProps,
} from '@inopsio/env-lifecycle';
import { App } from 'cdktf';

// Creation times come from CI (the pull request's timestamp), never from the clock: output stays deterministic.
const CREATED_AT = process.env.PLATFORM_CREATED_AT ?? '2026-11-28T09:00:00Z';

const billing = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: {
    'replicaCount': '2',
    'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
  },
};

const tenants: TenantProps[] = [
  { id: 'acme', displayName: 'Acme Corp', createdAt: '2026-01-15T10:00:00Z', modules: [billing] },
  { id: 'globex', displayName: 'Globex', createdAt: '2026-03-02T08:30:00Z', modules: [billing] },
  { id: 'initech', displayName: 'Initech', createdAt: '2026-06-20T14:00:00Z' },
];

const app = new App();

new Platform(app, 'inopsio', {
  environments: [
    new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: CREATED_AT, tenants }),
    new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
    new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
    Environment.preview({
      branch: 'feature/JIRA-123_Add Billing!!',
      owner: 'dana@inopsio.example',
      createdAt: CREATED_AT,
      tenants: [tenants[0]],
    }),
  ],
  network: {
    database: EgressTarget.cidr('10.20.0.0/24', 5432),
    objectStore: EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000),
    vault: EgressTarget.podsInNamespace('vault', { 'app.kubernetes.io/name': 'vault' }, 8200),
  },
}).synth();

// VaultBootstrap.addBackupAccess: the Vault side of a tenant's BackupSchedule (dump and drill database roles, the
// backup policy, the Kubernetes auth role), asserted on the synthesized Terraform JSON. The policy's HCL is parsed in
// vault-policy-hcl.test.ts (the one file that loads @cdktf/hcl2json); the SQL runs in vault-bootstrap-backup.pg.test.ts.
import { Testing as K8sTesting } from 'cdk8s';
import { Testing } from 'cdktf';
import { ACME, devEnv, errorOf, findResource, GLOBEX, prodEnv, resources, stagingEnv, synthJson, writeChart } from './fixtures';
import { BackupSchedule } from '../../src/k8s/backup-schedule';
import { TenantBackupPlan, TenantBackupProps } from '../../src/model/backup-plan';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Period } from '../../src/model/period';
import { LifecycleValidationError } from '../../src/model/problems';
import { Tenant, TenantProps } from '../../src/model/tenant';
import { VaultRef } from '../../src/model/vault-ref';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { BackupVaultAccessOptions, VaultBootstrapOptions } from '../../src/tf/vault-bootstrap';

const INITECH: TenantProps = { id: 'initech' };

/** The paths a default BackupSchedule of dev/acme reads, with dumps through the read-only role. */
const DEV_PATHS = [
  'database-dev/creds/acme-backup',
  'database-dev/creds/acme-drill',
  'kv-dev/data/dev/acme/backup/offsite-store',
  'kv-dev/data/dev/acme/backup/primary-store',
];
const DEV_OPTIONS: BackupVaultAccessOptions = { serviceAccountName: 'backup-dev-acme', secretPaths: DEV_PATHS };

function stackOf(env: Environment, vault: VaultBootstrapOptions = {}): EnvironmentStack {
  return new EnvironmentStack(Testing.app(), env.name, { environment: env, vault });
}

function withBackup(
  env: Environment = devEnv([ACME, GLOBEX, INITECH]), options: BackupVaultAccessOptions = DEV_OPTIONS, vault: VaultBootstrapOptions = {},
) {
  const stack = stackOf(env, vault);
  const access = stack.vault.addBackupAccess('acme', options);
  return { stack, access, json: synthJson(stack) };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

const ref = (json: any, type: string, attr: string, value: string) => findResource(json, type, attr, value).id;
/** The CONNECT grant of a role on its database (roles are referenced, so match the reference). */
const grantOf = (json: any, roleName: string) => {
  const roleId = ref(json, 'postgresql_role', 'name', roleName);
  const [id] = Object.entries(resources(json, 'postgresql_grant')).find(([, g]) => (g as any).role === `\${${roleId}.name}`)!;
  return `postgresql_grant.${id}`;
};

describe('addBackupAccess: database roles (V09–V10, F9, F10)', () => {
  const { json } = withBackup();
  const connection = findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme');
  const rotation = ref(json, 'vault_generic_endpoint', 'path', 'database-dev/rotate-root/acme');

  test('the drill role: its own login that runs as the CREATEDB group role, never superuser, expiring with the lease', () => {
    const drill = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-drill').body;
    expect(drill).toEqual({
      backend: '${vault_mount.Vault_Database_D9C7A923.path}',
      name: 'acme-drill',
      db_name: `\${${connection.id}.name}`,
      default_ttl: 3600,
      max_ttl: 3600,
      // The tenant database's issue_user creates a NOINHERIT login in dev_acme_drill whose sessions start as that group.
      creation_statements: ['SELECT "vault"."issue_user"(\'drill\', \'{{name}}\', \'{{password}}\', \'{{expiration}}\');'],
      revocation_statements: ['SELECT "vault"."revoke_user"(\'{{name}}\');'],
      depends_on: [rotation, ref(json, 'postgresql_role', 'name', 'dev_acme_backup'), ref(json, 'postgresql_role', 'name', 'dev_acme_drill'), grantOf(json, 'dev_acme_backup')],
    });
    expect(drill.default_ttl).toBeLessThanOrEqual(3600);
    expect(drill.max_ttl).toBeLessThanOrEqual(86400);
    const create = drill.creation_statements.join('\n');
    expect(create).not.toMatch(/CREATE ROLE|(?<!NO)SUPERUSER|(?<!NO)CREATEROLE|(?<!NO)REPLICATION|(?<!NO)BYPASSRLS|ALL PRIVILEGES|pg_read_all_data|pg_signal_backend/);
    // Vault splits statements on ";" (unless they contain END) and runs them in one transaction: no DO blocks, no
    // DROP DATABASE (impossible inside a transaction).
    for (const s of [...drill.creation_statements, ...drill.revocation_statements]) {
      expect(s.match(/;/g)).toHaveLength(1);
      expect(s).not.toMatch(/\bEND\b|DROP DATABASE/);
    }
  });

  test('the dump role: read-only group, read-only sessions, same lease bounds', () => {
    const dump = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-backup').body;
    expect(dump).toMatchObject({ db_name: `\${${connection.id}.name}`, default_ttl: 3600, max_ttl: 3600 });
    expect(dump.depends_on).toEqual([rotation, ref(json, 'postgresql_role', 'name', 'dev_acme_backup'), ref(json, 'postgresql_role', 'name', 'dev_acme_drill'), grantOf(json, 'dev_acme_backup')]);
    // issue_user('backup', ...) creates an INHERIT login in dev_acme_backup with default_transaction_read_only = on.
    expect(dump.creation_statements).toEqual(['SELECT "vault"."issue_user"(\'backup\', \'{{name}}\', \'{{password}}\', \'{{expiration}}\');']);
    expect(dump.revocation_statements).toEqual(['SELECT "vault"."revoke_user"(\'{{name}}\');']);
    expect(dump.creation_statements.join('\n')).not.toContain('dev_acme_app');
  });

  test('the TTLs follow databaseCredentialTtl, and max_ttl = default_ttl (nothing renews them)', () => {
    const { json: prod } = withBackup(prodEnv(), { serviceAccountName: 'backup-prod-acme', secretPaths: ['database-prod/creds/acme-backup'] }, { databaseCredentialTtl: Period.minutes(45) });
    for (const name of ['acme-backup', 'acme-drill']) {
      expect(findResource(prod, 'vault_database_secret_backend_role', 'name', name).body).toMatchObject({ default_ttl: 2700, max_ttl: 2700 });
    }
    // The application role keeps its own bounds.
    expect(findResource(prod, 'vault_database_secret_backend_role', 'name', 'acme-db').body).toMatchObject({ default_ttl: 2700, max_ttl: 86400 });
  });

  test('allowed_roles lists every role of the tenant (sorted) and nothing of other tenants', () => {
    expect(connection.body.allowed_roles).toEqual(['acme-backup', 'acme-db', 'acme-drill']);
    expect(findResource(json, 'vault_database_secret_backend_connection', 'name', 'initech').body.allowed_roles).toEqual(['initech-db']);
    const roles = Object.values(resources(json, 'vault_database_secret_backend_role')) as any[];
    expect(roles.map(r => r.name).sort()).toEqual(['acme-backup', 'acme-db', 'acme-drill', 'initech-db']);
    // Every role is on a connection that allows it.
    const connections = Object.entries(resources(json, 'vault_database_secret_backend_connection'));
    for (const r of roles) {
      const [, conn] = connections.find(([id]) => r.db_name === `\${vault_database_secret_backend_connection.${id}.name}`)!;
      expect((conn as any).allowed_roles).toContain(r.name);
    }
  });
});

describe('addBackupAccess: policy (V01–V02)', () => {
  test('read on exactly the listed paths, nothing else; deterministic whatever the order and duplicates', () => {
    const { access, json } = withBackup();
    const policy = findResource(json, 'vault_policy', 'name', 'dev-acme-backup').body;
    expect(access.policyDocument.rules.map(r => [r.path, r.capabilities])).toEqual(DEV_PATHS.map(p => [p, ['read']]));
    expect(policy.policy).toBe(access.policyDocument.render());
    expect(access.secretPaths).toEqual(DEV_PATHS);
    const shuffled = withBackup(undefined, { serviceAccountName: 'backup-dev-acme', secretPaths: [...DEV_PATHS].reverse().concat(DEV_PATHS[0]) });
    expect(findResource(shuffled.json, 'vault_policy', 'name', 'dev-acme-backup').body.policy).toBe(policy.policy);
    expect(Testing.synth(withBackup().stack)).toBe(Testing.synth(withBackup().stack));
  });

  test('the application role stays readable for dumps (BackupSchedule\'s current default), and only what is listed', () => {
    const paths = ['database-dev/creds/acme-db', 'database-dev/creds/acme-drill', 'kv-dev/data/dev/acme/backup/primary-store'];
    const { access } = withBackup(undefined, { serviceAccountName: 'backup-dev-acme', secretPaths: paths });
    expect(access.policyDocument.rules.map(r => r.path)).toEqual(paths);
  });

  test('the tenant policy is unchanged by backup access', () => {
    const { json } = withBackup();
    const tenant = findResource(json, 'vault_policy', 'name', 'env-dev-tenant-acme').body.policy;
    expect(tenant).not.toMatch(/acme-backup|acme-drill|backup\/primary-store/);
  });
});

describe('addBackupAccess: Kubernetes auth role (V07)', () => {
  test('bound to exactly the backup service account and the tenant namespace, audience, short TTL, the backup policy only', () => {
    const { access, json } = withBackup();
    const role = findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'dev-acme-backup').body;
    expect(role).toEqual({
      backend: `\${${ref(json, 'vault_auth_backend', 'type', 'kubernetes')}.path}`,
      role_name: 'dev-acme-backup',
      bound_service_account_names: ['backup-dev-acme'],
      bound_service_account_namespaces: ['dev-acme'],
      audience: 'vault',
      token_ttl: 3600,
      token_max_ttl: 3600,
      token_policies: [`\${${ref(json, 'vault_policy', 'name', 'dev-acme-backup')}.name}`],
      depends_on: [`vault_kubernetes_auth_backend_config.${Object.keys(resources(json, 'vault_kubernetes_auth_backend_config'))[0]}`],
    });
    expect(access).toMatchObject({ roleName: 'dev-acme-backup', authPath: 'auth/kubernetes-dev', namespace: 'dev-acme', serviceAccountName: 'backup-dev-acme', tokenTtlSeconds: 3600, activeDeadlineSeconds: 3300 });
    // The tenant's own role does not gain the backup service account.
    expect(findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'acme').body.bound_service_account_names).toEqual(['billing']);
  });

  test('production: the class\'s 30-minute token, the configured audience, a custom role name', () => {
    // The audience is the environment's (the pods' projected tokens and every role agree), not a VaultBootstrap option.
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, vaultTokenAudience: 'https://kubernetes.default.svc', tenants: [ACME, GLOBEX] });
    const { json } = withBackup(env, { serviceAccountName: 'backup-prod-acme', roleName: 'prod-acme-dumps', secretPaths: ['kv-prod/data/prod/acme/backup/primary-store'] });
    expect(findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'prod-acme-dumps').body).toMatchObject({
      bound_service_account_names: ['backup-prod-acme'],
      bound_service_account_namespaces: ['prod-acme'],
      audience: 'https://kubernetes.default.svc',
      token_ttl: 1800,
      token_max_ttl: 1800,
    });
    expect(findResource(json, 'vault_policy', 'name', 'prod-acme-backup')).toBeDefined();
  });

  test('a shorter token TTL with a matching deadline', () => {
    const { json } = withBackup(undefined, { ...DEV_OPTIONS, tokenTtl: Period.minutes(20), activeDeadlineSeconds: 1140 });
    expect(findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'dev-acme-backup').body).toMatchObject({ token_ttl: 1200, token_max_ttl: 1200 });
  });
});

describe('addBackupAccess: the names BackupSchedule uses', () => {
  const image = ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`);
  const schedule = (env: Environment, credentials?: VaultRef) => new BackupSchedule(K8sTesting.chart(), 'Backup', {
    environment: env,
    tenant: env.tenants.find(t => t.id === 'acme')!,
    image,
    database: { host: 'postgres.databases.svc', egress: EgressTarget.cidr('10.20.0.0/24', 5432), caConfigMap: 'postgres-ca', credentials },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: EgressTarget.cidr('10.30.0.0/24', 9000) },
    offsiteStore: { endpoint: 'https://s3.example.com', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('203.0.113.0/24', 443) },
  });

  test.each([
    ['staging, dumps as <tenant>-backup', stagingEnv, VaultRef.databaseCreds('tenant-backup'), 'staging-acme'],
    ['prod, dumps as <tenant>-backup', prodEnv, VaultRef.databaseCreds('tenant-backup'), 'prod-acme'],
    ['prod, today\'s default (dumps as <tenant>-db)', prodEnv, undefined, 'prod-acme'],
  ] as const)('%s', (_label, make, credentials, namespace) => {
    const env = make();
    const s = schedule(env, credentials);
    const { access, json } = withBackup(env, {
      serviceAccountName: s.serviceAccountName,
      roleName: s.vaultRole,
      secretPaths: s.vaultSecretPaths,
      activeDeadlineSeconds: Math.max(s.activeDeadlineSeconds, s.restoreDrillActiveDeadlineSeconds),
    });
    expect(access.roleName).toBe(s.vaultRole);
    expect(access.roleName).toBe(`${env.name}-acme-backup`);
    expect(access.authPath).toBe(s.vaultAuthPath);
    expect(access.namespace).toBe(s.namespace);
    expect(access.namespace).toBe(namespace);
    expect(access.secretPaths).toEqual(s.vaultSecretPaths);
    expect(s.vaultSecretPaths).toContain(access.drillCredsPath);
    if (credentials) expect(s.vaultSecretPaths).toContain(access.backupCredsPath);
    // F9: the role's tokens outlive every Job of the schedule by the schedule's own margin.
    expect(s.activeDeadlineSeconds + 60).toBeLessThanOrEqual(access.tokenTtlSeconds);
    expect(s.credentialLifetimeSeconds).toBe(access.tokenTtlSeconds);
    const role = findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', s.vaultRole).body;
    expect(role.bound_service_account_names).toEqual([s.serviceAccountName]);
    expect(role.audience).toBe('vault');
  });
});

describe('addBackupAccess: dependencies', () => {
  test('the tenant base waits for the backup access when it is added first', () => {
    const stack = stackOf(devEnv([ACME]));
    const access = stack.vault.addBackupAccess('acme', DEV_OPTIONS);
    const tenant = stack.vault.tenantResources('acme');
    expect(tenant.backupAccess).toBe(access);
    expect(tenant.databaseRoleNames).toEqual(['acme-backup', 'acme-db', 'acme-drill']);
    expect(tenant.dependables).toEqual([
      tenant.policy, ...tenant.postgres!.dependables.slice(0, -3), tenant.databaseConnection, tenant.rootRotation, tenant.databaseRole,
      tenant.kubernetesRole, ...access.dependables,
    ]);
    expect(access.dependables).toEqual([access.backupDatabaseRole, access.drillDatabaseRole, access.policy, access.kubernetesRole]);
    stack.addTenantBase(stack.environment.tenants[0], writeChart('dev-acme-backup-deps'));
    const json = synthJson(stack);
    const base = findResource(json, 'helm_release', 'name', 'acme-base').body;
    expect(base.depends_on).toEqual(expect.arrayContaining([
      ref(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'dev-acme-backup'),
      ref(json, 'vault_database_secret_backend_role', 'name', 'acme-drill'),
      ref(json, 'vault_database_secret_backend_role', 'name', 'acme-backup'),
      ref(json, 'vault_policy', 'name', 'dev-acme-backup'),
    ]));
  });
});

describe('addBackupAccess: refused input (every problem listed)', () => {
  const P = 'dev/Vault.addBackupAccess';

  test('unknown tenant, with the other problems of the same call', () => {
    const stack = stackOf(devEnv());
    expect(errorOf(() => stack.vault.addBackupAccess('nope', { serviceAccountName: 'Backup_Job', secretPaths: [] }))).toBe([
      '3 problems:',
      `  - ${P}: tenantId is not a tenant of this bootstrap (got "nope"); use one of acme, globex, or addTenant first`,
      `  - ${P}: serviceAccountName is not a DNS label (got "Backup_Job"); pass BackupSchedule.serviceAccountName, e.g. "backup-acme"; one exact name, never "*" (V07)`,
      `  - ${P}: secretPaths is empty (got []); pass BackupSchedule.vaultSecretPaths: every path the backup and drill pods read`,
    ].join('\n'));
  });

  test('a tenant without a database', () => {
    const stack = stackOf(devEnv());
    expect(problemsOf(() => stack.vault.addBackupAccess('globex', { serviceAccountName: 'backup-dev-globex', secretPaths: ['kv-dev/data/dev/globex/backup/primary-store'] }))).toEqual([
      `${P}: tenantId names a tenant without a database (database: false) (got "globex"); add backup access only for tenants with database: true (there is nothing to dump); a tenant whose backup is its objects gets its Vault side from addBackupPlan(TenantBackupPlan.of({ ..., tenantObjects }))`,
    ]);
    expect(Object.values(resources(synthJson(stack), 'vault_kubernetes_auth_backend_role')).map((r: any) => r.role_name)).toEqual(['acme']);
  });

  test.each([
    ['*', 'is not a DNS label'],
    ['', 'is not a DNS label'],
    ['backup.dev.acme', 'is not a DNS label'],
    ['-backup', 'is not a DNS label'],
    ['x'.repeat(64), 'is not a DNS label'],
    ['billing', 'is the service account of module "billing"'],
    ['backup', 'is also in serviceAccountNames, so it logs in as every tenant role too'],
  ])('service account %j: %s', (sa, problem) => {
    const stack = stackOf(devEnv(), { serviceAccountNames: ['backup'] });
    const problems = problemsOf(() => stack.vault.addBackupAccess('acme', { ...DEV_OPTIONS, serviceAccountName: sa }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${P}: serviceAccountName ${problem} (got ${JSON.stringify(sa)})`);
  });

  test('paths outside the tenant\'s prefixes, in another environment\'s mounts, or not exact', () => {
    const stack = stackOf(devEnv());
    const bad = [
      'database-prod/creds/acme-backup',
      'kv-prod/data/prod/acme/backup/primary-store',
      'kv-staging/data/staging/acme/backup/primary-store',
      'kv-dev/data/dev/globex/backup/primary-store',
      'kv-dev/data/dev/acme',
      'kv-dev/metadata/dev/acme/backup/primary-store',
      'database-dev/creds/globex-db',
      'database-dev/creds/acme-admin',
      'database-dev/roles/acme-drill',
      'cache-dev/creds/acme-cache',
      'sys/leases/renew',
      'auth/token/create',
      'secret/data/acme',
      'kv/data/backup/primary-store',
      'kv-dev/data/dev/acme/*',
      'kv-dev/data/dev/+/backup',
      'kv-dev/data/dev/acme/../globex/x',
      'kv-dev/data/dev/acme//x',
      'kv-dev/data/dev/acme/{{identity.entity.id}}',
      'kv-dev/data/dev/acme/a%2Fb',
      'kv-dev/data/dev/acme/backup/primary store',
      '',
    ];
    const problems = problemsOf(() => stack.vault.addBackupAccess('acme', { serviceAccountName: 'backup-dev-acme', secretPaths: [...bad, ...DEV_PATHS] }));
    expect(problems).toHaveLength(bad.length);
    bad.forEach((_p, i) => expect(problems[i]).toContain(`${P}: secretPaths[${i}] `));
    const scope = 'use the tenant\'s database-dev/creds/acme-backup, database-dev/creds/acme-drill, database-dev/creds/acme-db or a KV path under kv-dev/data/dev/acme/';
    expect(problems).toEqual([
      `${P}: secretPaths[0] points at another environment's mount "database-prod" from environment "dev" (got "database-prod/creds/acme-backup"); an environment reads only its own mounts (V12, B12): use database-dev/...`,
      `${P}: secretPaths[1] points at another environment's mount "kv-prod" from environment "dev" (got "kv-prod/data/prod/acme/backup/primary-store"); an environment reads only its own mounts (V12, B12): use kv-dev/...`,
      `${P}: secretPaths[2] points at another environment's mount "kv-staging" from environment "dev" (got "kv-staging/data/staging/acme/backup/primary-store"); an environment reads only its own mounts (V12, B12): use kv-dev/...`,
      `${P}: secretPaths[3] is outside tenant "acme"'s prefix kv-dev/data/dev/acme/ (got "kv-dev/data/dev/globex/backup/primary-store"); read only the tenant's own KV v2 data paths (V02)`,
      `${P}: secretPaths[4] is outside tenant "acme"'s prefix kv-dev/data/dev/acme/ (got "kv-dev/data/dev/acme"); read only the tenant's own KV v2 data paths (V02)`,
      `${P}: secretPaths[5] is outside tenant "acme"'s prefix kv-dev/data/dev/acme/ (got "kv-dev/metadata/dev/acme/backup/primary-store"); read only the tenant's own KV v2 data paths (V02)`,
      `${P}: secretPaths[6] is not one of tenant "acme"'s backup credentials (got "database-dev/creds/globex-db"); use database-dev/creds/acme-backup, database-dev/creds/acme-drill, database-dev/creds/acme-db (V02)`,
      `${P}: secretPaths[7] is not one of tenant "acme"'s backup credentials (got "database-dev/creds/acme-admin"); use database-dev/creds/acme-backup, database-dev/creds/acme-drill, database-dev/creds/acme-db (V02)`,
      `${P}: secretPaths[8] is not one of tenant "acme"'s backup credentials (got "database-dev/roles/acme-drill"); use database-dev/creds/acme-backup, database-dev/creds/acme-drill, database-dev/creds/acme-db (V02)`,
      `${P}: secretPaths[9] is not one of tenant "acme"'s backup credentials (got "cache-dev/creds/acme-cache"); use database-dev/creds/acme-backup, database-dev/creds/acme-drill, database-dev/creds/acme-db (V02)`,
      `${P}: secretPaths[10] targets the Vault system path "sys/" (got "sys/leases/renew"); backup policies read secrets only (V01): ${scope}`,
      `${P}: secretPaths[11] targets the Vault system path "auth/" (got "auth/token/create"); backup policies read secrets only (V01): ${scope}`,
      `${P}: secretPaths[12] is outside the tenant's prefixes (unknown mount "secret") (got "secret/data/acme"); ${scope} (V02)`,
      `${P}: secretPaths[13] is relative (got "kv/data/backup/primary-store"); write the absolute path of environment "dev", as BackupSchedule.vaultSecretPaths does, e.g. "kv-dev/data/dev/acme/backup/primary-store"`,
      ...bad.slice(14, 21).map((p, j) => `${P}: secretPaths[${14 + j}] is not an exact Vault path (got ${JSON.stringify(p)}); write an absolute path without "*", "+", "..", empty segments, templates, encodings or whitespace (B07)`),
      `${P}: secretPaths[21] is empty (got ""); name an exact Vault path, e.g. "kv-prod/data/prod/acme/backup/primary-store"`,
    ]);
    // Nothing was created by the refused call.
    expect(stack.vault.tenantResources('acme').backupAccess).toBeUndefined();
    expect(findResource(synthJson(stack), 'vault_database_secret_backend_connection', 'name', 'acme').body.allowed_roles).toEqual(['acme-db']);
  });

  test('a second call, and Kubernetes role names that collide', () => {
    const stack = stackOf(devEnv([ACME, GLOBEX, INITECH]));
    stack.vault.addBackupAccess('acme', DEV_OPTIONS);
    expect(problemsOf(() => stack.vault.addBackupAccess('acme', DEV_OPTIONS))).toEqual([
      `${P}: tenantId already has backup access (got "acme"); add backup access once per tenant; its one BackupSchedule covers the backup and the drill`,
    ]);
    const initech = { serviceAccountName: 'backup-dev-initech', secretPaths: ['database-dev/creds/initech-drill'] };
    expect(problemsOf(() => stack.vault.addBackupAccess('initech', { ...initech, roleName: 'globex' }))).toEqual([
      `${P}: roleName is the Kubernetes auth role of tenant "globex" (got "globex"); use a name of its own, e.g. "dev-initech-backup"`,
    ]);
    expect(problemsOf(() => stack.vault.addBackupAccess('initech', { ...initech, roleName: 'dev-acme-backup' }))).toEqual([
      `${P}: roleName is already the backup role of tenant "acme" (got "dev-acme-backup"); use "dev-initech-backup"`,
    ]);
    expect(problemsOf(() => stack.vault.addBackupAccess('initech', { ...initech, roleName: 'Initech Backup!' }))).toEqual([
      `${P}: roleName is not a Vault role name (got "Initech Backup!"); pass BackupSchedule.vaultRole, e.g. "prod-acme-backup" (lower-case letters, digits, "-" and "_")`,
    ]);
    expect(errorOf(() => stack.vault.addTenant(new Tenant({ id: 'dev-acme-backup' })))).toContain(
      'dev/Vault: tenants has an id equal to tenant "acme"\'s backup role (got "dev-acme-backup"); Kubernetes auth roles share one namespace per mount: rename the tenant or that backup role');
  });

  test('token TTLs and deadlines the credentials would not outlive (F9)', () => {
    const prod = stackOf(prodEnv());
    const o = { serviceAccountName: 'backup-prod-acme', secretPaths: ['database-prod/creds/acme-drill'] };
    const Q = 'prod/Vault.addBackupAccess';
    expect(problemsOf(() => prod.vault.addBackupAccess('acme', { ...o, tokenTtl: Period.hours(3) }))).toEqual([
      `${Q}: tokenTtl is not between 2 minutes and the class's vaultTokenMaxTtl 2h (got "3h"); keep backup tokens short (V07): use the default, the class's vaultTokenTtl 30m`,
    ]);
    // BackupSchedule's default deadline (1500 s in production) needs 1560 s of token.
    expect(problemsOf(() => prod.vault.addBackupAccess('acme', { ...o, tokenTtl: Period.minutes(20) }))).toEqual([
      `${Q}: activeDeadlineSeconds outlives the credentials: min(tokenTtl 20m, databaseCredentialTtl 1h) = 1200s, and a Job must end 60s before them (F9) (got 1500); use at most 1140 in BackupSchedule (activeDeadlineSeconds and restoreDrill.activeDeadlineSeconds) and here, or raise tokenTtl`,
    ]);
    expect(problemsOf(() => prod.vault.addBackupAccess('acme', { ...o, activeDeadlineSeconds: 1741 }))[0]).toContain('activeDeadlineSeconds outlives the credentials: min(tokenTtl 30m, databaseCredentialTtl 1h) = 1800s');
    expect(problemsOf(() => prod.vault.addBackupAccess('acme', { ...o, activeDeadlineSeconds: 12.5 }))).toEqual([
      `${Q}: activeDeadlineSeconds is not a whole number of seconds, at least 60 (got 12.5); pass the longest of BackupSchedule.activeDeadlineSeconds and restoreDrillActiveDeadlineSeconds`,
    ]);
    expect(prod.vault.addBackupAccess('acme', { ...o, activeDeadlineSeconds: 1740 }).tokenTtlSeconds).toBe(1800);
    // The database lease bounds the deadline too.
    const short = stackOf(devEnv(), { databaseCredentialTtl: Period.minutes(15) });
    expect(problemsOf(() => short.vault.addBackupAccess('acme', { ...DEV_OPTIONS, activeDeadlineSeconds: 3000 }))[0]).toContain('min(tokenTtl 1h, databaseCredentialTtl 15m) = 900s');
    expect(short.vault.addBackupAccess('acme', DEV_OPTIONS).activeDeadlineSeconds).toBe(600);
  });
});

describe('VaultBootstrap.addBackupPlan: the Vault side of a checked TenantBackupPlan', () => {
  const planOf = (env: Environment, over: Partial<TenantBackupProps> = {}) => TenantBackupPlan.of({
    environment: env,
    tenant: env.tenants.find(t => t.id === 'acme')!,
    image: ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`),
    database: { host: 'postgres.databases.svc', egress: EgressTarget.cidr('10.20.0.0/24', 5432), caConfigMap: 'postgres-ca' },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: EgressTarget.cidr('10.30.0.0/24', 9000) },
    offsiteStore: { endpoint: 'https://s3.offsite.example', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('10.40.0.0/16', 443) },
    ...over,
  });

  test('creates what addBackupAccess creates with the same names, paths and deadline', () => {
    const env = prodEnv();
    const plan = planOf(env);
    const fromPlan = stackOf(env);
    const access = fromPlan.vault.addBackupPlan(plan);
    expect(access.serviceAccountName).toBe(plan.names.serviceAccount);
    expect(access.roleName).toBe(plan.names.vaultRole);
    expect(access.secretPaths).toEqual(plan.vaultSecretPaths);
    expect(access.activeDeadlineSeconds).toBe(plan.deadlines.longestSeconds);
    const byOptions = stackOf(env);
    byOptions.vault.addBackupAccess('acme', {
      serviceAccountName: plan.names.serviceAccount,
      roleName: plan.names.vaultRole,
      secretPaths: plan.vaultSecretPaths,
      activeDeadlineSeconds: plan.deadlines.longestSeconds,
    });
    expect(synthJson(fromPlan)).toEqual(synthJson(byOptions));
  });

  test('checks only what depends on the bootstrap: environment, once per tenant, shared service accounts, its credential TTL', () => {
    const env = prodEnv();
    const other = stackOf(stagingEnv());
    expect(problemsOf(() => other.vault.addBackupPlan(planOf(env)))).toEqual([
      'staging/Vault.addBackupPlan: plan is a plan of environment "prod", not "staging" (got "acme"); add a plan to the VaultBootstrap of its own environment',
    ]);
    const twice = stackOf(env);
    twice.vault.addBackupPlan(planOf(env));
    expect(problemsOf(() => twice.vault.addBackupPlan(planOf(env)))).toEqual([
      'prod/Vault.addBackupPlan: plan is for a tenant that already has backup access (got "acme"); add backup access once per tenant; its one BackupSchedule covers the backup and the drill',
    ]);
    const shared = stackOf(env, { serviceAccountNames: ['backup-acme'], databaseCredentialTtl: Period.minutes(20) });
    expect(problemsOf(() => shared.vault.addBackupPlan(planOf(env)))).toEqual([
      'prod/Vault.addBackupPlan: plan.names.serviceAccount is also in serviceAccountNames, so it logs in as every tenant role too (got "backup-acme"); remove it from VaultBootstrapOptions.serviceAccountNames: the backup role is its only role',
      'prod/Vault.addBackupPlan: activeDeadlineSeconds outlives the credentials: min(tokenTtl 30m, databaseCredentialTtl 20m) = 1200s, and a Job must end 60s before them (F9) (got 1500); use at most 1140 in BackupSchedule (activeDeadlineSeconds and restoreDrill.activeDeadlineSeconds) and here, or raise tokenTtl',
    ]);
    const unknown = stackOf(prodEnv([GLOBEX]));
    expect(problemsOf(() => unknown.vault.addBackupPlan(planOf(env)))).toEqual([
      'prod/Vault.addBackupPlan: plan is not the plan of a tenant of this bootstrap (got "acme"); use a TenantBackupPlan of one of globex, or addTenant first',
    ]);
  });

  test('a tenant with objects and no database (issue 23): no database roles, a policy that reads only the stores\' keys', () => {
    const env = prodEnv();
    const globex = env.tenants.find(t => t.id === 'globex')!;
    const plan = planOf(env, {
      tenant: globex,
      database: undefined,
      tenantObjects: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-data', egress: EgressTarget.cidr('10.30.0.0/24', 9000) },
    });
    const stack = stackOf(env);
    const access = stack.vault.addBackupPlan(plan);
    const json = synthJson(stack);
    const paths = ['kv-prod/data/prod/globex/backup/offsite-store', 'kv-prod/data/prod/globex/backup/primary-store', 'kv-prod/data/prod/globex/object-store'];
    expect(access.secretPaths).toEqual(paths);
    expect(access.policyDocument.rules.map(r => [r.path, r.capabilities])).toEqual(paths.map(p => [p, ['read']]));
    expect(findResource(json, 'vault_policy', 'name', 'prod-globex-backup').body.policy).not.toMatch(/database-prod/);
    expect(access.backupDatabaseRole).toBeUndefined();
    expect(access.drillDatabaseRole).toBeUndefined();
    expect(access.backupCredsPath).toBeUndefined();
    expect(access.dependables).toEqual([access.policy, access.kubernetesRole]);
    // Only acme's (database) roles exist; globex gets its Kubernetes auth role for the backup ServiceAccount.
    expect(Object.values(resources(json, 'vault_database_secret_backend_role')).map((r: any) => r.name).filter((n: string) => n.startsWith('globex'))).toEqual([]);
    expect(findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'prod-globex-backup').body).toMatchObject({
      bound_service_account_names: ['backup-globex'], bound_service_account_namespaces: ['prod-globex'],
    });
  });
});

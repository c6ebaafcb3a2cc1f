import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ACME, devEnv, errorOf, findResource, GLOBEX, previewEnv, prodEnv, resources, stackFor, stagingEnv, synthJson } from './fixtures';
import { Environment } from '../../src/model/environment';
import { ContainerImage } from '../../src/model/image';
import { Period } from '../../src/model/period';
import { Tenant } from '../../src/model/tenant';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { VaultBootstrap, VaultEnvironmentResources } from '../../src/tf/vault-bootstrap';

function bootstrapJson(env: Environment, vault: Partial<ConstructorParameters<typeof EnvironmentStack>[2]['vault']> = {}): any {
  return synthJson(new EnvironmentStack(Testing.app(), env.name, { environment: env, vault }));
}

describe('VaultBootstrap: KV v2 (V11–V12)', () => {
  test.each([
    ['dev', devEnv, 'kv-dev', 10, false],
    ['staging', stagingEnv, 'kv-staging', 10, false],
    ['prod', prodEnv, 'kv-prod', 20, true],
  ] as const)('%s: one mount per environment, bounded versions, check-and-set only in production', (_l, make, mountPath, maxVersions, cas) => {
    const json = bootstrapJson(make());
    const kv = findResource(json, 'vault_mount', 'path', mountPath);
    expect(kv.body).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(Object.values(resources(json, 'vault_kv_secret_backend_v2'))).toEqual([
      { mount: `\${${kv.id}.path}`, max_versions: maxVersions, cas_required: cas },
    ]);
  });

  test('a preview mounts nothing: it adds roles to the shared preview mounts its host creates, keyed by its namespace', () => {
    const env = previewEnv();
    const json = bootstrapJson(env);
    for (const type of ['vault_mount', 'vault_auth_backend', 'vault_policy', 'vault_kv_secret_backend_v2']) expect(Object.keys(resources(json, type))).toEqual([]);
    const role: any = Object.values(resources(json, 'vault_kubernetes_auth_backend_role'))[0];
    expect(role).toMatchObject({ backend: 'kubernetes-preview', role_name: env.namespaceFor('acme'), token_policies: ['preview-tenant'] });
  });

  test('a preview refuses OWN environment resources, and a long-lived environment PREVIEW_HOST', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'p');
    const props = { kubernetesHost: 'https://k8s.example:6443', kubernetesCaCert: 'ca', databaseHost: 'db', databaseBootstrapPasswords: new TerraformVariable(stack, 'pw', { type: 'map(string)' }) };
    expect(() => new VaultBootstrap(stack, 'Preview', { ...props, environment: previewEnv(), environmentResources: VaultEnvironmentResources.OWN }))
      .toThrow(/p\/Preview: environmentResources is not PREVIEW_HOST for a preview, whose stack is synthesized from a pull request's code \(got "own"\)/);
    expect(() => new VaultBootstrap(stack, 'Dev', { ...props, environment: devEnv(), environmentResources: VaultEnvironmentResources.PREVIEW_HOST }))
      .toThrow(/p\/Dev: environmentResources is PREVIEW_HOST for an environment that is not a preview \(got "preview-host"\)/);
  });
});

describe('VaultBootstrap: database secrets engine (V05, V09–V10)', () => {
  const json = bootstrapJson(devEnv());

  test('one connection per tenant database: explicit allowed_roles, verified, templated URL, no password in Terraform', () => {
    const conns = Object.values(resources(json, 'vault_database_secret_backend_connection'));
    expect(conns).toHaveLength(1); // globex has no database
    const conn = findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme').body;
    expect(conn.allowed_roles).toEqual(['acme-db']);
    expect(conn.verify_connection).toBe(true);
    expect(conn.plugin_name).toBe('postgresql-database-plugin');
    expect(conn.postgresql).toEqual({
      // The environment's database server (the model), the same host the pods' connection strings name.
      connection_url: 'postgresql://{{username}}:{{password}}@postgres.databases.svc:5432/dev_acme?sslmode=verify-full',
      username: 'vault_dev_acme',
      password_wo: '${lookup(var.database_bootstrap_passwords, "acme", null)}',
      password_wo_version: 1,
    });
    expect(conn.postgresql).not.toHaveProperty('password');
  });

  test('root credentials are rotated right after the connection is created, and again whenever it changes', () => {
    const conn = findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme');
    const rotation = findResource(json, 'vault_generic_endpoint', 'path', 'database-dev/rotate-root/acme').body;
    expect(rotation).toEqual({
      path: 'database-dev/rotate-root/acme',
      data_json: '{}',
      disable_read: true,
      disable_delete: true,
      depends_on: [conn.id],
      lifecycle: { replace_triggered_by: [conn.id] },
    });
  });

  test('dynamic roles: default_ttl ≤ 1h, max_ttl ≤ 24h, least-privilege creation and explicit revocation, issued only after rotation', () => {
    const role = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-db').body;
    expect(role.default_ttl).toBeLessThanOrEqual(3600);
    expect(role.max_ttl).toBeLessThanOrEqual(86400);
    expect([role.default_ttl, role.max_ttl]).toEqual([3600, 86400]);
    expect(role.db_name).toMatch(/^\$\{vault_database_secret_backend_connection\..+\.name\}$/);
    // Vault's login has no CREATEROLE: it calls the tenant database's own function, which creates the user with
    // NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS in dev_acme_app only (run for real in
    // tenant-database.pg.test.ts).
    expect(role.creation_statements).toEqual(['SELECT "vault"."issue_user"(\'app\', \'{{name}}\', \'{{password}}\', \'{{expiration}}\');']);
    expect(role.revocation_statements).toEqual(['SELECT "vault"."revoke_user"(\'{{name}}\');']);
    expect(role.depends_on).toEqual([findResource(json, 'vault_generic_endpoint', 'path', 'database-dev/rotate-root/acme').id]);
  });

  test('the database mount caps leases at the same bounds', () => {
    expect(findResource(json, 'vault_mount', 'path', 'database-dev').body).toMatchObject({ type: 'database', default_lease_ttl_seconds: 3600, max_lease_ttl_seconds: 86400 });
  });

  test('fails if credential TTLs exceed 1h / 24h or ttl > max_ttl, listing every problem', () => {
    const message = errorOf(() => bootstrapJson(devEnv(), { databaseCredentialTtl: Period.hours(2), databaseCredentialMaxTtl: Period.hours(48) }));
    expect(message).toContain('dev/Vault: databaseCredentialTtl is not between 1 minute and 1 hour (got "2h"); dynamic credentials live at most 1h by default (V10): use e.g. Period.hours(1)');
    expect(message).toContain('dev/Vault: databaseCredentialMaxTtl is not between 1 minute and 24 hours (got "48h"); dynamic credentials live at most 24h (V10): use e.g. Period.hours(24)');
    expect(errorOf(() => bootstrapJson(devEnv(), { databaseCredentialTtl: Period.minutes(30), databaseCredentialMaxTtl: Period.minutes(10) })))
      .toContain('dev/Vault: databaseCredentialTtl is longer than databaseCredentialMaxTtl 10m (got "30m"); make ttl ≤ max_ttl (B04)');
  });

  test('fails without database inputs when a tenant has a database', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(errorOf(() => new VaultBootstrap(stack, 'Vault', { environment: devEnv(), kubernetesHost: 'https://k8s', kubernetesCaCert: 'ca' }))).toBe([
      '2 problems:',
      '  - s/Vault: databaseHost is required when a tenant has a database (got undefined); pass a Terraform variable, e.g. var.database_host',
      '  - s/Vault: databaseBootstrapPasswords is required when a tenant has a database (got undefined); pass an ephemeral map(string) TerraformVariable (EnvironmentStack creates one)',
    ].join('\n'));
    // Without database tenants, no database inputs are needed.
    const ok = new VaultBootstrap(new TerraformStack(Testing.app(), 't'), 'Vault', { environment: devEnv([GLOBEX]), kubernetesHost: 'https://k8s', kubernetesCaCert: 'ca' });
    expect(ok.tenantResources('globex').databaseConnection).toBeUndefined();
  });
});

describe('VaultBootstrap: Kubernetes auth (V07–V08) and token TTLs per class', () => {
  test('per-tenant roles are bound to exact service accounts and the tenant namespace, with audience and short TTLs', () => {
    const json = bootstrapJson(devEnv(), { serviceAccountNames: ['backup'] });
    const roles = Object.values(resources(json, 'vault_kubernetes_auth_backend_role'));
    expect(roles).toHaveLength(2);
    const acme = findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'acme').body;
    expect(acme).toMatchObject({
      bound_service_account_names: ['backup', 'billing'],
      bound_service_account_namespaces: ['dev-acme'],
      audience: 'vault',
      token_ttl: 3600,
      token_max_ttl: 8 * 3600,
    });
    expect(acme.token_policies).toEqual([`\${${findResource(json, 'vault_policy', 'name', 'env-dev-tenant-acme').id}.name}`]);
    expect(acme).not.toHaveProperty('token_period');
    for (const role of roles as any[]) {
      expect([...role.bound_service_account_names, ...role.bound_service_account_namespaces].join(' ')).not.toMatch(/\*/);
    }
  });

  test('production tokens are shorter-lived (30m / 2h from the class), and the mount caps them too', () => {
    const json = bootstrapJson(prodEnv());
    expect(findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'acme').body).toMatchObject({ token_ttl: 1800, token_max_ttl: 7200 });
    expect(findResource(json, 'vault_auth_backend', 'type', 'kubernetes').body.tune[0]).toMatchObject({ default_lease_ttl: '30m', max_lease_ttl: '2h', token_type: 'default-service' });
  });

  test('the auth backend config has the CA certificate and no reviewer JWT in state', () => {
    const json = bootstrapJson(devEnv());
    const config = Object.values(resources(json, 'vault_kubernetes_auth_backend_config'));
    expect(config).toHaveLength(1);
    expect(config[0]).toMatchObject({ kubernetes_host: '${var.vault_kubernetes_host}', kubernetes_ca_cert: '${var.vault_kubernetes_ca_cert}', disable_local_ca_jwt: false });
    expect(config[0]).not.toHaveProperty('token_reviewer_jwt');
  });

  test('no role when no service account could log in (no modules, no extra service accounts)', () => {
    const json = bootstrapJson(devEnv([GLOBEX]));
    expect(resources(json, 'vault_kubernetes_auth_backend_role')).toEqual({});
  });

  test('fails on wildcard or invalid service account names and audiences', () => {
    const message = errorOf(() => bootstrapJson(devEnv(), { serviceAccountNames: ['*', 'Backup_Job'], kubernetesAuthAudience: 'two words' }));
    expect(message).toContain('dev/Vault: serviceAccountNames[0] is not an exact service account name (got "*"); name one service account, e.g. "backup"; never "*" (V07)');
    expect(message).toContain('dev/Vault: serviceAccountNames[1] is not an exact service account name (got "Backup_Job")');
    expect(message).toContain('dev/Vault: kubernetesAuthAudience is not an audience (got "two words"); use e.g. "vault" (V07)');
    expect(message).toMatch(/^3 problems:/);
  });
});

describe('VaultBootstrap: audit devices (V06, B11)', () => {
  test.each([
    ['staging', stagingEnv, 2],
    ['prod', prodEnv, 2],
    ['dev', devEnv, 0],
    ['preview', previewEnv, 0],
  ] as const)('%s owns %i audit devices by default', (_l, make, count) => {
    const devices = Object.values(resources(bootstrapJson(make()), 'vault_audit')) as any[];
    expect(devices).toHaveLength(count);
    for (const d of devices) {
      expect(d.type).toBe('file');
      expect(d.options).toMatchObject({ hmac_accessor: 'true', log_raw: 'false', format: 'json' });
    }
    if (count) expect(devices.map(d => d.options.file_path).sort()).toEqual(['/vault/audit/vault-audit.log', 'stdout']);
  });

  test('a development stack can own them; production cannot give them up', () => {
    expect(Object.keys(resources(bootstrapJson(devEnv(), { auditDevices: true }), 'vault_audit'))).toHaveLength(2);
    expect(errorOf(() => bootstrapJson(prodEnv(), { auditDevices: false }))).toContain(
      'prod/Vault: auditDevices is false for a production environment (got false); production needs two audit devices (V06, B11): remove the override');
  });
});

describe('VaultBootstrap: tenants', () => {
  test('tenantResources exposes every tenant resource for dependsOn; unknown tenants and duplicates fail', () => {
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: devEnv() });
    const acme = stack.vault.tenantResources('acme');
    expect(acme.dependables).toEqual([
      acme.policy, ...acme.postgres!.dependables, acme.databaseConnection, acme.rootRotation, acme.databaseRole, acme.kubernetesRole,
    ]);
    expect(stack.vault.tenantResources('globex').dependables).toEqual([stack.vault.tenantResources('globex').policy]);
    expect(errorOf(() => stack.vault.tenantResources('nope'))).toContain('dev/Vault: tenantId is not a tenant of this bootstrap (got "nope"); use one of acme, globex, or addTenant first');
    expect(errorOf(() => stack.vault.addTenant(new Tenant(ACME)))).toContain('dev/Vault: tenants already has this tenant (got "acme"); add each tenant once');
  });

  test('tenants added later get their own resources', () => {
    const stack = new EnvironmentStack(Testing.app(), 'dev', { environment: devEnv([]) });
    stack.vault.addTenant(new Tenant({ id: 'late' }));
    const json = synthJson(stack);
    expect(findResource(json, 'vault_policy', 'name', 'env-dev-tenant-late')).toBeDefined();
    expect(findResource(json, 'vault_database_secret_backend_role', 'name', 'late-db')).toBeDefined();
  });

  test('a user-supplied bootstrap-password variable is referenced by its own name', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const passwords = new TerraformVariable(stack, 'pg_bootstrap', { type: 'map(string)', sensitive: true });
    new VaultBootstrap(stack, 'Vault', { environment: devEnv([ACME]), kubernetesHost: 'https://k8s', kubernetesCaCert: 'ca', databaseHost: 'db.internal', databaseBootstrapPasswords: passwords });
    const json = JSON.parse(Testing.synth(stack));
    expect(findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme').body.postgresql.password_wo).toBe('${lookup(var.pg_bootstrap, "acme", null)}');
  });
});

describe('VaultBootstrap: environment-wide resources in the base stack (a tenant shard)', () => {
  const shard = (environmentResources?: VaultEnvironmentResources) => {
    const stack = new TerraformStack(Testing.app(), 'shard');
    const passwords = new TerraformVariable(stack, 'database_bootstrap_passwords', { type: 'map(string)', sensitive: true, ephemeral: true });
    const vault = new VaultBootstrap(stack, 'Vault', {
      environment: prodEnv([ACME]), kubernetesHost: 'https://k8s', kubernetesCaCert: 'ca', databaseHost: 'db.internal', databaseBootstrapPasswords: passwords, environmentResources,
    });
    return { vault, json: JSON.parse(Testing.synth(stack)) };
  };

  test('BASE_STACK: tenants only, naming the base stack\'s mounts by path and waiting for its auth mount read back', () => {
    const { vault, json } = shard(VaultEnvironmentResources.BASE_STACK);
    const v = vault;
    const environmentWide = [v.kvMount, v.kvConfig, v.environmentPolicy, v.databaseMount, v.kubernetesAuth, v.kubernetesAuthConfig];
    expect(environmentWide.filter(r => r !== undefined)).toEqual([]);
    expect(vault.auditDevices).toEqual([]);
    // The shard's tenants have their databases created here too (issue 23: TenantDatabase per tenant).
    expect(Object.keys(json.resource).sort()).toEqual([
      'postgresql_database', 'postgresql_function', 'postgresql_grant', 'postgresql_role', 'postgresql_schema',
      'vault_database_secret_backend_connection', 'vault_database_secret_backend_role', 'vault_generic_endpoint', 'vault_kubernetes_auth_backend_role', 'vault_policy',
    ]);
    expect(resources(json, 'vault_policy')).toEqual({ [Object.keys(resources(json, 'vault_policy'))[0]]: expect.objectContaining({ name: 'env-prod-tenant-acme' }) });
    const role = Object.values<any>(resources(json, 'vault_kubernetes_auth_backend_role'))[0];
    expect(role.backend).toBe('kubernetes-prod');
    const [dataName] = Object.keys(json.data.vault_auth_backend);
    expect(json.data.vault_auth_backend[dataName].path).toBe('kubernetes-prod');
    expect(role.depends_on).toEqual([`data.vault_auth_backend.${dataName}`]);
    expect(Object.values<any>(resources(json, 'vault_database_secret_backend_role'))[0].backend).toBe('database-prod');
  });

  test('OWN (the default): the bootstrap has every environment-wide resource', () => {
    const { vault, json } = shard();
    expect(vault.environmentResources).toBe(VaultEnvironmentResources.OWN);
    expect(vault.kubernetesAuthConfig).toBeDefined();
    expect(json.data).toBeUndefined();
    expect(Object.values<any>(resources(json, 'vault_kubernetes_auth_backend_role'))[0].backend).toBe(`${'$'}{vault_auth_backend.${Object.keys(resources(json, 'vault_auth_backend'))[0]}.path}`);
  });

  test('an unknown value is refused', () => {
    expect(errorOf(() => shard('shared' as VaultEnvironmentResources))).toContain('shard/Vault: environmentResources is not a VaultEnvironmentResources (got "shared"); use VaultEnvironmentResources.OWN, BASE_STACK or PREVIEW_HOST');
  });
});

describe('VaultBootstrap: schema migrations (issue 17 item 5)', () => {
  const migration = { image: ContainerImage.fromDigest(`registry.inopsio.example/billing/migrate@sha256:${'cd'.repeat(32)}`), command: ['/app/migrate'] };
  const withMigration = { ...ACME, modules: ACME.modules!.map(m => ({ ...m, migration })) };

  test('a migrating module: its service account is bound by <tenant>-migrate, which issues owner-group credentials', () => {
    const json = synthJson(stackFor(devEnv([withMigration, GLOBEX])));
    const role = findResource(json, 'vault_kubernetes_auth_backend_role', 'role_name', 'acme-migrate').body;
    expect(role).toMatchObject({ bound_service_account_names: ['billing-migrate'], bound_service_account_namespaces: ['dev-acme'] });
    const policy = findResource(json, 'vault_policy', 'name', 'dev-acme-migrate');
    expect(role.token_policies).toEqual([`\${${policy.id}.name}`]);
    expect(policy.body.policy).toContain('path "database-dev/creds/acme-migrate"');
    expect(policy.body.policy).not.toContain('acme-db');
    const db = findResource(json, 'vault_database_secret_backend_role', 'name', 'acme-migrate').body;
    expect(db.creation_statements).toEqual([expect.stringMatching(/^CREATE ROLE "\{\{name\}\}" WITH LOGIN .* NOSUPERUSER NOCREATEDB NOCREATEROLE/), 'GRANT "dev_acme_owner" TO "{{name}}";']);
    expect(findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme').body.allowed_roles).toEqual(['acme-db', 'acme-migrate']);
  });

  test('no migration, or no database: no migration identity', () => {
    const noDatabase = { ...withMigration, database: false, modules: withMigration.modules.map(m => ({ ...m, values: {} })) };
    for (const tenants of [[ACME, GLOBEX], [noDatabase, GLOBEX]]) {
      const json = synthJson(stackFor(devEnv(tenants)));
      expect(Object.values(resources(json, 'vault_kubernetes_auth_backend_role')).map((r: any) => r.role_name)).not.toContain('acme-migrate');
    }
  });
});

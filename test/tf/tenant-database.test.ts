import { Testing } from 'cdktf';
import { DATABASE, findResource, prodEnv, resources, synthJson } from './fixtures';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { ShardedEnvironment } from '../../src/tf/sharding';

const TENANTS = [{ id: 'acme' }, { id: 'initech' }, { id: 'globex', database: false }];
const ref = (json: any, type: string, attr: string, value: string) => findResource(json, type, attr, value).id;

describe('TenantDatabase in the environment stack (issue 23)', () => {
  const stack = new EnvironmentStack(Testing.app(), 'prod', { environment: prodEnv(TENANTS) });
  const json = synthJson(stack);

  test('one PostgreSQL provider per stack: the environment\'s database host, the provisioning admin from a variable, verified TLS, no superuser assumed', () => {
    // The host is the Environment's database (main: DatabaseEndpoint), the one Vault's connection uses too.
    expect(json.provider.postgresql).toEqual([{
      host: DATABASE.host,
      port: 5432,
      username: '${var.postgres_admin_username}',
      database: 'postgres',
      sslmode: 'verify-full',
      superuser: false,
    }]);
    expect(json.variable.postgres_admin_username).toMatchObject({ type: 'string' });
    expect(JSON.stringify(json.provider.postgresql)).not.toMatch(/password/);
    expect(json.terraform.required_providers.postgresql).toEqual({ source: 'cyrilgdn/postgresql', version: '1.26.0' });
  });

  test('a database, owner and Vault login per tenant with a database, none for the others', () => {
    const databases = Object.values<any>(resources(json, 'postgresql_database'));
    expect(databases.map(d => d.name).sort()).toEqual(['prod_acme', 'prod_initech']);
    const acmeDb = findResource(json, 'postgresql_database', 'name', 'prod_acme').body;
    expect(acmeDb.owner).toBe(`\${${ref(json, 'postgresql_role', 'name', 'prod_acme_owner')}.name}`);
    expect(findResource(json, 'postgresql_role', 'name', 'prod_acme_owner').body).toMatchObject({ login: false });
    const login = findResource(json, 'postgresql_role', 'name', 'vault_prod_acme').body;
    expect(login).toMatchObject({ login: true, create_role: false, create_database: false, inherit: false, password_wo_version: '1' });
    // The same one-time password Vault's connection gets, write-only: never in state or plans.
    expect(login.password_wo).toBe('${lookup(var.database_bootstrap_passwords, "acme", null)}');
    expect(login).not.toHaveProperty('password');
    expect(findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme').body.postgresql.password_wo).toBe(login.password_wo);
    // Two SECURITY DEFINER functions per tenant database, in that database.
    const acmeDbRef = `\${${ref(json, 'postgresql_database', 'name', 'prod_acme')}.name}`;
    const fns = Object.values<any>(resources(json, 'postgresql_function')).filter(f => f.database === acmeDbRef);
    expect(fns.map(f => [f.name, f.security_definer, f.language, f.returns])).toEqual([['issue_user', true, 'plpgsql', 'void'], ['revoke_user', true, 'plpgsql', 'void']]);
  });

  test('Vault\'s connection waits for the database and its login, so a destroy removes Vault\'s side first and the database last', () => {
    const connection = findResource(json, 'vault_database_secret_backend_connection', 'name', 'acme').body;
    expect(connection.depends_on).toEqual(expect.arrayContaining([
      ref(json, 'postgresql_database', 'name', 'prod_acme'),
      ref(json, 'postgresql_role', 'name', 'vault_prod_acme'),
    ]));
    // Nothing of another tenant's database.
    expect(connection.depends_on).not.toEqual(expect.arrayContaining([ref(json, 'postgresql_database', 'name', 'prod_initech')]));
    const grants = Object.values<any>(resources(json, 'postgresql_grant'));
    expect(grants.filter(g => g.role === 'public').map(g => g.object_type).sort()).toEqual(['database', 'database', 'function', 'function']);
  });

  test('a sharded environment provisions each tenant database in the tenant\'s shard, with its own provider', () => {
    const sharded = new ShardedEnvironment(Testing.app(), { environment: prodEnv(TENANTS), sharding: { shardCount: 2 } });
    const owner = new Map<string, string>();
    for (const s of sharded.stacks) {
      const tf = JSON.parse(Testing.synth(s));
      for (const d of Object.values<any>(tf.resource?.postgresql_database ?? {})) owner.set(d.name, s.node.id);
      if (tf.resource?.postgresql_database) expect(tf.provider.postgresql).toHaveLength(1);
    }
    expect(owner.get('prod_acme')).toBe(sharded.stackForTenant('acme').node.id);
    expect(owner.get('prod_initech')).toBe(sharded.stackForTenant('initech').node.id);
    expect(JSON.parse(Testing.synth(sharded.base)).resource?.postgresql_database).toBeUndefined();
  });
});

import * as fc from 'fast-check';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { LifecycleValidationError } from '../../src/model/problems';
import { Tenant } from '../../src/model/tenant';
import { findVaultRefs, tenantVaultNames, VaultEngine, VaultRef } from '../../src/model/vault-ref';
import { problemsOf } from '../support/problems';

const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', owner: 'dana' });
const acme = new Tenant({ id: 'acme' });
const noDb = new Tenant({ id: 'globex', database: false });

describe('VaultRef syntax (spec §5)', () => {
  test('parses the spec example into a typed, tenant-placeholder reference', () => {
    const ref = VaultRef.parse("{{ vault('database/creds/tenant-db') }}");
    expect(ref.engine).toBe(VaultEngine.DATABASE);
    expect(ref.path).toBe('database/creds/tenant-db');
    expect(ref.mount).toBe('database');
    expect(ref.role).toBe('tenant-db');
    expect(ref.isRelative).toBe(true);
    expect(ref.isTenantPlaceholder).toBe(true);
    expect(ref.key).toBeUndefined();
    expect(ref.toString()).toBe("{{ vault('database/creds/tenant-db') }}");
  });

  test('accepts the second spec example, a key, double quotes and no spaces', () => {
    expect(VaultRef.parse("{{ vault('cache/creds/tenant-cache') }}").engine).toBe(VaultEngine.CACHE);
    const kv = VaultRef.parse('{{vault("kv/data/app/stripe", "api_key")}}');
    expect([kv.engine, kv.kvPath, kv.key]).toEqual([VaultEngine.KV, 'app/stripe', 'api_key']);
    expect(kv.toString()).toBe("{{ vault('kv/data/app/stripe', 'api_key') }}");
  });

  test('typed factories build the same references as the string syntax', () => {
    expect(VaultRef.databaseCreds('tenant-db').toString()).toBe(VaultRef.parse("{{ vault('database/creds/tenant-db') }}").toString());
    expect(VaultRef.cacheCreds('tenant-cache', 'password').path).toBe('cache/creds/tenant-cache');
    expect(VaultRef.kv('app/stripe', 'api_key').path).toBe('kv/data/app/stripe');
    const abs = VaultRef.fromPath('kv-dev/data/dev/acme/app');
    expect([abs.isRelative, abs.mountEnvironment, abs.kvPath]).toEqual([false, 'dev', 'dev/acme/app']);
  });

  test('findVaultRefs finds references embedded in strings, in order, and nothing in plain text', () => {
    const refs = findVaultRefs("postgresql://{{ vault('database/creds/tenant-db', 'username') }}@db:5432/app?x={{ vault('kv/data/app', 'x') }}");
    expect(refs.map(r => `${r.path}#${r.key}`)).toEqual(['database/creds/tenant-db#username', 'kv/data/app#x']);
    expect(findVaultRefs('just text {{ .Values.name }} with braces')).toEqual([]);
    expect(VaultRef.split("a{{ vault('kv/data/x') }}b").map(p => p.text ?? p.ref!.path)).toEqual(['a', 'kv/data/x', 'b']);
  });

  test('fails if a reference is malformed, instead of passing it through as a literal', () => {
    expect(problemsOf(() => findVaultRefs('{{ vault(database/creds/tenant-db) }}'))).toEqual([
      'VaultRef: reference is malformed (got "{{ vault(database/creds/tenant-db) }}"); write {{ vault(\'<path>\') }} or {{ vault(\'<path>\', \'<key>\') }} with the path in quotes',
    ]);
    expect(problemsOf(() => findVaultRefs("{{ vault('database/creds/tenant-db') }"))[0]).toMatch(/reference is malformed/);
    expect(problemsOf(() => VaultRef.parse('database/creds/tenant-db'))).toEqual([
      'VaultRef.parse: expression is not exactly one Vault reference (found 0) (got "database/creds/tenant-db"); write {{ vault(\'database/creds/tenant-db\') }} or {{ vault(\'kv/data/app/stripe\', \'api_key\') }}',
    ]);
  });
});

describe('VaultRef path validation (B07–B08)', () => {
  test.each([
    ['database/creds/*', 'VaultRef: path contains the glob "*" (got "database/creds/*"); references name one secret; write the exact path (B07)'],
    ['kv/data/+/config', 'VaultRef: path contains the segment wildcard "+" (got "kv/data/+/config"); references name one secret; write the exact path (B07)'],
    ['kv/data/../../sys/policy', 'VaultRef: path contains ".." or a "." segment (got "kv/data/../../sys/policy"); write the path without relative segments (B07)'],
    ['kv//data/app', 'VaultRef: path has an empty segment (leading, trailing or double "/") (got "kv//data/app"); remove the extra "/"'],
    ['kv/data/app/', 'VaultRef: path has an empty segment (leading, trailing or double "/") (got "kv/data/app/"); remove the extra "/"'],
    ['database/creds/{{identity.entity.name}}', 'VaultRef: path contains template syntax (got "database/creds/{{identity.entity.name}}"); write a literal path; templates are not expanded inside a reference (B07)'],
    ['kv/data/app%2Fsys', 'VaultRef: path contains a percent-encoding (got "kv/data/app%2Fsys"); write the decoded characters; encoded paths can smuggle "/" or ".." (B07)'],
    ['kv/data/my app', 'VaultRef: path contains whitespace (got "kv/data/my app"); remove the spaces, tabs or line breaks'],
    ['sys/policy/root', 'VaultRef: path targets the Vault system path "sys/" (got "sys/policy/root"); reference a secret, never sys/, auth/, identity/ or token paths (V01)'],
    ['auth/token/create', 'VaultRef: path targets the Vault system path "auth/" (got "auth/token/create"); reference a secret, never sys/, auth/, identity/ or token paths (V01)'],
    ['transit/keys/x', 'VaultRef: path uses an unknown secrets engine "transit" (got "transit/keys/x"); use database/creds/<role>, cache/creds/<role> or kv/data/<path>'],
    ['kv/metadata/app', 'VaultRef: path points at KV metadata, not a secret (got "kv/metadata/app"); read secrets under <mount>/data/...'],
    ['database/static-creds/app', 'VaultRef: path is not a database credentials path (got "database/static-creds/app"); write database/creds/<role>'],
    ['database/creds/Tenant_DB', 'VaultRef: path has a role that is not a lowercase name (got "database/creds/Tenant_DB"); write database/creds/<role>, e.g. database/creds/tenant-db'],
    ['', 'VaultRef: path is empty (got ""); write an exact path such as "database/creds/tenant-db", "cache/creds/tenant-cache" or "kv/data/app/stripe" (B07)'],
  ])('fails for %j with an exact message', (path, message) => {
    expect(problemsOf(() => VaultRef.fromPath(path))).toEqual([message]);
  });

  test('lists every problem of a path at once, and of every reference in a value', () => {
    expect(problemsOf(() => VaultRef.fromPath('kv/data/../my app/*'))).toEqual([
      'VaultRef: path contains whitespace (got "kv/data/../my app/*"); remove the spaces, tabs or line breaks',
      'VaultRef: path contains the glob "*" (got "kv/data/../my app/*"); references name one secret; write the exact path (B07)',
      'VaultRef: path contains ".." or a "." segment (got "kv/data/../my app/*"); write the path without relative segments (B07)',
    ]);
    const problems = problemsOf(() => findVaultRefs("{{ vault('database/creds/*') }} and {{ vault('sys/seal') }} and {{ vault('kv/data/x', 'a b') }}"));
    expect(problems).toHaveLength(3);
    expect(problems[2]).toBe('VaultRef: key is not a field name (got "a b"); use letters, digits, "_", "." and "-", e.g. "password" or "api_key"');
  });

  test('property: a path containing any unsafe character or sequence is refused; safe generated paths round-trip', () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,11}$/);
    const unsafe = fc.constantFrom('*', '+', '..', '//', '{{x}}', '${x}', '%2e', ' ', '\t', '\n', '%');
    fc.assert(fc.property(segment, segment, unsafe, (a, b, bad) => {
      expect(() => VaultRef.fromPath(`kv/data/${a}${bad}${b}`)).toThrow(LifecycleValidationError);
    }));
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), parts => {
      const ref = VaultRef.kv(parts.join('/'));
      expect(VaultRef.parse(ref.toString()).path).toBe(`kv/data/${parts.join('/')}`);
    }));
  });
});

describe('tenant-scoped resolution', () => {
  test('resolves placeholders and relative paths to this environment\'s mounts and this tenant\'s roles', () => {
    expect(VaultRef.databaseCreds('tenant-db').resolve(dev, acme)).toEqual({
      engine: VaultEngine.DATABASE, path: 'database-dev/creds/acme-db', key: undefined, reference: "{{ vault('database/creds/tenant-db') }}",
    });
    expect(VaultRef.databaseCreds('acme-db').resolve(dev, acme).path).toBe('database-dev/creds/acme-db');
    expect(VaultRef.cacheCreds('tenant-cache').resolve(dev, acme).path).toBe('cache-dev/creds/acme-cache');
    expect(VaultRef.kv('app/stripe', 'api_key').resolve(dev, acme)).toMatchObject({ path: 'kv-dev/data/dev/acme/app/stripe', key: 'api_key' });
    expect(VaultRef.fromPath('kv-dev/data/dev/acme/app').resolve(dev, acme).path).toBe('kv-dev/data/dev/acme/app');
  });

  test('fails if a reference leaves the tenant\'s scope: other environment, other tenant, missing database', () => {
    expect(problemsOf(() => VaultRef.fromPath('kv-prod/data/prod/acme/app').resolve(dev, acme))).toEqual([
      'VaultRef[kv-prod/data/prod/acme/app]: reference points at environment "prod"\'s mount "kv-prod" from environment "dev" (got "{{ vault(\'kv-prod/data/prod/acme/app\') }}"); an environment only reads its own mounts (V12, B12); write the tenant-relative form, e.g. {{ vault(\'kv/data/<path>\') }}',
    ]);
    expect(problemsOf(() => VaultRef.databaseCreds('prod-acme-db').resolve(dev, acme))).toEqual([
      'VaultRef[database/creds/prod-acme-db]: reference names role "prod-acme-db", which is not tenant "acme"\'s database role "acme-db" (got "{{ vault(\'database/creds/prod-acme-db\') }}"); write {{ vault(\'database/creds/tenant-db\') }}: a tenant reads only its own credentials',
    ]);
    expect(problemsOf(() => VaultRef.fromPath('kv-dev/data/dev/globex/app').resolve(dev, acme))[0]).toMatch(/is outside tenant "acme"'s prefix kv-dev\/data\/dev\/acme\//);
    expect(problemsOf(() => VaultRef.databaseCreds('tenant-db').resolve(dev, noDb))[0]).toMatch(/tenant "globex" has no database/);
    expect(problemsOf(() => VaultRef.cacheCreds('shared-cache').resolve(dev, acme))[0]).toMatch(/names role "shared-cache", which is not tenant "acme"'s cache role "acme-cache"/);
    // A tenant whose id extends another's (acme / acme-corp) never reaches the other's roles.
    expect(problemsOf(() => VaultRef.cacheCreds('acme-corp-cache').resolve(dev, acme))).toHaveLength(1);
  });

  test('tenant names are deterministic, and database identifiers are PostgreSQL-safe and at most 63 bytes', () => {
    const names = tenantVaultNames(dev, acme);
    expect(names).toMatchObject({
      kvMount: 'kv-dev',
      databaseMount: 'database-dev',
      kubernetesAuthMount: 'kubernetes-dev',
      environmentPolicy: 'env-dev',
      namespace: 'dev-acme',
      kvDataPrefix: 'kv-dev/data/dev/acme',
      tenantPolicy: 'env-dev-tenant-acme',
      databaseRole: 'acme-db',
      databaseCredsPath: 'database-dev/creds/acme-db',
      databaseName: 'dev_acme',
      databaseAdminUser: 'vault_dev_acme',
      databaseAppRole: 'dev_acme_app',
    });
    const long = Environment.preview({ branch: 'feature/a-very-long-branch-name-for-testing', createdAt: '2026-11-28T09:00:00Z', owner: 'dana' });
    const tenant = new Tenant({ id: 'a-tenant-with-a-rather-long-identifier-x' });
    const n = tenantVaultNames(long, tenant);
    for (const id of [n.databaseName, n.databaseAdminUser, n.databaseAppRole]) {
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(63);
      expect(id).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
    expect(tenantVaultNames(long, tenant)).toEqual(n);
  });
});

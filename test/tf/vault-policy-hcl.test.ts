// The only test file that loads @cdktf/hcl2json (it installs a Go-wasm global): every generated Vault policy is
// parsed by a real HCL parser, and V01–V02 are checked on the parsed structure, not on our own rendering.
import { parse } from '@cdktf/hcl2json';
import { Testing } from 'cdktf';
import { ACME, devEnv, GLOBEX, previewEnv, prodEnv, resources, stackFor, stagingEnv, synthJson } from './fixtures';
import { Environment } from '../../src/model/environment';
import { migrationNames } from '../../src/model/migration-names';
import { tenantVaultNames } from '../../src/model/names';
import { TenantProps } from '../../src/model/tenant';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { previewMigrationPolicy, previewTenantPolicy } from '../../src/tf/preview-vault-host';

const WITH_CACHE: TenantProps = {
  id: 'initech',
  modules: [{
    name: 'portal',
    chart: 'portal',
    repository: 'oci://registry.inopsio.example/charts',
    version: '3.0.0',
    values: { 'env.REDIS_URL': "{{ vault('cache/creds/tenant-cache') }}", 'env.STRIPE_KEY': "{{ vault('kv/data/stripe', 'api_key') }}" },
  }],
};

const ALLOWED = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'deny']);

interface ParsedRule { path: string; capabilities: string[] }

/** Parse a policy with the HCL parser and return its path blocks. */
async function parsePolicy(name: string, hcl: string): Promise<ParsedRule[]> {
  const doc = await parse(`${name}.hcl`, hcl);
  const rules: ParsedRule[] = [];
  for (const [path, blocks] of Object.entries<any[]>(doc.path ?? {})) {
    for (const block of blocks) rules.push({ path, capabilities: block.capabilities });
  }
  return rules;
}

/** V01–V02 on parsed rules; returns every violation. */
function violations(rules: ParsedRule[], tenantPrefixes?: string[]): string[] {
  const out: string[] = [];
  for (const { path, capabilities } of rules) {
    if (/^(sys|auth|identity)\//.test(path)) out.push(`${path}: system path`);
    if (path.includes('*') && path.indexOf('*') !== path.length - 1) out.push(`${path}: * not last`);
    if (path.split('/').some(s => s.includes('+') && s !== '+')) out.push(`${path}: + inside a segment`);
    if (!Array.isArray(capabilities) || capabilities.length === 0) out.push(`${path}: no capabilities`);
    for (const c of capabilities ?? []) if (!ALLOWED.has(c)) out.push(`${path}: capability ${c}`);
    if (tenantPrefixes && !tenantPrefixes.some(p => (p.endsWith('/') ? path.startsWith(p) : path === p))) out.push(`${path}: outside tenant scope`);
  }
  return out;
}

function policiesOf(env: Environment): Record<string, string> {
  const json = synthJson(stackFor(env));
  return Object.fromEntries(Object.values(resources(json, 'vault_policy')).map((p: any) => [p.name, p.policy]));
}

describe('generated Vault policies parse as HCL and satisfy V01–V02', () => {
  test.each([
    ['dev', () => devEnv([ACME, GLOBEX, WITH_CACHE])],
    ['staging', () => stagingEnv([ACME, GLOBEX, WITH_CACHE])],
    ['prod', () => prodEnv([ACME, GLOBEX, WITH_CACHE])],
  ])('%s', async (_label, make) => {
    const env = make();
    const policies = policiesOf(env);
    expect(Object.keys(policies).sort()).toEqual([`env-${env.name}`, ...env.tenants.map(t => `env-${env.name}-tenant-${t.id}`)].sort());
    for (const [name, hcl] of Object.entries(policies)) {
      const rules = await parsePolicy(name, hcl);
      expect(rules.length).toBeGreaterThan(0);
      const tenant = env.tenants.find(t => name === `env-${env.name}-tenant-${t.id}`);
      const scope = tenant
        ? [`kv-${env.name}/data/${env.name}/${tenant.id}/`, `kv-${env.name}/metadata/${env.name}/${tenant.id}/`, `database-${env.name}/creds/${tenant.id}-db`, `cache-${env.name}/creds/${tenant.id}-cache`]
        : [`kv-${env.name}/data/${env.name}/`, `kv-${env.name}/metadata/${env.name}/`];
      expect(violations(rules, scope)).toEqual([]);
    }
  });

  test('tenant policies grant exactly the tenant\'s own secrets, database and cache credentials, read-only', async () => {
    const policies = policiesOf(devEnv([ACME, GLOBEX, WITH_CACHE]));
    expect(await parsePolicy('acme', policies['env-dev-tenant-acme'])).toEqual([
      { path: 'database-dev/creds/acme-db', capabilities: ['read'] },
      { path: 'kv-dev/data/dev/acme/*', capabilities: ['read'] },
      // The backup's object-store keys are the backup role's alone (issue 15).
      { path: 'kv-dev/data/dev/acme/backup/*', capabilities: ['deny'] },
      { path: 'kv-dev/metadata/dev/acme/*', capabilities: ['read', 'list'] },
      { path: 'kv-dev/metadata/dev/acme/backup/*', capabilities: ['deny'] },
    ]);
    expect((await parsePolicy('globex', policies['env-dev-tenant-globex'])).map(r => r.path)).toEqual([
      'kv-dev/data/dev/globex/*', 'kv-dev/data/dev/globex/backup/*', 'kv-dev/metadata/dev/globex/*', 'kv-dev/metadata/dev/globex/backup/*',
    ]);
    expect((await parsePolicy('initech', policies['env-dev-tenant-initech'])).map(r => r.path)).toEqual([
      'cache-dev/creds/initech-cache', 'database-dev/creds/initech-db', 'kv-dev/data/dev/initech/*', 'kv-dev/data/dev/initech/backup/*',
      'kv-dev/metadata/dev/initech/*', 'kv-dev/metadata/dev/initech/backup/*',
    ]);
  });

  test('the production environment policy keeps every KV version (no metadata delete)', async () => {
    const rules = await parsePolicy('env-prod', policiesOf(prodEnv())['env-prod']);
    expect(rules.find(r => r.path === 'kv-prod/metadata/prod/*')?.capabilities).toEqual(['read', 'list']);
  });

  test.each([
    ['dev', () => devEnv([ACME, GLOBEX, WITH_CACHE])],
    ['prod', () => prodEnv([ACME, GLOBEX, WITH_CACHE])],
  ])('%s: the backup policy grants read on exactly the paths the backup pods read, nothing else', async (_label, make) => {
    const env = make();
    const e = env.name;
    const stack = new EnvironmentStack(Testing.app(), 'backup', { environment: env });
    // BackupSchedule.vaultSecretPaths with dumps through the read-only role (and once more through the app role).
    const paths = [
      `database-${e}/creds/acme-backup`,
      `database-${e}/creds/acme-drill`,
      `kv-${e}/data/${e}/acme/backup/offsite-store`,
      `kv-${e}/data/${e}/acme/backup/primary-store`,
    ];
    stack.vault.addBackupAccess('acme', { serviceAccountName: `backup-${e}-acme`.slice(0, 38), secretPaths: paths });
    stack.vault.addBackupAccess('initech', { serviceAccountName: 'backup-initech', secretPaths: [`database-${e}/creds/initech-db`, `database-${e}/creds/initech-drill`] });
    const json = synthJson(stack);
    const policies: Record<string, string> = Object.fromEntries(Object.values(resources(json, 'vault_policy')).map((p: any) => [p.name, p.policy]));
    const acme = await parsePolicy('acme-backup', policies[`${e}-acme-backup`]);
    expect(acme).toEqual(paths.map(path => ({ path, capabilities: ['read'] })));
    expect(violations(acme, [`kv-${e}/data/${e}/acme/`, `database-${e}/creds/acme-backup`, `database-${e}/creds/acme-drill`])).toEqual([]);
    expect(await parsePolicy('initech-backup', policies[`${e}-initech-backup`])).toEqual([
      { path: `database-${e}/creds/initech-db`, capabilities: ['read'] },
      { path: `database-${e}/creds/initech-drill`, capabilities: ['read'] },
    ]);
    // The other policies are exactly those without backup access.
    expect(Object.keys(policies).sort()).toEqual([`env-${e}`, `${e}-acme-backup`, `${e}-initech-backup`, ...env.tenants.map(t => `env-${e}-tenant-${t.id}`)].sort());
  });

  test('preview: its stack writes no policy; the host\'s templated policies, for the tenant\'s namespace, parse and stay in its scope', async () => {
    const env = previewEnv([ACME, WITH_CACHE]);
    expect(policiesOf(env)).toEqual({});
    for (const t of env.tenants) {
      const n = tenantVaultNames(env, t);
      const tenant = await parsePolicy(`preview-tenant for ${n.namespace}`, previewTenantPolicy(n, n.namespace));
      expect(violations(tenant, [`${n.kvDataPrefix}/`, `${n.kvMetadataPrefix}/`, n.databaseCredsPath, `${n.cacheMount}/creds/${n.cacheRole}`])).toEqual([]);
      expect(tenant.map(r => r.path)).toEqual(expect.arrayContaining([`${n.kvDataPrefix}/*`, n.databaseCredsPath]));
      const m = migrationNames(env, t);
      expect(await parsePolicy('preview-migrate', previewMigrationPolicy(n, n.namespace))).toEqual([{ path: m.credsPath, capabilities: ['read'] }]);
    }
  });

  test('preview: backup access is refused (its policy would be written from the pull request\'s code)', () => {
    const env = previewEnv([ACME, WITH_CACHE]);
    const stack = new EnvironmentStack(Testing.app(), 'backup', { environment: env });
    const n = tenantVaultNames(env, { id: 'acme' });
    expect(() => stack.vault.addBackupAccess('acme', { serviceAccountName: 'backup-acme', secretPaths: [`${n.databaseMount}/creds/${n.databaseConnection}-backup`] }))
      .toThrow(/backup\/Vault\.addBackupAccess: tenantId is a tenant of a preview, whose stack may not create the backup's policy \(got "acme"\)/);
  });

  test('the checks can fail: a policy breaking V01–V02 is caught on the parsed structure', async () => {
    const bad = 'path "sys/*" {\n  capabilities = ["sudo"]\n}\npath "kv/data/*/x" {\n  capabilities = ["read"]\n}\npath "kv/data/a+/x" {\n  capabilities = ["read"]\n}\n';
    expect(violations(await parsePolicy('bad', bad)).sort()).toEqual(['kv/data/*/x: * not last', 'kv/data/a+/x: + inside a segment', 'sys/*: capability sudo', 'sys/*: system path']);
    await expect(parse('broken.hcl', 'path "x" {\n  capabilities = [\n')).rejects.toBeDefined();
  });
});

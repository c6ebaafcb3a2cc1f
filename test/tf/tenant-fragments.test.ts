/**
 * A tenant's blocks cut out of a stack's JSON and merged into a stack built without the tenant give the stack built
 * with it (src/tf/tenant-fragments.ts); the Platform-level test (test/platform/synthesis-cache.test.ts) compares
 * whole synthesized trees.
 */
import { stableJson, DeferredJson } from '../../src/tf/stable-json';
import { deferBlocks, extractTenantFragment, isTenantPath, materializeBlocks, mergeTenantFragments } from '../../src/tf/tenant-fragments';

const meta = (p: string) => ({ '//': { metadata: { path: `inopsio/prod/${p}`, uniqueId: p.replace(/\//g, '_') } } });

/** The stack with tenants a (a database: the PostgreSQL provider and its variable exist for it) and b. */
function stack(tenants: string[]): any {
  const json: any = {
    '//': { metadata: { overrides: { stack: ['terraform'] } } },
    'terraform': { required_providers: { vault: { source: 'hashicorp/vault' } } },
    'provider': { vault: [{ address: '${var.vault_address}' }] },
    'variable': { vault_address: { type: 'string' } },
    'resource': {
      vault_mount: { Vault_Kv: { ...meta('Vault/Kv'), path: 'kv-prod' } },
      helm_release: { 'Environment-platform_Release_1': { ...meta('Environment-platform/Release'), depends_on: [] as string[] } },
    },
  };
  for (const t of tenants) {
    json.resource.vault_policy = { ...json.resource.vault_policy, [`Vault_Tenant-${t}_Policy`]: { ...meta(`Vault/Tenant-${t}/Policy`), policy: '${vault_mount.Vault_Kv.path}' } };
    json.resource.helm_release[`Tenant-${t}_Base_X`] = { ...meta(`Tenant-${t}/Base`), name: t };
    json.resource.helm_release['Environment-platform_Release_1'].depends_on.push(`helm_release.Tenant-${t}_Base_X`);
    if (t === 'a') {
      json.terraform.required_providers.postgresql = { source: 'cyrilgdn/postgresql' };
      json.provider.postgresql = [{ username: '${var.postgres_admin_username}' }];
      json.variable.postgres_admin_username = { type: 'string' };
      json.resource.postgresql_role = { 'Vault_Tenant-a_PostgreSQL_Owner': { ...meta('Vault/Tenant-a/PostgreSQL/Owner'), name: 'owner' } };
      json['//'].metadata.overrides.stack.push('ephemeral');
      json.ephemeral = { random_password: { pw_a: { length: 40 } } };
      json.resource.postgresql_role['Vault_Tenant-a_PostgreSQL_Owner'].password_wo = '${ephemeral.random_password.pw_a.result}';
      json.terraform.required_providers.random = { source: 'hashicorp/random' };
    }
  }
  return json;
}

describe('tenant fragments', () => {
  test('a tenant\'s path has its Tenant-<id> scope below the stack, and no other id matches', () => {
    expect(isTenantPath('inopsio/prod/Vault/Tenant-a/Policy', 'inopsio/prod', 'a')).toBe(true);
    expect(isTenantPath('inopsio/prod/Vault/Tenant-ab/Policy', 'inopsio/prod', 'a')).toBe(false);
    expect(isTenantPath('inopsio/staging/Tenant-a/Base', 'inopsio/prod', 'a')).toBe(false);
  });

  test('cut from the whole stack and merged into the stack without the tenant, gives the whole stack', () => {
    const whole = stack(['a', 'b']);
    const a = extractTenantFragment(whole, 'inopsio/prod', 'a', { postgresql_role: [] });
    // The shared elements a needs come with it (merged where absent): the providers, their variables, the password.
    expect(Object.keys(a.blocks.provider).sort()).toEqual(['postgresql', 'vault']);
    expect(Object.keys(a.blocks.variable).sort()).toEqual(['postgres_admin_username', 'vault_address']);
    expect(Object.keys(a.blocks.ephemeral.random_password)).toEqual(['pw_a']);
    expect(Object.keys(a.blocks.terraform.required_providers).sort()).toEqual(['postgresql', 'random', 'vault']);
    // Not the environment-wide resources it references (always built), nor another tenant's blocks.
    expect(a.blocks.resource.vault_mount).toBeUndefined();
    expect(Object.keys(a.blocks.resource.helm_release)).toEqual(['Tenant-a_Base_X']);
    expect(a.stackOverrides).toEqual(['terraform', 'ephemeral']);
    expect(a.baseAddress).toBe('helm_release.Tenant-a_Base_X');
    const merged = mergeTenantFragments(stack(['b']), 'inopsio/prod', [{ ...a, overrides: {} }], ['a', 'b']);
    expect(merged).toEqual(whole);
  });

  test('the environment chart depends on every tenant base in the environment\'s order', () => {
    const whole = stack(['a', 'b']);
    const b = extractTenantFragment(whole, 'inopsio/prod', 'b', {});
    const merged = mergeTenantFragments(stack(['a']), 'inopsio/prod', [b], ['b', 'a']);
    expect(merged.resource.helm_release['Environment-platform_Release_1'].depends_on)
      .toEqual(['helm_release.Tenant-b_Base_X', 'helm_release.Tenant-a_Base_X']);
  });

  test('merging leaves each fragment as it was: one kept for the next synthesis receives no other tenant\'s blocks', () => {
    const whole = stack(['a', 'b']);
    const [a, b] = ['a', 'b'].map(id => extractTenantFragment(whole, 'inopsio/prod', id, {}));
    const before = JSON.stringify([a, b]);
    // A stack without either tenant has no vault_policy type: the first fragment's type object must not be adopted.
    const merged = mergeTenantFragments(stack([]), 'inopsio/prod', [a, b], ['a', 'b']);
    expect(JSON.stringify([a, b])).toBe(before);
    expect(Object.keys(merged.resource.vault_policy).sort()).toEqual(['Vault_Tenant-a_Policy', 'Vault_Tenant-b_Policy']);
    // Merged again (the stack written a second time), the same JSON.
    expect(mergeTenantFragments(stack([]), 'inopsio/prod', [a, b], ['a', 'b'])).toEqual(merged);
  });

  test('deferred blocks (a released tenant\'s) are written and cut as the blocks themselves, parsed only then', () => {
    const whole = stack(['a', 'b']);
    const [a, b] = ['a', 'b'].map(id => extractTenantFragment(whole, 'inopsio/prod', id, {}));
    const deferred = { ...a, blocks: deferBlocks(a.blocks) };
    // Every block is held as text: resource.<type>.<name>, variable.<name>, ephemeral.<type>.<name>, provider kept.
    expect(deferred.blocks.resource.helm_release['Tenant-a_Base_X']).toBeInstanceOf(DeferredJson);
    expect(deferred.blocks.variable.postgres_admin_username).toBeInstanceOf(DeferredJson);
    expect(deferred.blocks.ephemeral.random_password.pw_a).toBeInstanceOf(DeferredJson);
    expect(materializeBlocks(deferred.blocks)).toEqual(a.blocks);

    const json = mergeTenantFragments(stack([]), 'inopsio/prod', [deferred, b], ['a', 'b']);
    expect(json.resource.vault_policy['Vault_Tenant-a_Policy']).toBeInstanceOf(DeferredJson);
    // The writer's text is that of the stack built with both tenants; materialized, the same objects.
    expect(stableJson(json, '  ')).toBe(stableJson(whole, '  '));
    expect(materializeBlocks(json)).toEqual(whole);
    // A tenant's fragment cut from the stack with deferred blocks: from its own blocks, shared elements looked through.
    expect(extractTenantFragment(json, 'inopsio/prod', 'a', {}, materializeBlocks(deferred.blocks))).toEqual(a);
    expect(extractTenantFragment(json, 'inopsio/prod', 'b', {})).toEqual(b);
  });
});

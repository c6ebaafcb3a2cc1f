import { capabilitiesOn, vaultPathMatches } from '../../src/policy/rules/wiring-vault';
import { parseVaultPolicy } from '../../src/policy/vault-hcl';

describe('W08 Vault path evaluation', () => {
  test.each([
    ['kv/data/prod/acme/*', 'kv/data/prod/acme/backup/store', true],
    ['kv/data/prod/acme/*', 'kv/data/prod/acme', false],
    ['kv/data/prod/ac*', 'kv/data/prod/acme/x', true],
    ['kv/data/+/acme/*', 'kv/data/prod/acme/x', true],
    ['kv/data/+/acme/*', 'kv/data/prod/globex/x', false],
    ['db/creds/+', 'db/creds/acme-db', true],
    ['db/creds/+', 'db/creds/acme/x', false],
    ['db/creds/acme-db', 'db/creds/acme-db', true],
    ['db/creds/acme-db', 'db/creds/acme-dbx', false],
  ])('pattern %s matches %s: %s', (pattern, path, expected) => {
    expect(vaultPathMatches(pattern, path)).toBe(expected);
  });

  test('the most specific pattern wins, and deny wins over read on the same pattern', () => {
    const policy = (text: string) => parseVaultPolicy(text).paths;
    const paths = policy('path "kv/data/*" { capabilities = ["read"] }\npath "kv/data/prod/acme/*" { capabilities = ["list"] }');
    expect(capabilitiesOn(paths, 'kv/data/prod/acme/x')).toEqual({ pattern: 'kv/data/prod/acme/*', capabilities: ['list'] });
    expect(capabilitiesOn(paths, 'kv/data/prod/globex/x')).toEqual({ pattern: 'kv/data/*', capabilities: ['read'] });
    const both = [...paths, ...policy('path "kv/data/prod/acme/*" { capabilities = ["read", "deny"] }')];
    expect(capabilitiesOn(both, 'kv/data/prod/acme/x').capabilities).toEqual(['deny']);
    expect(capabilitiesOn(paths, 'other/x')).toEqual({ pattern: undefined, capabilities: [] });
  });
});

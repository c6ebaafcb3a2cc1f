import { allows, comparePriority, mergePolicies, patternMatches } from './vault-acl';

describe('vault-acl: Vault policy path matching, as documented', () => {
  test.each([
    ['secret/foo', 'secret/foo', true],
    ['secret/foo', 'secret/foo/bar', false],
    ['secret/foo*', 'secret/food', true],
    ['secret/foo/*', 'secret/foo/bar/baz', true],
    ['secret/foo/*', 'secret/foo', false],
    ['secret/+/teamb', 'secret/org/teamb', true],
    ['secret/+/teamb', 'secret/org/x/teamb', false],
    ['secret/+/*', 'secret/a/b', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(patternMatches(pattern, path)).toBe(expected);
  });

  test('priority: the documented example (secret/+/* is lower than secret/*) and the other rules', () => {
    expect(comparePriority('secret/+/*', 'secret/*')).toBeLessThan(0);
    expect(comparePriority('secret/*', 'secret/a/b')).toBeLessThan(0); // earlier glob
    expect(comparePriority('secret/a*', 'secret/ab')).toBeLessThan(0); // glob vs none at the same place
    expect(comparePriority('secret/a/*', 'secret/a/b/*')).toBeLessThan(0); // shorter
    expect(comparePriority('secret/a/b', 'secret/a/c')).toBeLessThan(0); // lexicographic
  });

  test('the longest (most specific) pattern decides; no union across patterns; deny wins on the same pattern', () => {
    const acl = mergePolicies([
      'path "kv/data/t/*" {\n  capabilities = ["read"]\n}\npath "kv/data/t/backup/*" {\n  capabilities = ["deny"]\n}\n',
      'path "kv/data/t/x" {\n  capabilities = ["list"]\n}\n',
    ]);
    expect(allows(acl, 'kv/data/t/app')).toBe(true);
    expect(allows(acl, 'kv/data/t/backup/primary-store')).toBe(false);
    // The exact rule (list only) decides, not the glob that would grant read.
    expect(allows(acl, 'kv/data/t/x')).toBe(false);
    expect(allows(acl, 'kv/data/t/x', 'list')).toBe(true);
    expect(allows(acl, 'kv/data/u/app')).toBe(false);
    // The same pattern in two policies: deny wins.
    const merged = mergePolicies(['path "a/*" {\n  capabilities = ["read"]\n}\n', 'path "a/*" {\n  capabilities = ["deny"]\n}\n']);
    expect(allows(merged, 'a/b')).toBe(false);
  });
});

// V01/V02 read vault_policy text with a small parser of their own (src/policy/vault-hcl.ts), so the policy layer
// needs no WASM at synth time. Here it is checked against HashiCorp's HCL parser (@cdktf/hcl2json).
import { parse } from '@cdktf/hcl2json';
import * as fc from 'fast-check';
import { stackFixture } from './fixtures';
import { parseVaultPolicy } from '../../src/policy/vault-hcl';
import { VaultCapability, VaultPolicyDocument } from '../../src/tf/vault-policy';

interface Rule { path: string; capabilities: string[] }

async function reference(text: string): Promise<Rule[]> {
  const doc = await parse('policy.hcl', text);
  const out: Rule[] = [];
  for (const [path, blocks] of Object.entries<any[]>(doc.path ?? {})) for (const b of blocks) out.push({ path, capabilities: b.capabilities });
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function ours(text: string): Rule[] {
  const parsed = parseVaultPolicy(text);
  expect(parsed.errors).toEqual([]);
  return parsed.paths.map(p => ({ path: p.path, capabilities: p.capabilities })).sort((a, b) => a.path.localeCompare(b.path));
}

describe('parseVaultPolicy agrees with the HCL parser', () => {
  test('on every vault_policy of the reference platform\'s prod and staging stacks', async () => {
    let n = 0;
    for (const env of ['prod', 'staging'] as const) {
      for (const body of Object.values<any>(stackFixture(env).resource.vault_policy)) {
        expect(ours(body.policy)).toEqual(await reference(body.policy));
        n++;
      }
    }
    // Per stack: the environment policy, three tenant policies, and the backup policies of acme and idle (W08 fixtures).
    expect(n).toBe(12);
  });

  test('on hand-written policies with comments of every style, nested attributes and escapes', async () => {
    const text = [
      '# hash comment', '// slash comment', '/* block', ' comment */',
      'path "kv/data/app/*" {', '  capabilities = ["read", "list"]', '  allowed_parameters = {', '    "ttl" = []', '    "*" = ["a"]', '  }', '  min_wrapping_ttl = "1s"', '}',
      'path "kv/data/\\"quoted\\"" { capabilities = ["deny"] }',
    ].join('\n');
    expect(ours(text)).toEqual(await reference(text));
    expect(parseVaultPolicy(text).paths[0].attributes.allowed_parameters).toEqual({ 'ttl': [], '*': ['a'] });
  });

  test('property: any policy VaultPolicyDocument renders parses to the same rules', async () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/);
    const rule = fc.record({
      path: fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([s, glob]) => `kv-${s.join('/')}${glob ? '/*' : ''}`),
      capabilities: fc.subarray([VaultCapability.CREATE, VaultCapability.READ, VaultCapability.UPDATE, VaultCapability.LIST], { minLength: 1 }),
      description: fc.option(fc.stringMatching(/^[A-Za-z0-9 #"{}]{0,30}$/), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(fc.array(rule, { minLength: 1, maxLength: 6 }), async rules => {
      const text = new VaultPolicyDocument('p', rules).render();
      expect(ours(text)).toEqual(await reference(text));
    }), { numRuns: 60 });
  });

  test('reports errors instead of guessing (unterminated blocks and strings, interpolation, heredocs)', () => {
    expect(parseVaultPolicy('path "a" {').errors).toEqual(['line end: expected "}", got end of text']);
    expect(parseVaultPolicy('path "a {\n}').errors[0]).toMatch(/newline in string/);
    expect(parseVaultPolicy('path "kv/${x}" { capabilities = ["read"] }').errors[0]).toMatch(/template interpolation/);
    expect(parseVaultPolicy('path "a" { capabilities = <<EOT\nread\nEOT\n}').errors[0]).toMatch(/heredoc/);
    expect(parseVaultPolicy('path "a" { capabilities = "read" }').errors[0]).toMatch(/capabilities of "a" is not a list/);
    expect(parseVaultPolicy('path "a" { capabilities = ["read"]\n capabilities = ["list"] }').errors[0]).toMatch(/set twice/);
  });
});

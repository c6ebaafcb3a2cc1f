import { dataVaultAuthBackend, mount, policy } from '@cdktf/provider-vault';
import { Testing, TerraformStack, TerraformOutput } from 'cdktf';
import { dependOn } from '../../src/tf/depends-on';

// Internal to cdktf, read only to count registered tokens.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TokenMap } = require('cdktf/lib/tokens/private/token-map');

/** The synthesized resources of a stack built by `build`. */
function synth(build: (stack: TerraformStack) => void): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

function threeMounts(stack: TerraformStack): { a: mount.Mount; b: mount.Mount; c: policy.Policy } {
  return {
    a: new mount.Mount(stack, 'A', { path: 'a', type: 'kv' }),
    b: new mount.Mount(stack, 'B', { path: 'b', type: 'kv' }),
    c: new policy.Policy(stack, 'C', { name: 'c', policy: 'path "a/*" { capabilities = ["read"] }' }),
  };
}

describe('dependOn', () => {
  test('gives the same depends_on as cdktf\'s dependsOn, in the same order', () => {
    const viaCdktf = synth(stack => {
      const { a, b } = threeMounts(stack);
      new policy.Policy(stack, 'D', { name: 'd', policy: '', dependsOn: [b, a] });
    });
    const viaDependOn = synth(stack => {
      const { a, b } = threeMounts(stack);
      dependOn(new policy.Policy(stack, 'D', { name: 'd', policy: '' }), [b, a]);
    });
    expect(viaDependOn).toEqual(viaCdktf);
    expect(Object.values<any>(viaDependOn.resource.vault_policy).find(p => p.name === 'd').depends_on).toEqual([
      'vault_mount.B', 'vault_mount.A',
    ]);
  });

  test('reads the addresses at synth: a logical id overridden afterwards is the one written', () => {
    const out = synth(stack => {
      const { a, c } = threeMounts(stack);
      dependOn(c, [a]);
      a.overrideLogicalId('renamed');
    });
    expect(out.resource.vault_policy.C.depends_on).toEqual(['vault_mount.renamed']);
  });

  test('registers one token per resource, not one per dependency', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'count');
    const mounts = Array.from({ length: 20 }, (_, i) => new mount.Mount(stack, `M${i}`, { path: `m${i}`, type: 'kv' }));
    const target = new policy.Policy(stack, 'P', { name: 'p', policy: '' });
    const before = (TokenMap.instance() as any).tokenCounter as number;
    dependOn(target, mounts);
    expect(((TokenMap.instance() as any).tokenCounter as number) - before).toBe(1);
    expect(JSON.parse(Testing.synth(stack)).resource.vault_policy.P.depends_on).toHaveLength(20);
    // cdktf's own dependsOn registers one per dependency.
    const counted = (TokenMap.instance() as any).tokenCounter as number;
    new policy.Policy(stack, 'Q', { name: 'q', policy: '', dependsOn: mounts });
    expect(((TokenMap.instance() as any).tokenCounter as number) - counted).toBeGreaterThanOrEqual(20);
  });

  test('dependencies that are not resources (data sources) go through cdktf\'s dependsOn', () => {
    const out = synth(stack => {
      const { a } = threeMounts(stack);
      const data = new dataVaultAuthBackend.DataVaultAuthBackend(stack, 'Auth', { path: 'kubernetes' });
      const p = new policy.Policy(stack, 'D', { name: 'd', policy: '' });
      dependOn(p, [a, data]);
      new TerraformOutput(stack, 'keep', { value: p.name });
    });
    expect(Object.values<any>(out.resource.vault_policy).find(p => p.name === 'd').depends_on).toEqual([
      'vault_mount.A', 'data.vault_auth_backend.Auth',
    ]);
  });
});

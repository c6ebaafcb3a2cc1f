import { baseState, toInput } from './fixtures';
import { PolicyInput } from '../../src/policy/input';
import { PolicyPack } from '../../src/policy/pack';
import { capabilitiesOn, vaultPathMatches } from '../../src/policy/rules/wiring-vault';
import * as vaultHcl from '../../src/policy/vault-hcl';
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

describe('W08 reads a preview through the previews\' host that the input names (PolicyInput.useVaultHost)', () => {
  // A preview's stack creates roles only (V15); the mounts and the templated tenant policy are in the host's stack.
  // The host's construct ids are not the library's (`SharedPreviewVault`, not `PreviewVaultHost`): W08 must not care.
  const host = 'dev';
  const preview = 'preview-feature-x';
  const namespace = `${preview}-acme`;
  const hostStack = {
    resource: {
      vault_mount: {
        kv: { '//': { metadata: { path: `inopsio/${host}/SharedPreviewVault/Kv` } }, 'path': 'kv-preview', 'type': 'kv', 'options': { version: '2' } },
      },
      vault_policy: {
        tenant: {
          '//': { metadata: { path: `inopsio/${host}/SharedPreviewVault/TenantPolicy` } },
          'name': 'preview-tenant',
          'policy': 'path "kv-preview/data/{{identity.entity.aliases.auth_kubernetes_x.metadata.service_account_namespace}}/*" {\n  capabilities = ["read"]\n}\n',
        },
      },
    },
  };
  const previewStack = {
    resource: {
      vault_kubernetes_auth_backend_role: {
        acme: {
          '//': { metadata: { path: `inopsio/${preview}/Vault/Tenant-acme/KubernetesRole` } },
          'backend': 'kubernetes-preview',
          'role_name': namespace,
          'bound_service_account_names': ['acme'],
          'bound_service_account_namespaces': [namespace],
          'token_policies': ['preview-tenant'],
        },
      },
    },
  };
  const deployment = (path: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      template: {
        metadata: {
          annotations: {
            'vault.hashicorp.com/agent-inject': 'true',
            'vault.hashicorp.com/role': namespace,
            'vault.hashicorp.com/auth-path': 'auth/kubernetes-preview',
            'vault.hashicorp.com/agent-inject-secret-stripe': path,
          },
        },
        spec: { serviceAccountName: 'acme', containers: [{ name: 'web', image: 'web:1' }] },
      },
    },
  });
  const w08 = (path: string, withHost: boolean) => {
    const input = new PolicyInput()
      .addTerraformStack(host, `${host}/cdk.tf.json`, JSON.stringify(hostStack))
      .addTerraformStack(preview, `${preview}/cdk.tf.json`, JSON.stringify(previewStack))
      .addKubernetesJson(preview, `${preview}/web.k8s.json`, JSON.stringify([deployment(path)]));
    if (withHost) input.useVaultHost(preview, host);
    return PolicyPack.default().evaluate(input).findings.filter(f => f.ruleId === 'W08').map(f => f.message);
  };

  test('named host: the preview reads through its mounts and its templated policy, whatever the construct ids', () => {
    expect(w08(`kv-preview/data/${namespace}/stripe`, true)).toEqual([]);
    // Not vacuous: another namespace's path is not granted by the host's templated policy.
    expect(w08('kv-preview/data/preview-other-acme/stripe', true)).toEqual([
      expect.stringMatching(/reads Vault path "kv-preview\/data\/preview-other-acme\/stripe", which the policies of Vault role "preview-feature-x-acme" .* do not grant read: no path of them matches it/),
    ]);
  });

  test('no host named: a clear finding, not a silent pass', () => {
    const messages = w08(`kv-preview/data/${namespace}/stripe`, false);
    expect(messages).toEqual([
      expect.stringContaining(`reads Vault path "kv-preview/data/${namespace}/stripe", which lies under no secrets engine mount: the ${preview} stack mounts no secrets engine and the input names no environment whose stack holds the mounts and policies it reads through (a preview's stack creates roles only: PolicyInput.useVaultHost("${preview}", "<host>"), which Platform.synth sets for every preview)`),
      expect.stringMatching(/do not grant read: no path of them matches it; \["preview-tenant"\] resolve to no vault_policy of the stack \(the preview-feature-x stack mounts no secrets engine and the input names no environment/),
    ]);
  });

  test('useVaultHost refuses an empty name and the environment itself', () => {
    expect(() => new PolicyInput().useVaultHost('', host)).toThrow(/PolicyInput: useVaultHost environment is empty/);
    expect(() => new PolicyInput().useVaultHost(preview, preview)).toThrow(/useVaultHost hostEnvironment is the environment itself \(preview-feature-x\)/);
  });
});

describe('Vault policies parsed once per evaluation', () => {
  test('V01, V02 and W08 read each policy text from one parse', () => {
    const spy = jest.spyOn(vaultHcl, 'parseVaultPolicy');
    try {
      const report = PolicyPack.default().evaluate(toInput(baseState()));
      expect(report.rules.filter(r => ['V01', 'V02', 'W08'].includes(r.id)).map(r => [r.id, r.checked > 0])).toEqual([['V01', true], ['V02', true], ['W08', true]]);
      const texts = spy.mock.calls.map(([text]) => text);
      expect(texts.length).toBeGreaterThan(0);
      expect(new Set(texts).size).toBe(texts.length);
    } finally {
      spy.mockRestore();
    }
  });
});

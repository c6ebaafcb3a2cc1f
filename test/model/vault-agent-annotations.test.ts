import { injectsVaultAgent, unescapeHelmName, vaultAgentReads, vaultAnnotationsOfParameters } from '../../src/model/vault-agent-annotations';

describe('vaultAgentReads: the Vault paths a pod asks the agent for', () => {
  test('secret annotations and template secrets, each path once, at the first annotation by name', () => {
    expect(vaultAgentReads({
      'vault.hashicorp.com/role': 'acme',
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/agent-inject-secret-db': 'db/creds/acme-db',
      'vault.hashicorp.com/agent-inject-template-db': '{{ with secret "db/creds/acme-db" }}{{ end }}{{ with secret "/kv/data/x" }}{{ end }}',
    })).toEqual([
      { key: 'vault.hashicorp.com/agent-inject-secret-db', path: 'db/creds/acme-db' },
      { key: 'vault.hashicorp.com/agent-inject-template-db', path: 'kv/data/x' },
    ]);
  });

  test('several secrets, listed by annotation name whatever the order of the object', () => {
    expect(vaultAgentReads({
      'vault.hashicorp.com/agent-inject-secret-z': 'kv/data/z',
      'vault.hashicorp.com/agent-inject-secret-a': '/kv/data/a',
      'vault.hashicorp.com/agent-inject-secret-m': 'database/creds/m',
    }).map(r => [r.key.split('-').pop(), r.path])).toEqual([['a', 'kv/data/a'], ['m', 'database/creds/m'], ['z', 'kv/data/z']]);
  });

  test('a template reads every secret it names: `with secret` and bare `secret`, any spacing', () => {
    const template = '{{- with secret "kv/data/a" -}}{{ .Data.data.x }}{{- end }}\n{{ (secret   "kv/data/b").Data.data.y }}\n{{ with secret "database/creds/r" "ttl=1h" }}{{ end }}';
    expect(vaultAgentReads({ 'vault.hashicorp.com/agent-inject-template-env': template }).map(r => r.path))
      .toEqual(['kv/data/a', 'kv/data/b', 'database/creds/r']);
  });

  test('a template alone (no secret annotation for its file) still reads its paths', () => {
    expect(vaultAgentReads({ 'vault.hashicorp.com/agent-inject-template-cfg': '{{ with secret "kv/data/cfg" }}{{ end }}' }))
      .toEqual([{ key: 'vault.hashicorp.com/agent-inject-template-cfg', path: 'kv/data/cfg' }]);
  });

  test('odd inputs: no annotations, empty values, non-string values, look-alike names, templates without a secret', () => {
    expect(vaultAgentReads(undefined)).toEqual([]);
    expect(vaultAgentReads({})).toEqual([]);
    expect(vaultAgentReads({
      'vault.hashicorp.com/agent-inject-secret-empty': '',
      'vault.hashicorp.com/agent-inject-secret-null': null,
      'vault.hashicorp.com/agent-inject-secret-number': 42,
      'vault.hashicorp.com/agent-inject-perms-db': '0400',
      'vault.hashicorp.com/agent-inject-containers': 'backup',
      'example.com/agent-inject-secret-x': 'kv/data/other',
      'vault.hashicorp.com/agent-inject-template-plain': 'no secret here: {{ env "HOME" }}',
      'vault.hashicorp.com/agent-inject-template-unquoted': '{{ with secret kv/data/x }}{{ end }}',
    })).toEqual([{ key: 'vault.hashicorp.com/agent-inject-secret-number', path: '42' }]);
  });

  test('roles and the other injector annotations name no path', () => {
    expect(vaultAgentReads({
      'vault.hashicorp.com/role': 'kv/data/looks-like-a-path',
      'vault.hashicorp.com/auth-path': 'auth/kubernetes',
      'vault.hashicorp.com/agent-service-account-token-volume-name': 'vault-token',
    })).toEqual([]);
  });
});

describe('vaultAnnotationsOfParameters: the pod annotations Helm parameters set', () => {
  test('escaped names under any key, unescaped; other values and top-level look-alikes ignored', () => {
    expect(vaultAnnotationsOfParameters([
      { name: 'podAnnotations.vault\\.hashicorp\\.com/role', value: 'acme' },
      { name: 'podAnnotations.vault\\.hashicorp\\.com/agent-inject', value: 'true' },
      { name: 'worker.annotations.vault\\.hashicorp\\.com/agent-inject-secret-db', value: 'database-prod/creds/acme-db' },
      { name: 'vault\\.hashicorp\\.com/role', value: 'top-level value, not a pod annotation' },
      { name: 'image.tag', value: '1.2.3' },
      { name: 42, value: 'no name' },
      { value: 'no name' },
      null,
    ])).toEqual({
      'vault.hashicorp.com/role': 'acme',
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/agent-inject-secret-db': 'database-prod/creds/acme-db',
    });
    expect(vaultAnnotationsOfParameters(undefined)).toEqual({});
  });

  test('the later of two parameters setting one annotation wins, as in Helm; a missing value is empty', () => {
    expect(vaultAnnotationsOfParameters([
      { name: 'podAnnotations.vault\\.hashicorp\\.com/role', value: 'first' },
      { name: 'podAnnotations.vault\\.hashicorp\\.com/role', value: 'second' },
      { name: 'podAnnotations.vault\\.hashicorp\\.com/auth-path' },
    ])).toEqual({ 'vault.hashicorp.com/role': 'second', 'vault.hashicorp.com/auth-path': '' });
  });

  test('reads with vaultAgentReads as a pod template would (a helm_release template value escapes its braces)', () => {
    const params = [
      { name: 'podAnnotations.vault\\.hashicorp\\.com/agent-inject-secret-env-stripe-key', value: 'kv-dev/data/dev/acme/stripe' },
      { name: 'podAnnotations.vault\\.hashicorp\\.com/agent-inject-template-env-stripe-key', value: '\\{{ with secret "kv-dev/data/dev/acme/stripe" }}{{ index .Data.data "api_key" }}{{ end }}' },
      { name: 'podAnnotations.vault\\.hashicorp\\.com/agent-inject-template-env-database-url', value: '\\{{ with secret "cache-dev/creds/acme-cache" }}{{ end }}' },
    ];
    expect(vaultAgentReads(vaultAnnotationsOfParameters(params))).toEqual([
      { key: 'vault.hashicorp.com/agent-inject-secret-env-stripe-key', path: 'kv-dev/data/dev/acme/stripe' },
      { key: 'vault.hashicorp.com/agent-inject-template-env-database-url', path: 'cache-dev/creds/acme-cache' },
    ]);
  });

  test('unescapeHelmName drops each backslash escape', () => {
    expect(unescapeHelmName('a.vault\\.hashicorp\\.com/role')).toBe('a.vault.hashicorp.com/role');
    expect(unescapeHelmName('list\\,item\\\\x')).toBe('list,item\\x');
  });
});

describe('injectsVaultAgent: agent-inject as the injector reads it', () => {
  test.each([
    ['true', true], ['True', true], ['TRUE', true], ['1', true], ['t', true], ['T', true],
    ['false', false], ['yes', false], ['on', false], ['', false], [' true', false],
  ])('"%s" → %s', (value, expected) => {
    expect(injectsVaultAgent({ 'vault.hashicorp.com/agent-inject': value })).toBe(expected);
  });

  test('no annotations, another annotation, a non-string true', () => {
    expect(injectsVaultAgent(undefined)).toBe(false);
    expect(injectsVaultAgent({ 'vault.hashicorp.com/agent-inject-secret-x': 'true' })).toBe(false);
    expect(injectsVaultAgent({ 'vault.hashicorp.com/agent-inject': true })).toBe(true);
  });
});

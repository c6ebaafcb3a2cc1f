import { addInputSecretProblems, findInputSecrets } from '../../src/model/input-secrets';
import { Problems } from '../../src/model/problems';

const STRIPE = 'sk_live_51HqLyjWDarjtT1zdp7dcXk3jH8sLq9Pz';

describe('findInputSecrets', () => {
  test('names each secret by its path and rule, through arrays, class instances and quoted keys', () => {
    // A class instance (as the Platform's props hold Environments and Tenants; their module values are checked
    // earlier, by the Tenant itself), inside an array, with quoted keys.
    class Holder {
      constructor(public readonly values: { [key: string]: string }) {}
    }
    const holders = [new Holder({ 'env.UPSTREAM': STRIPE, 'env.DB_PASSWORD': 'hunter2!' })];
    expect(findInputSecrets({ environments: holders, settings: { hook: 'https://ci:Zq8mW2rT5x@ci.example/hook' } }, '')).toEqual([
      { path: 'environments[0].values["env.UPSTREAM"]', ruleId: 'stripe-access-token' },
      // A literal under a secret name is found by its name.
      { path: 'environments[0].values["env.DB_PASSWORD"]', ruleId: 'secret-field-literal' },
      { path: 'settings.hook', ruleId: 'url-credentials' },
    ]);
  });

  test('references, templates, paths, digests and settings are not secrets', () => {
    expect(findInputSecrets({
      password: "{{ vault('kv/data/db', 'password') }}",
      token: '${{ secrets.GITHUB_TOKEN }}',
      tokenFile: '/vault/secrets/token',
      image: `registry.example/app@sha256:${'ab'.repeat(32)}`,
      url: 'https://minio.minio.svc:9000',
      audience: 'vault',
    }, 'props')).toEqual([]);
  });

  test('a shared object is reported once, at its first path; cycles end', () => {
    const shared: any = { apiKey: STRIPE };
    shared.self = shared;
    expect(findInputSecrets({ a: shared, b: shared }, '')).toEqual([{ path: 'a.apiKey', ruleId: 'stripe-access-token' }]);
  });

  test('the problem never shows the secret', () => {
    const problems = new Problems('inopsio');
    addInputSecretProblems(problems, { workflows: { installCommand: `NPM_TOKEN=${STRIPE} npm ci` } }, '');
    expect(problems.all).toEqual([
      'inopsio: workflows.installCommand holds a literal secret (rule stripe-access-token) (got "<redacted>"); store it in Vault and reference it '
        + '({{ vault(\'kv/data/<path>\', \'<key>\') }} in module values, a VaultRef elsewhere); nothing is written while a secret is in the input (B13)',
    ]);
  });
});

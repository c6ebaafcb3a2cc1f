import * as fc from 'fast-check';
import { SecretKind, SecretScanner } from '../../src/policy';
import { isSafeValue, looksRandom, shannonEntropy } from '../../src/policy/secret-patterns';

const kinds = (text: string) => SecretScanner.scanText(text).map(m => m.kind);
// Complete PEM blocks: a header alone is no key (gitleaks' private-key rule wants the body and the footer).
const body = 'MIIEowIBAAKCAQEAq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7w';
const pem = (type: string) => `-----BEGIN ${type} PRIVATE KEY-----\n${body}\n-----END ${type} PRIVATE KEY-----`;

describe('SecretScanner: what it finds', () => {
  test.each([
    ['PEM private key', pem('RSA'), SecretKind.PRIVATE_KEY],
    ['OpenSSH private key', `key: |\n  ${pem('OPENSSH').replace(/\n/g, '\n  ')}`, SecretKind.PRIVATE_KEY],
    ['postgres URL with a password', 'DATABASE_URL=postgres://app:s3cr3t@db.internal:5432/app', SecretKind.URL_CREDENTIALS],
    ['mc host URL with keys', 'MC_HOST_primary=https://AKIAEXAMPLE:wJalrXUtnFEMI@minio:9000', SecretKind.URL_CREDENTIALS],
    // gitleaks allowlists AWS's documentation key (…EXAMPLE); a real-looking one is found.
    ['AWS access key id', 'aws_access_key_id = AKIAZ7RQ3XJ5MB2WK4PL', SecretKind.AWS_ACCESS_KEY],
    ['Vault service token (hvs. + 90–120 characters)', `VAULT_TOKEN: hvs.${'CAESIJ3r4nd0mStuffHereAndMore12345'.repeat(3)}`, SecretKind.VAULT_TOKEN],
    ['Stripe live key', 'STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc', SecretKind.PROVIDER_TOKEN],
    ['Slack bot token', 'slack: xoxb-2934567890123-2934567890123-aB3dE5fG7hJ9kL1mN3pQ5rS7', SecretKind.PROVIDER_TOKEN],
    ['legacy Vault token (s. + 24)', 'token s.Xk3jH8sLq9PzW2vN7mT4yR1a in a log', SecretKind.VAULT_TOKEN],
    ['GitHub token', 'GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345', SecretKind.GITHUB_TOKEN],
    ['JWT', 'auth: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', SecretKind.JWT],
    ['YAML password literal', 'db:\n  password: hunter2', SecretKind.PASSWORD_LITERAL],
    ['JSON password literal', '{"user": "app", "password": "hunter2"}', SecretKind.PASSWORD_LITERAL],
    ['HCL password literal', 'password = "hunter2"', SecretKind.PASSWORD_LITERAL],
    ['env-file secret', 'export STRIPE_SECRET=sk_live_abc', SecretKind.PASSWORD_LITERAL],
    ['high-entropy api key', 'api_key: Zk93nQ8xL2mP4vR7tY1wB6cD', SecretKind.HIGH_ENTROPY],
    ['high-entropy value in a field named key', '"signing_key": "q8Xv2LmN9pR4sT7wY0zB3cF6hJ"', SecretKind.HIGH_ENTROPY],
  ])('%s', (_name, text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  test('reports 1-based line and column, and the key', () => {
    const m = SecretScanner.scanText('a: 1\nb:\n  client_secret: "t0ps3cret!"\n');
    expect(m).toEqual([{ kind: SecretKind.PASSWORD_LITERAL, ruleId: 'password-literal', line: 3, column: 18, key: 'client_secret', redacted: '…(10 chars)' }]);
  });

  test('never returns the secret: short values show nothing, long ones only a 4-character prefix', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9]{8,40}$/), secret => {
      const found = SecretScanner.scanText(`password: "${secret}"`);
      expect(found.length).toBeGreaterThan(0);
      for (const m of found) {
        expect(m.redacted).not.toContain(secret);
        // At most a 4-character prefix, and only of a secret of 20 characters or more (a rule's secret may keep its quotes).
        expect(m.redacted).toMatch(/^(?:.{4})?…\(\d+ chars\)$/);
        if (secret.length < 18) expect(m.redacted).toMatch(/^…/);
      }
    }));
  });
});

describe('SecretScanner: what it lets through (allow-list)', () => {
  test.each([
    ['image pinned by digest', `image: registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`],
    ['chart version with a digest', 'version: 1.0.0-8436777977ca'],
    ['Vault connection template', 'connection_url: postgresql://{{username}}:{{password}}@${var.database_host}:5432/prod_acme'],
    ['Vault agent template', 'password: "{{ .Data.password }}"'],
    ['Terraform reference', '"password_wo": "${lookup(var.database_bootstrap_passwords, \\"acme\\", null)}"'],
    ['GitHub expression', 'token: ${{ secrets.TF_API_TOKEN }}'],
    ['file path of a secret', 'PGPASSFILE: /vault/secrets/pgpass'],
    ['Vault path', 'vault.hashicorp.com/agent-inject-secret-pgpass: database-prod/creds/acme-db'],
    ['booleans and settings', 'automountServiceAccountToken: false\nid-token: write\ntoken_type: default-service\ntoken_ttl: 1800'],
    ['public certificate', 'ca.crt: -----BEGIN CERTIFICATE-----'],
    ['shell variable expansion', 'PGPASSWORD="$PASS"\nexport TOKEN=$(cat /vault/secrets/token)'],
    ['printf template of a URL', 'printf \'%s://%s:%s@%s\' "$scheme" "$ak" "$sk" "$host"'],
    ['placeholders', 'password: <your password>\nsecret: "********"'],
  ])('%s', (_name, text) => {
    expect(SecretScanner.scanText(text)).toEqual([]);
  });

  test('extra allow patterns from the options', () => {
    expect(SecretScanner.scanText('password: demo-password-for-docs')).toHaveLength(1);
    expect(SecretScanner.scanText('password: demo-password-for-docs', { allowPatterns: ['^demo-'] })).toEqual([]);
  });

  test('helpers: entropy and randomness', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(looksRandom('inopsio_backup_last_success_timestamp_seconds')).toBe(false);
    expect(looksRandom('Zk93nQ8xL2mP4vR7tY1wB6cD')).toBe(true);
    expect(isSafeValue('/vault/secrets/pgpass')).toBe(true);
    expect(isSafeValue('hunter2')).toBe(false);
  });
});

describe('SecretScanner: properties (fast-check)', () => {
  // Random tokens as secret generators emit them: base62, 24–64 characters, upper, lower and digits.
  // Random-looking as the scanner defines it (looksRandom): ≥ 3.6 bits per character, ≥ 4.0 from 32 characters on.
  const token = fc.stringMatching(/^[A-Za-z0-9]{24,64}$/).filter(t => /[a-z]/.test(t) && /[A-Z]/.test(t) && /[0-9]/.test(t) && shannonEntropy(t) >= (t.length >= 32 ? 4.0 : 3.6));
  const secretKey = fc.constantFrom('password', 'db_password', 'apiKey', 'api_key', 'client_secret', 'token', 'auth_token', 'secret', 'private_key', 'signing_key');
  const filler = fc.array(fc.constantFrom('name: acme', 'replicas: 2', 'image: registry.example.com/app@sha256:' + 'ab'.repeat(32), '# a comment', 'enabled: true', 'path: /var/lib/x'), { maxLength: 8 });

  test('a random high-entropy token injected into a secret field is found, at its line, in YAML, JSON and HCL', () => {
    fc.assert(fc.property(filler, secretKey, token, fc.constantFrom('yaml', 'json', 'hcl'), (lines, key, tok, style) => {
      const line = style === 'yaml' ? `${key}: ${tok}` : style === 'json' ? `"${key}": "${tok}",` : `${key} = "${tok}"`;
      const text = [...lines, line, ...lines].join('\n');
      const found = SecretScanner.scanText(text).filter(m => m.key === key);
      expect(found).toHaveLength(1);
      expect([SecretKind.HIGH_ENTROPY, SecretKind.PASSWORD_LITERAL]).toContain(found[0].kind);
      expect(found[0].line).toBe(lines.length + 1);
    }), { numRuns: 300 });
  });

  test('a random token in a field merely named "key" is found; a readable value there is not', () => {
    fc.assert(fc.property(token, tok => {
      expect(kinds(`cache_key: ${tok}`)).toEqual([SecretKind.HIGH_ENTROPY]);
      expect(kinds('cache_key: app.kubernetes.io/name')).toEqual([]);
    }), { numRuns: 100 });
  });

  test('random AWS keys, GitHub tokens and Vault tokens are found anywhere in a line', () => {
    // As issued: AWS key ids are base32 after the prefix; Vault service tokens are 90–120 characters after hvs.
    const entropic = (t: string) => shannonEntropy(t) > 3.6;
    const base32 = fc.stringMatching(/^[A-Z2-7]{16}$/).filter(entropic);
    const alnum36 = fc.stringMatching(/^[A-Za-z0-9]{36}$/).filter(entropic);
    const vault = fc.stringMatching(/^[A-Za-z0-9_-]{90,120}$/).filter(entropic);
    fc.assert(fc.property(base32, alnum36, vault, fc.stringMatching(/^[a-z ]{0,20}$/), (aws, gh, tok, prefix) => {
      expect(kinds(`${prefix} AKIA${aws} x`)).toContain(SecretKind.AWS_ACCESS_KEY);
      expect(kinds(`${prefix} ghp_${gh}`)).toContain(SecretKind.GITHUB_TOKEN);
      expect(kinds(`${prefix} hvs.${tok}`)).toContain(SecretKind.VAULT_TOKEN);
    }), { numRuns: 200 });
  });

  test('sha256 digests (image references, checksums, chart versions) are never flagged, whatever the field', () => {
    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
    const hex12 = fc.stringMatching(/^[0-9a-f]{12}$/);
    const field = fc.constantFrom('image', 'digest', 'checksum', 'sha256', 'version', 'appVersion', 'cache_key');
    fc.assert(fc.property(hex64, hex12, field, (h, short, f) => {
      expect(SecretScanner.scanText(`${f}: registry.example.com/team/app@sha256:${h}`)).toEqual([]);
      expect(SecretScanner.scanText(`"${f}": "sha256:${h}"`)).toEqual([]);
      expect(SecretScanner.scanText(`${f}: 1.0.0-${short}`)).toEqual([]);
    }), { numRuns: 300 });
  });

  test('Vault templates and references in secret fields are never flagged', () => {
    const name = fc.stringMatching(/^[a-z_.]{1,20}$/);
    fc.assert(fc.property(secretKey, name, (key, n) => {
      expect(SecretScanner.scanText(`${key}: "{{ ${n} }}"`)).toEqual([]);
      expect(SecretScanner.scanText(`${key}: "\${var.${n.replace(/\./g, '_') || 'x'}}"`)).toEqual([]);
      expect(SecretScanner.scanText(`url: postgresql://{{username}}:{{password}}@db/${n}`)).toEqual([]);
    }), { numRuns: 100 });
  });
});

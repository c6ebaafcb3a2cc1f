/**
 * The secret scan was made cheaper (issue 20: rule B13 was half of the policy pack's time) with shortcuts that must
 * not change a single finding: keywords of a multi-line text found line by line with each line remembered
 * (`KeywordIndex.presentLowerCased`), keyword windows that start at the run of `[\w.-]` before the keyword
 * (`patternMatches`), leaf paths built only for a finding and short leaves remembered by key and value (B13).
 *
 * The oracle is the scan as it was before (test/support/secret-oracle, a frozen copy): the library must give the
 * same findings (rule ids, offsets, lines, columns, keys, redactions, order) over (a) the samples of the secret tests
 * and one generated sample of every gitleaks rule, (b) every output file of the reference platform, as text and as
 * the pack reads it, with secrets planted in its scripts, and (c) near misses generated around each shortcut's
 * boundary: keywords broken by a line break or next to characters whose lower case is special, runs of `[\w.-]` of
 * about the window's length before a keyword, the same lines in other texts (a remembered line), leaves whose path
 * needs brackets, arrays with holes.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { GITLEAKS_RULES } from '../../src/model/gitleaks-rules';
import { detectSecrets, detectSecretsInValue, KeywordIndex, keywordWindow, patternMatches, translateRe2 } from '../../src/model/secret-detector';
import { contentsOf, TextDocument } from '../../src/policy/contents';
import { PolicyInput } from '../../src/policy/input';
import { readOutputFolders } from '../../src/policy/output-files';
import { PolicyContext } from '../../src/policy/rule';
import { secretScanRule } from '../../src/policy/rules/secrets';
import { SecretScanner } from '../../src/policy/secret-scan';
import { writeReferencePlatform } from '../support/reference-platform';
import { secretScanRule as oracleRule } from '../support/secret-oracle/b13';
import * as oracleDetector from '../support/secret-oracle/secret-detector';
import { SecretScanner as OracleScanner } from '../support/secret-oracle/secret-scan';

const ALLOW = ['^demo-', 'EXAMPLE'];
const scanner = new SecretScanner();
const oracleScanner = new OracleScanner();
const allowScanner = new SecretScanner({ allowPatterns: ALLOW });
const oracleAllowScanner = new OracleScanner({ allowPatterns: ALLOW });
const allow = ALLOW.map(a => new RegExp(a));

/** Every entry point of the detector and the scanner on one text gives what the oracle gives. */
function expectSameFindings(text: string): void {
  expect(detectSecrets(text)).toEqual(oracleDetector.detectSecrets(text));
  expect(detectSecrets(text, allow)).toEqual(oracleDetector.detectSecrets(text, allow));
  expect(scanner.scan(text)).toEqual(oracleScanner.scan(text));
  expect(allowScanner.scan(text)).toEqual(oracleAllowScanner.scan(text));
}

/** The same for a named value, as module values and Platform inputs are checked. */
function expectSameValueFindings(name: string, value: string): void {
  expect(detectSecretsInValue(name, value)).toEqual(oracleDetector.detectSecretsInValue(name, value));
}

/** B13's violations over texts, the library's and the oracle's, each rule instance used for all (memos warm). */
function expectSameB13(texts: readonly TextDocument[], options: { allowPatterns?: string[] } = {}): number {
  const ctx = { texts } as unknown as PolicyContext;
  const got = secretScanRule(options).evaluate(ctx);
  const want = oracleRule(options).evaluate(ctx);
  expect(got).toEqual(want);
  return want.violations.length;
}

// Samples of the secret tests (test/policy/secret-scan.test.ts, test/policy/rules.test.ts,
// test/model/input-secrets.test.ts) and what the allow-list lets through.
const body = 'MIIEowIBAAKCAQEAq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7w';
const pem = (type: string) => `-----BEGIN ${type} PRIVATE KEY-----\n${body}\n-----END ${type} PRIVATE KEY-----`;
const SAMPLES: string[] = [
  pem('RSA'),
  `key: |\n  ${pem('OPENSSH').replace(/\n/g, '\n  ')}`,
  'DATABASE_URL=postgres://app:s3cr3t@db.internal:5432/app',
  'MC_HOST_primary=https://AKIAEXAMPLE:wJalrXUtnFEMI@minio:9000',
  'aws_access_key_id = AKIAZ7RQ3XJ5MB2WK4PL',
  `VAULT_TOKEN: hvs.${'CAESIJ3r4nd0mStuffHereAndMore12345'.repeat(3)}`,
  'STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'slack: xoxb-2934567890123-2934567890123-aB3dE5fG7hJ9kL1mN3pQ5rS7',
  'token s.Xk3jH8sLq9PzW2vN7mT4yR1a in a log',
  'GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345',
  'auth: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'db:\n  password: hunter2',
  '{"user": "app", "password": "hunter2"}',
  'password = "hunter2"',
  'export STRIPE_SECRET=sk_live_abc',
  'api_key: Zk93nQ8xL2mP4vR7tY1wB6cD',
  '"signing_key": "q8Xv2LmN9pR4sT7wY0zB3cF6hJ"',
  'a: 1\nb:\n  client_secret: "t0ps3cret!"\n',
  `image: registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`,
  'version: 1.0.0-8436777977ca',
  'connection_url: postgresql://{{username}}:{{password}}@${var.database_host}:5432/prod_acme',
  'password: "{{ .Data.password }}"',
  '"password_wo": "${lookup(var.database_bootstrap_passwords, \\"acme\\", null)}"',
  'token: ${{ secrets.TF_API_TOKEN }}',
  'PGPASSFILE: /vault/secrets/pgpass',
  'vault.hashicorp.com/agent-inject-secret-pgpass: database-prod/creds/acme-db',
  'automountServiceAccountToken: false\nid-token: write\ntoken_type: default-service\ntoken_ttl: 1800',
  'ca.crt: -----BEGIN CERTIFICATE-----',
  'PGPASSWORD="$PASS"\nexport TOKEN=$(cat /vault/secrets/token)',
  'printf \'%s://%s:%s@%s\' "$scheme" "$ak" "$sk" "$host"',
  'password: <your password>\nsecret: "********"',
  'password: demo-password-for-docs',
  'key id AKIAZ7RQ3XJ5MB2WK4PL',
  'upstream: sk_live_51HqLyjWDarjtT1zdp7dcXk3jH8sLq9Pz\n',
  'https://ci:Zq8mW2rT5x@ci.example/hook',
  `${'echo ok\n'.repeat(400)}export GITHUB_TOKEN=ghp_${'a1B2c3D4e5'.repeat(3)}123456\n`,
  `${'# nothing here\n'.repeat(300)}token: not-a-secret\n${'x'.repeat(200)}\napi_key = "Zx9QpL2mNv8RtY6wKj4HsD1f"\nauth=${'A1b2C3d4'.repeat(4)}\n`,
  '',
  '\n',
  'plain text without anything',
];

/**
 * A generator of strings matching a gitleaks rule's pattern (fast-check's stringMatching, which knows no `\b` or
 * lookaround: those are left out, so some samples miss the pattern; they are near misses then).
 */
function ruleSample(regex: string): fc.Arbitrary<string> | undefined {
  const source = translateRe2(regex).replace(/\\b/g, '').replace(/\(\?<?[!=](?:[^()]|\([^()]*\))*\)/g, '');
  try {
    const arb = fc.stringMatching(new RegExp(source));
    fc.sample(arb, { numRuns: 1, seed: 1 });
    return arb.map(s => s.slice(0, 2000));
  } catch {
    return undefined;
  }
}

const RULE_SAMPLES = GITLEAKS_RULES.map(r => ({ id: r.id, keywords: r.keywords, sample: ruleSample(r.regex) }));

/** What goes around a sample: nothing, a key, an assignment, quotes, lines. */
const around = fc.record({
  before: fc.constantFrom('', ' ', '\n', 'key: ', 'token: "', 'export X=', 'api_key = "', '"secret": "', '# x\n  ', 'Σ ', 'İ', '\u212Aey: '),
  after: fc.constantFrom('', ' ', '\n', '"', '";', '\r\n', '\nnext: line', ' # comment'),
});

/** Changes of a text that cross a shortcut's boundary: a line break, a case change, a character less or more. */
function mutate(text: string, at: number, kind: number): string {
  const i = text.length === 0 ? 0 : at % (text.length + 1);
  switch (kind % 6) {
    case 0: return `${text.slice(0, i)}\n${text.slice(i)}`;
    case 1: return `${text.slice(0, i)}${text.slice(i + 1)}`;
    case 2: return `${text.slice(0, i)}${(text[i] ?? '').toUpperCase()}${text.slice(i + 1)}`;
    case 3: return `${text.slice(0, i)} ${text.slice(i)}`;
    case 4: return `${text.slice(0, i)}-${text.slice(i)}`;
    default: return text;
  }
}

describe('the cheaper secret scan finds exactly what the scan before it found', () => {
  describe('(a) the samples of the secret tests, and one sample of every gitleaks rule', () => {
    test.each(SAMPLES.map(s => [JSON.stringify(s).slice(0, 60), s]))('%s', (_name, text) => {
      expectSameFindings(text);
      expectSameValueFindings('password', text);
      expectSameValueFindings('value', text);
    });

    test('most gitleaks rules have a generated sample, and the samples are found', () => {
      const generated = RULE_SAMPLES.filter(r => r.sample !== undefined);
      expect(generated.length).toBeGreaterThan(150);
      let found = 0;
      for (const r of generated) {
        for (const s of fc.sample(r.sample!, { numRuns: 3, seed: 42 })) {
          const text = `value: ${s}\n`;
          expectSameFindings(text);
          if (oracleDetector.detectSecrets(text).length > 0) found++;
        }
      }
      // The comparison is not only over texts without findings.
      expect(found).toBeGreaterThan(100);
    });

    test('a generated sample of a rule, around a key or a line, mutated or not', () => {
      const rules = RULE_SAMPLES.filter(r => r.sample !== undefined);
      const arb = fc.integer({ min: 0, max: rules.length - 1 }).chain(i => fc.tuple(rules[i].sample!, around, fc.nat(), fc.nat()));
      fc.assert(fc.property(arb, ([sample, { before, after }, at, kind]) => {
        const text = mutate(`${before}${sample}${after}`, at, kind);
        expectSameFindings(text);
        expectSameValueFindings('client_secret', text);
      }), { numRuns: 1500, seed: 20 });
    });
  });

  describe('(b) every output file of the reference platform', () => {
    const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'secret-identity-'));
    let texts: readonly TextDocument[] = [];
    const files: string[] = [];

    beforeAll(() => {
      writeReferencePlatform(scratch);
      const input = new PolicyInput();
      readOutputFolders(input, {
        manifests: path.join(scratch, 'dist', 'k8s'),
        stacks: path.join(scratch, 'cdktf.out', 'stacks'),
        workflows: path.join(scratch, 'dist', 'workflows'),
        texts: [path.join(scratch, 'dist', 'charts')],
      });
      texts = contentsOf(input).texts;
      const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else files.push(p);
        }
      };
      walk(scratch);
    });
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    test('B13 as the pack reads the output (manifests, stacks, workflows, charts)', () => {
      expect(texts.length).toBeGreaterThan(20);
      expectSameB13(texts);
      expectSameB13(texts, { allowPatterns: ALLOW });
    });

    test('every file as plain text, whole', () => {
      expect(files.length).toBeGreaterThan(100);
      const distinct = [...new Set(files.map(f => fs.readFileSync(f, 'utf8')))];
      for (const text of distinct) expect(scanner.scan(text)).toEqual(oracleScanner.scan(text));
      expectSameB13(files.map(f => ({ file: path.relative(scratch, f), text: fs.readFileSync(f, 'utf8') })));
    });

    test('every string value of the output, alone, with its key, and as a named input value', () => {
      const leaves = new Map<string, Set<string>>();
      const collect = (v: unknown, key: string): void => {
        if (typeof v === 'string') {
          if (!leaves.has(key)) leaves.set(key, new Set());
          leaves.get(key)!.add(v);
        } else if (Array.isArray(v)) {
          v.forEach(x => collect(x, key));
        } else if (v !== null && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) collect(x, k);
        }
      };
      for (const t of texts) collect(t.structured, '');
      let n = 0;
      for (const [key, values] of leaves) {
        for (const value of values) {
          n++;
          expect(detectSecrets(value)).toEqual(oracleDetector.detectSecrets(value));
          expect(scanner.scan(value)).toEqual(oracleScanner.scan(value));
          const named = `${key || 'value'}: ${JSON.stringify(value)}`;
          expect(scanner.scan(named)).toEqual(oracleScanner.scan(named));
          expectSameValueFindings(key || 'value', value);
        }
      }
      expect(n).toBeGreaterThan(1000);
    });

    test('the scripts and long values with secrets planted on their lines (remembered lines around new ones)', () => {
      const long = [...new Set(texts.flatMap(t => {
        const out: string[] = [];
        const collect = (v: unknown): void => {
          if (typeof v === 'string') {
            if (v.includes('\n')) out.push(v);
          } else if (v !== null && typeof v === 'object') {
            Object.values(v).forEach(collect);
          }
        };
        collect(t.structured);
        return out;
      }))];
      expect(long.length).toBeGreaterThan(10);
      const planted = [
        'export GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345',
        'api_key = "Zx9QpL2mNv8RtY6wKj4HsD1f"',
        'password: hunter22',
        'curl -u admin:Zq8mW2rT5xLp https://x',
        '  "token": "q8Xv2LmN9pR4sT7wY0zB3cF6hJ",',
        'kind: Secret\ndata:\n  password: aHVudGVyMjJodW50ZXIy',
        'to\nken: Zx9QpL2mNv8RtY6wKj4HsD1f',
      ];
      let withFindings = 0;
      fc.assert(fc.property(fc.nat({ max: long.length - 1 }), fc.nat(), fc.nat({ max: planted.length - 1 }), (i, at, p) => {
        const lines = long[i].split('\n');
        const k = at % (lines.length + 1);
        const text = [...lines.slice(0, k), planted[p], ...lines.slice(k)].join('\n');
        expectSameFindings(text);
        if (oracleScanner.scan(text).length > 0) withFindings++;
      }), { numRuns: 150, seed: 7 });
      expect(withFindings).toBeGreaterThan(50);
    });
  });

  describe('(c) near misses around each shortcut', () => {
    const KEYWORDS = [...new Set(GITLEAKS_RULES.flatMap(r => r.keywords).map(k => k.toLowerCase()))];

    test('keywords line by line: broken by a line break, next to characters whose lower case is special, lines seen before', () => {
      const index = new KeywordIndex(KEYWORDS);
      const piece = fc.oneof(
        fc.constantFrom(...KEYWORDS),
        fc.constantFrom(...KEYWORDS).chain(k => fc.nat({ max: k.length }).map(i => `${k.slice(0, i)}\n${k.slice(i)}`)),
        fc.constantFrom('\n', '\r\n', ' ', 'Σ', 'ΑΣ', 'İ', '\u212A', 'ſ', 'K', 'EY', 'Token', 'AKIA', '\u0130', 'ß'),
        fc.string({ maxLength: 4 }),
      );
      // A few lines shared by many texts: the memo of lines is warm with lines seen in other texts.
      fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), parts => {
        const text = parts.join('');
        expect([...index.presentLowerCased(text)].sort()).toEqual([...index.present(text.toLowerCase())].sort());
        expect(detectSecrets(text)).toEqual(oracleDetector.detectSecrets(text));
      }), { numRuns: 3000, seed: 11 });
    });

    test('a keyword in the index holding a line break or a non-ASCII character is refused', () => {
      expect(() => new KeywordIndex(['to\nken'])).toThrow('not printable ASCII');
      expect(() => new KeywordIndex(['tokén'])).toThrow('not printable ASCII');
    });

    test('keyword windows: runs of [\\w.-] of about the window\'s length before a keyword, broken or not', () => {
      const run = fc.tuple(fc.integer({ min: 40, max: 60 }), fc.nat(), fc.constantFrom('', ' ', '/', ':', '"', '\n', '@'))
        .map(([n, seed, breaker]) => {
          const chars = 'abcXYZ019_.-';
          let s = '';
          for (let i = 0; i < n; i++) s += chars[(seed + i * 7) % chars.length];
          const at = seed % (n + 1);
          return `${s.slice(0, at)}${breaker}${s.slice(at)}`;
        });
      const keyword = fc.constantFrom('api_key', 'token', 'secret', 'password', 'auth', 'access', 'credential', 'creds', 'KEY', 'Api', 'adafruit', 'airtable', 'algolia', 'heroku', 'okta');
      const value = fc.constantFrom('= "Zx9QpL2mNv8RtY6wKj4HsD1f"', ': q8Xv2LmN9pR4sT7wY0zB3cF6hJ', '=Zk93nQ8xL2mP4vR7tY1wB6cDaa11bb22cc33dd44', ' => "A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4"', '', ' x');
      // The matches themselves (where each starts, what it spans), not only the findings: a window that starts too
      // late still finds the same secret, but its match text, which allowlists may read, differs.
      const windowed = GITLEAKS_RULES.map(r => translateRe2(r.regex))
        .map(source => ({ source, window: keywordWindow(source) }))
        .filter(r => r.window !== undefined);
      const matches = (source: string, text: string, window?: ReturnType<typeof keywordWindow>) =>
        [...patternMatches(new RegExp(source, 'g'), text, window)].map(m => `${m.index}:${m[0]}`);
      fc.assert(fc.property(fc.array(fc.tuple(run, keyword, value), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '\n', ' '), (parts, sep) => {
        const text = parts.map(([r, k, v]) => `${r}${k}${v}`).join(sep);
        expectSameFindings(text);
        for (const r of windowed) expect(matches(r.source, text, r.window)).toEqual(matches(r.source, text));
      }), { numRuns: 600, seed: 13 });
    });

    test('B13 over documents: keys that need brackets, empty keys, arrays with holes, values around 256 and 512 characters', () => {
      const secretish = fc.constantFrom(
        'hunter22', 'Zx9QpL2mNv8RtY6wKj4HsD1f', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'postgres://app:s3cret@db:5432/app',
        'plain', '{{ .Data.password }}', 'a: b\npassword: hunter2', `x=${'y'.repeat(250)}`, `${'z'.repeat(255)}:Zx9QpL2mNv8RtY6wKj4HsD1f`,
        `${'q'.repeat(505)} token: Zx9QpL2mNv8RtY6wKj4HsD1f`, 'demo-secret-value',
      );
      const key = fc.constantFrom('password', 'name', 'env.DB_PASSWORD', 'x y', '', 'api-key', 'token', '0', 'a"b', 'data');
      const leaf = fc.oneof(secretish, fc.string({ maxLength: 12 }));
      const doc = fc.letrec(tie => ({
        node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.integer(), tie('object'), tie('array'), fc.constant(null)),
        object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
        array: fc.array(tie('node'), { maxLength: 4 }).map(a => {
          const holey = [...a];
          if (holey.length > 2) delete holey[1];
          return holey;
        }),
      })).node;
      let violations = 0;
      fc.assert(fc.property(fc.array(doc, { minLength: 1, maxLength: 5 }), docs => {
        violations += expectSameB13(docs.map((d, i) => ({ file: `f${i}.yaml`, text: '', structured: d })), { allowPatterns: ['^demo-'] });
      }), { numRuns: 400, seed: 17 });
      expect(violations).toBeGreaterThan(100);
    });
  });
});

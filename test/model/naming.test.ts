import * as fc from 'fast-check';
import { composeName, dnsLabelProblem, isDnsLabel, slugify } from '../../src/model/naming';

describe('slugify (preview names from any branch)', () => {
  test('the issue\'s example branch gives a valid, stable, hash-suffixed name', () => {
    const slug = slugify('feature/JIRA-123_Add Billing!!');
    expect(slug).toMatch(/^feature-jira-123-add-b[a-z-]*-[0-9a-f]{6}$/);
    expect(isDnsLabel(slug)).toBe(true);
    expect(slugify('feature/JIRA-123_Add Billing!!')).toBe(slug);
  });

  test('a clean short branch name is kept as is', () => {
    expect(slugify('main')).toBe('main');
    expect(slugify('fix-login')).toBe('fix-login');
  });

  test('branches that sanitize to the same text still get different names', () => {
    expect(slugify('feature/a_b')).not.toBe(slugify('feature/a-b'));
    expect(slugify('Fix')).not.toBe(slugify('fix'));
  });

  test('branches with nothing usable still give a label', () => {
    expect(isDnsLabel(slugify('!!!'))).toBe(true);
    expect(isDnsLabel(slugify('ünïcødé/branch'))).toBe(true);
    expect(isDnsLabel(slugify(''))).toBe(true);
  });

  test('property: any string gives a DNS label of at most the limit, deterministically', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 8, max: 63 }), (raw, max) => {
      const slug = slugify(raw, max);
      expect(isDnsLabel(slug, max)).toBe(true);
      expect(slugify(raw, max)).toBe(slug);
    }), { numRuns: 500 });
  });

  test('property: distinct branch names never collide (up to the hash)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
      fc.pre(a !== b);
      expect(slugify(a)).not.toBe(slugify(b));
    }), { numRuns: 500 });
  });
});

describe('composeName (namespaces, releases, CronJobs)', () => {
  test('short names are joined unchanged', () => {
    expect(composeName(['prod', 'acme'], 63)).toBe('prod-acme');
  });

  test('long names are truncated with a hash of the full name', () => {
    const name = composeName(['preview-' + 'x'.repeat(40), 'tenant-' + 'y'.repeat(30)], 63);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/-[0-9a-f]{6}$/);
    expect(composeName(['preview-' + 'x'.repeat(40), 'tenant-' + 'y'.repeat(30)], 63)).toBe(name);
  });

  test('property: composed DNS labels stay DNS labels within the limit', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/);
    fc.assert(fc.property(label, label, fc.constantFrom(52, 53, 63), (a, b, max) => {
      const name = composeName([a, b], max);
      expect(name.length).toBeLessThanOrEqual(max);
      expect(isDnsLabel(name, max)).toBe(true);
    }), { numRuns: 500 });
  });
});

describe('dnsLabelProblem (B01)', () => {
  test.each([
    ['', 'is empty'],
    ['Acme', 'contains uppercase letters'],
    ['acme_corp', 'contains "_"'],
    ['acme.corp', 'contains "."'],
    ['-acme', 'starts or ends with "-"'],
    ['acme-', 'starts or ends with "-"'],
    ['acmé', 'contains non-ASCII characters'],
    ['a'.repeat(64), 'is longer than 63 characters'],
  ])('%j %s', (input, problem) => {
    expect(dnsLabelProblem(input)).toBe(problem);
  });

  test('property: any valid label has no problem; any string with a forbidden character has one', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/), s => {
      expect(dnsLabelProblem(s)).toBeUndefined();
    }));
    fc.assert(fc.property(fc.string(), fc.constantFrom('_', '.', 'A', ' ', '/', 'é'), fc.string(), (a, bad, b) => {
      expect(dnsLabelProblem(`x${a}${bad}${b}x`)).toBeDefined();
    }));
  });
});

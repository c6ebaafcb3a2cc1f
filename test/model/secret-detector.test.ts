import * as fc from 'fast-check';
import { GITLEAKS_RULES } from '../../src/model/gitleaks-rules';
import { detectSecrets, KeywordIndex } from '../../src/model/secret-detector';

// The detector's keyword prefilter finds every gitleaks keyword in one pass (KeywordIndex); it must say exactly what
// `text.includes(keyword)` says for each keyword, or a rule would be skipped (a missed secret) or run for nothing.
const KEYWORDS = [...new Set(GITLEAKS_RULES.flatMap(r => r.keywords).map(k => k.toLowerCase()))];

function naive(text: string): string[] {
  return KEYWORDS.filter(k => text.includes(k)).sort();
}

describe('KeywordIndex', () => {
  const index = new KeywordIndex(KEYWORDS);

  test('finds the same keywords as includes() on texts built from keywords, overlapping and adjacent', () => {
    const pieces = fc.oneof(fc.constantFrom(...KEYWORDS), fc.string({ maxLength: 3 }), fc.constantFrom('_', '-', ' ', '\n', 'k', 'e', 'y'));
    fc.assert(fc.property(fc.array(pieces, { maxLength: 40 }), parts => {
      const text = parts.join('').toLowerCase();
      expect([...index.present(text)].sort()).toEqual(naive(text));
    }), { numRuns: 2000 });
  });

  test('a keyword at the very end or start, and prefixes of one another, are all found', () => {
    // 'key' and 'keyid'-style prefixes at one place; 'sk' ends the text.
    const text = `${KEYWORDS[0]}xx api_key secret token sk`;
    expect([...index.present(text)].sort()).toEqual(naive(text));
    expect(index.present('s')).toEqual(new Set());
  });

  test('a keyword shorter than two characters is refused (the index is by character pairs)', () => {
    expect(() => new KeywordIndex(['k'])).toThrow('keyword "k" is shorter than two characters');
  });

  test('the detector still finds a provider token whose keyword sits in a long script', () => {
    const script = `${'echo ok\n'.repeat(4000)}export GITHUB_TOKEN=ghp_${'a1B2c3D4e5'.repeat(3)}123456\n`;
    expect(detectSecrets(script).map(f => f.ruleId)).toContain('github-pat');
  });
});

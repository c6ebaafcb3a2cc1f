import * as fc from 'fast-check';
import { GITLEAKS_RULES } from '../../src/model/gitleaks-rules';
import { detectSecrets, KeywordIndex, keywordWindow, patternMatches, translateRe2 } from '../../src/model/secret-detector';

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

// About a hundred gitleaks patterns are searched only near their keywords (keywordWindow); the matches must be those
// of exec() over the whole text, in the same order.
describe('patternMatches with a keyword window', () => {
  const windowed = GITLEAKS_RULES
    .map(r => ({ id: r.id, source: translateRe2(r.regex) }))
    .map(r => ({ ...r, window: keywordWindow(r.source) }))
    .filter(r => r.window !== undefined);
  const all = (pattern: RegExp, text: string, window?: ReturnType<typeof keywordWindow>) =>
    [...patternMatches(pattern, text, window)].map(m => `${m.index}:${m[0]}`);

  test('applies to the generic API key and about a hundred other rules', () => {
    expect(windowed.map(r => r.id)).toContain('generic-api-key');
    expect(windowed.length).toBeGreaterThan(90);
  });

  test('finds the same matches as a search of the whole text (random texts around the rules\' keywords)', () => {
    const words = [...new Set(GITLEAKS_RULES.flatMap(r => r.keywords))];
    const piece = fc.oneof(
      fc.constantFrom(...words, 'API', 'Api', 'Token', 'PASSWORD', 'secret', 'key', 'auth', 'access'),
      fc.constantFrom(' = ', ': ', '="', '"', '\'', '\n', ' ', '_', '-', '.', ';', '=>', ':='),
      fc.stringMatching(/^[A-Za-z0-9+/]{8,40}$/),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 0, max: windowed.length - 1 }), (parts, i) => {
      const text = parts.join('');
      const r = windowed[i];
      expect(all(new RegExp(r.source, 'g'), text, r.window)).toEqual(all(new RegExp(r.source, 'g'), text));
    }), { numRuns: 3000 });
  });

  test('every windowed rule on a long script with keywords far apart and a secret near the end', () => {
    const text = `${'# nothing here\n'.repeat(300)}token: not-a-secret\n${'x'.repeat(200)}\napi_key = "Zx9QpL2mNv8RtY6wKj4HsD1f"\nauth=${'A1b2C3d4'.repeat(4)}\n`;
    for (const r of windowed) {
      expect(all(new RegExp(r.source, 'g'), text, r.window)).toEqual(all(new RegExp(r.source, 'g'), text));
    }
    expect(detectSecrets(text).map(f => f.ruleId)).toContain('generic-api-key');
  });

  test('a pattern of another shape has no window', () => {
    expect(keywordWindow('\\b(ghp_[0-9a-zA-Z]{36})')).toBeUndefined();
  });
});

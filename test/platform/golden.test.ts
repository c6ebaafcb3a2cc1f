import * as fs from 'fs';
import * as path from 'path';
import { describeDifference, digests, formatDigests, parseDigests, updateRequested } from '../support/golden';
import { synthesizeReferencePlatform } from '../support/reference-platform';

// The golden test of the reference platform (examples/main.ts): the sha256 of EVERY file it writes under dist/ and
// cdktf.out/ against the committed list in golden/reference-platform.sha256. A refactor must not change a byte; a
// change on purpose updates the list (`UPDATE_GOLDEN=1 npx jest test/platform/golden.test.ts`) and says why in the
// commit. CI never updates it. The output is the shared synthesis of test/support/reference-platform.ts (keyed by the
// sources, so it is this tree's); test/platform/example.test.ts checks that a fresh `npm run example` writes the same.
const goldenFile = path.join(__dirname, 'golden', 'reference-platform.sha256');

describe('the reference platform output is byte-identical to the golden list', () => {
  let scratch = '';
  afterAll(() => scratch && fs.rmSync(scratch, { recursive: true, force: true }));

  test('every file under dist/ and cdktf.out/ has the committed sha256', () => {
    const update = updateRequested(process.env);
    scratch = synthesizeReferencePlatform('golden-');
    const actual = digests(scratch, ['dist', 'cdktf.out']);
    expect(actual.size).toBeGreaterThan(100);
    if (update) {
      fs.mkdirSync(path.dirname(goldenFile), { recursive: true });
      fs.writeFileSync(goldenFile, formatDigests(actual));
    }
    const golden = parseDigests(fs.readFileSync(goldenFile, 'utf8'));
    expect(describeDifference(golden, actual)).toBe('');
  });
});

describe('the golden comparison itself', () => {
  const golden = new Map([['dist/a', 'a'.repeat(64)], ['dist/b', 'b'.repeat(64)], ['dist/c', 'c'.repeat(64)]]);

  test('lists added, removed and changed files', () => {
    const actual = new Map([['dist/a', 'a'.repeat(64)], ['dist/b', 'f'.repeat(64)], ['dist/d', 'd'.repeat(64)]]);
    const message = describeDifference(golden, actual);
    expect(message).toContain('added (1):\n  dist/d');
    expect(message).toContain('removed (1):\n  dist/c');
    expect(message).toContain('changed (1):\n  dist/b');
    expect(describeDifference(golden, new Map(golden))).toBe('');
  });

  test('the list round-trips and rejects malformed lines', () => {
    expect(parseDigests(formatDigests(golden))).toEqual(golden);
    expect(() => parseDigests('dist/a nothex\n')).toThrow(/malformed line "dist\/a nothex"/);
  });

  test('an update is refused in CI and only done on request', () => {
    expect(() => updateRequested({ UPDATE_GOLDEN: '1', CI: 'true' })).toThrow(/refused in CI/);
    expect(updateRequested({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(updateRequested({ CI: 'true' })).toBe(false);
    expect(updateRequested({})).toBe(false);
  });
});

import * as fc from 'fast-check';
import { stableJson, writeStableJson } from '../../src/tf/stable-json';
// What cdktf 0.21 writes cdk.tf.json with: the reference.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsonStableStringify = require(require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] }));

const reference = (value: unknown, space: string): string | undefined => jsonStableStringify(value, { space });

describe('stableJson: json-stable-stringify\'s text, written in chunks', () => {
  test('equals json-stable-stringify on random JSON, with and without indentation (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom('  ', '', '    '), (value, space) => {
      expect(stableJson(value, space)).toBe(reference(value, space));
    }), { numRuns: 500 });
  });

  test('equals it on what JSON does not have: undefined, functions, symbols, toJSON, empty containers, odd keys', () => {
    const when = new Date(Date.UTC(2026, 10, 28));
    const values: unknown[] = [
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('t'), 1] },
      { empty: {}, list: [], nested: { deeper: { emptier: [] } } },
      { when, custom: { toJSON: () => ({ z: 1, a: [2] }) }, gone: { toJSON: () => undefined } },
      { 'b': 1, 'a': 2, '10': 3, '9': 4, 'ä': 5, 'Z': 6, '"quoted"': 7, 'line\nbreak': 8 },
      [], {}, 'text', 1.5, null, true,
    ];
    for (const space of ['  ', '']) {
      for (const v of values) expect(stableJson(v, space)).toBe(reference(v, space));
    }
    expect(stableJson(undefined, '  ')).toBeUndefined();
    expect(reference(undefined, '  ')).toBeUndefined();
  });

  test('refuses cycles as json-stable-stringify does; a value seen twice without a cycle is fine', () => {
    const shared = { x: 1 };
    expect(stableJson({ a: shared, b: shared }, '  ')).toBe(reference({ a: shared, b: shared }, '  '));
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(() => stableJson(cyclic, '  ')).toThrow(/circular/);
    expect(() => reference(cyclic, '  ')).toThrow(/circular/);
  });

  test('hands the text over in chunks of about the requested size, which join to the whole', () => {
    const value = { items: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `tenant-${i}`, tags: ['a', 'b'] })) };
    const chunks: string[] = [];
    expect(writeStableJson(value, '  ', c => chunks.push(c), 4096)).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.slice(0, -1).every(c => c.length >= 4096 && c.length < 4096 + 200)).toBe(true);
    expect(chunks.join('')).toBe(reference(value, '  '));
  });
});

import * as fc from 'fast-check';
import { addPeriod, Period } from '../../src/model/period';
import { checkQuantity, Quantity, QuantityKind } from '../../src/model/quantity';

describe('Period (strict durations, B04)', () => {
  test.each([
    ['72h', 72 * 3600],
    ['1d12h', 36 * 3600],
    ['90m', 5400],
    ['45s', 45],
    ['1d1h1m1s', 90061],
  ])('parses %s', (text, seconds) => {
    expect(Period.parse(text).toSeconds()).toBe(seconds);
  });

  test.each(['', '72', '1.5h', '-1h', '1h 30m', '30m1h', '1w', 'h', ' 1h', '1H'])('rejects %j with the fix', text => {
    expect(() => Period.parse(text)).toThrow(/Period.parse: duration is not a strict duration \(got .*\); write whole numbers with units d, h, m, s/);
  });

  test('Go durations never use days', () => {
    expect(Period.days(30).toGoDuration()).toBe('720h');
    expect(Period.minutes(90).toGoDuration()).toBe('90m');
    expect(Period.seconds(61).toGoDuration()).toBe('61s');
  });

  test('factories refuse fractions and negatives', () => {
    expect(() => Period.hours(1.5)).toThrow(/amount must be a whole, non-negative number \(got 1.5\); use an integer number of hours/);
    expect(() => Period.days(-1)).toThrow(/got -1/);
  });

  test('addPeriod is computed from the given instant, never the clock', () => {
    expect(addPeriod('2026-11-28T09:00:00Z', Period.hours(48))).toBe('2026-11-30T09:00:00Z');
  });

  test('property: d/h/m/s compositions round-trip to seconds', () => {
    fc.assert(fc.property(fc.nat(400), fc.nat(23), fc.nat(59), fc.nat(59), (d, h, m, s) => {
      const text = `${d}d${h}h${m}m${s}s`;
      expect(Period.parse(text).toSeconds()).toBe(((d * 24 + h) * 60 + m) * 60 + s);
    }));
  });
});

describe('Quantity (strict Kubernetes grammar, B09)', () => {
  test.each([
    ['500m', QuantityKind.CPU, 0.5],
    ['2', QuantityKind.CPU, 2],
    ['512Mi', QuantityKind.BYTES, 512 * 2 ** 20],
    ['1G', QuantityKind.BYTES, 1e9],
    ['1e3', QuantityKind.BYTES, 1000],
  ])('parses %s', (text, kind, value) => {
    expect(Quantity.parse(text, kind).toNumber()).toBeCloseTo(value);
  });

  test('memory in milli-bytes is refused with the fix', () => {
    expect(() => Quantity.parse('512m', QuantityKind.BYTES)).toThrow(/bytes uses the milli\/micro\/nano suffix "m" for bytes \(got "512m"\); write 512Mi for mebibytes/);
  });

  test.each(['16GB', '1.5.5', '', 'Gi', '10 Gi', '-1', '0', '0Mi'])('refuses %j', text => {
    expect(checkQuantity(text, QuantityKind.BYTES)).toBeDefined();
  });

  test('comparison across suffixes', () => {
    expect(Quantity.parse('1Gi', QuantityKind.BYTES).isGreaterThan(Quantity.parse('1000Mi', QuantityKind.BYTES))).toBe(true);
    expect(Quantity.parse('1', QuantityKind.CPU).isGreaterThan(Quantity.parse('1000m', QuantityKind.CPU))).toBe(false);
  });

  test('property: every positive integer with a binary suffix is valid memory; anything with "B" is not', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100000 }), fc.constantFrom('Ki', 'Mi', 'Gi', 'Ti', ''), (n, suffix) => {
      expect(checkQuantity(`${n}${suffix}`, QuantityKind.BYTES)).toBeUndefined();
      expect(checkQuantity(`${n}${suffix}B`, QuantityKind.BYTES)).toBeDefined();
    }));
  });
});

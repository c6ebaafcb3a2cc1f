import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { CREATED_AT, PREVIEW_BRANCH } from './fixtures';
import { TenantNamespace } from '../../src/k8s/tenant-namespace';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { EXPIRES_AT_ANNOTATION, expiryStamps, JANITOR_EXPIRES_ANNOTATION, KYVERNO_TTL_LABEL } from '../../src/model/expiry';
import { isLabelValue } from '../../src/model/naming';
import { Period } from '../../src/model/period';
import { Tenant } from '../../src/model/tenant';

// Independent parsers, one per consumer's documented format (they share no code with the implementation).
/** RFC 3339 / ISO-8601 UTC, as the library's CLI and kube-janitor read `janitor/expires`. */
const parseIso = (text: string): number => {
  expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  return Date.parse(text);
};
/** Kyverno's `ValueTtlDateTimeLayout` = Go layout `2006-01-02T150405Z`. */
const parseKyverno = (text: string): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  expect(m).not.toBeNull();
  const [, y, mo, d, h, mi, s] = m!.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
};

describe('expiryStamps', () => {
  const preview = Environment.preview({ branch: PREVIEW_BRANCH, owner: 'dana', createdAt: CREATED_AT });

  test('a 48 h preview created 2026-11-28T09:00:00Z expires 2026-11-30T09:00:00Z in every stamp', () => {
    const stamps = expiryStamps(preview)!;
    expect(stamps).toEqual({
      expiresAt: '2026-11-30T09:00:00Z',
      annotations: {
        'lifecycle.inopsio.io/created-at': CREATED_AT,
        'lifecycle.inopsio.io/ttl': '48h',
        'lifecycle.inopsio.io/expires-at': '2026-11-30T09:00:00Z',
        'janitor/expires': '2026-11-30T09:00:00Z',
      },
      labels: { 'cleanup.kyverno.io/ttl': '2026-11-30T090000Z' },
    });
  });

  test('environments that do not expire get no stamps', () => {
    expect(expiryStamps(new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION }))).toBeUndefined();
    expect(expiryStamps(new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING }))).toBeUndefined();
  });

  test('property: for any creation time and allowed TTL, every stamp parses back to createdAt + TTL, and the label is a valid label value', () => {
    const start = Date.UTC(2024, 0, 1);
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 20 * 365 * 86_400 }),
      fc.integer({ min: 24 * 60, max: 72 * 60 }),
      fc.integer({ min: 0, max: 999 }),
      (offsetSeconds, ttlMinutes, millis) => {
        const created = new Date(start + offsetSeconds * 1000 + millis).toISOString();
        const env = Environment.preview({ branch: 'b', owner: 'o', createdAt: created, ttl: Period.minutes(ttlMinutes) });
        const stamps = expiryStamps(env)!;
        // Second precision: sub-second creation times round down, the same way the model's expiresAt does.
        const expected = Math.floor((Date.parse(created) + ttlMinutes * 60_000) / 1000) * 1000;
        expect(parseIso(stamps.expiresAt)).toBe(expected);
        expect(parseIso(stamps.annotations[EXPIRES_AT_ANNOTATION])).toBe(expected);
        expect(parseIso(stamps.annotations[JANITOR_EXPIRES_ANNOTATION])).toBe(expected);
        expect(parseKyverno(stamps.labels[KYVERNO_TTL_LABEL])).toBe(expected);
        expect(Date.parse(env.expiresAt!)).toBe(expected);
        expect(isLabelValue(stamps.labels[KYVERNO_TTL_LABEL])).toBe(true);
        expect(Period.parse(stamps.annotations['lifecycle.inopsio.io/ttl']).toSeconds()).toBe(ttlMinutes * 60);
      },
    ), { numRuns: 300 });
  });

  test('matches what TenantNamespace stamps today, so switching it to expiryStamps changes no byte', () => {
    const tenant = new Tenant({ id: 'acme' });
    for (const env of [preview, new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-02-28T23:30:15Z' })]) {
      const chart = Testing.chart();
      new TenantNamespace(chart, 'Tenant', { environment: env, tenant });
      const ns = Testing.synth(chart).find((d: any) => d.kind === 'Namespace');
      const stamps = expiryStamps(env)!;
      expect(ns.metadata.annotations).toMatchObject(stamps.annotations);
      expect(ns.metadata.labels).toMatchObject(stamps.labels);
    }
  });
});

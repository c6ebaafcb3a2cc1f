import { App, Chart, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { BackupSchedule } from '../../src/k8s/backup-schedule';
import { ObservabilityStack } from '../../src/k8s/observability-stack';
import { synthCharts } from '../../src/k8s/synth';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { stringifyDocuments } from '../../src/k8s/yaml-writer';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantState } from '../../src/model/tenant';
import { backupProps } from '../platform/fixtures';

/** Strings that exercise every branch of the yaml package's string stringifier. */
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\t', ':', '#', '-', '"', "'", '0', '1', '.', 'y', 'N', 'e', 'E', '%', '|', '>', '\\', '~', '_', 'x', 'é', '—', '{', '[', ',', '?', '*', '&', '!', '@', '`', '\r', '\u0085', '\u2028') }),
  fc.constantFrom('yes', 'No', 'on', 'OFF', '~', 'null', 'NULL', '', ' ', '0x1F', '0o17', '012', '1_000', '1:20', '1:20.5', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
    '.inf', '-.Inf', '.NaN', '1e3', 'e1', 'E0', '+1', '<<', '---', '--- a', '...', '%x', 'a\n---\nb', '  lead', 'trail\n\n', '\n', 'a\n ', 'x: y', '- a', '-', '?', 'a #b', 'a# b'),
);
const value = fc.letrec(tie => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    tricky, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(-0), fc.constant(2 ** 60), tie('arr'), tie('obj')),
  arr: fc.array(tie('v'), { maxLength: 4 }),
  obj: fc.dictionary(tricky, tie('v'), { maxKeys: 5 }),
}));

describe('stringifyDocuments', () => {
  test('gives the bytes of cdk8s Yaml.stringify for any JSON-like documents (property)', () => {
    fc.assert(fc.property(fc.array(fc.dictionary(tricky, value.v, { maxKeys: 6 }), { minLength: 1, maxLength: 3 }), docs => {
      expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
    }), { numRuns: 3000 });
  });

  test('gives the bytes of cdk8s Yaml.stringify for every document the platform renders', () => {
    const tenants = [{ id: 'acme' }, { id: 'globex', state: TenantState.SUSPENDED }, { id: 'initech', database: false }];
    for (const env of [
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants }),
    ]) {
      const app = new App();
      for (const t of env.tenants) {
        const chart = new TenantChart(app, t.id, { environment: env, tenant: t });
        if (t.database && env.environmentClass.backup.enabled) new BackupSchedule(chart, 'Backup', { ...backupProps(), environment: env, tenant: t });
      }
      new ObservabilityStack(new Chart(app, 'platform'), 'Observability', { environment: env });
      const charts = synthCharts(app);
      expect(charts.length).toBe(4);
      for (const c of charts) expect(`${c.fileName}\n${stringifyDocuments(c.documents)}`).toBe(`${c.fileName}\n${Yaml.stringify(...c.documents)}`);
    }
  });

  test('falls back to the yaml package for what it does not write itself', () => {
    const docs = [{ a: undefined, b: 1e21, c: -0, d: NaN, e: new Date(0), f: 'x\u0007y', [`${'k'.repeat(1100)}`]: 1 }, {}];
    expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
  });
});

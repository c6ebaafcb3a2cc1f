import { PolicyInput } from '../../src/policy/input';
import { PolicyPack } from '../../src/policy/pack';

/**
 * W09 over inputs that are a whole synthesis or a part of a split one (PolicyInput.useSynthesisPart): a part skips only
 * an environment of which it built no tenant; everything else is checked, an environment without tenants too.
 */
describe('W09 and the parts of a split synthesis', () => {
  const rule = (metric: string) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'inopsio-prod-alerts', namespace: 'monitoring' },
    spec: { groups: [{ name: 'inopsio-prod-backups', rules: [{ alert: 'InopsioBackupStale', expr: `time() - max by (tenant) (${metric}) > 86400` }] }] },
  });
  const scripts = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'backup-prod-acme-scripts', namespace: 'prod-acme', labels: { tenant: 'acme' } },
    data: { 'metrics.sh': "BACKUP_METRICS=(\n  'inopsio_backup_last_success_timestamp_seconds|gauge|Last successful backup'\n)\n" },
  };
  const w09 = (docs: unknown[], configure: (input: PolicyInput) => void = () => undefined) => {
    const input = new PolicyInput().addKubernetesJson('prod', 'prod/platform.k8s.json', JSON.stringify(docs));
    configure(input);
    const report = PolicyPack.default().evaluate(input);
    return { messages: report.findings.filter(f => f.ruleId === 'W09').map(f => f.message), checked: report.rules.find(r => r.id === 'W09')!.checked };
  };
  const missing = /^prod\/PrometheusRule\/monitoring\/inopsio-prod-alerts: spec\.groups\[0\]\.rules\[0\]\.expr \(alert InopsioBackupStale\) reads metric "inopsio_backup_last_success_timestamp_seconds", which no recording rule of the prod output records, no generated script's metric catalogue declares/;

  test('a whole synthesis of an environment without any tenant document is checked: an alert over a metric nothing emits fails', () => {
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds')])).toEqual({ messages: [expect.stringMatching(missing)], checked: 1 });
  });

  test('a whole synthesis with the emitter passes', () => {
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds'), scripts])).toEqual({ messages: [], checked: 1 });
  });

  test('a part that built none of the environment\'s tenants skips it: the part that builds them checks it', () => {
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds')], i => i.useSynthesisPart('2/3', 'prod', [], ['acme'])))
      .toEqual({ messages: [], checked: 0 });
  });

  test('a part that built the environment\'s tenants checks it, with or without their emitters', () => {
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds'), scripts], i => i.useSynthesisPart('1/3', 'prod', ['acme'], ['globex'])))
      .toEqual({ messages: [], checked: 1 });
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds')], i => i.useSynthesisPart('1/3', 'prod', ['acme'], [])))
      .toEqual({ messages: [expect.stringMatching(missing)], checked: 1 });
  });

  test('a part of an environment without tenants checks it (nothing is built elsewhere)', () => {
    expect(w09([rule('inopsio_backup_last_success_timestamp_seconds')], i => i.useSynthesisPart('2/3', 'prod', [], [])).messages)
      .toEqual([expect.stringMatching(missing)]);
  });

  test('useSynthesisPart refuses a part that is not i/n and a tenant on both sides', () => {
    expect(() => new PolicyInput().useSynthesisPart('2', 'prod', [], [])).toThrow('PolicyInput: useSynthesisPart part is not a part "i/n" (got "2"); pass e.g. "2/3"');
    expect(() => new PolicyInput().useSynthesisPart('1/2', 'prod', ['acme'], ['acme'])).toThrow(/useSynthesisPart otherTenants names tenants this part built too \(acme\)/);
  });
});

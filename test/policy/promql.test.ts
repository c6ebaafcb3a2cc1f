import { EXTERNAL_METRIC_SOURCES, externalMetricSource } from '../../src/model/external-metrics';
import { promqlMetrics } from '../../src/policy/promql';

describe('PromQL metric selectors (W09)', () => {
  test('selectors by name, in range vectors and by __name__; never functions, labels, groupings or strings', () => {
    const expr = 'max by (env, namespace) (inopsio_tenant_info{env="prod"}) unless on (namespace) rate(http_requests_total[5m])'
      + ' + {__name__="custom_metric", job="x"} + label_replace(kube_job_owner{owner_kind="CronJob"}, "cronjob", "$1", "owner_name", "(.+)")'
      + ' + time() - vector(1) + absent(up)';
    expect(promqlMetrics(expr)).toEqual({ metrics: ['custom_metric', 'http_requests_total', 'inopsio_tenant_info', 'kube_job_owner', 'up'], errors: [] });
  });

  test('a regex __name__ matcher names no single metric', () => {
    expect(promqlMetrics('{__name__=~"inopsio_.+"}').metrics).toEqual([]);
  });

  test('an expression that does not parse reports where', () => {
    expect(promqlMetrics('max by (env (up').errors.length).toBeGreaterThan(0);
  });

  test('every declared external source has a reason; prefixes match families only', () => {
    for (const s of EXTERNAL_METRIC_SOURCES) expect(s.reason.length).toBeGreaterThan(20);
    expect(externalMetricSource('kube_cronjob_info')?.source).toBe('kube-state-metrics');
    expect(externalMetricSource('upstream_requests')).toBeUndefined();
  });
});

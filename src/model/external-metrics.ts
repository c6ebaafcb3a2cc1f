/**
 * Metrics the generated alert and recording rules read that nothing in the output emits: the exporters and the
 * Prometheus server every cluster of the platform runs (docs/outputs.md, External prerequisites). W09 accepts a
 * metric of a generated PromQL expression when a generated recording rule records it, a generated script declares
 * it in its metric catalogue, or it is declared here, each with the reason it can be relied on.
 */

/** One metric, or a family of metrics by prefix, emitted outside the output. */
export interface ExternalMetricSource {
  /** The exact metric name, or a prefix when `prefix` is true. */
  readonly name: string;
  readonly prefix: boolean;
  /** What emits it. */
  readonly source: string;
  /** Why the output may rely on it. */
  readonly reason: string;
}

/** The declared external metric sources (frozen). */
export const EXTERNAL_METRIC_SOURCES: ReadonlyArray<ExternalMetricSource> = Object.freeze([
  {
    name: 'up',
    prefix: false,
    source: 'Prometheus (synthetic series of every scrape)',
    reason: 'Prometheus writes up{job, instance} for every target it scrapes; the tenant health alerts (spec §3.6) read it.',
  },
  {
    name: 'kube_',
    prefix: true,
    source: 'kube-state-metrics',
    reason: 'The backup CronJob and quota alerts (K45) read kube_cronjob_*, kube_job_* and kube_resourcequota; kube-state-metrics is part of the monitoring stack the ObservabilityStack targets (docs/observability.md).',
  },
  {
    name: 'nginx_ingress_controller_requests',
    prefix: false,
    source: 'ingress-nginx controller metrics',
    reason: 'The default ObservabilityOptions.activityMetric: the tenants\' request counts the last-activity recording rule reads (spec §9 inactivity).',
  },
].map(s => Object.freeze(s)));

/** The declared source of a metric name, or undefined. */
export function externalMetricSource(name: string): ExternalMetricSource | undefined {
  return EXTERNAL_METRIC_SOURCES.find(s => (s.prefix ? name.startsWith(s.name) : name === s.name));
}

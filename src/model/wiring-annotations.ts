/**
 * Annotations by which generated objects state what they reference outside the output, so the wiring rules
 * (src/policy/rules/wiring.ts, docs/policies.md W05–W06) can tell a declared external prerequisite from a dangling
 * reference. Framework-free: the engines write them, the policy pack reads them.
 */

/** On PodMonitors and ServiceMonitors: the namespace Prometheus scrapes from (W05). */
export const SCRAPER_NAMESPACE_ANNOTATION = 'lifecycle.inopsio.io/scraper-namespace';

/**
 * On PrometheusRules: metrics their expressions read that something outside the output emits, beyond the sources
 * src/model/external-metrics.ts declares (W09), comma-separated (the ObservabilityStack writes a custom
 * `activityMetric` here).
 */
export const EXTERNAL_METRICS_ANNOTATION = 'lifecycle.inopsio.io/external-metrics';

/**
 * On pod templates: the objects the pod references that exist before the output is applied and are not part of it
 * (W06), as a comma-separated list of `configmap/<name>` and `secret/<name>` in the pod's namespace.
 */
export const PREREQUISITES_ANNOTATION = 'lifecycle.inopsio.io/prerequisites';

/** A reference from a pod to an object of its namespace. */
export interface PrerequisiteRef {
  readonly kind: 'configmap' | 'secret';
  readonly name: string;
}

/** The annotation value for a list of prerequisites (sorted, deduplicated). */
export function formatPrerequisites(refs: readonly PrerequisiteRef[]): string {
  return [...new Set(refs.map(r => `${r.kind}/${r.name}`))].sort().join(',');
}

/** The prerequisites an annotation value declares (entries that are not `configmap/<name>` or `secret/<name>` are ignored). */
export function parsePrerequisites(value: unknown): PrerequisiteRef[] {
  if (typeof value !== 'string') return [];
  const out: PrerequisiteRef[] = [];
  for (const entry of value.split(',').map(s => s.trim())) {
    const m = /^(configmap|secret)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(entry);
    if (m) out.push({ kind: m[1] as 'configmap' | 'secret', name: m[2] });
  }
  return out;
}

/**
 * On NetworkPolicies that let pods reach a tenant database (`allow-data-services`, the backup pods' egress): the
 * database peers they admit, comma-separated, each `cidr:<block>` or `pods:<namespace>` (K52 compares them across
 * environments: production and non-production may not share one).
 */
export const DATABASE_EGRESS_ANNOTATION = 'lifecycle.inopsio.io/database-egress';

/** The annotation value for the database peers a policy admits (sorted, deduplicated). */
export function formatDatabaseEgress(targets: ReadonlyArray<{ readonly cidrBlock?: string; readonly namespace?: string }>): string {
  return [...new Set(targets.map(t => (t.cidrBlock !== undefined ? `cidr:${t.cidrBlock}` : `pods:${t.namespace}`)))].sort().join(',');
}

/** The database peers an annotation value declares (entries of another form are ignored). */
export function parseDatabaseEgress(value: unknown): Array<{ kind: 'cidr' | 'pods'; value: string }> {
  if (typeof value !== 'string') return [];
  return value.split(',').map(s => s.trim()).flatMap(entry => {
    const m = /^(cidr|pods):(\S+)$/.exec(entry);
    return m ? [{ kind: m[1] as 'cidr' | 'pods', value: m[2] }] : [];
  });
}

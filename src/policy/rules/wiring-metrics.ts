/**
 * W09, a wiring rule between the alert and recording rules of the output and what emits the metrics they read
 * (issue 24 item 4, "metrics used by alert rules ↔ emitted by something generated or declared external").
 *
 * An alert on a metric nobody emits never fires: `absent()`-free expressions over an empty vector are silently
 * empty. Every metric selected by the expression of a generated PrometheusRule (alerting and recording rules alike,
 * read with Prometheus' PromQL grammar, src/policy/promql.ts) is
 * - recorded by a recording rule of a PrometheusRule of the same environment, or
 * - declared in the metric catalogue of a generated script (the backup scripts' `'<name>|<type>|<help>'` lines that
 *   `src/k8s/backup-scripts.ts` writes from BACKUP_METRICS into the scripts ConfigMap the backup pods run), or
 * - declared external in src/model/external-metrics.ts (Prometheus' `up`, kube-state-metrics, ingress-nginx), with a
 *   reason per entry, or on the PrometheusRule (`lifecycle.inopsio.io/external-metrics`, where the ObservabilityStack
 *   declares a custom `activityMetric`).
 * An expression that does not parse is a finding too: Prometheus refuses the whole rule group.
 */
import { atDoc, list } from './common';
import { EXTERNAL_METRIC_SOURCES, externalMetricSource } from '../../model/external-metrics';
import { EXTERNAL_METRICS_ANNOTATION } from '../../model/wiring-annotations';
import { KubernetesDocument } from '../contents';
import { promqlMetrics } from '../promql';
import { PolicyContext, PolicyRule, ref, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

/** A metric catalogue line of a generated script: `'<name>|<type>|<help>'` (src/k8s/backup-scripts.ts). */
const CATALOGUE_LINE = /^\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)\|(?:gauge|counter|histogram|summary|untyped)\|/gm;

/** One alerting or recording rule of a PrometheusRule. */
interface RuleExpression {
  readonly doc: KubernetesDocument;
  readonly field: string;
  /** `alert <name>` or `record <name>`. */
  readonly label: string;
  readonly expr: string;
}

function expressions(ctx: PolicyContext): RuleExpression[] {
  const out: RuleExpression[] = [];
  for (const d of ctx.kind('PrometheusRule')) {
    list(d.doc?.spec?.groups).forEach((g: any, i: number) => list(g?.rules).forEach((r: any, j: number) => {
      if (r?.expr === undefined) return;
      const label = r.alert !== undefined ? `alert ${r.alert}` : `record ${r.record}`;
      out.push({ doc: d, field: `spec.groups[${i}].rules[${j}].expr`, label, expr: String(r.expr) });
    }));
  }
  return out;
}

/** What the output of an environment emits: metric name → the artifact that emits it. */
function emitters(ctx: PolicyContext, environment: string): Map<string, string> {
  return ctx.memo(`wiring-metric-emitters-${environment}`, () => {
    const out = new Map<string, string>();
    for (const d of ctx.kind('ConfigMap').filter(c => c.environment === environment)) {
      for (const value of Object.values(d.doc?.data ?? {})) {
        for (const m of String(value).matchAll(CATALOGUE_LINE)) if (!out.has(m[1])) out.set(m[1], `the metric catalogue of ConfigMap ${d.namespace}/${d.name}`);
      }
    }
    for (const d of ctx.kind('PrometheusRule').filter(p => p.environment === environment)) {
      for (const g of list(d.doc?.spec?.groups)) {
        for (const r of list(g?.rules)) {
          if (typeof r?.record === 'string') out.set(r.record, `recording rule ${r.record} of PrometheusRule ${d.namespace}/${d.name}`);
        }
      }
    }
    return out;
  });
}

/**
 * Whether this evaluation is a part of a split synthesis that built none of an environment's tenants
 * (`PolicyInput.useSynthesisPart`, set by Platform.synth for its parts): their backup scripts emit the metrics the
 * environment's alerts read, so the part that builds them checks the environment. A whole synthesis (no part declared)
 * checks every environment, one without tenants too.
 */
function notBuiltHere(ctx: PolicyContext, environment: string): boolean {
  const part = ctx.synthesisPartOf(environment);
  return part !== undefined && part.built.length === 0 && part.notBuilt.length > 0;
}

/** Levenshtein distance, to name the emitted metric a misspelt one probably meant. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

const W09 = rule<RuleExpression>({
  id: 'W09',
  severity: PolicySeverity.ERROR,
  title: 'Every metric a generated alert or recording rule reads is emitted by something generated or declared external',
  description: 'Each metric selected by the PromQL expression of a PrometheusRule rule is recorded by a recording rule of the environment, declared in the metric catalogue of a generated script (the backup scripts), or declared external with a reason (src/model/external-metrics.ts: Prometheus up, kube-state-metrics, ingress-nginx). An alert over a metric nothing emits is an empty vector: it never fires. An expression that does not parse makes Prometheus refuse the rule group.',
  targets: [PolicyTarget.KUBERNETES],
  references: [ref('Prometheus', 'Recording rules and alerting rules: expr'), ref('Prometheus', 'PromQL: instant and range vector selectors'), ref('Spec', '§3.6 health checks; §8 backup alerts')],
  // A part of a split synthesis that built none of an environment's tenants (src/platform/shard-synth.ts) has none of
  // their emitters; the part that builds them checks the environment's rules.
  subjects: ctx => ctx.memo('wiring-rule-expressions', () => expressions(ctx).filter(e => !notBuiltHere(ctx, e.doc.environment))),
  where: e => atDoc(e.doc),
  check: (e, report, ctx) => {
    const parsed = promqlMetrics(e.expr);
    if (parsed.errors.length > 0) {
      report(e.field, `(${e.label}) does not parse as PromQL (error at offset ${parsed.errors[0]}), so Prometheus refuses the rule group`, e.expr,
        'write the expression so promtool check rules accepts it');
    }
    const emitted = emitters(ctx, e.doc.environment);
    const declared = String(e.doc.doc?.metadata?.annotations?.[EXTERNAL_METRICS_ANNOTATION] ?? '').split(',').map(x => x.trim()).filter(x => x !== '');
    for (const metric of parsed.metrics) {
      if (emitted.has(metric) || externalMetricSource(metric) || declared.includes(metric)) continue;
      const near = [...emitted.keys()].map(n => ({ n, d: distance(n, metric) })).filter(x => x.d <= Math.max(2, Math.floor(metric.length / 10)))
        .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1)).map(x => x.n);
      const hint = near.length > 0 ? `; the output emits ${JSON.stringify(near.slice(0, 3))} (${emitted.get(near[0])})` : '';
      report(e.field, `(${e.label}) reads metric "${metric}", which no recording rule of the ${e.doc.environment} output records, no generated script's metric catalogue declares, and src/model/external-metrics.ts does not declare external (${EXTERNAL_METRIC_SOURCES.map(s => s.prefix ? `${s.name}*` : s.name).join(', ')})${hint}`, metric,
        `read a metric the output emits, generate its emitter (a recording rule, a script metric), or declare its external source (src/model/external-metrics.ts with a reason, or the PrometheusRule's ${EXTERNAL_METRICS_ANNOTATION} annotation)`);
    }
  },
});

/** W09. */
export const METRIC_WIRING_RULES: PolicyRule[] = [W09];

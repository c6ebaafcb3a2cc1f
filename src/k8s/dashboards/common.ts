/**
 * Shared pieces of the Grafana dashboards: the `env` / `namespace` / `tenant` template variables
 * (spec §6 "Grafana dashboard variables for multi-tenant filtering") and PromQL helpers that keep
 * every panel query scoped by all three.
 *
 * Dashboards are built with the Grafana Foundation SDK builders; the output is plain JSON with
 * stable key order and sequential panel ids, so identical input gives identical bytes.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, DataSourceRef, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as LokiQueryBuilder } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { Environment } from '../../model/environment';
import { ObservabilityMetric } from '../observability-api';

/** Everything a dashboard needs to know about the environment and the stack's settings. */
export interface DashboardContext {
  readonly environment: Environment;
  /** Dashboard uid prefix, `inopsio-<env short id>` (Grafana uids are at most 40 characters). */
  readonly uidPrefix: string;
  /** Regular expression of backup CronJob names. */
  readonly backupCronJobPattern: string;
  /** Hours after which a dump counts as stale (policy). */
  readonly staleAfterHours: number;
  /** Hours after which a restore drill counts as stale. */
  readonly restoreDrillStaleAfterHours: number;
  /** Hours after which an offsite copy counts as stale. */
  readonly offsiteStaleAfterHours: number;
  /** Quota saturation threshold, percent. */
  readonly quotaSaturationPercent: number;
}

/** The Prometheus data source, chosen by the `datasource` variable. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** The Loki data source, chosen by the `loki_datasource` variable. */
export const LOKI: DataSourceRef = { type: 'loki', uid: '${loki_datasource}' };

/** The selector every tenant-scoped query carries. */
export const SCOPE = 'env=~"$env", namespace=~"$namespace", tenant=~"$tenant"';

/** The inventory of the selected tenants, reduced to the identity labels. */
export function selectedTenants(extraMatchers: string = ''): string {
  return `max by (env, namespace, tenant) (${ObservabilityMetric.TENANT_INFO}{${SCOPE}${extraMatchers}})`;
}

/** Scope a series keyed by (env, tenant) — backup and activity metrics have no `namespace` — to the selection. */
export function scopeByTenant(expr: string): string {
  return `(${expr}) * on (env, tenant) group_left (namespace) ${selectedTenants()}`;
}

/** Scope a kube-state-metrics / cAdvisor series keyed by namespace to the selection, adding env and tenant. */
export function scopeByNamespace(expr: string): string {
  return `(${expr}) * on (namespace) group_left (env, tenant) ${selectedTenants()}`;
}

/** A Prometheus query (range unless `instant`). */
export function prom(expr: string, legend: string, options: { instant?: boolean; table?: boolean; refId?: string } = {}): PromQueryBuilder {
  const q = new PromQueryBuilder().expr(expr).legendFormat(legend).refId(options.refId ?? 'A').datasource(PROMETHEUS);
  if (options.instant) q.instant();
  else q.range();
  if (options.table) q.format(PromQueryFormat.Table);
  return q;
}

/** A Loki query. */
export function loki(expr: string, legend: string = ''): LokiQueryBuilder {
  const q = new LokiQueryBuilder().expr(expr).refId('A').datasource(LOKI);
  if (legend) q.legendFormat(legend);
  return q;
}

/** Green below `warnAt`, red from `redAt` (absolute). */
export function thresholds(warnAt: number, redAt: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: warnAt, color: 'orange' },
    { value: redAt, color: 'red' },
  ]);
}

/** A dashboard with the standard header: uid, tags, time range, and the data source and scope variables. */
export function baseDashboard(ctx: DashboardContext, uidSuffix: string, title: string, withLoki: boolean = false): DashboardBuilder {
  const env = ctx.environment;
  const dashboard = new DashboardBuilder(`${title} (${env.name})`)
    .uid(`${ctx.uidPrefix}-${uidSuffix}`)
    .tags(['inopsio', 'env-lifecycle', `env:${env.name}`])
    .timezone('utc')
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .readonly();
  dashboard.withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  if (withLoki) {
    dashboard.withVariable(new DatasourceVariableBuilder('loki_datasource').label('Loki').type('loki'));
  }
  dashboard.withVariable(new QueryVariableBuilder('env')
    .label('Environment')
    .description('Environment (spec §2). One at a time: Loki needs at least one non-empty matcher.')
    .datasource(PROMETHEUS)
    .query(`label_values(${ObservabilityMetric.TENANT_INFO}, env)`)
    .current({ selected: true, text: env.name, value: env.name })
    .multi(false)
    .includeAll(false)
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.AlphabeticalAsc)
    .hide(VariableHide.DontHide));
  dashboard.withVariable(new QueryVariableBuilder('namespace')
    .label('Namespace')
    .description('Tenant namespaces of the environment.')
    .datasource(PROMETHEUS)
    .query(`label_values(${ObservabilityMetric.TENANT_INFO}{env=~"$env"}, namespace)`)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc));
  dashboard.withVariable(new QueryVariableBuilder('tenant')
    .label('Tenant')
    .description('Tenants of the selected namespaces.')
    .datasource(PROMETHEUS)
    .query(`label_values(${ObservabilityMetric.TENANT_INFO}{env=~"$env", namespace=~"$namespace"}, tenant)`)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc));
  return dashboard;
}

/**
 * Build a dashboard and give its panels sequential ids (the SDK leaves them unset). Rows' nested panels are
 * numbered too. Returns a plain JSON-able object.
 */
export function finish(dashboard: cog.Builder<Dashboard>): Dashboard {
  const model = dashboard.build();
  let id = 1;
  const number = (panels: Array<Panel | { id?: number; panels?: Panel[] }> | undefined) => {
    for (const p of panels ?? []) {
      (p as { id?: number }).id = id++;
      number((p as { panels?: Panel[] }).panels);
    }
  };
  number(model.panels as Panel[]);
  return JSON.parse(JSON.stringify(model));
}

import { ApiObject, Lazy, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { Environment } from '../model/environment';
import { externalMetricSource } from '../model/external-metrics';
import { environmentLabels, tenantLabels } from '../model/labels';
import { dnsLabelProblem, isLabelValue } from '../model/naming';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { EXTERNAL_METRICS_ANNOTATION, SCRAPER_NAMESPACE_ANNOTATION } from '../model/wiring-annotations';
import { backupStatusDashboard } from './dashboards/backup-status';
import { DashboardContext } from './dashboards/common';
import { environmentLifecycleDashboard } from './dashboards/environment-lifecycle';
import { tenantOverviewDashboard } from './dashboards/tenant-overview';
import { KubeConfigMap } from './imports/k8s';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelingsAction } from './imports/podmonitor-monitoring.coreos.com';
import {
  PrometheusRule,
  PrometheusRuleSpecGroups,
  PrometheusRuleSpecGroupsRulesExpr,
} from './imports/prometheusrule-monitoring.coreos.com';
import { ServiceMonitor, ServiceMonitorSpecEndpointsRelabelingsAction } from './imports/servicemonitor-monitoring.coreos.com';
import { ObservabilityRuleGroup } from './observability-api';
import { BASE_LOG_LABELS, highCardinalityReason, renderAlloyConfig } from './observability-logs';
import {
  environmentRuleGroups,
  renderRuleGroup,
  RuleSettings,
  ruleGroupProblems,
  tenantInventoryGroup,
} from './observability-rules';
import { kubeObject } from './typed-object';

export * from './observability-api';

/** Which prometheus-operator objects select a tenant's scrape targets. */
export enum ScrapeMode {
  /** A PodMonitor per tenant namespace: every selected pod with a container port named `metricsPortName`. */
  POD_MONITOR = 'pod-monitor',
  /** A ServiceMonitor per tenant namespace: every selected Service with a port named `metricsPortName`. */
  SERVICE_MONITOR = 'service-monitor',
  /** Both; give them disjoint selectors (`podSelectorLabels`, `serviceSelectorLabels`) or targets are scraped twice. */
  BOTH = 'both',
}

/** Settings of an ObservabilityStack that do not depend on the environment (also `PlatformProps.observability`). */
export interface ObservabilityOptions {
  /**
   * Namespace of Prometheus, Grafana (its dashboard sidecar) and the Alloy log collector: the environment-wide
   * PrometheusRule and the ConfigMaps go there.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Labels the Prometheus `serviceMonitorSelector` / `podMonitorSelector` / `ruleSelector` match. kube-prometheus-stack
   * selects `release: <helm release name>` by default.
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly prometheusSelectorLabels?: { [key: string]: string };
  /**
   * Scrape objects per tenant namespace.
   * @default ScrapeMode.POD_MONITOR
   */
  readonly scrapeMode?: ScrapeMode;
  /**
   * Name of the container / Service port that serves metrics.
   * @default 'metrics'
   */
  readonly metricsPortName?: string;
  /**
   * HTTP path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Pod labels the PodMonitor selects (within the tenant namespace).
   * @default {} (every pod with a `metricsPortName` port)
   */
  readonly podSelectorLabels?: { [key: string]: string };
  /**
   * Service labels the ServiceMonitor selects (within the tenant namespace).
   * @default {} (every Service with a `metricsPortName` port)
   */
  readonly serviceSelectorLabels?: { [key: string]: string };
  /**
   * Prefix of every alert's `runbook_url`; the lower-cased alert name is appended.
   * @default 'https://github.com/inopsio/env-lifecycle/blob/main/docs/observability.md#'
   */
  readonly runbookUrlPrefix?: string;
  /**
   * Minutes a tenant's targets must be down before the health alerts fire (spec §3.6).
   * @default 5
   */
  readonly targetDownMinutes?: number;
  /**
   * Hours before the TTL at which `InopsioEnvironmentExpiringSoon` fires (expiring environments only).
   * @default 6
   */
  readonly expiryWarningHours?: number;
  /**
   * Percentage of a ResourceQuota hard limit above which `InopsioTenantQuotaSaturation` fires.
   * @default 90
   */
  readonly quotaSaturationPercent?: number;
  /**
   * `InopsioBackupSizeDrop` fires when a dump is smaller than the largest of the last `staleAfterHours` by more than this.
   * @default 50
   */
  readonly backupSizeDropPercent?: number;
  /**
   * Hours after which the newest offsite copy counts as stale.
   * @default - the backup policy's staleAfterHours
   */
  readonly offsiteStaleAfterHours?: number;
  /**
   * Hours after which the newest restore drill counts as stale.
   * @default 192 (the weekly default drill plus one day)
   */
  readonly restoreDrillStaleAfterHours?: number;
  /**
   * Regular expression (RE2, fully anchored) matching the names of the backup CronJobs in tenant namespaces; the
   * K45 failed-job, not-scheduled, suspended and missing alerts watch every CronJob it matches.
   * @default 'backup-.+'
   */
  readonly backupCronJobPattern?: string;
  /**
   * Whether the backups mirror the tenants' object storage (`PlatformBackupProps.tenantObjects`): a tenant with object
   * storage and no database is then backed up through its objects, and the backup alerts expect it to report (its
   * daily backup is `kind="objects"`). The Platform sets it.
   * @default false - only tenants with a database are expected to report backups
   */
  readonly tenantObjectsBackedUp?: boolean;
  /**
   * Counter of requests that real clusters have, per namespace: tenant activity is read from it (a namespace with
   * requests in the last hour was active). The recording rule `inopsio_tenant_last_activity_timestamp_seconds` keeps
   * the last active time per tenant; `InopsioTenantInactive` fires after the class's `suspendAfterInactiveDays`.
   * Without any series of this metric nothing is recorded and `InopsioTenantActivitySignalMissing` warns instead.
   * @default 'nginx_ingress_controller_requests' (ingress-nginx)
   */
  readonly activityMetric?: string;
  /**
   * Label of `activityMetric` holding the tenant's namespace. With a ServiceMonitor (honorLabels false) the Ingress
   * namespace of ingress-nginx's metrics is renamed `exported_namespace`, as the target's own `namespace` wins.
   * @default 'exported_namespace'
   */
  readonly activityNamespaceLabel?: string;
  /**
   * Loki push endpoint of the log collector.
   * @default - `http://loki-gateway.<monitoringNamespace>.svc.cluster.local/loki/api/v1/push`
   */
  readonly lokiPushUrl?: string;
  /**
   * Loki stream labels besides `env`, `namespace` and `tenant`: `container`, `app` (pod label
   * `app.kubernetes.io/name`), `component` (`app.kubernetes.io/component`), or the name of a pod label.
   * High-cardinality names (pod, container_id, request_id, anything ending in _id, ...) are refused.
   * @default - none
   */
  readonly extraLogLabels?: string[];
  /**
   * Emit the Grafana dashboards.
   * @default true
   */
  readonly dashboards?: boolean;
  /**
   * Grafana folder of the dashboards (value of the folder annotation).
   * @default 'Inopsio'
   */
  readonly dashboardFolder?: string;
  /**
   * Annotation the Grafana dashboard sidecar reads the folder from (kube-prometheus-stack
   * `grafana.sidecar.dashboards.folderAnnotation`).
   * @default 'grafana_folder'
   */
  readonly dashboardFolderAnnotation?: string;
}

/** Props of an ObservabilityStack. */
export interface ObservabilityStackProps extends ObservabilityOptions {
  /** The environment to observe. */
  readonly environment: Environment;
  /**
   * The tenants to observe; each must belong to the environment.
   * @default - every tenant of the environment at construction time
   */
  readonly tenants?: Tenant[];
}

const DEFAULT_RUNBOOK_PREFIX = 'https://github.com/inopsio/env-lifecycle/blob/main/docs/observability.md#';
/** Label the kube-prometheus-stack Grafana sidecar selects dashboard ConfigMaps by. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LOG_LABEL_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Observability of one environment (spec §6, §3.6, §10): scrape targets per tenant namespace, Prometheus alert rules,
 * Loki log labels through a Grafana Alloy configuration, and Grafana dashboards.
 *
 * Objects:
 * - per tenant namespace: a PodMonitor and/or ServiceMonitor whose relabelings stamp `env`, `namespace` and `tenant`
 *   on every series, and a PrometheusRule recording the tenant inventory `inopsio_tenant_info`;
 * - in `monitoringNamespace`: the environment's alert PrometheusRule, the Alloy configuration ConfigMap and one
 *   ConfigMap per dashboard (label `grafana_dashboard: "1"`, folder annotation).
 *
 * `prometheusRulesYaml()` renders every rule group as the plain rule file of spec §6
 * (`/infrastructure/monitoring/prometheus-rules.yaml`), which `promtool check rules` / `promtool test rules` accept.
 */
export class ObservabilityStack extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** The observed tenants, in environment order. */
  public readonly tenants: Tenant[];
  /** PodMonitors, one per tenant (empty with ScrapeMode.SERVICE_MONITOR). */
  public readonly podMonitors: ApiObject[] = [];
  /** ServiceMonitors, one per tenant (empty with ScrapeMode.POD_MONITOR). */
  public readonly serviceMonitors: ApiObject[] = [];
  /** The per-tenant inventory PrometheusRules, one per tenant, in its namespace. */
  public readonly inventoryRules: ApiObject[] = [];
  /** The environment's alert PrometheusRule (in the monitoring namespace). */
  public readonly alertRules: ApiObject;
  /** The ConfigMap with the Grafana Alloy configuration (key `<env>.alloy`). */
  public readonly logCollectorConfig: ApiObject;
  /** The Alloy configuration text. */
  public readonly alloyConfig: string;
  /** The Loki stream labels. */
  public readonly logLabels: string[];
  /** Dashboard ConfigMaps: tenant overview, Backup Status, environment lifecycle (empty if `dashboards: false`). */
  public readonly dashboards: ApiObject[] = [];
  /** The namespace of the environment-wide objects. */
  public readonly monitoringNamespace: string;
  /**
   * The container / Service port name the monitors scrape; the Platform gives it to the tenants' `allow-monitoring`
   * NetworkPolicy (W05).
   */
  public readonly metricsPortName: string;

  private readonly alertGroups: ObservabilityRuleGroup[] = [];
  private readonly tenantGroups: ObservabilityRuleGroup[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id);
    const problems = new Problems(problemPath(this));
    const env = props.environment;
    if (!(env instanceof Environment)) {
      problems.add('environment', 'is not an Environment', env, 'pass new Environment({...}) or Environment.preview({...})');
      problems.throwIfAny();
    }
    const known = new Set(env.tenants.map(t => t.id));
    const tenants = props.tenants ?? env.tenants;
    const seen = new Set<string>();
    tenants.forEach((t, i) => {
      if (!(t instanceof Tenant)) {
        problems.add(`tenants[${i}]`, 'is not a Tenant', t, 'pass tenants from environment.tenants');
        return;
      }
      if (!known.has(t.id)) {
        problems.add(`tenants[${i}]`, `is not a tenant of environment "${env.name}"`, t.id, 'add it with environment.addTenant(...) first, or omit `tenants` to observe every tenant');
      }
      if (seen.has(t.id)) problems.add(`tenants[${i}]`, 'is listed twice', t.id, 'list each tenant once');
      seen.add(t.id);
    });

    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    const nsProblem = dnsLabelProblem(monitoringNamespace);
    if (nsProblem) problems.add('monitoringNamespace', nsProblem, monitoringNamespace, 'name the namespace Prometheus and Grafana run in, e.g. "monitoring"');
    const selectorLabels = props.prometheusSelectorLabels ?? { release: 'kube-prometheus-stack' };
    const checkLabels = (field: string, labels: { [key: string]: string }) => {
      for (const [k, v] of Object.entries(labels)) {
        if (!QUALIFIED_NAME.test(k)) problems.add(`${field}`, 'has a key that is not a qualified label name', k, 'use e.g. "release" or "example.com/team"');
        if (!isLabelValue(v)) problems.add(`${field}.${k}`, 'is not a valid label value', v, 'use at most 63 letters, digits, "-", "_" and "."');
      }
    };
    checkLabels('prometheusSelectorLabels', selectorLabels);
    const podSelector = props.podSelectorLabels ?? {};
    const serviceSelector = props.serviceSelectorLabels ?? {};
    checkLabels('podSelectorLabels', podSelector);
    checkLabels('serviceSelectorLabels', serviceSelector);
    const scrapeMode = props.scrapeMode ?? ScrapeMode.POD_MONITOR;
    if (!Object.values(ScrapeMode).includes(scrapeMode)) {
      problems.add('scrapeMode', 'is not a ScrapeMode', scrapeMode, 'use ScrapeMode.POD_MONITOR, SERVICE_MONITOR or BOTH');
    }
    if (scrapeMode === ScrapeMode.BOTH && Object.keys(podSelector).length === 0 && Object.keys(serviceSelector).length === 0) {
      problems.add('scrapeMode', 'is BOTH with two empty selectors, so every pod behind a Service is scraped twice', scrapeMode, 'set podSelectorLabels or serviceSelectorLabels so the two monitors select different workloads');
    }
    const portName = props.metricsPortName ?? 'metrics';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portName) || portName.length > 15 || !/[a-z]/.test(portName)) {
      problems.add('metricsPortName', 'is not a port name (IANA_SVC_NAME)', portName, 'use at most 15 lowercase letters, digits and "-", e.g. "metrics"');
    }
    const metricsPath = props.metricsPath ?? '/metrics';
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(metricsPath)) {
      problems.add('metricsPath', 'is not an absolute URL path', metricsPath, 'write e.g. "/metrics"');
    }
    const runbookUrlPrefix = props.runbookUrlPrefix ?? DEFAULT_RUNBOOK_PREFIX;
    if (!/^https?:\/\/[^\s@]+$/.test(runbookUrlPrefix)) {
      problems.add('runbookUrlPrefix', 'is not an http(s) URL without credentials', runbookUrlPrefix, 'use e.g. "https://runbooks.example.com/env-lifecycle/"');
    }
    const lokiPushUrl = props.lokiPushUrl ?? `http://loki-gateway.${monitoringNamespace}.svc.cluster.local/loki/api/v1/push`;
    if (!/^https?:\/\/[^\s@"]+$/.test(lokiPushUrl)) {
      problems.add('lokiPushUrl', 'is not an http(s) URL without credentials', lokiPushUrl, 'use e.g. "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"; configure authentication in Alloy, not in the URL');
    }
    const policy = env.environmentClass.backup;
    const int = (field: string, value: number, min: number, max: number, fix: string) => {
      if (!Number.isInteger(value) || value < min || value > max) problems.add(field, `must be a whole number from ${min} to ${max}`, value, fix);
      return value;
    };
    const targetDownMinutes = int('targetDownMinutes', props.targetDownMinutes ?? 5, 1, 1440, 'use e.g. 5');
    const expiryWarningHours = int('expiryWarningHours', props.expiryWarningHours ?? 6, 1, 720, 'use e.g. 6');
    const quotaSaturationPercent = int('quotaSaturationPercent', props.quotaSaturationPercent ?? 90, 1, 100, 'use e.g. 90');
    const backupSizeDropPercent = int('backupSizeDropPercent', props.backupSizeDropPercent ?? 50, 1, 99, 'use e.g. 50');
    const offsiteStaleAfterHours = int('offsiteStaleAfterHours', props.offsiteStaleAfterHours ?? policy.staleAfterHours, 1, 8760, 'use a little more than the offsite copy interval, e.g. 26');
    const restoreDrillStaleAfterHours = int('restoreDrillStaleAfterHours', props.restoreDrillStaleAfterHours ?? 192, 1, 8760, 'use a little more than the drill interval, e.g. 192 for a weekly drill');
    const backupCronJobPattern = props.backupCronJobPattern ?? 'backup-.+';
    try {
      if (new RegExp(`^(?:${backupCronJobPattern})$`).test('')) {
        problems.add('backupCronJobPattern', 'matches the empty string', backupCronJobPattern, 'use a pattern such as "backup-.+"');
      }
    } catch {
      problems.add('backupCronJobPattern', 'is not a regular expression', backupCronJobPattern, 'use a pattern such as "backup-.+"');
    }

    const activityMetric = props.activityMetric ?? 'nginx_ingress_controller_requests';
    const activityNamespaceLabel = props.activityNamespaceLabel ?? 'exported_namespace';
    if (typeof activityMetric !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(activityMetric)) {
      problems.add('activityMetric', 'is not a Prometheus metric name', activityMetric, 'use e.g. "nginx_ingress_controller_requests"');
    }
    if (typeof activityNamespaceLabel !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(activityNamespaceLabel) || activityNamespaceLabel.startsWith('__')) {
      problems.add('activityNamespaceLabel', 'is not a Prometheus label name', activityNamespaceLabel, 'use e.g. "exported_namespace" or "namespace"');
    }

    // Loki labels: refuse high-cardinality names at synth time (every value combination is a stream).
    const extraLogLabels = props.extraLogLabels ?? [];
    const seenLabels = new Set<string>(BASE_LOG_LABELS);
    extraLogLabels.forEach((name, i) => {
      const reason = typeof name === 'string' ? highCardinalityReason(name) : undefined;
      if (typeof name !== 'string' || !LOG_LABEL_NAME.test(name)) {
        problems.add(`extraLogLabels[${i}]`, 'is not a Loki label name', name, 'use lowercase letters, digits and "_", e.g. "container"');
      } else if (reason) {
        problems.add(`extraLogLabels[${i}]`, `is a high-cardinality label (${reason})`, name, 'remove it: keep such values in the log line and filter with LogQL (e.g. `| json | request_id="..."`)');
      } else if (seenLabels.has(name)) {
        problems.add(`extraLogLabels[${i}]`, (BASE_LOG_LABELS as readonly string[]).includes(name) ? 'is always present' : 'is listed twice', name, 'remove it');
      }
      if (typeof name === 'string') seenLabels.add(name);
    });
    const dashboardFolder = props.dashboardFolder ?? 'Inopsio';
    if (typeof dashboardFolder !== 'string' || dashboardFolder.trim() === '' || /[\n\r]/.test(dashboardFolder) || dashboardFolder.length > 100) {
      problems.add('dashboardFolder', 'is not a folder name', dashboardFolder, 'use a short single-line name, e.g. "Inopsio"');
    }
    const folderAnnotation = props.dashboardFolderAnnotation ?? 'grafana_folder';
    if (!QUALIFIED_NAME.test(folderAnnotation)) {
      problems.add('dashboardFolderAnnotation', 'is not a qualified annotation name', folderAnnotation, 'use the sidecar\'s folderAnnotation, e.g. "grafana_folder"');
    }
    problems.throwIfAny();

    this.environment = env;
    // Environment order, whatever order the caller listed them in: stable output.
    const chosen = new Set(tenants.map(t => t.id));
    this.tenants = env.tenants.filter(t => chosen.has(t.id));
    this.monitoringNamespace = monitoringNamespace;
    this.metricsPortName = portName;

    // Scrape targets: relabelings stamp env, namespace and tenant from the model (not from pod labels, which a
    // tenant could set); honorLabels stays false so a workload cannot overwrite them.
    for (const tenant of this.tenants) {
      const ns = env.namespaceFor(tenant.id);
      const scopeOfTenant = new Construct(this, tenant.id);
      const metadata = {
        name: 'inopsio-tenant-metrics',
        namespace: ns,
        labels: { ...tenantLabels(env, tenant, 'observability'), ...selectorLabels },
        // Where Prometheus scrapes from: the tenant's NetworkPolicies must admit it on the scraped port (W05).
        annotations: { [SCRAPER_NAMESPACE_ANNOTATION]: monitoringNamespace },
      };
      const interval = `${env.environmentClass.scrapeIntervalSeconds}s`;
      if (scrapeMode !== ScrapeMode.SERVICE_MONITOR) {
        this.podMonitors.push(new PodMonitor(scopeOfTenant, 'PodMonitor', {
          metadata,
          spec: {
            namespaceSelector: { matchNames: [ns] },
            selector: { matchLabels: { ...podSelector } },
            podMetricsEndpoints: [{
              port: portName,
              path: metricsPath,
              interval,
              honorLabels: false,
              relabelings: [
                { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, targetLabel: 'env', replacement: env.name },
                { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
                { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, targetLabel: 'tenant', replacement: tenant.id },
              ],
            }],
          },
        }));
      }
      if (scrapeMode !== ScrapeMode.POD_MONITOR) {
        this.serviceMonitors.push(new ServiceMonitor(scopeOfTenant, 'ServiceMonitor', {
          metadata,
          spec: {
            namespaceSelector: { matchNames: [ns] },
            selector: { matchLabels: { ...serviceSelector } },
            endpoints: [{
              port: portName,
              path: metricsPath,
              interval,
              honorLabels: false,
              relabelings: [
                { action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, targetLabel: 'env', replacement: env.name },
                { action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
                { action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, targetLabel: 'tenant', replacement: tenant.id },
              ],
            }],
          },
        }));
      }
      const inventory = tenantInventoryGroup(env, tenant, props.tenantObjectsBackedUp === true);
      this.tenantGroups.push(inventory);
      this.inventoryRules.push(new PrometheusRule(scopeOfTenant, 'Inventory', {
        metadata: {
          name: 'inopsio-tenant-inventory',
          namespace: ns,
          labels: { ...tenantLabels(env, tenant, 'observability'), ...selectorLabels },
        },
        spec: { groups: [toSpecGroup(inventory)] },
      }));
    }

    const settings: RuleSettings = {
      environment: env,
      tenants: this.tenants,
      objectsBackedUp: props.tenantObjectsBackedUp === true,
      runbookUrlPrefix,
      targetDownMinutes,
      expiryWarningHours,
      quotaSaturationPercent,
      backupSizeDropPercent,
      offsiteStaleAfterHours,
      restoreDrillStaleAfterHours,
      backupCronJobPattern,
      activityMetric,
      activityNamespaceLabel,
    };
    this.alertGroups.push(...environmentRuleGroups(settings));
    const envMeta = (name: string, component: string, extra: { [key: string]: string } = {}) => ({
      name,
      namespace: monitoringNamespace,
      labels: { ...environmentLabels(env, component), ...extra },
    });
    // W09: an activity metric other than a declared external source is declared on the rule that reads it.
    const externalMetrics = externalMetricSource(activityMetric) ? {} : { annotations: { [EXTERNAL_METRICS_ANNOTATION]: activityMetric } };
    this.alertRules = new PrometheusRule(this, 'Alerts', {
      metadata: { ...envMeta(`inopsio-${env.name}-alerts`, 'observability', selectorLabels), ...externalMetrics },
      // Lazy: groups added with addRuleGroup after construction are rendered too.
      spec: { groups: Lazy.any({ produce: () => this.alertGroups.map(toSpecGroup) }) },
    });

    // Logs (spec §6): Grafana Alloy, see docs/observability.md for the choice over Promtail.
    this.logLabels = [...BASE_LOG_LABELS, ...extraLogLabels];
    this.alloyConfig = renderAlloyConfig({ environment: env, tenants: this.tenants, lokiPushUrl, extraLabels: extraLogLabels });
    this.logCollectorConfig = kubeObject(this, 'LogCollector', KubeConfigMap, {
      metadata: envMeta(`inopsio-${env.name}-alloy-logs`, 'log-collector'),
      data: { [`${env.name}.alloy`]: this.alloyConfig },
    });

    if (props.dashboards ?? true) {
      const ctx: DashboardContext = {
        environment: env,
        uidPrefix: `inopsio-${env.shortId}`,
        backupCronJobPattern,
        staleAfterHours: policy.staleAfterHours,
        offsiteStaleAfterHours,
        restoreDrillStaleAfterHours,
        quotaSaturationPercent,
      };
      const boards: Array<[string, string, object]> = [
        ['TenantOverview', 'tenant-overview', tenantOverviewDashboard(ctx)],
        ['BackupStatus', 'backup-status', backupStatusDashboard(ctx)],
        ['EnvironmentLifecycle', 'environment-lifecycle', environmentLifecycleDashboard(ctx)],
      ];
      for (const [cid, slug, model] of boards) {
        const name = `inopsio-${env.name}-${slug}`;
        this.dashboards.push(kubeObject(this, `Dashboard${cid}`, KubeConfigMap, {
          metadata: {
            ...envMeta(name, 'dashboard', { [GRAFANA_DASHBOARD_LABEL]: '1' }),
            annotations: { [folderAnnotation]: dashboardFolder },
          },
          data: { [`${name}.json`]: `${JSON.stringify(model, null, 2)}\n` },
        }));
      }
    }
  }

  /**
   * Add an alert or recording rule group to the environment's PrometheusRule (and to `prometheusRulesYaml()`).
   * Alerts must carry a `severity` label and `summary`, `description` and `runbook_url` annotations.
   */
  public addRuleGroup(group: ObservabilityRuleGroup): void {
    const problems = new Problems(problemPath(this));
    for (const [field, problem, got, fix] of ruleGroupProblems(group, 'ruleGroup')) problems.add(field, problem, got, fix);
    if (this.ruleGroups.some(g => g.name === group.name)) {
      problems.add('ruleGroup.name', 'is already used', group.name, 'give each rule group a unique name');
    }
    problems.throwIfAny();
    this.alertGroups.push({ name: group.name, interval: group.interval, rules: group.rules.map(r => ({ ...r })) });
  }

  /** Every rule group: the tenant inventories first, then the environment's alert groups. */
  public get ruleGroups(): ObservabilityRuleGroup[] {
    return [...this.tenantGroups, ...this.alertGroups];
  }

  /** Names of the alerts in this stack, in rule order. */
  public get alertNames(): string[] {
    return this.ruleGroups.flatMap(g => g.rules.filter(r => r.alert !== undefined).map(r => r.alert as string));
  }

  /**
   * The plain Prometheus rule file (spec §6 "Monitoring definition file: /infrastructure/monitoring/prometheus-rules.yaml"):
   * `{ groups: [...] }` as YAML, with the same groups as the PrometheusRule objects.
   */
  public prometheusRulesYaml(): string {
    return Yaml.stringify({ groups: this.ruleGroups.map(renderRuleGroup) });
  }
}

function toSpecGroup(group: ObservabilityRuleGroup): PrometheusRuleSpecGroups {
  return {
    name: group.name,
    interval: group.interval,
    rules: group.rules.map(r => ({
      alert: r.alert,
      record: r.record,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
      for: r.pendingFor,
      labels: r.labels,
      annotations: r.annotations,
    })),
  };
}

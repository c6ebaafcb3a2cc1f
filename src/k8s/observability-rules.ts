/**
 * Prometheus rules of the ObservabilityStack: the per-tenant inventory (recording rules) and the
 * environment-wide alerts. Pure functions over the model: no constructs, no clock, stable order.
 *
 * Every alert joins its metric with `inopsio_tenant_info` (the inventory), so that
 * - alerts carry `env`, `namespace` and `tenant` even when the source metric lacks one of them
 *   (backup metrics have no `namespace`, kube-state-metrics series have no `env`/`tenant`);
 * - only tenants in the right lifecycle state alert (a suspended tenant has no pods and no backups by design).
 */
import { ObservabilityAlert, ObservabilityMetric, ObservabilityRule, ObservabilityRuleGroup } from './observability-api';
import { tenantHasBackup } from '../model/backup-plan';
import { Environment } from '../model/environment';
import { Tenant, TenantState } from '../model/tenant';
import { workloadsIn } from '../model/tenant-workload';

/** The severities alerts may carry. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** Annotations every alert must carry. */
export const REQUIRED_ANNOTATIONS = ['summary', 'description', 'runbook_url'] as const;
/** Prometheus duration syntax (`5m`, `1h30m`, `26h`). */
export const PROMETHEUS_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Values of the `kind` label of the backup metrics, as the backup scripts write them (BACKUP_METRIC_KINDS). */
export const BACKUP_KIND = {
  dump: 'dump',
  /** The daily backup: the dump, or the object copy of a tenant without a database (its backup is its objects). */
  dailyMatcher: 'dump|objects',
  offsite: 'offsite',
  drillMatcher: 'drill',
} as const;

/** Settings the rules are generated from (resolved props of the stack). */
export interface RuleSettings {
  readonly environment: Environment;
  /** Whether the backups mirror tenant object storage (a tenant without a database is then backed up). */
  readonly objectsBackedUp?: boolean;
  readonly tenants: readonly Tenant[];
  readonly runbookUrlPrefix: string;
  readonly targetDownMinutes: number;
  readonly expiryWarningHours: number;
  readonly quotaSaturationPercent: number;
  readonly backupSizeDropPercent: number;
  readonly offsiteStaleAfterHours: number;
  readonly restoreDrillStaleAfterHours: number;
  readonly backupCronJobPattern: string;
  /** Request counter per namespace that tenant activity is read from. */
  readonly activityMetric: string;
  /** Label of `activityMetric` holding the namespace. */
  readonly activityNamespaceLabel: string;
}

/** Requests within this window count as activity. */
export const ACTIVITY_WINDOW = '1h';
/**
 * How far back the last-activity rule looks for its own previous value. Longer survives longer Prometheus outages
 * (after one the clock restarts at "now": suspension comes later, never sooner); shorter lets a tenant resumed after
 * a suspension start a fresh clock (its series stops while it is not active).
 */
export const ACTIVITY_CARRY_OVER = '6h';

/** Minutes an active tenant may have no scrape target before `InopsioTenantTargetsMissing` fires. */
export const TARGETS_MISSING_MINUTES = 10;

/**
 * Whether a tenant's backups are expected (and therefore alerted on) in an environment: an active tenant with a
 * database, or with object storage when the backups mirror it (`objectsBackedUp`).
 */
export function backupsExpected(env: Environment, tenant: Tenant, objectsBackedUp: boolean = false): boolean {
  return tenantHasBackup(env, tenant, objectsBackedUp) && tenant.state === TenantState.ACTIVE;
}

/** Name of a tenant's inventory rule group. */
export function inventoryGroupName(env: Environment, tenant: Tenant): string {
  return `inopsio-inventory-${env.namespaceFor(tenant.id)}`;
}

/**
 * The per-tenant inventory: `inopsio_tenant_info{env, namespace, tenant, state, backup, modules} = 1`, recorded from the
 * model. It is the set of tenants the alerts expect to see, and what dashboards list tenants from. `modules` is "true"
 * when the tenant runs modules or cdk8s-plus workloads with a metrics port: only they run pods that expose metrics, so
 * only they are expected to have scrape targets.
 */
export function tenantInventoryGroup(env: Environment, tenant: Tenant, objectsBackedUp: boolean = false): ObservabilityRuleGroup {
  return {
    name: inventoryGroupName(env, tenant),
    rules: [{
      record: ObservabilityMetric.TENANT_INFO,
      expr: 'vector(1)',
      labels: {
        env: env.name,
        namespace: env.namespaceFor(tenant.id),
        tenant: tenant.id,
        state: tenant.state,
        backup: String(backupsExpected(env, tenant, objectsBackedUp)),
        // cdk8s-plus workloads with a metrics port are scrape targets too (issue 19).
        modules: String(tenant.modules.length > 0 || workloadsIn(env, tenant).some(w => w.metricsPort !== undefined)),
      },
    }],
  };
}

/** Seconds since the epoch of an ISO-8601 instant. */
export function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Quote a string as a PromQL double-quoted literal. */
export function promString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function hoursText(hours: number): string {
  return hours % 24 === 0 && hours >= 48 ? `${hours / 24} days` : `${hours} hours`;
}

/** The environment-wide rule groups, in a fixed order. */
export function environmentRuleGroups(s: RuleSettings): ObservabilityRuleGroup[] {
  const env = s.environment;
  const E = promString(env.name);
  const groups: ObservabilityRuleGroup[] = [];
  const prefix = `inopsio-${env.name}`;

  /** Inventory restricted to some tenants, reduced to the three identity labels. */
  const info = (matchers: string = '') => `max by (env, namespace, tenant) (${ObservabilityMetric.TENANT_INFO}{env=${E}${matchers}})`;
  const ACTIVE = ', state="active"';
  const WITH_BACKUP = ', state="active", backup="true"';
  /** Active tenants that run modules: the tenant base alone (namespace, policies, backups) exposes no scrape target. */
  const WITH_MODULES = ', state="active", modules="true"';
  /** Adds `namespace` to a series keyed by (env, tenant), keeping only tenants in the inventory selection. */
  const withNamespace = (expr: string, matchers: string) => `(${expr}) * on (env, tenant) group_left (namespace) ${info(matchers)}`;
  /** Adds `env` and `tenant` to a kube-state-metrics series keyed by namespace. */
  const withTenant = (expr: string, matchers: string) => `(${expr}) * on (namespace) group_left (env, tenant) ${info(matchers)}`;

  const alert = (
    name: ObservabilityAlert, expr: string, severity: string, pendingFor: string | undefined,
    summary: string, description: string, extraLabels: { [key: string]: string } = {},
  ): ObservabilityRule => ({
    alert: name,
    expr,
    pendingFor,
    labels: { severity, ...extraLabels },
    annotations: {
      summary,
      description,
      runbook_url: `${s.runbookUrlPrefix}${name.toLowerCase()}`,
    },
  });

  // Expiry of ephemeral/reusable environments, recorded from the model (deterministic: from createdAt + TTL).
  if (env.expiresAt) {
    groups.push({
      name: `${prefix}-environment`,
      rules: [{
        record: ObservabilityMetric.ENVIRONMENT_EXPIRY,
        expr: `vector(${epochSeconds(env.expiresAt)})`,
        labels: { env: env.name, environment_class: env.environmentClass.name },
      }],
    });
  }

  // Spec §3.6 "Health Check: Verify Uptime via Prometheus alerts".
  const down = `${s.targetDownMinutes}m`;
  const health: ObservabilityRule[] = [
    alert(ObservabilityAlert.TENANT_TARGET_DOWN,
      `min by (env, namespace, tenant, job) (up{env=${E}, tenant!=""}) == 0`,
      'warning', down,
      'Scrape targets of tenant {{ $labels.tenant }} are down',
      `At least one target of job {{ $labels.job }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) has been down for ${s.targetDownMinutes} minutes.`),
    alert(ObservabilityAlert.TENANT_DOWN,
      `max by (env, namespace, tenant) (up{env=${E}, tenant!=""}) == 0`,
      'critical', down,
      'Tenant {{ $labels.tenant }} is down',
      `Every scrape target of tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) has been down for ${s.targetDownMinutes} minutes: the provisioning health check (spec §3.6) fails.`),
    alert(ObservabilityAlert.TENANT_TARGETS_MISSING,
      `${info(WITH_MODULES)} unless on (env, namespace, tenant) up{env=${E}, tenant!=""}`,
      'critical', `${TARGETS_MISSING_MINUTES}m`,
      'Tenant {{ $labels.tenant }} has no scrape targets',
      `Active tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) runs modules but has had no scrape target for ${TARGETS_MISSING_MINUTES} minutes: its pods are missing or do not expose a port named for metrics.`),
  ];
  if (s.tenants.length > 0) {
    health.push(alert(ObservabilityAlert.INVENTORY_INCOMPLETE,
      `(count(${ObservabilityMetric.TENANT_INFO}{env=${E}}) or vector(0)) < ${s.tenants.length}`,
      'critical', '15m',
      `Tenant inventory of environment ${env.name} is incomplete`,
      `Prometheus records fewer than ${s.tenants.length} ${ObservabilityMetric.TENANT_INFO} series for environment ${env.name}: an inventory PrometheusRule is not loaded (check the Prometheus ruleSelector and ruleNamespaceSelector), so tenant alerts cannot fire for the missing tenants.`,
      { env: env.name }));
  }
  groups.push({ name: `${prefix}-tenant-health`, rules: health });

  const policy = env.environmentClass.backup;
  // Alerts over backup metrics only where some tenant is backed up: otherwise nothing emits them (W09).
  if (policy.enabled && s.tenants.some(t => tenantHasBackup(env, t, s.objectsBackedUp === true))) {
    const success = ObservabilityMetric.BACKUP_LAST_SUCCESS;
    const failure = ObservabilityMetric.BACKUP_LAST_FAILURE;
    const kinds = [
      { kind: `kind=~"${BACKUP_KIND.dailyMatcher}"`, what: 'daily backup', hours: policy.staleAfterHours, stale: ObservabilityAlert.BACKUP_STALE, missing: ObservabilityAlert.BACKUP_MISSING, label: BACKUP_KIND.dump },
      ...(policy.offsite ? [{ kind: `kind="${BACKUP_KIND.offsite}"`, what: 'offsite copy', hours: s.offsiteStaleAfterHours, stale: ObservabilityAlert.OFFSITE_COPY_STALE, missing: ObservabilityAlert.OFFSITE_COPY_MISSING, label: BACKUP_KIND.offsite }] : []),
      { kind: `kind=~"${BACKUP_KIND.drillMatcher}"`, what: 'restore drill', hours: s.restoreDrillStaleAfterHours, stale: ObservabilityAlert.RESTORE_DRILL_STALE, missing: ObservabilityAlert.RESTORE_DRILL_MISSING, label: 'restore_drill' },
    ];
    const backups: ObservabilityRule[] = [];
    for (const k of kinds) {
      backups.push(alert(k.stale,
        withNamespace(`(time() - max by (env, tenant, kind) (${success}{env=${E}, ${k.kind}})) > ${k.hours * 3600}`, WITH_BACKUP),
        'critical', undefined,
        `Last successful ${k.what} of tenant {{ $labels.tenant }} is older than ${hoursText(k.hours)}`,
        `The newest successful ${k.what} of tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) is older than ${hoursText(k.hours)}.`));
      backups.push(alert(k.missing,
        `${info(WITH_BACKUP)} unless on (env, tenant) ${success}{env=${E}, ${k.kind}}`,
        'critical', `${k.hours}h`,
        `No successful ${k.what} reported for tenant {{ $labels.tenant }}`,
        `Tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) has reported no successful ${k.what} for ${hoursText(k.hours)}: the job never succeeded or its metrics do not reach Prometheus.`,
        { kind: k.label }));
    }
    const fail = `max by (env, tenant, kind) (${failure}{env=${E}})`;
    backups.push(alert(ObservabilityAlert.BACKUP_FAILED,
      withNamespace(`${fail} > max by (env, tenant, kind) (${success}{env=${E}}) or (${fail} unless on (env, tenant, kind) ${success}{env=${E}})`, ACTIVE),
      'critical', undefined,
      'Backup step {{ $labels.kind }} of tenant {{ $labels.tenant }} failed',
      'The last run of backup step {{ $labels.kind }} of tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) failed and has not succeeded since.'));
    const size = ObservabilityMetric.BACKUP_SIZE;
    const keep = (100 - s.backupSizeDropPercent) / 100;
    backups.push(alert(ObservabilityAlert.BACKUP_SIZE_DROP,
      withNamespace(`max by (env, tenant, kind) (${size}{env=${E}, kind="${BACKUP_KIND.dump}"}) < ${keep} * max by (env, tenant, kind) (max_over_time(${size}{env=${E}, kind="${BACKUP_KIND.dump}"}[${policy.staleAfterHours}h]))`, ACTIVE),
      'warning', undefined,
      `Database dump of tenant {{ $labels.tenant }} shrank by more than ${s.backupSizeDropPercent}%`,
      `The newest database dump of tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) is less than ${100 - s.backupSizeDropPercent}% of the largest one of the last ${policy.staleAfterHours} hours: check for data loss before retention prunes the older dumps.`));
    groups.push({ name: `${prefix}-backups`, rules: backups });

    // K45: every backup CronJob has a failed-job and a not-scheduled alert (freshness is the group above).
    const cron = `cronjob=~${promString(s.backupCronJobPattern)}`;
    // Jobs of a backup CronJob, with the CronJob's name as `cronjob`.
    const owner = `max by (namespace, job_name, cronjob) (label_replace(kube_job_owner{owner_kind="CronJob", owner_name=~${promString(s.backupCronJobPattern)}}, "cronjob", "$1", "owner_name", "(.+)"))`;
    // Last successful run of each backup CronJob; 0 if it never succeeded. A failed Job alerts only while no
    // later run succeeded (failed Jobs linger until ttlSecondsAfterFinished / failedJobsHistoryLimit remove them).
    const lastSuccess = `(max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cron}}) or 0 * max by (namespace, cronjob) (kube_cronjob_info{${cron}}))`;
    const jobs: ObservabilityRule[] = [
      alert(ObservabilityAlert.BACKUP_JOB_FAILED,
        withTenant(`(max by (namespace, job_name) (kube_job_status_failed) > 0) * on (namespace, job_name) group_left (cronjob) ${owner}`
          + ` and on (namespace, job_name) (max by (namespace, job_name) (kube_job_status_start_time) * on (namespace, job_name) group_left (cronjob) ${owner} > on (namespace, cronjob) group_left () ${lastSuccess})`, ACTIVE),
        'critical', undefined,
        'Backup job {{ $labels.job_name }} of tenant {{ $labels.tenant }} failed',
        'Job {{ $labels.job_name }} of backup CronJob {{ $labels.cronjob }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) failed, and the CronJob has not succeeded since it started.'),
      alert(ObservabilityAlert.BACKUP_CRONJOB_NOT_SCHEDULED,
        withTenant(`(time() - max by (namespace, cronjob) (kube_cronjob_next_schedule_time{${cron}})) > 3600 and on (namespace, cronjob) (max by (namespace, cronjob) (kube_cronjob_spec_suspend{${cron}}) == 0)`, ACTIVE),
        'critical', undefined,
        'Backup CronJob {{ $labels.cronjob }} of tenant {{ $labels.tenant }} missed its schedule',
        'Backup CronJob {{ $labels.cronjob }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) should have started more than an hour ago and has not been scheduled.'),
      alert(ObservabilityAlert.BACKUP_CRONJOB_SUSPENDED,
        withTenant(`max by (namespace, cronjob) (kube_cronjob_spec_suspend{${cron}}) == 1`, ACTIVE),
        'warning', '15m',
        'Backup CronJob {{ $labels.cronjob }} of active tenant {{ $labels.tenant }} is suspended',
        'Backup CronJob {{ $labels.cronjob }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) is suspended although the tenant is active: no backups are taken.'),
      alert(ObservabilityAlert.BACKUP_CRONJOB_MISSING,
        `${info(WITH_BACKUP)} unless on (namespace) kube_cronjob_info{${cron}}`,
        'critical', '30m',
        'Tenant {{ $labels.tenant }} has no backup CronJob',
        `Active tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) is backed up (a database, or objects the backups mirror) but has no CronJob named like ${s.backupCronJobPattern}.`),
    ];
    groups.push({ name: `${prefix}-backup-jobs`, rules: jobs });
  }

  const lifecycle: ObservabilityRule[] = [];
  if (env.expiresAt) {
    const expiry = `max by (env) (${ObservabilityMetric.ENVIRONMENT_EXPIRY}{env=${E}})`;
    lifecycle.push(alert(ObservabilityAlert.ENVIRONMENT_EXPIRING_SOON,
      `(${expiry} - time() < ${s.expiryWarningHours * 3600}) > 0`,
      'info', undefined,
      `Environment ${env.name} expires within ${s.expiryWarningHours} hours`,
      `Environment ${env.name} (class ${env.environmentClass.name}, owner ${env.owner}) reaches its TTL at ${env.expiresAt} and will then be destroyed automatically. Extend the TTL before then if it is still needed.`));
    lifecycle.push(alert(ObservabilityAlert.ENVIRONMENT_EXPIRED,
      `time() - ${expiry} > 3600`,
      'warning', undefined,
      `Environment ${env.name} outlived its TTL`,
      `Environment ${env.name} (class ${env.environmentClass.name}, owner ${env.owner}) expired at ${env.expiresAt} and is still deployed more than an hour later: the TTL cleanup did not run.`));
  }
  // Inactivity (spec §9) from a signal real clusters have: requests per namespace (ingress-nginx by default).
  const days = env.environmentClass.suspendAfterInactiveDays;
  const LAST = ObservabilityMetric.TENANT_LAST_ACTIVITY;
  const signal = `(count(${s.activityMetric}) > 0)`;
  const requests = `label_replace(sum by (${s.activityNamespaceLabel}) (increase(${s.activityMetric}[${ACTIVITY_WINDOW}])), "namespace", "$1", ${promString(s.activityNamespaceLabel)}, "(.+)")`;
  groups.push({
    name: `${prefix}-activity`,
    rules: [{
      record: LAST,
      // Now for an active tenant with requests in the window; otherwise its previous value (carried forward); a
      // tenant seen for the first time starts at now, but only while the signal exists (no signal, no clock).
      expr: `max by (env, namespace, tenant) (time() * (${info(ACTIVE)} and on (namespace) (${requests} > 0))`
        + ` or (last_over_time(${LAST}{env=${E}}[${ACTIVITY_CARRY_OVER}]) and on (env, namespace, tenant) ${info(ACTIVE)})`
        + ` or (time() * ${info(ACTIVE)} and on () ${signal}))`,
    }],
  });
  lifecycle.push(alert(ObservabilityAlert.TENANT_INACTIVE,
    `(time() - max by (env, namespace, tenant) (${LAST}{env=${E}})) >= ${days * 86400} and on (env, namespace, tenant) ${info(ACTIVE)} and on () ${signal}`,
    'info', '1h',
    `Tenant {{ $labels.tenant }} has been inactive for ${days} days`,
    `Tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) has had no requests (${s.activityMetric}) for at least ${days} days: it is due for suspension (spec §9). The tenant-inactivity workflow opens the pull request.`,
    { lifecycle_action: 'suspend' }));
  lifecycle.push(alert(ObservabilityAlert.TENANT_ACTIVITY_SIGNAL_MISSING,
    `absent(${s.activityMetric}) and on () (count(${ObservabilityMetric.TENANT_INFO}{env=${E}, state="active"}) > 0)`,
    'warning', '1h',
    `No activity signal for the tenants of environment ${env.name}`,
    `Prometheus has no series of ${s.activityMetric}: tenant inactivity cannot be measured, so no tenant of environment ${env.name} is reported inactive or suspended. Scrape the ingress controller, or set ObservabilityOptions.activityMetric to a request counter the cluster has.`,
    { env: env.name }));
  lifecycle.push(alert(ObservabilityAlert.TENANT_QUOTA_SATURATION,
    withTenant(`max by (namespace, resourcequota, resource) (kube_resourcequota{type="used"}) / on (namespace, resourcequota, resource) (max by (namespace, resourcequota, resource) (kube_resourcequota{type="hard"}) > 0) > ${s.quotaSaturationPercent / 100}`, ACTIVE),
    'warning', '15m',
    'Tenant {{ $labels.tenant }} uses most of its {{ $labels.resource }} quota',
    `Tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} (environment {{ $labels.env }}) uses more than ${s.quotaSaturationPercent}% of the {{ $labels.resource }} hard limit of ResourceQuota {{ $labels.resourcequota }}.`));
  groups.push({ name: `${prefix}-lifecycle`, rules: lifecycle });

  return groups;
}

/** Problems of a rule group, as `[field, problem, got, fix]` tuples, for the stack's Problems collector. */
export function ruleGroupProblems(group: ObservabilityRuleGroup, field: string): Array<[string, string, unknown, string]> {
  const out: Array<[string, string, unknown, string]> = [];
  if (typeof group.name !== 'string' || group.name.trim() === '') {
    out.push([`${field}.name`, 'is empty', group.name, 'name the group, e.g. "inopsio-prod-custom"']);
  }
  if (group.interval !== undefined && !PROMETHEUS_DURATION.test(group.interval)) {
    out.push([`${field}.interval`, 'is not a Prometheus duration', group.interval, 'write e.g. "1m"']);
  }
  if (!Array.isArray(group.rules) || group.rules.length === 0) {
    out.push([`${field}.rules`, 'is empty', group.rules, 'add at least one rule']);
    return out;
  }
  group.rules.forEach((rule, i) => {
    const at = `${field}.rules[${i}]`;
    if ((rule.alert === undefined) === (rule.record === undefined)) {
      out.push([at, 'must set exactly one of alert and record', { alert: rule.alert, record: rule.record }, 'set `alert` for an alerting rule or `record` for a recording rule']);
    }
    if (typeof rule.expr !== 'string' || rule.expr.trim() === '') {
      out.push([`${at}.expr`, 'is empty', rule.expr, 'write a PromQL expression']);
    }
    if (rule.pendingFor !== undefined && !PROMETHEUS_DURATION.test(rule.pendingFor)) {
      out.push([`${at}.pendingFor`, 'is not a Prometheus duration', rule.pendingFor, 'write e.g. "5m"']);
    }
    if (rule.alert !== undefined) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(rule.alert)) {
        out.push([`${at}.alert`, 'is not a valid alert name', rule.alert, 'use letters, digits and "_", e.g. "TenantCustomCheck"']);
      }
      const severity = rule.labels?.severity;
      if (!(SEVERITIES as readonly string[]).includes(severity ?? '')) {
        out.push([`${at}.labels.severity`, `is not one of ${SEVERITIES.join(', ')}`, severity, 'set labels.severity so Alertmanager can route the alert']);
      }
      for (const key of REQUIRED_ANNOTATIONS) {
        const value = rule.annotations?.[key];
        if (typeof value !== 'string' || value.trim() === '') {
          out.push([`${at}.annotations.${key}`, 'is missing', value, `every alert needs ${REQUIRED_ANNOTATIONS.join(', ')}`]);
        }
      }
    } else if (rule.record !== undefined) {
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(rule.record)) {
        out.push([`${at}.record`, 'is not a valid metric name', rule.record, 'use letters, digits, "_" and ":"']);
      }
      if (rule.annotations !== undefined || rule.pendingFor !== undefined) {
        out.push([at, 'is a recording rule with annotations or pendingFor', rule.record, 'remove them: only alerts have annotations and a pending period']);
      }
    }
  });
  return out;
}

/** A rule group as it appears in a Prometheus rule file (`for`, not `pendingFor`), keys in a fixed order. */
export function renderRuleGroup(group: ObservabilityRuleGroup): { [key: string]: unknown } {
  const out: { [key: string]: unknown } = { name: group.name };
  if (group.interval !== undefined) out.interval = group.interval;
  out.rules = group.rules.map(r => {
    const rule: { [key: string]: unknown } = {};
    if (r.alert !== undefined) rule.alert = r.alert;
    if (r.record !== undefined) rule.record = r.record;
    rule.expr = r.expr;
    if (r.pendingFor !== undefined) rule.for = r.pendingFor;
    if (r.labels !== undefined) rule.labels = { ...r.labels };
    if (r.annotations !== undefined) rule.annotations = { ...r.annotations };
    return rule;
  });
  return out;
}

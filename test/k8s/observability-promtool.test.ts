/**
 * The generated alert rules pass `promtool check rules`, and every alert has a `promtool test rules` unit test that
 * shows it FIRES on a failing series and stays SILENT on a healthy one. promtool must be installed (Debian package
 * `prometheus`); without it these tests fail, they never skip.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { previewEnvironment, prodEnvironment } from './promtool/fixtures';
import { AlertCase, alertsByName, promtool, PROMTOOL_MISSING, recordingGroupsFirst, series, Series, tempDir, testGroups, writeCaseFiles, writeTestFile } from './promtool/harness';
import { ObservabilityAlert, ObservabilityStack } from '../../src/k8s/observability-stack';

const prod = new ObservabilityStack(Testing.chart(), 'Prod', { environment: prodEnvironment(true), tenantObjectsBackedUp: true });
const preview = new ObservabilityStack(Testing.chart(), 'Preview', { environment: previewEnvironment() });

// ---------------------------------------------------------------------------------------------------------------
// Series builders for the production environment (acme, globex active; hooli active without database or objects;
// initech suspended; umbrella active with objects and no database, backed up through its objects).
// ---------------------------------------------------------------------------------------------------------------
const ns = (t: string) => `prod-${t}`;
const target = (t: string, instance: string) => ({ env: 'prod', namespace: ns(t), tenant: t, job: `${ns(t)}/inopsio-tenant-metrics`, instance });
const up = (t: string, instance: string, values: string) => series('up', target(t, instance), values);
/** Backup metrics as the backup jobs push them (via the Pushgateway: no tenant namespace). */
const backup = (metric: string, t: string, kind: string, values: string) =>
  series(metric, { env: 'prod', tenant: t, kind, job: 'pushgateway', instance: 'pushgateway:9091' }, values);
const success = (t: string, kind: string, values: string) => backup('inopsio_backup_last_success_timestamp_seconds', t, kind, values);
const failure = (t: string, kind: string, values: string) => backup('inopsio_backup_last_failure_timestamp_seconds', t, kind, values);
/** ingress-nginx request counts of a tenant's Ingress, as a ServiceMonitor scrapes them (`exported_namespace`). */
const requests = (t: string, values: string) => series('nginx_ingress_controller_requests', {
  namespace: 'ingress-nginx', exported_namespace: ns(t), ingress: 'web', service: 'web', status: '200', method: 'GET', job: 'ingress-nginx-controller-metrics', instance: 'ingress:10254',
}, values);
const ksm = (metric: string, labels: { [key: string]: string }, values: string) =>
  series(metric, { job: 'kube-state-metrics', instance: 'ksm:8080', ...labels }, values);
/** Labels an alert joined with the inventory carries. */
const who = (t: string) => ({ env: 'prod', namespace: ns(t), tenant: t });
/** A "last success" that is always `now` (a 1-minute series whose value is the sample time). */
const FRESH = '0+60x3000';

const prodCases: AlertCase[] = [
  {
    alert: ObservabilityAlert.TENANT_TARGET_DOWN,
    failing: [
      up('acme', 'a:9090', '0x20'), up('acme', 'b:9090', '1x20'), up('globex', 'c:9090', '1x20'),
      // An environment-wide target without a tenant is not a tenant's health.
      series('up', { env: 'prod', job: 'monitoring/loki', instance: 'loki:3100' }, '0x20'),
    ],
    expected: [{ labels: { env: 'prod', namespace: 'prod-acme', tenant: 'acme', job: 'prod-acme/inopsio-tenant-metrics' } }],
    fireAt: '10m',
    healthy: [up('acme', 'a:9090', '1x20'), up('acme', 'b:9090', '1x20'), up('globex', 'c:9090', '1x20')],
  },
  {
    alert: ObservabilityAlert.TENANT_DOWN,
    failing: [up('acme', 'a:9090', '0x20'), up('acme', 'b:9090', '0x20'), up('globex', 'c:9090', '1x20')],
    expected: [{ labels: who('acme') }],
    fireAt: '10m',
    // One of two targets down is TenantTargetDown, not TenantDown.
    healthy: [up('acme', 'a:9090', '0x20'), up('acme', 'b:9090', '1x20'), up('globex', 'c:9090', '1x20')],
  },
  {
    alert: ObservabilityAlert.TENANT_TARGETS_MISSING,
    // globex runs a module and has no target; hooli has none either, but runs no module (issue 24 item 6).
    failing: [up('acme', 'a:9090', '1x30')],
    expected: [{ labels: who('globex') }],
    fireAt: '15m',
    evaluationInterval: '5m',
    // initech is suspended and hooli runs no module: no targets is expected of either.
    healthy: [up('acme', 'a:9090', '1x30'), up('globex', 'c:9090', '1x30')],
  },
  {
    alert: ObservabilityAlert.BACKUP_STALE,
    // Last dump 26 h before the clock starts; initech is suspended and must not alert.
    // umbrella has no database: its daily backup is the object copy (kind="objects"), held to the same threshold.
    failing: [success('acme', 'dump', '-93600x10'), success('globex', 'dump', FRESH), success('initech', 'dump', '-900000x10'), success('umbrella', 'objects', '-93600x10')],
    expected: [{ labels: { ...who('acme'), kind: 'dump' } }, { labels: { ...who('umbrella'), kind: 'objects' } }],
    fireAt: '5m',
    healthy: [success('acme', 'dump', '-90000x10'), success('globex', 'dump', FRESH), success('umbrella', 'objects', FRESH)],
  },
  {
    alert: ObservabilityAlert.BACKUP_MISSING,
    failing: [success('globex', 'dump', '0+300x400'), success('acme', 'offsite', '0+300x400')],
    expected: [{ labels: who('acme') }, { labels: who('umbrella') }],
    fireAt: '27h',
    interval: '5m',
    evaluationInterval: '1h',
    healthy: [success('acme', 'dump', '0+300x400'), success('globex', 'dump', '0+300x400'), success('umbrella', 'objects', '0+300x400')],
  },
  {
    alert: ObservabilityAlert.OFFSITE_COPY_STALE,
    failing: [success('acme', 'offsite', '-93600x10'), success('acme', 'dump', FRESH), success('globex', 'offsite', FRESH)],
    expected: [{ labels: { ...who('acme'), kind: 'offsite' } }],
    fireAt: '5m',
    healthy: [success('acme', 'offsite', FRESH), success('globex', 'offsite', FRESH)],
  },
  {
    alert: ObservabilityAlert.OFFSITE_COPY_MISSING,
    failing: [success('acme', 'dump', '0+300x400'), success('globex', 'offsite', '0+300x400'), success('umbrella', 'offsite', '0+300x400')],
    expected: [{ labels: who('acme') }],
    fireAt: '27h',
    interval: '5m',
    evaluationInterval: '1h',
    healthy: [success('acme', 'offsite', '0+300x400'), success('globex', 'offsite', '0+300x400'), success('umbrella', 'offsite', '0+300x400')],
  },
  {
    alert: ObservabilityAlert.RESTORE_DRILL_STALE,
    failing: [success('acme', 'drill', '-691200x10'), success('globex', 'drill', '-700000x10')],
    expected: [{ labels: { ...who('acme'), kind: 'drill' } }, { labels: { ...who('globex'), kind: 'drill' } }],
    fireAt: '5m',
    healthy: [success('acme', 'drill', '-600000x10'), success('globex', 'drill', FRESH)],
  },
  {
    alert: ObservabilityAlert.RESTORE_DRILL_MISSING,
    failing: [success('acme', 'dump', '0+300x2400'), success('globex', 'drill', '0+300x2400'), success('umbrella', 'drill', '0+300x2400')],
    expected: [{ labels: who('acme') }],
    fireAt: '196h',
    interval: '5m',
    evaluationInterval: '4h',
    healthy: [success('acme', 'drill', '0+300x2400'), success('globex', 'drill', '0+300x2400'), success('umbrella', 'drill', '0+300x2400')],
  },
  {
    alert: ObservabilityAlert.BACKUP_FAILED,
    failing: [
      failure('acme', 'dump', '7200x10'), success('acme', 'dump', '3600x10'),
      // The offsite copy never succeeded (the dump did).
      failure('globex', 'offsite', '7200x10'), success('globex', 'dump', '3600x10'),
    ],
    expected: [{ labels: { ...who('acme'), kind: 'dump' } }, { labels: { ...who('globex'), kind: 'offsite' } }],
    fireAt: '5m',
    healthy: [failure('acme', 'dump', '3600x10'), success('acme', 'dump', '7200x10'), success('globex', 'offsite', '7200x10')],
  },
  {
    alert: ObservabilityAlert.BACKUP_SIZE_DROP,
    // 1000 bytes for 2 h, then 400: less than 50 % of the largest dump of the day before.
    failing: [backup('inopsio_backup_size_bytes', 'acme', 'dump', '1000x120 400x60'), backup('inopsio_backup_size_bytes', 'globex', 'dump', '1000x180')],
    expected: [{ labels: { ...who('acme'), kind: 'dump' } }],
    fireAt: '2h30m',
    evaluationInterval: '15m',
    healthy: [backup('inopsio_backup_size_bytes', 'acme', 'dump', '1000x120 900x60'), backup('inopsio_backup_size_bytes', 'globex', 'dump', '1000x180')],
  },
  {
    alert: ObservabilityAlert.BACKUP_JOB_FAILED,
    failing: [
      // acme: the newest Job failed after the last success.
      ksm('kube_job_status_failed', { namespace: 'prod-acme', job_name: 'backup-dump-2', reason: 'BackoffLimitExceeded' }, '1x10'),
      ksm('kube_job_owner', { namespace: 'prod-acme', job_name: 'backup-dump-2', owner_kind: 'CronJob', owner_name: 'backup-dump', owner_is_controller: 'true' }, '1x10'),
      ksm('kube_job_status_start_time', { namespace: 'prod-acme', job_name: 'backup-dump-2' }, '7200x10'),
      ksm('kube_cronjob_status_last_successful_time', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '3600x10'),
      ksm('kube_cronjob_info', { namespace: 'prod-acme', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x10'),
      // globex: the CronJob never succeeded.
      ksm('kube_job_status_failed', { namespace: 'prod-globex', job_name: 'backup-dump-1', reason: 'DeadlineExceeded' }, '1x10'),
      ksm('kube_job_owner', { namespace: 'prod-globex', job_name: 'backup-dump-1', owner_kind: 'CronJob', owner_name: 'backup-dump', owner_is_controller: 'true' }, '1x10'),
      ksm('kube_job_status_start_time', { namespace: 'prod-globex', job_name: 'backup-dump-1' }, '60x10'),
      ksm('kube_cronjob_info', { namespace: 'prod-globex', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x10'),
      // Not a backup CronJob: ignored.
      ksm('kube_job_status_failed', { namespace: 'prod-acme', job_name: 'report-1', reason: 'BackoffLimitExceeded' }, '1x10'),
      ksm('kube_job_owner', { namespace: 'prod-acme', job_name: 'report-1', owner_kind: 'CronJob', owner_name: 'report', owner_is_controller: 'true' }, '1x10'),
      ksm('kube_job_status_start_time', { namespace: 'prod-acme', job_name: 'report-1' }, '7200x10'),
    ],
    expected: [
      { labels: { ...who('acme'), job_name: 'backup-dump-2', cronjob: 'backup-dump' } },
      { labels: { ...who('globex'), job_name: 'backup-dump-1', cronjob: 'backup-dump' } },
    ],
    fireAt: '5m',
    // A failed Job that a later run superseded (the CronJob succeeded after it started) is history, not an alert.
    healthy: [
      ksm('kube_job_status_failed', { namespace: 'prod-acme', job_name: 'backup-dump-2', reason: 'BackoffLimitExceeded' }, '1x10'),
      ksm('kube_job_owner', { namespace: 'prod-acme', job_name: 'backup-dump-2', owner_kind: 'CronJob', owner_name: 'backup-dump', owner_is_controller: 'true' }, '1x10'),
      ksm('kube_job_status_start_time', { namespace: 'prod-acme', job_name: 'backup-dump-2' }, '7200x10'),
      ksm('kube_cronjob_status_last_successful_time', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '10800x10'),
      ksm('kube_cronjob_info', { namespace: 'prod-acme', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x10'),
    ],
  },
  {
    alert: ObservabilityAlert.BACKUP_CRONJOB_NOT_SCHEDULED,
    failing: [
      // Due an hour and a minute before the clock starts, never scheduled since.
      ksm('kube_cronjob_next_schedule_time', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '-3660x10'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '0x10'),
      ksm('kube_cronjob_next_schedule_time', { namespace: 'prod-globex', cronjob: 'backup-dump' }, '600+60x10'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-globex', cronjob: 'backup-dump' }, '0x10'),
    ],
    expected: [{ labels: { ...who('acme'), cronjob: 'backup-dump' } }],
    fireAt: '5m',
    healthy: [
      // Due 59 minutes ago: still within the hour of grace.
      ksm('kube_cronjob_next_schedule_time', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '-3240x10'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '0x10'),
      // Suspended CronJobs do not schedule; that is InopsioBackupCronJobSuspended's business.
      ksm('kube_cronjob_next_schedule_time', { namespace: 'prod-globex', cronjob: 'backup-dump' }, '-86400x10'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-globex', cronjob: 'backup-dump' }, '1x10'),
    ],
  },
  {
    alert: ObservabilityAlert.BACKUP_CRONJOB_SUSPENDED,
    failing: [
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '1x30'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-globex', cronjob: 'backup-dump' }, '0x30'),
    ],
    expected: [{ labels: { ...who('acme'), cronjob: 'backup-dump' } }],
    fireAt: '20m',
    evaluationInterval: '5m',
    // initech is suspended: its CronJobs are suspended on purpose.
    healthy: [
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-acme', cronjob: 'backup-dump' }, '0x30'),
      ksm('kube_cronjob_spec_suspend', { namespace: 'prod-initech', cronjob: 'backup-dump' }, '1x30'),
    ],
  },
  {
    alert: ObservabilityAlert.BACKUP_CRONJOB_MISSING,
    failing: [
      ksm('kube_cronjob_info', { namespace: 'prod-acme', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x60'),
      ksm('kube_cronjob_info', { namespace: 'prod-globex', cronjob: 'nightly-report', schedule: '0 1 * * *' }, '1x60'),
    ],
    // umbrella (objects, no database) is backed up too, so its CronJob is expected as well.
    expected: [{ labels: who('globex') }, { labels: who('umbrella') }],
    fireAt: '40m',
    evaluationInterval: '5m',
    healthy: [
      ksm('kube_cronjob_info', { namespace: 'prod-acme', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x60'),
      ksm('kube_cronjob_info', { namespace: 'prod-globex', cronjob: 'backup-dump', schedule: '15 2 * * *' }, '1x60'),
      ksm('kube_cronjob_info', { namespace: 'prod-umbrella', cronjob: 'backup-umbrella', schedule: '15 2 * * *' }, '1x60'),
    ],
  },
  {
    // Issue 17 item 2: inactivity from ingress-nginx request counts. acme's last requests are in the first 2 hours;
    // 91 days later it has been inactive for more than 90 days. globex, hooli and umbrella get requests all along; initech is
    // suspended. The recording rule carries the last active time forward between requests.
    alert: ObservabilityAlert.TENANT_INACTIVE,
    failing: [requests('acme', '0+100x8 800x8800'), requests('globex', '0+100x8809'), requests('hooli', '0+100x8809'), requests('umbrella', '0+100x8809')],
    expected: [{ labels: who('acme') }],
    fireAt: '2184h',
    interval: '15m',
    // Coarse steps keep the 91-day simulation short; the rule carries its value over 6 h, more than one step.
    evaluationInterval: '2h',
    // acme's last requests 30 h in: only 2154 h (89.75 days) of inactivity at the same time.
    healthy: [requests('acme', '0+100x120 12000x8689'), requests('globex', '0+100x8809'), requests('hooli', '0+100x8809'), requests('umbrella', '0+100x8809')],
  },
  {
    // No series of the activity metric at all: a warning, and (see the test below) never InopsioTenantInactive.
    alert: ObservabilityAlert.TENANT_ACTIVITY_SIGNAL_MISSING,
    failing: [up('acme', 'a:9090', '1x90')],
    expected: [{ labels: {} }],
    fireAt: '65m',
    evaluationInterval: '5m',
    healthy: [up('acme', 'a:9090', '1x90'), requests('acme', '0+1x90')],
  },
  {
    alert: ObservabilityAlert.TENANT_QUOTA_SATURATION,
    failing: [
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'pods', type: 'used' }, '95x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'pods', type: 'hard' }, '100x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'services.nodeports', type: 'used' }, '0x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'services.nodeports', type: 'hard' }, '0x30'),
    ],
    expected: [{ labels: { ...who('acme'), resourcequota: 'tenant-quota', resource: 'pods' } }],
    fireAt: '20m',
    evaluationInterval: '5m',
    healthy: [
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'pods', type: 'used' }, '50x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'pods', type: 'hard' }, '100x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'services.nodeports', type: 'used' }, '0x30'),
      ksm('kube_resourcequota', { namespace: 'prod-acme', resourcequota: 'tenant-quota', resource: 'services.nodeports', type: 'hard' }, '0x30'),
    ],
  },
];

/** Fired against the alert groups WITHOUT the tenant inventories: an inventory PrometheusRule that was not loaded. */
const inventoryCase: AlertCase = {
  alert: ObservabilityAlert.INVENTORY_INCOMPLETE,
  failing: [up('acme', 'a:9090', '1x30')],
  expected: [{ labels: {} }],
  fireAt: '20m',
  healthy: [up('acme', 'a:9090', '1x30')],
};

// The preview was created at the epoch with a 48 h TTL: it expires at 172800 s.
const previewCases: AlertCase[] = [
  {
    alert: ObservabilityAlert.ENVIRONMENT_EXPIRING_SOON,
    failing: [],
    expected: [{ labels: { env: preview.environment.name } }],
    fireAt: '43h',
    healthy: [],
    silentAt: '41h',
    evaluationInterval: '1h',
  },
  {
    alert: ObservabilityAlert.ENVIRONMENT_EXPIRED,
    failing: [],
    expected: [{ labels: { env: preview.environment.name } }],
    fireAt: '50h',
    healthy: [],
    silentAt: '48h',
    evaluationInterval: '1h',
  },
];

let dir: string;
beforeAll(() => {
  dir = tempDir('observability-promtool-');
  fs.writeFileSync(path.join(dir, 'prod-rules.yaml'), prod.prometheusRulesYaml());
  fs.writeFileSync(path.join(dir, 'preview-rules.yaml'), preview.prometheusRulesYaml());
  // The alert groups alone, as Prometheus would see them if no inventory PrometheusRule were selected.
  const alertsOnly = new ObservabilityStack(Testing.chart(), 'Alone', { environment: prodEnvironment(true), tenantObjectsBackedUp: true });
  const yaml = alertsOnly.prometheusRulesYaml();
  const parsed = YAML.parse(yaml) as { groups: Array<{ name: string }> };
  parsed.groups = parsed.groups.filter(g => !g.name.startsWith('inopsio-inventory-'));
  fs.writeFileSync(path.join(dir, 'prod-alerts-only.yaml'), YAML.stringify(parsed, { lineWidth: 0 }));
});

afterAll(() => {
  // Set KEEP_PROMTOOL_FILES=1 to inspect the generated rule and test files.
  if (dir && !process.env.KEEP_PROMTOOL_FILES) fs.rmSync(dir, { recursive: true, force: true });
});

function expectPromtoolSuccess(args: string[]) {
  const result = promtool(args, dir);
  if (result.status !== 0) throw new Error(`promtool ${args.join(' ')} exited ${result.status}:\n${result.output}`);
  expect(result.output).toMatch(/SUCCESS/);
  expect(result.output).not.toMatch(/FAILED/);
  return result;
}

test('promtool is installed (Debian package prometheus)', () => {
  const result = promtool(['--version'], process.cwd());
  expect(result.status).toBe(0);
  expect(result.output).toMatch(/promtool, version/);
  expect(PROMTOOL_MISSING).toMatch(/apt-get install prometheus/);
});

test('promtool check rules accepts every generated rule file', () => {
  for (const file of ['prod-rules.yaml', 'preview-rules.yaml', 'prod-alerts-only.yaml']) {
    const result = expectPromtoolSuccess(['check', 'rules', file]);
    const count = Number(/SUCCESS: (\d+) rules found/.exec(result.output)?.[1]);
    expect(count).toBeGreaterThan(0);
  }
  const rules = YAML.parse(prod.prometheusRulesYaml()).groups.flatMap((g: any) => g.rules);
  expect(expectPromtoolSuccess(['check', 'rules', 'prod-rules.yaml']).output).toContain(`SUCCESS: ${rules.length} rules found`);
});

test('every alert of every generated rule file has a fire/silent case', () => {
  const tested = new Set([...prodCases, inventoryCase, ...previewCases].map(c => c.alert));
  const generated = new Set([...prod.alertNames, ...preview.alertNames]);
  expect([...generated].filter(a => !tested.has(a))).toEqual([]);
  // And the catalogue of alert names is covered by the two environments.
  expect([...Object.values(ObservabilityAlert)].filter(a => !generated.has(a))).toEqual([]);
});

test('promtool test rules: every production alert fires on failing series and stays silent on healthy ones', () => {
  const files = writeCaseFiles(dir, 'prod-tests', ['prod-rules.yaml'], prodCases, prod.ruleGroups);
  expect(files.length).toBeGreaterThan(1);
  for (const file of files) expectPromtoolSuccess(['test', 'rules', file]);
});

test('promtool test rules: the inventory alert fires when the inventory rules are not loaded', () => {
  const rules = alertsByName(prod.ruleGroups);
  const [fires] = testGroups(inventoryCase, rules);
  const [, silent] = testGroups(inventoryCase, rules);
  writeTestFile(dir, 'inventory-fires.yaml', ['prod-alerts-only.yaml'], [fires]);
  writeTestFile(dir, 'inventory-silent.yaml', ['prod-rules.yaml'], [silent]);
  expectPromtoolSuccess(['test', 'rules', 'inventory-fires.yaml']);
  expectPromtoolSuccess(['test', 'rules', 'inventory-silent.yaml']);
});

test('promtool test rules: preview expiry alerts fire before and after the TTL', () => {
  for (const file of writeCaseFiles(dir, 'preview-tests', ['preview-rules.yaml'], previewCases, preview.ruleGroups)) {
    expectPromtoolSuccess(['test', 'rules', file]);
  }
});

test('promtool test rules: without any activity metric no tenant is ever inactive, only the warning fires (issue 17 item 2)', () => {
  const rules = alertsByName(prod.ruleGroups);
  const test = {
    name: 'no activity signal for 91 days',
    interval: '1h',
    input_series: [{ series: 'up{env="prod", namespace="prod-acme", tenant="acme", job="prod-acme/inopsio-tenant-metrics", instance="a:9090"}', values: '1x2200' }],
    alert_rule_test: [
      { eval_time: '2184h', alertname: ObservabilityAlert.TENANT_INACTIVE, exp_alerts: [] },
      {
        eval_time: '2184h',
        alertname: ObservabilityAlert.TENANT_ACTIVITY_SIGNAL_MISSING,
        exp_alerts: [{
          exp_labels: rules.get(ObservabilityAlert.TENANT_ACTIVITY_SIGNAL_MISSING)!.labels,
          exp_annotations: rules.get(ObservabilityAlert.TENANT_ACTIVITY_SIGNAL_MISSING)!.annotations,
        }],
      },
    ],
  };
  writeTestFile(dir, 'no-activity-signal.yaml', ['prod-rules.yaml'], [test], '2h', recordingGroupsFirst(prod.ruleGroups));
  expectPromtoolSuccess(['test', 'rules', 'no-activity-signal.yaml']);
  // The control: the same 91 days with a signal in which acme never has a request fires InopsioTenantInactive.
  const control = {
    ...test,
    name: 'a signal without acme requests for 91 days',
    input_series: [...test.input_series, { series: 'nginx_ingress_controller_requests{exported_namespace="prod-globex", ingress="web"}', values: '0+1x2200' }],
    alert_rule_test: [{ eval_time: '2184h', alertname: ObservabilityAlert.TENANT_INACTIVE, exp_alerts: [] }],
  };
  writeTestFile(dir, 'activity-control.yaml', ['prod-rules.yaml'], [control], '2h', recordingGroupsFirst(prod.ruleGroups));
  const result = promtool(['test', 'rules', 'activity-control.yaml'], dir);
  expect(result.status).not.toBe(0);
  expect(result.output).toMatch(/InopsioTenantInactive/);
});

describe('negative controls: the harness can fail', () => {
  const rules = () => alertsByName(prod.ruleGroups);
  const downCase = prodCases.find(c => c.alert === ObservabilityAlert.TENANT_DOWN)!;

  test('a wrong expected label makes promtool exit non-zero', () => {
    const wrong: AlertCase = { ...downCase, expected: [{ labels: { ...downCase.expected[0].labels, tenant: 'globex' } }] };
    writeTestFile(dir, 'negative-label.yaml', ['prod-rules.yaml'], testGroups(wrong, rules()).slice(0, 1));
    const result = promtool(['test', 'rules', 'negative-label.yaml'], dir);
    expect(result.status).not.toBe(0);
    // A comparison failure, not a broken test file: promtool shows what it expected and what it got.
    expect(result.output).toMatch(/FAILED:[\s\S]*alertname: InopsioTenantDown[\s\S]*exp:[\s\S]*tenant="globex"[\s\S]*got:[\s\S]*tenant="acme"/);
  });

  test('expecting an alert from healthy series makes promtool exit non-zero', () => {
    const swapped: AlertCase = { ...downCase, failing: downCase.healthy as Series[] };
    writeTestFile(dir, 'negative-healthy.yaml', ['prod-rules.yaml'], testGroups(swapped, rules()).slice(0, 1));
    const result = promtool(['test', 'rules', 'negative-healthy.yaml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED:[\s\S]*alertname: InopsioTenantDown[\s\S]*got:\[\]/);
  });

  test('a rule file with a broken expression fails promtool check rules', () => {
    fs.writeFileSync(path.join(dir, 'broken.yaml'), prod.prometheusRulesYaml().replace('== 0', '=== 0'));
    const result = promtool(['check', 'rules', 'broken.yaml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED|parse error/);
  });
});

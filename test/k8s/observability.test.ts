import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import {
  ObservabilityAlert,
  ObservabilityMetric,
  ObservabilityStack,
  ObservabilityStackProps,
  ScrapeMode,
} from '../../src/k8s/observability-stack';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { EXTERNAL_METRICS_ANNOTATION } from '../../src/model/wiring-annotations';
import { PolicyInput, PolicyPack } from '../../src/policy';
import { expectValidManifests } from '../support/strict-validator';
import { previewEnvironment, prodEnvironment } from './promtool/fixtures';

function synth(props: Partial<ObservabilityStackProps> = {}, environment: Environment = prodEnvironment()) {
  const chart = Testing.chart();
  const stack = new ObservabilityStack(chart, 'Observability', { environment, ...props });
  return { stack, docs: Testing.synth(chart) as any[] };
}

const find = (docs: any[], kind: string, namespace: string, name?: string) =>
  docs.filter(d => d.kind === kind && d.metadata.namespace === namespace && (name === undefined || d.metadata.name === name));

describe('defaults (prod: acme, globex, hooli without database, initech suspended)', () => {
  const { stack, docs } = synth();

  test('one PodMonitor and one inventory PrometheusRule per tenant namespace, the rest in monitoring', () => {
    expect(docs.map(d => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'PodMonitor prod-acme/inopsio-tenant-metrics',
      'PrometheusRule prod-acme/inopsio-tenant-inventory',
      'PodMonitor prod-globex/inopsio-tenant-metrics',
      'PrometheusRule prod-globex/inopsio-tenant-inventory',
      'PodMonitor prod-hooli/inopsio-tenant-metrics',
      'PrometheusRule prod-hooli/inopsio-tenant-inventory',
      'PodMonitor prod-initech/inopsio-tenant-metrics',
      'PrometheusRule prod-initech/inopsio-tenant-inventory',
      'PrometheusRule monitoring/inopsio-prod-alerts',
      'ConfigMap monitoring/inopsio-prod-alloy-logs',
      'ConfigMap monitoring/inopsio-prod-tenant-overview',
      'ConfigMap monitoring/inopsio-prod-backup-status',
      'ConfigMap monitoring/inopsio-prod-environment-lifecycle',
    ]);
    expect(stack.serviceMonitors).toEqual([]);
    expect(stack.podMonitors).toHaveLength(4);
  });

  test('every object passes strict schema validation (default target Kubernetes 1.35 + prometheus-operator CRDs)', () => {
    expectValidManifests(docs);
  });

  test('relabelings stamp env, namespace and tenant from the model; honorLabels stays false', () => {
    const [pm] = find(docs, 'PodMonitor', 'prod-globex');
    const endpoint = pm.spec.podMetricsEndpoints[0];
    expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics', interval: '30s', honorLabels: false });
    expect(endpoint.relabelings).toEqual([
      { action: 'replace', targetLabel: 'env', replacement: 'prod' },
      { action: 'replace', sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
      { action: 'replace', targetLabel: 'tenant', replacement: 'globex' },
    ]);
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['prod-globex'] });
    expect(pm.metadata.labels).toMatchObject({ env: 'prod', tenant: 'globex', release: 'kube-prometheus-stack' });
  });

  test('the inventory records each tenant with its state and whether backups and scrape targets (modules) are expected', () => {
    const byTenant = Object.fromEntries(find(docs, 'PrometheusRule', 'prod-hooli').concat(find(docs, 'PrometheusRule', 'prod-initech'), find(docs, 'PrometheusRule', 'prod-acme'))
      .map(d => [d.metadata.namespace, d.spec.groups[0].rules[0]]));
    expect(byTenant['prod-acme']).toEqual({
      record: ObservabilityMetric.TENANT_INFO,
      expr: 'vector(1)',
      labels: { env: 'prod', namespace: 'prod-acme', tenant: 'acme', state: 'active', backup: 'true', modules: 'true' },
    });
    expect(byTenant['prod-hooli'].labels).toMatchObject({ state: 'active', backup: 'false', modules: 'false' });
    expect(byTenant['prod-initech'].labels).toMatchObject({ state: 'suspended', backup: 'false' });
  });

  test('every alert has summary, description, runbook_url and a severity label', () => {
    const [rule] = find(docs, 'PrometheusRule', 'monitoring');
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(alerts.length).toBeGreaterThanOrEqual(18);
    for (const a of alerts) {
      expect([a.alert, Object.keys(a.annotations).sort()]).toEqual([a.alert, ['description', 'runbook_url', 'summary']]);
      expect(a.annotations.runbook_url).toBe(`https://github.com/inopsio/env-lifecycle/blob/main/docs/observability.md#${a.alert.toLowerCase()}`);
      expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
      expect(a.annotations.summary.length).toBeGreaterThan(10);
    }
  });

  test('every alert has a runbook section in docs/observability.md', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'observability.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#{2,4} (Inopsio[A-Za-z]+)\s*$/gm)].map(m => m[1].toLowerCase()));
    const missing = Object.values(ObservabilityAlert).filter(a => !anchors.has(a.toLowerCase()));
    expect(missing).toEqual([]);
  });

  test('K45: freshness, failed-job and not-scheduled alerts cover the backup CronJobs', () => {
    expect(stack.alertNames).toEqual(expect.arrayContaining([
      ObservabilityAlert.BACKUP_STALE, ObservabilityAlert.OFFSITE_COPY_STALE, ObservabilityAlert.RESTORE_DRILL_STALE,
      ObservabilityAlert.BACKUP_JOB_FAILED, ObservabilityAlert.BACKUP_CRONJOB_NOT_SCHEDULED,
      ObservabilityAlert.BACKUP_CRONJOB_SUSPENDED, ObservabilityAlert.BACKUP_CRONJOB_MISSING,
    ]));
    const rules = YAML.parse(stack.prometheusRulesYaml()).groups.flatMap((g: any) => g.rules);
    const stale = rules.find((r: any) => r.alert === ObservabilityAlert.BACKUP_STALE);
    expect(stale.expr).toContain('> 93600'); // staleAfterHours 26 from the production backup policy
  });

  test('prometheusRulesYaml() is the plain rule file with the same groups as the PrometheusRule objects', () => {
    const file = YAML.parse(stack.prometheusRulesYaml());
    expect(Object.keys(file)).toEqual(['groups']);
    const fromObjects = docs.filter(d => d.kind === 'PrometheusRule').flatMap(d => d.spec.groups);
    expect(file.groups).toEqual(fromObjects);
    expect(file.groups.map((g: any) => g.name)).toEqual([
      'inopsio-inventory-prod-acme', 'inopsio-inventory-prod-globex', 'inopsio-inventory-prod-hooli', 'inopsio-inventory-prod-initech',
      'inopsio-prod-tenant-health', 'inopsio-prod-backups', 'inopsio-prod-backup-jobs', 'inopsio-prod-activity', 'inopsio-prod-lifecycle',
    ]);
  });

  test('log collector: Alloy config labels streams env, namespace and tenant only', () => {
    const [cm] = find(docs, 'ConfigMap', 'monitoring', 'inopsio-prod-alloy-logs');
    const config: string = cm.data['prod.alloy'];
    expect(config).toBe(stack.alloyConfig);
    expect(config).toContain('names = ["prod-acme", "prod-globex", "prod-hooli", "prod-initech"]');
    expect(config).toMatch(/target_label = "env"\n {4}replacement {2}= "prod"/);
    expect(config).toContain('regex         = "prod-(.+)"');
    expect(config).toContain('values = ["env", "namespace", "tenant"]');
    expect(config).toContain('url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"');
    expect(config).not.toMatch(/target_label\s*=\s*"(pod|instance|container_id)"/);
    expect(stack.logLabels).toEqual(['env', 'namespace', 'tenant']);
  });

  describe('dashboards', () => {
    const boards = find(docs, 'ConfigMap', 'monitoring').filter(d => d.metadata.labels.grafana_dashboard === '1');
    const models = boards.map(b => {
      const keys = Object.keys(b.data);
      expect(keys).toHaveLength(1);
      return JSON.parse(b.data[keys[0]]);
    });

    test('three dashboards for the kube-prometheus-stack sidecar, in the Inopsio folder', () => {
      expect(models.map(m => m.title)).toEqual(['Inopsio tenant overview (prod)', 'Backup Status (prod)', 'Inopsio environment lifecycle (prod)']);
      for (const b of boards) expect(b.metadata.annotations).toEqual({ grafana_folder: 'Inopsio' });
      expect(models.map(m => m.uid)).toEqual(['inopsio-prod-tenants', 'inopsio-prod-backups', 'inopsio-prod-lifecycle']);
      for (const m of models) expect(m.uid.length).toBeLessThanOrEqual(40);
    });

    test('each defines the env, namespace and tenant variables', () => {
      for (const m of models) {
        const vars = Object.fromEntries(m.templating.list.map((v: any) => [v.name, v]));
        expect(Object.keys(vars)).toEqual(expect.arrayContaining(['datasource', 'env', 'namespace', 'tenant']));
        expect(vars.env).toMatchObject({ type: 'query', multi: false, current: { value: 'prod' } });
        expect(vars.namespace).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
        expect(vars.namespace.query).toContain('env=~"$env"');
        expect(vars.tenant.query).toContain('namespace=~"$namespace"');
      }
    });

    test('every panel query uses $env, $namespace and $tenant', () => {
      let queries = 0;
      for (const m of models) {
        const panels = m.panels.filter((p: any) => p.type !== 'row');
        expect(panels.length).toBeGreaterThan(3);
        for (const p of panels) {
          expect([m.title, p.title, p.targets?.length ?? 0]).not.toEqual([m.title, p.title, 0]);
          for (const t of p.targets) {
            queries++;
            for (const v of ['$env', '$namespace', '$tenant']) {
              if (!t.expr.includes(v)) throw new Error(`${m.title} / ${p.title}: query does not use ${v}: ${t.expr}`);
            }
          }
        }
        // Panel ids are unique and sequential (stable output).
        expect(m.panels.map((p: any) => p.id)).toEqual(m.panels.map((_: any, i: number) => i + 1));
      }
      expect(queries).toBeGreaterThan(30);
    });

    test('the Backup Status dashboard watches every backup step and the backup CronJobs (K45)', () => {
      const backup = models[1];
      const exprs = backup.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)).join('\n');
      for (const needle of ['kind="dump"', 'kind="offsite"', 'kind=~"drill"', 'kube_cronjob_status_last_schedule_time',
        'kube_cronjob_spec_suspend', 'kube_job_status_failed', ObservabilityMetric.BACKUP_SIZE, ObservabilityMetric.BACKUP_DURATION]) {
        expect(exprs).toContain(needle);
      }
    });

    test('the tenant overview has a logs panel on Loki filtered by the three labels', () => {
      const logs = models[0].panels.find((p: any) => p.type === 'logs');
      expect(logs.datasource).toEqual({ type: 'loki', uid: '${loki_datasource}' });
      expect(logs.targets[0].expr).toBe('{env=~"$env", namespace=~"$namespace", tenant=~"$tenant"}');
    });
  });

  test('output is deterministic: identical input gives identical bytes', () => {
    const again = synth().docs;
    expect(Yaml.stringify(...again)).toBe(Yaml.stringify(...docs));
    expect(Yaml.stringify(...docs)).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });
});

describe('expiring environments', () => {
  test('a preview records its expiry from createdAt + TTL and alerts before and after it', () => {
    const { stack } = synth({}, previewEnvironment());
    const groups = YAML.parse(stack.prometheusRulesYaml()).groups;
    const expiry = groups.find((g: any) => g.name.endsWith('-environment')).rules[0];
    expect(expiry).toEqual({
      record: ObservabilityMetric.ENVIRONMENT_EXPIRY,
      expr: 'vector(172800)',
      labels: { env: 'preview-feature-x', environment_class: 'preview' },
    });
    expect(stack.alertNames).toEqual(expect.arrayContaining([ObservabilityAlert.ENVIRONMENT_EXPIRING_SOON, ObservabilityAlert.ENVIRONMENT_EXPIRED]));
    // Previews have no backups (BackupPolicy.NONE): no backup alerts.
    expect(stack.alertNames.filter(a => /Backup|Offsite|RestoreDrill/.test(a))).toEqual([]);
  });

  test('a permanent environment has no expiry rule and no expiry alerts', () => {
    const { stack } = synth();
    expect(stack.alertNames).not.toContain(ObservabilityAlert.ENVIRONMENT_EXPIRING_SOON);
    expect(stack.prometheusRulesYaml()).not.toContain(ObservabilityMetric.ENVIRONMENT_EXPIRY);
  });

  test('expiryWarningHours sets the warning window', () => {
    const { stack } = synth({ expiryWarningHours: 12 }, previewEnvironment());
    const rule = stack.ruleGroups.flatMap(g => g.rules).find(r => r.alert === ObservabilityAlert.ENVIRONMENT_EXPIRING_SOON)!;
    expect(rule.expr).toContain('< 43200');
  });
});

describe('props', () => {
  test('ServiceMonitor mode emits ServiceMonitors with the same relabelings', () => {
    const { stack, docs } = synth({ scrapeMode: ScrapeMode.SERVICE_MONITOR, serviceSelectorLabels: { 'app.kubernetes.io/part-of': 'inopsio' } });
    expect(stack.podMonitors).toEqual([]);
    const sms = docs.filter(d => d.kind === 'ServiceMonitor');
    expect(sms).toHaveLength(4);
    expect(sms[0].spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/part-of': 'inopsio' } });
    expect(sms[0].spec.endpoints[0].relabelings.map((r: any) => r.targetLabel)).toEqual(['env', 'namespace', 'tenant']);
    expectValidManifests(docs);
  });

  test('BOTH with disjoint selectors emits both kinds', () => {
    const { docs } = synth({ scrapeMode: ScrapeMode.BOTH, podSelectorLabels: { scrape: 'pod' } });
    expect(docs.filter(d => d.kind === 'ServiceMonitor')).toHaveLength(4);
    expect(docs.filter(d => d.kind === 'PodMonitor')).toHaveLength(4);
    expectValidManifests(docs);
  });

  test('a subset of tenants, extra log labels, custom namespaces and URLs', () => {
    const env = prodEnvironment();
    const { stack, docs } = synth({
      tenants: [env.tenants[1], env.tenants[0]],
      monitoringNamespace: 'observability',
      prometheusSelectorLabels: { release: 'prom' },
      extraLogLabels: ['container', 'app'],
      runbookUrlPrefix: 'https://runbooks.example.com/env/',
      dashboardFolder: 'Platform / Tenants',
      dashboards: true,
    }, env);
    expect(stack.tenants.map(t => t.id)).toEqual(['acme', 'globex']);
    expect(docs.filter(d => d.kind === 'PodMonitor').map(d => d.metadata.namespace)).toEqual(['prod-acme', 'prod-globex']);
    // W05 reads where Prometheus scrapes from; the Platform gives the port name to the tenants' allow-monitoring.
    expect(docs.filter(d => d.kind === 'PodMonitor').map(d => d.metadata.annotations['lifecycle.inopsio.io/scraper-namespace'])).toEqual(['observability', 'observability']);
    expect(stack.metricsPortName).toBe('metrics');
    expect(stack.alertRules.metadata.namespace).toBe('observability');
    expect(stack.alertRules.metadata.getLabel('release')).toBe('prom');
    expect(stack.alloyConfig).toContain('source_labels = ["__meta_kubernetes_pod_container_name"]\n    target_label  = "container"');
    expect(stack.alloyConfig).toContain('source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]\n    target_label  = "app"');
    expect(stack.alloyConfig).toContain('values = ["env", "namespace", "tenant", "container", "app"]');
    expect(stack.alloyConfig).toContain('loki-gateway.observability.svc');
    expect(stack.ruleGroups.flatMap(g => g.rules).filter(r => r.alert).every(r => r.annotations!.runbook_url.startsWith('https://runbooks.example.com/env/inopsio'))).toBe(true);
    expect(stack.dashboards[0].toJson().metadata.annotations).toEqual({ grafana_folder: 'Platform / Tenants' });
    // The inventory-completeness alert expects exactly the observed tenants.
    expect(stack.prometheusRulesYaml()).toContain('(count(inopsio_tenant_info{env="prod"}) or vector(0)) < 2');
    expectValidManifests(docs);
  });

  test('tenant namespaces shortened with a hash get an explicit tenant mapping in the log collector', () => {
    const longId = 'a-very-long-tenant-identifier-of-forty-c';
    const env = new Environment({ name: 'staging-europe-west-with-a-long-name', environmentClass: EnvironmentClass.STAGING, tenants: [{ id: longId }] });
    const ns = env.namespaceFor(longId);
    expect(ns).not.toBe(`${env.name}-${longId}`);
    const { stack } = synth({}, env);
    expect(stack.alloyConfig).toContain(`regex         = "${ns}"\n    target_label  = "tenant"\n    replacement   = "${longId}"`);
    expect(stack.dashboards.map(d => JSON.parse(Object.values((d.toJson() as any).data)[0] as string).uid.length).every(l => l <= 40)).toBe(true);
  });

  test('an environment without tenants collects no logs (an empty namespace list would mean every namespace)', () => {
    const env = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING });
    const { stack, docs } = synth({}, env);
    expect(stack.alloyConfig).not.toContain('discovery.kubernetes');
    expect(stack.alloyConfig).toContain('No tenant namespaces');
    expect(docs.filter(d => d.kind === 'PodMonitor')).toEqual([]);
    expect(stack.alertNames).not.toContain(ObservabilityAlert.INVENTORY_INCOMPLETE);
    expectValidManifests(docs);
  });

  test('dashboards: false emits none', () => {
    const { stack, docs } = synth({ dashboards: false });
    expect(stack.dashboards).toEqual([]);
    expect(docs.filter(d => d.metadata.labels?.grafana_dashboard)).toEqual([]);
  });

  test('escape hatch: generated objects can be patched', () => {
    const { stack } = synth();
    ApiObject.of(stack.podMonitors[0]).addJsonPatch(JsonPatch.add('/spec/podMetricsEndpoints/0/scrapeTimeout', '10s'));
    stack.podMonitors[0].metadata.addLabel('team', 'platform');
    const json = stack.podMonitors[0].toJson();
    expect(json.metadata.labels.team).toBe('platform');
    expect(json.spec.podMetricsEndpoints[0].scrapeTimeout).toBe('10s');
  });
});

describe('addRuleGroup', () => {
  test('adds a validated group to the PrometheusRule and the rule file', () => {
    const chart = Testing.chart();
    const stack = new ObservabilityStack(chart, 'O', { environment: prodEnvironment() });
    stack.addRuleGroup({
      name: 'inopsio-prod-custom',
      rules: [{
        alert: 'TenantCustomCheck',
        expr: 'vector(1)',
        pendingFor: '5m',
        labels: { severity: 'warning' },
        annotations: { summary: 's', description: 'd', runbook_url: 'https://runbooks.example.com/custom' },
      }],
    });
    const rule = Testing.synth(chart).find((d: any) => d.metadata.name === 'inopsio-prod-alerts');
    expect(rule.spec.groups.at(-1)).toEqual({
      name: 'inopsio-prod-custom',
      rules: [{ alert: 'TenantCustomCheck', expr: 'vector(1)', for: '5m', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd', runbook_url: 'https://runbooks.example.com/custom' } }],
    });
    expect(YAML.parse(stack.prometheusRulesYaml()).groups.at(-1).name).toBe('inopsio-prod-custom');
  });

  test('fails with every problem of an alert lacking severity and annotations', () => {
    const stack = new ObservabilityStack(Testing.chart(), 'O', { environment: prodEnvironment() });
    expect(() => stack.addRuleGroup({ name: 'inopsio-prod-tenant-health', rules: [{ alert: 'Bad', expr: 'up == 0', pendingFor: '5 minutes' }] }))
      .toThrow(/6 problems:[\s\S]*pendingFor is not a Prometheus duration \(got "5 minutes"\)[\s\S]*labels\.severity is not one of critical, warning, info[\s\S]*annotations\.summary is missing[\s\S]*annotations\.runbook_url is missing[\s\S]*ruleGroup\.name is already used/);
  });
});

describe('addRuleGroup refuses malformed groups', () => {
  test('recording rules, empty groups and bad intervals', () => {
    const stack = new ObservabilityStack(Testing.chart(), 'O', { environment: prodEnvironment() });
    expect(() => stack.addRuleGroup({ name: ' ', interval: '1 minute', rules: [] }))
      .toThrow(/ruleGroup\.name is empty[\s\S]*ruleGroup\.interval is not a Prometheus duration \(got "1 minute"\)[\s\S]*ruleGroup\.rules is empty/);
    expect(() => stack.addRuleGroup({
      name: 'x',
      rules: [
        { record: 'bad-name', expr: 'vector(1)', annotations: { summary: 's' } },
        { alert: 'A', record: 'b', expr: '' },
        { alert: 'bad name', expr: 'up', labels: { severity: 'page' }, annotations: { summary: 's', description: 'd', runbook_url: 'u' } },
      ],
    })).toThrow(/rules\[0\]\.record is not a valid metric name[\s\S]*rules\[0\] is a recording rule with annotations[\s\S]*rules\[1\] must set exactly one of alert and record[\s\S]*rules\[1\]\.expr is empty[\s\S]*rules\[2\]\.alert is not a valid alert name[\s\S]*rules\[2\]\.labels\.severity is not one of critical, warning, info \(got "page"\)/);
  });
});

describe('fails if', () => {
  const run = (props: Partial<ObservabilityStackProps>) => () => synth(props);

  test('high-cardinality log labels are asked for: one message lists each of them', () => {
    let message = '';
    try {
      synth({ extraLogLabels: ['container', 'pod', 'container_id', 'request_id', 'customer_id', 'node', 'Bad-Name', 'tenant'] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^7 problems:/);
    expect(message).toContain('test/Observability: extraLogLabels[1] is a high-cardinality label (one value per pod) (got "pod"); remove it: keep such values in the log line');
    expect(message).toContain('extraLogLabels[2] is a high-cardinality label (one value per container start) (got "container_id")');
    expect(message).toContain('extraLogLabels[3] is a high-cardinality label (one value per request) (got "request_id")');
    expect(message).toContain('extraLogLabels[4] is a high-cardinality label (an identifier: unbounded values) (got "customer_id")');
    expect(message).toContain('extraLogLabels[5] is a high-cardinality label (one value per node, churning with autoscaling) (got "node")');
    expect(message).toContain('extraLogLabels[6] is not a Loki label name (got "Bad-Name")');
    expect(message).toContain('extraLogLabels[7] is always present (got "tenant")');
    expect(message).not.toContain('(got "container")');
  });

  test('a tenant is not part of the environment', () => {
    const other = previewEnvironment().tenants[0];
    expect(run({ tenants: [other] })).toThrow('test/Observability: tenants[0] is not a tenant of environment "prod" (got "demo")');
  });

  test('both monitors would select everything', () => {
    expect(run({ scrapeMode: ScrapeMode.BOTH })).toThrow(/scrapeMode is BOTH with two empty selectors/);
  });

  test('several props are wrong at once: every problem is listed', () => {
    let message = '';
    try {
      synth({
        monitoringNamespace: 'Monitoring',
        metricsPortName: 'metrics_port',
        metricsPath: 'metrics',
        runbookUrlPrefix: 'runbooks',
        targetDownMinutes: 0,
        quotaSaturationPercent: 150,
        backupSizeDropPercent: 100,
        backupCronJobPattern: '.*',
        lokiPushUrl: 'http://user:pass@loki/push',
        dashboardFolderAnnotation: 'bad annotation',
        prometheusSelectorLabels: { release: 'a b' },
        activityMetric: 'nginx-requests',
        activityNamespaceLabel: '__namespace',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const field of ['monitoringNamespace contains uppercase letters', 'metricsPortName is not a port name', 'metricsPath is not an absolute URL path',
      'runbookUrlPrefix is not an http(s) URL', 'targetDownMinutes must be a whole number from 1 to 1440 (got 0)', 'quotaSaturationPercent must be a whole number from 1 to 100 (got 150)',
      'backupSizeDropPercent must be a whole number from 1 to 99 (got 100)', 'backupCronJobPattern matches the empty string (got ".*")',
      'lokiPushUrl is not an http(s) URL without credentials', 'dashboardFolderAnnotation is not a qualified annotation name', 'prometheusSelectorLabels.release is not a valid label value',
      'activityMetric is not a Prometheus metric name (got "nginx-requests")', 'activityNamespaceLabel is not a Prometheus label name (got "__namespace")']) {
      expect(message).toContain(field);
    }
    expect(message).toMatch(/^13 problems:/);
  });
});

// Issue 24 item 4 (W09): every metric a rule reads is emitted by the output or declared external.
describe('W09: the metrics the rules read', () => {
  const w09 = (docs: any[]) => {
    const input = new PolicyInput();
    input.addKubernetesJson('prod', 'k8s/prod/platform.k8s.yaml', JSON.stringify(docs));
    const report = PolicyPack.default().evaluate(input);
    return { rule: report.rules.find(r => r.id === 'W09')!, messages: report.findings.filter(f => f.ruleId === 'W09').map(f => f.message) };
  };

  test('the default activity metric is a declared external source: no annotation, and W09 reports nothing but the backup metrics (their scripts are not in this chart)', () => {
    const { docs } = synth();
    const alerts = find(docs, 'PrometheusRule', 'monitoring', 'inopsio-prod-alerts')[0];
    expect(alerts.metadata.annotations?.[EXTERNAL_METRICS_ANNOTATION]).toBeUndefined();
    // The backup metrics come from the backup scripts, which this chart does not hold: only they are reported.
    expect(w09(docs).messages.filter(m => !/reads metric "inopsio_backup_/.test(m))).toEqual([]);
  });

  test('a custom activity metric is declared on the alert PrometheusRule, so W09 accepts it', () => {
    const { docs } = synth({ activityMetric: 'traefik_service_requests_total', activityNamespaceLabel: 'namespace' });
    const alerts = find(docs, 'PrometheusRule', 'monitoring', 'inopsio-prod-alerts')[0];
    expect(alerts.metadata.annotations[EXTERNAL_METRICS_ANNOTATION]).toBe('traefik_service_requests_total');
    expect(w09(docs).messages.filter(m => /traefik/.test(m))).toEqual([]);
    delete alerts.metadata.annotations[EXTERNAL_METRICS_ANNOTATION];
    expect(w09(docs).messages).toEqual(expect.arrayContaining([expect.stringMatching(/\(record inopsio_tenant_last_activity_timestamp_seconds\) reads metric "traefik_service_requests_total", which no recording rule of the prod output records/)]));
  });
});

/**
 * Issue 17 item 4: the final backup of a suspended or archived tenant must be admitted by that tenant's own quota.
 * Each test evaluates the Job created by `kubectl create job --from=cronjob/<backup CronJob>` and its pod (with the
 * Vault Agent init container the injector adds) against every ResourceQuota of the namespace, scopes included, and
 * its LimitRange.
 */
import { Testing } from 'cdk8s';
import { BackupPriorityClass } from '../../src/k8s/backup-priority-class';
import { BackupSchedule } from '../../src/k8s/backup-schedule';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { backupPriorityClassName } from '../../src/model/names';
import { QuotaProfile } from '../../src/model/quota-profile';
import { TenantState } from '../../src/model/tenant';
import { admitJob } from '../support/quota-admission';
import { expectValidManifests } from '../support/strict-validator';

const IMAGE = ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@sha256:${'3f'.repeat(32)}`);
const backupProps = {
  image: IMAGE,
  database: { host: 'postgres.databases.svc', egress: EgressTarget.podsInNamespace('databases', { app: 'postgresql' }, 5432), caConfigMap: 'postgres-ca' },
  primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: EgressTarget.podsInNamespace('minio', { app: 'minio' }, 9000) },
  offsiteStore: { endpoint: 'https://s3.eu-central-2.example.com', bucket: 'inopsio-offsite', egress: EgressTarget.cidr('203.0.113.0/24', 443) },
};

function tenantDocs(envName: string, cls: EnvironmentClass, state: TenantState): { docs: any[]; schedule: BackupSchedule } {
  const env = new Environment({ name: envName, environmentClass: cls, tenants: [{ id: 'acme', state }] });
  const app = Testing.app();
  const chart = new TenantChart(app, 'acme', { environment: env, tenant: env.tenants[0] });
  const schedule = new BackupSchedule(chart, 'Backup', { ...backupProps, environment: env, tenant: env.tenants[0] });
  return { docs: chart.toJson(), schedule };
}

/** `kubectl create job <name> --from=cronjob/<cronJob>`: the CronJob's job template as a Job. */
function jobFrom(docs: any[], cronJob: string, name: string): any {
  const cj = docs.find(d => d.kind === 'CronJob' && d.metadata.name === cronJob);
  expect(cj).toBeDefined();
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: cj.metadata.namespace }, spec: cj.spec.jobTemplate.spec };
}

/** Finished Jobs the two CronJobs keep in their history (3 successful + 3 failed each, by default). */
const HISTORY = { 'count/jobs.batch': 12 };

describe('final backup under a suspended or archived tenant\'s quota (issue 17 item 4)', () => {
  for (const [envName, cls] of [['staging', EnvironmentClass.STAGING], ['prod', EnvironmentClass.PRODUCTION]] as const) {
    for (const state of [TenantState.SUSPENDED, TenantState.ARCHIVED]) {
      test(`${envName}, ${state}: the final backup and the restore drill are admitted; nothing else is`, () => {
        const { docs, schedule } = tenantDocs(envName, cls, state);
        expectValidManifests(docs);
        const quotas = docs.filter(d => d.kind === 'ResourceQuota').map(d => d.metadata.name);
        expect(quotas).toEqual(['tenant-quota', 'tenant-quota-stopped', 'tenant-quota-backup']);
        const backup = jobFrom(docs, schedule.cronJobName, 'decommission-final-backup');
        expect(backup.spec.template.spec.priorityClassName).toBe(backupPriorityClassName(envName));
        expect(admitJob(backup, docs, HISTORY)).toEqual([]);
        // The drill runs after the backup finished (a finished pod no longer counts): one more Job.
        const drill = jobFrom(docs, schedule.restoreDrillCronJobName, 'decommission-restore-drill');
        expect(admitJob(drill, docs, { 'count/jobs.batch': HISTORY['count/jobs.batch'] + 1 })).toEqual([]);
        // Two backup pods at once: the second is refused (one at a time).
        expect(admitJob(backup, docs, { ...HISTORY, pods: 1 })).toEqual([expect.stringMatching(/^ResourceQuota tenant-quota-backup: pods would be 2, above 1$/)]);
        // Any other pod (a module's Deployment, a tenant Job) stays at zero.
        const other = { spec: { template: { metadata: {}, spec: { containers: [{ name: 'api', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } } } };
        expect(admitJob(other, docs)).toContain('ResourceQuota tenant-quota-stopped: pods would be 1, above 0');
        expect(admitJob(other, docs).every(p => p.startsWith('ResourceQuota tenant-quota-stopped: '))).toBe(true);
        // Even a pod that claims the backup class cannot run next to a backup.
        const sneaky = { spec: { template: { metadata: {}, spec: { priorityClassName: backupPriorityClassName(envName), containers: [{ name: 'api' }] } } } };
        expect(admitJob(sneaky, docs, { ...HISTORY, pods: 1 })).toContainEqual(expect.stringMatching(/tenant-quota-backup: pods would be 2/));
      });
    }
  }

  test('the quota as it was (one unscoped quota of the suspended profile) refuses the final backup', () => {
    const { docs, schedule } = tenantDocs('prod', EnvironmentClass.PRODUCTION, TenantState.ARCHIVED);
    const s = QuotaProfile.SUSPENDED.props;
    const before = [
      ...docs.filter(d => d.kind !== 'ResourceQuota' && d.kind !== 'LimitRange'),
      { kind: 'ResourceQuota', metadata: { name: 'tenant-quota' }, spec: { hard: { 'pods': String(s.pods), 'count/jobs.batch': String(s.jobs), 'requests.cpu': s.requestsCpu } } },
      { kind: 'LimitRange', metadata: { name: 'tenant-limits' }, spec: { limits: [{ type: 'Container', max: { cpu: s.containerMaxCpu, memory: s.containerMaxMemory } }] } },
    ];
    const problems = admitJob(jobFrom(docs, schedule.cronJobName, 'decommission-final-backup'), before);
    expect(problems).toEqual(expect.arrayContaining([
      'ResourceQuota tenant-quota: count/jobs.batch would be 1, above 0',
      'ResourceQuota tenant-quota: pods would be 1, above 0',
      expect.stringMatching(/^LimitRange: container backup limits.cpu 1 is above the maximum 1m$/),
    ]));
  });

  test('active tenants keep their single quota; classes without backups keep the suspended one', () => {
    const active = tenantDocs('prod', EnvironmentClass.PRODUCTION, TenantState.ACTIVE).docs.filter(d => d.kind === 'ResourceQuota');
    expect(active.map(q => q.metadata.name)).toEqual(['tenant-quota']);
    expect(active[0].spec.hard.pods).toBe(String(EnvironmentClass.PRODUCTION.quota.props.pods));
    const env = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: [{ id: 'acme', state: TenantState.SUSPENDED }] });
    const dev = new TenantChart(Testing.app(), 'acme', { environment: env, tenant: env.tenants[0] }).toJson().filter((d: any) => d.kind === 'ResourceQuota');
    expect(dev.map((q: any) => [q.metadata.name, q.spec.hard.pods, q.spec.hard['count/jobs.batch']])).toEqual([['tenant-quota', '0', '0']]);
  });

  test('the environment-wide PriorityClass the backup pods name', () => {
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
    const chart = Testing.chart();
    new BackupPriorityClass(chart, 'P', { environment: env });
    const [pc] = Testing.synth(chart);
    expect(pc).toMatchObject({ kind: 'PriorityClass', metadata: { name: 'inopsio-prod-backup' }, globalDefault: false, preemptionPolicy: 'Never' });
    expect(pc.metadata.namespace).toBeUndefined();
    expectValidManifests([pc]);
  });
});

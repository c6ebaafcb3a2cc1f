/**
 * The library's own objects as cdk8s-plus-28 constructs (issue 19 item 2), and the evidence behind the kinds that
 * stay typed L1 objects (docs/architecture.md, "Typed Kubernetes objects"): where cdk8s-plus writes a different
 * manifest than the library does, using it would change the output.
 */
import { ApiObject, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SchemaMigrationHook } from '../../src/k8s/argocd-migration-hook';
import { KubeServiceAccount } from '../../src/k8s/imports/k8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { ADMIN_RULES, TenantNamespace } from '../../src/k8s/tenant-namespace';
import { VolumeSnapshotSchedule } from '../../src/k8s/volume-snapshot-schedule';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { AccessLevel, EnvironmentClass, LifecycleKind } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Period } from '../../src/model/period';
import { QuotaProfile } from '../../src/model/quota-profile';
import { Tenant } from '../../src/model/tenant';
import { expectValidManifests } from '../support/strict-validator';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: [{ id: 'acme', modules: [{ name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' }] }] });
const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z' });
const image = ContainerImage.fromDigest(`registry.inopsio.example/platform/tool@sha256:${'0123456789abcdef'.repeat(4)}`);
const ofKind = (docs: any[], kind: string) => docs.filter(d => d.kind === kind);

describe('the library objects exposed as cdk8s-plus constructs', () => {
  test('TenantNamespace.humanRoleBinding: more subjects for the same narrow Role', () => {
    const chart = Testing.chart();
    const ns = new TenantNamespace(chart, 'Tenant', { environment: dev, tenant: new Tenant({ id: 'acme', groups: ['team-acme'] }) });
    expect(ns.humanRoleBinding).toBeInstanceOf(kplus.RoleBinding);
    expect(ns.rbac).toContain(ApiObject.of(ns.humanRoleBinding!));
    ns.humanRoleBinding!.addSubjects(kplus.User.fromName(chart, 'Dana', 'dana@inopsio.example'));
    const docs = Testing.synth(chart);
    const [binding] = ofKind(docs, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-acme' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana@inopsio.example' },
    ]);
    // The Role comes first: the binding depends on it.
    expect(docs.findIndex(d => d.kind === 'Role')).toBeLessThan(docs.indexOf(binding));
    expectValidManifests(docs);
  });

  test('no human access: no RoleBinding to extend', () => {
    const none = new Environment({ name: 'ci', environmentClass: new EnvironmentClass({ name: 'locked', purpose: 'CI', infrastructure: 'K8s sandbox', lifecycle: LifecycleKind.REUSABLE, owner: 'CI', defaultTtl: Period.hours(24), humanAccess: AccessLevel.NONE, quota: QuotaProfile.SMALL }), createdAt: '2026-11-28T09:00:00Z' });
    const ns = new TenantNamespace(Testing.chart(), 'Tenant', { environment: none, tenant: new Tenant({ id: 'acme' }) });
    expect(ns.humanRoleBinding).toBeUndefined();
    expect(ns.rbac).toEqual([]);
  });

  test('SchemaMigrationHook.serviceAccount: a cdk8s-plus ServiceAccount a Role can bind', () => {
    const chart = Testing.chart();
    const hook = new SchemaMigrationHook(chart, 'Migrate', { environment: prod, tenant: prod.tenants[0], module: 'billing', image, command: ['/app/migrate', 'up'] });
    expect(hook.serviceAccount).toBeInstanceOf(kplus.ServiceAccount);
    expect(hook.serviceAccount.name).toBe('billing-migrate');
    const role = new kplus.Role(chart, 'ReadConfig', { metadata: { name: 'read-config', namespace: 'prod-acme' } });
    role.allowRead(kplus.ApiResource.CONFIG_MAPS);
    role.bind(hook.serviceAccount);
    const docs = Testing.synth(chart);
    const binding = ofKind(docs, 'RoleBinding')[0];
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'billing-migrate', namespace: 'prod-acme' }]);
    // The ServiceAccount hook (wave -1) still comes before the Job.
    expect(docs.findIndex(d => d.kind === 'ServiceAccount')).toBeLessThan(docs.findIndex(d => d.kind === 'Job'));
  });

  test('VolumeSnapshotSchedule.serviceAccount: cdk8s-plus writes the same ServiceAccount as the typed L1 object', () => {
    const tenant = new Tenant({ id: 'acme', volumes: [{ name: 'uploads', size: '20Gi' }] });
    const chart = new TenantChart(Testing.app(), 'acme', { environment: prod, tenant });
    const apiServerEgress = EgressTarget.cidr('10.0.0.1/32', 443);
    const schedule = new VolumeSnapshotSchedule(chart, 'Snapshots', { environment: prod, tenant, image, apiServerEgress });
    expect(schedule.serviceAccount).toBeInstanceOf(kplus.ServiceAccount);
    const sa = ofKind(Testing.synth(chart), 'ServiceAccount')[0];
    const l1 = KubeServiceAccount.manifest({ metadata: sa.metadata, automountServiceAccountToken: false });
    // The same bytes, key order included.
    const { apiVersion, kind, metadata, automountServiceAccountToken } = l1;
    const expected = { apiVersion, kind, metadata, automountServiceAccountToken };
    expect(JSON.stringify(sa)).toBe(JSON.stringify(expected));
  });
});

describe('why the other kinds stay typed L1 objects: cdk8s-plus writes a different manifest', () => {
  const synth = (build: (chart: any) => void) => {
    const chart = Testing.chart();
    build(chart);
    return Testing.synth(chart)[0];
  };

  test('Role: one rule per resource (the tenant-admin Role would grow from 10 rules to 21)', () => {
    const role = synth(chart => {
      const r = new kplus.Role(chart, 'R');
      for (const rule of ADMIN_RULES) {
        r.allow(rule.verbs, ...(rule.resources ?? []).map(resourceType => kplus.ApiResource.custom({ apiGroup: rule.apiGroups![0], resourceType })));
      }
    });
    expect(ADMIN_RULES).toHaveLength(10);
    expect(role.rules).toHaveLength(21);
  });

  test('NetworkPolicy: its own policyTypes order', () => {
    const policy = synth(chart => new kplus.NetworkPolicy(chart, 'P', {
      selector: kplus.Pods.all(chart, 'All'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    }));
    expect(policy.spec.policyTypes).not.toEqual(['Ingress', 'Egress']);
  });

  test('ConfigMap, PersistentVolumeClaim, Namespace: fields the library does not write', () => {
    expect(synth(chart => new kplus.ConfigMap(chart, 'C', { data: { a: 'b' } }))).toHaveProperty('immutable', false);
    expect(synth(chart => new kplus.PersistentVolumeClaim(chart, 'V', { storage: Size.gibibytes(1) })).spec).toHaveProperty('volumeMode', 'Filesystem');
    expect(synth(chart => new kplus.Namespace(chart, 'N'))).toHaveProperty('spec', {});
  });

  test('CronJob / Job: a pod template with cdk8s-plus defaults (selector label, resources, DNS policy)', () => {
    const cron = synth(chart => new kplus.CronJob(chart, 'J', { schedule: Cron.daily(), containers: [{ image: 'x' }] }));
    const pod = cron.spec.jobTemplate.spec.template;
    expect(Object.keys(pod.metadata.labels)).toContain('cdk8s.io/metadata.addr');
    expect(pod.spec).toHaveProperty('dnsPolicy', 'ClusterFirst');
    expect(pod.spec.containers[0].resources).toBeDefined();
  });
});

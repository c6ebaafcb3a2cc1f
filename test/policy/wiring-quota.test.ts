/**
 * W10 on synthesized constructs: the final snapshots a decommission takes of a suspended tenant (issue 24 item 4).
 * The snapshot CronJob's pods ran without the backup PriorityClass, so the suspended tenant's stopped quota
 * (pods: 0 outside that class) refused them and the decommission's "Final snapshots" step waited out its timeout.
 */
import { Testing } from 'cdk8s';
import { workflowFixtures } from './fixtures';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { VolumeSnapshotSchedule } from '../../src/k8s/volume-snapshot-schedule';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Tenant, TenantState } from '../../src/model/tenant';
import { PolicyInput, PolicyPack, PolicyRuleStatus } from '../../src/policy';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
const IMAGE = ContainerImage.fromDigest(`registry.example.com/platform/kubectl@sha256:${'ab'.repeat(32)}`);

function report(state: TenantState, edit: (docs: any[]) => void = () => undefined) {
  const tenant = new Tenant({ id: 'acme', state, volumes: [{ name: 'uploads', size: '20Gi' }] });
  const chart = new TenantChart(Testing.app(), 'acme', { environment: prod, tenant });
  new VolumeSnapshotSchedule(chart, 'Snapshots', { environment: prod, tenant, image: IMAGE, apiServerEgress: EgressTarget.cidr('10.0.0.1/32', 443) });
  const docs = Testing.synth(chart);
  edit(docs);
  const input = new PolicyInput();
  input.addKubernetesJson('prod', 'k8s/prod/acme.k8s.yaml', JSON.stringify(docs));
  input.addWorkflow('dist/workflows/decommission.yml', workflowFixtures()['decommission.yml']);
  const r = PolicyPack.default().evaluate(input);
  return { rule: r.rules.find(x => x.id === 'W10')!, messages: r.findings.filter(f => f.ruleId === 'W10').map(f => f.message) };
}

describe('W10: the final snapshots of a suspended tenant', () => {
  test.each([TenantState.ACTIVE, TenantState.SUSPENDED, TenantState.ARCHIVED])('a %s tenant\'s quotas admit the snapshot Job the decommission creates', state => {
    const { rule, messages } = report(state);
    expect(messages).toEqual([]);
    expect(rule).toMatchObject({ status: PolicyRuleStatus.PASSED });
    expect(rule.checked).toBeGreaterThan(0);
  });

  test('without the backup PriorityClass the stopped quota refuses it', () => {
    const { messages } = report(TenantState.SUSPENDED, docs => {
      for (const d of docs) if (d.kind === 'CronJob') delete d.spec.jobTemplate.spec.template.spec.priorityClassName;
    });
    expect(messages).toEqual([expect.stringMatching(/^dist\/workflows\/decommission\.yml#jobs\.backup: jobs\.backup\.steps\[\d+\] \(Final snapshots of every tenant volume \(V13 step 1\)\) creates a Job from CronJob prod\/prod-acme\/backup-acme-snapshots \(no priority class\), which ResourceQuota tenant-quota-stopped of the suspended tenant namespace \(k8s\/prod\/acme\.k8s\.yaml\) does not admit: pods is 0/)]);
  });
});

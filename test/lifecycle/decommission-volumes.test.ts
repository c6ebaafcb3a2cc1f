/**
 * Decommissioning covers tenant volumes (issue 23): the inventory lists a tenant's claims and, in classes that back up,
 * its snapshot CronJob; the final-backup step runs that CronJob once more after the database backup, and the plan
 * destroys (namespace, with its claims) only after the backup is verified.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { decommissionTargets, DecommissionStepId as Step, DecommissionTargetKind, planDecommission } from '../../src/lifecycle/decommission';
import { buildInventory } from '../../src/lifecycle/inventory';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantState } from '../../src/model/tenant';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'lifecycle-inventory.schema.json'), 'utf8'));
const tenants = [
  { id: 'acme', state: TenantState.ARCHIVED, volumes: [{ name: 'uploads', size: '10Gi' }, { name: 'cache', size: '1Gi' }] },
  { id: 'files', database: false, state: TenantState.ARCHIVED, volumes: [{ name: 'data', size: '5Gi' }] },
  { id: 'globex' },
];
const envs = () => [
  new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
  new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants }),
];

describe('decommissioning tenant volumes (issue 23)', () => {
  const inventory = buildInventory(envs());

  test('the inventory lists claims, and the snapshot CronJob where the class backs up; it validates against the schema', () => {
    const prod = inventory.environments.find(e => e.name === 'prod')!;
    const dev = inventory.environments.find(e => e.name === 'dev')!;
    expect(prod.tenants.find(t => t.id === 'acme')!.volumes).toEqual({ claims: ['uploads', 'cache'], snapshotCronJob: 'backup-acme-snapshots' });
    expect(dev.tenants.find(t => t.id === 'acme')!.volumes).toEqual({ claims: ['uploads', 'cache'] });
    expect(prod.tenants.find(t => t.id === 'globex')!.volumes).toBeUndefined();
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(schema, JSON.parse(JSON.stringify(inventory)))).toBe(true);
    const bad = JSON.parse(JSON.stringify(inventory));
    bad.environments[0].tenants[0].volumes.claims = ['Uploads'];
    expect(ajv.validate(schema, bad)).toBe(false);
  });

  test('the final backup runs the snapshot CronJob after the dump, before the drill; then revoke, disable and destroy', () => {
    const plan = planDecommission(inventory, 'prod', 'acme');
    const steps = plan.steps.map(s => s.id);
    expect(steps.slice(0, 5)).toEqual([Step.FINAL_BACKUP, Step.VERIFY_BACKUP, Step.REVOKE_LEASES, Step.DISABLE_ROLES, Step.DESTROY]);
    const backup = plan.steps[0];
    expect(backup.title).toContain('final snapshots of every tenant volume');
    expect(backup.commands).toEqual([
      'kubectl --context prod --namespace prod-acme create job decommission-final-backup --from=cronjob/backup-acme',
      'kubectl --context prod --namespace prod-acme wait --for=condition=complete job/decommission-final-backup --timeout=2h',
      'kubectl --context prod --namespace prod-acme create job decommission-final-snapshots --from=cronjob/backup-acme-snapshots',
      'kubectl --context prod --namespace prod-acme wait --for=condition=complete job/decommission-final-snapshots --timeout=2h',
    ]);
    // The namespace, and with it the claims, goes in the destroy step only.
    expect(plan.steps.find(s => s.id === Step.DESTROY)!.commands.join('\n')).toContain('delete namespace prod-acme');
    expect(decommissionTargets(plan, DecommissionTargetKind.SNAPSHOT_JOBS)).toBe('prod\tprod-acme\tbackup-acme-snapshots\n');
  });

  test('a tenant with volumes but no database still gets its final snapshots; development takes none', () => {
    const files = planDecommission(inventory, 'prod', 'files');
    expect(files.steps[0].skipped).toBeUndefined();
    expect(files.steps[0].commands).toEqual([
      'kubectl --context prod --namespace prod-files create job decommission-final-snapshots --from=cronjob/backup-files-snapshots',
      'kubectl --context prod --namespace prod-files wait --for=condition=complete job/decommission-final-snapshots --timeout=2h',
    ]);
    const dev = planDecommission(inventory, 'dev', 'acme');
    expect(decommissionTargets(dev, DecommissionTargetKind.SNAPSHOT_JOBS)).toBe('');
  });
});

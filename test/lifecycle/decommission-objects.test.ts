/**
 * Decommissioning covers tenant object storage (issue 23): the inventory lists each tenant's object prefix and user
 * when the platform has an object store; the plan empties the prefixes last, after the final backup is verified and
 * after the destroy; suspension keeps them; tenants with objects and no database are backed up like the rest, and
 * objects without a final backup block the plan.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { decommissionTargets, DecommissionStepId as Step, DecommissionTargetKind, planDecommission, renderDecommissionScript } from '../../src/lifecycle/decommission';
import { buildInventory } from '../../src/lifecycle/inventory';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps, TenantState } from '../../src/model/tenant';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'lifecycle-inventory.schema.json'), 'utf8'));
const BUCKET = 'inopsio-tenant-data';
const tenants: TenantProps[] = [
  { id: 'acme', state: TenantState.ARCHIVED },
  { id: 'paused', state: TenantState.SUSPENDED },
  { id: 'nostore', state: TenantState.ARCHIVED, objectStorage: false },
];
const envs = (list: TenantProps[] = tenants) => [
  new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: list }),
  new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', tenants: list }),
];

describe('decommissioning tenant object storage (issue 23)', () => {
  const inventory = buildInventory(envs(), { objectStorageBucket: BUCKET });

  test('the inventory lists the prefix and user of each tenant with object storage; it validates against the schema', () => {
    const prod = inventory.environments.find(e => e.name === 'prod')!;
    expect(prod.tenants.find(t => t.id === 'acme')!.objectStore).toEqual({ bucket: BUCKET, prefix: 'prod/acme/', user: 'prod-acme' });
    expect(prod.tenants.find(t => t.id === 'nostore')!.objectStore).toBeUndefined();
    expect(buildInventory(envs()).environments[0].tenants[0].objectStore).toBeUndefined();
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(schema, JSON.parse(JSON.stringify(inventory)))).toBe(true);
    const bad = JSON.parse(JSON.stringify(inventory));
    bad.environments[0].tenants[0].objectStore.prefix = 'acme';
    expect(ajv.validate(schema, bad)).toBe(false);
  });

  test('a tenant\'s objects are removed last: after the verified backup and the destroy, its user disabled first', () => {
    const plan = planDecommission(inventory, 'prod', 'acme');
    expect(plan.blockers).toEqual([]);
    const ids = plan.steps.map(s => s.id);
    expect(ids).toEqual([
      Step.FINAL_BACKUP, Step.VERIFY_BACKUP, Step.REVOKE_LEASES, Step.DISABLE_ROLES, Step.DESTROY, Step.REMOVE_OBJECTS, Step.FORGET,
    ]);
    expect(ids.indexOf(Step.REMOVE_OBJECTS)).toBeGreaterThan(ids.indexOf(Step.VERIFY_BACKUP));
    expect(plan.steps.find(s => s.id === Step.VERIFY_BACKUP)!.skipped).toBeUndefined();
    expect(plan.steps.find(s => s.id === Step.REMOVE_OBJECTS)!.commands).toEqual([
      'mc admin user disable objects prod-acme',
      'mc rm --recursive --force --versions objects/inopsio-tenant-data/prod/acme/',
    ]);
    expect(decommissionTargets(plan, DecommissionTargetKind.OBJECT_PREFIXES)).toBe('inopsio-tenant-data\tprod/acme/\tprod-acme\n');
    // The script removes the objects after the drill Job completed.
    const script = renderDecommissionScript(plan);
    expect(script.indexOf('mc rm')).toBeGreaterThan(script.indexOf('decommission-restore-drill'));
  });

  test('a whole environment: terraform destroy deletes the users, then every tenant prefix is emptied', () => {
    const plan = planDecommission(buildInventory(envs([tenants[0], tenants[2]]), { objectStorageBucket: BUCKET }), 'prod');
    expect(plan.blockers).toEqual([]);
    expect(plan.steps.map(s => s.id).slice(-2)).toEqual([Step.DESTROY, Step.REMOVE_OBJECTS]);
    expect(plan.steps.find(s => s.id === Step.REMOVE_OBJECTS)!.commands).toEqual(['mc rm --recursive --force --versions objects/inopsio-tenant-data/prod/acme/']);
  });

  test('suspension keeps the objects and the user: a suspended tenant\'s plan is refused', () => {
    const plan = planDecommission(inventory, 'prod', 'paused');
    expect(plan.blockers).toEqual([expect.stringMatching(/^tenant "paused" is suspended: suspend and archive it first/)]);
    expect(() => decommissionTargets(plan, DecommissionTargetKind.OBJECT_PREFIXES)).toThrow(/decommissionTargets: prod\/paused: tenant "paused" is suspended/);
  });

  test('a tenant with objects and no database is backed up: its final backup and drill cover the objects, removed only after them', () => {
    const inv = buildInventory(envs([{ id: 'files', database: false, state: TenantState.ARCHIVED }]), { objectStorageBucket: BUCKET });
    const files = inv.environments.find(e => e.name === 'prod')!.tenants[0];
    expect(files.backup).toEqual({ cronJob: 'backup-files', restoreDrillCronJob: 'backup-files-restore-drill' });
    // Its backup's Vault side is a Kubernetes auth role only: no database roles to revoke.
    expect(files.vault.backupKubernetesAuthRole).toBe('prod-files-backup');
    expect(files.vault.backupDatabaseRoles).toBeUndefined();
    const plan = planDecommission(inv, 'prod', 'files');
    expect(plan.blockers).toEqual([]);
    const step = (id: Step) => plan.steps.find(s => s.id === id)!;
    expect(step(Step.FINAL_BACKUP).skipped).toBeUndefined();
    expect(step(Step.FINAL_BACKUP).commands.join('\n')).toContain('--from=cronjob/backup-files');
    expect(step(Step.VERIFY_BACKUP).skipped).toBeUndefined();
    expect(step(Step.VERIFY_BACKUP).commands.join('\n')).toContain('--from=cronjob/backup-files-restore-drill');
    expect(step(Step.DISABLE_ROLES).commands.join('\n')).not.toMatch(/database-prod\/roles/);
    expect(step(Step.DISABLE_ROLES).commands.join('\n')).toContain('role/prod-files-backup');
    const ids = plan.steps.map(s => s.id);
    expect(ids.indexOf(Step.REMOVE_OBJECTS)).toBeGreaterThan(ids.indexOf(Step.VERIFY_BACKUP));
    expect(step(Step.REMOVE_OBJECTS).commands).toEqual([
      'mc admin user disable objects prod-files',
      'mc rm --recursive --force --versions objects/inopsio-tenant-data/prod/files/',
    ]);
    const script = renderDecommissionScript(plan);
    expect(script.indexOf('mc rm')).toBeGreaterThan(script.indexOf('decommission-restore-drill'));
    // Development keeps no backups: its objects go with it.
    const dev = planDecommission(inv, 'dev', 'files');
    expect(dev.blockers).toEqual([]);
    expect(dev.steps.find(s => s.id === Step.REMOVE_OBJECTS)!.commands).toHaveLength(2);
  });

  test('objects that no final backup holds (an inventory without the tenant\'s backup CronJob) still block the plan', () => {
    const inv = JSON.parse(JSON.stringify(buildInventory(envs([{ id: 'files', database: false, state: TenantState.ARCHIVED }]), { objectStorageBucket: BUCKET })));
    delete inv.environments.find((e: any) => e.name === 'prod').tenants[0].backup;
    expect(planDecommission(inv, 'prod', 'files').blockers).toEqual([
      'the objects of files (inopsio-tenant-data/prod/files/) have no final backup (no backup CronJob): copy them offsite by hand (mc mirror) and verify the copy, then remove objectStorage from the tenant and apply before decommissioning',
    ]);
  });
});

import { ContainerImage } from '../../src/model/image';
import { replicaKeysOf, replicaOverrides } from '../../src/model/module-operations';
import { Tenant, TenantModuleProps, TenantState } from '../../src/model/tenant';
import { problemsOf } from '../support/problems';

const billing: TenantModuleProps = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '1.4.2' };

describe('module operations: replica keys and migrations of a tenant module', () => {
  test('replica keys default to replicaCount; overrides are 0 only while the tenant runs nothing', () => {
    expect(replicaKeysOf(billing)).toEqual(['replicaCount']);
    expect(replicaOverrides(billing, TenantState.ACTIVE)).toEqual({});
    expect(replicaOverrides(billing, TenantState.SUSPENDED)).toEqual({ replicaCount: '0' });
    expect(replicaOverrides({ ...billing, replicaKeys: ['api.replicaCount', 'worker.replicas'] }, TenantState.ARCHIVED))
      .toEqual({ 'api.replicaCount': '0', 'worker.replicas': '0' });
  });

  test('bad replica keys, declared sizes and migrations are refused, every problem listed', () => {
    const problems = problemsOf(() => new Tenant({
      id: 'acme',
      modules: [
        { ...billing, replicaKeys: ['ok.key', 'bad key', 'ok.key'], values: { 'ok.key': 'two' } },
        { ...billing, name: 'reports', replicaKeys: [] },
        { ...billing, name: 'jobs', values: { replicaCount: '-1' }, migration: { image: 'migrate:latest' as unknown as ContainerImage, command: [] } },
      ],
    }));
    expect(problems).toEqual([
      'Tenant-acme: modules[0].replicaKeys[1] is not a dotted Helm value path (got "bad key"); write e.g. "replicaCount" or "worker.replicaCount"',
      'Tenant-acme: modules[0].replicaKeys[2] is a duplicate (got "ok.key"); list each replica key once',
      'Tenant-acme: modules[0].values["ok.key"] is a replica count but not a whole number from 0 to 9999 (got "two"); write the declared size, e.g. "2" (suspension sets "ok.key" to 0 and resuming restores it)',
      'Tenant-acme: modules[1].replicaKeys is empty (got []); name the chart\'s replica-count values, e.g. ["replicaCount"] (suspension sets them to 0)',
      'Tenant-acme: modules[2].values["replicaCount"] is a replica count but not a whole number from 0 to 9999 (got "-1"); write the declared size, e.g. "2" (suspension sets "replicaCount" to 0 and resuming restores it)',
      'Tenant-acme: modules[2].migration.image is not a ContainerImage (got "migrate:latest"); use ContainerImage.fromDigest("registry.example.com/team/migrate@sha256:<digest>") (B10: pinned by digest)',
      'Tenant-acme: modules[2].migration.command is empty (got []); pass the migration command, e.g. ["/app/migrate", "up"]',
    ]);
  });
});

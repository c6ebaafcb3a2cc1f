import { App, Testing } from 'cdk8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { QuotaProfile } from '../../src/model/quota-profile';
import { Tenant, TenantProps } from '../../src/model/tenant';
import { validateAll } from '../support/strict-validator';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
const chartOf = (props: TenantProps, env: Environment = prod) =>
  new TenantChart(Testing.app() as App, props.id, { environment: env, tenant: new Tenant(props) });
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('tenant volumes (issue 23)', () => {
  test('one PersistentVolumeClaim per declared volume, in the tenant namespace, strictly valid', () => {
    const chart = chartOf({ id: 'acme', volumes: [{ name: 'uploads', size: '20Gi', storageClass: 'fast-ssd' }, { name: 'cache', size: '5Gi' }] });
    const claims = Testing.synth(chart).filter(d => d.kind === 'PersistentVolumeClaim');
    expect(claims.map(c => [c.metadata.namespace, c.metadata.name, c.spec.resources.requests.storage, c.spec.storageClassName])).toEqual([
      ['prod-acme', 'uploads', '20Gi', 'fast-ssd'],
      ['prod-acme', 'cache', '5Gi', undefined],
    ]);
    expect(claims[0].spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claims[0].metadata.labels).toMatchObject({ env: 'prod', tenant: 'acme' });
    expect(validateAll(claims)).toEqual([]);
    expect(chart.volumes!.claims).toHaveLength(2);
    // No volumes, no claims.
    expect(Testing.synth(chartOf({ id: 'globex' })).filter(d => d.kind === 'PersistentVolumeClaim')).toEqual([]);
  });

  test('volumes that do not fit the quota are refused when the chart is built, every problem listed', () => {
    const small = QuotaProfile.SMALL;
    const env = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z' });
    const many = Array.from({ length: small.props.persistentVolumeClaims + 1 }, (_, i) => ({ name: `v${i}`, size: small.props.requestsStorage }));
    const message = errorOf(() => chartOf({ id: 'acme', quota: small, volumes: many }, env));
    expect(message).toContain(`acme/Volumes: volumes request ${many.map(v => v.size).join(' + ')} in total, above the quota's requestsStorage ${small.props.requestsStorage} (quota profile "${small.props.name}")`);
    expect(message).toContain(`acme/Volumes: volumes are ${many.length} claims, above the quota's persistentVolumeClaims ${small.props.persistentVolumeClaims}`);
    // Exactly the quota fits.
    expect(() => chartOf({ id: 'acme', quota: small, volumes: [{ name: 'all', size: small.props.requestsStorage }] }, env)).not.toThrow();
  });

  test('bad volume declarations are refused by the Tenant, every problem listed', () => {
    const message = errorOf(() => new Tenant({ id: 'acme', volumes: [{ name: 'Uploads', size: '10GB' }, { name: 'a', size: '0' }, { name: 'a', size: '1Gi', storageClass: 'Fast SSD' }] }));
    expect(message).toContain('Tenant-acme: volumes[0].name');
    expect(message).toContain('Tenant-acme: volumes[0].size is not a Kubernetes quantity (got "10GB")');
    expect(message).toContain('Tenant-acme: volumes[1].size must be greater than zero (got "0")');
    expect(message).toContain('Tenant-acme: volumes[2].name is a duplicate (got "a")');
    expect(message).toContain('Tenant-acme: volumes[2].storageClass is not a StorageClass name (got "Fast SSD")');
  });

  test('snapshots for a final backup: one VolumeSnapshot per claim, strictly valid against the snapshot.storage.k8s.io CRD', () => {
    const chart = chartOf({ id: 'acme', volumes: [{ name: 'uploads', size: '20Gi' }, { name: 'cache', size: '5Gi' }] });
    const finalChart = new TenantChart(Testing.app() as App, 'final', { environment: prod, tenant: new Tenant({ id: 'acme' }) });
    const snaps = chart.volumes!.snapshots(finalChart, 'FinalSnapshots', { suffix: 'final-backup', snapshotClass: 'csi-retain' });
    expect(snaps).toHaveLength(2);
    const docs = Testing.synth(finalChart).filter(d => d.kind === 'VolumeSnapshot');
    expect(docs.map(d => [d.metadata.namespace, d.metadata.name, d.spec.source.persistentVolumeClaimName, d.spec.volumeSnapshotClassName])).toEqual([
      ['prod-acme', 'uploads-final-backup', 'uploads', 'csi-retain'],
      ['prod-acme', 'cache-final-backup', 'cache', 'csi-retain'],
    ]);
    expect(validateAll(docs)).toEqual([]);
    // The validator knows the CRD: a misspelt field is refused.
    expect(validateAll([{ ...docs[0], spec: { ...docs[0].spec, snapshotClassName: 'x' } }]).join('\n')).toMatch(/snapshotClassName/);
    expect(errorOf(() => chart.volumes!.snapshots(finalChart, 'Bad', { suffix: 'Final Backup', snapshotClass: 'Retain!' })))
      .toContain('acme/Volumes.snapshots: suffix is not a DNS label that keeps every snapshot name within 253 characters (got "Final Backup")');
  });
});

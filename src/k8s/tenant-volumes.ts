import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubePersistentVolumeClaim } from './imports/k8s';
import { kubeObject, quantities } from './typed-object';
import { Environment } from '../model/environment';
import { tenantLabels } from '../model/labels';
import { Problems } from '../model/problems';
import { Quantity, QuantityKind } from '../model/quantity';
import { Tenant } from '../model/tenant';
import { keepAnnotations } from '../model/tenant-protection';

/** Options of `TenantVolumes.snapshots`. */
export interface TenantVolumeSnapshotOptions {
  /** Suffix of each snapshot's name, `<claim>-<suffix>`, e.g. `final-backup` (a DNS label). */
  readonly suffix: string;
  /**
   * VolumeSnapshotClass (CSI driver and deletion policy; choose one with `deletionPolicy: Retain` for final backups,
   * so that the snapshot outlives the namespace).
   * @default - the cluster's default class for the volume's CSI driver
   */
  readonly snapshotClass?: string;
}

/** Props of TenantVolumes. */
export interface TenantVolumesProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant, with its `volumes`. */
  readonly tenant: Tenant;
}

/**
 * A tenant's persistent volumes (issue 23): one PersistentVolumeClaim per `TenantProps.volumes` entry in the tenant
 * namespace (ReadWriteOnce, the requested size and StorageClass). Refused at synth time, every problem listed, when the
 * claims together do not fit the tenant's quota (`requestsStorage`, `persistentVolumeClaims` of its QuotaProfile):
 * otherwise the ResourceQuota would reject them only when Helm applies the chart.
 */
export class TenantVolumes extends Construct {
  /** The claims, in the order declared. */
  public readonly claims: ApiObject[];
  private readonly env: Environment;
  private readonly tenant: Tenant;

  constructor(scope: Construct, id: string, props: TenantVolumesProps) {
    super(scope, id);
    const { environment: env, tenant } = props;
    const problems = new Problems(this.node.path);
    const profile = (tenant.quota ?? env.environmentClass.quota).props;
    const total = tenant.volumes.reduce((sum, v) => sum + Quantity.parse(v.size, QuantityKind.BYTES).toNumber(), 0);
    const limit = Quantity.parse(profile.requestsStorage, QuantityKind.BYTES);
    if (total > limit.toNumber()) {
      problems.add('volumes', `request ${tenant.volumes.map(v => v.size).join(' + ')} in total, above the quota's requestsStorage ${profile.requestsStorage} (quota profile "${profile.name}")`,
        tenant.volumes.map(v => `${v.name}=${v.size}`), 'shrink the volumes, or give the tenant a larger QuotaProfile');
    }
    if (tenant.volumes.length > profile.persistentVolumeClaims) {
      problems.add('volumes', `are ${tenant.volumes.length} claims, above the quota's persistentVolumeClaims ${profile.persistentVolumeClaims} (quota profile "${profile.name}")`,
        tenant.volumes.map(v => v.name), 'declare fewer volumes, or give the tenant a larger QuotaProfile');
    }
    problems.throwIfAny();
    this.env = env;
    this.tenant = tenant;
    const namespace = env.namespaceFor(tenant.id);
    const keep = keepAnnotations(env.environmentClass.lifecycle);
    this.claims = tenant.volumes.map(v => kubeObject(this, `Claim-${v.name}`, KubePersistentVolumeClaim, {
      metadata: {
        name: v.name,
        namespace,
        labels: { ...tenantLabels(env, tenant, 'volume'), 'app.kubernetes.io/component': v.name },
        // Permanent classes: kept by Helm like the namespace (issue 21 item 3); absent elsewhere.
        ...(Object.keys(keep).length > 0 ? { annotations: keep } : {}),
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: quantities({ storage: v.size }) },
        ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      },
    }));
  }

  /**
   * One `VolumeSnapshot` (snapshot.storage.k8s.io/v1) per claim, named `<claim>-<suffix>`, in `scope` (e.g. the chart
   * of a final backup before decommissioning or suspension, next to `BackupSchedule.onDemandJob`). Each is
   * taken once, when applied; wait for `status.readyToUse` before removing anything (V13).
   */
  public snapshots(scope: Construct, id: string, options: TenantVolumeSnapshotOptions): ApiObject[] {
    const problems = new Problems(`${this.node.path}.snapshots`);
    const longest = Math.max(0, ...this.tenant.volumes.map(v => v.name.length));
    if (typeof options?.suffix !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.suffix) || longest + 1 + options.suffix.length > 253) {
      problems.add('suffix', 'is not a DNS label that keeps every snapshot name within 253 characters', options?.suffix, 'use e.g. "final-backup"');
    }
    if (options?.snapshotClass !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(options.snapshotClass)) {
      problems.add('snapshotClass', 'is not a VolumeSnapshotClass name', options.snapshotClass, 'use the name of a VolumeSnapshotClass of the cluster, e.g. "csi-retain"');
    }
    problems.throwIfAny();
    const group = new Construct(scope, id);
    const namespace = this.env.namespaceFor(this.tenant.id);
    return this.tenant.volumes.map(v => new ApiObject(group, `Snapshot-${v.name}`, {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name: `${v.name}-${options.suffix}`,
        namespace,
        labels: { ...tenantLabels(this.env, this.tenant, 'volume-snapshot'), 'app.kubernetes.io/component': v.name },
      },
      spec: {
        source: { persistentVolumeClaimName: v.name },
        ...(options.snapshotClass ? { volumeSnapshotClassName: options.snapshotClass } : {}),
      },
    }));
  }
}

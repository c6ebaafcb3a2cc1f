import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Environment } from '../model/environment';
import { tenantLabels } from '../model/labels';
import { Problems } from '../model/problems';
import { Quantity, QuantityKind } from '../model/quantity';
import { Tenant } from '../model/tenant';

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
    const namespace = env.namespaceFor(tenant.id);
    this.claims = tenant.volumes.map(v => new ApiObject(this, `Claim-${v.name}`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: v.name, namespace, labels: { ...tenantLabels(env, tenant, 'volume'), 'app.kubernetes.io/component': v.name } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: v.size } },
        ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      },
    }));
  }
}

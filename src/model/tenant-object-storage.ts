import { Environment } from './environment';
import { tenantVaultNames } from './names';
import { Tenant } from './tenant';

/**
 * Where a tenant's objects live and who may touch them (issue 23). One bucket holds every environment's tenants;
 * each tenant and environment has the prefix `<env>/<tenant>/`, and its own credentials, scoped by
 * `tenantObjectStoragePolicy` to exactly that prefix, stored in Vault KV at `kv-<env>/data/<env>/<tenant>/object-store`
 * (`access_key`, `secret_key`): workloads read them like any other secret (`{{ vault('kv/data/object-store',
 * 'access_key') }}`), and the tenant's backup mirrors the prefix with them.
 */
export interface TenantObjectStorage {
  /** The bucket. */
  readonly bucket: string;
  /** The tenant's prefix in it, `<env>/<tenant>/`. */
  readonly prefix: string;
  /** Absolute KV v2 path of the tenant's keys. */
  readonly kvPath: string;
  /** Tenant-relative reference of the keys, as module values write it. */
  readonly kvReference: string;
  /** Name of the object-store user and policy, `<env>-<tenant>`. */
  readonly userName: string;
}

/** The tenant's object storage in an environment. */
export function tenantObjectStorage(env: Environment, tenant: Tenant, bucket: string): TenantObjectStorage {
  return {
    bucket,
    prefix: `${env.name}/${tenant.id}/`,
    kvPath: `${tenantVaultNames(env, tenant).kvDataPrefix}/object-store`,
    kvReference: 'kv/data/object-store',
    userName: `${env.name}-${tenant.id}`,
  };
}

/**
 * The S3 (MinIO) policy of a tenant's credentials: list only under its prefix, read, write and delete only objects
 * under it; nothing on other prefixes, buckets or the admin API. Deterministic JSON.
 */
export function tenantObjectStoragePolicy(storage: TenantObjectStorage): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ListOwnPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:aws:s3:::${storage.bucket}`],
        Condition: { StringLike: { 's3:prefix': [storage.prefix, `${storage.prefix}*`] } },
      },
      {
        Sid: 'ObjectsUnderOwnPrefix',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::${storage.bucket}/${storage.prefix}*`],
      },
    ],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

import * as kvSecretV2 from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Fn, ITerraformDependable, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { DataMinioS3Bucket, MinioIamPolicy, MinioIamUser, MinioIamUserPolicyAttachment, MinioProvider } from './minio';
import { Environment } from '../model/environment';
import { tenantVaultNames } from '../model/names';
import { Tenant } from '../model/tenant';
import { TenantObjectStorage, tenantObjectStorage, tenantObjectStoragePolicy } from '../model/tenant-object-storage';

/** The object store the tenants' prefixes live in (`EnvironmentStackProps.objectStorage`). */
export interface ObjectStorageOptions {
  /**
   * The bucket every environment's tenants share (`<bucket>/<env>/<tenant>/`). A prerequisite, not created by the
   * environment stacks: several environments use it, so no one environment's stack may own (or destroy) it. Each stack
   * reads it (`data.minio_s3_bucket`), so a plan fails clearly while it is missing.
   */
  readonly bucket: string;
}

/** The `hashicorp/random` version whose ephemeral `random_password` generates the tenants' secret keys. */
export const RANDOM_PROVIDER_VERSION = '3.7.2';

/** Ids of the stack-level provider, variables and bucket (one per stack, whatever the number of tenants). */
const PROVIDER_ID = 'minio';
const BUCKET_ID = 'ObjectStorageBucket';

/** Per stack: the provider and the bucket data source, created with the first tenant's object store. */
interface StackObjectStore {
  readonly provider: MinioProvider;
  readonly bucket: DataMinioS3Bucket;
}

/**
 * The MinIO provider and the shared bucket of `stack`. The provider signs in as `var.object_store_admin_user` at
 * `var.object_store_endpoint` over TLS; its password comes from `MINIO_PASSWORD` at run time, never from
 * configuration. The random provider (ephemeral passwords) is pinned alongside.
 */
function stackObjectStoreOf(stack: TerraformStack, env: Environment, bucket: string): StackObjectStore {
  const existing = stack.node.tryFindChild(PROVIDER_ID) as MinioProvider | undefined;
  if (existing) return { provider: existing, bucket: stack.node.findChild(BUCKET_ID) as DataMinioS3Bucket };
  const endpoint = new TerraformVariable(stack, 'object_store_endpoint', {
    type: 'string',
    description: `Host and port of the MinIO API holding environment ${env.name}'s tenant objects (e.g. minio.minio.svc:9000), without scheme: TLS is always used.`,
  });
  endpoint.addValidation({
    condition: Fn.can(Fn.regex('^[A-Za-z0-9.-]+(:[0-9]+)?$', endpoint.stringValue)),
    errorMessage: 'object_store_endpoint is host[:port], without scheme or path.',
  });
  const admin = new TerraformVariable(stack, 'object_store_admin_user', {
    type: 'string',
    description: `MinIO user Terraform creates environment ${env.name}'s tenant users and policies with (admin:CreateUser, admin:CreatePolicy, admin:AttachUserOrGroupPolicy and their removal). Its password comes from MINIO_PASSWORD at run time.`,
  });
  const provider = new MinioProvider(stack, PROVIDER_ID, { minioServer: endpoint.stringValue, minioUser: admin.stringValue, minioSsl: true });
  stack.addOverride('terraform.required_providers.random', { source: 'hashicorp/random', version: RANDOM_PROVIDER_VERSION });
  return { provider, bucket: new DataMinioS3Bucket(stack, BUCKET_ID, { provider, bucket }) };
}

/** Inputs of a TenantObjectStore. */
export interface TenantObjectStoreProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant (with `objectStorage`). */
  readonly tenant: Tenant;
  /** The shared bucket. */
  readonly bucket: string;
  /**
   * Version of the write-only secret key, in MinIO and in Vault: raise it to rotate the key.
   * @default 1
   */
  readonly secretVersion?: number;
  /**
   * What the Vault KV secret waits for (the environment's KV mount, when this stack creates it).
   * @default - nothing
   */
  readonly kvMountDependencies?: ITerraformDependable[];
}

/**
 * One tenant's object storage in one environment, created by the provisioning step (issue 23): the MinIO user
 * `<env>-<tenant>`, the policy of the same name (`tenantObjectStoragePolicy`: its prefix `<env>/<tenant>/` only),
 * their attachment, and the user's keys in Vault KV at the tenant's `object-store` path (`access_key`,
 * `secret_key`), where its workloads and its backup read them like any other secret.
 *
 * The secret key never reaches state, plans or the output: an ephemeral `random_password` generates it during the
 * apply, and it is sent write-only to MinIO (`secret_wo`) and to Vault (`data_json_wo`) in the same run (V05).
 * Raising `secretVersion` sends a new one to both.
 */
export class TenantObjectStore extends Construct {
  /** Where the tenant's objects live. */
  public readonly storage: TenantObjectStorage;
  /** The MinIO user. */
  public readonly user: MinioIamUser;
  /** The MinIO policy. */
  public readonly policy: MinioIamPolicy;
  /** The attachment of the policy to the user. */
  public readonly attachment: MinioIamUserPolicyAttachment;
  /** The keys in Vault KV. */
  public readonly keys: kvSecretV2.KvSecretV2;

  constructor(scope: Construct, id: string, props: TenantObjectStoreProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    const { provider, bucket } = stackObjectStoreOf(stack, props.environment, props.bucket);
    const storage = tenantObjectStorage(props.environment, props.tenant, props.bucket);
    this.storage = storage;
    const version = props.secretVersion ?? 1;
    // cdktf has no ephemeral resources: the block is written as an override and referenced by its address.
    const password = `object_store_${props.environment.name}_${props.tenant.id}`.replace(/[^A-Za-z0-9_]/g, '_');
    stack.addOverride(`ephemeral.random_password.${password}`, { length: 40, special: false });
    const secret = `ephemeral.random_password.${password}.result`;

    this.user = new MinioIamUser(this, 'User', {
      provider,
      name: storage.userName,
      secretWo: `\${${secret}}`,
      secretWoVersion: version,
      forceDestroy: false,
    });
    this.policy = new MinioIamPolicy(this, 'Policy', { provider, name: storage.userName, policy: tenantObjectStoragePolicy(storage) });
    dependOn(this.policy, [bucket]);
    this.attachment = new MinioIamUserPolicyAttachment(this, 'Attachment', { provider, userName: this.user.name, policyName: this.policy.name });
    const n = tenantVaultNames(props.environment, props.tenant);
    this.keys = new kvSecretV2.KvSecretV2(this, 'Keys', {
      mount: n.kvMount,
      name: storage.kvPath.slice(`${n.kvMount}/data/`.length),
      // Write-only, from the same ephemeral value MinIO received in this run: never in state or plans.
      dataJsonWo: `\${jsonencode({ access_key = ${this.user.terraformResourceType}.${this.user.friendlyUniqueId}.name, secret_key = ${secret} })}`,
      dataJsonWoVersion: version,
    });
    dependOn(this.keys, [this.attachment, ...(props.kvMountDependencies ?? [])]);
  }

  /** Every resource, for `dependsOn` (the tenant's releases wait for its keys). */
  public get dependables(): ITerraformDependable[] {
    return [this.user, this.policy, this.attachment, this.keys];
  }
}

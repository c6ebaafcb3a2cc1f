import { TerraformDataSource, TerraformMetaArguments, TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/*
 * Minimal typed bindings of the `aminueza/minio` Terraform provider (issue 23).
 *
 * Hand-written on purpose: there is no prebuilt cdktf provider for MinIO on npm (no `@cdktf/provider-minio`; the
 * community packages are unpublished or years behind the provider), and generating one with `cdktf get` would need
 * the Terraform registry at build time, which neither CI nor consumers can rely on. These classes follow what cdktf's
 * generated bindings do (a `TerraformResource` subclass with a typed config, `terraformGeneratorMetadata` so the stack
 * pins the provider in `required_providers`, snake_case attributes in `synthesizeAttributes`), limited to the
 * arguments the library sets. The argument names are those of the provider's schema at MINIO_PROVIDER_VERSION
 * (`minio/provider.go`, `resource_minio_iam_*.go`, `data_source_minio_s3_bucket.go`); test/tf/minio-schema.test.ts
 * checks every block the stacks write against that schema (test/schemas/terraform/aminueza-minio-<version>.json).
 */

/** The provider version every stack pins (write-only `secret_wo` on `minio_iam_user` needs 3.30 or later). */
export const MINIO_PROVIDER_VERSION = '3.40.1';

const METADATA = { providerName: 'minio', providerVersion: MINIO_PROVIDER_VERSION, providerVersionConstraint: MINIO_PROVIDER_VERSION };

/** Configuration of the MinIO provider. The admin password is never configured here: the provider reads `MINIO_PASSWORD`. */
export interface MinioProviderConfig {
  /** `minio_server`: host and port of the MinIO API, without scheme (e.g. `minio.minio.svc:9000`). */
  readonly minioServer: string;
  /** `minio_user`: the admin (or provisioning) user Terraform signs in as. */
  readonly minioUser: string;
  /**
   * `minio_ssl`: use TLS.
   * @default true
   */
  readonly minioSsl?: boolean;
  /**
   * `minio_region`.
   * @default - the provider's default (us-east-1)
   */
  readonly minioRegion?: string;
}

/** The `aminueza/minio` provider. */
export class MinioProvider extends TerraformProvider {
  private readonly config: MinioProviderConfig;

  constructor(scope: Construct, id: string, config: MinioProviderConfig) {
    super(scope, id, { terraformResourceType: 'minio', terraformGeneratorMetadata: METADATA, terraformProviderSource: 'aminueza/minio' });
    this.config = config;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      minio_server: this.config.minioServer,
      minio_user: this.config.minioUser,
      minio_ssl: this.config.minioSsl ?? true,
      minio_region: this.config.minioRegion,
    };
  }
}

/** Configuration of a `minio_iam_user`. */
export interface MinioIamUserConfig extends TerraformMetaArguments {
  /** `name`: the user's access key. */
  readonly name: string;
  /**
   * `secret_wo`: the secret key, write-only (never in state or plans; Terraform 1.11 or later).
   */
  readonly secretWo: string;
  /** `secret_wo_version`: change it to send a new `secret_wo`. */
  readonly secretWoVersion: number;
  /**
   * `force_destroy`: delete the user even if it has access keys (service accounts) of its own.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/** `minio_iam_user`. */
export class MinioIamUser extends TerraformResource {
  private readonly config: MinioIamUserConfig;

  constructor(scope: Construct, id: string, config: MinioIamUserConfig) {
    super(scope, id, { ...config, terraformResourceType: 'minio_iam_user', terraformGeneratorMetadata: METADATA });
    this.config = config;
  }

  /** The user's name (its access key), as a reference. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      name: this.config.name,
      secret_wo: this.config.secretWo,
      secret_wo_version: this.config.secretWoVersion,
      force_destroy: this.config.forceDestroy ?? false,
    };
  }
}

/** Configuration of a `minio_iam_policy`. */
export interface MinioIamPolicyConfig extends TerraformMetaArguments {
  /** `name`. */
  readonly name: string;
  /** `policy`: the policy document (JSON). */
  readonly policy: string;
}

/** `minio_iam_policy`. */
export class MinioIamPolicy extends TerraformResource {
  private readonly config: MinioIamPolicyConfig;

  constructor(scope: Construct, id: string, config: MinioIamPolicyConfig) {
    super(scope, id, { ...config, terraformResourceType: 'minio_iam_policy', terraformGeneratorMetadata: METADATA });
    this.config = config;
  }

  /** The policy's name, as a reference. */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { name: this.config.name, policy: this.config.policy };
  }
}

/** Configuration of a `minio_iam_user_policy_attachment`. */
export interface MinioIamUserPolicyAttachmentConfig extends TerraformMetaArguments {
  /** `user_name`. */
  readonly userName: string;
  /** `policy_name`. */
  readonly policyName: string;
}

/** `minio_iam_user_policy_attachment`. */
export class MinioIamUserPolicyAttachment extends TerraformResource {
  private readonly config: MinioIamUserPolicyAttachmentConfig;

  constructor(scope: Construct, id: string, config: MinioIamUserPolicyAttachmentConfig) {
    super(scope, id, { ...config, terraformResourceType: 'minio_iam_user_policy_attachment', terraformGeneratorMetadata: METADATA });
    this.config = config;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { user_name: this.config.userName, policy_name: this.config.policyName };
  }
}

/** Configuration of a `minio_s3_bucket` data source. */
export interface DataMinioS3BucketConfig extends TerraformMetaArguments {
  /** `bucket`. */
  readonly bucket: string;
}

/** `data.minio_s3_bucket`: reads an existing bucket; the plan fails when it does not exist. */
export class DataMinioS3Bucket extends TerraformDataSource {
  private readonly config: DataMinioS3BucketConfig;

  constructor(scope: Construct, id: string, config: DataMinioS3BucketConfig) {
    super(scope, id, { ...config, terraformResourceType: 'minio_s3_bucket', terraformGeneratorMetadata: METADATA });
    this.config = config;
  }

  /** The bucket's name, as a reference. */
  public get bucket(): string {
    return this.getStringAttribute('bucket');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { bucket: this.config.bucket };
  }
}

// Terraform (cdktf) layer: every cdktf import of the library lives under src/tf.
export { VaultCapability, VaultPolicyRule, VaultPolicyDocument, VaultPolicyDocumentOptions } from './vault-policy';
export { BackupVaultAccessOptions, DatabaseSslMode, TenantBackupVault, TenantVault, VaultBootstrap, VaultBootstrapOptions, VaultBootstrapProps, VaultBootstrapSettings, VaultEnvironmentResources } from './vault-bootstrap';
export { IsolationOptions, IsolationViolation, EnvironmentIsolation } from './isolation';
export { SecretDelivery, TenantReleaseOptions, TenantReleaseProps, TenantRelease } from './tenant-release';
export { SecretDeliveryOptions, SecretDeliveryRequest } from '../model/module-values';
export { EnvironmentStackProps, EnvironmentStack, EnvironmentStackPart } from './environment-stack';
export { ShardedEnvironment, ShardedEnvironmentProps, EnvironmentChartStack, EnvironmentChartStackProps } from './sharding';
export { TenantDatabase, TenantDatabaseProps } from './tenant-database';
export { GitHubEnvironmentsStack, GitHubEnvironmentsStackProps } from './github-environments';
export { ObjectStorageOptions, TenantObjectStore, TenantObjectStoreProps, RANDOM_PROVIDER_VERSION } from './tenant-object-store';
export {
  MINIO_PROVIDER_VERSION, MinioProvider, MinioProviderConfig, MinioIamUser, MinioIamUserConfig, MinioIamPolicy, MinioIamPolicyConfig,
  MinioIamUserPolicyAttachment, MinioIamUserPolicyAttachmentConfig, DataMinioS3Bucket, DataMinioS3BucketConfig,
} from './minio';

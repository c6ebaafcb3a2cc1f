// Model: framework-free environment, tenant and policy types.
export { Period } from './model/period';
export { Quantity, QuantityKind } from './model/quantity';
export { QuotaProfile, QuotaProfileProps } from './model/quota-profile';
export { BackupPolicy, BackupPolicyProps } from './model/backup-policy';
export { EnvironmentClass, EnvironmentClassProps, LifecycleKind, Mutability, AccessLevel, UpgradeStrategy } from './model/environment-class';
export { Tenant, TenantProps, TenantModuleProps, TenantState, TenantVolumeProps } from './model/tenant';
export { TenantWorkloadProps, WorkloadSecretProps } from './model/tenant-workload';
export { ModuleMigrationProps } from './model/module-operations';
export { MigrationNames } from './model/migration-names';
export { Environment, EnvironmentProps, PreviewEnvironmentOptions } from './model/environment';
export { EgressTarget } from './model/egress-target';
export { DatabaseEndpoint } from './model/database-endpoint';
export { TenantSharding, TenantShardingProps, TerraformStackLayout, TerraformStackPart } from './model/sharding';
export { SynthesisShard, SYNTHESIS_SHARD_ENV_VAR } from './model/synthesis-shard';
export { ContainerImage, ContainerImageOptions } from './model/image';
export { VaultRef, VaultEngine, ResolvedVaultRef, VaultTemplatePart } from './model/vault-ref';
export {
  LifecycleNames, LifecycleNamingOptions, EnvironmentVaultNames, TenantVaultNames, BackupCronJobNames, BackupVaultRoleNames,
  DEFAULT_APPROVAL_ENVIRONMENTS, argoCdApplicationName, argoCdProjectName, backupJobNames, backupVaultRoleNames, environmentChartReleaseName,
  environmentVaultNames, tenantNamespaceName, tenantVaultNames,
} from './model/names';
export { KubernetesVersion } from './model/kubernetes-version';
export { DatabaseUserKind, DatabaseFunction, DatabaseFunctionArg, TenantDatabaseNames } from './model/tenant-database';
export { TenantObjectStorage, tenantObjectStorage, tenantObjectStoragePolicy } from './model/tenant-object-storage';

// Kubernetes (cdk8s).
export { TenantNamespace, TenantNamespaceProps, TenantNetworkProps } from './k8s/tenant-namespace';
export { TenantChart, TenantChartProps } from './k8s/tenant-chart';
export { TenantVolumes, TenantVolumesProps, TenantVolumeSnapshotOptions } from './k8s/tenant-volumes';
export { VolumeSnapshotSchedule, VolumeSnapshotScheduleProps } from './k8s/volume-snapshot-schedule';
export { ObservabilityStack, ObservabilityStackProps, ObservabilityOptions, ScrapeMode, ObservabilityAlert, ObservabilityMetric, ObservabilityRule, ObservabilityRuleGroup } from './k8s/observability-stack';

export { BackupSchedule, BackupScheduleProps } from './k8s/backup-schedule';
export {
  TenantBackupPlan, TenantBackupProps, BackupDatabaseProps, BackupObjectStoreProps, RestoreDrillProps, PostgresSslMode, BackupPlanNames,
  BackupPlanDeadlines, BackupPlanStore, BackupPlanDatabase, BackupPlanJobSettings, BackupPlanResources, BackupSecretField,
} from './model/backup-plan';
export { BackupRetention } from './model/backup-rules';
export { BackupScriptConfig, BackupScriptKind, BackupScriptVariable } from './model/backup-script-options';
export { BackupScripts } from './k8s/backup-scripts';
export { BackupScriptOptions, ObjectStoreTarget, ObjectStoreBackend } from './model/backup-script-options';
export { BackupPriorityClass, BackupPriorityClassProps } from './k8s/backup-priority-class';

export * from './k8s/argocd-application';
export { HelmValues } from './k8s/helm-values';
export * from './k8s/argocd-project';
export { ArgoCdProjectGuard, ArgoCdProjectGuardProps } from './k8s/argocd-project-policy';
export * from './k8s/argocd-migration-hook';

// Guardrails: policy pack, secret scan, parity, immutable production, API audit policy.
export * from './policy';
export { ImmutableProductionPolicy, ImmutableProductionPolicyProps, ImmutableProductionOptions } from './k8s/admission-policy';
export { AdmissionPolicyApiVersion } from './k8s/validating-policy';
export { TenantServicePolicy, TenantServicePolicyProps } from './k8s/tenant-service-policy';
export { TenantIngressPolicy, TenantIngressPolicyProps, TenantIngressHostOptions } from './k8s/tenant-ingress-policy';
export { TenantWorkload, TenantWorkloadConstructProps, ITenantWorkloadBuilder } from './k8s/tenant-workload';
export { ApiServerAuditPolicy, ApiServerAuditPolicyProps } from './k8s/audit-policy';

// Lifecycle: inventory, decommission plans, workflows, previews, tenant states.
export * from './lifecycle';

// Terraform (cdktf).
export * from './tf';

// The whole platform.
export { Platform, PlatformProps, TenantAdmissionOptions, PlatformSynthesis, PlatformBackupProps, PlatformPolicyProps, PlatformMigrationHooksProps, PlatformVolumeSnapshotProps } from './platform/platform';
export { SynthesisParts, mergeSynthesisParts } from './platform/shard-synth';
export { SynthesisCacheOptions, SYNTH_CACHE_ENV_VAR } from './platform/synthesis-cache';

// Test helpers for users' unit and snapshot tests.
export * from './testing';

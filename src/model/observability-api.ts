/**
 * Public types of the ObservabilityStack that the rule, log and dashboard modules share: metric names,
 * alert names and the rule-group structs. Re-exported by observability-stack.ts.
 */

/** Metric names the stack defines or consumes (see docs/observability.md). */
export enum ObservabilityMetric {
  /** Inventory, recorded from the model: one series per tenant, `{env, namespace, tenant, state, backup, modules}`, value 1. */
  TENANT_INFO = 'inopsio_tenant_info',
  /** Recorded from the model for expiring environments: `{env, environment_class}`, the expiry as Unix seconds. */
  ENVIRONMENT_EXPIRY = 'inopsio_environment_expiry_timestamp_seconds',
  /**
   * Recorded from the activity metric (`ObservabilityOptions.activityMetric`, ingress-nginx request counts by
   * default): Unix time of the tenant's last request, `{env, namespace, tenant}`, carried forward between requests.
   */
  TENANT_LAST_ACTIVITY = 'inopsio_tenant_last_activity_timestamp_seconds',
  /** Emitted by the backup jobs: Unix time of the last successful run, `{env, tenant, kind}`. */
  BACKUP_LAST_SUCCESS = 'inopsio_backup_last_success_timestamp_seconds',
  /** Emitted by the backup jobs: Unix time of the last failed run, `{env, tenant, kind}`. */
  BACKUP_LAST_FAILURE = 'inopsio_backup_last_failure_timestamp_seconds',
  /** Emitted by the backup jobs: size in bytes of the last successful run's artefact, `{env, tenant, kind}`. */
  BACKUP_SIZE = 'inopsio_backup_size_bytes',
  /** Emitted by the backup jobs: duration in seconds of the last successful run, `{env, tenant, kind}`. */
  BACKUP_DURATION = 'inopsio_backup_duration_seconds',
}

/** Names of the alerts the stack generates. Alert names are public API: routes and silences match them. */
export enum ObservabilityAlert {
  /** Some scrape targets of a tenant job are down (spec §3.6 health check). */
  TENANT_TARGET_DOWN = 'InopsioTenantTargetDown',
  /** Every scrape target of a tenant is down (spec §3.6 health check). */
  TENANT_DOWN = 'InopsioTenantDown',
  /** An active tenant has no scrape target at all. */
  TENANT_TARGETS_MISSING = 'InopsioTenantTargetsMissing',
  /** Fewer inventory series than tenants: a PrometheusRule was not loaded, so alerts would be blind. */
  INVENTORY_INCOMPLETE = 'InopsioObservabilityInventoryIncomplete',
  /** The newest successful database dump is older than the policy's `staleAfterHours`. */
  BACKUP_STALE = 'InopsioBackupStale',
  /** No successful database dump has ever been reported. */
  BACKUP_MISSING = 'InopsioBackupMissing',
  /** The newest successful offsite copy is too old. */
  OFFSITE_COPY_STALE = 'InopsioOffsiteCopyStale',
  /** No successful offsite copy has ever been reported. */
  OFFSITE_COPY_MISSING = 'InopsioOffsiteCopyMissing',
  /** The newest successful restore drill is too old. */
  RESTORE_DRILL_STALE = 'InopsioRestoreDrillStale',
  /** No successful restore drill has ever been reported. */
  RESTORE_DRILL_MISSING = 'InopsioRestoreDrillMissing',
  /** The last run of a backup step failed. */
  BACKUP_FAILED = 'InopsioBackupFailed',
  /** The newest dump is much smaller than the ones before it. */
  BACKUP_SIZE_DROP = 'InopsioBackupSizeDrop',
  /** A Job of a backup CronJob failed (K45). */
  BACKUP_JOB_FAILED = 'InopsioBackupJobFailed',
  /** A backup CronJob missed its schedule (K45). */
  BACKUP_CRONJOB_NOT_SCHEDULED = 'InopsioBackupCronJobNotScheduled',
  /** A backup CronJob of an active tenant is suspended (K45). */
  BACKUP_CRONJOB_SUSPENDED = 'InopsioBackupCronJobSuspended',
  /** An active tenant with backups has no backup CronJob (K45). */
  BACKUP_CRONJOB_MISSING = 'InopsioBackupCronJobMissing',
  /** An expiring environment reaches its TTL soon. */
  ENVIRONMENT_EXPIRING_SOON = 'InopsioEnvironmentExpiringSoon',
  /** An expiring environment is still deployed an hour after its TTL: the cleanup did not run. */
  ENVIRONMENT_EXPIRED = 'InopsioEnvironmentExpired',
  /** A tenant has been inactive for `suspendAfterInactiveDays`: input to suspension (spec §9). */
  TENANT_INACTIVE = 'InopsioTenantInactive',
  /** The activity metric has no series at all: inactivity cannot be measured, so no tenant is reported inactive. */
  TENANT_ACTIVITY_SIGNAL_MISSING = 'InopsioTenantActivitySignalMissing',
  /** A resource of a tenant's ResourceQuota is almost used up. */
  TENANT_QUOTA_SATURATION = 'InopsioTenantQuotaSaturation',
}

/** One alerting or recording rule, as in a Prometheus rule file. */
export interface ObservabilityRule {
  /**
   * Alert name (exactly one of `alert` and `record`).
   * @default - a recording rule
   */
  readonly alert?: string;
  /**
   * Name of the recorded series (exactly one of `alert` and `record`).
   * @default - an alerting rule
   */
  readonly record?: string;
  /** PromQL expression. */
  readonly expr: string;
  /**
   * How long the condition must hold before the alert fires (`for:` in the rule file), a Prometheus duration.
   * @default - fires at the first evaluation
   */
  readonly pendingFor?: string;
  /**
   * Labels added to the alert or recorded series. Alerts need `severity` (`critical`, `warning` or `info`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Alert annotations. Alerts need `summary`, `description` and `runbook_url`.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** A named group of rules, evaluated together. */
export interface ObservabilityRuleGroup {
  /** Group name, unique in the rule file. */
  readonly name: string;
  /** The rules, evaluated in order. */
  readonly rules: ObservabilityRule[];
  /**
   * Evaluation interval, a Prometheus duration.
   * @default - Prometheus's global evaluation interval
   */
  readonly interval?: string;
}

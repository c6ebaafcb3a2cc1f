import { BACKUP_DEFAULTS, checkBackupTiming } from './backup-rules';
import { Problems } from './problems';

/** How a class of environment backs up tenant data (spec §10). */
export interface BackupPolicyProps {
  /**
   * Cron schedule of the daily `pg_dump` (5 fields, no seconds, no `TZ=`).
   * @default '15 2 * * *'
   */
  readonly schedule?: string;
  /**
   * IANA time zone the schedules are read in.
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;
  /**
   * Days a backup is kept in the local (in-region) bucket.
   * @default 30
   */
  readonly localRetentionDays?: number;
  /**
   * Days a backup is kept offsite. Must be at least `localRetentionDays`.
   * @default 90
   */
  readonly offsiteRetentionDays?: number;
  /**
   * Copy backups offsite with `mc mirror` (never `--remove`).
   * @default true
   */
  readonly offsite?: boolean;
  /**
   * The newest verified backups that pruning always keeps, whatever their age.
   * @default 2
   */
  readonly keepLast?: number;
  /**
   * Hours after which the newest verified backup counts as stale: alerts fire and pruning stops.
   * @default 26
   */
  readonly staleAfterHours?: number;
  /**
   * Cron schedule of the restore drill into a scratch database.
   * @default '45 4 * * 0' (weekly, Sunday)
   */
  readonly restoreDrillSchedule?: string;
}

/** A validated backup policy, or none (`BackupPolicy.NONE`) for throw-away environments. */
export class BackupPolicy {
  /** No backups: development sandboxes and previews. */
  public static readonly NONE = new BackupPolicy(false, {});

  /** Daily backups: 30 days local, 90 days offsite, two newest verified always kept (spec §10). */
  public static readonly DAILY = new BackupPolicy(true, {});

  /** Daily backups with your own settings; throws one error listing every invalid field (B05, B06). */
  public static daily(props: BackupPolicyProps = {}): BackupPolicy {
    return new BackupPolicy(true, props);
  }

  /** Whether backups run at all. */
  public readonly enabled: boolean;
  /** Cron schedule of the dump. */
  public readonly schedule: string;
  /** IANA time zone of the schedules. */
  public readonly timeZone: string;
  /** Days kept locally. */
  public readonly localRetentionDays: number;
  /** Days kept offsite. */
  public readonly offsiteRetentionDays: number;
  /** Whether an offsite copy is made. */
  public readonly offsite: boolean;
  /** Newest verified backups always kept. */
  public readonly keepLast: number;
  /** Hours before the newest backup counts as stale. */
  public readonly staleAfterHours: number;
  /** Cron schedule of the restore drill. */
  public readonly restoreDrillSchedule: string;

  private constructor(enabled: boolean, props: BackupPolicyProps) {
    this.enabled = enabled;
    this.schedule = props.schedule ?? BACKUP_DEFAULTS.schedule;
    this.timeZone = props.timeZone ?? BACKUP_DEFAULTS.timeZone;
    this.localRetentionDays = props.localRetentionDays ?? BACKUP_DEFAULTS.localRetentionDays;
    this.offsiteRetentionDays = props.offsiteRetentionDays ?? BACKUP_DEFAULTS.offsiteRetentionDays;
    this.offsite = props.offsite ?? true;
    this.keepLast = props.keepLast ?? BACKUP_DEFAULTS.keepLast;
    this.staleAfterHours = props.staleAfterHours ?? BACKUP_DEFAULTS.staleAfterHours;
    this.restoreDrillSchedule = props.restoreDrillSchedule ?? BACKUP_DEFAULTS.restoreDrillSchedule;

    const problems = new Problems('BackupPolicy');
    // The same rules as a tenant's plan (backup-rules.ts); a policy does not know where it is used, so keepLast ≥ 1.
    checkBackupTiming(problems, this);
    problems.throwIfAny();
  }
}

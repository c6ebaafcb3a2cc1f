/**
 * The rules of backup input, in one place: defaults, name and URL syntax, retention, schedules and the credential
 * deadlines (F9). BackupPolicy (a class's defaults), BackupPlan (one environment's and tenant's backup), the script
 * options (BackupScriptConfig) and VaultBootstrap's backup access all check with these, so they cannot disagree.
 */
import { cronProblem, isTimeZone } from './cron';
import { Problems, show } from './problems';
import { Tenant } from './tenant';

/**
 * The defaults of a daily backup (spec §10), shared by BackupPolicy and the scripts' options.
 *
 * `staleAfterHours` is 26: the dump runs every 24 hours, and a run may start up to an hour late (the CronJob's
 * `startingDeadlineSeconds`) and take a while. One missed run makes the newest backup stale, so the Backup Status
 * alerts fire the same morning and pruning stops before it deletes anything more. A longer threshold (the scripts
 * used 48) lets pruning go on for a whole day without a new backup; a shorter one never blocks a healthy schedule
 * either, because `backup.sh` prunes right after publishing, when the newest backup is minutes old.
 */
export const BACKUP_DEFAULTS = Object.freeze({
  schedule: '15 2 * * *',
  timeZone: 'Etc/UTC',
  restoreDrillSchedule: '45 4 * * 0',
  localRetentionDays: 30,
  offsiteRetentionDays: 90,
  keepLast: 2,
  staleAfterHours: 26,
});

/** Seconds a backup or drill Job must end before its dynamic credentials do (F9). */
export const CREDENTIAL_MARGIN_SECONDS = 60;
/** The default Job deadline is the credential lifetime less this (F9). */
export const DEFAULT_DEADLINE_SLACK_SECONDS = 300;
/** The shortest Job deadline accepted, in seconds. */
export const MIN_JOB_DEADLINE_SECONDS = 60;

/** Host name or address (no scheme, port, credentials or path). */
export const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** S3 bucket name (and no `..`: checked separately). */
export const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** PostgreSQL database name libpq cannot read as a conninfo string (no `=`, no spaces). */
export const DATABASE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
/** PostgreSQL role name. */
export const PG_ROLE = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
/** Lower-case SQL identifier prefix (the drill's scratch databases). */
export const SQL_IDENTIFIER_PREFIX = /^[a-z_][a-z0-9_]{0,30}$/;
/** Object-store endpoint: scheme and host[:port], no path, no credentials (B13). */
export const STORE_ENDPOINT = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;
/** An http(s) URL without credentials, whitespace or shell metacharacters (B13). */
export const PLAIN_URL = /^https?:\/\/[^\s'"\\`$@]+$/;
/** Vault role name (Kubernetes auth roles, at most 128 characters: checked separately). */
export const VAULT_ROLE = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
/** Vault auth login path, e.g. `auth/kubernetes-prod`. */
export const VAULT_AUTH_PATH = /^auth\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
/** Audience of a projected service-account token. */
export const TOKEN_AUDIENCE = /^[A-Za-z0-9:/._-]{1,253}$/;

/** Is `name` a Vault role name (lower-case letters, digits, `-` and `_`, at most 128 characters)? */
export function isVaultRoleName(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 128 && VAULT_ROLE.test(name);
}

/** Is `name` an S3 bucket name? */
export function isBucketName(name: unknown): boolean {
  return typeof name === 'string' && BUCKET.test(name) && !name.includes('..');
}

/** Is `path` absolute, without control characters or `..` segments (a file the scripts read or write)? */
export function isSafeAbsolutePath(path: unknown): boolean {
  // eslint-disable-next-line no-control-regex
  return typeof path === 'string' && path.startsWith('/') && !/[\x00-\x1f\x7f]/.test(path) && !path.split('/').includes('..');
}

/** Schedules and retention of a backup (B05, B06): a BackupPolicy's, and a TenantBackupPlan's `retention`. */
export interface BackupRetention {
  /** Cron schedule of the backup. */
  readonly schedule: string;
  /** Cron schedule of the restore drill. */
  readonly restoreDrillSchedule: string;
  /** IANA time zone of both schedules. */
  readonly timeZone: string;
  /** Days verified backups stay in the primary store. */
  readonly localRetentionDays: number;
  /** Days verified backups stay offsite. */
  readonly offsiteRetentionDays: number;
  /** Newest verified backups never pruned. */
  readonly keepLast: number;
  /** Hours after which the newest verified backup is stale (alerts fire, pruning refuses). */
  readonly staleAfterHours: number;
}

/**
 * B05/B06: schedules, time zone and retention. `production` raises the minimum of `keepLast` to 2 (a policy of
 * a class does not know where it is used and checks 1; EnvironmentClass checks its own production rule).
 */
export function checkBackupTiming(problems: Problems, t: BackupRetention, production: boolean = false): void {
  for (const [field, value] of [['schedule', t.schedule], ['restoreDrillSchedule', t.restoreDrillSchedule]] as const) {
    const issue = cronProblem(value);
    if (issue) problems.add(field, issue, value, 'use five cron fields such as "15 2 * * *" and set timeZone separately');
  }
  if (!isTimeZone(t.timeZone)) {
    problems.add('timeZone', 'is not an IANA time zone', t.timeZone, 'use a name such as "Etc/UTC" or "Europe/Berlin" (K41)');
  }
  checkRetention(problems, t, production);
}

/** B06: retention and staleness alone (the scripts' options have no schedules). */
export function checkRetention(
  problems: Problems, t: Pick<BackupRetention, 'localRetentionDays' | 'offsiteRetentionDays' | 'keepLast' | 'staleAfterHours'>, production: boolean = false,
): void {
  if (!Number.isInteger(t.localRetentionDays) || t.localRetentionDays < 1) {
    problems.add('localRetentionDays', 'must be a whole number of at least 1', t.localRetentionDays, `keep local backups for 1 day or more (default ${BACKUP_DEFAULTS.localRetentionDays})`);
  }
  if (!Number.isInteger(t.offsiteRetentionDays) || t.offsiteRetentionDays < t.localRetentionDays) {
    problems.add('offsiteRetentionDays', `must be a whole number not below localRetentionDays ${show(t.localRetentionDays)}`, t.offsiteRetentionDays,
      `keep offsite copies at least as long as local ones (default ${BACKUP_DEFAULTS.offsiteRetentionDays})`);
  }
  const minKeep = production ? 2 : 1;
  if (!Number.isInteger(t.keepLast) || t.keepLast < minKeep) {
    problems.add('keepLast', `must be a whole number of at least ${minKeep}${production ? ' in production' : ''}`, t.keepLast,
      production ? 'keep at least the two newest verified backups (B06)' : 'always keep at least the newest verified backup (B06)');
  }
  if (!Number.isInteger(t.staleAfterHours) || t.staleAfterHours < 1) {
    problems.add('staleAfterHours', 'must be a whole number of at least 1', t.staleAfterHours, `use a little more than the schedule interval, e.g. ${BACKUP_DEFAULTS.staleAfterHours} for a daily backup`);
  }
}

/**
 * Seconds a Job's dynamic credentials live (F9): the first of the agent's Vault token TTL (Vault revokes every
 * lease of a token when it expires) and the database lease TTL. Both start after the Job does.
 */
export function credentialLifetimeSeconds(tokenTtlSeconds: number, databaseCredentialTtlSeconds: number): number {
  return Math.min(tokenTtlSeconds, databaseCredentialTtlSeconds);
}

/** The default deadline of a backup or drill Job: the credential lifetime less five minutes. */
export function defaultJobDeadlineSeconds(lifetimeSeconds: number): number {
  return lifetimeSeconds - DEFAULT_DEADLINE_SLACK_SECONDS;
}

/** What is wrong with a Job deadline given the credential lifetime (F9), or undefined. */
export function jobDeadlineIssue(deadlineSeconds: unknown, lifetimeSeconds: number): 'not-whole' | 'outlives' | undefined {
  if (!Number.isInteger(deadlineSeconds) || (deadlineSeconds as number) < MIN_JOB_DEADLINE_SECONDS) return 'not-whole';
  if ((deadlineSeconds as number) + CREDENTIAL_MARGIN_SECONDS > lifetimeSeconds) return 'outlives';
  return undefined;
}

/**
 * V07, K19: the backup's service account must be its own (a module's pods would log in as the backup role) and its
 * Kubernetes auth role must not be a tenant's. Adds each problem under `serviceAccountField` / `roleField`.
 */
export function checkBackupIdentity(
  problems: Problems, tenant: Tenant | undefined, tenantIds: readonly string[],
  serviceAccount: { field: string; name: string }, role: { field: string; name: string; suggested: string },
): void {
  const module = tenant?.modules.find(m => m.name === serviceAccount.name);
  if (module) {
    problems.add(serviceAccount.field, `is the service account of module "${module.name}"`, serviceAccount.name,
      'the module\'s pods could then log in as the backup role: give the backup its own service account (K19, V07)');
  }
  if (tenantIds.includes(role.name)) {
    problems.add(role.field, `is the Kubernetes auth role of tenant "${role.name}"`, role.name, `use a name of its own, e.g. "${role.suggested}"`);
  }
}

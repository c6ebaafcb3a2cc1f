import { createHash } from 'crypto';

/** Kubernetes and Terraform name limits that derived names are checked against after composition (B02). */
export const NAME_LIMITS = {
  namespace: 63,
  label: 63,
  cronJob: 52,
  helmRelease: 53,
  service: 63,
  postgresIdentifierBytes: 63,
  terraformWorkspace: 90,
  previewSlug: 30,
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const HASH_LENGTH = 6;

/** Is `text` a DNS-1123 label (lowercase alphanumerics and `-`, 1–63 chars, alphanumeric at both ends)? */
export function isDnsLabel(text: unknown, maxLength: number = 63): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= maxLength && DNS_LABEL.test(text);
}

/** Is `text` a DNS-1035 label (as DNS-1123, but starting with a letter: Service names)? */
export function isDns1035Label(text: unknown): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= 63 && DNS_1035_LABEL.test(text);
}

/** A short, stable hex digest used to keep truncated or sanitized names unique. */
export function shortHash(input: string, length: number = HASH_LENGTH): string {
  return createHash('sha256').update(input, 'utf8').digest('hex').slice(0, length);
}

/**
 * Join DNS-label parts with `-`; if the result is longer than `maxLength`, keep a prefix and append
 * `-<sha256[0:6]>` of the full name. Deterministic: the same parts always give the same name, and
 * two different long names give different results unless their hashes collide (detected by callers).
 */
export function composeName(parts: readonly string[], maxLength: number): string {
  const full = parts.filter(p => p.length > 0).join('-');
  if (full.length <= maxLength) return full;
  const suffix = `-${shortHash(full)}`;
  const head = full.slice(0, maxLength - suffix.length).replace(/-+$/, '');
  return `${head}${suffix}`;
}

/**
 * Turn any string (a git branch name, say) into a DNS-1123 label of at most `maxLength` chars.
 *
 * Lowercases, maps every run of other characters to `-` and trims dashes. Whenever that changes the
 * input (or it must be truncated), a hash of the ORIGINAL text is appended, so `feature/a_b` and
 * `feature/a-b` never share a name. `feature/JIRA-123_Add Billing!!` gives `feature-jira-123-add-billing-<hash>`.
 */
export function slugify(raw: string, maxLength: number = NAME_LIMITS.previewSlug): string {
  const ascii = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let slug = ascii.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > 0 && slug === raw && slug.length <= maxLength) return slug;
  const suffix = `-${shortHash(raw)}`;
  if (slug.length === 0) slug = 'x';
  slug = slug.slice(0, maxLength - suffix.length).replace(/-+$/, '');
  return `${slug}${suffix}`;
}

/** Label values: ≤ 63 chars, alphanumeric at both ends, `-_.` inside (or empty). */
export function isLabelValue(text: unknown): boolean {
  return typeof text === 'string' && (text === '' || (text.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(text)));
}

/** Terraform Cloud workspace names: letters, digits, `-` and `_`, at most 90 chars. */
export function isWorkspaceName(text: unknown): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= NAME_LIMITS.terraformWorkspace && /^[A-Za-z0-9_-]+$/.test(text);
}

/** The reason a tenant/environment id is not a DNS label, for error messages. */
export function dnsLabelProblem(text: unknown, maxLength: number = 63): string | undefined {
  if (typeof text !== 'string') return 'is not a string';
  if (text.length === 0) return 'is empty';
  if (text.length > maxLength) return `is longer than ${maxLength} characters`;
  if (/[A-Z]/.test(text)) return 'contains uppercase letters';
  if (/[^\x00-\x7f]/.test(text)) return 'contains non-ASCII characters';
  if (/_/.test(text)) return 'contains "_"';
  if (/\./.test(text)) return 'contains "."';
  if (/^-|-$/.test(text)) return 'starts or ends with "-"';
  if (!DNS_LABEL.test(text)) return 'is not a DNS-1123 label';
  return undefined;
}

/** Suffix of the restore-drill CronJob next to a tenant's backup CronJob. */
export const RESTORE_DRILL_SUFFIX = '-restore-drill';

/**
 * Names of a tenant's backup CronJobs (`backup-<env>-<tenant>`, hash-suffixed so that the drill's
 * `<name>-restore-drill` still fits the CronJob limit of 52). Shared by BackupSchedule, the inventory and
 * the decommission plan so that they can never disagree.
 */
export function backupJobNames(envName: string, tenantId: string): { cronJob: string; restoreDrillCronJob: string } {
  const cronJob = composeName(['backup', envName, tenantId], NAME_LIMITS.cronJob - RESTORE_DRILL_SUFFIX.length);
  return { cronJob, restoreDrillCronJob: `${cronJob}${RESTORE_DRILL_SUFFIX}` };
}

/**
 * Name of a tenant's volume-snapshot CronJob, `<backup cronjob>-snapshots` (≤ 48 characters): it matches the backup
 * alerts' `backup-.+` pattern. Shared by VolumeSnapshotSchedule, the inventory and the decommission plan.
 */
export function volumeSnapshotCronJobName(envName: string, tenantId: string): string {
  return `${backupJobNames(envName, tenantId).cronJob}-snapshots`;
}

/**
 * Vault names of a tenant's backup access: the Kubernetes auth role of the backup ServiceAccount and the two
 * dynamic database roles (read-only dumps, restore drills). Shared by BackupSchedule, VaultBootstrap and the
 * decommission plan.
 */
export function backupVaultRoleNames(envName: string, tenantId: string): { authRole: string; dumpDatabaseRole: string; drillDatabaseRole: string } {
  return { authRole: `${envName}-${tenantId}-backup`, dumpDatabaseRole: `${tenantId}-backup`, drillDatabaseRole: `${tenantId}-drill` };
}

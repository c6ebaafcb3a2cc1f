import { Environment } from './environment';
import { DOMAIN } from './labels';

/** The annotation with the expiry instant (ISO-8601 UTC) that this library's own alerts and CLI read. */
export const EXPIRES_AT_ANNOTATION = `${DOMAIN}/expires-at`;
/** kube-janitor's absolute expiry annotation (ISO-8601 UTC). */
export const JANITOR_EXPIRES_ANNOTATION = 'janitor/expires';
/** Kyverno's cleanup label: an absolute time in Go layout `2006-01-02T150405Z` (label values cannot hold `:`). */
export const KYVERNO_TTL_LABEL = 'cleanup.kyverno.io/ttl';

/**
 * Everything that marks an expiring environment's objects for cleanup, derived from ONE instant
 * (`Environment.expiresAt` = `createdAt` + TTL), so the janitors can never disagree about when it ends.
 */
export interface ExpiryStamps {
  /** The expiry instant, ISO-8601 UTC with second precision (`2026-11-30T09:00:00Z`). */
  readonly expiresAt: string;
  /** Annotations: created-at, ttl (Go duration), expires-at, and kube-janitor's `janitor/expires`. */
  readonly annotations: { [key: string]: string };
  /** Labels: Kyverno's `cleanup.kyverno.io/ttl` in its `2006-01-02T150405Z` layout. */
  readonly labels: { [key: string]: string };
}

/**
 * The expiry annotations and labels of an environment, or undefined for environments that do not expire
 * (persistent and permanent classes). Pure: the instant comes from the environment, never from the clock.
 */
export function expiryStamps(env: Environment): ExpiryStamps | undefined {
  if (env.expiresAt === undefined || env.ttl === undefined || env.createdAt === undefined) return undefined;
  const expiresAt = toSecondPrecision(env.expiresAt);
  return {
    expiresAt,
    annotations: {
      [`${DOMAIN}/created-at`]: env.createdAt,
      [`${DOMAIN}/ttl`]: env.ttl.toGoDuration(),
      [EXPIRES_AT_ANNOTATION]: expiresAt,
      [JANITOR_EXPIRES_ANNOTATION]: expiresAt,
    },
    labels: {
      [KYVERNO_TTL_LABEL]: kyvernoTimestamp(expiresAt),
    },
  };
}

/** `2026-11-30T09:00:00Z` → `2026-11-30T090000Z` (Kyverno's `ValueTtlDateTimeLayout`). */
export function kyvernoTimestamp(isoInstant: string): string {
  const d = new Date(Date.parse(isoInstant));
  const pad = (n: number, w: number = 2) => String(n).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function toSecondPrecision(isoInstant: string): string {
  return new Date(Math.floor(Date.parse(isoInstant) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

import { tenantRemovalApprovals } from './approvals';
import { Environment } from '../model/environment';
import { isIsoInstant } from '../model/period';
import { Problems } from '../model/problems';

/** Where a tenant is in its lifecycle (spec §9), including the terminal `removed`. */
export enum TenantLifecycleState {
  /** Running normally (TenantState.ACTIVE). */
  ACTIVE = 'active',
  /** Inactive too long: workloads stopped, data kept, resumable (TenantState.SUSPENDED). */
  SUSPENDED = 'suspended',
  /** Final backup taken; awaiting approved removal (TenantState.ARCHIVED). */
  ARCHIVED = 'archived',
  /** Namespace, releases and Vault roles destroyed. Terminal. */
  REMOVED = 'removed',
}

/** The final backup an archive records: a manifest written by the backup job (`inopsio-backup-manifest/v1`). */
export interface FinalBackupReference {
  /** Manifest object key: `<bucket>/<env>/<tenant>/manifests/<tenant>-<YYYYMMDDTHHMMSSZ>.manifest`. */
  readonly manifest: string;
  /** When the backup was taken (ISO-8601 UTC). */
  readonly takenAt: string;
  /** The manifest's `verified=true` (full read + remote checksum passed). */
  readonly verified: boolean;
  /** The dump's sha256 from the manifest (64 hex). */
  readonly sha256: string;
}

/** One approval of a removal. */
export interface RemovalApproval {
  /** Who approved (a GitHub login or an e-mail address). */
  readonly approver: string;
  /** When (ISO-8601 UTC). */
  readonly approvedAt: string;
}

/** A requested state change of one tenant. */
export interface TenantTransitionRequest {
  /** The environment the tenant lives in (its class sets the inactivity limit and the approvals). */
  readonly environment: Environment;
  /** Tenant id. */
  readonly tenantId: string;
  /** Current state. */
  readonly fromState: TenantLifecycleState;
  /** Requested state. */
  readonly toState: TenantLifecycleState;
  /** The time of the decision (ISO-8601 UTC), passed in: the machine never reads the clock. */
  readonly now: string;
  /**
   * Last tenant activity (ISO-8601 UTC); required to suspend.
   * @default - none
   */
  readonly lastActivityAt?: string;
  /**
   * The final backup; required to archive.
   * @default - none
   */
  readonly finalBackup?: FinalBackupReference;
  /**
   * Approvals; required to remove (at least `max(1, class.decommissionApprovals)`, from distinct people).
   * @default - none
   */
  readonly approvals?: RemovalApproval[];
  /**
   * Who asked for the change; they may not approve their own removal.
   * @default - not recorded
   */
  readonly requestedBy?: string;
}

/** An accepted transition, ready to be recorded (for example in the tenant registry's audit trail). */
export interface TenantTransition {
  /** Tenant id. */
  readonly tenantId: string;
  /** Environment name. */
  readonly environment: string;
  /** State before. */
  readonly fromState: TenantLifecycleState;
  /** State after. */
  readonly toState: TenantLifecycleState;
  /** When (the request's `now`). */
  readonly at: string;
  /** Why it was allowed, in words. */
  readonly reason: string;
}

/** How long a tenant has been inactive, and whether suspension is due. */
export interface Inactivity {
  /** Whole days since the last activity. */
  readonly inactiveDays: number;
  /** When suspension becomes due (last activity + the class limit). */
  readonly suspendDueAt: string;
  /** True once `now` has reached `suspendDueAt`. */
  readonly suspendDue: boolean;
}

const ALLOWED: Record<TenantLifecycleState, TenantLifecycleState[]> = {
  [TenantLifecycleState.ACTIVE]: [TenantLifecycleState.SUSPENDED],
  [TenantLifecycleState.SUSPENDED]: [TenantLifecycleState.ACTIVE, TenantLifecycleState.ARCHIVED],
  [TenantLifecycleState.ARCHIVED]: [TenantLifecycleState.REMOVED],
  [TenantLifecycleState.REMOVED]: [],
};

/** The states a tenant may move to from `state`. */
export function allowedTransitions(state: TenantLifecycleState): TenantLifecycleState[] {
  return [...(ALLOWED[state] ?? [])];
}

/** Inactivity of a tenant at `now` against a limit in days. */
export function inactivity(lastActivityAt: string, now: string, suspendAfterInactiveDays: number): Inactivity {
  const last = Date.parse(lastActivityAt);
  const at = Date.parse(now);
  const due = last + suspendAfterInactiveDays * 86_400_000;
  return {
    inactiveDays: Math.floor((at - last) / 86_400_000),
    suspendDueAt: new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    suspendDue: at >= due,
  };
}

/**
 * The tenant state machine (spec §9): active → suspended (inactive ≥ the class's `suspendAfterInactiveDays`) →
 * archived (with a verified, fresh final backup) → removed (with the class's approvals); suspended → active resumes.
 *
 * Pure: everything it needs, including `now`, is in the request. An invalid request throws one
 * LifecycleValidationError listing every problem.
 */
export function transitionTenant(request: TenantTransitionRequest): TenantTransition {
  const env = request.environment;
  const cls = env?.environmentClass;
  return decideTransition(request, env && {
    name: env.name,
    tenantIds: env.tenants.map(t => t.id),
    className: cls.name,
    suspendAfterInactiveDays: cls.suspendAfterInactiveDays,
    backupEnabled: cls.backup.enabled,
    staleAfterHours: cls.backup.staleAfterHours,
    removalApprovals: tenantRemovalApprovals(cls),
  });
}

/**
 * What the state machine needs to know about the tenant's environment: its class's limits. `transitionTenant` takes
 * them from an Environment; the CLI (`tenant-state.ts`) from the lifecycle inventory and the tenant registry.
 */
export interface TransitionFacts {
  /** Environment name. */
  readonly name: string;
  /** The environment's tenants. */
  readonly tenantIds: string[];
  /** Class name, for messages. */
  readonly className: string;
  /** Inactive days before suspension. */
  readonly suspendAfterInactiveDays: number;
  /** Whether the class backs up (a final backup must then be fresh). */
  readonly backupEnabled: boolean;
  /** Hours after which a backup is stale. */
  readonly staleAfterHours: number;
  /** Approvals needed to remove a tenant. */
  readonly removalApprovals: number;
}

/** The state machine over `facts` (see `transitionTenant`); `request.environment` is not read. */
export function decideTransition(request: Omit<TenantTransitionRequest, 'environment'>, facts: TransitionFacts | undefined): TenantTransition {
  const env = facts;
  const problems = new Problems(`TenantTransition[${env?.name}/${request.tenantId}]`);
  const from = request.fromState;
  const to = request.toState;
  const states = Object.values(TenantLifecycleState) as string[];
  if (!states.includes(from)) problems.add('fromState', 'is not a TenantLifecycleState', from, `use one of ${states.join(', ')}`);
  if (!states.includes(to)) problems.add('toState', 'is not a TenantLifecycleState', to, `use one of ${states.join(', ')}`);
  if (!isIsoInstant(request.now)) problems.add('now', 'is not an ISO-8601 UTC instant', request.now, 'pass the decision time, e.g. "2026-11-28T09:00:00Z"');
  if (!env || !env.tenantIds.includes(request.tenantId)) {
    problems.add('tenantId', `is not a tenant of environment "${env?.name}"`, request.tenantId, 'use the id of a tenant the environment lists');
  }
  problems.throwIfAny();

  const allowed = ALLOWED[from];
  if (!allowed.includes(to)) {
    const options = allowed.length === 0 ? 'none: removal is final' : allowed.join(' or ');
    const hint = from === TenantLifecycleState.ACTIVE && (to === TenantLifecycleState.ARCHIVED || to === TenantLifecycleState.REMOVED)
      ? 'suspend the tenant first, then archive it with a final backup, then remove it with approvals'
      : from === TenantLifecycleState.ARCHIVED && to === TenantLifecycleState.ACTIVE
        ? 'an archived tenant is restored by provisioning it again from its final backup, not resumed'
        : `from ${from} the tenant can move to ${options}`;
    problems.add('toState', `cannot follow ${from}`, to, hint);
    problems.throwIfAny();
  }

  const cls = { name: env!.className, suspendAfterInactiveDays: env!.suspendAfterInactiveDays };
  const now = Date.parse(request.now);
  let reason = '';
  switch (to) {
    case TenantLifecycleState.SUSPENDED: {
      if (request.lastActivityAt === undefined || !isIsoInstant(request.lastActivityAt)) {
        problems.add('lastActivityAt', 'is required to suspend and must be an ISO-8601 UTC instant', request.lastActivityAt, 'pass the time of the tenant\'s last activity (e.g. from the inactivity alert)');
        break;
      }
      if (Date.parse(request.lastActivityAt) > now) {
        problems.add('lastActivityAt', `is after now ${request.now}`, request.lastActivityAt, 'pass a past activity time');
        break;
      }
      const idle = inactivity(request.lastActivityAt, request.now, cls.suspendAfterInactiveDays);
      if (!idle.suspendDue) {
        problems.add('lastActivityAt', `is only ${idle.inactiveDays} days ago; class ${cls.name} suspends after ${cls.suspendAfterInactiveDays} days of inactivity`, request.lastActivityAt, `wait until ${idle.suspendDueAt}`);
        break;
      }
      reason = `inactive for ${idle.inactiveDays} days (limit ${cls.suspendAfterInactiveDays})`;
      break;
    }
    case TenantLifecycleState.ACTIVE:
      reason = 'resumed';
      break;
    case TenantLifecycleState.ARCHIVED: {
      const b = request.finalBackup;
      if (b === undefined) {
        problems.add('finalBackup', 'is required to archive', undefined, 'run the final backup and pass its manifest (key, takenAt, verified, sha256)');
        break;
      }
      const manifestPattern = new RegExp(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/${env!.name}/${request.tenantId}/manifests/${request.tenantId}-\\d{8}T\\d{6}Z\\.manifest$`);
      if (typeof b.manifest !== 'string' || !manifestPattern.test(b.manifest)) {
        problems.add('finalBackup.manifest', `is not a backup manifest of ${env!.name}/${request.tenantId}`, b.manifest, `pass "<bucket>/${env!.name}/${request.tenantId}/manifests/${request.tenantId}-<YYYYMMDDTHHMMSSZ>.manifest"`);
      }
      if (b.verified !== true) {
        problems.add('finalBackup.verified', 'is not true', b.verified, 'archive only after the backup passed its full read and checksum (manifest verified=true)');
      }
      if (typeof b.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(b.sha256)) {
        problems.add('finalBackup.sha256', 'is not a sha256 hex digest', b.sha256, 'copy sha256= from the manifest');
      }
      if (!isIsoInstant(b.takenAt)) {
        problems.add('finalBackup.takenAt', 'is not an ISO-8601 UTC instant', b.takenAt, 'copy created= from the manifest');
      } else {
        const ageHours = (now - Date.parse(b.takenAt)) / 3_600_000;
        if (ageHours < 0) {
          problems.add('finalBackup.takenAt', `is after now ${request.now}`, b.takenAt, 'pass the real backup time');
        } else if (env!.backupEnabled && ageHours > env!.staleAfterHours) {
          problems.add('finalBackup.takenAt', `is ${Math.floor(ageHours)} hours old; a final backup must be newer than ${env!.staleAfterHours} hours`, b.takenAt, 'take a new final backup now: data written since the old one would be lost');
        }
      }
      reason = `final backup ${b.manifest} (sha256 ${String(b.sha256).slice(0, 12)}…)`;
      break;
    }
    case TenantLifecycleState.REMOVED: {
      const needed = env!.removalApprovals;
      const approvals = request.approvals ?? [];
      const people = new Set<string>();
      approvals.forEach((a, i) => {
        if (typeof a.approver !== 'string' || a.approver.trim() === '') {
          problems.add(`approvals[${i}].approver`, 'is empty', a.approver, 'name who approved');
          return;
        }
        const who = a.approver.trim().toLowerCase();
        if (people.has(who)) problems.add(`approvals[${i}].approver`, 'approved twice; approvals must come from different people', a.approver, 'ask another reviewer');
        if (request.requestedBy && who === request.requestedBy.trim().toLowerCase()) {
          problems.add(`approvals[${i}].approver`, 'is the requester; nobody approves their own removal', a.approver, 'ask another reviewer');
        }
        if (!isIsoInstant(a.approvedAt) || Date.parse(a.approvedAt) > now) {
          problems.add(`approvals[${i}].approvedAt`, 'is not an ISO-8601 UTC instant at or before now', a.approvedAt, `pass when it was approved (now is ${request.now})`);
        }
        people.add(who);
      });
      const valid = approvals.filter(a => typeof a.approver === 'string' && a.approver.trim() !== '').map(a => a.approver.trim().toLowerCase());
      const distinct = new Set(valid.filter(w => !request.requestedBy || w !== request.requestedBy.trim().toLowerCase())).size;
      if (distinct < needed) {
        problems.add('approvals', `has ${distinct} valid approval(s); class ${cls.name} needs ${needed} from different people to remove a tenant`, approvals.map(a => a.approver), needed >= 2 ? 'get the two-step approval (spec §8)' : 'get a manual approval (spec §9)');
      }
      reason = `approved by ${[...people].join(', ')}`;
      break;
    }
  }
  problems.throwIfAny();
  return { tenantId: request.tenantId, environment: env!.name, fromState: from, toState: to, at: request.now, reason };
}

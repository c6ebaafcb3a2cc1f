import { Environment } from '../model/environment';
import { EnvironmentClass, LifecycleKind } from '../model/environment-class';

/**
 * Approvals needed to remove a tenant: spec §9 says "manual approval" for every archive/remove, so at least one,
 * and as many as the class needs to decommission a whole environment (two for permanent classes).
 */
export function tenantRemovalApprovals(cls: EnvironmentClass): number {
  return Math.max(1, cls.decommissionApprovals);
}

/** True if environments of this lifecycle are destroyed automatically when they expire (no approval). */
export function destroyedAutomatically(env: Environment): boolean {
  return env.environmentClass.lifecycle === LifecycleKind.EPHEMERAL;
}

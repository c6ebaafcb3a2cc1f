import { LifecycleInventory } from './inventory';
import { TenantRegistry } from './tenant-registry';
import { decideTransition, FinalBackupReference, TenantLifecycleState, TenantTransition } from './transitions';
import { LifecycleValidationError } from '../model/problems';

/** A state change asked of the tenant registry (`inopsio-env tenant-suspend|tenant-resume|tenant-archive`). */
export interface TenantStateChangeRequest {
  /** Tenant id. */
  readonly tenantId: string;
  /** The new state: suspended, active (resume) or archived. */
  readonly toState: TenantLifecycleState;
  /** The time of the decision (ISO-8601 UTC). */
  readonly now: string;
  /**
   * Last activity (ISO-8601 UTC); required to suspend.
   * @default - none
   */
  readonly lastActivityAt?: string;
  /**
   * The final backup; required to archive.
   * @default - none
   */
  readonly finalBackup?: FinalBackupReference;
}

/** The registry after an accepted state change, and the transition to record (pull request body, audit log). */
export interface TenantStateChange {
  /** The registry with the tenant's new state (the input is left alone). */
  readonly registry: TenantRegistry;
  /** The accepted transition. */
  readonly transition: TenantTransition;
}

/**
 * Change a tenant's state in its environment's registry through the validated state machine (`transitionTenant`):
 * the current state is the registry's, the class's limits (inactivity days, backup freshness) come from the
 * lifecycle inventory. Removal is not a state here: it is the decommission workflow's (`tenant-remove`).
 * Throws one LifecycleValidationError listing every problem.
 */
export function changeTenantState(registry: TenantRegistry, inventory: LifecycleInventory, request: TenantStateChangeRequest): TenantStateChange {
  const where = `TenantRegistry[${registry.environment}]`;
  const env = inventory.environments.find(e => e.name === registry.environment);
  if (!env) {
    throw new LifecycleValidationError([`${where}: environment is not in the inventory (got ${JSON.stringify(registry.environment)}); synthesize the platform and pass its lifecycle.json (environments: ${inventory.environments.map(e => e.name).join(', ')})`]);
  }
  const tenant = registry.tenants.find(t => t.id === request.tenantId);
  if (!tenant) {
    throw new LifecycleValidationError([`${where}: tenantId is not registered (got ${JSON.stringify(request.tenantId)}); use one of ${registry.tenants.map(t => t.id).join(', ') || 'none'}`]);
  }
  const allowed = [TenantLifecycleState.ACTIVE, TenantLifecycleState.SUSPENDED, TenantLifecycleState.ARCHIVED];
  if (!allowed.includes(request.toState)) {
    throw new LifecycleValidationError([`${where}: toState is not a registry state (got ${JSON.stringify(request.toState)}); use active, suspended or archived (removal is the decommission workflow's)`]);
  }
  const inventoryTenant = env.tenants.find(t => t.id === tenant.id);
  const transition = decideTransition({ ...request, fromState: tenant.state as TenantLifecycleState }, {
    name: env.name,
    tenantIds: registry.tenants.map(t => t.id),
    className: env.environmentClass,
    suspendAfterInactiveDays: env.suspendAfterInactiveDays,
    backupEnabled: env.backup.enabled,
    staleAfterHours: env.backup.staleAfterHours ?? 0,
    removalApprovals: inventoryTenant?.removalApprovals ?? Math.max(1, env.decommissionApprovals),
  });
  const tenants = registry.tenants.map(t => (t.id === tenant.id ? { ...t, state: request.toState } : t));
  return { registry: { ...registry, tenants }, transition };
}

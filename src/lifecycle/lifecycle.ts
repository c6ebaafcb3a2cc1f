import { DecommissionPlan, planDecommission, renderDecommissionPlan } from './decommission';
import { buildInventory, InventoryOptions, inventoryToJson, LifecycleInventory, readInventory, writeInventory } from './inventory';
import { PreviewEnvironmentsOptions, previewEnvironments, PreviewNames, previewNames } from './previews';
import { readTenantRegistry, tenantsFromRegistry } from './tenant-registry';
import { TenantTransition, TenantTransitionRequest, transitionTenant } from './transitions';
import { renderWorkflows, WorkflowOptions } from './workflows';
import { Environment } from '../model/environment';
import { expiryStamps, ExpiryStamps } from '../model/expiry';
import { TenantProps } from '../model/tenant';

/**
 * Lifecycle automation (issue 6) as static methods: jsii publishes classes, not free functions, so this facade is
 * what Python/Java/Go/.NET users call. TypeScript users may import the functions directly.
 */
export class Lifecycle {
  /** The lifecycle inventory of the platform's environments (`dist/lifecycle.json`). */
  public static buildInventory(environments: Environment[], options?: InventoryOptions): LifecycleInventory {
    return buildInventory(environments, options);
  }

  /** Write `<dir>/lifecycle.json` and return its path. */
  public static writeInventory(dir: string, inventory: LifecycleInventory): string {
    return writeInventory(dir, inventory);
  }

  /** Read and validate an inventory file (schema `schemas/lifecycle-inventory.schema.json`). */
  public static readInventory(file: string): LifecycleInventory {
    return readInventory(file);
  }

  /** The inventory as canonical JSON. */
  public static inventoryJson(inventory: LifecycleInventory): string {
    return inventoryToJson(inventory);
  }

  /** Expiry annotations and labels of an expiring environment, from one instant. */
  public static expiryStamps(environment: Environment): ExpiryStamps | undefined {
    return expiryStamps(environment);
  }

  /** The generated GitHub Actions workflows, keyed by file name. */
  public static renderWorkflows(environments: Environment[], options?: WorkflowOptions): { [fileName: string]: string } {
    return renderWorkflows(environments, options);
  }

  /** The ordered decommission plan of an environment or of one tenant. */
  public static planDecommission(inventory: LifecycleInventory, environmentName: string, tenantId?: string): DecommissionPlan {
    return planDecommission(inventory, environmentName, tenantId);
  }

  /** A decommission plan as text, with its exact commands. */
  public static renderDecommissionPlan(plan: DecommissionPlan): string {
    return renderDecommissionPlan(plan);
  }

  /** Apply the tenant state machine to one request. */
  public static transitionTenant(request: TenantTransitionRequest): TenantTransition {
    return transitionTenant(request);
  }

  /** The preview environment name and workspace of a branch. */
  public static previewNames(branch: string): PreviewNames {
    return previewNames(branch);
  }

  /** Preview environments from the `INOPSIO_PREVIEWS` JSON the workflows pass. */
  public static previewEnvironments(json?: string, options?: PreviewEnvironmentsOptions): Environment[] {
    return previewEnvironments(json, options);
  }

  /** The tenants of a tenant registry file (`tenants/<env>.json`), for `new Environment({ tenants })`. */
  public static tenantsFromRegistry(file: string): TenantProps[] {
    return tenantsFromRegistry(readTenantRegistry(file));
  }

  private constructor() {}
}

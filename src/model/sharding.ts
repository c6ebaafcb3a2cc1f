import { createHash } from 'crypto';
import { Problems } from './problems';

/**
 * How an environment's tenants are spread over Terraform shards (docs/performance.md "Sharding").
 *
 * The shard of a tenant depends only on its id and on `shardCount` (a hash of the id, modulo the count) unless it is
 * pinned: adding or removing a tenant never moves another one. `shardCount` is recorded in configuration and is not
 * derived from the number of tenants; a shard that outgrows `maxTenantsPerShard` fails synthesis instead of spilling
 * tenants elsewhere.
 */
export interface TenantShardingProps {
  /**
   * Number of tenant shards, 1–99: workspaces `<workspace>-shard-01` … `<workspace>-shard-NN`. Changing it moves
   * about `1 - 1/newCount` of the tenants to other workspaces (Terraform state must follow them): to grow, pin the
   * existing tenants first (docs/performance.md "Adding shards").
   */
  readonly shardCount: number;
  /**
   * Most tenants one shard may hold. A shard over it fails synthesis, naming the shard, its tenant count and the
   * ways out (more shards with pins, or a higher maximum); tenants are never moved silently.
   * @default 1000
   */
  readonly maxTenantsPerShard?: number;
  /**
   * Tenants placed on an explicit shard (1–shardCount) instead of their hash shard: for a migration to more shards
   * (pin everyone where they are, then raise `shardCount`), or to move one tenant on purpose.
   * @default - none
   */
  readonly pinnedTenants?: { [tenantId: string]: number };
}

/** The default `maxTenantsPerShard`. */
export const DEFAULT_MAX_TENANTS_PER_SHARD = 1000;
/** The largest `shardCount` (two-digit shard numbers in workspace names). */
export const MAX_SHARD_COUNT = 99;

/** A validated sharding of one environment's tenants. */
export class TenantSharding {
  /**
   * The pins that keep every tenant of `tenantIds` on the shard it has now: pass them as `pinnedTenants`, together
   * with a larger `shardCount`, to add shards without moving any existing tenant (new tenants then hash over all
   * shards).
   */
  public static pinsFor(sharding: TenantSharding, tenantIds: string[]): { [tenantId: string]: number } {
    const pins: { [tenantId: string]: number } = {};
    for (const id of tenantIds) pins[id] = sharding.shardOf(id);
    return pins;
  }

  /** Number of shards. */
  public readonly shardCount: number;
  /** Most tenants per shard. */
  public readonly maxTenantsPerShard: number;
  private readonly pins: Map<string, number>;

  constructor(props: TenantShardingProps, path: string = 'TenantSharding') {
    const problems = new Problems(path);
    const count = props?.shardCount;
    if (!Number.isInteger(count) || count < 1 || count > MAX_SHARD_COUNT) {
      problems.add('shardCount', `is not a whole number from 1 to ${MAX_SHARD_COUNT}`, count, 'choose the number of shards once, e.g. 4, and record it in configuration');
    }
    const max = props?.maxTenantsPerShard ?? DEFAULT_MAX_TENANTS_PER_SHARD;
    if (!Number.isInteger(max) || max < 1) {
      problems.add('maxTenantsPerShard', 'is not a whole number of at least 1', max, `use e.g. ${DEFAULT_MAX_TENANTS_PER_SHARD}`);
    }
    const pins = new Map<string, number>();
    for (const [id, shard] of Object.entries(props?.pinnedTenants ?? {})) {
      if (!Number.isInteger(shard) || shard < 1 || (Number.isInteger(count) && shard > count)) {
        problems.add(`pinnedTenants.${id}`, `is not a shard from 1 to ${count}`, shard, 'pin the tenant to an existing shard');
      } else {
        pins.set(id, shard);
      }
    }
    problems.throwIfAny();
    this.shardCount = count;
    this.maxTenantsPerShard = max;
    this.pins = pins;
  }

  /** The shard (1–shardCount) of a tenant: its pin, else `hash(id) mod shardCount + 1`. */
  public shardOf(tenantId: string): number {
    return this.pins.get(tenantId) ?? (tenantHash(tenantId) % this.shardCount) + 1;
  }

  /** True if the tenant is pinned. */
  public isPinned(tenantId: string): boolean {
    return this.pins.has(tenantId);
  }

  /**
   * The tenants of each shard, in the order given, for shards 1–shardCount (empty shards included). Refuses, listing
   * every full shard, when a shard would hold more than `maxTenantsPerShard` tenants.
   */
  public assign(tenantIds: string[], path: string = 'TenantSharding'): string[][] {
    const shards: string[][] = Array.from({ length: this.shardCount }, () => []);
    for (const id of tenantIds) shards[this.shardOf(id) - 1].push(id);
    const problems = new Problems(path);
    shards.forEach((ids, i) => {
      if (ids.length > this.maxTenantsPerShard) {
        problems.add(`shard ${shardLabel(i + 1)}`, `holds ${ids.length} tenants, more than maxTenantsPerShard ${this.maxTenantsPerShard}`, ids.length,
          'tenants are never moved to another shard automatically: raise maxTenantsPerShard, or add shards without moving anyone (pin every current tenant with TenantSharding.pinsFor, then raise shardCount; docs/performance.md "Adding shards")');
      }
    });
    problems.throwIfAny();
    return shards;
  }
}

/** A stable 32-bit hash of a tenant id (the first 8 hex digits of its SHA-256): the same on every machine and run. */
export function tenantHash(tenantId: string): number {
  return parseInt(createHash('sha256').update(tenantId, 'utf8').digest('hex').slice(0, 8), 16);
}

/** A shard's two-digit label: `01` … `99`. */
export function shardLabel(shard: number): string {
  return shard.toString().padStart(2, '0');
}

/** What one Terraform stack of an environment holds. */
export enum TerraformStackPart {
  /** Everything of an unsharded environment. */
  ENVIRONMENT = 'environment',
  /** The environment-wide Vault resources of a sharded environment (applied first). */
  BASE = 'base',
  /** The tenants of one shard (after the base, in any order). */
  TENANT_SHARD = 'tenant-shard',
  /** The environment-wide charts of a sharded environment (applied last). */
  CHARTS = 'charts',
}

/** One Terraform stack of an environment and its Terraform Cloud workspace. */
export interface TerraformStackLayout {
  /** Stack name: the folder under `cdktf.out/stacks`. */
  readonly stack: string;
  /** Terraform Cloud workspace. */
  readonly workspace: string;
  /** What it holds. */
  readonly part: TerraformStackPart;
  /**
   * Shard number (1–99), for tenant shards.
   * @default - not a shard
   */
  readonly shard?: number;
}

/**
 * The stacks of an environment in apply order: one stack (`shardCount` undefined), or the base, the shards
 * `<env>-shard-NN` (workspaces `<workspace>-shard-NN`) and `<env>-charts` (`<workspace>-charts`). Destroy in reverse.
 */
export function terraformStackLayout(environmentName: string, workspace: string, shardCount?: number): TerraformStackLayout[] {
  if (shardCount === undefined) return [{ stack: environmentName, workspace, part: TerraformStackPart.ENVIRONMENT }];
  return [
    { stack: environmentName, workspace, part: TerraformStackPart.BASE },
    ...Array.from({ length: shardCount }, (_, i) => ({
      stack: `${environmentName}-shard-${shardLabel(i + 1)}`,
      workspace: `${workspace}-shard-${shardLabel(i + 1)}`,
      part: TerraformStackPart.TENANT_SHARD,
      shard: i + 1,
    })),
    { stack: `${environmentName}-charts`, workspace: `${workspace}-charts`, part: TerraformStackPart.CHARTS },
  ];
}

import * as fc from 'fast-check';
import { TenantSharding, tenantHash } from '../../src/model/sharding';

const tenantId = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/);
const tenantSet = fc.uniqueArray(tenantId, { minLength: 0, maxLength: 300 });

describe('TenantSharding', () => {
  test('assignment is stable: adding or removing tenants never moves another tenant (property)', () => {
    fc.assert(fc.property(
      tenantSet, fc.uniqueArray(tenantId, { maxLength: 50 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 2 ** 31 }),
      (tenants, added, shardCount, seed) => {
        const sharding = new TenantSharding({ shardCount, maxTenantsPerShard: 100_000 });
        const where = (ids: string[]) => {
          const m = new Map<string, number>();
          sharding.assign(ids).forEach((shard, i) => shard.forEach(id => m.set(id, i + 1)));
          return m;
        };
        const before = where(tenants);
        // Remove a pseudo-random subset, add new tenants.
        const kept = tenants.filter((_, i) => Math.floor(seed / 2 ** (i % 31)) % 2 === 0);
        const after = where([...new Set([...added, ...kept])]);
        for (const id of kept) expect(after.get(id)).toBe(before.get(id));
        for (const [id, shard] of after) expect(shard).toBe(sharding.shardOf(id));
      },
    ), { numRuns: 300 });
  });

  test('a tenant\'s shard depends only on its id and the shard count, not on the order or the other tenants (property)', () => {
    fc.assert(fc.property(tenantSet, fc.integer({ min: 1, max: 20 }), (tenants, shardCount) => {
      const sharding = new TenantSharding({ shardCount, maxTenantsPerShard: 100_000 });
      const forward = sharding.assign(tenants);
      const backward = sharding.assign([...tenants].reverse());
      expect(forward.map(s => [...s].sort())).toEqual(backward.map(s => [...s].sort()));
      expect(forward.flat().sort()).toEqual([...tenants].sort());
    }), { numRuns: 200 });
  });

  test('the hash is fixed (the same on every machine and release): known values', () => {
    // Recorded once; a change here would move tenants between Terraform workspaces.
    expect(tenantHash('acme')).toBe(2183869357);
    const sharding = new TenantSharding({ shardCount: 4 });
    expect(['acme', 'globex', 'initech', 'umbrella', 'tenant-00042'].map(id => sharding.shardOf(id))).toEqual([2, 2, 3, 2, 4]);
  });

  test('spreads tenants roughly evenly', () => {
    const sharding = new TenantSharding({ shardCount: 10, maxTenantsPerShard: 10_000 });
    const sizes = sharding.assign(Array.from({ length: 10_000 }, (_, i) => `tenant-${i}`)).map(s => s.length);
    expect(Math.min(...sizes)).toBeGreaterThan(900);
    expect(Math.max(...sizes)).toBeLessThan(1100);
  });

  test('refuses a shard over its maximum instead of moving tenants, naming the shard and the way out', () => {
    const sharding = new TenantSharding({ shardCount: 2, maxTenantsPerShard: 3 });
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect(() => sharding.assign(ids, 'inopsio/prod.sharding')).toThrow(/inopsio\/prod\.sharding: shard 0[12] holds \d+ tenants, more than maxTenantsPerShard 3 \(got \d+\); tenants are never moved to another shard automatically: raise maxTenantsPerShard, or add shards without moving anyone \(pin every current tenant with TenantSharding\.pinsFor, then raise shardCount/);
  });

  test('adding shards without moving anyone: pin the current tenants, then raise shardCount (property)', () => {
    fc.assert(fc.property(tenantSet, fc.uniqueArray(tenantId, { maxLength: 30 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }),
      (tenants, later, count, more) => {
        const old = new TenantSharding({ shardCount: count, maxTenantsPerShard: 100_000 });
        const pinnedTenants = TenantSharding.pinsFor(old, tenants);
        const grown = new TenantSharding({ shardCount: count + more, maxTenantsPerShard: 100_000, pinnedTenants });
        for (const id of tenants) expect(grown.shardOf(id)).toBe(old.shardOf(id));
        for (const id of later) {
          const s = grown.shardOf(id);
          expect(s).toBeGreaterThanOrEqual(1);
          expect(s).toBeLessThanOrEqual(count + more);
        }
      }), { numRuns: 200 });
  });

  test('validates its settings, listing every problem', () => {
    expect(() => new TenantSharding({ shardCount: 0, maxTenantsPerShard: 0, pinnedTenants: { acme: 3 } }, 'p.sharding')).toThrow(
      /p\.sharding: shardCount is not a whole number from 1 to 99 \(got 0\)[^]*p\.sharding: maxTenantsPerShard is not a whole number of at least 1 \(got 0\)[^]*p\.sharding: pinnedTenants\.acme is not a shard from 1 to 0 \(got 3\)/,
    );
    expect(() => new TenantSharding({ shardCount: 2, pinnedTenants: { acme: 3 } })).toThrow('pinnedTenants.acme is not a shard from 1 to 2 (got 3); pin the tenant to an existing shard');
    expect(new TenantSharding({ shardCount: 2, pinnedTenants: { acme: 2 } }).shardOf('acme')).toBe(2);
  });
});

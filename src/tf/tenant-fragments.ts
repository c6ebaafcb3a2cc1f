/**
 * A tenant's part of a stack's Terraform JSON, cut out of the JSON a stack writes and merged back into a stack
 * built without that tenant (incremental synthesis, src/platform/synthesis-cache.ts; docs/performance.md
 * "Incremental synthesis").
 *
 * Own implementation: it follows this library's stack layout (a tenant's elements live below `Tenant-<id>`
 * construct scopes) and cdktf's JSON (every element carries `//.metadata.path`); no library knows either.
 *
 * Why the merge is byte-identical: the stack is written with `writeStableJson` (keys sorted at every level), so the
 * position of a block in the file depends on its key only, never on when it was built. What a stack built without
 * the tenant lacks is exactly: (1) the tenant's own blocks (found by construct path); (2) the shared elements that
 * exist only because some tenant needs them (the PostgreSQL or MinIO provider, their variables, the bucket data
 * source, `ephemeral` passwords, `terraform.required_providers` entries), found by following the references of the
 * tenant's blocks and the providers of their resource types, and merged only where absent; (3) cdktf's
 * `//.metadata.overrides` entries of the tenant's resources; (4) the tenant's base release in the `depends_on` of
 * the environment charts, which install after every tenant base (in the environment's tenant order).
 */
import { IConstruct } from 'constructs';
import { DeferredJson } from './stable-json';

/** Format of a fragment (bump when its shape or the extraction changes). */
export const TENANT_FRAGMENT_FORMAT = 'inopsio-tenant-fragment/v1';

/** A tenant's Terraform blocks of one stack, as JSON. */
export interface TenantFragment {
  readonly format: string;
  readonly tenantId: string;
  /** The blocks, and the shared elements they need, as partial stack JSON (`resource`, `data`, `provider`, ...). */
  readonly blocks: any;
  /** `//.metadata.overrides` entries of the tenant's resources: resource type → override keys. */
  readonly overrides: { [resourceType: string]: string[] };
  /**
   * The stack's own override keys (`//.metadata.overrides.stack`: top-level keys set with `stack.addOverride`, such
   * as `ephemeral`) that the fragment's blocks fall under: a stack built without the tenant may not list them.
   */
  readonly stackOverrides: string[];
  /** The tenant base release's address (`helm_release.<id>`), which the environment charts depend on. */
  readonly baseAddress?: string;
}

/** Top-level block kinds keyed by type then name (`resource.<type>.<name>`). */
const TYPED = ['resource', 'data', 'ephemeral'];
/** Top-level block kinds keyed by name (`variable.<name>`). */
const NAMED = ['variable', 'output', 'locals'];
const ADDRESS = /\b(var|local|data|ephemeral)\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?/g;

/** Whether a construct path (below `stackPath`) belongs to the tenant: one of its segments is `Tenant-<id>`. */
export function isTenantPath(constructPath: string, stackPath: string, tenantId: string): boolean {
  if (!constructPath.startsWith(`${stackPath}/`)) return false;
  return constructPath.slice(stackPath.length + 1).split('/').includes(`Tenant-${tenantId}`);
}

function pathOf(block: any): string | undefined {
  const p = block?.['//']?.metadata?.path;
  return typeof p === 'string' ? p : undefined;
}

/** The provider (and `required_providers` key) of a resource or data source type: the part before the first `_`. */
function providerOfType(type: string): string {
  return type.split('_')[0];
}

interface TenantBlock {
  readonly kind: string;
  readonly key: string[];
  readonly block: unknown;
  readonly path: string;
}

/** Per stack JSON: its blocks by tenant id, found in one pass (cutting every tenant's fragment stays linear). */
const BLOCKS = new WeakMap<object, Map<string, TenantBlock[]>>();

function tenantBlocks(json: any, stackPath: string): Map<string, TenantBlock[]> {
  const known = typeof json === 'object' && json !== null ? BLOCKS.get(json) : undefined;
  if (known) return known;
  const out = new Map<string, TenantBlock[]>();
  const add = (kind: string, key: string[], block: unknown) => {
    // A deferred block is a released tenant's (`deferBlocks`): its fragment is cut from its own blocks.
    const p = pathOf(block);
    if (p === undefined || !p.startsWith(`${stackPath}/`)) return;
    const scope = p.slice(stackPath.length + 1).split('/').find(s => s.startsWith('Tenant-'));
    if (scope === undefined) return;
    const id = scope.slice('Tenant-'.length);
    const list = out.get(id) ?? [];
    list.push({ kind, key, block, path: p });
    out.set(id, list);
  };
  for (const kind of TYPED) {
    for (const [type, byName] of Object.entries<any>(json?.[kind] ?? {})) {
      for (const [name, block] of Object.entries<any>(byName ?? {})) add(kind, [type, name], block);
    }
  }
  for (const kind of NAMED) {
    for (const [name, block] of Object.entries<any>(json?.[kind] ?? {})) add(kind, [name], block);
  }
  if (typeof json === 'object' && json !== null) BLOCKS.set(json, out);
  return out;
}

/**
 * Cut the tenant's fragment out of a stack's JSON (not changed). `overrides` are the override keys of the tenant's
 * resources, by type, as cdktf lists them (`tenantOverrides`).
 */
export function extractTenantFragment(
  json: any, stackPath: string, tenantId: string, overrides: { [resourceType: string]: string[] }, own?: any,
): TenantFragment {
  const ownBlocks = own === undefined ? tenantBlocks(json, stackPath).get(tenantId) ?? [] : tenantBlocks(own, stackPath).get(tenantId) ?? [];
  const lookup = (kind: string, key: string[]): unknown => {
    const value = key.reduce((n: any, k) => n?.[k], json?.[kind]);
    return value instanceof DeferredJson ? value.toJSON() : value;
  };
  const blocks: any = {};
  const set = (kind: string, key: string[], value: unknown) => {
    let node = blocks[kind] ?? (blocks[kind] = {});
    for (const k of key.slice(0, -1)) node = node[k] ?? (node[k] = {});
    node[key[key.length - 1]] = value;
  };
  const has = (kind: string, key: string[]) => key.reduce((n: any, k) => n?.[k], blocks[kind]) !== undefined;
  const pending: any[] = [];
  const providers = new Set<string>();
  let baseAddress: string | undefined;
  for (const { kind, key, block, path: p } of ownBlocks) {
    set(kind, key, block);
    pending.push(block);
    if (key.length === 2) providers.add(providerOfType(key[0]));
    if (kind === 'resource' && key[0] === 'helm_release' && p === `${stackPath}/Tenant-${tenantId}/Base`) baseAddress = `${key[0]}.${key[1]}`;
  }
  // The shared elements the tenant's blocks need, followed through their references (a provider's variables...).
  const needProvider = (name: string) => {
    if (providers.has(name) && has('provider', [name])) return;
    providers.add(name);
    const provider = lookup('provider', [name]);
    if (provider !== undefined && !has('provider', [name])) {
      set('provider', [name], provider);
      pending.push(provider);
    }
  };
  for (const name of [...providers]) {
    providers.delete(name);
    needProvider(name);
  }
  while (pending.length > 0) {
    // Every string is scanned (interpolations and `depends_on` alike); only elements of this stack are taken.
    const text = JSON.stringify(pending.pop());
    {
      for (const m of text.matchAll(ADDRESS)) {
        if (m[1] === 'var' || m[1] === 'local') {
          const kind = m[1] === 'var' ? 'variable' : 'locals';
          const value = lookup(kind, [m[2]]);
          if (value !== undefined && !has(kind, [m[2]])) {
            set(kind, [m[2]], value);
            pending.push(value);
          }
        } else if ((m[1] === 'data' || m[1] === 'ephemeral') && m[3] !== undefined) {
          const value = lookup(m[1], [m[2], m[3]]);
          if (value !== undefined && !has(m[1], [m[2], m[3]])) {
            set(m[1], [m[2], m[3]], value);
            pending.push(value);
            needProvider(providerOfType(m[2]));
          }
        }
      }
    }
  }
  for (const name of providers) {
    const required = json?.terraform?.required_providers?.[name];
    if (required !== undefined) {
      blocks.terraform = blocks.terraform ?? { required_providers: {} };
      blocks.terraform.required_providers[name] = required;
    }
  }
  const stackKeys: unknown = json?.['//']?.metadata?.overrides?.stack;
  const stackOverrides = Array.isArray(stackKeys) ? stackKeys.filter(k => typeof k === 'string' && blocks[k] !== undefined) : [];
  return { format: TENANT_FRAGMENT_FORMAT, tenantId, blocks, overrides, stackOverrides, baseAddress };
}

/**
 * Deep-merge `from` into `into`: objects key by key, a value already there is kept (shared elements are equal). The
 * block kinds and types (the first two levels) are new objects, never the fragment's own: a fragment kept for the
 * next synthesis (a released tenant's) must not receive the blocks of the fragments merged after it.
 */
function mergeAbsent(into: any, from: any, level: number = 0): void {
  for (const [k, v] of Object.entries<any>(from)) {
    if (into[k] === undefined) {
      if (level < 2 && isObject(v)) mergeAbsent(into[k] = {}, v, level + 1);
      else into[k] = v;
    } else if (isObject(into[k]) && isObject(v)) {
      mergeAbsent(into[k], v, level + 1);
    }
  }
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof DeferredJson);
}

/**
 * A fragment's blocks with each block (`resource.<type>.<name>`, `variable.<name>`...) kept as its JSON text until
 * the stack is written (a released tenant's, bounded memory: as objects they held several times the memory).
 */
export function deferBlocks(blocks: any): any {
  const out: any = {};
  const places: Array<{ into: any; key: string; value: unknown }> = [];
  const defer = (into: any, value: any, depth: number) => {
    for (const [k, v] of Object.entries<any>(value)) {
      if (depth === 1) places.push({ into, key: k, value: v });
      else if (isObject(v)) defer(into[k] = {}, v, depth - 1);
      else into[k] = v;
    }
  };
  for (const [kind, value] of Object.entries<any>(blocks)) {
    const depth = TYPED.includes(kind) ? 2 : NAMED.includes(kind) ? 1 : 0;
    if (depth === 0 || !isObject(value)) out[kind] = value;
    else defer(out[kind] = {}, value, depth);
  }
  DeferredJson.all(places.map(p => p.value)).forEach((deferred, i) => places[i].into[places[i].key] = deferred);
  return out;
}

/** The Terraform addresses of a fragment's blocks: `<type>.<name>` of its resources, `data.<type>.<name>` of its data sources. */
export function blockAddresses(blocks: any): Set<string> {
  const out = new Set<string>();
  for (const [type, byName] of Object.entries<any>(blocks?.resource ?? {})) for (const name of Object.keys(byName ?? {})) out.add(`${type}.${name}`);
  for (const [type, byName] of Object.entries<any>(blocks?.data ?? {})) for (const name of Object.keys(byName ?? {})) out.add(`data.${type}.${name}`);
  return out;
}

/** Stack JSON (or a fragment's blocks) with its deferred blocks parsed: new objects down to the blocks. */
export function materializeBlocks(json: any): any {
  if (!isObject(json)) return json;
  const out: any = { ...json };
  for (const kind of [...TYPED, ...NAMED]) {
    const byKey: unknown = out[kind];
    if (isObject(byKey)) out[kind] = parseDeferred(byKey, TYPED.includes(kind) ? 2 : 1);
  }
  return out;
}

function parseDeferred(value: any, depth: number): any {
  const out: any = {};
  for (const [k, v] of Object.entries<any>(value)) {
    out[k] = v instanceof DeferredJson ? v.toJSON() : depth > 1 && isObject(v) ? parseDeferred(v, depth - 1) : v;
  }
  return out;
}

/**
 * Merge cached tenants' fragments into the JSON of a stack built without them (changed in place, returned).
 * `tenantOrder` is the environment's tenant order: the environment charts' `depends_on` lists every tenant base in it.
 */
export function mergeTenantFragments(json: any, stackPath: string, fragments: TenantFragment[], tenantOrder: string[]): any {
  if (fragments.length === 0) return json;
  for (const f of fragments) mergeAbsent(json, f.blocks);
  // cdktf lists the override keys of every resource, by type, in construct order; the library's are all alike.
  const metadata = json['//']?.metadata;
  for (const f of fragments) {
    if (!metadata) continue;
    metadata.overrides = metadata.overrides ?? {};
    for (const [type, keys] of Object.entries(f.overrides)) {
      (metadata.overrides[type] ?? (metadata.overrides[type] = [])).push(...keys);
    }
    // The stack's own keys, in the order they were first set (after the ones the stack sets itself).
    for (const key of f.stackOverrides) {
      const stack: string[] = metadata.overrides.stack ?? (metadata.overrides.stack = []);
      if (!stack.includes(key)) stack.push(key);
    }
  }
  // The environment charts install after every tenant base: their depends_on in the environment's tenant order.
  const cached = new Map(fragments.filter(f => f.baseAddress).map(f => [f.tenantId, f.baseAddress!]));
  const order = new Map(tenantOrder.map((id, i) => [id, i]));
  const tenantOfBase = (address: string): string | undefined => {
    const m = /^helm_release\.Tenant-(.+)_Base_[A-Z0-9]+$/.exec(address);
    return m && order.has(m[1]) ? m[1] : undefined;
  };
  for (const [name, block] of Object.entries<any>(json.resource?.helm_release ?? {})) {
    const p = pathOf(block);
    if (p === undefined || !/^Environment-[^/]+\/Release$/.test(p.slice(stackPath.length + 1)) || !p.startsWith(`${stackPath}/`)) continue;
    const existing: string[] = Array.isArray(block.depends_on) ? block.depends_on : [];
    const others = existing.filter(a => tenantOfBase(a) === undefined);
    const bases = new Map(existing.filter(a => tenantOfBase(a) !== undefined).map(a => [tenantOfBase(a)!, a]));
    for (const [id, address] of cached) bases.set(id, address);
    const sorted = [...bases.entries()].sort((a, b) => order.get(a[0])! - order.get(b[0])!).map(([, a]) => a);
    json.resource.helm_release[name] = { ...block, depends_on: [...others, ...sorted] };
  }
  return json;
}

/** The override keys of every Terraform resource below the tenant's scopes in a stack, by type, in construct order. */
export function tenantOverrides(scopes: IConstruct[]): { [resourceType: string]: string[] } {
  const out: { [resourceType: string]: string[] } = {};
  for (const scope of scopes) {
    for (const c of scope.node.findAll()) {
      const raw = (c as any).rawOverrides;
      const type = (c as any).terraformResourceType;
      if (typeof type !== 'string' || !raw || typeof raw !== 'object') continue;
      const keys = Object.keys(raw);
      if (keys.length > 0) out[type] = [...(out[type] ?? []), ...keys];
    }
  }
  return out;
}

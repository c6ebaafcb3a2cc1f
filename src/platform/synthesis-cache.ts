/**
 * Incremental synthesis (docs/performance.md "Incremental synthesis"): a cache folder holding, per environment and
 * tenant, the files a synthesis wrote for that tenant and its blocks of the Terraform stack, under a key that digests
 * everything that reaches them. A re-synth neither builds the charts nor the Terraform of a tenant whose key is
 * unchanged: its files are hard-linked back (each checked first: `restore`) and its blocks merged into its stack.
 *
 * Own implementation: the key follows this library's model and props, the entries its output layout; no caching
 * library knows either (a generic file cache would still need both).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ManifestPrerequisiteRecords } from '../lifecycle/prerequisites';
import { Environment } from '../model/environment';
import { Tenant } from '../model/tenant';
import { filesBelow as filesInTree, hardLink } from '../output/tree';
import { TenantFragment, TENANT_FRAGMENT_FORMAT } from '../tf/tenant-fragments';

/** Environment variable naming the cache folder when `PlatformProps.synthesisCache` is not set. */
export const SYNTH_CACHE_ENV_VAR = 'INOPSIO_SYNTH_CACHE';

/** Format of an entry; part of every key, so a change of format misses instead of misreading. */
const ENTRY_FORMAT = 'inopsio-synthesis-cache/v2';
/** The entry: its sha256 on the first line, its JSON on the second (hashed as text: no canonical form to rebuild). */
const ENTRY_FILE = 'entry';
const FILES = 'files';
/** The tenant's documents as JSON (for the policy pack when its fragment must be computed again, cheaper than parsing its YAML). */
const DOCUMENTS_FILE = 'documents.json';
/** Prefix, inside an entry's `files/`, of what goes to the Terraform outdir (the rest goes to the Platform's outdir). */
const TERRAFORM_PREFIX = 'cdktf.out';

/** Where and how `Platform.synth()` caches each tenant's output between runs (incremental synthesis). */
export interface SynthesisCacheOptions {
  /**
   * The cache folder (created when missing). One entry per environment and tenant, replaced when its key changes;
   * keep it between CI runs (docs/performance.md "Incremental synthesis").
   */
  readonly directory: string;
  /**
   * Any text that should invalidate every entry when it changes: the digest of your own code that `workloads`
   * builders call, a tool version, a date.
   * @default - none (the key already covers the library, its dependencies, the props and the model)
   */
  readonly salt?: string;
}

/** What the key of one tenant is made of; `tenantCacheKey` digests it. */
export interface TenantCacheKeyInputs {
  /** The library's version, its code and its dependencies' versions (`libraryDigest()`). */
  readonly library: string;
  /** Every Platform prop that can reach a tenant's output (`platformDigest`). */
  readonly platform: string;
  /** The environment's settings, without its tenants (`environmentDigest`). */
  readonly environment: string;
  /** The tenant's resolved model (`tenantDigest`). */
  readonly tenant: string;
}

/** One digest of everything that reaches a tenant's output: a change of any input changes it. */
export function tenantCacheKey(inputs: TenantCacheKeyInputs): string {
  const h = crypto.createHash('sha256').update(ENTRY_FORMAT);
  for (const part of [inputs.library, inputs.platform, inputs.environment, inputs.tenant]) h.update('\0').update(part);
  return h.digest('hex');
}

/**
 * Props that never reach a tenant's files: the policy pack's settings (it reads the output, writes only its report),
 * the part of a split synthesis (which files are kept, not what they hold), the output folder (a tenant's files
 * hold relative paths only; the migration hooks' path is in the environment chart, which is always built), the cache
 * itself and the environments (digested one by one: `environmentDigest`, `tenantDigest`). The test synthesizes
 * into different folders and compares every byte.
 */
const NOT_IN_OUTPUT = new Set(['policy', 'synthesisShard', 'synthesisCache', 'environments', 'outdir']);

/** Digest of the Platform's props that can reach a tenant's output, and of every environment's settings. */
export function platformDigest(props: object, environments: readonly Environment[]): string {
  const kept = Object.fromEntries(Object.entries(props).filter(([k]) => !NOT_IN_OUTPUT.has(k)));
  // Every environment's settings (not its tenants): a preview's host, the Argo CD project lock and parity cross them.
  return sha256(canonical({ props: kept, environments: environments.map(e => environmentDigest(e)) }));
}

/** Digest of an environment's settings, without its tenants. */
export function environmentDigest(env: Environment): string {
  return sha256(canonical(env, v => v instanceof Tenant));
}

/** Digest of a tenant's model. */
export function tenantDigest(tenant: Tenant): string {
  return sha256(canonical(tenant));
}

let libraryDigestOnce: string | undefined;

/**
 * The library's version, a digest of its own code (every file of the compiled package, `lib/`, or of `src/` when run
 * from source) and the versions of its dependencies (cdk8s, cdktf, the providers...). The version alone would miss a
 * locally built or patched package; the code digest costs a few tens of milliseconds once per process.
 */
export function libraryDigest(): string {
  if (libraryDigestOnce !== undefined) return libraryDigestOnce;
  const codeRoot = path.resolve(__dirname, '..');
  const h = crypto.createHash('sha256');
  const pkgFile = path.join(codeRoot, '..', 'package.json');
  const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, 'utf8')) : {};
  h.update(`${pkg.name}@${pkg.version}\n`);
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.bundledDependencies }).sort()) {
    let version = 'unknown';
    try {
      version = JSON.parse(fs.readFileSync(require.resolve(`${dep}/package.json`, { paths: [codeRoot] }), 'utf8')).version;
    } catch {
      // Packages whose package.json is not exported: their name alone (the library's own lock pins them).
    }
    h.update(`${dep}@${version}\n`);
  }
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|json|sh)$/.test(e.name)) h.update(`${path.relative(codeRoot, p)}\n`).update(fs.readFileSync(p));
    }
  };
  walk(codeRoot);
  libraryDigestOnce = h.digest('hex');
  return libraryDigestOnce;
}

function sha256(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

const classSources = new WeakMap<Function, string>();

/**
 * A deterministic text of a value: object keys sorted, class instances with their class's source (its methods reach
 * the output), functions with their source (a workload builder), Maps and Sets in order, cycles cut. `skip` leaves
 * values out (an environment's tenants).
 */
export function canonical(value: unknown, skip: (v: unknown) => boolean = () => false): string {
  const ancestors: object[] = [];
  const write = (v: unknown): string => {
    if (v === undefined) return 'u';
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol') return 's';
    if (typeof v === 'function') return `f${JSON.stringify(v.toString())}`;
    const o = v as object;
    if (ancestors.includes(o)) return 'cycle';
    ancestors.push(o);
    try {
      if (Array.isArray(o)) return `[${o.filter(x => !skip(x)).map(write).join(',')}]`;
      if (o instanceof Map) return `M[${[...o.entries()].filter(([, x]) => !skip(x)).map(([k, x]) => `${write(k)}:${write(x)}`).sort().join(',')}]`;
      if (o instanceof Set) return `S[${[...o].filter(x => !skip(x)).map(write).sort().join(',')}]`;
      const proto = Object.getPrototypeOf(o);
      let cls = '';
      if (proto !== null && proto !== Object.prototype && typeof proto.constructor === 'function') {
        const ctor = proto.constructor as Function;
        if (!classSources.has(ctor)) classSources.set(ctor, sha256(ctor.toString()));
        cls = `${ctor.name}:${classSources.get(ctor)}`;
      }
      const fields = Object.keys(o).sort().filter(k => !skip((o as any)[k])).map(k => `${JSON.stringify(k)}:${write((o as any)[k])}`);
      return `{${cls}|${fields.join(',')}}`;
    } finally {
      ancestors.pop();
    }
  };
  return write(value);
}

/** A tenant's Terraform blocks in one stack. */
export interface CachedFragment {
  readonly stack: string;
  readonly fragment: TenantFragment;
}

/** A checked entry (its own digest verified; its files are checked before they are placed: `restore`). */
export interface CacheEntry {
  readonly format: string;
  readonly key: string;
  readonly environment: string;
  readonly tenant: string;
  /** Documents of the tenant's manifest file. */
  readonly documentCount: number;
  /** The tenant's manifest file, relative to the Platform's outdir. */
  readonly manifestFile: string;
  /** Every file, relative to the entry's `files/` folder (`cdktf.out/...` for the Terraform outdir), → sha256. */
  readonly files: { [file: string]: string };
  /**
   * Each file's size, modification time (ns) and inode in the entry as it was stored. A file whose three are unchanged
   * is taken as it is (hard-linked into the output, not read); any other is read and checked against its sha256
   * (docs/performance.md "What a re-synth verifies").
   */
  readonly stats: { [file: string]: CachedFileStat };
  /** sha256 of `documents.json`, the documents of the manifest file as JSON. */
  readonly documents: string;
  /** What the manifest file's documents declare for the lifecycle inventory (src/lifecycle/prerequisites.ts). */
  readonly prerequisites: ManifestPrerequisiteRecords;
  readonly fragments: CachedFragment[];
  /**
   * The tenant's policy result: its `TenantPolicyFragment` (src/policy/fragment.ts) and a digest of the policy
   * settings it was computed under; `null` when the policy pack was off (the Platform checks it is still valid before
   * it hands it back: src/platform/platform.ts `reusablePolicy`).
   */
  readonly policy: unknown;
}

/** A cached file's metadata as stored: a write to it changes its size or its modification time, a replacement its inode. */
export interface CachedFileStat {
  readonly size: number;
  /** Modification time in nanoseconds, as a decimal string (beyond a double's precision). */
  readonly mtimeNs: string;
  /** Inode number, as a decimal string. */
  readonly ino: string;
}

function statOf(file: string): CachedFileStat {
  const st = fs.statSync(file, { bigint: true });
  return { size: Number(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino) };
}

/** The cache folder of one Platform: looks entries up, links (or copies) them back, stores new ones. */
export class SynthesisCache {
  /** The cache of `options`, or of `INOPSIO_SYNTH_CACHE`; undefined when neither is set. */
  public static of(options: SynthesisCacheOptions | undefined, props: object, environments: readonly Environment[]): SynthesisCache | undefined {
    const directory = options?.directory ?? (process.env[SYNTH_CACHE_ENV_VAR] || undefined);
    if (directory === undefined) return undefined;
    const salt = options?.salt ?? '';
    return new SynthesisCache(directory, sha256(`${libraryDigest()}\0${salt}`), platformDigest(props, environments));
  }

  private readonly environments = new Map<Environment, string>();
  /** Where `keepDocuments` writes (inside the cache folder: a rename into the entry never crosses file systems). */
  private readonly pending: string;

  private constructor(public readonly directory: string, private readonly library: string, private readonly platform: string) {
    this.pending = path.join(directory, `.pending-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  }

  /** The key of a tenant of an environment. */
  public keyOf(env: Environment, tenant: Tenant): string {
    if (!this.environments.has(env)) this.environments.set(env, environmentDigest(env));
    return tenantCacheKey({ library: this.library, platform: this.platform, environment: this.environments.get(env)!, tenant: tenantDigest(tenant) });
  }

  private entryDir(environment: string, tenant: string): string {
    return path.join(this.directory, environment, tenant);
  }

  /** The entry of a tenant when one with its current key is there and intact (its own digest); else undefined. */
  public lookup(env: Environment, tenant: Tenant): CacheEntry | undefined {
    const file = path.join(this.entryDir(env.name, tenant.id), ENTRY_FILE);
    let entry: CacheEntry;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const newline = text.indexOf('\n');
      const body = text.slice(newline + 1);
      if (newline !== 64 || text.slice(0, 64) !== sha256(body)) return undefined;
      entry = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (entry?.format !== ENTRY_FORMAT || entry.key !== this.keyOf(env, tenant)) return undefined;
    if (entry.environment !== env.name || entry.tenant !== tenant.id) return undefined;
    if (!Array.isArray(entry.fragments) || entry.fragments.some(f => f.fragment?.format !== TENANT_FRAGMENT_FORMAT)) return undefined;
    if (!Array.isArray(entry.prerequisites?.found) || !Array.isArray(entry.prerequisites?.kvReads) || typeof entry.stats !== 'object' || entry.stats === null) return undefined;
    return entry;
  }

  /**
   * Place an entry's files into the staged outdirs: hard links to the entry's files (copies where the file system
   * refuses a link). Every file is checked first, and nothing is placed unless all pass: a file whose size,
   * modification time and inode are those stored is taken as it is; any other is read and must match its sha256 (a
   * cache restored by CI, say, has new inodes and times but the same bytes). Returns where each file went (by its name
   * in the entry), or undefined when a file is missing or altered: then nothing of the entry is used, and nothing was
   * placed that the rebuilt tenant's files could write through into the cache.
   */
  public restore(entry: CacheEntry, outdir: string, terraformOutdir: string): Map<string, string> | undefined {
    const from = path.join(this.entryDir(entry.environment, entry.tenant), FILES);
    const files = Object.entries(entry.files);
    for (const [rel, digest] of files) {
      if (!intact(path.join(from, rel), digest, entry.stats[rel])) return undefined;
    }
    const made = new Set<string>();
    const placed = new Map<string, string>();
    for (const [rel] of files) {
      const target = targetOf(rel, outdir, terraformOutdir);
      const dir = path.dirname(target);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      placeFile(path.join(from, rel), target);
      placed.set(rel, target);
    }
    return placed;
  }

  /** The documents of a (restored) entry's manifest file; undefined when `documents.json` is missing or altered. */
  public documentsOf(entry: CacheEntry): unknown[] | undefined {
    try {
      const bytes = fs.readFileSync(path.join(this.entryDir(entry.environment, entry.tenant), DOCUMENTS_FILE));
      return sha256(bytes) === entry.documents ? JSON.parse(bytes.toString('utf8')) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Keep a built tenant's documents until its entry is stored (`store`): written now, while they are in memory, so that
   * nothing holds every tenant's documents until the end of the synthesis.
   */
  public keepDocuments(env: Environment, tenant: Tenant, documents: unknown[]): void {
    const file = path.join(this.pending, env.name, `${tenant.id}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(documents));
  }

  /**
   * Keep a built tenant's Terraform blocks until its entry is stored, written now: held in memory, they would keep
   * their stack's whole JSON alive until the end of the synthesis.
   */
  public keepFragment(environment: string, tenantId: string, fragment: CachedFragment): void {
    const file = path.join(this.pending, environment, `${tenantId}.fragments`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(fragment)}\n`);
  }

  /** The blocks kept for a built tenant (`keepFragment`), in the order kept. */
  public keptFragments(environment: string, tenantId: string): CachedFragment[] {
    const file = path.join(this.pending, environment, `${tenantId}.fragments`);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(l => l !== '').map(l => JSON.parse(l));
  }

  /** Delete the documents kept for entries not stored (a failed synthesis). */
  public discardPending(): void {
    fs.rmSync(this.pending, { recursive: true, force: true });
  }

  /**
   * Store a built tenant's entry: its files (relative to the staged outdirs: `files` under the Platform's outdir,
   * `terraformFiles` under the Terraform outdir) and its blocks. Written next to the entry and renamed into place.
   */
  public store(
    env: Environment, tenant: Tenant, outdir: string, terraformOutdir: string,
    files: string[], terraformFiles: string[], manifestFile: string, documentCount: number, fragments: CachedFragment[], policy: unknown,
    prerequisites: ManifestPrerequisiteRecords,
  ): void {
    const dir = this.entryDir(env.name, tenant.id);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const temp = fs.mkdtempSync(`${dir}.new-`);
    const digests: { [file: string]: string } = {};
    // The same bytes (the manifest file, the local chart's copy, the Terraform chart asset) are stored once, linked.
    const stored = new Map<string, string>();
    const copy = (rel: string, source: string) => {
      const bytes = fs.readFileSync(source);
      const target = path.join(temp, FILES, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const digest = sha256(bytes);
      const same = stored.get(digest);
      if (same === undefined || !hardLink(same, target)) fs.writeFileSync(target, bytes);
      if (same === undefined) stored.set(digest, target);
      digests[rel] = digest;
    };
    for (const f of files) copy(f, path.join(outdir, f));
    const kept = path.join(this.pending, env.name, `${tenant.id}.json`);
    const documents = sha256(fs.readFileSync(kept));
    fs.renameSync(kept, path.join(temp, DOCUMENTS_FILE));
    for (const f of terraformFiles) copy(path.join(TERRAFORM_PREFIX, f), path.join(terraformOutdir, f));
    // Taken after every file is written (a link changes no file's size, time or inode); the rename below keeps them.
    const stats = Object.fromEntries(Object.keys(digests).map(rel => [rel, statOf(path.join(temp, FILES, rel))]));
    const body = {
      format: ENTRY_FORMAT,
      key: this.keyOf(env, tenant),
      environment: env.name,
      tenant: tenant.id,
      documentCount,
      manifestFile,
      files: digests,
      stats,
      documents,
      prerequisites,
      fragments,
      policy: policy ?? null,
    };
    const text = JSON.stringify(body);
    fs.writeFileSync(path.join(temp, ENTRY_FILE), `${sha256(text)}\n${text}`);
    // Replace the old entry: move it aside, move the new one in, delete the old one.
    const old = fs.existsSync(dir) ? `${temp}.old` : undefined;
    if (old) fs.renameSync(dir, old);
    fs.renameSync(temp, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  }
}

/** A cached file is as stored: unchanged metadata, or else the bytes of its digest. */
function intact(file: string, digest: string, stored: CachedFileStat | undefined): boolean {
  let now: CachedFileStat;
  try {
    now = statOf(file);
  } catch {
    return false;
  }
  if (stored !== undefined && now.size === stored.size && now.mtimeNs === stored.mtimeNs && now.ino === stored.ino) return true;
  try {
    return sha256(fs.readFileSync(file)) === digest;
  } catch {
    return false;
  }
}

/** `target` gets `source`'s bytes: a hard link, or a copy where the file system refuses one (another device). */
function placeFile(source: string, target: string): void {
  if (!hardLink(source, target)) fs.copyFileSync(source, target);
}

function targetOf(rel: string, outdir: string, terraformOutdir: string): string {
  const parts = rel.split(/[\\/]/);
  return parts[0] === TERRAFORM_PREFIX ? path.join(terraformOutdir, ...parts.slice(1)) : path.join(outdir, ...parts);
}

/** Every file below `dir`, relative to `base`, sorted (the output tree's one reader, src/output/tree.ts). */
export function filesBelow(dir: string, base: string): string[] {
  return filesInTree(dir).map(f => path.relative(base, f)).sort();
}

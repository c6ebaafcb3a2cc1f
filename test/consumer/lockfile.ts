// Derive the package-lock.json of a consumer app from this project's own lock, so that `npm ci --offline` in the
// consumer installs exactly the versions that `npm ci` of this project put into the npm cache (no packument
// resolution, no newer versions that were never downloaded, no network).

/** One entry of `packages` in a lockfile (v2/v3). */
export interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly bundleDependencies?: string[] | boolean;
  readonly inBundle?: boolean;
  readonly [key: string]: unknown;
}

/** A lockfile (v2/v3). */
export interface Lockfile {
  readonly name?: string;
  readonly version?: string;
  readonly lockfileVersion: number;
  readonly requires?: boolean;
  readonly packages: Record<string, LockEntry>;
}

/** Where Node's resolution finds `name` when required from the package installed at `from` ('' for the root). */
export function resolveLocation(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/**
 * The entries that `roots` (package names installed at the top level of `source`) need under Node's resolution,
 * keyed by location, without dependency flags (dev, peer, devOptional): in the consumer everything is a production
 * dependency of the root. `inBundle` stays: those come inside their parent's tarball, never from the registry. Throws if a root or a required (non-optional) dependency is missing.
 */
export function closure(source: Lockfile, roots: string[]): Map<string, LockEntry> {
  const src = source.packages;
  const keep = new Map<string, LockEntry>();
  const missing: string[] = [];
  const queue: string[] = [];
  for (const root of roots) {
    const loc = resolveLocation(src, '', root);
    if (loc) queue.push(loc);
    else missing.push(`${root} (a root of the consumer app)`);
  }
  while (queue.length > 0) {
    const loc = queue.shift()!;
    if (keep.has(loc)) continue;
    const { dev, peer, devOptional, ...entry } = src[loc] as Record<string, any>;
    void dev; void peer; void devOptional;
    keep.set(loc, entry as LockEntry);
    // Bundled dependencies come inside the parent's tarball; the lock lists them below it as inBundle entries.
    const bundled = new Set(Array.isArray(entry.bundleDependencies) ? entry.bundleDependencies : []);
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]: [string, any]) => m.optional).map(([n]) => n));
    const wanted: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((n): [string, boolean] => [n, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((n): [string, boolean] => [n, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((n): [string, boolean] => [n, optionalPeers.has(n)]),
    ];
    for (const [dep, optional] of wanted) {
      const found = resolveLocation(src, loc, dep);
      if (found) queue.push(found);
      else if (!optional && !bundled.has(dep)) missing.push(`${dep} (required by ${loc})`);
    }
  }
  if (missing.length > 0) {
    throw new Error(`the project's package-lock.json lacks what the consumer app needs:\n  ${missing.join('\n  ')}`);
  }
  return keep;
}

/** The packages a consumer app depends on, by name (versions come from the source lock). */
export interface Roots {
  readonly dependencies: string[];
  readonly devDependencies: string[];
}

/**
 * A lockfile for an app named `name` whose root depends on exactly `roots`, at the versions `source` locks them to,
 * with everything they need laid out as in `source`. Also returns the pinned versions for the app's package.json.
 */
export interface DerivedLockfile {
  readonly lock: Lockfile;
  /** Root dependencies pinned to their locked versions, for the app's package.json. */
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

export function deriveLockfile(source: Lockfile, roots: Roots, name: string): DerivedLockfile {
  const keep = closure(source, [...roots.dependencies, ...roots.devDependencies]);
  const pin = (names: string[]) => Object.fromEntries(names.map(n => [n, keep.get(`node_modules/${n}`)!.version!]));
  const dependencies = pin(roots.dependencies);
  const devDependencies = pin(roots.devDependencies);
  const packages: Record<string, LockEntry> = { '': { name, version: '1.0.0', dependencies, devDependencies } };
  for (const loc of [...keep.keys()].sort()) packages[loc] = keep.get(loc)!;
  return { lock: { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, dependencies, devDependencies };
}

/** What `addLocalPackage` needs to know of a packed tarball. */
export interface LocalPackage {
  /** The tarball's path as the consumer's package.json names it, e.g. `file:lib.tgz`. */
  readonly spec: string;
  /** `sha512-...` of the tarball. */
  readonly integrity: string;
  /** The packed package.json. */
  readonly manifest: Record<string, any>;
  /** Lock entries of the bundled dependencies, relative to the package (`node_modules/<name>`). */
  readonly bundled: Record<string, LockEntry>;
}

/**
 * Add a local tarball as a root dependency, the way npm itself records one (`resolved: file:...`, the bundled
 * dependencies as `inBundle` entries below it), so that `npm ci` installs it without building an ideal tree
 * (which would fetch full packuments that `npm ci` never caches).
 */
export function addLocalPackage(lock: Lockfile, pkg: LocalPackage): Lockfile {
  const m = pkg.manifest;
  const at = `node_modules/${m.name}`;
  const root = lock.packages[''];
  const packages: Record<string, LockEntry> = {
    '': { ...root, dependencies: { ...root.dependencies, [m.name]: pkg.spec } },
  };
  const entry: Record<string, unknown> = {
    version: m.version,
    resolved: pkg.spec,
    integrity: pkg.integrity,
  };
  const bundled = m.bundledDependencies ?? m.bundleDependencies;
  if (bundled) entry.bundleDependencies = bundled;
  for (const key of ['license', 'dependencies', 'bin', 'engines', 'peerDependencies', 'peerDependenciesMeta']) {
    if (m[key] !== undefined) entry[key] = m[key];
  }
  const rest = Object.entries(lock.packages).filter(([k]) => k !== '');
  for (const [k, v] of [...rest, [at, entry as LockEntry] as [string, LockEntry], ...Object.entries(pkg.bundled).map(([k2, v2]): [string, LockEntry] => [`${at}/${k2}`, { ...v2, inBundle: true }])].sort(([a], [b]) => a.localeCompare(b))) {
    packages[k] = v;
  }
  return { ...lock, packages };
}

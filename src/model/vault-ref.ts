import { Environment } from './environment';
import { isPreviewName, PREVIEW_VAULT_SCOPE, tenantVaultNames } from './names';
import { fail, formatProblem, LifecycleValidationError, Problems } from './problems';
import { Tenant } from './tenant';

/**
 * References to secrets in Vault (spec §5): `{{ vault('database/creds/tenant-db') }}` in Helm values, or typed
 * `VaultRef.databaseCreds('tenant-db')`. A reference names a secret; it never carries one. Framework-free, so the
 * k8s and tf layers derive the same paths and names from it.
 *
 * Path forms (B07–B08: no `*`, `+`, `..`, empty segments, templates, percent-encodings or whitespace):
 *
 * | written                              | resolved for environment `<env>`, tenant `<t>`     |
 * |--------------------------------------|----------------------------------------------------|
 * | `database/creds/tenant-db`           | `database-<env>/creds/<t>-db`                      |
 * | `database/creds/<t>-db`              | `database-<env>/creds/<t>-db`                      |
 * | `cache/creds/tenant-cache`           | `cache-<env>/creds/<t>-cache`                      |
 * | `kv/data/<path>`                     | `kv-<env>/data/<env>/<t>/<path>`                   |
 * | `kv-<env>/data/<env>/<t>/<path>`     | unchanged (absolute; must be this env and tenant)  |
 * | `database-<env>/creds/<role>`        | unchanged (absolute; must be this env and tenant)  |
 *
 * A role written `tenant-<suffix>` is a placeholder for "this tenant's role": `<tenant id>-<suffix>`.
 */

/** The secrets engines a reference may point at. */
export enum VaultEngine {
  /** Dynamic PostgreSQL credentials: `database/creds/<role>`. */
  DATABASE = 'database',
  /** Dynamic cache (Redis) credentials: `cache/creds/<role>` (engine mounted outside this library). */
  CACHE = 'cache',
  /** Static secrets in the environment's KV v2 mount: `kv/data/<path>`. */
  KV = 'kv',
}

/** A reference resolved for one tenant of one environment. */
export interface ResolvedVaultRef {
  /** The engine. */
  readonly engine: VaultEngine;
  /** The absolute Vault path, e.g. `database-dev/creds/acme-db`. */
  readonly path: string;
  /** The field to read, if one was named. */
  readonly key?: string;
  /** The reference as written, e.g. `{{ vault('database/creds/tenant-db') }}`. */
  readonly reference: string;
}

// The Vault names of environments and tenants live in the naming module (src/model/names.ts).
export { environmentVaultNames, tenantVaultNames } from './names';
export type { EnvironmentVaultNames, TenantVaultNames } from './names';

/** A problem found in a reference: what is wrong and how to fix it. */
export interface VaultRefIssue {
  readonly field: string;
  readonly problem: string;
  readonly got: unknown;
  readonly fix: string;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ROLE = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SYSTEM_MOUNTS = new Set(['sys', 'auth', 'identity', 'cubbyhole', 'token']);
const PATH_FIX = 'write an exact path such as "database/creds/tenant-db", "cache/creds/tenant-cache" or "kv/data/app/stripe" (B07)';

/** Every reason `path` is not an acceptable Vault secret path (B07–B08), or none. */
function pathIssues(path: unknown): VaultRefIssue[] {
  const issues: VaultRefIssue[] = [];
  const add = (problem: string, fix: string = PATH_FIX) => issues.push({ field: 'path', problem, got: path, fix });
  if (typeof path !== 'string' || path.length === 0) {
    add('is empty');
    return issues;
  }
  if (/\s/.test(path)) add('contains whitespace', 'remove the spaces, tabs or line breaks');
  if (path.includes('*')) add('contains the glob "*"', 'references name one secret; write the exact path (B07)');
  if (path.includes('+')) add('contains the segment wildcard "+"', 'references name one secret; write the exact path (B07)');
  if (/\{|\}|\$\{|%\{/.test(path)) add('contains template syntax', 'write a literal path; templates are not expanded inside a reference (B07)');
  if (/%[0-9A-Fa-f]{2}/.test(path)) add('contains a percent-encoding', 'write the decoded characters; encoded paths can smuggle "/" or ".." (B07)');
  else if (path.includes('%')) add('contains "%"', 'remove it');
  const segments = path.split('/');
  if (path.includes('..') || segments.some(s => s === '.')) add('contains ".." or a "." segment', 'write the path without relative segments (B07)');
  if (segments.some(s => s === '')) add('has an empty segment (leading, trailing or double "/")', 'remove the extra "/"');
  if (issues.length === 0 && segments.some(s => !SEGMENT.test(s))) {
    add('contains characters outside letters, digits, "_", "." and "-"', 'use plain path segments such as "app" or "stripe"');
  }
  if (issues.length > 0) return issues;

  const [mount, kind] = segments;
  const engine = engineOf(mount);
  if (SYSTEM_MOUNTS.has(mount)) {
    add(`targets the Vault system path "${mount}/"`, 'reference a secret, never sys/, auth/, identity/ or token paths (V01)');
  } else if (engine === undefined) {
    add(`uses an unknown secrets engine "${mount}"`, 'use database/creds/<role>, cache/creds/<role> or kv/data/<path>');
  } else if (engine === VaultEngine.KV) {
    if (kind === 'metadata') add('points at KV metadata, not a secret', 'read secrets under <mount>/data/...');
    else if (kind !== 'data') add('is not a KV v2 data path', 'write kv/data/<path>');
    else if (segments.length < 3) add('names no secret under data/', 'write kv/data/<path>');
  } else if (kind !== 'creds' || segments.length !== 3) {
    add(`is not a ${engine} credentials path`, `write ${engine}/creds/<role>`);
  } else if (!ROLE.test(segments[2])) {
    add('has a role that is not a lowercase name', `write ${engine}/creds/<role>, e.g. ${engine}/creds/tenant-${engine === VaultEngine.DATABASE ? 'db' : 'cache'}`);
  }
  return issues;
}

function keyIssues(key: unknown): VaultRefIssue[] {
  if (key === undefined) return [];
  if (typeof key !== 'string' || !KEY.test(key)) {
    return [{ field: 'key', problem: 'is not a field name', got: key, fix: 'use letters, digits, "_", "." and "-", e.g. "password" or "api_key"' }];
  }
  return [];
}

/** The engine of a mount written relative (`database`) or absolute (`database-<env>`). */
function engineOf(mount: string): VaultEngine | undefined {
  for (const engine of [VaultEngine.DATABASE, VaultEngine.CACHE, VaultEngine.KV]) {
    if (mount === engine || mount.startsWith(`${engine}-`)) return engine;
  }
  return undefined;
}

function throwIssues(path: string, issues: VaultRefIssue[]): void {
  if (issues.length > 0) {
    throw new LifecycleValidationError(issues.map(i => formatProblem({ path, field: i.field, problem: i.problem, got: i.got, fix: i.fix })));
  }
}

const REF = /\{\{\s*vault\(\s*(['"])(.*?)\1\s*(?:,\s*(['"])(.*?)\3\s*)?\)\s*\}\}/g;
const MALFORMED = /\{\{[^}]*\bvault\b|\bvault\(\s*['"]/;

/** A part of a string that may embed references: literal text or a reference. */
export interface VaultTemplatePart {
  /** Literal text, when this part is not a reference. */
  readonly text?: string;
  /** The reference, when this part is one. */
  readonly ref?: VaultRef;
}

/** A reference to one secret in Vault. Construct with the static factories; invalid input throws, listing every problem. */
export class VaultRef {
  /**
   * Parse exactly one reference written `{{ vault('<path>') }}` or `{{ vault('<path>', '<key>') }}` (spec §5).
   */
  public static parse(expression: string): VaultRef {
    const parts = typeof expression === 'string' ? VaultRef.split(expression) : [];
    const refs = parts.filter(p => p.ref !== undefined);
    if (refs.length !== 1 || parts.some(p => p.text !== undefined && p.text.trim() !== '')) {
      fail('VaultRef.parse', 'expression', `is not exactly one Vault reference (found ${refs.length})`, expression, "write {{ vault('database/creds/tenant-db') }} or {{ vault('kv/data/app/stripe', 'api_key') }}");
    }
    return refs[0].ref!;
  }

  /** A reference to an exact path, relative (`database/creds/tenant-db`) or absolute (`kv-dev/data/dev/acme/app`). */
  public static fromPath(path: string, key?: string): VaultRef {
    throwIssues('VaultRef', [...pathIssues(path), ...keyIssues(key)]);
    return new VaultRef(path, key);
  }

  /** Dynamic database credentials of a role; `tenant-db` means "this tenant's database role". */
  public static databaseCreds(role: string, key?: string): VaultRef {
    return VaultRef.fromPath(`database/creds/${role}`, key);
  }

  /** Dynamic cache credentials of a role; `tenant-cache` means "this tenant's cache role". */
  public static cacheCreds(role: string, key?: string): VaultRef {
    return VaultRef.fromPath(`cache/creds/${role}`, key);
  }

  /** A KV v2 secret under the tenant's own prefix (`app/stripe` → `kv-<env>/data/<env>/<tenant>/app/stripe`). */
  public static kv(path: string, key?: string): VaultRef {
    return VaultRef.fromPath(`kv/data/${path}`, key);
  }

  /**
   * Every reference embedded in `value`, in order. Throws if a reference is malformed or unsafe (B07–B08), so that a
   * broken reference never passes through as a literal value.
   */
  public static findIn(value: string): VaultRef[] {
    return VaultRef.split(value).filter(p => p.ref !== undefined).map(p => p.ref!);
  }

  /** Split `value` into literal text and references, in order. Throws on malformed or unsafe references. */
  public static split(value: string): VaultTemplatePart[] {
    if (typeof value !== 'string') return [];
    const parts: VaultTemplatePart[] = [];
    const problems = new Problems('VaultRef');
    let last = 0;
    for (const m of value.matchAll(REF)) {
      const before = value.slice(last, m.index);
      if (before) parts.push({ text: before });
      const issues = [...pathIssues(m[2]), ...keyIssues(m[3] === undefined ? undefined : m[4])];
      for (const i of issues) problems.add(i.field, i.problem, i.got, i.fix);
      if (issues.length === 0) parts.push({ ref: new VaultRef(m[2], m[3] === undefined ? undefined : m[4]) });
      last = m.index! + m[0].length;
    }
    const rest = value.slice(last);
    if (rest) parts.push({ text: rest });
    for (const p of parts) {
      if (p.text !== undefined && MALFORMED.test(p.text)) {
        problems.add('reference', 'is malformed', p.text, "write {{ vault('<path>') }} or {{ vault('<path>', '<key>') }} with the path in quotes");
      }
    }
    problems.throwIfAny();
    return parts;
  }

  /** The engine. */
  public readonly engine: VaultEngine;
  /** The path as written. */
  public readonly path: string;
  /** The field to read, if named. */
  public readonly key?: string;
  /** The mount as written: `database`, `kv`, or an absolute `kv-<env>`. */
  public readonly mount: string;
  /** True when the mount is written without an environment (`database/...`, `kv/...`): resolved per environment. */
  public readonly isRelative: boolean;
  /** The environment an absolute mount names (`kv-prod` → `prod`). */
  public readonly mountEnvironment?: string;
  /** The role of a credentials path (`tenant-db`). */
  public readonly role?: string;
  /** The path below `data/` of a KV path. */
  public readonly kvPath?: string;

  private constructor(path: string, key?: string) {
    const segments = path.split('/');
    this.path = path;
    this.key = key;
    this.mount = segments[0];
    this.engine = engineOf(this.mount)!;
    this.isRelative = this.mount === this.engine;
    this.mountEnvironment = this.isRelative ? undefined : this.mount.slice(this.engine.length + 1);
    if (this.engine === VaultEngine.KV) {
      this.kvPath = segments.slice(2).join('/');
    } else {
      this.role = segments[2];
    }
  }

  /** True when the role is the `tenant-<suffix>` placeholder. */
  public get isTenantPlaceholder(): boolean {
    return this.role !== undefined && this.role.startsWith('tenant-');
  }

  /** The reference written as in Helm values: `{{ vault('<path>') }}`. */
  public toString(): string {
    return this.key === undefined ? `{{ vault('${this.path}') }}` : `{{ vault('${this.path}', '${this.key}') }}`;
  }

  /**
   * The absolute path of this reference for a tenant of an environment. Throws if it points outside what the tenant
   * may read: another environment's mount (V12, B12), another tenant's role or KV prefix, or a database the tenant
   * does not have.
   */
  public resolve(env: Environment, tenant: Tenant): ResolvedVaultRef {
    const result = resolveVaultRef(this, env, tenant);
    throwIssues(`VaultRef[${this.path}]`, result.issues);
    return result.resolved!;
  }
}

/** Resolve without throwing: the resolved path, or the reasons it is out of the tenant's scope. */
export function resolveVaultRef(ref: VaultRef, env: Environment, tenant: Tenant): { resolved?: ResolvedVaultRef; issues: VaultRefIssue[] } {
  const names = tenantVaultNames(env, tenant);
  const issues: VaultRefIssue[] = [];
  const out = (path: string) => ({ resolved: { engine: ref.engine, path, key: ref.key, reference: ref.toString() }, issues });
  // Previews read the mounts their host created for every preview (`kv-preview`, …), keyed by the namespace.
  const ownMounts = isPreviewName(env.name) ? PREVIEW_VAULT_SCOPE : env.name;
  if (!ref.isRelative && ref.mountEnvironment !== ownMounts) {
    issues.push({
      field: 'reference',
      problem: `points at environment "${ref.mountEnvironment}"'s mount "${ref.mount}" from environment "${env.name}"`,
      got: ref.toString(),
      fix: `an environment only reads its own mounts (V12, B12); write the tenant-relative form, e.g. {{ vault('${ref.engine === VaultEngine.KV ? 'kv/data/<path>' : `${ref.engine}/creds/tenant-${ref.engine === VaultEngine.DATABASE ? 'db' : 'cache'}`}') }}`,
    });
    return { issues };
  }
  // The tenant's role key: its id, or in a preview its namespace (the connection is named after it).
  const tenantRole = () => (ref.isTenantPlaceholder ? `${names.databaseConnection}-${ref.role!.slice('tenant-'.length)}` : ref.role!);
  switch (ref.engine) {
    case VaultEngine.DATABASE: {
      const role = tenantRole();
      if (!tenant.database) {
        issues.push({ field: 'reference', problem: `asks for database credentials but tenant "${tenant.id}" has no database`, got: ref.toString(), fix: 'set database: true on the tenant or remove the reference' });
      } else if (role !== names.databaseRole) {
        issues.push({ field: 'reference', problem: `names role "${role}", which is not tenant "${tenant.id}"'s database role "${names.databaseRole}"`, got: ref.toString(), fix: "write {{ vault('database/creds/tenant-db') }}: a tenant reads only its own credentials" });
      }
      return issues.length ? { issues } : out(`${names.databaseMount}/creds/${role}`);
    }
    case VaultEngine.CACHE: {
      const role = tenantRole();
      if (role !== names.cacheRole) {
        issues.push({ field: 'reference', problem: `names role "${role}", which is not tenant "${tenant.id}"'s cache role "${names.cacheRole}"`, got: ref.toString(), fix: "write {{ vault('cache/creds/tenant-cache') }}: a tenant reads only its own credentials" });
        return { issues };
      }
      return out(`${names.cacheMount}/creds/${role}`);
    }
    default: {
      if (ref.isRelative) return out(`${names.kvDataPrefix}/${ref.kvPath}`);
      const own = `${names.kvDataPrefix.slice(`${names.kvMount}/data/`.length)}/`;
      if (!ref.kvPath!.startsWith(own) || ref.kvPath!.length === own.length) {
        issues.push({ field: 'reference', problem: `is outside tenant "${tenant.id}"'s prefix ${names.kvDataPrefix}/`, got: ref.toString(), fix: "write the tenant-relative form {{ vault('kv/data/<path>') }}" });
        return { issues };
      }
      return out(ref.path);
    }
  }
}

/** Every reference embedded in `value` (same as `VaultRef.findIn`). */
export function findVaultRefs(value: string): VaultRef[] {
  return VaultRef.findIn(value);
}

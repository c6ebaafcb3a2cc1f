import * as fs from 'fs';
import * as path from 'path';
import { JsonSchema } from './json-schema';
import { ContainerImage } from '../model/image';
import { dnsLabelProblem } from '../model/naming';
import { LifecycleValidationError, Problems } from '../model/problems';
import { Tenant, TenantModuleProps, TenantProps, TenantState } from '../model/tenant';

/** The `format` of tenant registry files. */
export const TENANT_REGISTRY_FORMAT = 'inopsio-tenant-registry/v1';
/** JSON Schema of registry files (shipped in `schemas/`). */
export const TENANT_REGISTRY_SCHEMA_FILE = 'tenant-registry.schema.json';
/** JSON Schema of the `tenant-signup` repository_dispatch payload (shipped in `schemas/`). */
export const TENANT_SIGNUP_SCHEMA_FILE = 'tenant-signup.schema.json';

/** A module the registry offers: sign-ups may only pick modules from this catalog (no charts from payloads). */
export interface RegistryModule {
  /** Chart name. */
  readonly chart: string;
  /** Chart repository (https:// or oci://). */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
  /**
   * Helm values as dotted paths; Vault references (`{{ vault('...') }}`) allowed.
   * @default - none
   */
  readonly values?: { [path: string]: string };
  /**
   * The chart's replica-count values, set to 0 while a tenant is suspended or archived (`TenantModuleProps.replicaKeys`).
   * @default ['replicaCount']
   */
  readonly replicaKeys?: string[];
  /**
   * The module's schema migration, run before every upgrade (`TenantModuleProps.migration`).
   * @default - no migration
   */
  readonly migration?: RegistryModuleMigration;
}

/** A catalog module's migration as the registry records it: the image as a digest reference. */
export interface RegistryModuleMigration {
  /** Migration image pinned by digest, `registry/repository@sha256:<64 hex>`. */
  readonly image: string;
  /** Command of the migration container. */
  readonly command: string[];
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
}

/** A persistent volume as the registry and sign-ups record it (`TenantVolumeProps`). */
export interface RegistryVolume {
  /** Claim name, a DNS label. */
  readonly name: string;
  /** Requested size, a Kubernetes quantity such as `10Gi`. */
  readonly size: string;
  /**
   * StorageClass.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
}

/** A tenant as the registry records it. */
export interface RegistryTenant {
  /** Tenant id. */
  readonly id: string;
  /** Display name. */
  readonly displayName: string;
  /** `active`, `suspended` or `archived`. */
  readonly state: string;
  /** Sign-up time. */
  readonly createdAt: string;
  /** Module names from the catalog. */
  readonly modules: string[];
  /**
   * Whether the tenant has its own object-store prefix and credentials (`TenantProps.objectStorage`).
   * @default true
   */
  readonly objectStorage?: boolean;
  /**
   * Persistent volumes in the tenant namespace (`TenantProps.volumes`).
   * @default - none
   */
  readonly volumes?: RegistryVolume[];
  /**
   * The sign-up event's id (idempotency).
   * @default - none
   */
  readonly requestId?: string;
}

/** `tenants/<env>.json`: the tenants of one environment, read by the Platform, written by sign-ups. */
export interface TenantRegistry {
  /** `inopsio-tenant-registry/v1`. */
  readonly format: string;
  /** The environment. */
  readonly environment: string;
  /** The module catalog, by module name. */
  readonly modules: { [name: string]: RegistryModule };
  /** Modules a sign-up gets when it names none. */
  readonly defaultModules: string[];
  /** Tenants, sorted by id. */
  readonly tenants: RegistryTenant[];
}

/** The `tenant-signup` event payload (`client_payload` of the repository_dispatch), see the JSON Schema. */
export interface TenantSignup {
  /** Tenant id. */
  readonly tenantId: string;
  /** Display name. */
  readonly displayName: string;
  /** Environment to provision the tenant in. */
  readonly environment: string;
  /** When the customer signed up. */
  readonly signedUpAt: string;
  /**
   * Module names from the registry's catalog.
   * @default - the registry's defaultModules
   */
  readonly modules?: string[];
  /**
   * Whether the tenant gets its own object-store prefix and credentials.
   * @default true
   */
  readonly objectStorage?: boolean;
  /**
   * Persistent volumes of the plan the customer bought; together they must fit the environment class's quota.
   * @default - none
   */
  readonly volumes?: RegistryVolume[];
  /**
   * The billing event's id.
   * @default - none
   */
  readonly requestId?: string;
}

/** What `applySignup` did. */
export enum SignupOutcome {
  /** The tenant was added. */
  ADDED = 'added',
  /** The same sign-up was already recorded (a redelivered event): nothing changed. */
  ALREADY_REGISTERED = 'already-registered',
}

/** What `applySignup` returns. */
export interface SignupResult {
  /** The registry after the sign-up. */
  readonly registry: TenantRegistry;
  /** Whether the tenant was added or already there. */
  readonly outcome: SignupOutcome;
}

/** Read and validate a registry file; throws a LifecycleValidationError listing every problem. */
export function readTenantRegistry(file: string): TenantRegistry {
  const data = readJson(file, 'a tenant registry such as tenants/prod.json');
  const problems = validateTenantRegistry(data).map(p => `${file}: ${p}`);
  if (problems.length > 0) throw new LifecycleValidationError(problems);
  return data as TenantRegistry;
}

/** Schema and consistency problems of a registry document. */
export function validateTenantRegistry(data: unknown): string[] {
  const errors = JsonSchema.load(TENANT_REGISTRY_SCHEMA_FILE).validate(data);
  if (errors.length > 0) return errors;
  const reg = data as TenantRegistry;
  const ids = new Set<string>();
  reg.tenants.forEach((t, i) => {
    if (ids.has(t.id)) errors.push(`/tenants/${i}/id: tenant "${t.id}" is listed twice`);
    ids.add(t.id);
    for (const m of t.modules) if (!reg.modules[m]) errors.push(`/tenants/${i}/modules: "${m}" is not in the module catalog`);
  });
  for (const m of reg.defaultModules) if (!reg.modules[m]) errors.push(`/defaultModules: "${m}" is not in the module catalog`);
  return errors;
}

/** The registry's tenants as TenantProps for `new Environment({ tenants })`, modules resolved from the catalog. */
export function tenantsFromRegistry(registry: TenantRegistry): TenantProps[] {
  return registry.tenants.map(t => ({
    id: t.id,
    displayName: t.displayName,
    state: t.state as TenantState,
    createdAt: t.createdAt,
    ...(t.objectStorage !== undefined ? { objectStorage: t.objectStorage } : {}),
    ...(t.volumes !== undefined ? { volumes: t.volumes.map(v => ({ ...v })) } : {}),
    modules: t.modules.map((name): TenantModuleProps => {
      const { migration, ...module } = registry.modules[name];
      return {
        name,
        ...module,
        ...(migration
          ? { migration: { image: ContainerImage.fromDigest(migration.image), command: [...migration.command], args: migration.args } }
          : {}),
      };
    }),
  }));
}

/** Problems of a sign-up payload against `schemas/tenant-signup.schema.json`. */
export function validateSignup(data: unknown): string[] {
  const errors = JsonSchema.load(TENANT_SIGNUP_SCHEMA_FILE).validate(data);
  // A DNS label's rules instead of the schema's regular expression, which a sender cannot act on.
  const record = typeof data === 'object' && data !== null ? data as { [key: string]: unknown } : {};
  return errors.map(e => {
    const m = /^\/(tenantId|environment): must match /.exec(e);
    if (!m) return e;
    const value = record[m[1]];
    const problem = dnsLabelProblem(value, 40) ?? 'is not a DNS-1123 label';
    return `/${m[1]}: ${problem} (got ${JSON.stringify(value)}); use 1 to 40 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "${m[1] === 'tenantId' ? 'acme-corp' : 'prod'}"`;
  });
}

/**
 * An empty registry for an environment (no module catalog, no tenants), for `inopsio-env registry-init`: sign-ups
 * need `tenants/<env>.json` to exist, and its catalog names the modules they may pick.
 */
export function emptyTenantRegistry(environment: string): TenantRegistry {
  const problem = dnsLabelProblem(environment, 40);
  if (problem) {
    throw new LifecycleValidationError([`TenantRegistry: environment ${problem} (got ${JSON.stringify(environment)}); use the environment's name, e.g. "prod"`]);
  }
  return { format: TENANT_REGISTRY_FORMAT, environment, modules: {}, defaultModules: [], tenants: [] };
}

/**
 * Add a validated sign-up to a registry and return the new registry (the input is left alone). The same sign-up
 * delivered twice changes nothing; a different tenant with a taken id, a module outside the catalog, or an
 * environment mismatch fails with every problem listed.
 */
export function applySignup(registry: TenantRegistry, signup: TenantSignup): SignupResult {
  const problems = new Problems(`TenantSignup[${signup.tenantId}]`);
  if (signup.environment !== registry.environment) {
    problems.add('environment', `does not match the registry's environment "${registry.environment}"`, signup.environment, 'send the sign-up for the registry of its environment');
  }
  const modules = [...(signup.modules ?? registry.defaultModules)].sort();
  for (const m of modules) {
    if (!registry.modules[m]) problems.add('modules', 'names a module that is not in the catalog', m, `use one of ${Object.keys(registry.modules).sort().join(', ') || '(empty catalog)'}`);
  }
  // The model's own rules (B01 and friends) decide whether the tenant is acceptable.
  problems.capture(() => new Tenant({
    id: signup.tenantId, displayName: signup.displayName, createdAt: signup.signedUpAt, objectStorage: signup.objectStorage, volumes: signup.volumes,
  }));
  const entry: RegistryTenant = {
    id: signup.tenantId,
    displayName: signup.displayName,
    state: TenantState.ACTIVE,
    createdAt: signup.signedUpAt,
    modules,
    objectStorage: signup.objectStorage,
    volumes: signup.volumes?.map(v => ({ ...v })),
    requestId: signup.requestId,
  };
  const existing = registry.tenants.find(t => t.id === signup.tenantId);
  if (existing) {
    const same = existing.displayName === entry.displayName && existing.createdAt === entry.createdAt
      && JSON.stringify(existing.modules) === JSON.stringify(entry.modules) && existing.requestId === entry.requestId
      && existing.objectStorage === entry.objectStorage && JSON.stringify(sortKeys(existing.volumes)) === JSON.stringify(sortKeys(entry.volumes));
    if (same && problems.isEmpty) return { registry, outcome: SignupOutcome.ALREADY_REGISTERED };
    problems.add('tenantId', `is already registered in ${registry.environment} with different details`, signup.tenantId, 'choose another id, or change the existing tenant by pull request');
  }
  problems.throwIfAny();
  const tenants = [...registry.tenants, clean(entry)].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { registry: { ...registry, tenants }, outcome: SignupOutcome.ADDED };
}

/** Remove a tenant from a registry (after its decommissioning); fails if it is not there. */
export function removeTenant(registry: TenantRegistry, tenantId: string): TenantRegistry {
  if (!registry.tenants.some(t => t.id === tenantId)) {
    const known = registry.tenants.map(t => t.id);
    const fix = known.length > 0 ? `use one of ${known.join(', ')}` : `the registry of ${registry.environment} has no tenants: check the environment and the tenant id`;
    throw new LifecycleValidationError([`TenantRegistry[${registry.environment}]: tenantId is not registered (got ${JSON.stringify(tenantId)}); ${fix}`]);
  }
  return { ...registry, tenants: registry.tenants.filter(t => t.id !== tenantId) };
}

/** Write a registry as canonical JSON (sorted keys, trailing newline), atomically. */
export function writeTenantRegistry(file: string, registry: TenantRegistry): void {
  const problems = validateTenantRegistry(registry);
  if (problems.length > 0) throw new LifecycleValidationError(problems.map(p => `${file}: ${p}`));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, `${JSON.stringify(sortKeys(registry), null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Read a JSON file or throw a LifecycleValidationError that says what was expected. */
export function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new LifecycleValidationError([`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass ${what}`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LifecycleValidationError([`${file}: is not JSON (${(e as Error).message}); pass ${what}`]);
  }
}

function clean<T extends object>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

function sortKeys(value: any): any {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: any = {};
    for (const k of Object.keys(value).sort()) if (value[k] !== undefined) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

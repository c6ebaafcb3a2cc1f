import { DatabaseEndpoint, DatabaseSslMode, databaseEndpointProblems } from './database-endpoint';
import { EnvironmentClass, LifecycleKind } from './environment-class';
import { isPreviewName, tenantNamespaceName } from './names';
import { dnsLabelProblem, isWorkspaceName, shortHash, slugify } from './naming';
import { addPeriod, isIsoInstant, Period } from './period';
import { LifecycleValidationError, Problems } from './problems';
import { Tenant, TenantProps } from './tenant';

/** One environment: a named instance of a class (spec §2), with its tenants. */
export interface EnvironmentProps {
  /** Environment name, a DNS label of at most 40 characters (`dev`, `staging`, `prod`, `preview-<slug>`). */
  readonly name: string;
  /** Its class. */
  readonly environmentClass: EnvironmentClass;
  /**
   * When the environment was created (ISO-8601 UTC). Required for classes that expire: the expiry is computed
   * from it, never from the clock, so output stays deterministic.
   * @default - none (allowed only for persistent and permanent classes)
   */
  readonly createdAt?: string;
  /**
   * TTL, within the class bounds.
   * @default - the class's default TTL
   */
  readonly ttl?: Period;
  /**
   * The git branch a preview was built from (B12: required for previews).
   * @default - none
   */
  readonly sourceBranch?: string;
  /**
   * Owner of this environment, overriding the class's owner team (a person for a preview).
   * @default - the class's owner
   */
  readonly owner?: string;
  /**
   * Terraform Cloud organization.
   * @default 'inopsio'
   */
  readonly terraformOrganization?: string;
  /**
   * Terraform Cloud workspace.
   * @default - `inopsio-<name>`
   */
  readonly workspace?: string;
  /**
   * Prefix of the OIDC (Keycloak) group names as the API server sees them (`--oidc-groups-prefix`).
   * @default 'oidc:'
   */
  readonly oidcGroupPrefix?: string;
  /**
   * The PostgreSQL server of the tenant databases. One fact for both sides: Vault's database connection and the
   * connection strings (DSNs) rendered into pods for `{{ vault('database/creds/tenant-db') }}` in a `..._URL` value.
   * @default - none: Vault connects to `var.database_host`, and DSN references are refused
   */
  readonly database?: DatabaseEndpoint;
  /**
   * Audience of the service account tokens the environment's workloads log in to Vault with: the Kubernetes auth
   * roles require it (`audience`), and the pods present a projected token for it (V07).
   * @default 'vault'
   */
  readonly vaultTokenAudience?: string;
  /**
   * Tenants deployed in this environment.
   * @default - none; add with `addTenant`
   */
  readonly tenants?: TenantProps[];
}

/** Options for a per-branch preview environment. */
export interface PreviewEnvironmentOptions {
  /** The git branch, any string (`feature/JIRA-123_Add Billing!!`); the name is derived safely from it. */
  readonly branch: string;
  /** Creation time (ISO-8601 UTC), usually the pull request's update time passed in by CI. */
  readonly createdAt: string;
  /** Who asked for the preview (B12: required). */
  readonly owner: string;
  /**
   * TTL within the preview class bounds (24–72 h by default).
   * @default - the class default (48 h)
   */
  readonly ttl?: Period;
  /**
   * The preview class to use (for a custom hard cap).
   * @default EnvironmentClass.PREVIEW
   */
  readonly environmentClass?: EnvironmentClass;
  /**
   * Terraform Cloud organization.
   * @default 'inopsio'
   */
  readonly terraformOrganization?: string;
  /**
   * The PostgreSQL server of the preview's tenant databases (see `EnvironmentProps.database`).
   * @default - none
   */
  readonly database?: DatabaseEndpoint;
  /**
   * Audience of the tokens workloads log in to Vault with (see `EnvironmentProps.vaultTokenAudience`).
   * @default 'vault'
   */
  readonly vaultTokenAudience?: string;
  /**
   * Tenants deployed in the preview.
   * @default - none
   */
  readonly tenants?: TenantProps[];
}

/** A validated environment. */
export class Environment {
  /** A per-branch preview named `preview-<slug>`, with workspace `inopsio-preview-<slug>`. */
  public static preview(options: PreviewEnvironmentOptions): Environment {
    const slug = slugify(options.branch ?? '');
    return new Environment({
      name: `preview-${slug}`,
      environmentClass: options.environmentClass ?? EnvironmentClass.PREVIEW,
      createdAt: options.createdAt,
      ttl: options.ttl,
      sourceBranch: options.branch,
      owner: options.owner,
      terraformOrganization: options.terraformOrganization,
      database: options.database,
      vaultTokenAudience: options.vaultTokenAudience,
      tenants: options.tenants,
    });
  }

  /** Name. */
  public readonly name: string;
  /** Class. */
  public readonly environmentClass: EnvironmentClass;
  /** Creation time, if set. */
  public readonly createdAt?: string;
  /** TTL, for expiring classes. */
  public readonly ttl?: Period;
  /** Expiry instant (ISO-8601 UTC), for expiring classes. */
  public readonly expiresAt?: string;
  /** Source branch of a preview. */
  public readonly sourceBranch?: string;
  /** Owner. */
  public readonly owner: string;
  /** Terraform Cloud organization. */
  public readonly terraformOrganization: string;
  /** Terraform Cloud workspace. */
  public readonly workspace: string;
  /** OIDC group prefix. */
  public readonly oidcGroupPrefix: string;
  /** The tenant databases' server, if declared (defaults applied: port 5432, `verify-full`). */
  public readonly database?: DatabaseEndpoint;
  /** Audience of the tokens workloads log in to Vault with; the Kubernetes auth roles require it. */
  public readonly vaultTokenAudience: string;
  private readonly tenantList: Tenant[] = [];
  private readonly tenantsByNamespace = new Map<string, Tenant>();

  constructor(props: EnvironmentProps) {
    // Problems are named by the environment, as the Platform names its constructs (`<platform>/<env>/...`).
    const path = `${props.name}`;
    const problems = new Problems(path);
    const cls = props.environmentClass;
    const nameProblem = dnsLabelProblem(props.name, 40);
    if (nameProblem) {
      problems.add('name', nameProblem, props.name, 'use a DNS-1123 label of at most 40 characters, e.g. "staging"; for branches use Environment.preview({ branch })');
    }
    if (!(cls instanceof EnvironmentClass)) {
      problems.add('environmentClass', 'is not an EnvironmentClass', cls, 'use EnvironmentClass.DEVELOPMENT, STAGING, PRODUCTION, PREVIEW or EnvironmentClass.custom(...)');
      problems.throwIfAny();
    }
    if (props.createdAt !== undefined && !isIsoInstant(props.createdAt)) {
      problems.add('createdAt', 'is not an ISO-8601 UTC instant', props.createdAt, 'write e.g. "2026-11-28T09:00:00Z"');
    }
    let ttl: Period | undefined;
    if (cls.expires) {
      ttl = props.ttl ?? cls.defaultTtl;
      if (props.createdAt === undefined) {
        problems.add('createdAt', `is required for a ${cls.lifecycle} environment`, undefined, 'pass the creation time explicitly (the expiry is computed from it, never from the clock)');
      }
      if (ttl && cls.minTtl && cls.minTtl.isLongerThan(ttl)) {
        problems.add('ttl', `is shorter than the class minimum ${cls.minTtl}`, ttl.toString(), `use a TTL between ${cls.minTtl} and ${cls.maxTtl}`);
      }
      if (ttl && cls.maxTtl && ttl.isLongerThan(cls.maxTtl)) {
        problems.add('ttl', `is longer than the class hard cap ${cls.maxTtl}`, ttl.toString(), `use a TTL between ${cls.minTtl} and ${cls.maxTtl}, or a custom class with a higher cap`);
      }
    } else if (props.ttl !== undefined) {
      problems.add('ttl', `is set on a ${cls.lifecycle} environment`, props.ttl.toString(), 'remove it: only reusable and ephemeral environments expire (B04)');
    }
    if (cls.lifecycle === LifecycleKind.EPHEMERAL) {
      // B12: previews need an owner and a source branch.
      if (typeof props.sourceBranch !== 'string' || props.sourceBranch.trim() === '') {
        problems.add('sourceBranch', 'is required for an ephemeral environment', props.sourceBranch, 'pass the git branch the preview is built from');
      }
      if (typeof props.owner !== 'string' || props.owner.trim() === '') {
        problems.add('owner', 'is required for an ephemeral environment', props.owner, 'name the person or team who asked for the preview');
      }
    }
    // Vault names follow the name (src/model/names.ts): `preview-*` environments use the shared preview mounts and
    // policies their host creates, which only a preview's roles-only stack may rely on (docs/vault.md "Previews").
    if (typeof props.name === 'string' && isPreviewName(props.name) !== (cls.lifecycle === LifecycleKind.EPHEMERAL)) {
      problems.add('name', cls.lifecycle === LifecycleKind.EPHEMERAL
        ? 'does not start with "preview-" for an ephemeral environment' : `starts with "preview-" for a ${cls.lifecycle} environment`, props.name,
      cls.lifecycle === LifecycleKind.EPHEMERAL ? 'create previews with Environment.preview({...}) (named preview-<slug>)' : 'the "preview-" prefix is reserved for previews: rename the environment');
    }
    const workspace = props.workspace ?? `inopsio-${props.name}`;
    if (!isWorkspaceName(workspace)) {
      problems.add('workspace', 'is not a Terraform Cloud workspace name', workspace, 'use letters, digits, "-" and "_", at most 90 characters');
    }
    const org = props.terraformOrganization ?? 'inopsio';
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(org)) {
      problems.add('terraformOrganization', 'is not a Terraform Cloud organization name', org, 'use letters, digits, "-" and "_"');
    }
    const prefix = props.oidcGroupPrefix ?? 'oidc:';
    if (!/^[A-Za-z0-9:_./-]{0,32}$/.test(prefix) || prefix.startsWith('system:')) {
      problems.add('oidcGroupPrefix', 'is not an acceptable group prefix', prefix, 'use the API server\'s --oidc-groups-prefix, e.g. "oidc:"');
    }
    for (const p of props.database === undefined ? [] : databaseEndpointProblems(props.database)) problems.add(`database.${p.field}`, p.problem, p.got, p.fix);
    const audience = props.vaultTokenAudience ?? 'vault';
    if (typeof audience !== 'string' || !/^[A-Za-z0-9:/._-]{1,253}$/.test(audience)) {
      problems.add('vaultTokenAudience', 'is not an audience', audience, 'use e.g. "vault" (V07)');
    }
    const tenants: Tenant[] = [];
    (props.tenants ?? []).forEach(t => {
      try {
        tenants.push(new Tenant(t));
      } catch (e) {
        if (!(e instanceof LifecycleValidationError)) throw e;
        // A tenant of this environment: `<env>/Tenant-<id>`.
        problems.addAll(e.problems.map(line => `${path}/${line}`));
      }
    });
    problems.throwIfAny();

    this.name = props.name;
    this.environmentClass = cls;
    this.createdAt = props.createdAt;
    this.ttl = ttl;
    this.expiresAt = ttl && props.createdAt ? addPeriod(props.createdAt, ttl) : undefined;
    this.sourceBranch = props.sourceBranch;
    this.owner = props.owner ?? cls.owner;
    this.terraformOrganization = org;
    this.workspace = workspace;
    this.oidcGroupPrefix = prefix;
    this.database = props.database === undefined ? undefined : {
      host: props.database.host,
      port: props.database.port ?? 5432,
      sslMode: props.database.sslMode ?? DatabaseSslMode.VERIFY_FULL,
    };
    this.vaultTokenAudience = audience;
    for (const t of tenants) this.addTenant(t);
  }

  /** Add a tenant; duplicates (also after namespace truncation) are refused (B03). */
  public addTenant(tenant: Tenant): Tenant {
    const problems = new Problems(this.name);
    const namespace = this.namespaceFor(tenant.id);
    const other = this.tenantsByNamespace.get(namespace);
    if (other && other.id === tenant.id) {
      problems.add('tenants', 'lists a tenant twice', tenant.id, 'remove the duplicate tenant');
    } else if (other) {
      problems.add('tenants', `gives tenants "${other.id}" and "${tenant.id}" the same namespace`, namespace, 'shorten one of the tenant ids');
    }
    problems.throwIfAny();
    this.tenantList.push(tenant);
    this.tenantsByNamespace.set(namespace, tenant);
    return tenant;
  }

  /** True if a tenant with this id has been added (constant time). */
  public hasTenant(tenantId: string): boolean {
    return this.tenantsByNamespace.get(this.namespaceFor(tenantId))?.id === tenantId;
  }

  /** Tenants, in the order added. */
  public get tenants(): Tenant[] {
    return [...this.tenantList];
  }

  /** The namespace of a tenant in this environment: `<env>-<tenant>`, ≤ 63 chars, hash-suffixed if truncated. */
  public namespaceFor(tenantId: string): string {
    return tenantNamespaceName(this.name, tenantId);
  }

  /** A short stable id of this environment, for labels and bucket prefixes that must stay short. */
  public get shortId(): string {
    return this.name.length <= 20 ? this.name : `${this.name.slice(0, 13).replace(/-+$/, '')}-${shortHash(this.name)}`;
  }

  /** True for the ephemeral (preview) lifecycle. */
  public get isPreview(): boolean {
    return this.environmentClass.lifecycle === LifecycleKind.EPHEMERAL;
  }

  /** True for the permanent (production) lifecycle. */
  public get isProduction(): boolean {
    return this.environmentClass.lifecycle === LifecycleKind.PERMANENT;
  }
}

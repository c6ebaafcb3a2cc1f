import { BackupPolicy } from './backup-policy';
import { isDnsLabel } from './naming';
import { Period } from './period';
import { Problems } from './problems';
import { QuotaProfile } from './quota-profile';

/** How long an environment of a class lives (spec §2 "Lifecycle"). */
export enum LifecycleKind {
  /** A sandbox reset after its TTL and reused (Development: 24 h reusable). */
  REUSABLE = 'reusable',
  /** Lives until decommissioned (Staging). */
  PERSISTENT = 'persistent',
  /** Lives until decommissioned with approvals; customer workloads (Production). */
  PERMANENT = 'permanent',
  /** Destroyed automatically when its TTL expires (Preview). */
  EPHEMERAL = 'ephemeral',
}

/** Who may change what runs in an environment (spec §1 "Immutable Infrastructure"). */
export enum Mutability {
  /** Humans with access may change objects directly. */
  MUTABLE = 'mutable',
  /** Only the GitOps/Terraform identities write; humans read (plus an audited break-glass group). */
  GITOPS_ONLY = 'gitops-only',
}

/** The access humans (OIDC groups) get in a tenant namespace (K12–K18 hold at every level). */
export enum AccessLevel {
  /** Manage workloads, config and services; never read secrets, exec, or change RBAC. */
  ADMIN = 'admin',
  /** Read everything except secrets. */
  READ_ONLY = 'read-only',
  /** No access for humans. */
  NONE = 'none',
}

/** How tenant modules are upgraded (spec §9 "Upgrade Tenant"). */
export enum UpgradeStrategy {
  /** Terraform applies Helm releases directly. */
  HELM = 'helm',
  /** Argo CD Applications sync the modules, with a schema-migration PreSync hook. */
  ARGO_CD = 'argo-cd',
}

/** Everything that distinguishes one class of environment from another. */
export interface EnvironmentClassProps {
  /** Class name, a DNS label (`development`, `staging`, `production`, `preview`, or your own). */
  readonly name: string;
  /** How environments of this class live and end. */
  readonly lifecycle: LifecycleKind;
  /** The owning team (spec §2 "Owner"). */
  readonly owner: string;
  /**
   * What the class is for (spec §2 "Purpose").
   * @default - the class name
   */
  readonly purpose?: string;
  /**
   * The infrastructure environments of the class run on (spec §2 "Infrastructure").
   * @default 'Kubernetes'
   */
  readonly infrastructure?: string;
  /**
   * Default TTL; required for reusable and ephemeral classes, refused for the others.
   * @default - none (persistent and permanent classes)
   */
  readonly defaultTtl?: Period;
  /**
   * Shortest TTL an environment may ask for.
   * @default - the default TTL
   */
  readonly minTtl?: Period;
  /**
   * Longest TTL an environment may ask for (the hard cap).
   * @default - the default TTL
   */
  readonly maxTtl?: Period;
  /**
   * Who may change running objects.
   * @default Mutability.MUTABLE
   */
  readonly mutability?: Mutability;
  /**
   * Approvals needed before decommissioning; permanent classes need at least two (two-step approval, spec §8).
   * @default - 2 for persistent and permanent classes, 0 otherwise
   */
  readonly decommissionApprovals?: number;
  /**
   * Quota and limits for each tenant namespace.
   * @default QuotaProfile.SMALL
   */
  readonly quota?: QuotaProfile;
  /**
   * Backup policy for tenant databases and object storage.
   * @default - BackupPolicy.DAILY for persistent and permanent classes, BackupPolicy.NONE otherwise
   */
  readonly backup?: BackupPolicy;
  /**
   * Days access and audit logs are retained (spec §7, ISO 27001 A.8.15).
   * @default 90
   */
  readonly auditRetentionDays?: number;
  /**
   * What human (OIDC group) members get in tenant namespaces.
   * @default AccessLevel.READ_ONLY
   */
  readonly humanAccess?: AccessLevel;
  /**
   * How tenant modules are upgraded.
   * @default UpgradeStrategy.HELM
   */
  readonly upgradeStrategy?: UpgradeStrategy;
  /**
   * TTL of Vault tokens issued to workloads.
   * @default Period.hours(1)
   */
  readonly vaultTokenTtl?: Period;
  /**
   * Maximum TTL of Vault tokens issued to workloads.
   * @default Period.hours(4)
   */
  readonly vaultTokenMaxTtl?: Period;
  /**
   * Days without activity after which a tenant is suspended (spec §9).
   * @default 90
   */
  readonly suspendAfterInactiveDays?: number;
  /**
   * Prometheus scrape interval for tenant workloads, in seconds.
   * @default 30
   */
  readonly scrapeIntervalSeconds?: number;
}

/**
 * A class of environment (spec §2): Development, Staging, Production, Preview, or one of your own.
 * Invalid combinations fail at construction with every problem listed.
 */
export class EnvironmentClass {
  /** Feature testing / sandbox; 24 h reusable; owned by the developer; developers administer their namespaces. */
  public static readonly DEVELOPMENT = new EnvironmentClass({
    name: 'development',
    purpose: 'Feature testing / sandbox',
    infrastructure: 'Docker Compose / K8s sandbox',
    lifecycle: LifecycleKind.REUSABLE,
    owner: 'Developer',
    defaultTtl: Period.hours(24),
    humanAccess: AccessLevel.ADMIN,
    quota: QuotaProfile.SMALL,
    vaultTokenTtl: Period.hours(1),
    vaultTokenMaxTtl: Period.hours(8),
  });

  /** Integration + QA; persistent; mirrors production; owned by the QA team. */
  public static readonly STAGING = new EnvironmentClass({
    name: 'staging',
    purpose: 'Integration + QA',
    infrastructure: 'K8s cluster / Terraform apply',
    lifecycle: LifecycleKind.PERSISTENT,
    owner: 'QA Team',
    mutability: Mutability.GITOPS_ONLY,
    humanAccess: AccessLevel.READ_ONLY,
    quota: QuotaProfile.STANDARD,
    upgradeStrategy: UpgradeStrategy.ARGO_CD,
    vaultTokenTtl: Period.minutes(30),
    vaultTokenMaxTtl: Period.hours(2),
  });

  /** Customer workloads; permanent; immutable (GitOps/Terraform only); Vault-backed; owned by the Ops team. */
  public static readonly PRODUCTION = new EnvironmentClass({
    name: 'production',
    purpose: 'Customer workloads',
    infrastructure: 'Managed K8s + Vault backend',
    lifecycle: LifecycleKind.PERMANENT,
    owner: 'Ops Team',
    mutability: Mutability.GITOPS_ONLY,
    humanAccess: AccessLevel.READ_ONLY,
    quota: QuotaProfile.STANDARD,
    upgradeStrategy: UpgradeStrategy.ARGO_CD,
    vaultTokenTtl: Period.minutes(30),
    vaultTokenMaxTtl: Period.hours(2),
  });

  /** Tenant-specific demo / UAT or per-branch validation; ephemeral, TTL 24–72 h (default 48 h); owned by DevOps. */
  public static readonly PREVIEW = new EnvironmentClass({
    name: 'preview',
    purpose: 'Tenant-specific demo / UAT',
    infrastructure: 'Namespaced K8s isolates',
    lifecycle: LifecycleKind.EPHEMERAL,
    owner: 'DevOps',
    defaultTtl: Period.hours(48),
    minTtl: Period.hours(24),
    maxTtl: Period.hours(72),
    humanAccess: AccessLevel.ADMIN,
    quota: QuotaProfile.SMALL,
  });

  /** A class of your own; throws one error listing every invalid field. */
  public static custom(props: EnvironmentClassProps): EnvironmentClass {
    return new EnvironmentClass(props);
  }

  /** Class name. */
  public readonly name: string;
  /** What it is for. */
  public readonly purpose: string;
  /** What it runs on. */
  public readonly infrastructure: string;
  /** How environments of the class live. */
  public readonly lifecycle: LifecycleKind;
  /** Owning team. */
  public readonly owner: string;
  /** Default TTL, for reusable and ephemeral classes. */
  public readonly defaultTtl?: Period;
  /** Shortest allowed TTL. */
  public readonly minTtl?: Period;
  /** Longest allowed TTL (hard cap). */
  public readonly maxTtl?: Period;
  /** Who may change running objects. */
  public readonly mutability: Mutability;
  /** Approvals needed before decommissioning. */
  public readonly decommissionApprovals: number;
  /** Quota and limits per tenant namespace. */
  public readonly quota: QuotaProfile;
  /** Backup policy. */
  public readonly backup: BackupPolicy;
  /** Audit/log retention in days. */
  public readonly auditRetentionDays: number;
  /** Human access in tenant namespaces. */
  public readonly humanAccess: AccessLevel;
  /** Upgrade mechanism for tenant modules. */
  public readonly upgradeStrategy: UpgradeStrategy;
  /** Vault token TTL. */
  public readonly vaultTokenTtl: Period;
  /** Vault token max TTL. */
  public readonly vaultTokenMaxTtl: Period;
  /** Inactive days before suspension. */
  public readonly suspendAfterInactiveDays: number;
  /** Scrape interval in seconds. */
  public readonly scrapeIntervalSeconds: number;

  private constructor(props: EnvironmentClassProps) {
    const problems = new Problems(`EnvironmentClass[${props.name}]`);
    const longLived = props.lifecycle === LifecycleKind.PERSISTENT || props.lifecycle === LifecycleKind.PERMANENT;
    this.name = props.name;
    this.purpose = props.purpose ?? props.name;
    this.infrastructure = props.infrastructure ?? 'Kubernetes';
    this.lifecycle = props.lifecycle;
    this.owner = props.owner;
    this.defaultTtl = props.defaultTtl;
    this.minTtl = props.minTtl ?? props.defaultTtl;
    this.maxTtl = props.maxTtl ?? props.defaultTtl;
    this.mutability = props.mutability ?? Mutability.MUTABLE;
    this.decommissionApprovals = props.decommissionApprovals ?? (longLived ? 2 : 0);
    this.quota = props.quota ?? QuotaProfile.SMALL;
    this.backup = props.backup ?? (longLived ? BackupPolicy.DAILY : BackupPolicy.NONE);
    this.auditRetentionDays = props.auditRetentionDays ?? 90;
    this.humanAccess = props.humanAccess ?? AccessLevel.READ_ONLY;
    this.upgradeStrategy = props.upgradeStrategy ?? UpgradeStrategy.HELM;
    this.vaultTokenTtl = props.vaultTokenTtl ?? Period.hours(1);
    this.vaultTokenMaxTtl = props.vaultTokenMaxTtl ?? Period.hours(4);
    this.suspendAfterInactiveDays = props.suspendAfterInactiveDays ?? 90;
    this.scrapeIntervalSeconds = props.scrapeIntervalSeconds ?? 30;

    if (!isDnsLabel(props.name, 30)) {
      problems.add('name', 'is not a DNS-1123 label of at most 30 characters', props.name, 'use lowercase letters, digits and "-", e.g. "qa-sandbox"');
    }
    if (!Object.values(LifecycleKind).includes(props.lifecycle)) {
      problems.add('lifecycle', 'is not a LifecycleKind', props.lifecycle, 'use LifecycleKind.REUSABLE, PERSISTENT, PERMANENT or EPHEMERAL');
    }
    if (typeof props.owner !== 'string' || props.owner.trim() === '') {
      problems.add('owner', 'is empty', props.owner, 'name the owning team, e.g. "Ops Team"');
    }
    if (longLived) {
      for (const field of ['defaultTtl', 'minTtl', 'maxTtl'] as const) {
        if (props[field] !== undefined) {
          problems.add(field, `is set on a ${props.lifecycle} class`, props[field]?.toString(), 'remove it: only reusable and ephemeral classes expire');
        }
      }
    } else if (this.defaultTtl === undefined) {
      problems.add('defaultTtl', `is required for a ${props.lifecycle} class`, undefined, 'set e.g. Period.hours(48)');
    } else {
      if (this.minTtl && this.minTtl.isLongerThan(this.defaultTtl)) {
        problems.add('minTtl', `is longer than defaultTtl ${this.defaultTtl}`, this.minTtl.toString(), 'make minTtl ≤ defaultTtl ≤ maxTtl');
      }
      if (this.maxTtl && this.defaultTtl.isLongerThan(this.maxTtl)) {
        problems.add('maxTtl', `is shorter than defaultTtl ${this.defaultTtl}`, this.maxTtl.toString(), 'make minTtl ≤ defaultTtl ≤ maxTtl');
      }
      if (this.minTtl && this.minTtl.toSeconds() < 3_600) {
        problems.add('minTtl', 'is shorter than one hour', this.minTtl.toString(), 'use at least Period.hours(1)');
      }
    }
    if (!Number.isInteger(this.decommissionApprovals) || this.decommissionApprovals < 0) {
      problems.add('decommissionApprovals', 'must be a whole, non-negative number', this.decommissionApprovals, 'use 0, 1 or 2');
    }
    if (props.lifecycle === LifecycleKind.PERMANENT) {
      // B11: production without backups, offsite copy or two-step approval is refused.
      if (this.decommissionApprovals < 2) {
        problems.add('decommissionApprovals', 'is below 2 for a permanent class', this.decommissionApprovals, 'permanent environments need a two-step approval (spec §8): use 2');
      }
      if (!this.backup.enabled) {
        problems.add('backup', 'is disabled for a permanent class', 'BackupPolicy.NONE', 'use BackupPolicy.DAILY or BackupPolicy.daily({...})');
      } else {
        if (!this.backup.offsite) {
          problems.add('backup.offsite', 'is false for a permanent class', false, 'keep the offsite copy (spec §10: 90 days offsite)');
        }
        if (this.backup.keepLast < 2) {
          problems.add('backup.keepLast', 'is below 2 for a permanent class', this.backup.keepLast, 'keep at least the two newest verified backups');
        }
      }
      if (this.mutability !== Mutability.GITOPS_ONLY) {
        problems.add('mutability', 'is not GITOPS_ONLY for a permanent class', this.mutability, 'production is immutable (spec §1): use Mutability.GITOPS_ONLY');
      }
      if (this.humanAccess === AccessLevel.ADMIN) {
        problems.add('humanAccess', 'is ADMIN for a permanent class', this.humanAccess, 'humans read production; changes go through GitOps/Terraform: use AccessLevel.READ_ONLY');
      }
    }
    if (!Number.isInteger(this.auditRetentionDays) || this.auditRetentionDays < 90) {
      problems.add('auditRetentionDays', 'is below 90', this.auditRetentionDays, 'retain access logs for at least 90 days (spec §7, ISO 27001 A.8.15)');
    }
    if (this.vaultTokenTtl.isLongerThan(this.vaultTokenMaxTtl)) {
      problems.add('vaultTokenTtl', `is longer than vaultTokenMaxTtl ${this.vaultTokenMaxTtl}`, this.vaultTokenTtl.toString(), 'make ttl ≤ max_ttl (B04)');
    }
    if (this.vaultTokenMaxTtl.toSeconds() > 24 * 3_600) {
      problems.add('vaultTokenMaxTtl', 'is longer than 24h', this.vaultTokenMaxTtl.toString(), 'keep workload tokens short-lived');
    }
    if (!Number.isInteger(this.suspendAfterInactiveDays) || this.suspendAfterInactiveDays < 1) {
      problems.add('suspendAfterInactiveDays', 'must be a whole number of at least 1', this.suspendAfterInactiveDays, 'use e.g. 90 (spec §9)');
    }
    if (!Number.isInteger(this.scrapeIntervalSeconds) || this.scrapeIntervalSeconds < 5 || this.scrapeIntervalSeconds > 300) {
      problems.add('scrapeIntervalSeconds', 'is outside 5–300', this.scrapeIntervalSeconds, 'use e.g. 30');
    }
    problems.throwIfAny();
  }

  /** True for classes whose environments expire (reusable and ephemeral). */
  public get expires(): boolean {
    return this.lifecycle === LifecycleKind.REUSABLE || this.lifecycle === LifecycleKind.EPHEMERAL;
  }

  /** True for classes that are decommissioned only by approval (persistent and permanent). */
  public get longLived(): boolean {
    return !this.expires;
  }
}

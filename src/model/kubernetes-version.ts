import { fail } from './problems';

// Declared before the class: its static members are built when the class is defined.
const KUBERNETES_VERSION = Symbol.for('@inopsio/env-lifecycle.KubernetesVersion');
const VERSION_PATTERN = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/;

/**
 * The Kubernetes release a platform targets (a minor version, e.g. 1.35). It picks the API version of every kind the
 * library writes (a ValidatingAdmissionPolicy is `admissionregistration.k8s.io/v1` from 1.30), the Pod Security
 * version labels of tenant namespaces, the kubectl the generated workflows install, and which CEL functions the
 * admission policies may use.
 *
 * Supported: 1.28 to 1.36. Set it to the oldest minor version any cluster of the platform runs.
 */
export class KubernetesVersion {
  /** Kubernetes 1.28 (ValidatingAdmissionPolicy only as the beta API, off by default). */
  public static readonly V1_28 = new KubernetesVersion(28);
  /** Kubernetes 1.29 (ValidatingAdmissionPolicy only as the beta API, off by default). */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Kubernetes 1.30 (ValidatingAdmissionPolicy GA: `admissionregistration.k8s.io/v1`). */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new KubernetesVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new KubernetesVersion(32);
  /** Kubernetes 1.33. */
  public static readonly V1_33 = new KubernetesVersion(33);
  /** Kubernetes 1.34. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Kubernetes 1.35. */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Kubernetes 1.36. */
  public static readonly V1_36 = new KubernetesVersion(36);

  /**
   * The default target: Kubernetes 1.35. In December 2026 it is the oldest release still in upstream support (1.34
   * left it in October 2026; 1.35 is supported until about February 2027, 1.36 until about June 2027), so its output
   * also runs unchanged on 1.36, and the kubectl it pins is within kubectl's one-minor skew of 1.34, 1.35 and 1.36.
   * The default moves forward only in a minor release of this library, with a CHANGELOG entry.
   */
  public static readonly DEFAULT = KubernetesVersion.V1_35;

  /**
   * Every supported version, oldest first.
   */
  public static supported(): KubernetesVersion[] {
    return [...ALL];
  }

  /**
   * The version named by `version`: `"1.33"` or `"v1.33"`; a patch release (`"1.33.4"`) names its minor version.
   * Fails for anything else and for versions outside 1.28–1.36.
   */
  public static of(version: string): KubernetesVersion {
    const match = typeof version === 'string' ? VERSION_PATTERN.exec(version) : null;
    if (!match) {
      fail('KubernetesVersion.of', 'version', 'is not a Kubernetes minor version', version, `write "1.<minor>", e.g. "${KubernetesVersion.DEFAULT.name}"`);
    }
    const minor = Number(match[1]);
    const found = ALL.find(v => v.minor === minor);
    if (!found) {
      fail('KubernetesVersion.of', 'version', `is outside the supported range ${ALL[0].name}–${ALL[ALL.length - 1].name}`, version,
        minor < ALL[0].minor
          ? `upgrade the cluster to ${ALL[0].name} or newer (older releases lack the APIs the library writes)`
          : `target ${ALL[ALL.length - 1].name}, the newest release whose API changes this library version knows`);
    }
    return found;
  }

  /** True if `x` is a KubernetesVersion (also across copies of this library). */
  public static isKubernetesVersion(x: any): x is KubernetesVersion {
    return x !== null && typeof x === 'object' && KUBERNETES_VERSION in x;
  }

  /** The major version (always 1). */
  public readonly major: number;
  /** The minor version, e.g. 35. */
  public readonly minor: number;

  private constructor(minor: number) {
    this.major = 1;
    this.minor = minor;
    Object.defineProperty(this, KUBERNETES_VERSION, { value: true });
  }

  /** `1.<minor>`, e.g. `1.35`. */
  public get name(): string {
    return `${this.major}.${this.minor}`;
  }

  /** The Pod Security Admission version label value: `v1.<minor>`. */
  public get podSecurityVersion(): string {
    return `v${this.name}`;
  }

  /**
   * The kubectl the generated workflows install by default: the first release of this minor version, `v1.<minor>.0`
   * (it exists for every supported version and is within kubectl's one-minor skew). Pin a patch release with
   * `WorkflowOptions.kubectlVersion`.
   */
  public get kubectlVersion(): string {
    return `v${this.name}.0`;
  }

  /** True if this version is `other` or newer. */
  public isAtLeast(other: KubernetesVersion): boolean {
    return this.major > other.major || (this.major === other.major && this.minor >= other.minor);
  }

  /** `1.<minor>`. */
  public toString(): string {
    return this.name;
  }
}

/** The minor versions whose APIs the library knows (docs/consumers.md "Kubernetes versions"), oldest first. */
const ALL = [
  KubernetesVersion.V1_28, KubernetesVersion.V1_29, KubernetesVersion.V1_30, KubernetesVersion.V1_31, KubernetesVersion.V1_32,
  KubernetesVersion.V1_33, KubernetesVersion.V1_34, KubernetesVersion.V1_35, KubernetesVersion.V1_36,
];

import { Problems } from './problems';

/**
 * Container images pinned by digest (B10, K30): `<registry>/<repository>[:<tag>]@sha256:<64 hex>`.
 *
 * Framework-free, so both layers can validate an image the same way. The registry must be explicit (a host with a
 * `.` or `:`, or `localhost`): a bare `postgres@sha256:...` would silently mean Docker Hub. A tag is allowed for
 * readability but never `latest`, and the digest is what the node pulls.
 */

/** Options for `ContainerImage.fromDigest`. */
export interface ContainerImageOptions {
  /**
   * Registries the image may come from, as `host` or `host:port` (exact, case-insensitive match).
   * @default - any explicit registry
   */
  readonly allowedRegistries?: string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
// Docker distribution reference grammar (reference/regexp.go), lower-case path components.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;
const EXAMPLE = 'registry.example.com/team/pg-backup@sha256:<64 lower-case hex digits>';

/** Every reason `host` is not a registry host[:port], or an empty list. */
function registryIssues(registry: string): string[] {
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(registry);
  if (!m) return ['is not a host name with an optional port'];
  const issues: string[] = [];
  if (!m[1].split('.').every(label => HOST_LABEL.test(label))) issues.push('is not a host name');
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) issues.push('has a port outside 1-65535');
  return issues;
}

/** An image reference pinned by a sha256 digest. Construct with `ContainerImage.fromDigest`. */
export class ContainerImage {
  /**
   * Parse and check `<registry>/<repository>[:<tag>]@sha256:<digest>`; throws one error listing every problem
   * (B10): missing registry, invalid repository, `:latest`, missing or malformed digest, registry not allowed.
   */
  public static fromDigest(reference: string, options: ContainerImageOptions = {}): ContainerImage {
    const problems = new Problems('ContainerImage.fromDigest');
    const add = (problem: string, fix: string, got: unknown = reference) => problems.add('reference', problem, got, fix);
    if (typeof reference !== 'string' || reference.length === 0) {
      add('is empty', `write a reference pinned by digest, e.g. ${EXAMPLE}`);
      problems.throwIfAny();
    }
    if (/\s/.test(reference)) add('contains whitespace', 'remove spaces and line breaks');

    const at = reference.indexOf('@');
    const name = at < 0 ? reference : reference.slice(0, at);
    const digest = at < 0 ? undefined : reference.slice(at + 1);
    if (digest === undefined) {
      add('has no digest', `pin the image by digest (K30): append @sha256:<digest>, e.g. ${EXAMPLE}; find it with "crane digest" or "docker buildx imagetools inspect"`);
    } else if (!DIGEST.test(digest)) {
      add('has a digest that is not sha256:<64 lower-case hex digits>', `copy the digest exactly as the registry reports it, e.g. ${EXAMPLE}`);
    }

    // Split off a tag: a ':' after the last '/' (a ':' before it is a registry port).
    const lastSlash = name.lastIndexOf('/');
    const colon = name.indexOf(':', lastSlash + 1);
    const repoPath = colon < 0 ? name : name.slice(0, colon);
    const tag = colon < 0 ? undefined : name.slice(colon + 1);
    if (tag !== undefined) {
      if (tag.toLowerCase() === 'latest') {
        add('uses the tag "latest"', 'drop ":latest": the digest pins the image, a moving tag only misleads readers (B10)');
      } else if (!TAG.test(tag)) {
        add('has an invalid tag', 'use letters, digits, "_", "." and "-" (at most 128 characters), or no tag');
      }
    }

    const slash = repoPath.indexOf('/');
    const first = slash < 0 ? '' : repoPath.slice(0, slash);
    const hasRegistry = first === 'localhost' || first.includes('.') || first.includes(':');
    const registry = hasRegistry ? first : '';
    const repository = hasRegistry ? repoPath.slice(slash + 1) : repoPath;
    if (!hasRegistry) {
      add('names no registry', 'write the registry host explicitly (B10), e.g. "docker.io/library/postgres@sha256:..." or "ghcr.io/org/image@sha256:..."');
    } else {
      for (const issue of registryIssues(registry)) add(`has a registry that ${issue}`, 'write host or host:port, e.g. "registry.example.com:5000"', registry);
    }
    if (repository.length === 0 || !repository.split('/').every(c => PATH_COMPONENT.test(c))) {
      add('has an invalid repository path', 'use lower-case path components of letters and digits separated by ".", "_", "__" or "-", joined by "/"', repository);
    } else if (repoPath.length > MAX_NAME_LENGTH) {
      add(`has a name longer than ${MAX_NAME_LENGTH} characters`, 'shorten the repository path');
    }

    const allowed = options.allowedRegistries;
    if (allowed !== undefined) {
      if (!Array.isArray(allowed) || allowed.length === 0) {
        problems.add('allowedRegistries', 'is empty, so no image could be allowed', allowed, 'list the registries you trust, e.g. ["registry.example.com"], or leave it unset');
      } else if (hasRegistry && !allowed.some(a => typeof a === 'string' && a.toLowerCase() === registry.toLowerCase())) {
        add(`comes from registry "${registry}", which is not allowed`, `use an image from ${allowed.map(a => JSON.stringify(a)).join(', ')} (B10)`);
      }
    }
    problems.throwIfAny();
    return new ContainerImage(reference, registry, repository, digest!, tag);
  }

  /** True if `x` is a ContainerImage (also across copies of this library). */
  public static isContainerImage(x: any): x is ContainerImage {
    return x !== null && typeof x === 'object' && CONTAINER_IMAGE in x;
  }

  /** The reference exactly as given (what goes into `image:`). */
  public readonly reference: string;
  /** Registry host, with port if any. */
  public readonly registry: string;
  /** Repository path below the registry. */
  public readonly repository: string;
  /** `sha256:<64 hex>`. */
  public readonly digest: string;
  /** Tag, if one was written alongside the digest. */
  public readonly tag?: string;

  private constructor(reference: string, registry: string, repository: string, digest: string, tag?: string) {
    this.reference = reference;
    this.registry = registry;
    this.repository = repository;
    this.digest = digest;
    this.tag = tag;
    Object.defineProperty(this, CONTAINER_IMAGE, { value: true });
  }

  /** The reference. */
  public toString(): string {
    return this.reference;
  }
}

const CONTAINER_IMAGE = Symbol.for('@inopsio/env-lifecycle.ContainerImage');

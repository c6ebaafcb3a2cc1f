import { IConstruct } from 'constructs';

/**
 * How problems name the cdk8s constructs a Platform builds. Each environment's manifests are a cdk8s App of their
 * own (a root without a path), and a tenant's chart is named after the tenant (`acme`), so plain construct paths
 * would read `acme/Backup` for what the Terraform side calls `platform/prod/Tenant-acme`. Under a Platform, messages
 * use the Terraform side's names: `platform/prod/Tenant-acme/Backup`, `platform/prod/platform/Observability`.
 */
const ROOT_PREFIX = new WeakMap<IConstruct, string>();
const SEGMENT = new WeakMap<IConstruct, string>();

/** Name the constructs below `root` (a cdk8s App) as if the App were at `prefix` (e.g. `platform/prod`). */
export function setProblemPathPrefix(root: IConstruct, prefix: string): void {
  ROOT_PREFIX.set(root, prefix);
}

/** Call `construct` `segment` in problem paths below a root named with `setProblemPathPrefix` (`Tenant-acme`). */
export function setProblemPathSegment(construct: IConstruct, segment: string): void {
  SEGMENT.set(construct, segment);
}

/** The path problem messages give `construct`: its construct path, or the Platform's name for it. */
export function problemPath(construct: IConstruct): string {
  const prefix = ROOT_PREFIX.get(construct.node.root);
  if (prefix === undefined) return construct.node.path;
  const parts: string[] = [];
  for (let c: IConstruct | undefined = construct; c && c !== construct.node.root; c = c.node.scope) {
    parts.unshift(SEGMENT.get(c) ?? c.node.id);
  }
  return [prefix, ...parts].filter(p => p !== '').join('/');
}

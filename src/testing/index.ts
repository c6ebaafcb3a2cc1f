// Test helpers for users' unit and snapshot tests: `PlatformTesting.synth(platform)` and what it returns.
import { SynthesizedManifest, SynthesizedTerraformResource } from './platform-testing';

export * from './options';
export { PlatformTesting, PlatformSnapshot, SynthesizedManifest, SynthesizedTerraformResource } from './platform-testing';

/**
 * TypeScript only (not part of the jsii API): the documents of manifests, or the configurations of Terraform
 * resources, as plain objects for `expect(...).toEqual(...)`, `toMatchObject(...)` or property access.
 *
 * @example
 * const [ns] = asObjects(snapshot.manifests('Namespace', undefined));
 * expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
 */
export function asObjects<T = any>(items: ReadonlyArray<SynthesizedManifest | SynthesizedTerraformResource>): T[] {
  return items.map(item => JSON.parse(item.toJson()) as T);
}

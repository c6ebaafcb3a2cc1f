import { dependable, ITerraformDependable, Lazy, TerraformResource } from 'cdktf';

/**
 * Make `resource` depend on `dependencies`, as `dependsOn` would, with the same `depends_on` in the output. cdktf's
 * `dependsOn` creates and registers a token for every dependency, and keeps it for good: the tenant base depends on
 * each of the tenant's Vault resources and the environment chart on every tenant base, so at thousands of tenants
 * those tokens alone hold tens of megabytes through synthesis. One lazy list per resource holds the same addresses,
 * read at synth (so a later `overrideLogicalId` still shows). Dependencies that are not resources (modules, data
 * sources) go through `dependsOn` as usual.
 */
export function dependOn(resource: TerraformResource, dependencies: ITerraformDependable[]): void {
  if (dependencies.length === 0) return;
  const resources = dependencies.filter((d): d is TerraformResource => d instanceof TerraformResource);
  if (resources.length !== dependencies.length) {
    resource.dependsOn = [...(resource.dependsOn ?? []), ...dependencies.map(d => dependable(d))];
    return;
  }
  const existing = resource.dependsOn ?? [];
  resource.dependsOn = Lazy.listValue({
    produce: () => [...existing, ...resources.map(d => `${d.terraformResourceType}.${d.friendlyUniqueId}`)],
  });
}

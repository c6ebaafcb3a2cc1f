import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, ObjectMeta, Quantity } from './imports/k8s';

/** A kind of the typed bindings (src/k8s/imports/k8s.ts): its generated class, used for its static `manifest`. */
export interface TypedKind<P> {
  /** The kind's manifest (`apiVersion`, `kind` and the props under their Kubernetes names and values). */
  manifest(props: P): any;
}

/**
 * A Kubernetes object of a kind of the typed bindings: `props` are checked against the Kubernetes 1.28 schema at
 * compile time (`KubeResourceQuotaProps`, ...), `apiVersion` and `kind` come from the bindings, and the object is
 * an `ApiObject` of the converted manifest.
 *
 * Why not the generated class itself (`new KubeResourceQuota(...)`): its `toJson()` re-converts the resolved JSON
 * through the schema types after `addJsonPatch` patches were applied, so a patched quantity or port given as a plain
 * string or number (`JsonPatch.add('/spec/hard/memory', '1Gi')`), or a field the 1.28 schema does not know, is
 * silently dropped from the output. Converting once, here, keeps every patch a user adds to the library's objects
 * working as before, and the output is what `ApiObject` writes (keys sorted), byte for byte.
 * `test/k8s/typed-object.test.ts` shows both.
 */
export function kubeObject<P>(scope: Construct, id: string, kind: TypedKind<P>, props: NoInfer<P>): ApiObject {
  // Every Kube*Props has an optional ObjectMeta `metadata`.
  const { metadata, ...rest } = props as { readonly metadata?: ObjectMeta };
  // ObjectMeta needs none of what the converters do (no renamed field, no Quantity) unless it carries a timestamp,
  // so `ApiObject` takes it as it is: a copy of its maps saved per object (docs/performance.md).
  if (metadata?.creationTimestamp !== undefined || metadata?.deletionTimestamp !== undefined) return new ApiObject(scope, id, kind.manifest(props));
  return new ApiObject(scope, id, { ...kind.manifest(rest as P), metadata });
}

// The bindings take quantities and ports as the classes Kubernetes' schema gives them (`Quantity`, `IntOrString`);
// the library's model holds them as strings and numbers. These turn one into the other.

/** One resource quantity (`'64Mi'`). */
export function quantity(value: string): Quantity {
  return Quantity.fromString(value);
}

/** A map of resource quantities (`{ cpu: '500m' }`) as the typed bindings take it. */
export function quantities(values: { [key: string]: string }): { [key: string]: Quantity } {
  const out: { [key: string]: Quantity } = {};
  for (const [k, v] of Object.entries(values)) out[k] = quantity(v);
  return out;
}

/** A port given by number or by name. */
export function port(value: number | string): IntOrString {
  return typeof value === 'number' ? IntOrString.fromNumber(value) : IntOrString.fromString(value);
}

import { IntOrString, Quantity } from './imports/k8s';

// The typed bindings (src/k8s/imports/k8s.ts) take quantities and ports as the classes Kubernetes' schema gives
// them (`Quantity`, `IntOrString`); the library's model holds them as strings and numbers. These turn one into the
// other; the bindings' `toJson` writes the same string or number back.

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

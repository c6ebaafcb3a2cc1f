import { checkQuantity, Quantity, QuantityKind } from '../../model/quantity';
import { KubernetesDocument, TerraformResource } from '../contents';
import { PolicyContext, PolicyRule, Report, rule } from '../rule';
import { PolicyReference, PolicySeverity, PolicyTarget } from '../types';
import { parseVaultPolicy, ParsedVaultPolicy } from '../vault-hcl';

export const K8S = [PolicyTarget.KUBERNETES];
export const TF = [PolicyTarget.TERRAFORM];

/** Where a Kubernetes document is, for findings. */
export function atDoc(d: KubernetesDocument): { resource: string; file: string } {
  return { resource: d.resource, file: d.file };
}

/**
 * A rule over every Kubernetes object of the output (each document with a kind), reported at the document: the
 * subjects, target and location the object-wide rules (K03, K04, B17, B18) share.
 */
export function objectRule(def: {
  id: string;
  severity: PolicySeverity;
  title: string;
  description: string;
  references: PolicyReference[];
  check: (d: KubernetesDocument, report: Report, ctx: PolicyContext) => void;
}): PolicyRule {
  return rule<KubernetesDocument>({ ...def, targets: K8S, subjects: ctx => ctx.documents.filter(d => d.kind !== ''), where: atDoc });
}

/** Where a Terraform resource is, for findings. */
export function atTf(r: TerraformResource): { resource: string; file: string } {
  return { resource: r.resource, file: r.file };
}

/** The kind of quantity a resource name holds. */
export function quantityKindOf(resourceName: string): QuantityKind {
  if (resourceName === 'cpu' || resourceName.endsWith('.cpu')) return QuantityKind.CPU;
  if (/(^|[./])(memory|ephemeral-storage|storage)$/.test(resourceName) || resourceName.startsWith('hugepages-')) return QuantityKind.BYTES;
  return QuantityKind.COUNT;
}

/** A quantity as a number of base units, or undefined when it is not a valid quantity of its kind. */
export function quantity(value: unknown, resourceName: string): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const kind = quantityKindOf(resourceName);
  if (checkQuantity(text, kind) !== undefined) {
    // Quota counts such as "0" are valid though not positive.
    return kind === QuantityKind.COUNT && /^0+$/.test(text) ? 0 : undefined;
  }
  return Quantity.parse(text, kind).toNumber();
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDnsLabel(text: unknown, max: number = 63): boolean {
  return typeof text === 'string' && text.length <= max && DNS_LABEL.test(text);
}

export function isDns1035(text: unknown): boolean {
  return typeof text === 'string' && text.length <= 63 && DNS_1035.test(text);
}

export function isDnsSubdomain(text: unknown, max: number = 253): boolean {
  return typeof text === 'string' && text.length <= max && DNS_SUBDOMAIN.test(text);
}

/** Label values: at most 63 characters, alphanumeric at both ends, `-_.` inside, or empty. */
export function isLabelValue(text: unknown): boolean {
  return typeof text === 'string' && (text === '' || (text.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(text)));
}

/** Why a label or annotation key is not a qualified name (`[prefix/]name`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || !isDnsSubdomain(prefix))) return 'has a prefix that is not a DNS subdomain';
  if (name.length === 0 || name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) {
    return 'has a name part that is not 1-63 alphanumerics with "-", "_" or "." inside';
  }
  return undefined;
}

/** Plain, string-keyed object entries (empty for anything else). */
export function entries(value: unknown): Array<[string, any]> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as object) : [];
}

/** A list, or empty. */
export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/**
 * A Vault policy text parsed once per evaluation, for every rule that reads it (V01, V02 and W08 parse the same
 * policies: at N = 60, 944 parses of 252 distinct texts). Parsing is a pure function of the text and never throws;
 * the result is only read.
 */
export function parsedVaultPolicy(ctx: PolicyContext, text: string): ParsedVaultPolicy {
  const parsed = ctx.memo('vault-hcl:parsed-policies', () => new Map<string, ParsedVaultPolicy>());
  let policy = parsed.get(text);
  if (policy === undefined) parsed.set(text, policy = parseVaultPolicy(text));
  return policy;
}

/**
 * The policy pack in bounded memory (issue 20 item 2; docs/performance.md "Memory"): what the pack keeps of one
 * (environment, tenant)'s output once its per-tenant work is done, instead of the documents themselves.
 *
 * The rules split by what they read:
 * (a) per tenant output file: the secret scan B13 (every string of every document, the backup scripts included):
 *     run on the tenant's documents as they are produced; only its outcome (checked count, findings) is kept;
 * (b) across tenants and against Terraform (uniqueness, wiring W03–W10, quota, every rule that looks a document's
 *     neighbours up): run at the end over the *reduced* documents below, which hold every field those rules read;
 * (c) parity: each tenant's documents are normalized when produced; the normalized variants (deduplicated across
 *     tenants: identical tenants give one variant) are kept, not the documents.
 *
 * The reduced documents are the documents without what only (a) and (c) read: ConfigMap data (the three backup
 * scripts, about half of a tenant's output). Of each ConfigMap value the rules of (b) read only the metric catalogue
 * lines (W09's emitters), dashboards (`*.json`, K45's panels) and whether a value is a string (B18); the reduced
 * document keeps exactly that. Measured cost of what stays: docs/performance.md "Memory".
 *
 * A fragment is plain JSON and deterministic (same output, same fragment), so a cache (issue 20 item 3) can keep it
 * per tenant and hand it back instead of the documents (`PolicyInput` `addTenantFragment`, internal), exactly as the
 * parts of a split synthesis hand their digests to the final step.
 *
 * Own implementation: it follows this pack's rules; no library knows them.
 */
import * as crypto from 'crypto';
import { contentsOf, KubernetesDocument } from './contents';
import type { PolicyInput } from './input';
import type { Side } from './parity';
import type { PolicyFinding } from './types';
import { show } from '../model/problems';

/** Format of a fragment (bump when the shape or the meaning of a field changes: cached fragments are then stale). */
export const TENANT_POLICY_FRAGMENT_FORMAT = 'inopsio-tenant-policy-fragment/v1';

/** Rules run per tenant output file, whose outcome a fragment carries (group (a) above). */
export const PER_TENANT_RULES: readonly string[] = ['B13'];

/** One violation of a per-tenant rule, its value already rendered (`show`), as in the report. */
export type FragmentViolation = Pick<PolicyFinding, 'resource' | 'file' | 'field' | 'problem' | 'got' | 'fix'>;

/** The outcome of one per-tenant rule over the fragment's files. */
export interface FragmentOutcome {
  readonly ruleId: string;
  readonly checked: number;
  readonly violations: FragmentViolation[];
}

/** A reduced document: where it was (file, position in the file) and the fields the rules across tenants read. */
export interface FragmentDocument {
  readonly file: string;
  readonly index: number;
  readonly doc: unknown;
}

/** A parity side as JSON: `[key, [[normalized JSON, tenants]]]` (also a part digest's, src/platform/shard-synth.ts). */
export type SideJson = Array<[string, Array<[string, string[]]>]>;

/** What the pack keeps of one (environment, tenant)'s output. JSON-serializable and deterministic. */
export interface TenantPolicyFragment {
  readonly format: string;
  readonly environment: string;
  readonly tenant: string;
  /** The output files it was computed from (display paths, as in findings). */
  readonly files: string[];
  /** Outcomes of the per-tenant rules (`PER_TENANT_RULES`) over those files, by rule id. */
  readonly outcomes: FragmentOutcome[];
  /** The documents, reduced to what the rules across tenants read, in file order. */
  readonly documents: FragmentDocument[];
  /**
   * The tenant's documents normalized for parity (every tenant id of the environment and the environment name
   * replaced), or undefined when the environment is not compared.
   */
  readonly parity?: SideJson;
  /**
   * SHA-256 of the sorted tenant ids the parity keys were normalized with: parity merges only fragments normalized
   * with the environment's tenants of the evaluation (a cache must recompute `parity` when the tenant list changes).
   */
  readonly parityTenants?: string;
}

/** One file of a tenant's output, as the Platform just wrote it. */
export interface TenantOutputFile {
  readonly file: string;
  readonly documents: unknown[];
}

/** The digest `parityTenants` holds. */
export function tenantListDigest(tenants: readonly string[]): string {
  let digest = DIGESTS.get(tenants);
  if (digest === undefined) {
    digest = crypto.createHash('sha256').update([...new Set(tenants)].sort().join('\n')).digest('hex');
    DIGESTS.set(tenants, digest);
  }
  return digest;
}

/** The digests of the lists seen (the Platform hands every tenant of an environment the same list). */
const DIGESTS = new WeakMap<readonly string[], string>();

/** A side as JSON, keys and variants in a stable order. */
export function sideToJson(side: Side): SideJson {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...side.keys()].sort(compare).map(key => [key, [...side.get(key)!.values()]
    .sort((a, b) => compare(a.json, b.json)).map(v => [v.json, [...v.tenants].sort(compare)])]);
}

/** Merge sides given as JSON into `side`: the variants of a key are the union (tenants joined). */
export function mergeSideJson(side: Side, json: SideJson): void {
  for (const [key, variants] of json) {
    let merged = side.get(key);
    if (!merged) side.set(key, merged = new Map());
    for (const [text, tenants] of variants) {
      const found = merged.get(text);
      if (found) tenants.forEach(t => found.tenants.add(t));
      else merged.set(text, { json: text, tenants: new Set(tenants) });
    }
  }
}

/** The metric catalogue lines of W09 (`'<name>|<type>|...`), the only part of a script the rules across tenants read. */
const CATALOGUE_LINE = /^\s*'[a-zA-Z_:][a-zA-Z0-9_:]*\|(?:gauge|counter|histogram|summary|untyped)\|/gm;

/**
 * A document reduced to what the rules across tenants read. A ConfigMap's string values become their metric
 * catalogue lines (matched again by W09, same names in the same order); dashboards (`*.json`, K45) and non-string
 * values (B18) stay as they are. Anything else is the document itself (shared, not copied).
 */
export function reduceDocument(doc: unknown): unknown {
  const d = doc as any;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d.kind !== 'ConfigMap') return doc;
  if (d.data === null || typeof d.data !== 'object' || Array.isArray(d.data)) return doc;
  const data: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(d.data)) {
    data[key] = typeof value !== 'string' || key.endsWith('.json') ? value : [...value.matchAll(CATALOGUE_LINE)].map(m => m[0]).join('\n');
  }
  const { binaryData: _binary, ...rest } = d;
  return { ...rest, data };
}

/** What `tenantPolicyFragment` needs besides the files: the pack's per-tenant evaluation and parity's normalization. */
export interface FragmentEvaluator {
  /** Run the per-tenant rules over an input holding one tenant's files. */
  evaluatePerTenant(input: PolicyInput): FragmentOutcome[];
  /** The tenant's documents normalized for parity with every tenant of the environment. */
  paritySide(input: PolicyInput, environment: string, tenants: readonly string[]): Side;
  /** A fresh input. */
  newInput(): PolicyInput;
}

/**
 * The fragment of one (environment, tenant): the per-tenant rules run over `files`, the parity keys (when
 * `parityTenants`, every tenant id of the environment, is given), and the reduced documents. The documents of
 * `files` are not referenced by the fragment except where a reduced document is the document itself.
 */
export function computeTenantPolicyFragment(
  evaluator: FragmentEvaluator, environment: string, tenant: string, files: readonly TenantOutputFile[], parityTenants?: readonly string[],
): TenantPolicyFragment {
  const input = evaluator.newInput();
  const contents = contentsOf(input);
  for (const f of files) contents.addKubernetesDocuments(environment, f.file, f.documents);
  const outcomes = evaluator.evaluatePerTenant(input);
  const documents: FragmentDocument[] = contents.kubernetes
    .map((d: KubernetesDocument) => ({ file: d.file, index: d.index, doc: reduceDocument(d.doc) }));
  const parity = parityTenants === undefined ? undefined : sideToJson(evaluator.paritySide(input, environment, parityTenants));
  return {
    format: TENANT_POLICY_FRAGMENT_FORMAT,
    environment,
    tenant,
    files: files.map(f => f.file),
    outcomes,
    documents,
    ...(parity !== undefined ? { parity, parityTenants: tenantListDigest(parityTenants!) } : {}),
  };
}

/** A rendered violation (`show` of its value, as the report renders it). */
export function renderViolation(v: { resource: string; file: string; field: string; problem: string; got: unknown; fix: string }): FragmentViolation {
  return { resource: v.resource, file: v.file, field: v.field, problem: v.problem, got: show(v.got), fix: v.fix };
}

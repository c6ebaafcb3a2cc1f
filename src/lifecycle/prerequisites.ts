import * as fs from 'fs';
import * as path from 'path';
import { InventoryPrerequisite, LifecycleInventory } from './inventory';
import { Environment } from '../model/environment';
import { LifecycleKind } from '../model/environment-class';
import { vaultAgentReads, vaultAnnotationsOfParameters } from '../model/vault-agent-annotations';
import { PREREQUISITES_ANNOTATION, parsePrerequisites } from '../model/wiring-annotations';
import { OutputLayout } from '../output/layout';
import { manifestFilesBelow, synthesizedStacks, filesBelow } from '../output/tree';
import { parseYaml, parseYamlDocuments } from '../output/yaml';

/**
 * What the output assumes exists before it is applied (issue 24 item 5), per environment, read from the output itself
 * by the declarations the wiring rules read, so that a new prerequisite cannot be missed by the list:
 *
 * - `configmap` / `secret`: what a generated pod template declares in `lifecycle.inopsio.io/prerequisites`
 *   (src/model/wiring-annotations.ts; rule W06 accepts exactly these), e.g. the database CA `postgres-ca`;
 * - `terraform-variable`: every variable of the environment's stacks without a default (a Terraform Cloud variable
 *   or variable set of the workspace must supply it; `database_bootstrap_passwords` has a default `{}` but is listed
 *   too: the database bootstrap users' one-time passwords);
 * - `github-secret`: every `${{ secrets.X }}` a workflow job reads, under the GitHub environment of the job (the job's
 *   `environment:`; a job without one reads repository secrets) — jobs of `<env>` and `<env>-plan` belong to `<env>`,
 *   the other environments' (decommission, previews) to every environment they act on;
 * - `vault-jwt-role`: the Vault JWT auth role each workflow job logs in with (GitHub OIDC), bound to its environment;
 * - `vault-kv-secret`: every KV v2 path a generated pod, Helm release or Argo CD Application asks the Vault agent for
 *   (the W08 annotations) that no stack writes (`vault_kv_secret_v2`): a person seeds it before the workload starts
 *   (e.g. the backup stores' keys, a module's `{{ vault('kv/...') }}` values);
 * - `object-store-bucket`: the shared tenant-object bucket the stacks read (`data.minio_s3_bucket`).
 */
export type Prerequisite = InventoryPrerequisite;

/** The kinds, in the order they are listed. */
export const PREREQUISITE_KINDS: readonly string[] = Object.freeze([
  'configmap', 'secret', 'vault-kv-secret', 'object-store-bucket', 'terraform-variable', 'github-secret', 'vault-jwt-role',
]);

/** A KV v2 read: `<mount>/data/<path>` without wildcards. */
const KV_READ = /^([a-z0-9][a-z0-9-]*)\/data\/([^*+]+)$/;

/** Where the output is, and which stacks belong to which environment. */
export interface PrerequisiteSources {
  readonly layout: OutputLayout;
  /** The environment of a stack folder (a sharded environment's shard and chart stacks are its own). */
  readonly environmentOfStack?: (stack: string) => string;
  /**
   * What the manifest files declare, collected from their documents as they were written (the Platform feeds every
   * chart it writes, and every tenant it copies from its synthesis cache); a manifest file it was not fed is read and
   * parsed. Undefined: every manifest file is read and parsed.
   */
  readonly manifests?: ManifestPrerequisites;
  /**
   * What the Terraform stacks need, taken from each stack's JSON as it was written (the Platform hands every stack it
   * writes); a stack file it was not given is read and parsed. Undefined: every stack file is read and parsed.
   */
  readonly stacks?: StackPrerequisites;
}

const SECRET_REF = /\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const POD_TEMPLATE_PATHS: Array<(d: any) => any> = [
  d => d?.spec?.template,
  d => d?.spec?.jobTemplate?.spec?.template,
  d => (d?.kind === 'Pod' ? d : undefined),
];

type Found = { env: string; kind: string; name: string; scope: string; by: string };
type KvRead = { env: string; path: string; by: string };

/** What the documents of one manifest file declare (`ManifestPrerequisites.add`): plain data, kept as JSON. */
export interface ManifestPrerequisiteRecords {
  readonly found: readonly Found[];
  readonly kvReads: readonly KvRead[];
}

/**
 * The manifests' share of the prerequisites (the W06 declarations and the Vault agent's KV reads of every pod template
 * and Argo CD Application), collected one written file at a time from the documents in memory. Reading the output back
 * and parsing its YAML again cost a third of a whole synthesis at 1,000 tenants (docs/performance.md); this keeps only
 * the few entries found, not the documents.
 */
export class ManifestPrerequisites {
  /** @internal */
  public readonly _found: Found[] = [];
  /** @internal */
  public readonly _kvReads: KvRead[] = [];
  private readonly files = new Set<string>();

  /**
   * The documents of one manifest file of `environment`, as written to `file`. Returns what they added (a synthesis
   * cache entry keeps it, so that a re-synth need not read the tenant's documents again: `addRecords`).
   */
  public add(environment: string, file: string, documents: readonly unknown[]): ManifestPrerequisiteRecords {
    this.files.add(path.resolve(file));
    const [found, kvReads] = [this._found.length, this._kvReads.length];
    for (const d of documents) documentPrerequisites(environment, d, this._found, this._kvReads);
    return { found: this._found.slice(found), kvReads: this._kvReads.slice(kvReads) };
  }

  /** What `add` returned for `file` in an earlier synthesis (its documents unchanged: the same records). */
  public addRecords(file: string, records: ManifestPrerequisiteRecords): void {
    this.files.add(path.resolve(file));
    this._found.push(...records.found);
    this._kvReads.push(...records.kvReads);
  }

  /** Whether the documents of `file` were added. */
  public has(file: string): boolean {
    return this.files.has(path.resolve(file));
  }
}

/** What one document declares: the W06 prerequisites of its pod templates and the Vault agent's KV reads. */
/** @internal What one stack's JSON needs: its workspace, the KV paths its releases read and it writes, buckets, variables. */
export interface StackFacts {
  readonly stack: string;
  readonly workspace: string;
  readonly kvReads: Array<{ path: string; by: string }>;
  readonly kvWritten: string[];
  readonly buckets: string[];
  readonly variables: string[];
}

/**
 * The prerequisites of Terraform stacks, taken from each stack's JSON as it is written instead of parsing the file
 * back: a stack of thousands of tenants is tens of megabytes of JSON, and parsing it whole set the synthesis's peak
 * memory (docs/performance.md). Blocks the writer holds as text (anything with a `toJSON()`) are parsed one at a time.
 */
export class StackPrerequisites {
  private readonly facts = new Map<string, StackFacts>();

  /** The JSON of stack `stack` (its folder name), as written to `file`. */
  public add(stack: string, file: string, json: unknown): void {
    this.facts.set(path.resolve(file), stackFacts(stack, json));
  }

  /** Whether the stack written to `file` was added. */
  public has(file: string): boolean {
    return this.facts.has(path.resolve(file));
  }

  /** @internal The facts of the stack written to `file`. */
  public _of(file: string): StackFacts | undefined {
    return this.facts.get(path.resolve(file));
  }
}

/** A value as JSON has it: a value held as text by the writer (`toJSON()`) parsed. */
function plain(value: any): any {
  return value !== null && typeof value === 'object' && typeof value.toJSON === 'function' ? value.toJSON() : value;
}

function stackFacts(stack: string, json: any): StackFacts {
  const cloud = plain(json?.terraform)?.cloud;
  const facts: StackFacts = {
    stack,
    workspace: cloud ? `${cloud.organization}/${cloud.workspaces?.name}` : stack,
    kvReads: [],
    kvWritten: [],
    buckets: [],
    variables: [],
  };
  for (const [id, value] of Object.entries<any>(json?.resource?.helm_release ?? {})) {
    const r = plain(value);
    const sets = [...(Array.isArray(r?.set) ? r.set : []), ...(Array.isArray(r?.set_sensitive) ? r.set_sensitive : [])];
    for (const read of vaultAgentReads(vaultAnnotationsOfParameters(sets))) facts.kvReads.push({ path: read.path, by: `helm_release.${id} (stack ${stack})` });
  }
  for (const value of Object.values<any>(json?.resource?.vault_kv_secret_v2 ?? {})) {
    const r = plain(value);
    const mount = String(r?.mount ?? '');
    const mountPath = mount.startsWith('${') ? plain(json?.resource?.vault_mount?.[mount.split('.')[1]])?.path : mount;
    if (typeof mountPath === 'string') facts.kvWritten.push(`${mountPath}/data/${String(r?.name ?? '')}`);
  }
  for (const value of Object.values<any>(json?.data?.minio_s3_bucket ?? {})) {
    const r = plain(value);
    if (typeof r?.bucket === 'string') facts.buckets.push(r.bucket);
  }
  for (const [name, value] of Object.entries<any>(json?.variable ?? {})) {
    const v = plain(value);
    if (v?.default === undefined || (v?.sensitive === true && v?.ephemeral === true)) facts.variables.push(name);
  }
  return facts;
}

function documentPrerequisites(env: string, d: any, found: Found[], kvReads: KvRead[]): void {
  // Argo CD Applications: the module values' agent annotations as Helm parameters.
  const params = d?.kind === 'Application' ? d?.spec?.source?.helm?.parameters ?? d?.spec?.sources?.flatMap((x: any) => x?.helm?.parameters ?? []) : undefined;
  if (Array.isArray(params)) {
    for (const r of vaultAgentReads(vaultAnnotationsOfParameters(params))) {
      kvReads.push({ env, path: r.path, by: `Application/${d?.metadata?.namespace ?? '-'}/${d?.metadata?.name}` });
    }
  }
  for (const at of POD_TEMPLATE_PATHS) {
    const t = at(d);
    const annotations = t?.metadata?.annotations;
    if (annotations === undefined) continue;
    const ns = d?.metadata?.namespace ?? '-';
    for (const r of parsePrerequisites(annotations[PREREQUISITES_ANNOTATION])) {
      found.push({ env, kind: r.kind, name: r.name, scope: `namespace ${ns}`, by: `${d.kind}/${ns}/${d?.metadata?.name}` });
    }
    for (const r of vaultAgentReads(annotations)) kvReads.push({ env, path: r.path, by: `${d.kind}/${ns}/${d?.metadata?.name}` });
  }
}

/** The prerequisites of every environment of the output, by environment name; each list sorted by kind, scope, name. */
export function collectPrerequisites(environments: Environment[], sources: PrerequisiteSources): { [env: string]: Prerequisite[] } {
  const found = new Map<string, Map<string, { kind: string; name: string; scope: string; neededBy: Set<string> }>>();
  const names = new Set(environments.map(e => e.name));
  const add = (env: string, kind: string, name: string, scope: string, by: string) => {
    if (!names.has(env)) return;
    const list = found.get(env) ?? new Map();
    found.set(env, list);
    const key = `${kind}\u0000${scope}\u0000${name}`;
    const p = list.get(key) ?? { kind, name, scope, neededBy: new Set<string>() };
    p.neededBy.add(by);
    list.set(key, p);
  };

  // KV v2 secrets pods read (their agent annotations, in manifests, Helm releases and Argo CD Applications), listed
  // unless a stack writes them (vault_kv_secret_v2): a person seeds them before the workload starts.
  const kvReads: KvRead[] = [];
  const kvWritten = new Set<string>();

  // Pods: the W06 declarations, from the documents fed as they were written; any other manifest file is parsed.
  const manifests = sources.manifests ?? new ManifestPrerequisites();
  const parsed = new ManifestPrerequisites();
  for (const m of manifestFilesBelow(sources.layout.manifestsDirectory)) {
    if (manifests.has(m.file)) continue;
    const text = fs.readFileSync(m.file, 'utf8');
    parsed.add(m.environment, m.file, m.format === 'json' ? [JSON.parse(text)].flat() : parseYamlDocuments(text, m.file));
  }
  for (const fed of [manifests, parsed]) {
    for (const p of fed._found) add(p.env, p.kind, p.name, p.scope, p.by);
    kvReads.push(...fed._kvReads);
  }

  // Stacks: variables Terraform cannot fill in itself.
  const environmentOf = sources.environmentOfStack ?? ((s: string) => s);
  for (const s of synthesizedStacks(sources.layout)) {
    const facts = sources.stacks?._of(s.file) ?? (fs.existsSync(s.file) ? stackFacts(s.stack, JSON.parse(fs.readFileSync(s.file, 'utf8'))) : undefined);
    if (!facts) continue;
    const stackEnv = environmentOf(s.stack);
    for (const r of facts.kvReads) kvReads.push({ env: stackEnv, ...r });
    for (const written of facts.kvWritten) kvWritten.add(written);
    for (const bucket of facts.buckets) add(stackEnv, 'object-store-bucket', bucket, 'object store (MinIO), shared by every environment', `stack ${s.stack}`);
    for (const name of facts.variables) add(stackEnv, 'terraform-variable', name, `workspace ${facts.workspace}`, `stack ${s.stack}`);
  }

  for (const r of kvReads) {
    const m = KV_READ.exec(r.path);
    if (m && !kvWritten.has(r.path)) add(r.env, 'vault-kv-secret', r.path, `Vault of ${r.env} (KV v2 mount ${m[1]})`, r.by);
  }

  // Workflows: secrets and Vault JWT roles, by the GitHub environment of the job.
  for (const file of filesBelow(sources.layout.workflowsDirectory).filter(f => /\.ya?ml$/.test(f))) {
    const doc: any = parseYaml(fs.readFileSync(file, 'utf8'));
    const wf = file.split('/').pop();
    for (const [id, job] of Object.entries<any>(doc?.jobs ?? {})) {
      const ghEnv = typeof job?.environment === 'string' ? job.environment : job?.environment?.name;
      const literal = typeof ghEnv === 'string' && !ghEnv.includes('${{') ? ghEnv : undefined;
      // The platform environments the job acts on.
      const own = literal === undefined ? undefined : [...names].find(n => literal === n || literal === `${n}-plan`);
      const targets = own !== undefined ? [own] : environmentsActedOn(environments, wf ?? '');
      const scope = literal === undefined ? (ghEnv ? 'GitHub environment of the run (expression)' : 'repository secrets') : `GitHub environment ${literal}`;
      const by = `${wf}#jobs.${id}`;
      const text = JSON.stringify(job);
      for (const m of text.matchAll(SECRET_REF)) {
        if (m[1] === 'GITHUB_TOKEN') continue;
        for (const env of targets) add(env, 'github-secret', m[1], scope, by);
      }
      for (const step of Array.isArray(job?.steps) ? job.steps : []) {
        if (typeof step?.uses === 'string' && step.uses.startsWith('hashicorp/vault-action@') && step?.with?.method === 'jwt' && typeof step.with.role === 'string') {
          // A role named per dispatched environment (`ci-${{ inputs.environment }}-decommission`) is listed by its name there.
          for (const env of targets) add(env, 'vault-jwt-role', step.with.role.replace(/\$\{\{\s*inputs\.environment\s*\}\}/g, env), `Vault of ${env} (auth/jwt, bound to ${literal ? `GitHub environment ${literal}` : 'the repository'})`, by);
        }
      }
    }
  }

  const out: { [env: string]: Prerequisite[] } = {};
  for (const env of [...names].sort()) {
    out[env] = [...(found.get(env)?.values() ?? [])]
      .map(p => ({ kind: p.kind, name: p.name, scope: p.scope, neededBy: [...p.neededBy].sort() }))
      .sort((a, b) => PREREQUISITE_KINDS.indexOf(a.kind) - PREREQUISITE_KINDS.indexOf(b.kind) || cmp(a.scope, b.scope) || cmp(a.name, b.name));
  }
  return out;
}

/**
 * The union of prerequisite lists collected over parts of one output (a horizontal synthesis: each part collects over
 * the files it wrote): the same entries, `neededBy` joined, in the order `collectPrerequisites` lists them, so that
 * the merge of the parts' lists equals the list collected over the whole output.
 */
export function mergePrerequisites(lists: ReadonlyArray<{ [env: string]: Prerequisite[] }>): { [env: string]: Prerequisite[] } {
  const found = new Map<string, Map<string, { kind: string; name: string; scope: string; neededBy: Set<string> }>>();
  for (const list of lists) {
    for (const [env, entries] of Object.entries(list)) {
      const byKey = found.get(env) ?? new Map();
      found.set(env, byKey);
      for (const p of entries) {
        const key = `${p.kind}\u0000${p.scope}\u0000${p.name}`;
        const e = byKey.get(key) ?? { kind: p.kind, name: p.name, scope: p.scope, neededBy: new Set<string>() };
        for (const by of p.neededBy) e.neededBy.add(by);
        byKey.set(key, e);
      }
    }
  }
  const out: { [env: string]: Prerequisite[] } = {};
  for (const env of [...found.keys()].sort()) {
    out[env] = [...found.get(env)!.values()]
      .map(p => ({ kind: p.kind, name: p.name, scope: p.scope, neededBy: [...p.neededBy].sort() }))
      .sort((a, b) => PREREQUISITE_KINDS.indexOf(a.kind) - PREREQUISITE_KINDS.indexOf(b.kind) || cmp(a.scope, b.scope) || cmp(a.name, b.name));
  }
  return out;
}

/** Which environments a job without an environment of its own acts on, by workflow. */
function environmentsActedOn(environments: Environment[], workflow: string): string[] {
  const ephemeral = (e: Environment) => e.environmentClass.lifecycle === LifecycleKind.EPHEMERAL;
  if (workflow.startsWith('preview') || workflow.startsWith('cleanup')) return environments.filter(ephemeral).map(e => e.name);
  if (workflow.startsWith('decommission')) return environments.filter(e => !ephemeral(e)).map(e => e.name);
  return environments.map(e => e.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The inventory with each environment's prerequisites. */
export function withPrerequisites(inventory: LifecycleInventory, prerequisites: { [env: string]: Prerequisite[] }): LifecycleInventory {
  return { ...inventory, environments: inventory.environments.map(e => ({ ...e, prerequisites: prerequisites[e.name] ?? [] })) };
}

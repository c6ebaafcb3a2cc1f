/**
 * Horizontal synthesis (docs/performance.md "Horizontal synthesis"): which files a part `i/n` of the platform owns,
 * the part's policy digest, and the final step that merges the digests of every part into the policy report and runs
 * the cross-part rule (B03 uniqueness) over them.
 *
 * Own implementation: the split follows this library's output layout and Terraform sharding; no library knows either.
 */
import * as fs from 'fs';
import * as path from 'path';
import { INVENTORY_FILE_NAME, LifecycleInventory, writeInventory } from '../lifecycle/inventory';
import { mergePrerequisites, Prerequisite, withPrerequisites } from '../lifecycle/prerequisites';
import { LifecycleValidationError, formatProblem, show } from '../model/problems';
import { SynthesisShard } from '../model/synthesis-shard';
import { OutputLayout } from '../output/layout';
import { KubernetesDocument, PolicyInputContents } from '../policy/contents';
import { PolicyPack, PolicyReport } from '../policy/pack';
import { EnvironmentParity, environmentSide, mergeFirstWins, ParityAllowance, Side } from '../policy/parity';
import { identity } from '../policy/rules/output';
import { PolicyFinding, PolicyRuleResult, PolicyRuleStatus, PolicySeverity } from '../policy/types';

/** Folder of the part digests in the Platform's outdir. */
export const SYNTHESIS_PARTS_DIRECTORY = 'synthesis-parts';
const DIGEST_FORMAT = 'inopsio-synthesis-part/v1';

/** Who owns what, as the Platform knows it. */
export interface PartOwners {
  /** Whether this part writes a tenant of an environment; undefined when `id` is not one of its tenants. */
  tenant(environment: string, id: string): boolean | undefined;
  /** Whether this part writes a Terraform stack; undefined when the stack is not a tenant shard. */
  shardStack(stack: string): boolean | undefined;
  /** Every tenant id of an environment (of every part). */
  tenantsOf(environment: string): string[];
}

/** The files one part owns, by their final paths (under the Platform's outdir and the cdktf outdir). */
export class SynthesisPartFiles {
  constructor(
    public readonly part: SynthesisShard,
    private readonly layout: OutputLayout,
    private readonly owners: PartOwners,
  ) {}

  /**
   * Whether a document belongs to this part: it is in one of the part's files, or it is an environment-wide
   * document (an Argo CD Application or AppProject in the environment chart) labelled with one of the part's tenants.
   * The policy pack of a part sees the environment-wide documents of its own tenants only (their Vault roles and
   * releases are in this part), and the cross-part rules count each document once.
   */
  public ownsDocument(d: KubernetesDocument): boolean {
    if (this.owns(d.file)) return true;
    const tenant = d.doc?.metadata?.labels?.tenant;
    return typeof tenant === 'string' && this.owners.tenant(d.environment, tenant) === true;
  }

  /** Whether a document of an environment-wide file, labelled with a tenant or not, is checked by this part's policy pack. */
  public checksDocument(environment: string, doc: any): boolean {
    const tenant = doc?.metadata?.labels?.tenant;
    return typeof tenant !== 'string' || this.owners.tenant(environment, tenant) !== false;
  }

  /** Every tenant id of an environment. */
  public tenantsOf(environment: string): string[] {
    return this.owners.tenantsOf(environment);
  }

  /** Whether `file` (a final path) is written by this part. */
  public owns(file: string): boolean {
    const under = (dir: string): string[] | undefined => {
      const rel = path.relative(dir, file);
      return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep);
    };
    const designated = this.part.designated;
    const k8s = under(this.layout.manifestsDirectory);
    if (k8s && k8s.length === 2) {
      const chart = k8s[1].replace(/^\d{4}-/, '').replace(/\.k8s\.yaml$/, '');
      return this.owners.tenant(k8s[0], chart) ?? designated;
    }
    for (const dir of [this.layout.chartsDirectory, path.join(this.layout.outdir, 'argocd-hooks')]) {
      const rel = under(dir);
      if (rel && rel.length >= 3) return this.owners.tenant(rel[0], rel[1]) ?? designated;
    }
    const parts = under(path.join(this.layout.outdir, SYNTHESIS_PARTS_DIRECTORY));
    if (parts) return parts.length === 1 && parts[0] === digestFileName(this.part);
    const stack = under(this.layout.stacksDirectory);
    if (stack && stack.length >= 2) return this.owners.shardStack(stack[0]) ?? designated;
    return designated;
  }
}

/** `part-<i>-of-<n>.json`. */
export function digestFileName(part: SynthesisShard): string {
  return `part-${part.label}.json`;
}

/**
 * Delete every staged file this part does not own (`final` maps a staged path to its final path), and the folders
 * left empty. The environment-wide output is still built in every part (it is small), so that the part's policy
 * evaluation sees the context its tenants live in; only part 1 keeps it.
 */
export function pruneToPart(roots: string[], final: (staged: string) => string, files: SynthesisPartFiles): void {
  const walk = (dir: string): boolean => {
    let empty = true;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (walk(p)) fs.rmdirSync(p);
        else empty = false;
      } else if (!files.owns(final(p))) {
        fs.unlinkSync(p);
      } else {
        empty = false;
      }
    }
    return empty;
  };
  for (const root of roots.filter(r => fs.existsSync(r))) walk(root);
}

/** One parity comparison of the Platform (production `reference` against staging `candidate`). */
export interface ParityPair {
  readonly reference: string;
  readonly candidate: string;
  readonly allowances: ParityAllowance[];
}

/** A parity side as JSON: `[key, [[normalized JSON, tenants]]]`. */
type SideJson = Array<[string, Array<[string, string[]]>]>;

/** A part's policy results and what the cross-part rules need of it. */
interface PartDigest {
  readonly format: string;
  readonly part: string;
  readonly rules: Array<{ id: string; status: string; checked: number }>;
  readonly findings: PolicyFinding[];
  /** B03 identities of the documents and resources in the part's own files: `[identity, resource, file]`. */
  readonly identities: Array<[string, string, string]>;
  /** The parity comparisons, and each compared environment normalized over the part's own files (`collect`). */
  readonly parity: { pairs: ParityPair[]; sides: { [environment: string]: SideJson } };
  /**
   * The prerequisites collected over the part's output (src/lifecycle/prerequisites.ts): the final step lists their
   * union in the inventory, which part 1 writes from its own files only.
   */
  readonly prerequisites: { [environment: string]: Prerequisite[] };
}

/**
 * Write the part's digest to `<stagedOutdir>/synthesis-parts/part-<i>-of-<n>.json`: the rules' outcomes and findings
 * of the part's policy evaluation, and the identities (B03) of what the part's own files hold. Returns the file.
 */
export function writePartDigest(
  stagedOutdir: string, files: SynthesisPartFiles, report: PolicyReport, contents: PolicyInputContents, pairs: ParityPair[],
  prerequisites: { [environment: string]: Prerequisite[] },
): string {
  const identities: Array<[string, string, string]> = [];
  const ownDocuments = contents.kubernetes.filter(d => files.ownsDocument(d));
  const ownStacks = contents.terraform.filter(t => files.owns(t.file));
  for (const s of [...ownDocuments, ...ownStacks.flatMap(t => t.resources)]) {
    const id = identity(s);
    if (id !== undefined) identities.push([id, s.resource, s.file]);
  }
  identities.sort((a, b) => compare(a.join('\n'), b.join('\n')));
  // Parity: each environment normalized over the part's own documents and stacks (environment-wide ones in part 1).
  const sides: { [environment: string]: SideJson } = {};
  for (const env of [...new Set(pairs.flatMap(p => [p.reference, p.candidate]))].sort()) {
    // Every tenant of the environment is normalized as a tenant, as in a whole synthesis (environment-wide texts name them).
    const side = environmentSide(contents, env, { documents: ownDocuments, stacks: ownStacks, knownTenants: files.tenantsOf(env) });
    sides[env] = [...side].map(([key, variants]) => [key, [...variants.values()].map(v => [v.json, [...v.tenants].sort()])]);
  }
  const digest: PartDigest = {
    format: DIGEST_FORMAT,
    part: `${files.part.index}/${files.part.count}`,
    rules: report.rules.map(r => ({ id: r.id, status: r.status, checked: r.checked })),
    findings: report.findings,
    identities,
    parity: { pairs, sides },
    prerequisites,
  };
  const dir = path.join(stagedOutdir, SYNTHESIS_PARTS_DIRECTORY);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, digestFileName(files.part));
  fs.writeFileSync(file, `${JSON.stringify(digest)}\n`);
  return file;
}

/**
 * The final step of a horizontal synthesis, run once every part's output is in `outdir` (the Platform's outdir,
 * `dist`): checks that every part `1/n` … `n/n` is there, runs B03 (no duplicate identity) and environment parity
 * (production against staging, as `PlatformPolicyProps.parity`) across the parts, merges
 * the parts' policy results and writes `<outdir>/policy-report.json`. Throws one LifecycleValidationError listing
 * every problem and every unacknowledged error finding (of any part, or across parts); the report is written anyway.
 *
 * The merged report lists each rule once: FAILED if it failed in a part or across parts, else ACKNOWLEDGED, PASSED,
 * NOT_APPLICABLE in that order; `checked` is the sum over the parts, each of which also checks the
 * environment-wide files it builds for context, so it is larger than a whole synthesis's count.
 */
export function mergeSynthesisParts(outdir: string): PolicyReport {
  const dir = path.join(outdir, SYNTHESIS_PARTS_DIRECTORY);
  const problems: string[] = [];
  const add = (field: string, problem: string, got: unknown, fix: string) => problems.push(formatProblem({ path: 'mergeSynthesisParts', field, problem, got, fix }));
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort() : [];
  const digests: PartDigest[] = [];
  for (const name of names) {
    try {
      const d = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      if (d?.format !== DIGEST_FORMAT) add(name, 'is not a part digest', d?.format, `write it with Platform.synth() and a synthesisShard (format ${DIGEST_FORMAT})`);
      else digests.push(d);
    } catch (e) {
      add(name, 'is not readable JSON', (e as Error).message, 'download every part\'s output again');
    }
  }
  const counts = new Set(digests.map(d => Number(d.part.split('/')[1])));
  if (digests.length === 0) add('outdir', `holds no part digests in ${SYNTHESIS_PARTS_DIRECTORY}/`, dir, 'copy every part\'s output into one folder first');
  if (counts.size > 1) add('parts', 'come from splits of different sizes', [...counts].sort(), 'synthesize every part of one split');
  if (counts.size === 1) {
    const n = [...counts][0];
    const have = new Set(digests.map(d => Number(d.part.split('/')[0])));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter(i => !have.has(i));
    if (missing.length > 0) add('parts', `misses part(s) ${missing.map(i => `${i}/${n}`).join(', ')}`, [...have].sort((a, b) => a - b), 'wait for every part\'s job and copy its output');
  }
  // B03 across parts: an identity in the own files of two parts (within a part, the part's evaluation found it).
  const first = new Map<string, { part: string; resource: string; file: string }>();
  const crossPart: PolicyFinding[] = [];
  for (const d of digests) {
    for (const [id, resource, file] of d.identities) {
      const earlier = first.get(id);
      if (!earlier) {
        first.set(id, { part: d.part, resource, file });
      } else if (earlier.part !== d.part) {
        const fieldName = id.startsWith('k8s|') ? 'metadata.name' : 'name';
        const got = show(id.split('|').pop());
        const problem = `duplicates ${earlier.resource} in ${earlier.file} (part ${earlier.part}; this is part ${d.part})`;
        const fix = 'rename one of them (derived names must stay unique after truncation)';
        const message = `${resource}: ${fieldName} ${problem} (got ${got}); ${fix} (B03)`;
        crossPart.push({ ruleId: 'B03', severity: PolicySeverity.ERROR, resource, file, field: fieldName, problem, got, fix, message });
      }
    }
  }
  // Parity across parts: each environment's sides merged (part order: part 1, with the base stacks, first), compared.
  const byPart = [...digests].sort((a, b) => Number(a.part.split('/')[0]) - Number(b.part.split('/')[0]));
  const pairs = byPart[0]?.parity.pairs ?? [];
  for (const pair of pairs) {
    const [reference, candidate] = [mergeSides(byPart, pair.reference), mergeSides(byPart, pair.candidate)];
    try {
      const allowances = [...EnvironmentParity.DEFAULT_ALLOWANCES, ...pair.allowances];
      EnvironmentParity._compareSides(reference, candidate, pair.reference, pair.candidate, allowances).assertParity();
    } catch (e) {
      if (!(e instanceof LifecycleValidationError)) throw e;
      problems.push(...e.problems);
    }
  }
  const findings = [...new Map([...digests.flatMap(d => d.findings), ...crossPart].map(f => [f.message, f])).values()]
    .sort((a, b) => compare(a.ruleId, b.ruleId) || compare(a.resource, b.resource) || compare(a.field, b.field) || compare(a.message, b.message));
  const rules: PolicyRuleResult[] = [];
  const order = [PolicyRuleStatus.FAILED, PolicyRuleStatus.ACKNOWLEDGED, PolicyRuleStatus.PASSED, PolicyRuleStatus.NOT_APPLICABLE];
  for (const info of PolicyPack.default().rules) {
    const results = digests.map(d => d.rules.find(r => r.id === info.id)).filter((r): r is NonNullable<typeof r> => r !== undefined);
    const own = findings.filter(f => f.ruleId === info.id);
    const statuses = results.map(r => r.status as PolicyRuleStatus);
    if (own.some(f => f.acknowledgedReason === undefined)) statuses.push(PolicyRuleStatus.FAILED);
    const status = order.find(s => statuses.includes(s)) ?? PolicyRuleStatus.NOT_APPLICABLE;
    rules.push({
      ...info,
      status,
      checked: results.reduce((sum, r) => sum + r.checked, 0),
      findings: own.length,
      acknowledgedFindings: own.filter(f => f.acknowledgedReason !== undefined).length,
    });
  }
  const report = new PolicyReport(rules, findings, []);
  report.write(outdir);
  // The inventory (written by part 1 from its own files) lists the prerequisites of every part's files.
  const inventoryFile = path.join(outdir, INVENTORY_FILE_NAME);
  if (problems.length === 0 && fs.existsSync(inventoryFile)) {
    const inventory = JSON.parse(fs.readFileSync(inventoryFile, 'utf8')) as LifecycleInventory;
    writeInventory(outdir, withPrerequisites(inventory, mergePrerequisites(digests.map(d => d.prerequisites ?? {}))));
  }
  problems.push(...report.errors.map(f => f.message));
  if (problems.length > 0) throw new LifecycleValidationError(problems);
  return report;
}

/**
 * One environment's parity side from the parts' digests: the variants of a key are the union of the parts' (tenants
 * joined); the stack-level sections (`tf:terraform`, `tf:provider`, ..., one value per part) merge as a whole
 * synthesis merges its stacks, first value wins, part 1 (which holds the base stack, first in apply order) first.
 */
function mergeSides(digests: PartDigest[], environment: string): Side {
  const side: Side = new Map();
  const sections = new Map<string, unknown>();
  for (const d of digests) {
    for (const [key, variants] of d.parity.sides[environment] ?? []) {
      if (/^tf:[^/]+$/.test(key)) {
        for (const [json] of variants) sections.set(key, mergeFirstWins(sections.get(key), JSON.parse(json)));
        continue;
      }
      let merged = side.get(key);
      if (!merged) side.set(key, merged = new Map());
      for (const [json, tenants] of variants) {
        const found = merged.get(json);
        if (found) tenants.forEach(t => found.tenants.add(t));
        else merged.set(json, { json, tenants: new Set(tenants) });
      }
    }
  }
  for (const [key, value] of sections) {
    const json = JSON.stringify(value);
    side.set(key, new Map([[json, { json, tenants: new Set<string>() }]]));
  }
  return side;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The final step of a horizontal synthesis, for every jsii language (`mergeSynthesisParts`). */
export class SynthesisParts {
  /**
   * Merge the part digests in `<outdir>/synthesis-parts/` into `<outdir>/policy-report.json`, running the cross-part
   * rules (B03 uniqueness, environment parity); throws one LifecycleValidationError listing every problem.
   */
  public static merge(outdir: string): PolicyReport {
    return mergeSynthesisParts(outdir);
  }

  private constructor() {}
}

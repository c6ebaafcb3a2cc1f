/**
 * The internal shape of a rule (cdk-nag style: a small pure function with an id, a severity and references) and
 * the read-only view of the output every rule gets. Nothing here is public API.
 */
import { EnvironmentFacts, KubernetesDocument, PolicyInputContents, SynthesisPartTenants, TerraformResource, TerraformStackDocument, TextDocument, WorkflowDocument } from './contents';
import { PolicyReference, PolicyRuleInfo, PolicySeverity, PolicyTarget } from './types';

/** One thing wrong, before it becomes a finding. */
export interface Violation {
  readonly resource: string;
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly got: unknown;
  readonly fix: string;
}

/** What a rule returns: how many subjects it looked at, and what is wrong with them. */
export interface RuleOutcome {
  readonly checked: number;
  readonly violations: Violation[];
}

/** A rule: its public description plus a pure evaluation over the output. */
export interface PolicyRule extends PolicyRuleInfo {
  evaluate(ctx: PolicyContext): RuleOutcome;
}

/** A violation's location and a way to add violations for one subject. */
export type Report = (field: string, problem: string, got: unknown, fix: string) => void;

/** Define a rule from a list of subjects and a per-subject check. */
export function rule<S>(def: {
  id: string;
  severity: PolicySeverity;
  title: string;
  description: string;
  targets: PolicyTarget[];
  references: PolicyReference[];
  subjects: (ctx: PolicyContext) => S[];
  where: (subject: S) => { resource: string; file: string };
  check: (subject: S, report: Report, ctx: PolicyContext) => void;
}): PolicyRule {
  return {
    id: def.id,
    severity: def.severity,
    title: def.title,
    description: def.description,
    targets: def.targets,
    references: def.references,
    evaluate(ctx: PolicyContext): RuleOutcome {
      const subjects = def.subjects(ctx);
      const violations: Violation[] = [];
      for (const s of subjects) {
        const at = def.where(s);
        def.check(s, (field, problem, got, fix) => violations.push({ ...at, field, problem, got, fix }), ctx);
      }
      return { checked: subjects.length, violations };
    },
  };
}

/** Shorthand for references. */
export function ref(source: string, id: string): PolicyReference {
  return { source, id };
}

export const PSS = (id: string) => ref('PSS restricted', id);
export const PSS_BASELINE = (id: string) => ref('PSS baseline', id);
export const CIS = (id: string) => ref('CIS Kubernetes', id);
export const NSA = (id: string) => ref('NSA/CISA', id);
export const KUBE_SCORE = (id: string) => ref('kube-score', id);
export const POLARIS = (id: string) => ref('Polaris', id);
export const KUBESEC = (id: string) => ref('kubesec', id);
export const CHECKOV = (id: string) => ref('Checkov', id);
export const KUBE_LINTER = (id: string) => ref('kube-linter', id);
export const VAULT = (id: string) => ref('Vault production hardening', id);
export const MONOKLE = (id: string) => ref('Monokle', id);

/** A pod template inside a workload document. */
export interface PodTemplate {
  readonly doc: KubernetesDocument;
  /** Path of the pod spec, e.g. `spec.jobTemplate.spec.template.spec`. */
  readonly path: string;
  readonly spec: any;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  /** Pods that run at once: replicas (Deployment...), parallelism (Job), 0 when scaled down or suspended. */
  readonly replicas: number;
  /** True for Job and CronJob pods. */
  readonly isJob: boolean;
}

/** One container of a pod template. */
export interface ContainerRef {
  readonly template: PodTemplate;
  readonly path: string;
  readonly container: any;
  readonly group: 'containers' | 'initContainers' | 'ephemeralContainers';
}

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The pod templates of a document (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
export function podTemplatesOf(doc: KubernetesDocument): PodTemplate[] {
  const d = doc.doc;
  const make = (path: string, template: any, replicas: number, isJob: boolean): PodTemplate[] => {
    if (!template || typeof template !== 'object' || !template.spec || typeof template.spec !== 'object') return [];
    return [{
      doc,
      path,
      spec: template.spec,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      replicas,
      isJob,
    }];
  };
  switch (doc.kind) {
    case 'Pod':
      return make('spec', { metadata: d.metadata, spec: d.spec }, 1, false);
    case 'DaemonSet':
      return make('spec.template.spec', d.spec?.template, 1, false);
    case 'Job':
      return make('spec.template.spec', d.spec?.template, d.spec?.suspend === true ? 0 : num(d.spec?.parallelism, 1), true);
    case 'CronJob': {
      const job = d.spec?.jobTemplate?.spec;
      // concurrencyPolicy Forbid (K35): at most one Job of the CronJob runs at a time.
      const running = d.spec?.suspend === true || job?.suspend === true ? 0 : num(job?.parallelism, 1);
      return make('spec.jobTemplate.spec.template.spec', job?.template, running, true);
    }
    default:
      if (REPLICATED.has(doc.kind)) return make('spec.template.spec', d.spec?.template, num(d.spec?.replicas, 1), false);
      return [];
  }
}

/** Every container of a pod template, init and ephemeral containers included. */
export function containersOf(t: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const group of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = t.spec?.[group];
    if (!Array.isArray(list)) continue;
    list.forEach((container: any, i: number) => out.push({ template: t, path: `${t.path}.${group}[${i}]`, container: container ?? {}, group }));
  }
  return out;
}

/** Does a label selector (`matchLabels` + `matchExpressions`) select these labels? */
export function selects(selector: any, labels: { [key: string]: string }): boolean {
  if (!selector || typeof selector !== 'object') return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: string[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** True for `{}` or a selector with neither matchLabels nor matchExpressions. */
export function isEmptySelector(selector: any): boolean {
  if (selector === undefined || selector === null) return true;
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** The read-only, indexed view of the output that rules get. */
export class PolicyContext {
  public readonly documents: readonly KubernetesDocument[];
  public readonly stacks: readonly TerraformStackDocument[];
  public readonly resources: readonly TerraformResource[];
  public readonly workflows: readonly WorkflowDocument[];
  public readonly texts: readonly TextDocument[];
  /** Pod templates of every workload document. */
  public readonly podTemplates: readonly PodTemplate[];
  private readonly byKind = new Map<string, KubernetesDocument[]>();
  private readonly byNamespace = new Map<string, KubernetesDocument[]>();
  private readonly tenantNs = new Map<string, KubernetesDocument>();
  private readonly templatesByNs = new Map<string, PodTemplate[]>();
  private readonly memos = new Map<string, unknown>();
  private readonly contents: PolicyInputContents;

  constructor(contents: PolicyInputContents) {
    this.contents = contents;
    this.documents = contents.kubernetes;
    this.stacks = contents.terraform;
    this.resources = contents.terraform.flatMap(s => s.resources);
    this.workflows = contents.workflows;
    this.texts = contents.texts;
    for (const d of this.documents) {
      push(this.byKind, d.kind, d);
      if (d.namespace !== undefined) push(this.byNamespace, `${d.environment}/${d.namespace}`, d);
      if (d.kind === 'Namespace' && typeof d.doc?.metadata?.labels?.tenant === 'string') {
        this.tenantNs.set(`${d.environment}/${d.name}`, d);
      }
    }
    this.podTemplates = this.documents.flatMap(podTemplatesOf);
    for (const t of this.podTemplates) push(this.templatesByNs, `${t.doc.environment}/${t.doc.namespace ?? ''}`, t);
  }

  /** GitHub environments whose approval gates a destroying workflow job (W01). */
  public get approvalEnvironments(): readonly string[] {
    return this.contents.approvalEnvironments();
  }

  /** Pod templates of the workloads in a namespace of an environment. */
  public templatesIn(environment: string, namespace: string | undefined): PodTemplate[] {
    return this.templatesByNs.get(`${environment}/${namespace ?? ''}`) ?? [];
  }

  /** Compute a value once per evaluation (cross-document indexes of a rule). */
  public memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Documents of one kind, in input order. */
  public kind(...kinds: string[]): KubernetesDocument[] {
    return kinds.flatMap(k => this.byKind.get(k) ?? []);
  }

  /** Documents in a namespace of an environment. */
  public inNamespace(environment: string, namespace: string): KubernetesDocument[] {
    return this.byNamespace.get(`${environment}/${namespace}`) ?? [];
  }

  /** Tenant namespaces: Namespace documents labelled `tenant`. */
  public get tenantNamespaces(): KubernetesDocument[] {
    return [...this.tenantNs.values()];
  }

  /** The tenant Namespace document of a namespace, if it is one. */
  public tenantNamespace(environment: string, namespace: string | undefined): KubernetesDocument | undefined {
    return namespace === undefined ? undefined : this.tenantNs.get(`${environment}/${namespace}`);
  }

  /** Terraform resources of some types, in input order. */
  public tf(...types: string[]): TerraformResource[] {
    const byType = this.memo('tf-by-type', () => {
      const m = new Map<string, TerraformResource[]>();
      this.resources.forEach(r => push(m, r.type, r));
      return m;
    });
    if (types.length === 1) return [...(byType.get(types[0]) ?? [])];
    return this.resources.filter(r => types.includes(r.type));
  }

  /** What is known about an environment. */
  public facts(environment: string): EnvironmentFacts {
    return this.contents.facts(environment);
  }

  /**
   * The environment whose stack holds the Vault mounts and policies an environment's workloads read through, when the
   * input names one (`PolicyInput.useVaultHost`: the previews' host for a preview); undefined: its own stack.
   */
  public vaultHostOf(environment: string): string | undefined {
    return this.contents.vaultHostOf(environment);
  }

  /**
   * For an input that is one part of a split synthesis (`PolicyInput.useSynthesisPart`), which tenants of an
   * environment the part built and which other parts build; undefined for a whole synthesis.
   */
  public synthesisPartOf(environment: string): SynthesisPartTenants | undefined {
    return this.contents.synthesisPartOf(environment);
  }

  /** Every environment in the input. */
  public get environments(): string[] {
    return this.contents.environmentNames();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

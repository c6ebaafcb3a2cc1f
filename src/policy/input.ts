import { CLUSTER_SCOPED, EnvironmentFacts, KubernetesDocument, registerContents, TerraformResource, TerraformStackDocument, TextDocument, WorkflowDocument } from './contents';
import { mergeSideJson, TENANT_POLICY_FRAGMENT_FORMAT, TenantPolicyFragment } from './fragment';
import { readOutputFolders } from './output-files';
import type { Side } from './parity';
import { DEFAULT_DESTROY_GATES } from './rules/workflow-gates';
import { Environment } from '../model/environment';
import { LifecycleKind } from '../model/environment-class';
import { DOMAIN } from '../model/labels';
import { LifecycleValidationError, formatProblem } from '../model/problems';
import { OutputLayout } from '../output/layout';
import { parseYamlDocuments } from '../output/yaml';

/** Where `PolicyInput.fromOutput` finds the synthesized output. */
export interface PolicyOutputLocations {
  /**
   * Kubernetes manifests, one sub-folder per environment (`<dir>/<env>/*.yaml`).
   * @default 'dist/k8s'
   */
  readonly manifestDirectory?: string;
  /**
   * Terraform stacks, one sub-folder per stack (`<dir>/<stack>/cdk.tf.json`); the stack name is the environment. Every
   * other file below (chart assets) is read as text for the secret scan.
   * @default 'cdktf.out/stacks'
   */
  readonly terraformDirectory?: string;
  /**
   * Generated CI workflows (`*.yml`, `*.yaml`).
   * @default 'dist/workflows'
   */
  readonly workflowDirectory?: string;
  /**
   * Further folders whose files are only scanned for secrets (generated charts, inventories).
   * @default - none
   */
  readonly textDirectories?: string[];
}

const INPUT = 'PolicyInput';

function inputError(field: string, problem: string, got: unknown, fix: string): never {
  throw new LifecycleValidationError([formatProblem({ path: INPUT, field, problem, got, fix })]);
}

/**
 * The synthesized output a `PolicyPack` evaluates: Kubernetes documents with their environment and file, Terraform
 * stack JSON, workflow YAML and any other text. Fill it with the `add...` methods or read a whole output tree with
 * `PolicyInput.fromOutput()`. Documents are given as text (YAML or JSON), as they are written.
 */
export class PolicyInput {
  /**
   * Read `dist/k8s/<env>/*.yaml`, `cdktf.out/stacks/<stack>/cdk.tf.json`, `dist/workflows/*.yml` and more text. A
   * file that is a hard link of one already read (the local charts' manifests) is read once, and plain-text files
   * with the same bytes as one already added (Terraform's copies of the chart assets) are added once.
   */
  public static fromOutput(locations: PolicyOutputLocations = {}): PolicyInput {
    const input = new PolicyInput();
    const layout = OutputLayout.of();
    readOutputFolders(input, {
      manifests: locations.manifestDirectory ?? layout.manifestsDirectory,
      stacks: locations.terraformDirectory ?? layout.stacksDirectory,
      workflows: locations.workflowDirectory ?? layout.workflowsDirectory,
      texts: locations.textDirectories ?? [],
    });
    return input;
  }

  private readonly kubernetes: KubernetesDocument[] = [];
  private readonly terraform: TerraformStackDocument[] = [];
  private readonly workflows: WorkflowDocument[] = [];
  private readonly texts: TextDocument[] = [];
  private readonly facts = new Map<string, EnvironmentFacts>();
  private readonly fragments: Array<Omit<TenantPolicyFragment, 'documents' | 'parity'>> = [];
  private readonly fragmentParity = new Map<string, { side: Side; parityTenants: string }>();
  private approvalEnvironments?: readonly string[];
  private readonly vaultHosts = new Map<string, string>();
  private readonly partTenants = new Map<string, { part: string; built: readonly string[]; notBuilt: readonly string[] }>();

  constructor() {
    registerContents(this, {
      kubernetes: this.kubernetes,
      terraform: this.terraform,
      workflows: this.workflows,
      texts: this.texts,
      facts: name => this.factsOf(name),
      environmentNames: () => this.environmentNames(),
      approvalEnvironments: () => this.approvalEnvironments ?? DEFAULT_DESTROY_GATES,
      vaultHostOf: environment => this.vaultHosts.get(environment),
      synthesisPartOf: environment => this.partTenants.get(environment),
      addKubernetesDocuments: (environment, file, documents) => {
        this.addKubernetesObjects(environment, file, documents);
        this.texts.push({ file, text: '', structured: documents });
      },
      fragments: this.fragments,
      fragmentParity: this.fragmentParity,
      addTenantFragment: fragment => this.addTenantFragment(fragment),
    });
  }

  /**
   * Add a multi-document YAML file of Kubernetes manifests (read as YAML 1.1, like kubectl).
   * @param environment the environment the file belongs to (the folder name under `dist/k8s`)
   * @param file the file path, for findings
   * @param yamlText the file's content
   */
  public addKubernetesManifests(environment: string, file: string, yamlText: string): PolicyInput {
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(yamlText, undefined, '1.1');
    } catch (e) {
      inputError('kubernetes manifests', `of ${file} cannot be parsed: ${(e as Error).message}`, file, 'pass the YAML exactly as synthesized');
    }
    this.addKubernetesObjects(environment, file, docs);
    this.texts.push({ file, text: '', structured: docs });
    return this;
  }

  /** Add Kubernetes documents given as a JSON array (or one JSON object), e.g. `JSON.stringify(chart.toJson())`. */
  public addKubernetesJson(environment: string, file: string, json: string): PolicyInput {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      inputError('kubernetes json', `of ${file} is not JSON: ${(e as Error).message}`, file, 'pass a JSON array of documents');
    }
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    this.addKubernetesObjects(environment, file, docs);
    this.texts.push({ file, text: '', structured: docs });
    return this;
  }

  /** Add a Terraform stack (`cdk.tf.json`) of an environment. */
  public addTerraformStack(environment: string, file: string, json: string): PolicyInput {
    let parsed: any;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      inputError('terraform stack', `of ${file} is not JSON: ${(e as Error).message}`, file, 'pass cdk.tf.json as synthesized');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      inputError('terraform stack', `of ${file} is not a JSON object`, typeof parsed, 'pass cdk.tf.json as synthesized');
    }
    const resources: TerraformResource[] = [];
    for (const section of ['resource', 'data'] as const) {
      const bodies = parsed[section] ?? {};
      for (const type of Object.keys(bodies).sort()) {
        for (const name of Object.keys(bodies[type] ?? {}).sort()) {
          const body = bodies[type][name];
          const constructPath = body?.['//']?.metadata?.path;
          const prefix = section === 'data' ? 'data.' : '';
          resources.push({
            environment,
            file,
            type: `${prefix}${type}`,
            name,
            resource: typeof constructPath === 'string' ? constructPath : `${environment}/${prefix}${type}.${name}`,
            body,
          });
        }
      }
    }
    this.terraform.push({ environment, file, json: parsed, resources });
    this.texts.push({ file, text: '', structured: parsed });
    return this;
  }

  /** Add a generated CI workflow (YAML, read as YAML 1.2 like GitHub does). */
  public addWorkflow(file: string, yamlText: string): PolicyInput {
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(yamlText, undefined, '1.2');
    } catch (e) {
      inputError('workflow', `${file} cannot be parsed: ${(e as Error).message}`, file, 'pass the workflow YAML as generated');
    }
    this.workflows.push({ file, doc: docs[0] ?? {} });
    this.texts.push({ file, text: '', structured: docs });
    return this;
  }

  /** Add any other output text; it is only scanned for secrets. */
  public addText(file: string, text: string): PolicyInput {
    this.texts.push({ file, text });
    return this;
  }

  /**
   * Tell the pack what an environment is (class, production or not). Without it, the class is read from the tenant
   * namespaces' `lifecycle.inopsio.io/environment-class` label, and `production` means the class `production`.
   */
  public addEnvironment(environment: Environment): PolicyInput {
    this.facts.set(environment.name, {
      name: environment.name,
      className: environment.environmentClass.name,
      production: environment.isProduction,
      longLived: environment.environmentClass.longLived,
      permanent: environment.environmentClass.lifecycle === LifecycleKind.PERMANENT,
    });
    return this;
  }

  /**
   * The GitHub environments whose required reviewers approve a destroying workflow job (W01): the platform's
   * approval environments (`LifecycleNamingOptions.approvalEnvironments`) and the preview cleanup's. Only literal
   * environment names in a workflow count.
   * @param names the environments; replaces the default `decommission-approval-1`, `decommission-approval-2`,
   * `preview-cleanup`
   */
  public useApprovalEnvironments(names: string[]): PolicyInput {
    this.approvalEnvironments = [...names];
    return this;
  }

  /**
   * Name the environment whose Terraform stack holds the Vault mounts and policies another environment's workloads
   * read through (W08). A preview's stack creates Kubernetes auth roles only (V15); the mounts and the templated
   * policies its roles attach are in the stack of the previews' host (`PreviewVaultHost`, docs/vault.md "Previews").
   * `Platform.synth` names the host for every preview; without it, W08 reports the preview's reads as reading
   * through no mount and says so.
   * @param environment the environment whose workloads read (a preview)
   * @param hostEnvironment the environment whose stack mounts the engines and defines the policies
   */
  public useVaultHost(environment: string, hostEnvironment: string): PolicyInput {
    for (const [field, value] of [['environment', environment], ['hostEnvironment', hostEnvironment]] as const) {
      if (typeof value !== 'string' || value.length === 0) inputError(`useVaultHost ${field}`, 'is empty', value, 'pass an environment name, e.g. "dev"');
    }
    if (environment === hostEnvironment) {
      inputError('useVaultHost hostEnvironment', `is the environment itself (${environment})`, hostEnvironment, 'name the environment whose stack holds the mounts, or leave it out: an environment reads through its own stack by default');
    }
    this.vaultHosts.set(environment, hostEnvironment);
    return this;
  }

  /**
   * Declare that this input holds one part `i/n` of a horizontally split synthesis (docs/performance.md "Horizontal
   * synthesis") and which tenants of an environment the part built. A rule that needs every tenant of an environment
   * (W09: a tenant's backup scripts emit the metrics the environment's alerts read) skips an environment of which the
   * part built no tenant: the part that builds them checks it. `Platform.synth` declares every environment of a part;
   * an input without it is a whole synthesis, every environment checked.
   * @param part the part, e.g. "2/3"
   * @param environment the environment
   * @param builtTenants the ids of the environment's tenants this part built
   * @param otherTenants the ids of its tenants other parts build
   */
  public useSynthesisPart(part: string, environment: string, builtTenants: string[], otherTenants: string[]): PolicyInput {
    if (typeof part !== 'string' || !/^\d+\/\d+$/.test(part)) inputError('useSynthesisPart part', 'is not a part "i/n"', part, 'pass e.g. "2/3"');
    if (typeof environment !== 'string' || environment.length === 0) inputError('useSynthesisPart environment', 'is empty', environment, 'pass an environment name, e.g. "prod"');
    const both = builtTenants.filter(t => otherTenants.includes(t));
    if (both.length > 0) inputError('useSynthesisPart otherTenants', `names tenants this part built too (${both.join(', ')})`, both, 'list each tenant once: built here or by another part');
    this.partTenants.set(environment, { part, built: [...builtTenants].sort(), notBuilt: [...otherTenants].sort() });
    return this;
  }

  /** Facts about an environment: declared, or read from its namespaces. */
  private factsOf(name: string): EnvironmentFacts {
    const declared = this.facts.get(name);
    if (declared) return declared;
    const classes = new Set<string>();
    for (const d of this.kubernetes) {
      const value = d.environment === name && d.kind === 'Namespace' ? d.doc?.metadata?.labels?.[`${DOMAIN}/environment-class`] : undefined;
      if (typeof value === 'string') classes.add(value);
    }
    const className = classes.size === 1 ? [...classes][0] : undefined;
    const longLived = className === undefined ? undefined : ['production', 'staging'].includes(className);
    return { name, className, production: className === 'production', longLived, permanent: className === undefined ? undefined : className === 'production' };
  }

  /** Every environment named anywhere in the input, sorted. */
  private environmentNames(): string[] {
    const names = new Set<string>([...this.facts.keys()]);
    for (const d of this.kubernetes) names.add(d.environment);
    for (const s of this.terraform) names.add(s.environment);
    return [...names].sort();
  }

  /**
   * A tenant's fragment instead of its documents: its reduced documents join the others (the rules across tenants
   * read them), its per-tenant outcomes and parity keys are kept as they are (src/policy/fragment.ts).
   */
  private addTenantFragment(fragment: TenantPolicyFragment): void {
    if (fragment?.format !== TENANT_POLICY_FRAGMENT_FORMAT) {
      inputError('tenant fragment', 'is not a tenant policy fragment of this version', fragment?.format, `compute it again (format ${TENANT_POLICY_FRAGMENT_FORMAT})`);
    }
    for (const d of fragment.documents) this.addKubernetesObject(fragment.environment, d.file, d.index, d.doc);
    const { documents: _documents, parity, ...rest } = fragment;
    this.fragments.push(rest);
    // Parity keys join the environment's at once: tenants that look alike share one variant instead of a copy each.
    if (parity !== undefined) {
      let merged = this.fragmentParity.get(fragment.environment);
      if (!merged) this.fragmentParity.set(fragment.environment, merged = { side: new Map(), parityTenants: fragment.parityTenants ?? '' });
      if (merged.parityTenants !== fragment.parityTenants) merged.parityTenants = 'mixed';
      mergeSideJson(merged.side, parity);
    }
  }

  private addKubernetesObjects(environment: string, file: string, docs: unknown[]): void {
    if (typeof environment !== 'string' || environment.length === 0) {
      inputError('environment', 'is empty', environment, 'pass the environment the manifests belong to, e.g. "prod"');
    }
    docs.forEach((raw, index) => {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
      const doc = raw as any;
      if (doc.kind === 'List' && Array.isArray(doc.items)) {
        this.addKubernetesObjects(environment, `${file}#${index}`, doc.items);
        return;
      }
      this.addKubernetesObject(environment, file, index, doc);
    });
  }

  private addKubernetesObject(environment: string, file: string, index: number, doc: any): void {
    const kind = typeof doc.kind === 'string' ? doc.kind : '';
    const name = typeof doc.metadata?.name === 'string' ? doc.metadata.name : '';
    const namespace = typeof doc.metadata?.namespace === 'string' ? doc.metadata.namespace : undefined;
    this.kubernetes.push({
      environment,
      file,
      index,
      kind,
      apiVersion: typeof doc.apiVersion === 'string' ? doc.apiVersion : '',
      name,
      namespace,
      resource: `${environment}/${kind || '-'}/${CLUSTER_SCOPED.has(kind) ? '-' : namespace ?? '-'}/${name || '-'}`,
      doc,
    });
  }
}


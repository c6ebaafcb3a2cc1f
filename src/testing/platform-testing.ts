import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { PlatformTestingOptions } from './options';
import { Environment } from '../model/environment';
import { Problems } from '../model/problems';
import { OutputLayout } from '../output/layout';
import { outputFiles, synthesizedStacks } from '../output/tree';
import { parseYamlDocuments } from '../output/yaml';
import { Platform } from '../platform/platform';

/** Kinds that live outside namespaces: a `metadata.namespace` on them is ignored by the API server. */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterIssuer', 'ClusterPolicy', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus',
  'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
  'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'StorageClass', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeSnapshotClass',
]);

/** Compare strings by code unit, the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Render a value as stable, indented JSON. */
function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * One Kubernetes document of a synthesized platform, with where it came from.
 *
 * `toJson()` and `toYaml()` give the document itself; in TypeScript, `JSON.stringify(manifest)` and Jest snapshots
 * (`expect(manifests).toMatchSnapshot()`) show the document too.
 */
export class SynthesizedManifest {
  /** @internal */
  public static _of(props: { environment: string; tenant?: string; file: string; document: any }): SynthesizedManifest {
    return new SynthesizedManifest(props.environment, props.tenant, props.file, props.document);
  }

  /** The environment whose output holds the document. */
  public readonly environment: string;
  /**
   * The tenant it belongs to: the tenant whose chart holds it, else the value of its `tenant` label.
   * @default - none: an environment-wide object
   */
  public readonly tenant?: string;
  /** The manifest file that holds it (`dist/k8s/<env>/<chart>.k8s.yaml`). */
  public readonly file: string;
  /** `apiVersion`. */
  public readonly apiVersion: string;
  /** `kind`. */
  public readonly kind: string;
  /** `metadata.name`. */
  public readonly name: string;
  /**
   * The namespace the object lives in: `metadata.namespace`, except for cluster-scoped kinds (Namespace,
   * ClusterRole, ...), whose `metadata.namespace` the API server ignores.
   * @default - none: a cluster-scoped object (or one without a namespace)
   */
  public readonly namespace?: string;
  private readonly document: any;

  private constructor(environment: string, tenant: string | undefined, file: string, document: any) {
    this.environment = environment;
    this.tenant = tenant;
    this.file = file;
    this.document = document;
    this.apiVersion = String(document?.apiVersion ?? '');
    this.kind = String(document?.kind ?? '');
    this.name = String(document?.metadata?.name ?? '');
    const ns = document?.metadata?.namespace;
    this.namespace = typeof ns === 'string' && ns !== '' && !CLUSTER_SCOPED_KINDS.has(this.kind) ? ns : undefined;
  }

  /** The document as indented JSON (keys in the order the manifest file has them). */
  public toJson(): string {
    return json(this.document);
  }

  /** The document as YAML, the way cdk8s writes it. */
  public toYaml(): string {
    return Yaml.stringify(this.document);
  }

  /** The value of a label, if set. */
  public label(key: string): string | undefined {
    const value = this.document?.metadata?.labels?.[key];
    return typeof value === 'string' ? value : undefined;
  }

  /** The value of an annotation, if set. */
  public annotation(key: string): string | undefined {
    const value = this.document?.metadata?.annotations?.[key];
    return typeof value === 'string' ? value : undefined;
  }

  /** `<env>/<Kind>/<namespace or ->/<name>`: a readable identity for messages. */
  public toString(): string {
    return `${this.environment}/${this.kind}/${this.namespace ?? '-'}/${this.name}`;
  }
}

/**
 * One resource of a synthesized Terraform stack.
 *
 * `toJson()` gives the resource as cdktf wrote it (with its `//` metadata: construct path and unique id); in
 * TypeScript, `JSON.stringify(resource)` and Jest snapshots show the same.
 */
export class SynthesizedTerraformResource {
  /** @internal */
  public static _of(props: { stack: string; type: string; name: string; body: any }): SynthesizedTerraformResource {
    return new SynthesizedTerraformResource(props.stack, props.type, props.name, props.body);
  }

  /** The stack (one per environment: the environment's name). */
  public readonly stack: string;
  /** Resource type, e.g. `helm_release`. */
  public readonly type: string;
  /** Logical name in the stack, e.g. `Tenant-acme_Base_600C3BE6`. */
  public readonly name: string;
  /** `<type>.<name>`, the Terraform address. */
  public readonly address: string;
  /**
   * The construct path cdktf recorded (`<platform>/<env>/Tenant-acme/Base`).
   * @default - none, if cdktf recorded no metadata
   */
  public readonly constructPath?: string;
  private readonly body: any;

  private constructor(stack: string, type: string, name: string, body: any) {
    this.stack = stack;
    this.type = type;
    this.name = name;
    this.address = `${type}.${name}`;
    this.body = body;
    const p = body?.['//']?.metadata?.path;
    this.constructPath = typeof p === 'string' ? p : undefined;
  }

  /** The resource's configuration as indented JSON. */
  public toJson(): string {
    return json(this.body);
  }

  /** `<stack>:<address>`. */
  public toString(): string {
    return `${this.stack}:${this.address}`;
  }
}

// TypeScript-only: `JSON.stringify` and Jest snapshots (pretty-format calls toJSON) show the content. Assigned on the
// prototype, outside the jsii-visible class declarations (jsii would refuse the name `toJSON`).
Object.defineProperty(SynthesizedManifest.prototype, 'toJSON', {
  value: function (this: SynthesizedManifest) { return (this as any).document; },
  enumerable: false,
});
Object.defineProperty(SynthesizedTerraformResource.prototype, 'toJSON', {
  value: function (this: SynthesizedTerraformResource) { return (this as any).body; },
  enumerable: false,
});

/** @internal What `PlatformTesting.synth` read back (not public API). */
export interface ReadState {
  readonly environments: Environment[];
  readonly manifests: SynthesizedManifest[];
  readonly resources: SynthesizedTerraformResource[];
  readonly stacks: Map<string, string>;
  readonly inventory: string;
  readonly workflows: Map<string, string>;
  readonly files: Map<string, string>;
  readonly directory?: string;
}

const SNAPSHOT = 'PlatformSnapshot';

/**
 * Everything one `PlatformTesting.synth` wrote, read back into memory: manifests, Terraform stacks, the lifecycle
 * inventory, workflows and every other file. Lists come in a stable order so that snapshots do not churn.
 */
export class PlatformSnapshot {
  /** @internal */
  public static _of(state: ReadState): PlatformSnapshot {
    return new PlatformSnapshot(state);
  }

  /** The environment names, in the order the Platform declares them. */
  public readonly environments: string[];
  /** The Terraform stack names (one per environment), sorted. */
  public readonly stacks: string[];
  /**
   * The temporary working directory, when `keepDirectory` was set.
   * @default - none: the directory was deleted
   */
  public readonly directory?: string;
  private readonly state: ReadState;

  private constructor(state: ReadState) {
    this.state = state;
    this.environments = state.environments.map(e => e.name);
    this.stacks = [...state.stacks.keys()].sort(compare);
    this.directory = state.directory;
  }

  /**
   * Kubernetes documents of every environment, optionally only one kind and/or one namespace, sorted by
   * environment, namespace (cluster-scoped first), kind and name.
   *
   * @param kind only documents of this kind (`NetworkPolicy`)
   * @param namespace only documents in this namespace (`prod-acme`)
   */
  public manifests(kind?: string, namespace?: string): SynthesizedManifest[] {
    return this.state.manifests.filter(m => (kind === undefined || m.kind === kind) && (namespace === undefined || m.namespace === namespace));
  }

  /** The Kubernetes documents of one environment, sorted by namespace, kind and name. */
  public manifestsOfEnvironment(environment: string): SynthesizedManifest[] {
    this.environment(environment);
    return this.state.manifests.filter(m => m.environment === environment);
  }

  /**
   * The Kubernetes documents of one tenant in one environment, sorted by namespace, kind and name: every document of
   * the tenant's chart, and every other document of the environment that is labelled with the tenant or lives in
   * its namespace (its PodMonitor, its Argo CD AppProject and Applications). Adding, removing or changing another
   * tenant does not change this list, so it is the right thing to snapshot per tenant.
   */
  public manifestsOfTenant(environment: string, tenantId: string): SynthesizedManifest[] {
    const env = this.environment(environment);
    if (!env.tenants.some(t => t.id === tenantId)) {
      new Problems(SNAPSHOT)
        .add('tenantId', `is not a tenant of environment "${environment}"`, tenantId, `use one of ${env.tenants.map(t => t.id).join(', ') || '(none)'}`)
        .throwIfAny();
    }
    const namespace = env.namespaceFor(tenantId);
    return this.state.manifests.filter(m => m.environment === environment && (
      m.tenant === tenantId || m.namespace === namespace || (m.kind === 'Namespace' && m.name === namespace)
    ));
  }

  /**
   * Resources of a Terraform stack, optionally of one type only, sorted by address.
   *
   * @param stack the stack (the environment's name)
   * @param type only resources of this type (`helm_release`)
   */
  public terraformResources(stack: string, type?: string): SynthesizedTerraformResource[] {
    this.stackText(stack);
    return this.state.resources.filter(r => r.stack === stack && (type === undefined || r.type === type));
  }

  /**
   * Resources of a Terraform stack that belong to one tenant (their construct path has a `Tenant-<id>` segment, as
   * the tenant's release and its Vault roles and policy do), sorted by address.
   */
  public terraformResourcesOfTenant(stack: string, tenantId: string): SynthesizedTerraformResource[] {
    this.stackText(stack);
    const segment = `Tenant-${tenantId}`;
    return this.state.resources.filter(r => r.stack === stack && (r.constructPath ?? '').split('/').includes(segment));
  }

  /** The whole `cdk.tf.json` of a stack, as written. */
  public terraformStack(stack: string): string {
    return this.stackText(stack);
  }

  /** The lifecycle inventory (`dist/lifecycle.json`), as written. */
  public inventory(): string {
    return this.state.inventory;
  }

  /** The names of the generated workflow files (`dist/workflows/*.yml`), sorted. */
  public workflowNames(): string[] {
    return [...this.state.workflows.keys()].sort(compare);
  }

  /** A generated workflow file, by name (`preview.yml`). */
  public workflow(name: string): string {
    const text = this.state.workflows.get(name);
    if (text === undefined) {
      new Problems(SNAPSHOT).add('workflow', 'is not a generated workflow', name, `use one of ${this.workflowNames().join(', ')}`).throwIfAny();
    }
    return text!;
  }

  /**
   * Every file written, sorted: paths as the Platform and the cdktf App name them (`dist/k8s/prod/acme.k8s.yaml`,
   * `cdktf.out/stacks/prod/cdk.tf.json`; absolute when their outdir is absolute).
   */
  public files(): string[] {
    return [...this.state.files.keys()].sort(compare);
  }

  /** The text of one file listed by `files()`. */
  public file(name: string): string {
    const text = this.state.files.get(name);
    if (text === undefined) {
      new Problems(SNAPSHOT).add('file', 'was not written', name, 'use a path listed by files()').throwIfAny();
    }
    return text!;
  }

  private environment(name: string): Environment {
    const env = this.state.environments.find(e => e.name === name);
    if (!env) {
      new Problems(SNAPSHOT).add('environment', 'is not an environment of the platform', name, `use one of ${this.environments.join(', ')}`).throwIfAny();
    }
    return env!;
  }

  private stackText(name: string): string {
    const text = this.state.stacks.get(name);
    if (text === undefined) {
      new Problems(SNAPSHOT).add('stack', 'is not a synthesized stack', name, `use one of ${this.stacks.join(', ')}`).throwIfAny();
    }
    return text!;
  }
}

/**
 * Test helpers for Platforms, in the spirit of cdktf's and cdk8s's `Testing`: synthesize without leaving files
 * behind and read what was written in a stable order, for assertions and snapshot tests.
 *
 * @example
 * const snapshot = PlatformTesting.synth(platform);
 * expect(snapshot.manifestsOfTenant('prod', 'acme')).toMatchSnapshot();
 */
export class PlatformTesting {
  /**
   * Synthesize a Platform, as `platform.synth()` does, into a fresh temporary working directory, read everything it
   * wrote, and delete the directory.
   *
   * Relative output folders (the defaults `dist` and `cdktf.out`) are resolved inside the temporary directory, so
   * nothing is left behind (cdktf's `new App()` itself creates an empty `cdktf.out/stacks` folder in the working directory
   * when constructed; cdktf's `Testing.app()` does not); output folders given as absolute paths are written where
   * they point and left there. The
   * working directory is changed for the duration of the call (synthesis is synchronous), which worker threads do
   * not allow: there, give the Platform and the cdktf App absolute outdirs. Call it instead of `platform.synth()`,
   * once per Platform.
   */
  public static synth(platform: Platform, options: PlatformTestingOptions = {}): PlatformSnapshot {
    const root: any = platform.node.root;
    const cdktfOutdir: string = typeof root?.outdir === 'string' ? root.outdir : 'cdktf.out';
    const needsChdir = !path.isAbsolute(platform.outdir) || !path.isAbsolute(cdktfOutdir);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inopsio-platform-'));
    const previous = process.cwd();
    let changed = false;
    try {
      if (needsChdir) {
        try {
          process.chdir(dir);
          changed = true;
        } catch (e: any) {
          new Problems(platform.node.path)
            .add('outdir', `is relative, and PlatformTesting.synth cannot change the working directory here (${e?.code ?? e})`, platform.outdir,
              'give the Platform and the cdktf App absolute outdirs, or run the tests outside worker threads')
            .throwIfAny();
        }
      }
      // cdktf's App creates `<outdir>/stacks` when constructed (in the working directory of then): make it here too.
      if (!path.isAbsolute(cdktfOutdir)) fs.mkdirSync(path.join(cdktfOutdir, 'stacks'), { recursive: true });
      const result = platform.synth();
      return PlatformSnapshot._of(readOutput(platform, cdktfOutdir, result, options.keepDirectory ? dir : undefined));
    } finally {
      if (changed) process.chdir(previous);
      if (!options.keepDirectory) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Several manifests as one multi-document YAML text, in the order given: readable snapshots of a tenant
   * (`expect(PlatformTesting.toYaml(snapshot.manifestsOfTenant('prod', 'acme'))).toMatchSnapshot()`).
   */
  public static toYaml(manifests: SynthesizedManifest[]): string {
    return manifests.map(m => m.toYaml()).join('---\n');
  }

  /** Several manifests or Terraform resources as one JSON array text, in the order given. */
  public static toJson(items: Array<SynthesizedManifest | SynthesizedTerraformResource>): string {
    return json(items.map(i => JSON.parse(i.toJson())));
  }

  private constructor() {}
}

/** Stable order of manifests: environment, namespace (cluster-scoped first), kind, name, then apiVersion and file. */
function compareManifests(a: SynthesizedManifest, b: SynthesizedManifest): number {
  return compare(a.environment, b.environment)
    || compare(a.namespace ?? '', b.namespace ?? '')
    || compare(a.kind, b.kind)
    || compare(a.name, b.name)
    || compare(a.apiVersion, b.apiVersion)
    || compare(a.file, b.file);
}

/** What `Platform.synth()` returns that `readOutput` uses. */
interface SynthResult {
  readonly manifestFiles: string[];
  readonly inventoryFile: string;
  readonly workflowFiles: string[];
}

function readOutput(platform: Platform, cdktfOutdir: string, result: SynthResult, directory?: string): ReadState {
  const layout = OutputLayout.of(platform.outdir, cdktfOutdir);
  const files = new Map<string, string>();
  for (const file of outputFiles(layout)) files.set(file, fs.readFileSync(file, 'utf8'));

  // Manifests: the environment from the folder the file was written to, the tenant from the chart it came from.
  const manifests: SynthesizedManifest[] = [];
  for (const env of platform.environments) {
    const outdir = path.normalize(platform.manifestsOf(env.name).outdir);
    const tenantIds = new Set(env.tenants.map(t => t.id));
    for (const file of result.manifestFiles.filter(f => path.dirname(path.normalize(f)) === outdir)) {
      // cdk8s names a chart's file `<chart>.k8s.yaml`, prefixed with `0000-` when charts depend on each other.
      const chart = path.basename(file).replace(/\.k8s\.ya?ml$/, '').replace(/^\d{4}-/, '');
      const chartTenant = tenantIds.has(chart) ? chart : undefined;
      for (const document of parseYamlDocuments(fs.readFileSync(file, 'utf8'), file)) {
        const label = document?.metadata?.labels?.tenant;
        const tenant = chartTenant ?? (typeof label === 'string' && tenantIds.has(label) ? label : undefined);
        manifests.push(SynthesizedManifest._of({ environment: env.name, tenant, file, document }));
      }
    }
  }
  manifests.sort(compareManifests);

  // Terraform: the stacks cdktf's manifest lists (stale stack folders of earlier runs are ignored).
  const stacks = new Map<string, string>();
  const resources: SynthesizedTerraformResource[] = [];
  for (const { stack: name, file } of synthesizedStacks(layout)) {
    const text = fs.readFileSync(file, 'utf8');
    stacks.set(name, text);
    for (const [type, byName] of Object.entries<any>(JSON.parse(text).resource ?? {})) {
      for (const [resourceName, body] of Object.entries<any>(byName)) {
        resources.push(SynthesizedTerraformResource._of({ stack: name, type, name: resourceName, body }));
      }
    }
  }
  resources.sort((a, b) => compare(a.stack, b.stack) || compare(a.address, b.address));

  const workflows = new Map<string, string>();
  for (const file of result.workflowFiles) workflows.set(path.basename(file), fs.readFileSync(file, 'utf8'));

  return {
    environments: platform.environments,
    manifests,
    resources,
    stacks,
    inventory: fs.readFileSync(result.inventoryFile, 'utf8'),
    workflows,
    files,
    directory,
  };
}

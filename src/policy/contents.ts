/**
 * The parsed output a PolicyInput holds, as the rules read it. Internal: not exported from the package.
 */
import type { TenantPolicyFragment } from './fragment';
import type { Side } from './parity';
import { formatProblem, LifecycleValidationError } from '../model/problems';

/** One Kubernetes document of the output. */
export interface KubernetesDocument {
  readonly environment: string;
  readonly file: string;
  readonly index: number;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
  /** `<env>/<Kind>/<namespace or ->/<name>`. */
  readonly resource: string;
  readonly doc: any;
}

/** One resource of a Terraform stack. */
export interface TerraformResource {
  readonly environment: string;
  readonly file: string;
  readonly type: string;
  readonly name: string;
  /** The construct path recorded by cdktf (`inopsio/prod/Vault/AuditFile`), else `<stack>/<type>.<name>`. */
  readonly resource: string;
  readonly body: any;
}

/** One Terraform stack. */
export interface TerraformStackDocument {
  readonly environment: string;
  readonly file: string;
  readonly json: any;
  readonly resources: TerraformResource[];
}

/** One workflow file. */
export interface WorkflowDocument {
  readonly file: string;
  readonly doc: any;
}

/** Any output file, for the secret scan. */
export interface TextDocument {
  readonly file: string;
  /** The text; empty for structured files, which are scanned value by value. */
  readonly text: string;
  /** The parsed content, when the file is structured (manifests, stack JSON, workflows): scanned value by value. */
  readonly structured?: unknown;
}

/** What the pack knows about an environment. */
export interface EnvironmentFacts {
  readonly name: string;
  readonly className?: string;
  readonly production: boolean;
  readonly longLived?: boolean;
  /** A permanent class (tenant data protected: T02); read from the class `production` when not declared. */
  readonly permanent?: boolean;
}

/** The tenants of an environment that one part of a split synthesis built, and those other parts build. */
export interface SynthesisPartTenants {
  /** The part, `i/n`. */
  readonly part: string;
  readonly built: readonly string[];
  readonly notBuilt: readonly string[];
}

/** Kinds that live outside namespaces (a `metadata.namespace` on them is ignored by the API server). */
export const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'APIService', 'CertificateSigningRequest', 'FlowSchema',
  'PriorityLevelConfiguration', 'ComponentStatus', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret',
]);

/** The parsed contents of an input, for the pack (not public API). */
export interface PolicyInputContents {
  readonly kubernetes: readonly KubernetesDocument[];
  readonly terraform: readonly TerraformStackDocument[];
  readonly workflows: readonly WorkflowDocument[];
  readonly texts: readonly TextDocument[];
  /**
   * What the input holds of tenants as fragments (src/policy/fragment.ts): their per-tenant rule outcomes and parity
   * keys. Their reduced documents are in `kubernetes`; their files have no entry in `texts` (B13 ran per tenant).
   */
  readonly fragments: readonly Omit<TenantPolicyFragment, 'documents' | 'parity'>[];
  /**
   * Per environment, the parity keys of its tenant fragments merged (identical variants of different tenants kept
   * once), and the digest of the tenant ids they were normalized with (`mixed` when fragments disagree).
   */
  readonly fragmentParity: ReadonlyMap<string, { readonly side: Side; readonly parityTenants: string }>;
  facts(environment: string): EnvironmentFacts;
  environmentNames(): string[];
  /** GitHub environments whose approval gates a destroying workflow job (W01). */
  approvalEnvironments(): readonly string[];
  /** The environment whose stack holds the Vault mounts and policies an environment reads through, when not its own (W08). */
  vaultHostOf(environment: string): string | undefined;
  /** For a part of a split synthesis, which tenants of an environment it built (undefined: a whole synthesis). */
  synthesisPartOf(environment: string): SynthesisPartTenants | undefined;
  /**
   * Add Kubernetes documents already in memory (as `Chart.toJson()` gives them, the same values the written YAML
   * holds), so that a synthesizer that just wrote them need not read and parse its own YAML back.
   */
  addKubernetesDocuments(environment: string, file: string, documents: unknown[]): void;
  /** Add one tenant's fragment instead of its documents (computed here or earlier, e.g. cached). */
  addTenantFragment(fragment: TenantPolicyFragment): void;
}

const CONTENTS = new WeakMap<object, PolicyInputContents>();

/** Register the contents of an input (called by PolicyInput's constructor). */
export function registerContents(input: object, contents: PolicyInputContents): void {
  CONTENTS.set(input, contents);
}

/** The parsed contents of a PolicyInput. */
export function contentsOf(input: object): PolicyInputContents {
  const c = CONTENTS.get(input);
  if (!c) {
    throw new LifecycleValidationError([formatProblem({ path: 'PolicyInput', field: 'input', problem: 'is not a PolicyInput', got: input, fix: 'create it with new PolicyInput() or PolicyInput.fromOutput()' })]);
  }
  return c;
}

import { checkModuleOperations, ModuleMigrationProps } from './module-operations';
import { moduleValueProblems } from './module-value-checks';
import { dnsLabelProblem, NAME_LIMITS } from './naming';
import { isIsoInstant } from './period';
import { Problems } from './problems';
import { checkQuantity, QuantityKind } from './quantity';
import { QuotaProfile } from './quota-profile';
import { checkTenantWorkloads, TenantWorkloadProps } from './tenant-workload';

/** Where a tenant is in its lifecycle (spec §9). */
export enum TenantState {
  /** Running normally. */
  ACTIVE = 'active',
  /** Inactive for too long: workloads scaled to zero, CronJobs suspended, quota cut; data kept, resumable. */
  SUSPENDED = 'suspended',
  /** Final backup taken; namespace removal awaits approval. Nothing runs. */
  ARCHIVED = 'archived',
}

/** A Helm-installed module of a tenant (spec §9 "Deploy Modules"). */
export interface TenantModuleProps {
  /** Module name, a DNS label; also the release name suffix. */
  readonly name: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Chart repository URL (https:// or oci://). */
  readonly repository: string;
  /** Exact chart version (V14: no ranges). */
  readonly version: string;
  /**
   * Helm values as dotted paths (`image.tag`, `env.DATABASE_URL`). Values may be Vault references written
   * `{{ vault('database/creds/tenant-db') }}` (spec §5); they are delivered at run time, never rendered as values.
   * @default - no values
   */
  readonly values?: { [path: string]: string };
  /**
   * Helm values as in a values.yaml, written as a JSON object: nested objects, lists, numbers, booleans and null
   * (`JSON.stringify({ image: { tag: '1.4.2' }, replicaCount: 2 })`, or `HelmValues.fromYaml(text)` for a
   * values.yaml). Any string inside may embed Vault references (`{{ vault('kv/data/app/stripe', 'api_key') }}`),
   * delivered at run time as for `values`. Both delivery paths (Terraform's helm_release, Argo CD's Application)
   * receive every leaf at its path with its type. A path also set in `values` is a problem.
   * @default - no structured values
   */
  readonly valuesJson?: string;
  /**
   * The chart's replica-count values, as dotted paths (`replicaCount`, `worker.replicaCount`). While the tenant is
   * suspended or archived each is set to 0 in both delivery paths (Helm release and Argo CD Application); when it is
   * active again the value declared in `values` (or the chart's default) applies.
   * @default ['replicaCount']
   */
  readonly replicaKeys?: string[];
  /**
   * The module's schema migration: the Platform runs it before every sync (Argo CD PreSync hook) as the module's
   * migration service account, with the tenant's migration database role.
   * @default - no migration
   */
  readonly migration?: ModuleMigrationProps;
}

/** A persistent volume of a tenant (issue 23): a PersistentVolumeClaim in its namespace. */
export interface TenantVolumeProps {
  /** Claim name, a DNS label (the PersistentVolumeClaim's name in the tenant namespace). */
  readonly name: string;
  /** Requested size, e.g. `10Gi`; all of a tenant's volumes together must fit its quota's `requestsStorage`. */
  readonly size: string;
  /**
   * StorageClass.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
}

/** A customer of the SaaS, present in every environment that lists it. */
export interface TenantProps {
  /** Tenant id, a DNS-1123 label (B01). Namespaces, Vault paths, buckets and roles derive from it. */
  readonly id: string;
  /**
   * Human-readable name.
   * @default - the id
   */
  readonly displayName?: string;
  /**
   * Lifecycle state.
   * @default TenantState.ACTIVE
   */
  readonly state?: TenantState;
  /**
   * The tenant has its own PostgreSQL database (`database/creds/<tenant>-db`).
   * @default true
   */
  readonly database?: boolean;
  /**
   * The tenant has its own object-store prefix `<bucket>/<env>/<tenant>/`.
   * @default true
   */
  readonly objectStorage?: boolean;
  /**
   * Quota override for this tenant.
   * @default - the environment class's quota profile
   */
  readonly quota?: QuotaProfile;
  /**
   * Modules installed into the tenant namespace.
   * @default - none
   */
  readonly modules?: TenantModuleProps[];
  /**
   * Workloads written with cdk8s-plus, built into the tenant's chart by the builders given in
   * `PlatformProps.workloads` and wired by the library (Vault, network, quota, monitoring, suspension; issue 19).
   * @default - none
   */
  readonly workloads?: TenantWorkloadProps[];
  /**
   * Persistent volumes created in the tenant namespace; checked against the quota when the tenant chart is built.
   * @default - none
   */
  readonly volumes?: TenantVolumeProps[];
  /**
   * OIDC groups (Keycloak) whose members get the class's human access in this tenant's namespace.
   * @default - [`<env oidcGroupPrefix>tenant-<id>`]
   */
  readonly groups?: string[];
  /**
   * When the tenant signed up (ISO-8601 UTC), recorded in the lifecycle inventory.
   * @default - not recorded
   */
  readonly createdAt?: string;
}

/** A validated tenant spec. */
export class Tenant {
  /** Tenant id. */
  public readonly id: string;
  /** Display name. */
  public readonly displayName: string;
  /** Lifecycle state. */
  public readonly state: TenantState;
  /** Whether it has a database. */
  public readonly database: boolean;
  /** Whether it has object storage. */
  public readonly objectStorage: boolean;
  /** Quota override, if any. */
  public readonly quota?: QuotaProfile;
  /** Modules. */
  public readonly modules: TenantModuleProps[];
  /** Workloads written with cdk8s-plus. */
  public readonly workloads: TenantWorkloadProps[];
  /** Persistent volumes. */
  public readonly volumes: TenantVolumeProps[];
  /** OIDC group override, if any. */
  public readonly groups?: string[];
  /** Sign-up time, if known. */
  public readonly createdAt?: string;

  constructor(props: TenantProps) {
    // Named as the Platform's constructs name it (`<platform>/<env>/Tenant-<id>`); an Environment prefixes its name.
    const problems = new Problems(`Tenant-${props.id}`);
    const idProblem = dnsLabelProblem(props.id, 40);
    if (idProblem) {
      problems.add('id', idProblem, props.id, 'use a DNS-1123 label of at most 40 characters: lowercase letters, digits and "-", e.g. "acme-corp"');
    }
    if (props.state !== undefined && !Object.values(TenantState).includes(props.state)) {
      problems.add('state', 'is not a TenantState', props.state, 'use TenantState.ACTIVE, SUSPENDED or ARCHIVED');
    }
    if (props.createdAt !== undefined && !isIsoInstant(props.createdAt)) {
      problems.add('createdAt', 'is not an ISO-8601 UTC instant', props.createdAt, 'write e.g. "2026-11-01T00:00:00Z"');
    }
    const moduleNames = new Set<string>();
    (props.modules ?? []).forEach((m, i) => {
      const p = dnsLabelProblem(m.name, NAME_LIMITS.helmRelease);
      if (p) problems.add(`modules[${i}].name`, p, m.name, 'use a DNS-1123 label such as "billing"');
      if (moduleNames.has(m.name)) problems.add(`modules[${i}].name`, 'is a duplicate', m.name, 'give each module a unique name');
      moduleNames.add(m.name);
      if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(m.version ?? '')) {
        problems.add(`modules[${i}].version`, 'is not an exact semantic version', m.version, 'pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")');
      }
      if (!/^(https|oci):\/\/[^\s@]+$/.test(m.repository ?? '')) {
        problems.add(`modules[${i}].repository`, 'is not an https:// or oci:// URL without credentials', m.repository, 'use e.g. "https://charts.inopsio.example"');
      }
      if (!/^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$/.test(m.chart ?? '')) {
        problems.add(`modules[${i}].chart`, 'is not a chart name', m.chart, 'use the chart name as published, e.g. "billing-api"');
      }
      for (const v of moduleValueProblems(m.name, m, `modules[${i}]`)) problems.add(v.field, v.problem, v.got, v.fix);
      checkModuleOperations(m, i, problems);
    });
    checkTenantWorkloads(props.workloads ?? [], moduleNames, problems);
    const volumeNames = new Set<string>();
    (props.volumes ?? []).forEach((v, i) => {
      const p = dnsLabelProblem(v?.name, 63);
      if (p) problems.add(`volumes[${i}].name`, p, v?.name, 'use a DNS-1123 label such as "uploads"');
      else if (volumeNames.has(v.name)) problems.add(`volumes[${i}].name`, 'is a duplicate', v.name, 'give each volume a unique name');
      volumeNames.add(v?.name);
      const q = checkQuantity(v?.size, QuantityKind.BYTES);
      if (q) problems.add(`volumes[${i}].size`, q.problem, v?.size, q.fix);
      if (v?.storageClass !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(v.storageClass)) {
        problems.add(`volumes[${i}].storageClass`, 'is not a StorageClass name', v.storageClass, 'use the name of a StorageClass of the cluster, e.g. "fast-ssd"');
      }
    });
    (props.groups ?? []).forEach((g, i) => {
      if (!/^[A-Za-z0-9:_./@-]{1,128}$/.test(g) || /^system:/.test(g)) {
        problems.add(`groups[${i}]`, 'is not an acceptable OIDC group name', g, 'use a Keycloak group such as "oidc:tenant-acme"; never system:* groups (K17)');
      }
    });
    problems.throwIfAny();
    this.id = props.id;
    this.displayName = props.displayName ?? props.id;
    this.state = props.state ?? TenantState.ACTIVE;
    this.database = props.database ?? true;
    this.objectStorage = props.objectStorage ?? true;
    this.quota = props.quota;
    this.modules = [...(props.modules ?? [])];
    this.workloads = [...(props.workloads ?? [])];
    this.volumes = [...(props.volumes ?? [])];
    this.groups = props.groups ? [...props.groups] : undefined;
    this.createdAt = props.createdAt;
  }
}

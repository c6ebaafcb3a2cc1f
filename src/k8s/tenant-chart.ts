import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath, setProblemPathSegment } from './problem-path';
import { TenantNamespace, TenantNetworkProps } from './tenant-namespace';
import { TenantVolumes } from './tenant-volumes';
import { checkWorkloadQuota } from './workload-quota';
import { Environment } from '../model/environment';
import { KubernetesVersion } from '../model/kubernetes-version';
import { Problems } from '../model/problems';
import { Tenant, TenantState } from '../model/tenant';

/** Props of a TenantChart. */
export interface TenantChartProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /**
   * Network allows for the tenant namespace.
   * @default - see TenantNamespaceProps.network
   */
  readonly network?: TenantNetworkProps;
  /**
   * The Kubernetes release the clusters run (see TenantNamespaceProps.kubernetesVersion).
   * @default KubernetesVersion.DEFAULT (1.35)
   */
  readonly kubernetesVersion?: KubernetesVersion;
}

/**
 * The chart of one tenant in one environment: its TenantNamespace and everything else placed in it.
 *
 * When the tenant is suspended or archived, synthesis really stops its work (spec §9): every Deployment,
 * StatefulSet and ReplicaSet in the chart is scaled to zero and every CronJob and Job is suspended, on top of the
 * cut quota. Cutting the quota alone would not stop pods that already run.
 */
export class TenantChart extends Chart {
  /** True if `x` is a TenantChart (`instanceof` is unreliable: cdk8s makes it true for every Chart). */
  public static isTenantChart(x: any): x is TenantChart {
    return x !== null && typeof x === 'object' && TENANT_CHART in x;
  }

  /** The tenant's namespace and its guard rails. */
  public readonly tenantNamespace: TenantNamespace;
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The tenant's persistent volumes, if it declares any. */
  public readonly volumes?: TenantVolumes;

  constructor(scope: Construct, id: string, props: TenantChartProps) {
    const namespace = props.environment.namespaceFor(props.tenant.id);
    super(scope, id, { namespace, disableResourceNameHashes: true });
    setProblemPathSegment(this, `Tenant-${props.tenant.id}`);
    this.environment = props.environment;
    this.tenant = props.tenant;
    this.tenantNamespace = new TenantNamespace(this, 'Namespace', props);
    if (props.tenant.volumes.length > 0) this.volumes = new TenantVolumes(this, 'Volumes', { environment: props.environment, tenant: props.tenant });
    Object.defineProperty(this, TENANT_CHART, { value: true });
  }

  /** The namespace name. */
  public get namespaceName(): string {
    return this.tenantNamespace.namespaceName;
  }

  /**
   * Renders the chart, applying the suspension pass for suspended and archived tenants, and checks that the pods it
   * runs fit the tenant's quota (`checkWorkloadQuota`): throws a LifecycleValidationError naming each workload and
   * the numbers when they do not.
   */
  public toJson(): any[] {
    return finishTenantDocuments(this, super.toJson());
  }
}

/**
 * The last pass over a tenant chart's rendered documents (`toJson` and the library's own writer alike): the
 * suspension pass, then the quota check of the pods they run (throws one LifecycleValidationError naming each
 * workload and the numbers).
 */
export function finishTenantDocuments(chart: TenantChart, rendered: any[]): any[] {
  const documents = stopWorkloads(rendered, chart.tenant.state);
  const problems = new Problems(problemPath(chart));
  checkWorkloadQuota(documents, chart.environment, chart.tenant, problems);
  problems.throwIfAny();
  return documents;
}

const TENANT_CHART = Symbol.for('@inopsio/env-lifecycle.TenantChart');
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/**
 * The suspension pass over rendered documents: scale to zero and suspend scheduled work unless the tenant is active.
 * Pure: returns new documents and leaves its input alone.
 */
export function stopWorkloads(documents: any[], state: TenantState): any[] {
  if (state === TenantState.ACTIVE) return documents;
  return documents.map(doc => {
    if (SCALABLE.has(doc.kind)) {
      return { ...doc, spec: { ...doc.spec, replicas: 0 } };
    }
    if (doc.kind === 'CronJob' || doc.kind === 'Job') {
      return { ...doc, spec: { ...doc.spec, suspend: true } };
    }
    return doc;
  });
}

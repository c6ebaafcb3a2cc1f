import { Problems } from './problems';
import { checkQuantity, Quantity, QuantityKind } from './quantity';

/** Sizes of a tenant namespace: its ResourceQuota and LimitRange (K09–K11). Quantities use Kubernetes syntax. */
export interface QuotaProfileProps {
  /** A name for the profile, used in labels and reports. */
  readonly name: string;
  /** Sum of CPU requests in the namespace. */
  readonly requestsCpu: string;
  /** Sum of CPU limits in the namespace. */
  readonly limitsCpu: string;
  /** Sum of memory requests in the namespace. */
  readonly requestsMemory: string;
  /** Sum of memory limits in the namespace. */
  readonly limitsMemory: string;
  /** Sum of ephemeral-storage limits in the namespace. */
  readonly limitsEphemeralStorage: string;
  /** Sum of persistent volume storage requests. */
  readonly requestsStorage: string;
  /** Maximum number of pods. */
  readonly pods: number;
  /** Maximum number of PersistentVolumeClaims. */
  readonly persistentVolumeClaims: number;
  /** Maximum number of Jobs. */
  readonly jobs: number;
  /** Maximum number of CronJobs. */
  readonly cronJobs: number;
  /** Maximum number of Services (NodePorts and LoadBalancers are always 0, K08). */
  readonly services: number;
  /** Maximum number of ConfigMaps. */
  readonly configMaps: number;
  /** LimitRange default CPU limit per container. */
  readonly containerDefaultCpu: string;
  /** LimitRange default CPU request per container. */
  readonly containerDefaultRequestCpu: string;
  /** LimitRange maximum CPU per container. */
  readonly containerMaxCpu: string;
  /** LimitRange default memory limit per container. */
  readonly containerDefaultMemory: string;
  /** LimitRange default memory request per container. */
  readonly containerDefaultRequestMemory: string;
  /** LimitRange maximum memory per container. */
  readonly containerMaxMemory: string;
  /** LimitRange default ephemeral-storage limit per container. */
  readonly containerDefaultEphemeralStorage: string;
  /** LimitRange default ephemeral-storage request per container. */
  readonly containerDefaultRequestEphemeralStorage: string;
  /** LimitRange maximum ephemeral-storage per container. */
  readonly containerMaxEphemeralStorage: string;
}

/**
 * Quota and limit sizes for tenant namespaces, validated at construction (B09): strict quantities,
 * no milli-bytes, requests ≤ limits, and defaultRequest ≤ default ≤ max in the LimitRange.
 */
export class QuotaProfile {
  /** Sandboxes and previews: 2 CPU / 4 GiB. */
  public static readonly SMALL = new QuotaProfile({
    name: 'small',
    requestsCpu: '2',
    limitsCpu: '4',
    requestsMemory: '4Gi',
    limitsMemory: '8Gi',
    limitsEphemeralStorage: '10Gi',
    requestsStorage: '20Gi',
    pods: 20,
    persistentVolumeClaims: 4,
    jobs: 10,
    cronJobs: 5,
    services: 10,
    configMaps: 20,
    containerDefaultCpu: '500m',
    containerDefaultRequestCpu: '100m',
    containerMaxCpu: '2',
    containerDefaultMemory: '512Mi',
    containerDefaultRequestMemory: '128Mi',
    containerMaxMemory: '4Gi',
    containerDefaultEphemeralStorage: '1Gi',
    containerDefaultRequestEphemeralStorage: '256Mi',
    containerMaxEphemeralStorage: '4Gi',
  });

  /** Staging and production tenants: 8 CPU / 16 GiB. */
  public static readonly STANDARD = new QuotaProfile({
    name: 'standard',
    requestsCpu: '8',
    limitsCpu: '16',
    requestsMemory: '16Gi',
    limitsMemory: '32Gi',
    limitsEphemeralStorage: '40Gi',
    requestsStorage: '200Gi',
    pods: 100,
    persistentVolumeClaims: 20,
    jobs: 50,
    cronJobs: 20,
    services: 30,
    configMaps: 100,
    containerDefaultCpu: '1',
    containerDefaultRequestCpu: '250m',
    containerMaxCpu: '4',
    containerDefaultMemory: '1Gi',
    containerDefaultRequestMemory: '256Mi',
    containerMaxMemory: '8Gi',
    containerDefaultEphemeralStorage: '2Gi',
    containerDefaultRequestEphemeralStorage: '256Mi',
    containerMaxEphemeralStorage: '8Gi',
  });

  /**
   * What a suspended tenant keeps (spec §9 "Suspend Tenant"): no pods, no jobs, almost no compute.
   * Suspension also scales workloads to zero and suspends CronJobs; cutting the quota alone does not stop running pods.
   */
  public static readonly SUSPENDED = new QuotaProfile({
    name: 'suspended',
    requestsCpu: '1m',
    limitsCpu: '1m',
    requestsMemory: '1Mi',
    limitsMemory: '1Mi',
    limitsEphemeralStorage: '1Mi',
    requestsStorage: '1Gi',
    pods: 0,
    persistentVolumeClaims: 20,
    jobs: 0,
    cronJobs: 20,
    services: 30,
    configMaps: 100,
    containerDefaultCpu: '1m',
    containerDefaultRequestCpu: '1m',
    containerMaxCpu: '1m',
    containerDefaultMemory: '1Mi',
    containerDefaultRequestMemory: '1Mi',
    containerMaxMemory: '1Mi',
    containerDefaultEphemeralStorage: '1Mi',
    containerDefaultRequestEphemeralStorage: '1Mi',
    containerMaxEphemeralStorage: '1Mi',
  });

  /** A profile of your own. Throws one error listing every invalid field. */
  public static custom(props: QuotaProfileProps): QuotaProfile {
    return new QuotaProfile(props);
  }

  /** The validated sizes. */
  public readonly props: QuotaProfileProps;

  private constructor(props: QuotaProfileProps) {
    const problems = new Problems(`QuotaProfile[${props.name}]`);
    const q = (field: keyof QuotaProfileProps, kind: QuantityKind): Quantity | undefined => {
      const issue = checkQuantity(props[field], kind);
      if (issue) {
        problems.add(field, issue.problem, props[field], issue.fix);
        return undefined;
      }
      return Quantity.parse(props[field] as string, kind);
    };
    const order = (small: keyof QuotaProfileProps, large: keyof QuotaProfileProps, kind: QuantityKind) => {
      const a = q(small, kind);
      const b = q(large, kind);
      if (a && b && a.isGreaterThan(b)) {
        problems.add(small, `is greater than ${large} ${b}`, props[small], `lower ${small} or raise ${large}`);
      }
    };
    order('requestsCpu', 'limitsCpu', QuantityKind.CPU);
    order('requestsMemory', 'limitsMemory', QuantityKind.BYTES);
    q('limitsEphemeralStorage', QuantityKind.BYTES);
    q('requestsStorage', QuantityKind.BYTES);
    order('containerDefaultRequestCpu', 'containerDefaultCpu', QuantityKind.CPU);
    order('containerDefaultCpu', 'containerMaxCpu', QuantityKind.CPU);
    order('containerDefaultRequestMemory', 'containerDefaultMemory', QuantityKind.BYTES);
    order('containerDefaultMemory', 'containerMaxMemory', QuantityKind.BYTES);
    order('containerDefaultRequestEphemeralStorage', 'containerDefaultEphemeralStorage', QuantityKind.BYTES);
    order('containerDefaultEphemeralStorage', 'containerMaxEphemeralStorage', QuantityKind.BYTES);
    for (const field of ['pods', 'persistentVolumeClaims', 'jobs', 'cronJobs', 'services', 'configMaps'] as const) {
      const v = props[field];
      if (!Number.isInteger(v) || v < 0) {
        problems.add(field, 'must be a whole, non-negative number', v, 'use an integer count');
      }
    }
    problems.throwIfAny();
    this.props = { ...props };
  }

  /** The profile's name. */
  public get name(): string {
    return this.props.name;
  }
}

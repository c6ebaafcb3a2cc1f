import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { vaultAgentHardening } from './backup-vault-agent';
import { problemPath } from './problem-path';
import { Environment } from '../model/environment';
import { tenantLabels } from '../model/labels';
import { addModuleValueProblems, vaultTokenVolume, WORKLOAD_TOKEN_VOLUME, workloadVaultDelivery } from '../model/module-values';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { TenantWorkloadProps } from '../model/tenant-workload';

/**
 * Builds the cdk8s-plus constructs of one declared tenant workload (`TenantProps.workloads`), once per tenant chart
 * that runs it. Create them in `workload` (the scope), and run them as `workload.serviceAccount`:
 *
 * ```ts
 * buildWorkload(workload: TenantWorkload) {
 *   new kplus.Deployment(workload, 'web', { serviceAccount: workload.serviceAccount, containers: [...] });
 * }
 * ```
 */
export interface ITenantWorkloadBuilder {
  /** Create the workload's cdk8s-plus constructs in `workload`. */
  buildWorkload(workload: TenantWorkload): void;
}

/** Props of a TenantWorkload. */
export interface TenantWorkloadConstructProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /** The declaration (one of the tenant's `workloads`). */
  readonly workload: TenantWorkloadProps;
  /**
   * Name of the container port the environment's monitors scrape (`ObservabilityStack.metricsPortName`).
   * @default 'metrics'
   */
  readonly metricsPortName?: string;
}

/** Where each kind of cdk8s-plus workload renders its pod spec. */
const POD_SPEC: ReadonlyArray<[new (...args: any[]) => kplus.Workload, string]> = [
  [kplus.CronJob, '/spec/jobTemplate/spec/template/spec'],
  [kplus.Deployment, '/spec/template/spec'],
  [kplus.StatefulSet, '/spec/template/spec'],
  [kplus.Job, '/spec/template/spec'],
];

/**
 * The scope of one cdk8s-plus tenant workload in a tenant's chart (issue 19): its ServiceAccount (named after the
 * workload) and, after the builder ran, the library's wiring of every cdk8s-plus workload built in it (`wire()`):
 *
 * - Vault: the declared secrets delivered by the Vault agent injector exactly as for Helm modules (the same
 *   templates and login annotations: the tenant's role, bound by Terraform to this service account, and a projected
 *   token for the environment's audience), and `<name>_FILE` in every container;
 * - monitoring: the declared metrics port named as the monitors expect, so the tenant's PodMonitor scrapes it;
 * - network and quota come from the tenant namespace (its NetworkPolicies select every pod; cdk8s-plus
 *   `connections` add their own), and the tenant chart checks requests × replicas against the quota;
 * - suspension: the tenant chart scales every Deployment and StatefulSet to zero and suspends every CronJob and Job.
 */
export class TenantWorkload extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The declaration. */
  public readonly workload: TenantWorkloadProps;
  /** The workload's ServiceAccount (no automounted token): pass it as `serviceAccount` to its pods. */
  public readonly serviceAccount: kplus.ServiceAccount;
  private readonly metricsPortName: string;
  private wired = false;

  constructor(scope: Construct, id: string, props: TenantWorkloadConstructProps) {
    super(scope, id);
    this.environment = props.environment;
    this.tenant = props.tenant;
    this.workload = props.workload;
    this.metricsPortName = props.metricsPortName ?? 'metrics';
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name: props.workload.name }, automountToken: false });
  }

  /** The cdk8s-plus workloads built in this scope (Deployments, StatefulSets, Jobs, CronJobs). */
  public get workloads(): kplus.Workload[] {
    return this.node.findAll().filter((c): c is kplus.Workload => c instanceof kplus.Workload);
  }

  /**
   * Wire every workload built in this scope (the Platform calls it after the builder). Throws one
   * LifecycleValidationError listing every problem: no workload built, a pod under another service account, a
   * metrics port under another name, a secret the tenant may not read. Wires once; later calls do nothing.
   */
  public wire(): void {
    if (this.wired) return;
    const problems = new Problems(problemPath(this));
    const w = this.workload;
    const pods = this.workloads;
    if (pods.length === 0) {
      problems.add('workloads', 'are none: the builder built no cdk8s-plus workload', w.name, 'create a kplus.Deployment, StatefulSet, Job or CronJob in the scope the builder receives');
    }
    const delivery = workloadVaultDelivery(this.environment, this.tenant, w, `workloads[${this.tenant.workloads.indexOf(w)}]`, WORKLOAD_TOKEN_VOLUME);
    addModuleValueProblems(problems, problemPath(this), delivery.problems);
    for (const pod of pods) {
      const id = pod.node.path.slice(this.node.path.length + 1);
      if (!POD_SPEC.some(([kind]) => pod instanceof kind)) {
        problems.add(id, 'is a kind of workload that suspension cannot stop', pod.constructor.name, 'use a Deployment, StatefulSet, Job or CronJob');
        continue;
      }
      if (pod.serviceAccount?.name !== this.serviceAccount.name) {
        problems.add(`${id}.serviceAccount`, `is not the workload's service account "${this.serviceAccount.name}", the one the tenant's Vault role binds`, pod.serviceAccount?.name ?? '(none)', 'pass serviceAccount: workload.serviceAccount');
      }
      if (w.metricsPort !== undefined) {
        const containers = pod.containers;
        const port = containers.flatMap(c => c.ports).find(p => p.number === w.metricsPort);
        if (port && port.name !== this.metricsPortName) {
          problems.add(`${id}.containers`, `expose the metrics port ${w.metricsPort} as "${port.name ?? ''}", not as "${this.metricsPortName}", the name the tenant's PodMonitor scrapes`, port.name, `name the port "${this.metricsPortName}", or leave it out: the library adds it`);
        } else if (!port && containers.length > 0) {
          containers[0].addPort({ number: w.metricsPort, name: this.metricsPortName });
        }
      }
    }
    problems.throwIfAny();
    this.wired = true;
    // Every object the builder made (cdk8s-plus's own NetworkPolicies from `connections` too) carries the standard
    // labels the policy pack (K04) and parity read: environment, tenant, and the workload as component.
    const labels = tenantLabels(this.environment, this.tenant, w.name);
    for (const o of this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      for (const [k, v] of Object.entries(labels)) o.metadata.addLabel(k, v);
    }
    if (Object.keys(delivery.annotations).length === 0) return;
    const volume = vaultTokenVolume(this.environment, WORKLOAD_TOKEN_VOLUME);
    for (const pod of pods) {
      // Jobs end: the agent renders the files once in an init container (a sidecar would keep the Job running).
      const runsToCompletion = pod instanceof kplus.Job || pod instanceof kplus.CronJob;
      const annotations = { ...delivery.annotations, ...vaultAgentHardening(), ...(runsToCompletion ? { 'vault.hashicorp.com/agent-pre-populate-only': 'true' } : {}) };
      for (const [k, v] of Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : 1))) pod.podMetadata.addAnnotation(k, v);
      for (const c of pod.containers) {
        for (const [k, v] of Object.entries(delivery.env)) c.env.addVariable(k, kplus.EnvValue.fromValue(v));
      }
      // cdk8s-plus has no projected service-account-token volume: added to the rendered pod spec.
      const spec = POD_SPEC.find(([kind]) => pod instanceof kind)![1];
      const patch = pod.volumes.length === 0 ? JsonPatch.add(`${spec}/volumes`, [volume]) : JsonPatch.add(`${spec}/volumes/-`, volume);
      ApiObject.of(pod).addJsonPatch(patch);
    }
  }
}

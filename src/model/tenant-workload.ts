import { Environment } from './environment';
import { isDnsLabel } from './naming';
import { Problems } from './problems';
import { Tenant } from './tenant';
import { VaultRef } from './vault-ref';

/**
 * A tenant's own workloads written with cdk8s-plus (issue 19): what the rest of the platform must know about them
 * before any Kubernetes object exists. The Terraform side reads it here (the Vault role binds each workload's service
 * account, with the environment's token audience), the Kubernetes side builds and wires the workloads from it
 * (src/k8s/tenant-workload.ts), and the inventory lists it. The cdk8s-plus constructs themselves are built by an
 * `ITenantWorkloadBuilder` the Platform is given (`PlatformProps.workloads`), since the model holds no framework.
 */

/** One Vault secret a workload reads: rendered by the Vault agent to a file, its path in an environment variable. */
export interface WorkloadSecretProps {
  /**
   * Name of the secret (an environment variable name, e.g. `DATABASE_URL`): every container gets
   * `<name>_FILE=/vault/secrets/<file>`, the file the agent renders the secret to.
   */
  readonly name: string;
  /** The secret: `VaultRef.databaseCreds('tenant-db')`, `VaultRef.kv('stripe', 'api_key')`, ... */
  readonly reference: VaultRef;
}

/** A workload of a tenant written with cdk8s-plus (declared on the tenant; built by a builder given to the Platform). */
export interface TenantWorkloadProps {
  /**
   * Workload name, a DNS label: the builder's key in `PlatformProps.workloads` and the name of the workload's
   * ServiceAccount (which the tenant's Vault role binds when the workload reads secrets).
   */
  readonly name: string;
  /**
   * The environments that run it (by name).
   * @default - every environment that lists the tenant
   */
  readonly environments?: string[];
  /**
   * Vault secrets the workload reads, delivered by the Vault agent injector as the Helm modules' are.
   * @default - none: the workload does not log in to Vault
   */
  readonly secrets?: WorkloadSecretProps[];
  /**
   * The container port that serves metrics: named as the environment's monitors expect (`metricsPortName`), so the
   * tenant's PodMonitor scrapes it and the availability alerts expect the tenant's targets.
   * @default - no metrics
   */
  readonly metricsPort?: number;
}

/** A secret's environment variable name: a C identifier. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every problem of a tenant's workload declarations (`where`: `workloads`), with the names of its modules. */
export function checkTenantWorkloads(workloads: readonly TenantWorkloadProps[], moduleNames: ReadonlySet<string>, problems: Problems): void {
  const names = new Set<string>();
  workloads.forEach((w, i) => {
    const at = `workloads[${i}]`;
    if (!isDnsLabel(w?.name, 63)) {
      problems.add(`${at}.name`, 'is not a DNS label', w?.name, 'use a DNS-1123 label such as "web"');
    } else if (names.has(w.name)) {
      problems.add(`${at}.name`, 'is a duplicate', w.name, 'give each workload a unique name');
    } else if (moduleNames.has(w.name)) {
      problems.add(`${at}.name`, 'is also the name of a module, whose chart makes a service account of that name', w.name, 'rename the workload or the module');
    }
    names.add(w?.name);
    if (w?.metricsPort !== undefined && !(Number.isInteger(w.metricsPort) && w.metricsPort >= 1 && w.metricsPort <= 65535)) {
      problems.add(`${at}.metricsPort`, 'is not a port number', w.metricsPort, 'use 1..65535, e.g. 9090');
    }
    const secretNames = new Set<string>();
    (w?.secrets ?? []).forEach((s, j) => {
      if (typeof s?.name !== 'string' || !ENV_NAME.test(s.name)) {
        problems.add(`${at}.secrets[${j}].name`, 'is not an environment variable name', s?.name, 'use letters, digits and "_", e.g. "DATABASE_URL"');
      } else if (secretNames.has(s.name)) {
        problems.add(`${at}.secrets[${j}].name`, 'is a duplicate', s.name, 'give each secret a unique name');
      }
      secretNames.add(s?.name);
      if (!(s?.reference instanceof VaultRef)) {
        problems.add(`${at}.secrets[${j}].reference`, 'is not a VaultRef', s?.reference, "use e.g. VaultRef.databaseCreds('tenant-db') or VaultRef.kv('stripe', 'api_key')");
      }
    });
    (w?.environments ?? []).forEach((e, j) => {
      if (!isDnsLabel(e, 63)) problems.add(`${at}.environments[${j}]`, 'is not an environment name', e, 'use the name of an Environment, e.g. "prod"');
    });
  });
}

/** The workloads a tenant runs in an environment, in the order declared. */
export function workloadsIn(env: Environment, tenant: Tenant): TenantWorkloadProps[] {
  return tenant.workloads.filter(w => w.environments === undefined || w.environments.includes(env.name));
}


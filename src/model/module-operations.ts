import { ContainerImage } from './image';
import { Problems } from './problems';
import { TenantModuleProps, TenantState } from './tenant';

/** The Helm value that sets a module's replica count unless the module names others (`TenantModuleProps.replicaKeys`). */
export const DEFAULT_REPLICA_KEY = 'replicaCount';

const VALUE_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** A module's schema migration, run before each upgrade (spec §9 "Upgrade Tenant: ... schema migrations"). */
export interface ModuleMigrationProps {
  /** Migration image, pinned by digest: `ContainerImage.fromDigest('registry/repository@sha256:<64 hex>')`. */
  readonly image: ContainerImage;
  /** Command of the migration container, e.g. `['/app/migrate', 'up']`. */
  readonly command: string[];
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
}

/** The replica-count value paths of a module: `replicaKeys`, or `['replicaCount']`. */
export function replicaKeysOf(module: TenantModuleProps): string[] {
  return [...(module.replicaKeys ?? [DEFAULT_REPLICA_KEY])];
}

/** True when a tenant in this state runs nothing (suspended, archived): every replica count is 0. */
export function workloadsStopped(state: TenantState): boolean {
  return state !== TenantState.ACTIVE;
}

/**
 * The values that override a module's own for a tenant in `state`: every replica key at `"0"` while the tenant is
 * suspended or archived, nothing while it is active (the module's declared values, or the chart's defaults, apply
 * again). Both delivery paths (Terraform `helm_release` and Argo CD Applications) take them from here.
 */
export function replicaOverrides(module: TenantModuleProps, state: TenantState): { [valuePath: string]: string } {
  const out: { [valuePath: string]: string } = {};
  if (!workloadsStopped(state)) return out;
  for (const key of replicaKeysOf(module)) out[key] = '0';
  return out;
}

/** Checks of a module's replica keys, declared replica values and migration; problems go to `problems` as `modules[i].…`. */
export function checkModuleOperations(module: TenantModuleProps, index: number, problems: Problems): void {
  const where = `modules[${index}]`;
  const keys = module.replicaKeys;
  if (keys !== undefined) {
    if (!Array.isArray(keys) || keys.length === 0) {
      problems.add(`${where}.replicaKeys`, 'is empty', keys, `name the chart's replica-count values, e.g. ["${DEFAULT_REPLICA_KEY}"] (suspension sets them to 0)`);
    } else {
      const seen = new Set<string>();
      keys.forEach((k, j) => {
        if (typeof k !== 'string' || !VALUE_PATH.test(k)) {
          problems.add(`${where}.replicaKeys[${j}]`, 'is not a dotted Helm value path', k, 'write e.g. "replicaCount" or "worker.replicaCount"');
        } else if (seen.has(k)) {
          problems.add(`${where}.replicaKeys[${j}]`, 'is a duplicate', k, 'list each replica key once');
        }
        seen.add(k);
      });
    }
  }
  for (const key of new Set(Array.isArray(keys) ? keys : [DEFAULT_REPLICA_KEY])) {
    const declared = module.values?.[key];
    if (declared !== undefined && !/^(0|[1-9]\d{0,3})$/.test(declared)) {
      problems.add(`${where}.values["${key}"]`, 'is a replica count but not a whole number from 0 to 9999', declared, `write the declared size, e.g. "2" (suspension sets "${key}" to 0 and resuming restores it)`);
    }
  }
  const m = module.migration;
  if (m !== undefined) {
    if (!ContainerImage.isContainerImage(m.image)) {
      problems.add(`${where}.migration.image`, 'is not a ContainerImage', m.image, 'use ContainerImage.fromDigest("registry.example.com/team/migrate@sha256:<digest>") (B10: pinned by digest)');
    }
    if (!Array.isArray(m.command) || m.command.length === 0 || m.command.some(c => typeof c !== 'string' || c === '')) {
      problems.add(`${where}.migration.command`, 'is empty', m.command, 'pass the migration command, e.g. ["/app/migrate", "up"]');
    }
  }
}

import { InventoryEnvironment, InventoryTenant, LifecycleInventory } from './inventory';
import { LifecycleKind } from '../model/environment-class';
import { LifecycleValidationError } from '../model/problems';

/** Ids of the decommission steps, in the only order allowed (V13). */
export enum DecommissionStepId {
  /** Run the backup CronJob once more and wait for it. */
  FINAL_BACKUP = 'final-backup',
  /** Run the restore drill against that backup and wait for it. */
  VERIFY_BACKUP = 'verify-backup',
  /** Revoke every Vault lease by prefix, synchronously. */
  REVOKE_LEASES = 'revoke-leases',
  /** Delete the Vault roles so no new credentials are issued. */
  DISABLE_ROLES = 'disable-roles',
  /** Destroy (Terraform destroy of the workspace, or Helm uninstall + namespace delete of a tenant). */
  DESTROY = 'destroy',
  /**
   * Last, after the verified backup: delete every object under each tenant's object prefix (a tenant's object-store
   * user is disabled first; Terraform deletes it with its policy and keys).
   */
  REMOVE_OBJECTS = 'remove-objects',
  /** Remove the tenant from the tenant registry so the next apply does not recreate it (tenants only). */
  FORGET = 'forget',
}

/** One step of a decommission plan. */
export interface DecommissionStep {
  /** Step id. */
  readonly id: DecommissionStepId;
  /** What the step does and why it is here. */
  readonly title: string;
  /** The exact shell commands, in order (empty when skipped). */
  readonly commands: string[];
  /** Why the step is skipped, if it is. */
  readonly skipped?: string;
}

/** A Job to create from a tenant's CronJob. */
export interface CronJobRun {
  /** kube context. */
  readonly context: string;
  /** Namespace. */
  readonly namespace: string;
  /** The CronJob to create the Job from. */
  readonly cronJob: string;
}

/** A namespaced object to remove. */
export interface NamespacedName {
  /** kube context. */
  readonly context: string;
  /** Namespace. */
  readonly namespace: string;
  /** Object name (empty for a namespace itself). */
  readonly name: string;
}

/** Kinds of targets `decommissionTargets` lists, one per line, for the generated workflows. */
export enum DecommissionTargetKind {
  /** `<context>\t<namespace>\t<cronjob>` of each final backup. */
  BACKUP_JOBS = 'backup-jobs',
  /** `<context>\t<namespace>\t<cronjob>` of each restore drill. */
  DRILL_JOBS = 'drill-jobs',
  /** `<context>\t<namespace>\t<cronjob>` of each volume-snapshot CronJob (final snapshots, tenants with volumes). */
  SNAPSHOT_JOBS = 'snapshot-jobs',
  /** Vault lease prefixes. */
  LEASE_PREFIXES = 'lease-prefixes',
  /** Vault role paths. */
  VAULT_ROLES = 'vault-roles',
  /** `<context>\t<argocd namespace>\t<application>`. */
  ARGOCD_APPLICATIONS = 'argocd-applications',
  /** `<context>\t<namespace>\t<release>`, modules first, the base release last. */
  HELM_RELEASES = 'helm-releases',
  /** `<context>\t<namespace>`. */
  NAMESPACES = 'namespaces',
  /** Terraform stack folders to destroy. */
  STACKS = 'stacks',
  /** Stack folders from which a tenant of a permanent environment is removed by a gated apply (issue 21 item 3). */
  TENANT_STACKS = 'tenant-stacks',
  /** `<bucket>\t<prefix>\t<user>` of each tenant object prefix to remove. */
  OBJECT_PREFIXES = 'object-prefixes',
}

/** A tenant's object prefix to remove, and its object-store user. */
export interface ObjectPrefixTarget {
  /** Bucket. */
  readonly bucket: string;
  /** Prefix, `<env>/<tenant>/`. */
  readonly prefix: string;
  /** The object-store user `<env>-<tenant>`. */
  readonly user: string;
}

/** What a decommissioning touches, as data; the steps' commands are rendered from it. */
export interface DecommissionTargets {
  /** Final backups to run. */
  readonly backupJobs: CronJobRun[];
  /** Restore drills to run. */
  readonly drillJobs: CronJobRun[];
  /** Final volume snapshots to take (each waits until its snapshots are ready to use). */
  readonly snapshotJobs: CronJobRun[];
  /** Vault lease prefixes to revoke. */
  readonly leasePrefixes: string[];
  /** Vault role paths to delete. */
  readonly vaultRoles: string[];
  /** Argo CD Applications to delete (cascading). */
  readonly argoCdApplications: NamespacedName[];
  /** Helm releases to uninstall. */
  readonly helmReleases: NamespacedName[];
  /** Namespaces to delete. */
  readonly namespaces: NamespacedName[];
  /** Terraform stacks to destroy. */
  readonly stacks: string[];
  /** Tenant object prefixes to empty, last. */
  readonly objectPrefixes: ObjectPrefixTarget[];
  /**
   * Stacks a tenant of a permanent environment is removed from: its resources are protected (prevent_destroy, the
   * tenant-upgrade plan gate), so the decommission removes it from the registry in its working copy, synthesizes and
   * applies a plan that the plan gate lets delete only this tenant's resources.
   */
  readonly tenantStacks: string[];
}

/** The ordered decommission of an environment or of one tenant. */
export interface DecommissionPlan {
  /** `<env>` or `<env>/<tenant>`: also the confirmation text (`INOPSIO_CONFIRM`). */
  readonly target: string;
  /** Environment name. */
  readonly environment: string;
  /** Tenant id, when one tenant is removed. */
  readonly tenant?: string;
  /** Lifecycle of the environment. */
  readonly lifecycle: string;
  /** Approvals required before any step runs. */
  readonly approvalsRequired: number;
  /** The GitHub environments that give them, in order. */
  readonly approvalEnvironments: string[];
  /** Unmet preconditions; a plan with any is refused by `renderDecommissionScript` and `decommissionTargets`. */
  readonly blockers: string[];
  /** What is touched. */
  readonly targets: DecommissionTargets;
  /** Steps in order: final backup → verify → revoke leases → disable roles → destroy (→ forget). */
  readonly steps: DecommissionStep[];
}

/**
 * The exact commands of each step, shared by the printed plan and the generated workflows so that what reviewers
 * approve and what automation runs cannot drift. Arguments are inserted verbatim: pass shell-quoted values
 * (`shellQuote`) or quoted shell variables (`"$ns"`).
 */
export const DecommissionCommands = {
  createJobFromCronJob: (context: string, namespace: string, job: string, cronJob: string) =>
    `kubectl --context ${context} --namespace ${namespace} create job ${job} --from=cronjob/${cronJob}`,
  waitForJob: (context: string, namespace: string, job: string) =>
    `kubectl --context ${context} --namespace ${namespace} wait --for=condition=complete job/${job} --timeout=${JOB_TIMEOUT}`,
  revokeLeasePrefix: (prefix: string) => `vault lease revoke -sync -prefix ${prefix}`,
  deleteVaultPath: (vaultPath: string) => `vault delete ${vaultPath}`,
  deleteArgoCdApplication: (context: string, argoNamespace: string, application: string) =>
    `kubectl --context ${context} --namespace ${argoNamespace} delete application ${application} --ignore-not-found --wait=true --timeout=${DELETE_TIMEOUT}`,
  helmUninstall: (context: string, namespace: string, release: string) =>
    `helm uninstall ${release} --kube-context ${context} --namespace ${namespace} --ignore-not-found --wait --timeout ${DELETE_TIMEOUT}`,
  deleteNamespace: (context: string, namespace: string) =>
    `kubectl --context ${context} delete namespace ${namespace} --ignore-not-found --wait=true --timeout=${DELETE_TIMEOUT}`,
  terraformInit: (stackDirectory: string) => `terraform -chdir=${stackDirectory} init -input=false -no-color`,
  terraformDestroy: (stackDirectory: string) => `terraform -chdir=${stackDirectory} destroy -auto-approve -input=false -no-color -lock-timeout=${TERRAFORM_LOCK_TIMEOUT}`,
  /** Lifts prevent_destroy with an override file (src/lifecycle/unprotect.ts) before a whole environment's destroy. */
  unprotect: (stackDirectory: string) => `npx inopsio-env unprotect --stack ${stackDirectory}`,
  /** Synthesizes the platform again (after the tenant left the registry of the working copy). */
  synthesize: () => 'npx cdktf synth',
  terraformPlanRemoval: (stackDirectory: string) => `terraform -chdir=${stackDirectory} plan -input=false -no-color -lock-timeout=${TERRAFORM_LOCK_TIMEOUT} -out=${TENANT_REMOVAL_PLAN}`,
  terraformShowRemoval: (stackDirectory: string) => `terraform -chdir=${stackDirectory} show -json ${TENANT_REMOVAL_PLAN}`,
  terraformApplyRemoval: (stackDirectory: string) => `terraform -chdir=${stackDirectory} apply -input=false -no-color -lock-timeout=${TERRAFORM_LOCK_TIMEOUT} ${TENANT_REMOVAL_PLAN}`,
  confirm: (target: string) =>
    `test "\${INOPSIO_CONFIRM:-}" = ${target} || { printf 'refusing to destroy: export INOPSIO_CONFIRM=%s to confirm\\n' ${target} >&2; exit 3; }`,
  forgetTenant: (registry: string, tenant: string) => `npx inopsio-env tenant-remove --registry ${registry} ${tenant}`,
  // The MinIO client, with the alias `objects` from MC_HOST_objects (an admin of the object store; never in argv).
  disableObjectStoreUser: (user: string) => `mc admin user disable ${OBJECT_STORE_ALIAS} ${user}`,
  removeObjectPrefix: (bucket: string, prefix: string) => `mc rm --recursive --force --versions ${OBJECT_STORE_ALIAS}/${bucket}/${prefix}`,
};

/** The `mc` alias of the tenants' object store in the decommission commands (`MC_HOST_objects`). */
export const OBJECT_STORE_ALIAS = 'objects';
/** The saved plan (in the stack folder) that removes a tenant of a permanent environment. */
export const TENANT_REMOVAL_PLAN = 'tenant-removal.tfplan';
/**
 * How long every Terraform command that locks a stack's state (plan, apply, destroy) waits for the lock
 * (`-lock-timeout`), in the generated workflows and in the printed decommission plan. A destroy has a concurrency
 * group of its own (docs/lifecycle.md "Concurrency"), so it may run beside an upgrade or a preview provision of the
 * same state: without a timeout the second command fails at once on the held lock (local execution), and with
 * Terraform Cloud's remote execution the run would wait in the workspace queue without bound (there the timeout
 * cancels a run still pending after it). 20 minutes outlasts the other job's plan and apply: the stacks' Helm
 * releases wait at most their `timeout` of 600 seconds and Terraform applies them in parallel. It also leaves the
 * waiting job time for its own work within its `timeout-minutes` (90 or more for every job that runs one of these
 * commands), so that no job is killed while it holds the lock (a killed local run can leave the lock behind).
 */
export const TERRAFORM_LOCK_TIMEOUT = '20m';

/** Names of the one-off Jobs the plan creates from the tenant's CronJobs. */
export const FINAL_BACKUP_JOB = 'decommission-final-backup';
export const FINAL_DRILL_JOB = 'decommission-restore-drill';
export const FINAL_SNAPSHOT_JOB = 'decommission-final-snapshots';
const JOB_TIMEOUT = '2h';
const DELETE_TIMEOUT = '15m';

/**
 * Plan the decommissioning of an environment (`tenantId` omitted) or of one tenant, from the inventory alone.
 *
 * Order (V13): final backup → verify the backup (restore drill) → revoke Vault leases by prefix, synchronously →
 * delete the Vault roles → destroy, behind an explicit confirmation. Deleting a role before revoking its leases
 * orphans database users. A tenant is removed only from the `archived` state (spec §9, `transitionTenant`).
 *
 * Throws a LifecycleValidationError if the environment or tenant is not in the inventory.
 */
export function planDecommission(inventory: LifecycleInventory, environmentName: string, tenantId?: string): DecommissionPlan {
  const env = inventory.environments.find(e => e.name === environmentName);
  if (!env) {
    throw new LifecycleValidationError([`planDecommission: environment is not in the inventory (got ${JSON.stringify(environmentName)}); use one of ${inventory.environments.map(e => e.name).join(', ')}`]);
  }
  let tenant: InventoryTenant | undefined;
  if (tenantId !== undefined) {
    tenant = env.tenants.find(t => t.id === tenantId);
    if (!tenant) {
      const known = env.tenants.map(t => t.id).join(', ') || 'none';
      throw new LifecycleValidationError([`planDecommission: tenant is not in environment "${env.name}" (got ${JSON.stringify(tenantId)}); use one of ${known}`]);
    }
  }
  const tenants = tenant ? [tenant] : env.tenants;
  const permanent = env.lifecycle === LifecycleKind.PERMANENT;
  const target = tenant ? `${env.name}/${tenant.id}` : env.name;
  const blockers: string[] = [];
  const archive = 'set its state to archived (state "archived" in the tenant registry, or TenantState.ARCHIVED in main.ts) and apply, then decommission';
  if (tenant && tenant.state !== 'archived') {
    blockers.push(`tenant "${tenant.id}" is ${tenant.state}: suspend and archive it first (spec §9; archiving records the final backup): ${archive}`);
  }
  // Production is never torn down under its tenants, and destroying any environment that keeps backups destroys its
  // tenants too: each must be archived (final backup recorded) first. Environments without backups (development,
  // previews) take their tenants with them.
  const notArchived = tenant ? [] : env.tenants.filter(t => t.state !== 'archived');
  if ((env.lifecycle === 'permanent' || env.backup.enabled) && notArchived.length > 0) {
    blockers.push(`environment "${env.name}" still has tenants that are not archived (${notArchived.map(t => `${t.id}: ${t.state}`).join(', ')}): suspend and archive each (inopsio-env tenant-suspend, tenant-archive, or state "archived" in the tenant registry), or move it to another environment, then decommission`);
  }
  const context = env.kubeContext;
  const argo = env.upgradeStrategy === 'argo-cd';
  const backedUp = tenants.filter(t => t.backup !== undefined);
  const targets: DecommissionTargets = {
    backupJobs: backedUp.map(t => ({ context, namespace: t.namespace, cronJob: t.backup!.cronJob })),
    drillJobs: backedUp.map(t => ({ context, namespace: t.namespace, cronJob: t.backup!.restoreDrillCronJob })),
    snapshotJobs: tenants.filter(t => t.volumes?.snapshotCronJob !== undefined)
      .map(t => ({ context, namespace: t.namespace, cronJob: t.volumes!.snapshotCronJob! })),
    leasePrefixes: leasePrefixes(env, tenants, tenant === undefined),
    vaultRoles: vaultRolePaths(env, tenants),
    argoCdApplications: tenant && argo
      ? tenant.modules.map(m => ({ context, namespace: inventory.argoCdNamespace, name: m.argoCdApplication! }))
      : [],
    helmReleases: tenant
      ? [...(argo ? [] : tenant.modules.map(m => m.release)), tenant.baseRelease].map(name => ({ context, namespace: tenant!.namespace, name }))
      : [],
    namespaces: tenant ? [{ context, namespace: tenant.namespace, name: '' }] : [],
    // Destroy in reverse apply order: the charts, every shard, then the base (one stack unless sharded).
    stacks: tenant ? [] : [...env.terraformStacks].reverse().map(st => st.directory),
    objectPrefixes: tenants.filter(t => t.objectStore !== undefined).map(t => ({ ...t.objectStore! })),
    tenantStacks: tenant && permanent ? [tenant.stackDirectory] : [],
  };
  // Objects are removed only after a verified backup of them: a tenant without a backup CronJob (no database) in a
  // class that backs up has none yet.
  const unbackedObjects = env.backup.enabled ? tenants.filter(t => t.objectStore !== undefined && t.backup === undefined) : [];
  if (unbackedObjects.length > 0) {
    blockers.push(`the objects of ${unbackedObjects.map(t => `${t.id} (${t.objectStore!.bucket}/${t.objectStore!.prefix})`).join(', ')} have no final backup (no backup CronJob): copy them offsite by hand (mc mirror) and verify the copy, then remove objectStorage from the tenant and apply before decommissioning`);
  }

  const q = shellQuote;
  const C = DecommissionCommands;
  const noBackup = !env.backup.enabled ? `class ${env.environmentClass} keeps no backups (BackupPolicy.NONE)` : backedUp.length === 0 ? 'no tenants' : undefined;
  // Tenants with volumes but no database still get their final snapshots.
  const noFinalBackup = env.backup.enabled && targets.snapshotJobs.length > 0 ? undefined : noBackup;
  const steps: DecommissionStep[] = [
    {
      id: DecommissionStepId.FINAL_BACKUP,
      title: `Final backup of every tenant database and object store (run the backup CronJob once more and wait)${targets.snapshotJobs.length > 0 ? '; final snapshots of every tenant volume (the snapshot CronJob, waiting until they are ready to use)' : ''}`,
      commands: [
        ...targets.backupJobs.flatMap(j => [
          C.createJobFromCronJob(q(j.context), q(j.namespace), FINAL_BACKUP_JOB, q(j.cronJob)),
          C.waitForJob(q(j.context), q(j.namespace), FINAL_BACKUP_JOB),
        ]),
        // The snapshot Job fails unless every new VolumeSnapshot is readyToUse.
        ...targets.snapshotJobs.flatMap(j => [
          C.createJobFromCronJob(q(j.context), q(j.namespace), FINAL_SNAPSHOT_JOB, q(j.cronJob)),
          C.waitForJob(q(j.context), q(j.namespace), FINAL_SNAPSHOT_JOB),
        ]),
      ],
      skipped: noFinalBackup,
    },
    {
      id: DecommissionStepId.VERIFY_BACKUP,
      title: 'Verify the final backup: restore it into a scratch database and check row counts (restore drill)',
      commands: targets.drillJobs.flatMap(j => [
        C.createJobFromCronJob(q(j.context), q(j.namespace), FINAL_DRILL_JOB, q(j.cronJob)),
        C.waitForJob(q(j.context), q(j.namespace), FINAL_DRILL_JOB),
      ]),
      skipped: noBackup,
    },
    {
      id: DecommissionStepId.REVOKE_LEASES,
      title: 'Revoke Vault leases by prefix, synchronously, before any role is deleted (V13)',
      commands: targets.leasePrefixes.map(p => C.revokeLeasePrefix(q(p))),
      skipped: targets.leasePrefixes.length === 0 ? 'no Vault leases to revoke' : undefined,
    },
    {
      id: DecommissionStepId.DISABLE_ROLES,
      title: 'Disable the Vault roles so no new credentials are issued',
      commands: targets.vaultRoles.map(r => C.deleteVaultPath(q(r))),
      skipped: targets.vaultRoles.length === 0 ? 'no Vault roles' : undefined,
    },
    {
      id: DecommissionStepId.DESTROY,
      title: tenant
        ? `Destroy, after explicit confirmation: ${argo ? 'delete the Argo CD Applications (cascading), uninstall the base release' : 'uninstall the module and base Helm releases'}, delete the namespace${targets.tenantStacks.length > 0
          ? '; then, its Terraform resources being protected (permanent class), remove the tenant from the registry of the working copy, synthesize, plan, let the plan gate check that only this tenant\'s resources are deleted (ALLOWED_TENANT), and apply that plan'
          : ''}`
        : `Destroy, after explicit confirmation: lift prevent_destroy (override file), then terraform destroy of ${workspaceList(env)}`,
      commands: [
        C.confirm(q(target)),
        ...targets.argoCdApplications.map(a => C.deleteArgoCdApplication(q(a.context), q(a.namespace), q(a.name))),
        ...targets.helmReleases.map(r => C.helmUninstall(q(r.context), q(r.namespace), q(r.name))),
        ...targets.namespaces.map(n => C.deleteNamespace(q(n.context), q(n.namespace))),
        ...targets.stacks.flatMap(d => [C.unprotect(q(d)), C.terraformInit(q(d)), C.terraformDestroy(q(d))]),
        ...(targets.tenantStacks.length > 0 ? [C.forgetTenant(q(env.tenantRegistry), q(tenant!.id)), C.synthesize()] : []),
        ...targets.tenantStacks.flatMap(d => [
          C.terraformInit(q(d)), C.terraformPlanRemoval(q(d)), C.terraformShowRemoval(q(d)), C.terraformApplyRemoval(q(d)),
        ]),
      ],
    },
  ];
  steps.push({
    id: DecommissionStepId.REMOVE_OBJECTS,
    title: tenant
      ? 'Remove the tenant\'s objects last, after the verified backup: disable its object-store user, then delete every object version under its prefix (the apply after the registry change deletes the user, its policy and its keys)'
      : 'Remove the tenants\' objects last, after the verified backup and the destroy (which deleted their object-store users): delete every object version under each tenant prefix',
    commands: [
      ...(tenant ? targets.objectPrefixes.map(p => C.disableObjectStoreUser(q(p.user))) : []),
      ...targets.objectPrefixes.map(p => C.removeObjectPrefix(q(p.bucket), q(p.prefix))),
    ],
    skipped: targets.objectPrefixes.length === 0 ? 'no tenant object prefixes' : undefined,
  });
  if (tenant) {
    steps.push({
      id: DecommissionStepId.FORGET,
      title: targets.tenantStacks.length > 0
        ? `Remove the tenant from the tenant registry (pull request) so the next apply does not recreate it; the destroy step already removed its resources from workspace ${env.organization}/${tenant.workspace}`
        : `Remove the tenant from the tenant registry (pull request) so the next apply does not recreate it; that apply of workspace ${env.organization}/${tenant.workspace} removes its Vault resources`,
      commands: [C.forgetTenant(q(env.tenantRegistry), q(tenant.id))],
    });
  }
  return {
    target,
    environment: env.name,
    tenant: tenant?.id,
    lifecycle: env.lifecycle,
    approvalsRequired: tenant ? tenant.removalApprovals : env.decommissionApprovals,
    approvalEnvironments: tenant ? tenant.approvalEnvironments : env.approvalEnvironments,
    blockers,
    targets,
    steps,
  };
}

/** One kind of a plan's targets, one per line (tab-separated fields), for shell loops. Refuses plans with blockers. */
export function decommissionTargets(plan: DecommissionPlan, kind: DecommissionTargetKind): string {
  if (plan.blockers.length > 0) {
    throw new LifecycleValidationError(plan.blockers.map(b => `decommissionTargets: ${plan.target}: ${b}`));
  }
  const t = plan.targets;
  const rows: string[][] = {
    [DecommissionTargetKind.BACKUP_JOBS]: t.backupJobs.map(j => [j.context, j.namespace, j.cronJob]),
    [DecommissionTargetKind.DRILL_JOBS]: t.drillJobs.map(j => [j.context, j.namespace, j.cronJob]),
    [DecommissionTargetKind.SNAPSHOT_JOBS]: t.snapshotJobs.map(j => [j.context, j.namespace, j.cronJob]),
    [DecommissionTargetKind.LEASE_PREFIXES]: t.leasePrefixes.map(p => [p]),
    [DecommissionTargetKind.VAULT_ROLES]: t.vaultRoles.map(r => [r]),
    [DecommissionTargetKind.ARGOCD_APPLICATIONS]: t.argoCdApplications.map(a => [a.context, a.namespace, a.name]),
    [DecommissionTargetKind.HELM_RELEASES]: t.helmReleases.map(r => [r.context, r.namespace, r.name]),
    [DecommissionTargetKind.NAMESPACES]: t.namespaces.map(n => [n.context, n.namespace]),
    [DecommissionTargetKind.STACKS]: t.stacks.map(d => [d]),
    [DecommissionTargetKind.OBJECT_PREFIXES]: t.objectPrefixes.map(p => [p.bucket, p.prefix, p.user]),
    [DecommissionTargetKind.TENANT_STACKS]: t.tenantStacks.map(d => [d]),
  }[kind];
  return rows.map(r => `${r.join('\t')}\n`).join('');
}

/** Vault lease prefixes to revoke: each tenant's database credentials, and the env's auth logins when the mount is its own. */
export function leasePrefixes(env: InventoryEnvironment, tenants: InventoryTenant[], wholeEnvironment: boolean): string[] {
  const out = tenants.flatMap(t => databaseRolesOf(t).map(role => `${env.vault.databaseMount}/creds/${role}`));
  if (wholeEnvironment && env.vault.kubernetesAuthMountPerEnvironment) out.push(`auth/${env.vault.kubernetesAuthMount}/login`);
  return out;
}

/** Vault role paths to delete, database roles first. */
export function vaultRolePaths(env: InventoryEnvironment, tenants: InventoryTenant[]): string[] {
  return [
    ...tenants.flatMap(t => databaseRolesOf(t).map(role => `${env.vault.databaseMount}/roles/${role}`)),
    ...tenants.flatMap(t => [
      t.vault.kubernetesAuthRole,
      ...(t.vault.backupKubernetesAuthRole ? [t.vault.backupKubernetesAuthRole] : []),
      ...(t.vault.migrationKubernetesAuthRole ? [t.vault.migrationKubernetesAuthRole] : []),
    ])
      .map(role => `auth/${env.vault.kubernetesAuthMount}/role/${role}`),
  ];
}

/** Every database role of a tenant: the application's, its backup jobs' and its migrations'. */
function databaseRolesOf(t: InventoryTenant): string[] {
  return [
    ...(t.vault.databaseRole ? [t.vault.databaseRole] : []),
    ...(t.vault.backupDatabaseRoles ?? []),
    ...(t.vault.migrationDatabaseRole ? [t.vault.migrationDatabaseRole] : []),
  ];
}

/** A human-readable plan: target, approvals, blockers, then each step with its exact commands. */
export function renderDecommissionPlan(plan: DecommissionPlan): string {
  const lines: string[] = [];
  lines.push(plan.tenant
    ? `Decommission plan: tenant "${plan.tenant}" of environment "${plan.environment}" (${plan.lifecycle})`
    : `Decommission plan: environment "${plan.environment}" (${plan.lifecycle})`);
  if (plan.approvalsRequired === 0) {
    lines.push('Approvals required: none (destroyed automatically when it expires)');
  } else {
    const step = plan.approvalsRequired >= 2 ? 'two-step approval, distinct reviewers' : 'manual approval';
    lines.push(`Approvals required: ${plan.approvalsRequired} (${step}; GitHub environments ${plan.approvalEnvironments.join(', ')})`);
  }
  lines.push(`Confirmation: export INOPSIO_CONFIRM=${plan.target}`);
  for (const b of plan.blockers) lines.push(`BLOCKED: ${b}`);
  lines.push('');
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.id}: ${s.title}`);
    if (s.skipped) lines.push(`   (skipped: ${s.skipped})`);
    for (const c of s.commands) lines.push(`   ${c}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The plan (or the given steps of it) as a bash script that stops at the first failure. Refuses plans with blockers.
 */
export function renderDecommissionScript(plan: DecommissionPlan, stepIds?: DecommissionStepId[]): string {
  if (plan.blockers.length > 0) {
    throw new LifecycleValidationError(plan.blockers.map(b => `renderDecommissionScript: ${plan.target}: ${b}`));
  }
  const steps = plan.steps.filter(s => stepIds === undefined || stepIds.includes(s.id));
  const lines = [
    '#!/usr/bin/env bash',
    `# Decommission ${plan.target}: generated by inopsio-env plan-decommission`,
    'set -Eeuo pipefail',
    '# Nothing runs, not even the backup, until the target is confirmed.',
    DecommissionCommands.confirm(shellQuote(plan.target)),
  ];
  for (const s of steps) {
    lines.push('', `# ${s.id}: ${s.title}`);
    if (s.skipped) lines.push(`# skipped: ${s.skipped}`);
    lines.push(...s.commands);
  }
  return `${lines.join('\n')}\n`;
}

/** Quote a value for POSIX sh unless it only holds characters that need no quoting. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

/** The workspaces a destroy covers, in destroy order. */
function workspaceList(env: InventoryEnvironment): string {
  const stacks = [...env.terraformStacks].reverse();
  if (stacks.length <= 1) return `workspace ${env.organization}/${env.workspace}`;
  return `workspaces ${stacks.map(st => `${env.organization}/${st.workspace}`).join(', ')} (charts, shards, base)`;
}

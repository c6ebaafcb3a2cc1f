/**
 * The pod and Job templates of a tenant's backup and restore-drill CronJobs (K25–K41): a restricted, non-root pod that
 * runs one script from the ConfigMap with the credential files the Vault Agent renders (backup-vault-agent.ts).
 * Pure functions of a TenantBackupPlan.
 */
import { BACKUP_EXIT_CODES } from './backup-scripts';
import { AgentFile, BACKUP_PG_SERVICE, BACKUP_UID, VAULT_SECRETS_DIR, VAULT_TOKEN_VOLUME, vaultAgentAnnotations } from './backup-vault-agent';
import { Container, EnvVar, JobTemplateSpec, PodTemplateSpec, Volume, VolumeMount } from './imports/k8s';
import { quantities, quantity } from './typed-object';
import { TenantBackupPlan } from '../model/backup-plan';
import { BACKUP_POD_PATHS } from '../model/backup-script-options';
import { backupPriorityClassName } from '../model/names';
import { formatPrerequisites, PREREQUISITES_ANNOTATION } from '../model/wiring-annotations';

const CA_MOUNT = '/etc/inopsio/postgres-ca';
const TOKEN_EXPIRATION_SECONDS = 600;

/** One of the two pods of a backup: the container, its component label, the script it runs and its files. */
export interface BackupPodSpec {
  /** Container name (`backup` or `restore-drill`). */
  readonly container: string;
  /** Labels of the pod. */
  readonly labels: { [key: string]: string };
  /** Script file in the ConfigMap, e.g. `backup.sh`. */
  readonly script: string;
  /** The libpq service file among `files`, e.g. `pg-service.conf`. */
  readonly serviceFile: string;
  /** The credential files the agent renders. */
  readonly files: readonly AgentFile[];
}

/** The pod template of a backup or drill Job. */
export function backupPodTemplate(plan: TenantBackupPlan, pod: BackupPodSpec): PodTemplateSpec {
  const res = plan.resources;
  const envVars: EnvVar[] = [{ name: 'HOME', value: '/tmp' }];
  // A tenant without a database (plan.database undefined) gets no libpq settings: its pods never connect to one.
  if (plan.database) {
    envVars.push(
      // The dynamic role's name is only known at run time: libpq takes it from the service file (which overrides
      // PGUSER) and the password from the pgpass file.
      { name: 'PGSERVICE', value: BACKUP_PG_SERVICE },
      { name: 'PGSERVICEFILE', value: `${VAULT_SECRETS_DIR}/${pod.serviceFile}` },
      { name: 'PGSSLMODE', value: plan.sslMode },
    );
  }
  if (plan.caConfigMap !== undefined) envVars.push({ name: 'PGSSLROOTCERT', value: `${CA_MOUNT}/ca.crt` });
  const mounts: VolumeMount[] = [
    { name: 'scripts', mountPath: BACKUP_POD_PATHS.scripts, readOnly: true },
    { name: 'work', mountPath: BACKUP_POD_PATHS.work },
    { name: 'metrics', mountPath: BACKUP_POD_PATHS.metrics },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const volumes: Volume[] = [
    { name: 'scripts', configMap: { name: plan.names.configMap, defaultMode: 0o444 } },
    { name: 'work', emptyDir: { sizeLimit: quantity(res.workVolumeSize.toString()) } },
    { name: 'metrics', emptyDir: { sizeLimit: quantity('16Mi') } },
    { name: 'tmp', emptyDir: { sizeLimit: quantity('64Mi') } },
    { name: VAULT_TOKEN_VOLUME, projected: { sources: [{ serviceAccountToken: { audience: plan.vaultTokenAudience, expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } }] } },
  ];
  if (plan.caConfigMap !== undefined) {
    mounts.push({ name: 'postgres-ca', mountPath: CA_MOUNT, readOnly: true });
    volumes.push({ name: 'postgres-ca', configMap: { name: plan.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
  }
  const container = backupContainer(plan, pod, envVars, mounts);
  return {
    metadata: {
      labels: pod.labels,
      annotations: {
        ...vaultAgentAnnotations(plan, pod.container, pod.files),
        // The CA ConfigMap is the operator's (docs/outputs.md, External prerequisites): declared, so W06 accepts it.
        ...(plan.caConfigMap !== undefined ? { [PREREQUISITES_ANNOTATION]: formatPrerequisites([{ kind: 'configmap', name: plan.caConfigMap }]) } : {}),
      },
    },
    spec: {
      serviceAccountName: plan.names.serviceAccount,
      // The one class a suspended or archived tenant's quota admits (TenantNamespace): the final backup runs there.
      priorityClassName: backupPriorityClassName(plan.environment.name),
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      enableServiceLinks: false,
      hostNetwork: false,
      hostPid: false,
      hostIpc: false,
      terminationGracePeriodSeconds: 60,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: BACKUP_UID,
        runAsGroup: BACKUP_UID,
        fsGroup: BACKUP_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [container],
      volumes,
    },
  };
}

/** The one container of a backup or drill pod. */
function backupContainer(plan: TenantBackupPlan, pod: BackupPodSpec, env: EnvVar[], mounts: VolumeMount[]): Container {
  const res = plan.resources;
  const ephemeral = res.ephemeralStorage;
  return {
    name: pod.container,
    image: plan.image.reference,
    imagePullPolicy: 'Always',
    command: ['bash', `${BACKUP_POD_PATHS.scripts}/${pod.script}`],
    env,
    resources: {
      requests: quantities({ 'cpu': res.cpuRequest.toString(), 'memory': res.memoryRequest.toString(), 'ephemeral-storage': ephemeral }),
      limits: quantities({ 'cpu': res.cpuLimit.toString(), 'memory': res.memoryLimit.toString(), 'ephemeral-storage': ephemeral }),
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: BACKUP_UID,
      runAsGroup: BACKUP_UID,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: mounts,
  };
}

/** The Job template around a pod template: deadline, retries, and a failure policy that does not retry what cannot heal. */
export function backupJobTemplate(
  plan: TenantBackupPlan, container: string, labels: { [key: string]: string }, deadlineSeconds: number, template: PodTemplateSpec,
): JobTemplateSpec {
  return {
    metadata: { labels },
    spec: {
      activeDeadlineSeconds: deadlineSeconds,
      backoffLimit: plan.jobs.backoffLimit,
      ttlSecondsAfterFinished: plan.jobs.ttlSecondsAfterFinished,
      // Retrying cannot fix bad configuration (2), a refusal (3) or an integrity failure (4); evictions are not failures.
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: container, operator: 'In', values: [BACKUP_EXIT_CODES.CONFIG, BACKUP_EXIT_CODES.REFUSED, BACKUP_EXIT_CODES.INTEGRITY] }, onPodConditions: [] },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template,
    },
  };
}

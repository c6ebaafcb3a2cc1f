import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { backupEgressRules } from './backup-network-policy';
import { backupJobTemplate, backupPodTemplate } from './backup-pod';
import { BACKUP_METRIC_KINDS, BACKUP_METRICS, BACKUP_SCRIPT_FILES, renderBackupScriptsOf } from './backup-scripts';
import { backupAgentFiles } from './backup-vault-agent';
import { JobTemplateSpec, KubeConfigMap, KubeConfigMapProps, KubeCronJob, KubeJob, KubeNetworkPolicy, KubeServiceAccount, ObjectMeta } from './imports/k8s';
import { problemPath } from './problem-path';
import { kubeObject } from './typed-object';
import { TenantBackupPlan, TenantBackupProps } from '../model/backup-plan';
import { BackupScriptOptions } from '../model/backup-script-options';
import { Environment } from '../model/environment';
import { DOMAIN, tenantLabels } from '../model/labels';
import { dnsLabelProblem } from '../model/naming';
import { Problems } from '../model/problems';
import { Tenant } from '../model/tenant';
import { DATABASE_EGRESS_ANNOTATION, formatDatabaseEgress } from '../model/wiring-annotations';

export { BACKUP_PG_SERVICE, BACKUP_UID, VAULT_SECRETS_DIR } from './backup-vault-agent';
export { PostgresSslMode } from '../model/backup-plan';

/**
 * The per-tenant PostgreSQL backup of spec §10 as Kubernetes objects: the scripts of `scripts/` (rendered by
 * `backup-scripts.ts`) in a ConfigMap, a dedicated ServiceAccount, a `pg_dump` CronJob (dump → verify → publish →
 * offsite mirror → prune), a restore-drill CronJob, and a NetworkPolicy that lets exactly those pods reach the database, the object stores,
 * Vault and the Pushgateway. Credentials arrive as files rendered by the Vault Agent injector (F9); nothing secret
 * is ever written into the manifests.
 *
 * ## Credential lifetime (F9)
 *
 * The agent runs only as an init container (`agent-pre-populate-only`): a Job with a sidecar never completes. So
 * nothing renews what it fetched, and the dynamic database credentials live until the first of
 * - their lease TTL (`databaseCredentialTtl`, VaultBootstrap's `databaseCredentialTtl`, default 1 h), and
 * - the agent's Vault token TTL (the class's `vaultTokenTtl`): Vault revokes every lease of a token when the token
 *   expires, and the revocation drops the PostgreSQL role.
 * Both start after the Job does, so `activeDeadlineSeconds + 60 s ≤ min(those two)` guarantees that no pod of the
 * Job outlives its credentials. TenantBackupPlan (src/model/backup-plan.ts) checks it, with every other rule of the
 * input, once; the default deadline is that minimum less 5 minutes. This construct only builds the plan's objects.
 */

/** Props of a BackupSchedule: the TenantBackupPlan's input (src/model/backup-plan.ts). */
export interface BackupScheduleProps extends TenantBackupProps {}

const JOB_NAME_LIMIT = 63;
const BACKUP_CONTAINER = 'backup';
const DRILL_CONTAINER = 'restore-drill';
/** Plans handed over by `BackupSchedule.fromPlan`, keyed by the placeholder props the constructor receives. */
const PLANNED = new WeakMap<object, TenantBackupPlan>();

/**
 * Scheduled, verified PostgreSQL backups of one tenant database in one environment (spec §10,
 * docs/backups.md), with a weekly restore drill and an on-demand backup Job for decommissioning and archiving
 * (spec §8, §9). Every generated object is a child `ApiObject` exposed as a property.
 */
export class BackupSchedule extends Construct {
  /**
   * A BackupSchedule of a plan checked already (the Platform checks every plan in its constructor): nothing is
   * checked again.
   */
  public static fromPlan(scope: Construct, id: string, plan: TenantBackupPlan): BackupSchedule {
    const placeholder = {} as BackupScheduleProps;
    PLANNED.set(placeholder, plan);
    return new BackupSchedule(scope, id, placeholder);
  }

  /** The backup CronJob (`bash /scripts/backup.sh`): dump, verify, publish, offsite mirror, prune. */
  public readonly cronJob: ApiObject;
  /** The restore-drill CronJob (`bash /scripts/restore-drill.sh`). */
  public readonly restoreDrillCronJob: ApiObject;
  /** The ConfigMap with `backup.sh`, `prune.sh` and `restore-drill.sh`. */
  public readonly configMap: ApiObject;
  /** The dedicated ServiceAccount (no API token mounted). */
  public readonly serviceAccount: ApiObject;
  /** Egress of the backup pods: database, object stores, Vault, Pushgateway. */
  public readonly networkPolicy: ApiObject;
  /** The tenant namespace every object is in. */
  public readonly namespace: string;
  /** Name of the backup CronJob (≤ 52 characters, starts with `backup-` unless `name` was given). */
  public readonly cronJobName: string;
  /** Name of the restore-drill CronJob (≤ 52 characters). */
  public readonly restoreDrillCronJobName: string;
  /** Name of the ServiceAccount: the Vault auth role must be bound to it (V07). */
  public readonly serviceAccountName: string;
  /** Name of the ConfigMap. */
  public readonly configMapName: string;
  /** Name of the NetworkPolicy. */
  public readonly networkPolicyName: string;
  /** The Vault Kubernetes auth role the pods log in with. */
  public readonly vaultRole: string;
  /** The Vault login path. */
  public readonly vaultAuthPath: string;
  /** Every Vault path the pods read (for the role's policy), sorted. */
  public readonly vaultSecretPaths: string[];
  /** Labels that select the backup and drill pods (the NetworkPolicy's podSelector). */
  public readonly podSelectorLabels: { [key: string]: string };
  /** The options the ConfigMap's scripts were rendered with: `renderBackupScripts(scriptOptions)` is the ConfigMap. */
  public readonly scriptOptions: BackupScriptOptions;
  /** Values of the `kind` label of the backup metrics (`dump`, `offsite`, `prune`, `drill`). */
  public readonly metricKinds: string[];
  /** Names of the metrics the scripts export. */
  public readonly metricNames: string[];
  /** Cron schedule of the backup. */
  public readonly schedule: string;
  /** Cron schedule of the restore drill. */
  public readonly restoreDrillSchedule: string;
  /** IANA time zone of both schedules. */
  public readonly timeZone: string;
  /** Deadline of one backup Job in seconds. */
  public readonly activeDeadlineSeconds: number;
  /** Deadline of one restore-drill Job in seconds. */
  public readonly restoreDrillActiveDeadlineSeconds: number;
  /** Seconds the fetched credentials live: min(class vaultTokenTtl, databaseCredentialTtl). */
  public readonly credentialLifetimeSeconds: number;
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The checked plan every object is built from. */
  public readonly plan: TenantBackupPlan;
  private readonly backupJobTemplate: JobTemplateSpec;

  /** Checks `props` once (TenantBackupPlan), listing every problem, then builds the objects of the plan. */
  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    const plan = PLANNED.get(props) ?? TenantBackupPlan.of(props, problemPath(this));
    this.plan = plan;
    this.environment = plan.environment;
    this.tenant = plan.tenant;
    this.namespace = plan.names.namespace;
    this.cronJobName = plan.names.cronJob;
    this.restoreDrillCronJobName = plan.names.restoreDrillCronJob;
    this.serviceAccountName = plan.names.serviceAccount;
    this.configMapName = plan.names.configMap;
    this.networkPolicyName = plan.names.networkPolicy;
    this.vaultRole = plan.names.vaultRole;
    this.vaultAuthPath = plan.names.vaultAuthPath;
    this.schedule = plan.retention.schedule;
    this.restoreDrillSchedule = plan.retention.restoreDrillSchedule;
    this.timeZone = plan.retention.timeZone;
    this.credentialLifetimeSeconds = plan.deadlines.credentialLifetimeSeconds;
    this.activeDeadlineSeconds = plan.deadlines.backupSeconds;
    this.restoreDrillActiveDeadlineSeconds = plan.deadlines.restoreDrillSeconds;
    this.scriptOptions = plan.scripts.options;
    this.vaultSecretPaths = [...plan.vaultSecretPaths];
    this.metricKinds = [...BACKUP_METRIC_KINDS];
    this.metricNames = BACKUP_METRICS.map(m => m.name);
    this.podSelectorLabels = { [`${DOMAIN}/backup-schedule`]: plan.names.cronJob };

    const scripts: KubeConfigMapProps = {
      metadata: this.meta(this.configMapName, 'scripts'),
      // Rendered when the chart is synthesized, not kept: about 76 KB per tenant and environment (docs/performance.md).
      data: Lazy.any({ produce: () => renderBackupScriptsOf(plan.scripts) }),
    };
    // Typed, but not through kubeObject: the bindings' converter would read the Lazy as a map. A ConfigMap has
    // nothing to convert (no renamed field, no Quantity), so its props are its manifest.
    this.configMap = new ApiObject(this, 'Scripts', { ...KubeConfigMap.GVK, ...scripts });
    // K19–K20: one ServiceAccount for these pods; the Vault agent gets an audience-bound projected token instead.
    this.serviceAccount = kubeObject(this, 'ServiceAccount', KubeServiceAccount, {
      metadata: this.meta(this.serviceAccountName, 'service-account'),
      automountServiceAccountToken: false,
    });
    // K05–K07: egress of the backup pods only to what they talk to.
    this.networkPolicy = kubeObject(this, 'NetworkPolicy', KubeNetworkPolicy, {
      metadata: {
        ...this.meta(this.networkPolicyName, 'network-policy'),
        // The databases the dump and the drill reach, stated for K52 (no database shared by production and the rest).
        // A tenant without a database reaches none (its backup is its objects).
        ...(plan.database && plan.drill
          ? { annotations: { [DATABASE_EGRESS_ANNOTATION]: formatDatabaseEgress([plan.database.egress, plan.drill.egress]) } }
          : {}),
      },
      spec: { podSelector: { matchLabels: { ...this.podSelectorLabels } }, policyTypes: ['Egress'], egress: backupEgressRules(plan) },
    });

    // Credential files (F9): rendered by the agent into the pod's memory volume, read by the scripts at run time.
    const files = backupAgentFiles(plan);
    this.backupJobTemplate = this.jobTemplate(BACKUP_CONTAINER, 'backup', plan.deadlines.backupSeconds, BACKUP_SCRIPT_FILES.BACKUP, 'pg-service.conf', files.backup);
    // Shared with onDemandJob: kubeObject converts the template into new objects, so no output object shares it.
    this.cronJob = this.cronJobOf('Resource', this.cronJobName, this.schedule, 'backup', this.backupJobTemplate);
    this.restoreDrillCronJob = this.cronJobOf('RestoreDrill', this.restoreDrillCronJobName, this.restoreDrillSchedule, 'restore-drill',
      this.jobTemplate(DRILL_CONTAINER, 'restore-drill', plan.deadlines.restoreDrillSeconds, BACKUP_SCRIPT_FILES.RESTORE_DRILL, 'drill-pg-service.conf', files.drill));
    for (const job of [this.cronJob, this.restoreDrillCronJob]) {
      job.node.addDependency(this.configMap, this.serviceAccount, this.networkPolicy);
    }
  }

  /**
   * A one-off backup Job with exactly the backup CronJob's job template, e.g. the final backup before archiving
   * or decommissioning a tenant (spec §8, §9). Put it in a chart that is not suspended (a suspended TenantChart
   * suspends Jobs too) and run it while the tenant's quota still admits a Job. Its name is a DNS label ≤ 63.
   */
  public onDemandJob(scope: Construct, id: string, name: string): ApiObject {
    const problem = dnsLabelProblem(name, JOB_NAME_LIMIT);
    if (problem) {
      new Problems(`${problemPath(this)}.onDemandJob`).add('name', problem, name, `use a DNS-1123 label of at most ${JOB_NAME_LIMIT} characters, e.g. "final-backup"`).throwIfAny();
    }
    const template = this.backupJobTemplate;
    const job = kubeObject(scope, id, KubeJob, {
      metadata: {
        name,
        namespace: this.namespace,
        labels: { ...template.metadata!.labels },
        annotations: { [`${DOMAIN}/job-template-of`]: `cronjob/${this.cronJobName}` },
      },
      spec: template.spec,
    });
    job.node.addDependency(this.configMap, this.serviceAccount, this.networkPolicy);
    return job;
  }

  /** Labels of an object of this schedule (a new object each time: the YAML writer must not see shared ones). */
  private labels(component: string): { [key: string]: string } {
    return { ...tenantLabels(this.environment, this.tenant, 'backup'), 'app.kubernetes.io/component': component, ...this.podSelectorLabels };
  }

  private meta(name: string, component: string): ObjectMeta {
    return { name, namespace: this.namespace, labels: this.labels(component) };
  }

  private jobTemplate(container: string, component: string, deadline: number, script: string, serviceFile: string, files: Parameters<typeof backupPodTemplate>[1]['files']): JobTemplateSpec {
    const pod = backupPodTemplate(this.plan, { container, labels: this.labels(component), script, serviceFile, files });
    return backupJobTemplate(this.plan, container, this.labels(component), deadline, pod);
  }

  private cronJobOf(childId: string, name: string, schedule: string, component: string, job: JobTemplateSpec): ApiObject {
    const jobs = this.plan.jobs;
    return kubeObject(this, childId, KubeCronJob, {
      metadata: this.meta(name, component),
      spec: {
        schedule,
        timeZone: this.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: jobs.startingDeadlineSeconds,
        suspend: false,
        successfulJobsHistoryLimit: jobs.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: jobs.failedJobsHistoryLimit,
        jobTemplate: job,
      },
    });
  }
}

/**
 * W10, a wiring rule between the Jobs a generated workflow creates in tenant namespaces and the ResourceQuotas of
 * those namespaces (issue 24 item 4, "Jobs a workflow creates ↔ the namespace quota in that tenant state").
 *
 * The decommission workflow creates its final backup, final snapshots and restore drill with
 * `kubectl create job <name> --from=cronjob/<cronjob>` in the tenant's namespace, in whatever state the tenant is
 * (active, or suspended/archived where `TenantNamespace` splits the quota by PriorityClass: pods outside the backup
 * PriorityClass get `pods: 0`). K11 checks that the workloads fit the quota; nothing checked that a Job a workflow
 * creates from a CronJob is admitted by the quotas of the state it runs in. A pod a quota refuses leaves the Job
 * without pods and the workflow waiting for `condition=complete` until it times out.
 *
 * Which CronJobs: `--from=cronjob/<name>` when the name is literal; else the step's `--targets` kind
 * (`backup-jobs`, `drill-jobs`, `snapshot-jobs` of `inopsio-env plan-decommission`) selects the backup, restore-drill
 * or volume-snapshot CronJobs of every tenant namespace of the output; without one, every CronJob of a tenant
 * namespace. For each, every ResourceQuota of the namespace whose scopes select the pod (PriorityClass In/NotIn/
 * Exists/DoesNotExist, Terminating/NotTerminating, BestEffort/NotBestEffort) must admit one such pod in an otherwise
 * empty namespace: each compute resource it tracks is requested/limited (LimitRange defaults applied) and fits,
 * `pods` and `count/jobs.batch` are at least 1.
 */
import { entries, list, quantity } from './common';
import { formatAmount, limitsOf, podAmount } from './namespace';
import { joinedScript } from './workflow-gates';
import { KubernetesDocument, WorkflowDocument } from '../contents';
import { PolicyContext, PolicyRule, ref, Report, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

const CREATE_JOB = /\bkubectl\b[^\n;&|]*?\bcreate\s+job\b[^\n;&|]*?--from[= ]cronjob\/("?)([^\s"]+)\1/;
const TARGETS = /--targets[= ]([a-z-]+)/;
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const NAME_LABEL = 'app.kubernetes.io/name';

/** The CronJobs a `--targets` kind of plan-decommission lists (src/lifecycle/decommission.ts DecommissionTarget). */
const TARGET_KINDS: { readonly [kind: string]: (cronJob: KubernetesDocument) => boolean } = {
  'backup-jobs': c => c.doc?.metadata?.labels?.[NAME_LABEL] === 'backup' && !c.name.endsWith('-restore-drill'),
  'drill-jobs': c => c.doc?.metadata?.labels?.[NAME_LABEL] === 'backup' && c.name.endsWith('-restore-drill'),
  'snapshot-jobs': c => c.doc?.metadata?.labels?.[NAME_LABEL] === 'volume-snapshots',
};

/** One workflow step that creates Jobs from CronJobs, and the CronJobs it may create them from. */
interface JobCreation {
  readonly workflow: WorkflowDocument;
  readonly job: string;
  readonly step: number;
  readonly stepName: string;
  readonly cronJobs: KubernetesDocument[];
}

function creations(ctx: PolicyContext): JobCreation[] {
  const tenantCronJobs = ctx.kind('CronJob').filter(c => ctx.tenantNamespace(c.environment, c.namespace) !== undefined);
  const out: JobCreation[] = [];
  for (const w of ctx.workflows) {
    for (const [job, body] of entries(w.doc?.jobs ?? {})) {
      list(body?.steps).forEach((s: any, i: number) => {
        const script = joinedScript(s?.run);
        const m = CREATE_JOB.exec(script);
        if (!m) return;
        const name = m[2];
        const kind = TARGETS.exec(script)?.[1];
        const cronJobs = !name.includes('$') ? tenantCronJobs.filter(c => c.name === name)
          : kind !== undefined && TARGET_KINDS[kind] ? tenantCronJobs.filter(TARGET_KINDS[kind])
            : tenantCronJobs;
        out.push({ workflow: w, job, step: i, stepName: String(s?.name ?? `steps[${i}]`), cronJobs });
      });
    }
  }
  return out;
}

/** Does a quota's scope (spec.scopes and spec.scopeSelector) select the pod? */
function scopeSelects(quota: any, pod: any): boolean {
  const priorityClass = typeof pod?.priorityClassName === 'string' ? pod.priorityClassName : undefined;
  const terminating = pod?.activeDeadlineSeconds !== undefined;
  const bestEffort = [...list(pod?.containers), ...list(pod?.initContainers)]
    .every((c: any) => Object.keys(c?.resources?.requests ?? {}).length === 0 && Object.keys(c?.resources?.limits ?? {}).length === 0);
  const scope = (name: string, operator: string, values: string[]): boolean => {
    switch (name) {
      case 'PriorityClass':
        if (operator === 'Exists') return priorityClass !== undefined;
        if (operator === 'DoesNotExist') return priorityClass === undefined;
        if (operator === 'In') return priorityClass !== undefined && values.includes(priorityClass);
        return priorityClass === undefined || !values.includes(priorityClass);
      case 'Terminating': return terminating;
      case 'NotTerminating': return !terminating;
      case 'BestEffort': return bestEffort;
      case 'NotBestEffort': return !bestEffort;
      default: return true;
    }
  };
  return list(quota?.spec?.scopes).every((s: any) => scope(String(s), 'Exists', []))
    && list(quota?.spec?.scopeSelector?.matchExpressions)
      .every((e: any) => scope(String(e?.scopeName), String(e?.operator), list(e?.values).map(String)));
}

/** Why a quota does not admit one pod of the template, or undefined. */
function refusal(quota: KubernetesDocument, pod: any, limits: ReturnType<typeof limitsOf>): string | undefined {
  const hard = quota.doc?.spec?.hard ?? {};
  const problems: string[] = [];
  for (const key of ['pods', 'count/jobs.batch']) {
    const cap = quantity(hard[key], 'count');
    if (cap !== undefined && cap < 1) problems.push(`${key} is ${hard[key]}`);
  }
  const app = list(pod?.containers);
  const init = list(pod?.initContainers);
  for (const r of COMPUTE) {
    for (const which of ['requests', 'limits'] as const) {
      const key = which === 'requests' && hard[r] !== undefined ? r : `${which}.${r}`;
      const cap = quantity(hard[key], key);
      if (cap === undefined) continue;
      const unset = [...app, ...init].filter((c: any) => quantity(c?.resources?.[which]?.[r], r) === undefined
        && (which === 'limits' || quantity(c?.resources?.limits?.[r], r) === undefined)
        && quantity((which === 'requests' ? limits?.defaultRequest : limits?.default)?.[r], r) === undefined);
      if (unset.length > 0) {
        problems.push(`${key} is tracked but container ${unset.map((c: any) => c?.name).join(', ')} sets no ${which}.${r} and the LimitRange no default`);
        continue;
      }
      const need = podAmount(app, init, which, r, limits);
      if (need > cap * (1 + 1e-9)) problems.push(`${key} needs ${formatAmount(need, key)}, hard ${hard[key]}`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function checkCreation(c: JobCreation, report: Report, ctx: PolicyContext): void {
  for (const cronJob of c.cronJobs) {
    const pod = cronJob.doc?.spec?.jobTemplate?.spec?.template?.spec ?? {};
    const ns = ctx.tenantNamespace(cronJob.environment, cronJob.namespace)!;
    const state = String(ns.doc?.metadata?.annotations?.['lifecycle.inopsio.io/lifecycle-state'] ?? 'unknown');
    const limits = limitsOf(ctx, ns);
    const quotas = ctx.inNamespace(cronJob.environment, cronJob.namespace ?? '').filter(d => d.kind === 'ResourceQuota' && scopeSelects(d.doc, pod));
    for (const quota of quotas) {
      const why = refusal(quota, pod, limits);
      if (why === undefined) continue;
      const priority = typeof pod.priorityClassName === 'string' ? `priority class ${pod.priorityClassName}` : 'no priority class';
      report(`jobs.${c.job}.steps[${c.step}] (${c.stepName})`,
        `creates a Job from CronJob ${cronJob.environment}/${cronJob.namespace}/${cronJob.name} (${priority}), which ResourceQuota ${quota.name} of the ${state} tenant namespace (${quota.file}) does not admit: ${why}`,
        `${cronJob.namespace}/${cronJob.name}`,
        'give the CronJob\'s pods the backup PriorityClass the stopped quota carves out, fit its requests and limits to the quota of that state, or size the quota for it');
    }
  }
}

const W10 = rule<JobCreation>({
  id: 'W10',
  severity: PolicySeverity.ERROR,
  title: 'Every Job a workflow creates in a tenant namespace is admitted by the namespace\'s ResourceQuotas in the tenant\'s state',
  description: 'A workflow step that runs kubectl create job --from=cronjob/<name> (the decommission\'s final backup, snapshots and restore drill) creates a pod from the CronJob\'s template in the tenant namespace as it is (active, or suspended/archived with the quota split by PriorityClass); every ResourceQuota whose scopes select that pod must admit it: tracked compute resources set (LimitRange defaults count) and within hard, pods and count/jobs.batch at least 1. Otherwise the Job gets no pod and the workflow waits until its timeout.',
  targets: [PolicyTarget.WORKFLOW, PolicyTarget.KUBERNETES],
  references: [ref('Kubernetes', 'Resource Quotas: quota scopes, PriorityClass scopeSelector'), ref('Kubernetes', 'kubectl create job --from=cronjob'), ref('Spec', '§10 Decommission: final backup')],
  subjects: ctx => ctx.memo('wiring-job-creations', () => creations(ctx)),
  where: c => ({ resource: `${c.workflow.file}#jobs.${c.job}`, file: c.workflow.file }),
  check: (c, report, ctx) => checkCreation(c, report, ctx),
});

/** W10. */
export const QUOTA_WIRING_RULES: PolicyRule[] = [W10];

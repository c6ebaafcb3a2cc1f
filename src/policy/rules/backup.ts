/**
 * K45: every backup CronJob is watched — freshness, failed-job and not-scheduled alerts, and a Backup Status panel.
 * Cross-document: the CronJobs live in tenant charts, the alerts and dashboards in the ObservabilityStack.
 */
import { atDoc, entries, K8S, list } from './common';
import { DOMAIN } from '../../model/labels';
import { KubernetesDocument } from '../contents';
import { PolicyContext, PolicyRule, ref, rule } from '../rule';
import { PolicySeverity } from '../types';

const FRESHNESS = /_last_success(?:ful)?_time(?:stamp_seconds)?\b|kube_cronjob_status_last_successful_time/;
// A Job that never starts (image pull, quota) reports no failure metric of its own: only kube-state-metrics sees it.
const FAILED = /kube_job_status_failed|kube_job_failed/;
const NOT_SCHEDULED = /kube_cronjob_next_schedule_time|kube_cronjob_status_last_schedule_time/;
const MATCHER = /\b(?:cronjob|owner_name|job_name)\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"/g;

/** A backup CronJob: labelled by BackupSchedule, or named backup-*. */
export function isBackupCronJob(d: KubernetesDocument): boolean {
  return d.kind === 'CronJob' && (d.doc.metadata?.labels?.[`${DOMAIN}/backup-schedule`] !== undefined || /^backup-/.test(d.name));
}

/** Does a PromQL expression (or panel query) cover this CronJob? No cronjob matcher covers every CronJob. */
export function coversCronJob(expr: string, name: string): boolean {
  const matchers = [...expr.matchAll(MATCHER)];
  const relevant = matchers.filter(m => m[0].startsWith('cronjob') || m[0].startsWith('owner_name'));
  if (relevant.length === 0) return true;
  return relevant.some(m => {
    const value = JSON.parse(`"${m[2]}"`) as string;
    if (m[1] === '=') return value === name;
    try {
      return new RegExp(`^(?:${value})$`).test(name);
    } catch {
      return false;
    }
  });
}

interface Watch {
  readonly alerts: Array<{ name: string; expr: string }>;
  readonly panels: Array<{ dashboard: string; title: string; exprs: string[] }>;
}

function watchOf(ctx: PolicyContext, environment: string): Watch {
  const alerts: Array<{ name: string; expr: string }> = [];
  for (const pr of ctx.kind('PrometheusRule').filter(d => d.environment === environment)) {
    for (const g of list(pr.doc.spec?.groups)) {
      for (const r of list(g?.rules)) {
        if (typeof r?.alert === 'string') alerts.push({ name: r.alert, expr: String(r.expr ?? '') });
      }
    }
  }
  const panels: Array<{ dashboard: string; title: string; exprs: string[] }> = [];
  for (const cm of ctx.kind('ConfigMap').filter(d => d.environment === environment)) {
    for (const [key, value] of entries(cm.doc.data)) {
      if (!key.endsWith('.json') || typeof value !== 'string') continue;
      let board: any;
      try {
        board = JSON.parse(value);
      } catch {
        continue;
      }
      if (typeof board?.title !== 'string' || !Array.isArray(board.panels)) continue;
      const walk = (ps: any[]) => ps.forEach(p => {
        panels.push({ dashboard: board.title, title: String(p?.title ?? ''), exprs: list(p?.targets).map((t: any) => String(t?.expr ?? '')) });
        if (Array.isArray(p?.panels)) walk(p.panels);
      });
      walk(board.panels);
    }
  }
  return { alerts, panels };
}

const K45 = rule<KubernetesDocument>({
  id: 'K45',
  severity: PolicySeverity.ERROR,
  title: 'Every backup CronJob has a freshness alert, a failed-job alert, a not-scheduled alert and a panel on the "Backup Status" dashboard',
  description: 'A backup nobody watches fails silently; the spec verifies backups through the Grafana "Backup Status" dashboard (§10).',
  targets: K8S,
  references: [ref('Spec', '§10 Backup and Recovery'), ref('ISO 27001', 'A.8.13 Information backup'), ref('kube-state-metrics', 'kube_cronjob_* / kube_job_*')],
  subjects: ctx => ctx.kind('CronJob').filter(isBackupCronJob),
  where: atDoc,
  check: (cj, report, ctx) => {
    const w = ctx.memo(`K45:${cj.environment}`, () => watchOf(ctx, cj.environment));
    const need: Array<[string, RegExp]> = [['freshness', FRESHNESS], ['failed-job', FAILED], ['not-scheduled', NOT_SCHEDULED]];
    for (const [what, metric] of need) {
      if (!w.alerts.some(a => metric.test(a.expr) && coversCronJob(a.expr, cj.name))) {
        report('PrometheusRule', `has no ${what} alert covering this CronJob in environment ${cj.environment}`, cj.name, 'add an ObservabilityStack to the environment (its backup alerts cover CronJobs named like backupCronJobPattern)');
      }
    }
    const panel = w.panels.some(p => /backup status/i.test(p.dashboard) && p.exprs.some(e => /kube_cronjob_/.test(e) && coversCronJob(e, cj.name)));
    if (!panel) {
      report('Grafana dashboard', `has no "Backup Status" panel showing this CronJob in environment ${cj.environment}`, cj.name, 'enable the ObservabilityStack dashboards (Backup Status shows every backup CronJob)');
    }
  },
});

/** K45. */
export const BACKUP_RULES: PolicyRule[] = [K45];

/**
 * K35–K41: CronJobs and Jobs that run once, on time, bounded, and clean up after themselves.
 */
import { atDoc, K8S } from './common';
import { cronProblem, isTimeZone } from '../../model/cron';
import { KubernetesDocument } from '../contents';
import { containersOf, KUBE_SCORE, PolicyContext, PolicyRule, podTemplatesOf, ref, Report, rule } from '../rule';
import { PolicySeverity } from '../types';

/** The Job spec of a Job or CronJob, and its path. */
function jobSpec(d: KubernetesDocument): { spec: any; path: string } {
  return d.kind === 'CronJob'
    ? { spec: d.doc.spec?.jobTemplate?.spec ?? {}, path: 'spec.jobTemplate.spec' }
    : { spec: d.doc.spec ?? {}, path: 'spec' };
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function jobRule(def: {
  id: string;
  title: string;
  description: string;
  references: ReturnType<typeof ref>[];
  kinds: string[];
  check: (d: KubernetesDocument, report: Report, ctx: PolicyContext) => void;
}): PolicyRule {
  return rule<KubernetesDocument>({
    id: def.id,
    title: def.title,
    description: def.description,
    references: def.references,
    severity: PolicySeverity.ERROR,
    targets: K8S,
    subjects: ctx => ctx.kind(...def.kinds),
    where: atDoc,
    check: def.check,
  });
}

const K35 = jobRule({
  id: 'K35',
  title: 'CronJobs: concurrencyPolicy Forbid',
  description: 'Two backups of one database at once double the load and race on the same object-store prefix.',
  references: [ref('Kubernetes', 'CronJob concurrency policy')],
  kinds: ['CronJob'],
  check: (d, report) => {
    if (d.doc.spec?.concurrencyPolicy !== 'Forbid') report('spec.concurrencyPolicy', 'is not Forbid', d.doc.spec?.concurrencyPolicy, 'set concurrencyPolicy: Forbid');
  },
});

const K36 = jobRule({
  id: 'K36',
  title: 'CronJobs: startingDeadlineSeconds set',
  description: 'Without it, a controller outage of more than 100 missed schedules stops the CronJob for good.',
  references: [KUBE_SCORE('cronjob-has-deadline'), ref('Kubernetes', 'CronJob startingDeadlineSeconds')],
  kinds: ['CronJob'],
  check: (d, report) => {
    const v = d.doc.spec?.startingDeadlineSeconds;
    if (!isInt(v) || v < 10) report('spec.startingDeadlineSeconds', 'is not a whole number of at least 10', v, 'set startingDeadlineSeconds, e.g. 3600');
  },
});

const K37 = jobRule({
  id: 'K37',
  title: 'Jobs: activeDeadlineSeconds set',
  description: 'A hung pg_dump holds credentials and locks forever and blocks the next run (concurrencyPolicy Forbid).',
  references: [ref('Kubernetes', 'Job termination and cleanup')],
  kinds: ['CronJob', 'Job'],
  check: (d, report) => {
    const { spec, path } = jobSpec(d);
    if (!isInt(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds < 1) {
      report(`${path}.activeDeadlineSeconds`, 'is not set', spec.activeDeadlineSeconds, 'bound the run, e.g. activeDeadlineSeconds: 1500');
    }
  },
});

const K38 = jobRule({
  id: 'K38',
  title: 'Jobs: backoffLimit 1–3 and restartPolicy Never',
  description: 'The default of 6 retries hammers a broken database for hours; OnFailure restarts in place and hides failed attempts from the Job status.',
  references: [KUBE_SCORE('cronjob-restartpolicy'), ref('Kubernetes', 'Pod backoff failure policy')],
  kinds: ['CronJob', 'Job'],
  check: (d, report) => {
    const { spec, path } = jobSpec(d);
    if (!isInt(spec.backoffLimit) || spec.backoffLimit < 1 || spec.backoffLimit > 3) report(`${path}.backoffLimit`, 'is not 1, 2 or 3', spec.backoffLimit, 'set backoffLimit between 1 and 3');
    const restart = spec.template?.spec?.restartPolicy;
    if (restart !== 'Never') report(`${path}.template.spec.restartPolicy`, 'is not Never', restart, 'set restartPolicy: Never');
  },
});

const K39 = jobRule({
  id: 'K39',
  title: 'Jobs: ttlSecondsAfterFinished set',
  description: 'Finished Jobs and their pods otherwise pile up in the namespace (and count against count/jobs.batch).',
  references: [ref('Kubernetes', 'TTL-after-finished controller')],
  kinds: ['CronJob', 'Job'],
  check: (d, report) => {
    const { spec, path } = jobSpec(d);
    if (!isInt(spec.ttlSecondsAfterFinished) || spec.ttlSecondsAfterFinished < 0) report(`${path}.ttlSecondsAfterFinished`, 'is not set', spec.ttlSecondsAfterFinished, 'set ttlSecondsAfterFinished, e.g. 604800');
  },
});

const K40 = jobRule({
  id: 'K40',
  title: 'CronJobs: successfulJobsHistoryLimit and failedJobsHistoryLimit set (failed ≥ 1, both ≤ 10)',
  description: 'A failed Job must stay long enough for the failed-job alert and for reading its logs, but history must stay bounded.',
  references: [ref('Kubernetes', 'CronJob jobs history limits')],
  kinds: ['CronJob'],
  check: (d, report) => {
    const s = d.doc.spec ?? {};
    if (!isInt(s.successfulJobsHistoryLimit) || s.successfulJobsHistoryLimit < 0 || s.successfulJobsHistoryLimit > 10) {
      report('spec.successfulJobsHistoryLimit', 'is not a whole number from 0 to 10', s.successfulJobsHistoryLimit, 'set successfulJobsHistoryLimit, e.g. 3');
    }
    if (!isInt(s.failedJobsHistoryLimit) || s.failedJobsHistoryLimit < 1 || s.failedJobsHistoryLimit > 10) {
      report('spec.failedJobsHistoryLimit', 'is not a whole number from 1 to 10', s.failedJobsHistoryLimit, 'set failedJobsHistoryLimit, e.g. 3');
    }
  },
});

const K41 = jobRule({
  id: 'K41',
  title: 'CronJobs: valid schedule with an explicit IANA timeZone; no probes on Job pods (CronJob names ≤ 52: K03)',
  description: 'Without timeZone the schedule follows the controller\'s zone; TZ= in the schedule is refused; probes kill batch pods that do not serve.',
  references: [ref('Kubernetes', 'CronJob time zones'), ref('Kubernetes', 'CronJob name ≤ 52 characters')],
  kinds: ['CronJob', 'Job'],
  check: (d, report, ctx) => {
    if (d.kind === 'CronJob') {
      const tz = d.doc.spec?.timeZone;
      const valid = typeof tz === 'string' ? ctx.memo(`K41:tz:${tz}`, () => isTimeZone(tz)) : false;
      if (!valid) report('spec.timeZone', 'is not an IANA time zone', tz, 'set timeZone, e.g. "Etc/UTC"');
      const issue = cronProblem(d.doc.spec?.schedule);
      if (issue) report('spec.schedule', issue, d.doc.spec?.schedule, 'use five cron fields such as "15 2 * * *" and set timeZone separately');
    }
    for (const t of podTemplatesOf(d)) {
      for (const c of containersOf(t)) {
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          if (c.container[probe] !== undefined) report(`${c.path}.${probe}`, 'is set on a Job pod', probe, 'remove it: batch pods serve nothing; bound them with activeDeadlineSeconds');
        }
      }
    }
  },
});

/** K35–K41. */
export const JOB_RULES: PolicyRule[] = [K35, K36, K37, K38, K39, K40, K41];

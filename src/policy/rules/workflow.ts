/**
 * V13 over generated CI workflows: decommissioning runs final backup → verify → revoke leases by prefix →
 * disable roles → destroy, in that order, across the jobs a destroying job needs.
 */
import { entries, list } from './common';
import { DestroyStep, destroyStepPattern, joinedScript } from './workflow-gates';
import { WorkflowDocument } from '../contents';
import { PolicyRule, ref, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

enum Step { BACKUP = 'final backup', VERIFY = 'backup verification', REVOKE = 'lease revocation by prefix', DISABLE = DestroyStep.DISABLE, DESTROY = DestroyStep.DESTROY }

const PATTERNS: Array<[Step, RegExp]> = [
  [Step.BACKUP, /\bcreate\s+job\b[^\n]*backup|final[- ]backup|pg_dump/i],
  [Step.VERIFY, /\bcreate\s+job\b[^\n]*drill|restore[- ]drill|final[- ]drill|pg_restore/i],
  [Step.REVOKE, /\bvault\b[^\n;&|]*?\slease\s+revoke\b[^\n]*?-prefix/],
  // Role deletion and destroy: the destroying commands W01 gates (one list, ./workflow-gates.ts).
  [Step.DISABLE, destroyStepPattern(DestroyStep.DISABLE)],
  [Step.DESTROY, destroyStepPattern(DestroyStep.DESTROY)],
];

const ORDER = [Step.BACKUP, Step.VERIFY, Step.REVOKE, Step.DISABLE, Step.DESTROY];
const DESTROYING_STEPS = new Set([Step.DISABLE, Step.DESTROY]);

interface JobRef {
  readonly workflow: WorkflowDocument;
  readonly id: string;
  readonly job: any;
}

/** The jobs `id` needs, transitively, in an order that respects `needs`, then the job itself. */
function chain(jobs: { [id: string]: any }, id: string): string[] {
  const out: string[] = [];
  const visit = (j: string, stack: Set<string>) => {
    if (out.includes(j) || stack.has(j) || jobs[j] === undefined) return;
    stack.add(j);
    const needs = jobs[j]?.needs;
    for (const n of (Array.isArray(needs) ? needs : needs === undefined ? [] : [needs]).map(String).sort()) visit(n, stack);
    stack.delete(j);
    out.push(j);
  };
  visit(id, new Set());
  return out;
}

/** The lifecycle steps a job (and the jobs it needs) runs, in run order, each with where it happens. */
function events(jobs: { [id: string]: any }, id: string): Array<{ step: Step; where: string }> {
  const out: Array<{ step: Step; where: string }> = [];
  for (const j of chain(jobs, id)) {
    list(jobs[j]?.steps).forEach((s: any, i: number) => {
      const text = `${s?.name ?? ''}\n${joinedScript(s?.run)}`;
      const found: Array<{ step: Step; at: number }> = [];
      for (const [step, re] of PATTERNS) {
        const m = re.exec(text);
        if (m) found.push({ step, at: m.index });
      }
      found.sort((a, b) => a.at - b.at || ORDER.indexOf(a.step) - ORDER.indexOf(b.step));
      for (const f of found) out.push({ step: f.step, where: `jobs.${j}.steps[${i}]` });
    });
  }
  return out;
}

const V13 = rule<JobRef>({
  id: 'V13',
  severity: PolicySeverity.ERROR,
  title: 'Decommission order: final backup → verify → revoke leases by prefix → disable roles → destroy',
  description: 'Deleting a Vault role before revoking its leases orphans database users and blocks unmounting; destroying before a verified backup loses data.',
  targets: [PolicyTarget.WORKFLOW],
  references: [ref('Spec', '§8 Environment Decommissioning'), ref('Vault', 'Lease revocation by prefix')],
  subjects: ctx => ctx.workflows.flatMap(w => entries(w.doc?.jobs).map(([id, job]) => ({ workflow: w, id, job })))
    .filter(j => events(j.workflow.doc.jobs, j.id).some(e => e.step === Step.DESTROY || e.step === Step.DISABLE)
      && list(j.job?.steps).some((s: any) => PATTERNS.some(([step, re]) => DESTROYING_STEPS.has(step) && re.test(joinedScript(s?.run))))),
  where: j => ({ resource: `${j.workflow.file}#jobs.${j.id}`, file: j.workflow.file }),
  check: (j, report) => {
    const ev = events(j.workflow.doc.jobs, j.id);
    const first = (step: Step) => ev.findIndex(e => e.step === step);
    const revoke = first(Step.REVOKE);
    for (const step of [Step.DISABLE, Step.DESTROY]) {
      const at = first(step);
      if (at < 0) continue;
      if (revoke < 0) report(ev[at].where, `runs ${step} without revoking Vault leases by prefix first`, step, 'revoke the tenant and environment lease prefixes (vault lease revoke -sync -prefix) before deleting roles or destroying');
      else if (revoke > at) report(ev[at].where, `runs ${step} before ${Step.REVOKE} (${ev[revoke].where})`, step, 'revoke leases first: deleting a role before revoking its leases orphans database users');
    }
    const disable = first(Step.DISABLE);
    const destroy = first(Step.DESTROY);
    if (disable >= 0 && destroy >= 0 && destroy < disable) report(ev[destroy].where, `runs destroy before ${Step.DISABLE} (${ev[disable].where})`, 'destroy', 'disable the Vault roles before destroying');
    const backup = first(Step.BACKUP);
    const verify = first(Step.VERIFY);
    if (backup >= 0) {
      for (const step of [Step.REVOKE, Step.DISABLE, Step.DESTROY]) {
        const at = first(step);
        if (at >= 0 && at < backup) report(ev[at].where, `runs ${step} before the ${Step.BACKUP} (${ev[backup].where})`, step, 'take and verify the final backup first');
      }
      if (verify < 0 && destroy >= 0) report(ev[destroy].where, 'destroys after a final backup that is never verified', 'destroy', 'run the restore drill against the final backup before revoking and destroying');
      else if (verify >= 0 && verify < backup) report(ev[verify].where, `verifies before the ${Step.BACKUP}`, Step.VERIFY, 'verify the final backup after taking it');
      else if (verify >= 0 && destroy >= 0 && destroy < verify) report(ev[destroy].where, 'destroys before the final backup is verified', 'destroy', 'verify first');
    }
  },
});

/** V13. */
export const WORKFLOW_RULES: PolicyRule[] = [V13];

/**
 * G01 over generated CI workflows and the GitHub environments stack: a job that destroys something runs only behind
 * GitHub environments that Terraform generates, each protected (issue 23). A gate named in a workflow but created by
 * nobody has no reviewers, so it lets every run through.
 */
import { entries, list } from './common';
import { DESTROYING_COMMANDS } from './workflow-gates';
import { TerraformResource, WorkflowDocument } from '../contents';
import { PolicyRule, ref, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

interface DestroyingJob {
  readonly workflow: WorkflowDocument;
  readonly id: string;
  readonly destroys: string[];
}

/** Distinct reviewed environments a destroying job needs, by workflow file name (as checkDestroyGates). */
const MINIMUM_REVIEWED: { [fileName: string]: number } = { 'decommission.yml': 2 };

function destroyingCommands(job: any): string[] {
  const found = new Set<string>();
  for (const step of list(job?.steps)) {
    if (typeof step?.run !== 'string') continue;
    const script = step.run.replace(/\\\r?\n\s*/g, ' ');
    for (const c of DESTROYING_COMMANDS) if (c.pattern.test(script)) found.add(c.name);
  }
  return [...found];
}

/** The job and every job it needs, transitively. */
function path(jobs: { [id: string]: any }, id: string): string[] {
  const seen: string[] = [];
  const visit = (j: string) => {
    if (seen.includes(j) || jobs[j] === undefined) return;
    seen.push(j);
    const needs = jobs[j]?.needs;
    for (const n of Array.isArray(needs) ? needs : needs === undefined ? [] : [needs]) visit(String(n));
  };
  visit(id);
  return seen;
}

function environmentOf(job: any): string | undefined {
  const env = typeof job?.environment === 'string' ? job.environment : job?.environment?.name;
  return typeof env === 'string' && !env.includes('${{') ? env : undefined;
}

/** How a generated environment is protected. */
interface Protection {
  readonly reviewed: boolean;
  readonly preventSelfReview: boolean;
  readonly branchRestricted: boolean;
}

function protections(resources: readonly TerraformResource[]): Map<string, Protection> {
  const out = new Map<string, Protection>();
  const policies = new Set(resources.filter(r => r.type === 'github_repository_environment_deployment_policy')
    .map(r => String(r.body?.environment ?? '')));
  for (const r of resources.filter(x => x.type === 'github_repository_environment')) {
    const name = r.body?.environment;
    if (typeof name !== 'string') continue;
    const reviewers = list(r.body?.reviewers).flatMap((x: any) => [...list(x?.teams), ...list(x?.users)]);
    const branch = r.body?.deployment_branch_policy;
    const custom = branch?.custom_branch_policies === true;
    // The deployment policies reference the environment resource (`${github_repository_environment.<id>.environment}`).
    const id = `\${github_repository_environment.${r.name}.environment}`;
    out.set(name, {
      reviewed: reviewers.length > 0 && r.body?.can_admins_bypass === false,
      preventSelfReview: r.body?.prevent_self_review === true,
      branchRestricted: branch?.protected_branches === true || (custom && (policies.has(id) || policies.has(name))),
    });
  }
  return out;
}

const G01 = rule<DestroyingJob>({
  id: 'G01',
  severity: PolicySeverity.ERROR,
  title: 'Destroying jobs run only behind generated, protected GitHub environments',
  description: 'An approval environment that the workflows name but nothing creates has no required reviewers: GitHub creates it on first use, unprotected, and the gate lets every run through. Every environment on a destroying job\'s path must be a github_repository_environment of the output, reviewed (required reviewers, prevent_self_review, no admin bypass) or limited to the default branch; decommissioning needs two reviewed ones.',
  targets: [PolicyTarget.WORKFLOW, PolicyTarget.TERRAFORM],
  references: [ref('Spec', '§8 Environment Decommissioning'), ref('GitHub', 'Deployment protection rules'), ref('Issue', '23')],
  subjects: ctx => ctx.workflows.flatMap(w => entries(w.doc?.jobs)
    .map(([id, job]) => ({ workflow: w, id, destroys: destroyingCommands(job) }))
    .filter(j => j.destroys.length > 0)),
  where: j => ({ resource: `${j.workflow.file}#jobs.${j.id}`, file: j.workflow.file }),
  check: (j, report, ctx) => {
    const generated = protections(ctx.resources);
    const jobs = j.workflow.doc.jobs;
    let reviewed = 0;
    const names = new Set<string>();
    for (const id of path(jobs, j.id)) {
      const name = environmentOf(jobs[id]);
      if (!name || names.has(name)) continue;
      names.add(name);
      const p = generated.get(name);
      if (!p) {
        report(`jobs.${id}.environment`, 'names a GitHub environment that no github_repository_environment creates', name, 'pass PlatformProps.github (owner, repository, approvers) so that Terraform creates it with its reviewers');
        continue;
      }
      if (p.reviewed && p.preventSelfReview) reviewed++;
      else if (p.reviewed) report(`jobs.${id}.environment`, 'is generated with reviewers but lets the person who started the run approve it', name, 'set prevent_self_review = true');
      else if (!p.branchRestricted) report(`jobs.${id}.environment`, 'is generated without reviewers and without a deployment-branch rule', name, 'give it required reviewers, or limit it to the default branch');
    }
    const file = j.workflow.file.split('/').pop()!;
    const need = MINIMUM_REVIEWED[file] ?? 0;
    if (reviewed < need) {
      report(`jobs.${j.id}`, `runs ${j.destroys.join(', ')} behind ${reviewed} generated environment(s) with required reviewers; it needs ${need}`, [...names], 'gate it with the approval environments generated from PlatformProps.github (firstApprovers, secondApprovers)');
    }
  },
});

/** G01. */
export const APPROVAL_RULES: PolicyRule[] = [G01];

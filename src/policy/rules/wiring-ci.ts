/**
 * W07, a wiring rule between the CI workflows and the Terraform stacks (issue 24 items 3 and 4): every job that runs
 * `terraform plan`, `apply` or `destroy` supplies each variable the stacks it may run declare without a default, as
 * `TF_VAR_<name>` in the workflow's, the job's or a step's `env`, or written to `$GITHUB_ENV` by an earlier step.
 * Terraform would otherwise stop at "No value for required variable" (or prompt, and with `-input=false` fail).
 *
 * Which stacks a job may run: the stacks of the environment its `ENV_NAME` names when that is a literal (and those its
 * `STACKS` lists), else every stack of the output (the preview, cleanup and decommission jobs choose theirs at run time).
 */
import { entries, list } from './common';
import { joinedScript } from './workflow-gates';
import { TerraformStackDocument, WorkflowDocument } from '../contents';
import { PolicyContext, PolicyRule, ref, Report, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

/** A Terraform command that needs the stack's variables. */
const STACK_COMMAND = /\bterraform\b[^\n;&|]*?\s(plan|apply|destroy)\b/;
/** `TF_VAR_<name>=` appended to `$GITHUB_ENV` by a step. */
const EXPORTED = /\bTF_VAR_([A-Za-z0-9_]+)=[^\n]*>>\s*"?\$GITHUB_ENV"?/g;

/** Variables a stack declares without a default (Terraform requires a value). */
export function requiredVariables(stack: TerraformStackDocument): string[] {
  return entries(stack.json?.variable ?? {})
    .filter(([, v]) => v === null || typeof v !== 'object' || !('default' in v))
    .map(([name]) => name)
    .sort();
}

function literal(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !value.includes('${{') ? value : undefined;
}

/** The stacks a job may run. */
function stacksOf(job: any, workflowEnv: any, ctx: PolicyContext): TerraformStackDocument[] {
  const env = { ...(workflowEnv ?? {}), ...(job?.env ?? {}) };
  const named = literal(env.ENV_NAME);
  if (named === undefined) return [...ctx.stacks];
  const listed = new Set((literal(env.STACKS) ?? '').split(/\s+/).filter(s => s !== ''));
  return ctx.stacks.filter(s => s.environment === named || listed.has(s.environment));
}

/** The TF_VAR_ names a job sets: in the workflow's and job's env, any step's env, or exported to $GITHUB_ENV. */
function suppliedVariables(job: any, workflowEnv: any): Set<string> {
  const out = new Set<string>();
  const add = (env: any) => entries(env ?? {}).forEach(([k]) => { if (k.startsWith('TF_VAR_')) out.add(k.slice('TF_VAR_'.length)); });
  add(workflowEnv);
  add(job?.env);
  for (const step of list(job?.steps)) {
    add(step?.env);
    for (const m of joinedScript(step?.run).matchAll(EXPORTED)) out.add(m[1]);
  }
  return out;
}

/** A workflow job that runs terraform plan, apply or destroy. */
interface StackJob {
  readonly workflow: WorkflowDocument;
  readonly id: string;
  readonly job: any;
  readonly command: string;
}

function stackJobs(ctx: PolicyContext): StackJob[] {
  const out: StackJob[] = [];
  for (const w of ctx.workflows) {
    for (const [id, job] of entries(w.doc?.jobs ?? {})) {
      const m = list(job?.steps).map((s: any) => STACK_COMMAND.exec(joinedScript(s?.run))).find(x => x !== null);
      if (m) out.push({ workflow: w, id, job, command: m[1] });
    }
  }
  return out;
}

function checkJob(j: StackJob, report: Report, ctx: PolicyContext): void {
  const supplied = suppliedVariables(j.job, j.workflow.doc?.env);
  for (const stack of stacksOf(j.job, j.workflow.doc?.env, ctx)) {
    for (const variable of requiredVariables(stack).filter(v => !supplied.has(v))) {
      report(`env.TF_VAR_${variable}`,
        `is missing: the job runs terraform ${j.command} on stack ${stack.environment} (${stack.file}), whose variable "${variable}" has no default`,
        variable,
        `add TF_VAR_${variable}: \${{ secrets.<NAME> }} to the job's env (src/model/ci-access.ts STACK_VARIABLE_SECRETS, docs/outputs.md), or give the variable a default`);
    }
  }
}

const W07 = rule<StackJob>({
  id: 'W07',
  severity: PolicySeverity.ERROR,
  title: 'Every workflow job that runs a Terraform stack supplies each of its variables without a default (TF_VAR_*)',
  description: 'A job that runs terraform plan, apply or destroy on a stack sets TF_VAR_<name> for every variable the stack declares without a default, in env or through $GITHUB_ENV; otherwise Terraform stops at "No value for required variable". The message names the workflow job and the stack variable.',
  targets: [PolicyTarget.WORKFLOW, PolicyTarget.TERRAFORM],
  references: [ref('Terraform', 'Input variables: environment variables TF_VAR_name'), ref('Spec', '§3 Provisioning: workflows wired to what they run')],
  subjects: ctx => (ctx.stacks.length === 0 ? [] : stackJobs(ctx)),
  where: j => ({ resource: `${j.workflow.file}#jobs.${j.id}`, file: j.workflow.file }),
  check: (j, report, ctx) => checkJob(j, report, ctx),
});

/** W07. */
export const CI_WIRING_RULES: PolicyRule[] = [W07];

/**
 * W01–W02 over generated CI workflows: every job that destroys something is gated by approval environments, and no
 * script interpolates a GitHub expression. The commands that destroy or revoke something are listed once, here
 * (DESTROYING_COMMANDS): W01 gates them and V13 (./workflow.ts) orders them.
 */
import { entries, list } from './common';
import { DEFAULT_APPROVAL_ENVIRONMENTS } from '../../model/names';
import { WorkflowDocument } from '../contents';
import { PolicyRule, ref, Report, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

/** The step of the decommission order (V13) a destroying command is, if it is one. */
export enum DestroyStep {
  /** Deletes Vault roles or disables a mount. */
  DISABLE = 'role deletion',
  /** Destroys infrastructure, releases or namespaces. */
  DESTROY = 'destroy',
}

/** A command that destroys or revokes something. */
export interface DestroyingCommand {
  /** How messages name it. */
  readonly name: string;
  /** Matches it in a script whose continued lines are joined. */
  readonly pattern: RegExp;
  /** Its step in the decommission order (V13), if it has one. */
  readonly step?: DestroyStep;
}

/**
 * Commands that destroy or revoke something. Continued lines are joined first, so `terraform \` + newline +
 * `  destroy` is caught too. Conservative on purpose: `echo terraform destroy` also counts.
 */
export const DESTROYING_COMMANDS: readonly DestroyingCommand[] = Object.freeze([
  { name: 'terraform destroy', pattern: /\bterraform\b[^\n;&|]*?\s(?:destroy\b|apply\b[^\n;&|]*\s-destroy\b)/, step: DestroyStep.DESTROY },
  { name: 'helm uninstall', pattern: /\bhelm\b[^\n;&|]*?\s(?:uninstall|delete|del)\b/, step: DestroyStep.DESTROY },
  // Deleting a namespace destroys a tenant; deleting anything else is destroying too, but no step of V13's order.
  { name: 'kubectl delete', pattern: /\bkubectl\b[^\n;&|]*?\sdelete\s+(?:ns|namespaces?)\b/, step: DestroyStep.DESTROY },
  { name: 'kubectl delete', pattern: /\bkubectl\b[^\n;&|]*?\sdelete\b/ },
  // Emptying an object prefix (or a bucket) destroys the tenant's objects; disabling its user ends its access.
  { name: 'mc rm / rb / admin user remove', pattern: /\bmc\b[^\n;&|]*?\s(?:rm|rb|admin\s+user\s+(?:remove|rm|disable))\b/, step: DestroyStep.DESTROY },
  { name: 'vault lease revoke', pattern: /\bvault\b[^\n;&|]*?\slease\s+revoke\b/ },
  { name: 'vault delete / disable', pattern: /\bvault\b[^\n;&|]*?\s(?:delete|secrets\s+disable|auth\s+disable)\b/, step: DestroyStep.DISABLE },
  { name: 'vault delete / disable', pattern: /\bvault\b[^\n;&|]*?\stoken\s+revoke\b/ },
]);

/** One regular expression matching any destroying command of a V13 step. */
export function destroyStepPattern(step: DestroyStep): RegExp {
  return new RegExp(DESTROYING_COMMANDS.filter(c => c.step === step).map(c => c.pattern.source).join('|'));
}

/** A `run:` script with continued lines joined. */
export function joinedScript(run: unknown): string {
  return typeof run === 'string' ? run.replace(/\\\r?\n\s*/g, ' ') : '';
}

/** GitHub environments that gate a destroy by default: the approval environments and the preview cleanup's. */
export const DEFAULT_DESTROY_GATES: readonly string[] = Object.freeze([...DEFAULT_APPROVAL_ENVIRONMENTS, 'preview-cleanup']);

/** Distinct approval environments a destroying job needs by default, per workflow file; files not listed need one. */
const DEFAULT_MINIMUM_APPROVALS: { readonly [file: string]: number } = Object.freeze({ 'decommission.yml': 2 });

/** Job conditions that make a job run even when a job it needs failed or was rejected. */
const BYPASSING_CONDITION = /\b(?:always|failure|cancelled)\s*\(/;

/** What W01 needs to know besides the workflows. */
export interface DestroyGateSettings {
  readonly approvalEnvironments: readonly string[];
  readonly minimumApprovals: { readonly [file: string]: number };
}

/** The destroying commands (names, DESTROYING_COMMANDS) a job's scripts run: W01 gates these jobs, W11 isolates them. */
export function destroyingCommands(job: any): string[] {
  const found = new Set<string>();
  for (const step of list(job?.steps)) {
    const script = joinedScript(step?.run);
    for (const c of DESTROYING_COMMANDS) if (c.pattern.test(script)) found.add(c.name);
  }
  return [...found];
}

function walk(id: string, jobs: { [id: string]: any }, seen: Set<string>, visit: (id: string, job: any) => void): void {
  if (seen.has(id) || !jobs[id]) return;
  seen.add(id);
  const job = jobs[id];
  visit(id, job);
  const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
  for (const n of needs) walk(String(n), jobs, seen, visit);
}

/** An environment given by name; one given by an expression could be anything at run time and does not count. */
function literalEnvironment(env: unknown): string | undefined {
  const name = typeof env === 'string' ? env : env && typeof env === 'object' ? (env as { name?: unknown }).name : undefined;
  return typeof name === 'string' && !name.includes('${{') ? name : undefined;
}

/** The jobs of a workflow, or a report that it has none. */
function jobsOf(w: WorkflowDocument, report: Report): { [id: string]: any } | undefined {
  const jobs = w.doc?.jobs;
  if (!jobs || typeof jobs !== 'object' || Array.isArray(jobs)) {
    report('jobs', 'is missing: the workflow has no jobs', w.doc?.jobs, 'generate the workflow with renderWorkflows');
    return undefined;
  }
  return jobs;
}

/** W01 for one workflow file. */
export function checkGates(w: WorkflowDocument, settings: DestroyGateSettings, report: Report): void {
  const jobs = jobsOf(w, report);
  if (!jobs) return;
  const gates = new Set(settings.approvalEnvironments);
  const need = settings.minimumApprovals[w.file.split('/').pop()!] ?? 1;
  for (const [id, job] of entries(jobs)) {
    const destroys = destroyingCommands(job);
    if (destroys.length === 0) continue;
    const found = new Set<string>();
    const bypass: string[] = [];
    walk(id, jobs, new Set(), (jid, j) => {
      if (typeof j.if === 'string' && BYPASSING_CONDITION.test(j.if)) bypass.push(jid);
      const env = literalEnvironment(j.environment);
      if (env && gates.has(env) && !j['continue-on-error']) found.add(env);
    });
    if (bypass.length > 0) {
      report(`jobs.${id}`, `runs ${destroys.join(', ')} but jobs ${bypass.join(', ')} run even after a failed or rejected approval (if: always()/failure()/cancelled())`, bypass, 'remove that condition');
    } else if (found.size < need) {
      const have = found.size === 0 ? 'no approval environment' : `only ${[...found].join(', ')}`;
      report(`jobs.${id}`, `runs ${destroys.join(', ')} gated by ${have}`, [...found], `it needs ${need} of ${[...gates].join(', ')} in its environment or in jobs it needs`);
    }
  }
}

/** W02 for one workflow file. */
export function checkInjection(w: WorkflowDocument, report: Report): void {
  const jobs = jobsOf(w, report);
  if (!jobs) return;
  for (const [id, job] of entries(jobs)) {
    list(job?.steps).forEach((step: any, i: number) => {
      if (typeof step?.run === 'string' && step.run.includes('${{')) {
        report(`jobs.${id}.steps[${i}] (${step.name ?? 'unnamed'})`, 'interpolates a GitHub expression into run', step.run, 'pass the value through env and use "$VAR"');
      }
    });
  }
}

const W01 = rule<WorkflowDocument>({
  id: 'W01',
  severity: PolicySeverity.ERROR,
  title: 'Every job that destroys or revokes something is gated by approval environments (two for decommissioning)',
  description: 'A terraform destroy, helm uninstall, kubectl delete or Vault revocation must run only after the GitHub environments whose reviewers approve it, in the job or in the jobs it needs; a job that runs after a rejected approval (always(), failure(), cancelled()) or an approval that may fail (continue-on-error) does not count.',
  targets: [PolicyTarget.WORKFLOW],
  references: [ref('Spec', '§8 Environment Decommissioning: two-step approval'), ref('GitHub', 'Environments: required reviewers')],
  subjects: ctx => [...ctx.workflows],
  where: w => ({ resource: w.file, file: w.file }),
  check: (w, report, ctx) => checkGates(w, { approvalEnvironments: ctx.approvalEnvironments, minimumApprovals: DEFAULT_MINIMUM_APPROVALS }, report),
});

const W02 = rule<WorkflowDocument>({
  id: 'W02',
  severity: PolicySeverity.ERROR,
  title: 'No run script interpolates a GitHub expression',
  description: 'Expressions are expanded into the script text before the shell runs, so a branch name or a dispatch payload could inject commands; values arrive through env instead.',
  targets: [PolicyTarget.WORKFLOW],
  references: [ref('GitHub', 'Security hardening for GitHub Actions: script injections')],
  subjects: ctx => [...ctx.workflows],
  where: w => ({ resource: w.file, file: w.file }),
  check: (w, report) => checkInjection(w, report),
});

/** W01, W02. */
export const WORKFLOW_GATE_RULES: PolicyRule[] = [W01, W02];

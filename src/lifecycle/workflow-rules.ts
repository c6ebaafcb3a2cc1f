import { DEFAULT_APPROVAL_ENVIRONMENTS } from '../model/names';
import { parseYaml } from '../output/yaml';

/** Options of `checkDestroyGates`. */
export interface DestroyGateOptions {
  /**
   * GitHub environments that count as approval gates. Only literal names count: an environment given by an
   * expression could be anything at run time.
   * @default ['decommission-approval-1', 'decommission-approval-2', 'preview-cleanup']
   */
  readonly approvalEnvironments?: string[];
  /**
   * Distinct approval environments a destroying job needs, per workflow file; files not listed need one.
   * @default { 'decommission.yml': 2 }
   */
  readonly minimumApprovals?: { [fileName: string]: number };
}

/**
 * Commands that destroy or revoke something. Continued lines are joined first, so `terraform \` + newline +
 * `  destroy` is caught too. Conservative on purpose: `echo terraform destroy` also counts.
 */
export const DESTROYING_COMMANDS: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = Object.freeze([
  { name: 'terraform destroy', pattern: /\bterraform\b[^\n;&|]*?\s(?:destroy\b|apply\b[^\n;&|]*\s-destroy\b)/ },
  { name: 'helm uninstall', pattern: /\bhelm\b[^\n;&|]*?\s(?:uninstall|delete|del)\b/ },
  { name: 'kubectl delete', pattern: /\bkubectl\b[^\n;&|]*?\sdelete\b/ },
  { name: 'vault lease revoke', pattern: /\bvault\b[^\n;&|]*?\slease\s+revoke\b/ },
  { name: 'vault delete / disable', pattern: /\bvault\b[^\n;&|]*?\s(?:delete|secrets\s+disable|auth\s+disable|token\s+revoke)\b/ },
]);

/** Job conditions that make a job run even when a job it needs failed or was rejected. */
const BYPASSING_CONDITION = /\b(?:always|failure|cancelled)\s*\(/;

interface Job {
  readonly 'needs'?: string | string[];
  readonly 'environment'?: string | { name?: string };
  readonly 'if'?: string | boolean;
  readonly 'continue-on-error'?: boolean | string;
  readonly 'steps'?: Array<{ run?: string; name?: string }>;
}

/**
 * Rule: every job that destroys something (see DESTROYING_COMMANDS) must be gated by approval environments,
 * in its own `environment:` or in jobs it needs, directly or transitively. A gate does not count when the
 * destroying job or any job on the way has an `if:` with `always()`, `failure()` or `cancelled()` (it would run
 * after a rejected approval), or when the approval job has `continue-on-error`.
 *
 * Returns one problem per offending job as `<file>: jobs.<id>: <what>; <fix>`; an empty list means every gate holds.
 * Unparseable workflows are reported too.
 */
export function checkDestroyGates(workflows: { [fileName: string]: string }, options: DestroyGateOptions = {}): string[] {
  const gates = new Set(options.approvalEnvironments ?? [...DEFAULT_APPROVAL_ENVIRONMENTS, 'preview-cleanup']);
  const minimum = options.minimumApprovals ?? { 'decommission.yml': 2 };
  const problems: string[] = [];
  for (const file of Object.keys(workflows).sort()) {
    const jobs = jobsOf(file, workflows[file], problems);
    if (!jobs) continue;
    for (const [id, job] of Object.entries(jobs)) {
      const destroys = destroyingCommands(job);
      if (destroys.length === 0) continue;
      const need = minimum[file] ?? 1;
      const found = new Set<string>();
      const bypass: string[] = [];
      walk(id, jobs, new Set(), (jid, j) => {
        if (conditionBypasses(j.if)) bypass.push(jid);
        const env = literalEnvironment(j.environment);
        if (env && gates.has(env) && !j['continue-on-error']) found.add(env);
      });
      if (bypass.length > 0) {
        problems.push(`${file}: jobs.${id}: runs ${destroys.join(', ')} but jobs ${bypass.join(', ')} run even after a failed or rejected approval (if: always()/failure()/cancelled()); remove that condition`);
      } else if (found.size < need) {
        const have = found.size === 0 ? 'no approval environment' : `only ${[...found].join(', ')}`;
        problems.push(`${file}: jobs.${id}: runs ${destroys.join(', ')} gated by ${have}; it needs ${need} of ${[...gates].join(', ')} in its environment or in jobs it needs`);
      }
    }
  }
  return problems;
}

/**
 * Rule: no `run:` script contains a GitHub expression (`${{ ... }}`). Expressions are expanded into the script
 * text before the shell runs, so a branch name or a dispatch payload could inject commands; pass values through
 * `env:` instead. Returns one problem per offending step.
 */
export function checkScriptInjection(workflows: { [fileName: string]: string }): string[] {
  const problems: string[] = [];
  for (const file of Object.keys(workflows).sort()) {
    const jobs = jobsOf(file, workflows[file], problems);
    if (!jobs) continue;
    for (const [id, job] of Object.entries(jobs)) {
      (job.steps ?? []).forEach((step, i) => {
        if (typeof step.run === 'string' && step.run.includes('${{')) {
          problems.push(`${file}: jobs.${id}.steps[${i}] (${step.name ?? 'unnamed'}): interpolates a GitHub expression into run; pass the value through env and use "$VAR"`);
        }
      });
    }
  }
  return problems;
}

function jobsOf(file: string, text: string, problems: string[]): { [id: string]: Job } | undefined {
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (e) {
    problems.push(`${file}: is not valid YAML (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || !doc.jobs || typeof doc.jobs !== 'object') {
    problems.push(`${file}: has no jobs`);
    return undefined;
  }
  return doc.jobs;
}

function destroyingCommands(job: Job): string[] {
  const found = new Set<string>();
  for (const step of job.steps ?? []) {
    if (typeof step.run !== 'string') continue;
    const script = step.run.replace(/\\\r?\n\s*/g, ' ');
    for (const c of DESTROYING_COMMANDS) if (c.pattern.test(script)) found.add(c.name);
  }
  return [...found];
}

function walk(id: string, jobs: { [id: string]: Job }, seen: Set<string>, visit: (id: string, job: Job) => void): void {
  if (seen.has(id) || !jobs[id]) return;
  seen.add(id);
  const job = jobs[id];
  visit(id, job);
  const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
  for (const n of needs) walk(n, jobs, seen, visit);
}

function literalEnvironment(env: Job['environment']): string | undefined {
  const name = typeof env === 'string' ? env : env && typeof env === 'object' ? env.name : undefined;
  return typeof name === 'string' && !name.includes('${{') ? name : undefined;
}

function conditionBypasses(condition: Job['if']): boolean {
  return typeof condition === 'string' && BYPASSING_CONDITION.test(condition);
}

/**
 * W11 over the generated CI workflows (issue 21 item 4: "destroy cannot be cancelled by a later provision"). GitHub
 * keeps at most one pending run or job per concurrency group and cancels the older pending one when another is
 * queued, whatever `cancel-in-progress` says; so a destroy that shares a group with a provision is cancelled by a
 * provision queued behind it, and what it should have removed is left behind. For every job that destroys (the
 * commands W01 gates, `DESTROYING_COMMANDS`):
 *
 * - it has a concurrency group (workflow or job level), and none with `cancel-in-progress` other than `false`;
 * - no other job of any generated workflow has a group that may equal one of its groups (`${{ … }}` expressions are
 *   wildcards: two groups may coincide when some name matches both), except the workflow-level group of its own
 *   workflow (another run of the same workflow) and the groups of the other destroying jobs of that workflow;
 * - its workflow is not triggered by `pull_request` or `pull_request_target` (a pull request's YAML or code would run
 *   with the destroy's credentials);
 * - each Vault JWT role it logs in with (`hashicorp/vault-action`), when the output defines that role, is bound to
 *   one branch (`ref` claim `refs/heads/<branch>`, no wildcard) and to the job's GitHub environment. W07 checks only
 *   the Terraform variables of these jobs; the binding to the repository is checked where the roles are made
 *   (test/platform/ci-wiring.test.ts).
 */
import { entries, list } from './common';
import { destroyingCommands, joinedScript } from './workflow-gates';
import { TerraformStackDocument, WorkflowDocument } from '../contents';
import { PolicyContext, PolicyRule, ref, Report, rule } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

/** A job of a generated workflow. */
interface JobRef {
  readonly workflow: WorkflowDocument;
  readonly id: string;
  readonly job: any;
}

/** A concurrency group a job is queued in. */
interface Group {
  readonly name: string;
  readonly level: 'workflow' | 'job';
  readonly cancelInProgress: unknown;
}

/** What a job that does not destroy does, for the message: the first provisioning command it runs, if any. */
const PROVISIONING: Array<[string, RegExp]> = [
  ['terraform apply', /\bterraform\b[^\n;&|]*?\sapply\b/],
  ['terraform plan', /\bterraform\b[^\n;&|]*?\splan\b/],
  ['helm install / upgrade', /\bhelm\b[^\n;&|]*?\s(?:install|upgrade)\b/],
  ['kubectl apply / create', /\bkubectl\b[^\n;&|]*?\s(?:apply|create)\b/],
];

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];
const VAULT_ACTION = /^hashicorp\/vault-action@/;

function groupOf(concurrency: unknown, level: 'workflow' | 'job'): Group | undefined {
  if (typeof concurrency === 'string') return { name: concurrency, level, cancelInProgress: undefined };
  if (concurrency && typeof concurrency === 'object' && typeof (concurrency as any).group === 'string') {
    return { name: (concurrency as any).group, level, cancelInProgress: (concurrency as any)['cancel-in-progress'] };
  }
  return undefined;
}

function groupsOf(j: JobRef, levels: Array<'workflow' | 'job'> = ['workflow', 'job']): Group[] {
  const out: Group[] = [];
  if (levels.includes('workflow')) out.push(...[groupOf(j.workflow.doc?.concurrency, 'workflow')].filter((g): g is Group => g !== undefined));
  if (levels.includes('job')) out.push(...[groupOf(j.job?.concurrency, 'job')].filter((g): g is Group => g !== undefined));
  return out;
}

/** A group name as a pattern: each `${{ … }}` expression is a wildcard (null), the rest literal characters. */
type Pattern = Array<string | null>;

function pattern(group: string): Pattern {
  const out: Pattern = [];
  // Group names are compared case-insensitively, to be safe.
  for (const part of group.toLowerCase().split(/(\$\{\{[\s\S]*?\}\})/)) {
    if (part.startsWith('${{')) out.push(null);
    else out.push(...part.split(''));
  }
  return out;
}

/**
 * True if some name matches both patterns (their languages intersect): the usual dynamic programme over two glob
 * patterns whose only wildcard matches any string. Written here because no maintained library intersects two
 * patterns (minimatch and picomatch match a pattern against a string).
 */
export function groupsMayCoincide(a: string, b: string): boolean {
  const p = pattern(a);
  const q = pattern(b);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === p.length && j === q.length) r = true;
    else if (i < p.length && p[i] === null) r = go(i + 1, j) || (j < q.length && go(i, j + 1));
    else if (j < q.length && q[j] === null) r = go(i, j + 1) || (i < p.length && go(i + 1, j));
    else r = i < p.length && j < q.length && p[i] === q[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function jobsOf(ctx: PolicyContext): JobRef[] {
  return ctx.workflows.flatMap(w => entries(w.doc?.jobs ?? {}).map(([id, job]) => ({ workflow: w, id, job })));
}

const name = (j: JobRef) => `${j.workflow.file} job ${j.id}`;

function activity(j: JobRef): string {
  const scripts = list(j.job?.steps).map((s: any) => joinedScript(s?.run)).join('\n');
  const found = PROVISIONING.find(([, re]) => re.test(scripts));
  return found ? `it runs ${found[0]}` : 'a job that does not destroy';
}

/** The events that trigger a workflow (`on:` as a string, a list or a map). */
function triggers(doc: any): string[] {
  const on = doc?.on ?? doc?.true;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === 'object' ? Object.keys(on) : [];
}

/** `${{ inputs.<name> }}` in a value, replaced by each option of a `workflow_dispatch` choice input. */
function expand(value: string, doc: any): string[] {
  let out = [value];
  const inputs = doc?.on?.workflow_dispatch?.inputs ?? {};
  for (const [input, spec] of entries(inputs)) {
    const options = Array.isArray(spec?.options) ? spec.options.map(String) : undefined;
    const source = `\\$\\{\\{\\s*inputs\\.${input.replace(/[^A-Za-z0-9_-]/g, '')}\\s*\\}\\}`;
    if (!options) continue;
    out = out.flatMap(v => (new RegExp(source).test(v) ? options.map((o: string) => v.replace(new RegExp(source, 'g'), o)) : [v]));
  }
  return out;
}

function literalEnvironment(env: unknown): string | undefined {
  const n = typeof env === 'string' ? env : env && typeof env === 'object' ? (env as { name?: unknown }).name : undefined;
  return typeof n === 'string' && !n.includes('${{') ? n : undefined;
}

/** The JWT roles the output defines on auth mount `mount`, each with its stack. */
/** A JWT role of a stack. */
interface StackRole {
  readonly stack: TerraformStackDocument;
  readonly role: any;
}

function rolesOnMount(stacks: readonly TerraformStackDocument[], mount: string): StackRole[] {
  const roles: StackRole[] = [];
  for (const stack of stacks) {
    const backends = entries(stack.json?.resource?.vault_jwt_auth_backend ?? {}).filter(([, b]) => (b?.path ?? 'jwt') === mount).map(([id]) => id);
    if (backends.length === 0) continue;
    for (const [, role] of entries(stack.json?.resource?.vault_jwt_auth_backend_role ?? {})) {
      const backend = /^\$\{vault_jwt_auth_backend\.([^.]+)\.path\}$/.exec(String(role?.backend ?? ''))?.[1];
      if ((backend !== undefined && backends.includes(backend)) || role?.backend === mount) roles.push({ stack, role });
    }
  }
  return roles;
}

function checkGroups(d: JobRef, commands: string[], report: Report, ctx: PolicyContext): void {
  const own = groupsOf(d);
  if (own.length === 0) {
    report(`jobs.${d.id}.concurrency`, `is missing: ${name(d)} runs ${commands.join(', ')} in no concurrency group, so two runs of it may destroy the same target at once`, undefined,
      'give the job or its workflow a group of its own, e.g. inopsio-decommission-${{ inputs.environment }}, with cancel-in-progress: false');
    return;
  }
  for (const g of own) {
    if (g.cancelInProgress !== undefined && g.cancelInProgress !== false) {
      report(`${g.level === 'job' ? `jobs.${d.id}.` : ''}concurrency.cancel-in-progress`,
        `is not false: a later run of group "${g.name}" cancels ${name(d)} while it runs ${commands.join(', ')}`, g.cancelInProgress,
        'set cancel-in-progress: false (a destroy cancelled midway leaves half of its target behind)');
    }
  }
  for (const x of jobsOf(ctx)) {
    if (x.workflow === d.workflow && x.id === d.id) continue;
    const same = x.workflow === d.workflow;
    if (same && destroyingCommands(x.job).length > 0) continue;
    // Another run of the same workflow shares its workflow-level group: that is the same destroy, queued again.
    for (const h of groupsOf(x, same ? ['job'] : ['workflow', 'job'])) {
      const g = own.find(o => groupsMayCoincide(o.name, h.name));
      if (!g) continue;
      report(`${g.level === 'job' ? `jobs.${d.id}.` : ''}concurrency.group`,
        `may equal the ${h.level}-level group "${h.name}" of ${x.workflow.file} job ${x.id} (${activity(x)}): ${name(d)} runs ${commands.join(', ')}, and GitHub cancels a pending run or job of a group when another is queued, whatever cancel-in-progress says, so a later ${x.id} cancels a pending destroy`,
        g.name,
        'give destroying jobs a group prefix that no other job can have (e.g. inopsio-decommission-<env>, inopsio-destroy-<env>) and let Terraform wait for the state lock (-lock-timeout)');
      break;
    }
  }
}

function checkTriggers(d: JobRef, commands: string[], report: Report): void {
  for (const event of triggers(d.workflow.doc).filter(t => PULL_REQUEST_EVENTS.includes(t))) {
    const token = d.job?.permissions?.['id-token'] === 'write' ? ' with id-token: write' : '';
    report(`on.${event}`, `triggers ${name(d)}, which runs ${commands.join(', ')}${token}: a pull request's ${event === 'pull_request' ? 'YAML' : 'code'} would run with the destroy's credentials`, event,
      'destroy from schedule or workflow_dispatch on the default branch only (the hourly cleanup finds the preview of a closed pull request)');
  }
}

function checkVaultRoles(d: JobRef, report: Report, ctx: PolicyContext): void {
  const jobEnv = literalEnvironment(d.job?.environment);
  list(d.job?.steps).forEach((step: any, i: number) => {
    if (!VAULT_ACTION.test(String(step?.uses ?? ''))) return;
    const field = `jobs.${d.id}.steps[${i}] (${step?.name ?? 'unnamed'})`;
    const roles = expand(String(step?.with?.role ?? ''), d.workflow.doc);
    const mounts = expand(String(step?.with?.path ?? 'jwt'), d.workflow.doc);
    if (roles.length !== mounts.length) return;
    roles.forEach((roleName, k) => {
      const mount = mounts[k];
      if (roleName.includes('${{') || mount.includes('${{')) {
        report(field, `logs in with Vault role "${roleName}" on auth/${mount}, chosen at run time, so nothing shows what ${name(d)} may log in as`, roleName,
          'name the role, or choose it from a workflow_dispatch choice input');
        return;
      }
      // A role the output does not define is a wiring problem of its own, not this rule's: only bindings are checked.
      const found = rolesOnMount(ctx.stacks, mount).filter(r => r.role?.role_name === roleName);
      for (const { stack, role } of found) {
        const claims = role?.bound_claims ?? {};
        const refClaim = claims.ref;
        if (typeof refClaim !== 'string' || !/^refs\/heads\/[^*?[\]]+$/.test(refClaim)) {
          report(field, `logs in with Vault role "${roleName}" (${stack.file}), which is bound to ref ${JSON.stringify(refClaim)}, not to one branch: a run of ${name(d)} from another branch or a pull request gets the destroy's token`, refClaim,
            'bind the role\'s ref claim to the default branch, refs/heads/<branch> (src/model/ci-access.ts)');
        }
        if (jobEnv === undefined) {
          report(field, `logs in with Vault role "${roleName}" (${stack.file}), but ${name(d)} names no GitHub environment, so the role cannot be bound to one`, d.job?.environment,
            'run the job in a GitHub environment limited to the default branch and bind the role\'s environment claim to it');
        } else if (claims.environment !== jobEnv) {
          report(field, `logs in with Vault role "${roleName}" (${stack.file}), which is bound to GitHub environment ${JSON.stringify(claims.environment)}, not ${JSON.stringify(jobEnv)} that ${name(d)} runs in`, claims.environment,
            `bind the role's environment claim to "${jobEnv}"`);
        }
      }
    });
  });
}

const W11 = rule<JobRef & { commands: string[] }>({
  id: 'W11',
  severity: PolicySeverity.ERROR,
  title: 'A destroying job cannot be cancelled by a later provision, runs on no pull request event, and logs in with a Vault role bound to one branch and its environment',
  description: 'Every job that destroys (the commands W01 gates) has a concurrency group, none with cancel-in-progress other than false, and no other job of any generated workflow has a group that may equal it (expressions are wildcards): GitHub cancels a pending run or job of a group when another is queued. Its workflow has no pull_request or pull_request_target trigger, and each Vault JWT role it logs in with (when the output defines it) is bound to refs/heads/<branch> and to the job\'s GitHub environment. The message names both jobs, or the job and the role.',
  targets: [PolicyTarget.WORKFLOW, PolicyTarget.TERRAFORM],
  references: [ref('GitHub', 'Control the concurrency of workflows and jobs: pending runs are cancelled'), ref('GitHub', 'OpenID Connect: environment and ref claims'), ref('Spec', '§8 Environment Decommissioning')],
  subjects: ctx => jobsOf(ctx).map(j => ({ ...j, commands: destroyingCommands(j.job) })).filter(j => j.commands.length > 0),
  where: j => ({ resource: `${j.workflow.file}#jobs.${j.id}`, file: j.workflow.file }),
  check: (j, report, ctx) => {
    checkGroups(j, j.commands, report, ctx);
    checkTriggers(j, j.commands, report);
    checkVaultRoles(j, report, ctx);
  },
});

/** W11. */
export const WORKFLOW_CONCURRENCY_RULES: PolicyRule[] = [W11];

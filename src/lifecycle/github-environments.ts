import { planEnvironmentName, renderWorkflows, WorkflowOptions } from './workflows';
import { Environment } from '../model/environment';
import { LifecycleKind } from '../model/environment-class';
import { GitHubEnvironmentsPlan, GitHubEnvironmentsProps, GitHubEnvironmentSpec, GitHubReviewersProps } from '../model/github-environments';
import { LifecycleNames } from '../model/names';
import { Problems } from '../model/problems';
import { parseYaml } from '../output/yaml';

// The types live in the model (both engines use them); re-exported for the lifecycle's callers.
export type { GitHubEnvironmentsPlan, GitHubEnvironmentsProps, GitHubEnvironmentSpec, GitHubReviewersProps } from '../model/github-environments';

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const USER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;

/** The literal `environment:` names of every job of the rendered workflows, sorted. */
export function workflowEnvironmentNames(workflows: { [fileName: string]: string }): string[] {
  const names = new Set<string>();
  for (const text of Object.values(workflows)) {
    const doc: any = parseYaml(text);
    for (const job of Object.values(doc?.jobs ?? {}) as any[]) {
      const env = typeof job?.environment === 'string' ? job.environment : job?.environment?.name;
      if (typeof env === 'string' && !env.includes('${{')) names.add(env);
    }
  }
  return [...names].sort();
}

/**
 * Every GitHub environment the workflows of `environments` use, with its protection: the approval environments need
 * their reviewers (never the person who started the run); production environments need the production approvers;
 * every environment but the pull-request preview deploys from the default branch only. The unattended preview
 * cleanup has no reviewers (it runs hourly), only the branch rule. Throws, listing every problem, when reviewers are
 * missing or malformed.
 */
export function planGitHubEnvironments(
  environments: Environment[], workflowOptions: WorkflowOptions, props: GitHubEnvironmentsProps,
): GitHubEnvironmentsPlan {
  const problems = new Problems('github');
  const p = props ?? ({} as GitHubEnvironmentsProps);
  if (typeof p.owner !== 'string' || !SLUG.test(p.owner)) problems.add('owner', 'is not a GitHub organization name', p.owner, 'write the owner of the repository, e.g. "inopsio"');
  if (typeof p.repository !== 'string' || !SLUG.test(p.repository)) problems.add('repository', 'is not a repository name', p.repository, 'write the repository name without the owner, e.g. "platform"');
  const branch = p.defaultBranch ?? 'main';
  if (!BRANCH.test(branch) || branch.includes('..')) problems.add('defaultBranch', 'is not a branch name', branch, 'write e.g. "main"');
  const reviewers = (field: string, r: GitHubReviewersProps | undefined) => {
    const teams = [...new Set(r?.teams ?? [])].sort();
    const users = [...new Set(r?.users ?? [])].sort();
    teams.forEach((t, i) => { if (!SLUG.test(t)) problems.add(`${field}.teams[${i}]`, 'is not a team slug', t, 'write the slug, e.g. "platform-leads"'); });
    users.forEach((u, i) => { if (!USER.test(u)) problems.add(`${field}.users[${i}]`, 'is not a GitHub user name', u, 'write the login, e.g. "dana"'); });
    if (teams.length + users.length === 0) problems.add(field, 'names no reviewer', r, 'name at least one team or user: without reviewers the gate is not a gate');
    if (teams.length + users.length > 6) problems.add(field, 'names more than 6 reviewers (GitHub\'s limit per environment)', teams.length + users.length, 'use a team instead of many users');
    return { teams, users };
  };
  const first = reviewers('firstApprovers', p.firstApprovers);
  const second = reviewers('secondApprovers', p.secondApprovers);
  const production = p.productionApprovers ? reviewers('productionApprovers', p.productionApprovers) : first;
  if (first.teams.length + first.users.length > 0 && JSON.stringify(first) === JSON.stringify(second)) {
    problems.add('secondApprovers', 'are the same reviewers as firstApprovers', second, 'give the second approval to other people (two-person rule, spec §8)');
  }
  problems.throwIfAny();

  const names = LifecycleNames.of(workflowOptions);
  const [approval1, approval2] = names.approvalEnvironments;
  const preview = workflowOptions.previewEnvironment ?? 'preview';
  const cleanup = workflowOptions.previewCleanupEnvironment ?? 'preview-cleanup';
  const decommission = workflowOptions.decommissionEnvironment ?? 'decommission';
  const permanent = new Set(environments.filter(e => e.environmentClass.lifecycle === LifecycleKind.PERMANENT).map(e => e.name));
  const used = workflowEnvironmentNames(renderWorkflows(environments, workflowOptions));
  const specs = used.map((name): GitHubEnvironmentSpec => {
    const base = { name, preventSelfReview: true, branches: [branch] };
    if (name === approval1) return { ...base, purpose: 'First decommission approval', ...first };
    if (name === approval2) return { ...base, purpose: 'Second decommission approval', ...second };
    if (permanent.has(name)) return { ...base, purpose: `Deployments to production environment ${name}`, ...production };
    // No reviewers on the plan: the production environment's reviewers approve the apply, after the plan is shown.
    const planned = [...permanent].find(e => planEnvironmentName(e) === name);
    if (planned) return { ...base, purpose: `Plans of production environment ${planned} (its reviewers approve the apply after the plan)`, teams: [], users: [], preventSelfReview: false };
    if (name === preview) return { ...base, purpose: 'Preview provisioning from pull requests (Terraform token limited to preview workspaces)', teams: [], users: [], preventSelfReview: false, branches: [] };
    if (name === cleanup) return { ...base, purpose: 'Unattended cleanup of expired previews (default branch only)', teams: [], users: [], preventSelfReview: false };
    if (name === decommission) return { ...base, purpose: 'Credentials of the decommission jobs, after both approvals (default branch only)', teams: [], users: [], preventSelfReview: false };
    return { ...base, purpose: `Deployments to environment ${name} (default branch only)`, teams: [], users: [], preventSelfReview: false };
  });
  return {
    owner: p.owner,
    repository: p.repository,
    workspace: p.workspace ?? 'inopsio-github-environments',
    terraformOrganization: p.terraformOrganization ?? 'inopsio',
    environments: specs,
  };
}

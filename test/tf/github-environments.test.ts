import { Testing } from 'cdktf';
import { devEnv, prodEnv, stagingEnv } from './fixtures';
import { planGitHubEnvironments, workflowEnvironmentNames } from '../../src/lifecycle/github-environments';
import { renderWorkflows } from '../../src/lifecycle/workflows';
import { GitHubEnvironmentsStack } from '../../src/tf/github-environments';

const PROPS = { owner: 'inopsio', repository: 'platform', firstApprovers: { teams: ['platform-leads'] }, secondApprovers: { teams: ['security'], users: ['dana'] } };
const envs = () => [devEnv(), stagingEnv(), prodEnv()];

describe('planGitHubEnvironments', () => {
  test('one environment per name the workflows use, with the protection its role needs', () => {
    const plan = planGitHubEnvironments(envs(), {}, PROPS);
    const byName = Object.fromEntries(plan.environments.map(e => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(workflowEnvironmentNames(renderWorkflows(envs(), {})));
    expect(Object.keys(byName).sort()).toEqual(['decommission', 'decommission-approval-1', 'decommission-approval-2', 'dev', 'preview', 'preview-cleanup', 'prod', 'prod-plan', 'staging']);
    expect(byName['decommission-approval-1']).toMatchObject({ teams: ['platform-leads'], users: [], preventSelfReview: true, branches: ['main'] });
    expect(byName['decommission-approval-2']).toMatchObject({ teams: ['security'], users: ['dana'], preventSelfReview: true, branches: ['main'] });
    // Production deploys need the first approvers by default; staging and the credential environments the branch rule.
    expect(byName.prod).toMatchObject({ teams: ['platform-leads'], preventSelfReview: true, branches: ['main'] });
    // The production plan (issue 21 item 3) needs no reviewers: prod's reviewers approve the apply after the plan.
    expect(byName['prod-plan']).toMatchObject({ teams: [], users: [], branches: ['main'], purpose: 'Plans of production environment prod (its reviewers approve the apply after the plan)' });
    // dev (reusable) too: tenant-upgrade.yml applies it (issue 24), from the default branch only, without reviewers.
    for (const name of ['dev', 'staging', 'decommission', 'preview-cleanup']) expect(byName[name]).toMatchObject({ teams: [], users: [], branches: ['main'] });
    // Pull-request previews deploy from any branch.
    expect(byName.preview.branches).toEqual([]);
    expect(plan).toMatchObject({ workspace: 'inopsio-github-environments', terraformOrganization: 'inopsio' });
  });

  test('renamed approval environments and another default branch follow the workflow options', () => {
    const plan = planGitHubEnvironments(envs(), { approvalEnvironments: ['gate-a', 'gate-b'] }, { ...PROPS, defaultBranch: 'trunk' });
    const names = plan.environments.map(e => e.name);
    expect(names).toEqual(expect.arrayContaining(['gate-a', 'gate-b']));
    expect(names).not.toContain('decommission-approval-1');
    expect(plan.environments.find(e => e.name === 'gate-b')).toMatchObject({ teams: ['security'], branches: ['trunk'] });
  });

  test('refuses gates without reviewers, the same reviewers twice, and malformed names, listing every problem', () => {
    let message = '';
    try {
      planGitHubEnvironments(envs(), {}, { owner: 'in opsio', repository: 'platform', firstApprovers: {}, secondApprovers: { teams: ['bad team'] }, defaultBranch: '../x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('github: owner is not a GitHub organization name (got "in opsio")');
    expect(message).toContain('github: firstApprovers names no reviewer (got {}); name at least one team or user: without reviewers the gate is not a gate');
    expect(message).toContain('github: secondApprovers.teams[0] is not a team slug (got "bad team")');
    expect(message).toContain('github: defaultBranch is not a branch name (got "../x")');
    expect(() => planGitHubEnvironments(envs(), {}, { ...PROPS, secondApprovers: { teams: ['platform-leads'] } }))
      .toThrow('github: secondApprovers are the same reviewers as firstApprovers (got {"teams":["platform-leads"],"users":[]}); give the second approval to other people (two-person rule, spec §8)');
  });
});

describe('GitHubEnvironmentsStack', () => {
  const json = () => JSON.parse(Testing.synth(new GitHubEnvironmentsStack(Testing.app(), 'github-environments', { plan: planGitHubEnvironments(envs(), {}, PROPS) })));

  test('github_repository_environment with reviewers looked up by slug and login, no admin bypass, branch rules', () => {
    const tf = json();
    expect(tf.terraform.required_providers.github).toEqual({ source: 'integrations/github', version: '6.9.0' });
    expect(tf.provider.github).toEqual([{ owner: 'inopsio' }]);
    expect(tf.terraform.cloud).toEqual({ organization: 'inopsio', workspaces: { name: 'inopsio-github-environments' } });
    const approval2 = tf.resource.github_repository_environment['environment-decommission-approval-2'];
    expect(approval2).toEqual({
      repository: 'platform',
      environment: 'decommission-approval-2',
      can_admins_bypass: false,
      prevent_self_review: true,
      reviewers: [{ teams: ['${data.github_team.team-security.id}'], users: ['${data.github_user.user-dana.id}'] }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    expect(tf.data.github_team['team-security']).toEqual({ slug: 'security', summary_only: true });
    expect(tf.data.github_user['user-dana']).toEqual({ username: 'dana' });
    expect(tf.resource.github_repository_environment_deployment_policy['environment-decommission-approval-2-branch-main']).toEqual({
      repository: 'platform',
      environment: '${github_repository_environment.environment-decommission-approval-2.environment}',
      branch_pattern: 'main',
    });
    // The preview has neither reviewers nor a branch rule; every other environment has its branch rule.
    expect(tf.resource.github_repository_environment['environment-preview']).not.toHaveProperty('deployment_branch_policy');
    expect(Object.keys(tf.resource.github_repository_environment_deployment_policy)).toHaveLength(8);
    // One data source per team, however many environments name it.
    expect(Object.keys(tf.data.github_team).sort()).toEqual(['team-platform-leads', 'team-security']);
  });
});

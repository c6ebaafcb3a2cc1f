import * as dataGithubTeam from '@cdktf/provider-github/lib/data-github-team';
import * as dataGithubUser from '@cdktf/provider-github/lib/data-github-user';
import * as githubProvider from '@cdktf/provider-github/lib/provider';
import * as repositoryEnvironment from '@cdktf/provider-github/lib/repository-environment';
import * as deploymentPolicy from '@cdktf/provider-github/lib/repository-environment-deployment-policy';
import { CloudBackend, NamedCloudWorkspace, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { GitHubEnvironmentsPlan } from '../model/github-environments';

/** Inputs of a GitHubEnvironmentsStack. */
export interface GitHubEnvironmentsStackProps {
  /** The environments to create, from `planGitHubEnvironments` (the generated workflows' own list). */
  readonly plan: GitHubEnvironmentsPlan;
}

/**
 * The GitHub environments of the generated workflows (issue 23), in a Terraform stack of their own (workspace
 * `inopsio-github-environments` by default): one `github_repository_environment` per environment the workflows name, with its
 * required reviewers (team and user ids looked up by slug and login), `prevent_self_review`, no admin bypass, and a
 * deployment-branch rule (`github_repository_environment_deployment_policy`) limiting it to the default branch, except
 * the pull-request preview. The provider reads its token from `GITHUB_TOKEN` at run time (never from configuration);
 * it needs administration rights on the repository and read access to the organization's teams.
 */
export class GitHubEnvironmentsStack extends TerraformStack {
  /** The environments created, by name. */
  public readonly environments: { [name: string]: repositoryEnvironment.RepositoryEnvironment } = {};

  constructor(scope: Construct, id: string, props: GitHubEnvironmentsStackProps) {
    super(scope, id);
    const plan = props.plan;
    new CloudBackend(this, { organization: plan.terraformOrganization, workspaces: new NamedCloudWorkspace(plan.workspace) });
    this.addOverride('terraform.required_version', '>= 1.11.0');
    new githubProvider.GithubProvider(this, 'github', { owner: plan.owner });
    const teams = new Map<string, dataGithubTeam.DataGithubTeam>();
    const users = new Map<string, dataGithubUser.DataGithubUser>();
    const teamId = (slug: string) => {
      if (!teams.has(slug)) teams.set(slug, new dataGithubTeam.DataGithubTeam(this, `team-${slug}`, { slug, summaryOnly: true }));
      return Token.asNumber(teams.get(slug)!.id);
    };
    const userId = (login: string) => {
      if (!users.has(login)) users.set(login, new dataGithubUser.DataGithubUser(this, `user-${login}`, { username: login }));
      return Token.asNumber(users.get(login)!.id);
    };
    for (const spec of plan.environments) {
      const reviewed = spec.teams.length + spec.users.length > 0;
      const env = new repositoryEnvironment.RepositoryEnvironment(this, `environment-${spec.name}`, {
        repository: plan.repository,
        environment: spec.name,
        canAdminsBypass: false,
        preventSelfReview: spec.preventSelfReview,
        ...(reviewed ? { reviewers: [{ teams: spec.teams.map(teamId), users: spec.users.map(userId) }] } : {}),
        ...(spec.branches.length > 0 ? { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } } : {}),
      });
      spec.branches.forEach(branch => {
        new deploymentPolicy.RepositoryEnvironmentDeploymentPolicy(this, `environment-${spec.name}-branch-${branch.replace(/[^A-Za-z0-9_-]/g, '_')}`, {
          repository: plan.repository,
          environment: env.environment,
          branchPattern: branch,
        });
      });
      this.environments[spec.name] = env;
    }
  }
}

/**
 * The GitHub environments of the generated workflows (issue 23), as data: what the Platform is given and the checked
 * plan `planGitHubEnvironments` (src/lifecycle) makes of it, which `GitHubEnvironmentsStack` (src/tf) builds. Types
 * only, so that both engines can share them without importing each other's layer.
 */
/** GitHub teams and users who may approve a deployment to an environment. */
export interface GitHubReviewersProps {
  /**
   * Team slugs of the repository owner's organization, e.g. `platform-leads`.
   * @default - none
   */
  readonly teams?: string[];
  /**
   * GitHub user names.
   * @default - none
   */
  readonly users?: string[];
}

/**
 * The GitHub environments the generated workflows use, created by Terraform (`@cdktf/provider-github`) from the same
 * configuration, so that the approval gates exist whenever the workflows do (issue 23).
 */
export interface GitHubEnvironmentsProps {
  /** Owner (organization) of the repository that runs the workflows. */
  readonly owner: string;
  /** Name of that repository (without the owner). */
  readonly repository: string;
  /** Reviewers of the first decommission approval (`decommission-approval-1`). */
  readonly firstApprovers: GitHubReviewersProps;
  /** Reviewers of the second decommission approval (`decommission-approval-2`); give it other people than the first. */
  readonly secondApprovers: GitHubReviewersProps;
  /**
   * Reviewers of deployments to production (environments of permanent classes), e.g. the monthly tenant upgrade.
   * @default - the first approvers
   */
  readonly productionApprovers?: GitHubReviewersProps;
  /**
   * The branch that may deploy to every environment except previews (deployment-branch rule).
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * Terraform Cloud workspace of the GitHub environments stack.
   * @default 'inopsio-github-environments'
   */
  readonly workspace?: string;
  /**
   * Terraform Cloud organization of that workspace.
   * @default 'inopsio'
   */
  readonly terraformOrganization?: string;
}

/** One GitHub environment to create, its protection decided. */
export interface GitHubEnvironmentSpec {
  /** Environment name, as the workflows write it. */
  readonly name: string;
  /** Why it exists (for descriptions and docs). */
  readonly purpose: string;
  /** Team slugs whose members must approve; empty for none. */
  readonly teams: string[];
  /** User names who must approve; empty for none. */
  readonly users: string[];
  /** Whether the person who triggered a run may not approve it. */
  readonly preventSelfReview: boolean;
  /** Branches that may deploy (deployment-branch rule); empty means any branch (pull-request previews). */
  readonly branches: string[];
}

/** The GitHub environments, resolved and validated. */
export interface GitHubEnvironmentsPlan {
  readonly owner: string;
  readonly repository: string;
  readonly workspace: string;
  readonly terraformOrganization: string;
  readonly environments: GitHubEnvironmentSpec[];
}

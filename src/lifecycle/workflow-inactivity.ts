import { Environment } from '../model/environment';
import { LifecycleKind } from '../model/environment-class';

/** What the inactivity workflow takes from the other generated workflows (shared steps and settings). */
export interface InactivityWorkflowContext {
  /** Runner label. */
  readonly runsOn: string;
  /** The `inopsio-env` command. */
  readonly cli: string;
  /** Path of the lifecycle inventory the synth writes. */
  readonly inventory: string;
  /** Folder of the tenant registries (`tenants/<env>.json`). */
  readonly registryDirectory: string;
  /** Check out, set up Node.js, install, synthesize (the inventory). */
  readonly setupSteps: object[];
  /** `uses:` of the pinned create-pull-request action. */
  readonly createPullRequest: string;
  /** Daily schedule (cron, UTC). */
  readonly schedule: string;
}

/** The alert the workflow acts on (ObservabilityAlert.TENANT_INACTIVE). */
const INACTIVE_ALERT = 'InopsioTenantInactive';
/** The recorded last activity (ObservabilityMetric.TENANT_LAST_ACTIVITY). */
const LAST_ACTIVITY = 'inopsio_tenant_last_activity_timestamp_seconds';

/**
 * `tenant-inactivity.yml`: every day, for each long-lived environment with tenants, ask Prometheus which tenants
 * `InopsioTenantInactive` fires for and since when they were last active, run `inopsio-env tenant-suspend` for each
 * (the state machine checks the class's inactivity period again), and open one pull request per environment that
 * suspends them. Merging it is the approval; the apply of production runs behind its GitHub environment's reviewers.
 */
export function inactivityWorkflow(environments: Environment[], c: InactivityWorkflowContext): object {
  const envs = environments
    .filter(e => e.environmentClass.lifecycle !== LifecycleKind.EPHEMERAL && e.tenants.length > 0)
    .map(e => e.name);
  const script = [
    'now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    'query="max by (tenant) (' + LAST_ACTIVITY + '{env=\\"$ENV_NAME\\"} and on (env, namespace, tenant) ALERTS{alertname=\\"' + INACTIVE_ALERT + '\\", alertstate=\\"firing\\", env=\\"$ENV_NAME\\"})"',
    'curl -fsS --get "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$query" > "$RUNNER_TEMP/inactive.json"',
    'jq -r \'.data.result[] | [.metric.tenant, (.value[1] | tonumber | floor | todate)] | @tsv\' "$RUNNER_TEMP/inactive.json" > "$RUNNER_TEMP/inactive.tsv"',
    'registry="$REGISTRY_DIRECTORY/$ENV_NAME.json"',
    'suspended=()',
    'while IFS=$\'\\t\' read -r tenant last; do',
    `  ${c.cli} tenant-suspend --registry "$registry" --inventory "$INVENTORY" --at "$now" --last-activity "$last" "$tenant" >> "$RUNNER_TEMP/suspended.txt"`,
    '  suspended+=("$tenant")',
    'done < "$RUNNER_TEMP/inactive.tsv"',
    '{',
    '  echo "registry=$registry"',
    '  echo "count=${#suspended[@]}"',
    '  echo "tenants=${suspended[*]}"',
    '} >> "$GITHUB_OUTPUT"',
  ].join('\n') + '\n';
  return {
    name: 'tenant-inactivity',
    on: { schedule: [{ cron: c.schedule }], workflow_dispatch: {} },
    permissions: {},
    concurrency: { 'group': 'tenant-registry', 'cancel-in-progress': false },
    defaults: { run: { shell: 'bash' } },
    env: { INVENTORY: c.inventory, REGISTRY_DIRECTORY: c.registryDirectory },
    jobs: envs.length === 0
      ? { nothing: { 'runs-on': c.runsOn, 'permissions': {}, 'steps': [{ name: 'No long-lived environments with tenants', run: 'true\n' }] } }
      : {
        suspend: {
          'runs-on': c.runsOn,
          'permissions': { 'contents': 'write', 'pull-requests': 'write' },
          'timeout-minutes': 30,
          'strategy': { 'fail-fast': false, 'matrix': { environment: envs } },
          'env': { ENV_NAME: '${{ matrix.environment }}' },
          'steps': [
            ...c.setupSteps,
            {
              name: 'Suspend the tenants InopsioTenantInactive fires for (inopsio-env tenant-suspend, validated transitions)',
              id: 'suspend',
              env: { PROMETHEUS_URL: '${{ secrets.PROMETHEUS_URL }}' },
              run: script,
            },
            {
              name: 'Open the pull request that suspends them (merging is the approval; production applies behind its reviewers)',
              if: 'steps.suspend.outputs.count != \'0\'',
              uses: c.createPullRequest,
              with: {
                'branch': 'tenant-inactivity/${{ matrix.environment }}',
                'title': 'Suspend inactive tenants of ${{ matrix.environment }}: ${{ steps.suspend.outputs.tenants }}',
                'commit-message': 'Suspend inactive tenants of ${{ matrix.environment }}: ${{ steps.suspend.outputs.tenants }}',
                'body': 'InopsioTenantInactive fired for these tenants (no requests for the class\'s inactivity period). Each passed `inopsio-env tenant-suspend`. Merging suspends them at the next apply: every workload scaled to zero, CronJobs suspended, quota cut; data kept. Resume with `inopsio-env tenant-resume`.',
                'add-paths': '${{ steps.suspend.outputs.registry }}',
                'delete-branch': true,
              },
            },
          ],
        },
      },
  };
}

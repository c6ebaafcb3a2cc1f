import { ObservabilityAlert, ObservabilityMetric } from '../model/observability-api';

/**
 * The health check of spec §3.6 ("Verify Uptime via Prometheus alerts") as a step the provisioning workflows wait on.
 *
 * After Terraform applied an environment, its PrometheusRules are in the cluster, but Prometheus has not necessarily
 * loaded them, scraped the new pods or evaluated the alerts yet: "no alert is firing" alone would pass before
 * anything was checked. The script therefore waits for positive evidence:
 *
 * 1. the environment's inventory is loaded: `count(inopsio_tenant_info{env})` reaches the number of tenants the
 *    lifecycle inventory lists (so the rule files of this synth are in Prometheus);
 * 2. no health alert of the environment (`HEALTH_CHECK_ALERTS`) is active — neither firing nor pending (a pending
 *    alert is a condition that is true right now but has not lasted its `for:` yet) —
 * 3. for `HEALTH_STABLE_POLLS` polls in a row (at least two rule evaluations: a new tenant's missing targets show
 *    up one evaluation after its inventory series).
 *
 * A firing health alert fails the step at once; anything still unhealthy after `HEALTH_TIMEOUT_SECONDS` fails it
 * with what was seen last. Prometheus' HTTP API (`/api/v1/query`, `/api/v1/alerts`) is read with curl and jq, which
 * GitHub's runners have; no Prometheus client library does this in a shell step.
 */

/** The alerts that say a tenant of a just-provisioned environment is not up (spec §3.6). */
export const HEALTH_CHECK_ALERTS: readonly string[] = Object.freeze([
  ObservabilityAlert.TENANT_TARGET_DOWN,
  ObservabilityAlert.TENANT_DOWN,
  ObservabilityAlert.TENANT_TARGETS_MISSING,
  ObservabilityAlert.INVENTORY_INCOMPLETE,
]);

/** Inputs of the health check script (environment variables), as documented in docs/lifecycle.md. */
export const HEALTH_CHECK_INPUTS = Object.freeze({
  /** Base URL of the Prometheus that scrapes the environment (`https://prometheus.example.com`); required. */
  PROMETHEUS_URL: 'PROMETHEUS_URL',
  /** Bearer token for that Prometheus; optional (sent as a header read from stdin, never on the command line). */
  PROMETHEUS_TOKEN: 'PROMETHEUS_TOKEN',
  /** The environment to check; required. */
  ENV_NAME: 'ENV_NAME',
  /** Only this tenant (and the environment-wide alerts); optional. */
  TENANT: 'TENANT',
  /** The lifecycle inventory (`dist/lifecycle.json`): how many tenants the environment has; required. */
  INVENTORY: 'INVENTORY',
});

/**
 * The bash script of the health check step. Inputs come from the environment only (`HEALTH_CHECK_INPUTS`, plus
 * `HEALTH_TIMEOUT_SECONDS` (default 900; a condition still true then fails the step, pending or firing),
 * `HEALTH_POLL_SECONDS` (15) and `HEALTH_STABLE_POLLS` (8)).
 */
export function healthCheckScript(): string {
  const alerts = `^(${HEALTH_CHECK_ALERTS.join('|')})$`;
  return `${[
    '# Health check (spec §3.6): wait until Prometheus reports the environment healthy; fail if a health alert fires.',
    'set -euo pipefail',
    ': "${PROMETHEUS_URL:?PROMETHEUS_URL is empty: set it in the GitHub environment to the Prometheus that scrapes this environment (docs/lifecycle.md)}"',
    ': "${ENV_NAME:?ENV_NAME is empty}"',
    ': "${INVENTORY:?INVENTORY is empty: the path of lifecycle.json}"',
    'timeout="${HEALTH_TIMEOUT_SECONDS:-900}"',
    'poll="${HEALTH_POLL_SECONDS:-15}"',
    'stable_polls="${HEALTH_STABLE_POLLS:-8}"',
    'tenant="${TENANT:-}"',
    `alerts='${alerts}'`,
    'expected="$(jq -r --arg env "$ENV_NAME" --arg tenant "$tenant" \'[.environments[] | select(.name == $env) | .tenants[] | select($tenant == "" or .id == $tenant)] | length\' "$INVENTORY")"',
    'if [ -n "$tenant" ] && [ "$expected" -eq 0 ]; then echo "::error::tenant $tenant of environment $ENV_NAME is not in $INVENTORY" >&2; exit 1; fi',
    '# GET a Prometheus API path (extra arguments: --data-urlencode parameters); the token goes in a header read from stdin.',
    'prom() {',
    '  local api="$1"',
    '  shift',
    '  { [ -z "${PROMETHEUS_TOKEN:-}" ] || printf \'Authorization: Bearer %s\\n\' "$PROMETHEUS_TOKEN"; } | curl --fail --silent --show-error --max-time 10 --get --header @- "${PROMETHEUS_URL%/}/api/v1/$api" "$@"',
    '}',
    'selector="env=\\"$ENV_NAME\\"${tenant:+, tenant=\\"$tenant\\"}"',
    'started=$SECONDS',
    'healthy=0',
    'while :; do',
    '  seen=""',
    `  if ! recorded="$(prom query --data-urlencode "query=count(${ObservabilityMetric.TENANT_INFO}{$selector})" | jq -r \'.data.result[0].value[1] // "0"\')"; then`,
    '    seen="Prometheus at $PROMETHEUS_URL did not answer"',
    '  elif ! active="$(prom alerts | jq -r --arg env "$ENV_NAME" --arg tenant "$tenant" --arg re "$alerts" \'.data.alerts[] | select(.labels.env == $env and (.labels.alertname | test($re)) and ($tenant == "" or (.labels.tenant // $tenant) == $tenant)) | "\\(.state) \\(.labels.alertname) tenant=\\(.labels.tenant // "-") job=\\(.labels.job // "-")"\')"; then',
    '    seen="Prometheus at $PROMETHEUS_URL did not answer"',
    '  elif grep -q \'^firing \' <<< "$active"; then',
    '    echo "::error::health alerts fire for environment $ENV_NAME${tenant:+ tenant $tenant}:" >&2',
    '    grep \'^firing \' <<< "$active" >&2',
    '    exit 1',
    '  elif [ "$recorded" -lt "$expected" ]; then',
    `    seen="Prometheus records $recorded of $expected ${ObservabilityMetric.TENANT_INFO} series (the environment's rules are not loaded yet)"`,
    '  elif [ -n "$active" ]; then',
    '    seen="pending: $(tr \'\\n\' \';\' <<< "$active")"',
    '  fi',
    '  if [ -z "$seen" ]; then healthy=$((healthy + 1)); else healthy=0; fi',
    '  if [ "$healthy" -ge "$stable_polls" ]; then',
    '    echo "environment $ENV_NAME${tenant:+ tenant $tenant} is healthy: $expected tenants recorded, no health alert active for $healthy polls"',
    '    exit 0',
    '  fi',
    '  if [ $((SECONDS - started)) -ge "$timeout" ]; then',
    '    echo "::error::environment $ENV_NAME${tenant:+ tenant $tenant} is not healthy after ${timeout}s: ${seen:-healthy for only $healthy of $stable_polls polls}" >&2',
    '    exit 1',
    '  fi',
    '  echo "waiting: ${seen:-healthy ($healthy of $stable_polls polls)}"',
    '  sleep "$poll"',
    'done',
  ].join('\n')}\n`;
}

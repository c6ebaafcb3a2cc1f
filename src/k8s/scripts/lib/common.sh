# shellcheck shell=bash
# Runtime settings, logging, metrics and credentials, shared by every script. (This comment header is not shipped:
# projenrc/backup-scripts.ts drops a library's leading comment lines when it inlines it.)
#
# Reads the rendered options (readonly CFG_* from the entry script's "#@render config" line); every runtime
# setting has an environment override (BACKUP_SCRIPT_ENV in src/k8s/backup-scripts.ts). Credentials are only ever
# read from files (F9): the pgpass file (PGPASSFILE, default CFG_PG_PASS_FILE) is copied to a private 0600 file and
# PGPASSWORD is unset if present; the mc access and secret keys are read from their files at run time and passed to
# mc through MC_HOST_primary / MC_HOST_offsite (backup.sh: also MC_HOST_objects, the tenant's own object storage) in
# the environment, never argv.
#
# Exit codes (BACKUP_EXIT_CODES): 0 ok, 1 a command failed, 2 configuration or credentials, 3 pruning or drill
# refused (no or stale verified backup), 4 integrity (verification, checksum, listing, manifest, row counts, guard).

# ---- runtime settings: rendered defaults, overridable per pod (see BACKUP_SCRIPT_ENV) ----
export PGHOST="${PGHOST:-$CFG_PG_HOST}"
export PGPORT="${PGPORT:-$CFG_PG_PORT}"
export PGUSER="${PGUSER:-$CFG_PG_USER}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-30}"
export PGAPPNAME="inopsio-backup-$SCRIPT_KIND"
PG_PASS_SOURCE="${PGPASSFILE:-$CFG_PG_PASS_FILE}"
STORE_BACKEND="${INOPSIO_STORE_BACKEND:-$CFG_STORE_BACKEND}"
STORE_ROOT="${INOPSIO_STORE_ROOT:-$CFG_STORE_ROOT}"
WORK_BASE="${INOPSIO_WORK_DIR:-$CFG_WORK_DIR}"
METRICS_DIR="${INOPSIO_METRICS_DIR:-$CFG_METRICS_DIR}"
PUSHGATEWAY_URL="${INOPSIO_PUSHGATEWAY_URL:-$CFG_PUSHGATEWAY_URL}"
PRIMARY_PREFIX="primary/$CFG_PRIMARY_BUCKET/$CFG_ENV/$CFG_TENANT"
OFFSITE_PREFIX="offsite/$CFG_OFFSITE_BUCKET/$CFG_ENV/$CFG_TENANT"
readonly STORE_TARGET_RE='^(primary|offsite|objects)/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$'

CURRENT_KIND=''
WORK=''
METRICS_ENABLED=1
PENDING_INCOMING=''
PENDING_FINAL=''
PENDING_MANIFEST=''
SCRATCH_DB=''
SNAPSHOT_PID=''
declare -A METRIC_VALUES=()

log() {
  printf '%s inopsio-%s[%s/%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_KIND" "$CFG_ENV" "$CFG_TENANT" "$*" >&2
}

die() {
  local code=$1
  shift
  log "ERROR: $*"
  exit "$code"
}

on_err() {
  log "command failed (exit $1) at line $2: $3"
}

now_epoch() {
  local n=${INOPSIO_NOW:-}
  if [[ -z $n ]]; then
    date -u +%s
    return 0
  fi
  [[ $n =~ ^[0-9]+$ ]] || die 2 "INOPSIO_NOW must be epoch seconds, got '$n'"
  printf '%s\n' "$n"
}

# elapsed_since <EPOCHREALTIME at start> -> seconds with microseconds
elapsed_since() {
  local start=${1//[.,]/} end=${EPOCHREALTIME//[.,]/} d
  d=$((end - start))
  printf '%d.%06d\n' "$((d / 1000000))" "$((d % 1000000))"
}

# ---- metrics: textfile-collector file (written atomically) + optional Pushgateway ----
metrics_file() {
  printf '%s/inopsio_backup_%s_%s_%s.prom\n' "${METRICS_DIR%/}" "$CFG_ENV" "$CFG_TENANT" "$SCRIPT_KIND"
}

metric_set() { # metric_set <name> <extra label, e.g. kind="dump"> <value>
  METRIC_VALUES["$1{env=\"$CFG_ENV\",tenant=\"$CFG_TENANT\"${2:+,$2}}"]=$3
}

# Carry over the previous values (e.g. the last success timestamp survives a failed run).
metrics_load() {
  local file line re='^(inopsio_backup_[a-z_]+[{][^}]*[}]) ([0-9.eE+-]+)$'
  file=$(metrics_file)
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ $re ]]; then
      METRIC_VALUES["${BASH_REMATCH[1]}"]=${BASH_REMATCH[2]}
    fi
  done <"$file"
}

metrics_write() {
  local file tmp def name type help key
  if [[ $METRICS_ENABLED != 1 ]]; then
    return 0
  fi
  file=$(metrics_file)
  # The collector runs as another user: a directory created here and the file are world-readable.
  if [[ ! -d $METRICS_DIR ]]; then
    mkdir -p -- "$METRICS_DIR"
    chmod 0755 -- "$METRICS_DIR"
  fi
  tmp="${METRICS_DIR%/}/.${file##*/}.$$.tmp"
  {
    for def in "${METRIC_DEFS[@]}"; do
      IFS='|' read -r name type help <<<"$def"
      local keys=()
      for key in "${!METRIC_VALUES[@]}"; do
        if [[ $key == "$name{"* ]]; then
          keys+=("$key")
        fi
      done
      if ((${#keys[@]} == 0)); then
        continue
      fi
      printf '# HELP %s %s\n# TYPE %s %s\n' "$name" "$help" "$name" "$type"
      while IFS= read -r key; do
        printf '%s %s\n' "$key" "${METRIC_VALUES[$key]}"
      done < <(printf '%s\n' "${keys[@]}" | LC_ALL=C sort)
    done
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f -- "$tmp" "$file"
}

metrics_push() {
  local file url
  if [[ $METRICS_ENABLED != 1 || -z $PUSHGATEWAY_URL ]]; then
    return 0
  fi
  if ! command -v curl >/dev/null 2>&1; then
    log "WARNING: INOPSIO_PUSHGATEWAY_URL is set but curl is not installed; metrics not pushed"
    return 0
  fi
  file=$(metrics_file)
  url="${PUSHGATEWAY_URL%/}/metrics/job/inopsio_backup/env/$CFG_ENV/tenant/$CFG_TENANT/script/$SCRIPT_KIND"
  # POST replaces only the metric names present in the body: a failed run does not erase
  # the last success timestamp held by the Pushgateway.
  if ! curl -fsS --max-time 15 -X POST --data-binary "@$file" "$url" >/dev/null; then
    log "WARNING: pushing metrics to $url failed"
  fi
}

record_success() { # record_success <kind> <EPOCHREALTIME at start> [size bytes]
  local kind=$1 started=$2 size=${3:-} now
  now=$(now_epoch)
  metric_set inopsio_backup_last_success_timestamp_seconds "kind=\"$kind\"" "$now"
  metric_set inopsio_backup_last_run_success "kind=\"$kind\"" 1
  metric_set inopsio_backup_duration_seconds "kind=\"$kind\"" "$(elapsed_since "$started")"
  if [[ -n $size ]]; then
    metric_set inopsio_backup_size_bytes "kind=\"$kind\"" "$size"
  fi
  metrics_write
}

record_failure() { # record_failure <kind>
  local now
  now=$(now_epoch 2>/dev/null) || now=$(date -u +%s)
  metric_set inopsio_backup_last_failure_timestamp_seconds "kind=\"$1\"" "$now"
  metric_set inopsio_backup_last_run_success "kind=\"$1\"" 0
}

psql_maint() { # psql_maint <sql> (maintenance database; CREATE/DROP DATABASE)
  psql -X -w -q -v ON_ERROR_STOP=1 -d "$CFG_MAINTENANCE_DB" -c "$1"
}

on_exit() {
  local rc=$?
  set +e
  trap - ERR
  if [[ -n $SNAPSHOT_PID ]]; then
    kill "$SNAPSHOT_PID" 2>/dev/null
    wait "$SNAPSHOT_PID" 2>/dev/null
  fi
  if [[ -n $SCRATCH_DB ]]; then
    log "F10: dropping scratch database $SCRATCH_DB"
    psql_maint "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)" || log "WARNING: could not drop scratch database $SCRATCH_DB"
  fi
  # F6: whatever was uploaded without a manifest is removed again (manifest first).
  local target
  for target in "$PENDING_MANIFEST" "$PENDING_FINAL" "$PENDING_INCOMING"; do
    if [[ -n $target ]]; then
      log "removing unpublished object $target"
      (store_remove "$target") || log "WARNING: could not remove $target"
    fi
  done
  if ((rc != 0)) && [[ -n $CURRENT_KIND ]]; then
    record_failure "$CURRENT_KIND"
  fi
  metrics_write || log "WARNING: could not write the metrics file"
  metrics_push
  if [[ -n $WORK && -d $WORK ]]; then
    rm -rf -- "$WORK"
  fi
  if ((rc == 0)); then
    log "done"
  else
    log "FAILED with exit code $rc"
  fi
  exit "$rc"
}

init_runtime() {
  [[ $CFG_ENV =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && $CFG_TENANT =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] ||
    die 2 "env/tenant must be DNS labels"
  case $STORE_BACKEND in
    mc | dir) ;;
    *) die 2 "unknown store backend '$STORE_BACKEND' (expected mc or dir)" ;;
  esac
  if [[ $STORE_BACKEND == dir && $STORE_ROOT != /* ]]; then
    die 2 "INOPSIO_STORE_ROOT must be an absolute path, got '$STORE_ROOT'"
  fi
  mkdir -p -- "$WORK_BASE"
  WORK=$(mktemp -d "${WORK_BASE%/}/inopsio-$SCRIPT_KIND.XXXXXX")
  metrics_load
}

# F9: credentials come from mounted files, read at run time; never from env literals.
load_pg_credentials() {
  if [[ -n ${PGPASSWORD:-} ]]; then
    log "WARNING: ignoring PGPASSWORD from the environment (F9: credentials are read from files only)"
    unset PGPASSWORD
  fi
  if [[ ! -f $PG_PASS_SOURCE || ! -r $PG_PASS_SOURCE ]]; then
    die 2 "F9: PostgreSQL credentials file '$PG_PASS_SOURCE' is missing or unreadable"
  fi
  # libpq ignores a pgpass file readable by group/others: use a private copy.
  install -m 0600 /dev/null "$WORK/pgpass"
  cat -- "$PG_PASS_SOURCE" >"$WORK/pgpass"
  export PGPASSFILE="$WORK/pgpass"
}

read_key_file() { # read_key_file <path> <what> -> the key on stdout
  local key
  if [[ ! -f $1 || ! -r $1 ]]; then
    die 2 "F9: $2 file '$1' is missing or unreadable"
  fi
  key=$(<"$1")
  key=${key//[$'\t\r\n ']/}
  [[ -n $key ]] || die 2 "F9: $2 file '$1' is empty"
  [[ $key != *[@]* ]] || die 2 "F9: $2 in '$1' contains '@', which MC_HOST_<alias> cannot carry"
  printf '%s' "$key"
}

mc_host_url() { # mc_host_url <endpoint> <access key file> <secret key file>
  local ak sk
  ak=$(read_key_file "$2" "access key")
  sk=$(read_key_file "$3" "secret key")
  printf '%s://%s:%s@%s' "${1%%://*}" "$ak" "$sk" "${1#*://}"
}

store_init() { # store_init <alias>... (mc backend: credentials through MC_HOST_<alias>, never argv)
  local alias
  if [[ $STORE_BACKEND != mc ]]; then
    return 0
  fi
  export MC_CONFIG_DIR="$WORK/mc"
  mkdir -p -- "$MC_CONFIG_DIR"
  for alias in "$@"; do
    case $alias in
      primary)
        MC_HOST_primary=$(mc_host_url "$CFG_PRIMARY_ENDPOINT" "$CFG_PRIMARY_ACCESS_KEY_FILE" "$CFG_PRIMARY_SECRET_KEY_FILE")
        export MC_HOST_primary
        ;;
      offsite)
        MC_HOST_offsite=$(mc_host_url "$CFG_OFFSITE_ENDPOINT" "$CFG_OFFSITE_ACCESS_KEY_FILE" "$CFG_OFFSITE_SECRET_KEY_FILE")
        export MC_HOST_offsite
        ;;
      *) die 2 "unknown store alias '$alias'" ;;
    esac
  done
}

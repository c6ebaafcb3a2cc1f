# shellcheck shell=bash
# F8: the pruner, shared by backup.sh (after a verified dump and offsite copy) and prune.sh. Manifest-driven: only
# verified backups listed in manifests count; the newest CFG_KEEP_LATEST (the plan's keepLast) are always kept;
# pruning is refused (exit 3) when the newest verified backup is older than CFG_STALENESS_SECONDS (the plan's
# staleAfterHours); both stores are planned before anything is deleted; a local copy not yet offsite is kept.

# ---- F8: pruning (manifest-driven, newest N always kept, refuses when stale, tenant prefix only) ----
DRY_RUN=0
case ${INOPSIO_DRY_RUN:-0} in
  1 | true | yes) DRY_RUN=1 ;;
esac
PLAN=()
OFFSITE_DUMPS=''
# What a manifest vouches for: its dump, or (a tenant without a database) its object listing.
ARTIFACT_DIR=dumps
ARTIFACT_EXT=dump
if [[ $CFG_DATABASE_ENABLED != 1 ]]; then
  ARTIFACT_DIR=objects-manifests
  ARTIFACT_EXT=objects
fi
OFFSITE_MANIFESTS=''

prune_plan() { # prune_plan <local|offsite> <prefix> <retention days>
  local label=$1 prefix=$2 days=$3 now cutoff age i n name ts kept=0 pruned=0
  now=$(now_epoch)
  cutoff=$((now - days * 86400))
  collect_manifests "$prefix"
  n=${#MAN_NAMES[@]}
  if ((n == 0)); then
    die 3 "REFUSING to prune the $label store: no verified backup is listed in $prefix/manifests/"
  fi
  metric_set inopsio_backup_newest_verified_timestamp_seconds "store=\"$label\"" "${MAN_TS[0]}"
  age=$((now - MAN_TS[0]))
  if ((age > CFG_STALENESS_SECONDS)); then
    die 3 "REFUSING to prune the $label store: newest verified backup ${MAN_NAMES[0]} is ${age}s old, over the staleness threshold of ${CFG_STALENESS_SECONDS}s"
  fi
  for ((i = 0; i < n; i++)); do
    name=${MAN_NAMES[i]}
    ts=${MAN_TS[i]}
    if ((i < CFG_KEEP_LATEST || ts >= cutoff)); then
      kept=$((kept + 1))
      continue
    fi
    # Never drop the local copy of a backup that is not (yet) offsite.
    if [[ $label == local ]] &&
      { [[ $'\n'$OFFSITE_DUMPS$'\n' != *$'\n'"${MAN_SIZES[i]} $name.$ARTIFACT_EXT"$'\n'* ]] ||
        [[ $'\n'$OFFSITE_MANIFESTS$'\n' != *" $name.manifest"$'\n'* ]]; }; then
      log "WARNING: keeping $name in the local store: it is not listed offsite"
      kept=$((kept + 1))
      continue
    fi
    # Manifest first: once it is gone, nobody trusts the dump any more. Object listings stay (the objects are
    # never pruned: objects/ only grows, and the listings say what the prefix held at each backup).
    PLAN+=("$prefix" "$prefix/manifests/$name.manifest")
    if [[ $ARTIFACT_DIR == dumps ]]; then
      PLAN+=("$prefix" "$prefix/dumps/$name.dump")
    fi
    pruned=$((pruned + 1))
  done
  metric_set inopsio_backup_retained_backups "store=\"$label\"" "$kept"
  metric_set inopsio_backup_pruned_backups "store=\"$label\"" "$pruned"
  log "$label store: $n verified backups, keeping $kept, pruning $pruned (retention ${days}d, keep newest $CFG_KEEP_LATEST)"
}

prune_execute() {
  local i prefix target
  for ((i = 0; i < ${#PLAN[@]}; i += 2)); do
    prefix=${PLAN[i]}
    target=${PLAN[i + 1]}
    assert_in_prefix "$prefix" "$target"
    if [[ $DRY_RUN == 1 ]]; then
      printf 'would delete: %s\n' "$target"
    else
      store_remove "$target"
      printf 'deleted: %s\n' "$target"
    fi
  done
}

prune_all() {
  local started=$EPOCHREALTIME
  CURRENT_KIND=prune
  if [[ $DRY_RUN == 1 ]]; then
    METRICS_ENABLED=0
    log "DRY-RUN: printing what would be deleted; nothing is deleted"
  fi
  PLAN=()
  OFFSITE_DUMPS=$(store_list "$OFFSITE_PREFIX/$ARTIFACT_DIR")
  OFFSITE_MANIFESTS=$(store_list "$OFFSITE_PREFIX/manifests")
  # Plan both stores before deleting anything: a refusal in either store deletes nothing.
  prune_plan local "$PRIMARY_PREFIX" "$CFG_LOCAL_RETENTION_DAYS"
  prune_plan offsite "$OFFSITE_PREFIX" "$CFG_OFFSITE_RETENTION_DAYS"
  prune_execute
  record_success prune "$started"
}

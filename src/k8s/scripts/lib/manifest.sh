# shellcheck shell=bash
# Manifests, remote verification and the deletion guard.
#
# Object layout (both stores):
#   <bucket>/<env>/<tenant>/incoming/<name>.dump       staging, never trusted
#   <bucket>/<env>/<tenant>/dumps/<name>.dump          published dump
#   <bucket>/<env>/<tenant>/manifests/<name>.manifest  written LAST; the only thing readers trust
#   <bucket>/<env>/<tenant>/drill/last-success.txt     written by the restore drill (primary store only)
# <name> is <tenant>-<YYYYMMDDTHHMMSSZ> (UTC, from the clock at run time, or INOPSIO_NOW).
#
# Manifest format inopsio-backup-manifest/v1 (BACKUP_MANIFEST_FORMAT): one key=value text file per backup
# (line-oriented so that the image needs no jq). Keys, in order:
#   format=inopsio-backup-manifest/v1
#   name=acme-20250101T020000Z
#   env=prod
#   tenant=acme
#   database=acme
#   dump=dumps/acme-20250101T020000Z.dump   relative to the tenant prefix; must be exactly dumps/<name>.dump
#   sha256=<64 hex>
#   size=<bytes>
#   timestamp=<epoch seconds of the run>
#   created=2025-01-01T02:00:00Z
#   pg_dump_version=pg_dump (PostgreSQL) 15.x
#   verified=true                           pg_restore full read + remote size/sha256 re-read passed
#   rows=<exact count(*)> <schema>.<table>  one line per user table, identifiers quoted with %I
# A tenant without a database (CFG_DATABASE_ENABLED=0) backs up its objects only; its manifest has no database=,
# dump=, pg_dump_version= or rows= lines, and names the object listing instead (sha256 and size are the listing's,
# size may be 0 when the tenant had no objects):
#   objects=objects-manifests/acme-20250101T020000Z.objects   must be exactly objects-manifests/<name>.objects
# A manifest that does not parse, names another env/tenant, or points its dump= anywhere but dumps/<name>.dump
# makes the pruner and the drill fail closed (exit 4) without deleting anything.

# ---- manifests (format: see BACKUP_MANIFEST_FORMAT in backup-scripts.ts) ----
declare -A MF=()
MF_ROWS=()
MAN_NAMES=()
MAN_TS=()
MAN_SIZES=()

manifest_invalid() {
  die 4 "untrusted manifest for '$1': $2 (fail closed: nothing is deleted or restored)"
}

manifest_parse() { # manifest_parse <file> <expected name> -> MF[], MF_ROWS[]
  local file=$1 expect=$2 line key value
  local name_re="^$CFG_TENANT-[0-9]{8}T[0-9]{6}Z$" sha_re='^[0-9a-f]{64}$' int_re='^[0-9]+$' row_re='^[0-9]+ .+$'
  MF=()
  MF_ROWS=()
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ -z $line || $line == '#'* ]]; then
      continue
    fi
    [[ $line == *=* ]] || manifest_invalid "$expect" "malformed line '$line'"
    key=${line%%=*}
    value=${line#*=}
    if [[ $key == rows ]]; then
      [[ $value =~ $row_re ]] || manifest_invalid "$expect" "malformed rows line '$value'"
      MF_ROWS+=("$value")
    else
      MF[$key]=$value
    fi
  done <"$file"
  [[ ${MF[format]:-} == "$MANIFEST_FORMAT" ]] || manifest_invalid "$expect" "format is not $MANIFEST_FORMAT"
  [[ $expect =~ $name_re ]] || manifest_invalid "$expect" "object name is not <tenant>-<YYYYMMDDTHHMMSSZ>"
  [[ ${MF[name]:-} == "$expect" ]] || manifest_invalid "$expect" "name '${MF[name]:-}' does not match its object name"
  [[ ${MF[env]:-} == "$CFG_ENV" && ${MF[tenant]:-} == "$CFG_TENANT" ]] || manifest_invalid "$expect" "belongs to another env/tenant"
  if [[ $CFG_DATABASE_ENABLED == 1 ]]; then
    [[ ${MF[dump]:-} == "dumps/$expect.dump" ]] ||
      manifest_invalid "$expect" "dump path '${MF[dump]:-}' is not dumps/$expect.dump (outside the tenant prefix?)"
    [[ ${MF[size]:-} =~ $int_re && ${MF[size]} -gt 0 ]] || manifest_invalid "$expect" "bad size"
  else
    [[ ${MF[objects]:-} == "objects-manifests/$expect.objects" && -z ${MF[dump]:-} ]] ||
      manifest_invalid "$expect" "object listing '${MF[objects]:-}' is not objects-manifests/$expect.objects (outside the tenant prefix, or a dump of a tenant without a database?)"
    [[ ${MF[size]:-} =~ $int_re ]] || manifest_invalid "$expect" "bad size"
  fi
  [[ ${MF[sha256]:-} =~ $sha_re ]] || manifest_invalid "$expect" "bad sha256"
  [[ ${MF[timestamp]:-} =~ $int_re ]] || manifest_invalid "$expect" "bad timestamp"
  [[ ${MF[verified]:-} == true ]] || manifest_invalid "$expect" "not verified"
}

# collect_manifests <prefix> -> MAN_NAMES[] MAN_TS[] MAN_SIZES[], newest first.
# Only manifests are trusted: dumps or other objects without a manifest are ignored.
collect_manifests() {
  local prefix=$1 listing size key name entry
  local entries=()
  MAN_NAMES=()
  MAN_TS=()
  MAN_SIZES=()
  listing=$(store_list "$prefix/manifests")
  while read -r size key; do
    [[ -n $key ]] || continue
    if [[ $key != *.manifest || $key == */* ]]; then
      log "ignoring $prefix/manifests/$key (not a manifest)"
      continue
    fi
    name=${key%.manifest}
    store_cat "$prefix/manifests/$key" >"$WORK/manifest.check" </dev/null
    manifest_parse "$WORK/manifest.check" "$name"
    entries+=("${MF[timestamp]} $name ${MF[size]}")
  done <<<"$listing"
  if ((${#entries[@]} == 0)); then
    return 0
  fi
  while read -r entry name size; do
    MAN_TS+=("$entry")
    MAN_NAMES+=("$name")
    MAN_SIZES+=("$size")
  done < <(printf '%s\n' "${entries[@]}" | LC_ALL=C sort -k1,1nr -k2,2r)
}

# verify_remote <target> <size> <sha256>: F6 re-read of the uploaded object.
verify_remote() {
  local target=$1 size=$2 sha=$3 remote_size remote_sha
  remote_size=$(store_stat "$target")
  [[ $remote_size == "$size" ]] || die 4 "F6: $target has $remote_size bytes, expected $size"
  remote_sha=$(store_cat "$target" | sha256sum | cut -d' ' -f1)
  [[ $remote_sha == "$sha" ]] || die 4 "F6: sha256 of $target is $remote_sha, expected $sha"
}

# assert_in_prefix <tenant prefix> <target>: F8 guard before any deletion.
assert_in_prefix() {
  local prefix=$1 target=$2 rest re='^(dumps|manifests|incoming)/[A-Za-z0-9._-]+$'
  if [[ $prefix != "$PRIMARY_PREFIX" && $prefix != "$OFFSITE_PREFIX" ]]; then
    die 4 "F8: refusing: '$prefix' is not this tenant's prefix"
  fi
  [[ $target == "$prefix/"* ]] || die 4 "F8: refusing to delete '$target': outside the tenant prefix '$prefix/'"
  rest=${target#"$prefix/"}
  [[ $rest =~ $re ]] || die 4 "F8: refusing to delete '$target': not <prefix>/{dumps,manifests,incoming}/<file>"
  case "/$rest/" in
    */../* | */./*) die 4 "F8: refusing to delete '$target': '..' or '.' segment" ;;
  esac
}

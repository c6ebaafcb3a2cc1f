# shellcheck shell=bash
# The object-store interface. Targets are <alias>/<bucket>/<key>, alias primary or offsite.
#
#   function                                 mc backend                       dir backend ($INOPSIO_STORE_ROOT/<target>)
#   store_put <local> <target>               mc cp --quiet                    copy to a hidden sibling, then mv (atomic)
#   store_stat <target> (size in bytes)      mc stat --json                   stat -c %s
#   store_cat <target>                       mc cat                           cat
#   store_list <prefix> (<size> <key>)       mc ls --recursive --json         find -printf
#   store_move <from> <to>                   mc mv --quiet                    mv
#   store_remove <target> (one object)       mc rm --quiet                    rm -f
#   store_mirror <src-prefix> <dst-prefix>   mc mirror --quiet (F7: no        copy missing files, never overwrite
#                                            delete or overwrite flags)       or delete
#
# Every target is checked against ^(primary|offsite)/<segments> with no ".", ".." or empty segment before any
# backend call; deletions also go through assert_in_prefix (lib/manifest.sh).

# ---- object-store interface ----
# Targets are "<alias>/<bucket>/<key>" (alias: primary | offsite), as mc addresses them.
#   store_put <local-file> <target>     upload (dir backend: atomic rename)
#   store_stat <target>                 print the object size in bytes
#   store_cat <target>                  stream the object to stdout
#   store_list <prefix>                 print "<size> <key relative to prefix>" per object, sorted by key
#   store_move <from> <to>              move an object
#   store_remove <target>               delete exactly one object
#   store_mirror <src-prefix> <dst-prefix>  copy objects missing in dst; never deletes, never overwrites
#   store_sync <src-prefix> <dst-prefix>    copy objects missing or changed in dst; never deletes (tenant objects)
# Backend "mc": the MinIO client. Backend "dir": $INOPSIO_STORE_ROOT/<alias>/<bucket>/<key>.
# Aliases: primary, offsite and (backup.sh only) objects, the tenant's own object storage.
store__check() {
  local target=$1
  [[ $target =~ $STORE_TARGET_RE ]] || die 4 "refusing store target '$target': not <alias>/<bucket>/<key>"
  case "/$target/" in
    */../* | */./* | *//*) die 4 "refusing store target '$target': '.', '..' or empty path segment" ;;
  esac
}

store__path() {
  store__check "$1"
  printf '%s/%s\n' "${STORE_ROOT%/}" "$1"
}

store_put() {
  local src=$1 target=$2 dst tmp
  store__check "$target"
  case $STORE_BACKEND in
    mc) mc cp --quiet "$src" "$target" >/dev/null ;;
    dir)
      dst=$(store__path "$target")
      mkdir -p -- "${dst%/*}"
      tmp="${dst%/*}/.${dst##*/}.inflight.$$"
      cp -- "$src" "$tmp"
      mv -f -- "$tmp" "$dst"
      ;;
  esac
}

store_stat() {
  local target=$1 out re='"size":([0-9]+)'
  store__check "$target"
  case $STORE_BACKEND in
    mc)
      out=$(mc stat --json "$target")
      [[ $out =~ $re ]] || die 1 "cannot read the size of $target from mc stat"
      printf '%s\n' "${BASH_REMATCH[1]}"
      ;;
    dir) stat -c %s -- "$(store__path "$target")" ;;
  esac
}

store_cat() {
  local target=$1
  store__check "$target"
  case $STORE_BACKEND in
    mc) mc cat "$target" ;;
    dir) cat -- "$(store__path "$target")" ;;
  esac
}

store__mc_parse() { # stdin: mc ls --json lines -> "<size> <key>"
  local line key re_file='"type":"file"' re_key='"key":"([^"]*)"' re_size='"size":([0-9]+)'
  while IFS= read -r line; do
    [[ $line =~ $re_file ]] || continue
    [[ $line =~ $re_key ]] || die 1 "cannot parse mc ls output: $line"
    key=${BASH_REMATCH[1]}
    [[ $line =~ $re_size ]] || die 1 "cannot parse mc ls output: $line"
    printf '%s %s\n' "${BASH_REMATCH[1]}" "$key"
  done
}

store_list() {
  local prefix=${1%/} dir listing
  store__check "$prefix"
  case $STORE_BACKEND in
    mc)
      # Process substitution hides mc's exit status from pipefail: capture, then check.
      listing=$(mc ls --recursive --json "$prefix/")
      if [[ -n $listing ]]; then
        store__mc_parse <<<"$listing" | LC_ALL=C sort -k2,2
      fi
      ;;
    dir)
      dir=$(store__path "$prefix")
      if [[ -d $dir ]]; then
        find "$dir" -type f ! -name '.*.inflight.*' -printf '%s %P\n' | LC_ALL=C sort -k2,2
      fi
      ;;
  esac
}

store_move() {
  store__check "$1"
  store__check "$2"
  case $STORE_BACKEND in
    mc) mc mv --quiet "$1" "$2" >/dev/null ;;
    dir)
      local from to
      from=$(store__path "$1")
      to=$(store__path "$2")
      mkdir -p -- "${to%/*}"
      mv -f -- "$from" "$to"
      ;;
  esac
}

store_remove() {
  store__check "$1"
  case $STORE_BACKEND in
    mc) mc rm --quiet "$1" >/dev/null ;;
    dir) rm -f -- "$(store__path "$1")" ;;
  esac
}

store_mirror() {
  local src=${1%/} dst=${2%/} size key
  store__check "$src"
  store__check "$dst"
  case $STORE_BACKEND in
    # F7: plain mirror. No delete flag (offsite keeps more history than the source) and no
    # overwrite flag (an existing offsite object is never replaced); the caller compares
    # listings afterwards instead of trusting the exit code.
    mc) mc mirror --quiet "$src/" "$dst/" >/dev/null ;;
    dir)
      while read -r size key; do
        [[ -n $key ]] || continue
        if [[ ! -e $(store__path "$dst/$key") ]]; then
          store_put "$(store__path "$src/$key")" "$dst/$key"
        fi
      done <<<"$(store_list "$src")"
      ;;
  esac
}

store_sync() {
  local src=${1%/} dst=${2%/} size key
  store__check "$src"
  store__check "$dst"
  case $STORE_BACKEND in
    # Tenant objects change in place: --overwrite copies a changed object again (the offsite bucket is versioned,
    # so the older content stays there as a noncurrent version). No delete flag: what the tenant deleted stays.
    mc) mc mirror --quiet --overwrite "$src/" "$dst/" >/dev/null ;;
    dir)
      while read -r size key; do
        [[ -n $key ]] || continue
        if ! cmp -s -- "$(store__path "$src/$key")" "$(store__path "$dst/$key")"; then
          store_put "$(store__path "$src/$key")" "$dst/$key"
        fi
      done <<<"$(store_list "$src")"
      ;;
  esac
}

# shellcheck shell=bash
# The traps every script installs last, right before `main "$@"`.

trap 'on_err "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

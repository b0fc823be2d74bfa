# Sourced by tools/install.sh: run a noisy install step with its output in a log file.
#
#   install_log=/path/to/install.log   (set by the caller)
#   run_logged "building mmcv" cmd args...
#
# Prints one line "[install] <what> (log: <file>)", appends the command's stdout and stderr to
# the log, and on failure prints the log's last ${OVSEG_INSTALL_LOG_TAIL:-40} lines to stderr
# and returns the command's exit status (pip and the mmcv build print hundreds of lines).

run_logged() {
  local what="$1"
  shift
  echo "[install] $what (log: $install_log)"
  printf '\n=== %s: %s\n' "$what" "$*" >>"$install_log"
  local rc=0
  "$@" >>"$install_log" 2>&1 || rc=$?
  if ((rc != 0)); then
    local lines="${OVSEG_INSTALL_LOG_TAIL:-40}"
    echo "[install] FAILED (exit $rc): $what; last $lines lines of $install_log:" >&2
    tail -n "$lines" "$install_log" >&2
    return "$rc"
  fi
}

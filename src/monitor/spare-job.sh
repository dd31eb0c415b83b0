#!/bin/sh
# bgjobs spare job process: started by a spare monitor (monitor.sh --spare) before any job
# needs it, already the leader of its own session with SIGINT and SIGQUIT at their defaults,
# and with its job's environment (the daemon keeps spares for the environment jobs last had).
# It waits on stdin for its job, written by the daemon at the handover, one field a line:
#
#   JOB_DIR, JOB_ID, CWD, CGROUP (empty: none), PTY_COLS, PTY_ROWS (empty: no terminal),
#   N, then the command's N lines
#
# then joins the job's cgroup, takes the job's files, goes to its directory, marks itself with
# BGJOBS_JOB_ID, writes the pid file and becomes the job: `sh -c COMMAND`, or script(1) with
# the session text its monitor gave it for a terminal job (whose session writes the pid file).
# The command is only ever given to a shell as the argument of `sh -c`. EOF before the whole
# job has come (the daemon died) ends it having run nothing, and its monitor records nothing.
_bgj_monitor=$BGJOBS_SPARE_MONITOR
_bgj_session=$BGJOBS_PTY_SESSION
_bgj_traps=$BGJOBS_PTY_TRAPS
unset BGJOBS_SPARE_MONITOR BGJOBS_PTY_SESSION BGJOBS_PTY_TRAPS

IFS= read -r _bgj_dir && IFS= read -r _bgj_id && IFS= read -r _bgj_cwd &&
  IFS= read -r _bgj_cg && IFS= read -r _bgj_cols && IFS= read -r _bgj_rows &&
  IFS= read -r _bgj_n || exit 0
_bgj_cmd=
_bgj_i=0
while [ "$_bgj_i" -lt "$_bgj_n" ]; do
  IFS= read -r _bgj_line || exit 0
  if [ "$_bgj_i" = 0 ]; then
    _bgj_cmd=$_bgj_line
  else
    _bgj_cmd="$_bgj_cmd
$_bgj_line"
  fi
  _bgj_i=$((_bgj_i + 1))
done

[ -z "$_bgj_cg" ] || echo 0 2>/dev/null >"$_bgj_cg/cgroup.procs" || :
# Its stdin, the FIFO, was opened as fd 4 when the spare was made.
exec <&4 4<&- >>"$_bgj_dir/stdout" 2>>"$_bgj_dir/stderr"
export BGJOBS_JOB_ID="$_bgj_id"
if [ -n "$_bgj_cols" ] && [ -n "$_bgj_rows" ]; then
  # As monitor.sh starts a terminal job: script(1) runs the session text as `$SHELL -c`.
  export BGJOBS_JOB_COMMAND_PTY="$_bgj_cmd" BGJOBS_PTY_TRAPS="$_bgj_traps" \
    BGJOBS_PTY_DIR="$_bgj_dir" BGJOBS_PTY_MONITOR="$_bgj_monitor" BGJOBS_PTY_SHELL="${SHELL-}" \
    BGJOBS_PTY_SHELL_SET="${SHELL+1}" BGJOBS_PTY_COLS="$_bgj_cols" BGJOBS_PTY_ROWS="$_bgj_rows" \
    SHELL=/bin/sh
  cd "$_bgj_cwd" || exit 70
  exec script -q -e -f --echo always -c "$_bgj_session" /dev/null
fi
# The job has started once its pid file is there; a failed cd ends it as a start that failed.
printf '%s %s\n' "$_bgj_monitor" "$$" >"$_bgj_dir/pid" || exit 70
cd "$_bgj_cwd" || exit 70
exec /bin/sh -c "$_bgj_cmd"

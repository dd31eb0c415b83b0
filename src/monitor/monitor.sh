#!/bin/sh
# bgjobs job monitor: one per job, started detached in its own session by the daemon.
#
#   monitor.sh JOB_DIR        (the command comes in $BGJOBS_JOB_COMMAND, never as shell text)
#   monitor.sh --spare FIFO SPARE_JOB_SH     (started ahead of need; see below)
#
# It runs the job as the leader of a new session and process group, with stdout and stderr
# appended straight to files in JOB_DIR and stdin read from a FIFO that this monitor holds
# open, so the job never sees EOF because a bgjobs process went away. When the job ends it
# writes the exit status to JOB_DIR/exit atomically (temp file, then rename). Nothing here
# depends on a living bgjobs process. SIGUSR1 asks it to close the job's stdin (EOF).
#
# With BGJOBS_PTY_COLS and BGJOBS_PTY_ROWS set, the job runs in a pseudo-terminal of that size
# instead: util-linux script(1) holds the terminal's master side (so the terminal lives as
# long as the job, not as long as bgjobs), copies the FIFO into it and everything the job
# writes out of it into JOB_DIR/stdout. The job is then the leader of the terminal's own
# session; it writes the pid file itself, so the pid there is the one to signal.
umask 077

# Run by script(1) as `sh -c` in the new terminal (it is fixed text: the command, sizes and
# paths arrive in the environment). It records the pids, sizes the terminal, gives the job
# back the SHELL it had, drops the variables meant for it alone, and becomes the job.
pty_session='printf "%s %s\n" "$BGJOBS_PTY_MONITOR" "$$" >"$BGJOBS_PTY_DIR/pid" || exit 70
stty cols "$BGJOBS_PTY_COLS" rows "$BGJOBS_PTY_ROWS" iutf8 || exit 70
if [ -n "$BGJOBS_PTY_SHELL_SET" ]; then export SHELL="$BGJOBS_PTY_SHELL"; else unset SHELL; fi
set -- "$BGJOBS_PTY_TRAPS$BGJOBS_JOB_COMMAND_PTY"
unset BGJOBS_JOB_COMMAND_PTY BGJOBS_PTY_COLS BGJOBS_PTY_ROWS BGJOBS_PTY_DIR BGJOBS_PTY_MONITOR \
  BGJOBS_PTY_SHELL BGJOBS_PTY_SHELL_SET BGJOBS_PTY_TRAPS
exec /bin/sh -c "$1"'

# ctrl-c and ctrl-\ in the terminal reach the job's shell too, and dash, unlike bash, then
# dies of them even when the program they were meant for handled them (python's prompt). Put
# on the job's command line, these traps do what bash does: once the program has ended, the
# shell dies of the signal only if the program did (status 128+N), else it goes on. Programs
# the shell starts get the signals at their defaults, as a trapped signal is not inherited.
pty_traps='trap "[ \$? -ne 130 ] || { trap - INT; kill -INT \$\$; }" INT; trap "[ \$? -ne 131 ] || { trap - QUIT; kill -QUIT \$\$; }" QUIT; '

# A spare (monitor.sh --spare FIFO SPARE_JOB_SH), started by the daemon before any job needs
# it: it makes its stdin FIFO and, as its job's process, a waiting spare-job.sh (own session,
# SIGINT and SIGQUIT at their defaults) that reads the job from fd 3 and holds the FIFO's read
# end already (fd 4: opened at the handover, it would block for good once stdin was closed). It says `ready JOB_PID`
# on stdout, then reads its job's folder from stdin. At the handover the daemon renames the
# FIFO into that folder and writes the job to the waiting process. If the daemon dies first,
# both read EOF and exit: a spare never outlives its daemon.
spare=
if [ "${1-}" = --spare ]; then
  spare=1
  mkfifo -m 600 "$2" || exit 70
  # Read-write keeps a writer on the FIFO without blocking on open; the read end for the job
  # process is opened here, before `ready`: the FIFO may be renamed the moment after.
  exec 5<>"$2" 4<"$2"
  (
    exec setsid env --default-signal=INT,QUIT BGJOBS_SPARE_MONITOR=$$ \
      BGJOBS_PTY_SESSION="$pty_session" BGJOBS_PTY_TRAPS="$pty_traps" /bin/sh "$3"
  ) <&3 3<&- 5<&- >/dev/null 2>&1 &
  pid=$!
  exec 3<&- 4<&- 3<&5 5<&-
  # Set before the job can be handed over: its stdin may be closed the moment it is.
  fired=0
  trap 'exec 3>&-; fired=1' USR1
  printf 'ready %s\n' "$pid"
  exec >/dev/null 2>&1
  # A trapped signal cuts read short (what came is kept); EOF: the daemon is gone, or let the
  # spare go, before handing a job over.
  dir=
  until IFS= read -r part; do
    [ "$fired" = 1 ] || { wait "$pid"; exit 0; }
    dir=$dir$part
    fired=0
  done
  dir=$dir$part
  exec </dev/null 2>>"$dir/monitor.log"
else
  dir=$1
  cmd=$BGJOBS_JOB_COMMAND
  # The job's own cgroup, when the daemon could make one (see src/procfs/cgroup.ts).
  cg=${BGJOBS_CGROUP-}
  unset BGJOBS_JOB_COMMAND BGJOBS_CGROUP
  mkfifo -m 600 "$dir/stdin" || exit 70
  exec 3<>"$dir/stdin"
  fired=0
  trap 'exec 3>&-; fired=1' USR1
fi

# The job's process joins its cgroup before it becomes the job ("0": the shell writing moves
# itself), so everything it starts is in there, whatever session it makes; the monitor is not.
# setsid: own session and process group (pgid = pid). env: an asynchronous list of a
# non-interactive shell ignores SIGINT and SIGQUIT; the job gets them back at their defaults
# (through script(1) too, whose child keeps the dispositions it inherits).
if [ -n "$spare" ]; then
  : # Its job's process is the spare's, $pid: it writes the pid file as it becomes the job.
elif [ -n "${BGJOBS_PTY_COLS-}" ] && [ -n "${BGJOBS_PTY_ROWS-}" ]; then
  # script runs $SHELL -c TEXT: /bin/sh, whatever the user's login shell. -e: exit with the
  # job's status (128+N for signal N); -f: no buffering; echo: as a terminal does (the
  # screen then shows what was typed; readline-style programs echo for themselves anyway).
  (
    [ -z "$cg" ] || echo 0 2>/dev/null >"$cg/cgroup.procs" || :
    BGJOBS_JOB_COMMAND_PTY=$cmd BGJOBS_PTY_TRAPS=$pty_traps BGJOBS_PTY_DIR=$dir BGJOBS_PTY_MONITOR=$$ \
      BGJOBS_PTY_SHELL=${SHELL-} BGJOBS_PTY_SHELL_SET=${SHELL+1} SHELL=/bin/sh \
      exec setsid env --default-signal=INT,QUIT script -q -e -f --echo always -c "$pty_session" /dev/null
  ) <"$dir/stdin" >>"$dir/stdout" 2>>"$dir/stderr" 3>&- &
  pid=$!
else
  (
    [ -z "$cg" ] || echo 0 2>/dev/null >"$cg/cgroup.procs" || :
    exec setsid env --default-signal=INT,QUIT /bin/sh -c "$cmd"
  ) <"$dir/stdin" >>"$dir/stdout" 2>>"$dir/stderr" 3>&- &
  pid=$!
  printf '%s %s\n' "$$" "$pid" >"$dir/pid"
fi

# A trapped signal interrupts wait (status 128+N) before the job has ended, or lands just as
# it ends; either way waiting again gives the job's own status, which the shell keeps.
while :; do
  fired=0
  wait "$pid"
  code=$?
  [ "$fired" = 1 ] || break
done

exec 3>&-
# A spare whose job never reached its process (the daemon died between the two writes) ran
# nothing: it records nothing, and the next daemon starts the job again.
[ -z "$spare" ] || [ -s "$dir/pid" ] || exit 0
# A terminal job that never started (no script(1), say) has not written the pid file.
[ -s "$dir/pid" ] || printf '%s %s\n' "$$" "$pid" >"$dir/pid"
# exit.tmp was made with its space reserved before this monitor started: the status is written
# over its start in place (1<> opens without truncating), so a full disk cannot lose it.
printf '%s\n' "$code" 1<>"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"

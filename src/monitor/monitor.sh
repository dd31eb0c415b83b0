#!/bin/sh
# bgjobs job monitor: one per job, started detached in its own session by the daemon.
#
#   monitor.sh JOB_DIR        (the command comes in $BGJOBS_JOB_COMMAND, never as shell text)
#
# It runs the job as the leader of a new session and process group, with stdout and stderr
# appended straight to files in JOB_DIR and stdin read from a FIFO that this monitor holds
# open, so the job never sees EOF because a bgjobs process went away. When the job ends it
# writes the exit status to JOB_DIR/exit atomically (temp file, then rename). Nothing here
# depends on a living bgjobs process. SIGUSR1 asks it to close the job's stdin (EOF).
dir=$1
umask 077
cmd=$BGJOBS_JOB_COMMAND
unset BGJOBS_JOB_COMMAND

mkfifo -m 600 "$dir/stdin" || exit 70
# Read-write keeps a writer on the FIFO without blocking on open.
exec 3<>"$dir/stdin"
fired=0
trap 'exec 3>&-; fired=1' USR1

# setsid: own session and process group (pgid = pid). env: an asynchronous list of a
# non-interactive shell ignores SIGINT and SIGQUIT; the job gets them back at their defaults.
setsid env --default-signal=INT,QUIT /bin/sh -c "$cmd" \
  <"$dir/stdin" >>"$dir/stdout" 2>>"$dir/stderr" 3>&- &
pid=$!
printf '%s %s\n' "$$" "$pid" >"$dir/pid"

# A trapped signal interrupts wait (status 128+N) before the job has ended, or lands just as
# it ends; either way waiting again gives the job's own status, which the shell keeps.
while :; do
  fired=0
  wait "$pid"
  code=$?
  [ "$fired" = 1 ] || break
done

exec 3>&-
printf '%s\n' "$code" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"

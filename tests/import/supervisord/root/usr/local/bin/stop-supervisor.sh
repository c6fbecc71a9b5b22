#!/bin/sh
# Ends the container when a program goes FATAL: the orchestrator restarts it.
printf "READY\n"
while read line; do
  echo "Processing Event: $line" >&2
  kill -SIGQUIT $(cat /var/run/supervisord.pid)
done < /dev/stdin

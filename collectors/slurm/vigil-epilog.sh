#!/usr/bin/env bash
# Slurm Epilog (runs as root on each node when a job ends): publishes a vigil.job.v1 END event for the job.
# Same settings as vigil-task-prolog.sh. Never fails the job.
set -u
[ -r /etc/vigil/slurm.env ] && . /etc/vigil/slurm.env
bootstrap="${VIGIL_KAFKA_BOOTSTRAP:-}"
cluster="${VIGIL_CLUSTER:-${SLURM_CLUSTER_NAME:-default}}"
topic="${VIGIL_TOPICS_PREFIX:-vigil.}jobs"
job="${SLURM_JOB_ID:-}"
host="${SLURMD_NODENAME:-$(hostname -s)}"
[ -n "$bootstrap" ] && [ -n "$job" ] && command -v kcat >/dev/null 2>&1 || exit 0
now_ms=$(( $(date +%s%N) / 1000000 ))
event="{\"schema\":\"vigil.job.v1\",\"ts\":$now_ms,\"cluster\":\"$cluster\",\"jobId\":\"$job\",\"kind\":\"END\",\"ranks\":[]"
event="$event,\"origin\":{\"collector\":\"slurm:$host\",\"bootEpochMs\":0,\"sequence\":$now_ms}}"
printf '%s\n' "$event" | timeout 10 kcat -P -b "$bootstrap" -t "$topic" -k "$cluster/$job" \
  || logger -t vigil "could not publish the end of job $job to $bootstrap" 2>/dev/null || true
exit 0

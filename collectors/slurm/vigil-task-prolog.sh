#!/usr/bin/env bash
# Slurm TaskProlog: tells Vigil which GPU each rank of a job runs on, at task start, with no change to the
# training code. Install on every GPU node and set in slurm.conf:
#   TaskProlog=/opt/vigil/slurm/vigil-task-prolog.sh
#   Epilog=/opt/vigil/slurm/vigil-epilog.sh
# Settings come from /etc/vigil/slurm.env (or the environment): VIGIL_KAFKA_BOOTSTRAP (required), VIGIL_CLUSTER
# (default: SLURM_CLUSTER_NAME), VIGIL_TOPICS_PREFIX (default "vigil.").
# Publishes one vigil.job.v1 START event listing this task's rank and GPU(s) to <prefix>jobs with kcat; events from
# the tasks of one job are merged by job id downstream. Never prints to stdout (Slurm reads a TaskProlog's stdout)
# and never fails the task: problems go to syslog/stderr only.
set -u
[ -r /etc/vigil/slurm.env ] && . /etc/vigil/slurm.env
exec 1>&2
bootstrap="${VIGIL_KAFKA_BOOTSTRAP:-}"
cluster="${VIGIL_CLUSTER:-${SLURM_CLUSTER_NAME:-default}}"
topic="${VIGIL_TOPICS_PREFIX:-vigil.}jobs"
job="${SLURM_JOB_ID:-}"
rank="${SLURM_PROCID:-}"
host="${SLURMD_NODENAME:-$(hostname -s)}"
gpus="${CUDA_VISIBLE_DEVICES:-${SLURM_STEP_GPUS:-${SLURM_JOB_GPUS:-}}}"
if [ -z "$bootstrap" ] || [ -z "$job" ] || [ -z "$rank" ] || [ -z "$gpus" ]; then
  exit 0   # not configured, or a task without GPUs: nothing to report
fi
if ! command -v kcat >/dev/null 2>&1; then
  logger -t vigil "kcat not found: job $job rank $rank not reported to Vigil" 2>/dev/null || true
  exit 0
fi
ranks=""
for gpu in ${gpus//,/ }; do
  case "$gpu" in (*[!0-9]*|"") continue ;; esac   # GPU UUIDs or MIG names: not mapped by index here
  ranks="${ranks:+$ranks,}{\"rank\":$rank,\"host\":\"$host\",\"gpu\":$gpu}"
done
[ -n "$ranks" ] || exit 0
now_ms=$(( $(date +%s%N) / 1000000 ))
event="{\"schema\":\"vigil.job.v1\",\"ts\":$now_ms,\"cluster\":\"$cluster\",\"jobId\":\"$job\",\"kind\":\"START\""
# Owners, for routing the job's incidents: the Slurm account, and a team (VIGIL_TEAM in the job's environment,
# else the account).
account="${SLURM_JOB_ACCOUNT:-}"
team="${VIGIL_TEAM:-$account}"
event="$event,\"name\":\"${SLURM_JOB_NAME:-}\",\"team\":\"$team\",\"account\":\"$account\",\"ranks\":[$ranks]"
event="$event,\"origin\":{\"collector\":\"slurm:$host\",\"bootEpochMs\":0,\"sequence\":$now_ms}}"
printf '%s\n' "$event" | timeout 10 kcat -P -b "$bootstrap" -t "$topic" -k "$cluster/$job" \
  || logger -t vigil "could not publish job $job rank $rank to $bootstrap" 2>/dev/null || true
exit 0

#!/bin/bash
# Submits the shard array and the merge job that waits for it:
#   deploy/slurm/submit.sh study.json 8        (8 shards; parts in ./parts, report in ./report)
set -euo pipefail
STUDY=${1:?usage: submit.sh STUDY.json SHARDS}
SHARDS=${2:?usage: submit.sh STUDY.json SHARDS}
HERE=$(cd "$(dirname "$0")" && pwd)
export STUDY PARTS=${PARTS:-parts} REPORT=${REPORT:-report}
ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$HERE/initlab-array.sbatch")
sbatch --dependency=afterok:"${ARRAY%%;*}" "$HERE/merge.sbatch"

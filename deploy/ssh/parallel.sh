#!/bin/bash
# Without a scheduler: GNU parallel runs the shards over ssh on the machines listed in HOSTS
# (one per line, `4/user@host` for 4 jobs there; `:` is this machine), each with initlab on its
# PATH and the study file transferred, and brings every part back; then merges here.
#   HOSTS=hosts.txt deploy/ssh/parallel.sh study.json 8
set -euo pipefail
STUDY=${1:?usage: parallel.sh STUDY.json SHARDS}
SHARDS=${2:?usage: parallel.sh STUDY.json SHARDS}
HOSTS=${HOSTS:-hosts.txt}
INITLAB=${INITLAB:-initlab}
PARTS=${PARTS:-parts}
REPORT=${REPORT:-report}
mkdir -p "$PARTS"
parallel --sshloginfile "$HOSTS" --transferfile "$STUDY" --return "$PARTS/part-{}-of-$SHARDS.json" \
    --cleanup --halt now,fail=1 \
    "$INITLAB" run --study "$STUDY" --shard "{}/$SHARDS" --quiet --out "$PARTS" \
    ::: $(seq 0 $((SHARDS - 1)))
"$INITLAB" merge "$PARTS" --out "$REPORT" --force

#!/bin/bash
# Submits a sharded SparseDsl sweep to Slurm: N array tasks (each one part of the grid) and a merge job that starts once
# every task has succeeded. Usage, from anywhere:
#   deploy/slurm/submit-sweep.sh N [sweep options...]
#   deploy/slurm/submit-sweep.sh 8 --widths 128 256 --log2-lrs -12 -11 -10 -9 -8 -7 -6
# SWEEP_OUT, SPARSEDSL_DEVICE, SPARSEDSL_SIF and SPARSEDSL_BIN are read by sweep-array.sbatch (see there). Extra sbatch
# options: SBATCH_OPTIONS for both jobs (account, partition), TASK_OPTIONS for the array tasks only (GPUs), e.g.
#   SBATCH_OPTIONS="--account=ml" TASK_OPTIONS="--partition=gpu --gres=gpu:1" SPARSEDSL_DEVICE=cuda deploy/slurm/submit-sweep.sh 8
set -euo pipefail

if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N [sweep options...]   (N: how many array tasks share the grid)" >&2
  exit 2
fi
parts=$1
shift
script="$(cd "$(dirname "$0")" && pwd)/sweep-array.sbatch"
read -r -a extra <<< "${SBATCH_OPTIONS:-}"
read -r -a tasks <<< "${TASK_OPTIONS:-}"

# --parsable prints "jobid" or "jobid;cluster".
array=$(sbatch --parsable ${extra[@]+"${extra[@]}"} ${tasks[@]+"${tasks[@]}"} --array="1-$parts" "$script" "$@")
array=${array%%;*}
# afterok on an array waits for every task and runs only if all of them succeeded.
merge=$(sbatch --parsable ${extra[@]+"${extra[@]}"} --job-name=sparsedsl-merge --dependency="afterok:$array" \
  --cpus-per-task=1 --mem=4G --time=00:30:00 --output=sparsedsl-merge-%j.out "$script" merge)
echo "sweep: array job $array ($parts tasks); merge: job ${merge%%;*}, after every task succeeds."
echo "results: ${SWEEP_OUT:-\$HOME/sparsedsl-runs/sweep}/sweep.csv, summary.md, sweep-width-*.png"

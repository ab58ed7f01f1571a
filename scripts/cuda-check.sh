#!/usr/bin/env bash
# Proves SparseDsl on a GPU: builds against TorchSharp's CUDA backend, runs the test suite on the GPU, trains the
# example LM for 300 steps there (printing tokens/s) and runs the coordinate check there. Every step runs through the
# one device setting, SPARSEDSL_DEVICE, that the tests and every CLI command read.
#
# Usage (from anywhere; needs the .NET 10 SDK, nuget.org or a mirror, an NVIDIA GPU and driver >= 570 for CUDA 12.8):
#   bash scripts/cuda-check.sh                     # on cuda
#   bash scripts/cuda-check.sh --device cuda:1     # another GPU
#   bash scripts/cuda-check.sh --device cpu        # the same path on the CPU, without the CUDA build flag (a rehearsal)
# Options:
#   --steps N          training steps (default 300)
#   --test-filter F    run only the tests matching F (dotnet test --filter syntax); default: the whole suite
#   --skip-tests       no test run
#   --coord-args "…"   coord-check options instead of the defaults (e.g. "--steps 3 --seeds 1 --widths 64 128")
#   --train-args "…"   extra train options (e.g. "--width 256 --batch 32")
#   --out DIR          where logs and results go (default runs/cuda-check-<device>-<time>)
# Exit status: 0 when every step passed; otherwise 1, and the summary says which step failed and where its log is.
set -uo pipefail
cd "$(dirname "$0")/.."

device=cuda steps=300 test_filter="" skip_tests=0 coord_args="" train_args="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=${2:?--device needs a value}; shift 2 ;;
    --steps) steps=${2:?--steps needs a value}; shift 2 ;;
    --test-filter) test_filter=${2:?--test-filter needs a value}; shift 2 ;;
    --skip-tests) skip_tests=1; shift ;;
    --coord-args) coord_args=${2?--coord-args needs a value}; shift 2 ;;
    --train-args) train_args=${2?--train-args needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$device" in
  cpu) backend=cpu ;;
  cuda|cuda:[0-9]*) backend=cuda ;;
  *) echo "error: --device expects cpu, cuda or cuda:N, got '$device'" >&2; exit 2 ;;
esac
if ! [[ $steps =~ ^[1-9][0-9]*$ ]]; then echo "error: --steps expects a positive integer, got '$steps'" >&2; exit 2; fi

# The one setting: the tests' TestDevice and every command's --device default read it.
export SPARSEDSL_DEVICE=$device
out=${out:-runs/cuda-check-${device/:/-}-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cli=examples/SparseDsl.Examples/bin/Release/net10.0/SparseDsl.Examples
build_flags=()
# The CPU rehearsal builds as every CPU build does; only CUDA swaps the backend (Directory.Build.targets).
[ "$backend" = cuda ] && build_flags=(-p:TorchBackend=cuda)

summary=()
failed=0
step() { # step NAME LOG COMMAND...: runs COMMAND with its output in LOG, records the outcome
  local name=$1 log=$2; shift 2
  local start=$SECONDS
  echo "== $name (log: $log)"
  "$@" >"$log" 2>&1
  local status=$?
  local line
  line=$(printf '%-10s %s in %d s' "$name" "$([ $status -eq 0 ] && echo passed || echo "FAILED (exit $status)")" $((SECONDS - start)))
  summary+=("$line")
  echo "   $line"
  if [ $status -ne 0 ]; then failed=1; tail -n 15 "$log" | sed 's/^/   | /'; fi
  return $status
}

{
  echo "device: $device   backend: $backend   date: $(date -u +%FT%TZ)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  grep -m1 'model name' /proc/cpuinfo
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

# 1. Build (the whole solution, so the tests are built against the same backend).
if ! step build "$out/build.log" dotnet build SparseDsl.sln -c Release -nologo -v quiet ${build_flags[@]+"${build_flags[@]}"}; then
  printf '%s\n' "${summary[@]}"
  echo "The build failed: nothing else can run. For CUDA, the restore needs TorchSharp-cuda-linux from nuget.org (or a mirror)."
  exit 1
fi
"$cli" machine >>"$out/machine.txt" 2>&1

# 2. The tests, on the device (TestDevice reads SPARSEDSL_DEVICE; CLI tests follow the same default).
if [ $skip_tests -eq 0 ]; then
  test_cmd=(dotnet test SparseDsl.sln -c Release --no-build -nologo)
  [ -n "$test_filter" ] && test_cmd+=(--filter "$test_filter")
  step tests "$out/tests.log" "${test_cmd[@]}"
  grep -E '^(Passed|Failed)!' "$out/tests.log" | sed 's/^/   /'
fi

# 3. Train the example LM for $steps steps on the device; tokens/s from its metrics.
read -r -a extra_train <<< "$train_args"
if step train "$out/train.log" "$cli" train --steps "$steps" --out "$out/train" --log-every 50 --eval-every 0 \
    --checkpoint-every 0 --sample-length 100 ${extra_train[@]+"${extra_train[@]}"}; then
  # Over the whole run, and from the 10% mark on (without CUDA's start-up and the first steps' allocations).
  rate=$(grep '"split":"train"' "$out/train/metrics.jsonl" | sed -E 's/.*"step":([0-9]+).*"tokens":([0-9]+).*"elapsed_seconds":([0-9.]+).*/\1 \2 \3/' |
    awk -v steps="$steps" 'BEGIN { mark = int(steps / 10); if (mark < 1) mark = 1 }
      $1 == mark { t0 = $2; s0 = $3 } { t = $2; s = $3 }
      END { if (s > 0) printf "%.0f tokens/s over %d steps", t / s, steps; if (s > s0 && t > t0) printf ", %.0f tokens/s after step %d", (t - t0) / (s - s0), mark }')
  loss=$(grep -m1 'final validation loss' "$out/train.log")
  summary+=("           $rate; $loss")
  echo "   $rate; $loss"
fi

# 4. The coordinate check (paper Fig. 5) on the device: CSV, plots and its flatness table.
read -r -a extra_coord <<< "$coord_args"
step coord "$out/coord-check.log" "$cli" coord-check --out "$out/coord-check" ${extra_coord[@]+"${extra_coord[@]}"}

echo
echo "cuda-check on $device: results in $out"
printf '%s\n' "${summary[@]}"
exit $failed

#!/usr/bin/env bash
# Runs the whole test suite under each CPU code path that a CI machine or a user's machine may take:
# MKL's default dispatch, MKL pinned to AVX2 and to its conditional-bitwise-reproducible COMPATIBLE path,
# ATen's generic (non-vectorized) kernels, and one torch thread. Every numerical test must pass under all five.
# Usage: bash scripts/test-cpu-paths.sh   (builds once, then about a minute per setting on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."

dotnet build SparseDsl.sln -c Release -v quiet -nologo >/dev/null || { echo "error: the build failed" >&2; exit 1; }
grep -m1 'model name' /proc/cpuinfo 2>/dev/null || true

settings=(
  "default="
  "MKL_CBWR=AVX2"
  "MKL_CBWR=COMPATIBLE"
  "ATEN_CPU_CAPABILITY=default"
  "OMP_NUM_THREADS=1"
)
worst=0
for setting in "${settings[@]}"; do
  log=$(mktemp)
  if [ "$setting" = "default=" ]; then
    dotnet test SparseDsl.sln -c Release --no-build >"$log" 2>&1; status=$?
  else
    env "$setting" dotnet test SparseDsl.sln -c Release --no-build >"$log" 2>&1; status=$?
  fi
  passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  printf '%-30s %4d passed, %d failed, %d skipped (exit %d)\n' "${setting%=}" "$passed" "$failed" "$skipped" "$status"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    grep -E -A4 '^\s+Failed ' "$log" | sed 's/^/    /'
    worst=1
  fi
  rm -f "$log"
done
exit $worst

#!/usr/bin/env bash
# Peak RSS and tokens/s of the default training run under each malloc this machine has (glibc; jemalloc and tcmalloc
# when installed: Debian's libjemalloc2, libtcmalloc-minimal4), with the trainer's timed garbage collection on (the
# default, --gc-interval 1) and off (--gc-interval 0). Variants run in interleaved rounds, so slow phases of the machine
# hit every variant alike, and the on/off order flips every round; each figure is the median over rounds, and each
# ratio the median of per-round ratios.
# Usage: bash benchmarks/allocators.sh [ROUNDS] [STEPS]   (default 3 rounds of 1,000 steps: about 15 minutes on 2 cores)
# BIN=path/to/SparseDsl.Examples measures another build (for example an older commit's) with the same command;
# ALLOCATORS="glibc jemalloc" measures only those.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
steps=${2:-1000}
bin=${BIN:-examples/SparseDsl.Examples/bin/Release/net10.0/SparseDsl.Examples}
if [ -z "${BIN:-}" ]; then dotnet build examples/SparseDsl.Examples -c Release -v quiet -nologo >/dev/null; fi
libs=/usr/lib/x86_64-linux-gnu
declare -A preload=([glibc]="")
[ -e $libs/libjemalloc.so.2 ] && preload[jemalloc]=$libs/libjemalloc.so.2
[ -e $libs/libtcmalloc_minimal.so.4 ] && preload[tcmalloc]=$libs/libtcmalloc_minimal.so.4
allocators=${ALLOCATORS:-$(printf '%s\n' "${!preload[@]}" | sort)}
gc_options="1 0"
# --gc-interval is new with the timed collection; an older build is measured with its defaults only.
"$bin" train --help | grep -q -- --gc-interval || gc_options="default"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.tsv
machine=$("$bin" machine 2>/dev/null || grep -m1 'model name' /proc/cpuinfo)
echo "$machine; $rounds rounds of $steps steps (train --sat false --eval-every 0 --checkpoint-every 0)"

for round in $(seq 1 "$rounds"); do
  for allocator in $allocators; do
    order=$gc_options
    [ $((round % 2)) -eq 0 ] && order=$(echo $gc_options | tr ' ' '\n' | tac | tr '\n' ' ')
    for gc in $order; do
      run=$work/run-$round-$allocator-$gc
      args=(train --steps "$steps" --sat false --eval-every 0 --checkpoint-every 0 --log-every "$steps" --sample-length 0 --out "$run")
      [ "$gc" != default ] && args+=(--gc-interval "$gc")
      LD_PRELOAD=${preload[$allocator]} "$bin" "${args[@]}" >"$run.log" 2>&1 &
      pid=$!
      peak=0
      while kill -0 $pid 2>/dev/null; do
        value=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || true)
        [ -n "$value" ] && peak=$value
        sleep 0.2
      done
      wait $pid || { echo "error: $allocator gc=$gc failed; see below" >&2; tail -5 "$run.log" >&2; exit 1; }
      # Steady-state throughput: tokens and seconds between step 100 and the last step.
      rate=$(python3 - "$run/metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"train"' in l]
a, b = rows[99], rows[-1]
print(f"{(b['tokens'] - a['tokens']) / (b['elapsed_seconds'] - a['elapsed_seconds']):.0f}")
PY
)
      printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$allocator" "$gc" "$((peak / 1024))" "$rate" >>"$results"
      printf 'round %s  %-9s gc-interval %-7s peak RSS %5s MiB  %s tokens/s\n' "$round" "$allocator" "$gc" "$((peak / 1024))" "$rate"
    done
  done
done

python3 - "$results" "$machine" "$rounds" "$steps" <<'PY' | tee benchmarks/results/allocators.md
import sys, statistics as st
from collections import defaultdict
path, machine, rounds, steps = sys.argv[1:]
rows = [l.rstrip('\n').split('\t') for l in open(path)]
by = defaultdict(dict)
for r, a, g, peak, rate in rows:
    by[(a, g)][r] = (int(peak), int(rate))
print(f"Peak RSS and steady tokens/s of `train --steps {steps} --sat false` under each malloc; {machine}; medians of {rounds} interleaved rounds.\n")
print("| malloc | --gc-interval | peak RSS MiB (median) | range | tokens/s (median) |")
print("| --- | --- | --- | --- | --- |")
for (a, g), runs in sorted(by.items()):
    peaks = [p for p, _ in runs.values()]; rates = [t for _, t in runs.values()]
    print(f"| {a} | {g} | {st.median(peaks):.0f} | {min(peaks)}–{max(peaks)} | {st.median(rates):.0f} |")
gcs = sorted({g for _, g in by})
if gcs == ['0', '1']:
    print("\n| malloc | tokens/s ratio, collection on / off (median of per-round ratios) | range |")
    print("| --- | --- | --- |")
    for a in sorted({a for a, _ in by}):
        ratios = [by[(a, '1')][r][1] / by[(a, '0')][r][1] for r in by[(a, '1')] if r in by[(a, '0')]]
        print(f"| {a} | {st.median(ratios):.3f} | {min(ratios):.3f}–{max(ratios):.3f} |")
if ('glibc', '1') in by and ('jemalloc', '1') in by:
    g = st.median(p for p, _ in by[('glibc', '1')].values()); j = st.median(p for p, _ in by[('jemalloc', '1')].values())
    print(f"\nglibc / jemalloc peak RSS with the defaults: {g / j:.2f}x")
PY

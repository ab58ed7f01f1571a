#!/usr/bin/env bash
# Runs every performance benchmark (docs/performance.md): the source generator's timing and caching check, then the
# model suites (generated vs hand-written, masked vs dense), training FLOP/s against the matmul peak, and memory over
# 1,000 steps. About 10 minutes on 2 cores; run it on an otherwise idle machine, since every figure is a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/SparseDsl.Benchmarks -c Release
dotnet build benchmarks/SparseDsl.Benchmarks.Generator -c Release
dotnet run --project benchmarks/SparseDsl.Benchmarks.Generator -c Release --no-build
dotnet run --project benchmarks/SparseDsl.Benchmarks -c Release --no-build -- all
echo "Reports: benchmarks/results/ (BenchmarkDotNet tables in benchmarks/results/BenchmarkDotNet/results/) and benchmarks/SparseDsl.Benchmarks.Generator/BenchmarkDotNet.Artifacts/results/"

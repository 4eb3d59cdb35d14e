#!/usr/bin/env bash
# The sanitizer build: clang-14 with ASan + UBSan (every finding fatal) and libFuzzer's coverage, in
# build-asan/ (or $KLDIV_ASAN_BUILD_DIR). Builds the fuzz targets of fuzz/ and runs each on its seed
# corpus, one after the other; with --tests, first builds every C++ test there and runs ctest.
#   scripts/fuzz.sh                       every target for 20 s
#   scripts/fuzz.sh --tests 20            ctest, then every target for 20 s (what scripts/test.sh runs)
#   scripts/fuzz.sh 600 fuzz_npy          one target for 10 minutes
# Prints one line per target (executions, executions per second); exits 1 at the first finding,
# whose input is kept in <build>/fuzz/findings/<target>/ (reproduce: <build>/fuzz/<target> FILE).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KLDIV_ASAN_BUILD_DIR:-$root/build-asan}
tests=OFF
if [[ "${1:-}" == "--tests" ]]; then
  tests=ON
  shift
fi
seconds=${1:-20}
[[ $# -gt 0 ]] && shift
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for source in "$root"/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

# The SIMD kernels are compiled for one static target here (see CMakeLists.txt): on x86-64 SSE4,
# real vector code, rather than Highway's portable emulation, whose float-to-int conversion of NaN
# lanes is itself undefined behaviour that UBSan would report. The Python module is not built: a
# sanitized extension needs libasan preloaded into python3 (the Python tests run in the ordinary build).
flags="-O1 -gline-tables-only"
[[ $(uname -m) == x86_64 ]] && flags+=" -msse4.2 -mpclmul -maes"
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" -DKLDIV_BUILD_FUZZERS=ON \
  -DKLDIV_BUILD_TESTS=$tests -DKLDIV_BUILD_EXAMPLES=$tests -DKLDIV_BUILD_PYTHON=OFF -DKLDIV_BUILD_BENCH=OFF \
  -DKLDIV_INSTALL=OFF > /dev/null
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
if [[ $tests == ON ]]; then
  cmake --build "$build" -j "$(nproc)"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
fi
cmake --build "$build" -j "$(nproc)" --target fuzzers

for t in "${targets[@]}"; do
  seeds=$build/fuzz/corpus/$t  # from tests/data (fuzz_corpora); read, never written
  work=$build/fuzz/work/$t      # what the fuzzer adds, kept between runs
  findings=$build/fuzz/findings/$t
  log=$build/fuzz/logs/$t.log
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  # Limits: a single input may take 10 s, 2 GiB of memory in all, 1 GiB in one allocation.
  if ! "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$work" "$seeds" > "$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $t found a defect; the input is in $findings/ (full log: $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz: $t: ${runs:-?} executions in ${seconds} s (${rate:-?}/s), no finding"
done

#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test; then every C++ test
# again under AddressSanitizer + UBSan (build-asan/), and each fuzz target briefly (build-fuzz/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${KLDIV_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"

# The same tests built with -fsanitize=address,undefined (gcc, -O1, every finding fatal). The Python
# module is not built there: a sanitized extension needs libasan preloaded into python3, and the
# Python tests are run above. KLDIV_SKIP_SANITIZERS=1 stops here (a quicker local run).
[[ "${KLDIV_SKIP_SANITIZERS:-0}" == 1 ]] && exit 0
asan=${KLDIV_ASAN_BUILD_DIR:-$root/build-asan}
KLDIV_BUILD_DIR=$asan KLDIV_BUILD_TYPE=Debug "$root/scripts/build.sh" -DKLDIV_SANITIZE=address,undefined \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DKLDIV_BUILD_PYTHON=OFF -DKLDIV_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$asan" --output-on-failure -j "$(nproc)"

# Every libFuzzer target of fuzz/ for 20 s on its seed corpus; a finding fails.
"$root/scripts/fuzz.sh" 20

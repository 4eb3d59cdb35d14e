#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test; then
# each fuzz target briefly under AddressSanitizer + UBSan (build-asan/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${KLDIV_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"

# The sanitizer build (clang-14, ASan + UBSan, every finding fatal) in build-asan/: every C++ test
# again, then each libFuzzer target of fuzz/ for 20 s on its seed corpus (scripts/fuzz.sh --tests;
# docs/HACKING.md, "CI stages"). KLDIV_SKIP_SANITIZERS=1 stops before this (a quicker local run).
[[ "${KLDIV_SKIP_SANITIZERS:-0}" == 1 ]] && exit 0
"$root/scripts/fuzz.sh" --tests 20

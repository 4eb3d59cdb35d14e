#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test; then every C++ test
# again under AddressSanitizer + UBSan, and each fuzz target briefly (both in build-asan/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${KLDIV_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"

# Every C++ test again, built with clang-14, ASan + UBSan (every finding fatal) in build-asan/; then
# each libFuzzer target of fuzz/ for 20 s on its seed corpus (scripts/fuzz.sh; a finding fails).
# KLDIV_SKIP_SANITIZERS=1 stops before this (a quicker local run).
[[ "${KLDIV_SKIP_SANITIZERS:-0}" == 1 ]] && exit 0
"$root/scripts/fuzz.sh" --tests 20

#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${KLDIV_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"
